/*
 * gen.h - what crosses files in gen, the inference-engine registry compiler.
 *
 * Ownership, stated once: a function that returns a pointer hands the caller
 * ownership of it (free with the matching *_free(), which accepts NULL),
 * unless its comment says the result is borrowed.  Arguments are borrowed.
 * JSON values follow jansson: *_new setters steal, json_decref the root once.
 *
 * Errors: library code reports with diag*() (which prints "file:line:col: msg"
 * to stderr and records the exit status to use) and returns 0 or NULL.
 * Only main.c exits.  Out of memory ends the process in util.c (xmalloc).
 */
#ifndef GEN_H
#define GEN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Exit statuses (sysexits.h values, spelled out so the meaning is here). */
enum {
	EXIT_OK = 0,
	EXIT_DIFF = 1,		/* check/verify found a difference */
	EXIT_USAGE = 2,
	EXIT_DATAERR = 65,	/* bad input data */
	EXIT_NOINPUT = 66,	/* input missing */
	EXIT_IOERR = 74		/* I/O error */
};

/* ---- util.c ---------------------------------------------------------- */

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; s is always NUL-terminated after any append. */
struct buf {
	char	*s;
	size_t	 len, cap;
};
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, int);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);	/* len = 0, keeps memory */
void	 buf_free(struct buf *);	/* frees s, zeroes the struct */

/* A position in an input file.  file is borrowed (interned for the run). */
struct pos {
	const char	*file;
	unsigned	 line, col;	/* 1-based; 0 means unknown */
};

extern int	 gen_status;	/* worst exit status recorded by diag*() */
extern int	 gen_verbose;	/* -1 quiet, 0 normal, 1 verbose */

/* Report "file:line:col: msg" (parts that are unknown are left out) and
 * record status (EXIT_DATAERR etc.) as the run's exit status if worse. */
void	 diag(int status, const struct pos *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 vdiag(int status, const struct pos *, const char *, va_list);
/* Report "path: msg: strerror(errno)" with EXIT_IOERR (or EXIT_NOINPUT
 * when errno is ENOENT and noinput is set). */
void	 diag_errno(const char *path, int noinput, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Informational line on stderr, shown with -v only. */
void	 note(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Intern a file name for the life of the run (for struct pos). */
const char *intern(const char *);

/* Read a whole file into *out (NUL-terminated).  Returns 1, or 0 after
 * reporting. */
int	 read_file(const char *path, struct buf *out);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t	 edit_distance(const char *, const char *);
/* The candidate nearest to s (NULL-terminated array), or NULL if none is
 * close enough to suggest.  Borrowed from the array. */
const char *nearest(const char *s, const char *const *cands);

#endif /* GEN_H */
