/*
 * test_jsonpos.c - unit tests for the strict JSON parser with positions and
 * the UTF-8 text checks (gen/jsonpos.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "jsonpos.h"

static char errbuf[4096];

/* Run f with stderr captured in errbuf (last newline stripped). */
#define CAPTURE(expr) do {						\
	FILE *h_tmp = tmpfile();					\
	size_t h_len;							\
	int h_save;							\
									\
	errbuf[0] = '\0';						\
	fflush(stderr);							\
	h_save = dup(2);						\
	dup2(fileno(h_tmp), 2);						\
	expr;								\
	fflush(stderr);							\
	dup2(h_save, 2);						\
	close(h_save);							\
	rewind(h_tmp);							\
	h_len = fread(errbuf, 1, sizeof(errbuf) - 1, h_tmp);		\
	errbuf[h_len] = '\0';						\
	if (h_len > 0 && errbuf[h_len - 1] == '\n')			\
		errbuf[h_len - 1] = '\0';				\
	fclose(h_tmp);							\
} while (0)

static struct ynode *
load(const char *text)
{
	return jsonpos_load("t.json", text, strlen(text));
}

/* The message a bad text gives (and that it gives no tree). */
static const char *
error_of(const char *text, size_t len)
{
	struct ynode *n = NULL;

	CAPTURE(n = jsonpos_load("t.json", text, len));
	if (n != NULL) {
		ynode_free(n);
		return "(parsed)";
	}
	return errbuf;
}

#define ERR(text) error_of((text), sizeof(text) - 1)

TEST(positions)
{
	struct ynode *r = load("{\n  \"a\": [1, \"x\"],\n\t\"é\": {\"b\": null}\n}");
	struct ynode *a, *b;

	CHECK(r != NULL && r->kind == Y_MAP && r->n == 2);
	if (r == NULL)
		return;
	CHECK(r->pos.line == 1 && r->pos.col == 1);
	a = ymap_get(r, "a");
	CHECK(a != NULL && a->kind == Y_SEQ && a->n == 2);
	CHECK(a->pos.line == 2 && a->pos.col == 8);
	CHECK(a->items[1]->pos.line == 2 && a->items[1]->pos.col == 12);
	CHECK(r->keys[0]->pos.line == 2 && r->keys[0]->pos.col == 3);
	/* A column counts characters: "é" is one, the tab another. */
	b = ymap_get(ymap_get(r, "é"), "b");
	CHECK(b != NULL && b->pos.line == 3 && b->pos.col == 13);
	CHECK_STR(r->pos.file, "t.json");
	ynode_free(r);
}

TEST(types)
{
	struct ynode *r = load("[\"1\", 1, -0.5e+3, true, false, null, \"true\", {}, []]");
	static const char *const want[] = { "a string", "an integer", "a float",
	    "a boolean", "a boolean", "null", "a string", "a mapping",
	    "a sequence" };
	size_t i;

	CHECK(r != NULL && r->n == 9);
	if (r == NULL)
		return;
	for (i = 0; i < r->n && i < 9; i++)
		CHECK_STR(ynode_what(r->items[i]), want[i]);
	CHECK_STR(r->items[2]->str, "-0.5e+3");
	CHECK(r->items[0]->plain == 0 && r->items[1]->plain == 1);
	ynode_free(r);
}

TEST(escapes)
{
	struct ynode *r = load("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\","
	    " \"\\ud83d\\ude00\", \"\\u007f\"]");

	CHECK(r != NULL && r->n == 4);
	if (r == NULL)
		return;
	CHECK_STR(r->items[0]->str, "a\"b\\c/d\b\f\n\r\t");
	CHECK_STR(r->items[1]->str, "\xc3\xa9\xe2\x82\xac");
	CHECK_STR(r->items[2]->str, "\xf0\x9f\x98\x80");
	CHECK(r->items[2]->len == 4);
	CHECK_STR(r->items[3]->str, "\x7f");
	ynode_free(r);
}

