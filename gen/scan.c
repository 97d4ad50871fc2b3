/*
 * scan.c - the packages folder: find every *.baiengine, take unchanged ones
 * from the cache, read the rest with worker threads (one pass over each
 * file's bytes), check them all, and write the cache back.
 *
 * The cache maps path + size + mtime (ns) + inode to the digest and the
 * manifest fields.  It ends with a line holding the entry count and the
 * SHA-256 of everything before it; a cache that is missing, from another
 * version, or damaged in any way is ignored and rebuilt.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "index.h"

/* Version 2: every record is of a package read whole and checked. */
#define CACHE_MAGIC	"gen-cache 2\n"
#define READ_BUF	(1024 * 1024)

/* A file found by the walk. */
struct found {
	char		*path;
	unsigned long long size;
	long long	 mtime_s, mtime_ns;
	unsigned long long ino;
	int		 cached;	/* filled from the cache */
	int		 failed;
};

/* A cache record: its strings point into the cache's text. */
struct cache_ent {
	const char	*path;
	char		**f;		/* the record's fields, in text */
	unsigned long long size, ino;
	long long	 mtime_s, mtime_ns;
};

struct cache {
	size_t			 n;
	struct cache_ent	*e;	/* sorted by path */
	struct buf		 text;	/* the file, split in place */
	char			**fields;	/* NFIELDS per record */
};

static int
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

static char *
join_path(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = xmalloc(a + b + 2);

	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static void
found_add(struct found **v, size_t *n, size_t *cap, char *path,
    const struct stat *st)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].path = path;
	(*v)[*n].size = (unsigned long long)st->st_size;
	(*v)[*n].mtime_s = (long long)st->st_mtim.tv_sec;
	(*v)[*n].mtime_ns = (long long)st->st_mtim.tv_nsec;
	(*v)[*n].ino = (unsigned long long)st->st_ino;
	(*n)++;
}

/*
 * What the entry name of folder d is, following a symbolic link (*link
 * tells): fills *st and returns 1; or returns 0 with *what set to why the
 * link cannot be followed ("a dangling symbolic link", "a symbolic link
 * loop"), or with *what NULL and errno set when the entry could not be
 * examined.
 */
static int
entry_stat(DIR *d, const char *name, struct stat *st, int *link,
    const char **what)
{
	*what = NULL;
	*link = 0;
	if (fstatat(dirfd(d), name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (!S_ISLNK(st->st_mode))
		return 1;
	*link = 1;
	if (fstatat(dirfd(d), name, st, 0) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		*what = "a dangling symbolic link";
	else if (errno == ELOOP)
		*what = "a symbolic link loop";
	return 0;
}

/* The folders being walked, from the top: a link back to one of them is
 * not walked again. */
struct walked {
	dev_t			 dev;
	ino_t			 ino;
	const struct walked	*up;
};

/*
 * Every *.baiengine below dir; dot-files and dot-folders are skipped, and
 * so is anything else that is neither a folder nor named *.baiengine.  A
 * *.baiengine that is not (or does not lead to) a regular file is an
 * error, reported here without stopping the walk.  Returns 1, or 0 when
 * anything was reported.
 */
static int
walk(const char *dir, const struct walked *up, struct found **v, size_t *n,
    size_t *cap)
{
	const struct walked *w;
	struct walked here = { 0, 0, NULL };
	struct dirent *de;
	struct stat st;
	const char *what;
	char *p;
	DIR *d;
	int ok = 1, pkg, link;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 1;
		diag_errno(dir, 0, "cannot read folder");
		return 0;
	}
	here.up = up;
	if (fstat(dirfd(d), &st) == 0) {
		here.dev = st.st_dev;
		here.ino = st.st_ino;
	}
	while ((de = readdir(d)) != NULL) {
		pkg = has_suffix(de->d_name, ".baiengine");
		/* Only folders and packages need a stat; d_type says which,
		 * where the file system knows. */
		if (de->d_name[0] == '.' || (!pkg && de->d_type != DT_UNKNOWN &&
		    de->d_type != DT_DIR && de->d_type != DT_LNK))
			continue;
		p = join_path(dir, de->d_name);
		if (!entry_stat(d, de->d_name, &st, &link, &what)) {
			if (what == NULL) {
				diag_errno(p, 0, "cannot stat");
				ok = 0;
			} else if (pkg) {
				diag(EXIT_DATAERR, &(struct pos){ p, 0, 0 },
				    "is %s, not a regular file", what);
				ok = 0;
			} else
				note("%s: skipped: %s", p, what);
		} else if (S_ISREG(st.st_mode) && pkg) {
			found_add(v, n, cap, p, &st);
			p = NULL;
		} else if (pkg) {
			diag(EXIT_DATAERR, &(struct pos){ p, 0, 0 },
			    "is %s%s, not a regular file", link ?
			    "a symbolic link to " : "", file_kind(st.st_mode));
			ok = 0;
		} else if (S_ISDIR(st.st_mode)) {
			for (w = &here; w != NULL; w = w->up)
				if (w->dev == st.st_dev && w->ino == st.st_ino)
					break;
			if (w != NULL)
				note("%s: skipped: a link to a folder that holds "
				    "it", p);
			else
				ok &= walk(p, &here, v, n, cap);
		}
		free(p);
	}
	closedir(d);
	return ok;
}

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

/* ---- the cache file --------------------------------------------------- */

static void
put_field(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "\\N");
		return;
	}
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '\t')
			buf_puts(b, "\\t");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *s);
	}
}

