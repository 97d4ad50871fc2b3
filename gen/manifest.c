/*
 * manifest.c - manifest.yml as a typed, validated model.
 *
 * Validation reports every problem it finds, each as
 * "file:line:col: path: message" naming the offending value, and only then
 * fails.  Nothing about distros is hard-coded: releases: defines them.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "manifest.h"

const char *const rtype_names[RT__MAX] = { "base", "devel", "runtime", "cudnn" };

static const char *const top_keys[] = { "repository", "cuda_dependencies",
    "release_spec", "tag_spec", "packages", "releases", "engines", "site",
    "platforms", NULL };
static const char *const plat_keys[] = { "os", "arch", "accelerators", NULL };
static const char *const repo_keys[] = { "only_if", "user", "pwd", "registry",
    NULL };
static const char *const spec_keys[] = { "templates_dir", "base_image",
    "add_to_tags", "multistage_image", "header", "envars", "cuda_prefix_url",
    "cuda_requires", "cuda", NULL };
static const char *const type_keys_base[] = { "devel", "runtime", "cudnn",
    "base", NULL };
static const char *const tag_keys[] = { "fmt", "cuda_fmt", NULL };
static const char *const engine_keys[] = { "name", "description", "readme",
    "model_formats", "homepage", NULL };
static const char *const site_keys[] = { "title", "base_url", "url", NULL };

/*
 * A name -> index hash map (open addressing; names borrowed), so that
 * looking up what long lists name stays linear: distros, packages, CUDA
 * sets, envars.
 */
struct nameidx {
	size_t		 n, cap;	/* cap: 0 or a power of two */
	struct slot {
		const char	*name;	/* NULL: free */
		size_t		 i;
	}		*v;
};

/*
 * Loading state: the model under construction, whether all is well, the
 * repository (the manifest's folder, canonical) that every path must stay
 * in, and the problems reported (check.h).
 */
struct ld {
	struct manifest	*m;
	int		 ok;
	char		*repo;
	struct nameidx	 distros, pkgs, cudas;	/* into m->dist, pkg, cuda */
	struct check	 c;
};

static uint64_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

/* The index stored for name, or -1. */
static long
nameidx_get(const struct nameidx *x, const char *name)
{
	size_t j;

	if (x->cap == 0)
		return -1;
	for (j = name_hash(name) & (x->cap - 1); x->v[j].name != NULL;
	    j = (j + 1) & (x->cap - 1))
		if (strcmp(x->v[j].name, name) == 0)
			return (long)x->v[j].i;
	return -1;
}

/* Store name -> i (a name already there keeps its index). */
static void
nameidx_put(struct nameidx *x, const char *name, size_t i)
{
	struct slot *old = x->v;
	size_t j, k, oldcap = x->cap;

	if (nameidx_get(x, name) >= 0)
		return;
	if (2 * (x->n + 1) > x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->v = xcalloc(x->cap, sizeof(*x->v));
		for (k = 0; k < oldcap; k++) {
			if (old[k].name == NULL)
				continue;
			for (j = name_hash(old[k].name) & (x->cap - 1);
			    x->v[j].name != NULL; j = (j + 1) & (x->cap - 1))
				continue;
			x->v[j] = old[k];
		}
		free(old);
	}
	for (j = name_hash(name) & (x->cap - 1); x->v[j].name != NULL;
	    j = (j + 1) & (x->cap - 1))
		continue;
	x->v[j].name = name;
	x->v[j].i = i;
	x->n++;
}

static void
nameidx_free(struct nameidx *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

/* Report at node n's place (n may be NULL), or at a place; with a
 * suggestion (NULL: none). */
static void
bad_at(struct ld *ld, const struct pos *at, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
bad_at(struct ld *ld, const struct pos *at, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vbad(&ld->c, at, path, NULL, fmt, ap);
	va_end(ap);
}

static void
bad(struct ld *ld, const struct ynode *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
bad(struct ld *ld, const struct ynode *n, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vbad(&ld->c, n != NULL ? &n->pos : NULL, path, NULL, fmt, ap);
	va_end(ap);
}

static void
bad_near(struct ld *ld, const struct ynode *n, const char *path,
    const char *near, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
bad_near(struct ld *ld, const struct ynode *n, const char *path,
    const char *near, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vbad(&ld->c, n != NULL ? &n->pos : NULL, path, near, fmt, ap);
	va_end(ap);
}

enum { OPT = 0, REQ = 1 };
enum { TEXT = 0, LINE = 1 };

/*
 * A string field.  Missing gives "" (or an error when required); anything
 * but a string (see want_str) is an error; LINE values may hold no newline
 * or control character.  Sets *out (owned) and returns the value node, or
 * NULL when it is missing or was reported.
 */
static const struct ynode *
get_str(struct ld *ld, const struct ynode *map, const char *key,
    const char *path, int req, int line, char **out)
{
	const struct ynode *n = ymap_get(map, key);
	char *p;

	*out = NULL;
	if (n == NULL) {
		*out = xstrdup("");
		if (req)
			bad(ld, map, path, "missing required key '%s'", key);
		return NULL;
	}
	p = path_join(path, key);
	if (!check_str(&ld->c, n, p, "a string")) {
		*out = xstrdup("");
		free(p);
		return NULL;
	}
	if (strlen(n->str) != n->len || !text_clean(n->str, line)) {
		bad(ld, n, p, "%s contains a %s; this value must be one line of "
		    "text", shown(n->str), strchr(n->str, '\n') ? "newline" :
		    "control character");
		n = NULL;	/* reported: no further checks on it */
	} else if (req && *n->str == '\0')
		bad(ld, n, p, "must not be empty");
	*out = xstrdup(n ? n->str : "");
	free(p);
	return n;
}

static int
match_name(const char *s, int upper)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!(upper ? (isupper(*p) || *p == '_') : (isalpha(*p) || *p == '_')))
		return 0;
	for (p++; *p; p++)
		if (!(upper ? (isupper(*p) || isdigit(*p) || *p == '_') :
		    (isalnum(*p) || *p == '_')))
			return 0;
	return 1;
}

/* Lower-case names as used for packages, distros and engine ids. */
static int
match_id(const char *s, const char *extra)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!(islower(*p) || isdigit(*p)))
		return 0;
	for (; *p; p++)
		if (!(islower(*p) || isdigit(*p) || strchr(extra, *p) != NULL))
			return 0;
	return 1;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* MAJOR.MINOR.PATCH with any number of digits in each. */
static int
split_cuda_version(const char *v, char **ma, char **mi, char **pa)
{
	const char *d1 = strchr(v, '.'), *d2;

	if (d1 == NULL || (d2 = strchr(d1 + 1, '.')) == NULL)
		return 0;
	if (!all_digits(v, (size_t)(d1 - v)) ||
	    !all_digits(d1 + 1, (size_t)(d2 - d1 - 1)) ||
	    !all_digits(d2 + 1, strlen(d2 + 1)))
		return 0;
	if (ma != NULL) {
		*ma = xstrndup(v, (size_t)(d1 - v));
		*mi = xstrndup(d1 + 1, (size_t)(d2 - d1 - 1));
		*pa = xstrdup(d2 + 1);
	}
	return 1;
}

static int
is_cudnn(const char *name)
{
	return strncmp(name, "cudnn", 5) == 0 && all_digits(name + 5, strlen(name + 5));
}

static void
cudaset_clear(struct cudaset *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncomp; i++) {
		free(c->comp[i].name);
		free(c->comp[i].version);
	}
	free(c->comp);
	free(c->version);
	free(c->major);
	free(c->minor);
	free(c->patch);
	memset(c, 0, sizeof(*c));
}

