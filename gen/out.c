/*
 * out.c - output sets: every file staged in a folder of gen's own and moved
 * into place only when the whole run has succeeded; files whose bytes would
 * not change are not touched at all.
 *
 * Staging.  A root that exists is staged in ROOT/.gen-stage.PID/, one file
 * per changed output, named by number; a root that does not exist yet is
 * built whole in PARENT/.gen-NAME.PID/ and renamed into place.  Either way
 * everything a run has staged sits in one folder per set, so taking it back
 * (after an error, a signal, out of memory) is removing that folder, and a
 * run killed outright leaves names that the next run finds and removes.
 *
 * Commit.  The renames and deletions of every set of the run are planned
 * first, written to the journal STATE/journal, and only then carried out,
 * with SIGINT/SIGTERM/SIGHUP held until the last one is done.  A run killed
 * during the commit leaves the journal: the next run carries it out to the
 * end before anything else, so the tree is never left half new.
 */
#define _GNU_SOURCE	/* fopencookie */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>

#include "gen.h"

struct ofile {
	char		*rel;		/* relative to the set's root */
	struct buf	 data;
	char		*tmp;		/* staged file (in the stage folder), or NULL */
	int		 same;		/* disk already holds these bytes */
	int		 staged;	/* written out (data may be gone) */
	int		 kept;		/* outset_keep(): left as it is */
	int		 in_tree;	/* staged in a new folder's tree */
};

enum smode { S_UNDECIDED, S_FRESH, S_INPLACE };

/* A file of gen's state folder (ledger, index stamp) that belongs with a
 * set's outputs: staged beside its target as TARGET.PID, renamed at the
 * same commit, never inside the output folder (site/ is the CDN root). */
struct sfile {
	char		*path;
	struct buf	 data;
	char		*tmp;		/* staged copy, or NULL */
	int		 streamed;	/* written through outset_open_state() */
};

struct outset {
	char		*root;
	struct ofile	*f;
	size_t		 n, cap;
	int		 sorted;
	char		*stage;		/* the stage folder, once decided */
	char		**mkdirs;	/* folders made for a fresh root, to undo */
	size_t		 nmkdirs;
	size_t		 seq;		/* next staged file's number */
	size_t		 written, removed;
	char		*lastdir;	/* the folder known to exist (fresh) */
	char		*ledger;	/* state file listing what this set wrote, or NULL */
	char		**tops;		/* new folders staged whole (in place) */
	size_t		 ntops, ntree;	/* ... and the files in them */
	struct sfile	*sf;		/* state files committed with the set */
	size_t		 nsf;
	enum smode	 mode;
	int		 eager;		/* stage each file as it is added */
	int		 twins;		/* text files get FILE.gz (the site's) */
	int		 failed;	/* an eager write failed */
	int		 committed;
	pthread_mutex_t	 mu;		/* guards f and seq while threads add */
};

static const char *write_new(const char *, const struct buf *);
static int	decide(struct outset *);
static int	stage_file(struct outset *, struct ofile *, char **);
static void	add_one(struct outset *, const char *, struct buf *);

/* ---- compressed twins -------------------------------------------------- */

/*
 * Every text file of the site gets FILE.gz beside it, so that a static
 * host can serve it compressed without compressing on the fly.  The twin
 * is a function of the file's bytes alone: a gzip header with no name, no
 * time and a fixed OS byte, then ISA-L's deflate fed in blocks of a fixed
 * size (so a file written piecewise and one held whole give the same
 * bytes), then the CRC-32 and size.  Twins are ordinary files of the set:
 * staged, compared, committed, listed in the ledger and pruned with it.
 */
#define GZ_BLOCK	(64 * 1024)
#define GZ_LEVEL	1

struct gz {
	struct isal_zstream	 z;
	unsigned char		*lvl;		/* the level's work space */
	unsigned char		 in[GZ_BLOCK];	/* the block being filled */
	size_t			 nin;
	struct buf		 out;		/* compressed, not yet taken */
	int			 failed;
};

/* The extensions that are text and get a twin (images and packages,
 * already compressed, do not). */
static int
is_text_name(const char *rel)
{
	static const char *const ext[] = { ".json", ".html", ".xml", ".txt",
	    ".css", ".js", ".svg", ".md" };
	const char *dot = strrchr(rel, '.'), *slash = strrchr(rel, '/');
	size_t i;

	if (dot == NULL || (slash != NULL && dot < slash))
		return 0;
	for (i = 0; i < sizeof(ext) / sizeof(*ext); i++)
		if (strcmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

/* Does this file of the set get a twin? */
static int
twinned(const struct outset *o, const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	return o->twins && strncmp(base, ".gen-", 5) != 0 && is_text_name(rel);
}

static struct gz *
gz_new(void)
{
	/* The fixed header: magic, deflate, no flags, mtime 0, no extra
	 * flags, OS 3 (Unix) whatever the host, as gzip -n on Linux. */
	static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
	    0, 3 };
	struct gz *g = xcalloc(1, sizeof(*g));

	g->lvl = xmalloc(ISAL_DEF_LVL1_SMALL);
	isal_deflate_init(&g->z);
	g->z.level = GZ_LEVEL;
	g->z.level_buf = g->lvl;
	g->z.level_buf_size = ISAL_DEF_LVL1_SMALL;
	g->z.gzip_flag = IGZIP_GZIP_NO_HDR;	/* the trailer, our header */
	buf_add(&g->out, (const char *)hdr, sizeof(hdr));
	return g;
}

/* Deflate the block held (the last one when end is set) into g->out. */
static void
gz_block(struct gz *g, int end)
{
	size_t room;

	g->z.next_in = g->in;
	g->z.avail_in = (uint32_t)g->nin;
	g->z.end_of_stream = end;
	g->z.flush = NO_FLUSH;
	do {
		room = g->nin + g->nin / 8 + 1024;
		buf_reserve(&g->out, room);
		g->z.next_out = (uint8_t *)g->out.s + g->out.len;
		g->z.avail_out = (uint32_t)room;
		if (isal_deflate(&g->z) != COMP_OK) {
			g->failed = 1;
			break;
		}
		g->out.len += room - g->z.avail_out;
	} while (g->z.avail_in > 0 || g->z.avail_out == 0 ||
	    (end && g->z.internal_state.state != ZSTATE_END));
	g->nin = 0;
}

static void
gz_feed(struct gz *g, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0 && !g->failed) {
		k = GZ_BLOCK - g->nin < n ? GZ_BLOCK - g->nin : n;
		memcpy(g->in + g->nin, s, k);
		g->nin += k;
		s += k;
		n -= k;
		if (g->nin == GZ_BLOCK)
			gz_block(g, 0);
	}
}

/* End the stream.  Returns 1, or 0 when ISA-L failed. */
static int
gz_finish(struct gz *g)
{
	if (!g->failed)
		gz_block(g, 1);
	return !g->failed;
}

static void
gz_free(struct gz *g)
{
	if (g == NULL)
		return;
	buf_free(&g->out);
	free(g->lvl);
	free(g);
}

/* The twin of len bytes at s, into out (which it replaces).  Returns 1,
 * or 0 after reporting. */
static int
gz_bytes(const char *s, size_t len, struct buf *out, const char *name)
{
	struct gz *g = gz_new();
	int ok;

	gz_feed(g, s, len);
	if ((ok = gz_finish(g)) != 0) {
		*out = g->out;
		memset(&g->out, 0, sizeof(g->out));
	} else
		diag(EXIT_IOERR, NULL, "%s: cannot compress its twin (ISA-L "
		    "deflate failed)", name);
	gz_free(g);
	return ok;
}

/* ---- the live sets, and taking them back at any moment --------------- */

/*
 * Every set with something staged is listed here.  A thread that writes a
 * staged file holds the gate open (inflight) for the system calls only and
 * allocates nothing meanwhile, so out_abort() can close the gate, wait for
 * the writes under way, and remove every stage folder without allocating:
 * it runs on out of memory too.
 */
#define MAX_LIVE 8
static pthread_mutex_t	 live_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 live_cv = PTHREAD_COND_INITIALIZER;
static struct outset	*live[MAX_LIVE];
static int		 inflight, dying, committing, pending_sig;
static const char	*state_dir = ".gen";

static void
gate_enter(void)
{
	pthread_mutex_lock(&live_mu);
	while (dying)		/* the process is ending: wait for it */
		pthread_cond_wait(&live_cv, &live_mu);
	inflight++;
	pthread_mutex_unlock(&live_mu);
}

static void
gate_leave(void)
{
	pthread_mutex_lock(&live_mu);
	if (--inflight == 0)
		pthread_cond_broadcast(&live_cv);
	pthread_mutex_unlock(&live_mu);
}

static void
live_add(struct outset *o)
{
	size_t i;

	pthread_mutex_lock(&live_mu);
	for (i = 0; i < MAX_LIVE; i++)
		if (live[i] == NULL) {
			live[i] = o;
			break;
		}
	pthread_mutex_unlock(&live_mu);
}

