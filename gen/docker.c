/*
 * docker.c - Dockerfiles from the build matrix, and generated/images.json
 * (every image with its path, build order and tags: a GitHub Actions build
 * matrix as it stands).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "mustache.h"

#define NVIDIA_REPOS "https://developer.download.nvidia.com/compute/cuda/repos"

/* The templates of one family folder (or of _shared), all compiled before
 * rendering starts, so that worker threads only ever read them. */
struct family {
	char		*name;
	struct tmplset	 set;
};

static int
family_load(struct family *f, const char *tmpldir, const char *name)
{
	char *dir = xasprintf("%s/%s", tmpldir, name);
	int ok;

	f->name = xstrdup(name);
	ok = tmplset_load(&f->set, dir, MESC_NONE);
	free(dir);
	return ok;
}

/*
 * A release's family folder must resolve inside the templates folder
 * (manifest_load checks the repository's own templates/docker/; this is
 * the folder given with -t).  Returns 1, or 0 after reporting at the
 * manifest's templates_dir.
 */
static int
family_inside(const char *tmpldir, const struct release *r)
{
	char *dir = xasprintf("%s/%s", tmpldir, r->templates_dir);
	char *top = path_canon(tmpldir), *real = path_canon(dir);
	int ok = path_within(real, top);

	if (!ok)
		diag(EXIT_DATAERR, &r->templates_dir_pos, "releases.%s.%s."
		    "templates_dir: \"%s\" leaves %s (it resolves to %s)",
		    r->distro, r->version, r->templates_dir, tmpldir, real);
	free(dir);
	free(top);
	free(real);
	return ok;
}

static const struct tmpl *
family_get(const struct family *f, const char *name)
{
	return f ? tmplset_get(&f->set, name) : NULL;
}

static void
family_clear(struct family *f)
{
	tmplset_clear(&f->set);
	free(f->name);
}

/* Partials: the family's folder first, then _shared. */
struct pctx {
	const struct family *fam, *shared;
};

static const struct tmpl *
find_partial(void *arg, const char *name)
{
	const struct pctx *pc = arg;
	const struct tmpl *t;

	if ((t = family_get(pc->fam, name)) != NULL)
		return t;
	return family_get(pc->shared, name);
}

/*
 * A value for use inside double quotes on a LABEL, ENV or ARG line.  Docker
 * expands $ there and takes \ as the escape of '"', '$' and '\' only (any
 * other \x stays two characters, so '`' is not escaped).  The escape
 * character cannot be changed: a header may not hold "# escape=".
 */
static char *
dq_escape(const char *s)
{
	struct buf b = { 0 };

	buf_add(&b, "", 0);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '$')
			buf_putc(&b, '\\');
		buf_putc(&b, *s);
	}
	return b.s;
}

