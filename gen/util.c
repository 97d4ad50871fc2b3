/*
 * util.c - memory, buffers, diagnostics, small string helpers.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "gen.h"
#include "jsonpos.h"

int	gen_status;
int	gen_verbose;
void	(*gen_abort_hook)(void);

/* Out of memory: say so without allocating, take back what is staged, and
 * end the process (other threads may still be running: no exit()). */
void
xoom(void)
{
	static const char msg[] = "gen: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);

	(void)r;	/* nothing left to report with */
	if (gen_abort_hook != NULL)
		gen_abort_hook();
	_exit(EXIT_IOERR);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xoom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		xoom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		xoom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0)
		xoom();
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, again);
	va_end(again);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1) {
		if (cap > SIZE_MAX / 2)
			xoom();
		cap *= 2;
	}
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
buf_reserve(struct buf *b, size_t n)
{
	/* Exactly: a file read whole is not rounded up to a power of two. */
	if (b->len + n + 1 > b->cap) {
		b->s = xrealloc(b->s, b->len + n + 1);
		b->cap = b->len + n + 1;
	}
}

/* For json_dump_callback: append to a struct buf. */
int
buf_json_cb(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
	return 0;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, int c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->s[b->len++] = (char)c;
	b->s[b->len] = '\0';
}