/* The components of one CUDA set (a mapping of name -> package version). */
static void
parse_components(struct ld *ld, const struct ynode *map, const char *path,
    struct cudaset *c)
{
	const struct ynode *k, *v;
	char *p;
	size_t i;

	c->cudnn = -1;
	c->comp = xcalloc(map->n, sizeof(*c->comp));
	for (i = 0; i < map->n; i++) {
		k = map->keys[i];
		v = map->items[i];
		p = path_join(path, k->str);
		if (!match_id(k->str, "-_.")) {
			bad(ld, k, path, "component name %s is not a package name "
			    "(lower-case letters, digits, '-', '_', '.')", shown(k->str));
		} else if (v->kind == Y_SCALAR && yscalar_is_null(v)) {
			bad(ld, v, p, "needs a package version (e.g. 12.4.127-1)");
		} else if (!check_str(&ld->c, v, p, "a package version string")) {
			/* reported */
		} else if (*v->str == '\0') {
			bad(ld, v, p, "needs a package version (e.g. 12.4.127-1)");
		} else if (strcspn(v->str, " \t\r\n\"'\\$`") != v->len ||
		    !text_clean(v->str, LINE)) {
			bad(ld, v, p, "%s is not a package version", shown(v->str));
		} else if (is_cudnn(k->str) && c->cudnn >= 0) {
			bad(ld, k, path, "more than one cuDNN component: '%s' and '%s'",
			    c->comp[c->cudnn].name, k->str);
		} else {
			if (is_cudnn(k->str))
				c->cudnn = (int)c->ncomp;
			c->comp[c->ncomp].name = xstrdup(k->str);
			c->comp[c->ncomp].version = xstrdup(v->str);
			c->ncomp++;
		}
		free(p);
	}
}

static void
parse_cuda_deps(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;
	struct cudaset *c;
	const struct ynode *k, *v;
	char *p;
	size_t i;

	if (!check_kind(&ld->c, map, "cuda_dependencies", Y_MAP))
		return;
	m->cuda = xcalloc(map->n, sizeof(*m->cuda));
	for (i = 0; i < map->n; i++) {
		k = map->keys[i];
		v = map->items[i];
		p = path_join("cuda_dependencies", k->str);
		c = &m->cuda[m->ncuda];
		if (!split_cuda_version(k->str, &c->major, &c->minor, &c->patch)) {
			bad(ld, k, "cuda_dependencies", "%s is not a CUDA version "
			    "(expected MAJOR.MINOR.PATCH, e.g. 12.4.1)", shown(k->str));
			free(p);
			continue;
		}
		if (!check_kind(&ld->c, v, p, Y_MAP)) {
			cudaset_clear(c);
			free(p);
			continue;
		}
		c->version = xstrdup(k->str);
		c->node = v;
		c->pos = k->pos;
		parse_components(ld, v, p, c);
		nameidx_put(&ld->cudas, c->version, m->ncuda++);
		free(p);
	}
}

static struct cudaset *
find_cuda(const struct ld *ld, const char *version)
{
	long i = nameidx_get(&ld->cudas, version);

	return i < 0 ? NULL : &ld->m->cuda[i];
}

static struct cudaset *
cudaset_copy(const struct cudaset *c)
{
	struct cudaset *d = xcalloc(1, sizeof(*d));
	size_t i;

	d->version = xstrdup(c->version);
	d->major = xstrdup(c->major);
	d->minor = xstrdup(c->minor);
	d->patch = xstrdup(c->patch);
	d->cudnn = c->cudnn;
	d->node = c->node;
	d->pos = c->pos;
	d->ncomp = c->ncomp;
	d->comp = xcalloc(c->ncomp, sizeof(*d->comp));
	for (i = 0; i < c->ncomp; i++) {
		d->comp[i].name = xstrdup(c->comp[i].name);
		d->comp[i].version = xstrdup(c->comp[i].version);
	}
	return d;
}

/* Suggest the nearest CUDA version for a name that is not defined. */
static void
bad_cuda_ref(struct ld *ld, const struct ynode *n, const char *path)
{
	const char **names = NULL;
	const char *near = NULL;
	size_t i;

	if (check_hint(&ld->c)) {
		names = xcalloc(ld->m->ncuda + 1, sizeof(*names));
		for (i = 0; i < ld->m->ncuda; i++)
			names[i] = ld->m->cuda[i].version;
		near = nearest(n->str, names);
	}
	bad_near(ld, n, path, near, "CUDA release %s is not in "
	    "cuda_dependencies", shown(n->str));
	free(names);
}

static void
add_cuda(struct ld *ld, struct release *r, const struct ynode *at,
    const char *path, struct cudaset *c)
{
	size_t i;

	for (i = 0; i < r->ncuda; i++)
		if (strcmp(r->cuda[i]->version, c->version) == 0) {
			bad(ld, at, path, "CUDA release %s is listed twice",
			    shown(c->version));
			cudaset_clear(c);
			free(c);
			return;
		}
	r->cuda = xrealloc(r->cuda, (r->ncuda + 1) * sizeof(*r->cuda));
	r->cuda[r->ncuda++] = c;
}

/*
 * A release's cuda: off (null, "", [] or {}), a version, a list of versions,
 * or a mapping merged from a cuda_dependencies set (BentoML's form, where
 * overrides of single components are allowed).
 */
static void
parse_release_cuda(struct ld *ld, const struct ynode *n, const char *path,
    struct release *r)
{
	const struct manifest *m = ld->m;
	const struct cudaset *src = NULL;
	struct cudaset *c;
	size_t i, j, k;