/* Split one line into fields in place, unescaping; NULL for \N. */
static size_t
split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *r, *w;

	while (n < max) {
		f[n] = line;
		for (r = w = line; *r && *r != '\t'; r++) {
			if (*r != '\\') {
				*w++ = *r;
				continue;
			}
			r++;
			if (*r == 'N' && r == line + 1 && (r[1] == '\t' || r[1] == '\0'))
				f[n] = NULL;
			else if (*r == 't')
				*w++ = '\t';
			else if (*r == 'n')
				*w++ = '\n';
			else if (*r == '\\')
				*w++ = '\\';
			else
				return 0;	/* damaged */
		}
		n++;
		if (*r == '\0') {
			*w = '\0';
			break;
		}
		*w = '\0';
		line = r + 1;
	}
	return n;
}

static int
cache_ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cache_ent *)a)->path,
	    ((const struct cache_ent *)b)->path);
}

static void
cache_free(struct cache *c)
{
	free(c->e);
	free(c->fields);
	buf_free(&c->text);
	memset(c, 0, sizeof(*c));
}

#define NFIELDS 16

/*
 * A cached record as a package: its strings stay in the cache's text, which
 * the scan keeps; only the formats array is allocated (the record's block,
 * so pkginfo_clear frees just that and the path).
 */
static void
record_fill(struct pkginfo *p, char **f, char *path)
{
	char **dst[] = { &p->engine_id, &p->version, &p->os, &p->arch,
	    &p->accelerator, &p->accelerator_version, &p->server_binary,
	    &p->min_app_version, &p->variant };
	size_t nfmt = 0, i;
	char *q;

	p->path = path;
	p->filename = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	p->size = strtoull(f[1], NULL, 10);
	memcpy(p->sha256, f[5], 65);
	for (i = 0; i < 9; i++)
		*dst[i] = f[6 + i];
	if (*f[15] != '\0')
		for (nfmt = 1, q = f[15]; *q; q++)
			nfmt += *q == ',';
	p->block = xmalloc(nfmt ? nfmt * sizeof(char *) : 1);
	p->formats = nfmt ? (char **)(void *)p->block : NULL;
	p->nformats = nfmt;
	for (i = 0, q = f[15]; i < nfmt; i++) {
		p->formats[i] = q;
		if ((q = strchr(q, ',')) == NULL)
			break;
		*q++ = '\0';
	}
}

