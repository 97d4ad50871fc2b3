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

/* 2: every record comes from a read that checked the gzip trailer too;
 * records of version 1 are not trusted. */
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

struct cache_ent {
	struct pkginfo	 info;
	long long	 mtime_s, mtime_ns;
	unsigned long long ino;
	int		 deep;
};

struct cache {
	size_t			 n;
	struct cache_ent	*e;	/* sorted by path */
};

int
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

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
	return strcmp(((const struct cache_ent *)a)->info.path,
	    ((const struct cache_ent *)b)->info.path);
}

static void
cache_free(struct cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		pkginfo_clear(&c->e[i].info);
	free(c->e);
	c->e = NULL;
	c->n = 0;
}

#define NFIELDS 17

/*
 * A cached record's strings in one allocation: the formats array first,
 * then filename and fields 6 to 15 of the cache line, NUL-terminated.
 * Ten thousand records make two allocations each, not fifteen.
 */
static void
block_fill(struct pkginfo *p, char **f)
{
	const char *base = strrchr(f[0], '/') ? strrchr(f[0], '/') + 1 : f[0];
	char **dst[] = { &p->engine_id, &p->version, &p->os, &p->arch,
	    &p->accelerator, &p->accelerator_version, &p->server_binary,
	    &p->min_app_version, &p->variant };
	size_t nfmt = 0, len, i;
	char *w, *q;

	if (*f[15] != '\0')
		for (nfmt = 1, q = f[15]; *q; q++)
			nfmt += *q == ',';
	len = nfmt * sizeof(char *) + strlen(base) + 1;
	for (i = 6; i <= 15; i++)
		len += f[i] ? strlen(f[i]) + 1 : 0;
	p->block = xmalloc(len);
	p->formats = nfmt ? (char **)(void *)p->block : NULL;
	w = p->block + nfmt * sizeof(char *);
	p->filename = w;
	w = stpcpy(w, base) + 1;
	for (i = 0; i < 9; i++) {
		if (f[6 + i] == NULL) {
			*dst[i] = NULL;
			continue;
		}
		*dst[i] = w;
		w = stpcpy(w, f[6 + i]) + 1;
	}
	p->nformats = nfmt;
	if (nfmt) {
		memcpy(w, f[15], strlen(f[15]) + 1);
		for (i = 0, q = w; i < nfmt; i++) {
			p->formats[i] = q;
			if ((q = strchr(q, ',')) == NULL)
				break;
			*q++ = '\0';
		}
	}
}

/* Parse the cache; anything odd and it is dropped whole (rebuilt). */
static void
cache_load(const char *path, struct cache *c)
{
	struct buf b = { 0 };
	char *line, *nl, *end, *f[NFIELDS + 1], sum[65];
	unsigned long long count = 0;
	size_t nf, i, ecap = 0;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = read_file_opt(path, &b)) == -1) {
		buf_free(&b);
		return;		/* no cache yet */
	}
	if (r == 0)
		goto bad;
	if (b.len < sizeof(CACHE_MAGIC) || memcmp(b.s, CACHE_MAGIC,
	    sizeof(CACHE_MAGIC) - 1) != 0)
		goto bad;
	/* The last line: "end COUNT SHA256" over everything before it. */
	if (b.len < 2 || b.s[b.len - 1] != '\n')
		goto bad;
	b.s[b.len - 1] = '\0';
	if ((end = strrchr(b.s, '\n')) == NULL)
		goto bad;
	end++;
	sha256_hex(b.s, (size_t)(end - b.s), sum);
	{
		char want[65];

		if (sscanf(end, "end %llu %64s", &count, want) != 2 ||
		    strcmp(want, sum) != 0)
			goto bad;
	}
	for (line = b.s + sizeof(CACHE_MAGIC) - 1; line < end; line = nl + 1) {
		struct cache_ent *e;

		nl = strchr(line, '\n');
		*nl = '\0';
		if (line == end - 1)
			break;
		nf = split_fields(line, f, NFIELDS + 1);
		if (nf != NFIELDS || f[0] == NULL || f[1] == NULL || f[5] == NULL ||
		    strlen(f[5]) != 64)
			goto bad;
		for (i = 6; i < NFIELDS; i++)
			if (f[i] == NULL && i != 11 && i != 14)
				goto bad;
		if (c->n == ecap) {
			ecap = ecap ? ecap * 2 : 256;
			c->e = xrealloc(c->e, ecap * sizeof(*c->e));
		}
		e = &c->e[c->n++];
		memset(e, 0, sizeof(*e));
		e->info.path = xstrdup(f[0]);
		e->info.size = strtoull(f[1], NULL, 10);
		e->mtime_s = strtoll(f[2], NULL, 10);
		e->mtime_ns = strtoll(f[3], NULL, 10);
		e->ino = strtoull(f[4], NULL, 10);
		memcpy(e->info.sha256, f[5], 65);
		block_fill(&e->info, f);
		e->deep = strcmp(f[16], "1") == 0;
	}
	if (count != c->n)
		goto bad;
	if (c->n > 0)
		qsort(c->e, c->n, sizeof(*c->e), cache_ent_cmp);
	buf_free(&b);
	return;
