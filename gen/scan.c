/*
 * scan.c - the packages folder: find every *.baiengine, take unchanged ones
 * from the cache, read the rest with worker threads (one pass over each
 * file's bytes), check them all, and write the cache back.
 *
 * The cache maps path + size + mtime (ns) + inode to the digest and the
 * manifest fields of a package that passed every check, one line each,
 * sorted by path.  It ends with a line holding the entry count and the
 * SHA-256 of the SHA-256s of its 1 MiB blocks (so two cores check it); a
 * cache that is missing, from another version, or damaged in any way is
 * ignored and rebuilt.  It is read beside the sorted walk, its strings
 * interned, its pages let go as they are read: memory does not grow with
 * the cache's size.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "index.h"

/* 2: every record comes from a read that checked the gzip trailer too
 * (records of version 1 are not trusted); 3: checksummed by blocks. */
#define CACHE_MAGIC	"gen-cache 3\n"
/* The cache's checksum: SHA-256 of the SHA-256 of each block of this many
 * bytes, so that both cores can check it. */
#define CACHE_BLOCK	(1u << 20)
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

/* A cache record's head: the path and what the cache keys on. */
struct cache_ent {
	const char	*path;
	char		*rest;		/* the fields after the inode */
	unsigned long long size, ino;
	long long	 mtime_s, mtime_ns;
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

/* An entry of a folder being walked, and what its stat found (the
 * fields the walk uses: 100,000 entries of struct stat would be 14 MB). */
struct dent {
	char		*name;
	const char	*what;		/* why a link cannot be followed */
	unsigned long long size, ino, dev;
	long long	 mtime_s, mtime_ns;
	unsigned int	 mode;
	unsigned char	 pkg, link, ok;
	int		 err;		/* errno of a failed stat */
};

static void
found_add(struct found **v, size_t *n, size_t *cap, char *path,
    const struct dent *e)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].path = path;
	(*v)[*n].size = e->size;
	(*v)[*n].mtime_s = e->mtime_s;
	(*v)[*n].mtime_ns = e->mtime_ns;
	(*v)[*n].ino = e->ino;
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
entry_stat(int dfd, const char *name, struct stat *st, int *link,
    const char **what)
{
	*what = NULL;
	*link = 0;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (!S_ISLNK(st->st_mode))
		return 1;
	*link = 1;
	if (fstatat(dfd, name, st, 0) == 0)
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

static int	walk(const char *, const struct walked *, struct found **,
		    size_t *, size_t *);


struct dstat {
	int		 fd;		/* the folder */
	struct dent	*e;
};

static void
stat_item(void *arg, size_t i, int worker)
{
	struct dstat *ds = arg;
	struct dent *e = &ds->e[i];
	struct stat st;
	int link;

	(void)worker;
	e->ok = entry_stat(ds->fd, e->name, &st, &link, &e->what);
	e->err = errno;
	e->link = (unsigned char)link;
	e->mode = st.st_mode;
	e->size = (unsigned long long)st.st_size;
	e->ino = (unsigned long long)st.st_ino;
	e->dev = (unsigned long long)st.st_dev;
	e->mtime_s = (long long)st.st_mtim.tv_sec;
	e->mtime_ns = (long long)st.st_mtim.tv_nsec;
}

/* The entries of a folder worth a stat: packages, folders and what may
 * be one (links, unknown types); dot-files are skipped. */
static struct dent *
read_entries(const struct dlist *l, size_t *n)
{
	struct dent *v = xcalloc(l->n ? l->n : 1, sizeof(*v));
	size_t i;
	int pkg;

	*n = 0;
	for (i = 0; i < l->n; i++) {
		const struct dentry *de = &l->e[i];

		pkg = has_suffix(de->name, ".baiengine");
		/* Only folders and packages need a stat; d_type says which,
		 * where the file system knows. */
		if (de->name[0] == '.' || (!pkg && de->type != DT_UNKNOWN &&
		    de->type != DT_DIR && de->type != DT_LNK))
			continue;
		v[*n].name = de->name;
		v[(*n)++].pkg = (unsigned char)pkg;
	}
	return v;
}

/* One entry after its stat: a package found, a folder walked, or a
 * problem reported.  Returns 0 when something was reported. */
static int
walk_entry(const char *dir, const struct walked *here, struct dent *e,
    struct found **v, size_t *n, size_t *cap)
{
	const struct walked *w;
	char *p = join_path(dir, e->name);
	int ok = 1;

	if (!e->ok) {
		errno = e->err;
		if (e->what == NULL) {
			diag_errno(p, 0, "cannot stat");
			ok = 0;
		} else if (e->pkg) {
			diag(EXIT_DATAERR, &(struct pos){ p, 0, 0 },
			    "is %s, not a regular file", e->what);
			ok = 0;
		} else
			note("%s: skipped: %s", p, e->what);
	} else if (S_ISREG(e->mode) && e->pkg) {
		found_add(v, n, cap, p, e);
		p = NULL;
	} else if (e->pkg) {
		diag(EXIT_DATAERR, &(struct pos){ p, 0, 0 }, "is %s%s, not a "
		    "regular file", e->link ? "a symbolic link to " : "",
		    file_kind(e->mode));
		ok = 0;
	} else if (S_ISDIR(e->mode)) {
		for (w = here; w != NULL; w = w->up)
			if ((unsigned long long)w->dev == e->dev &&
			    (unsigned long long)w->ino == e->ino)
				break;
		if (w != NULL)
			note("%s: skipped: a link to a folder that holds it", p);
		else
			ok = walk(p, here, v, n, cap);
	}
	free(p);
	return ok;
}

/*
 * Every *.baiengine below dir; dot-files and dot-folders are skipped, and
 * so is anything else that is neither a folder nor named *.baiengine.  A
 * *.baiengine that is not (or does not lead to) a regular file is an
 * error, reported here without stopping the walk.  The entries of a large
 * folder are examined on the worker pool.  Returns 1, or 0 when anything
 * was reported.
 */
static int
walk(const char *dir, const struct walked *up, struct found **v, size_t *n,
    size_t *cap)
{
	struct walked here = { 0, 0, NULL };
	struct dlist l;
	struct dstat ds;
	struct stat st;
	size_t ne = 0, i;
	int ok = 1;

	if (!dir_list(dir, &l)) {
		if (errno == ENOENT)
			return 1;
		diag_errno(dir, 0, "cannot read folder");
		return 0;
	}
	here.up = up;
	if (fstat(l.fd, &st) == 0) {
		here.dev = st.st_dev;
		here.ino = st.st_ino;
	}
	ds.fd = l.fd;
	ds.e = read_entries(&l, &ne);
	pool_run(ne, ne > 512 ? 0 : 1, stat_item, &ds);
	for (i = 0; i < ne; i++)
		ok &= walk_entry(dir, &here, &ds.e[i], v, n, cap);
	free(ds.e);
	dlist_free(&l);
	return ok;
}

static int
found_cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path, ((const struct found *)b)->path);
}

