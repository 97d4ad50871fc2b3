/*
 * indexread.c - engines.json read back (gen site).  An index on disk is
 * input like any other: it is parsed with positions (jsonpos.c) and checked
 * to the rules a scanned package meets (ids, versions, platforms, file
 * names, sizes, digests) and an http(s) baseUrl, every problem reported as
 * "file:line:col: engines[0].id: message", before anything is taken from
 * it (index.c then reads the checked tree into the typed index).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index.h"
#include "jsonpos.h"

/* The largest size: JSON numbers are doubles to most readers. */
#define MAX_SIZE	9007199254740991ULL	/* 2^53 - 1 */

struct chk {
	const struct pkgrules	*r;
	unsigned long		 errors;
	struct buf		 path;		/* "engines[0].packages[1]" */
};

/* A string node's view, for the duplicate finder. */
struct sref {
	const struct ynode	*n;
	size_t			 i;
};

static const char *const top_keys[] = {
	"schemaVersion", "lastUpdated", "baseUrl", "engines", NULL
};
static const char *const engine_keys[] = {
	"id", "name", "description", "latestVersion", "modelFormats",
	"packages", "versions", NULL
};
static const char *const version_keys[] = {
	"version", "minAppVersion", "releaseDate", "packages", NULL
};
/* releaseDate is new: an index written before it is still read. */
static const char *const version_required[] = {
	"version", "minAppVersion", "packages", NULL
};
static const char *const package_keys[] = {
	"os", "arch", "accelerator", "acceleratorVersion", "variant",
	"filename", "size", "sha256", NULL
};
static const char *const package_required[] = {
	"os", "arch", "accelerator", "acceleratorVersion", "filename", "size",
	"sha256", NULL
};

/* ---- paths and messages --------------------------------------------------- */