static void
live_del(struct outset *o)
{
	size_t i;

	pthread_mutex_lock(&live_mu);
	for (i = 0; i < MAX_LIVE; i++)
		if (live[i] == o)
			live[i] = NULL;
	pthread_mutex_unlock(&live_mu);
}

struct linux_dirent64 {
	unsigned long long	d_ino;
	long long		d_off;
	unsigned short		d_reclen;
	unsigned char		d_type;
	char			d_name[];
};

/*
 * Remove name (relative to dirfd) and everything below it, without
 * allocating: getdents64 into a buffer on the stack.  Depth is bounded by
 * the depth of gen's own output paths.
 */
static void
rm_at(int dirfd, const char *name, int depth)
{
	char buf[4096];
	long n, off;
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return;
	if (depth > 64 || (fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; ) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			rm_at(fd, d->d_name, depth + 1);
		}
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void
rm_tree(const char *path)
{
	rm_at(AT_FDCWD, path, 0);
}

/* Take back what one set staged (the caller holds the gate closed, or no
 * thread writes for the set any more). */
static void
unstage_nolock(struct outset *o)
{
	size_t i;

	if (o->committed)
		return;
	for (i = 0; i < o->nsf; i++)
		if (o->sf[i].tmp != NULL)
			unlink(o->sf[i].tmp);
	if (o->stage != NULL)
		rm_tree(o->stage);
	/* Folders made for a fresh root, deepest last in the list. */
	for (i = o->nmkdirs; i > 0; i--)
		rmdir(o->mkdirs[i - 1]);
}

/*
 * Take everything staged back; live_mu held.  Not during a commit: once
 * committing is set no abort begins (the commit ends, or the journal
 * finishes it), and once dying is set no commit begins.
 */
static void
abort_locked(void)
{
	size_t i;

	if (committing)
		return;
	dying = 1;
	while (inflight > 0)
		pthread_cond_wait(&live_cv, &live_mu);
	for (i = 0; i < MAX_LIVE; i++)
		if (live[i] != NULL)
			unstage_nolock(live[i]);
}

void
out_abort(void)
{
	pthread_mutex_lock(&live_mu);
	abort_locked();
	pthread_mutex_unlock(&live_mu);
}

/* ---- signals ----------------------------------------------------------- */

static sigset_t	guarded;

static void
die_by(int sig)
{
	sigset_t one;

	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* The one thread that receives SIGINT, SIGTERM and SIGHUP. */
static void *
signal_thread(void *arg)
{
	int sig;

	for (;;) {
		if (sigwait(&guarded, &sig) != 0)
			continue;
		pthread_mutex_lock(&live_mu);
		if (committing) {
			/* The commit ends first; outsets_commit() then dies. */
			pending_sig = sig;
			pthread_mutex_unlock(&live_mu);
			continue;
		}
		/* Checked and taken back under one lock: no commit starts
		 * in between. */
		abort_locked();
		die_by(sig);
	}
	return arg;
}

int
out_guard_signals(const char *state)
{
	pthread_t th;
	pthread_attr_t at;

	state_dir = state;
	sigemptyset(&guarded);
	sigaddset(&guarded, SIGINT);
	sigaddset(&guarded, SIGTERM);
	sigaddset(&guarded, SIGHUP);
	/* Blocked here, so in every thread made from now on. */
	if (pthread_sigmask(SIG_BLOCK, &guarded, NULL) != 0)
		return 0;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 256 * 1024);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, signal_thread, NULL) != 0) {
		pthread_attr_destroy(&at);
		pthread_sigmask(SIG_UNBLOCK, &guarded, NULL);
		return 0;
	}
	pthread_attr_destroy(&at);
	return 1;
}

/* ---- sets -------------------------------------------------------------- */

struct outset *
outset_new(const char *root)
{
	struct outset *o = xcalloc(1, sizeof(*o));
	size_t n;

	o->root = xstrdup(root);
	/* "site/" and "site" are one root. */
	while ((n = strlen(o->root)) > 1 && o->root[n - 1] == '/')
		o->root[n - 1] = '\0';
	pthread_mutex_init(&o->mu, NULL);
	gen_abort_hook = out_abort;
	live_add(o);
	return o;
}

/* Take back what a set staged.  Under live_mu, so that a signal that
 * arrives meanwhile waits for it rather than ending the process halfway. */
static void
unstage(struct outset *o)
{
	size_t i;

	pthread_mutex_lock(&live_mu);
	unstage_nolock(o);
	for (i = 0; i < o->nmkdirs; i++)
		free(o->mkdirs[i]);
	o->nmkdirs = 0;
	free(o->stage);
	o->stage = NULL;
	pthread_mutex_unlock(&live_mu);
	for (i = 0; i < o->n; i++) {
		free(o->f[i].tmp);
		o->f[i].tmp = NULL;
	}
}

void
outset_free(struct outset *o)
{
	size_t i;

	if (o == NULL)
		return;
	unstage(o);
	live_del(o);
	for (i = 0; i < o->n; i++) {
		free(o->f[i].rel);
		buf_free(&o->f[i].data);
	}
	for (i = 0; i < o->nsf; i++) {
		free(o->sf[i].path);
		free(o->sf[i].tmp);
		buf_free(&o->sf[i].data);
	}
	free(o->sf);
	free(o->mkdirs);
	free(o->lastdir);
	free(o->f);
	free(o->root);
	free(o->ledger);
	for (i = 0; i < o->ntops; i++)
		free(o->tops[i]);
	free(o->tops);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

static struct ofile *
grow(struct outset *o)
{
	struct ofile *f;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->f = xrealloc(o->f, o->cap * sizeof(*o->f));
	}
	f = &o->f[o->n++];
	memset(f, 0, sizeof(*f));
	o->sorted = 0;
	return f;
}

/*
 * Add a file and, when the set makes twins and the file is text, its
 * FILE.gz.  On an eager set the twin is compressed, staged and freed at
 * once, so memory stays flat.
 */
void
outset_add(struct outset *o, const char *rel, struct buf *b)
{
	struct buf z = { 0 };
	char *twin;

	if (twinned(o, rel)) {
		twin = xasprintf("%s.gz", rel);
		if (gz_bytes(b->s ? b->s : "", b->len, &z, twin))
			add_one(o, twin, &z);
		else {
			pthread_mutex_lock(&o->mu);
			o->failed = 1;
			pthread_mutex_unlock(&o->mu);
		}
		buf_free(&z);
		free(twin);
	}
	add_one(o, rel, b);
}

static void
add_one(struct outset *o, const char *rel, struct buf *b)
{
	struct ofile *f, one;
	int ok;

	memset(&one, 0, sizeof(one));
	one.rel = xstrdup(rel);
	one.data = *b;
	if (one.data.s == NULL)
		buf_add(&one.data, "", 0);
	memset(b, 0, sizeof(*b));
	if (o->eager) {
		/*
		 * Eager sets write now and keep no bytes, and may be called
		 * from several threads: the file is staged outside the lock,
		 * then only the list is touched under it.  A failure is kept
		 * for outset_stage() to report through its result.
		 */
		ok = stage_file(o, &one, NULL);
		buf_free(&one.data);
		pthread_mutex_lock(&o->mu);
		if (!ok)
			o->failed = 1;
		*grow(o) = one;
		pthread_mutex_unlock(&o->mu);
		return;
	}
	f = grow(o);
	*f = one;
}

static int
ofile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ofile *)a)->rel, ((const struct ofile *)b)->rel);
}

static void
sort_files(struct outset *o)
{
	if (!o->sorted && o->n > 0)
		qsort(o->f, o->n, sizeof(*o->f), ofile_cmp);
	o->sorted = 1;
}

static int
in_set(const struct outset *o, const char *rel)
{
	struct ofile key;

	key.rel = (char *)rel;
	return o->n > 0 &&
	    bsearch(&key, o->f, o->n, sizeof(*o->f), ofile_cmp) != NULL;
}

/*
 * Does the file on disk hold exactly these bytes?  Returns 1 same, 0
 * different or missing, -1 after an I/O error.
 */
static int
same_on_disk(const char *path, const struct buf *b)
{
	char chunk[65536];
	struct stat st;
	size_t off = 0;
	ssize_t r;
	int fd, same = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return 0;
		diag_errno(path, 0, "cannot open");
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != b->len) {
		close(fd);
		return 0;
	}
	while (same && (r = read_full(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			diag_errno(path, 0, "read");
			close(fd);
			return -1;
		}
		if (off + (size_t)r > b->len || memcmp(b->s + off, chunk, (size_t)r))
			same = 0;
		off += (size_t)r;
	}
	close(fd);
	return same && off == b->len;
}

/* Does a file carry the generated-file marker in its first lines? */
static int
is_marked(const char *path)
{
	char head[1024];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) == -1)
		return 0;
	r = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	head[r] = '\0';
	return strstr(head, GEN_MARKER "\n") != NULL;
}

struct list {
	char	**v;
	size_t	  n;
};