	if (n == NULL || (n->kind == Y_SCALAR && (yscalar_is_null(n) ||
	    *n->str == '\0')))
		return;
	if (n->kind == Y_SCALAR) {
		if (!check_str(&ld->c, n, path, "a CUDA version string"))
			return;
		if ((src = find_cuda(ld, n->str)) == NULL)
			bad_cuda_ref(ld, n, path);
		else
			add_cuda(ld, r, n, path, cudaset_copy(src));
		return;
	}
	if (n->kind == Y_SEQ) {
		for (i = 0; i < n->n; i++) {
			const struct ynode *it = n->items[i];

			if (!check_str(&ld->c, it, path, "a CUDA version string"))
				continue;
			if ((src = find_cuda(ld, it->str)) == NULL)
				bad_cuda_ref(ld, it, path);
			else
				add_cuda(ld, r, it, path, cudaset_copy(src));
		}
		return;
	}
	if (n->n == 0)
		return;
	/* A mapping: which set was merged in, or which set it equals. */
	for (i = 0; i < n->nmerged && src == NULL; i++)
		for (j = 0; j < m->ncuda; j++)
			if (n->merged[i] == m->cuda[j].node) {
				src = &m->cuda[j];
				break;
			}
	for (j = 0; j < m->ncuda && src == NULL; j++) {
		const struct cudaset *s = &m->cuda[j];

		if (s->ncomp != n->n)
			continue;
		for (k = 0; k < n->n; k++) {
			const struct ynode *v = ymap_get(s->node, n->keys[k]->str);

			if (v == NULL || v->kind != Y_SCALAR ||
			    n->items[k]->kind != Y_SCALAR ||
			    strcmp(v->str, n->items[k]->str) != 0)
				break;
		}
		if (k == n->n)
			src = s;
	}
	if (src == NULL) {
		bad(ld, n, path, "this mapping is none of the cuda_dependencies "
		    "sets; merge one (<<: *anchor) or list versions ([12.4.1])");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->version = xstrdup(src->version);
	c->major = xstrdup(src->major);
	c->minor = xstrdup(src->minor);
	c->patch = xstrdup(src->patch);
	c->node = src->node;
	c->pos = n->pos;
	parse_components(ld, n, path, c);
	add_cuda(ld, r, n, path, c);
}

static void
release_clear(struct release *r)
{
	size_t i;

	free(r->distro);
	free(r->version);
	free(r->templates_dir);
	free(r->base_image);
	free(r->add_to_tags);
	free(r->header);
	free(r->cuda_prefix_url);
	free(r->cuda_requires);
	for (i = 0; i < r->nenv; i++) {
		free(r->env[i].name);
		free(r->env[i].value);
	}
	free(r->env);
	for (i = 0; i < r->ncuda; i++) {
		cudaset_clear(r->cuda[i]);
		free(r->cuda[i]);
	}
	free(r->cuda);
	memset(r, 0, sizeof(*r));
}

static void
parse_envars(struct ld *ld, const struct ynode *n, const char *path,
    struct release *r)
{
	const struct ynode *it;
	struct nameidx names = { 0 };	/* into r->env */
	const char *eq;
	char *name;
	size_t i;

	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return;
	if (!check_kind(&ld->c, n, path, Y_SEQ))
		return;
	r->env = xcalloc(n->n, sizeof(*r->env));
	for (i = 0; i < n->n; i++) {
		it = n->items[i];
		if (!check_str(&ld->c, it, path, "NAME=value"))
			continue;
		if ((eq = strchr(it->str, '=')) == NULL) {
			bad(ld, it, path, "%s is not NAME=value", shown(it->str));
			continue;
		}
		name = xstrndup(it->str, (size_t)(eq - it->str));
		if (!match_name(name, 1)) {
			bad(ld, it, path, "%s: the name %s must be upper-case letters, "
			    "digits and '_', not starting with a digit",
			    shown(it->str), shown(name));
			free(name);
			continue;
		}
		if (strlen(it->str) != it->len || !text_clean(eq + 1, LINE)) {
			bad(ld, it, path, "%s contains a %s; this value must be one "
			    "line of text", shown(it->str), strchr(eq, '\n') ?
			    "newline" : "control character");
			free(name);
			continue;
		}
		if (nameidx_get(&names, name) >= 0) {
			bad(ld, it, path, "%s is set twice", name);
			free(name);
			continue;
		}
		nameidx_put(&names, name, r->nenv);
		r->env[r->nenv].name = name;
		r->env[r->nenv].value = xstrdup(eq + 1);
		r->nenv++;
	}
	nameidx_free(&names);
}

/* Does a relative path climb out of its folder by its ".." alone? */
static int
climbs_out(const char *rel)
{
	const char *c = rel, *e;
	long depth = 0;

	for (; *c; c = *e ? e + 1 : e) {
		if ((e = strchr(c, '/')) == NULL)
			e = c + strlen(c);
		if (e - c == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (e > c && !(e - c == 1 && c[0] == '.'))
			depth++;
	}
	return 0;
}

/*
 * The canonical path of what rel (relative to the manifest's folder) names,
 * or NULL after reporting at n: a path that leaves the repository (also
 * through a symbolic link), an absolute path (even one inside).
 */
static char *
repo_path(struct ld *ld, const struct ynode *n, const char *path,
    const char *rel)
{
	char *full, *canon;

	full = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", ld->m->dir, rel);
	canon = path_canon(full);
	free(full);
	if (!path_within(canon, ld->repo)) {
		if (rel[0] == '/' || climbs_out(rel))
			bad(ld, n, path, "%s leaves the repository", shown(rel));
		else
			bad(ld, n, path, "%s leaves the repository through a "
			    "symbolic link (to %s)", shown(rel), shown(canon));
	} else if (rel[0] == '/')
		bad(ld, n, path, "%s is an absolute path; give it relative to "
		    "the manifest's folder", shown(rel));
	else
		return canon;
	free(canon);
	return NULL;
}

/*
 * A file the manifest names, such as a readme: inside the repository, and
 * a regular file of at most GEN_MAX_README bytes.  Returns its canonical
 * path (owned), or NULL after reporting at n.
 */
static char *
repo_file(struct ld *ld, const struct ynode *n, const char *path,
    const char *rel)
{
	struct stat st;
	char *canon;

	if ((canon = repo_path(ld, n, path, rel)) == NULL)
		return NULL;
	if (stat(canon, &st) == -1) {
		if (errno == ENOENT)
			bad(ld, n, path, "%s does not exist (paths are relative "
			    "to the manifest's folder)", shown(rel));
		else
			bad(ld, n, path, "%s cannot be read: %s", shown(rel),
			    strerror(errno));
	} else if (!S_ISREG(st.st_mode))
		bad(ld, n, path, "%s is %s, expected a regular file", shown(rel),
		    file_kind(st.st_mode));
	else if ((unsigned long long)st.st_size > GEN_MAX_README) {
		_Static_assert(GEN_MAX_README % (1u << 20) == 0, "said in MiB");
		bad(ld, n, path, "%s is larger than %u MiB, the limit for a "
		    "readme", shown(rel), GEN_MAX_README >> 20);
	} else if (access(canon, R_OK) == -1)
		bad(ld, n, path, "%s cannot be read: %s", shown(rel),
		    strerror(errno));
	else
		return canon;
	free(canon);
	return NULL;
}

/*
 * templates_dir: a folder name under templates/docker/ (no "..", not
 * absolute) that stays in the repository when the repository's own
 * templates/docker/ holds it, symbolic links resolved.  (docker.c checks
 * the same of the templates folder it is given.)
 */
static void
check_family(struct ld *ld, const struct ynode *n, const char *path,
    const char *dir)
{
	char *rel;

	if (!match_id(dir, "-_./") || strstr(dir, "..") != NULL) {
		bad(ld, n, path, "%s is not a template family name (a folder "
		    "under templates/docker/)", shown(dir));
		return;
	}
	rel = xasprintf("templates/docker/%s", dir);
	free(repo_path(ld, n, path, rel));
	free(rel);
}

/*
 * "#", blanks, a word, blanks, "=": what Docker reads as a parser
 * directive (# syntax=, # escape=, # check=) at the top of a file.  Returns
 * the length of the word (its start in *word), or 0.
 */
static size_t
directive_word(const char *line, size_t len, const char **word)
{
	size_t i = 1, w;

	if (len == 0 || line[0] != '#')
		return 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	for (w = i; i < len && (isalnum((unsigned char)line[i]) ||
	    line[i] == '_' || line[i] == '-'); i++)
		continue;
	*word = line + w;
	if (i == w)
		return 0;
	w = i - w;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] == '=' ? w : 0;
}

/*
 * What is wrong with a directive line of a header, or NULL.  Only the
 * official frontend may be named ("# syntax=docker/dockerfile:1", as
 * BentoML's headers do), and only in the header's first lines, where
 * Docker reads it (gen puts its generated-file line after it).  "# escape="
 * would change how every value gen quotes is read; any other frontend is
 * an image that runs at build time.
 */
static const char *
directive_problem(const char *line, size_t len, int at_top, int *seen)
{
	const char *word, *v;
	size_t w = directive_word(line, len, &word), n;

	if (w == 0)
		return NULL;
	if (w != 6 || strncasecmp(word, "syntax", 6) != 0)
		return "is a Dockerfile parser directive; a header may set only "
		    "# syntax=docker/dockerfile:VERSION";
	if (!at_top)
		return "is a parser directive after other lines, where Docker "
		    "ignores it; put it first in the header";
	if ((*seen)++)
		return "names the frontend a second time; Docker refuses that";
	v = strchr(word, '=') + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	n = len - (size_t)(v - line);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n > 9 && strncmp(v, "docker.io/", 10) == 0) {
		v += 10;
		n -= 10;
	}
	if (n <= 18 || strncmp(v, "docker/dockerfile:", 18) != 0 ||
	    strspn(v + 18, "0123456789abcdefghijklmnopqrstuvwxyz.-") != n - 18)
		return "picks a build frontend other than docker/dockerfile:VERSION "
		    "(an image that would run at build time)";
	return NULL;
}

