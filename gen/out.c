/*
 * out.c - output sets: every file written to a temporary file beside its
 * target and renamed into place only when the whole run has succeeded;
 * files whose bytes would not change are not touched at all.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"

struct ofile {
	char		*rel;		/* relative to the set's root */
	struct buf	 data;
	char		*tmp;		/* staged temporary file, or NULL */
	int		 same;		/* disk already holds these bytes */
	int		 staged;	/* written out (data may be gone) */
};

struct outset {
	char		*root;
	struct ofile	*f;
	size_t		 n, cap;
	int		 sorted;
	char		**mkdirs;	/* folders this run created, to undo */
	size_t		 nmkdirs;
	size_t		 written, removed;
	char		*lastdir;	/* the folder known to exist */
	char		*fresh;		/* staging folder when root did not exist */
	char		*ledger;	/* file listing what the last run wrote, or NULL */
	int		 mode;		/* 0 not yet staging, 1 fresh folder, 2 in place */
	int		 eager;		/* stage each file as it is added */
	int		 failed;	/* an eager write failed */
	pthread_mutex_t	 mu;		/* guards mkdirs while threads write */
};

static int	write_new(const char *, const struct buf *);
static int	decide(struct outset *);
static int	stage_file(struct outset *, struct ofile *, char **);

struct outset *
outset_new(const char *root)
{
	struct outset *o = xcalloc(1, sizeof(*o));

	o->root = xstrdup(root);
	pthread_mutex_init(&o->mu, NULL);
	return o;
}

static void
unstage(struct outset *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->f[i].tmp != NULL) {
			unlink(o->f[i].tmp);
			free(o->f[i].tmp);
			o->f[i].tmp = NULL;
		}
	free(o->lastdir);
	o->lastdir = NULL;
	if (o->fresh != NULL) {
		/* Everything staged lives in the fresh folder: remove it whole. */
		for (i = 0; i < o->n; i++) {
			char *p = xasprintf("%s/%s", o->fresh, o->f[i].rel);

			unlink(p);
			free(p);
		}
		free(o->fresh);
		o->fresh = NULL;
	}
	/* Folders made for a run that failed go too, deepest first. */
	while (o->nmkdirs > 0) {
		o->nmkdirs--;
		rmdir(o->mkdirs[o->nmkdirs]);
		free(o->mkdirs[o->nmkdirs]);
	}
}

void
outset_free(struct outset *o)
{
	size_t i;

	if (o == NULL)
		return;
	unstage(o);
	for (i = 0; i < o->n; i++) {
		free(o->f[i].rel);
		buf_free(&o->f[i].data);
	}
	for (i = 0; i < o->nmkdirs; i++)
		free(o->mkdirs[i]);
	free(o->mkdirs);
	free(o->lastdir);
	free(o->f);
	free(o->root);
	free(o->ledger);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

void
outset_add(struct outset *o, const char *rel, struct buf *b)
{
	struct ofile *f, one;
	int ok;

	if (o->eager) {
		/*
		 * Eager sets write now and keep no bytes, and may be called
		 * from several threads: the file is staged outside the lock,
		 * then only the list is touched under it.  A failure is kept
		 * for outset_stage() to report through its result.
		 */
		memset(&one, 0, sizeof(one));
		one.rel = xstrdup(rel);
		one.data = *b;
		if (one.data.s == NULL)
			buf_add(&one.data, "", 0);
		memset(b, 0, sizeof(*b));
		ok = stage_file(o, &one, NULL);
		buf_free(&one.data);
		pthread_mutex_lock(&o->mu);
		if (!ok)
			o->failed = 1;
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 256;
			o->f = xrealloc(o->f, o->cap * sizeof(*o->f));
		}
		o->f[o->n++] = one;
		o->sorted = 0;
		pthread_mutex_unlock(&o->mu);
		return;
	}
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->f = xrealloc(o->f, o->cap * sizeof(*o->f));
	}
	f = &o->f[o->n++];
	memset(f, 0, sizeof(*f));
	f->rel = xstrdup(rel);
	f->data = *b;
	if (f->data.s == NULL)
		buf_add(&f->data, "", 0);
	memset(b, 0, sizeof(*b));
	o->sorted = 0;
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

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		diag_errno(path, 0, "cannot open");
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != b->len) {
		close(fd);
		return 0;
	}
	while (same && (r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
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

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
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

/* Every regular file below dir (relative names), links not followed. */
static int
walk(const char *root, const char *rel, struct list *out)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	struct dirent *de;
	struct stat st;
	char *sub, *full;
	DIR *d;
	int ok = 1;

	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR) {
			diag_errno(dir, 0, "cannot read folder");
			ok = 0;
		}
		free(dir);
		return ok;
	}
	while (ok && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		full = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				ok = walk(root, sub, out);
			else if (S_ISREG(st.st_mode)) {
				out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
				out->v[out->n++] = sub;
				sub = NULL;
			}
		}
		free(sub);
		free(full);
	}
	closedir(d);
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
}

