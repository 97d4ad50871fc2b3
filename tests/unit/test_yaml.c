/*
 * test_yaml.c - unit tests for the YAML tree loader (gen/yaml.c).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "yaml.h"

static char errbuf[4096];

static struct ynode *
load(const char *text)
{
	return yaml_load_buf("t.yml", text, strlen(text));
}

/* Load text with stderr captured in errbuf (newline stripped). */
static struct ynode *
load_err(const char *text)
{
	struct ynode *n;
	FILE *tmp;
	size_t len;
	int save;

	errbuf[0] = '\0';
	if ((tmp = tmpfile()) == NULL)
		return NULL;
	fflush(stderr);
	save = dup(2);
	dup2(fileno(tmp), 2);
	n = load(text);
	fflush(stderr);
	dup2(save, 2);
	close(save);
	rewind(tmp);
	len = fread(errbuf, 1, sizeof(errbuf) - 1, tmp);
	errbuf[len] = '\0';
	if (len > 0 && errbuf[len - 1] == '\n')
		errbuf[len - 1] = '\0';
	fclose(tmp);
	return n;
}

/* Convert to compact JSON text (static buffer). */
static const char *
json_of(const struct ynode *n)
{
	static char out[8192];
	json_t *j = ynode_to_json(n);
	char *s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));

	snprintf(out, sizeof(out), "%s", s ? s : "(null)");
	free(s);
	json_decref(j);
	return out;
}

/* The keys of a mapping joined with commas (static buffer). */
static const char *
keys_of(const struct ynode *m)
{
	static char out[1024];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < m->n && len < sizeof(out); i++)
		len += snprintf(out + len, sizeof(out) - len, "%s%s",
		    i ? "," : "", m->keys[i]->str);
	return out;
}

static const char *
sget(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);

	return v != NULL && v->kind == Y_SCALAR ? v->str : NULL;
}

TEST(positions)
{
	struct ynode *r = load("# top\nname: demo\nlist:\n  - one\n"
	    "  - {a: 1,  b: [x]}\nnested:\n    deep: yes\n");
	const struct ynode *l, *m;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(r->kind == Y_MAP && r->pos.line == 2 && r->pos.col == 1);
	CHECK_STR(r->pos.file, "t.yml");
	CHECK(r->keys[0]->pos.line == 2 && r->keys[0]->pos.col == 1);
	CHECK(r->items[0]->pos.line == 2 && r->items[0]->pos.col == 7);
	l = ymap_get(r, "list");
	CHECK(l != NULL && l->kind == Y_SEQ);
	CHECK(l->pos.line == 4 && l->pos.col == 3);
	CHECK(l->items[0]->pos.line == 4 && l->items[0]->pos.col == 5);
	m = l->items[1];
	CHECK(m->kind == Y_MAP && m->pos.line == 5 && m->pos.col == 5);
	CHECK(ymap_get(m, "b")->pos.col == 16);
	CHECK(ymap_get(m, "b")->items[0]->pos.col == 17);
	m = ymap_get(r, "nested");
	CHECK(m->pos.line == 7 && m->pos.col == 5);
	CHECK(ymap_get(m, "deep")->pos.line == 7);
	CHECK(ymap_get(m, "deep")->pos.col == 11);
	ynode_free(r);
}

TEST(keys_stay_text)
{
	struct ynode *r = load("3.10: a\n10: b\n1e3: c\n~: d\ntrue: e\n"
	    "0x1F: f\n");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(keys_of(r), "3.10,10,1e3,~,true,0x1F");
	CHECK_STR(sget(r, "3.10"), "a");
	CHECK_STR(sget(r, "10"), "b");
	CHECK_STR(sget(r, "1e3"), "c");
	CHECK_STR(sget(r, "~"), "d");
	CHECK_STR(sget(r, "true"), "e");
	CHECK(ymap_get(r, "3.1") == NULL);
	CHECK(ymap_get(r, "1000") == NULL);
	CHECK_STR(json_of(r), "{\"3.10\":\"a\",\"10\":\"b\",\"1e3\":\"c\","
	    "\"~\":\"d\",\"true\":\"e\",\"0x1F\":\"f\"}");
	ynode_free(r);
}