/* Parse the cache; anything odd and it is dropped whole (rebuilt). */
static void
cache_load(const char *path, struct cache *c)
{
	char *line, *nl, *end, **f, sum[65], want[65];
	unsigned long long count = 0;
	size_t nf, i, ecap = 0;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = read_file_opt(path, &c->text)) == -1) {
		buf_free(&c->text);
		return;		/* no cache yet */
	}
	if (r == 0 || c->text.len < sizeof(CACHE_MAGIC) ||
	    memcmp(c->text.s, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0)
		goto bad;
	/* The last line: "end COUNT SHA256" over everything before it. */
	if (c->text.s[c->text.len - 1] != '\n')
		goto bad;
	c->text.s[c->text.len - 1] = '\0';
	if ((end = strrchr(c->text.s, '\n')) == NULL)
		goto bad;
	end++;
	if (!sha256_hex(c->text.s, (size_t)(end - c->text.s), sum) ||
	    sscanf(end, "end %llu %64s", &count, want) != 2 ||
	    strcmp(want, sum) != 0 || count > c->text.len / 64)
		goto bad;
	c->e = xcalloc(count ? count : 1, sizeof(*c->e));
	c->fields = xcalloc(count ? count * NFIELDS : 1, sizeof(*c->fields));
	ecap = count;
	for (line = c->text.s + sizeof(CACHE_MAGIC) - 1; line < end; line = nl + 1) {
		struct cache_ent *e;

		nl = strchr(line, '\n');
		*nl = '\0';
		if (line == end - 1)
			break;
		if (c->n == ecap)
			goto bad;
		f = &c->fields[c->n * NFIELDS];
		nf = split_fields(line, f, NFIELDS);
		if (nf != NFIELDS || f[0] == NULL || f[1] == NULL || f[5] == NULL ||
		    strlen(f[5]) != 64 || f[15] == NULL)
			goto bad;
		for (i = 6; i < 15; i++)
			if (f[i] == NULL && i != 11 && i != 14)
				goto bad;
		e = &c->e[c->n++];
		e->path = f[0];
		e->f = f;
		e->size = strtoull(f[1], NULL, 10);
		e->mtime_s = strtoll(f[2], NULL, 10);
		e->mtime_ns = strtoll(f[3], NULL, 10);
		e->ino = strtoull(f[4], NULL, 10);
	}
	if (count != c->n)
		goto bad;
	if (c->n > 0)
		qsort(c->e, c->n, sizeof(*c->e), cache_ent_cmp);
	return;
bad:
	note("%s: cache unreadable or damaged; rebuilding it", path);
	cache_free(c);
}

static struct cache_ent *
cache_find(const struct cache *c, const struct found *f)
{
	struct cache_ent key;
	struct cache_ent *e;

	if (c->n == 0)
		return NULL;
	key.path = f->path;
	e = bsearch(&key, c->e, c->n, sizeof(*c->e), cache_ent_cmp);
	if (e == NULL || e->size != f->size || e->mtime_s != f->mtime_s ||
	    e->mtime_ns != f->mtime_ns || e->ino != f->ino)
		return NULL;
	return e;
}

/* The cache's text for the records of the scan (failed ones left out). */
static void
cache_encode(struct buf *b, const struct found *f, const struct pkginfo *p,
    size_t n)
{
	char sum[65];
	size_t i, j, cnt = 0;

	buf_reserve(b, n * 256 + 64);
	buf_puts(b, CACHE_MAGIC);
	for (i = 0; i < n; i++) {
		if (f[i].failed)
			continue;
		cnt++;
		put_field(b, p[i].path);
		buf_printf(b, "\t%llu\t%lld\t%lld\t%llu\t%s\t", f[i].size,
		    f[i].mtime_s, f[i].mtime_ns, f[i].ino, p[i].sha256);
		put_field(b, p[i].engine_id);	buf_putc(b, '\t');
		put_field(b, p[i].version);	buf_putc(b, '\t');
		put_field(b, p[i].os);		buf_putc(b, '\t');
		put_field(b, p[i].arch);	buf_putc(b, '\t');
		put_field(b, p[i].accelerator); buf_putc(b, '\t');
		put_field(b, p[i].accelerator_version); buf_putc(b, '\t');
		put_field(b, p[i].server_binary); buf_putc(b, '\t');
		put_field(b, p[i].min_app_version); buf_putc(b, '\t');
		put_field(b, p[i].variant);	buf_putc(b, '\t');
		for (j = 0; j < p[i].nformats; j++) {
			if (j)
				buf_putc(b, ',');
			put_field(b, p[i].formats[j]);
		}
		buf_putc(b, '\n');
	}
	if (sha256_hex(b->s, b->len, sum))
		buf_printf(b, "end %zu %s\n", cnt, sum);
	else
		buf_free(b);	/* reported; no cache this time */
}

/* ---- reading packages, and hashing files, on the worker pool ------------ */

struct job {
	struct found		*f;
	struct pkginfo		*p;
	int			 readahead;	/* fewer workers than cores */
	/* hash_files */
	char *const		*hpaths;
	char			(*hsum)[65];
	unsigned long long	*hsize;
	int			 hfail;
	/* progress, shown by worker 0 on a terminal */
	unsigned long long	 bytes, total;
	int			 progress, shown;
	struct timespec		 t0, last;
	unsigned char		*buf[64];	/* per worker */
};

/* SHA-256 and size of one file; a missing file gets size -1.  Returns 1,
 * or 0 after reporting. */
