/*
 * jsonpos.c - strict JSON (RFC 8259) into yaml.h's positioned node tree,
 * for the JSON gen reads back (engines.json), where jansson would keep no
 * places; and the UTF-8 checks the parser shares with the readme reader.
 *
 * A recursive-descent parser, its depth bounded by JSONPOS_MAX_DEPTH.  It
 * stops at the first syntax error (nothing after one can be trusted) but
 * finishes the document to report every duplicate key.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpos.h"

struct jp {
	const char		*name;		/* interned, for positions */
	const unsigned char	*p, *end;
	unsigned		 line, col;	/* of p */
	unsigned		 depth;
	int			 failed;	/* a syntax error was reported */
	int			 dups;		/* duplicate keys were reported */
	struct buf		 str;		/* scratch for strings */
	struct arena		*arena;		/* every node and string */
};

static struct ynode	*value(struct jp *);

/* ---- UTF-8 ------------------------------------------------------------ */

size_t
utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		len = 1;
		c = s[0];
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, and beyond Unicode. */
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	if (cp != NULL)
		*cp = c;
	return len;
}

static void
utf8_put(struct buf *b, unsigned long c)
{
	char u[4];

	if (c < 0x80) {
		buf_putc(b, (int)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

/*
 * Text for people: UTF-8, and (when controls is 0) no control characters
 * but tab, LF and CR.  C1 controls (U+0080-U+009F) are two-byte sequences,
 * caught after decoding.
 */
static int
check_text(const char *name, const char *text, size_t len, int controls)
{
	const unsigned char *s = (const unsigned char *)text;
	struct pos at = { intern(name), 1, 1 };
	unsigned long c;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] == '\n') {
			at.line++;
			at.col = 1;
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i, &c)) == 0) {
			diag(EXIT_DATAERR, &at, "not valid UTF-8 (byte 0x%02x)",
			    s[i]);
			return 0;
		}
		if (!controls && ((c < 0x20 && c != '\t' && c != '\r') ||
		    (c >= 0x7f && c <= 0x9f))) {
			diag(EXIT_DATAERR, &at, "control character U+%04lX "
			    "(only tab, line feed and carriage return are "
			    "allowed)", c);
			return 0;
		}
		i += n;
		at.col++;
	}
	return 1;
}

int
text_check(const char *name, const char *text, size_t len)
{
	return check_text(name, text, len, 0);
}

int
utf8_check(const char *name, const char *text, size_t len)
{
	return check_text(name, text, len, 1);
}

/*
 * s as a JSON string literal for messages: quoted, with quotes, backslashes
 * and control characters escaped, bytes that are not UTF-8 as \xNN, and cut
 * with "..." after about 80 characters.
 */
char *
json_shown(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = { 0 };
	unsigned long c;
	size_t i = 0, n, shown = 0;

	buf_putc(&b, '"');
	while (i < len) {
		if (shown++ >= 80) {
			buf_puts(&b, "...");
			break;
		}
		if ((n = utf8_seq(u + i, len - i, &c)) == 0) {
			buf_printf(&b, "\\x%02x", u[i++]);
			continue;
		}
		if (c == '"' || c == '\\')
			buf_printf(&b, "\\%c", (int)c);
		else if (c == '\n')
			buf_puts(&b, "\\n");
		else if (c == '\t')
			buf_puts(&b, "\\t");
		else if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			buf_printf(&b, "\\u%04lx", c);
		else
			buf_add(&b, s + i, n);
		i += n;
	}
	buf_putc(&b, '"');
	return b.s;
}

/* ---- the parser -------------------------------------------------------- */

static void
fail(struct jp *j, const char *fmt, ...)
{
	struct pos at = { j->name, j->line, j->col };
	va_list ap;

	va_start(ap, fmt);
	vdiag(EXIT_DATAERR, &at, fmt, ap);
	va_end(ap);
	j->failed = 1;
}

/* What is at p, for messages: "'}'", "byte 0xff", "the end of the file". */
static const char *
here(const struct jp *j, char out[32])
{
	if (j->p >= j->end)
		return "the end of the file";
	if (*j->p > 0x20 && *j->p < 0x7f)
		snprintf(out, 32, "'%c'", *j->p);
	else
		snprintf(out, 32, "byte 0x%02x", *j->p);
	return out;
}

/* Move over n bytes of one line: a column per character. */
static void
step(struct jp *j, size_t n)
{
	for (; n > 0; n--, j->p++)
		if ((*j->p & 0xc0) != 0x80)
			j->col++;
}