TEST(anchors_shared)
{
	struct ynode *r = load("a: &x {k: v}\nb: *x\nc: [*x, *x]\n"
	    "s: &t hi\nu: *t\n");
	const struct ynode *a, *b, *c;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	a = ymap_get(r, "a");
	b = ymap_get(r, "b");
	c = ymap_get(r, "c");
	CHECK(a == b);
	CHECK(c->items[0] == a && c->items[1] == a);
	CHECK(a->refs == 4);
	CHECK(ymap_get(r, "s") == ymap_get(r, "u"));
	/* The shared node keeps the anchor's place. */
	CHECK(b->pos.line == 1 && b->pos.col == 4);
	CHECK_STR(json_of(r), "{\"a\":{\"k\":\"v\"},\"b\":{\"k\":\"v\"},"
	    "\"c\":[{\"k\":\"v\"},{\"k\":\"v\"}],\"s\":\"hi\",\"u\":\"hi\"}");
	ynode_free(r);
}

TEST(anchor_redefined)
{
	struct ynode *r = load("a: &x one\nb: *x\nc: &x two\nd: *x\n");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(sget(r, "b"), "one");
	CHECK_STR(sget(r, "d"), "two");
	ynode_free(r);
}

TEST(alias_to_enclosing_node)
{
	struct ynode *r = load_err("x: &a [1, *a]\n");

	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:1:11: alias 'a' refers to a node that "
	    "contains it");
	/* An earlier finished definition is still shadowed. */
	r = load_err("y: &a 1\nx: &a [1, *a]\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:11: alias 'a' refers to a node that "
	    "contains it");
}

TEST(merge_single)
{
	struct ynode *r = load("base: &b {x: 1, y: 2}\n"
	    "ext:\n  <<: *b\n  z: 3\n");
	const struct ynode *b, *e;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	b = ymap_get(r, "base");
	e = ymap_get(r, "ext");
	CHECK_STR(keys_of(e), "x,y,z");
	CHECK(ymap_get(e, "<<") == NULL);
	CHECK(e->nmerged == 1 && e->merged[0] == b);
	/* Merged values are shared, not copied. */
	CHECK(ymap_get(e, "x") == ymap_get(b, "x"));
	CHECK(b->refs == 2);	/* the tree and ext->merged */
	CHECK_STR(json_of(e), "{\"x\":1,\"y\":2,\"z\":3}");
	ynode_free(r);
}

TEST(merge_list_precedence)
{
	struct ynode *r = load("a: &a {x: a, y: a}\nb: &b {y: b, z: b}\n"
	    "c:\n  <<: [*a, *b, {w: c, z: c}]\n");
	const struct ynode *c;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	c = ymap_get(r, "c");
	CHECK_STR(keys_of(c), "x,y,z,w");
	CHECK_STR(sget(c, "x"), "a");
	CHECK_STR(sget(c, "y"), "a");
	CHECK_STR(sget(c, "z"), "b");
	CHECK_STR(sget(c, "w"), "c");
	CHECK(c->nmerged == 3);
	ynode_free(r);
}

TEST(merge_explicit_wins_keeps_slot)
{
	struct ynode *r = load("d: &d {p: 1, q: 2, r: 3}\n"
	    "m:\n  s: 0\n  q: 20\n  <<: *d\n  t: 4\n");
	const struct ynode *m, *q;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	m = ymap_get(r, "m");
	CHECK_STR(keys_of(m), "p,q,r,s,t");
	CHECK_STR(sget(m, "q"), "20");
	CHECK_STR(sget(m, "p"), "1");
	/* The overriding key node is the explicit one. */
	q = m->keys[1];
	CHECK(q->pos.line == 4 && q->pos.col == 3);
	CHECK_STR(json_of(m), "{\"p\":1,\"q\":20,\"r\":3,\"s\":0,\"t\":4}");
	ynode_free(r);
}

TEST(merge_chain)
{
	struct ynode *r = load("A: &A {a: 1, v: A}\n"
	    "B: &B {<<: *A, b: 2, v: B}\n"
	    "C: &C {<<: *B, c: 3}\n"
	    "D: {<<: *C, d: 4, a: 0}\n");
	const struct ynode *d;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	d = ymap_get(r, "D");
	CHECK_STR(keys_of(d), "a,v,b,c,d");
	CHECK_STR(json_of(d), "{\"a\":0,\"v\":\"B\",\"b\":2,\"c\":3,\"d\":4}");
	CHECK_STR(json_of(ymap_get(r, "C")),
	    "{\"a\":1,\"v\":\"B\",\"b\":2,\"c\":3}");
	CHECK(ymap_get(r, "C")->merged[0] == ymap_get(r, "B"));
	ynode_free(r);
}

