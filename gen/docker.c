/*
 * docker.c - Dockerfiles from the build matrix, and generated/images.json
 * (every image with its path, build order and tags: a GitHub Actions build
 * matrix as it stands).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "mustache.h"

#define NVIDIA_REPOS "https://developer.download.nvidia.com/compute/cuda/repos"

/* Compiled templates by path, loaded on first use. */
struct tcache {
	char		**path;
	struct tmpl	**t;		/* NULL where the file does not exist */
	size_t		  n;
	int		  failed;	/* a template did not compile */
};

static const struct tmpl *
tcache_get(struct tcache *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->path[i], path) == 0)
			return c->t[i];
	c->path = xrealloc(c->path, (c->n + 1) * sizeof(*c->path));
	c->t = xrealloc(c->t, (c->n + 1) * sizeof(*c->t));
	c->path[c->n] = xstrdup(path);
	c->t[c->n] = NULL;
	if (access(path, F_OK) == 0 &&
	    (c->t[c->n] = tmpl_load(path, MESC_NONE)) == NULL)
		c->failed = 1;
	return c->t[c->n++];
}

static void
tcache_free(struct tcache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->path[i]);
		tmpl_free(c->t[i]);
	}
	free(c->path);
	free(c->t);
}

/* Partials: the family's folder first, then _shared. */
struct pctx {
	struct tcache	*cache;
	const char	*tmpldir;
	const char	*family;
};

static const struct tmpl *
find_partial(void *arg, const char *name)
{
	struct pctx *pc = arg;
	const struct tmpl *t;
	char *path;

	if (strchr(name, '/') != NULL || strstr(name, "..") != NULL)
		return NULL;
	path = xasprintf("%s/%s/%s.mustache", pc->tmpldir, pc->family, name);
	t = tcache_get(pc->cache, path);
	free(path);
	if (t != NULL)
		return t;
	path = xasprintf("%s/_shared/%s.mustache", pc->tmpldir, name);
	t = tcache_get(pc->cache, path);
	free(path);
	return t;
}

/* A value for use inside double quotes in a Dockerfile (ENV "..."). */
static char *
dq_escape(const char *s)
{
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '$' || *s == '`')
			buf_putc(&b, '\\');
		buf_putc(&b, *s);
	}
	return b.s;
}