void
buf_putu(struct buf *b, unsigned long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
buf_puti(struct buf *b, long long v)
{
	if (v < 0) {
		buf_putc(b, '-');
		buf_putu(b, 0ULL - (unsigned long long)v);
	} else
		buf_putu(b, (unsigned long long)v);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		xoom();
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

static void diag_line(const struct pos *, const char *);

/* The exit status only ever gets worse, from any thread. */
static void
setstatus(int status)
{
	int cur = __atomic_load_n(&gen_status, __ATOMIC_RELAXED);

	while (status > cur && !__atomic_compare_exchange_n(&gen_status, &cur,
	    status, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* One message, one write(2): lines from worker threads never interleave. */
static void
emit(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char stack[1024], *msg = stack;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = snprintf(stack, sizeof(stack), "%s", prefix);
	if (n >= 0 && (size_t)n < sizeof(stack)) {
		int m = vsnprintf(stack + n, sizeof(stack) - (size_t)n, fmt, aq);

		if (m >= 0 && (size_t)(n + m) + strlen(suffix) + 1 >= sizeof(stack)) {
			/* Too long for the stack: format again on the heap. */
			char *body = xvasprintf(fmt, ap);

			msg = xasprintf("%s%s%s\n", prefix, body, suffix);
			free(body);
		} else if (m >= 0)
			snprintf(stack + n + m, sizeof(stack) - (size_t)(n + m),
			    "%s\n", suffix);
	}
	va_end(aq);
	fflush(stderr);
	(void)write_full(2, msg, strlen(msg));
	if (msg != stack)
		free(msg);
}

void
vdiag(int status, const struct pos *p, const char *fmt, va_list ap)
{
	char prefix[512];

	setstatus(status);
	if (p != NULL && p->file != NULL) {
		if (p->line && p->col)
			snprintf(prefix, sizeof(prefix), "%s:%u:%u: ", p->file,
			    p->line, p->col);
		else if (p->line)
			snprintf(prefix, sizeof(prefix), "%s:%u: ", p->file, p->line);
		else
			snprintf(prefix, sizeof(prefix), "%s: ", p->file);
		/* A file name longer than the prefix room: no truncation. */
		if (strlen(p->file) + 32 > sizeof(prefix)) {
			char *body = xvasprintf(fmt, ap);

			diag_line(p, body);
			free(body);
			return;
		}
	} else
		snprintf(prefix, sizeof(prefix), "gen: ");
	emit(prefix, fmt, ap, "");
}

/* vdiag's path for very long file names. */
static void
diag_line(const struct pos *p, const char *body)
{
	char *msg;

	if (p->line && p->col)
		msg = xasprintf("%s:%u:%u: %s\n", p->file, p->line, p->col, body);
	else if (p->line)
		msg = xasprintf("%s:%u: %s\n", p->file, p->line, body);
	else
		msg = xasprintf("%s: %s\n", p->file, body);
	fflush(stderr);
	(void)write_full(2, msg, strlen(msg));
	free(msg);
}

void
diag(int status, const struct pos *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(status, p, fmt, ap);
	va_end(ap);
}

void
diag_errno(const char *path, int noinput, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	char *prefix = xasprintf("%s: ", path), *suffix = xasprintf(": %s",
	    strerror(e));

	setstatus(noinput && e == ENOENT ? EXIT_NOINPUT : EXIT_IOERR);
	va_start(ap, fmt);
	emit(prefix, fmt, ap, suffix);
	va_end(ap);
	free(prefix);
	free(suffix);
}

void
note(const char *fmt, ...)
{
	va_list ap;

	if (gen_verbose < 1)
		return;
	va_start(ap, fmt);
	emit("gen: ", fmt, ap, "");
	va_end(ap);
}

const char *
intern(const char *s)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static char **tab;
	static size_t n, cap;	/* cap: a power of two, or 0 */
	size_t h = 5381, i;
	const char *p, *r;

	for (p = s; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	pthread_mutex_lock(&mu);
	if (2 * (n + 1) > cap) {
		size_t ncap = cap ? 2 * cap : 64, j;
		char **nt = xcalloc(ncap, sizeof(*nt));

		for (i = 0; i < cap; i++) {
			size_t g = 5381;

			if (tab[i] == NULL)
				continue;
			for (p = tab[i]; *p != '\0'; p++)
				g = g * 33 + (unsigned char)*p;
			for (j = g & (ncap - 1); nt[j] != NULL; j = (j + 1) & (ncap - 1))
				;
			nt[j] = tab[i];
		}
		free(tab);
		tab = nt;
		cap = ncap;
	}
	for (i = h & (cap - 1); tab[i] != NULL; i = (i + 1) & (cap - 1))
		if (strcmp(tab[i], s) == 0)
			break;
	if (tab[i] == NULL) {
		tab[i] = xstrdup(s);
		n++;
	}
	r = tab[i];
	pthread_mutex_unlock(&mu);
	return r;
}

int
read_file(const char *path, struct buf *out)
{
	return read_file_max(path, out, GEN_MAX_FILE);
}

int
read_file_opt(const char *path, struct buf *out)
{
	return read_file_opt_max(path, out, GEN_MAX_FILE);
}

int
read_file_max(const char *path, struct buf *out, size_t max)
{
	int r = read_file_opt_max(path, out, max);

	if (r == -1) {
		errno = ENOENT;
		diag_errno(path, 1, "cannot open");
		return 0;
	}
	return r;
}

const char *
file_kind(unsigned int mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a folder";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	default: return "not a regular file";
	}
}

/* A size for messages: "16 MiB", "64 KiB", "100 bytes". */
static const char *
size_words(size_t n, char b[32])
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(b, 32, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(b, 32, "%zu KiB", n >> 10);
	else
		snprintf(b, 32, "%zu bytes", n);
	return b;
}

/*
 * The one way gen reads an input file.  Opened without blocking (a FIFO
 * would hang a plain open), then it must be a regular file; at most max
 * bytes are read, counted as they arrive (files in /proc report size 0).
 */
int
read_file_opt_max(const char *path, struct buf *out, size_t max)
{
	char chunk[65536], sz[32];
	struct stat st;
	ssize_t r;
	int fd;

	buf_reset(out);
	buf_add(out, "", 0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) == -1) {
		if (errno == ENOENT)
			return -1;
		diag_errno(path, 1, "cannot open");
		return 0;
	}
	if (fstat(fd, &st) == -1) {
		diag_errno(path, 0, "cannot stat");
		close(fd);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		diag(EXIT_DATAERR, &(struct pos){ intern(path), 0, 0 },
		    "is %s, expected a regular file", file_kind(st.st_mode));
		close(fd);
		return 0;
	}
	if ((unsigned long long)st.st_size > max)
		goto toobig;
	buf_reserve(out, (size_t)st.st_size);
	for (;;) {
		r = read_full(fd, chunk, sizeof(chunk));
		if (r == 0)
			break;
		if (r < 0) {
			diag_errno(path, 0, "read");
			close(fd);
			return 0;
		}
		if (out->len + (size_t)r > max)
			goto toobig;
		buf_add(out, chunk, (size_t)r);
	}
	close(fd);
	return 1;
toobig:
	diag(EXIT_DATAERR, &(struct pos){ intern(path), 0, 0 },
	    "larger than %s, the limit for this input", size_words(max, sz));
	close(fd);
	buf_reset(out);
	return 0;
}

/*
 * path_canon: an absolute, normalized name for a path that may not exist
 * yet: the longest existing prefix through realpath(3) (symbolic links
 * resolved), the rest joined lexically ("." dropped, ".." taken back).
 */
char *
path_canon(const char *path)
{
	struct buf b = { 0 };
	char *dup, *real = NULL, *comp, *save = NULL, *slash;
	size_t cut;

	dup = xstrdup(*path ? path : ".");
	/* The longest prefix that exists: dup[0, cut). */
	for (cut = strlen(dup);; ) {
		char c = dup[cut];

		dup[cut] = '\0';
		real = realpath(cut ? dup : *path == '/' ? "/" : ".", NULL);
		dup[cut] = c;
		if (real != NULL || cut == 0)
			break;
		while (cut > 0 && dup[cut - 1] != '/')
			cut--;
		while (cut > 0 && dup[cut - 1] == '/')
			cut--;
	}
	if (real == NULL) {
		free(dup);
		return xstrdup(path);
	}
	buf_puts(&b, real);
	free(real);
	/* The part that does not exist yet, joined lexically. */
	for (comp = strtok_r(dup + cut, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			slash = strrchr(b.s, '/');
			b.len = slash == NULL || slash == b.s ? 1 : (size_t)(slash - b.s);
			b.s[b.len] = '\0';
			continue;
		}
		if (b.len > 1)
			buf_putc(&b, '/');
		buf_puts(&b, comp);
	}
	free(dup);
	return b.s;
}

/*
 * Does path resolve (symbolic links followed) inside folder root?  Reports
 * "path: resolves outside ROOT" with EXIT_DATAERR and returns 0 if not:
 * a link in the repository must not publish a file from elsewhere.
 */
int
path_confined(const char *path, const char *root)
{
	char *p = path_canon(path), *r = path_canon(root);
	int ok = path_within(p, r);

	if (!ok)
		diag(EXIT_DATAERR, &(struct pos){ intern(path), 0, 0 },
		    "resolves outside %s (to %s); gen reads only files inside "
		    "it", root, p);
	free(p);
	free(r);
	return ok;
}

/* Is a (canonical) inside or equal to dir (canonical)? */
int
path_within(const char *a, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return 1;
	return strncmp(a, dir, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, prev, tmp, best;

	row = xmalloc((lb + 1) * sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

const char *
nearest(const char *s, const char *const *cands)
{
	const char *best = NULL;
	size_t d, bestd = (size_t)-1, limit;

	/* Suggest only when the typo is small against the word's length. */
	limit = strlen(s) / 3 + 1;
	for (; *cands != NULL; cands++) {
		d = edit_distance(s, *cands);
		if (d < bestd) {
			bestd = d;
			best = *cands;
		}
	}
	return bestd <= limit ? best : NULL;
}

const char *
nearest_of(const char *s, const void *base, size_t n, size_t size,
    size_t off)
{
	const char **cands = xcalloc(n + 1, sizeof(*cands));
	const char *best;
	size_t i;

	for (i = 0; i < n; i++)
		cands[i] = *(char *const *)((const char *)base + i * size + off);
	best = nearest(s, cands);
	free(cands);
	return best;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
		out[0] = '\0';
		diag(EXIT_IOERR, NULL, "SHA-256 failed (libcrypto)");
		return 0;
	}
	hex_encode(md, 32, out);
	return 1;
}

ssize_t
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)p + got, n - got);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
write_full(int fd, const void *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		p = (const char *)p + r;
		n -= (size_t)r;
	}
	return 1;
}

/* ---- the worker pool -------------------------------------------------- */

struct pool {
	size_t		 n, next;	/* next: taken atomically */
	void		(*fn)(void *, size_t, int);
	void		*ctx;
};

struct pool_thread {
	struct pool	*pl;
	int		 id;
};

static void *
pool_main(void *arg)
{
	struct pool_thread *t = arg;
	struct pool *pl = t->pl;
	size_t i;

	while ((i = __atomic_fetch_add(&pl->next, 1, __ATOMIC_RELAXED)) < pl->n)
		pl->fn(pl->ctx, i, t->id);
	return NULL;
}

int
pool_size(int jobs)
{
	long n;

	if (jobs > 0)
		return jobs;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int
pool_run(size_t n, int jobs, void (*fn)(void *ctx, size_t i, int worker),
    void *ctx)
{
	struct pool pl = { n, 0, fn, ctx };
	struct pool_thread t[64];
	pthread_t th[64];
	int nt = pool_size(jobs), started = 0, i;

	if ((size_t)nt > n)
		nt = n > 0 ? (int)n : 1;
	/* The calling thread is worker 0; the others are made here. */
	for (i = 1; i < nt; i++) {
		t[i].pl = &pl;
		t[i].id = i;
		if (pthread_create(&th[i], NULL, pool_main, &t[i]) != 0)
			break;
		started = i;
	}
	t[0].pl = &pl;
	t[0].id = 0;
	pool_main(&t[0]);
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	return started + 1;
}

/* ---- the folder reader ------------------------------------------------- */

static int
dentry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dentry *)a)->name,
	    ((const struct dentry *)b)->name);
}

