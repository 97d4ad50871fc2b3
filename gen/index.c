/*
 * index.c - engines.json: the registry index that apps download, and
 * `gen verify`, which checks an index against the files.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest.h"

/* Packages of one engine, grouped by version. */
static int
pkg_order(const void *a, const void *b)
{
	const struct pkginfo *x = *(const struct pkginfo *const *)a;
	const struct pkginfo *y = *(const struct pkginfo *const *)b;
	int c;

	if ((c = strcmp(x->engine_id, y->engine_id)) != 0)
		return c;
	if ((c = version_cmp(y->version, x->version)) != 0)
		return c;		/* newest first */
	if ((c = strcmp(x->os, y->os)) != 0)
		return c;
	if ((c = strcmp(x->arch, y->arch)) != 0)
		return c;
	if ((c = strcmp(x->accelerator, y->accelerator)) != 0)
		return c;
	if ((c = strcmp(x->variant ? x->variant : "", y->variant ? y->variant : "")) != 0)
		return c;
	return strcmp(x->path, y->path);
}

static int
same_slot(const struct pkginfo *x, const struct pkginfo *y)
{
	return !strcmp(x->engine_id, y->engine_id) && !strcmp(x->version, y->version) &&
	    !strcmp(x->os, y->os) && !strcmp(x->arch, y->arch) &&
	    !strcmp(x->accelerator, y->accelerator) &&
	    !strcmp(x->variant ? x->variant : "", y->variant ? y->variant : "");
}

static json_t *
pkg_json(const struct pkginfo *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "os", json_string(p->os));
	json_object_set_new(o, "arch", json_string(p->arch));
	json_object_set_new(o, "accelerator", json_string(p->accelerator));
	json_object_set_new(o, "acceleratorVersion", p->accelerator_version ?
	    json_string(p->accelerator_version) : json_null());
	if (p->variant != NULL)
		json_object_set_new(o, "variant", json_string(p->variant));
	json_object_set_new(o, "filename", json_string(p->filename));
	json_object_set_new(o, "size", json_integer((json_int_t)p->size));
	json_object_set_new(o, "sha256", json_string(p->sha256));
	return o;
}

static void
iso_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* SOURCE_DATE_EPOCH when set; -1 when not; -2 when set but not a number. */
static long long
source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return -2;
	return v;
}

/* The formats an engine lists, or the union over its latest packages. */
static json_t *
formats_json(const struct engine *e, struct pkginfo **v, size_t n)
{
	json_t *a = json_array();
	size_t i, j, k;
	int dup;

	if (e->nformats > 0) {
		for (i = 0; i < e->nformats; i++)
			json_array_append_new(a, json_string(e->formats[i]));
		return a;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i]->nformats; j++) {
			dup = 0;
			for (k = 0; k < json_array_size(a); k++)
				if (!strcmp(json_string_value(json_array_get(a, k)),
				    v[i]->formats[j]))
					dup = 1;
			if (!dup)
				json_array_append_new(a, json_string(v[i]->formats[j]));
		}
	return a;
}

/* The highest minAppVersion among a version's packages. */
static const char *
min_app(struct pkginfo **v, size_t n)
{
	const char *m = v[0]->min_app_version;
	size_t i;

	for (i = 1; i < n; i++)
		if (version_cmp(v[i]->min_app_version, m) > 0)
			m = v[i]->min_app_version;
	return m;
}

/*
 * Without SOURCE_DATE_EPOCH, a previous engines.json that differs from the
 * new text only in lastUpdated keeps its time: compare the bytes with the
 * previous stamp put in (both are written by this code, in one layout).
 */
static int
keep_stamp(struct buf *out, size_t start, char *stamp, const char *prev)
{
	struct buf old = { 0 };
	const char *key = "\"lastUpdated\": \"", *a, *b;
	char *at;
	size_t klen = strlen(key), slen = strlen(stamp);
	int kept = 0;

	if (read_file_opt_max(prev, &old, GEN_MAX_INDEX) != 1)
		goto out;
	if ((a = strstr(old.s, key)) == NULL || (b = strchr(a + klen, '"')) == NULL ||
	    (size_t)(b - a - klen) != slen)
		goto out;
	if ((at = strstr(out->s + start, key)) == NULL)
		goto out;
	/* Same length stamps: swap in the old one and compare the whole. */
	memcpy(at + klen, a + klen, slen);
	if (old.len == out->len - start && memcmp(old.s, out->s + start, old.len) == 0) {
		/* Nothing else changed: keep the old stamp. */
		memcpy(stamp, a + klen, slen);
		kept = 1;
		goto out;
	}
	memcpy(at + klen, stamp, slen);
out:
	buf_free(&old);
	return kept;
}