TEST(sorted_keys)
{
	struct buf b = { 0 };
	struct ynode *r, *v;
	int i;

	buf_putc(&b, '{');
	for (i = 99; i >= 0; i--)
		buf_printf(&b, "%s\"k%d\": %d", i < 99 ? ", " : "", i, i);
	buf_putc(&b, '}');
	r = jsonpos_load("t.json", b.s, b.len);
	CHECK(r != NULL && r->n == 100);
	if (r != NULL) {
		v = ymap_get(r, "k42");
		CHECK(v != NULL && strcmp(v->str, "42") == 0);
		CHECK(ymap_get(r, "k100") == NULL);
		/* Document order is kept. */
		CHECK_STR(r->keys[0]->str, "k99");
	}
	ynode_free(r);
	buf_free(&b);
}

TEST(syntax_errors)
{
	CHECK_STR(ERR("{\"a\": 1,}"), "t.json:1:9: trailing comma before '}'");
	CHECK_STR(ERR("[1,\n 2,\n]"), "t.json:3:1: trailing comma before ']'");
	CHECK_STR(ERR("{\"a\": 1"), "t.json:1:8: unexpected end of the file, expected ',' or '}'");
	CHECK_STR(ERR("{\"a\": \"b"), "t.json:1:9: unexpected end of the file in a string");
	CHECK_STR(ERR("[tru"), "t.json:1:5: unexpected end of the file in 'true'");
	CHECK_STR(ERR("[01]"), "t.json:1:3: a number may not have leading zeros");
	CHECK_STR(ERR("[1.]"), "t.json:1:4: expected a digit, got ']'");
	CHECK_STR(ERR("[-]"), "t.json:1:3: expected a digit, got ']'");
	CHECK_STR(ERR("[+1]"), "t.json:1:2: expected a value, got '+'");
	CHECK_STR(ERR("// c\n{}"), "t.json:1:1: expected a value, got '/'");
	CHECK_STR(ERR("{a: 1}"), "t.json:1:2: expected a key (a string), got 'a'");
	CHECK_STR(ERR("{\"a\" 1}"), "t.json:1:6: expected ':' after the key, got '1'");
	CHECK_STR(ERR("[NaN]"), "t.json:1:2: expected a value, got 'N'");
	CHECK_STR(ERR("{} {}"), "t.json:1:4: unexpected '{' after the JSON value");
	CHECK_STR(ERR(""), "t.json:1:1: no JSON value: the file is empty");
	CHECK_STR(ERR(" \n "), "t.json:2:2: no JSON value: the file is empty");
	CHECK_STR(ERR("\xef\xbb\xbf{}"), "t.json:1:1: a byte order mark is not allowed in JSON");
	CHECK_STR(ERR("[\"\\x\"]"), "t.json:1:4: unknown escape \\ followed by 'x'");
	CHECK_STR(ERR("[\"\\u12\"]"), "t.json:1:3: \\u needs four hex digits");
}

TEST(string_errors)
{
	CHECK_STR(ERR("[\"a\tb\"]"), "t.json:1:4: control character 0x09 in a string (write it as \\u0009)");
	CHECK_STR(ERR("[\"a\0b\"]"), "t.json:1:4: NUL (byte 0x00) in a string");
	CHECK_STR(ERR("[\"\\u0000\"]"), "t.json:1:3: \\u0000 (NUL) is not allowed in a string");
	CHECK_STR(ERR("[\"\\udc00\"]"), "t.json:1:3: \\uDC00 is a low surrogate without a high one");
	CHECK_STR(ERR("[\"\\ud800x\"]"), "t.json:1:3: \\uD800 is a high surrogate without a low one after it");
	CHECK_STR(ERR("[\"\\ud800\\u0041\"]"), "t.json:1:3: \\uD800 is a high surrogate without a low one after it");
	/* Invalid UTF-8: a stray byte, overlong, an encoded surrogate, too
	 * high, truncated; the column counts the characters before it. */
	CHECK_STR(ERR("[\"é\xff\"]"), "t.json:1:4: not valid UTF-8 (byte 0xff)");
	CHECK_STR(ERR("[\"\xc0\x80\"]"), "t.json:1:3: not valid UTF-8 (byte 0xc0)");
	CHECK_STR(ERR("[\"\xed\xa0\x80\"]"), "t.json:1:3: not valid UTF-8 (byte 0xed)");
	CHECK_STR(ERR("[\"\xf4\x90\x80\x80\"]"), "t.json:1:3: not valid UTF-8 (byte 0xf4)");
	CHECK_STR(ERR("[\"\xe2\x82\"]"), "t.json:1:3: not valid UTF-8 (byte 0xe2)");
	CHECK_STR(ERR("[\xc3\xa9]"), "t.json:1:2: expected a value, got byte 0xc3");
}

