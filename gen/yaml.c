/*
 * yaml.c - load a YAML document into a tree of ynodes that keep positions.
 *
 * libyaml's parser events drive a stack of open containers.  A new node
 * holds one reference, which adding it to its parent hands over; an alias
 * takes another reference on the anchored node.  Every node records its
 * expanded size (weight) and height as it is built, so an alias bomb is
 * refused after a bounded amount of work and without expanding anything.
 * A mapping is finished when it ends: one sort of its entries and of the
 * entries merged in with "<<" finds duplicate keys, resolves the merge and
 * yields the index that ymap_get searches.
 */
#include <errno.h>
#include <math.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>	/* libyaml; build without -Igen, which would hide it */

#include "yaml.h"

/* A container being built. */
struct frame {
	struct ynode	*node;
	size_t		 cap;		/* of node->items (and keys, kat) */
	char		*anchor;	/* defined when the node ends */
	/* mappings */
	struct pos	*kat;		/* where each explicit key is written */
	struct ynode	*key;		/* key waiting for its value */
	struct pos	 keyat;		/* where that key is written */
	int		 mergekey;	/* that key is "<<" */
	unsigned	 mergeline;	/* line of the "<<" key, 0 if none yet */
	struct ynode	*mergeval;	/* the value of "<<" */
	struct pos	 mergeat;	/* where that value is written */
	/* sequences */
	int		 mergelist;	/* this is the value of "<<" */
};

/* The newest definition of an anchor. */
struct anchor {
	char		*name;
	struct ynode	*node;		/* newest finished node, or NULL */
	int		 open;		/* a newer one is still being built */
};

struct loader {
	const char	*file;		/* interned */
	const char	*buf;
	size_t		 len;
	struct frame	*stack;
	size_t		 depth, cap;
	struct ynode	*root;
	void		*anchors;	/* tsearch(3) tree of struct anchor */
	struct anchor  **alist;		/* the same, for freeing */
	size_t		 nanchors, acap;
	size_t		*lines;		/* offset of each line's start, built
					   when a block scalar needs it */
	size_t		 nlines;
};

/* A candidate entry of a mapping being finished. */
struct cand {
	struct ynode	*k, *v;
	const struct pos *at;		/* explicit entries: the key's place */
	size_t		 pos;		/* merged entries first, in order */
};

enum stype { S_STR, S_NULL, S_BOOL, S_INT, S_FLOAT, S_NONFINITE };

static void
mark_pos(const struct loader *ld, yaml_mark_t m, struct pos *at)
{
	at->file = ld->file;
	at->line = (unsigned)m.line + 1;
	at->col = (unsigned)m.column + 1;
}

static struct ynode *
node_new(enum ykind kind, const struct pos *at, const yaml_char_t *tag)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->pos = *at;
	n->refs = 1;
	n->weight = 1;
	n->height = 1;
	if (tag != NULL)
		n->tag = xstrdup((const char *)tag);
	return n;
}