static void
list_add(struct list *l, char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

static void
list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Is this a name gen stages under (".gen-stage.PID", ".gen-NAME.PID")? */
static int
is_staging_name(const char *name)
{
	const char *dot;

	if (strncmp(name, ".gen-", 5) != 0 || (dot = strrchr(name, '.')) == NULL ||
	    dot == name || dot[1] == '\0')
		return 0;
	return strspn(dot + 1, "0123456789") == strlen(dot + 1);
}

/* Every regular file below dir (relative names), links not followed;
 * stage folders are not descended into. */
static int
walk(const char *root, const char *rel, struct list *out)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	struct dlist l;
	struct stat st;
	char *sub;
	size_t i;
	int ok = 1;

	if (!dir_list(dir, &l)) {
		if (errno != ENOENT && errno != ENOTDIR) {
			diag_errno(dir, 0, "cannot read folder");
			ok = 0;
		}
		free(dir);
		return ok;
	}
	for (i = 0; ok && i < l.n; i++) {
		if (is_staging_name(l.e[i].name) ||
		    fstatat(l.fd, l.e[i].name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, l.e[i].name) :
		    xstrdup(l.e[i].name);
		if (S_ISDIR(st.st_mode))
			ok = walk(root, sub, out);
		else if (S_ISREG(st.st_mode)) {
			list_add(out, sub);
			sub = NULL;
		}
		free(sub);
	}
	dlist_free(&l);
	free(dir);
	return ok;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
outset_ledger(struct outset *o, const char *name)
{
	free(o->ledger);
	o->ledger = xstrdup(name);
	o->twins = 1;		/* only the site's sets keep a ledger */
}

/* Files the ledger lists that this set no longer produces. */
static int
ledger_extras(struct outset *o, struct list *out)
{
	struct buf b = { 0 };
	char *path, *line, *nl, *full;
	struct stat st;
	int ok = 1;

	path = xstrdup(o->ledger);
	if (!out_state_usable(path)) {	/* no pruning by it */
		free(path);
		return 1;
	}
	if ((ok = read_file_opt(path, &b)) == -1)
		ok = 1;		/* no ledger yet: nothing to prune */
	for (line = b.s; ok && line && *line; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		/* Only plain relative names below the root are ever deleted,
		 * and gen's own bookkeeping (.gen-*) is never an extra. */
		if (*line == '\0' || *line == '/' || strstr(line, "..") != NULL ||
		    strncmp(line, ".gen-", 5) == 0 || in_set(o, line))
			continue;
		full = xasprintf("%s/%s", o->root, line);
		if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
			list_add(out, xstrdup(line));
		free(full);
	}
	buf_free(&b);
	free(path);
	return ok;
}

/* Marked files under the root that this set no longer produces, sorted. */
static int
extras(struct outset *o, struct list *out)
{
	struct list all = { 0 };
	char *full;
	size_t i;
	int ok;

	sort_files(o);
	if (o->ledger != NULL)
		return ledger_extras(o, out);
	ok = walk(o->root, "", &all);
	for (i = 0; i < all.n; i++) {
		full = xasprintf("%s/%s", o->root, all.v[i]);
		if (!in_set(o, all.v[i]) && strstr(all.v[i], "/.gen-") == NULL &&
		    is_marked(full)) {
			list_add(out, all.v[i]);
			all.v[i] = NULL;
		}
		free(full);
	}
	list_free(&all);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), str_cmp);
	return ok;
}

/*
 * Compare without writing: every file of the set against the disk, then the
 * extras (by ledger or marker).  Lines go to standard output.
 */
long
outset_check(struct outset *o)
{
	struct list ex = { 0 };
	long diffs = 0;
	char *full;
	size_t i;
	int s;

	sort_files(o);
	for (i = 0; i < o->n; i++) {
		if (o->f[i].kept)
			continue;
		full = xasprintf("%s/%s", o->root, o->f[i].rel);
		s = same_on_disk(full, &o->f[i].data);
		if (s < 0) {
			free(full);
			return -1;
		}
		if (s == 0) {
			printf("%s: %s\n", access(full, F_OK) == 0 ? "stale" :
			    "missing", full);
			diffs++;
		}
		free(full);
	}
	if (!extras(o, &ex))
		diffs = -1;
	for (i = 0; i < ex.n; i++)
		if (diffs >= 0) {
			printf("extra: %s/%s\n", o->root, ex.v[i]);
			diffs++;
		}
	list_free(&ex);
	return diffs;
}

/* mkdir(2) with the gate held open, so that out_abort() never races it. */
static int
gated_mkdir(const char *dir)
{
	int r, e;

	gate_enter();
	r = mkdir(dir, 0777);
	e = errno;
	gate_leave();
	errno = e;
	return r;
}

/* mkdir -p; folders made are recorded in rec (if not NULL). */
static int
make_dir(const char *dir, struct outset *rec)
{
	char *parent, *slash;
	int ok;

	if (gated_mkdir(dir) == 0)
		goto made;
	if (errno == EEXIST)
		return 1;
	if (errno != ENOENT || (slash = strrchr(dir, '/')) == NULL ||
	    slash == dir) {
		diag_errno(dir, 0, "cannot create folder");
		return 0;
	}
	parent = xstrndup(dir, (size_t)(slash - dir));
	ok = make_dir(parent, rec);
	free(parent);
	if (!ok)
		return 0;
	if (gated_mkdir(dir) == -1) {
		if (errno == EEXIST)
			return 1;
		diag_errno(dir, 0, "cannot create folder");
		return 0;
	}
made:
	if (rec != NULL) {
		rec->mkdirs = xrealloc(rec->mkdirs, (rec->nmkdirs + 1) *
		    sizeof(*rec->mkdirs));
		rec->mkdirs[rec->nmkdirs++] = xstrdup(dir);
	}
	return 1;
}

/* mkdir -p of the folders above file, each mkdir(2) through the gate;
 * quiet (the caller reports).  Returns 1, or 0 with errno set. */
static int
gated_parents(const char *file)
{
	char *p = xstrdup(file), *slash;
	int ok = 1;

	if ((slash = strrchr(p, '/')) != NULL) {
		*slash = '\0';
		/* Most often only the last folder is missing. */
		if (gated_mkdir(p) == 0 || errno == EEXIST) {
			free(p);
			return 1;
		}
		for (slash = p + 1; ok; slash++)
			if (*slash == '/' || *slash == '\0') {
				char c = *slash;

				*slash = '\0';
				if (gated_mkdir(p) == -1 && errno != EEXIST)
					ok = 0;
				*slash = c;
				if (c == '\0')
					break;
			}
	}
	free(p);
	return ok;
}

/*
 * The folder of a file to write in a fresh stage.  Files arrive sorted, so
 * most share the folder of the file before, which then costs no system call.
 */
static int
make_parents(const char *path, char **lastdir)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL)
		return 1;
	dir = xstrndup(path, (size_t)(slash - path));
	if (*lastdir != NULL && strcmp(*lastdir, dir) == 0) {
		free(dir);
		return 1;
	}
	if (!gated_parents(path)) {
		free(dir);
		return 0;
	}
	free(*lastdir);
	*lastdir = dir;
	return 1;
}

/*
 * Create a file with these bytes (it must not exist yet, or be ours).
 * The gate is held open for the system calls, which allocate nothing.
 * Returns NULL, or what failed (errno set) for the caller to report.
 */
static const char *
write_new(const char *path, const struct buf *b)
{
	int fd, e = 0;
	const char *what = NULL;

	gate_enter();
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0666)) == -1)
		what = "cannot create";
	else if (!write_full(fd, b->s, b->len)) {
		what = "cannot write";
		e = errno;
		close(fd);
		errno = e;
	} else if (close(fd) == -1)
		what = "cannot write";
	e = errno;
	gate_leave();
	errno = e;
	return what;
}

/*
 * A file could not be staged.  The first failure of a set is reported,
 * naming the output (not its number in the stage folder); the others
 * would say the same (a full disk) and are not.
 */
static void
stage_failed(struct outset *o, const struct ofile *f, const char *what)
{
	int e = errno, first;
	char *name;

	pthread_mutex_lock(&o->mu);
	first = !o->failed;
	o->failed = 1;
	pthread_mutex_unlock(&o->mu);
	if (!first)
		return;
	name = xasprintf("%s/%s", o->root, f->rel);
	errno = e;
	diag_errno(name, 0, "%s its staged copy in %s", what, o->stage);
	free(name);
}

/* One writer's share of a fresh folder: files [from, to). */
struct wshare {
	struct outset	*o;
	size_t		 from, to;
	int		 ok;
};

static void
write_share(void *arg, size_t k, int worker)
{
	struct wshare *w = (struct wshare *)arg + k;
	char *lastdir = NULL;
	size_t i;

	(void)worker;
	w->ok = 1;
	for (i = w->from; w->ok && i < w->to; i++)
		if (!stage_file(w->o, &w->o->f[i], &lastdir))
			w->ok = 0;
	free(lastdir);
}