/*
 * A header is comment or blank lines; a parser directive only as
 * directive_problem() allows.  Each bad line is reported at its own line
 * when the header is a literal block ("|"), else at the header with its
 * line number.
 */
static void
check_header(struct ld *ld, const struct ynode *n, const char *path,
    const char *h)
{
	const char *line, *nl, *why, *word;
	struct pos at;
	size_t k;
	char *l, *which;
	int top = 1, seen = 0;

	for (line = h, k = 0; *line; line = nl + 1, k++) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		why = NULL;
		if (nl > line && line[0] != '#')
			why = "is not a comment; header lines must start with "
			    "'#' or be blank";
		else
			why = directive_problem(line, (size_t)(nl - line), top,
			    &seen);
		/* Directives count only before any other line. */
		if (!directive_word(line, (size_t)(nl - line), &word))
			top = 0;
		if (why != NULL) {
			which = yscalar_line_pos(n, k, &at) ? xstrdup("") :
			    xasprintf("line %zu ", k + 1);
			l = xstrndup(line, (size_t)(nl - line));
			bad_at(ld, &at, path, "%s%s %s", which, shown(l), why);
			free(l);
			free(which);
		}
		if (*nl == '\0')
			break;
	}
}

/*
 * One release spec (a release or the release_spec template).  tmpl relaxes
 * the values a template may leave empty.
 */
static void
parse_spec(struct ld *ld, const struct ynode *map, const char *path,
    struct release *r, int tmpl)
{
	const struct ynode *n;
	char *p;