bad:
	note("%s: cache unreadable or damaged; rebuilding it", path);
	cache_free(c);
	buf_free(&b);
}

static struct cache_ent *
cache_find(const struct cache *c, const struct found *f)
{
	struct cache_ent key;
	struct cache_ent *e;

	if (c->n == 0)
		return NULL;
	key.info.path = f->path;
	e = bsearch(&key, c->e, c->n, sizeof(*c->e), cache_ent_cmp);
	if (e == NULL || e->info.size != f->size || e->mtime_s != f->mtime_s ||
	    e->mtime_ns != f->mtime_ns || e->ino != f->ino || !e->deep)
		return NULL;
	return e;
}

/* Write the cache atomically; a failure here is only a warning. */
static void
cache_encode(struct buf *out, const struct found *f, const struct pkginfo *p,
    const int *deep, size_t n)
{
	struct buf b = { 0 };
	char sum[65];
	size_t i, j;

	buf_puts(&b, CACHE_MAGIC);
	for (i = 0; i < n; i++) {
		if (f[i].failed)
			continue;
		put_field(&b, f[i].path);
		buf_printf(&b, "\t%llu\t%lld\t%lld\t%llu\t%s\t", f[i].size,
		    f[i].mtime_s, f[i].mtime_ns, f[i].ino, p[i].sha256);
		put_field(&b, p[i].engine_id);	buf_putc(&b, '\t');
		put_field(&b, p[i].version);	buf_putc(&b, '\t');
		put_field(&b, p[i].os);		buf_putc(&b, '\t');
		put_field(&b, p[i].arch);	buf_putc(&b, '\t');
		put_field(&b, p[i].accelerator); buf_putc(&b, '\t');
		put_field(&b, p[i].accelerator_version); buf_putc(&b, '\t');
		put_field(&b, p[i].server_binary); buf_putc(&b, '\t');
		put_field(&b, p[i].min_app_version); buf_putc(&b, '\t');
		put_field(&b, p[i].variant);	buf_putc(&b, '\t');
		for (j = 0; j < p[i].nformats; j++) {
			if (j)
				buf_putc(&b, ',');
			put_field(&b, p[i].formats[j]);
		}
		buf_printf(&b, "\t%d\n", deep[i]);
	}
	sha256_hex(b.s, b.len, sum);
	{
		size_t cnt = 0;

		for (i = 0; i < n; i++)
			cnt += !f[i].failed;
		buf_printf(&b, "end %zu %s\n", cnt, sum);
	}
	*out = b;
}

/* ---- worker threads --------------------------------------------------- */

struct pool {
	struct found		*f;
	struct pkginfo		*p;
	size_t			 n;
	_Atomic size_t		 next;
	_Atomic unsigned long long bytes;
	_Atomic int		 done;		/* workers finished */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* hash_files mode */
	char *const		*hpaths;
	char			(*hsum)[65];
	unsigned long long	*hsize;
	_Atomic int		 hfail;
};

