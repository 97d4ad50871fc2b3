/*
 * index.c - the typed index (engines -> versions -> packages): built from a
 * scan or read back from a previous engines.json, written out as
 * engines.json, and carried from run to run (release dates, lastUpdated).
 *
 * Memory: an index built from a scan takes the scan over and borrows its
 * strings; one read back borrows the parsed tree's.  Nothing is copied per
 * package but the few pointers of struct ipkg, so 100,000 packages cost a
 * few tens of MiB.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "manifest.h"
#include "jsonpos.h"

struct index_mem {
	struct iengine	*eng;
	struct iversion	*ver;
	struct ipkg	*pkg;
	const char	**formats;	/* every engine's, one array */
	struct scan	*scan;		/* built from it: strings borrowed */
	struct ynode	*tree;		/* read back: strings borrowed */
	char		**chunks;	/* read back: strings copied here */
	size_t		 nchunks, left;
	char		*cur;		/* the free part of the last chunk */
	char		*strings;	/* manifest strings copied, one block */
	const struct iengine **by_id;	/* engines sorted by id */
};

void
index_free(struct index *x)
{
	if (x == NULL)
		return;
	if (x->mem != NULL) {
		free(x->mem->eng);
		free(x->mem->ver);
		free(x->mem->pkg);
		free(x->mem->formats);
		scan_free(x->mem->scan);
		ynode_free(x->mem->tree);
		for (size_t i = 0; i < x->mem->nchunks; i++)
			free(x->mem->chunks[i]);
		free(x->mem->chunks);
		free(x->mem->strings);
		free(x->mem->by_id);
		free(x->mem);
	}
	free(x);
}

void
index_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* 2026-01-31T12:00:00Z back to seconds; -1 when it is not one. */
long long
index_parse_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, se;
	char z;
	long long days;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c",
	    &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z' || mo < 1 ||
	    mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 ||
	    y < 1970)
		return -1;
	/* Days from the civil date (no time zone, no libc locale). */
	y -= mo <= 2;
	{
		long long era = (y >= 0 ? y : y - 399) / 400;
		unsigned yoe = (unsigned)(y - era * 400);
		unsigned doy = (unsigned)((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
		unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + (long long)doe - 719468;
	}
	return days * 86400 + h * 3600 + mi * 60 + se;
}

static int
by_id_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct iengine *const *)a)->id,
	    (*(const struct iengine *const *)b)->id);
}

/* The engines sorted by id, for index_engine(): made by each constructor. */
static void
index_sort_ids(struct index *x)
{
	size_t i;

	x->mem->by_id = xcalloc(x->neng ? x->neng : 1, sizeof(*x->mem->by_id));
	for (i = 0; i < x->neng; i++)
		x->mem->by_id[i] = &x->eng[i];
	qsort(x->mem->by_id, x->neng, sizeof(*x->mem->by_id), by_id_cmp);
}

const struct iengine *
index_engine(const struct index *x, const char *id)
{
	struct iengine key;
	const struct iengine *kp = &key, **hit;

	if (x->mem == NULL || x->mem->by_id == NULL)
		return NULL;	/* not made by a constructor here */
	key.id = id;
	hit = bsearch(&kp, x->mem->by_id, x->neng, sizeof(*x->mem->by_id),
	    by_id_cmp);
	return hit ? *hit : NULL;
}

/* The version of an engine, by binary search (versions are newest first
 * in version_cmp's total order); NULL when not listed. */
const struct iversion *
index_version(const struct iengine *e, const char *version)
{
	size_t lo = 0, hi = e->nver, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = version_cmp(version, e->ver[mid].version)) == 0)
			return &e->ver[mid];
		if (c > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
pkgrules_has_engine(const struct pkgrules *r, const char *id)
{
	const char *const *e;

	if (r->sorted != NULL)
		return bsearch(&id, r->sorted, r->nsorted, sizeof(*r->sorted),
		    str_cmp) != NULL;
	for (e = r->engines; e != NULL && *e != NULL; e++)
		if (strcmp(*e, id) == 0)
			return 1;
	return 0;
}

/* The rules of the manifest, with the engines sorted; *keep is freed by
 * the caller. */
static struct pkgrules
manifest_rules(const struct manifest *m, const char ***keep)
{
	struct pkgrules r = { m->nplat, m->plat, m->engine_ids, NULL, 0 };
	size_t n = 0;

	while (m->engine_ids != NULL && m->engine_ids[n] != NULL)
		n++;
	*keep = xcalloc(n + 1, sizeof(**keep));
	if (n > 0)
		memcpy(*keep, m->engine_ids, n * sizeof(**keep));
	qsort(*keep, n, sizeof(**keep), str_cmp);
	r.sorted = *keep;
	r.nsorted = n;
	return r;
}

/* ---- the digest: everything but lastUpdated ---------------------------- */

/* Length-prefixed: no two different lists hash alike.  Pieces gather in
 * b and go to the digest in large blocks. */
static void
dig_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : (size_t)-1;

	buf_add(b, &n, sizeof(n));
	if (s != NULL)
		buf_add(b, s, n);
}

static void
dig_num(struct buf *b, unsigned long long v)
{
	buf_add(b, &v, sizeof(v));
}

static int
dig_flush(EVP_MD_CTX *c, struct buf *b, int force)
{
	int ok = 1;

	if (b->len >= 65536 || (force && b->len > 0)) {
		ok = EVP_DigestUpdate(c, b->s, b->len) == 1;
		buf_reset(b);
	}
	return ok;
}