/*
 * Packages sorted by engine, version (newest first) and platform; a repeated
 * slot is an error naming both files.  The document is built with jansson
 * and dumped straight into out.
 */
int
index_build(const struct manifest *m, const struct scan *s, const char *prev,
    long long manifest_mtime, struct buf *out, json_t **rootp)
{
	struct pkginfo **v;
	json_t *root, *engines, *eo, *pkgs, *versions, *vo, *vp;
	const struct engine *e;
	size_t i, j, k, first, vend, start;
	long long when;
	char stamp[32];
	int ok = 1;

	v = xcalloc(s->n ? s->n : 1, sizeof(*v));
	for (i = 0; i < s->n; i++)
		v[i] = &s->pkg[i];
	qsort(v, s->n, sizeof(*v), pkg_order);
	for (i = 1; i < s->n; i++)
		if (same_slot(v[i - 1], v[i])) {
			diag(EXIT_DATAERR, &(struct pos){ v[i]->path, 0, 0 },
			    "same engine, version, os, arch and accelerator as %s "
			    "(%s %s %s/%s %s); give each build a \"variant\" in "
			    "package/manifest.json", v[i - 1]->path, v[i]->engine_id,
			    v[i]->version, v[i]->os, v[i]->arch, v[i]->accelerator);
			ok = 0;
		}
	if (!ok) {
		free(v);
		return 0;
	}

	root = json_object();
	json_object_set_new(root, "schemaVersion", json_integer(1));
	json_object_set_new(root, "lastUpdated", json_string(""));
	json_object_set_new(root, "baseUrl", json_string(m->site_base_url));
	engines = json_array();
	for (i = 0; i < m->neng; i++) {
		e = &m->eng[i];
		/* This engine's packages: a run of v, newest version first. */
		for (first = 0; first < s->n && strcmp(v[first]->engine_id, e->id); first++)
			;
		if (first == s->n) {
			note("engine %s has no packages; left out of engines.json", e->id);
			continue;
		}
		for (vend = first; vend < s->n && !strcmp(v[vend]->engine_id, e->id); vend++)
			;
		eo = json_object();
		json_object_set_new(eo, "id", json_string(e->id));
		json_object_set_new(eo, "name", json_string(e->name));
		json_object_set_new(eo, "description", json_string(e->description));
		json_object_set_new(eo, "latestVersion", json_string(v[first]->version));
		versions = json_array();
		pkgs = NULL;
		for (j = first; j < vend; j = k) {
			for (k = j; k < vend && !strcmp(v[k]->version, v[j]->version); k++)
				;
			vp = json_array();
			for (size_t x = j; x < k; x++)
				json_array_append_new(vp, pkg_json(v[x]));
			if (j == first) {
				json_object_set_new(eo, "modelFormats",
				    formats_json(e, v + j, k - j));
				pkgs = json_incref(vp);	/* shared, not copied */
			}
			vo = json_object();
			json_object_set_new(vo, "version", json_string(v[j]->version));
			json_object_set_new(vo, "minAppVersion", json_string(min_app(v + j, k - j)));
			json_object_set_new(vo, "packages", vp);
			json_array_append_new(versions, vo);
		}
		json_object_set_new(eo, "packages", pkgs);
		json_object_set_new(eo, "versions", versions);
		json_array_append_new(engines, eo);
	}
	json_object_set_new(root, "engines", engines);
	free(v);

	/* lastUpdated: see index.h. */
	when = source_date_epoch();
	if (when == -2) {
		diag(EXIT_DATAERR, NULL, "SOURCE_DATE_EPOCH=%s is not a number of "
		    "seconds", getenv("SOURCE_DATE_EPOCH"));
		json_decref(root);
		return 0;
	}
	iso_time(when >= 0 ? when : (s->newest > manifest_mtime ? s->newest :
	    manifest_mtime), stamp);
	json_object_set_new(root, "lastUpdated", json_string(stamp));
	start = out->len;
	buf_reserve(out, 512 * s->n + 4096);
	json_dump_callback(root, buf_json_cb, out, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	buf_putc(out, '\n');
	if (when < 0 && prev != NULL && keep_stamp(out, start, stamp, prev))
		json_object_set_new(root, "lastUpdated", json_string(stamp));
	if (rootp != NULL)
		*rootp = root;
	else
		json_decref(root);
	return 1;
}

/* filename -> path for every *.baiengine below dir. */
struct fmap {
	char	**name, **path;
	size_t	  n;
};

static void
fmap_walk(const char *dir, struct fmap *fm)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *p;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			fmap_walk(p, fm);
		else if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			fm->name = xrealloc(fm->name, (fm->n + 1) * sizeof(char *));
			fm->path = xrealloc(fm->path, (fm->n + 1) * sizeof(char *));
			fm->name[fm->n] = xstrdup(de->d_name);
			fm->path[fm->n++] = p;
			p = NULL;
		}
		free(p);
	}
	closedir(d);
}