/*
 * How to stage: a root that does not exist yet is staged whole in a sibling
 * folder and renamed into place at commit (one rename instead of one per
 * file, and nothing to compare with); an existing root file by file into
 * ROOT/.gen-stage.PID, skipping files whose bytes are already there.
 * Returns 1, or 0 after reporting.
 */
static int
decide(struct outset *o)
{
	const char *slash = strrchr(o->root, '/');
	struct stat st;
	char *stage;
	int made;

	if (o->mode != S_UNDECIDED)
		return 1;
	o->mode = lstat(o->root, &st) == 0 || errno != ENOENT ? S_INPLACE :
	    S_FRESH;
	if (o->mode == S_INPLACE)
		stage = xasprintf("%s/.gen-stage.%ld", o->root, (long)getpid());
	else
		stage = slash ? xasprintf("%.*s/.gen-%s.%ld", (int)(slash - o->root),
		    o->root, slash + 1, (long)getpid()) :
		    xasprintf(".gen-%s.%ld", o->root, (long)getpid());
	/* Known to out_abort() before it exists; made through the gate. */
	pthread_mutex_lock(&live_mu);
	o->stage = stage;
	pthread_mutex_unlock(&live_mu);
	if (o->mode == S_INPLACE) {
		if ((made = gated_mkdir(o->stage) == 0) == 0)
			diag_errno(o->stage, 0, "cannot create folder");
	} else
		made = make_dir(o->stage, o);
	if (!made) {
		pthread_mutex_lock(&live_mu);
		o->stage = NULL;
		pthread_mutex_unlock(&live_mu);
		free(stage);
		return 0;
	}
	return 1;
}

/*
 * Does rel lie in a folder that the root does not have yet?  Then the
 * file is staged in STAGE/t/rel and its first missing folder moves into
 * place whole at commit: one rename for a new subtree of a thousand
 * pages, and its folders made while staging, on the writers' threads.
 * Records the folder (once) and returns 1; else 0.
 */
static int
new_folder(struct outset *o, const char *rel)
{
	const char *slash;
	struct stat st;
	char *dir;
	size_t i;
	int found = 0;

	for (slash = strchr(rel, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		dir = xasprintf("%s/%.*s", o->root, (int)(slash - rel), rel);
		if (lstat(dir, &st) == -1 && errno == ENOENT)
			found = 1;
		free(dir);
		if (found)
			break;
	}
	if (!found)
		return 0;
	pthread_mutex_lock(&o->mu);
	for (i = 0; i < o->ntops; i++)
		if (strlen(o->tops[i]) == (size_t)(slash - rel) &&
		    strncmp(o->tops[i], rel, (size_t)(slash - rel)) == 0)
			break;
	if (i == o->ntops) {
		o->tops = xrealloc(o->tops, (o->ntops + 1) * sizeof(*o->tops));
		o->tops[o->ntops++] = xstrndup(rel, (size_t)(slash - rel));
	}
	o->ntree++;
	pthread_mutex_unlock(&o->mu);
	return 1;
}

/* Write f at STAGE/PREFIXrel, making its folders.  Returns 1, or 0 after
 * stage_failed(). */
static int
stage_in_tree(struct outset *o, struct ofile *f, const char *prefix,
    char **lastdir)
{
	const char *what;
	char *full = xasprintf("%s/%s%s", o->stage, prefix, f->rel);

	if (!make_parents(full, lastdir))
		what = "cannot create the folder of";
	else
		what = write_new(full, &f->data);
	if (what != NULL)
		stage_failed(o, f, what);
	free(full);
	return what == NULL;
}

/* Stage one file the way decide() chose.  Returns 1, or 0 after
 * stage_failed() (or an I/O error reading the target). */
static int
stage_file(struct outset *o, struct ofile *f, char **lastdir)
{
	const char *what = NULL;
	char *full, *mine = NULL;
	size_t seq;
	int s, ok = 0;

	/* Without a lastdir to share (threads), each call keeps its own. */
	if (lastdir == NULL)
		lastdir = &mine;
	if (f->staged)
		return 1;
	f->staged = 1;
	if (o->failed)
		return 0;	/* reported already: stop writing */
	/* A fresh root, or a folder the root lacks: staged as a tree. */
	if (o->mode == S_FRESH || new_folder(o, f->rel)) {
		ok = stage_in_tree(o, f, o->mode == S_FRESH ? "" : "t/", lastdir);
		f->in_tree = ok && o->mode != S_FRESH;
		free(mine);
		return ok;
	}
	full = xasprintf("%s/%s", o->root, f->rel);
	if ((s = same_on_disk(full, &f->data)) < 0)
		goto out;
	if ((f->same = s) == 1) {
		ok = 1;
		goto out;
	}
	pthread_mutex_lock(&o->mu);
	seq = o->seq++;
	pthread_mutex_unlock(&o->mu);
	f->tmp = xasprintf("%s/%zu", o->stage, seq);
	if ((what = write_new(f->tmp, &f->data)) != NULL) {
		stage_failed(o, f, what);
		free(f->tmp);
		f->tmp = NULL;
		goto out;
	}
	ok = 1;
out:
	free(full);
	free(mine);
	return ok;
}

/* A fresh folder's files, by two writers (the pool's): most of the cost
 * is the kernel's, and it runs on both cores. */
static int
stage_fresh(struct outset *o)
{
	struct wshare w[2];

	w[0].o = w[1].o = o;
	w[0].from = 0;
	w[0].to = w[1].from = o->n > 256 ? o->n / 2 : o->n;
	w[1].to = o->n;
	pool_run(w[1].from < w[1].to ? 2 : 1, 2, write_share, w);
	return w[0].ok && (w[1].from == w[1].to || w[1].ok);
}

int
out_state_usable(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1 || S_ISREG(st.st_mode))
		return 1;
	note("%s: is %s, not a regular file; left as it is (gen's state is "
	    "rebuilt when it can be)", path, file_kind(st.st_mode));
	return 0;
}

char *
out_state_path(const char *kind, const char *root)
{
	char sum[65];
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	sha256_hex(root, n, sum);
	sum[16] = '\0';
	return xasprintf("%s/%s-%s", state_dir, kind, sum);
}

void
outset_add_state(struct outset *o, const char *path, struct buf *b)
{
	if (!out_state_usable(path)) {
		buf_free(b);
		return;
	}
	o->sf = xrealloc(o->sf, (o->nsf + 1) * sizeof(*o->sf));
	o->sf[o->nsf].path = xstrdup(path);
	o->sf[o->nsf].data = *b;
	if (o->sf[o->nsf].data.s == NULL)
		buf_add(&o->sf[o->nsf].data, "", 0);
	o->sf[o->nsf].tmp = NULL;
	o->sf[o->nsf].streamed = 0;
	o->nsf++;
	memset(b, 0, sizeof(*b));
}

/* The ledger: every file of the set, one a line, in the state folder. */
static void
add_ledger(struct outset *o)
{
	struct buf b = { 0 };
	size_t i;

	sort_files(o);
	for (i = 0; i < o->n; i++)
		buf_printf(&b, "%s\n", o->f[i].rel);
	outset_add_state(o, o->ledger, &b);
}

/* Stage the state files that changed, each as TARGET.PID beside it. */
static int
stage_state(struct outset *o)
{
	const char *what;
	size_t i;
	int s;

	for (i = 0; i < o->nsf; i++) {
		if (o->sf[i].streamed)
			continue;	/* staged as it was written */
		if ((s = same_on_disk(o->sf[i].path, &o->sf[i].data)) < 0)
			return 0;
		if (s == 1)
			continue;
		pthread_mutex_lock(&live_mu);
		o->sf[i].tmp = xasprintf("%s.%ld", o->sf[i].path, (long)getpid());
		pthread_mutex_unlock(&live_mu);
		if ((what = write_new(o->sf[i].tmp, &o->sf[i].data)) != NULL) {
			diag_errno(o->sf[i].tmp, 0, "%s", what);
			return 0;
		}
	}
	return 1;
}

/*
 * Stage what is not staged yet: the whole set into a fresh sibling folder
 * when the root does not exist, else file by file into the stage folder.
 * On failure everything staged is taken back.
 */
int
outset_stage(struct outset *o)
{
	size_t i;

	if (o->failed)
		goto fail;
	if (o->ledger != NULL)
		add_ledger(o);
	sort_files(o);
	if (!decide(o))
		goto fail;
	if (o->mode == S_FRESH) {
		if (!stage_fresh(o))
			goto fail;
	} else
		for (i = 0; i < o->n; i++)
			if (!stage_file(o, &o->f[i], &o->lastdir))
				goto fail;
	if (!stage_state(o))
		goto fail;
	return 1;
fail:
	unstage(o);
	return 0;
}

void
outset_eager(struct outset *o)
{
	size_t i;

	o->eager = 1;
	o->twins = 1;		/* only the site's sets are eager */
	/* Decided now, before any thread adds a file. */
	if (!decide(o))
		o->failed = 1;
	for (i = 0; i < o->n; i++)
		if (o->f[i].staged)
			buf_free(&o->f[i].data);
}

