/*
 * catalog.c - the static HTML catalog: home, one page per engine, one per
 * Dockerfile (with the raw file beside it), the platform matrix, 404,
 * search data, sitemap.xml and an Atom feed.  Pages come from the Mustache
 * templates in templates/site (see CONTEXT.md there), HTML-escaped; the
 * only raw HTML is cmark's (safe defaults) and the SVG charts made here.
 *
 * Contexts are built with jansson, which returns NULL (or -1) when memory
 * runs out or a string is not UTF-8.  Every such result goes through the
 * j*() helpers below, which clear the page's ok flag: an incomplete context
 * is never rendered (its template would only blame a missing name).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpos.h"
#include "manifest.h"
#include "mustache.h"

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

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void
human_size(json_int_t n, char *out, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, len, "%lld B", (long long)n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
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
platform_label(json_t *p)
{
	json_t *av = json_object_get(p, "acceleratorVersion");
	const char *variant = jstr(p, "variant");

	return xasprintf("%s %s %s%s%s%s%s%s", jstr(p, "os"), jstr(p, "arch"),
	    jstr(p, "accelerator"), json_is_string(av) ? " " : "",
	    json_is_string(av) ? json_string_value(av) : "",
	    *variant ? " (" : "", variant, *variant ? ")" : "");
}

/* Sorted set of strings, as a JSON array. */
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

/* ---- SVG charts -------------------------------------------------------- */

/*
 * A horizontal bar chart: one bar per (label, value), values as sizes.
 * Labels are escaped; colours come from the stylesheet (classes).
 */
static char *
svg_bars(const char *id, const char *title, const char **labels,
    const json_int_t *values, size_t n)
{
	struct buf b = { 0 };
	json_int_t max = 1;
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
 * version filled in).
 */
static void
chart(int *ok, json_t *charts, const char *key, const char *fmt, json_t *e,
    const char **labels, const json_int_t *values, size_t n)
{
	char *id = xasprintf("chart-%s", key), *title, *svg;

	title = xasprintf(fmt, jstr(e, "name"), jstr(e, "latestVersion"));
	svg = svg_bars(id, title, labels, values, n);
	jset(ok, charts, key, json_string(svg));
	free(svg);
	free(title);
	free(id);
}

/* ---- contexts ---------------------------------------------------------- */

struct cat {
	const struct manifest	*m;
	const struct matrix	*mx;
	struct outset		*docker, *site;
	json_t			*index;
	json_t			*assets;	/* {css, js, search, ...} */
	json_t			*counts;
	struct buf		*readme;	/* per engine of the index */
	const char		*base_url;
	const char		*last_updated;
	struct tmplset		 t;
	_Atomic int		 ok;
};