struct want {
	const char	*filename;
	json_int_t	 size;
	const char	*sha256;
};

static int
want_add(struct want **w, size_t *n, json_t *pkg, const char *where)
{
	json_t *fn = json_object_get(pkg, "filename"), *sz = json_object_get(pkg, "size"),
	    *sh = json_object_get(pkg, "sha256");
	size_t i;

	if (!json_is_string(fn) || !json_is_integer(sz) || !json_is_string(sh) ||
	    strchr(json_string_value(fn), '/') != NULL) {
		diag(EXIT_DATAERR, NULL, "%s: a package entry lacks a plain "
		    "filename, an integer size or a sha256", where);
		return 0;
	}
	for (i = 0; i < *n; i++)
		if (!strcmp((*w)[i].filename, json_string_value(fn)))
			return 1;
	*w = xrealloc(*w, (*n + 1) * sizeof(**w));
	(*w)[*n].filename = json_string_value(fn);
	(*w)[*n].size = json_integer_value(sz);
	(*w)[*n].sha256 = json_string_value(sh);
	(*n)++;
	return 1;
}

/*
 * Every package the index lists (latest and older versions alike) is looked
 * up by file name under pkgdir and hashed by worker threads.
 */
long
index_verify(const char *index_path, const char *pkgdir, int jobs)
{
	struct fmap fm = { 0 };
	struct want *w = NULL;
	json_error_t je;
	json_t *root, *engines, *e, *a, *vs, *ver;
	char **paths = NULL, (*sums)[65] = NULL;
	unsigned long long *sizes = NULL;
	size_t nw = 0, i, j, k, x;
	long bad = -1;

	if ((root = json_load_file(index_path, 0, &je)) == NULL) {
		if (je.line <= 0)
			diag_errno(index_path, 1, "cannot read");
		else
			diag(EXIT_DATAERR, &(struct pos){ index_path,
			    (unsigned)je.line, (unsigned)je.column }, "%s", je.text);
		return -1;
	}
	engines = json_object_get(root, "engines");
	if (!json_is_array(engines)) {
		diag(EXIT_DATAERR, &(struct pos){ index_path, 0, 0 },
		    "no \"engines\" array");
		goto out;
	}
	json_array_foreach(engines, i, e) {
		if (json_is_array(a = json_object_get(e, "packages")))
			json_array_foreach(a, j, ver)
				if (!want_add(&w, &nw, ver, index_path))
					goto out;
		if (json_is_array(vs = json_object_get(e, "versions")))
			json_array_foreach(vs, k, ver)
				if (json_is_array(a = json_object_get(ver, "packages")))
					json_array_foreach(a, x, e)
						if (!want_add(&w, &nw, e, index_path))
							goto out;
	}
	fmap_walk(pkgdir, &fm);
	paths = xcalloc(nw ? nw : 1, sizeof(*paths));
	sums = xcalloc(nw ? nw : 1, sizeof(*sums));
	sizes = xcalloc(nw ? nw : 1, sizeof(*sizes));
	for (i = 0; i < nw; i++) {
		for (j = 0; j < fm.n; j++)
			if (!strcmp(fm.name[j], w[i].filename))
				break;
		paths[i] = j < fm.n ? xstrdup(fm.path[j]) :
		    xasprintf("%s/%s", pkgdir, w[i].filename);
	}
	if (!hash_files(paths, nw, jobs, sums, sizes))
		goto out;
	bad = 0;
	for (i = 0; i < nw; i++) {
		if (sizes[i] == (unsigned long long)-1) {
			printf("missing: %s (listed in %s, not found under %s)\n",
			    w[i].filename, index_path, pkgdir);
			bad++;
		} else if (sizes[i] != (unsigned long long)w[i].size) {
			printf("size: %s: %llu bytes, %s says %lld\n", paths[i],
			    sizes[i], index_path, (long long)w[i].size);
			bad++;
		} else if (strcmp(sums[i], w[i].sha256) != 0) {
			printf("sha256: %s: %s, %s says %s\n", paths[i], sums[i],
			    index_path, w[i].sha256);
			bad++;
		}
	}
	note("verified %zu packages against %s", nw, index_path);
out:
	for (i = 0; i < fm.n; i++) {
		free(fm.name[i]);
		free(fm.path[i]);
	}
	free(fm.name);
	free(fm.path);
	for (i = 0; paths != NULL && i < nw; i++)
		free(paths[i]);
	free(paths);
	free(sums);
	free(sizes);
	free(w);
	json_decref(root);
	return bad;
}