/* By path.  The folder reader sorts each folder, so a flat packages folder
 * comes sorted already and is only checked. */
static void
sort_found(struct found *f, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(f[i - 1].path, f[i].path) > 0)
			break;
	if (i < n)
		qsort(f, n, sizeof(*f), found_cmp);
}

/* ---- the cache file --------------------------------------------------- */

static void
put_field(struct buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		buf_puts(b, "\\N");
		return;
	}
	for (;;) {
		n = strcspn(s, "\\\t\n");
		buf_add(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		buf_puts(b, *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : "\\n");
		s++;
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

static const char *
pool_str(struct strpool *sp, const char *s)
{
	size_t h = 5381, i, j;
	const char *q;

	if (s == NULL)
		return NULL;
	if (2 * (sp->n + 1) > sp->cap) {
		size_t ncap = sp->cap ? 2 * sp->cap : 256;
		char **ns = xcalloc(ncap, sizeof(*ns));

		for (i = 0; i < sp->cap; i++) {
			size_t g = 5381;

			if (sp->slot[i] == NULL)
				continue;
			for (q = sp->slot[i]; *q; q++)
				g = g * 33 + (unsigned char)*q;
			for (j = g & (ncap - 1); ns[j] != NULL; j = (j + 1) & (ncap - 1))
				;
			ns[j] = sp->slot[i];
		}
		free(sp->slot);
		sp->slot = ns;
		sp->cap = ncap;
	}
	for (q = s; *q; q++)
		h = h * 33 + (unsigned char)*q;
	for (i = h & (sp->cap - 1); sp->slot[i] != NULL; i = (i + 1) & (sp->cap - 1))
		if (strcmp(sp->slot[i], s) == 0)
			return sp->slot[i];
	sp->n++;
	return sp->slot[i] = xstrdup(s);
}

static void
pool_free(struct strpool *sp)
{
	size_t i;

	for (i = 0; i < sp->cap; i++)
		free(sp->slot[i]);
	free(sp->slot);
	memset(sp, 0, sizeof(*sp));
}

#define NFIELDS 16

/*
 * A cached record as a package: the rest of its line is split in place
 * (sha256, the nine manifest fields, the formats) and its strings stay in
 * the cache's text, which the scan keeps; only the formats array is
 * allocated (the record's block, so pkginfo_clear frees just that and the
 * path).  Returns 0 for a damaged record (then read the package).
 */
static int
record_fill(struct pkginfo *p, const struct cache_ent *e, struct strpool *sp,
    pthread_mutex_t *mu)
{
	char **dst[] = { &p->engine_id, &p->version, &p->os, &p->arch,
	    &p->accelerator, &p->accelerator_version, &p->server_binary,
	    &p->min_app_version, &p->variant };
	char *f[NFIELDS - 5], *q;
	size_t nfmt = 0, i;

	if (split_fields(e->rest, f, NFIELDS - 5) != NFIELDS - 5 ||
	    f[0] == NULL || strlen(f[0]) != 64 || f[10] == NULL)
		return 0;
	for (i = 1; i < 10; i++)
		if (f[i] == NULL && i != 6 && i != 9)
			return 0;
	memset(p, 0, sizeof(*p));
	p->size = e->size;
	memcpy(p->sha256, f[0], 65);
	if (*f[10] != '\0')
		for (nfmt = 1, q = f[10]; *q; q++)
			nfmt += *q == ',';
	p->block = xmalloc(nfmt ? nfmt * sizeof(char *) : 1);
	p->formats = nfmt ? (char **)(void *)p->block : NULL;
	p->nformats = nfmt;
	pthread_mutex_lock(mu);
	for (i = 0; i < 9; i++)
		*dst[i] = (char *)pool_str(sp, f[1 + i]);
	for (i = 0, q = f[10]; i < nfmt; i++) {
		char *comma = strchr(q, ',');

		if (comma != NULL)
			*comma = '\0';
		p->formats[i] = (char *)pool_str(sp, q);
		if (comma == NULL)
			break;
		q = comma + 1;
	}
	pthread_mutex_unlock(mu);
	return 1;
}

/* The first five fields of a record (path, size, mtime s and ns, inode);
 * 0 when the line is damaged. */
static int
record_head(char *line, const char *eol, struct cache_ent *e)
{
	char *f[6], *end;

	if (split_fields(line, f, 5) != 5 || f[0] == NULL)
		return 0;
	/* split_fields stopped after the fifth field: the rest follows it,
	 * within this line (a line of five fields has no rest). */
	e->rest = f[4] + strlen(f[4]) + 1;
	if (e->rest > eol)
		return 0;
	e->path = f[0];
	errno = 0;
	e->size = strtoull(f[1], &end, 10);
	if (*end || !f[1][0])
		return 0;
	e->mtime_s = strtoll(f[2], &end, 10);
	if (*end)
		return 0;
	e->mtime_ns = strtoll(f[3], &end, 10);
	if (*end)
		return 0;
	e->ino = strtoull(f[4], &end, 10);
	return *end == '\0' && errno == 0;
}

/* Undo what a cache that turned out damaged gave. */
static void
untake(struct found *f, struct pkginfo *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].cached) {
			free(p[i].block);
			memset(&p[i], 0, sizeof(p[i]));
			f[i].cached = 0;
		}
}

