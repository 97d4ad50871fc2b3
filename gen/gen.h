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
#include <sys/types.h>

#include <jansson.h>

/* Exit statuses (sysexits.h values, spelled out so the meaning is here). */
enum {
	EXIT_OK = 0,
	EXIT_DIFF = 1,		/* check/verify found a difference */
	EXIT_USAGE = 2,
	EXIT_DATAERR = 65,	/* bad input data */
	EXIT_NOINPUT = 66,	/* input missing */
	EXIT_UNAVAILABLE = 69,	/* a service unavailable (health checks) */
	EXIT_IOERR = 74,	/* I/O error */
	EXIT_TEMPFAIL = 75	/* another run holds the lock (--no-wait) */
};

/* ---- util.c ---------------------------------------------------------- */

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* A growable byte buffer; s is always NUL-terminated after any append. */
struct buf {
	char	*s;
	size_t	 len, cap;
};
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, int);
void	 buf_putu(struct buf *, unsigned long long);	/* decimal */
void	 buf_puti(struct buf *, long long);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);	/* len = 0, keeps memory */
void	 buf_reserve(struct buf *, size_t);	/* room for n more bytes */
int	 buf_json_cb(const char *, size_t, void *);	/* json_dump_callback */
/* s (valid UTF-8) as a JSON string, quoted, escaped as jansson does with
 * JSON_ENSURE_ASCII. */
void	 buf_json_str(struct buf *, const char *s);
/* Streamed JSON with two-space indentation, as engines.json and the
 * registries' files are written: a newline and level indents; "key":
 * "value" (null for NULL) at level, after a comma unless first. */
void	 buf_json_indent(struct buf *, int level);
void	 buf_json_kv(struct buf *, int level, const char *key,
	    const char *val, int first);
/* Write the buffer to f and empty it once it holds 256 KiB, or always
 * with force.  1, or 0 when the write failed. */
int	 buf_drain(struct buf *, FILE *f, int force);
void	 buf_free(struct buf *);	/* frees s, zeroes the struct */

/* A position in an input file.  file is borrowed (interned for the run). */
struct pos {
	const char	*file;
	unsigned	 line, col;	/* 1-based; 0 means unknown */
};

/* Called on out of memory before the process ends (out.c takes back
 * what is staged); must not allocate. */
extern void	(*gen_abort_hook)(void);
/* Out of memory (a library's allocation failed): say so, take back what is
 * staged and end the process. */
void	 xoom(void) __attribute__((noreturn));

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

/*
 * Reading inputs.  Every input is opened without blocking, must be a regular
 * file (a FIFO, a device or a folder is EXIT_DATAERR naming it) and is read
 * with a size bound (exceeding it is EXIT_DATAERR naming the file).  The
 * bounds are listed in the README's "Limits".
 */
#define GEN_MAX_FILE		(64u << 20)	/* anything not listed below */
#define GEN_MAX_MANIFEST	(16u << 20)	/* manifest.yml, registries */
#define GEN_MAX_TEMPLATE	(1u << 20)	/* one Mustache template or asset */
#define GEN_MAX_README		(1u << 20)	/* one readme (Markdown) */
#define GEN_MAX_INDEX		(256u << 20)	/* engines.json read back */
/* Read a whole file into *out (NUL-terminated).  Returns 1, or 0 after
 * reporting. */
int	 read_file(const char *path, struct buf *out);
int	 read_file_max(const char *path, struct buf *out, size_t max);
/* The same for a file that may be absent: -1 (nothing reported) when it
 * does not exist. */
int	 read_file_opt(const char *path, struct buf *out);
int	 read_file_opt_max(const char *path, struct buf *out, size_t max);
/* A file's size, mtime (ns) and inode as text ("123.1700000000.5.42"):
 * what says a file is unchanged without reading it. */
struct stat;
void	 stat_identity(const struct stat *, char out[96]);
/* What a stat mode is, for messages: "a FIFO", "a character device"... */
const char *file_kind(unsigned int mode);

/* An absolute, normalized path (symbolic links resolved as far as the path
 * exists; the rest joined lexically).  The caller frees it. */
char	*path_canon(const char *path);
/* Is canonical path a inside canonical folder dir, or dir itself? */
int	 path_within(const char *a, const char *dir);
/* Does path, resolved, lie inside folder root?  0 after reporting. */
int	 path_confined(const char *path, const char *root);

/* SHA-256 of a buffer as 64 lower-case hex digits and a NUL.  Returns 1,
 * or 0 after reporting a libcrypto failure (out is then ""). */
