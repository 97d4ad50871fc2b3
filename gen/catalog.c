/*
 * catalog.c - the static HTML catalog: home, one page per engine, one per
 * Dockerfile (with the raw file beside it), the platform matrix, the
 * registry pages, the deployment registry's table and a page per
 * configuration, 404, search data, sitemap.xml and an Atom feed.  Pages
 * come from the Mustache templates in templates/site (see CONTEXT.md
 * there), HTML-escaped; the only raw HTML is cmark's (safe defaults) and
 * the SVG charts made here.
 *
 * The data is the typed index (engines -> versions -> packages) and the
 * build matrix, each image carrying its rendered Dockerfile, and, when the
 * repository has them, the typed registries (frameworks, models, instance
 * types) with their compatibility matrix: nothing of gen's own JSON is read
 * back, and nothing from the output layer.
 *
 * Template contexts are built with jansson, which returns NULL (or -1) when
 * memory runs out or a string is not UTF-8.  Every such result goes through
 * the j*() helpers below, which clear the page's ok flag: an incomplete
 * context is never rendered (its template would only blame a missing name).
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cr.h"
#include "deploy.h"
#include "jsonpos.h"
#include "manifest.h"
#include "mustache.h"
#include "registry.h"

#define NONE ((size_t)-1)

static const struct tmpl *
site_partial(void *arg, const char *name)
{
	return tmplset_get(arg, name);
}

/* ---- small helpers ---------------------------------------------------- */

/* o[k] = v (stolen); a NULL v or a failed set clears *ok. */
static void
jset(int *ok, json_t *o, const char *k, json_t *v)
{
	if (json_object_set_new(o, k, v) != 0)
		*ok = 0;
}

/* o[k] = v, a new reference to v. */
static void
jsetref(int *ok, json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set(o, k, v) != 0)
		*ok = 0;
}

/* a += v (stolen). */
static void
jpush(int *ok, json_t *a, json_t *v)
{
	if (json_array_append_new(a, v) != 0)
		*ok = 0;
}

/* Optional strings of the index as the templates want them: "" for none. */
static const char *
nz(const char *s)
{
	return s ? s : "";
}

/*
 * One URL path segment, percent-encoded: everything but RFC 3986's
 * unreserved characters (letters, digits, "-._~") becomes %XX, so a
 * version or file name from the index cannot end a path or start a query.
 */
static void
url_seg(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || strchr("-._~", *u) != NULL)
			buf_putc(b, *u);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[*u >> 4]);
			buf_putc(b, hex[*u & 0xf]);
		}
	}
}

/* The link to an engine's page, relative to the root (caller frees). */
static char *
engine_href(const char *id)
{
	struct buf b = { 0 };

	buf_puts(&b, "engines/");
	url_seg(&b, id);
	buf_puts(&b, "/index.html");
	return b.s;
}

/* {baseUrl}/{id}-v{version}/{filename}, each segment encoded. */
static char *
download_url(const char *base, const char *id, const char *ver,
    const char *file)
{
	struct buf b = { 0 };
	char *dir = xasprintf("%s-v%s", id, ver);

	buf_puts(&b, base);
	buf_putc(&b, '/');
	url_seg(&b, dir);
	buf_putc(&b, '/');
	url_seg(&b, file);
	free(dir);
	return b.s;
}

static void
human_size(unsigned long long n, char *out, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, len, "%llu B", n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* A release date as pages show it: 2026-01-31 (UTC). */
static void
day_of(long long t, char out[32])
{
	index_time(t, out);
	out[10] = '\0';
}

/* "../" once per folder in a page's path: the way back to the root. */
static char *
root_of(const char *path)
{
	struct buf b = { 0 };
	const char *p;

	buf_add(&b, "", 0);
	for (p = path; *p; p++)
		if (*p == '/')
			buf_puts(&b, "../");
	return b.s;
}

static void
xml_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s); break;
		}
	}
}

/* A platform as people read it: "linux x86_64 cuda 12.4 (gh200)". */
static char *
platform_label(const struct ipkg *p)
{
	const char *av = p->accelerator_version, *variant = nz(p->variant);

	return xasprintf("%s %s %s%s%s%s%s%s", p->os, p->arch, p->accelerator,
	    av ? " " : "", nz(av), *variant ? " (" : "", variant,
	    *variant ? ")" : "");
}

/* Sorted set of strings, as a JSON array (a few values: linear is fine). */
static void
set_add(int *ok, json_t *a, const char *s)
{
	size_t i;

	if (a == NULL) {
		*ok = 0;
		return;
	}
	for (i = 0; i < json_array_size(a); i++) {
		int c = strcmp(json_string_value(json_array_get(a, i)), s);

		if (c == 0)
			return;
		if (c > 0) {
			if (json_array_insert_new(a, i, json_string(s)) != 0)
				*ok = 0;
			return;
		}
	}
	jpush(ok, a, json_string(s));
}

static char *
set_join(json_t *a)
{
	struct buf b = { 0 };
	size_t i;

	buf_add(&b, "", 0);
	for (i = 0; i < json_array_size(a); i++)
		buf_printf(&b, "%s%s", i ? " " : "", json_string_value(json_array_get(a, i)));
	return b.s;
}

/* The os, arch and accelerator sets of the filters. */
struct filters {
	json_t	*os, *arch, *accel;
};

static void
filters_init(struct filters *f)
{
	f->os = json_array();
	f->arch = json_array();
	f->accel = json_array();
}

static void
filters_add(int *ok, struct filters *f, const struct ipkg *p)
{
	set_add(ok, f->os, p->os);
	set_add(ok, f->arch, p->arch);
	set_add(ok, f->accel, p->accelerator);
}

/* {os, arch, accelerator}, consuming the sets. */
static json_t *
filters_json(struct filters *f)
{
	return json_pack("{s:o, s:o, s:o}", "os", f->os, "arch", f->arch,
	    "accelerator", f->accel);
}

/* The engine's modelFormats as a JSON array. */
static json_t *
formats_json(int *ok, const struct iengine *e)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < e->nformats; i++)
		jpush(ok, a, json_string(e->formats[i]));
	return a;
}

/* An engine's latest version (an empty one, should an index hold none). */
static const struct iversion *
latest_of(const struct iengine *e)
{
	static const struct iversion none = { .version = "",
	    .min_app_version = "" };

	return e->nver ? &e->ver[0] : &none;
}

/* ---- id maps ------------------------------------------------------------ */

/* Ids sorted for bsearch: the look-ups inside loops over engines and images
 * stay O(log n) for catalogs of thousands of engines. */
struct idref {
	const char	*id;
	size_t		 i;
};