static int
hash_one(const char *path, unsigned char *buf, size_t buflen, char out[65],
    unsigned long long *size, _Atomic unsigned long long *bytes)
{
	EVP_MD_CTX *ctx;
	unsigned char md[32];
	unsigned int len;
	ssize_t r;
	size_t i;
	int fd, ok = 0, missing = 0;

	*size = 0;
	if ((fd = open_regular(path, path, &missing)) == -1) {
		if (!missing)
			return 0;
		*size = (unsigned long long)-1;
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		r = read(fd, buf, buflen);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			diag_errno(path, 0, "read");
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		*size += (unsigned long long)r;
		atomic_fetch_add(bytes, (unsigned long long)r);
	}
	EVP_DigestFinal_ex(ctx, md, &len);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	ok = 1;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return ok;
}

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	unsigned char *buf = xmalloc(READ_BUF);
	size_t i;

	while ((i = atomic_fetch_add(&pl->next, 1)) < pl->n) {
		if (pl->hpaths != NULL) {
			if (!hash_one(pl->hpaths[i], buf, READ_BUF, pl->hsum[i],
			    &pl->hsize[i], &pl->bytes))
				atomic_store(&pl->hfail, 1);
			continue;
		}
		if (pl->f[i].cached)
			continue;
		if (!package_read(pl->f[i].path, pl->f[i].path, buf,
		    READ_BUF, &pl->p[i]))
			pl->f[i].failed = 1;
		else
			atomic_fetch_add(&pl->bytes, pl->p[i].size);
	}
	free(buf);
	pthread_mutex_lock(&pl->mu);
	atomic_fetch_add(&pl->done, 1);
	pthread_cond_signal(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
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

/*
 * Run the pool with nt threads; on a terminal, a progress line on stderr
 * (bytes, rate, time left) every quarter second.
 */
static int
run_pool(struct pool *pl, int nt, unsigned long long total)
{
	pthread_t *th;
	struct timespec t0, now, until;
	int i, started = 0, progress, shown = 0;

	progress = gen_verbose >= 0 && isatty(2) && total > 0;
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	th = xcalloc((size_t)nt, sizeof(*th));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nt; i++) {
		if (pthread_create(&th[i], NULL, worker, pl) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(pl);		/* no threads to be had: do it here */
	pthread_mutex_lock(&pl->mu);
	while (atomic_load(&pl->done) < (started ? started : 1)) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pl->cv, &pl->mu, &until);
		if (progress) {
			double el, done = (double)atomic_load(&pl->bytes), rate;
			char a[32], b[32], r[32];

			clock_gettime(CLOCK_MONOTONIC, &now);
			el = (double)(now.tv_sec - t0.tv_sec) +
			    (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
			if (el < 0.5)
				continue;
			rate = done / el;
			human(a, sizeof(a), done);
			human(b, sizeof(b), (double)total);
			human(r, sizeof(r), rate);
			fprintf(stderr, "\rgen: hashing %s of %s, %s/s, %.0f s left   ",
			    a, b, r, rate > 0 ? ((double)total - done) / rate : 0.0);
			shown = 1;
		}
	}
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (shown)
		fprintf(stderr, "\r\033[K");
	free(th);
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
	return 1;
}

/*
 * For gen verify: plain SHA-256 and size of each file, no archive reading,
 * so a damaged package shows as a digest mismatch rather than bad data.
 */
int
hash_files(char *const *paths, size_t n, int jobs, char (*sha256)[65],
    unsigned long long *size)
{
	struct pool pl;
	unsigned long long total = 0;
	struct stat st;
	size_t i;

	memset(&pl, 0, sizeof(pl));
	pl.n = n;
	pl.hpaths = paths;
	pl.hsum = sha256;
	pl.hsize = size;
	for (i = 0; i < n; i++)
		if (stat(paths[i], &st) == 0)
			total += (unsigned long long)st.st_size;
	if (jobs <= 0)
		jobs = default_jobs();
	run_pool(&pl, (size_t)jobs > n ? (n ? (int)n : 1) : jobs, total);
	return !atomic_load(&pl.hfail);
}

/* See struct scan. */
static void
fingerprint(const char *salt, const struct found *f, size_t n, char out[65])
{
	struct buf b = { 0 };
	size_t i;

	buf_reserve(&b, n * 96 + 128);
	buf_printf(&b, "gen-fingerprint 1\n%s\n", salt ? salt : "");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s\t%llu\t%lld\t%lld\t%llu\n", f[i].path,
		    f[i].size, f[i].mtime_s, f[i].mtime_ns, f[i].ino);
	sha256_hex(b.s, b.len, out);
	buf_free(&b);
}