static void
skip_ws(struct jp *j)
{
	while (j->p < j->end) {
		switch (*j->p) {
		case '\n':
			j->line++;
			j->col = 1;
			j->p++;
			break;
		case ' ':
		case '\t':
		case '\r':
			step(j, 1);
			break;
		default:
			return;
		}
	}
}

static struct ynode *
node_new(struct jp *j, enum ykind kind)
{
	struct ynode *n = arena_alloc(&j->arena, sizeof(*n));

	n->pooled = 1;
	n->kind = kind;
	n->pos.file = j->name;
	n->pos.line = j->line;
	n->pos.col = j->col;
	n->refs = 1;
	n->weight = 1;
	n->height = 1;
	return n;
}

static int
hex4(const unsigned char *p, unsigned long *out)
{
	unsigned long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return 0;
		v = v << 4 | (unsigned long)d;
	}
	*out = v;
	return 1;
}

/* A \u escape at p (the backslash), with its low surrogate when it is a
 * high one.  Appends the character; returns 1, or 0 after reporting. */
static int
unicode_escape(struct jp *j)
{
	unsigned long c, lo;
	size_t left = (size_t)(j->end - j->p);

	if (left < 6 || !hex4(j->p + 2, &c)) {
		fail(j, "\\u needs four hex digits");
		return 0;
	}
	if (c >= 0xdc00 && c <= 0xdfff) {
		fail(j, "\\u%04lX is a low surrogate without a high one", c);
		return 0;
	}
	if (c >= 0xd800 && c <= 0xdbff) {
		if (left < 12 || j->p[6] != '\\' || j->p[7] != 'u' ||
		    !hex4(j->p + 8, &lo) || lo < 0xdc00 || lo > 0xdfff) {
			fail(j, "\\u%04lX is a high surrogate without a low one "
			    "after it", c);
			return 0;
		}
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		step(j, 6);
	}
	if (c == 0) {
		fail(j, "\\u0000 (NUL) is not allowed in a string");
		return 0;
	}
	utf8_put(&j->str, c);
	step(j, 6);
	return 1;
}

static int
escape(struct jp *j)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	char what[32];

	if (j->p + 1 >= j->end) {
		step(j, 1);
		fail(j, "unexpected end of the file in a string");
		return 0;
	}
	if (j->p[1] == 'u')
		return unicode_escape(j);
	if (j->p[1] == '\0' || (e = strchr(from, j->p[1])) == NULL) {
		step(j, 1);
		fail(j, "unknown escape \\ followed by %s", here(j, what));
		return 0;
	}
	buf_putc(&j->str, to[e - from]);
	step(j, 2);
	return 1;
}

/* The string at p (its opening quote) into j->str.  Returns 1, or 0. */
static int
string(struct jp *j)
{
	const unsigned char *run;
	size_t n;

	buf_reset(&j->str);
	buf_add(&j->str, "", 0);
	step(j, 1);
	for (;;) {
		/* Plain ASCII goes over in runs. */
		for (run = j->p; j->p < j->end && *j->p >= 0x20 &&
		    *j->p < 0x80 && *j->p != '"' && *j->p != '\\'; j->p++)
			continue;
		buf_add(&j->str, run, (size_t)(j->p - run));
		j->col += (unsigned)(j->p - run);
		if (j->p >= j->end) {
			fail(j, "unexpected end of the file in a string");
			return 0;
		}
		if (*j->p == '"') {
			step(j, 1);
			return 1;
		}
		if (*j->p == '\\') {
			if (!escape(j))
				return 0;
			continue;
		}
		if (*j->p == 0) {
			fail(j, "NUL (byte 0x00) in a string");
			return 0;
		}
		if (*j->p < 0x20) {
			fail(j, "control character 0x%02x in a string (write "
			    "it as \\u%04x)", *j->p, *j->p);
			return 0;
		}
		if ((n = utf8_seq(j->p, (size_t)(j->end - j->p), NULL)) == 0) {
			fail(j, "not valid UTF-8 (byte 0x%02x)", *j->p);
			return 0;
		}
		buf_add(&j->str, j->p, n);
		step(j, n);
	}
}

static struct ynode *
string_node(struct jp *j)
{
	struct ynode *n = node_new(j, Y_SCALAR);

	if (!string(j)) {
		ynode_free(n);
		return NULL;
	}
	n->len = j->str.len;
	n->str = arena_strndup(&j->arena, j->str.s, j->str.len);
	return n;
}