static int
idref_cmp(const void *a, const void *b)
{
	const struct idref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The first position of id (as a linear search would find it), or NONE. */
static size_t
idmap_find(const struct idref *map, size_t n, const char *id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(map[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(map[lo].id, id) == 0 ? map[lo].i : NONE;
}

/* ---- SVG charts -------------------------------------------------------- */

/*
 * A horizontal bar chart: one bar per (label, value), values as sizes.
 * Labels are escaped; colours come from the stylesheet (classes).
 */
static char *
svg_bars(const char *id, const char *title, char *const *labels,
    const unsigned long long *values, size_t n)
{
	struct buf b = { 0 };
	unsigned long long max = 1;
	const int bw = 300, bh = 18, gap = 8, top = 6, vw = 70;
	char hs[32];
	size_t i, longest = 4;
	int w, h, lw;

	for (i = 0; i < n; i++) {
		if (values[i] > max)
			max = values[i];
		if (strlen(labels[i]) > longest)
			longest = strlen(labels[i]);
	}
	/* Room for the longest label at about 7 pixels a character. */
	lw = (int)longest * 7 + 12;
	h = top * 2 + (int)n * (bh + gap);
	buf_printf(&b, "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-labelledby=\"%s-title\" font-size=\"12\" "
	    "font-family=\"system-ui, sans-serif\"><title id=\"%s-title\">",
	    lw + bw + vw, h, lw + bw + vw, h, id, id);
	xml_escape(&b, title);
	buf_puts(&b, "</title>");
	for (i = 0; i < n; i++) {
		int y = top + (int)i * (bh + gap);

		w = (int)((double)values[i] / (double)max * bw);
		if (w < 2)
			w = 2;
		human_size(values[i], hs, sizeof(hs));
		buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
		    "fill=\"currentColor\">", lw - 8, y + bh - 5);
		xml_escape(&b, labels[i]);
		buf_printf(&b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" rx=\"3\" fill=\"#3b82c4\"/><text x=\"%d\" y=\"%d\" "
		    "fill=\"currentColor\">%s</text>", lw, y, w, bh, lw + w + 6,
		    y + bh - 5, hs);
	}
	buf_puts(&b, "</svg>");
	return b.s;
}

/*
 * charts[key] = a bar chart titled fmt (with the engine's name and latest
 * version filled in).  Frees the labels.
 */
static void
chart(int *ok, json_t *charts, const char *key, const char *fmt,
    const struct iengine *e, char **labels, const unsigned long long *values,
    size_t n)
{
	char *id = xasprintf("chart-%s", key), *title, *svg;
	size_t i;

	title = xasprintf(fmt, e->name, latest_of(e)->version);
	svg = svg_bars(id, title, labels, values, n);
	jset(ok, charts, key, json_string(svg));
	for (i = 0; i < n; i++)
		free(labels[i]);
	free(svg);
	free(title);
	free(id);
}

/* The two charts: sizes per platform now; total size across versions. */
static json_t *
charts_ctx(int *ok, const struct iengine *e)
{
	const struct iversion *latest = latest_of(e), *v;
	json_t *charts = json_object();
	size_t i, j, n = latest->npkg > e->nver ? latest->npkg : e->nver;
	char **labels = xcalloc(n ? n : 1, sizeof(*labels));
	unsigned long long *values = xcalloc(n ? n : 1, sizeof(*values));

	for (i = 0; i < latest->npkg; i++) {
		labels[i] = platform_label(&latest->pkg[i]);
		values[i] = latest->pkg[i].size;
	}
	chart(ok, charts, "platforms", "Package sizes of %s %s per platform", e,
	    labels, values, latest->npkg);
	for (i = 0; i < e->nver; i++) {
		v = &e->ver[e->nver - 1 - i];	/* oldest first */
		labels[i] = xstrdup(v->version);
		values[i] = 0;
		for (j = 0; j < v->npkg; j++)
			values[i] += v->pkg[j].size;
	}
	if (e->nver > 1)
		chart(ok, charts, "versions", "Total package size of each %s "
		    "version, oldest first", e, labels, values, e->nver);
	else {
		for (i = 0; i < e->nver; i++)
			free(labels[i]);
		jset(ok, charts, "versions", json_false());
	}
	free(labels);
	free(values);
	return charts;
}

/* ---- contexts ---------------------------------------------------------- */

/* The page a header link marks as the current one. */
enum nav {
	NAV_NONE, NAV_HOME, NAV_PLATFORMS, NAV_FRAMEWORKS, NAV_MODELS,
	NAV_INSTANCES, NAV_COMPAT, NAV_CR, NAV_DEPLOY
};

/*
 * Anchor ids of the registry pages, one per framework, framework version
 * (by registries.fwver row), model and instance type: valid and unique
 * across the four pages (see regid()).
 */
struct regids {
	char		**fw, **ver, **model, **inst;
	void		 *tree;		/* tsearch(3): every id given */
};

struct cat {
	const struct manifest	*m;
	const struct matrix	*mx;
	const struct index	*idx;
	struct outset		*site;
	json_t			*assets;	/* {css, js, search} */
	json_t			*counts;
	struct buf		*readme;	/* per engine of the index */
	/* Resolved once, for the loops over engines and images: */
	const struct engine	**meng;		/* per index engine: the manifest's */
	const struct engine	**pkg_meng;	/* per manifest package: its engine */
	size_t			*pkg_ieng;	/* ... its index engine, or NONE */
	size_t			*img;		/* image numbers grouped by index
						   engine, in matrix order: engine
						   i has img[img_at[i]..img_at[i+1]) */
	size_t			*img_at;
	const struct registries	*reg;		/* NULL: no registries */
	const struct compat	*cx;
	struct regids		 ids;
	json_t			*regcounts;	/* false without registries */
	const struct crlist	*crl;		/* NULL: no container registries */
	const struct crlastset	*crh;		/* their last health results, or NULL */
	json_t			*crcounts;	/* false without container registries */
	const struct deployset	*dep;		/* NULL or empty: no deployments */
	struct dcheck		*dk;		/* each record's verdict */
	json_t			*depcounts;	/* false without deployments */
	json_t			*depfilters;	/* the table's filter values */
	size_t			 ndpages;	/* pages of the deployments table */
	char			 last_updated[32];
	struct tmplset		 t;
	_Atomic int		 ok;
};

/* The keys every page has (CONTEXT.md, "Every page"). */
static json_t *
page_ctx(struct cat *c, int *ok, const char *path, const char *title,
    const char *desc, enum nav nav)
{
	json_t *o = json_object();
	char *root = root_of(path);

	jset(ok, o, "root", json_string(root));
	free(root);
	jset(ok, o, "site", json_pack("{s:s, s:o}", "title",
	    c->m->site_title, "url", *c->m->site_url ?
	    json_string(c->m->site_url) : json_false()));
	jset(ok, o, "page", json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, "
	    "s:b, s:b, s:b, s:b}", "title", title, "description", desc,
	    "path", path, "is_home", nav == NAV_HOME,
	    "is_platforms", nav == NAV_PLATFORMS,
	    "is_frameworks", nav == NAV_FRAMEWORKS,
	    "is_models", nav == NAV_MODELS, "is_instances", nav == NAV_INSTANCES,
	    "is_compatibility", nav == NAV_COMPAT,
	    "is_container_registries", nav == NAV_CR,
	    "is_deployments", nav == NAV_DEPLOY));
	jsetref(ok, o, "assets", c->assets);
	jset(ok, o, "last_updated", json_string(c->last_updated));
	jsetref(ok, o, "counts", c->counts);
	jsetref(ok, o, "registries", c->regcounts);
	jsetref(ok, o, "container_registries", c->crcounts);
	jsetref(ok, o, "deployments", c->depcounts);
	return o;
}

/* A context jansson could not complete fails the run (exit 74). */
static void
ctx_failed(struct cat *c, const char *what)
{
	diag(EXIT_IOERR, NULL, "catalog: %s: out of memory building its data",
	    what);
	c->ok = 0;
}

/* Render ctx (consumed) into path, unless building it failed (!ok). */
static void
render_page(struct cat *c, const char *tname, const char *path, json_t *ctx,
    int ok)
{
	struct render_opts ro = { 0 };
	const struct tmpl *t = tmplset_get(&c->t, tname);
	struct buf b = { 0 };

	if (!ok || ctx == NULL) {
		ctx_failed(c, path);
		json_decref(ctx);
		return;
	}
	if (t == NULL) {
		diag(EXIT_NOINPUT, NULL, "templates/site: no %s.mustache", tname);
		c->ok = 0;
		json_decref(ctx);
		return;
	}
	ro.partial = site_partial;
	ro.partial_arg = &c->t;
	if (!tmpl_render(t, ctx, &ro, &b)) {
		c->ok = 0;
		buf_free(&b);
	} else
		outset_add(c->site, path, &b);
	json_decref(ctx);
}

/* One package of a version (CONTEXT.md, "A version"). */
static json_t *
package_ctx(struct cat *c, const struct iengine *e, const struct iversion *v,
    const struct ipkg *p)
{
	char hs[32], *label = platform_label(p), *url;
	json_t *o;

	human_size(p->size, hs, sizeof(hs));
	url = download_url(c->idx->base_url, e->id, v->version, p->filename);
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:s, s:s, s:s}",
	    "os", p->os, "arch", p->arch, "accelerator", p->accelerator,
	    "accelerator_version", p->accelerator_version ?
	    json_string(p->accelerator_version) : json_false(),
	    "variant", p->variant ? json_string(p->variant) : json_false(),
	    "platform", label, "filename", p->filename,
	    "size", (json_int_t)p->size, "size_human", hs, "sha256", p->sha256,
	    "url", url);
	free(label);
	free(url);
	return o;
}

/* One version for the engine page (CONTEXT.md, "A version"). */
static json_t *
version_ctx(struct cat *c, int *ok, const struct iengine *e,
    const struct iversion *v)
{
	json_t *o = json_object(), *pkgs = json_array();
	char day[32];
	size_t i;

	for (i = 0; i < v->npkg; i++)
		jpush(ok, pkgs, package_ctx(c, e, v, &v->pkg[i]));
	day_of(v->release_date, day);
	jset(ok, o, "version", json_string(v->version));
	jset(ok, o, "min_app_version", json_string(nz(v->min_app_version)));
	jset(ok, o, "release_date", json_string(day));
	jset(ok, o, "package_count", json_integer((json_int_t)v->npkg));
	jset(ok, o, "packages", pkgs);
	return o;
}

/* The image's cuDNN component name, or false (a new reference). */
static json_t *
image_cudnn(const struct image *im)
{
	return im->cuda && im->cuda->cudnn >= 0 ?
	    json_string(im->cuda->comp[im->cuda->cudnn].name) : json_false();
}

static char *
image_page(const struct image *im)
{
	/* docker/PATH-without-/Dockerfile/index.html */
	return xasprintf("docker/%.*s/index.html", (int)(strlen(im->path) -
	    strlen("/Dockerfile")), im->path);
}

static json_t *
tags_ctx(int *ok, const struct image *im)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < im->ntags; i++)
		jpush(ok, a, json_pack("{s:s}", "ref", im->tags[i]));
	if (im->ntags == 0)
		jpush(ok, a, json_pack("{s:s}", "ref", im->ref));
	return a;
}

/*
 * The engine's readme as HTML (a new reference), false when it has none;
 * NULL when cmark or jansson failed (the page is then reported and not
 * rendered).  The text was read and checked by read_readmes; it is freed
 * here.
 */
static json_t *
readme_json(struct cat *c, size_t i)
{
	struct buf *b = &c->readme[i];
	char *html;
	json_t *j;

	if (b->s == NULL)
		return json_false();
	html = markdown_html(b->s, b->len);
	buf_free(b);
	if (html == NULL)
		return NULL;
	j = json_string(html);
	free(html);
	return j;
}

/* Container images of index engine ei. */
static json_t *
images_ctx(struct cat *c, int *ok, size_t ei)
{
	json_t *images = json_array();
	char *url, *rp, *dr;
	size_t k;

	for (k = c->img_at[ei]; k < c->img_at[ei + 1]; k++) {
		const struct image *im = &c->mx->img[c->img[k]];

		url = image_page(im);
		rp = xasprintf("docker/%s", im->path);
		dr = xasprintf("%s%s", im->rel->distro, im->rel->version);
		jpush(ok, images, json_pack(
		    "{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o}",
		    "distro", im->rel->distro, "distro_version", im->rel->version,
		    "distro_release", dr, "release_type", rtype_names[im->type],
		    "cuda", im->cuda ? json_string(im->cuda->version) : json_false(),
		    "cudnn", image_cudnn(im), "url", url, "raw_url", rp,
		    "tags", tags_ctx(ok, im)));
		free(dr);
		free(url);
		free(rp);
	}
	return images;
}

/* The engine part of engine ei's page. */
static json_t *
engine_ctx(struct cat *c, int *ok, size_t ei)
{
	const struct iengine *e = &c->idx->eng[ei];
	const struct engine *me = c->meng[ei];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s}", "id", e->id, "name", e->name,
	    "description", nz(e->description), "latest_version",
	    latest_of(e)->version);
	if (o == NULL) {
		*ok = 0;
		return NULL;
	}
	jset(ok, o, "homepage", me && *me->homepage ?
	    json_string(me->homepage) : json_false());
	jset(ok, o, "formats", formats_json(ok, e));
	jset(ok, o, "readme_html", readme_json(c, ei));
	return o;
}

/* Engine ei of the index: engines/ID/index.html (a pool item: each page
 * stands alone). */
static void
engine_page(void *arg, size_t ei, int worker)
{
	struct cat *c = arg;
	const struct iengine *e = &c->idx->eng[ei];
	struct filters f;
	json_t *ctx, *older;
	char *path;
	size_t i, j;
	int ok = 1;

	path = xasprintf("engines/%s/index.html", e->id);
	ctx = page_ctx(c, &ok, path, e->name, nz(e->description), NAV_NONE);
	jset(&ok, ctx, "engine", engine_ctx(c, &ok, ei));
	jset(&ok, ctx, "latest", version_ctx(c, &ok, e, latest_of(e)));
	older = json_array();
	for (i = 1; i < e->nver; i++)
		jpush(&ok, older, version_ctx(c, &ok, e, &e->ver[i]));
	jset(&ok, ctx, "older", older);
	/* Filters over every package of this engine. */
	filters_init(&f);
	for (i = 0; i < e->nver; i++)
		for (j = 0; j < e->ver[i].npkg; j++)
			filters_add(&ok, &f, &e->ver[i].pkg[j]);
	jset(&ok, ctx, "filters", filters_json(&f));
	jset(&ok, ctx, "charts", charts_ctx(&ok, e));
	jset(&ok, ctx, "images", images_ctx(c, &ok, ei));
	render_page(c, "engine.html", path, ctx, ok);
	free(path);
}

/* One engine in search.json: what the home page's search looks through. */
static json_t *
search_entry(struct cat *c, int *ok, size_t ei)
{
	const struct iengine *e = &c->idx->eng[ei];
	const struct iversion *latest = latest_of(e);
	json_t *splat = json_array(), *sver = json_array(), *simg = json_array(), *v;
	size_t i;
	char *l, *url;

	for (i = 0; i < latest->npkg; i++) {
		l = platform_label(&latest->pkg[i]);
		set_add(ok, splat, l);
		free(l);
	}
	for (i = 0; i < e->nver; i++)
		jpush(ok, sver, json_string(e->ver[i].version));
	for (i = c->img_at[ei]; i < c->img_at[ei + 1]; i++) {
		const struct image *im = &c->mx->img[c->img[i]];

		url = image_page(im);
		jpush(ok, simg, json_pack("{s:s, s:s}", "tag", im->tag, "url", url));
		free(url);
	}
	url = engine_href(e->id);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", e->id,
	    "name", e->name, "description", nz(e->description),
	    "url", url, "latestVersion", latest->version,
	    "formats", formats_json(ok, e), "platforms", splat,
	    "versions", sver, "images", simg);
	free(url);
	if (v == NULL)
		*ok = 0;
	return v;
}

