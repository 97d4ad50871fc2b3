/*
 * version.c - the order of engine versions.
 *
 * A version is read as a sequence of tokens: numbers (runs of digits),
 * words (runs of other characters), and the pre-release mark ('-' followed
 * by something other than a digit).  The separators '.', '_' and the '-'
 * before a digit only delimit tokens; build metadata ('+' onwards) is left
 * out.  Two sequences compare token by token; each token's order among the
 * tokens that can follow a common prefix is fixed by the table in rank(),
 * which makes the whole a total order (the leaves of an ordered tree).
 * Versions whose tokens are all equal ("1.01", "1.1", "1.0+a") fall back to
 * strcmp, so 0 means identical strings.
 */
#include <string.h>

#include "index.h"

enum tok {
	T_END,
	T_NUM,
	T_WORD,
	T_PRE
};

struct lex {
	const char	*p, *end;
	int		 pre;		/* a pre-release mark has been seen */
};

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* The next token; *s and *len delimit its text (numbers without leading
 * zeros). */
static enum tok
next(struct lex *l, const char **s, size_t *len)
{
	const char *q;

	for (;;) {
		if (l->p >= l->end)
			return T_END;
		if (*l->p == '.' || *l->p == '_') {
			l->p++;
			continue;
		}
		if (*l->p == '-') {
			l->p++;
			if (l->p < l->end && !isdig((unsigned char)*l->p))
				return T_PRE;
			continue;
		}
		break;
	}
	q = l->p;
	if (isdig((unsigned char)*q)) {
		while (q < l->end && isdig((unsigned char)*q))
			q++;
		while (l->p + 1 < q && *l->p == '0')
			l->p++;
		*s = l->p;
		*len = (size_t)(q - l->p);
		l->p = q;
		return T_NUM;
	}
	while (q < l->end && !isdig((unsigned char)*q) &&
	    *q != '.' && *q != '_' && *q != '-')
		q++;
	*s = l->p;
	*len = (size_t)(q - l->p);
	l->p = q;
	return T_WORD;
}

/*
 * Where a token sorts among the tokens that may follow a common prefix.
 * Before a pre-release mark the end comes after the mark (1.0.0-rc < 1.0.0)
 * and before anything else (1.0.0 < 1.0.0.1); after it, semver's rules:
 * fewer identifiers first, numbers before words.
 */
static int
rank(enum tok t, int pre)
{
	if (!pre) {
		switch (t) {
		case T_PRE:
			return 0;
		case T_END:
			return 1;
		case T_NUM:
			return 2;
		default:
			return 3;
		}
	}
	switch (t) {
	case T_END:
		return 0;
	case T_NUM:
		return 1;
	case T_WORD:
		return 2;
	default:
		return 3;
	}
}

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

static void
lex_init(struct lex *l, const char *v)
{
	const char *plus = strchr(v, '+');

	l->p = v;
	l->end = plus != NULL ? plus : v + strlen(v);
	l->pre = 0;
}

/*
 * Compare two versions; see index.h for the order.  Returns -1, 0 or 1,
 * 0 only when the strings are identical.
 */
int
version_cmp(const char *a, const char *b)
{
	struct lex la, lb;
	const char *sa = NULL, *sb = NULL;
	size_t na = 0, nb = 0;
	enum tok ta, tb;
	int c, ra, rb;

	lex_init(&la, a);
	lex_init(&lb, b);
	for (;;) {
		ta = next(&la, &sa, &na);
		tb = next(&lb, &sb, &nb);
		/* The prefixes are equal, so both are in the same state. */
		ra = rank(ta, la.pre);
		rb = rank(tb, lb.pre);
		if (ra != rb)
			return ra < rb ? -1 : 1;
		if (ta == T_END)
			break;
		if (ta == T_PRE) {
			la.pre = lb.pre = 1;
			continue;
		}
		if (ta == T_NUM && na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(sa, sb, na < nb ? na : nb);
		if (c != 0)
			return sign(c);
		if (na != nb)
			return na < nb ? -1 : 1;
	}
	return sign(strcmp(a, b));
}
