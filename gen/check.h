/*
 * check.h - what every validator of a YAML input shares (check.c): problems
 * reported as "file:line:col: path: message", each once per place, every
 * one of them in one run (past CHECK_MAX_ERRORS only counted), with "did
 * you mean" suggestions, and the checks every loader makes on a node.
 * manifest.c and registry.c use it.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdarg.h>

#include "yaml.h"

/* Problems printed per file set; the rest are counted (README, Limits). */
#define CHECK_MAX_ERRORS 100

struct check {
	int		 ok;		/* no problem reported yet */
	size_t		 nshown, nmore;
	size_t		 nseen, cap;	/* the reported set; cap 0 or 2^k */
	struct seen	*seen;
};

void	 check_init(struct check *);
/* Say how many problems were left out (naming what, a file), free the
 * reported set, and return ok. */
int	 check_end(struct check *, const char *what);

/*
 * Report a problem at a place (NULL: none) under the dotted path, once per
 * place and message, and fail the check.  near, when set, is a suggestion
 * ("; did you mean 'near'?") that is not part of what makes the problem
 * the same as another.
 */
void	 check_vbad(struct check *, const struct pos *, const char *path,
	    const char *near, const char *fmt, va_list);
void	 check_bad(struct check *, const struct ynode *, const char *path,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 check_bad_near(struct check *, const struct ynode *, const char *path,
	    const char *near, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Are suggestions still worth their cost (fewer than the shown limit)? */
int	 check_hint(const struct check *);

/* A value quoted for a message: control characters escaped, long text
 * cut.  Four rotating buffers per thread: one message may show four values. */
const char *shown(const char *);
/* "path.key" (or "key" at the top).  The caller frees it. */
char	*path_join(const char *path, const char *key);
/* Control characters, and newlines and tabs too when oneline is set? */
int	 text_clean(const char *s, int oneline);

/* Unknown keys of a mapping, each with the nearest allowed key. */
void	 check_keys(struct check *, const struct ynode *map, const char *path,
	    const char *const *allowed);
/* Is n of the kind?  Reports "expected a mapping, got a string" if not. */
int	 check_kind(struct check *, const struct ynode *, const char *path,
	    enum ykind);
/* Is n one of nnames names (an array that need not end in NULL)?  Its
 * index, or -1 after reporting "X is not one of: a, b, c" with the
 * nearest name suggested. */
int	 check_enum(struct check *, const struct ynode *, const char *path,
	    const char *const *names, int nnames);
/* Is n a string by the core schema?  Reports what it is instead, and how
 * to write it as text ("expected WHAT, got an integer: 123 (write
 * "123" for text)"). */
int	 check_str(struct check *, const struct ynode *, const char *path,
	    const char *what);

#endif