int
dir_list(const char *dir, struct dlist *l)
{
	struct dirent *de;
	struct buf names = { 0 };
	size_t cap = 0, i, off;
	DIR *d;
	int e;

	memset(l, 0, sizeof(*l));
	if ((d = opendir(dir)) == NULL)
		return 0;
	l->fd = -1;
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (l->n == cap) {
			cap = cap ? 2 * cap : 64;
			l->e = xrealloc(l->e, cap * sizeof(*l->e));
		}
		/* Names in one block (offsets until it stops moving): a
		 * folder of 100,000 entries is two allocations. */
		l->e[l->n].name = (char *)(uintptr_t)names.len;
		buf_add(&names, de->d_name, strlen(de->d_name) + 1);
		l->e[l->n++].type = de->d_type;
	}
	if ((e = errno) != 0) {
		closedir(d);
		buf_free(&names);
		free(l->e);
		memset(l, 0, sizeof(*l));
		errno = e;
		return 0;
	}
	for (i = 0; i < l->n; i++) {
		off = (size_t)(uintptr_t)l->e[i].name;
		l->e[i].name = names.s + off;
	}
	l->names = names.s;
	if (l->n > 1)
		qsort(l->e, l->n, sizeof(*l->e), dentry_cmp);
	l->dir = d;
	l->fd = dirfd(d);
	return 1;
}

