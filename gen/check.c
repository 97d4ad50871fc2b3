/*
 * check.c - the reporting and node checks every validator shares
 * (check.h): manifest.c and registry.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* One problem reported: its place and the hash of its message. */
struct seen {
	const char	*file;	/* NULL: a free slot */
	unsigned	 line, col;
	uint64_t	 hash;
};

void
check_init(struct check *c)
{
	memset(c, 0, sizeof(*c));
	c->ok = 1;
}

int
check_end(struct check *c, const char *what)
{
	if (c->nmore > 0)
		diag(EXIT_DATAERR, NULL, "%s: ... and %zu more error%s (only "
		    "the first %d are shown)", what, c->nmore, c->nmore == 1 ?
		    "" : "s", CHECK_MAX_ERRORS);
	c->nmore = 0;
	free(c->seen);
	c->seen = NULL;
	c->nseen = c->cap = 0;
	return c->ok;
}

static uint64_t
seen_hash(const struct seen *s)
{
	uint64_t h = s->hash;

	h ^= (uint64_t)(uintptr_t)s->file + ((uint64_t)s->line << 32) + s->col;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

/*
 * Has this message been reported at this place?  Records it if not.  A
 * node shared through an alias or a merge is checked once per use, but its
 * problem is reported once.  A hash set of (place, message hash), so that
 * a file with a million problems costs a million steps, not their square.
 */
static int
seen_before(struct check *c, const struct pos *p, const char *msg)
{
	struct seen k = { p->file ? p->file : "", p->line, p->col,
	    0xcbf29ce484222325ULL }, *old;
	size_t i, j, oldcap;

	for (; *msg; msg++)
		k.hash = (k.hash ^ (unsigned char)*msg) * 0x100000001b3ULL;
	if (2 * (c->nseen + 1) > c->cap) {
		old = c->seen;
		oldcap = c->cap;
		c->cap = c->cap ? 2 * c->cap : 64;
		c->seen = xcalloc(c->cap, sizeof(*c->seen));
		for (i = 0; i < oldcap; i++) {
			if (old[i].file == NULL)
				continue;
			for (j = seen_hash(&old[i]) & (c->cap - 1);
			    c->seen[j].file != NULL; j = (j + 1) & (c->cap - 1))
				continue;
			c->seen[j] = old[i];
		}
		free(old);
	}
	for (j = seen_hash(&k) & (c->cap - 1); c->seen[j].file != NULL;
	    j = (j + 1) & (c->cap - 1)) {
		old = &c->seen[j];
		if (old->file == k.file && old->line == k.line &&
		    old->col == k.col && old->hash == k.hash)
			return 1;
	}
	c->seen[j] = k;
	c->nseen++;
	return 0;
}

void
check_vbad(struct check *c, const struct pos *at, const char *path,
    const char *near, const char *fmt, va_list ap)
{
	char *msg;

	c->ok = 0;
	msg = xvasprintf(fmt, ap);
	if (at != NULL && seen_before(c, at, msg))
		goto out;
	if (c->nshown == CHECK_MAX_ERRORS) {
		c->nmore++;	/* counted, and told at the end */
		goto out;
	}
	c->nshown++;
	diag(EXIT_DATAERR, at, "%s%s%s%s%s%s", path != NULL ? path : "",
	    path != NULL && *path != '\0' ? ": " : "", msg,
	    near != NULL ? "; did you mean '" : "", near != NULL ? near : "",
	    near != NULL ? "'?" : "");
out:
	free(msg);
}

void
check_bad(struct check *c, const struct ynode *n, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vbad(c, n != NULL ? &n->pos : NULL, path, NULL, fmt, ap);
	va_end(ap);
}

void
check_bad_near(struct check *c, const struct ynode *n, const char *path,
    const char *near, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vbad(c, n != NULL ? &n->pos : NULL, path, near, fmt, ap);
	va_end(ap);
}

/*
 * Finding a suggestion compares a name with every candidate; past the
 * shown limit nothing is shown, and computing them would make a file of
 * many bad names against many defined ones quadratic.
 */
int
check_hint(const struct check *c)
{
	return c->nshown < CHECK_MAX_ERRORS;
}

const char *
shown(const char *s)
{
	static _Thread_local char bufs[4][96];
	static _Thread_local int k;
	char *o = bufs[k = (k + 1) % 4], *e = o + sizeof(bufs[0]) - 8;
	const unsigned char *p = (const unsigned char *)s;

	*o++ = '"';
	for (; *p && o < e; p++) {
		if (*p == '\n') {
			*o++ = '\\'; *o++ = 'n';
		} else if (*p == '\t') {
			*o++ = '\\'; *o++ = 't';
		} else if (*p == '"' || *p == '\\') {
			*o++ = '\\'; *o++ = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f)
			o += snprintf(o, 5, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	if (*p)
		o += snprintf(o, 4, "...");
	*o++ = '"';
	*o = '\0';
	return bufs[k];
}

char *
path_join(const char *path, const char *key)
{
	if (path == NULL || *path == '\0')
		return xstrdup(key);
	return xasprintf("%s.%s", path, key);
}

int
text_clean(const char *s, int oneline)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p == '\n' || *p == '\t') && !oneline)
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	}
	return 1;
}

void
check_keys(struct check *c, const struct ynode *map, const char *path,
    const char *const *allowed)
{
	const char *const *a;
	const char *near;
	size_t i;

	for (i = 0; i < map->n; i++) {
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, map->keys[i]->str) == 0)
				break;
		if (*a != NULL)
			continue;
		near = check_hint(c) ? nearest(map->keys[i]->str, allowed) : NULL;
		check_bad_near(c, map->keys[i], path, near, "unknown key %s",
		    shown(map->keys[i]->str));
	}
}

int
check_kind(struct check *c, const struct ynode *n, const char *path,
    enum ykind kind)
{
	static const char *const what[] = { "a string", "a sequence", "a mapping" };

	if (n->kind == kind)
		return 1;
	check_bad(c, n, path, "expected %s, got %s", what[kind], ynode_what(n));
	return 0;
}

int
check_str(struct check *c, const struct ynode *n, const char *path,
    const char *what)
{
	if (yscalar_is_str(n))
		return 1;
	/* Text typed as null, a boolean or a number is short and plain. */
	if (n->kind != Y_SCALAR)
		check_bad(c, n, path, "expected %s, got %s", what, ynode_what(n));
	else if (n->len == 0)
		check_bad(c, n, path, "expected %s, got null (an empty value; "
		    "write \"\" for empty text)", what);
	else if (yscalar_is_null(n))
		check_bad(c, n, path, "expected %s, got null: %.40s (write \"\" "
		    "for empty text)", what, n->str);
	else
		check_bad(c, n, path, "expected %s, got %s: %.40s (write "
		    "\"%.40s\" for text)", what, ynode_what(n), n->str, n->str);
	return 0;
}

int
check_enum(struct check *c, const struct ynode *n, const char *path,
    const char *const *names, int nnames)
{
	const char **cands;
	struct buf list = { 0 };
	int i;

	if (!check_str(c, n, path, "a string"))
		return -1;
	for (i = 0; i < nnames; i++)
		if (strcmp(n->str, names[i]) == 0)
			return i;
	cands = xcalloc((size_t)nnames + 1, sizeof(*cands));
	for (i = 0; i < nnames; i++) {
		cands[i] = names[i];
		buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	}
	check_bad_near(c, n, path, check_hint(c) ? nearest(n->str, cands) :
	    NULL, "%s is not one of: %s", shown(n->str), list.s);
	buf_free(&list);
	free(cands);
	return -1;
}
