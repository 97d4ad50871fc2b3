/*
 * test_mustache.c - the public Mustache spec (read in place from
 * $MUSTACHE_SPEC_DIR, default ../shared/testdata/mustache-spec) plus what
 * the spec leaves out: strict names, error positions, escaping modes,
 * number formatting, partial depth.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "mustache.h"

/* Partials by name, for a partial_fn. */
struct plist {
	size_t		  n;
	const char	**names;
	struct tmpl	**t;
};

static const struct tmpl *
plist_find(void *arg, const char *name)
{
	struct plist *pl = arg;
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (strcmp(pl->names[i], name) == 0)
			return pl->t[i];
	return NULL;
}

static void
plist_add(struct plist *pl, const char *name, struct tmpl *t)
{
	pl->names = realloc(pl->names, (pl->n + 1) * sizeof(*pl->names));
	pl->t = realloc(pl->t, (pl->n + 1) * sizeof(*pl->t));
	pl->names[pl->n] = name;
	pl->t[pl->n++] = t;
}

static void
plist_free(struct plist *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		tmpl_free(pl->t[i]);
	free(pl->names);
	free(pl->t);
	memset(pl, 0, sizeof(*pl));
}

/* ---- stderr capture -------------------------------------------------- */

static FILE	*cap_f;
static int	 cap_fd = -1;
static char	 cap_text[8192];

static void
cap_start(void)
{
	fflush(stderr);
	cap_f = tmpfile();
	cap_fd = dup(2);
	dup2(fileno(cap_f), 2);
}

/* Restore stderr; what was written is in cap_text (and echoed on -v). */
static const char *
cap_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(cap_fd, 2);
	close(cap_fd);
	cap_fd = -1;
	rewind(cap_f);
	n = fread(cap_text, 1, sizeof(cap_text) - 1, cap_f);
	cap_text[n] = '\0';
	fclose(cap_f);
	if (getenv("TEST_VERBOSE") != NULL)
		fputs(cap_text, stderr);
	return cap_text;
}

/* ---- the spec -------------------------------------------------------- */

static int
spec_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '~' && d->d_name[0] != '.' && n > 5 &&
	    strcmp(d->d_name + n - 5, ".json") == 0;
}

static int
spec_case(const char *file, json_t *tc)
{
	struct plist pl = { 0 };
	struct render_opts ro = { 0 };
	struct buf out = { 0 };
	struct tmpl *t = NULL;
	json_t *parts, *v;
	const char *name, *tpl, *want, *key;
	int ok = 0;

	name = json_string_value(json_object_get(tc, "name"));
	tpl = json_string_value(json_object_get(tc, "template"));
	want = json_string_value(json_object_get(tc, "expected"));
	if (name == NULL || tpl == NULL || want == NULL) {
		fprintf(stderr, "%s: malformed test case\n", file);
		goto out;
	}
	parts = json_object_get(tc, "partials");
	json_object_foreach(parts, key, v) {
		struct tmpl *p = tmpl_compile(key, json_string_value(v),
		    json_string_length(v), MESC_HTML);

		if (p == NULL)
			goto fail;
		plist_add(&pl, key, p);
	}
	if ((t = tmpl_compile(name, tpl, strlen(tpl), MESC_HTML)) == NULL)
		goto fail;
	ro.partial = plist_find;
	ro.partial_arg = &pl;
	ro.lenient = 1;
	if (!tmpl_render(t, json_object_get(tc, "data"), &ro, &out))
		goto fail;
	if (strcmp(out.s, want) == 0) {
		ok = 1;
		goto out;
	}
fail:
	fprintf(stderr, "%s: %s: FAIL\n  expected: \"%s\"\n  got:      "
	    "\"%s\"\n", file, name, want, out.s ? out.s : "(error)");
out:
	tmpl_free(t);
	plist_free(&pl);
	buf_free(&out);
	return ok;
}