void
dlist_free(struct dlist *l)
{
	free(l->e);
	free(l->names);
	if (l->dir != NULL)
		closedir(l->dir);
	memset(l, 0, sizeof(*l));
}

void
stat_identity(const struct stat *st, char out[96])
{
	snprintf(out, 96, "%lld.%lld.%lld.%llu", (long long)st->st_size,
	    (long long)st->st_mtim.tv_sec, (long long)st->st_mtim.tv_nsec,
	    (unsigned long long)st->st_ino);
}

/* ---- the bump allocator ------------------------------------------------- */

struct arena {
	struct arena	*prev;		/* the chunk before */
	size_t		 used, size;
	_Alignas(16) unsigned char mem[];
};

void *
arena_alloc(struct arena **a, size_t n)
{
	struct arena *c = *a;
	size_t size;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size = n > (1u << 20) / 2 ? n : (1u << 20) - sizeof(*c);
		c = xmalloc(sizeof(*c) + size);
		c->prev = *a;
		c->used = 0;
		c->size = size;
		*a = c;
	}
	p = c->mem + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena **a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
arena_free(struct arena *a)
{
	struct arena *prev;

	for (; a != NULL; a = prev) {
		prev = a->prev;
		free(a);
	}
}

/*
 * A JSON string as jansson writes it with JSON_ENSURE_ASCII: the two-char
 * escapes, \u00XX (upper-case hex) for other control characters, and
 * \uXXXX (surrogate pairs above U+FFFF) for everything outside ASCII.
 * The text is valid UTF-8: every string came through a checked reader.
 */
void
buf_json_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t n;

	buf_putc(b, '"');
	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			const unsigned char *q = p;

			while (*q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
				q++;
			buf_add(b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		switch (*p) {
		case '"': buf_puts(b, "\\\""); p++; continue;
		case '\\': buf_puts(b, "\\\\"); p++; continue;
		case '\b': buf_puts(b, "\\b"); p++; continue;
		case '\f': buf_puts(b, "\\f"); p++; continue;
		case '\n': buf_puts(b, "\\n"); p++; continue;
		case '\r': buf_puts(b, "\\r"); p++; continue;
		case '\t': buf_puts(b, "\\t"); p++; continue;
		}
		if (*p < 0x80) {
			buf_printf(b, "\\u%04X", *p++);
			continue;
		}
		if ((n = utf8_seq(p, strlen((const char *)p), &cp)) == 0) {
			buf_printf(b, "\\u%04X", 0xFFFD);	/* not reached */
			p++;
			continue;
		}
		if (cp > 0xFFFF) {
			cp -= 0x10000;
			buf_printf(b, "\\u%04lX\\u%04lX", 0xD800 | (cp >> 10),
			    0xDC00 | (cp & 0x3FF));
		} else
			buf_printf(b, "\\u%04lX", cp);
		p += n;
	}
	buf_putc(b, '"');
}

