/*
 * mustache.c - Mustache templates, compiled once, run many times.
 *
 * A template is compiled into a flat list of operations that point into a
 * private copy of its text; dotted names are split at compile time.  A
 * render walks the list with the context stack kept on the C stack, so it
 * allocates nothing but output.  Sections know the index of the op after
 * their body, so a false section is skipped in one step.
 *
 * Partial indentation: a standalone {{>p}} indents every line of p.  The
 * renderer keeps the indents of the enclosing standalone partials and
 * writes them before the first output of each line of template text.
 */
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"

#define MAXDEPTH	100	/* partials nested deeper are an error */

enum optype {
	OP_TEXT,	/* literal text */
	OP_VAR,		/* {{x}}: escaped as the template says */
	OP_RAW,		/* {{{x}}} and {{&x}}: never escaped */
	OP_SECTION,	/* {{#x}}: the body is ops (i, end) */
	OP_INVERTED,	/* {{^x}} */
	OP_PARTIAL	/* {{>x}} */
};

/* A run of text in the template copy: a name part, an indent. */
struct seg {
	const char	*s;
	size_t		 len;
};

struct op {
	enum optype	 type;
	int		 standalone;	/* its line was removed: no indent */
	const char	*s;		/* text, or the whole name */
	size_t		 len;
	size_t		 seg, nseg;	/* name parts in segs; 0 parts is "." */
	size_t		 end;		/* sections: the op after the body */
	char		*partial;	/* partial name, NUL-terminated */
	struct seg	 indent;	/* standalone partials: the line's indent */
	unsigned	 line, col;	/* of the tag, for messages */
};

struct tmpl {
	char		*text;		/* private copy; ops point into it */
	const char	*name;		/* interned */
	enum mesc	 esc;
	struct op	*ops;
	size_t		 nops, opcap;
	struct seg	*segs;
	size_t		 nsegs, segcap;
};

/* Compiler state: delimiters and a line:col cursor. */
struct cstate {
	struct tmpl	*t;
	const char	*end;
	struct seg	 otag, ctag;
	const char	*lp;		/* the cursor is at lp */
	unsigned	 line, col;
};

struct frame {
	json_t			*v;
	const struct frame	*up;
};

struct rstate {
	const struct render_opts *opts;
	struct buf	*out;
	int		 depth;		/* partials entered */
	int		 bol;		/* an indent is due before any output */
	size_t		 ibase, nind;	/* indents in force: ind[ibase..nind) */
	struct seg	 ind[MAXDEPTH + 1];
};

static int	render_ops(struct rstate *, const struct tmpl *, size_t,
		    size_t, const struct frame *);

/* ---- compiling ------------------------------------------------------- */

static void
cpos(struct cstate *c, const char *p, struct pos *pos)
{
	if (p < c->lp) {
		c->lp = c->t->text;
		c->line = c->col = 1;
	}
	for (; c->lp < p; c->lp++) {
		if (*c->lp == '\n') {
			c->line++;
			c->col = 1;
		} else if ((*c->lp & 0xc0) != 0x80)
			c->col++;	/* count UTF-8 characters, not bytes */
	}
	pos->file = c->t->name;
	pos->line = c->line;
	pos->col = c->col;
}

static const char *
find(const char *p, const char *end, struct seg needle)
{
	const char *last;

	if ((size_t)(end - p) < needle.len)
		return NULL;
	last = end - needle.len;
	while (p <= last) {
		p = memchr(p, needle.s[0], (size_t)(last - p) + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle.s, needle.len) == 0)
			return p;
		p++;
	}
	return NULL;
}

static int
isspc(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\f' || ch == '\v';
}

static struct seg
trim(const char *s, const char *e)
{
	struct seg r;

	while (s < e && isspc((unsigned char)*s))
		s++;
	while (e > s && isspc((unsigned char)e[-1]))
		e--;
	r.s = s;
	r.len = (size_t)(e - s);
	return r;
}