	if (!check_kind(&ld->c, map, path, Y_MAP))
		return;
	check_keys(&ld->c, map, path, spec_keys);
	n = get_str(ld, map, "templates_dir", path, tmpl ? OPT : REQ, LINE,
	    &r->templates_dir);
	if (n != NULL && *r->templates_dir) {
		r->templates_dir_pos = n->pos;
		p = path_join(path, "templates_dir");
		check_family(ld, n, p, r->templates_dir);
		free(p);
	}
	n = get_str(ld, map, "base_image", path, tmpl ? OPT : REQ, LINE, &r->base_image);
	if (n != NULL && *r->base_image && strpbrk(r->base_image, " \t\"'\\$`") != NULL) {
		p = path_join(path, "base_image");
		bad(ld, n, p, "%s is not an image reference", shown(r->base_image));
		free(p);
	}
	n = get_str(ld, map, "add_to_tags", path, OPT, LINE, &r->add_to_tags);
	if (n != NULL && strspn(r->add_to_tags, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.") != strlen(r->add_to_tags)) {
		p = path_join(path, "add_to_tags");
		bad(ld, n, p, "%s cannot be part of an image tag (lower-case "
		    "letters, digits, '-', '_', '.')", shown(r->add_to_tags));
		free(p);
	}
	n = get_str(ld, map, "header", path, OPT, TEXT, &r->header);
	if (n != NULL && *r->header) {
		p = path_join(path, "header");
		check_header(ld, n, p, r->header);
		free(p);
	}
	get_str(ld, map, "cuda_prefix_url", path, OPT, LINE, &r->cuda_prefix_url);
	if (*r->cuda_prefix_url && !match_id(r->cuda_prefix_url, "-_.") &&
	    (n = ymap_get(map, "cuda_prefix_url")) != NULL) {
		p = path_join(path, "cuda_prefix_url");
		bad(ld, n, p, "%s is not a repository folder name such as "
		    "ubuntu2204 or rhel9", shown(r->cuda_prefix_url));
		free(p);
	}
	n = get_str(ld, map, "cuda_requires", path, OPT, LINE, &r->cuda_requires);
	if (n != NULL && strpbrk(r->cuda_requires, "\"\\$`") != NULL) {
		p = path_join(path, "cuda_requires");
		bad(ld, n, p, "%s may not hold quotes, '\\', '$' or '`'",
		    shown(r->cuda_requires));
		free(p);
	} else if (n != NULL) {
		static const char *const req_fields[] = { "cuda_version",
		    "cuda_short", "cuda_major", NULL };
		const char *q = r->cuda_requires, *e;

		p = path_join(path, "cuda_requires");
		while ((q = strchr(q, '{')) != NULL) {
			char *f;
			const char *const *rf;

			if ((e = strchr(q, '}')) == NULL) {
				bad(ld, n, p, "%s has an unclosed '{'", shown(r->cuda_requires));
				break;
			}
			f = xstrndup(q + 1, (size_t)(e - q - 1));
			for (rf = req_fields; *rf && strcmp(*rf, f); rf++)
				;
			if (*rf == NULL)
				bad(ld, n, p, "unknown field {%s}; the fields are "
				    "{cuda_version}, {cuda_short} and {cuda_major}", f);
			free(f);
			q = e + 1;
		}
		free(p);
	}

	r->multistage = 1;
	if ((n = ymap_get(map, "multistage_image")) != NULL && !yscalar_is_null(n)) {
		p = path_join(path, "multistage_image");
		if (n->kind != Y_SCALAR || strcmp(ynode_what(n), "a boolean") != 0)
			bad(ld, n, p, "expected true or false, got %s%s%s",
			    ynode_what(n), n->kind == Y_SCALAR ? " " : "",
			    n->kind == Y_SCALAR ? shown(n->str) : "");
		else
			r->multistage = (n->str[0] == 't' || n->str[0] == 'T');
		free(p);
	}

	p = path_join(path, "envars");
	parse_envars(ld, ymap_get(map, "envars"), p, r);
	free(p);

	p = path_join(path, "cuda");
	parse_release_cuda(ld, ymap_get(map, "cuda"), p, r);
	if (!tmpl && r->ncuda > 0) {
		if (*r->cuda_prefix_url == '\0')
			bad(ld, map, path, "CUDA is on (%s) but cuda_prefix_url is "
			    "empty", r->cuda[0]->version);
		if (*r->cuda_requires == '\0')
			bad(ld, map, path, "CUDA is on (%s) but cuda_requires is "
			    "empty", r->cuda[0]->version);
	}
	free(p);
}

static void
parse_releases(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;
	const struct ynode *k, *v;
	struct distro *d;
	char *p, *pv;
	size_t i, j;

	if (!check_kind(&ld->c, map, "releases", Y_MAP))
		return;
	m->dist = xcalloc(map->n, sizeof(*m->dist));
	for (i = 0; i < map->n; i++) {
		k = map->keys[i];
		v = map->items[i];
		p = path_join("releases", k->str);
		if (!match_id(k->str, "-_")) {
			bad(ld, k, "releases", "distro name %s must be lower-case "
			    "letters, digits, '-' and '_'", shown(k->str));
			free(p);
			continue;
		}
		if (!check_kind(&ld->c, v, p, Y_MAP)) {
			free(p);
			continue;
		}
		d = &m->dist[m->ndist];
		d->name = xstrdup(k->str);
		nameidx_put(&ld->distros, d->name, m->ndist++);
		d->pos = k->pos;
		d->rel = xcalloc(v->n, sizeof(*d->rel));
		if (v->n == 0)
			bad(ld, v, p, "no releases: give at least one version");
		for (j = 0; j < v->n; j++) {
			const struct ynode *vk = v->keys[j];
			struct release *r = &d->rel[d->n];

			if (!match_id(vk->str, "._-") && !isupper((unsigned char)vk->str[0])) {
				bad(ld, vk, p, "version %s must be letters, digits, "
				    "'.', '_' and '-'", shown(vk->str));
				continue;
			}
			pv = path_join(p, vk->str);
			r->distro = xstrdup(k->str);
			r->version = xstrdup(vk->str);
			r->pos = vk->pos;
			parse_spec(ld, v->items[j], pv, r, 0);
			d->n++;
			free(pv);
		}
		free(p);
	}
}

static struct distro *
find_distro(const struct ld *ld, const char *name)
{
	long i = nameidx_get(&ld->distros, name);

	return i < 0 ? NULL : &ld->m->dist[i];
}

/* Distro lists: a name, or a list whose items may be lists (aliases).
 * listed holds the distros already in pk's list for t. */
static void
flatten_distros(struct ld *ld, const struct ynode *n, const char *path,
    struct package *pk, enum rtype t, struct nameidx *listed, int depth)
{
	const char **names;
	const char *near;
	struct distro *d;
	size_t i;