/* A space-separated list of a set, for the filters' data- attributes. */
static void
set_join_into(int *ok, json_t *o, const char *key, json_t *set)
{
	char *s = set_join(set);

	jset(ok, o, key, json_string(s));
	free(s);
	json_decref(set);
}

/* The latest version's platforms, each once, as {os, arch, accelerator,
 * label}; a version has few packages, so the duplicate check is linear. */
static json_t *
card_platforms(int *ok, const struct iversion *v)
{
	json_t *plats = json_array();
	char **seen = xcalloc(v->npkg ? v->npkg : 1, sizeof(*seen));
	size_t j, k, nseen = 0;
	char *l;

	for (j = 0; j < v->npkg; j++) {
		const struct ipkg *p = &v->pkg[j];

		l = platform_label(p);
		for (k = 0; k < nseen && strcmp(seen[k], l) != 0; k++)
			;
		if (k < nseen) {
			free(l);
			continue;
		}
		seen[nseen++] = l;
		jpush(ok, plats, json_pack("{s:s, s:s, s:s, s:s}", "os", p->os,
		    "arch", p->arch, "accelerator", p->accelerator, "label", l));
	}
	for (k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	return plats;
}

/* One engine's card on the home page; its platforms also go to filters. */
static json_t *
home_card(int *ok, const struct iengine *e, struct filters *all)
{
	const struct iversion *latest = latest_of(e);
	struct filters f;
	json_t *o;
	size_t j, np = 0;
	char *s;

	filters_init(&f);
	for (j = 0; j < latest->npkg; j++) {
		filters_add(ok, &f, &latest->pkg[j]);
		filters_add(ok, all, &latest->pkg[j]);
	}
	for (j = 0; j < e->nver; j++)
		np += e->ver[j].npkg;
	s = engine_href(e->id);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I}",
	    "id", e->id, "name", e->name,
	    "description", nz(e->description), "url", s,
	    "latest_version", latest->version,
	    "formats", formats_json(ok, e), "platforms", card_platforms(ok, latest),
	    "package_count", (json_int_t)np, "version_count", (json_int_t)e->nver);
	free(s);
	set_join_into(ok, o, "os_list", f.os);
	set_join_into(ok, o, "arch_list", f.arch);
	set_join_into(ok, o, "accel_list", f.accel);
	return o;
}

static void
home_page(struct cat *c)
{
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "index.html", c->m->site_title,
	    "Inference engines: downloads, platforms and container images",
	    NAV_HOME);
	json_t *engines = json_array();
	struct filters all;
	size_t i;

	filters_init(&all);
	for (i = 0; i < c->idx->neng; i++)
		jpush(&ok, engines, home_card(&ok, &c->idx->eng[i], &all));
	jset(&ok, ctx, "engines", engines);
	jset(&ok, ctx, "filters", filters_json(&all));
	render_page(c, "home.html", "index.html", ctx, ok);
}

/* A Dockerfile's lines as [{n, text}]; *n gets their count. */
static json_t *
lines_ctx(int *ok, const struct buf *df, size_t *n)
{
	json_t *lines = json_array();
	const char *p, *nl;
	char *line;

	*n = 0;
	for (p = df->s; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		line = xstrndup(p, (size_t)(nl - p));
		jpush(ok, lines, json_pack("{s:I, s:s}", "n", (json_int_t)++*n,
		    "text", line));
		free(line);
		if (*nl == '\0')
			break;
	}
	return lines;
}

/* The image part of a Dockerfile page's context.  The engine's page is
 * linked only when the index has one (an engine without packages has
 * none). */
static json_t *
image_ctx(struct cat *c, int *ok, const struct image *im, size_t nlines)
{
	size_t pk = (size_t)(im->pkg - c->m->pkg);
	const struct engine *e = c->pkg_meng[pk];
	const struct image *base = im->type == RT_BASE ? NULL : &c->mx->img[im->base];
	char *eu = c->pkg_ieng[pk] != NONE ? engine_href(im->pkg->name) : NULL;
	char *bu = base ? image_page(base) : NULL;
	char *dr = xasprintf("%s%s", im->rel->distro, im->rel->version);
	char *gp = xasprintf("generated/%s", im->path);
	json_t *img;

	img = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:I}",
	    "package", im->pkg->name,
	    "engine_url", eu ? json_string(eu) : json_false(),
	    "engine_name", e ? e->name : im->pkg->name,
	    "release_type", rtype_names[im->type],
	    "distro", im->rel->distro, "distro_version", im->rel->version,
	    "cuda", im->cuda ? json_string(im->cuda->version) : json_false(),
	    "cudnn", image_cudnn(im),
	    "path", gp, "raw_url", "Dockerfile",
	    "base", base ? json_string(base->ref) : json_false(),
	    "base_url", bu ? json_string(bu) : json_false(),
	    "tags", tags_ctx(ok, im), "line_count", (json_int_t)nlines);
	jset(ok, img, "distro_release", json_string(dr));
	free(dr);
	free(gp);
	free(bu);
	free(eu);
	return img;
}

/* Image i's page and its raw Dockerfile beside it. */
static void
dockerfile_page(struct cat *c, size_t i)
{
	const struct image *im = &c->mx->img[i];
	const struct buf *df = &im->dockerfile;
	struct buf raw = { 0 };
	json_t *ctx, *lines;
	char *path, *rawpath, *title, *gp;
	size_t n;
	int ok = 1;

	if (df->s == NULL)
		return;
	/* Template bytes that are not UTF-8 would drop lines. */
	gp = xasprintf("generated/%s", im->path);
	if (!utf8_check(gp, df->s, df->len)) {
		c->ok = 0;
		free(gp);
		return;
	}
	free(gp);
	path = image_page(im);
	rawpath = xasprintf("docker/%s", im->path);
	buf_add(&raw, df->s, df->len);
	outset_add(c->site, rawpath, &raw);
	title = xasprintf("%s:%s", im->pkg->name, im->tag);
	ctx = page_ctx(c, &ok, path, title, "A generated Dockerfile", NAV_NONE);
	lines = lines_ctx(&ok, df, &n);
	jset(&ok, ctx, "image", image_ctx(c, &ok, im, n));
	jset(&ok, ctx, "lines", lines);
	render_page(c, "dockerfile.html", path, ctx, ok);
	free(title);
	free(rawpath);
	free(path);
}

static int
plat_cmp(const void *a, const void *b)
{
	const struct ipkg *x = *(const struct ipkg *const *)a;
	const struct ipkg *y = *(const struct ipkg *const *)b;
	int c;

	if ((c = strcmp(x->os, y->os)) != 0)
		return c;
	if ((c = strcmp(x->arch, y->arch)) != 0)
		return c;
	return strcmp(x->accelerator, y->accelerator);
}

/* Every (os, arch, accelerator) any package has, sorted: a package naming
 * each, kept sorted as they come (binary search, then insert). */
static const struct ipkg **
plat_columns(const struct index *idx, size_t *ncol)
{
	const struct ipkg **cols = NULL, *p;
	size_t i, j, k, lo, hi, mid, n = 0;
	int cmp;

	for (i = 0; i < idx->neng; i++)
		for (j = 0; j < idx->eng[i].nver; j++)
			for (k = 0; k < idx->eng[i].ver[j].npkg; k++) {
				p = &idx->eng[i].ver[j].pkg[k];
				for (lo = 0, hi = n, cmp = 1; lo < hi; ) {
					mid = (lo + hi) / 2;
					if ((cmp = plat_cmp(&cols[mid], &p)) == 0)
						break;
					if (cmp < 0)
						lo = mid + 1;
					else
						hi = mid;
				}
				if (cmp == 0)
					continue;
				cols = xrealloc(cols, (n + 1) * sizeof(*cols));
				memmove(cols + lo + 1, cols + lo, (n - lo) * sizeof(*cols));
				cols[lo] = p;
				n++;
			}
	*ncol = n;
	return cols;
}

/* The columns ([{os, arch, accelerator, label}]) and their groups by os
 * ([{os, span}], for a two-row header) into ctx. */
static void
columns_ctx(int *ok, json_t *ctx, const struct ipkg **cols, size_t ncol)
{
	json_t *columns = json_array(), *groups = json_array();
	size_t l, span;
	char *label;

	for (l = 0; l < ncol; l++) {
		label = xasprintf("%s %s", cols[l]->arch, cols[l]->accelerator);
		jpush(ok, columns, json_pack("{s:s, s:s, s:s, s:s}",
		    "os", cols[l]->os, "arch", cols[l]->arch,
		    "accelerator", cols[l]->accelerator, "label", label));
		free(label);
	}
	for (l = 0; l < ncol; l += span) {
		for (span = 1; l + span < ncol &&
		    strcmp(cols[l + span]->os, cols[l]->os) == 0; span++)
			;
		jpush(ok, groups, json_pack("{s:s, s:I}", "os", cols[l]->os,
		    "span", (json_int_t)span));
	}
	jset(ok, ctx, "columns", columns);
	jset(ok, ctx, "groups", groups);
}

/*
 * Engine e's row of the matrix.  Each package finds its column by binary
 * search: the versions that ship for a platform gather in that column's
 * buffer (vs and lastv: scratch of ncol entries).
 */
static json_t *
matrix_row(int *ok, const struct iengine *e, const struct ipkg **cols,
    size_t ncol, struct buf *vs, const struct iversion **lastv)
{
	const struct iversion *v;
	const struct ipkg *p, **hit;
	json_t *cells = json_array(), *row;
	char *label, *url;
	size_t j, k, l;

	for (l = 0; l < ncol; l++) {
		buf_reset(&vs[l]);
		lastv[l] = NULL;
	}
	for (j = 0; j < e->nver; j++)
		for (v = &e->ver[j], k = 0; k < v->npkg; k++) {
			p = &v->pkg[k];
			if ((hit = bsearch(&p, cols, ncol, sizeof(*cols),
			    plat_cmp)) == NULL)
				continue;
			/* A version with two builds (variants) is named once. */
			if (lastv[hit - cols] == v)
				continue;
			lastv[hit - cols] = v;
			buf_printf(&vs[hit - cols], "%s%s", vs[hit - cols].len ?
			    ", " : "", v->version);
		}
	for (l = 0; l < ncol; l++) {
		label = xasprintf("%s on %s %s %s: %s", e->name, cols[l]->os,
		    cols[l]->arch, cols[l]->accelerator, vs[l].len ?
		    "available" : "not available");
		jpush(ok, cells, json_pack("{s:b, s:s, s:s}", "available",
		    vs[l].len > 0, "label", label, "versions", vs[l].len ?
		    vs[l].s : ""));
		free(label);
	}
	url = engine_href(e->id);
	row = json_pack("{s:s, s:s, s:o}", "name", e->name, "url", url,
	    "cells", cells);
	free(url);
	return row;
}