static int
digits(struct jp *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	j->col += (unsigned)(j->p - s);
	return j->p > s;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, kept as text. */
static struct ynode *
number(struct jp *j)
{
	struct ynode *n = node_new(j, Y_SCALAR);
	const unsigned char *s = j->p;
	char what[32];

	if (*j->p == '-')
		step(j, 1);
	if (j->p < j->end && *j->p == '0') {
		step(j, 1);
		if (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			fail(j, "a number may not have leading zeros");
			goto bad;
		}
	} else if (!digits(j))
		goto nodigit;
	if (j->p < j->end && *j->p == '.') {
		step(j, 1);
		if (!digits(j))
			goto nodigit;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		step(j, 1);
		if (j->p < j->end && (*j->p == '-' || *j->p == '+'))
			step(j, 1);
		if (!digits(j))
			goto nodigit;
	}
	n->plain = 1;
	n->len = (size_t)(j->p - s);
	n->str = arena_strndup(&j->arena, (const char *)s, n->len);
	return n;
nodigit:
	fail(j, "expected a digit, got %s", here(j, what));
bad:
	ynode_free(n);
	return NULL;
}

static struct ynode *
literal(struct jp *j)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i, len, left = (size_t)(j->end - j->p);
	struct ynode *n;
	char what[32];

	for (i = 0; i < 3; i++) {
		len = strlen(words[i]);
		if (*j->p != (unsigned char)words[i][0])
			continue;
		if (left < len && memcmp(j->p, words[i], left) == 0) {
			step(j, left);
			fail(j, "unexpected end of the file in '%s'", words[i]);
			return NULL;
		}
		if (left < len || memcmp(j->p, words[i], len) != 0)
			break;
		n = node_new(j, Y_SCALAR);
		n->plain = 1;
		n->len = len;
		n->str = arena_strndup(&j->arena, words[i], strlen(words[i]));
		step(j, len);
		return n;
	}
	fail(j, "expected a value, got %s", here(j, what));
	return NULL;
}

static void
push(struct ynode *n, size_t *cap, struct ynode *k, struct ynode *v)
{
	if (n->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		n->items = xrealloc(n->items, *cap * sizeof(*n->items));
		if (k != NULL)
			n->keys = xrealloc(n->keys, *cap * sizeof(*n->keys));
	}
	if (k != NULL)
		n->keys[n->n] = k;
	n->items[n->n++] = v;
}

static int
enter(struct jp *j)
{
	if (++j->depth > JSONPOS_MAX_DEPTH) {
		fail(j, "nested deeper than %d levels", JSONPOS_MAX_DEPTH);
		return 0;
	}
	step(j, 1);
	skip_ws(j);
	return 1;
}

/*
 * After a member: ',' (then more) or the closing bracket.  Returns 1 when
 * another member follows, 0 at the end, -1 after reporting.
 */
static int
next_member(struct jp *j, char close)
{
	char what[32];

	skip_ws(j);
	if (j->p < j->end && *j->p == ',') {
		step(j, 1);
		skip_ws(j);
		if (j->p < j->end && *j->p == close) {
			fail(j, "trailing comma before '%c'", close);
			return -1;
		}
		return 1;
	}
	if (j->p < j->end && *j->p == close) {
		step(j, 1);
		return 0;
	}
	if (j->p >= j->end)
		fail(j, "unexpected end of the file, expected ',' or '%c'",
		    close);
	else
		fail(j, "expected ',' or '%c', got %s", close, here(j, what));
	return -1;
}

static struct ynode *
array(struct jp *j)
{
	struct ynode *n = node_new(j, Y_SEQ), *v;
	size_t cap = 0;
	int more = 1;

	if (!enter(j))
		goto bad;
	if (j->p < j->end && *j->p == ']') {
		step(j, 1);
		more = 0;
	}
	while (more) {
		if ((v = value(j)) == NULL)
			goto bad;
		push(n, &cap, NULL, v);
		if ((more = next_member(j, ']')) < 0)
			goto bad;
	}
	j->depth--;
	return n;
bad:
	ynode_free(n);
	return NULL;
}

/* The copy of yaml.c's key order (keys may hold any bytes but NUL here). */
struct kref {
	const struct ynode	*k;
	size_t			 i;
};