static struct op *
newop(struct tmpl *t, enum optype type)
{
	struct op *op;

	if (t->nops == t->opcap) {
		t->opcap = t->opcap ? t->opcap * 2 : 16;
		t->ops = xrealloc(t->ops, t->opcap * sizeof(*t->ops));
	}
	op = &t->ops[t->nops++];
	memset(op, 0, sizeof(*op));
	op->type = type;
	return op;
}

static void
addtext(struct tmpl *t, const char *s, const char *e)
{
	struct op *op;

	if (e <= s)
		return;
	op = newop(t, OP_TEXT);
	op->s = s;
	op->len = (size_t)(e - s);
}

/*
 * Split a name into its dotted parts.  "." is the top of the context
 * stack (no parts); an empty part ("a..b", ".a") is an error.
 */
static int
setname(struct tmpl *t, struct op *op, struct seg name, const struct pos *pos)
{
	const char *p, *e, *dot;

	op->s = name.s;
	op->len = name.len;
	op->seg = t->nsegs;
	if (name.len == 1 && name.s[0] == '.')
		return 1;
	for (p = name.s, e = name.s + name.len; ; p = dot + 1) {
		if ((dot = memchr(p, '.', (size_t)(e - p))) == NULL)
			dot = e;
		if (dot == p) {
			diag(EXIT_DATAERR, pos, "bad name '%.*s'",
			    (int)name.len, name.s);
			return 0;
		}
		if (t->nsegs == t->segcap) {
			t->segcap = t->segcap ? t->segcap * 2 : 16;
			t->segs = xrealloc(t->segs,
			    t->segcap * sizeof(*t->segs));
		}
		t->segs[t->nsegs].s = p;
		t->segs[t->nsegs].len = (size_t)(dot - p);
		t->nsegs++;
		op->nseg++;
		if (dot == e)
			return 1;
	}
}

/* {{=<% %>=}}: two non-empty delimiters without blanks or '='. */
static int
setdelims(struct cstate *c, struct seg in)
{
	const char *p = in.s, *e = in.s + in.len, *a;
	struct seg o, cl;

	for (a = p; p < e && !isspc((unsigned char)*p); p++)
		continue;
	o.s = a;
	o.len = (size_t)(p - a);
	cl = trim(p, e);
	if (o.len == 0 || cl.len == 0 || memchr(o.s, '=', o.len) != NULL ||
	    memchr(cl.s, '=', cl.len) != NULL)
		return 0;
	for (p = cl.s; p < cl.s + cl.len; p++)
		if (isspc((unsigned char)*p))
			return 0;
	c->otag = o;
	c->ctag = cl;
	return 1;
}

/*
 * Compile template text.  The text is copied; ops point into the copy.
 * Returns NULL after reporting "name:line:col: ..." with EXIT_DATAERR.
 * The caller frees the result with tmpl_free().
 */