static int
hash_one(const char *path, unsigned char *buf, size_t buflen, char out[65],
    unsigned long long *size, unsigned long long *bytes)
{
	EVP_MD_CTX *ctx;
	unsigned char md[32];
	unsigned int len = 0;
	ssize_t r;
	int fd, ok = 0, missing = 0;

	*size = 0;
	if ((fd = open_regular(path, path, &missing)) == -1) {
		if (!missing)
			return 0;
		*size = (unsigned long long)-1;
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto sha;
	while ((r = read_full(fd, buf, buflen)) > 0) {
		if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
			goto sha;
		*size += (unsigned long long)r;
		__atomic_fetch_add(bytes, (unsigned long long)r, __ATOMIC_RELAXED);
	}
	if (r < 0) {
		diag_errno(path, 0, "read");
		goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32)
		goto sha;
	hex_encode(md, 32, out);
	ok = 1;
	goto out;
sha:
	diag(EXIT_IOERR, &(struct pos){ path, 0, 0 }, "SHA-256 failed (libcrypto)");
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return ok;
}

static void
human(char *out, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(out, len, "%.2f GB", v / 1e9);
	else if (v >= 1e6)
		snprintf(out, len, "%.1f MB", v / 1e6);
	else
		snprintf(out, len, "%.0f kB", v / 1e3);
}

/* On a terminal, worker 0 shows bytes, rate and time left, four times a
 * second at most. */
static void
progress(struct job *j)
{
	struct timespec now;
	double el, done, rate;
	char a[32], b[32], r[32];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - j->last.tv_sec) * 1000000000L +
	    (now.tv_nsec - j->last.tv_nsec) < 250000000L)
		return;
	j->last = now;
	el = (double)(now.tv_sec - j->t0.tv_sec) +
	    (double)(now.tv_nsec - j->t0.tv_nsec) / 1e9;
	if (el < 0.5)
		return;
	done = (double)__atomic_load_n(&j->bytes, __ATOMIC_RELAXED);
	rate = done / el;
	human(a, sizeof(a), done);
	human(b, sizeof(b), (double)j->total);
	human(r, sizeof(r), rate);
	fprintf(stderr, "\rgen: reading %s of %s, %s/s, %.0f s left   ", a, b, r,
	    rate > 0 ? ((double)j->total - done) / rate : 0.0);
	j->shown = 1;
}

static unsigned char *
job_buf(struct job *j, int worker)
{
	if (j->buf[worker] == NULL)
		j->buf[worker] = xmalloc(READ_BUF);
	return j->buf[worker];
}

static void
read_item(void *arg, size_t i, int worker)
{
	struct job *j = arg;

	if (j->f[i].cached)
		return;
	if (!package_read(j->f[i].path, j->f[i].path, PKG_DEEP,
	    job_buf(j, worker), READ_BUF, j->readahead, &j->p[i]))
		j->f[i].failed = 1;
	else
		__atomic_fetch_add(&j->bytes, j->p[i].size, __ATOMIC_RELAXED);
	if (worker == 0 && j->progress)
		progress(j);
}

static void
hash_item(void *arg, size_t i, int worker)
{
	struct job *j = arg;

	if (!hash_one(j->hpaths[i], job_buf(j, worker), READ_BUF, j->hsum[i],
	    &j->hsize[i], &j->bytes))
		__atomic_store_n(&j->hfail, 1, __ATOMIC_RELAXED);
	if (worker == 0 && j->progress)
		progress(j);
}

static void
run_jobs(struct job *j, size_t n, int jobs, void (*fn)(void *, size_t, int))
{
	size_t i;

	j->progress = gen_verbose >= 0 && isatty(2) && j->total > 0;
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	j->last = j->t0;
	pool_run(n, jobs, fn, j);
	if (j->shown)
		fprintf(stderr, "\r\033[K");
	for (i = 0; i < 64; i++)
		free(j->buf[i]);
}

/*
 * For gen verify: plain SHA-256 and size of each file, no archive reading,
 * so a damaged package shows as a digest mismatch rather than bad data.
 */
int
hash_files(char *const *paths, size_t n, int jobs, char (*sha256)[65],
    unsigned long long *size)
{
	struct job j;
	struct stat st;
	size_t i;

	memset(&j, 0, sizeof(j));
	j.hpaths = paths;
	j.hsum = sha256;
	j.hsize = size;
	for (i = 0; i < n; i++)
		if (stat(paths[i], &st) == 0)
			j.total += (unsigned long long)st.st_size;
	run_jobs(&j, n, jobs, hash_item);
	return !j.hfail;
}

/* See struct scan. */
static int
fingerprint(const char *salt, const struct found *f, size_t n, char out[65])
{
	struct buf b = { 0 };
	size_t i;
	int ok;

	buf_reserve(&b, n * 96 + 128);
	buf_printf(&b, "gen-fingerprint 2\n%s\n", salt ? salt : "");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s\t%llu\t%lld\t%lld\t%llu\n", f[i].path,
		    f[i].size, f[i].mtime_s, f[i].mtime_ns, f[i].ino);
	ok = sha256_hex(b.s, b.len, out);
	buf_free(&b);
	return ok;
}