/* The keys every page has (CONTEXT.md, "Every page"). */
static json_t *
page_ctx(struct cat *c, int *ok, const char *path, const char *title,
    const char *desc, int is_home, int is_platforms)
{
	json_t *o = json_object();
	char *root = root_of(path);

	jset(ok, o, "root", json_string(root));
	free(root);
	jset(ok, o, "site", json_pack("{s:s, s:o}", "title",
	    c->m->site_title, "url", *c->m->site_url ?
	    json_string(c->m->site_url) : json_false()));
	jset(ok, o, "page", json_pack("{s:s, s:s, s:s, s:b, s:b}",
	    "title", title, "description", desc, "path", path,
	    "is_home", is_home, "is_platforms", is_platforms));
	jsetref(ok, o, "assets", c->assets);
	jset(ok, o, "last_updated", json_string(c->last_updated));
	jsetref(ok, o, "counts", c->counts);
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

/* One version's packages for the engine page (CONTEXT.md, "A version"). */
static json_t *
version_ctx(struct cat *c, int *ok, const char *id, json_t *v)
{
	json_t *o = json_object(), *pkgs = json_array(), *p, *av;
	const char *ver = jstr(v, "version");
	char hs[32], *label, *url;
	size_t i;

	json_array_foreach(json_object_get(v, "packages"), i, p) {
		av = json_object_get(p, "acceleratorVersion");
		human_size(json_integer_value(json_object_get(p, "size")), hs, sizeof(hs));
		label = platform_label(p);
		url = download_url(c->base_url, id, ver, jstr(p, "filename"));
		jpush(ok, pkgs, json_pack(
		    "{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:s, s:s, s:s}",
		    "os", jstr(p, "os"), "arch", jstr(p, "arch"),
		    "accelerator", jstr(p, "accelerator"),
		    "accelerator_version", json_is_string(av) ? json_string(json_string_value(av)) : json_false(),
		    "variant", json_object_get(p, "variant") ? json_string(jstr(p, "variant")) : json_false(),
		    "platform", label, "filename", jstr(p, "filename"),
		    "size", json_integer_value(json_object_get(p, "size")),
		    "size_human", hs, "sha256", jstr(p, "sha256"), "url", url));
		free(label);
		free(url);
	}
	jset(ok, o, "version", json_string(ver));
	jset(ok, o, "min_app_version", json_string(jstr(v, "minAppVersion")));
	jset(ok, o, "package_count", json_integer((json_int_t)json_array_size(pkgs)));
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

/* The two charts: sizes per platform now; total size across versions. */
static json_t *
charts_ctx(int *ok, json_t *e, json_t *latest, json_t *versions)
{
	json_t *charts = json_object(), *v, *p;
	const char **labels;
	json_int_t *values;
	size_t i, j, n;

	n = json_array_size(json_object_get(latest, "packages"));
	labels = xcalloc(n ? n : 1, sizeof(*labels));
	values = xcalloc(n ? n : 1, sizeof(*values));
	json_array_foreach(json_object_get(latest, "packages"), i, p) {
		labels[i] = jstr(p, "platform");
		values[i] = json_integer_value(json_object_get(p, "size"));
	}
	chart(ok, charts, "platforms", "Package sizes of %s %s per platform", e,
	    labels, values, n);
	free(labels);
	free(values);
	n = json_array_size(versions);
	labels = xcalloc(n ? n : 1, sizeof(*labels));
	values = xcalloc(n ? n : 1, sizeof(*values));
	for (i = 0; i < n; i++) {
		v = json_array_get(versions, n - 1 - i);	/* oldest first */
		labels[i] = jstr(v, "version");
		json_array_foreach(json_object_get(v, "packages"), j, p)
			values[i] += json_integer_value(json_object_get(p, "size"));
	}
	if (n > 1)
		chart(ok, charts, "versions", "Total package size of each %s "
		    "version, oldest first", e, labels, values, n);
	else
		jset(ok, charts, "versions", json_false());
	free(labels);
	free(values);
	return charts;
}

/* Container images of the engine's package. */
static json_t *
images_ctx(struct cat *c, int *ok, const char *id)
{
	json_t *images = json_array();
	char *url, *rp, *dr;
	size_t i;

	for (i = 0; i < c->mx->n; i++) {
		const struct image *im = &c->mx->img[i];

		if (strcmp(im->pkg->name, id) != 0)
			continue;
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

/* Engine i of the index: engines/ID/index.html. */
static void
engine_page(struct cat *c, size_t ei)
{
	json_t *e = json_array_get(json_object_get(c->index, "engines"), ei);
	const struct engine *me = manifest_engine(c->m, jstr(e, "id"));
	const char *id = jstr(e, "id");
	json_t *ctx, *eng, *versions, *older, *filters, *v, *p, *latest;
	char *path;
	size_t i, j;
	int ok = 1;

	path = xasprintf("engines/%s/index.html", id);
	ctx = page_ctx(c, &ok, path, jstr(e, "name"), jstr(e, "description"), 0, 0);
	eng = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name", jstr(e, "name"),
	    "description", jstr(e, "description"), "latest_version",
	    jstr(e, "latestVersion"));
	jset(&ok, eng, "homepage", me && *me->homepage ?
	    json_string(me->homepage) : json_false());
	jsetref(&ok, eng, "formats", json_object_get(e, "modelFormats"));
	jset(&ok, eng, "readme_html", readme_json(c, ei));
	jset(&ok, ctx, "engine", eng);

	versions = json_object_get(e, "versions");
	latest = version_ctx(c, &ok, id, json_array_get(versions, 0));
	jset(&ok, ctx, "latest", json_incref(latest));
	older = json_array();
	for (i = 1; i < json_array_size(versions); i++)
		jpush(&ok, older, version_ctx(c, &ok, id, json_array_get(versions, i)));
	jset(&ok, ctx, "older", older);

	/* Filters over every package of this engine. */
	filters = json_pack("{s:[], s:[], s:[]}", "os", "arch", "accelerator");
	json_array_foreach(versions, i, v)
		json_array_foreach(json_object_get(v, "packages"), j, p) {
			set_add(&ok, json_object_get(filters, "os"), jstr(p, "os"));
			set_add(&ok, json_object_get(filters, "arch"), jstr(p, "arch"));
			set_add(&ok, json_object_get(filters, "accelerator"),
			    jstr(p, "accelerator"));
		}
	jset(&ok, ctx, "filters", filters);
	jset(&ok, ctx, "charts", charts_ctx(&ok, e, latest, versions));
	json_decref(latest);
	jset(&ok, ctx, "images", images_ctx(c, &ok, id));
	render_page(c, "engine.html", path, ctx, ok);
	free(path);
}

/* One engine in search.json: what the home page's search looks through. */
static json_t *
search_entry(struct cat *c, int *ok, json_t *e)
{
	const char *id = jstr(e, "id");
	json_t *splat = json_array(), *sver = json_array(), *simg = json_array(), *p, *v;
	size_t i;
	char *l, *url;

	json_array_foreach(json_object_get(e, "packages"), i, p) {
		l = platform_label(p);
		set_add(ok, splat, l);
		free(l);
	}
	json_array_foreach(json_object_get(e, "versions"), i, v)
		jpush(ok, sver, json_string(jstr(v, "version")));
	for (i = 0; i < c->mx->n; i++) {
		const struct image *im = &c->mx->img[i];

		if (strcmp(im->pkg->name, id) != 0)
			continue;
		url = image_page(im);
		jpush(ok, simg, json_pack("{s:s, s:s}", "tag", im->tag, "url", url));
		free(url);
	}
	url = engine_href(id);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:o}", "id", id,
	    "name", jstr(e, "name"), "description", jstr(e, "description"),
	    "url", url, "latestVersion", jstr(e, "latestVersion"),
	    "formats", json_object_get(e, "modelFormats"), "platforms", splat,
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

/* One engine's card on the home page; its platforms also go to filters. */
static json_t *
home_card(int *ok, json_t *e, json_t *filters)
{
	json_t *o, *p, *v, *plats = json_array(), *os = json_array(),
	    *ar = json_array(), *ac = json_array();
	size_t j, k, np = 0;
	char *s;

	json_array_foreach(json_object_get(e, "packages"), j, p) {
		char *l = platform_label(p);
		int dup = 0;

		for (k = 0; k < json_array_size(plats); k++)
			if (!strcmp(jstr(json_array_get(plats, k), "label"), l))
				dup = 1;
		if (!dup)
			jpush(ok, plats, json_pack("{s:s, s:s, s:s, s:s}",
			    "os", jstr(p, "os"), "arch", jstr(p, "arch"),
			    "accelerator", jstr(p, "accelerator"), "label", l));
		free(l);
		set_add(ok, os, jstr(p, "os"));
		set_add(ok, ar, jstr(p, "arch"));
		set_add(ok, ac, jstr(p, "accelerator"));
		set_add(ok, json_object_get(filters, "os"), jstr(p, "os"));
		set_add(ok, json_object_get(filters, "arch"), jstr(p, "arch"));
		set_add(ok, json_object_get(filters, "accelerator"), jstr(p, "accelerator"));
	}
	json_array_foreach(json_object_get(e, "versions"), j, v)
		np += json_array_size(json_object_get(v, "packages"));
	s = engine_href(jstr(e, "id"));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o, s:I, s:I}",
	    "id", jstr(e, "id"), "name", jstr(e, "name"),
	    "description", jstr(e, "description"), "url", s,
	    "latest_version", jstr(e, "latestVersion"),
	    "formats", json_object_get(e, "modelFormats"), "platforms", plats,
	    "package_count", (json_int_t)np,
	    "version_count", (json_int_t)json_array_size(json_object_get(e, "versions")));
	free(s);
	set_join_into(ok, o, "os_list", os);
	set_join_into(ok, o, "arch_list", ar);
	set_join_into(ok, o, "accel_list", ac);
	return o;
}

static void
home_page(struct cat *c)
{
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "index.html", c->m->site_title,
	    "Inference engines: downloads, platforms and container images", 1, 0);
	json_t *engines = json_array(), *filters, *e;
	size_t i;

	filters = json_pack("{s:[], s:[], s:[]}", "os", "arch", "accelerator");
	json_array_foreach(json_object_get(c->index, "engines"), i, e)
		jpush(&ok, engines, home_card(&ok, e, filters));
	jset(&ok, ctx, "engines", engines);
	jset(&ok, ctx, "filters", filters);
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

/* The image part of a Dockerfile page's context. */
static json_t *
image_ctx(struct cat *c, int *ok, const struct image *im, size_t nlines)
{
	const struct engine *e = manifest_engine(c->m, im->pkg->name);
	const struct image *base = im->type == RT_BASE ? NULL : &c->mx->img[im->base];
	char *eu = e ? engine_href(e->id) : NULL, *bu = base ? image_page(base) : NULL;
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

static void
dockerfile_pages(struct cat *c)
{
	const struct image *im;
	const struct buf *df;
	json_t *ctx, *lines;
	char *path, *raw, *title, *gp;
	size_t i, n;
	int ok;

	for (i = 0; i < c->mx->n; i++) {
		im = &c->mx->img[i];
		if ((df = outset_get(c->docker, im->path)) == NULL)
			continue;
		/* Template bytes that are not UTF-8 would drop lines. */
		gp = xasprintf("generated/%s", im->path);
		if (!utf8_check(gp, df->s, df->len)) {
			c->ok = 0;
			free(gp);
			continue;
		}
		free(gp);
		ok = 1;
		path = image_page(im);
		raw = xasprintf("docker/%s", im->path);
		{
			struct buf b = { 0 };

			buf_add(&b, df->s, df->len);
			outset_add(c->site, raw, &b);
		}
		title = xasprintf("%s:%s", im->pkg->name, im->tag);
		ctx = page_ctx(c, &ok, path, title, "A generated Dockerfile", 0, 0);
		lines = lines_ctx(&ok, df, &n);
		jset(&ok, ctx, "image", image_ctx(c, &ok, im, n));
		jset(&ok, ctx, "lines", lines);
		render_page(c, "dockerfile.html", path, ctx, ok);
		free(title);
		free(raw);
		free(path);
	}
}

static int
plat_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c;

	if ((c = strcmp(jstr(x, "os"), jstr(y, "os"))) != 0)
		return c;
	if ((c = strcmp(jstr(x, "arch"), jstr(y, "arch"))) != 0)
		return c;
	return strcmp(jstr(x, "accelerator"), jstr(y, "accelerator"));
}

/* Engines x (os, arch, accelerator) over every version. */
static void
platforms_page(struct cat *c)
{
	int ok = 1;
	json_t *ctx = page_ctx(c, &ok, "platforms.html", "Platform matrix",
	    "Which engine runs on which operating system, architecture and accelerator", 0, 1);
	json_t **cols = NULL, *columns, *groups, *rows, *e, *v, *p, *cells;
	json_t **lastv;
	struct buf *vs;
	size_t ncol = 0, i, j, k, l;

	/* The columns: every platform, sorted (kept sorted as they come). */
	json_array_foreach(json_object_get(c->index, "engines"), i, e)
		json_array_foreach(json_object_get(e, "versions"), j, v)
			json_array_foreach(json_object_get(v, "packages"), k, p) {
				size_t lo = 0, hi = ncol, mid;
				int cmp = 1;

				while (lo < hi) {
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
				cols = xrealloc(cols, (ncol + 1) * sizeof(*cols));
				memmove(cols + lo + 1, cols + lo, (ncol - lo) * sizeof(*cols));
				cols[lo] = p;
				ncol++;
			}
	columns = json_array();
	groups = json_array();
	for (l = 0; l < ncol; l++) {
		char *label = xasprintf("%s %s", jstr(cols[l], "arch"),
		    jstr(cols[l], "accelerator"));
		json_t *g;

		jpush(&ok, columns, json_pack("{s:s, s:s, s:s, s:s}",
		    "os", jstr(cols[l], "os"), "arch", jstr(cols[l], "arch"),
		    "accelerator", jstr(cols[l], "accelerator"), "label", label));
		free(label);
		if (l == 0 || strcmp(jstr(cols[l], "os"), jstr(cols[l - 1], "os")) != 0)
			jpush(&ok, groups, json_pack("{s:s, s:i}", "os",
			    jstr(cols[l], "os"), "span", 0));
		g = json_array_get(groups, json_array_size(groups) - 1);
		jset(&ok, g, "span", json_integer(
		    json_integer_value(json_object_get(g, "span")) + 1));
	}
	/* Each package finds its column by binary search: the versions that
	 * ship for a platform gather in that column's buffer. */
	vs = xcalloc(ncol ? ncol : 1, sizeof(*vs));
	lastv = xcalloc(ncol ? ncol : 1, sizeof(*lastv));
	rows = json_array();
	json_array_foreach(json_object_get(c->index, "engines"), i, e) {
		char *url = engine_href(jstr(e, "id"));

		for (l = 0; l < ncol; l++) {
			buf_reset(&vs[l]);
			lastv[l] = NULL;
		}
		json_array_foreach(json_object_get(e, "versions"), j, v) {
			json_array_foreach(json_object_get(v, "packages"), k, p) {
				json_t **hit = bsearch(&p, cols, ncol, sizeof(*cols), plat_cmp);
				struct buf *b;

				if (hit == NULL)
					continue;
				b = &vs[hit - cols];
				/* A version with two builds (variants) is named once. */
				if (lastv[hit - cols] == v)
					continue;
				lastv[hit - cols] = v;
				buf_printf(b, "%s%s", b->len ? ", " : "", jstr(v, "version"));
			}
		}
		cells = json_array();
		for (l = 0; l < ncol; l++) {
			char *label = xasprintf("%s on %s %s %s: %s", jstr(e, "name"),
			    jstr(cols[l], "os"), jstr(cols[l], "arch"),
			    jstr(cols[l], "accelerator"), vs[l].len ? "available" :
			    "not available");

			jpush(&ok, cells, json_pack("{s:b, s:s, s:s}",
			    "available", vs[l].len > 0, "label", label, "versions",
			    vs[l].len ? vs[l].s : ""));
			free(label);
		}
		jpush(&ok, rows, json_pack("{s:s, s:s, s:o}", "name",
		    jstr(e, "name"), "url", url, "cells", cells));
		free(url);
	}
	for (l = 0; l < ncol; l++)
		buf_free(&vs[l]);
	free(vs);
	free(lastv);
	free(cols);
	jset(&ok, ctx, "columns", columns);
	jset(&ok, ctx, "groups", groups);
	jset(&ok, ctx, "rows", rows);
	render_page(c, "platforms.html", "platforms.html", ctx, ok);
}

/* Assets with a content hash in their names: assets.css, .js, .search. */
static int
copy_assets(struct cat *c, const char *tmpldir, json_t *search)
{
	struct dirent *de;
	struct buf b = { 0 };
	char *dir, *path, *name, h[11], full[65], *dot, *data;
	DIR *d;
	int ok = 1, input_ok = 1;	/* ok: the data; input_ok: the files */

	dir = xasprintf("%s/assets", tmpldir);
	if ((d = opendir(dir)) == NULL) {
		diag_errno(dir, 1, "cannot read the catalog assets");
		free(dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (!path_confined(path, tmpldir) ||
		    !read_file_max(path, &b, GEN_MAX_TEMPLATE)) {
			input_ok = 0;
			free(path);
			continue;
		}
		sha256_hex(b.s, b.len, full);
		memcpy(h, full, 10);
		h[10] = '\0';
		dot = strrchr(de->d_name, '.');
		name = dot ? xasprintf("assets/%.*s.%s%s", (int)(dot - de->d_name),
		    de->d_name, h, dot) : xasprintf("assets/%s.%s", de->d_name, h);
		if (!strcmp(de->d_name, "style.css"))
			jset(&ok, c->assets, "css", json_string(name));
		else if (!strcmp(de->d_name, "app.js"))
			jset(&ok, c->assets, "js", json_string(name));
		outset_add(c->site, name, &b);
		free(name);
		free(path);
	}
	closedir(d);
	free(dir);
	if (input_ok && ok && (json_object_get(c->assets, "css") == NULL ||
	    json_object_get(c->assets, "js") == NULL)) {
		diag(EXIT_NOINPUT, NULL, "%s/assets: style.css and app.js are needed",
		    tmpldir);
		input_ok = 0;
	}
	if (!input_ok) {
		buf_free(&b);
		return 0;
	}
	/* The search data as a script too: fetch() does not work on file://. */
	data = search ? json_dumps(search, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII) : NULL;
	if (data == NULL) {
		ctx_failed(c, "search.json");
		buf_free(&b);
		return 0;
	}
	buf_reset(&b);
	buf_printf(&b, "window.GEN_SEARCH = %s;\n", data);
	sha256_hex(b.s, b.len, full);
	memcpy(h, full, 10);
	h[10] = '\0';
	name = xasprintf("assets/search.%s.js", h);
	jset(&ok, c->assets, "search", json_string(name));
	outset_add(c->site, name, &b);
	free(name);
	buf_puts(&b, "");
	buf_puts(&b, data);
	buf_putc(&b, '\n');
	outset_add(c->site, "search.json", &b);
	free(data);
	buf_free(&b);
	if (!ok)
		ctx_failed(c, "assets");
	return ok;
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

/* sitemap.xml and feed.xml (Atom: one entry per engine release). */
static void
feeds(struct cat *c, char **pages, size_t npages)
{
	const char *url = c->m->site_url;
	struct buf b = { 0 };
	json_t *e, *v;
	size_t i, j;

	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (i = 0; i < npages; i++) {
		buf_puts(&b, "  <url><loc>");
		site_url(&b, url, pages[i]);
		buf_puts(&b, "</loc></url>\n");
	}
	buf_puts(&b, "</urlset>\n");
	outset_add(c->site, "sitemap.xml", &b);

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
	json_array_foreach(json_object_get(c->index, "engines"), i, e)
		json_array_foreach(json_object_get(e, "versions"), j, v) {
			char *page = engine_href(jstr(e, "id"));

			buf_puts(&b, "  <entry>\n    <title>");
			xml_escape(&b, jstr(e, "name"));
			buf_putc(&b, ' ');
			xml_escape(&b, jstr(v, "version"));
			buf_puts(&b, "</title>\n    <id>urn:gen:engine:");
			xml_escape(&b, jstr(e, "id"));
			buf_putc(&b, ':');
			xml_escape(&b, jstr(v, "version"));
			buf_puts(&b, "</id>\n    <updated>");
			xml_escape(&b, c->last_updated);
			buf_puts(&b, "</updated>\n    <link href=\"");
			site_url(&b, url, page);
			buf_puts(&b, "\"/>\n    <summary>");
			xml_escape(&b, jstr(e, "description"));
			buf_printf(&b, " (%zu packages, minimum app version ",
			    json_array_size(json_object_get(v, "packages")));
			xml_escape(&b, jstr(v, "minAppVersion"));
			buf_puts(&b, ")</summary>\n  </entry>\n");
			free(page);
		}
	buf_puts(&b, "</feed>\n");
	outset_add(c->site, "feed.xml", &b);
}

/* The engine pages, by several threads (each page stands alone). */
struct ejob {
	struct cat	*c;
	json_t		*engines;
	_Atomic size_t	 next;
};

static void *
engine_worker(void *arg)
{
	struct ejob *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < json_array_size(j->engines))
		engine_page(j->c, i);
	return NULL;
}

static void
engine_pages(struct cat *c, int jobs)
{
	struct ejob j;
	pthread_t th[64];
	int i, started = 0;

	j.c = c;
	j.engines = json_object_get(c->index, "engines");
	atomic_init(&j.next, 0);
	if (jobs > 64)
		jobs = 64;
	for (i = 1; i < jobs && (size_t)i < json_array_size(j.engines); i++)
		if (pthread_create(&th[started], NULL, engine_worker, &j) == 0)
			started++;
	engine_worker(&j);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
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
	json_t *es = json_object_get(c->index, "engines");
	const struct engine *me;
	struct buf *b;
	char *rp;
	size_t i;
	int ok = 1;

	c->readme = xcalloc(json_array_size(es) + 1, sizeof(*c->readme));
	for (i = 0; i < json_array_size(es); i++) {
		me = manifest_engine(c->m, jstr(json_array_get(es, i), "id"));
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

static void
add_page(char ***pages, size_t *n, char *p)
{
	*pages = xrealloc(*pages, (*n + 1) * sizeof(**pages));
	(*pages)[(*n)++] = p;
}

/*
 * The whole catalog: search data and hashed assets first (every page names
 * them), then home, engine pages (on worker threads), the platform matrix,
 * Dockerfile pages, 404, sitemap and feed.  Returns 1, or 0 after reporting.
 */
int
catalog_build(const struct manifest *m, const struct matrix *mx,
    struct outset *docker, json_t *index, const char *tmpldir, int jobs,
    struct outset *site)
{
	struct cat c;
	json_t *search, *sengines, *e, *v, *ctx;
	char **pages = NULL;
	size_t npages = 0, i, j, np = 0, nv = 0;
	int ok = 1;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.mx = mx;
	c.docker = docker;
	c.site = site;
	c.index = index;
	c.ok = 1;
	c.base_url = jstr(index, "baseUrl");
	c.last_updated = jstr(index, "lastUpdated");
	c.assets = json_object();
	/* Everything in the catalog is HTML, partials included. */
	if (!tmplset_load(&c.t, tmpldir, MESC_HTML)) {
		c.ok = 0;
		goto out;
	}
	if (!read_readmes(&c)) {
		c.ok = 0;
		goto out;
	}
	json_array_foreach(json_object_get(index, "engines"), i, e)
		json_array_foreach(json_object_get(e, "versions"), j, v) {
			nv++;
			np += json_array_size(json_object_get(v, "packages"));
		}
	c.counts = json_pack("{s:I, s:I, s:I, s:I}", "engines",
	    (json_int_t)json_array_size(json_object_get(index, "engines")),
	    "packages", (json_int_t)np, "versions", (json_int_t)nv,
	    "images", (json_int_t)mx->n);

	/* The search data first: every page names its hashed file. */
	sengines = json_array();
	json_array_foreach(json_object_get(index, "engines"), i, e)
		jpush(&ok, sengines, search_entry(&c, &ok, e));
	search = json_pack("{s:s, s:o}", "lastUpdated", c.last_updated,
	    "engines", sengines);
	if (c.assets == NULL || c.counts == NULL || !ok) {
		ctx_failed(&c, "search.json");
		json_decref(search);
		goto out;
	}
	if (!copy_assets(&c, tmpldir, search)) {
		c.ok = 0;
		json_decref(search);
		goto out;
	}
	json_decref(search);

	home_page(&c);
	add_page(&pages, &npages, xstrdup("index.html"));
	engine_pages(&c, jobs);
	json_array_foreach(json_object_get(index, "engines"), i, e)
		add_page(&pages, &npages, engine_href(jstr(e, "id")));
	platforms_page(&c);
	add_page(&pages, &npages, xstrdup("platforms.html"));
	dockerfile_pages(&c);
	for (i = 0; i < mx->n; i++)
		add_page(&pages, &npages, image_page(&mx->img[i]));
	ctx = page_ctx(&c, &ok, "404.html", "Page not found", "Page not found", 0, 0);
	render_page(&c, "404.html", "404.html", ctx, ok);
	feeds(&c, pages, npages);
out:
	for (i = 0; i < npages; i++)
		free(pages[i]);
	free(pages);
	if (c.readme != NULL)
		for (i = 0; i < json_array_size(json_object_get(index, "engines")); i++)
			buf_free(&c.readme[i]);
	free(c.readme);
	json_decref(c.assets);
	json_decref(c.counts);
	tmplset_clear(&c.t);
	return c.ok;
}