struct tmpl *
tmpl_compile(const char *name, const char *text, size_t len, enum mesc esc)
{
	struct tmpl *t;
	struct cstate c;
	struct pos pos, opos;
	struct seg body, nm;
	struct op *op, *open;
	size_t *stack = NULL, nstack = 0, stackcap = 0;
	const char *textstart, *tag, *q, *m, *after, *ls, *le;
	int kind, closer, standalone, ok = 0;

	t = xcalloc(1, sizeof(*t));
	t->text = xmalloc(len + 1);
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->name = intern(name);
	t->esc = esc;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.end = t->text + len;
	c.otag.s = "{{";
	c.ctag.s = "}}";
	c.otag.len = c.ctag.len = 2;
	c.lp = t->text;
	c.line = c.col = 1;

	for (textstart = t->text; ; ) {
		if ((tag = find(textstart, c.end, c.otag)) == NULL) {
			addtext(t, textstart, c.end);
			break;
		}
		cpos(&c, tag, &pos);
		q = tag + c.otag.len;
		kind = q < c.end ? (unsigned char)*q : 0;
		if (kind == '{' || kind == '=') {
			/* The closing delimiter must follow a '}' or '='. */
			closer = kind == '{' ? '}' : '=';
			for (m = ++q; (m = find(m, c.end, c.ctag)) != NULL; m++)
				if (m > q && m[-1] == closer)
					break;
			body.s = q;
			body.len = m ? (size_t)(m - 1 - q) : 0;
		} else {
			if (kind != 0 && strchr("#^/!>&", kind) != NULL)
				q++;
			else
				kind = 0;
			m = find(q, c.end, c.ctag);
			body.s = q;
			body.len = m ? (size_t)(m - q) : 0;
		}
		if (m == NULL) {
			diag(EXIT_DATAERR, &pos, "unclosed tag: no '%s%.*s'",
			    kind == '{' ? "}" : kind == '=' ? "=" : "",
			    (int)c.ctag.len, c.ctag.s);
			goto out;
		}
		after = m + c.ctag.len;
		nm = trim(body.s, body.s + body.len);

		/*
		 * A section, comment, partial or delimiter tag alone on its
		 * line (blanks aside) takes the whole line with it.
		 */
		standalone = 0;
		ls = le = NULL;
		if (kind != 0 && kind != '{' && kind != '&') {
			for (ls = tag; ls > textstart &&
			    (ls[-1] == ' ' || ls[-1] == '\t'); ls--)
				continue;
			if (ls == t->text || ls[-1] == '\n') {
				for (le = after; le < c.end &&
				    (*le == ' ' || *le == '\t'); le++)
					continue;
				if (le == c.end)
					standalone = 1;
				else if (*le == '\n') {
					standalone = 1;
					le++;
				} else if (*le == '\r' && le + 1 < c.end &&
				    le[1] == '\n') {
					standalone = 1;
					le += 2;
				}
			}
		}
		addtext(t, textstart, standalone ? ls : tag);
		textstart = standalone ? le : after;

		if (kind != '!' && kind != '=' && nm.len == 0) {
			diag(EXIT_DATAERR, &pos, "empty tag");
			goto out;
		}
		switch (kind) {
		case '!':
			break;
		case '=':
			if (!setdelims(&c, nm)) {
				diag(EXIT_DATAERR, &pos, "bad delimiter change "
				    "'%.*s': want two delimiters without blanks "
				    "or '='", (int)nm.len, nm.s);
				goto out;
			}
			break;
		case '#':
		case '^':
			op = newop(t, kind == '#' ? OP_SECTION : OP_INVERTED);
			op->standalone = standalone;
			op->line = pos.line;
			op->col = pos.col;
			if (!setname(t, op, nm, &pos))
				goto out;
			if (nstack == stackcap) {
				stackcap = stackcap ? stackcap * 2 : 8;
				stack = xrealloc(stack,
				    stackcap * sizeof(*stack));
			}
			stack[nstack++] = t->nops - 1;
			break;
		case '/':
			if (nstack == 0) {
				diag(EXIT_DATAERR, &pos, "section end '%.*s' "
				    "without a section start",
				    (int)nm.len, nm.s);
				goto out;
			}
			open = &t->ops[stack[--nstack]];
			if (open->len != nm.len ||
			    memcmp(open->s, nm.s, nm.len) != 0) {
				diag(EXIT_DATAERR, &pos, "section end '%.*s' "
				    "does not match section '%.*s' opened at "
				    "line %u", (int)nm.len, nm.s,
				    (int)open->len, open->s, open->line);
				goto out;
			}
			open->end = t->nops;
			break;
		case '>':
			op = newop(t, OP_PARTIAL);
			op->standalone = standalone;
			op->line = pos.line;
			op->col = pos.col;
			op->s = nm.s;
			op->len = nm.len;
			op->partial = xstrndup(nm.s, nm.len);
			if (standalone) {
				op->indent.s = ls;
				op->indent.len = (size_t)(tag - ls);
			}
			break;
		default:
			op = newop(t, kind == 0 ? OP_VAR : OP_RAW);
			op->line = pos.line;
			op->col = pos.col;
			if (!setname(t, op, nm, &pos))
				goto out;
			break;
		}
	}
	if (nstack > 0) {
		open = &t->ops[stack[nstack - 1]];
		opos.file = t->name;
		opos.line = open->line;
		opos.col = open->col;
		diag(EXIT_DATAERR, &opos, "unclosed section '%.*s'",
		    (int)open->len, open->s);
		goto out;
	}
	ok = 1;
out:
	free(stack);
	if (!ok) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

/*
 * Compile the file at path; messages name the path.  Returns NULL after
 * reporting.  The caller frees the result with tmpl_free().
 */
static char *confine_root;

void
tmpl_confine(const char *root)
{
	free(confine_root);
	confine_root = root ? xstrdup(root) : NULL;
}

struct tmpl *
tmpl_load(const char *path, enum mesc esc)
{
	struct buf b = { 0 };
	struct tmpl *t = NULL;

	if ((confine_root != NULL && !path_confined(path, confine_root)) ||
	    !read_file_max(path, &b, GEN_MAX_TEMPLATE))
		goto out;
	t = tmpl_compile(path, b.s, b.len, esc);
out:
	buf_free(&b);
	return t;
}

/*
 * Free a template and everything it owns.  Accepts NULL.
 */
void
tmpl_free(struct tmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nops; i++)
		free(t->ops[i].partial);
	free(t->ops);
	free(t->segs);
	free(t->text);
	free(t);
}