static json_t *
str_array(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* cuda_requires with {cuda_version}, {cuda_short} and {cuda_major} filled. */
static char *
cuda_requires(const char *fmt, const struct cudaset *c)
{
	struct buf b = { 0 };
	const char *p;

	buf_add(&b, "", 0);
	for (p = fmt; *p; p++) {
		if (!strncmp(p, "{cuda_version}", 14)) {
			buf_puts(&b, c->version);
			p += 13;
		} else if (!strncmp(p, "{cuda_short}", 12)) {
			buf_printf(&b, "%s.%s", c->major, c->minor);
			p += 11;
		} else if (!strncmp(p, "{cuda_major}", 12)) {
			buf_puts(&b, c->major);
			p += 11;
		} else
			buf_putc(&b, *p);
	}
	return b.s;
}

static json_t *
cuda_json(const struct release *r, const struct cudaset *c)
{
	json_t *o = json_object(), *comps = json_array(), *dnn;
	const struct cudacomp *cp;
	char *k;
	size_t i;

	json_object_set_new(o, "version", json_string(c->version));
	json_object_set_new(o, "major", json_string(c->major));
	json_object_set_new(o, "minor", json_string(c->minor));
	json_object_set_new(o, "patch", json_string(c->patch));
	k = xasprintf("%s.%s", c->major, c->minor);
	json_object_set_new(o, "short", json_string(k));
	free(k);
	k = xasprintf("%s-%s", c->major, c->minor);
	json_object_set_new(o, "dashed", json_string(k));
	free(k);
	k = cuda_requires(r->cuda_requires, c);
	json_object_set_new(o, "requires", json_string(k));
	free(k);
	json_object_set_new(o, "prefix_url", json_string(r->cuda_prefix_url));
	k = xasprintf("%s/%s/x86_64", NVIDIA_REPOS, r->cuda_prefix_url);
	json_object_set_new(o, "repo_url", json_string(k));
	free(k);
	dnn = json_false();
	for (i = 0; i < c->ncomp; i++) {
		cp = &c->comp[i];
		if ((int)i == c->cudnn) {
			json_decref(dnn);
			dnn = json_pack("{s:s, s:s, s:s}", "name", cp->name,
			    "major", cp->name + 5, "version", cp->version);
			continue;
		}
		json_array_append_new(comps, json_pack("{s:s, s:s}", "name",
		    cp->name, "version", cp->version));
		k = xstrdup(cp->name);
		for (char *p = k; *p; p++)
			if (*p == '-' || *p == '.')
				*p = '_';
		json_object_set_new(o, k, json_string(cp->version));
		free(k);
	}
	json_object_set_new(o, "components", comps);
	json_object_set_new(o, "cudnn", dnn);
	return o;
}

/* The template context of one image (see templates/docker/CONTEXT.md). */
static json_t *
image_json(const struct manifest *m, const struct matrix *mx,
    const struct image *im)
{
	const struct release *r = im->rel;
	const struct engine *e = manifest_engine(m, im->pkg->name);
	json_t *o = json_object(), *env = json_array();
	char *q, *dr;
	size_t i;

	json_object_set_new(o, "header", json_string(r->header));
	json_object_set_new(o, "package", json_string(im->pkg->name));
	if (e != NULL)
		json_object_set_new(o, "engine", json_pack("{s:s, s:s, s:s, s:s}",
		    "id", e->id, "name", e->name, "description", e->description,
		    "homepage", e->homepage));
	else
		json_object_set_new(o, "engine", json_false());
	json_object_set_new(o, "release_type", json_string(rtype_names[im->type]));
	json_object_set_new(o, "distro", json_string(r->distro));
	json_object_set_new(o, "distro_version", json_string(r->version));
	dr = xasprintf("%s%s", r->distro, r->version);
	json_object_set_new(o, "distro_release", json_string(dr));
	free(dr);
	json_object_set_new(o, "base_image", json_string(r->base_image));
	if (im->type == RT_BASE)
		json_object_set_new(o, "base_ref", json_false());
	else
		json_object_set_new(o, "base_ref", json_string(mx->img[im->base].ref));
	json_object_set_new(o, "suffixes", json_string(r->add_to_tags));
	json_object_set_new(o, "multistage", json_boolean(r->multistage));
	for (i = 0; i < r->nenv; i++) {
		q = dq_escape(r->env[i].value);
		json_array_append_new(env, json_pack("{s:s, s:s, s:s}", "name",
		    r->env[i].name, "value", r->env[i].value, "quoted", q));
		free(q);
	}
	json_object_set_new(o, "envars", env);
	json_object_set_new(o, "tags", str_array(im->tags, im->ntags));
	json_object_set_new(o, "cuda", im->cuda ? cuda_json(r, im->cuda) :
	    json_false());
	return o;
}

/*
 * The marker goes after any parser directives at the top (they are only
 * honoured before the first comment that is not one).
 */
static void
add_marker(const struct buf *in, struct buf *out)
{
	const char *p = in->s, *nl;
	size_t skip = 0;

	for (;;) {
		const char *q = p;

		if (*q != '#')
			break;
		for (q++; *q == ' ' || *q == '\t'; q++)
			;
		if (strncmp(q, "syntax", 6) && strncmp(q, "escape", 6) &&
		    strncmp(q, "check", 5))
			break;
		q += strncmp(q, "check", 5) ? 6 : 5;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' || (nl = strchr(p, '\n')) == NULL)
			break;
		p = nl + 1;
	}
	skip = (size_t)(p - in->s);
	buf_add(out, in->s, skip);
	buf_puts(out, GEN_MARKER "\n");
	buf_add(out, in->s + skip, in->len - skip);
}

static json_t *
images_json(const struct matrix *mx, const char *gendir)
{
	json_t *root = json_object(), *inc = json_array(), *o;
	const struct image *im;
	struct buf csv = { 0 };
	char *p;
	size_t i, j;

	for (i = 0; i < mx->n; i++) {
		im = &mx->img[i];
		o = json_object();
		p = xasprintf("%s:%s", im->pkg->name, im->tag);
		json_object_set_new(o, "name", json_string(p));
		free(p);
		json_object_set_new(o, "package", json_string(im->pkg->name));
		json_object_set_new(o, "release_type", json_string(rtype_names[im->type]));
		json_object_set_new(o, "distro", json_string(im->rel->distro));
		json_object_set_new(o, "distro_version", json_string(im->rel->version));
		json_object_set_new(o, "cuda", im->cuda ?
		    json_string(im->cuda->version) : json_null());
		json_object_set_new(o, "cudnn", im->cuda && im->cuda->cudnn >= 0 ?
		    json_string(im->cuda->comp[im->cuda->cudnn].name) : json_null());
		json_object_set_new(o, "order", json_integer(im->type == RT_BASE ? 0 : 1));
		p = xasprintf("%s/%s", gendir, im->path);
		json_object_set_new(o, "dockerfile", json_string(p));
		*strrchr(p, '/') = '\0';
		json_object_set_new(o, "context", json_string(p));
		free(p);
		json_object_set_new(o, "base", im->type == RT_BASE ? json_null() :
		    json_string(mx->img[im->base].ref));
		json_object_set_new(o, "tag", json_string(im->tag));
		json_object_set_new(o, "tags", str_array(im->tags, im->ntags));
		buf_reset(&csv);
		buf_add(&csv, "", 0);
		for (j = 0; j < im->ntags; j++)
			buf_printf(&csv, "%s%s", j ? "," : "", im->tags[j]);
		json_object_set_new(o, "tags_csv", json_string(csv.s));
		json_array_append_new(inc, o);
	}
	buf_free(&csv);
	json_object_set_new(root, "schemaVersion", json_integer(1));
	json_object_set_new(root, "count", json_integer((json_int_t)mx->n));
	json_object_set_new(root, "include", inc);
	return root;
}

int
docker_generate(const struct manifest *m, const struct matrix *mx,
    const char *tmpldir, const char *gendir, struct outset *out)
{
	struct tcache cache = { 0 };
	struct pctx pc;
	struct render_opts ro = { 0 };
	struct buf b = { 0 }, f = { 0 };
	const struct image *im;
	const struct tmpl *t;
	json_t *ctx, *ij;
	char *path, *s;
	size_t i;
	int ok = 1;

	pc.cache = &cache;
	pc.tmpldir = tmpldir;
	ro.partial = find_partial;
	ro.partial_arg = &pc;
	for (i = 0; i < mx->n && ok; i++) {
		im = &mx->img[i];
		path = xasprintf("%s/%s/%s.mustache", tmpldir,
		    im->rel->templates_dir, rtype_names[im->type]);
		t = tcache_get(&cache, path);
		if (t == NULL) {
			if (!cache.failed)
				diag(EXIT_DATAERR, &im->rel->pos, "releases.%s.%s: "
				    "no template %s for %s", im->rel->distro,
				    im->rel->version, path, im->path);
			free(path);
			ok = 0;
			break;
		}
		free(path);
		pc.family = im->rel->templates_dir;
		ctx = image_json(m, mx, im);
		buf_reset(&b);
		if (!tmpl_render(t, ctx, &ro, &b))
			ok = 0;
		json_decref(ctx);
		if (!ok)
			break;
		memset(&f, 0, sizeof(f));
		add_marker(&b, &f);
		outset_add(out, im->path, &f);
	}
	if (ok) {
		ij = images_json(mx, gendir);
		s = json_dumps(ij, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(ij);
		memset(&f, 0, sizeof(f));
		buf_puts(&f, s);
		buf_putc(&f, '\n');
		free(s);
		outset_add(out, "images.json", &f);
	}
	buf_free(&b);
	tcache_free(&cache);
	return ok;
}