static int
kref_cmp(const void *a, const void *b)
{
	const struct kref *x = a, *y = b;
	size_t n = x->k->len < y->k->len ? x->k->len : y->k->len;
	int c;

	if ((c = memcmp(x->k->str, y->k->str, n)) != 0)
		return c;
	if (x->k->len != y->k->len)
		return x->k->len < y->k->len ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Finish an object: order[] lists the entries sorted by key, as yaml.c's
 * finish_map leaves it for ymap_get (a minimal copy: JSON has no merge
 * keys).  Each repeated key is reported at its place.
 */
static void
finish_object(struct jp *j, struct ynode *m)
{
	struct kref *r;
	size_t i, first = 0;

	if (m->n == 0)
		return;
	r = xmalloc(m->n * sizeof(*r));
	for (i = 0; i < m->n; i++) {
		r[i].k = m->keys[i];
		r[i].i = i;
	}
	qsort(r, m->n, sizeof(*r), kref_cmp);
	m->order = xmalloc(m->n * sizeof(*m->order));
	for (i = 0; i < m->n; i++) {
		m->order[i] = r[i].i;
		if (i > 0 && r[i].k->len == r[first].k->len &&
		    memcmp(r[i].k->str, r[first].k->str, r[i].k->len) == 0) {
			char *k = json_shown(r[i].k->str, r[i].k->len);

			diag(EXIT_DATAERR, &r[i].k->pos, "duplicate key %s "
			    "(first at line %u)", k, r[first].k->pos.line);
			free(k);
			j->dups++;
		} else
			first = i;
	}
	free(r);
}

static struct ynode *
object(struct jp *j)
{
	struct ynode *n = node_new(j, Y_MAP), *k, *v;
	size_t cap = 0;
	int more = 1;
	char what[32];

	if (!enter(j))
		goto bad;
	if (j->p < j->end && *j->p == '}') {
		step(j, 1);
		more = 0;
	}
	while (more) {
		if (j->p >= j->end || *j->p != '"') {
			if (j->p >= j->end)
				fail(j, "unexpected end of the file, expected a "
				    "key");
			else
				fail(j, "expected a key (a string), got %s",
				    here(j, what));
			goto bad;
		}
		if ((k = string_node(j)) == NULL)
			goto bad;
		skip_ws(j);
		if (j->p >= j->end || *j->p != ':') {
			fail(j, "expected ':' after the key, got %s",
			    here(j, what));
			ynode_free(k);
			goto bad;
		}
		step(j, 1);
		skip_ws(j);
		if ((v = value(j)) == NULL) {
			ynode_free(k);
			goto bad;
		}
		push(n, &cap, k, v);
		if ((more = next_member(j, '}')) < 0)
			goto bad;
	}
	finish_object(j, n);
	j->depth--;
	return n;
bad:
	ynode_free(n);
	return NULL;
}

static struct ynode *
value(struct jp *j)
{
	char what[32];

	skip_ws(j);
	if (j->p >= j->end) {
		fail(j, "unexpected end of the file, expected a value");
		return NULL;
	}
	switch (*j->p) {
	case '{':
		return object(j);
	case '[':
		return array(j);
	case '"':
		return string_node(j);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return number(j);
	case 't':
	case 'f':
	case 'n':
		return literal(j);
	default:
		fail(j, "expected a value, got %s", here(j, what));
		return NULL;
	}
}

/*
 * One JSON value and nothing after it but white space.  A byte order mark
 * is refused by name (RFC 8259 8.1: senders must not add one).
 */
struct ynode *
jsonpos_load(const char *name, const char *text, size_t len)
{
	struct jp j;
	struct ynode *root = NULL;
	char what[32];

	memset(&j, 0, sizeof(j));
	j.name = intern(name);
	j.p = (const unsigned char *)text;
	j.end = j.p + len;
	j.line = j.col = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		fail(&j, "a byte order mark is not allowed in JSON");
	else {
		skip_ws(&j);
		if (j.p >= j.end)
			fail(&j, "no JSON value: the file is empty");
		else if ((root = value(&j)) != NULL) {
			skip_ws(&j);
			if (j.p < j.end)
				fail(&j, "unexpected %s after the JSON value",
				    here(&j, what));
		}
	}
	buf_free(&j.str);
	if (j.failed || j.dups) {
		ynode_free(root);
		arena_free(j.arena);
		return NULL;
	}
	/* The tree's nodes and strings go with the root. */
	if (root != NULL)
		root->arena = j.arena;
	else
		arena_free(j.arena);
	return root;
}