/*
 * The name given at compile time (the path for tmpl_load).  Borrowed:
 * interned for the run.
 */
const char *
tmpl_name(const struct tmpl *t)
{
	return t->name;
}

/* ---- rendering ------------------------------------------------------- */

static void
oppos(const struct tmpl *t, const struct op *op, struct pos *pos)
{
	pos->file = t->name;
	pos->line = op->line;
	pos->col = op->col;
}

static void
addkeys(json_t *o, const char ***cands, size_t *n, size_t *cap)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (*n + 1 >= *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*cands = xrealloc(*cands, *cap * sizeof(**cands));
		}
		(*cands)[(*n)++] = key;
	}
}

/*
 * Report a name that resolves nowhere at part bad, suggesting the nearest
 * key of the objects searched: obj if set, else every object frame.
 */
static void
nowhere(const struct tmpl *t, const struct op *op, size_t bad,
    json_t *obj, const struct frame *fr)
{
	const struct seg *sg = t->segs + op->seg + bad;
	const char **cands = NULL, *near = NULL;
	const struct frame *f;
	size_t n = 0, cap = 0;
	struct pos pos;
	char *want;
	int prefix = (int)(sg->s - op->s) - 1;

	if (json_is_object(obj))
		addkeys(obj, &cands, &n, &cap);
	else if (obj == NULL)
		for (f = fr; f != NULL; f = f->up)
			if (json_is_object(f->v))
				addkeys(f->v, &cands, &n, &cap);
	want = xstrndup(sg->s, sg->len);
	if (n > 0) {
		cands[n] = NULL;
		near = nearest(want, cands);
	}
	oppos(t, op, &pos);
	if (bad == 0)
		diag(EXIT_DATAERR, &pos, "name '%.*s' resolves nowhere%s%s%s",
		    (int)op->len, op->s, near ? " (did you mean '" : "",
		    near ? near : "", near ? "'?)" : "");
	else if (!json_is_object(obj))
		diag(EXIT_DATAERR, &pos, "name '%.*s' resolves nowhere: "
		    "'%.*s' is not an object", (int)op->len, op->s,
		    prefix, op->s);
	else
		diag(EXIT_DATAERR, &pos, "name '%.*s' resolves nowhere: "
		    "'%.*s' has no key '%s'%s%s%s", (int)op->len, op->s,
		    prefix, op->s, want, near ? " (did you mean '" : "",
		    near ? near : "", near ? "'?)" : "");
	free(want);
	free(cands);
}

/*
 * Look a name up in the context stack.  *vp is NULL when the name is
 * missing (lenient) or runs through a null or false value.  Returns 0
 * after reporting a name that resolves nowhere (strict).
 */