/* Engines x (os, arch, accelerator) over every version. */
static void
platforms_page(struct cat *c)
{
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "platforms.html", "Platform matrix",
	    "Which engine runs on which operating system, architecture and accelerator",
	    NAV_PLATFORMS);
	json_t *rows = json_array();
	const struct ipkg **cols;
	const struct iversion **lastv;
	struct buf *vs;
	size_t ncol, i;

	cols = plat_columns(c->idx, &ncol);
	columns_ctx(&ok, ctx, cols, ncol);
	vs = xcalloc(ncol ? ncol : 1, sizeof(*vs));
	lastv = xcalloc(ncol ? ncol : 1, sizeof(*lastv));
	for (i = 0; i < c->idx->neng; i++)
		jpush(&ok, rows, matrix_row(&ok, &c->idx->eng[i], cols, ncol, vs,
		    lastv));
	for (i = 0; i < ncol; i++)
		buf_free(&vs[i]);
	free(vs);
	free(lastv);
	free(cols);
	jset(&ok, ctx, "rows", rows);
	render_page(c, "platforms.html", "platforms.html", ctx, ok);
}

/* assets/NAME.HASH.EXT: the first 10 hex digits of the content's SHA-256
 * in the name, so that the file can be cached forever (caller frees). */
static char *
hashed_name(const char *file, const struct buf *b)
{
	const char *dot = strrchr(file, '.');
	char full[65];

	sha256_hex(b->s, b->len, full);
	full[10] = '\0';
	return dot ? xasprintf("assets/%.*s.%s%s", (int)(dot - file), file,
	    full, dot) : xasprintf("assets/%s.%s", file, full);
}

/* The search data, as search.json and as a script too (fetch() does not
 * work on file://): assets.search names the script.  Returns ok. */
static int
search_assets(struct cat *c, json_t *search)
{
	struct buf b = { 0 };
	char *data, *name;
	int ok = 1;

	data = json_dumps(search, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	if (data == NULL)
		return 0;
	buf_printf(&b, "window.GEN_SEARCH = %s;\n", data);
	name = hashed_name("search.js", &b);
	jset(&ok, c->assets, "search", json_string(name));
	outset_add(c->site, name, &b);
	free(name);
	buf_puts(&b, data);
	buf_putc(&b, '\n');
	outset_add(c->site, "search.json", &b);
	free(data);
	buf_free(&b);
	return ok;
}

/* Assets with a content hash in their names: assets.css, .js, .search. */
static int
copy_assets(struct cat *c, const char *tmpldir, json_t *search)
{
	struct dlist l;
	struct buf b = { 0 };
	char *dir, *path, *name;
	const char *entry;
	size_t i;
	int ok = 1, input_ok = 1;	/* ok: the data; input_ok: the files */
	int css = 0, js = 0;

	dir = xasprintf("%s/assets", tmpldir);
	if (!dir_list(dir, &l)) {
		diag_errno(dir, 1, "cannot read the catalog assets");
		free(dir);
		return 0;
	}
	for (i = 0; i < l.n; i++) {
		entry = l.e[i].name;
		if (entry[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, entry);
		if (!path_confined(path, tmpldir) ||
		    !read_file_max(path, &b, GEN_MAX_TEMPLATE)) {
			input_ok = 0;
			free(path);
			continue;
		}
		name = hashed_name(entry, &b);
		if (!strcmp(entry, "style.css")) {
			css = 1;
			jset(&ok, c->assets, "css", json_string(name));
		} else if (!strcmp(entry, "app.js")) {
			js = 1;
			jset(&ok, c->assets, "js", json_string(name));
		}
		outset_add(c->site, name, &b);
		free(name);
		free(path);
	}
	dlist_free(&l);
	free(dir);
	buf_free(&b);
	if (input_ok && ok && (!css || !js)) {
		diag(EXIT_NOINPUT, NULL, "%s/assets: style.css and app.js are needed",
		    tmpldir);
		input_ok = 0;
	}
	if (!input_ok)
		return 0;
	if (!ok) {
		ctx_failed(c, "assets");
		return 0;
	}
	if (!search_assets(c, search)) {
		ctx_failed(c, "search.json");
		return 0;
	}
	return 1;
}

/* An absolute URL on the site when site.url is known, else relative. */
static void
site_url(struct buf *b, const char *url, const char *rel)
{
	xml_escape(b, url);
	if (*url && url[strlen(url) - 1] != '/')
		buf_putc(b, '/');
	xml_escape(b, rel);
}

/* sitemap.xml: every page. */
static void
sitemap(struct cat *c, char **pages, size_t npages)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (i = 0; i < npages; i++) {
		buf_puts(&b, "  <url><loc>");
		site_url(&b, c->m->site_url, pages[i]);
		buf_puts(&b, "</loc></url>\n");
	}
	buf_puts(&b, "</urlset>\n");
	outset_add(c->site, "sitemap.xml", &b);
}

/* One feed entry: a version of an engine, dated by its release. */
static void
feed_entry(struct cat *c, struct buf *b, const struct iengine *e,
    const struct iversion *v)
{
	char *page = engine_href(e->id), when[32];

	index_time(v->release_date, when);
	buf_puts(b, "  <entry>\n    <title>");
	xml_escape(b, e->name);
	buf_putc(b, ' ');
	xml_escape(b, v->version);
	buf_puts(b, "</title>\n    <id>urn:gen:engine:");
	xml_escape(b, e->id);
	buf_putc(b, ':');
	xml_escape(b, v->version);
	buf_puts(b, "</id>\n    <updated>");
	xml_escape(b, when);
	buf_puts(b, "</updated>\n    <link href=\"");
	site_url(b, c->m->site_url, page);
	buf_puts(b, "\"/>\n    <summary>");
	xml_escape(b, nz(e->description));
	buf_printf(b, " (%zu packages, minimum app version ", v->npkg);
	xml_escape(b, nz(v->min_app_version));
	buf_puts(b, ")</summary>\n  </entry>\n");
	free(page);
}

/* feed.xml (Atom): one entry per engine release, updated when the index
 * last changed. */
static void
feed(struct cat *c)
{
	const char *url = c->m->site_url;
	struct buf b = { 0 };
	size_t i, j;

	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>");
	xml_escape(&b, c->m->site_title);
	buf_puts(&b, " releases</title>\n  <id>");
	if (*url)
		site_url(&b, url, "feed.xml");
	else
		buf_puts(&b, "urn:gen:engine-registry");
	buf_puts(&b, "</id>\n  <updated>");
	xml_escape(&b, c->last_updated);
	buf_puts(&b, "</updated>\n  <link rel=\"self\" href=\"");
	site_url(&b, url, "feed.xml");
	buf_puts(&b, "\"/>\n  <author><name>");
	xml_escape(&b, c->m->site_title);
	buf_puts(&b, "</name></author>\n");
	for (i = 0; i < c->idx->neng; i++)
		for (j = 0; j < c->idx->eng[i].nver; j++)
			feed_entry(c, &b, &c->idx->eng[i], &c->idx->eng[i].ver[j]);
	buf_puts(&b, "</feed>\n");
	outset_add(c->site, "feed.xml", &b);
}

/* A readme's path as the manifest's folder gives it: "docs/x.md". */
static char *
readme_path(const struct manifest *m, const char *readme)
{
	if (readme[0] == '/' || strcmp(m->dir, ".") == 0)
		return xstrdup(readme);
	return xasprintf("%s/%s", m->dir, readme);
}

/*
 * Every engine's readme, in the index's order, before any page is made:
 * read with a size bound and checked as text (UTF-8, no control
 * characters), so that a bad one is named with its line and column and
 * nothing is rendered.  The engine pages take the text from c->readme.
 */
static int
read_readmes(struct cat *c)
{
	const struct engine *me;
	struct buf *b;
	char *rp;
	size_t i;
	int ok = 1;

	c->readme = xcalloc(c->idx->neng + 1, sizeof(*c->readme));
	for (i = 0; i < c->idx->neng; i++) {
		me = c->meng[i];
		if (me == NULL || me->readme_path == NULL)
			continue;
		b = &c->readme[i];
		/* Read where the manifest's check resolved it (no links);
		 * named in messages as the manifest names it. */
		rp = readme_path(c->m, me->readme);
		if (!read_file_max(me->readme_path, b, GEN_MAX_README) ||
		    !text_check(rp, b->s, b->len)) {
			buf_free(b);
			ok = 0;
		}
		free(rp);
	}
	return ok;
}

/*
 * The look-ups the pages make, resolved once: each index engine's manifest
 * engine; each manifest package's engine in the manifest and in the index;
 * each index engine's images (grouped by a counting sort, matrix order
 * kept).
 */
static void
resolve(struct cat *c)
{
	const struct manifest *m = c->m;
	size_t ne = c->idx->neng, i, e;
	struct idref *mmap = xcalloc(m->neng + 1, sizeof(*mmap));
	struct idref *imap = xcalloc(ne + 1, sizeof(*imap));

	for (i = 0; i < m->neng; i++)
		mmap[i] = (struct idref){ m->eng[i].id, i };
	for (i = 0; i < ne; i++)
		imap[i] = (struct idref){ c->idx->eng[i].id, i };
	qsort(mmap, m->neng, sizeof(*mmap), idref_cmp);
	qsort(imap, ne, sizeof(*imap), idref_cmp);
	c->meng = xcalloc(ne + 1, sizeof(*c->meng));
	for (i = 0; i < ne; i++)
		if ((e = idmap_find(mmap, m->neng, c->idx->eng[i].id)) != NONE)
			c->meng[i] = &m->eng[e];
	c->pkg_meng = xcalloc(m->npkg + 1, sizeof(*c->pkg_meng));
	c->pkg_ieng = xcalloc(m->npkg + 1, sizeof(*c->pkg_ieng));
	for (i = 0; i < m->npkg; i++) {
		if ((e = idmap_find(mmap, m->neng, m->pkg[i].name)) != NONE)
			c->pkg_meng[i] = &m->eng[e];
		c->pkg_ieng[i] = idmap_find(imap, ne, m->pkg[i].name);
	}
	c->img_at = xcalloc(ne + 2, sizeof(*c->img_at));
	c->img = xcalloc(c->mx->n + 1, sizeof(*c->img));
	for (i = 0; i < c->mx->n; i++)
		if ((e = c->pkg_ieng[c->mx->img[i].pkg - m->pkg]) != NONE)
			c->img_at[e + 2]++;
	for (e = 0; e < ne; e++)
		c->img_at[e + 2] += c->img_at[e + 1];
	/* img_at[e + 1] is now where engine e's images start: fill it. */
	for (i = 0; i < c->mx->n; i++)
		if ((e = c->pkg_ieng[c->mx->img[i].pkg - m->pkg]) != NONE)
			c->img[c->img_at[e + 1]++] = i;
	free(mmap);
	free(imap);
}

static void
add_page(char ***pages, size_t *n, char *p)
{
	*pages = xrealloc(*pages, (*n + 1) * sizeof(**pages));
	(*pages)[(*n)++] = p;
}

/* ---- the tested-configuration registries ------------------------------ */

/* The compatibility page shows the whole matrix up to these sizes; past
 * them, one table per accelerator type (CONTEXT.md, "compatibility"). */
#define COMPAT_MAX_COLS		200
#define COMPAT_MAX_CELLS	100000

/* An optional string of a registry: false when absent. */
static json_t *
jstr_opt(const char *s)
{
	return s != NULL ? json_string(s) : json_false();
}

/* "-" and the slug of s: ASCII letters (lowered) and digits, every other
 * run of bytes one dash; "-x" when nothing is left. */
static void
slug(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = b->len;
	int dash = 1;

	for (; *u != '\0'; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
		    (*u >= 'A' && *u <= 'Z')) {
			if (dash)
				buf_putc(b, '-');
			buf_putc(b, *u >= 'A' && *u <= 'Z' ? *u - 'A' + 'a' : *u);
			dash = 0;
		} else
			dash = 1;
	}
	if (b->len == start)
		buf_puts(b, "-x");
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * prefix, the slug of a, and of b when not NULL ("fw-vllm-0-5-0"): an id
 * that is valid HTML whatever the registry says, made unique among those
 * given before by "-2", "-3", ...  A failed tsearch clears *ok.
 */
static char *
regid(struct regids *ids, int *ok, const char *prefix, const char *a,
    const char *b)
{
	struct buf s = { 0 };
	unsigned long k;
	char *id;

	buf_puts(&s, prefix);
	slug(&s, a);
	if (b != NULL)
		slug(&s, b);
	id = xstrdup(s.s);
	for (k = 2; tfind(id, &ids->tree, id_cmp) != NULL; k++) {
		free(id);
		id = xasprintf("%s-%lu", s.s, k);
	}
	if (tsearch(id, &ids->tree, id_cmp) == NULL)
		*ok = 0;
	buf_free(&s);
	return id;
}

/* Every anchor id of the registry pages, in the registries' order (so the
 * same registries give the same ids).  Returns ok. */
static int
regids_make(struct cat *c)
{
	const struct registries *r = c->reg;
	struct regids *ids = &c->ids;
	size_t i, j;
	int ok = 1;

	ids->fw = xcalloc(r->nfw + 1, sizeof(*ids->fw));
	ids->ver = xcalloc(r->nfwver + 1, sizeof(*ids->ver));
	ids->model = xcalloc(r->nmodel + 1, sizeof(*ids->model));
	ids->inst = xcalloc(r->ninst + 1, sizeof(*ids->inst));
	for (i = 0; i < r->nfw; i++)
		ids->fw[i] = regid(ids, &ok, "fw", r->fw[i].name, NULL);
	for (i = 0; i < r->nfw; i++)
		for (j = 0; j < r->fw[i].nver; j++)
			ids->ver[r->fw[i].ver[j].row] = regid(ids, &ok, "fw",
			    r->fw[i].name, r->fw[i].ver[j].version);
	for (i = 0; i < r->nmodel; i++)
		ids->model[i] = regid(ids, &ok, "model", r->model[i].id, NULL);
	for (i = 0; i < r->ninst; i++)
		ids->inst[i] = regid(ids, &ok, "inst", r->inst[i].type, NULL);
	return ok;
}

static void
regids_list_free(struct regids *ids, char **a, size_t n)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++)
		if (a[i] != NULL) {
			tdelete(a[i], &ids->tree, id_cmp);
			free(a[i]);
		}
	free(a);
}