int	 sha256_hex(const void *, size_t, char out[65]);
/* n bytes as 2n lower-case hex digits and a NUL: the one hex encoder. */
void	 hex_encode(const unsigned char *, size_t n, char *out);

/* read(2) until n bytes or end of file, retrying EINTR: the byte count,
 * or -1 with errno set.  write_full writes all n bytes: 1, or 0. */
ssize_t	 read_full(int fd, void *, size_t n);
int	 write_full(int fd, const void *, size_t n);
/* Write a whole file that is not part of an output set (a listing entry,
 * the health results): a hidden temporary file beside path, synced, then
 * renamed into place.  1, or 0 after reporting. */
int	 write_atomic(const char *path, const char *text, size_t len);
/*
 * A state file of one line per input file, "FILE\tREST\n" after a magic
 * first line, so that an unchanged file (its identity in REST) need not
 * be read again.  lcache_read() loads it when it is usable and begins with
 * magic (else the cache is empty); lines point into its text, which the
 * caller may keep (steal text.s).  lcache_write() replaces the file
 * atomically with body (magic included); a failure only costs time.
 */
struct lcache {
	struct lcline {
		const char	*file;
		char		*line;		/* REST, NUL-terminated */
	}		*l;			/* by file */
	size_t		 n;
	struct buf	 text;
};
void	 lcache_read(struct lcache *, const char *path, const char *magic);
char	*lcache_find(const struct lcache *, const char *file);
void	 lcache_free(struct lcache *);
void	 lcache_write(const char *path, const struct buf *body);
/* SOURCE_DATE_EPOCH when set; -1 when not; -2 when set but not a number. */
long long source_date_epoch(void);
/* mkdir -p dir: 1, or 0 after reporting. */
int	 mkdir_p(const char *dir);

/*
 * The worker pool, the one in gen: fn(ctx, i, worker) for every i in
 * [0, n), on pool_size(jobs) threads (the caller's among them), items
 * taken in order as threads come free.  worker (0 <= worker < the number
 * returned) names the thread, for per-thread scratch.  Returns when every
 * item is done, with the number of threads used (1 if none could be
 * made).  fn reports its own errors, with diag() (thread-safe).
 */
int	 pool_run(size_t n, int jobs, void (*fn)(void *ctx, size_t i,
	    int worker), void *ctx);
/* Threads for -j jobs: jobs, or the number of cores (at most 64) for 0. */
int	 pool_size(int jobs);

/*
 * The one folder reader: every entry of dir but "." and "..", sorted by
 * name (bytewise, so walks are deterministic), with its d_type (DT_UNKNOWN
 * where the file system does not say).  The folder stays open (fd, for
 * fstatat) until dlist_free().  Returns 1, or 0 with errno set and nothing
 * reported (ENOENT when dir does not exist).
 */
struct dlist {
	size_t		 n;
	struct dentry {
		char		*name;
		unsigned char	 type;
	}		*e;
	int		 fd;
	void		*dir;	/* private: the DIR */
	char		*names;	/* private: every name, one block */
};
int	 dir_list(const char *dir, struct dlist *);
void	 dlist_free(struct dlist *);

/*
 * A bump allocator: many small blocks that live and die together (a parsed
 * engines.json's nodes and strings), in chunks, freed at once.  *a starts
 * NULL; arena_alloc returns zeroed, 16-byte-aligned memory.
 */
struct arena;
void	*arena_alloc(struct arena **a, size_t n);
char	*arena_strndup(struct arena **a, const char *s, size_t n);
void	 arena_free(struct arena *);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t	 edit_distance(const char *, const char *);
/* The candidate nearest to s (NULL-terminated array), or NULL if none is
 * close enough to suggest.  Borrowed from the array. */
const char *nearest(const char *s, const char *const *cands);
/* The same over the char * at offset off of each of n elements of size
 * bytes from base: nearest_of(s, fw, nfw, sizeof(*fw), offsetof(struct
 * framework, name)). */
const char *nearest_of(const char *s, const void *base, size_t n,
	    size_t size, size_t off);

/* ---- out.c: atomic, skip-unchanged output ---------------------------- */

/* The line every generated text file carries; only files with it are ever
 * deleted by regeneration. */
#define GEN_MARKER "# Generated by gen from manifest.yml; DO NOT EDIT."