static size_t
path_push(struct chk *c, const char *fmt, ...)
{
	size_t mark = c->path.len;
	char part[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	buf_puts(&c->path, part);
	return mark;
}

/* PATH.key, or key at the top. */
static size_t
path_key(struct chk *c, const char *key)
{
	size_t mark = c->path.len;

	if (mark > 0)
		buf_putc(&c->path, '.');
	buf_puts(&c->path, key);
	return mark;
}

static void
path_pop(struct chk *c, size_t mark)
{
	c->path.len = mark;
	c->path.s[mark] = '\0';
}

/* "PATH: message" at n's place. */
static void
bad(struct chk *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag(EXIT_DATAERR, &n->pos, "%s%s%s", c->path.s,
	    c->path.len ? ": " : "", msg);
	free(msg);
	c->errors++;
}

/* A JSON kind in JSON's words. */
static const char *
what(const struct ynode *n)
{
	if (n->kind == Y_MAP)
		return "an object";
	if (n->kind == Y_SEQ)
		return "an array";
	return ynode_what(n);
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Unknown keys (with the nearest known one) and missing required ones. */
static void
check_keys(struct chk *c, const struct ynode *map, const char *const *known,
    const char *const *required)
{
	const char *near;
	char *k;
	size_t i;

	for (i = 0; i < map->n; i++) {
		if (in_list(map->keys[i]->str, known))
			continue;
		k = json_shown(map->keys[i]->str, map->keys[i]->len);
		near = nearest(map->keys[i]->str, known);
		if (near != NULL)
			bad(c, map->keys[i], "unknown key %s; did you mean "
			    "\"%s\"?", k, near);
		else
			bad(c, map->keys[i], "unknown key %s", k);
		free(k);
	}
	for (; *required != NULL; required++)
		if (ymap_get(map, *required) == NULL)
			bad(c, map, "missing \"%s\"", *required);
}

/* ---- values ------------------------------------------------------------- */

/* map[key] as a string without control characters, or NULL (reported, or
 * absent: check_keys says so). */
static const char *
get_str(struct chk *c, const struct ynode *map, const char *key)
{
	const struct ynode *v = ymap_get(map, key);
	const char *s = NULL;
	size_t mark;

	if (v == NULL)
		return NULL;
	mark = path_key(c, key);
	if (v->kind != Y_SCALAR || v->plain)
		bad(c, v, "expected a string, got %s", what(v));
	else if (has_control(v->str, v->len))
		bad(c, v, "contains a control character");
	else
		s = v->str;
	path_pop(c, mark);
	return s;
}

/* get_str, then a rule from package.c: "x" is not NOUN: why. */
static const char *
get_valid(struct chk *c, const struct ynode *map, const char *key,
    const char *(*valid)(const char *), const char *noun)
{
	const char *s = get_str(c, map, key), *why;
	size_t mark;
	char *sh;

	if (s == NULL || (why = valid(s)) == NULL)
		return s;
	mark = path_key(c, key);
	sh = json_shown(s, strlen(s));
	bad(c, ymap_get(map, key), "%s is not %s: %s", sh, noun, why);
	free(sh);
	path_pop(c, mark);
	return NULL;
}

/* map[key] as an array with at least min items, or NULL. */
static const struct ynode *
get_array(struct chk *c, const struct ynode *map, const char *key, size_t min)
{
	const struct ynode *v = ymap_get(map, key);
	size_t mark;

	if (v == NULL)
		return NULL;
	mark = path_key(c, key);
	if (v->kind != Y_SEQ) {
		bad(c, v, "expected an array, got %s", what(v));
		v = NULL;
	} else if (v->n < min) {
		bad(c, v, "expected at least %zu item%s", min, min == 1 ? "" :
		    "s");
		v = NULL;
	}
	path_pop(c, mark);
	return v;
}

static int
sref_cmp(const void *a, const void *b)
{
	const struct sref *x = a, *y = b;
	int r = strcmp(x->n->str, y->n->str);

	if (r != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Report each string that repeats an earlier one: v[i] is item i of the
 * array at the current path (NULL: already bad), shown as PATH[i]SUFFIX.
 * Sorting keeps it O(n log n) however long a hostile list is.
 */
static void
check_unique(struct chk *c, const struct ynode **v, size_t n,
    const char *suffix)
{
	struct sref *s = xcalloc(n ? n : 1, sizeof(*s));
	size_t i, k = 0, first = 0, mark;
	char *sh;

	for (i = 0; i < n; i++)
		if (v[i] != NULL) {
			s[k].n = v[i];
			s[k++].i = i;
		}
	qsort(s, k, sizeof(*s), sref_cmp);
	for (i = 1; i < k; i++) {
		if (strcmp(s[i].n->str, s[first].n->str) != 0) {
			first = i;
			continue;
		}
		mark = path_push(c, "[%zu]%s", s[i].i, suffix);
		sh = json_shown(s[i].n->str, s[i].n->len);
		bad(c, s[i].n, "%s is listed twice (first at line %u)", sh,
		    s[first].n->pos.line);
		free(sh);
		path_pop(c, mark);
	}
	free(s);
}

/* Structural equality of two trees (the latest list and versions[0]'s). */
static int
same_tree(const struct ynode *a, const struct ynode *b)
{
	size_t i;

	if (a->kind != b->kind || a->n != b->n)
		return 0;
	if (a->kind == Y_SCALAR)
		return a->plain == b->plain && a->len == b->len &&
		    memcmp(a->str, b->str, a->len) == 0;
	for (i = 0; i < a->n; i++) {
		if (a->kind == Y_SEQ) {
			if (!same_tree(a->items[i], b->items[i]))
				return 0;
		} else if (ymap_get(b, a->keys[i]->str) == NULL ||
		    !same_tree(a->items[i], ymap_get(b, a->keys[i]->str)))
			return 0;
	}
	return 1;
}

/* ---- URLs and stamps ------------------------------------------------------ */

static int
is_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/*
 * What is wrong with a base URL, or NULL: http or https, a host (name,
 * IPv4 or [IPv6]), an optional port, then a path of RFC 3986 characters.
 * No user name (a classic disguise) and no query or fragment, since paths
 * are appended to it.  "" is allowed: gen writes it when the manifest
 * names no base_url.
 */
static const char *
url_problem(const char *s)
{
	static const char path_ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/";
	const char *p;
	size_t n;

	if (*s == '\0')
		return NULL;
	if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return "expected http:// or https:// and a host";
	if (*p == '[') {
		n = strspn(p + 1, "0123456789abcdefABCDEF:.");
		if (n == 0 || p[1 + n] != ']')
			return "expected an IPv6 address and ']' after '['";
		p += n + 2;
	} else {
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
		if (p[n] == '@')
			return "a user name in a URL is not allowed";
		if (n == 0 || *p == '.' || *p == '-')
			return "expected a host name after //";
		p += n;
	}
	if (*p == ':') {
		n = strspn(p + 1, "0123456789");
		if (n == 0 || n > 5)
			return "expected a port number after ':'";
		p += n + 1;
	}
	if (*p != '\0' && *p != '/')
		return "expected '/', ':' or the end after the host";
	for (; *p != '\0'; p++) {
		if (*p == '%') {
			if (!is_hex(p[1]) || !is_hex(p[2]))
				return "'%' must start a %XX escape";
			p += 2;
		} else if (*p == '?' || *p == '#')
			return "a query or fragment is not allowed (paths are "
			    "appended to it)";
		else if (strchr(path_ok, *p) == NULL)
			return "it holds a character that is not allowed in "
			    "a URL (RFC 3986)";
	}
	return NULL;
}

/* YYYY-MM-DDTHH:MM:SSZ */
static int
is_stamp(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') :
		    s[i] != shape[i])
			return 0;
	return s[i] == '\0';
}

/* ---- packages ------------------------------------------------------------- */

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": the values of a platform field (0 os, 1 arch for os, 2
 * accelerator for os/arch) in the rules, sorted, once each. */
static char *
choices(const struct pkgrules *r, int field, const char *os, const char *arch)
{
	struct buf b = { 0 };
	const char **v;
	size_t i, k, n = 0;

	v = xcalloc(r->nplat + 1, sizeof(*v));
	for (i = 0; i < r->nplat; i++) {
		if (field > 0 && strcmp(r->plat[i].os, os) != 0)
			continue;
		if (field == 0)
			v[n++] = r->plat[i].os;
		else if (field == 1)
			v[n++] = r->plat[i].arch;
		else if (strcmp(r->plat[i].arch, arch) == 0) {
			v = xrealloc(v, (n + r->plat[i].naccel + 1) * sizeof(*v));
			for (k = 0; k < r->plat[i].naccel; k++)
				v[n++] = r->plat[i].accel[k];
		}
	}
	qsort(v, n, sizeof(*v), cmpstr);
	buf_add(&b, "", 0);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			buf_printf(&b, "%s%s", b.len ? ", " : "", v[i]);
	free(v);
	return b.s;
}

static const struct platform *
find_platform(struct chk *c, const struct ynode *p, const char *os,
    const char *arch, const char *acc)
{
	const struct pkgrules *r = c->r;
	size_t i, k, n = 0, mark;
	int os_known = 0;
	char *list, *sh;

	for (i = 0; i < r->nplat; i++) {
		if (strcmp(r->plat[i].os, os) != 0)
			continue;
		os_known = 1;
		if (strcmp(r->plat[i].arch, arch) != 0)
			continue;
		for (k = 0; k < r->plat[i].naccel; k++)
			if (strcmp(r->plat[i].accel[k], acc) == 0)
				return &r->plat[i];
		n++;
	}
	if (!os_known) {
		mark = path_push(c, ".os");
		list = choices(r, 0, os, arch);
		sh = json_shown(os, strlen(os));
		bad(c, ymap_get(p, "os"), "%s is not a known os: expected one "
		    "of: %s", sh, list);
	} else if (n == 0) {
		mark = path_push(c, ".arch");
		list = choices(r, 1, os, arch);
		sh = json_shown(arch, strlen(arch));
		bad(c, ymap_get(p, "arch"), "%s is not built for os \"%s\": "
		    "expected one of: %s", sh, os, list);
	} else {
		mark = path_push(c, ".accelerator");
		list = choices(r, 2, os, arch);
		sh = json_shown(acc, strlen(acc));
		bad(c, ymap_get(p, "accelerator"), "%s is not built for %s/%s: "
		    "expected one of: %s", sh, os, arch, list);
	}
	free(list);
	free(sh);
	path_pop(c, mark);
	return NULL;
}

static int
check_size(struct chk *c, const struct ynode *p)
{
	const struct ynode *v = ymap_get(p, "size");
	unsigned long long n = 0;
	size_t i, mark;
	int ok = 0;

	if (v == NULL)
		return 0;
	mark = path_push(c, ".size");
	if (v->kind != Y_SCALAR || !v->plain || strchr("-0123456789",
	    v->str[0]) == NULL)
		bad(c, v, "expected a non-negative integer, got %s", what(v));
	else if (v->str[strspn(v->str, "0123456789")] != '\0')
		bad(c, v, "%s is not a non-negative integer", v->str);
	else {
		for (i = 0; i < v->len && n <= MAX_SIZE; i++)
			n = n * 10 + (unsigned)(v->str[i] - '0');
		if (n > MAX_SIZE)
			bad(c, v, "%.40s is too large (at most %llu)", v->str,
			    MAX_SIZE);
		else
			ok = 1;
	}
	path_pop(c, mark);
	return ok;
}

static int
check_sha256(struct chk *c, const struct ynode *p)
{
	const char *s = get_str(c, p, "sha256");
	size_t mark;
	char *sh;

	if (s == NULL)
		return 0;
	if (strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64)
		return 1;
	mark = path_push(c, ".sha256");
	sh = json_shown(s, strlen(s));
	bad(c, ymap_get(p, "sha256"), "%s is not a SHA-256 digest: expected "
	    "64 lower-case hex digits", sh);
	free(sh);
	path_pop(c, mark);
	return 0;
}

/* acceleratorVersion: null, or a version whose major names the file. */
static int
check_accel_version(struct chk *c, const struct ynode *p, const char **out)
{
	const struct ynode *v = ymap_get(p, "acceleratorVersion");
	const char *s;
	size_t mark, n;
	char *sh;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (yscalar_is_null(v))
		return 1;
	if ((s = get_valid(c, p, "acceleratorVersion", valid_accel_version,
	    "a valid accelerator version")) == NULL)
		return 0;
	n = strcspn(s, ".");
	if (strspn(s, "0123456789") < n) {
		mark = path_push(c, ".acceleratorVersion");
		sh = json_shown(s, strlen(s));
		bad(c, v, "%s is not a valid accelerator version: expected a "
		    "version such as 12.4 (its major names the file: cuda12)",
		    sh);
		free(sh);
		path_pop(c, mark);
		return 0;
	}
	*out = s;
	return 1;
}

/*
 * One package of engine id at version ver (either NULL when already found
 * bad: the file name is then not compared).  Returns its filename node
 * when every field is good, else NULL.
 */
static const struct ynode *
check_package(struct chk *c, const struct ynode *p, const char *id,
    const char *ver)
{
	struct pkginfo pi;
	const char *os, *arch, *acc, *av = NULL, *variant = NULL, *file;
	unsigned long before = c->errors;
	char *tok, *want, *sh;
	size_t mark;

	if (p->kind != Y_MAP) {
		bad(c, p, "expected an object, got %s", what(p));
		return NULL;
	}
	check_keys(c, p, package_keys, package_required);
	os = get_str(c, p, "os");
	arch = get_str(c, p, "arch");
	acc = get_str(c, p, "accelerator");
	/* Rules without platforms (an index read back to carry release
	 * dates over) take any os, arch and accelerator of the right shape. */
	if (os != NULL && arch != NULL && acc != NULL && c->r->plat != NULL)
		(void)find_platform(c, p, os, arch, acc);
	(void)check_accel_version(c, p, &av);
	if (ymap_get(p, "variant") != NULL)
		variant = get_valid(c, p, "variant", valid_variant,
		    "a valid variant");
	file = get_str(c, p, "filename");
	(void)check_size(c, p);
	(void)check_sha256(c, p);
	if (c->errors != before || id == NULL || ver == NULL)
		return NULL;
	memset(&pi, 0, sizeof(pi));
	pi.accelerator = (char *)acc;
	pi.accelerator_version = (char *)av;
	tok = package_accel_token(&pi);
	want = xasprintf("%s-%s-%s-%s-%s%s%s.baiengine", id, ver, os, arch,
	    tok, variant != NULL ? "-" : "", variant != NULL ? variant : "");
	if (strcmp(file, want) != 0) {
		mark = path_push(c, ".filename");
		sh = json_shown(file, strlen(file));
		free(tok);
		tok = json_shown(want, strlen(want));
		bad(c, ymap_get(p, "filename"), "%s is not the name its fields "
		    "give: expected %s", sh, tok);
		free(sh);
		path_pop(c, mark);
	}
	free(tok);
	free(want);
	return c->errors == before ? ymap_get(p, "filename") : NULL;
}

/* A list of packages: each one, and no file twice (no platform twice). */
static void
check_packages(struct chk *c, const struct ynode *a, const char *id,
    const char *ver)
{
	const struct ynode **files = xcalloc(a->n ? a->n : 1, sizeof(*files));
	size_t i, mark;

	for (i = 0; i < a->n; i++) {
		mark = path_push(c, "[%zu]", i);
		files[i] = check_package(c, a->items[i], id, ver);
		path_pop(c, mark);
	}
	check_unique(c, files, a->n, ".filename");
	free(files);
}

/* ---- engines and versions ------------------------------------------------ */

/* One entry of versions[]; returns its version, or NULL when it is bad. */
static const char *
check_version(struct chk *c, const struct ynode *v, const char *id)
{
	const struct ynode *pk;
	const char *ver;

	if (v->kind != Y_MAP) {
		bad(c, v, "expected an object, got %s", what(v));
		return NULL;
	}
	check_keys(c, v, version_keys, version_required);
	ver = get_valid(c, v, "version", valid_version, "a valid version");
	(void)get_valid(c, v, "minAppVersion", valid_version,
	    "a valid version");
	if (ymap_get(v, "releaseDate") != NULL) {
		const char *rd = get_str(c, v, "releaseDate");
		size_t mark;
		char *sh;

		if (rd != NULL && (!is_stamp(rd) || index_parse_time(rd) < 0)) {
			mark = path_push(c, ".releaseDate");
			sh = json_shown(rd, strlen(rd));
			bad(c, ymap_get(v, "releaseDate"), "%s is not a UTC time "
			    "such as 2025-01-10T00:00:00Z", sh);
			free(sh);
			path_pop(c, mark);
		}
	}
	if ((pk = get_array(c, v, "packages", 1)) != NULL) {
		size_t mark = path_push(c, ".packages");

		check_packages(c, pk, id, ver);
		path_pop(c, mark);
	}
	return ver;
}

/* versions[]: each entry, newest first, none twice.  Returns the first
 * entry's version (the latest), or NULL. */
static const char *
check_versions(struct chk *c, const struct ynode *vs, const char *id)
{
	const char *prev = NULL, *ver, *first = NULL;
	unsigned prev_line = 0;
	size_t i, mark;
	char *sh;
	int cmp;

	for (i = 0; i < vs->n; i++) {
		mark = path_push(c, "[%zu]", i);
		ver = check_version(c, vs->items[i], id);
		if (i == 0)
			first = ver;
		if (ver != NULL && prev != NULL &&
		    (cmp = version_cmp(prev, ver)) <= 0) {
			path_push(c, ".version");
			sh = json_shown(ver, strlen(ver));
			if (cmp == 0)
				bad(c, ymap_get(vs->items[i], "version"), "%s is "
				    "listed twice (first at line %u)", sh,
				    prev_line);
			else
				bad(c, ymap_get(vs->items[i], "version"), "%s is "
				    "newer than the version before it; versions "
				    "are listed newest first", sh);
			free(sh);
		}
		if (ver != NULL) {
			prev = ver;
			prev_line = ymap_get(vs->items[i], "version")->pos.line;
		}
		path_pop(c, mark);
	}
	return first;
}

static void
check_formats(struct chk *c, const struct ynode *e)
{
	const struct ynode *a = get_array(c, e, "modelFormats", 0), **v;
	size_t i, mark;

	if (a == NULL)
		return;
	mark = path_push(c, ".modelFormats");
	v = xcalloc(a->n ? a->n : 1, sizeof(*v));
	for (i = 0; i < a->n; i++) {
		size_t m2 = path_push(c, "[%zu]", i);
		const struct ynode *f = a->items[i];

		if (f->kind != Y_SCALAR || f->plain)
			bad(c, f, "expected a string, got %s", what(f));
		else if (has_control(f->str, f->len))
			bad(c, f, "contains a control character");
		else
			v[i] = f;
		path_pop(c, m2);
	}
	check_unique(c, v, a->n, "");
	free(v);
	path_pop(c, mark);
}

/* The engine's id against the manifest's engines: section.  Returns 1
 * when it is described there (or there are no rules to say). */
static int
check_described(struct chk *c, const struct ynode *e, const char *id)
{
	const char *const *k, *near;
	size_t mark;
	char *sh;

	if (c->r->engines == NULL)
		return 1;
	for (k = c->r->engines; *k != NULL; k++)
		if (strcmp(*k, id) == 0)
			return 1;
	mark = path_push(c, ".id");
	sh = json_shown(id, strlen(id));
	if ((near = nearest(id, c->r->engines)) != NULL)
		bad(c, ymap_get(e, "id"), "engine %s is not described in the "
		    "manifest's engines: section; did you mean \"%s\"?", sh,
		    near);
	else
		bad(c, ymap_get(e, "id"), "engine %s is not described in the "
		    "manifest's engines: section", sh);
	free(sh);
	path_pop(c, mark);
	return 0;
}

/*
 * The latest version: latestVersion names versions[0], and packages is
 * versions[0].packages.  A top-level list that differs is checked on its
 * own first, so that a bad value in it is named; only a list that is good
 * but different is reported as different.
 */
static void
check_latest(struct chk *c, const struct ynode *e, const char *id,
    const char *latest, const struct ynode *vs, const char *first)
{
	const struct ynode *pk = get_array(c, e, "packages", 1), *v0pk;
	unsigned long before;
	size_t i, mark;
	char *sh;

	if (latest != NULL && first != NULL && strcmp(latest, first) != 0) {
		mark = path_push(c, ".latestVersion");
		sh = json_shown(latest, strlen(latest));
		for (i = 0; i < vs->n; i++)
			if (vs->items[i]->kind == Y_MAP && ymap_get(vs->items[i],
			    "version") != NULL && strcmp(latest, ymap_get(
			    vs->items[i], "version")->str) == 0)
				break;
		if (i == vs->n)
			bad(c, ymap_get(e, "latestVersion"), "%s is not in "
			    "versions", sh);
		else
			bad(c, ymap_get(e, "latestVersion"), "%s is not the "
			    "first of versions; versions are listed newest "
			    "first", sh);
		free(sh);
		path_pop(c, mark);
	}
	if (pk == NULL)
		return;
	v0pk = vs != NULL && vs->n > 0 ? ymap_get(vs->items[0], "packages") :
	    NULL;
	if (v0pk != NULL && same_tree(pk, v0pk))
		return;
	mark = path_push(c, ".packages");
	before = c->errors;
	check_packages(c, pk, id, latest);
	if (c->errors == before && v0pk != NULL)
		bad(c, pk, "differs from versions[0].packages; it must be the "
		    "latest version's list");
	path_pop(c, mark);
}

/* One engine.  Returns its id node when the id is good, for the check
 * that no id repeats. */
static const struct ynode *
check_engine(struct chk *c, const struct ynode *e)
{
	const struct ynode *vs;
	const char *id, *name, *latest, *first = NULL;

	if (e->kind != Y_MAP) {
		bad(c, e, "expected an object, got %s", what(e));
		return NULL;
	}
	check_keys(c, e, engine_keys, engine_keys);
	/* An id that is bad, or not the manifest's, names no file. */
	if ((id = get_valid(c, e, "id", valid_id, "a valid engine id")) != NULL &&
	    !check_described(c, e, id))
		id = NULL;
	if ((name = get_str(c, e, "name")) != NULL && *name == '\0') {
		size_t mark = path_push(c, ".name");

		bad(c, ymap_get(e, "name"), "must not be empty");
		path_pop(c, mark);
	}
	(void)get_str(c, e, "description");
	latest = get_valid(c, e, "latestVersion", valid_version,
	    "a valid version");
	check_formats(c, e);
	if ((vs = get_array(c, e, "versions", 1)) != NULL) {
		size_t mark = path_push(c, ".versions");

		first = check_versions(c, vs, id);
		path_pop(c, mark);
	}
	check_latest(c, e, id, latest, vs, first);
	return id != NULL ? ymap_get(e, "id") : NULL;
}

static void
check_top(struct chk *c, const struct ynode *root)
{
	const struct ynode *v;
	const char *s, *why;
	char *sh;
	size_t mark;

	check_keys(c, root, top_keys, top_keys);
	if ((v = ymap_get(root, "schemaVersion")) != NULL) {
		mark = path_key(c, "schemaVersion");
		if (v->kind != Y_SCALAR || !v->plain || strchr("-0123456789",
		    v->str[0]) == NULL)
			bad(c, v, "expected the number 1, got %s", what(v));
		else if (strcmp(v->str, "1") != 0)
			bad(c, v, "%.40s is not supported: this gen reads "
			    "schemaVersion 1", v->str);
		path_pop(c, mark);
	}
	mark = c->path.len;
	if ((s = get_str(c, root, "lastUpdated")) != NULL && !is_stamp(s)) {
		path_key(c, "lastUpdated");
		sh = json_shown(s, strlen(s));
		bad(c, ymap_get(root, "lastUpdated"), "%s is not a UTC time "
		    "such as 2025-01-10T00:00:00Z", sh);
		free(sh);
	}
	path_pop(c, mark);
	if ((s = get_str(c, root, "baseUrl")) != NULL &&
	    (why = url_problem(s)) != NULL) {
		path_key(c, "baseUrl");
		sh = json_shown(s, strlen(s));
		bad(c, ymap_get(root, "baseUrl"), "%s is not an http(s) URL: %s",
		    sh, why);
		free(sh);
	}
	path_pop(c, mark);
}

/*
 * Check a parsed engines.json: every problem reported as "PATH: message"
 * at its place.  Returns 1 when there was none, else 0.
 */
int
index_check(const struct ynode *root, const struct pkgrules *r)
{
	struct chk c;
	const struct ynode *es, **ids;
	size_t i, mark;

	memset(&c, 0, sizeof(c));
	c.r = r;
	buf_add(&c.path, "", 0);
	if (root->kind != Y_MAP) {
		bad(&c, root, "expected an object, got %s", what(root));
		goto out;
	}
	check_top(&c, root);
	if ((es = get_array(&c, root, "engines", 0)) == NULL)
		goto out;
	ids = xcalloc(es->n ? es->n : 1, sizeof(*ids));
	for (i = 0; i < es->n; i++) {
		mark = path_push(&c, "engines[%zu]", i);
		ids[i] = check_engine(&c, es->items[i]);
		path_pop(&c, mark);
	}
	mark = path_push(&c, "engines");
	check_unique(&c, ids, es->n, ".id");
	path_pop(&c, mark);
	free(ids);
out:
	buf_free(&c.path);
	return c.errors == 0;
}