static void
spec_all(void)
{
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	struct dirent **ents = NULL;
	json_error_t jerr;
	json_t *root, *tc;
	char *path;
	size_t i, ncases = 0;
	int n, k;

	if (dir == NULL)
		dir = "../shared/testdata/mustache-spec";
	if ((n = scandir(dir, &ents, spec_filter, alphasort)) < 0) {
		printf("SKIP: mustache spec not found at %s\n", dir);
		fprintf(stderr, "SKIP: mustache spec not found at %s\n", dir);
		return;
	}
	for (k = 0; k < n; k++) {
		path = xasprintf("%s/%s", dir, ents[k]->d_name);
		if ((root = json_load_file(path, 0, &jerr)) == NULL) {
			fprintf(stderr, "%s:%d: %s\n", path, jerr.line,
			    jerr.text);
			harness_result(path, 0);
		}
		json_array_foreach(json_object_get(root, "tests"), i, tc) {
			ncases++;
			harness_result(path, spec_case(ents[k]->d_name, tc));
		}
		json_decref(root);
		free(path);
		free(ents[k]);
	}
	free(ents);
	printf("mustache spec: %zu cases from %d files in %s\n",
	    ncases, n, dir);
	if (ncases == 0) {
		fprintf(stderr, "%s: no spec cases found\n", dir);
		harness_result(dir, 0);
	}
}

/* ---- helpers for our own cases --------------------------------------- */

/*
 * Compile tpl as "t.mustache", render it once with the JSON text ctx and
 * partials pl, leaving the output in out and stderr in cap_text.
 * Returns the render's result, or -1 if compilation failed.
 */
static int
run(const char *tpl, const char *ctx, enum mesc esc, int lenient,
    struct plist *pl, struct buf *out)
{
	struct render_opts ro = { 0 };
	struct tmpl *t;
	json_t *data;
	int rc = -1;

	buf_reset(out);
	buf_add(out, "", 0);
	data = json_loads(ctx, JSON_DECODE_ANY, NULL);
	if (data == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", ctx);
		return -2;
	}
	if (pl != NULL) {
		ro.partial = plist_find;
		ro.partial_arg = pl;
	}
	ro.lenient = lenient;
	cap_start();
	t = tmpl_compile("t.mustache", tpl, strlen(tpl), esc);
	if (t != NULL)
		rc = tmpl_render(t, data, &ro, out);
	cap_end();
	tmpl_free(t);
	json_decref(data);
	return rc;
}

static int
compile_fails(const char *tpl, const char *msg)
{
	struct tmpl *t;
	const char *err;

	cap_start();
	t = tmpl_compile("t.mustache", tpl, strlen(tpl), MESC_NONE);
	err = cap_end();
	tmpl_free(t);
	if (t != NULL)
		return 0;
	if (strstr(err, msg) == NULL) {
		fprintf(stderr, "want \"%s\" in \"%s\"\n", msg, err);
		return 0;
	}
	return 1;
}

static void
addp(struct plist *pl, const char *name, const char *text)
{
	plist_add(pl, name, tmpl_compile(name, text, strlen(text), MESC_NONE));
}

/* ---- our own cases --------------------------------------------------- */

TEST(strict_unknown_name)
{
	struct buf out = { 0 };

	CHECK(run("a\nb\n    {{foo.bar}}\n", "{\"fo\": 1}", MESC_NONE, 0,
	    NULL, &out) == 0);
	CHECK(strstr(cap_text,
	    "t.mustache:3:5: name 'foo.bar' resolves nowhere") != NULL);
	CHECK(strstr(cap_text, "did you mean 'fo'") != NULL);
	CHECK(run("{{#nope}}x{{/nope}}", "{}", MESC_NONE, 0, NULL, &out) == 0);
	CHECK(run("{{^nope}}x{{/nope}}", "{}", MESC_NONE, 0, NULL, &out) == 0);
	/* Lenient: the same names render empty. */
	CHECK(run("[{{foo.bar}}{{#nope}}x{{/nope}}]", "{}", MESC_NONE, 1,
	    NULL, &out) == 1);
	CHECK_STR(out.s, "[]");
	buf_free(&out);
}