/*
 * Walk, fingerprint, cache, read the rest on worker threads, write the cache
 * back, then check every record (cached ones too, as the rules may have
 * changed).  The caller frees the result with scan_free().
 */
struct scan *
scan_packages(const struct scanopts *o, const struct pkgrules *rules)
{
	struct scan *s = NULL;
	struct found *f = NULL;
	struct cache cache = { 0 };
	struct cache_ent *ce;
	struct buf cache_bytes = { 0 };
	struct pool pl;
	struct pkginfo *p = NULL;
	unsigned long long total = 0;
	char *cpath, fp[65];
	int *deep = NULL, ok = 1, jobs, dirty = 0, walked;
	size_t n = 0, cap = 0, i, hits = 0;

	cpath = o->cache ? xstrdup(o->cache) : xasprintf("%s/.gen-cache", o->dir);
	/* A bad entry fails the run, but only after every package has been
	 * read and checked: all the problems are reported at once. */
	walked = walk(o->dir, NULL, &f, &n, &cap);
	if (n > 0)
		qsort(f, n, sizeof(*f), found_cmp);
	fingerprint(o->salt, f, n, fp);
	if (walked && o->expect != NULL && strcmp(o->expect, fp) == 0) {
		s = xcalloc(1, sizeof(*s));
		memcpy(s->fingerprint, fp, sizeof(fp));
		s->unchanged = 1;
		note("%s: %zu packages, none changed since the last index", o->dir, n);
		goto out;
	}
	if (o->use_cache)
		cache_load(cpath, &cache);
	p = xcalloc(n ? n : 1, sizeof(*p));
	deep = xcalloc(n ? n : 1, sizeof(*deep));
	for (i = 0; i < n; i++) {
		if ((ce = cache_find(&cache, &f[i])) != NULL) {
			/* Taken, not copied: the entry is not used again. */
			p[i] = ce->info;
			memset(&ce->info, 0, sizeof(ce->info));
			ce->info.path = xstrdup(p[i].path);
			f[i].cached = 1;
			deep[i] = ce->deep;
			hits++;
		} else {
			total += f[i].size;
			deep[i] = 1;
		}
	}
	/* Entries for files that are gone also make the cache stale. */
	dirty = hits != n || cache.n != n;
	memset(&pl, 0, sizeof(pl));
	pl.f = f;
	pl.p = p;
	pl.n = n;
	jobs = o->jobs > 0 ? o->jobs : default_jobs();
	if (hits < n) {
		if ((size_t)jobs > n - hits)
			jobs = (int)(n - hits);
		run_pool(&pl, jobs, total);
	}
	note("%s: %zu packages, %zu from the cache, %zu read", o->dir, n, hits, n - hits);
	ok = walked;
	for (i = 0; i < n; i++)
		if (f[i].failed)
			ok = 0;
	if (o->write_cache && dirty && n > 0)
		cache_encode(&cache_bytes, f, p, deep, n);
	for (i = 0; i < n; i++)
		if (!f[i].failed && !package_check(&p[i], rules))
			ok = 0;
	if (!ok)
		goto out;
	s = xcalloc(1, sizeof(*s));
	memcpy(s->fingerprint, fp, sizeof(fp));
	s->cache = cache_bytes;
	memset(&cache_bytes, 0, sizeof(cache_bytes));
	s->cache_path = xstrdup(cpath);
	s->n = n;
	s->pkg = p;
	for (i = 0; i < n; i++)
		if (f[i].mtime_s > s->newest)
			s->newest = f[i].mtime_s;
	p = NULL;
out:
	buf_free(&cache_bytes);
	if (p != NULL) {
		for (i = 0; i < n; i++)
			pkginfo_clear(&p[i]);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(f[i].path);
	free(f);
	free(deep);
	cache_free(&cache);
	free(cpath);
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
	free(s->cache_path);
	free(s);
}