/* ---- files written piecewise ----------------------------------------- */

struct ostream {
	struct outset	*o;
	int		 state;		/* a state file: staged beside its target */
	char		*rel;
	char		*path;		/* the staged copy, or NULL (in memory) */
	int		 fd;
	struct buf	 mem;		/* in memory: the bytes */
	EVP_MD_CTX	*md;
	int		 failed;	/* a write or a digest failed */
	int		 err;		/* errno of the failed write */
	FILE		*f;
	struct gz	*gz;		/* the twin, compressed as it goes */
	char		*zpath;		/* ... and its staged copy */
	int		 zfd;
};

/* Write out what the twin's compressor holds (all of it with force). */
static int
os_twin_drain(struct ostream *s, int force)
{
	if (s->gz->out.len < (force ? 1 : (size_t)1 << 18))
		return 1;
	if (!write_full(s->zfd, s->gz->out.s, s->gz->out.len))
		return 0;
	buf_reset(&s->gz->out);
	return 1;
}

static ssize_t
os_write(void *cookie, const char *p, size_t n)
{
	struct ostream *s = cookie;

	if (s->failed) {	/* stop at the first failure */
		errno = s->err ? s->err : EIO;
		return -1;
	}
	if (EVP_DigestUpdate(s->md, p, n) != 1)
		s->failed = 1;
	else if (s->path == NULL)
		buf_add(&s->mem, p, n);
	else if (!write_full(s->fd, p, n))
		s->failed = 1;
	else if (s->gz != NULL) {
		gz_feed(s->gz, p, n);
		if (s->gz->failed || !os_twin_drain(s, 0))
			s->failed = 1;
	}
	if (s->failed) {
		s->err = errno = errno ? errno : EIO;
		return -1;
	}
	return (ssize_t)n;
}

/* Are the files at a and b the same bytes?  1, 0, or -1 after reporting. */
static int
same_files(const char *a, const char *b)
{
	char x[65536], y[65536];
	struct stat sa, sb;
	ssize_t ra, rb;
	int fa, fb, same = -1;

	if ((fb = open(b, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) == -1)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -1;
	if ((fa = open(a, O_RDONLY | O_CLOEXEC)) == -1) {
		diag_errno(a, 0, "cannot read back");
		close(fb);
		return -1;
	}
	if (fstat(fa, &sa) == -1 || fstat(fb, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sa.st_size != sb.st_size) {
		same = 0;
		goto out;
	}
	for (;;) {
		ra = read_full(fa, x, sizeof(x));
		rb = read_full(fb, y, sizeof(y));
		if (ra < 0 || rb < 0) {
			diag_errno(ra < 0 ? a : b, 0, "read");
			goto out;
		}
		if (ra != rb || memcmp(x, y, (size_t)ra) != 0) {
			same = 0;
			goto out;
		}
		if (ra == 0)
			break;
	}
	same = 1;
out:
	close(fa);
	close(fb);
	return same;
}

/* Free a stream that never got going; its set fails to stage. */
static void
ostream_drop(struct ostream *s)
{
	if (s->fd != -1)
		close(s->fd);
	if (s->zfd != -1)
		close(s->zfd);
	EVP_MD_CTX_free(s->md);
	gz_free(s->gz);
	free(s->zpath);
	free(s->path);
	free(s->rel);
	s->o->failed = 1;
	free(s);
}

/* A stream named name (rel, or a state file's path), hashing what it is
 * given; NULL after reporting a libcrypto failure. */
static struct ostream *
ostream_new(struct outset *o, const char *name, int state)
{
	struct ostream *s = xcalloc(1, sizeof(*s));

	s->o = o;
	s->state = state;
	s->rel = xstrdup(name);
	s->fd = -1;
	s->zfd = -1;
	if ((s->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
		diag(EXIT_IOERR, NULL, "SHA-256 failed (libcrypto)");
		ostream_drop(s);
		return NULL;
	}
	return s;
}

/* Open s->path (when set) through the gate, and the stdio stream over
 * it.  Returns s, or NULL after reporting (s dropped, the set failed). */
static struct ostream *
ostream_start(struct ostream *s)
{
	cookie_io_functions_t io = { NULL, os_write, NULL, NULL };
	int e;

	if (s->path != NULL) {
		gate_enter();
		s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0666);
		if (s->fd != -1 && s->zpath != NULL)
			s->zfd = open(s->zpath, O_WRONLY | O_CREAT | O_TRUNC |
			    O_CLOEXEC | O_NOFOLLOW, 0666);
		e = errno;
		gate_leave();
		errno = e;
	}
	if ((s->path != NULL && s->fd == -1) ||
	    (s->zpath != NULL && s->zfd == -1) ||
	    (s->f = fopencookie(s, "w", io)) == NULL) {
		diag_errno(s->path ? s->path : s->rel, 0, "cannot create");
		ostream_drop(s);
		return NULL;
	}
	setvbuf(s->f, NULL, _IOFBF, 1 << 18);
	return s;
}

struct ostream *
outset_open(struct outset *o, const char *rel)
{
	struct ostream *s = ostream_new(o, rel, 0);
	size_t seq;

	if (s == NULL)
		return NULL;
	if (o->eager && !o->failed) {
		if (o->mode == S_FRESH) {
			s->path = xasprintf("%s/%s", o->stage, rel);
			if (twinned(o, rel))
				s->zpath = xasprintf("%s.gz", s->path);
			if (!make_parents(s->path, &o->lastdir)) {
				diag_errno(s->path, 0, "cannot create");
				ostream_drop(s);
				return NULL;
			}
		} else {
			pthread_mutex_lock(&o->mu);
			seq = o->seq;
			o->seq += 2;
			pthread_mutex_unlock(&o->mu);
			s->path = xasprintf("%s/%zu", o->stage, seq);
			if (twinned(o, rel))
				s->zpath = xasprintf("%s/%zu", o->stage, seq + 1);
		}
		if (s->zpath != NULL)
			s->gz = gz_new();
	}
	return ostream_start(s);
}

static void
keep_one(struct outset *o, const char *rel)
{
	struct ofile *f;

	pthread_mutex_lock(&o->mu);
	f = grow(o);
	f->rel = xstrdup(rel);
	f->staged = 1;
	f->same = 1;
	f->kept = 1;
	pthread_mutex_unlock(&o->mu);
}

/*
 * Is the twin at zpath one of ours for the file at path?  Checked without
 * reading the file (a kept file is not read): a regular file that starts
 * with our fixed header and whose trailer gives the file's size.
 */
static int
twin_fits(const char *zpath, const char *path)
{
	static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
	    0, 3 };
	unsigned char h[10], t[4];
	struct stat st, zst;
	uint32_t isize;
	int fd, fits = 0;

	if (stat(path, &st) == -1 || (fd = open(zpath, O_RDONLY | O_CLOEXEC |
	    O_NONBLOCK | O_NOFOLLOW)) == -1)
		return 0;
	if (fstat(fd, &zst) == 0 && S_ISREG(zst.st_mode) && zst.st_size >= 18 &&
	    pread(fd, h, 10, 0) == 10 && memcmp(h, hdr, 10) == 0 &&
	    pread(fd, t, 4, zst.st_size - 4) == 4) {
		isize = (uint32_t)t[0] | (uint32_t)t[1] << 8 |
		    (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
		fits = isize == (uint32_t)st.st_size;
	}
	close(fd);
	return fits;
}

/*
 * A kept file's twin: kept too when it fits, else made from the file on
 * disk, read piecewise (a tree built before twins existed).
 */
static void
keep_twin(struct outset *o, const char *rel)
{
	char *twin = xasprintf("%s.gz", rel);
	char *zpath = xasprintf("%s/%s", o->root, twin);
	char *path = xasprintf("%s/%s", o->root, rel);
	char chunk[65536];
	struct gz *g;
	ssize_t r;
	int fd;

	if (twin_fits(zpath, path)) {
		keep_one(o, twin);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) == -1) {
		diag_errno(path, 0, "cannot read to compress its twin");
		o->failed = 1;
		goto out;
	}
	g = gz_new();
	while ((r = read_full(fd, chunk, sizeof(chunk))) > 0)
		gz_feed(g, chunk, (size_t)r);
	close(fd);
	if (r < 0) {
		diag_errno(path, 0, "read");
		o->failed = 1;
	} else if (!gz_finish(g)) {
		diag(EXIT_IOERR, NULL, "%s: cannot compress its twin (ISA-L "
		    "deflate failed)", zpath);
		o->failed = 1;
	} else
		add_one(o, twin, &g->out);
	gz_free(g);
out:
	free(twin);
	free(zpath);
	free(path);
}

void
outset_keep(struct outset *o, const char *rel)
{
	if (twinned(o, rel))
		keep_twin(o, rel);
	keep_one(o, rel);
}

struct ostream *
outset_open_state(struct outset *o, const char *path)
{
	struct ostream *s = ostream_new(o, path, 1);
	struct sfile *sf;

	if (s == NULL)
		return NULL;
	o->sf = xrealloc(o->sf, (o->nsf + 1) * sizeof(*o->sf));
	sf = &o->sf[o->nsf++];
	memset(sf, 0, sizeof(*sf));
	sf->path = xstrdup(path);
	sf->streamed = 1;
	buf_add(&sf->data, "", 0);
	s->path = xasprintf("%s.%ld", path, (long)getpid());
	/* Known to out_abort() before it exists. */
	pthread_mutex_lock(&live_mu);
	sf->tmp = xstrdup(s->path);
	pthread_mutex_unlock(&live_mu);
	return ostream_start(s);
}

FILE *
ostream_file(struct ostream *s)
{
	return s->f;
}

/* A file of the set staged whole at *path: dropped when the target holds
 * the same bytes, else recorded (taking *path in place).  1, or 0. */
static int
add_staged(struct outset *o, const char *rel, char **path)
{
	struct ofile *f;
	char *target;
	int same = 0;

	if (o->mode == S_INPLACE) {
		target = xasprintf("%s/%s", o->root, rel);
		same = same_files(*path, target);
		free(target);
		if (same < 0)
			return 0;
		if (same)
			unlink(*path);
	}
	pthread_mutex_lock(&o->mu);
	f = grow(o);
	f->rel = xstrdup(rel);
	f->staged = 1;
	f->same = same;
	if (!same && o->mode == S_INPLACE) {
		f->tmp = *path;
		*path = NULL;
	}
	pthread_mutex_unlock(&o->mu);
	return 1;
}

/* Add the finished file (and its twin) to the set: staged (same bytes as
 * the target: dropped) or in memory. */
static int
ostream_add(struct ostream *s)
{
	char *twin;
	int ok;

	if (s->state)
		return 1;	/* staged already; committed as a 'T' step */
	if (s->path == NULL) {
		outset_add(s->o, s->rel, &s->mem);
		return 1;
	}
	if (s->zpath != NULL) {
		twin = xasprintf("%s.gz", s->rel);
		ok = add_staged(s->o, twin, &s->zpath);
		free(twin);
		if (!ok)
			return 0;
	}
	return add_staged(s->o, s->rel, &s->path);
}

/* A write failed: the first failure of the set is reported, naming the
 * output (not the number its staged copy has), as stage_failed() does. */
static void
ostream_failed(struct ostream *s)
{
	int e = s->err ? s->err : errno ? errno : EIO, first;
	char *name;

	pthread_mutex_lock(&s->o->mu);
	first = !s->o->failed;
	s->o->failed = 1;
	pthread_mutex_unlock(&s->o->mu);
	if (!first)
		return;
	errno = e;
	if (s->state) {
		diag_errno(s->rel, 0, "cannot write its staged copy %s", s->path);
		return;
	}
	name = xasprintf("%s/%s", s->o->root, s->rel);
	errno = e;
	if (s->path != NULL)
		diag_errno(name, 0, "cannot write its staged copy in %s",
		    s->o->stage);
	else
		diag_errno(name, 0, "cannot write");
	free(name);
}

int
ostream_close(struct ostream *s, char sha256[65], char id[96])
{
	unsigned char md[32];
	unsigned int len = 0;
	struct stat st;
	char *target;
	int ok;

	if (s == NULL)
		return 0;
	if (id != NULL)
		id[0] = '\0';
	ok = fclose(s->f) == 0 && !s->failed;
	/* The twin's last block, trailer and the rest of its bytes. */
	if (s->gz != NULL) {
		if (ok && (!gz_finish(s->gz) || !os_twin_drain(s, 1))) {
			s->err = errno ? errno : EIO;
			ok = 0;
		}
		if (close(s->zfd) == -1)
			ok = 0;
		s->zfd = -1;
	}
	/* A staged file keeps its inode and times when renamed into place. */
	if (ok && id != NULL && s->fd != -1 && fstat(s->fd, &st) == 0)
		stat_identity(&st, id);
	if (s->fd != -1 && close(s->fd) == -1)
		ok = 0;
	if (!ok)
		ostream_failed(s);
	else if (EVP_DigestFinal_ex(s->md, md, &len) != 1 || len != 32) {
		diag(EXIT_IOERR, NULL, "SHA-256 failed (libcrypto)");
		ok = 0;
	} else if (sha256 != NULL)
		hex_encode(md, 32, sha256);
	ok = ok && ostream_add(s);
	/* Not written because the target holds these bytes: the target's. */
	if (ok && id != NULL && s->path != NULL && !s->state &&
	    access(s->path, F_OK) != 0) {
		target = xasprintf("%s/%s", s->o->root, s->rel ? s->rel : "");
		if (stat(target, &st) == 0)
			stat_identity(&st, id);
		free(target);
	}
	if (!ok)
		s->o->failed = 1;
	EVP_MD_CTX_free(s->md);
	buf_free(&s->mem);
	gz_free(s->gz);
	free(s->zpath);
	free(s->path);
	free(s->rel);
	free(s);
	return ok;
}

/* ---- the commit: planned, journaled, carried out ---------------------- */

/*
 * A step of a commit.  'R' renames from to to (a staged file into place,
 * making its folders), 'D' renames a fresh folder to its root, 'U' removes
 * a file that is no longer produced (then its folders when left empty, up
 * to the root), 'T' renames a staged state file into place, 'S' removes a stage folder that is empty by then.
 */
struct step {
	char	 op;
	char	*from, *to, *root;
};

struct plan {
	struct step	*s;
	size_t		 n;
};

static void
plan_add(struct plan *p, char op, char *from, char *to, const char *root)
{
	p->s = xrealloc(p->s, (p->n + 1) * sizeof(*p->s));
	p->s[p->n].op = op;
	p->s[p->n].from = from;
	p->s[p->n].to = to;
	p->s[p->n].root = xstrdup(root);
	p->n++;
}

static void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->s[i].from);
		free(p->s[i].to);
		free(p->s[i].root);
	}
	free(p->s);
	p->s = NULL;
	p->n = 0;
}