static void
regids_free(struct regids *ids, const struct registries *r)
{
	if (r == NULL)
		return;
	regids_list_free(ids, ids->fw, r->nfw);
	regids_list_free(ids, ids->ver, r->nfwver);
	regids_list_free(ids, ids->model, r->nmodel);
	regids_list_free(ids, ids->inst, r->ninst);
	memset(ids, 0, sizeof(*ids));
}

/* page#id, for links between the registry pages (ids need no escaping). */
static char *
anchor_href(const char *page, const char *id)
{
	return xasprintf("%s#%s", page, id);
}

/* The counts the header, the home page and every registry page show
 * (a new reference; NULL when jansson failed). */
static json_t *
regcounts_json(const struct registries *r, const struct compat *cx)
{
	size_t npat = 0, i;

	for (i = 0; i < r->nmodel; i++)
		npat += r->model[i].pattern != 0;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "frameworks", (json_int_t)r->nfw,
	    "versions", (json_int_t)r->nfwver,
	    "models", (json_int_t)r->nmodel,
	    "patterns", (json_int_t)npat,
	    "instances", (json_int_t)r->ninst,
	    "pairs", (json_int_t)(cx->nrow * cx->ncol),
	    "compatible", (json_int_t)cx->nok);
}

/* [{name, value}] */
static json_t *
env_ctx(int *ok, const struct envvar *env, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		jpush(ok, a, json_pack("{s:s, s:s}", "name", env[i].name,
		    "value", env[i].value));
	return a;
}

/*
 * Framework version row on instance type col: {compatible, version,
 * reason}.  version: the accelerator version that would be used ("cpu" on
 * a CPU instance), false when not compatible; reason: why not, else false.
 */
static json_t *
cell_ctx(struct cat *c, size_t row, size_t col)
{
	const char *v;
	char *why;
	json_t *o;

	if (compat_at(c->cx, row, col) == CV_OK) {
		v = compat_version(c->reg, c->cx, row, col);
		return json_pack("{s:b, s:s, s:o}", "compatible", 1,
		    "version", v != NULL ? v : "cpu", "reason", json_false());
	}
	why = compat_reason(c->reg, c->cx, row, col);
	o = json_pack("{s:b, s:o, s:s}", "compatible", 0, "version",
	    json_false(), "reason", why != NULL ? why : "not compatible");
	free(why);
	return o;
}

/*
 * A list of recommended instance types: [{type, url, checked, compatible,
 * version, reason}], each checked against framework version row (NONE: a
 * model's profile, which names no framework version: checked is false).
 */
static json_t *
inst_refs_ctx(struct cat *c, int *ok, const struct instlist *l, size_t row)
{
	json_t *a = json_array(), *o;
	size_t i, col;
	char *url;

	for (i = 0; i < l->n; i++) {
		col = l->inst[i];
		o = row != NONE ? cell_ctx(c, row, col) :
		    json_pack("{s:b, s:b, s:b}", "compatible", 0, "version", 0,
		    "reason", 0);
		url = anchor_href("instances.html", c->ids.inst[col]);
		jset(ok, o, "type", json_string(c->reg->inst[col].type));
		jset(ok, o, "url", json_string(url));
		jset(ok, o, "checked", json_boolean(row != NONE));
		free(url);
		jpush(ok, a, o);
	}
	return a;
}

/* [{name, display_name, description, notes, env, has_env, instances,
 * has_instances}] of a framework version (row) or a model (NONE). */
static json_t *
profiles_ctx(struct cat *c, int *ok, const struct profile *p, size_t n,
    size_t row)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < n; i++, p++) {
		o = json_pack("{s:s, s:s, s:o, s:o, s:b, s:b}", "name", p->name,
		    "display_name", p->display_name ? p->display_name : p->name,
		    "description", jstr_opt(p->description),
		    "notes", jstr_opt(p->notes), "has_env", p->nenv > 0,
		    "has_instances", p->has_rec && p->rec.n > 0);
		jset(ok, o, "env", env_ctx(ok, p->env, p->nenv));
		jset(ok, o, "instances", p->has_rec ?
		    inst_refs_ctx(c, ok, &p->rec, row) : json_array());
		jpush(ok, a, o);
	}
	return a;
}

/* The accelerator a framework version needs: {type, version (or false),
 * range ({min, max}, either "" when open, or false)}. */
static json_t *
fw_accel_ctx(const struct fwversion *v)
{
	json_t *range = json_false();

	if (v->range_min != NULL || v->range_max != NULL)
		range = json_pack("{s:s, s:s}", "min", nz(v->range_min),
		    "max", nz(v->range_max));
	return json_pack("{s:s, s:o, s:o}", "type", accel_names[v->accel],
	    "version", jstr_opt(v->accel_version), "range", range);
}

/* One version of a framework (CONTEXT.md, "frameworks"). */
static json_t *
fwversion_ctx(struct cat *c, int *ok, const struct fwversion *v)
{
	size_t col, n = 0;
	json_t *o;

	for (col = 0; col < c->cx->ncol; col++)
		n += compat_at(c->cx, v->row, col) == CV_OK;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:I, s:I}",
	    "version", v->version, "id", c->ids.ver[v->row],
	    "level", vlevel_names[v->level],
	    "level_display", vlevel_display[v->level],
	    "base_image", nz(v->base_image), "accelerator", fw_accel_ctx(v),
	    "ami", nz(v->ami), "notes", jstr_opt(v->notes),
	    "compatible_count", (json_int_t)n,
	    "instance_count", (json_int_t)c->cx->ncol);
	if (o == NULL) {
		*ok = 0;
		return NULL;
	}
	jset(ok, o, "env", env_ctx(ok, v->env, v->nenv));
	jset(ok, o, "has_env", json_boolean(v->nenv > 0));
	jset(ok, o, "profiles", profiles_ctx(c, ok, v->prof, v->nprof, v->row));
	jset(ok, o, "has_profiles", json_boolean(v->nprof > 0));
	jset(ok, o, "instances", inst_refs_ctx(c, ok, &v->rec, v->row));
	jset(ok, o, "has_instances", json_boolean(v->rec.n > 0));
	return o;
}

/* frameworks.html: every framework, its versions newest first. */
static void
frameworks_page(struct cat *c)
{
	const struct framework *f;
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "frameworks.html", "Frameworks",
	    "Tested framework configurations: base images, accelerators, "
	    "environment, profiles and instance types", NAV_FRAMEWORKS);
	json_t *fws = json_array(), *vers;
	size_t i, j;

	for (i = 0; i < c->reg->nfw; i++) {
		f = &c->reg->fw[i];
		vers = json_array();
		for (j = 0; j < f->nver; j++)
			jpush(&ok, vers, fwversion_ctx(c, &ok, &f->ver[j]));
		jpush(&ok, fws, json_pack("{s:s, s:s, s:I, s:o}", "name",
		    f->name, "id", c->ids.fw[i], "version_count",
		    (json_int_t)f->nver, "versions", vers));
	}
	jset(&ok, ctx, "frameworks", fws);
	render_page(c, "frameworks.html", "frameworks.html", ctx, ok);
}

/* The frameworks a model needs: [{name, url, range}]. */
static json_t *
fwreqs_ctx(struct cat *c, int *ok, const struct model *m)
{
	json_t *a = json_array();
	size_t i;
	char *url;

	for (i = 0; i < m->nreq; i++) {
		url = anchor_href("frameworks.html", c->ids.fw[m->req[i].fw]);
		jpush(ok, a, json_pack("{s:s, s:s, s:s}", "name",
		    m->req[i].framework, "url", url, "range", m->req[i].range));
		free(url);
	}
	return a;
}

/* models.html: every model entry, exact ids and patterns. */
static void
models_page(struct cat *c)
{
	const struct model *m;
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "models.html", "Models",
	    "Model configurations: families, chat templates, the frameworks "
	    "they need and their profiles", NAV_MODELS);
	json_t *models = json_array(), *o;
	size_t i;

	for (i = 0; i < c->reg->nmodel; i++) {
		m = &c->reg->model[i];
		o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:b, s:o, s:o, "
		    "s:b, s:b}", "name", m->id, "id", c->ids.model[i],
		    "pattern", m->pattern != 0, "family", m->family,
		    "level", vlevel_names[m->level],
		    "level_display", vlevel_display[m->level],
		    "requires_template", m->requires_template != 0,
		    "chat_template", jstr_opt(m->chat_template),
		    "notes", jstr_opt(m->notes),
		    "has_frameworks", m->nreq > 0, "has_profiles", m->nprof > 0);
		jset(&ok, o, "frameworks", fwreqs_ctx(c, &ok, m));
		jset(&ok, o, "profiles", profiles_ctx(c, &ok, m->prof, m->nprof,
		    NONE));
		jpush(&ok, models, o);
	}
	jset(&ok, ctx, "models", models);
	render_page(c, "models.html", "models.html", ctx, ok);
}