TEST(merge_bad_values)
{
	struct ynode *r;

	r = load_err("a: 1\nb:\n  <<: 3\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:3:7: merge value must be a mapping or a "
	    "sequence of mappings, not an integer");
	r = load_err("s: &s [1]\nb:\n  <<: *s\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:3:7: merge list item 1 must be a mapping, "
	    "not an integer");
	r = load_err("a: &a {x: 1}\nb:\n  <<: [*a, [1]]\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:3:12: merge list items must be mappings, "
	    "not a sequence");
	r = load_err("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:4:3: duplicate key '<<' (first at line 3)");
}

TEST(merge_key_only_plain)
{
	struct ynode *r = load("a: &a {x: 1}\nb:\n  \"<<\": *a\n"
	    "c:\n  !!str <<: 5\n");
	const struct ynode *b, *c;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	b = ymap_get(r, "b");
	CHECK(b->n == 1 && b->nmerged == 0);
	CHECK(ymap_get(b, "<<") == ymap_get(r, "a"));
	CHECK(ymap_get(b, "x") == NULL);
	c = ymap_get(r, "c");
	CHECK(c->n == 1 && c->nmerged == 0);
	CHECK_STR(sget(c, "<<"), "5");
	ynode_free(r);
	/* Two non-plain "<<" keys are ordinary duplicates. */
	c = load_err("c:\n  !!str <<: 5\n  '<<': 6\n");
	CHECK(c == NULL);
	CHECK_STR(errbuf, "t.yml:3:3: duplicate key '<<' (first at line 2)");
}

TEST(undefined_alias)
{
	struct ynode *r = load_err("a: 1\nb:\n  cc: *nope\n");

	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:3:7: undefined alias 'nope'");
	CHECK(gen_status == EXIT_DATAERR);
}

TEST(duplicate_key)
{
	struct ynode *r = load_err("a: 1\nb: 2\nc:\n  x: 1\n  x: 2\nb: 3\n");

	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:5:3: duplicate key 'x' (first at line 4)");
	r = load_err("k: 1\nj: 2\n\"k\": 3\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:3:1: duplicate key 'k' (first at line 1)");
	/* The earliest second occurrence is named. */
	r = load_err("a: 1\nb: 2\nb: 3\na: 4\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:3:1: duplicate key 'b' (first at line 2)");
}

TEST(collection_as_key)
{
	struct ynode *r = load_err("a: 1\n[x, y]: 2\n");

	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:1: keys must be scalars");
	r = load_err("m: &m {a: 1}\n? *m\n: 2\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:3: keys must be scalars");
	r = load_err("{? {a: 1} : 2}\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:1:4: keys must be scalars");
}

TEST(billion_laughs)
{
	const char *doc =
	    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct ynode *r;
	clock_t t0 = clock();

	r = load_err(doc);
	CHECK(r == NULL);
	/* f reaches 1 + 10 * 111111 nodes at its tenth *e. */
	CHECK_STR(errbuf, "t.yml:6:44: document expands to more than 1000000 "
	    "nodes (alias bomb?)");
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
}

TEST(merge_bomb)
{
	struct buf b = { 0 };
	struct ynode *r;
	int i;

	/* Each level holds the previous one three times: once merged,
	 * twice in a sequence. */
	buf_puts(&b, "l0: &l0 {");
	for (i = 0; i < 100; i++)
		buf_printf(&b, "%sk%d: %d", i ? ", " : "", i, i);
	buf_puts(&b, "}\n");
	for (i = 1; i < 20; i++)
		buf_printf(&b, "l%d: &l%d {<<: *l%d, x%d: [*l%d, *l%d]}\n",
		    i, i, i - 1, i, i - 1, i - 1);
	r = load_err(b.s);
	CHECK(r == NULL);
	CHECK(strstr(errbuf, "document expands to more than 1000000 nodes")
	    != NULL);
	buf_free(&b);
}

TEST(deep_nesting_bounded)
{
	struct buf b = { 0 };
	struct ynode *r;
	int i;

	for (i = 0; i < 1200; i++)
		buf_putc(&b, '[');
	for (i = 0; i < 1200; i++)
		buf_putc(&b, ']');
	r = load_err(b.s);
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:1:1001: document nests deeper than 1000 "
	    "levels");
	/* Aliases cannot stack nesting past the bound either. */
	buf_reset(&b);
	buf_puts(&b, "a0: &a0 x\n");
	for (i = 1; i < 400; i++)
		buf_printf(&b, "a%d: &a%d [[[*a%d]]]\n", i, i, i - 1);
	r = load_err(b.s);
	CHECK(r == NULL);
	CHECK(strstr(errbuf, "document nests deeper than 1000 levels") != NULL);
	buf_free(&b);
}