static int
keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	if ((c = memcmp(a, b, alen < blen ? alen : blen)) != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
anchor_cmp(const void *a, const void *b)
{
	return strcmp(((const struct anchor *)a)->name,
	    ((const struct anchor *)b)->name);
}

static struct anchor *
anchor_find(struct loader *ld, const char *name)
{
	struct anchor key, **p;

	key.name = (char *)name;
	p = tfind(&key, &ld->anchors, anchor_cmp);
	return p == NULL ? NULL : *p;
}

/* The entry for name, created if new; NULL if tsearch runs out of memory. */
static struct anchor *
anchor_get(struct loader *ld, const char *name)
{
	struct anchor *a;

	if ((a = anchor_find(ld, name)) != NULL)
		return a;
	a = xcalloc(1, sizeof(*a));
	a->name = xstrdup(name);
	if (ld->nanchors == ld->acap) {
		ld->acap = ld->acap ? ld->acap * 2 : 16;
		ld->alist = xrealloc(ld->alist, ld->acap * sizeof(*ld->alist));
	}
	ld->alist[ld->nanchors++] = a;
	if (tsearch(a, &ld->anchors, anchor_cmp) == NULL) {
		diag(EXIT_IOERR, NULL, "out of memory");
		return NULL;
	}
	return a;
}

/* Make n the newest definition of name. */
static int
anchor_define(struct loader *ld, const char *name, struct ynode *n)
{
	struct anchor *a;

	if ((a = anchor_get(ld, name)) == NULL)
		return 0;
	ynode_free(a->node);
	n->refs++;
	a->node = n;
	a->open = 0;
	return 1;
}

/*
 * Account for child c added under p.  Counting shared nodes every time
 * they are reached bounds the expanded document; the height bound keeps
 * recursion over trees (here and in callers) shallow.
 */
static int
grow(struct ynode *p, const struct ynode *c, const struct pos *at)
{
	p->weight += c->weight;
	if (p->weight > YAML_MAX_NODES) {
		diag(EXIT_DATAERR, at, "document expands to more than %d "
		    "nodes (alias bomb?)", YAML_MAX_NODES);
		return 0;
	}
	if (c->height >= p->height) {
		p->height = c->height + 1;
		if (p->height > YAML_MAX_DEPTH) {
			diag(EXIT_DATAERR, at, "document nests deeper than %d "
			    "levels", YAML_MAX_DEPTH);
			return 0;
		}
	}
	return 1;
}

static void
append(struct frame *f, struct ynode *k, const struct pos *kat,
    struct ynode *v)
{
	struct ynode *n = f->node;

	if (n->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		n->items = xrealloc(n->items, f->cap * sizeof(*n->items));
		if (n->kind == Y_MAP) {
			n->keys = xrealloc(n->keys, f->cap * sizeof(*n->keys));
			f->kat = xrealloc(f->kat, f->cap * sizeof(*f->kat));
		}
	}
	if (n->kind == Y_MAP) {
		n->keys[n->n] = k;
		f->kat[n->n] = *kat;
	}
	n->items[n->n++] = v;
}

static int
is_mergekey(const struct ynode *k)
{
	if (k->len != 2 || memcmp(k->str, "<<", 2) != 0)
		return 0;
	return k->plain ||
	    (k->tag != NULL && strcmp(k->tag, "tag:yaml.org,2002:merge") == 0);
}

static int
merge_ok(const struct ynode *v, const struct pos *at)
{
	size_t i;

	if (v->kind == Y_MAP)
		return 1;
	if (v->kind == Y_SEQ) {
		for (i = 0; i < v->n; i++)
			if (v->items[i]->kind != Y_MAP) {
				diag(EXIT_DATAERR, at, "merge list item %zu "
				    "must be a mapping, not %s", i + 1,
				    ynode_what(v->items[i]));
				return 0;
			}
		return 1;
	}
	diag(EXIT_DATAERR, at, "merge value must be a mapping or a sequence "
	    "of mappings, not %s", ynode_what(v));
	return 0;
}

/* Hand n (one reference) to the open container, or make it the root. */
static int
add(struct loader *ld, struct ynode *n, const struct pos *at)
{
	struct frame *f;

	if (ld->depth == 0) {
		ld->root = n;
		return 1;
	}
	f = &ld->stack[ld->depth - 1];
	if (f->node->kind == Y_SEQ) {
		if (f->mergelist && n->kind != Y_MAP) {
			diag(EXIT_DATAERR, at, "merge list items must be "
			    "mappings, not %s", ynode_what(n));
			goto fail;
		}
		if (!grow(f->node, n, at))
			goto fail;
		append(f, NULL, NULL, n);
		return 1;
	}
	if (f->key == NULL) {
		if (n->kind != Y_SCALAR) {
			diag(EXIT_DATAERR, at, "keys must be scalars");
			goto fail;
		}
		if (is_mergekey(n)) {
			if (f->mergeline) {
				diag(EXIT_DATAERR, at, "duplicate key '<<' "
				    "(first at line %u)", f->mergeline);
				goto fail;
			}
			f->mergeline = at->line;
			f->mergekey = 1;
		} else if (!grow(f->node, n, at))
			goto fail;
		f->key = n;
		f->keyat = *at;
		return 1;
	}
	if (f->mergekey) {
		if (!merge_ok(n, at))
			goto fail;
		ynode_free(f->key);
		f->key = NULL;
		f->mergekey = 0;
		f->mergeval = n;
		f->mergeat = *at;
		return 1;
	}
	if (!grow(f->node, n, at))
		goto fail;
	append(f, f->key, &f->keyat, n);
	f->key = NULL;
	return 1;
fail:
	ynode_free(n);
	return 0;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c;

	c = keycmp(x->k->str, x->k->len, y->k->str, y->k->len);
	if (c != 0)
		return c;
	/* Explicit entries sort first: they win. */
	if ((x->at == NULL) != (y->at == NULL))
		return x->at == NULL ? 1 : -1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
same_key(const struct cand *a, const struct cand *b)
{
	return keycmp(a->k->str, a->k->len, b->k->str, b->k->len) == 0;
}

/*
 * Finish a mapping.  The candidates are the merged entries (in merge
 * order) then the explicit ones; sorted by key with explicit entries first,
 * each group's first member wins and takes the slot of the group's earliest
 * candidate.  Two explicit members in a group are a duplicate key.
 */
static int
finish_map(struct frame *f)
{
	struct ynode *m = f->node, **srcs = NULL, **keys = NULL,
	    **items = NULL;
	struct cand *c = NULL;
	size_t nsrc = 0, nc = 0, ng = 0, i, j, s, r, dup = SIZE_MAX;
	size_t *win = NULL, *gslot = NULL, *rank = NULL, *order = NULL;
	int rc = 0;

	if (f->mergeval != NULL) {
		if (f->mergeval->kind == Y_MAP) {
			srcs = &f->mergeval;
			nsrc = 1;
		} else {
			srcs = f->mergeval->items;
			nsrc = f->mergeval->n;
		}
	}
	for (i = 0; i < nsrc; i++)
		nc += srcs[i]->n;
	nc += m->n;
	if (nc == 0)
		goto merged;

	c = xcalloc(nc, sizeof(*c));
	nc = 0;
	for (i = 0; i < nsrc; i++)
		for (j = 0; j < srcs[i]->n; j++, nc++) {
			c[nc].k = srcs[i]->keys[j];
			c[nc].v = srcs[i]->items[j];
			c[nc].pos = nc;
		}
	for (i = 0; i < m->n; i++, nc++) {
		c[nc].k = m->keys[i];
		c[nc].v = m->items[i];
		c[nc].at = &f->kat[i];
		c[nc].pos = nc;
	}
	qsort(c, nc, sizeof(*c), cand_cmp);

	win = xmalloc(nc * sizeof(*win));
	gslot = xmalloc(nc * sizeof(*gslot));
	for (i = 0; i < nc; i++)
		win[i] = SIZE_MAX;
	for (i = 0; i < nc; i = j) {
		for (j = i + 1; j < nc && same_key(&c[i], &c[j]); j++)
			continue;
		if (j > i + 1 && c[i + 1].at != NULL &&
		    (dup == SIZE_MAX || c[i + 1].pos < c[dup].pos))
			dup = i + 1;
		/* Merged candidates come before explicit ones. */
		s = c[i].at != NULL && j > i + 1 ? c[i + 1].pos : c[i].pos;
		win[s] = i;
		gslot[ng++] = s;
	}
	if (dup != SIZE_MAX) {
		diag(EXIT_DATAERR, c[dup].at, "duplicate key '%s' (first at "
		    "line %u)", c[dup].k->str, c[dup - 1].at->line);
		goto out;
	}

	keys = xmalloc(ng * sizeof(*keys));
	items = xmalloc(ng * sizeof(*items));
	rank = xmalloc(nc * sizeof(*rank));
	for (s = r = 0; s < nc; s++) {
		if (win[s] == SIZE_MAX)
			continue;
		i = win[s];
		if (c[i].at == NULL) {
			/* Borrowed from the source mapping. */
			c[i].k->refs++;
			c[i].v->refs++;
		}
		keys[r] = c[i].k;
		items[r] = c[i].v;
		rank[s] = r++;
	}
	order = xmalloc(ng * sizeof(*order));
	for (i = 0; i < ng; i++)
		order[i] = rank[gslot[i]];

	/* Every explicit entry won, so its reference moved to keys/items. */
	free(m->keys);
	free(m->items);
	m->keys = keys;
	m->items = items;
	m->n = ng;
	m->order = order;
	keys = items = NULL;

	if (nsrc > 0) {
		m->weight = 1;
		m->height = 1;
		for (i = 0; i < m->n; i++)
			if (!grow(m, m->keys[i], &f->mergeat) ||
			    !grow(m, m->items[i], &f->mergeat))
				goto out;
	}
merged:
	if (nsrc > 0) {
		m->merged = xmalloc(nsrc * sizeof(*m->merged));
		for (i = 0; i < nsrc; i++) {
			m->merged[i] = srcs[i];
			srcs[i]->refs++;
		}
		m->nmerged = nsrc;
	}
	rc = 1;
out:
	free(c);
	free(win);
	free(gslot);
	free(rank);
	free(keys);
	free(items);
	return rc;
}

/* The core schema's tags as libyaml resolves "!!x". */
#define CORE_TAG	"tag:yaml.org,2002:"

/* A tag as written, for messages: "!!int", "!custom", "!<tag:x>". */
static char *
tag_shown(const char *tag)
{
	if (strncmp(tag, CORE_TAG, strlen(CORE_TAG)) == 0)
		return xasprintf("!!%s", tag + strlen(CORE_TAG));
	if (tag[0] == '!')
		return xstrdup(tag);
	return xasprintf("!<%s>", tag);
}

/* Scalar text for a message: quoted, control characters escaped, cut. */
static char *
text_shown(const char *s, size_t len)
{
	struct buf b = { 0 };
	size_t i;

	buf_putc(&b, '"');
	for (i = 0; i < len && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			buf_printf(&b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(&b, "\\x%02x", c);
		else
			buf_putc(&b, c);
	}
	buf_puts(&b, i < len ? "...\"" : "\"");
	return b.s;
}

static int	is_null_text(const char *, size_t);
static int	bool_text(const char *, size_t);
static int	is_int_text(const char *, size_t);
static int	is_float_text(const char *, size_t);
static int	is_nonfinite_text(const char *, size_t);

/*
 * Only the core schema's tags are read, and each must fit its node: a tag
 * gen does not know would otherwise be dropped without a word, and
 * "!!int abc" would silently be a string.
 */
static int
tag_ok(const struct ynode *n, const struct pos *at)
{
	static const char *const kinds[] = { "a scalar", "a sequence",
	    "a mapping" };
	const char *t = n->tag, *what = NULL;
	char *shown, *text;
	int fits = 1;

	if (t == NULL || strcmp(t, "!") == 0)
		return 1;
	if (strncmp(t, CORE_TAG, strlen(CORE_TAG)) == 0) {
		t += strlen(CORE_TAG);
		if (!strcmp(t, "seq"))
			fits = n->kind == Y_SEQ;
		else if (!strcmp(t, "map"))
			fits = n->kind == Y_MAP;
		else if (!strcmp(t, "str") || !strcmp(t, "int") ||
		    !strcmp(t, "float") || !strcmp(t, "bool") ||
		    !strcmp(t, "null") || !strcmp(t, "merge")) {
			if (n->kind != Y_SCALAR)
				fits = 0;
			else if (!strcmp(t, "int")) {
				fits = is_int_text(n->str, n->len);
				what = "an integer";
			} else if (!strcmp(t, "float")) {
				fits = is_float_text(n->str, n->len) ||
				    is_nonfinite_text(n->str, n->len);
				what = "a float";
			} else if (!strcmp(t, "bool")) {
				fits = bool_text(n->str, n->len) >= 0;
				what = "true or false";
			} else if (!strcmp(t, "null")) {
				fits = is_null_text(n->str, n->len);
				what = "null";
			} else if (!strcmp(t, "merge")) {
				fits = n->len == 2 && !memcmp(n->str, "<<", 2);
				what = "'<<'";
			}
		} else
			goto unknown;
		if (fits)
			return 1;
		shown = tag_shown(n->tag);
		if (n->kind == Y_SCALAR && what != NULL) {
			text = text_shown(n->str, n->len);
			diag(EXIT_DATAERR, at, "%s is tagged %s but is not %s",
			    text, shown, what);
			free(text);
		} else
			diag(EXIT_DATAERR, at, "%s cannot be tagged %s",
			    kinds[n->kind], shown);
		free(shown);
		return 0;
	}
unknown:
	shown = tag_shown(n->tag);
	diag(EXIT_DATAERR, at, "unsupported tag %s (gen reads YAML's core "
	    "schema: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
	    shown);
	free(shown);
	return 0;
}

/* The byte offset where 0-based line k starts, or SIZE_MAX.  Line breaks
 * are libyaml's: CR LF, CR, LF, NEL, LS and PS. */
static size_t
line_offset(struct loader *ld, size_t k)
{
	const unsigned char *b = (const unsigned char *)ld->buf;
	size_t i, cap = 0;

	if (ld->lines == NULL) {
		ld->lines = xmalloc((cap = 64) * sizeof(*ld->lines));
		ld->lines[ld->nlines++] = 0;
		for (i = 0; i < ld->len; i++) {
			if (b[i] == '\r' && i + 1 < ld->len && b[i + 1] == '\n')
				i++;
			else if (b[i] == 0xc2 && i + 1 < ld->len &&
			    b[i + 1] == 0x85)
				i++;
			else if (b[i] == 0xe2 && i + 2 < ld->len &&
			    b[i + 1] == 0x80 && (b[i + 2] == 0xa8 ||
			    b[i + 2] == 0xa9))
				i += 2;
			else if (b[i] != '\r' && b[i] != '\n')
				continue;
			if (ld->nlines == cap)
				ld->lines = xrealloc(ld->lines, (cap *= 2) *
				    sizeof(*ld->lines));
			ld->lines[ld->nlines++] = i + 1;
		}
	}
	return k < ld->nlines ? ld->lines[k] : SIZE_MAX;
}

static size_t
lead_spaces(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] == ' '; i++)
		continue;
	return i;
}

/*
 * The column where a literal block scalar's text starts.  Its text line k
 * is source line first + k with the block's indentation removed, so one
 * line with something on it tells the indentation, whether it was given
 * ("|2") or detected.  0 when the source is not UTF-8 or does not match.
 */
static unsigned
block_indent(struct loader *ld, const struct ynode *n, unsigned first)
{
	const char *t = n->str, *e = n->str + n->len, *nl, *src;
	size_t k, off, tl, sl, send;

	if (ld->len >= 2 && ((unsigned char)ld->buf[0] >= 0xfe ||
	    ld->buf[0] == '\0' || ld->buf[1] == '\0'))
		return 0;	/* UTF-16 or UTF-32: offsets are not bytes */
	for (k = 0; t < e; k++, t = nl + 1) {
		if ((nl = memchr(t, '\n', (size_t)(e - t))) == NULL)
			nl = e;
		tl = lead_spaces(t, (size_t)(nl - t));
		if (t + tl == nl)
			continue;	/* blank: says nothing */
		if ((off = line_offset(ld, first - 1 + k)) == SIZE_MAX)
			return 0;
		send = line_offset(ld, first + k);
		src = ld->buf + off;
		sl = lead_spaces(src, (send == SIZE_MAX ? ld->len : send) - off);
		return sl >= tl ? (unsigned)(sl - tl) + 1 : 0;
	}
	return 0;
}

static int
start_node(struct loader *ld, enum ykind kind, const yaml_event_t *ev)
{
	const yaml_char_t *anchor, *tag;
	struct anchor *a;
	struct frame *f;
	struct pos at;

	if (kind == Y_SEQ) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	mark_pos(ld, ev->start_mark, &at);
	if (ld->depth >= YAML_MAX_DEPTH) {
		diag(EXIT_DATAERR, &at, "document nests deeper than %d levels",
		    YAML_MAX_DEPTH);
		return 0;
	}
	if (ld->depth == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 16;
		ld->stack = xrealloc(ld->stack, ld->cap * sizeof(*ld->stack));
	}
	f = &ld->stack[ld->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node_new(kind, &at, tag);
	if (!tag_ok(f->node, &at))
		return 0;
	if (kind == Y_SEQ && ld->depth > 1 && f[-1].mergekey &&
	    f[-1].key != NULL)
		f->mergelist = 1;
	if (anchor != NULL) {
		/* Aliases inside the node must not reach it: no cycles. */
		if ((a = anchor_get(ld, (const char *)anchor)) == NULL)
			return 0;
		a->open = 1;
		f->anchor = xstrdup((const char *)anchor);
	}
	return 1;
}

/* Free what a frame holds besides its node and anchor name. */
static void
frame_clear(struct frame *f)
{
	free(f->kat);
	ynode_free(f->key);
	ynode_free(f->mergeval);
	f->kat = NULL;
	f->key = f->mergeval = NULL;
}

static int
end_node(struct loader *ld)
{
	struct frame *f = &ld->stack[--ld->depth];
	struct ynode *n = f->node;
	char *anchor = f->anchor;
	int ok = 1;

	if (n->kind == Y_MAP)
		ok = finish_map(f);
	frame_clear(f);
	if (ok && anchor != NULL)
		ok = anchor_define(ld, anchor, n);
	free(anchor);
	if (!ok) {
		ynode_free(n);
		return 0;
	}
	return add(ld, n, &n->pos);
}

static int
on_scalar(struct loader *ld, const yaml_event_t *ev)
{
	static const enum ystyle styles[] = {
		[YAML_PLAIN_SCALAR_STYLE] = YS_PLAIN,
		[YAML_SINGLE_QUOTED_SCALAR_STYLE] = YS_SINGLE,
		[YAML_DOUBLE_QUOTED_SCALAR_STYLE] = YS_DOUBLE,
		[YAML_LITERAL_SCALAR_STYLE] = YS_LITERAL,
		[YAML_FOLDED_SCALAR_STYLE] = YS_FOLDED,
	};
	struct ynode *n;
	struct pos at;

	mark_pos(ld, ev->start_mark, &at);
	n = node_new(Y_SCALAR, &at, ev->data.scalar.tag);
	n->str = xstrndup((const char *)ev->data.scalar.value,
	    ev->data.scalar.length);
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    n->tag == NULL;
	if ((size_t)ev->data.scalar.style < sizeof(styles) / sizeof(styles[0]))
		n->style = styles[ev->data.scalar.style];
	/* The text starts on the line after the indicator. */
	if (n->style == YS_LITERAL)
		n->indent = block_indent(ld, n, at.line + 1);
	if (!tag_ok(n, &at) || (ev->data.scalar.anchor != NULL &&
	    !anchor_define(ld, (const char *)ev->data.scalar.anchor, n))) {
		ynode_free(n);
		return 0;
	}
	return add(ld, n, &at);
}

static int
on_alias(struct loader *ld, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a;
	struct pos at;

	mark_pos(ld, ev->start_mark, &at);
	if ((a = anchor_find(ld, name)) == NULL) {
		diag(EXIT_DATAERR, &at, "undefined alias '%s'", name);
		return 0;
	}
	if (a->open) {
		diag(EXIT_DATAERR, &at, "alias '%s' refers to a node that "
		    "contains it", name);
		return 0;
	}
	a->node->refs++;
	return add(ld, a->node, &at);
}

static void
syntax_error(const struct loader *ld, const yaml_parser_t *p)
{
	struct pos at = { ld->file, 0, 0 };
	const char *problem = p->problem ? p->problem : "cannot parse";
	size_t i, end;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		diag(EXIT_IOERR, &at, "out of memory");
		return;
	case YAML_READER_ERROR:
		/* Reader errors carry a byte offset, not a mark. */
		end = p->problem_offset < ld->len ? p->problem_offset : ld->len;
		at.line = at.col = 1;
		for (i = 0; i < end; i++)
			if (ld->buf[i] == '\n') {
				at.line++;
				at.col = 1;
			} else if ((ld->buf[i] & 0xc0) != 0x80)
				at.col++;
		break;
	default:
		mark_pos(ld, p->problem_mark, &at);
		break;
	}
	if (p->context != NULL)
		diag(EXIT_DATAERR, &at, "%s (%s)", problem, p->context);
	else
		diag(EXIT_DATAERR, &at, "%s", problem);
}

static void
loader_free(struct loader *ld)
{
	struct anchor *a;
	struct frame *f;
	size_t i;

	while (ld->depth > 0) {
		f = &ld->stack[--ld->depth];
		frame_clear(f);
		ynode_free(f->node);
		free(f->anchor);
	}
	free(ld->stack);
	for (i = 0; i < ld->nanchors; i++) {
		a = ld->alist[i];
		tdelete(a, &ld->anchors, anchor_cmp);
		ynode_free(a->node);
		free(a->name);
		free(a);
	}
	free(ld->alist);
	free(ld->lines);
	ynode_free(ld->root);
}

/*
 * Parse the first document of buf (named name in messages) into a tree.
 * Returns the root, or NULL after reporting; the caller frees the root
 * with ynode_free.
 */
struct ynode *
yaml_load_buf(const char *name, const char *buf, size_t len)
{
	struct loader ld;
	yaml_parser_t p;
	yaml_event_t ev;
	struct ynode *root = NULL;
	struct pos at;
	int ndoc = 0, done = 0, ok;

	if (buf == NULL)
		buf = "";
	memset(&ld, 0, sizeof(ld));
	ld.file = intern(name);
	ld.buf = buf;
	ld.len = len;
	if (!yaml_parser_initialize(&p)) {
		diag(EXIT_IOERR, NULL, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(&ld, &p);
			goto out;
		}
		ok = 1;
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (ndoc++ > 0) {
				mark_pos(&ld, ev.start_mark, &at);
				diag(EXIT_DATAERR, &at, "only one YAML "
				    "document is allowed");
				ok = 0;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_ALIAS_EVENT:
			ok = on_alias(&ld, &ev);
			break;
		case YAML_SCALAR_EVENT:
			ok = on_scalar(&ld, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			ok = start_node(&ld, Y_SEQ, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
			ok = start_node(&ld, Y_MAP, &ev);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			ok = end_node(&ld);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (!ok)
			goto out;
	}
	if (ld.root == NULL) {
		at.file = ld.file;
		at.line = at.col = 1;
		ld.root = node_new(Y_SCALAR, &at, NULL);
		ld.root->str = xstrdup("");
		ld.root->plain = 1;
	}
	root = ld.root;
	ld.root = NULL;
out:
	yaml_parser_delete(&p);
	loader_free(&ld);
	return root;
}

/*
 * Parse the first document of the file at path.  Returns the root, or NULL
 * after reporting (EXIT_NOINPUT when the file is missing).
 */
struct ynode *
yaml_load_file(const char *path)
{
	struct buf b = { 0 };
	struct ynode *n = NULL;

	if (read_file_max(path, &b, GEN_MAX_MANIFEST))
		n = yaml_load_buf(path, b.s, b.len);
	buf_free(&b);
	return n;
}

/*
 * Drop one reference to n; the last one frees n and drops the references
 * it holds on its children and merged mappings.  Accepts NULL.
 */
void
ynode_free(struct ynode *n)
{
	struct arena *arena;
	size_t i;

	if (n == NULL || --n->refs > 0)
		return;
	for (i = 0; i < n->n; i++) {
		ynode_free(n->items[i]);
		if (n->keys != NULL)
			ynode_free(n->keys[i]);
	}
	for (i = 0; i < n->nmerged; i++)
		ynode_free(n->merged[i]);
	arena = n->arena;
	if (!n->pooled)
		free(n->str);
	free(n->tag);
	free(n->items);
	free(n->keys);
	free(n->merged);
	free(n->order);
	if (!n->pooled)
		free(n);
	arena_free(arena);	/* the root's, after everything in it */
}

/*
 * The value of key in map (borrowed), or NULL when absent or when map is
 * not a mapping.  Binary search over the index built when the map ended.
 */
struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	const struct ynode *k;
	size_t lo = 0, hi, mid, klen;
	int c;

	if (map == NULL || map->kind != Y_MAP || map->n == 0)
		return NULL;
	klen = strlen(key);
	if (map->order == NULL) {
		for (lo = 0; lo < map->n; lo++)
			if (keycmp(key, klen, map->keys[lo]->str,
			    map->keys[lo]->len) == 0)
				return map->items[lo];
		return NULL;
	}
	hi = map->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = map->keys[map->order[mid]];
		if ((c = keycmp(key, klen, k->str, k->len)) == 0)
			return map->items[map->order[mid]];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- core schema ---------------------------------------------------- */

static int
text_is(const char *s, size_t len, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == len && memcmp(s, *words, len) == 0)
			return 1;
	return 0;
}

static int
is_null_text(const char *s, size_t len)
{
	static const char *const w[] = { "", "~", "null", "Null", "NULL",
	    NULL };

	return text_is(s, len, w);
}

/* 1 true, 0 false, -1 not a boolean. */
static int
bool_text(const char *s, size_t len)
{
	static const char *const t[] = { "true", "True", "TRUE", NULL };
	static const char *const f[] = { "false", "False", "FALSE", NULL };

	if (text_is(s, len, t))
		return 1;
	return text_is(s, len, f) ? 0 : -1;
}

static size_t
span(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len && s[i] != '\0' && strchr(set, s[i]) != NULL; i++)
		continue;
	return i;
}

#define DIGITS	"0123456789"

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static int
is_int_text(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 2 && s[0] == '0' && s[1] == 'o')
		return span(s + 2, len - 2, "01234567") == len - 2;
	if (len > 2 && s[0] == '0' && s[1] == 'x')
		return span(s + 2, len - 2, DIGITS "abcdefABCDEF") == len - 2;
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	return len > i && span(s + i, len - i, DIGITS) == len - i;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
is_float_text(const char *s, size_t len)
{
	size_t i = 0, d;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < len && s[i] == '.') {
		i++;
		if ((d = span(s + i, len - i, DIGITS)) == 0)
			return 0;
		i += d;
	} else {
		if ((d = span(s + i, len - i, DIGITS)) == 0)
			return 0;
		i += d;
		if (i < len && s[i] == '.') {
			i++;
			i += span(s + i, len - i, DIGITS);
		}
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		if ((d = span(s + i, len - i, DIGITS)) == 0)
			return 0;
		i += d;
	}
	return i == len;
}

/* [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN) */
static int
is_nonfinite_text(const char *s, size_t len)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nan[] = { ".nan", ".NaN", ".NAN", NULL };

	if (text_is(s, len, nan))
		return 1;
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		return text_is(s + 1, len - 1, inf);
	return text_is(s, len, inf);
}