/* One instance type (CONTEXT.md, "instances"). */
static json_t *
instance_ctx(struct cat *c, int *ok, size_t col)
{
	const struct instance *in = &c->reg->inst[col];
	json_t *vers = json_array(), *o;
	size_t i, n = 0;

	for (i = 0; i < in->nver; i++)
		jpush(ok, vers, json_pack("{s:s, s:b}", "version",
		    in->versions[i], "default", in->def != NULL &&
		    strcmp(in->def, in->versions[i]) == 0));
	for (i = 0; i < c->cx->nrow; i++)
		n += compat_at(c->cx, i, col) == CV_OK;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:I, "
	    "s:o, s:I}", "type", in->type, "id", c->ids.inst[col],
	    "family", in->family, "accelerator", accel_names[in->accel],
	    "hardware", in->hardware, "architecture", in->architecture,
	    "versions", vers, "has_versions", in->nver > 0,
	    "memory", in->memory, "vcpus", (json_int_t)in->vcpus,
	    "notes", jstr_opt(in->notes), "compatible_count", (json_int_t)n);
	if (o == NULL)
		*ok = 0;
	return o;
}

/* instances.html: one table of every instance type. */
static void
instances_page(struct cat *c)
{
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "instances.html", "Instance types",
	    "Instance types: accelerator, hardware, versions, memory and vCPUs",
	    NAV_INSTANCES);
	json_t *insts = json_array();
	size_t i;

	for (i = 0; i < c->reg->ninst; i++)
		jpush(&ok, insts, instance_ctx(c, &ok, i));
	jset(&ok, ctx, "instances", insts);
	render_page(c, "instances.html", "instances.html", ctx, ok);
}

/*
 * One table of the compatibility page: framework versions rows[] by
 * instance types cols[] (indices into registries.fwver and .inst), as
 * {id, caption, columns: [{type, url, accelerator}], rows: [{label, url,
 * cells: [cell]}]}.
 */
static json_t *
compat_table(struct cat *c, int *ok, const char *id, const char *caption,
    const size_t *rows, size_t nrow, const size_t *cols, size_t ncol)
{
	const struct fwversion *v;
	const struct instance *in;
	json_t *columns = json_array(), *trows = json_array(), *cells;
	size_t i, j;
	char *url, *label;

	for (j = 0; j < ncol; j++) {
		in = &c->reg->inst[cols[j]];
		url = anchor_href("instances.html", c->ids.inst[cols[j]]);
		jpush(ok, columns, json_pack("{s:s, s:s, s:s}", "type", in->type,
		    "url", url, "accelerator", accel_names[in->accel]));
		free(url);
	}
	for (i = 0; i < nrow; i++) {
		v = c->reg->fwver[rows[i]];
		cells = json_array();
		for (j = 0; j < ncol; j++)
			jpush(ok, cells, cell_ctx(c, rows[i], cols[j]));
		url = anchor_href("frameworks.html", c->ids.ver[rows[i]]);
		label = xasprintf("%s@%s", v->fw->name, v->version);
		jpush(ok, trows, json_pack("{s:s, s:s, s:s, s:o}", "label",
		    label, "url", url, "accelerator", accel_names[v->accel],
		    "cells", cells));
		free(label);
		free(url);
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "id", id, "caption", caption,
	    "columns", columns, "rows", trows);
}

/*
 * The grouped tables of a large matrix: per accelerator type, its framework
 * versions by its instance types, COMPAT_MAX_COLS columns a table.  Every
 * instance type is shown; each type's rows stop at COMPAT_MAX_CELLS over
 * the number of instance types, which keeps the page within that many
 * cells.  *shown and *total count the cells.
 */
static void
compat_grouped(struct cat *c, int *ok, json_t *tables, size_t *shown,
    size_t *total)
{
	size_t *rows = xcalloc(c->cx->nrow + 1, sizeof(*rows));
	size_t *cols = xcalloc(c->cx->ncol + 1, sizeof(*cols));
	size_t rmax = COMPAT_MAX_CELLS / c->cx->ncol, nr, nc, rn, cn, i, k;
	char *id, *cap;
	int a;

	if (rmax == 0)
		rmax = 1;
	for (a = 0; a < ACC__MAX; a++) {
		for (nr = i = 0; i < c->cx->nrow; i++)
			if (c->reg->fwver[i]->accel == (enum accel)a)
				rows[nr++] = i;
		for (nc = i = 0; i < c->cx->ncol; i++)
			if (c->reg->inst[i].accel == (enum accel)a)
				cols[nc++] = i;
		*total += nr * nc;
		rn = nr < rmax ? nr : rmax;
		for (k = 0; rn > 0 && k < nc; k += cn) {
			cn = nc - k < COMPAT_MAX_COLS ? nc - k : COMPAT_MAX_COLS;
			id = xasprintf("compat-%s-%zu", accel_names[a],
			    k / COMPAT_MAX_COLS + 1);
			cap = xasprintf("%s: framework versions 1 to %zu of %zu by "
			    "instance types %zu to %zu of %zu", accel_names[a], rn,
			    nr, k + 1, k + cn, nc);
			jpush(ok, tables, compat_table(c, ok, id, cap, rows, rn,
			    cols + k, cn));
			*shown += rn * cn;
			free(id);
			free(cap);
		}
	}
	free(rows);
	free(cols);
}

/* compatibility.html: framework versions by instance types. */
static void
compat_page(struct cat *c)
{
	size_t nrow = c->cx->nrow, ncol = c->cx->ncol, shown = 0, total = 0;
	size_t *rows, *cols, i;
	int ok = 1, grouped = ncol > COMPAT_MAX_COLS ||
	    (ncol > 0 && nrow > COMPAT_MAX_CELLS / ncol);
	json_t *ctx = page_ctx(c, &ok, "compatibility.html",
	    "Compatibility matrix", "Which framework version runs on which "
	    "instance type, with the accelerator version it would use",
	    NAV_COMPAT);
	json_t *tables = json_array();

	if (!grouped) {
		rows = xcalloc(nrow + 1, sizeof(*rows));
		cols = xcalloc(ncol + 1, sizeof(*cols));
		for (i = 0; i < nrow; i++)
			rows[i] = i;
		for (i = 0; i < ncol; i++)
			cols[i] = i;
		if (nrow > 0 && ncol > 0)
			jpush(&ok, tables, compat_table(c, &ok, "compat",
			    "Framework versions by instance type: ✓ compatible "
			    "(with the accelerator version used), ✗ not",
			    rows, nrow, cols, ncol));
		shown = total = nrow * ncol;
		free(rows);
		free(cols);
	} else
		compat_grouped(c, &ok, tables, &shown, &total);
	jset(&ok, ctx, "tables", tables);
	jset(&ok, ctx, "grouped", json_boolean(grouped));
	jset(&ok, ctx, "truncated", shown < total ? json_pack("{s:I, s:I}",
	    "shown", (json_int_t)shown, "total", (json_int_t)total) :
	    json_false());
	jset(&ok, ctx, "limits", json_pack("{s:I, s:I}", "columns",
	    (json_int_t)COMPAT_MAX_COLS, "cells", (json_int_t)COMPAT_MAX_CELLS));
	render_page(c, "compatibility.html", "compatibility.html", ctx, ok);
}

/* The four registry pages, when the repository has registries. */
static void
registry_pages(struct cat *c, char ***pages, size_t *npages)
{
	if (c->reg == NULL || c->cx == NULL)
		return;
	frameworks_page(c);
	add_page(pages, npages, xstrdup("frameworks.html"));
	models_page(c);
	add_page(pages, npages, xstrdup("models.html"));
	instances_page(c);
	add_page(pages, npages, xstrdup("instances.html"));
	compat_page(c);
	add_page(pages, npages, xstrdup("compatibility.html"));
}

/* ---- the container-registry listing ---------------------------------- */

/* {registries, checked, healthy} for the header, the home page and the
 * page itself, or false when there is no listing (a new reference; NULL
 * when jansson failed). */
static json_t *
crcounts_json(const struct crlist *l, const struct crlastset *h)
{
	const struct crlast *r;
	size_t i, checked = 0, healthy = 0;

	if (l == NULL || l->n == 0)
		return json_false();
	for (i = 0; i < l->n; i++)
		if (h != NULL && (r = crlast_find(h, l->e[i].id)) != NULL) {
			checked++;
			healthy += r->healthy != 0;
		}
	return json_pack("{s:I, s:I, s:I}", "registries", (json_int_t)l->n,
	    "checked", (json_int_t)checked, "healthy", (json_int_t)healthy);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object of anything (metadata, config) as [{key, value}] by key: a
 * string as it is, anything else as compact JSON. */
static json_t *
kv_ctx(int *ok, json_t *obj)
{
	json_t *a = json_array(), *v;
	const char **keys = xcalloc(json_object_size(obj) + 1, sizeof(*keys));
	const char *k;
	char *text;
	size_t n = 0, i;

	json_object_foreach(obj, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), str_cmp);
	for (i = 0; i < n; i++) {
		v = json_object_get(obj, keys[i]);
		text = json_is_string(v) ? xstrdup(json_string_value(v)) :
		    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		if (text == NULL)
			*ok = 0;
		else
			jpush(ok, a, json_pack("{s:s, s:s}", "key", keys[i],
			    "value", text));
		free(text);
	}
	free(keys);
	return a;
}

/* A size in MB as people read it; -1 says what it means there. */
static json_t *
mb_ctx(long long mb, const char *minus_one)
{
	return mb < 0 ? json_string(minus_one) : json_sprintf("%lld MB", mb);
}

/* The last health result of an entry: {healthy, status, api_v2, latency,
 * reason, checked_at}, or false when it was never checked. */
static json_t *
crhealth_ctx(struct cat *c, const struct crentry *e)
{
	const struct crlast *h = c->crh ? crlast_find(c->crh, e->id) : NULL;
	char ms[32];

	if (h == NULL)
		return json_false();
	snprintf(ms, sizeof(ms), "%.1f ms", h->ms);
	return json_pack("{s:b, s:o, s:b, s:s, s:s, s:s}", "healthy",
	    h->healthy != 0, "status", h->status > 0 ?
	    json_integer((json_int_t)h->status) : json_false(), "api_v2",
	    h->api_v2 != 0, "latency", ms, "reason", nz(h->reason),
	    "checked_at", nz(h->checked_at));
}

/* One registry of the page (CONTEXT.md, "container registries"). */
static json_t *
crentry_ctx(struct cat *c, int *ok, const struct crentry *e)
{
	json_t *tags = json_array(), *o;
	char *api = xasprintf("api/container_registry/%s.json", e->id);
	char *anchor = xasprintf("cr-%s", e->id), *list;
	int web = strncmp(e->url, "https://", 8) == 0 ||
	    strncmp(e->url, "http://", 7) == 0;
	size_t i;

	for (i = 0; i < e->ntags; i++)
		set_add(ok, tags, e->tags[i]);
	list = set_join(tags);
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:b, s:s, "
	    "s:o, s:o, s:s, s:s}", "id", e->id, "anchor", anchor,
	    "name", e->name, "url", e->url, "url_link", web ?
	    json_string(e->url) : json_false(), "prefix", e->prefix,
	    "tags", tags, "tag_list", list, "has_tags", e->ntags > 0,
	    "storage_type", crstorage_names[e->storage],
	    "storage_size", mb_ctx(e->storage_size, "unlimited"),
	    "memory_size", mb_ctx(e->memory_size, "unknown or unlimited"),
	    "type", crtype_names[e->type], "api_url", api);
	free(list);
	free(anchor);
	free(api);
	if (o == NULL) {
		*ok = 0;
		return NULL;
	}
	jset(ok, o, "metadata", kv_ctx(ok, e->metadata));
	jset(ok, o, "has_metadata", json_boolean(json_object_size(e->metadata)));
	jset(ok, o, "config", kv_ctx(ok, e->config));
	jset(ok, o, "has_config", json_boolean(json_object_size(e->config)));
	jset(ok, o, "health", crhealth_ctx(c, e));
	return o;
}