/* Is this record f's, unchanged?  Both lists are sorted by path, so the
 * cache is read once, in step with the walk (*j moves forward). */
static struct found *
match(struct found *f, size_t n, size_t *j, const struct cache_ent *e)
{
	int c = 1;

	while (*j < n && (c = strcmp(f[*j].path, e->path)) < 0)
		(*j)++;
	if (*j == n || c != 0 || e->size != f[*j].size ||
	    e->mtime_s != f[*j].mtime_s || e->mtime_ns != f[*j].mtime_ns ||
	    e->ino != f[*j].ino)
		return NULL;
	return &f[*j];
}

/* A cache being taken: the file mapped, checked by blocks and matched
 * with the walk in two parts, on the pool. */
struct ctake {
	const char		*map;
	size_t			 body;		/* bytes before the end line */
	size_t			 nblocks;
	unsigned char		(*bsum)[32];
	int			 hash_failed;
	size_t			 from[2], to[2];	/* the parts' lines */
	struct found		*f;
	size_t			 n;
	struct pkginfo		*p;
	struct strpool		*sp;
	pthread_mutex_t		 mu;
	size_t			 hits[2], count[2];
	int			 bad[2];
};

/* The first of the walk's paths not before path. */
static size_t
lower_bound(const struct found *f, size_t n, const char *path)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(f[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
take_block(struct ctake *c, size_t k)
{
	size_t off = k * CACHE_BLOCK, len = c->body - off;
	unsigned int mdlen = 0;

	if (len > CACHE_BLOCK)
		len = CACHE_BLOCK;
	if (EVP_Digest(c->map + off, len, c->bsum[k], &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != 32)
		c->hash_failed = 1;
	/* Read once: the pages need not stay counted as ours. */
	(void)madvise((void *)(c->map + off), len, MADV_DONTNEED);
}

/* One part's lines, each copied out and matched with the walk. */
static void
take_part(struct ctake *c, int k)
{
	struct buf line = { 0 };
	struct cache_ent e;
	struct found *hit;
	const char *q = c->map + c->from[k], *end = c->map + c->to[k], *nl;
	const char *done = q;
	size_t j = (size_t)-1, page = (size_t)sysconf(_SC_PAGESIZE);

	for (; q < end; q = nl + 1) {
		/* What is parsed need not stay counted as ours either. */
		if ((size_t)(q - done) >= (1u << 20)) {
			const char *a = (const char *)(((uintptr_t)done + page - 1) &
			    ~(uintptr_t)(page - 1));
			const char *z = (const char *)((uintptr_t)q &
			    ~(uintptr_t)(page - 1));

			if (z > a)
				(void)madvise((void *)a, (size_t)(z - a),
				    MADV_DONTNEED);
			done = q;
		}
		if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL) {
			c->bad[k] = 1;
			break;
		}
		buf_reset(&line);
		buf_add(&line, q, (size_t)(nl - q));
		c->count[k]++;
		if (memchr(line.s, '\0', line.len) != NULL ||
		    !record_head(line.s, line.s + line.len, &e)) {
			c->bad[k] = 1;
			break;
		}
		if (j == (size_t)-1)
			j = lower_bound(c->f, c->n, e.path);
		if ((hit = match(c->f, c->n, &j, &e)) != NULL &&
		    record_fill(&c->p[hit - c->f], &e, c->sp, &c->mu))
			hit->cached = 1, c->hits[k]++;
	}
	buf_free(&line);
}

static void
take_item(void *arg, size_t i, int worker)
{
	struct ctake *c = arg;

	(void)worker;
	if (i < 2)
		take_part(c, (int)i);
	else
		take_block(c, i - 2);
}

/* Where the records are, and the end line's count and checksum: 0 when
 * the text is not a cache of this version. */
static int
cache_frame(struct ctake *c, size_t size, unsigned long long *count,
    char want[65])
{
	const char *endl, *mid;
	size_t start = sizeof(CACHE_MAGIC) - 1, half;

	if (size < start + 2 || memcmp(c->map, CACHE_MAGIC, start) != 0 ||
	    c->map[size - 1] != '\n')
		return 0;
	for (endl = c->map + size - 1; endl > c->map && endl[-1] != '\n'; endl--)
		;
	if ((size_t)(endl - c->map) < start ||
	    sscanf(endl, "end %llu %64[0-9a-f]\n", count, want) != 2 ||
	    strlen(want) != 64)
		return 0;
	c->body = (size_t)(endl - c->map);
	/* Two parts, split at a line. */
	half = start + (c->body - start) / 2;
	mid = memchr(c->map + half, '\n', c->body - half);
	mid = mid ? mid + 1 : c->map + c->body;
	c->from[0] = start;
	c->to[0] = c->from[1] = (size_t)(mid - c->map);
	c->to[1] = c->body;
	c->nblocks = (c->body + CACHE_BLOCK - 1) / CACHE_BLOCK;
	return 1;
}

/* The checksum of the blocks: 1 when it is the end line's. */
static int
cache_sum_ok(const struct ctake *c, const char *want)
{
	unsigned char sum[32];
	unsigned int len = 0;
	char hex[65];

	if (c->hash_failed || EVP_Digest(c->bsum, c->nblocks * 32, sum, &len,
	    EVP_sha256(), NULL) != 1 || len != 32)
		return 0;
	hex_encode(sum, 32, hex);
	return strcmp(hex, want) == 0;
}

/*
 * Read the cache beside the walk's sorted list and take every record that
 * matches a package (path, size, mtime, inode): its fields are interned,
 * its line is not kept.  The file is mapped and read in two parts at once
 * while its blocks are checked.  A cache that is missing, of another
 * version or damaged anywhere (the end line's checksum) gives nothing and
 * is rebuilt.  Returns the hits; *records gets the cache's record count.
 */
static size_t
cache_take(const char *path, struct found *f, struct pkginfo *p, size_t n,
    struct strpool *sp, size_t *records)
{
	struct ctake c;
	struct stat st;
	unsigned long long count = 0;
	char want[65];
	size_t hits = 0;
	void *map = MAP_FAILED;
	int fd, missing = 0;

	*records = 0;
	memset(&c, 0, sizeof(c));
	if (!out_state_usable(path))
		return 0;
	if ((fd = open_regular(path, path, &missing)) == -1)
		return 0;	/* none yet, or not a file: rebuilt */
	if (fstat(fd, &st) == -1 || st.st_size < 2 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		close(fd);
		return 0;
	}
	close(fd);
	c.map = map;
	c.f = f;
	c.n = n;
	c.p = p;
	c.sp = sp;
	pthread_mutex_init(&c.mu, NULL);
	if (!cache_frame(&c, (size_t)st.st_size, &count, want))
		goto bad;
	c.bsum = xcalloc(c.nblocks ? c.nblocks : 1, 32);
	pool_run(2 + c.nblocks, 0, take_item, &c);
	if (c.bad[0] || c.bad[1] || !cache_sum_ok(&c, want) ||
	    c.count[0] + c.count[1] != count)
		goto bad;
	*records = count;
	hits = c.hits[0] + c.hits[1];
	goto out;
bad:
	note("%s: cache unreadable or damaged; rebuilding it", path);
	untake(f, p, n);
out:
	pthread_mutex_destroy(&c.mu);
	free(c.bsum);
	munmap(map, (size_t)st.st_size);
	return hits;
}

/* One record of the cache. */
static void
cache_record(struct buf *b, const struct pkgstat *st, const struct pkginfo *p)
{
	size_t j;

	put_field(b, p->path);
	buf_putc(b, '\t');
	buf_putu(b, st->size);
	buf_putc(b, '\t');
	buf_puti(b, st->mtime_s);
	buf_putc(b, '\t');
	buf_puti(b, st->mtime_ns);
	buf_putc(b, '\t');
	buf_putu(b, st->ino);
	buf_putc(b, '\t');
	buf_add(b, p->sha256, 64);
	buf_putc(b, '\t');
	put_field(b, p->engine_id);	buf_putc(b, '\t');
	put_field(b, p->version);	buf_putc(b, '\t');
	put_field(b, p->os);		buf_putc(b, '\t');
	put_field(b, p->arch);		buf_putc(b, '\t');
	put_field(b, p->accelerator);	buf_putc(b, '\t');
	put_field(b, p->accelerator_version); buf_putc(b, '\t');
	put_field(b, p->server_binary);	buf_putc(b, '\t');
	put_field(b, p->min_app_version); buf_putc(b, '\t');
	put_field(b, p->variant);	buf_putc(b, '\t');
	for (j = 0; j < p->nformats; j++) {
		if (j)
			buf_putc(b, ',');
		put_field(b, p->formats[j]);
	}
	buf_putc(b, '\n');
}

/* The block checksums of the cache as it is written. */
struct csum {
	EVP_MD_CTX	*md;		/* the block being summed */
	size_t		 inblock;
	struct buf	 sums;		/* 32 bytes per finished block */
	int		 ok;
};

static void
csum_add(struct csum *c, const char *p, size_t n)
{
	unsigned char sum[32];
	unsigned int len = 0;
	size_t take;

	while (c->ok && n > 0) {
		take = CACHE_BLOCK - c->inblock;
		if (take > n)
			take = n;
		c->ok = EVP_DigestUpdate(c->md, p, take) == 1;
		c->inblock += take;
		p += take;
		n -= take;
		if (c->inblock == CACHE_BLOCK) {
			c->ok = c->ok && EVP_DigestFinal_ex(c->md, sum, &len) == 1 &&
			    EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) == 1;
			buf_add(&c->sums, sum, 32);
			c->inblock = 0;
		}
	}
}

/* The end line's checksum: SHA-256 of the blocks' SHA-256s. */
static int
csum_end(struct csum *c, char hex[65])
{
	unsigned char sum[32];
	unsigned int len = 0;

	if (c->ok && c->inblock > 0) {
		c->ok = EVP_DigestFinal_ex(c->md, sum, &len) == 1;
		buf_add(&c->sums, sum, 32);
	}
	c->ok = c->ok && EVP_Digest(c->sums.s ? c->sums.s : "", c->sums.len,
	    sum, &len, EVP_sha256(), NULL) == 1 && len == 32;
	if (c->ok)
		hex_encode(sum, 32, hex);
	return c->ok;
}

int
scan_cache_write(const struct scan *s, FILE *f)
{
	struct csum cs = { EVP_MD_CTX_new(), 0, { 0 }, 1 };
	struct buf b = { 0 };
	char hex[65];
	size_t i;
	int ok;

	cs.ok = cs.md != NULL && EVP_DigestInit_ex(cs.md, EVP_sha256(), NULL) == 1;
	buf_puts(&b, CACHE_MAGIC);
	for (i = 0, ok = cs.ok; ok && i <= s->n; i++) {
		if (i < s->n)
			cache_record(&b, &s->st[i], &s->pkg[i]);
		if (b.len >= (1u << 18) || i == s->n) {
			csum_add(&cs, b.s, b.len);
			ok = cs.ok && fwrite(b.s, 1, b.len, f) == b.len;
			buf_reset(&b);
		}
	}
	ok = ok && csum_end(&cs, hex) && fprintf(f, "end %zu %s\n", s->n,
	    hex) > 0;
	EVP_MD_CTX_free(cs.md);
	buf_free(&cs.sums);
	buf_free(&b);
	return ok;
}

/* ---- reading packages, and hashing files, on the worker pool ------------ */

struct job {
	struct found		*f;
	struct pkginfo		*p;
	struct strpool		*pool;		/* the records' strings */
	pthread_mutex_t		 pool_mu;
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

/*
 * A record just read, its strings moved into the pool as cached records'
 * are: 100,000 packages would otherwise keep a million small allocations
 * (the pool's lock is taken once per record).
 */
static void
pool_record(struct job *j, struct pkginfo *p)
{
	char **fields[] = { &p->engine_id, &p->version, &p->os, &p->arch,
	    &p->accelerator, &p->accelerator_version, &p->server_binary,
	    &p->min_app_version, &p->variant };
	char *old;
	size_t i;

	pthread_mutex_lock(&j->pool_mu);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		old = *fields[i];
		*fields[i] = (char *)pool_str(j->pool, old);
		free(old);
	}
	for (i = 0; i < p->nformats; i++) {
		old = p->formats[i];
		p->formats[i] = (char *)pool_str(j->pool, old);
		free(old);
	}
	pthread_mutex_unlock(&j->pool_mu);
	/* The file name is the path's last part, as a cached record's. */
	free(p->filename);
	p->filename = strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path;
	/* pkginfo_clear then frees the formats array (the block) and path. */
	p->block = p->formats != NULL ? (char *)(void *)p->formats : xmalloc(1);
}

static void
read_item(void *arg, size_t i, int worker)
{
	struct job *j = arg;

	if (j->f[i].cached)
		return;
	if (!package_read(j->f[i].path, j->f[i].path, job_buf(j, worker),
	    READ_BUF, &j->p[i]))
		j->f[i].failed = 1;
	else {
		pool_record(j, &j->p[i]);
		__atomic_fetch_add(&j->bytes, j->p[i].size, __ATOMIC_RELAXED);
	}
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

/* See struct scan: hashed as it is formatted, in blocks. */
static int
fingerprint(const char *salt, const struct found *f, size_t n, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct buf b = { 0 };
	unsigned char sum[32];
	unsigned int len = 0;
	size_t i;
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	buf_printf(&b, "gen-fingerprint 2\n%s\n", salt ? salt : "");
	for (i = 0; ok && i <= n; i++) {
		if (i < n) {
			buf_puts(&b, f[i].path);
			buf_putc(&b, '\t');
			buf_putu(&b, f[i].size);
			buf_putc(&b, '\t');
			buf_puti(&b, f[i].mtime_s);
			buf_putc(&b, '\t');
			buf_puti(&b, f[i].mtime_ns);
			buf_putc(&b, '\t');
			buf_putu(&b, f[i].ino);
			buf_putc(&b, '\n');
		}
		if (b.len >= 65536 || i == n) {
			ok = EVP_DigestUpdate(md, b.s, b.len) == 1;
			buf_reset(&b);
		}
	}
	ok = ok && EVP_DigestFinal_ex(md, sum, &len) == 1 && len == 32;
	EVP_MD_CTX_free(md);
	buf_free(&b);
	if (!ok) {
		diag(EXIT_IOERR, NULL, "SHA-256 failed (libcrypto)");
		return 0;
	}
	hex_encode(sum, 32, out);
	return 1;
}

int
scan_walk(const char *dir, char ***paths, size_t *n)
{
	struct found *f = NULL;
	size_t nf = 0, cap = 0, i;
	int ok = walk(dir, NULL, &f, &nf, &cap);

	sort_found(f, nf);
	*paths = xcalloc(nf ? nf : 1, sizeof(**paths));
	for (i = 0; i < nf; i++)
		(*paths)[i] = f[i].path;
	*n = nf;
	free(f);
	return ok;
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
	struct strpool sp = { 0 };
	struct job j;
	struct pkginfo *p = NULL;
	char fp[65];
	int ok = 1, walked, jobs;
	size_t n = 0, cap = 0, i, hits = 0, records = 0;

	/* A bad entry fails the run, but only after every package has been
	 * read and checked: all the problems are reported at once. */
	walked = walk(o->dir, NULL, &f, &n, &cap);
	sort_found(f, n);
	if (!fingerprint(o->salt, f, n, fp))
		goto out;
	if (walked && o->expect != NULL && strcmp(o->expect, fp) == 0) {
		s = xcalloc(1, sizeof(*s));
		memcpy(s->fingerprint, fp, sizeof(fp));
		s->unchanged = 1;
		note("%s: %zu packages, none changed since the last index", o->dir, n);
		goto out;
	}
	p = xcalloc(n ? n : 1, sizeof(*p));
	if (o->use_cache && o->cache != NULL)
		hits = cache_take(o->cache, f, p, n, &sp, &records);
	memset(&j, 0, sizeof(j));
	j.f = f;
	j.p = p;
	j.pool = &sp;
	pthread_mutex_init(&j.pool_mu, NULL);
	for (i = 0; i < n; i++) {
		if (f[i].cached) {
			p[i].path = f[i].path;	/* the record's now */
			p[i].filename = strrchr(p[i].path, '/') ?
			    strrchr(p[i].path, '/') + 1 : p[i].path;
			f[i].path = NULL;
		} else
			j.total += f[i].size;
	}
	jobs = pool_size(o->jobs);
	if (hits < n)
		run_jobs(&j, n, jobs, read_item);
	pthread_mutex_destroy(&j.pool_mu);
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
	s->dirty = hits != n || records != n;
	s->n = n;
	s->pkg = p;
	s->st = xcalloc(n ? n : 1, sizeof(*s->st));
	for (i = 0; i < n; i++) {
		s->st[i].size = f[i].size;
		s->st[i].mtime_s = f[i].mtime_s;
		s->st[i].mtime_ns = f[i].mtime_ns;
		s->st[i].ino = f[i].ino;
		if (f[i].mtime_s > s->newest)
			s->newest = f[i].mtime_s;
	}
	p = NULL;
	/* The cached records' strings. */
	s->pool = sp;
	memset(&sp, 0, sizeof(sp));
out:
	if (p != NULL) {
		for (i = 0; i < n; i++)
			pkginfo_clear(&p[i]);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(f[i].path);
	free(f);
	pool_free(&sp);
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
	free(s->st);
	pool_free(&s->pool);
	free(s);
}