/*
 * An output set: the files one run produces under a root folder.  Files are
 * staged (written to temporary files beside their targets) and only when
 * every set has staged cleanly are they committed (renamed into place), so
 * a failed run leaves the previous outputs whole.
 */
struct outset;
struct outset	*outset_new(const char *root);
void		 outset_free(struct outset *);	/* aborts what is staged */
/* Keep a list of the files written in the state file NAME, and let pruning delete
 * exactly the files listed there that a later run no longer produces
 * (instead of files carrying GEN_MARKER). */
void		 outset_ledger(struct outset *, const char *name);
/* A state file (gen's own bookkeeping, never in an output folder) to
 * commit with the set: path is out_state_path()'s; takes the buffer. */
void		 outset_add_state(struct outset *, const char *path, struct buf *);
/* May the state file at path be read and replaced?  Absent or a regular
 * file: 1.  Anything else (a folder, a FIFO) is left as it is with a note
 * and 0: state costs only time to rebuild and never fails a run. */
int		 out_state_usable(const char *path);
/* STATE/KIND-HASH: the state file of one kind for the output root. */
char		*out_state_path(const char *kind, const char *root);
/* Add a file (path relative to root); takes the buffer's memory. */
void		 outset_add(struct outset *, const char *relpath, struct buf *);
/* From now on, stage each file as it is added and keep none of its bytes
 * (outset_get() then finds nothing): memory stays flat however many files
 * a set has.  Staged files still appear only at commit.  outset_add() on
 * an eager set may be called from several threads at once. */
void		 outset_eager(struct outset *);
/*
 * A file of the set written piecewise through a stdio stream, for outputs
 * too large to hold (engines.json of 100,000 packages).  On an eager set
 * the bytes go straight to the staged copy (and a copy equal to the
 * target is dropped at close); otherwise they are kept and added at close.
 * ostream_close() gives the SHA-256 of what was written and the file's
 * size, mtime and inode as they will be once committed (either may be
 * NULL).  NULL or 0 after reporting; the set then fails to stage.
 */
struct ostream;
/* A file of the set that is already on disk as it should be: listed (the
 * ledger keeps it, pruning spares it), never written or compared. */
void		 outset_keep(struct outset *, const char *relpath);
struct ostream	*outset_open(struct outset *, const char *relpath);
/* The same for a state file (path as out_state_path() gives), always
 * staged beside its target and committed with the set. */
struct ostream	*outset_open_state(struct outset *, const char *path);
FILE		*ostream_file(struct ostream *);
int		 ostream_close(struct ostream *, char sha256[65], char id[96]);
/* Compare with the disk; print each stale, missing and extra (marked) file.
 * Returns the number of differences, or -1 after an I/O error. */
long		 outset_check(struct outset *);
/* Write temporary files for the files that differ.  Returns 1, or 0. */
int		 outset_stage(struct outset *);
/* Rename staged files into place, then delete files that are no longer
 * produced (listed in the last ledger, or marked; when prune is set).
 * outsets_commit() does it for several sets at once, as one journaled step
 * (STATE/journal) with SIGINT/SIGTERM/SIGHUP held until it is done; NULL
 * sets are skipped.  Returns 1, or 0 after reporting. */
int		 outset_commit(struct outset *, int prune);
int		 outsets_commit(struct outset **, const int *prune, size_t n);
/* Take back everything staged by every set, without allocating (on a
 * signal, out of memory).  Writers that come later wait forever. */
void		 out_abort(void);
/* Route SIGINT, SIGTERM and SIGHUP to one thread that takes back what is
 * staged and ends the process, or, during a commit, lets it finish first.
 * Call before any thread is made.  state is the state folder. */
int		 out_guard_signals(const char *state);
/* Lock the tree (STATE/lock): exclusive for runs that write, shared for
 * check; wait, or stop with EXIT_TEMPFAIL when nowait.  Returns 1 or 0. */
int		 out_lock(int exclusive, int nowait);
/* Finish a commit that a killed run left in the journal, and remove stale
 * staging under and beside the roots.  Returns 1, or 0 after reporting. */
int		 out_recover(const char *const *roots, size_t n);
/* List (on stdout) an unfinished commit and stale staging; their number. */
long		 out_leftovers(const char *const *roots, size_t n);
/* The bytes of a file added to the set, or NULL (borrowed). */
const struct buf *outset_get(struct outset *, const char *relpath);
/* Counts for the summary line. */
void		 outset_counts(const struct outset *, size_t *total,
		    size_t *written, size_t *removed);

#endif /* GEN_H */