TEST(large_document)
{
	struct buf b = { 0 };
	struct ynode *r;
	const struct ynode *s;
	int i;

	buf_puts(&b, "row: &row {name: x, size: 12, tags: [a, b, c]}\n"
	    "items:\n");
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "  - {id: %d, row: *row}\n", i);
	r = load(b.s);
	CHECK(r != NULL);
	if (r != NULL) {
		s = ymap_get(r, "items");
		CHECK(s->n == 50000);
		CHECK_STR(sget(s->items[49999], "id"), "49999");
		CHECK(r->weight > 500000 && r->weight <= YAML_MAX_NODES);
	}
	ynode_free(r);
	buf_free(&b);
}

TEST(syntax_errors)
{
	struct ynode *r;

	r = load_err("a: 1\n b: 2\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:3: mapping values are not allowed in this "
	    "context");
	r = load_err("a: [1, 2\nb: 3\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:2: did not find expected ',' or ']' "
	    "(while parsing a flow sequence)");
	r = load_err("ok: 1\nbad: \xff\n");
	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:6: invalid leading UTF-8 octet");
}

TEST(json_typing)
{
	struct ynode *r = load("[~, null, Null, NULL, true, True, FALSE, "
	    "yes, 12, -7, +3, 0o17, 0x1F, 0o8, 1.5, 3.10, .5, 1e3, -2.5E-1, "
	    "'12', \"true\", \"~\", 1.2.3, 9223372036854775807, "
	    "9223372036854775808, -9223372036854775808, .inf, -.Inf, .NaN, "
	    "0x, 1_000, \"\", '', abc]");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(json_of(r), "[null,null,null,null,true,true,false,"
	    "\"yes\",12,-7,3,15,31,\"0o8\",1.5,3.1,0.5,1000.0,-0.25,"
	    "\"12\",\"true\",\"~\",\"1.2.3\",9223372036854775807,"
	    "\"9223372036854775808\",-9223372036854775808,\".inf\",\"-.Inf\","
	    "\".NaN\",\"0x\",\"1_000\",\"\",\"\",\"abc\"]");
	ynode_free(r);
}

TEST(json_key_vs_value)
{
	struct ynode *r = load("3.10: 3.10\nv: \"3.10\"\nnull: null\ne:\n");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(json_of(r), "{\"3.10\":3.1,\"v\":\"3.10\",\"null\":null,"
	    "\"e\":null}");
	ynode_free(r);
}

TEST(tags)
{
	struct ynode *r = load("[!!str 12, !!int \"12\", !!float 2, "
	    "!!bool \"true\", !!null '', !!int 0x1F, ! 12, !!str true, "
	    "!!str ~, !!float .inf, !<tag:yaml.org,2002:str> 5]");
	const struct ynode *n;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	n = r->items[0];
	CHECK_STR(n->tag, "tag:yaml.org,2002:str");
	CHECK(n->plain == 0);
	CHECK(yscalar_is_str(n));
	CHECK_STR(ynode_what(n), "a string");
	CHECK_STR(ynode_what(r->items[1]), "an integer");
	CHECK_STR(ynode_what(r->items[2]), "a float");
	CHECK_STR(r->items[6]->tag, "!");
	CHECK(yscalar_is_str(r->items[6]));
	CHECK(r->tag == NULL);
	CHECK_STR(json_of(r), "[\"12\",12,2.0,true,null,31,\"12\",\"true\","
	    "\"~\",\".inf\",\"5\"]");
	ynode_free(r);
	r = load("!!map {a: !!seq [1], !!str b: c, !!merge <<: {d: 1}}\n");
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_STR(r->tag, "tag:yaml.org,2002:map");
		CHECK_STR(ymap_get(r, "a")->tag, "tag:yaml.org,2002:seq");
		CHECK_STR(json_of(r), "{\"d\":1,\"a\":[1],\"b\":\"c\"}");
	}
	ynode_free(r);
}

/* Tags outside the core schema, and core tags on nodes they do not fit,
 * are refused at their place instead of being dropped. */