/* Every tag with its number of registries: [{tag, count}], by tag. */
static json_t *
crtags_ctx(int *ok, const struct crlist *l)
{
	json_t *a = json_array(), *t;
	const char **all;
	size_t n = 0, i, j;

	for (i = 0; i < l->n; i++)
		n += l->e[i].ntags;
	all = xcalloc(n + 1, sizeof(*all));
	for (n = i = 0; i < l->n; i++)
		for (j = 0; j < l->e[i].ntags; j++)
			all[n++] = l->e[i].tags[j];
	qsort(all, n, sizeof(*all), str_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && strcmp(all[j], all[i]) == 0; j++)
			;
		t = json_pack("{s:s, s:I}", "tag", all[i], "count",
		    (json_int_t)(j - i));
		jpush(ok, a, t);
	}
	free(all);
	return a;
}

/* Registries by name as people read it (case aside), then by id. */
static int
crentry_name_cmp(const void *a, const void *b)
{
	const struct crentry *x = *(const struct crentry *const *)a;
	const struct crentry *y = *(const struct crentry *const *)b;
	int c = strcasecmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* container-registries.html: every registry, by name, with its last
 * health result, and the tags to filter by. */
static void
cr_page(struct cat *c)
{
	const struct crentry **by = xcalloc(c->crl->n + 1, sizeof(*by));
	json_t *ctx, *regs = json_array();
	size_t i;
	int ok = 1;

	ctx = page_ctx(c, &ok, "container-registries.html",
	    "Container registries", "The container registries images are "
	    "pushed to: where they are, their tags and storage, and whether "
	    "they answered their last health check", NAV_CR);
	for (i = 0; i < c->crl->n; i++)
		by[i] = &c->crl->e[i];
	qsort(by, c->crl->n, sizeof(*by), crentry_name_cmp);
	for (i = 0; i < c->crl->n; i++)
		jpush(&ok, regs, crentry_ctx(c, &ok, by[i]));
	free(by);
	jset(&ok, ctx, "entries", regs);
	jset(&ok, ctx, "tags", crtags_ctx(&ok, c->crl));
	render_page(c, "container-registries.html", "container-registries.html",
	    ctx, ok);
}

/* ---- the deployment registry ------------------------------------------ */

/* Rows of the deployments table a page: past them the table goes on in
 * deployments/page-2.html, ... (CONTEXT.md, "deployments"). */
#define DEPLOY_PAGE_ROWS	1000
/* sitemap.xml names at most this many pages (the protocol's limit): the
 * pages of configurations past it are left out of it, not of the site. */
#define SITEMAP_MAX		50000

static const char *const verdict_marks[3] = { "✓", "✗", "?" };

/* deployments/ID.html (an id is 16 hex digits: nothing to encode). */
static char *
deployment_href(const struct deployment *d)
{
	return xasprintf("deployments/%s.html", d->id);
}

/* Page n (from 0) of the deployments table. */
static char *
deployments_page_href(size_t n)
{
	return n == 0 ? xstrdup("deployments.html") :
	    xasprintf("deployments/page-%zu.html", n + 1);
}

/* Every record judged once, before the pages (which share the verdicts
 * across threads), with the counts the header and the pages show and
 * the values the filters offer.  Returns ok. */
static int
deploy_start(struct cat *c)
{
	const struct deployment *d;
	json_t *st, *be, *in, *rg, *te;
	size_t i, n[DS__MAX] = { 0 }, t[DT__MAX] = { 0 }, v[3] = { 0 };
	int ok = 1;

	if (c->dep == NULL || c->dep->n == 0) {
		c->depcounts = json_false();
		return 1;
	}
	c->dk = xcalloc(c->dep->n, sizeof(*c->dk));
	st = json_array(), be = json_array(), in = json_array();
	rg = json_array(), te = json_array();
	for (i = 0; i < c->dep->n; i++) {
		d = c->dep->d[i];
		deploy_check(c->reg, c->cx, d, &c->dk[i]);
		n[d->status]++;
		t[d->test]++;
		v[c->dk[i].verdict]++;
		set_add(&ok, st, dstatus_names[d->status]);
		set_add(&ok, be, d->backend);
		set_add(&ok, in, d->instance);
		if (d->region != NULL)
			set_add(&ok, rg, d->region);
		set_add(&ok, te, dtest_names[d->test]);
	}
	c->ndpages = (c->dep->n + DEPLOY_PAGE_ROWS - 1) / DEPLOY_PAGE_ROWS;
	c->depfilters = json_pack("{s:o, s:o, s:o, s:o, s:o}", "status", st,
	    "backend", be, "instance", in, "region", rg, "test", te);
	c->depcounts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I}", "records", (json_int_t)c->dep->n,
	    "success", (json_int_t)n[DS_SUCCESS],
	    "partial", (json_int_t)n[DS_PARTIAL],
	    "failed", (json_int_t)n[DS_FAILED],
	    "passed", (json_int_t)t[DT_PASSED],
	    "untested", (json_int_t)t[DT_UNTESTED],
	    "test_failed", (json_int_t)t[DT_FAILED],
	    "compatible", (json_int_t)v[DV_COMPATIBLE],
	    "incompatible", (json_int_t)v[DV_INCOMPATIBLE],
	    "unknown", (json_int_t)v[DV_UNKNOWN]);
	return ok && c->depfilters != NULL && c->depcounts != NULL;
}

static void
deploy_clear(struct cat *c)
{
	size_t i;

	if (c->dk != NULL)
		for (i = 0; i < c->dep->n; i++)
			dcheck_clear(&c->dk[i]);
	free(c->dk);
	json_decref(c->depcounts);
	json_decref(c->depfilters);
}

/* One row of the deployments table (CONTEXT.md, "deployments"). */
static json_t *
deployment_row(struct cat *c, size_t i)
{
	const struct deployment *d = c->dep->d[i];
	enum dverdict v = c->dk[i].verdict;
	char *url = deployment_href(d), *day = xstrndup(d->registered, 10);
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:s}", "id", d->id, "url", url,
	    "project", d->project, "config", d->config,
	    "architecture", d->arch, "backend", d->backend,
	    "model", jstr_opt(d->model), "instance", d->instance,
	    "region", jstr_opt(d->region), "target", d->target,
	    "status", dstatus_names[d->status],
	    "test_status", dtest_names[d->test],
	    "verdict", dverdict_names[v], "verdict_mark", verdict_marks[v],
	    "registered", d->registered, "registered_day", day);
	free(day);
	free(url);
	return o;
}

/* The pager of table page p: false when there is one page. */
static json_t *
deploy_pager(size_t p, size_t npages, size_t total)
{
	json_t *links, *o;
	char *u, *prev, *next;
	size_t i;
	int ok = 1;

	if (npages < 2)
		return json_false();
	links = json_array();
	for (i = 0; i < npages; i++) {
		u = deployments_page_href(i);
		jpush(&ok, links, json_pack("{s:I, s:s, s:b}", "n",
		    (json_int_t)(i + 1), "url", u, "current", i == p));
		free(u);
	}
	prev = p > 0 ? deployments_page_href(p - 1) : NULL;
	next = p + 1 < npages ? deployments_page_href(p + 1) : NULL;
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
	    "page", (json_int_t)(p + 1), "pages", (json_int_t)npages,
	    "first", (json_int_t)(p * DEPLOY_PAGE_ROWS + 1),
	    "last", (json_int_t)(p + 1 < npages ? (p + 1) * DEPLOY_PAGE_ROWS :
	    total), "total", (json_int_t)total,
	    "prev", jstr_opt(prev), "next", jstr_opt(next), "links", links);
	free(prev);
	free(next);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Page p of the deployments table (a pool item). */
static void
deployments_page(void *arg, size_t p, int worker)
{
	struct cat *c = arg;
	size_t i, end = (p + 1) * DEPLOY_PAGE_ROWS;
	char *path = deployments_page_href(p), *title;
	json_t *ctx, *rows = json_array();
	int ok = 1;

	(void)worker;
	if (end > c->dep->n)
		end = c->dep->n;
	title = p == 0 ? xstrdup("Deployments") :
	    xasprintf("Deployments, page %zu", p + 1);
	ctx = page_ctx(c, &ok, path, title, "Deployed configurations: what "
	    "runs where, in which state, tested or not", NAV_DEPLOY);
	for (i = p * DEPLOY_PAGE_ROWS; i < end; i++)
		jpush(&ok, rows, deployment_row(c, i));
	jset(&ok, ctx, "rows", rows);
	jset(&ok, ctx, "row_count", json_integer((json_int_t)(end -
	    p * DEPLOY_PAGE_ROWS)));
	jsetref(&ok, ctx, "filters", c->depfilters);
	jset(&ok, ctx, "pager", deploy_pager(p, c->ndpages, c->dep->n));
	render_page(c, "deployments.html", path, ctx, ok);
	free(title);
	free(path);
}

/* {name, url} of a registry entry's anchor on page, or false. */
static json_t *
reg_link(const char *page, const char *name, char **ids, size_t i)
{
	char *url;
	json_t *o;

	if (name == NULL)
		return json_false();
	url = anchor_href(page, ids[i]);
	o = json_pack("{s:s, s:s}", "name", name, "url", url);
	free(url);
	return o;
}

/* The stale references of a verdict: [{what, name, near (or false)}]. */
static json_t *
stale_ctx(int *ok, const struct deployment *d, const struct dcheck *k)
{
	json_t *a = json_array();

	if (k->unknown_fw)
		jpush(ok, a, json_pack("{s:s, s:s, s:o}", "what", "backend",
		    "name", d->backend, "near", jstr_opt(k->near_fw)));
	if (k->unknown_model && d->model != NULL)
		jpush(ok, a, json_pack("{s:s, s:s, s:o}", "what", "model",
		    "name", d->model, "near", jstr_opt(k->near_model)));
	if (k->unknown_inst)
		jpush(ok, a, json_pack("{s:s, s:s, s:o}", "what",
		    "instance type", "name", d->instance,
		    "near", jstr_opt(k->near_inst)));
	return a;
}