static enum stype
scalar_type(const struct ynode *n)
{
	const char *s = n->str, *tag = n->tag;
	size_t len = n->len;

	if (tag == NULL) {
		if (!n->plain)
			return S_STR;
		if (is_null_text(s, len))
			return S_NULL;
		if (bool_text(s, len) >= 0)
			return S_BOOL;
		if (is_int_text(s, len))
			return S_INT;
		if (is_float_text(s, len))
			return S_FLOAT;
		return is_nonfinite_text(s, len) ? S_NONFINITE : S_STR;
	}
	/* An explicit core tag forces the type when the text fits it. */
	if (strcmp(tag, YAML_NULL_TAG) == 0)
		return is_null_text(s, len) ? S_NULL : S_STR;
	if (strcmp(tag, YAML_BOOL_TAG) == 0)
		return bool_text(s, len) >= 0 ? S_BOOL : S_STR;
	if (strcmp(tag, YAML_INT_TAG) == 0)
		return is_int_text(s, len) ? S_INT : S_STR;
	if (strcmp(tag, YAML_FLOAT_TAG) == 0) {
		if (is_float_text(s, len))
			return S_FLOAT;
		return is_nonfinite_text(s, len) ? S_NONFINITE : S_STR;
	}
	return S_STR;
}

/*
 * Is n a null scalar by the core schema (plain "", "~", "null", "Null",
 * "NULL", or the same text tagged !!null)?  0 for anything else or NULL.
 */