TEST(duplicates)
{
	/* Every duplicate is reported, each at its place. */
	CHECK_STR(ERR("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2},\n \"a\": 3}"),
	    "t.json:2:16: duplicate key \"c\" (first at line 2)\n"
	    "t.json:3:2: duplicate key \"a\" (first at line 1)");
	CHECK_STR(ERR("{\"\\u0061\": 1, \"a\": 2}"),
	    "t.json:1:15: duplicate key \"a\" (first at line 1)");
}

TEST(depth)
{
	char deep[2 * JSONPOS_MAX_DEPTH + 3];
	struct ynode *r;
	int i;

	for (i = 0; i < JSONPOS_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[JSONPOS_MAX_DEPTH + i] = ']';
	}
	r = jsonpos_load("t.json", deep, 2 * JSONPOS_MAX_DEPTH);
	CHECK(r != NULL);
	ynode_free(r);
	memmove(deep + 1, deep, 2 * JSONPOS_MAX_DEPTH);
	deep[0] = '[';
	deep[2 * JSONPOS_MAX_DEPTH + 1] = ']';
	CHECK_STR(error_of(deep, 2 * JSONPOS_MAX_DEPTH + 2),
	    "t.json:1:65: nested deeper than 64 levels");
}

TEST(text)
{
	int ok = 0;

	CAPTURE(ok = text_check("r.md", "# Hi\r\n\tok é €\n", 17));
	CHECK(ok == 1 && errbuf[0] == '\0');
	CAPTURE(ok = text_check("r.md", "a\nbé\xff", 6));
	CHECK(ok == 0);
	CHECK_STR(errbuf, "r.md:2:3: not valid UTF-8 (byte 0xff)");
	CAPTURE(ok = text_check("r.md", "bell \a", 6));
	CHECK_STR(errbuf, "r.md:1:6: control character U+0007 (only tab, line feed and carriage return are allowed)");
	CAPTURE(ok = text_check("r.md", "x\x7f", 2));
	CHECK_STR(errbuf, "r.md:1:2: control character U+007F (only tab, line feed and carriage return are allowed)");
	CAPTURE(ok = text_check("r.md", "\n\xc2\x85", 3));
	CHECK_STR(errbuf, "r.md:2:1: control character U+0085 (only tab, line feed and carriage return are allowed)");
	CAPTURE(ok = text_check("r.md", "a\0b", 3));
	CHECK_STR(errbuf, "r.md:1:2: control character U+0000 (only tab, line feed and carriage return are allowed)");
	CAPTURE(ok = utf8_check("d", "a\x01\n\xfe", 4));
	CHECK_STR(errbuf, "d:2:1: not valid UTF-8 (byte 0xfe)");
}

TEST(shown)
{
	char *s = json_shown("a\"b\\\n\x01\xff", 7), *l;
	char big[200];

	CHECK_STR(s, "\"a\\\"b\\\\\\n\\u0001\\xff\"");
	free(s);
	memset(big, 'x', sizeof(big));
	l = json_shown(big, sizeof(big));
	CHECK(strlen(l) == 1 + 80 + 3 + 1);
	CHECK(strcmp(l + strlen(l) - 4, "...\"") == 0);
	free(l);
}

int
main(void)
{
	RUN(positions);
	RUN(types);
	RUN(escapes);
	RUN(sorted_keys);
	RUN(syntax_errors);
	RUN(string_errors);
	RUN(duplicates);
	RUN(depth);
	RUN(text);
	RUN(shown);
	return harness_done("jsonpos");
}