/*
 * The publishing order.  A sync of the site (a CDN's) may run while a
 * commit renames files into place, so a file is renamed before the files
 * that may reference it: first the files the root does not have yet
 * (nothing old links to them), assets before pages, with the new folders
 * (moved in whole) between; then the changed assets, then the changed
 * pages; last, in this order, packages.json, engines.json, the signatures
 * of single files, the release file and its signature, and index.html.
 * A twin goes just before its file, in its file's place, so that a file
 * in place always has its twin.  Deletions come after everything.
 */
struct pstep {
	int	 rank;
	char	*key;		/* the file's name (its twin's: the file's) */
	int	 twin;
	char	 op;
	char	*from, *to;
};

static int
has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n >= e && strcmp(name + n - e, ext) == 0;
}

/* The rank of a file named rel (without .gz for a twin); fresh: its
 * target does not exist yet. */
static int
publish_rank(const char *rel, int fresh)
{
	int html = has_ext(rel, ".html");

	if (strchr(rel, '/') == NULL) {
		if (strcmp(rel, "packages.json") == 0)
			return 10;
		if (strcmp(rel, "engines.json") == 0)
			return 11;
		if (strncasecmp(rel, "release", 7) == 0 ||
		    strncasecmp(rel, "inrelease", 9) == 0)
			return has_ext(rel, ".sig") ? 14 : 13;
		if (has_ext(rel, ".sig"))
			return 12;
		if (strcmp(rel, "index.html") == 0)
			return 15;
	}
	if (fresh)
		return html ? 2 : 0;
	return html ? 4 : 3;
}

static int
pstep_cmp(const void *a, const void *b)
{
	const struct pstep *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return y->twin - x->twin;	/* the twin first */
}

/* Add the renames of a set's files and new folders in publishing order. */
static void
plan_renames(struct outset *o, struct plan *p)
{
	struct pstep *v = xcalloc(o->n + o->ntops + 1, sizeof(*v));
	struct stat st;
	size_t i, n = 0, len;
	char *full;

	for (i = 0; i < o->n; i++) {
		if (o->f[i].tmp == NULL)
			continue;
		len = strlen(o->f[i].rel);
		v[n].twin = o->twins && len > 3 &&
		    strcmp(o->f[i].rel + len - 3, ".gz") == 0;
		v[n].key = xstrndup(o->f[i].rel, len - (v[n].twin ? 3 : 0));
		full = xasprintf("%s/%s", o->root, v[n].key);
		v[n].rank = publish_rank(v[n].key, lstat(full, &st) == -1 &&
		    errno == ENOENT);
		free(full);
		v[n].op = 'R';
		v[n].from = xstrdup(o->f[i].tmp);
		v[n].to = xasprintf("%s/%s", o->root, o->f[i].rel);
		n++;
	}
	/* A new folder moves in whole, its files with it. */
	for (i = 0; i < o->ntops; i++) {
		v[n].rank = 1;
		v[n].key = xstrdup(o->tops[i]);
		v[n].op = 'V';
		v[n].from = xasprintf("%s/t/%s", o->stage, o->tops[i]);
		v[n].to = xasprintf("%s/%s", o->root, o->tops[i]);
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), pstep_cmp);
	for (i = 0; i < n; i++) {
		plan_add(p, v[i].op, v[i].from, v[i].to, o->root);
		free(v[i].key);
	}
	free(v);
}

