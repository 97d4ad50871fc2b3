/*
 * jsonpos.h - text with positions: a strict JSON parser (RFC 8259) that
 * builds the positioned node tree of yaml.h, and the UTF-8 checks it and
 * the readme reader share (jsonpos.c).
 *
 * Positions are 1-based lines and columns; a column counts characters
 * (UTF-8 sequences), not bytes, as libyaml's do.
 */
#ifndef JSONPOS_H
#define JSONPOS_H

#include "yaml.h"

/* Arrays and objects nested deeper than this are an error. */
#define JSONPOS_MAX_DEPTH 64

/*
 * Parse text (len bytes, named name in messages) as one JSON value.
 * Strict: no comments, no trailing commas, no leading zeros, no bytes
 * after the value; valid UTF-8 only; control characters in strings must
 * be escaped; \u escapes must pair their surrogates; NUL (raw or \u0000)
 * is refused; duplicate keys are an error.  Strings become scalars with
 * plain 0; numbers, true, false and null plain scalars with their text,
 * so ynode_what() types them.  Object keys are scalar nodes, sorted for
 * ymap_get() as yaml.c's.  Returns the root (free with ynode_free), or
 * NULL after reporting with EXIT_DATAERR: the first syntax error, or every
 * duplicate key.
 */
struct ynode	*jsonpos_load(const char *name, const char *text, size_t len);

/* The length (1-4) of the valid UTF-8 sequence at s (n bytes left), or 0:
 * truncated, overlong, a surrogate or beyond U+10FFFF.  *cp gets the code
 * point when cp is not NULL. */
size_t		 utf8_seq(const unsigned char *s, size_t n, unsigned long *cp);

/* s (len bytes) as a JSON string literal for messages: quoted, escaped,
 * cut with "..." after about 80 characters.  The caller frees it. */
char		*json_shown(const char *s, size_t len);

/*
 * Check text meant for people (a readme): valid UTF-8, and no control
 * characters but tab, LF and CR (no other C0, no DEL, no C1).  Returns 1,
 * or 0 after reporting "name:line:col: ..." at the first bad byte with
 * EXIT_DATAERR.
 */
int		 text_check(const char *name, const char *text, size_t len);
/* The same for valid UTF-8 alone (control characters allowed). */
int		 utf8_check(const char *name, const char *text, size_t len);

#endif