static int
resolve(const struct rstate *rs, const struct tmpl *t, const struct op *op,
    const struct frame *fr, json_t **vp)
{
	const struct seg *sg = t->segs + op->seg;
	const struct frame *f;
	json_t *v = NULL, *next;
	size_t i;

	*vp = NULL;
	if (op->nseg == 0) {
		*vp = fr->v;
		return 1;
	}
	for (f = fr; f != NULL; f = f->up)
		if (json_is_object(f->v) && (v = json_object_getn(f->v,
		    sg[0].s, sg[0].len)) != NULL)
			break;
	if (v == NULL) {
		if (!rs->opts->lenient)
			nowhere(t, op, 0, NULL, fr);
		return rs->opts->lenient;
	}
	for (i = 1; i < op->nseg; i++) {
		if (json_is_null(v) || json_is_false(v))
			return 1;
		next = json_is_object(v) ?
		    json_object_getn(v, sg[i].s, sg[i].len) : NULL;
		if (next == NULL) {
			if (!rs->opts->lenient)
				nowhere(t, op, i, v, NULL);
			return rs->opts->lenient;
		}
		v = next;
	}
	*vp = v;
	return 1;
}

static int
truthy(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

static void
put_indent(struct rstate *rs)
{
	size_t i;

	for (i = rs->ibase; i < rs->nind; i++)
		buf_add(rs->out, rs->ind[i].s, rs->ind[i].len);
	rs->bol = 0;
}

/* Template text; inside an indented partial every line gets the indent. */
static void
put_text(struct rstate *rs, const char *s, size_t len)
{
	const char *nl;
	size_t n;

	if (rs->nind == rs->ibase) {
		buf_add(rs->out, s, len);
		return;
	}
	while (len > 0) {
		if (rs->bol)
			put_indent(rs);
		nl = memchr(s, '\n', len);
		n = nl ? (size_t)(nl - s) + 1 : len;
		buf_add(rs->out, s, n);
		s += n;
		len -= n;
		if (nl != NULL)
			rs->bol = 1;
	}
}

static void
put_html(struct buf *b, const char *s, size_t len)
{
	const char *e;
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&#39;";
			break;
		case '`':
			e = "&#96;";
			break;
		case '=':
			e = "&#61;";
			break;
		default:
			continue;
		}
		buf_add(b, s + run, i - run);
		buf_puts(b, e);
		run = i + 1;
	}
	buf_add(b, s + run, len - run);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double. */
static void
put_real(struct buf *b, double d)
{
	char s[40];
	int prec;

	for (prec = 15; ; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (prec == 17 || strtod(s, NULL) == d)
			break;
	}
	buf_puts(b, s);
}

