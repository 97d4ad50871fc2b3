/*
 * util.c - memory, buffers, diagnostics, small string helpers.
 */
#include <errno.h>
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

int	gen_status;
int	gen_verbose;
void	(*gen_abort_hook)(void);

/* Out of memory: say so without allocating, take back what is staged, and
 * end the process (other threads may still be running: no exit()). */
static void
oom(void)
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
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		oom();
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
		oom();
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
			oom();
		cap *= 2;
	}
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
buf_reserve(struct buf *b, size_t n)
{
	buf_grow(b, n);
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
	char ch = (char)c;

	buf_add(b, &ch, 1);
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
		oom();
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

static void
setstatus(int status)
{
	if (status > gen_status)
		gen_status = status;
}

void
vdiag(int status, const struct pos *p, const char *fmt, va_list ap)
{
	setstatus(status);
	if (p != NULL && p->file != NULL) {
		fputs(p->file, stderr);
		if (p->line) {
			fprintf(stderr, ":%u", p->line);
			if (p->col)
				fprintf(stderr, ":%u", p->col);
		}
		fputs(": ", stderr);
	} else
		fputs("gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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

	setstatus(noinput && e == ENOENT ? EXIT_NOINPUT : EXIT_IOERR);
	fprintf(stderr, "%s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
}

void
note(const char *fmt, ...)
{
	va_list ap;

	if (gen_verbose < 1)
		return;
	va_start(ap, fmt);
	fputs("gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * Interned strings live until exit: positions in diagnostics point at them
 * and nodes are freed in any order.  The table is small (one per file).
 */
const char *
intern(const char *s)
{
	static char **tab;
	static size_t n;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return tab[i];
	tab = xrealloc(tab, (n + 1) * sizeof(*tab));
	tab[n] = xstrdup(s);
	return tab[n++];
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
		r = read(fd, chunk, sizeof(chunk));
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
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

void
sha256_hex(const void *p, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int len = 0;
	size_t i;

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