int
scan_walk(const char *dir, char ***paths, size_t *n)
{
	struct found *f = NULL;
	size_t nf = 0, cap = 0, i;
	int ok = walk(dir, NULL, &f, &nf, &cap);

	if (nf > 0)
		qsort(f, nf, sizeof(*f), found_cmp);
	*paths = xcalloc(nf ? nf : 1, sizeof(**paths));
	for (i = 0; i < nf; i++)
		(*paths)[i] = f[i].path;
	*n = nf;
	free(f);
	return ok;
}

/* Take the cached records; the rest are read.  Returns the hits. */
static size_t
take_cached(struct cache *c, struct found *f, struct pkginfo *p, size_t n,
    unsigned long long *total)
{
	struct cache_ent *ce;
	size_t i, hits = 0;

	for (i = 0; i < n; i++) {
		if ((ce = cache_find(c, &f[i])) != NULL) {
			record_fill(&p[i], ce->f, f[i].path);
			f[i].path = NULL;	/* the record's now */
			f[i].cached = 1;
			hits++;
		} else
			*total += f[i].size;
	}
	return hits;
}

/*
 * Walk, fingerprint, cache, read the rest on the worker pool, then check
 * every record (cached ones too, as the rules may have changed), and
 * encode the cache when anything changed.  The caller frees the result
 * with scan_free().
 */
struct scan *
scan_packages(const struct scanopts *o, const struct pkgrules *rules)
{
	struct scan *s = NULL;
	struct found *f = NULL;
	struct cache cache = { 0 };
	struct job j;
	struct pkginfo *p = NULL;
	char fp[65];
	int ok = 1, walked, jobs;
	size_t n = 0, cap = 0, i, hits = 0;

	/* A bad entry fails the run, but only after every package has been
	 * read and checked: all the problems are reported at once. */
	walked = walk(o->dir, NULL, &f, &n, &cap);
	if (n > 0)
		qsort(f, n, sizeof(*f), found_cmp);
	if (!fingerprint(o->salt, f, n, fp))
		goto out;
	if (walked && o->expect != NULL && strcmp(o->expect, fp) == 0) {
		s = xcalloc(1, sizeof(*s));
		memcpy(s->fingerprint, fp, sizeof(fp));
		s->unchanged = 1;
		note("%s: %zu packages, none changed since the last index", o->dir, n);
		goto out;
	}
	if (o->use_cache && o->cache != NULL)
		cache_load(o->cache, &cache);
	p = xcalloc(n ? n : 1, sizeof(*p));
	memset(&j, 0, sizeof(j));
	j.f = f;
	j.p = p;
	hits = take_cached(&cache, f, p, n, &j.total);
	jobs = pool_size(o->jobs);
	if (hits < n) {
		/* A reading thread per worker pays only where a core is idle. */
		j.readahead = (size_t)jobs > n - hits;
		run_jobs(&j, n, jobs, read_item);
	}
	note("%s: %zu packages, %zu from the cache, %zu read", o->dir, n, hits, n - hits);
	ok = walked;
	for (i = 0; i < n; i++)
		if (f[i].failed)
			ok = 0;
	for (i = 0; i < n; i++)
		if (!f[i].failed && !package_check(&p[i], rules))
			ok = 0;
	if (!ok)
		goto out;
	s = xcalloc(1, sizeof(*s));
	memcpy(s->fingerprint, fp, sizeof(fp));
	/* Entries for files that are gone also make the cache stale. */
	if (o->write_cache && o->cache != NULL && (hits != n || cache.n != n))
		cache_encode(&s->cache, f, p, n);
	s->n = n;
	s->pkg = p;
	for (i = 0; i < n; i++)
		if (f[i].mtime_s > s->newest)
			s->newest = f[i].mtime_s;
	p = NULL;
	/* The cached records point into the cache's text. */
	s->held = cache.text;
	s->held_fields = cache.fields;
	memset(&cache.text, 0, sizeof(cache.text));
	cache.fields = NULL;
out:
	if (p != NULL) {
		for (i = 0; i < n; i++)
			pkginfo_clear(&p[i]);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(f[i].path);
	free(f);
	cache_free(&cache);
	return s;
}

void
scan_free(struct scan *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		pkginfo_clear(&s->pkg[i]);
	free(s->pkg);
	buf_free(&s->cache);
	buf_free(&s->held);
	free(s->held_fields);
	free(s);
}