/* Set key and key_quoted (dq_escape) of o to s. */
static void
set_quoted(json_t *o, const char *key, const char *s)
{
	char *q = dq_escape(s), *k = xasprintf("%s_quoted", key);

	json_object_set_new(o, key, json_string(s));
	json_object_set_new(o, k, json_string(q));
	free(k);
	free(q);
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
	set_quoted(o, "requires", k);
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

/* Context parts shared by every image of a release or a package. */
struct shared {
	const struct release	*rel;
	json_t			*env;		/* envars */
	json_t			**cuda;		/* per CUDA set of the release */
};

static json_t *
envars_json(const struct release *r)
{
	json_t *env = json_array();
	char *q;
	size_t i;

	for (i = 0; i < r->nenv; i++) {
		q = dq_escape(r->env[i].value);
		json_array_append_new(env, json_pack("{s:s, s:s, s:s}", "name",
		    r->env[i].name, "value", r->env[i].value, "quoted", q));
		free(q);
	}
	return env;
}

/* The template context of one image (see templates/docker/CONTEXT.md). */
static json_t *
image_json(const struct matrix *mx, const struct image *im,
    const struct shared *sh, json_t *engine)
{
	const struct release *r = im->rel;
	json_t *o = json_object();
	char *dr;
	size_t i;

	json_object_set_new(o, "header", json_string(r->header));
	json_object_set_new(o, "package", json_string(im->pkg->name));
	json_object_set(o, "engine", engine);
	json_object_set_new(o, "release_type", json_string(rtype_names[im->type]));
	json_object_set_new(o, "distro", json_string(r->distro));
	json_object_set_new(o, "distro_version", json_string(r->version));
	dr = xasprintf("%s%s", r->distro, r->version);
	json_object_set_new(o, "distro_release", json_string(dr));
	free(dr);
	set_quoted(o, "base_image", r->base_image);
	if (im->type == RT_BASE)
		json_object_set_new(o, "base_ref", json_false());
	else
		json_object_set_new(o, "base_ref", json_string(mx->img[im->base].ref));
	json_object_set_new(o, "suffixes", json_string(r->add_to_tags));
	json_object_set_new(o, "multistage", json_boolean(r->multistage));
	json_object_set(o, "envars", sh->env);
	json_object_set_new(o, "tags", str_array(im->tags, im->ntags));
	if (im->cuda == NULL)
		json_object_set_new(o, "cuda", json_false());
	else
		for (i = 0; i < r->ncuda; i++)
			if (r->cuda[i] == im->cuda)
				json_object_set(o, "cuda", sh->cuda[i]);
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

/* Everything the render workers share (read only while they run, but for
 * each image's own dockerfile and each worker's own scratch buffer). */
struct job {
	const struct manifest	*m;
	struct matrix		*mx;
	struct family		*fams, shared_tmpl;
	size_t			 nfam, nsh;
	struct shared		*shs;
	size_t			*fam, *sh;	/* per image: its family, its shared parts */
	json_t			**engines;	/* per manifest package */
	struct buf		*scratch;	/* per worker */
	_Atomic int		 failed;
};

/* Image i into its dockerfile buffer (a pool item). */
static void
render_one(void *arg, size_t i, int worker)
{
	struct job *j = arg;
	struct image *im = &j->mx->img[i];
	struct buf *b = &j->scratch[worker];
	struct render_opts ro = { 0 };
	struct pctx pc;
	json_t *ctx;

	if (atomic_load(&j->failed))
		return;
	pc.fam = &j->fams[j->fam[i]];
	pc.shared = &j->shared_tmpl;
	ro.partial = find_partial;
	ro.partial_arg = &pc;
	ctx = image_json(j->mx, im, &j->shs[j->sh[i]],
	    j->engines[im->pkg - j->m->pkg]);
	buf_reset(b);
	buf_free(&im->dockerfile);
	if (!tmpl_render(family_get(pc.fam, rtype_names[im->type]), ctx, &ro, b))
		atomic_store(&j->failed, 1);
	else
		add_marker(b, &im->dockerfile);
	json_decref(ctx);
}

/* The engine part of the contexts, per manifest package (false when the
 * package describes no engine). */
static json_t **
engine_ctxs(const struct manifest *m)
{
	json_t **engines = xcalloc(m->npkg ? m->npkg : 1, sizeof(*engines));
	const struct engine *e;
	size_t i;

	for (i = 0; i < m->npkg; i++) {
		e = manifest_engine(m, m->pkg[i].name);
		if (e == NULL) {
			engines[i] = json_false();
			continue;
		}
		engines[i] = json_pack("{s:s, s:s, s:s}", "id", e->id, "name",
		    e->name, "description", e->description);
		set_quoted(engines[i], "homepage", e->homepage);
	}
	return engines;
}

/*
 * The family of image i, loaded the first time a release names it (a
 * folder outside tmpldir is named, so that it is reported once, and not
 * read).  A missing template is reported only while nothing else failed
 * (quiet clear): after a failure it would mostly repeat it.  Returns 1, or
 * 0 after reporting.
 */
static int
image_family(struct job *j, const char *tmpldir, size_t i, int quiet)
{
	const struct image *im = &j->mx->img[i];
	struct family *f;
	char *path;
	size_t k;
	int ok = 1;

	for (k = 0; k < j->nfam; k++)
		if (strcmp(j->fams[k].name, im->rel->templates_dir) == 0)
			break;
	if (k == j->nfam) {
		j->fams = xrealloc(j->fams, (j->nfam + 1) * sizeof(*j->fams));
		f = &j->fams[j->nfam++];
		memset(f, 0, sizeof(*f));
		if (!family_inside(tmpldir, im->rel)) {
			f->name = xstrdup(im->rel->templates_dir);
			return 0;
		}
		ok = family_load(f, tmpldir, im->rel->templates_dir);
	}
	j->fam[i] = k;
	if (ok && !quiet &&
	    family_get(&j->fams[k], rtype_names[im->type]) == NULL) {
		path = xasprintf("%s/%s/%s.mustache", tmpldir,
		    im->rel->templates_dir, rtype_names[im->type]);
		diag(EXIT_DATAERR, &im->rel->pos, "releases.%s.%s: no "
		    "template %s for %s", im->rel->distro, im->rel->version,
		    path, im->path);
		free(path);
		ok = 0;
	}
	return ok;
}

/* The context parts of image i's release, built the first time. */
static void
image_shared(struct job *j, size_t i)
{
	const struct release *r = j->mx->img[i].rel;
	struct shared *sh;
	size_t k;

	for (k = 0; k < j->nsh; k++)
		if (j->shs[k].rel == r)
			break;
	if (k == j->nsh) {
		j->shs = xrealloc(j->shs, (j->nsh + 1) * sizeof(*j->shs));
		sh = &j->shs[j->nsh++];
		sh->rel = r;
		sh->env = envars_json(r);
		sh->cuda = xcalloc(r->ncuda ? r->ncuda : 1, sizeof(json_t *));
		for (size_t c = 0; c < r->ncuda; c++)
			sh->cuda[c] = cuda_json(r, r->cuda[c]);
	}
	j->sh[i] = k;
}

static void
job_clear(struct job *j)
{
	size_t i, k;
	int w;

	for (i = 0; i < j->nsh; i++) {
		json_decref(j->shs[i].env);
		for (k = 0; k < j->shs[i].rel->ncuda; k++)
			json_decref(j->shs[i].cuda[k]);
		free(j->shs[i].cuda);
	}
	free(j->shs);
	for (i = 0; j->engines != NULL && i < j->m->npkg; i++)
		json_decref(j->engines[i]);
	free(j->engines);
	for (i = 0; i < j->nfam; i++)
		family_clear(&j->fams[i]);
	free(j->fams);
	family_clear(&j->shared_tmpl);
	for (w = 0; j->scratch != NULL && w < 64; w++)
		buf_free(&j->scratch[w]);
	free(j->scratch);
	free(j->fam);
	free(j->sh);
}

/* generated/images.json into the set. */
static void
add_images_json(const struct matrix *mx, const char *gendir, struct outset *out)
{
	struct buf f = { 0 };
	json_t *ij = images_json(mx, gendir);

	buf_reserve(&f, 1024 * mx->n + 64);
	json_dump_callback(ij, buf_json_cb, &f, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER);
	json_decref(ij);
	buf_putc(&f, '\n');
	outset_add(out, "images.json", &f);
}

/*
 * Templates are loaded once per family before rendering; each release's
 * context parts are built once and shared by its images; images render in
 * the worker pool into their own dockerfile buffers (kept in the matrix for
 * the catalog), copied into the set in matrix order.
 */
int
docker_generate(const struct manifest *m, struct matrix *mx,
    const char *tmpldir, const char *gendir, int jobs, struct outset *out)
{
	struct job j;
	struct buf copy;
	size_t i, nt;
	int ok;

	memset(&j, 0, sizeof(j));
	j.m = m;
	j.mx = mx;
	j.fam = xcalloc(mx->n ? mx->n : 1, sizeof(*j.fam));
	j.sh = xcalloc(mx->n ? mx->n : 1, sizeof(*j.sh));
	j.engines = engine_ctxs(m);
	j.scratch = xcalloc(64, sizeof(*j.scratch));
	ok = family_load(&j.shared_tmpl, tmpldir, "_shared");
	for (i = 0; i < mx->n; i++) {
		if (!image_family(&j, tmpldir, i, !ok))
			ok = 0;
		image_shared(&j, i);
	}
	if (ok) {
		/* Small matrices are not worth a thread. */
		nt = (size_t)pool_size(jobs);
		if (nt > mx->n / 64 + 1)
			nt = mx->n / 64 + 1;
		pool_run(mx->n, (int)nt, render_one, &j);
		ok = !atomic_load(&j.failed);
	}
	for (i = 0; ok && i < mx->n; i++) {
		memset(&copy, 0, sizeof(copy));
		buf_add(&copy, mx->img[i].dockerfile.s, mx->img[i].dockerfile.len);
		outset_add(out, mx->img[i].path, &copy);
	}
	if (ok)
		add_images_json(mx, gendir, out);
	job_clear(&j);
	return ok;
}