TEST(strict_missing_key)
{
	struct buf out = { 0 };

	CHECK(run("{{a.b}}", "{\"a\": {\"bb\": 1}}", MESC_NONE, 0, NULL,
	    &out) == 0);
	CHECK(strstr(cap_text, "t.mustache:1:1: name 'a.b' resolves "
	    "nowhere: 'a' has no key 'b'") != NULL);
	CHECK(run("{{a.b.c}}", "{\"a\": {\"b\": \"s\"}}", MESC_NONE, 0, NULL,
	    &out) == 0);
	CHECK(strstr(cap_text, "'a.b' is not an object") != NULL);
	buf_free(&out);
}

TEST(strict_false_parent)
{
	struct buf out = { 0 };

	CHECK(run("x{{a.b}}{{n.c.d}}{{#a.b}}no{{/a.b}}{{^n.c}}yes{{/n.c}}y",
	    "{\"a\": false, \"n\": null}", MESC_NONE, 0, NULL, &out) == 1);
	CHECK_STR(out.s, "xyesy");
	CHECK_STR(cap_text, "");
	buf_free(&out);
}

TEST(esc_none)
{
	struct buf out = { 0 };

	CHECK(run("{{x}}|{{{x}}}|{{&x}}", "{\"x\": \"<&>\\\"'`=\"}",
	    MESC_NONE, 0, NULL, &out) == 1);
	CHECK_STR(out.s, "<&>\"'`=|<&>\"'`=|<&>\"'`=");
	buf_free(&out);
}

TEST(esc_html)
{
	struct buf out = { 0 };

	CHECK(run("{{x}}|{{{x}}}|{{&x}}", "{\"x\": \"a<&>\\\"'`=b\"}",
	    MESC_HTML, 0, NULL, &out) == 1);
	CHECK_STR(out.s, "a&lt;&amp;&gt;&quot;&#39;&#96;&#61;b|"
	    "a<&>\"'`=b|a<&>\"'`=b");
	buf_free(&out);
}

TEST(compile_errors)
{
	CHECK(compile_fails("a\n {{#s}}x", "t.mustache:2:2: unclosed "
	    "section 's'"));
	CHECK(compile_fails("{{#a}}{{/b}}", "t.mustache:1:7: section end "
	    "'b' does not match section 'a'"));
	CHECK(compile_fails("x{{/a}}", "t.mustache:1:2: section end 'a' "
	    "without a section start"));
	CHECK(compile_fails("x {{y", "t.mustache:1:3: unclosed tag"));
	CHECK(compile_fails("x {{{y}}", "t.mustache:1:3: unclosed tag"));
	CHECK(compile_fails("{{=<%=}}", "t.mustache:1:1: bad delimiter"));
	CHECK(compile_fails("{{=< % >=}}", "bad delimiter"));
	CHECK(compile_fails("{{=<% =%>=}}", "bad delimiter"));
	CHECK(compile_fails("{{ }}", "empty tag"));
	CHECK(compile_fails("{{a..b}}", "bad name 'a..b'"));
	/* Positions count lines after a delimiter change, UTF-8 columns. */
	CHECK(compile_fails("\xc3\xa9{{=<% %>=}}\n\xc3\xa9 <%#x%>",
	    "t.mustache:2:3: unclosed section 'x'"));
}

TEST(partial_missing)
{
	struct plist pl = { 0 };
	struct buf out = { 0 };

	addp(&pl, "there", "T");
	CHECK(run("a{{>there}}{{>nope}}b", "{}", MESC_NONE, 0, &pl,
	    &out) == 0);
	CHECK(strstr(cap_text, "t.mustache:1:12: partial 'nope' not found")
	    != NULL);
	CHECK(run("a{{>nope}}b", "{}", MESC_NONE, 0, NULL, &out) == 0);
	CHECK(run("a{{>there}}{{>nope}}b", "{}", MESC_NONE, 1, &pl,
	    &out) == 1);
	CHECK_STR(out.s, "aTb");
	plist_free(&pl);
	buf_free(&out);
}