	if (depth > 32) {
		bad(ld, n, path, "lists nested too deeply");
		return;
	}
	if (n->kind == Y_SEQ) {
		for (i = 0; i < n->n; i++)
			flatten_distros(ld, n->items[i], path, pk, t, listed,
			    depth + 1);
		return;
	}
	if (!check_str(&ld->c, n, path, "a distro name or a list of them"))
		return;
	if ((d = find_distro(ld, n->str)) == NULL) {
		names = NULL;
		near = NULL;
		if (check_hint(&ld->c)) {
			names = xcalloc(ld->m->ndist + 1, sizeof(*names));
			for (i = 0; i < ld->m->ndist; i++)
				names[i] = ld->m->dist[i].name;
			near = nearest(n->str, names);
		}
		bad_near(ld, n, path, near, "distro %s is not defined in releases",
		    shown(n->str));
		free(names);
		return;
	}
	if (nameidx_get(listed, d->name) >= 0)
		return;		/* lists joined by aliases may overlap */
	nameidx_put(listed, d->name, pk->ndist[t]);
	i = pk->ndist[t];
	if ((i & (i - 1)) == 0) {	/* 0, 1, 2, 4...: double the room */
		pk->dist[t] = xrealloc(pk->dist[t], (i ? 2 * i : 1) *
		    sizeof(*pk->dist[t]));
		pk->dpos[t] = xrealloc(pk->dpos[t], (i ? 2 * i : 1) *
		    sizeof(*pk->dpos[t]));
	}
	pk->dpos[t][i] = n->pos;
	pk->dist[t][pk->ndist[t]++] = d;
}

static void
parse_packages(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;
	const struct ynode *k, *v, *tv;
	struct package *pk;
	struct nameidx listed = { 0 };
	char *p, *pt;
	size_t i, j, t;

	if (!check_kind(&ld->c, map, "packages", Y_MAP))
		return;
	m->pkg = xcalloc(map->n, sizeof(*m->pkg));
	if (map->n == 0)
		bad(ld, map, "packages", "no packages: nothing to build");
	for (i = 0; i < map->n; i++) {
		k = map->keys[i];
		v = map->items[i];
		p = path_join("packages", k->str);
		if (!match_id(k->str, "-_.")) {
			bad(ld, k, "packages", "package name %s must be lower-case "
			    "letters, digits, '-', '_' and '.' (it names images)",
			    shown(k->str));
			free(p);
			continue;
		}
		if (!check_kind(&ld->c, v, p, Y_MAP)) {
			free(p);
			continue;
		}
		pk = &m->pkg[m->npkg];
		pk->name = xstrdup(k->str);
		nameidx_put(&ld->pkgs, pk->name, m->npkg++);
		pk->pos = k->pos;
		for (j = 0; j < v->n; j++)
			if (strcmp(v->keys[j]->str, "base") == 0)
				bad(ld, v->keys[j], p, "'base' is implied by the other "
				    "release types; list devel, runtime or cudnn");
		/* 'base' was reported above: keep it out of the generic check. */
		check_keys(&ld->c, v, p, type_keys_base);
		for (t = RT_DEVEL; t < RT__MAX; t++) {
			if ((tv = ymap_get(v, rtype_names[t])) == NULL)
				continue;
			pt = path_join(p, rtype_names[t]);
			flatten_distros(ld, tv, pt, pk, (enum rtype)t, &listed, 0);
			nameidx_free(&listed);
			free(pt);
		}
		if (v->n == 0)
			bad(ld, v, p, "no release types: list devel, runtime or cudnn");
		free(p);
	}
}

static struct package *
find_package(const struct ld *ld, const char *name)
{
	long i = nameidx_get(&ld->pkgs, name);

	return i < 0 ? NULL : &ld->m->pkg[i];
}

/* Environment variable names, never secrets. */
static void
env_name_field(struct ld *ld, const struct ynode *map, const char *key,
    const char *path, int req, char **out)
{
	const struct ynode *n = get_str(ld, map, key, path, req, LINE, out);
	char *p;

	if (n == NULL || **out == '\0' || match_name(*out, 0))
		return;
	p = path_join(path, key);
	bad(ld, n, p, "%s is not an environment variable name; give the name "
	    "of the variable that holds the secret, never the secret", shown(*out));
	free(p);
}

/*
 * An image name as a registry takes it: lower-case letters, digits, '.',
 * '_', '-', '/' (and ':' for a registry's port), without a tag or digest,
 * since gen adds the tags.
 */
static int
valid_image_uri(const char *s)
{
	const char *last = strrchr(s, '/');

	if (*s == '\0' || *s == '/' || s[strlen(s) - 1] == '/' ||
	    strstr(s, "//") != NULL ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-:/") != strlen(s))
		return 0;
	return strchr(last ? last : s, ':') == NULL;
}

static void
parse_repository(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;
	const struct ynode *k, *v, *reg;
	const char **names;
	const char *near;
	struct registry *r;
	char *p, *pr;
	size_t i, j;

	if (!check_kind(&ld->c, map, "repository", Y_MAP))
		return;
	m->reg = xcalloc(map->n, sizeof(*m->reg));
	names = xcalloc(m->npkg + 1, sizeof(*names));
	for (i = 0; i < m->npkg; i++)
		names[i] = m->pkg[i].name;
	for (i = 0; i < map->n; i++) {
		k = map->keys[i];
		v = map->items[i];
		p = path_join("repository", k->str);
		if (!check_kind(&ld->c, v, p, Y_MAP)) {
			free(p);
			continue;
		}
		r = &m->reg[m->nreg++];
		r->host = xstrdup(k->str);
		r->pos = k->pos;
		check_keys(&ld->c, v, p, repo_keys);
		env_name_field(ld, v, "only_if", p, REQ, &r->only_if);
		env_name_field(ld, v, "user", p, OPT, &r->user);
		env_name_field(ld, v, "pwd", p, OPT, &r->pwd);
		pr = path_join(p, "registry");
		if ((reg = ymap_get(v, "registry")) == NULL)
			bad(ld, v, p, "missing required key 'registry'");
		else if (check_kind(&ld->c, reg, pr, Y_MAP)) {
			r->pkg = xcalloc(reg->n, sizeof(*r->pkg));
			r->uri = xcalloc(reg->n, sizeof(*r->uri));
			for (j = 0; j < reg->n; j++) {
				const struct ynode *rk = reg->keys[j], *rv = reg->items[j];

				if (find_package(ld, rk->str) == NULL) {
					near = check_hint(&ld->c) ? nearest(rk->str,
					    names) : NULL;
					bad_near(ld, rk, pr, near, "%s is not a package "
					    "in packages", shown(rk->str));
					continue;
				}
				if (!yscalar_is_str(rv)) {
					char *pp = path_join(pr, rk->str);

					check_str(&ld->c, rv, pp, "an image name");
					free(pp);
					continue;
				}
				if (!valid_image_uri(rv->str)) {
					char *pp = path_join(pr, rk->str);

					bad(ld, rv, pp, "%s is not an image name such as "
					    "docker.io/org/name (lower-case, no tag)",
					    shown(rv->str));
					free(pp);
					continue;
				}
				r->pkg[r->n] = xstrdup(rk->str);
				r->uri[r->n] = xstrdup(rv->str);
				r->n++;
			}
		}
		free(pr);
		free(p);
	}
	free(names);
}

static const char *const tag_fields[] = { "package", "release_type", "distro",
    "distro_version", "suffixes", "cuda_version", "cuda_short", "cuda_major",
    "cudnn_major", NULL };

/*
 * Tag formats: every {field} must be a field that applies (no CUDA fields
 * in fmt), braces must pair, and cuda_fmt must name the CUDA release.
 */
static void
check_tag_fmt(struct ld *ld, const struct ynode *n, const char *path,
    const char *fmt, int cuda)
{
	const char *p, *e, *near;
	char *f;
	int has_rt = 0, has_cuda = 0;

	for (p = fmt; *p; p++) {
		if (*p == '}') {
			bad(ld, n, path, "%s has an unmatched '}'", shown(fmt));
			return;
		}
		if (*p != '{')
			continue;
		if ((e = strchr(p, '}')) == NULL) {
			bad(ld, n, path, "%s has an unclosed '{'", shown(fmt));
			return;
		}
		f = xstrndup(p + 1, (size_t)(e - p - 1));
		if (!strcmp(f, "release_type"))
			has_rt = 1;
		if (!strncmp(f, "cuda_", 5))
			has_cuda = 1;
		near = nearest(f, tag_fields);
		if (near == NULL || strcmp(near, f) != 0) {
			if (near != NULL)
				bad(ld, n, path, "unknown field {%s} in %s; did you "
				    "mean {%s}?", f, shown(fmt), near);
			else
				bad(ld, n, path, "unknown field {%s} in %s", f, shown(fmt));
		} else if (!cuda && (!strncmp(f, "cuda", 4) ||
		    !strcmp(f, "cudnn_major")))
			bad(ld, n, path, "field {%s} applies to CUDA images only; "
			    "use it in cuda_fmt", f);
		free(f);
		p = e;
	}
	if (!has_rt)
		bad(ld, n, path, "%s lacks {release_type}: base, devel and runtime "
		    "images would share tags", shown(fmt));
	if (cuda && !has_cuda)
		bad(ld, n, path, "%s names no CUDA field ({cuda_version} or "
		    "{cuda_short}): CPU and CUDA images would share tags", shown(fmt));
}

static void
parse_tag_spec(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;
	const struct ynode *n;

	if (map == NULL) {
		m->tag_fmt = xstrdup("{release_type}-{distro}{distro_version}");
		m->tag_cuda_fmt = xstrdup("{release_type}-cuda{cuda_version}-"
		    "{distro}{distro_version}");
		return;
	}
	if (!check_kind(&ld->c, map, "tag_spec", Y_MAP)) {
		m->tag_fmt = xstrdup("");
		m->tag_cuda_fmt = xstrdup("");
		return;
	}
	check_keys(&ld->c, map, "tag_spec", tag_keys);
	if ((n = get_str(ld, map, "fmt", "tag_spec", REQ, LINE, &m->tag_fmt)) != NULL) {
		m->tag_fmt_pos = n->pos;
		check_tag_fmt(ld, n, "tag_spec.fmt", m->tag_fmt, 0);
	}
	if ((n = get_str(ld, map, "cuda_fmt", "tag_spec", REQ, LINE,
	    &m->tag_cuda_fmt)) != NULL) {
		m->tag_cuda_fmt_pos = n->pos;
		check_tag_fmt(ld, n, "tag_spec.cuda_fmt", m->tag_cuda_fmt, 1);
	}
}

static int
is_url(const char *s)
{
	return (strncmp(s, "https://", 8) == 0 && s[8] != '\0') ||
	    (strncmp(s, "http://", 7) == 0 && s[7] != '\0');
}

static void
url_field(struct ld *ld, const struct ynode *map, const char *key,
    const char *path, int req, char **out)
{
	const struct ynode *n = get_str(ld, map, key, path, req, LINE, out);
	char *p;

	if (n == NULL || **out == '\0')
		return;
	if (!is_url(*out) || strpbrk(*out, " \"'<>\\`") != NULL) {
		p = path_join(path, key);
		bad(ld, n, p, "%s is not an http(s) URL", shown(*out));
		free(p);
	}
}

static void
parse_engines(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;
	const struct ynode *k, *v, *n;
	struct engine *e;
	char *p, *pp;
	size_t i, j;

	if (!check_kind(&ld->c, map, "engines", Y_MAP))
		return;
	m->eng = xcalloc(map->n, sizeof(*m->eng));
	for (i = 0; i < map->n; i++) {
		k = map->keys[i];
		v = map->items[i];
		p = path_join("engines", k->str);
		if (!match_id(k->str, "-")) {
			bad(ld, k, "engines", "engine id %s must be lower-case letters, "
			    "digits and '-'", shown(k->str));
			free(p);
			continue;
		}
		if (!check_kind(&ld->c, v, p, Y_MAP)) {
			free(p);
			continue;
		}
		e = &m->eng[m->neng++];
		e->id = xstrdup(k->str);
		e->pos = k->pos;
		check_keys(&ld->c, v, p, engine_keys);
		get_str(ld, v, "name", p, REQ, LINE, &e->name);
		get_str(ld, v, "description", p, OPT, LINE, &e->description);
		url_field(ld, v, "homepage", p, OPT, &e->homepage);
		if ((n = get_str(ld, v, "readme", p, OPT, LINE, &e->readme)) !=
		    NULL && *e->readme) {
			pp = path_join(p, "readme");
			e->readme_path = repo_file(ld, n, pp, e->readme);
			free(pp);
		}
		pp = path_join(p, "model_formats");
		if ((n = ymap_get(v, "model_formats")) != NULL &&
		    !(n->kind == Y_SCALAR && yscalar_is_null(n)) &&
		    check_kind(&ld->c, n, pp, Y_SEQ)) {
			e->formats = xcalloc(n->n, sizeof(*e->formats));
			for (j = 0; j < n->n; j++) {
				const struct ynode *f = n->items[j];

				if (!check_str(&ld->c, f, pp, "a model format name"))
					continue;
				if (!match_id(f->str, "-_.")) {
					bad(ld, f, pp, "%s is not a model format name "
					    "(lower-case, e.g. gguf)", shown(f->str));
					continue;
				}
				e->formats[e->nformats++] = xstrdup(f->str);
			}
		}
		free(pp);
		free(p);
	}
}

static void
parse_site(struct ld *ld, const struct ynode *map)
{
	struct manifest *m = ld->m;

	if (map == NULL) {
		m->site_title = xstrdup("Inference engine registry");
		m->site_base_url = xstrdup("");
		m->site_url = xstrdup("");
		return;
	}
	if (!check_kind(&ld->c, map, "site", Y_MAP)) {
		m->site_title = xstrdup("");
		m->site_base_url = xstrdup("");
		m->site_url = xstrdup("");
		return;
	}
	check_keys(&ld->c, map, "site", site_keys);
	get_str(ld, map, "title", "site", OPT, LINE, &m->site_title);
	if (*m->site_title == '\0') {
		free(m->site_title);
		m->site_title = xstrdup("Inference engine registry");
	}
	url_field(ld, map, "base_url", "site", OPT, &m->site_base_url);
	url_field(ld, map, "url", "site", OPT, &m->site_url);
}

/* The platform matrix every registry starts from (DESIGN.md). */
static const char *const acc_mac_arm[] = { "metal", "cpu" };
static const char *const acc_cpu[] = { "cpu" };
static const char *const acc_linux[] = { "cuda", "cpu", "rocm" };
static const char *const acc_win[] = { "cuda", "cpu" };
static const struct platform default_plat[] = {
	{ "macos", "aarch64", 2, acc_mac_arm },
	{ "macos", "x86_64", 1, acc_cpu },
	{ "linux", "x86_64", 3, acc_linux },
	{ "windows", "x86_64", 2, acc_win },
};

/* Strings of the platform list are owned through this copy. */
static struct platform *
plat_add(struct manifest *m, const char *os, const char *arch)
{
	struct platform *p;
	size_t i;

	for (i = 0; i < m->nplat; i++)
		if (!strcmp(m->plat[i].os, os) && !strcmp(m->plat[i].arch, arch))
			return &m->plat[i];
	m->plat = xrealloc(m->plat, (m->nplat + 1) * sizeof(*m->plat));
	p = &m->plat[m->nplat++];
	p->os = xstrdup(os);
	p->arch = xstrdup(arch);
	p->naccel = 0;
	p->accel = NULL;
	return p;
}

static void
plat_add_accel(struct platform *p, const char *a)
{
	const char **v;
	size_t i;

	for (i = 0; i < p->naccel; i++)
		if (!strcmp(p->accel[i], a))
			return;
	v = xrealloc((void *)p->accel, (p->naccel + 1) * sizeof(*v));
	v[p->naccel++] = xstrdup(a);
	p->accel = v;
}

/* platforms: a list of {os, arch, accelerators} added to the defaults. */
static void
parse_platforms(struct ld *ld, const struct ynode *n)
{
	struct manifest *m = ld->m;
	const struct ynode *it, *acc;
	struct platform *p;
	char *os, *arch, *path;
	size_t i, j, k;

	for (i = 0; i < sizeof(default_plat) / sizeof(default_plat[0]); i++) {
		p = plat_add(m, default_plat[i].os, default_plat[i].arch);
		for (j = 0; j < default_plat[i].naccel; j++)
			plat_add_accel(p, default_plat[i].accel[j]);
	}
	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n)))
		return;
	if (!check_kind(&ld->c, n, "platforms", Y_SEQ))
		return;
	for (i = 0; i < n->n; i++) {
		it = n->items[i];
		path = xasprintf("platforms[%zu]", i);
		if (!check_kind(&ld->c, it, path, Y_MAP)) {
			free(path);
			continue;
		}
		check_keys(&ld->c, it, path, plat_keys);
		get_str(ld, it, "os", path, REQ, LINE, &os);
		get_str(ld, it, "arch", path, REQ, LINE, &arch);
		acc = ymap_get(it, "accelerators");
		if (!match_id(os, "_") || !match_id(arch, "_")) {
			if (*os && *arch)
				bad(ld, it, path, "os and arch must be lower-case "
				    "names such as linux and aarch64");
		} else if (acc == NULL)
			bad(ld, it, path, "missing required key 'accelerators'");
		else if (check_kind(&ld->c, acc, path, Y_SEQ)) {
			p = plat_add(m, os, arch);
			for (k = 0; k < acc->n; k++) {
				if (!check_str(&ld->c, acc->items[k], path,
				    "an accelerator name"))
					continue;
				if (!match_id(acc->items[k]->str, "_")) {
					bad(ld, acc->items[k], path, "%s is not an "
					    "accelerator name such as cuda",
					    shown(acc->items[k]->str));
					continue;
				}
				plat_add_accel(p, acc->items[k]->str);
			}
		}
		free(os);
		free(arch);
		free(path);
	}
}