int
yscalar_is_null(const struct ynode *n)
{
	return n != NULL && n->kind == Y_SCALAR && scalar_type(n) == S_NULL;
}

/*
 * What n is, as words for messages ("a mapping", "a number", "null", ...).
 * The result is a static string.
 */
const char *
ynode_what(const struct ynode *n)
{
	if (n == NULL)
		return "nothing";
	if (n->kind == Y_MAP)
		return "a mapping";
	if (n->kind == Y_SEQ)
		return "a sequence";
	switch (scalar_type(n)) {
	case S_NULL:
		return "null";
	case S_BOOL:
		return "a boolean";
	case S_INT:
		return "an integer";
	case S_FLOAT:
	case S_NONFINITE:
		return "a float";
	default:
		return "a string";
	}
}

/* Is n a scalar typed as a string (quoted, a block, !!str, or plain text
 * that is no null, boolean or number)? */
int
yscalar_is_str(const struct ynode *n)
{
	return n != NULL && n->kind == Y_SCALAR && scalar_type(n) == S_STR;
}

/*
 * Where line k of n's text is written: for a literal block scalar, the
 * k-th line after the indicator, at the column of its first non-blank
 * character; for anything else, n's own place.  Returns 1 when exact.
 */
int
yscalar_line_pos(const struct ynode *n, size_t k, struct pos *out)
{
	const char *t = n->str, *e = n->str + n->len, *nl;
	size_t i;

	*out = n->pos;
	if (n->kind != Y_SCALAR || n->style != YS_LITERAL || n->indent == 0)
		return 0;
	for (i = 0; i < k; i++) {
		if ((nl = memchr(t, '\n', (size_t)(e - t))) == NULL)
			return 0;
		t = nl + 1;
	}
	if ((nl = memchr(t, '\n', (size_t)(e - t))) == NULL)
		nl = e;
	out->line = n->pos.line + 1 + (unsigned)k;
	out->col = n->indent + (unsigned)lead_spaces(t, (size_t)(nl - t));
	return 1;
}