/* What committing one set takes.  Returns 1, or 0 after reporting. */
static int
plan_set(struct outset *o, int prune, struct plan *p)
{
	struct list ex = { 0 };
	size_t i;
	int ok = 1;

	for (i = 0; i < o->nsf; i++)
		if (o->sf[i].tmp != NULL)
			plan_add(p, 'T', xstrdup(o->sf[i].tmp),
			    xstrdup(o->sf[i].path), o->root);
	if (o->mode == S_FRESH) {
		plan_add(p, 'D', xstrdup(o->stage), xstrdup(o->root), o->root);
		return 1;
	}
	plan_renames(o, p);
	if (prune) {
		ok = extras(o, &ex);
		for (i = 0; i < ex.n; i++)
			plan_add(p, 'U', NULL, xasprintf("%s/%s", o->root,
			    ex.v[i]), o->root);
		list_free(&ex);
	}
	if (o->stage != NULL)
		plan_add(p, 'S', xstrdup(o->stage), NULL, o->root);
	return ok;
}

/* The journal's bytes: "gen-journal 1\n", then per step op, from, to and
 * root, each ended by a NUL; then "end N\n". */
static void
plan_encode(const struct plan *p, struct buf *b)
{
	size_t i;

	buf_puts(b, "gen-journal 1\n");
	for (i = 0; i < p->n; i++) {
		buf_putc(b, p->s[i].op);
		buf_putc(b, '\0');
		buf_add(b, p->s[i].from ? p->s[i].from : "", p->s[i].from ?
		    strlen(p->s[i].from) + 1 : 1);
		buf_add(b, p->s[i].to ? p->s[i].to : "", p->s[i].to ?
		    strlen(p->s[i].to) + 1 : 1);
		buf_add(b, p->s[i].root, strlen(p->s[i].root) + 1);
	}
	buf_printf(b, "end %zu\n", p->n);
}

static int
plan_decode(const struct buf *b, struct plan *p)
{
	const char *s = b->s, *e = b->s + b->len, *f[4];
	size_t n = 0, i;
	int k;

	if (b->len < 14 || memcmp(s, "gen-journal 1\n", 14) != 0)
		return 0;
	for (s += 14; s < e && strncmp(s, "end ", 4) != 0; n++) {
		for (k = 0; k < 4; k++) {
			f[k] = s;
			if ((s = memchr(s, '\0', (size_t)(e - s))) == NULL)
				return 0;
			s++;
		}
		if (strlen(f[0]) != 1 || !strchr("RDUSTV", f[0][0]))
			return 0;
		plan_add(p, f[0][0], *f[1] ? xstrdup(f[1]) : NULL,
		    *f[2] ? xstrdup(f[2]) : NULL, f[3]);
	}
	if (s >= e || sscanf(s, "end %zu", &i) != 1 || i != n)
		return 0;
	return 1;
}

/* mkdir -p without allocating (the commit allocates nothing). */
static int
mkdirs_for(const char *file)
{
	char p[4096], *slash;
	size_t n = strlen(file);

	if (n >= sizeof(p))
		return 0;
	memcpy(p, file, n + 1);
	if ((slash = strrchr(p, '/')) == NULL)
		return 1;
	*slash = '\0';
	for (slash = p + 1; ; slash++) {
		if (*slash == '/' || *slash == '\0') {
			char c = *slash;

			*slash = '\0';
			if (mkdir(p, 0777) == -1 && errno != EEXIST)
				return 0;
			*slash = c;
			if (c == '\0')
				break;
		}
	}
	return 1;
}

/* Remove the folders of path left empty, up to (not including) root. */
static void
rmdir_up(const char *path, const char *root)
{
	char p[4096], *slash;
	size_t n = strlen(path), r = strlen(root);

	if (n >= sizeof(p))
		return;
	memcpy(p, path, n + 1);
	while ((slash = strrchr(p, '/')) != NULL && (size_t)(slash - p) > r) {
		*slash = '\0';
		if (rmdir(p) == -1)
			break;
	}
}

/*
 * Carry out a plan.  Every step may have been done already (a journal being
 * finished after a crash), so each one checks before it acts.  Allocates
 * nothing.  Counts renamed and removed files; returns 1, or 0 after
 * reporting (the journal then stays for the next run).
 */
static int
plan_run(const struct plan *p, size_t *renamed, size_t *removed)
{
	static long pause_us = -1;
	struct stat st;
	size_t i;
	int ok = 1;

	if (pause_us < 0) {
		const char *e = getenv("GEN_COMMIT_PAUSE_US");	/* tests only */

		pause_us = e ? atol(e) : 0;
	}
	for (i = 0; i < p->n; i++) {
		const struct step *s = &p->s[i];

		switch (s->op) {
		case 'R':
		case 'D':
		case 'T':
		case 'V':
			if (lstat(s->from, &st) == -1)
				break;	/* done before */
			if (pause_us > 0 && s->op == 'R') {
				struct timespec ts = { pause_us / 1000000,
				    (pause_us % 1000000) * 1000 };

				nanosleep(&ts, NULL);
			}
			if (rename(s->from, s->to) == -1 && (errno != ENOENT ||
			    !mkdirs_for(s->to) || rename(s->from, s->to) == -1)) {
				diag_errno(s->to, 0, "cannot rename %s into place",
				    s->from);
				ok = 0;
			} else
				(*renamed)++;
			break;
		case 'U':
			if (unlink(s->to) == 0) {
				(*removed)++;
				rmdir_up(s->to, s->root);
			} else if (errno != ENOENT) {
				diag_errno(s->to, 0, "cannot remove");
				ok = 0;
			}
			break;
		case 'S':
			rm_tree(s->from);
			break;
		}
	}
	return ok;
}

static char *
journal_path(void)
{
	return xasprintf("%s/journal", state_dir);
}

/*
 * Write the journal whole, then rename it into place: from that moment the
 * commit will be finished, by this run or the next.  It is not synced to
 * the disk: it guards against the process being killed, not against power
 * loss (an fsync here made ext4 write out every staged file first, which
 * tripled the time of a fresh build of 6,481 Dockerfiles).
 */
static int
journal_write(const struct plan *p)
{
	struct buf b = { 0 };
	char *path = journal_path(), *tmp;
	int fd, ok = 0;

	tmp = xasprintf("%s.%ld", path, (long)getpid());
	plan_encode(p, &b);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1 ||
	    !write_full(fd, b.s, b.len) || close(fd) == -1) {
		diag_errno(tmp, 0, "cannot write the journal");
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) == -1) {
		diag_errno(path, 0, "cannot write the journal");
		unlink(tmp);
		goto out;
	}
	ok = 1;
out:
	buf_free(&b);
	free(tmp);
	free(path);
	return ok;
}

/*
 * Commit sets together: plan every rename and deletion, write the journal,
 * carry it out with signals held, remove the journal.  prune[i] says
 * whether set i deletes what it no longer produces.  A signal that arrived
 * meanwhile ends the process once the tree is whole.
 */
int
outsets_commit(struct outset **v, const int *prune, size_t n)
{
	struct plan p = { 0 };
	char *jpath = journal_path();
	size_t renamed = 0, removed = 0, i, k;
	int ok = 1, sig, journaled = 0;

	for (i = 0; i < n && ok; i++)
		if (v[i] != NULL && !plan_set(v[i], prune[i], &p))
			ok = 0;
	if (!ok)
		goto out;
	/* From here signals wait for the end of the commit.  A signal that
	 * came first is taking the staging back: this thread waits for the
	 * process to end. */
	pthread_mutex_lock(&live_mu);
	while (dying)
		pthread_cond_wait(&live_cv, &live_mu);
	committing = 1;
	pthread_mutex_unlock(&live_mu);
	for (i = 0; i < p.n; i++)
		if (p.s[i].op != 'S')
			break;
	/* Only stage folders to remove: nothing to journal. */
	if (i < p.n) {
		if (!(ok = journal_write(&p)))
			goto done;
		journaled = 1;
	}
	ok = plan_run(&p, &renamed, &removed);
	if (ok && journaled && unlink(jpath) == -1)
		diag_errno(jpath, 0, "cannot remove");
	/* What each set wrote and removed, for the summary. */
	for (i = 0, k = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		v[i]->committed = 1;
		v[i]->written += v[i]->ntree;
		for (; k < p.n && strcmp(p.s[k].root, v[i]->root) == 0; k++) {
			if (p.s[k].op == 'R')
				v[i]->written++;
			else if (p.s[k].op == 'D')
				v[i]->written = v[i]->n;
			else if (p.s[k].op == 'U')
				v[i]->removed++;
		}
	}
done:
	pthread_mutex_lock(&live_mu);
	committing = 0;
	sig = pending_sig;
	pthread_mutex_unlock(&live_mu);
	if (sig != 0) {
		/* A failed journal leaves the staging to take back. */
		if (!journaled)
			out_abort();
		die_by(sig);
	}
out:
	plan_free(&p);
	free(jpath);
	return ok;
}