/* SHA-256 of the index without lastUpdated: two runs that would write
 * the same engines.json but for the time have the same digest.  Returns 1,
 * or 0 after reporting. */
static int
index_digest(struct index *x)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	struct buf b = { 0 };
	unsigned char md[32];
	unsigned int len = 0;
	size_t i, j, k;
	int ok;

	ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
	dig_str(&b, "gen-index-digest 1");
	dig_str(&b, x->base_url);
	dig_num(&b, x->neng);
	for (i = 0; ok && i < x->neng; i++) {
		const struct iengine *e = &x->eng[i];

		dig_str(&b, e->id);
		dig_str(&b, e->name);
		dig_str(&b, e->description);
		dig_num(&b, e->nformats);
		for (j = 0; j < e->nformats; j++)
			dig_str(&b, e->formats[j]);
		dig_num(&b, e->nver);
		for (j = 0; ok && j < e->nver; j++) {
			const struct iversion *v = &e->ver[j];

			dig_str(&b, v->version);
			dig_str(&b, v->min_app_version);
			dig_num(&b, (unsigned long long)v->release_date);
			dig_num(&b, v->npkg);
			for (k = 0; k < v->npkg; k++) {
				const struct ipkg *p = &v->pkg[k];

				dig_str(&b, p->os);
				dig_str(&b, p->arch);
				dig_str(&b, p->accelerator);
				dig_str(&b, p->accelerator_version);
				dig_str(&b, p->variant);
				dig_str(&b, p->filename);
				dig_num(&b, p->size);
				dig_str(&b, p->sha256);
			}
			ok = dig_flush(c, &b, 0);
		}
	}
	ok = ok && dig_flush(c, &b, 1) && EVP_DigestFinal_ex(c, md, &len) == 1 &&
	    len == 32;
	EVP_MD_CTX_free(c);
	buf_free(&b);
	if (!ok) {
		diag(EXIT_IOERR, NULL, "SHA-256 failed (libcrypto)");
		return 0;
	}
	hex_encode(md, 32, x->digest);
	return 1;
}

/* ---- built from a scan --------------------------------------------------- */

/* A package with its engine's place in the manifest, for sorting. */
struct sorted {
	const struct pkginfo	*p;
	size_t			 eng;
};

/* strcmp, but the scan's strings are interned: equal ones are usually one
 * pointer, and 100,000 packages compare them millions of times. */
static int
scmp(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a ? a : "", b ? b : "");
}

static int
sorted_cmp(const void *a, const void *b)
{
	const struct sorted *sx = a, *sy = b;
	const struct pkginfo *x = sx->p, *y = sy->p;
	int c;

	if (sx->eng != sy->eng)
		return sx->eng < sy->eng ? -1 : 1;
	if (x->version != y->version && (c = version_cmp(y->version,
	    x->version)) != 0)
		return c;		/* newest first */
	if ((c = scmp(x->os, y->os)) != 0)
		return c;
	if ((c = scmp(x->arch, y->arch)) != 0)
		return c;
	if ((c = scmp(x->accelerator, y->accelerator)) != 0)
		return c;
	if ((c = scmp(x->variant, y->variant)) != 0)
		return c;
	return strcmp(x->path, y->path);
}

static int
same_slot(const struct pkginfo *x, const struct pkginfo *y)
{
	return !scmp(x->engine_id, y->engine_id) && !scmp(x->version, y->version) &&
	    !scmp(x->os, y->os) && !scmp(x->arch, y->arch) &&
	    !scmp(x->accelerator, y->accelerator) && !scmp(x->variant, y->variant);
}

struct eid {
	const char	*id;
	size_t		 i;
};

static int
eid_cmp(const void *a, const void *b)
{
	return strcmp(((const struct eid *)a)->id, ((const struct eid *)b)->id);
}

/*
 * Sort the scan's packages by the manifest's engine order, version (newest
 * first) and platform; report packages of one slot.  Returns the sorted
 * array (the caller frees it), or NULL after reporting.
 */
static struct sorted *
sort_packages(const struct manifest *m, const struct scan *s)
{
	struct eid *ids = xcalloc(m->neng ? m->neng : 1, sizeof(*ids)), key, *hit;
	struct sorted *v = xcalloc(s->n ? s->n : 1, sizeof(*v));
	size_t i;
	int ok = 1;

	for (i = 0; i < m->neng; i++) {
		ids[i].id = m->eng[i].id;
		ids[i].i = i;
	}
	qsort(ids, m->neng, sizeof(*ids), eid_cmp);
	for (i = 0; i < s->n; i++) {
		key.id = s->pkg[i].engine_id;
		hit = m->neng ? bsearch(&key, ids, m->neng, sizeof(*ids),
		    eid_cmp) : NULL;
		v[i].p = &s->pkg[i];
		/* Checked against the manifest already; last if not. */
		v[i].eng = hit ? hit->i : m->neng;
	}
	free(ids);
	qsort(v, s->n, sizeof(*v), sorted_cmp);
	for (i = 1; i < s->n; i++)
		if (same_slot(v[i - 1].p, v[i].p)) {
			diag(EXIT_DATAERR, &(struct pos){ v[i].p->path, 0, 0 },
			    "same engine, version, os, arch and accelerator as %s "
			    "(%s %s %s/%s %s); give each build a \"variant\" in "
			    "package/manifest.json", v[i - 1].p->path,
			    v[i].p->engine_id, v[i].p->version, v[i].p->os,
			    v[i].p->arch, v[i].p->accelerator);
			ok = 0;
		}
	if (!ok) {
		free(v);
		return NULL;
	}
	return v;
}