/* Files the ledger lists that this set no longer produces. */
static int
ledger_extras(struct outset *o, struct list *out)
{
	struct buf b = { 0 };
	char *path, *line, *nl, *full;
	int ok = 1;

	path = xasprintf("%s/%s", o->root, o->ledger);
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
		if (access(full, F_OK) == 0) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = xstrdup(line);
		}
		free(full);
	}
	buf_free(&b);
	free(path);
	return ok;
}

/* Write the ledger: every file of the set, one a line, if it changed. */
static int
ledger_write(struct outset *o)
{
	struct buf b = { 0 };
	char *path, *tmp;
	size_t i;
	int ok = 1, same;

	sort_files(o);
	for (i = 0; i < o->n; i++)
		buf_printf(&b, "%s\n", o->f[i].rel);
	buf_add(&b, "", 0);
	path = xasprintf("%s/%s", o->root, o->ledger);
	if ((same = same_on_disk(path, &b)) == 0) {
		tmp = xasprintf("%s.%ld", path, (long)getpid());
		if (!write_new(tmp, &b) || rename(tmp, path) == -1) {
			diag_errno(path, 0, "cannot write");
			unlink(tmp);
			ok = 0;
		}
		free(tmp);
	} else if (same < 0)
		ok = 0;
	free(path);
	buf_free(&b);
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
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = all.v[i];
			all.v[i] = NULL;
		}
		free(full);
		free(all.v[i]);
	}
	free(all.v);
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
	for (i = 0; i < ex.n; i++) {
		if (diffs >= 0) {
			printf("extra: %s/%s\n", o->root, ex.v[i]);
			diffs++;
		}
		free(ex.v[i]);
	}
	free(ex.v);
	return diffs;
}

/* mkdir -p, remembering what it made so that a failed run can undo it. */
static int
make_dir(struct outset *o, const char *dir)
{
	char *parent, *slash;
	int ok;

	if (mkdir(dir, 0777) == 0)
		goto made;
	if (errno == EEXIST)
		return 1;
	if (errno != ENOENT || (slash = strrchr(dir, '/')) == NULL ||
	    slash == dir) {
		diag_errno(dir, 0, "cannot create folder");
		return 0;
	}
	parent = xstrndup(dir, (size_t)(slash - dir));
	ok = make_dir(o, parent);
	free(parent);
	if (!ok)
		return 0;
	if (mkdir(dir, 0777) == -1) {
		if (errno == EEXIST)
			return 1;
		diag_errno(dir, 0, "cannot create folder");
		return 0;
	}
made:
	pthread_mutex_lock(&o->mu);
	o->mkdirs = xrealloc(o->mkdirs, (o->nmkdirs + 1) * sizeof(*o->mkdirs));
	o->mkdirs[o->nmkdirs++] = xstrdup(dir);
	pthread_mutex_unlock(&o->mu);
	return 1;
}