/*
 * Sections are read in dependency order (CUDA sets, releases, packages,
 * registries, tags, engines, site, platforms), each check going on after a
 * failure, so that one run reports every problem.
 */
struct manifest *
manifest_load(const char *path)
{
	struct ld ld = { 0 };
	struct manifest *m;
	struct release tmpl = { 0 };
	const struct ynode *n;
	const char *slash;
	const struct ynode *root;
	static const char *const need[] = { "packages", "releases", NULL };
	const char *const *k;

	m = ld.m = xcalloc(1, sizeof(*m));
	check_init(&ld.c);
	m->path = xstrdup(path);
	slash = strrchr(path, '/');
	m->dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	if (slash == path)
		m->dir[0] = '/', m->dir[1] = '\0';
	ld.repo = path_canon(m->dir);
	if ((m->root = yaml_load_file(path)) == NULL)
		goto fail;
	root = m->root;
	if (root->kind != Y_MAP) {
		bad(&ld, root, NULL, "the manifest must be a mapping of sections "
		    "(packages, releases, ...), got %s", ynode_what(root));
		goto fail;
	}
	check_keys(&ld.c, root, "", top_keys);
	for (k = need; *k != NULL; k++)
		if (ymap_get(root, *k) == NULL)
			bad(&ld, root, NULL, "missing required section '%s'", *k);

	if ((n = ymap_get(root, "cuda_dependencies")) != NULL && !yscalar_is_null(n))
		parse_cuda_deps(&ld, n);
	if ((n = ymap_get(root, "release_spec")) != NULL && !yscalar_is_null(n)) {
		parse_spec(&ld, n, "release_spec", &tmpl, 1);
		release_clear(&tmpl);
	}
	if ((n = ymap_get(root, "releases")) != NULL)
		parse_releases(&ld, n);
	if ((n = ymap_get(root, "packages")) != NULL)
		parse_packages(&ld, n);
	if ((n = ymap_get(root, "repository")) != NULL && !yscalar_is_null(n))
		parse_repository(&ld, n);
	parse_tag_spec(&ld, ymap_get(root, "tag_spec"));
	if ((n = ymap_get(root, "engines")) != NULL && !yscalar_is_null(n))
		parse_engines(&ld, n);
	parse_site(&ld, ymap_get(root, "site"));
	parse_platforms(&ld, ymap_get(root, "platforms"));
	m->engine_ids = xcalloc(m->neng + 1, sizeof(*m->engine_ids));
	for (size_t i = 0; i < m->neng; i++)
		m->engine_ids[i] = m->eng[i].id;
	if (check_end(&ld.c, path))
		goto out;
fail:
	manifest_free(m);
	m = NULL;
out:
	check_end(&ld.c, path);
	free(ld.repo);
	nameidx_free(&ld.distros);
	nameidx_free(&ld.pkgs);
	nameidx_free(&ld.cudas);
	return m;
}