int
write_atomic(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	/* Hidden, beside the target: ".NAME.XXXXXX". */
	char *tmp = slash == NULL ? xasprintf(".%s.XXXXXX", path) :
	    xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	int fd, ok = 0;

	if ((fd = mkstemp(tmp)) == -1) {
		diag_errno(tmp, 0, "cannot write");
		goto out;
	}
	if (fchmod(fd, 0644) == -1 || !write_full(fd, text, len) ||
	    fsync(fd) == -1) {
		diag_errno(tmp, 0, "cannot write");
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		diag_errno(path, 0, "cannot write");
		unlink(tmp);
		goto out;
	}
	ok = 1;
out:
	free(tmp);
	return ok;
}

void
buf_json_indent(struct buf *b, int level)
{
	static const char sp[] = "                                ";

	buf_putc(b, '\n');
	buf_add(b, sp, (size_t)(level > 16 ? 16 : level) * 2);
}

void
buf_json_kv(struct buf *b, int level, const char *key, const char *val,
    int first)
{
	if (!first)
		buf_putc(b, ',');
	buf_json_indent(b, level);
	buf_json_str(b, key);
	buf_puts(b, ": ");
	if (val == NULL)
		buf_puts(b, "null");
	else
		buf_json_str(b, val);
}

int
buf_drain(struct buf *b, FILE *f, int force)
{
	if (b->len < (1u << 18) && !force)
		return 1;
	if (b->len > 0 && fwrite(b->s, 1, b->len, f) != b->len)
		return 0;
	buf_reset(b);
	return 1;
}

int
mkdir_p(const char *dir)
{
	char *p = xstrdup(dir), *s;
	int ok = 1;

	for (s = p + 1; ok && *s; s++)
		if (*s == '/') {
			*s = '\0';
			ok = mkdir(p, 0777) == 0 || errno == EEXIST;
			*s = '/';
		}
	if (ok)
		ok = mkdir(p, 0777) == 0 || errno == EEXIST;
	if (!ok)
		diag_errno(p, 0, "cannot make the folder");
	free(p);
	return ok;
}

/* SOURCE_DATE_EPOCH when set; -1 when not; -2 when set but not a number. */
long long
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

/* ---- a state file of one line per input file ------------------------------ */

static int
lcline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lcline *)a)->file,
	    ((const struct lcline *)b)->file);
}

void
lcache_read(struct lcache *c, const char *path, const char *magic)
{
	size_t cap = 0, m = strlen(magic), i;
	char *p, *nl, *tab;

	memset(c, 0, sizeof(*c));
	if (!out_state_usable(path) || read_file_opt_max(path, &c->text,
	    GEN_MAX_INDEX) != 1 || strncmp(c->text.s, magic, m) != 0)
		return;
	for (p = c->text.s + m; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((tab = strchr(p, '\t')) == NULL)
			continue;
		*tab = '\0';
		if (c->n == cap) {
			cap = cap ? 2 * cap : 1024;
			c->l = xrealloc(c->l, cap * sizeof(*c->l));
		}
		c->l[c->n].file = p;
		c->l[c->n++].line = tab + 1;
	}
	/* Written in a folder's order: sorted already but for edits. */
	for (i = 1; i < c->n; i++)
		if (lcline_cmp(&c->l[i - 1], &c->l[i]) > 0) {
			qsort(c->l, c->n, sizeof(*c->l), lcline_cmp);
			break;
		}
}

char *
lcache_find(const struct lcache *c, const char *file)
{
	struct lcline key = { file, NULL }, *hit;

	hit = c->n ? bsearch(&key, c->l, c->n, sizeof(*c->l), lcline_cmp) : NULL;
	return hit != NULL ? hit->line : NULL;
}

void
lcache_free(struct lcache *c)
{
	free(c->l);
	buf_free(&c->text);
	memset(c, 0, sizeof(*c));
}

void
lcache_write(const char *path, const struct buf *body)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) != -1) {
		if (write_full(fd, body->s, body->len) && close(fd) == 0)
			rename(tmp, path);
		else
			close(fd);
	}
	unlink(tmp);
	free(tmp);
}