/*
 * The folder of a file to write.  Files arrive sorted, so most share the
 * folder of the file before, which then costs no system call.
 */
static int
make_parents(struct outset *o, const char *path, char **lastdir)
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
	if (!make_dir(o, dir)) {
		free(dir);
		return 0;
	}
	free(*lastdir);
	*lastdir = dir;
	return 1;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

/* Create a file with these bytes (it must not exist yet, or be ours). */
static int
write_new(const char *path, const struct buf *b)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0666)) == -1) {
		diag_errno(path, 0, "cannot create");
		return 0;
	}
	if (!write_all(fd, b->s, b->len)) {
		diag_errno(path, 0, "write");
		close(fd);
		return 0;
	}
	if (close(fd) == -1) {
		diag_errno(path, 0, "close");
		return 0;
	}
	return 1;
}

/* One writer's share of a fresh folder: files [from, to). */
struct wshare {
	struct outset	*o;
	size_t		 from, to;
	int		 ok;
};

static void *
write_share(void *arg)
{
	struct wshare *w = arg;
	char *full, *lastdir = NULL;
	size_t i;

	w->ok = 1;
	for (i = w->from; w->ok && i < w->to; i++) {
		if (w->o->f[i].staged)
			continue;
		full = xasprintf("%s/%s", w->o->fresh, w->o->f[i].rel);
		if (!make_parents(w->o, full, &lastdir) ||
		    !write_new(full, &w->o->f[i].data))
			w->ok = 0;
		w->o->f[i].staged = 1;
		free(full);
	}
	free(lastdir);
	return NULL;
}