static json_t *
string_json(const struct ynode *n)
{
	json_t *j;

	/* libyaml hands out valid UTF-8; never let a surprise drop a value. */
	if ((j = json_stringn(n->str, n->len)) == NULL)
		j = json_stringn_nocheck(n->str, n->len);
	return j;
}

static json_t *
scalar_json(const struct ynode *n)
{
	const char *p = n->str;
	long long iv;
	double d;
	int base = 10;

	switch (scalar_type(n)) {
	case S_NULL:
		return json_null();
	case S_BOOL:
		return json_boolean(bool_text(n->str, n->len));
	case S_INT:
		if (n->len > 2 && p[0] == '0' && (p[1] == 'o' || p[1] == 'x')) {
			base = p[1] == 'o' ? 8 : 16;
			p += 2;
		}
		errno = 0;
		iv = strtoll(p, NULL, base);
		if (errno == ERANGE)
			break;
		return json_integer(iv);
	case S_FLOAT:
		d = strtod(p, NULL);
		if (!isfinite(d))
			break;
		return json_real(d);
	default:
		/* Strings, and .inf/.nan, which JSON cannot spell. */
		break;
	}
	return string_json(n);
}

/*
 * The tree under n as a new JSON value: scalars typed by the core schema,
 * mappings as objects in the tree's key order (dump with
 * JSON_PRESERVE_ORDER), shared nodes converted at every place they occur.
 */
json_t *
ynode_to_json(const struct ynode *n)
{
	json_t *j;
	size_t i;

	switch (n->kind) {
	case Y_SEQ:
		j = json_array();
		for (i = 0; i < n->n; i++)
			json_array_append_new(j, ynode_to_json(n->items[i]));
		return j;
	case Y_MAP:
		j = json_object();
		for (i = 0; i < n->n; i++)
			json_object_setn_new(j, n->keys[i]->str,
			    n->keys[i]->len, ynode_to_json(n->items[i]));
		return j;
	default:
		return scalar_json(n);
	}
}