void
manifest_free(struct manifest *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nreg; i++) {
		for (j = 0; j < m->reg[i].n; j++) {
			free(m->reg[i].pkg[j]);
			free(m->reg[i].uri[j]);
		}
		free(m->reg[i].pkg);
		free(m->reg[i].uri);
		free(m->reg[i].host);
		free(m->reg[i].only_if);
		free(m->reg[i].user);
		free(m->reg[i].pwd);
	}
	free(m->reg);
	for (i = 0; i < m->ncuda; i++)
		cudaset_clear(&m->cuda[i]);
	free(m->cuda);
	for (i = 0; i < m->ndist; i++) {
		for (j = 0; j < m->dist[i].n; j++)
			release_clear(&m->dist[i].rel[j]);
		free(m->dist[i].rel);
		free(m->dist[i].name);
	}
	free(m->dist);
	for (i = 0; i < m->npkg; i++) {
		for (j = 0; j < RT__MAX; j++) {
			free(m->pkg[i].dist[j]);
			free(m->pkg[i].dpos[j]);
		}
		free(m->pkg[i].name);
	}
	free(m->pkg);
	for (i = 0; i < m->neng; i++) {
		struct engine *e = &m->eng[i];

		for (j = 0; j < e->nformats; j++)
			free(e->formats[j]);
		free(e->formats);
		free(e->id);
		free(e->name);
		free(e->description);
		free(e->readme);
		free(e->readme_path);
		free(e->homepage);
	}
	free(m->eng);
	free(m->engine_ids);
	for (i = 0; i < m->nplat; i++) {
		for (j = 0; j < m->plat[i].naccel; j++)
			free((void *)m->plat[i].accel[j]);
		free((void *)m->plat[i].accel);
		free((void *)m->plat[i].os);
		free((void *)m->plat[i].arch);
	}
	free(m->plat);
	free(m->tag_fmt);
	free(m->tag_cuda_fmt);
	free(m->site_title);
	free(m->site_base_url);
	free(m->site_url);
	ynode_free(m->root);
	free(m->path);
	free(m->dir);
	free(m);
}

const struct engine *
manifest_engine(const struct manifest *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->neng; i++)
		if (strcmp(m->eng[i].id, id) == 0)
			return &m->eng[i];
	return NULL;
}