TEST(numbers)
{
	struct buf out = { 0 };

	CHECK(run("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}}",
	    "{\"a\": 1.5, \"b\": 0.1, \"c\": 1e300, \"d\": 85, \"e\": -3, "
	    "\"f\": 2.5e-7, \"g\": 0.30000000000000004, \"h\": 2.0, "
	    "\"i\": 9007199254740993}", MESC_HTML, 0, NULL, &out) == 1);
	CHECK_STR(out.s, "1.5 0.1 1e+300 85 -3 2.5e-07 0.30000000000000004 "
	    "2 9007199254740993");
	buf_free(&out);
}

TEST(scalars)
{
	struct buf out = { 0 };

	CHECK(run("{{t}}|{{f}}|{{n}}|{{#s}}empty string is truthy{{/s}}|"
	    "{{#z}}zero too{{/z}}", "{\"t\": true, \"f\": false, \"n\": null, "
	    "\"s\": \"\", \"z\": 0}", MESC_NONE, 0, NULL, &out) == 1);
	CHECK_STR(out.s, "true|||empty string is truthy|zero too");
	/* A list or object is not a value to interpolate. */
	CHECK(run("{{o}}", "{\"o\": {}}", MESC_NONE, 0, NULL, &out) == 0);
	CHECK(strstr(cap_text, "name 'o' is an object") != NULL);
	CHECK(run("{{o}}", "{\"o\": [1]}", MESC_NONE, 1, NULL, &out) == 1);
	CHECK_STR(out.s, "");
	buf_free(&out);
}

TEST(section_object_context)
{
	struct buf out = { 0 };

	CHECK(run("{{#o}}{{n}} {{m}} {{o.n}}{{/o}}",
	    "{\"o\": {\"n\": \"in\"}, \"n\": \"out\", \"m\": \"outer\"}",
	    MESC_NONE, 0, NULL, &out) == 1);
	CHECK_STR(out.s, "in outer in");
	CHECK(run("{{#l}}{{.}}{{/l}}", "{\"l\": [1, {}]}", MESC_NONE, 0,
	    NULL, &out) == 0);
	/* {{.}} on an object is an error in strict mode. */
	CHECK(strstr(cap_text, "name '.' is an object") != NULL);
	buf_free(&out);
}

TEST(compile_once_render_twice)
{
	struct render_opts ro = { 0 };
	struct buf a = { 0 }, b = { 0 }, c = { 0 };
	struct tmpl *t;
	json_t *x, *y;
	const char *tpl = "FROM {{img}}\n{{#env}}\nENV {{k}}={{v}}\n{{/env}}\n";

	t = tmpl_compile("t.mustache", tpl, strlen(tpl), MESC_NONE);
	CHECK(t != NULL);
	CHECK_STR(tmpl_name(t), "t.mustache");
	x = json_loads("{\"img\": \"debian:12\", \"env\": [{\"k\": \"A\", "
	    "\"v\": 1}, {\"k\": \"B\", \"v\": \"x y\"}]}", 0, NULL);
	y = json_loads("{\"img\": \"alpine\", \"env\": []}", 0, NULL);
	CHECK(tmpl_render(t, x, &ro, &a) == 1);
	CHECK(tmpl_render(t, x, &ro, &b) == 1);
	CHECK(tmpl_render(t, y, &ro, &c) == 1);
	CHECK_STR(a.s, "FROM debian:12\nENV A=1\nENV B=x y\n");
	CHECK_STR(a.s, b.s);
	CHECK_STR(c.s, "FROM alpine\n");
	/* Rendering appends. */
	CHECK(tmpl_render(t, y, NULL, &c) == 1);
	CHECK_STR(c.s, "FROM alpine\nFROM alpine\n");
	json_decref(x);
	json_decref(y);
	tmpl_free(t);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

/* {"c": {"c": ... {"c": false}}}, depth objects deep: "{{>n}}" below
 * enters n once per object. */
static char *
nested(int depth)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; i < depth; i++)
		buf_puts(&b, "{\"c\": ");
	buf_puts(&b, "false");
	for (i = 0; i < depth; i++)
		buf_putc(&b, '}');
	return b.s;
}