TEST(tags_refused)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "a: !custom 5\n", "t.yml:1:4: unsupported tag !custom (gen "
		    "reads YAML's core schema: !!str, !!int, !!float, !!bool, "
		    "!!null, !!seq, !!map)" },
		{ "a: !!binary aGk=\n", "t.yml:1:4: unsupported tag !!binary "
		    "(gen reads YAML's core schema: !!str, !!int, !!float, "
		    "!!bool, !!null, !!seq, !!map)" },
		{ "- !!timestamp 2001-12-14\n", "t.yml:1:3: unsupported tag "
		    "!!timestamp (gen reads YAML's core schema: !!str, !!int, "
		    "!!float, !!bool, !!null, !!seq, !!map)" },
		{ "a: !<tag:example.com,2000:x> 5\n", "t.yml:1:4: unsupported "
		    "tag !<tag:example.com,2000:x> (gen reads YAML's core "
		    "schema: !!str, !!int, !!float, !!bool, !!null, !!seq, "
		    "!!map)" },
		{ "a: !local {b: 1}\n", "t.yml:1:4: unsupported tag !local (gen "
		    "reads YAML's core schema: !!str, !!int, !!float, !!bool, "
		    "!!null, !!seq, !!map)" },
		{ "a: !!int abc\n", "t.yml:1:4: \"abc\" is tagged !!int but is "
		    "not an integer" },
		{ "a: !!float x1\n", "t.yml:1:4: \"x1\" is tagged !!float but "
		    "is not a float" },
		{ "a: !!bool yes\n", "t.yml:1:4: \"yes\" is tagged !!bool but "
		    "is not true or false" },
		{ "a: !!null 0\n", "t.yml:1:4: \"0\" is tagged !!null but is "
		    "not null" },
		{ "a: !!map [1]\n", "t.yml:1:4: a sequence cannot be tagged "
		    "!!map" },
		{ "a: !!seq x\n", "t.yml:1:4: a scalar cannot be tagged !!seq" },
		{ "a: !!str {b: 1}\n", "t.yml:1:4: a mapping cannot be tagged "
		    "!!str" },
		{ "!!merge a: 1\n", "t.yml:1:1: \"a\" is tagged !!merge but is "
		    "not '<<'" },
	};
	struct ynode *r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = load_err(cases[i].text);
		CHECK(r == NULL);
		CHECK_STR(errbuf, cases[i].err);
		ynode_free(r);
	}
}

/* Lines of a literal block scalar map back to their own source lines. */
TEST(block_line_pos)
{
	struct ynode *r = load("a:\n  h: |\n    # one\n\n      two\n"
	    "    three\n  f: >\n    x\n    y\n  g: |2\n     ind\n"
	    "  q: \"s\\nt\"\n");
	const struct ynode *a;
	struct pos p;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	a = ymap_get(r, "a");
	CHECK(yscalar_line_pos(ymap_get(a, "h"), 0, &p) == 1);
	CHECK(p.line == 3 && p.col == 5);
	CHECK(yscalar_line_pos(ymap_get(a, "h"), 2, &p) == 1);
	CHECK(p.line == 5 && p.col == 7);
	CHECK(yscalar_line_pos(ymap_get(a, "h"), 3, &p) == 1);
	CHECK(p.line == 6 && p.col == 5);
	CHECK(yscalar_line_pos(ymap_get(a, "f"), 1, &p) == 0);
	CHECK(p.line == 7 && p.col == 6);
	CHECK(yscalar_line_pos(ymap_get(a, "g"), 0, &p) == 1);
	CHECK(p.line == 11 && p.col == 6);
	CHECK(yscalar_line_pos(ymap_get(a, "q"), 1, &p) == 0);
	CHECK(p.line == 12);
	ynode_free(r);
	r = load("h: |\r\n  # a\r\n  b\r\n");
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK(yscalar_line_pos(ymap_get(r, "h"), 1, &p) == 1);
		CHECK(p.line == 3 && p.col == 3);
	}
	ynode_free(r);
}

TEST(plain_flag)
{
	struct ynode *r = load("- a\n- 'a'\n- \"a\"\n- |\n  a\n- !!str a\n");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(r->items[0]->plain == 1);
	CHECK(r->items[1]->plain == 0);
	CHECK(r->items[2]->plain == 0);
	CHECK(r->items[4]->plain == 0);
	ynode_free(r);
}

TEST(empty_documents)
{
	const char *docs[] = { "", "# only a comment\n", "---\n", "\n\n",
	    NULL };
	struct ynode *r;
	int i;

	for (i = 0; docs[i] != NULL; i++) {
		r = load(docs[i]);
		CHECK(r != NULL);
		if (r == NULL)
			continue;
		CHECK(r->kind == Y_SCALAR && r->len == 0 && r->plain);
		CHECK(yscalar_is_null(r));
		CHECK_STR(json_of(r), "null");
		ynode_free(r);
	}
}