int
outset_commit(struct outset *o, int prune)
{
	return outsets_commit(&o, &prune, 1);
}

/* ---- the lock: one run at a time on a tree ------------------------------ */

/*
 * Take STATE/lock, shared (check) or exclusive (runs that write), creating
 * the state folder.  When another run holds it: wait (saying so once), or
 * with nowait stop with EXIT_TEMPFAIL.  The lock goes with the process.
 */
int
out_lock(int exclusive, int nowait)
{
	char *path, pid[32];
	int fd, op = exclusive ? LOCK_EX : LOCK_SH;
	struct buf held = { 0 };

	if (mkdir(state_dir, 0777) == -1 && errno != EEXIST) {
		diag_errno(state_dir, 0, "cannot create the state folder");
		return 0;
	}
	path = xasprintf("%s/lock", state_dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) == -1) {
		diag_errno(path, 0, "cannot open");
		free(path);
		return 0;
	}
	if (flock(fd, op | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			diag_errno(path, 0, "cannot lock");
			goto fail;
		}
		if (read_file_opt_max(path, &held, 64) != 1 || held.len == 0)
			buf_puts(&held, "?\n");
		held.s[strcspn(held.s, "\n")] = '\0';
		if (nowait) {
			diag(EXIT_TEMPFAIL, NULL, "another gen run (pid %s) holds "
			    "%s; stopping (--no-wait)", held.s, path);
			goto fail;
		}
		if (gen_verbose >= 0)
			fprintf(stderr, "gen: waiting for another gen run (pid %s) "
			    "that holds %s\n", held.s, path);
		while (flock(fd, op) == -1)
			if (errno != EINTR) {
				diag_errno(path, 0, "cannot lock");
				goto fail;
			}
	}
	if (exclusive) {
		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		/* The pid is only for messages. */
		if (ftruncate(fd, 0) == 0)
			(void)!pwrite(fd, pid, strlen(pid), 0);
	}
	buf_free(&held);
	free(path);
	return 1;	/* fd stays open: the lock lasts until exit */
fail:
	buf_free(&held);
	close(fd);
	free(path);
	return 0;
}

/* ---- what an interrupted run left ---------------------------------------- */

/* Is the process that owns a staging name (its pid suffix) still running? */
static int
owner_alive(const char *name)
{
	long pid = atol(strrchr(name, '.') + 1);

	return pid > 0 && pid != (long)getpid() &&
	    (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Names in dir that start with prefix and end in ".PID" of a process that
 * is gone (in the state folder any name: "journal.PID", "files-X.PID"). */
static void
scan_dir_for(const char *dir, const char *prefix, int remove,
    struct list *found)
{
	const char *dot, *name;
	struct dlist l;
	size_t n = strlen(prefix), i;
	int state = strcmp(dir, state_dir) == 0;

	if (!dir_list(dir, &l))
		return;
	for (i = 0; i < l.n; i++) {
		name = l.e[i].name;
		dot = strrchr(name, '.');
		if (strncmp(name, prefix, n) != 0 || (state ? dot == NULL ||
		    dot == name || dot[1] == '\0' || strspn(dot + 1,
		    "0123456789") != strlen(dot + 1) : !is_staging_name(name)) ||
		    owner_alive(name))
			continue;
		list_add(found, strcmp(dir, ".") == 0 ? xstrdup(name) :
		    xasprintf("%s/%s", dir, name));
	}
	dlist_free(&l);
	(void)remove;
}

/* Files named as gen's staging was before it had stage folders
 * (".gen-NAME.PID" beside each target), anywhere below dir. */
static void
old_staging(const char *dir, int depth, struct list *found)
{
	struct dlist l;
	char *sub;
	size_t i;

	if (depth > 64 || !dir_list(dir, &l))
		return;
	for (i = 0; i < l.n; i++) {
		sub = xasprintf("%s/%s", dir, l.e[i].name);
		if (l.e[i].type == DT_DIR && !is_staging_name(l.e[i].name))
			old_staging(sub, depth + 1, found);
		else if (l.e[i].type == DT_REG && is_staging_name(l.e[i].name) &&
		    !owner_alive(l.e[i].name)) {
			list_add(found, sub);
			sub = NULL;
		}
		free(sub);
	}
	dlist_free(&l);
}

/*
 * Staging that runs killed outright left behind (their process is gone):
 * ROOT/.gen-stage.PID, PARENT/.gen-NAME.PID, and the state folder's
 * unfinished journal copies.  Listed, or removed when remove is set.
 */
static void
leftovers(const char *const *roots, size_t n, int remove, struct list *found)
{
	char *parent, *prefix, *slash;
	size_t i, j, first;

	for (i = 0; i < n; i++) {
		first = found->n;
		scan_dir_for(roots[i], ".gen-stage.", remove, found);
		slash = strrchr(roots[i], '/');
		parent = slash ? xstrndup(roots[i], (size_t)(slash - roots[i])) :
		    xstrdup(".");
		prefix = xasprintf(".gen-%s.", slash ? slash + 1 : roots[i]);
		scan_dir_for(*parent ? parent : "/", prefix, remove, found);
		free(parent);
		free(prefix);
		for (j = first; remove && j < found->n; j++)
			rm_tree(found->v[j]);
	}
	first = found->n;
	scan_dir_for(state_dir, "", remove, found);
	/* A tree that gen of this kind never ran in may hold the per-file
	 * staging of earlier versions: looked for once (the whole tree is
	 * walked), then the state folder remembers it was. */
	prefix = xasprintf("%s/swept", state_dir);
	if (access(prefix, F_OK) == -1)
		for (i = 0; i < n; i++)
			old_staging(roots[i], 0, found);
	for (j = first; remove && j < found->n; j++)
		rm_tree(found->v[j]);
	if (remove && access(prefix, F_OK) == -1) {
		int fd = open(prefix, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd != -1)
			close(fd);
	}
	free(prefix);
}

/*
 * Before a run writes: finish a commit that a killed run left in the
 * journal, then remove stale staging.  Returns 1, or 0 after reporting.
 */
int
out_recover(const char *const *roots, size_t n)
{
	struct list found = { 0 };
	struct plan p = { 0 };
	struct buf b = { 0 };
	char *jpath = journal_path();
	size_t renamed = 0, removed = 0, i;
	int ok = 1, r;

	if ((r = read_file_opt(jpath, &b)) == 1) {
		if (!plan_decode(&b, &p)) {
			diag(EXIT_DATAERR, &(struct pos){ intern(jpath), 0, 0 },
			    "damaged commit journal; remove it and run gen "
			    "build again");
			ok = 0;
			goto out;
		}
		if (!(ok = plan_run(&p, &renamed, &removed)))
			goto out;
		if (unlink(jpath) == -1)
			diag_errno(jpath, 0, "cannot remove");
		fprintf(stderr, "gen: finished the commit of an interrupted run: "
		    "%zu renamed, %zu removed\n", renamed, removed);
	} else if (r == 0) {
		ok = 0;
		goto out;
	}
	leftovers(roots, n, 1, &found);
	for (i = 0; i < found.n; i++)
		fprintf(stderr, "gen: removed staging left by an interrupted "
		    "run: %s\n", found.v[i]);
out:
	list_free(&found);
	plan_free(&p);
	buf_free(&b);
	free(jpath);
	return ok;
}

/* For gen check: the unfinished journal and stale staging, one line each
 * on standard output; returns how many. */
long
out_leftovers(const char *const *roots, size_t n)
{
	struct list found = { 0 };
	char *jpath = journal_path();
	long count = 0;
	size_t i;

	if (access(jpath, F_OK) == 0) {
		printf("unfinished commit: %s (the next gen build finishes it)\n",
		    jpath);
		count++;
	}
	leftovers(roots, n, 0, &found);
	for (i = 0; i < found.n; i++)
		printf("leftover: %s\n", found.v[i]);
	count += (long)found.n;
	list_free(&found);
	free(jpath);
	return count;
}

const struct buf *
outset_get(struct outset *o, const char *rel)
{
	struct ofile key, *f;

	sort_files(o);
	key.rel = (char *)rel;
	if (o->n == 0 || (f = bsearch(&key, o->f, o->n, sizeof(*o->f),
	    ofile_cmp)) == NULL)
		return NULL;
	return &f->data;
}

void
outset_counts(const struct outset *o, size_t *total, size_t *written,
    size_t *removed)
{
	*total = o->n;
	*written = o->written;
	*removed = o->removed;
}