TEST(recursion_guard)
{
	struct plist pl = { 0 };
	struct buf out = { 0 };
	char *ctx;

	addp(&pl, "r", "{{>r}}");
	addp(&pl, "n", "<{{#c}}{{>n}}{{/c}}>");
	CHECK(run("{{>r}}", "{}", MESC_NONE, 0, &pl, &out) == 0);
	CHECK(strstr(cap_text, "r:1:1: partials nested deeper than 100")
	    != NULL);
	CHECK(run("{{>r}}", "{}", MESC_NONE, 1, &pl, &out) == 0);
	/* 100 nested partials are fine, 101 are not. */
	ctx = nested(101);
	CHECK(run("{{>n}}", ctx, MESC_NONE, 0, &pl, &out) == 0);
	free(ctx);
	ctx = nested(100);
	CHECK(run("{{>n}}", ctx, MESC_NONE, 0, &pl, &out) == 1);
	CHECK(out.len == 200 && out.s[0] == '<' && out.s[199] == '>');
	free(ctx);
	plist_free(&pl);
	buf_free(&out);
}

TEST(partial_indent_nested)
{
	struct plist pl = { 0 };
	struct buf out = { 0 };

	addp(&pl, "a", "a1\n  {{>b}}\n{{#l}}\n- {{.}}\n{{/l}}\na2 {{>c}}\n");
	addp(&pl, "b", "b1\r\n\r\nb2\n");
	addp(&pl, "c", "c1\nc2");
	CHECK(run("<\n  {{>a}}\n>", "{\"l\": [1, 2]}",
	    MESC_NONE, 0, &pl, &out) == 1);
	/* b gets both indents; c is inline, so not indented. */
	CHECK_STR(out.s, "<\n  a1\n    b1\r\n    \r\n    b2\n  - 1\n  - 2\n"
	    "  a2 c1\nc2\n>");
	buf_free(&out);
	plist_free(&pl);
}

TEST(load_file)
{
	char path[] = "/tmp/test_mustache.XXXXXX";
	struct buf out = { 0 };
	struct tmpl *t;
	json_t *ctx;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CHECK(fd != -1);
	f = fdopen(fd, "w");
	fputs("RUN {{cmd}}\n", f);
	fclose(f);
	t = tmpl_load(path, MESC_NONE);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK_STR(tmpl_name(t), path);
		ctx = json_pack("{s:s}", "cmd", "make && make install");
		CHECK(tmpl_render(t, ctx, NULL, &out) == 1);
		CHECK_STR(out.s, "RUN make && make install\n");
		json_decref(ctx);
	}
	tmpl_free(t);
	unlink(path);
	cap_start();
	t = tmpl_load(path, MESC_NONE);
	cap_end();
	CHECK(t == NULL);
	CHECK(strstr(cap_text, "cannot open") != NULL);
	buf_free(&out);
}

TEST(empty_and_plain)
{
	struct buf out = { 0 };

	CHECK(run("", "{}", MESC_NONE, 0, NULL, &out) == 1);
	CHECK(out.s != NULL && out.len == 0);
	CHECK(run("no tags { } here", "null", MESC_NONE, 0, NULL,
	    &out) == 1);
	CHECK_STR(out.s, "no tags { } here");
	buf_free(&out);
}

int
main(void)
{
	spec_all();
	RUN(strict_unknown_name);
	RUN(strict_missing_key);
	RUN(strict_false_parent);
	RUN(esc_none);
	RUN(esc_html);
	RUN(compile_errors);
	RUN(partial_missing);
	RUN(numbers);
	RUN(scalars);
	RUN(section_object_context);
	RUN(compile_once_render_twice);
	RUN(recursion_guard);
	RUN(partial_indent_nested);
	RUN(load_file);
	RUN(empty_and_plain);
	return harness_done("mustache");
}