static int
put_value(struct rstate *rs, const struct tmpl *t, const struct op *op,
    const json_t *v)
{
	struct pos pos;
	char s[32];

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (op->type == OP_VAR && t->esc == MESC_HTML)
			put_html(rs->out, json_string_value(v),
			    json_string_length(v));
		else
			buf_add(rs->out, json_string_value(v),
			    json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(s, sizeof(s), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		buf_puts(rs->out, s);
		break;
	case JSON_REAL:
		put_real(rs->out, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_puts(rs->out, "true");
		break;
	case JSON_FALSE:
	case JSON_NULL:
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (rs->opts->lenient)
			break;
		oppos(t, op, &pos);
		diag(EXIT_DATAERR, &pos, "name '%.*s' is %s, not a value",
		    (int)op->len, op->s,
		    json_is_object(v) ? "an object" : "a list");
		return 0;
	}
	return 1;
}

static int
render_partial(struct rstate *rs, const struct tmpl *t, const struct op *op,
    const struct frame *fr)
{
	const struct tmpl *p = NULL;
	struct pos pos;
	size_t ibase = rs->ibase, nind = rs->nind;
	int bol = rs->bol, rc;

	if (rs->opts->partial != NULL)
		p = rs->opts->partial(rs->opts->partial_arg, op->partial);
	if (p == NULL) {
		if (rs->opts->lenient)
			return 1;
		oppos(t, op, &pos);
		diag(EXIT_DATAERR, &pos, "partial '%s' not found",
		    op->partial);
		return 0;
	}
	if (rs->depth >= MAXDEPTH) {
		oppos(t, op, &pos);
		diag(EXIT_DATAERR, &pos, "partials nested deeper than %d "
		    "(endless recursion of '%s'?)", MAXDEPTH, op->partial);
		return 0;
	}
	/* Only standalone partials are indented, and they add up. */
	if (!op->standalone)
		rs->ibase = rs->nind;
	else if (op->indent.len > 0)
		rs->ind[rs->nind++] = op->indent;
	rs->bol = rs->nind > rs->ibase;
	rs->depth++;
	rc = render_ops(rs, p, 0, p->nops, fr);
	rs->depth--;
	rs->ibase = ibase;
	rs->nind = nind;
	rs->bol = bol;
	return rc;
}

static int
render_ops(struct rstate *rs, const struct tmpl *t, size_t from, size_t to,
    const struct frame *fr)
{
	const struct op *op;
	struct frame f;
	json_t *v;
	size_t i, j;

	for (i = from; i < to; i++) {
		op = &t->ops[i];
		if (rs->bol && !op->standalone)
			put_indent(rs);
		switch (op->type) {
		case OP_TEXT:
			put_text(rs, op->s, op->len);
			break;
		case OP_VAR:
		case OP_RAW:
			if (!resolve(rs, t, op, fr, &v))
				return 0;
			if (v != NULL && !put_value(rs, t, op, v))
				return 0;
			break;
		case OP_SECTION:
		case OP_INVERTED:
			if (!resolve(rs, t, op, fr, &v))
				return 0;
			f.up = fr;
			if (op->type == OP_INVERTED) {
				if (!truthy(v) &&
				    !render_ops(rs, t, i + 1, op->end, fr))
					return 0;
			} else if (json_is_array(v)) {
				for (j = 0; j < json_array_size(v); j++) {
					f.v = json_array_get(v, j);
					if (!render_ops(rs, t, i + 1, op->end,
					    &f))
						return 0;
				}
			} else if (truthy(v)) {
				f.v = v;
				if (!render_ops(rs, t, i + 1, op->end, &f))
					return 0;
			}
			i = op->end - 1;
			break;
		case OP_PARTIAL:
			if (!render_partial(rs, t, op, fr))
				return 0;
			break;
		}
	}
	return 1;
}

/*
 * Render t with ctx (borrowed), appending to out.  Returns 1, or 0 after
 * reporting a name that resolves nowhere, a missing partial or partials
 * nested too deep; out may then hold partial output.
 */
int
tmpl_render(const struct tmpl *t, json_t *ctx, const struct render_opts *opts,
    struct buf *out)
{
	static const struct render_opts defaults;
	struct rstate rs;
	struct frame root;

	rs.opts = opts != NULL ? opts : &defaults;
	rs.out = out;
	rs.depth = 0;
	rs.bol = 0;
	rs.ibase = rs.nind = 0;
	root.v = ctx;
	root.up = NULL;
	/* An empty template still leaves out NUL-terminated. */
	buf_add(out, "", 0);
	return render_ops(&rs, t, 0, t->nops, &root);
}

int
tmplset_load(struct tmplset *s, const char *dir, enum mesc esc)
{
	const char *name;
	struct dlist l;
	char *path;
	size_t len, i;
	int ok = 1;

	if (!dir_list(dir, &l)) {
		if (errno == ENOENT)
			return 1;
		diag_errno(dir, 0, "cannot read folder");
		return 0;
	}
	for (i = 0; i < l.n; i++) {
		name = l.e[i].name;
		len = strlen(name);
		if (name[0] == '.' || len <= 9 ||
		    strcmp(name + len - 9, ".mustache") != 0)
			continue;
		path = xasprintf("%s/%s", dir, name);
		s->name = xrealloc(s->name, (s->n + 1) * sizeof(*s->name));
		s->t = xrealloc(s->t, (s->n + 1) * sizeof(*s->t));
		s->name[s->n] = xstrndup(name, len - 9);
		if ((s->t[s->n] = tmpl_load(path, esc)) == NULL)
			ok = 0;
		s->n++;
		free(path);
	}
	dlist_free(&l);
	return ok;
}

const struct tmpl *
tmplset_get(const struct tmplset *s, const char *name)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return s->t[i];
	return NULL;
}

void
tmplset_clear(struct tmplset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->name[i]);
		tmpl_free(s->t[i]);
	}
	free(s->name);
	free(s->t);
	memset(s, 0, sizeof(*s));
}