/* Deepest first, so that each folder is empty when its turn comes. */
static int
deeper_first(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * How to stage: a root that does not exist yet is staged whole in a sibling
 * folder and renamed into place at commit (one rename instead of one per
 * file, and nothing to compare with); an existing root file by file, each
 * to a temporary file beside its target, skipping files whose bytes are
 * already there.  Returns 1, or 0 after reporting.
 */
static int
decide(struct outset *o)
{
	const char *slash = strrchr(o->root, '/');
	struct stat st;

	if (o->mode != 0)
		return 1;
	o->mode = 2;
	if (lstat(o->root, &st) == 0 || errno != ENOENT ||
	    (slash != NULL && slash[1] == '\0'))
		return 1;
	o->fresh = slash ? xasprintf("%.*s/.gen-%s.%ld", (int)(slash - o->root),
	    o->root, slash + 1, (long)getpid()) :
	    xasprintf(".gen-%s.%ld", o->root, (long)getpid());
	if (!make_dir(o, o->fresh)) {
		free(o->fresh);
		o->fresh = NULL;
		return 0;
	}
	o->mode = 1;
	return 1;
}

/* Stage one file the way decide() chose. */
static int
stage_file(struct outset *o, struct ofile *f, char **lastdir)
{
	char *full, *slash, *mine = NULL;
	int s, ok = 0;

	/* Without a lastdir to share (threads), each call keeps its own. */
	if (lastdir == NULL)
		lastdir = &mine;

	if (f->staged)
		return 1;
	if (o->mode == 1) {
		full = xasprintf("%s/%s", o->fresh, f->rel);
		ok = make_parents(o, full, lastdir) && write_new(full, &f->data);
		free(full);
		free(mine);
		f->staged = 1;
		return ok;
	}
	full = xasprintf("%s/%s", o->root, f->rel);
	if ((s = same_on_disk(full, &f->data)) < 0)
		goto out;
	f->staged = 1;
	if ((f->same = s) == 1) {
		ok = 1;
		goto out;
	}
	if (!make_parents(o, full, lastdir))
		goto out;
	slash = strrchr(full, '/');
	f->tmp = xasprintf("%.*s/.gen-%s.%ld", (int)(slash - full), full,
	    slash + 1, (long)getpid());
	if (!write_new(f->tmp, &f->data)) {
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

/* A fresh folder's files, by two writers: most of the cost is the
 * kernel's, and it runs on both cores. */
static int
stage_fresh(struct outset *o)
{
	struct wshare w[2];
	pthread_t th;
	int threaded;

	w[0].o = w[1].o = o;
	w[0].from = 0;
	w[0].to = w[1].from = o->n > 256 ? o->n / 2 : o->n;
	w[1].to = o->n;
	threaded = w[1].from < w[1].to &&
	    pthread_create(&th, NULL, write_share, &w[1]) == 0;
	write_share(&w[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		write_share(&w[1]);
	if (!w[0].ok || !w[1].ok) {
		qsort(o->mkdirs, o->nmkdirs, sizeof(*o->mkdirs), deeper_first);
		return 0;
	}
	return 1;
}

/*
 * Stage what is not staged yet: the whole set into a fresh sibling folder
 * when the root does not exist, else file by file beside the targets.  On
 * failure everything staged is taken back.
 */
int
outset_stage(struct outset *o)
{
	size_t i;

	if (o->failed)
		goto fail;
	sort_files(o);
	if (!decide(o))
		goto fail;
	if (o->mode == 1) {
		if (!stage_fresh(o))
			goto fail;
		return 1;
	}
	for (i = 0; i < o->n; i++)
		if (!stage_file(o, &o->f[i], &o->lastdir))
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
	/* Decided now, before any thread adds a file. */
	if (!decide(o))
		o->failed = 1;
	for (i = 0; i < o->n; i++)
		if (o->f[i].staged)
			buf_free(&o->f[i].data);
}

/*
 * Rename into place (the fresh folder whole, or each staged file), then
 * prune: files the ledger lists, or files carrying GEN_MARKER, that this run
 * no longer produces; folders left empty go too.
 */
int
outset_commit(struct outset *o, int prune)
{
	struct list ex = { 0 };
	char *full;
	size_t i;
	int ok = 1;

	if (o->fresh != NULL) {
		if (rename(o->fresh, o->root) == -1) {
			diag_errno(o->root, 0, "cannot rename %s into place", o->fresh);
			unstage(o);
			return 0;
		}
		o->written = o->n;
		free(o->fresh);
		o->fresh = NULL;
		for (i = 0; i < o->nmkdirs; i++)
			free(o->mkdirs[i]);
		o->nmkdirs = 0;
		return o->ledger == NULL || ledger_write(o);
	}
	for (i = 0; i < o->n; i++) {
		if (o->f[i].tmp == NULL)
			continue;
		full = xasprintf("%s/%s", o->root, o->f[i].rel);
		if (rename(o->f[i].tmp, full) == -1) {
			diag_errno(full, 0, "cannot rename %s into place", o->f[i].tmp);
			unlink(o->f[i].tmp);
			ok = 0;
		} else
			o->written++;
		free(o->f[i].tmp);
		o->f[i].tmp = NULL;
		free(full);
	}
	/* The folders are now in use. */
	for (i = 0; i < o->nmkdirs; i++)
		free(o->mkdirs[i]);
	o->nmkdirs = 0;
	if (!prune || !ok)
		return ok;
	if (!extras(o, &ex))
		ok = 0;
	for (i = 0; i < ex.n; i++) {
		full = xasprintf("%s/%s", o->root, ex.v[i]);
		if (unlink(full) == -1) {
			diag_errno(full, 0, "cannot remove");
			ok = 0;
		} else {
			char *slash;

			o->removed++;
			note("removed %s", full);
			/* Remove folders left empty, up to the root. */
			while ((slash = strrchr(full, '/')) != NULL &&
			    (size_t)(slash - full) > strlen(o->root)) {
				*slash = '\0';
				if (rmdir(full) == -1)
					break;
			}
		}
		free(full);
		free(ex.v[i]);
	}
	free(ex.v);
	if (ok && o->ledger != NULL)
		ok = ledger_write(o);
	return ok;
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