/* The formats an engine lists, or the union over its latest packages, in
 * order of first appearance.  Appends to fmt (room for them all). */
static size_t
engine_formats(const struct engine *e, const struct sorted *v, size_t n,
    const char **fmt)
{
	size_t i, j, k, nf = 0;

	if (e->nformats > 0) {
		for (i = 0; i < e->nformats; i++)
			fmt[nf++] = e->formats[i];
		return nf;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < v[i].p->nformats; j++) {
			for (k = 0; k < nf; k++)
				if (!strcmp(fmt[k], v[i].p->formats[j]))
					break;
			if (k == nf)
				fmt[nf++] = v[i].p->formats[j];
		}
	return nf;
}

static void
fill_pkg(struct ipkg *ip, const struct pkginfo *p)
{
	ip->filename = p->filename;
	ip->os = p->os;
	ip->arch = p->arch;
	ip->accelerator = p->accelerator;
	ip->accelerator_version = p->accelerator_version;
	ip->variant = p->variant;
	ip->size = p->size;
	ip->sha256 = p->sha256;
}

/* The release date of a version: the previous index's, else when. */
static long long
release_date(const struct index *prev, const char *id, const char *version,
    long long when)
{
	const struct iengine *pe;
	const struct iversion *pv;

	if (prev == NULL || (pe = index_engine(prev, id)) == NULL ||
	    (pv = index_version(pe, version)) == NULL)
		return when;
	return pv->release_date;
}

/* Engine i's versions from its run of sorted packages [a, b). */
static void
fill_engine(struct index *x, const struct engine *me, const struct sorted *v,
    size_t a, size_t b, const struct index *prev, long long when,
    const char **fmt)
{
	struct index_mem *mm = x->mem;
	struct iengine *e = &mm->eng[x->neng++];
	size_t j, k, q, first = a;

	e->id = me->id;
	e->name = me->name;
	e->description = me->description;
	e->ver = &mm->ver[x->nver];
	for (j = a; j < b; j = k) {
		struct iversion *iv = &mm->ver[x->nver++];

		for (k = j; k < b && !scmp(v[k].p->version, v[j].p->version); k++)
			;
		iv->version = v[j].p->version;
		iv->min_app_version = v[j].p->min_app_version;
		iv->pkg = &mm->pkg[x->npkg];
		iv->npkg = k - j;
		for (q = j; q < k; q++) {
			if (version_cmp(v[q].p->min_app_version,
			    iv->min_app_version) > 0)
				iv->min_app_version = v[q].p->min_app_version;
			fill_pkg(&mm->pkg[x->npkg++], v[q].p);
		}
		iv->release_date = release_date(prev, me->id, iv->version, when);
		if (j == first) {
			e->formats = fmt;
			e->nformats = engine_formats(me, v + j, k - j, fmt);
		}
	}
	e->nver = (size_t)(&mm->ver[x->nver] - e->ver);
}