/* A record's verdict with links to the registry pages (CONTEXT.md). */
static json_t *
verdict_ctx(struct cat *c, int *ok, const struct deployment *d,
    const struct dcheck *k)
{
	/* Registry anchors exist when the registry pages do. */
	const struct registries *r = c->ids.fw != NULL ? c->reg : NULL;
	json_t *o, *stale, *fwv = json_false();
	char *url;

	if (k->fwv != NULL && r != NULL) {
		url = anchor_href("frameworks.html", c->ids.ver[k->fwv->row]);
		fwv = json_pack("{s:s, s:s}", "version", k->fwv->version,
		    "url", url);
		free(url);
	}
	o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:s}",
	    "verdict", dverdict_names[k->verdict],
	    "verdict_mark", verdict_marks[k->verdict],
	    "reason", jstr_opt(k->reason), "framework_version", fwv,
	    "instance_type", d->instance, "model_name", jstr_opt(d->model),
	    "backend", d->backend);
	if (o == NULL) {
		*ok = 0;
		return NULL;
	}
	jset(ok, o, "framework", k->fw != NULL && r != NULL ?
	    reg_link("frameworks.html", k->fw->name, c->ids.fw,
	    (size_t)(k->fw - r->fw)) : json_false());
	jset(ok, o, "model", k->model != NULL && r != NULL ?
	    reg_link("models.html", k->model->id, c->ids.model,
	    (size_t)(k->model - r->model)) : json_false());
	jset(ok, o, "instance", k->inst != NULL && r != NULL ?
	    reg_link("instances.html", k->inst->type, c->ids.inst,
	    (size_t)(k->inst - r->inst)) : json_false());
	stale = stale_ctx(ok, d, k);
	jset(ok, o, "has_stale", json_boolean(json_array_size(stale) > 0));
	jset(ok, o, "stale", stale);
	return o;
}

/* icList as {components, adapters, has_adapters} into o. */
static void
ics_ctx(int *ok, json_t *o, const struct deployment *d)
{
	json_t *comp = json_array(), *ad = json_array();
	const struct dic *ic;
	size_t i;

	for (i = 0; i < d->nic; i++) {
		ic = &d->ic[i];
		if (ic->adapter)
			jpush(ok, ad, json_pack("{s:s, s:o, s:o}", "name",
			    ic->name, "base", jstr_opt(ic->base),
			    "artifact", jstr_opt(ic->artifact)));
		else
			jpush(ok, comp, json_pack("{s:s, s:o, s:o, s:o, s:b}",
			    "name", ic->name, "image", jstr_opt(ic->image),
			    "gpus", ic->gpus ? json_integer(ic->gpus) :
			    json_null(), "copies", ic->copies ?
			    json_integer(ic->copies) : json_null(),
			    "ci", d->ci_ic != NULL &&
			    strcmp(d->ci_ic, ic->name) == 0));
	}
	jset(ok, o, "has_adapters", json_boolean(json_array_size(ad) > 0));
	jset(ok, o, "components", comp);
	jset(ok, o, "adapters", ad);
}

/* parameters and history (newest first) into o. */
static void
params_hist_ctx(int *ok, json_t *o, const struct deployment *d)
{
	json_t *pa = json_array(), *hi = json_array();
	const struct dhist *h;
	size_t i;

	for (i = 0; i < d->params.n; i++)
		jpush(ok, pa, json_pack("{s:s, s:s, s:b}", "name",
		    d->params.v[i].key, "value", d->params.v[i].value,
		    "redacted", strcmp(d->params.v[i].value,
		    DEPLOY_REDACTED) == 0));
	for (i = d->nhist; i-- > 0; ) {
		h = &d->hist[i];
		jpush(ok, hi, json_pack("{s:s, s:s, s:o, s:s, s:o, s:b}",
		    "time", h->time, "status", dstatus_names[h->status],
		    "notes", jstr_opt(h->notes), "gen_version", h->gen_version,
		    "build_strategy", jstr_opt(h->build_strategy), "ci", h->ci));
	}
	jset(ok, o, "has_parameters", json_boolean(d->params.n > 0));
	jset(ok, o, "parameters", pa);
	jset(ok, o, "history_count", json_integer((json_int_t)d->nhist));
	jset(ok, o, "history", hi);
}

/* The record part of a configuration's page (CONTEXT.md). */
static json_t *
deployment_ctx(int *ok, const struct deployment *d)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, "
	    "s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:I, s:I, s:s}",
	    "id", d->id, "project", d->project, "config", d->config,
	    "architecture", d->arch, "backend", d->backend,
	    "model", jstr_opt(d->model), "instance", d->instance,
	    "region", jstr_opt(d->region), "target", d->target,
	    "base_image", jstr_opt(d->base_image),
	    "build_strategy", jstr_opt(d->build_strategy),
	    "status", dstatus_names[d->status],
	    "test_status", dtest_names[d->test],
	    "tested_at", jstr_opt(d->tested), "registered", d->registered,
	    "first_registered", d->first, "gen_version", d->gen_version,
	    "notes", jstr_opt(d->notes), "ic_count", (json_int_t)d->ics,
	    "adapter_count", (json_int_t)d->adapters,
	    "ci_ic", d->ci_ic != NULL ? d->ci_ic : "");
	if (o == NULL) {
		*ok = 0;
		return NULL;
	}
	ics_ctx(ok, o, d);
	params_hist_ctx(ok, o, d);
	return o;
}

/* deployments/ID.html: record i's page (a pool item). */
static void
deployment_page(void *arg, size_t i, int worker)
{
	struct cat *c = arg;
	const struct deployment *d = c->dep->d[i];
	char *path = deployment_href(d), *title, *desc;
	json_t *ctx;
	int ok = 1;

	(void)worker;
	/* A fixed length: html-validate finds long titles an error. */
	title = xasprintf("Deployment %s", d->id);
	desc = xasprintf("Deployment %s: %s on %s", d->id, d->config,
	    d->instance);
	ctx = page_ctx(c, &ok, path, title, desc, NAV_NONE);
	jset(&ok, ctx, "deployment", deployment_ctx(&ok, d));
	jset(&ok, ctx, "compatibility", verdict_ctx(c, &ok, d, &c->dk[i]));
	render_page(c, "deployment.html", path, ctx, ok);
	free(desc);
	free(title);
	free(path);
}

/* The table's pages and a page per configuration, when there are
 * records; every table page, and configuration pages while the sitemap
 * has room, go to the sitemap. */
static void
deploy_pages(struct cat *c, int jobs, char ***pages, size_t *npages)
{
	size_t i;

	if (c->dk == NULL)
		return;
	pool_run(c->ndpages, jobs, deployments_page, c);
	for (i = 0; i < c->ndpages; i++)
		add_page(pages, npages, deployments_page_href(i));
	pool_run(c->dep->n, jobs, deployment_page, c);
	for (i = 0; i < c->dep->n && *npages < SITEMAP_MAX; i++)
		add_page(pages, npages, deployment_href(c->dep->d[i]));
}

/* search.json's data (a new reference), or NULL when jansson failed. */
static json_t *
search_data(struct cat *c)
{
	json_t *sengines = json_array(), *search;
	size_t i;
	int ok = 1;

	for (i = 0; i < c->idx->neng; i++)
		jpush(&ok, sengines, search_entry(c, &ok, i));
	search = json_pack("{s:s, s:o}", "lastUpdated", c->last_updated,
	    "engines", sengines);
	if (!ok) {
		json_decref(search);
		return NULL;
	}
	return search;
}

/* What every page shares, and what the pages read: templates, readmes,
 * counts, assets (search data among them).  Returns 1, or 0 after
 * reporting. */
static int
cat_start(struct cat *c, const char *tmpldir)
{
	json_t *search;
	int ok;

	index_time(c->idx->last_updated, c->last_updated);
	c->assets = json_object();
	resolve(c);
	/* Everything in the catalog is HTML, partials included. */
	if (!tmplset_load(&c->t, tmpldir, MESC_HTML) || !read_readmes(c))
		return 0;
	c->counts = json_pack("{s:I, s:I, s:I, s:I}",
	    "engines", (json_int_t)c->idx->neng,
	    "packages", (json_int_t)c->idx->npkg,
	    "versions", (json_int_t)c->idx->nver,
	    "images", (json_int_t)c->mx->n);
	if (c->reg != NULL && c->cx != NULL) {
		c->regcounts = regcounts_json(c->reg, c->cx);
		if (!regids_make(c)) {
			json_decref(c->regcounts);
			c->regcounts = NULL;
		}
	} else
		c->regcounts = json_false();
	c->crcounts = crcounts_json(c->crl, c->crh);
	if (!deploy_start(c)) {
		ctx_failed(c, "deployments");
		return 0;
	}
	/* The search data first: every page names its hashed file. */
	search = search_data(c);
	if (c->assets == NULL || c->counts == NULL || c->regcounts == NULL ||
	    c->crcounts == NULL || search == NULL) {
		ctx_failed(c, "search.json");
		json_decref(search);
		return 0;
	}
	ok = copy_assets(c, tmpldir, search);
	json_decref(search);
	return ok;
}

static void
cat_clear(struct cat *c)
{
	size_t i;

	if (c->readme != NULL)
		for (i = 0; i < c->idx->neng; i++)
			buf_free(&c->readme[i]);
	free(c->readme);
	free(c->meng);
	free(c->pkg_meng);
	free(c->pkg_ieng);
	free(c->img);
	free(c->img_at);
	json_decref(c->assets);
	json_decref(c->counts);
	json_decref(c->regcounts);
	json_decref(c->crcounts);
	deploy_clear(c);
	regids_free(&c->ids, c->reg);
	tmplset_clear(&c->t);
}

/*
 * The whole catalog: search data and hashed assets first (every page names
 * them), then home, engine pages (in the worker pool), the platform matrix,
 * the registry pages (when reg and cx are given), the container-registry
 * page (when crl has entries), the deployments table and a page per
 * configuration (when dep has records; in the pool too), Dockerfile pages,
 * 404, sitemap and feed.
 * Returns 1, or 0 after reporting.
 */
int
catalog_build(const struct manifest *m, const struct matrix *mx,
    const struct index *idx, const struct registries *reg,
    const struct compat *cx, const struct crlist *crl,
    const struct crlastset *crh, const struct deployset *dep,
    const char *tmpldir, int jobs, struct outset *site)
{
	struct cat c;
	json_t *ctx;
	char **pages = NULL;
	size_t npages = 0, i;
	int ok = 1;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.mx = mx;
	c.idx = idx;
	c.reg = reg;
	c.cx = cx;
	c.crl = crl;
	c.crh = crh;
	c.dep = dep;
	c.site = site;
	c.ok = 1;
	if (!cat_start(&c, tmpldir)) {
		c.ok = 0;
		goto out;
	}
	home_page(&c);
	add_page(&pages, &npages, xstrdup("index.html"));
	pool_run(idx->neng, jobs, engine_page, &c);
	for (i = 0; i < idx->neng; i++)
		add_page(&pages, &npages, engine_href(idx->eng[i].id));
	platforms_page(&c);
	add_page(&pages, &npages, xstrdup("platforms.html"));
	registry_pages(&c, &pages, &npages);
	if (crl != NULL && crl->n > 0) {
		cr_page(&c);
		add_page(&pages, &npages, xstrdup("container-registries.html"));
	}
	deploy_pages(&c, jobs, &pages, &npages);
	for (i = 0; i < mx->n; i++) {
		dockerfile_page(&c, i);
		add_page(&pages, &npages, image_page(&mx->img[i]));
	}
	ctx = page_ctx(&c, &ok, "404.html", "Page not found", "Page not found",
	    NAV_NONE);
	render_page(&c, "404.html", "404.html", ctx, ok);
	sitemap(&c, pages, npages);
	feed(&c);
out:
	for (i = 0; i < npages; i++)
		free(pages[i]);
	free(pages);
	cat_clear(&c);
	return c.ok;
}