TEST(second_document)
{
	struct ynode *r = load_err("a: 1\n---\nb: 2\n");

	CHECK(r == NULL);
	CHECK_STR(errbuf, "t.yml:2:1: only one YAML document is allowed");
	r = load("a: 1\n...\n");
	CHECK(r != NULL);
	ynode_free(r);
}

TEST(map_index_5000)
{
	struct buf b = { 0 };
	struct ynode *r;
	char key[32];
	int i, ok = 1;

	for (i = 4999; i >= 0; i--)
		buf_printf(&b, "key%d: %d\n", i, i * 3);
	r = load(b.s);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK(r->n == 5000);
		CHECK_STR(r->keys[0]->str, "key4999");
		for (i = 0; i < 5000; i++) {
			snprintf(key, sizeof(key), "key%d", i);
			if (ymap_get(r, key) == NULL ||
			    atoi(ymap_get(r, key)->str) != i * 3)
				ok = 0;
		}
		CHECK(ok);
		CHECK(ymap_get(r, "key5000") == NULL);
		CHECK(ymap_get(r, "") == NULL);
	}
	ynode_free(r);
	buf_free(&b);
}

TEST(what_and_null)
{
	struct ynode *r = load("[{}, [], s, '1', 1, 1.5, .nan, true, ~, '', "
	    "!!null null]");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(ynode_what(r->items[0]), "a mapping");
	CHECK_STR(ynode_what(r->items[1]), "a sequence");
	CHECK_STR(ynode_what(r->items[2]), "a string");
	CHECK_STR(ynode_what(r->items[3]), "a string");
	CHECK_STR(ynode_what(r->items[4]), "an integer");
	CHECK_STR(ynode_what(r->items[5]), "a float");
	CHECK_STR(ynode_what(r->items[6]), "a float");
	CHECK_STR(ynode_what(r->items[7]), "a boolean");
	CHECK_STR(ynode_what(r->items[8]), "null");
	CHECK(yscalar_is_null(r->items[8]));
	CHECK(!yscalar_is_null(r->items[9]));
	CHECK(yscalar_is_null(r->items[10]));
	CHECK(!yscalar_is_null(r->items[0]));
	CHECK(!yscalar_is_null(NULL));
	ynode_free(r);
}

TEST(nul_bytes)
{
	struct ynode *r = load("\"a\\0b\": \"x\\0y\"\na: 1\n");

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(r->n == 2 && r->keys[0]->len == 3 && r->items[0]->len == 3);
	CHECK_STR(sget(r, "a"), "1");
	ynode_free(r);
}

TEST(load_file)
{
	char path[] = "/tmp/test_yaml.XXXXXX";
	struct ynode *r;
	FILE *fp;
	int fd, save;

	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		CHECK(0);
		return;
	}
	fputs("a:\n  b: [1, 2]\n", fp);
	fclose(fp);
	r = yaml_load_file(path);
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_STR(r->pos.file, path);
		CHECK(ymap_get(ymap_get(r, "a"), "b")->pos.line == 2);
	}
	ynode_free(r);
	unlink(path);

	gen_status = 0;
	save = dup(2);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, 2);
	r = yaml_load_file("/nonexistent/nope.yml");
	dup2(save, 2);
	close(fd);
	close(save);
	CHECK(r == NULL);
	CHECK(gen_status == EXIT_NOINPUT);
}

int
main(void)
{
	RUN(positions);
	RUN(keys_stay_text);
	RUN(anchors_shared);
	RUN(anchor_redefined);
	RUN(alias_to_enclosing_node);
	RUN(merge_single);
	RUN(merge_list_precedence);
	RUN(merge_explicit_wins_keeps_slot);
	RUN(merge_chain);
	RUN(merge_bad_values);
	RUN(merge_key_only_plain);
	RUN(undefined_alias);
	RUN(duplicate_key);
	RUN(collection_as_key);
	RUN(billion_laughs);
	RUN(merge_bomb);
	RUN(deep_nesting_bounded);
	RUN(large_document);
	RUN(syntax_errors);
	RUN(json_typing);
	RUN(json_key_vs_value);
	RUN(tags);
	RUN(tags_refused);
	RUN(block_line_pos);
	RUN(plain_flag);
	RUN(empty_documents);
	RUN(second_document);
	RUN(map_index_5000);
	RUN(what_and_null);
	RUN(nul_bytes);
	RUN(load_file);
	return harness_done("yaml");
}