struct index *
index_from_scan(const struct manifest *m, struct scan *s,
    const struct index *prev, long long when)
{
	struct index *x = NULL;
	struct index_mem *mm;
	struct sorted *v;
	const char **fmt;
	size_t i, a, b, nfmt = 0, nver;

	if ((v = sort_packages(m, s)) == NULL) {
		scan_free(s);
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	x->mem = mm = xcalloc(1, sizeof(*mm));
	mm->scan = s;
	for (i = 0, nver = 0; i < s->n; i++)
		nver += i == 0 || v[i].eng != v[i - 1].eng ||
		    scmp(v[i].p->version, v[i - 1].p->version) != 0;
	mm->eng = xcalloc(m->neng ? m->neng : 1, sizeof(*mm->eng));
	mm->ver = xcalloc(nver ? nver : 1, sizeof(*mm->ver));
	mm->pkg = xcalloc(s->n ? s->n : 1, sizeof(*mm->pkg));
	for (i = 0; i < m->neng; i++)
		nfmt += m->eng[i].nformats;
	for (i = 0; i < s->n; i++)
		nfmt += s->pkg[i].nformats;
	mm->formats = fmt = xcalloc(nfmt ? nfmt : 1, sizeof(*fmt));
	x->base_url = m->site_base_url;
	x->eng = mm->eng;
	for (a = 0, i = 0; i < m->neng; i++) {
		for (b = a; b < s->n && v[b].eng == i; b++)
			;
		if (b == a) {
			note("engine %s has no packages; left out of engines.json",
			    m->eng[i].id);
			continue;
		}
		fill_engine(x, &m->eng[i], v, a, b, prev, when, fmt);
		fmt += x->eng[x->neng - 1].nformats;
		a = b;
	}
	free(v);
	x->last_updated = when;
	index_sort_ids(x);
	if (!index_digest(x)) {
		index_free(x);
		return NULL;
	}
	/* Nothing but the time would change: keep the time. */
	if (prev != NULL && strcmp(prev->digest, x->digest) == 0)
		x->last_updated = prev->last_updated;
	return x;
}

/* ---- read back ----------------------------------------------------------- */

static const char *
ystr(const struct ynode *map, const char *key)
{
	const struct ynode *n = ymap_get(map, key);

	return n == NULL || n->kind != Y_SCALAR || yscalar_is_null(n) ?
	    NULL : n->str;
}

/* A copy of s in the index's own chunks (NULL stays NULL): the parsed
 * tree, many times larger, is freed once the index is made. */
static const char *
adup(struct index_mem *mm, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if (n > mm->left) {
		size_t sz = n > 65536 ? n : 65536;

		mm->chunks = xrealloc(mm->chunks, (mm->nchunks + 1) *
		    sizeof(*mm->chunks));
		mm->cur = mm->chunks[mm->nchunks++] = xmalloc(sz);
		mm->left = sz;
	}
	d = mm->cur;
	memcpy(d, s, n);
	mm->cur += n;
	mm->left -= n;
	return d;
}

/* One version's packages, from a checked tree. */
static void
read_packages(struct index *x, struct iversion *iv, const struct ynode *pk)
{
	size_t i;

	iv->pkg = &x->mem->pkg[x->npkg];
	iv->npkg = pk->n;
	for (i = 0; i < pk->n; i++) {
		struct ipkg *p = &x->mem->pkg[x->npkg++];
		const struct ynode *o = pk->items[i];

		p->os = adup(x->mem, ystr(o, "os"));
		p->arch = adup(x->mem, ystr(o, "arch"));
		p->accelerator = adup(x->mem, ystr(o, "accelerator"));
		p->accelerator_version = adup(x->mem, ystr(o, "acceleratorVersion"));
		p->variant = adup(x->mem, ystr(o, "variant"));
		p->filename = adup(x->mem, ystr(o, "filename"));
		p->size = strtoull(ystr(o, "size"), NULL, 10);
		p->sha256 = adup(x->mem, ystr(o, "sha256"));
	}
}

/* Count what a checked tree holds, to size the arrays once. */
static void
tree_counts(const struct ynode *es, size_t *nver, size_t *npkg, size_t *nfmt)
{
	size_t i, j;

	*nver = *npkg = *nfmt = 0;
	for (i = 0; i < es->n; i++) {
		const struct ynode *vs = ymap_get(es->items[i], "versions");

		*nfmt += ymap_get(es->items[i], "modelFormats")->n;
		*nver += vs->n;
		for (j = 0; j < vs->n; j++)
			*npkg += ymap_get(vs->items[j], "packages")->n;
	}
}

/* A tree that index_check passed, into the index (its strings copied; the
 * tree is freed). */
static struct index *
from_tree(struct ynode *root)
{
	const struct ynode *es = ymap_get(root, "engines"), *e, *vs, *fs;
	struct index *x = xcalloc(1, sizeof(*x));
	struct index_mem *mm = x->mem = xcalloc(1, sizeof(*mm));
	size_t nver, npkg, nfmt, i, j, f = 0;
	const char *rd;

	tree_counts(es, &nver, &npkg, &nfmt);
	mm->eng = xcalloc(es->n ? es->n : 1, sizeof(*mm->eng));
	mm->ver = xcalloc(nver ? nver : 1, sizeof(*mm->ver));
	mm->pkg = xcalloc(npkg ? npkg : 1, sizeof(*mm->pkg));
	mm->formats = xcalloc(nfmt ? nfmt : 1, sizeof(*mm->formats));
	x->eng = mm->eng;
	x->base_url = adup(mm, ystr(root, "baseUrl"));
	x->last_updated = index_parse_time(ystr(root, "lastUpdated"));
	for (i = 0; i < es->n; i++) {
		struct iengine *ie = &mm->eng[x->neng++];

		e = es->items[i];
		ie->id = adup(mm, ystr(e, "id"));
		ie->name = adup(mm, ystr(e, "name"));
		ie->description = adup(mm, ystr(e, "description"));
		fs = ymap_get(e, "modelFormats");
		ie->formats = &mm->formats[f];
		ie->nformats = fs->n;
		for (j = 0; j < fs->n; j++)
			mm->formats[f++] = adup(mm, fs->items[j]->str);
		vs = ymap_get(e, "versions");
		ie->ver = &mm->ver[x->nver];
		ie->nver = vs->n;
		for (j = 0; j < vs->n; j++) {
			struct iversion *iv = &mm->ver[x->nver++];

			iv->version = adup(mm, ystr(vs->items[j], "version"));
			iv->min_app_version = adup(mm, ystr(vs->items[j],
			    "minAppVersion"));
			/* An index from before release dates: the versions it
			 * lists were out by its lastUpdated. */
			rd = ystr(vs->items[j], "releaseDate");
			iv->release_date = rd ? index_parse_time(rd) :
			    x->last_updated;
			read_packages(x, iv, ymap_get(vs->items[j], "packages"));
		}
	}
	ynode_free(root);
	index_sort_ids(x);
	if (!index_digest(x)) {
		index_free(x);
		return NULL;
	}
	return x;
}

/* A parsed engines.json, checked, into the index; the tree is the index's
 * to free.  NULL after reporting. */
static struct index *
index_from_parsed(struct ynode *root, const struct pkgrules *r)
{
	if (root == NULL)
		return NULL;
	if (!index_check(root, r)) {
		ynode_free(root);
		return NULL;
	}
	return from_tree(root);
}

struct index *
index_read_buf(const char *name, const char *text, size_t len,
    const struct pkgrules *r)
{
	return index_from_parsed(jsonpos_load(name, text, len), r);
}

struct index *
index_read(const char *path, const struct pkgrules *r)
{
	struct buf b = { 0 };
	struct ynode *root;
	int rc;

	if ((rc = read_file_opt_max(path, &b, GEN_MAX_INDEX)) == -1) {
		errno = ENOENT;
		diag_errno(path, 1, "cannot read (run gen index first, or gen "
		    "build)");
		buf_free(&b);
		return NULL;
	}
	/* The text goes before the checks: the tree holds its own copy. */
	root = rc == 1 ? jsonpos_load(path, b.s, b.len) : NULL;
	buf_free(&b);
	return index_from_parsed(root, r);
}

/* ---- engines.json, streamed ---------------------------------------------- */

static void
write_pkg(struct buf *b, int level, const struct ipkg *p, int first)
{
	if (!first)
		buf_putc(b, ',');
	buf_json_indent(b, level);
	buf_putc(b, '{');
	buf_json_kv(b, level + 1, "os", p->os, 1);
	buf_json_kv(b, level + 1, "arch", p->arch, 0);
	buf_json_kv(b, level + 1, "accelerator", p->accelerator, 0);
	buf_json_kv(b, level + 1, "acceleratorVersion", p->accelerator_version, 0);
	if (p->variant != NULL)
		buf_json_kv(b, level + 1, "variant", p->variant, 0);
	buf_json_kv(b, level + 1, "filename", p->filename, 0);
	buf_putc(b, ',');
	buf_json_indent(b, level + 1);
	buf_puts(b, "\"size\": ");
	buf_putu(b, p->size);
	buf_putc(b, ',');
	buf_json_indent(b, level + 1);
	buf_puts(b, "\"sha256\": \"");
	buf_add(b, p->sha256, 64);
	buf_putc(b, '"');
	buf_json_indent(b, level);
	buf_putc(b, '}');
}

static int
write_pkgs(struct buf *b, FILE *f, int level, const char *key,
    const struct iversion *v)
{
	size_t i;

	buf_putc(b, ',');
	buf_json_indent(b, level);
	buf_printf(b, "\"%s\": [", key);
	for (i = 0; i < v->npkg; i++) {
		write_pkg(b, level + 1, &v->pkg[i], i == 0);
		if (!buf_drain(b, f, 0))
			return 0;
	}
	if (v->npkg > 0)
		buf_json_indent(b, level);
	buf_putc(b, ']');
	return 1;
}

static int
write_engine(struct buf *b, FILE *f, const struct iengine *e, int first)
{
	char when[32];
	size_t i;

	if (!first)
		buf_putc(b, ',');
	buf_json_indent(b, 2);
	buf_putc(b, '{');
	buf_json_kv(b, 3, "id", e->id, 1);
	buf_json_kv(b, 3, "name", e->name, 0);
	buf_json_kv(b, 3, "description", e->description, 0);
	buf_json_kv(b, 3, "latestVersion", e->ver[0].version, 0);
	buf_putc(b, ',');
	buf_json_indent(b, 3);
	buf_puts(b, "\"modelFormats\": [");
	for (i = 0; i < e->nformats; i++) {
		if (i)
			buf_putc(b, ',');
		buf_json_indent(b, 4);
		buf_json_str(b, e->formats[i]);
	}
	if (e->nformats > 0)
		buf_json_indent(b, 3);
	buf_putc(b, ']');
	if (!write_pkgs(b, f, 3, "packages", &e->ver[0]))
		return 0;
	buf_putc(b, ',');
	buf_json_indent(b, 3);
	buf_puts(b, "\"versions\": [");
	for (i = 0; i < e->nver; i++) {
		if (i)
			buf_putc(b, ',');
		buf_json_indent(b, 4);
		buf_putc(b, '{');
		buf_json_kv(b, 5, "version", e->ver[i].version, 1);
		buf_json_kv(b, 5, "minAppVersion", e->ver[i].min_app_version, 0);
		index_time(e->ver[i].release_date, when);
		buf_json_kv(b, 5, "releaseDate", when, 0);
		if (!write_pkgs(b, f, 5, "packages", &e->ver[i]))
			return 0;
		buf_json_indent(b, 4);
		buf_putc(b, '}');
	}
	buf_json_indent(b, 3);
	buf_putc(b, ']');
	buf_json_indent(b, 2);
	buf_putc(b, '}');
	return 1;
}

int
index_write(const struct index *x, FILE *f)
{
	struct buf b = { 0 };
	char when[32];
	size_t i;
	int ok = 1;

	buf_reserve(&b, (1u << 18) + 4096);
	index_time(x->last_updated, when);
	buf_puts(&b, "{\n  \"schemaVersion\": 1,");
	buf_json_kv(&b, 1, "lastUpdated", when, 1);
	buf_json_kv(&b, 1, "baseUrl", x->base_url ? x->base_url : "", 0);
	buf_puts(&b, ",\n  \"engines\": [");
	for (i = 0; ok && i < x->neng; i++)
		ok = write_engine(&b, f, &x->eng[i], i == 0) && buf_drain(&b, f, 0);
	if (x->neng > 0)
		buf_json_indent(&b, 1);
	buf_puts(&b, "]\n}\n");
	ok = ok && buf_drain(&b, f, 1);
	buf_free(&b);
	return ok;
}

/* ---- gen verify ------------------------------------------------------------ */

struct want {
	const char	*filename;
	const char	*path;		/* found under the packages folder */
	const struct ipkg *p;
};

static int
want_cmp(const void *a, const void *b)
{
	return strcmp(((const struct want *)a)->filename,
	    ((const struct want *)b)->filename);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * Every package the index lists (latest and older versions alike) is looked
 * up by file name under pkgdir (the scan's walk) and hashed by the pool.
 */
long
index_verify(const char *index_path, const char *pkgdir,
    const struct pkgrules *rules, int jobs)
{
	struct index *x;
	struct want *w = NULL, key, *hit;
	char **found = NULL, **paths = NULL, (*sums)[65] = NULL;
	unsigned long long *sizes = NULL;
	size_t nw = 0, nfound = 0, i, j;
	long bad = -1;

	if ((x = index_read(index_path, rules)) == NULL)
		return -1;
	w = xcalloc(x->npkg ? x->npkg : 1, sizeof(*w));
	for (i = 0; i < x->npkg; i++) {
		w[nw].filename = x->mem->pkg[i].filename;
		w[nw++].p = &x->mem->pkg[i];
	}
	qsort(w, nw, sizeof(*w), want_cmp);
	/* Each file once (index_check: one filename, one package). */
	for (i = j = 0; i < nw; i++)
		if (j == 0 || strcmp(w[j - 1].filename, w[i].filename) != 0)
			w[j++] = w[i];
	nw = j;
	if (!scan_walk(pkgdir, &found, &nfound))
		goto out;
	for (i = 0; i < nfound; i++) {
		key.filename = base_name(found[i]);
		if ((hit = bsearch(&key, w, nw, sizeof(*w), want_cmp)) != NULL &&
		    hit->path == NULL)
			hit->path = found[i];
	}
	paths = xcalloc(nw ? nw : 1, sizeof(*paths));
	sums = xcalloc(nw ? nw : 1, sizeof(*sums));
	sizes = xcalloc(nw ? nw : 1, sizeof(*sizes));
	for (i = 0; i < nw; i++)
		paths[i] = w[i].path ? xstrdup(w[i].path) :
		    xasprintf("%s/%s", pkgdir, w[i].filename);
	if (!hash_files(paths, nw, jobs, sums, sizes))
		goto out;
	bad = 0;
	for (i = 0; i < nw; i++) {
		if (sizes[i] == (unsigned long long)-1) {
			printf("missing: %s (listed in %s, not found under %s)\n",
			    w[i].filename, index_path, pkgdir);
			bad++;
		} else if (sizes[i] != w[i].p->size) {
			printf("size: %s: %llu bytes, %s says %llu\n", paths[i],
			    sizes[i], index_path, w[i].p->size);
			bad++;
		} else if (strcmp(sums[i], w[i].p->sha256) != 0) {
			printf("sha256: %s: %s, %s says %s\n", paths[i], sums[i],
			    index_path, w[i].p->sha256);
			bad++;
		}
	}
	note("verified %zu packages against %s", nw, index_path);
out:
	for (i = 0; i < nfound; i++)
		free(found[i]);
	free(found);
	for (i = 0; paths != NULL && i < nw; i++)
		free(paths[i]);
	free(paths);
	free(sums);
	free(sizes);
	free(w);
	index_free(x);
	return bad;
}

/* ---- from run to run: the stamp, the carried-over index ------------------ */

/*
 * The state file STATE/index-HASH (HASH: of the site folder) holds what the
 * last run that wrote engines.json knew:
 *
 *	gen-index 3
 *	fingerprint FP		(of the packages, the manifest, gen, SDE)
 *	engines SHA256 ID	(of the engines.json written; ID its size,
 *				 mtime and inode, so that it is hashed
 *				 again only when one of them moved)
 *	digest DIGEST		(index_digest of what was written)
 *	lastUpdated SECONDS
 *	ENGINE\tVERSION\tSECONDS	(every version's release date, in
 *				 engines.json's order)
 *
 * It is trusted only while engines.json still has those bytes; otherwise
 * engines.json itself is read back.  A missing or damaged stamp costs time,
 * never a release date.
 */
struct stamp {
	char		 fp[65], engines[65];
	struct index	*prev;		/* engines and versions, no packages */
};

/* The stamp's release dates as an index of engines and versions. */
static struct index *
stamp_index(char *text, const char *digest, long long last)
{
	struct index *x = xcalloc(1, sizeof(*x));
	struct index_mem *mm = x->mem = xcalloc(1, sizeof(*mm));
	size_t n = 0, cap = 0;
	char *line, *nl, *t1, *t2, *end;
	struct iengine *e = NULL;

	for (line = text; *line != '\0'; line = nl + 1) {
		struct iversion *v;

		if ((nl = strchr(line, '\n')) == NULL)
			goto bad;
		*nl = '\0';
		if ((t1 = strchr(line, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL)
			goto bad;
		*t1++ = '\0';
		*t2++ = '\0';
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			mm->ver = xrealloc(mm->ver, cap * sizeof(*mm->ver));
		}
		v = &mm->ver[n++];
		memset(v, 0, sizeof(*v));
		v->version = t1;
		v->release_date = strtoll(t2, &end, 10);
		if (*end != '\0')
			goto bad;
		/* The engine: the line's id; a new one when it changes. */
		v->min_app_version = line;
	}
	x->nver = n;
	mm->eng = xcalloc(n ? n : 1, sizeof(*mm->eng));
	for (size_t i = 0; i < n; i++) {
		if (e == NULL || strcmp(e->id, mm->ver[i].min_app_version) != 0) {
			e = &mm->eng[x->neng++];
			e->id = mm->ver[i].min_app_version;
			e->ver = &mm->ver[i];
		}
		e->nver++;
		/* Versions newest first, as index_version's search needs. */
		if (e->nver > 1 && version_cmp(mm->ver[i - 1].version,
		    mm->ver[i].version) <= 0)
			goto bad;
	}
	x->eng = mm->eng;
	index_sort_ids(x);
	snprintf(x->digest, sizeof(x->digest), "%s", digest);
	x->last_updated = last;
	return x;
bad:
	index_free(x);
	return NULL;
}

/* The stamp's text for an index just written. */
static void
stamp_encode(struct buf *b, const char *fp, const char *engines,
    const char *id, const struct index *x)
{
	size_t i, j;

	buf_printf(b, "gen-index 3\nfingerprint %s\nengines %s %s\ndigest %s\n"
	    "lastUpdated %lld\n", fp, engines, id, x->digest, x->last_updated);
	for (i = 0; i < x->neng; i++)
		for (j = 0; j < x->eng[i].nver; j++)
			buf_printf(b, "%s\t%s\t%lld\n", x->eng[i].id,
			    x->eng[i].ver[j].version, x->eng[i].ver[j].release_date);
}

/* The identity of a file: size, mtime (ns) and inode, as the package
 * cache keys on; "" when it cannot be examined. */
static void
file_identity(const char *path, char out[96])
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		out[0] = '\0';
	else
		stat_identity(&st, out);
}

/*
 * Read the stamp; 1 when it is whole and engines.json still has the bytes
 * it names (st->prev then holds the release dates), else 0.  The file is
 * hashed only when its size, mtime or inode moved since the stamp.
 */
static int
stamp_read(const char *stamp_path, const char *index_path, struct stamp *st,
    struct buf *text)
{
	char digest[65], sum[65], *names[1], id[96], was[96];
	unsigned long long size;
	long long last;
	int off = 0;

	memset(st, 0, sizeof(*st));
	if (!out_state_usable(stamp_path) || read_file_opt(stamp_path, text) != 1 ||
	    sscanf(text->s, "gen-index 3\nfingerprint %64s\nengines %64s %95s\n"
	    "digest %64s\nlastUpdated %lld\n%n", st->fp, st->engines, was,
	    digest, &last, &off) != 5 || off == 0)
		return 0;
	file_identity(index_path, id);
	if (id[0] == '\0')
		return 0;
	if (strcmp(id, was) != 0) {
		names[0] = (char *)index_path;
		if (!hash_files(names, 1, 1, &sum, &size) ||
		    strcmp(sum, st->engines) != 0)
			return 0;
	}
	return (st->prev = stamp_index(text->s + off, digest, last)) != NULL;
}

/*
 * The salt of the package fingerprint: everything besides the packages
 * that engines.json depends on (the manifest, SOURCE_DATE_EPOCH, gen).
 */
static char *
index_salt(const char *manifest_path)
{
	struct buf b = { 0 };
	char sum[65], self[65] = "";
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	/* This very program: any change to gen makes a new index. */
	if (read_file_opt("/proc/self/exe", &b) == 1 &&
	    !sha256_hex(b.s, b.len, self))
		goto fail;
	if (!read_file_max(manifest_path, &b, GEN_MAX_MANIFEST) ||
	    !sha256_hex(b.s, b.len, sum))
		goto fail;
	buf_free(&b);
	return xasprintf("gen %s\nmanifest %s\nSOURCE_DATE_EPOCH %s\n", self,
	    sum, sde ? sde : "");
fail:
	buf_free(&b);
	return NULL;
}

/* The time of this run: SOURCE_DATE_EPOCH, else the newest input's. */
static int
run_time(const struct index_job *j, const struct scan *s, long long *when)
{
	struct stat st;

	if ((*when = source_date_epoch()) == -2) {
		diag(EXIT_DATAERR, NULL, "SOURCE_DATE_EPOCH=%s is not a number of "
		    "seconds", getenv("SOURCE_DATE_EPOCH"));
		return 0;
	}
	if (*when == -1) {
		*when = s->newest;
		if (stat(j->manifest, &st) == 0 && st.st_mtim.tv_sec > *when)
			*when = st.st_mtim.tv_sec;
	}
	return 1;
}

/* The two large files of a run: engines.json and the package cache,
 * formatted on two threads at once. */
struct wjob {
	const struct index	*x;
	const struct scan	*s;
	FILE			*f[2];
	int			 ok[2];
};

static void
write_item(void *arg, size_t i, int worker)
{
	struct wjob *w = arg;

	(void)worker;
	w->ok[i] = i == 0 ? index_write(w->x, w->f[0]) :
	    scan_cache_write(w->s, w->f[1]);
}

/*
 * engines.json (its digest to sum, its identity to id) and, when cache is
 * not NULL, the
 * package cache, streamed into the site set.  Returns 1, or 0 after
 * reporting.
 */
static int
write_outputs(const struct index *x, const char *cache, struct outset *site,
    int jobs, char sum[65], char id[96])
{
	struct ostream *os[2] = { NULL, NULL };
	struct wjob w = { x, x->mem->scan, { NULL, NULL }, { 1, 1 } };
	int ok;

	if ((os[0] = outset_open(site, "engines.json")) == NULL ||
	    (cache != NULL && (os[1] = outset_open_state(site, cache)) == NULL)) {
		if (os[0] != NULL)
			ostream_close(os[0], NULL, NULL);
		return 0;
	}
	w.f[0] = ostream_file(os[0]);
	w.f[1] = os[1] ? ostream_file(os[1]) : NULL;
	pool_run(os[1] ? 2 : 1, jobs, write_item, &w);
	ok = ostream_close(os[0], sum, id) && w.ok[0];
	if (os[1] != NULL)
		ok = ostream_close(os[1], NULL, NULL) && w.ok[1] && ok;
	return ok;
}

/* The schema beside engines.json. */
static int
add_schema(const struct index_job *j, struct outset *site)
{
	struct buf b = { 0 };
	char *schema = xasprintf("%s/site/schema/engines.schema.json",
	    j->templates);
	int ok = read_file_max(schema, &b, GEN_MAX_TEMPLATE);

	free(schema);
	if (ok)
		outset_add(site, "schema/engines.schema.json", &b);
	buf_free(&b);
	return ok;
}

/* The previous index: the stamp's dates while engines.json is what the
 * stamp names, else engines.json read back (when there is one). */
static int
previous(const struct index_job *j, struct stamp *st, struct buf *text,
    int *trusted)
{
	/* What was published may predate the manifest's engines and
	 * platforms: it is checked for what it is, not for this manifest. */
	struct pkgrules any = { 0, NULL, NULL, NULL, 0 };
	char *path = xasprintf("%s/engines.json", j->site);
	char *stamp = out_state_path("index", j->site);
	int ok = 1;

	*trusted = j->use_cache && stamp_read(stamp, path, st, text);
	if (!*trusted) {
		index_free(st->prev);
		st->prev = NULL;
		if (access(path, F_OK) == 0 &&
		    (st->prev = index_read(path, &any)) == NULL) {
			diag(EXIT_DATAERR, &(struct pos){ path, 0, 0 }, "the "
			    "previous index cannot be read back, and its release "
			    "dates would be lost: restore it (from the CDN), or "
			    "remove it to date every version anew");
			ok = 0;
		}
	}
	free(stamp);
	free(path);
	return ok;
}

int
index_update(const struct manifest *m, const struct index_job *j,
    struct outset *site, struct index **out)
{
	const char **sorted;
	struct pkgrules rules = manifest_rules(m, &sorted);
	struct scanopts so = { 0 };
	struct stamp st = { 0 };
	struct buf text = { 0 }, b = { 0 };
	struct scan *s = NULL;
	struct index *x = NULL;
	char *salt = NULL, sum[65], *path = NULL;
	long long when;
	char fp[65], id[96];
	int ok = 0, trusted = 0, dirty;

	*out = NULL;
	so.dir = j->packages;
	so.cache = j->cache;
	so.use_cache = j->use_cache;
	so.jobs = j->jobs;
	if (site != NULL) {
		if ((salt = index_salt(j->manifest)) == NULL ||
		    !previous(j, &st, &text, &trusted))
			goto out;
		so.salt = salt;
		/* Nothing changed: engines.json stays as it is, unread.  The
		 * catalog needs the index itself, which the cache and the
		 * stamp give faster, and in far less memory, than reading
		 * engines.json back would. */
		so.expect = trusted && !j->need ? st.fp : NULL;
	}
	if ((s = scan_packages(&so, &rules)) == NULL)
		goto out;
	if (s->unchanged) {
		outset_keep(site, "engines.json");
		ok = add_schema(j, site);
		goto out;
	}
	dirty = s->dirty;
	if (!run_time(j, s, &when))
		goto out;
	memcpy(fp, s->fingerprint, sizeof(fp));
	x = index_from_scan(m, s, st.prev, when);
	s = NULL;		/* the index's now */
	if (x == NULL)
		goto out;
	if (site == NULL) {
		ok = 1;
		goto out;
	}
	/* The cache is committed with the outputs, or not at all. */
	if (!write_outputs(x, dirty && j->write_state &&
	    j->cache != NULL && out_state_usable(j->cache) ? j->cache : NULL, site, j->jobs, sum,
	    id) || !add_schema(j, site))
		goto out;
	if (j->write_state && out_state_usable(path = out_state_path("index",
	    j->site))) {
		stamp_encode(&b, fp, sum, id[0] ? id : "-", x);
		outset_add_state(site, path, &b);
	}
	free(path);
	ok = 1;
out:
	if (ok && j->need && x != NULL) {
		*out = x;
		x = NULL;
	}
	index_free(x);
	index_free(st.prev);
	scan_free(s);
	buf_free(&text);
	buf_free(&b);
	free(salt);
	free(sorted);
	return ok;
}

struct index *
index_site(const struct manifest *m, const struct index_job *j,
    struct outset *site)
{
	struct pkgrules rules = { m->nplat, m->plat, m->engine_ids, NULL, 0 };
	char *path = xasprintf("%s/engines.json", j->site);
	struct index *x;

	/* Read back, an index is input: checked before any rendering. */
	if ((x = index_read(path, &rules)) != NULL) {
		outset_keep(site, "engines.json");
		if (!add_schema(j, site)) {
			index_free(x);
			x = NULL;
		}
	}
	free(path);
	return x;
}
