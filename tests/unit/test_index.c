/*
 * test_index.c - the typed index: engines.json streamed by index_write is
 * the text jansson writes for the same document (JSON_INDENT(2),
 * JSON_PRESERVE_ORDER, JSON_ENSURE_ASCII), strings with quotes, controls
 * and non-ASCII included; read back, it is the same index; release dates
 * and times round-trip; pool_run does every item once.
 */
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "harness.h"

/* A one-engine, two-version index over awkward strings. */
static char sums[3][65];
static struct ipkg pk[3] = {
	{ "e-2.0-linux-x86_64-cpu.baiengine", "linux", "x86_64", "cpu", NULL,
	    NULL, 12345, sums[0] },
	{ "e-2.0-linux-x86_64-cuda12-big.baiengine", "linux", "x86_64", "cuda",
	    "12.4", "big", 1ULL << 40, sums[1] },
	{ "e-1.0-linux-x86_64-cpu.baiengine", "linux", "x86_64", "cpu", NULL,
	    NULL, 0, sums[2] },
};
static struct iversion ver[2] = {
	{ "2.0", "1.2.0", 1800000000LL, 2, &pk[0] },
	{ "1.0", "1.0.0", 1700000000LL, 1, &pk[2] },
};
static const char *fmts[] = { "gguf", "caf\xc3\xa9 \xf0\x9f\x98\x80" };
static struct iengine eng = {
	"e", "Name \"quoted\" \\ back\tslash\x01", "line\nbreak \xe2\x82\xac </script>",
	2, fmts, 2, ver
};

static struct index *
sample(void)
{
	static struct index x;
	size_t i;

	for (i = 0; i < 3; i++)
		memset(sums[i], 'a' + (int)i, 64);
	memset(&x, 0, sizeof(x));
	x.last_updated = 1800000000LL;
	x.base_url = "https://example.org/dl";
	x.neng = 1;
	x.nver = 2;
	x.npkg = 3;
	x.eng = &eng;
	return &x;
}

static json_t *
pkg_json(const struct ipkg *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "os", json_string(p->os));
	json_object_set_new(o, "arch", json_string(p->arch));
	json_object_set_new(o, "accelerator", json_string(p->accelerator));
	json_object_set_new(o, "acceleratorVersion", p->accelerator_version ?
	    json_string(p->accelerator_version) : json_null());
	if (p->variant)
		json_object_set_new(o, "variant", json_string(p->variant));
	json_object_set_new(o, "filename", json_string(p->filename));
	json_object_set_new(o, "size", json_integer((json_int_t)p->size));
	json_object_set_new(o, "sha256", json_string(p->sha256));
	return o;
}

/* The same document, made with jansson. */
static char *
jansson_text(const struct index *x)
{
	json_t *root = json_object(), *es = json_array(), *e = json_object();
	json_t *vs = json_array(), *a;
	char when[32], *s;
	size_t i, j;

	json_object_set_new(root, "schemaVersion", json_integer(1));
	index_time(x->last_updated, when);
	json_object_set_new(root, "lastUpdated", json_string(when));
	json_object_set_new(root, "baseUrl", json_string(x->base_url));
	json_object_set_new(e, "id", json_string(eng.id));
	json_object_set_new(e, "name", json_string(eng.name));
	json_object_set_new(e, "description", json_string(eng.description));
	json_object_set_new(e, "latestVersion", json_string(ver[0].version));
	a = json_array();
	for (i = 0; i < eng.nformats; i++)
		json_array_append_new(a, json_string(eng.formats[i]));
	json_object_set_new(e, "modelFormats", a);
	a = json_array();
	for (i = 0; i < ver[0].npkg; i++)
		json_array_append_new(a, pkg_json(&ver[0].pkg[i]));
	json_object_set_new(e, "packages", a);
	for (i = 0; i < 2; i++) {
		json_t *v = json_object();

		json_object_set_new(v, "version", json_string(ver[i].version));
		json_object_set_new(v, "minAppVersion",
		    json_string(ver[i].min_app_version));
		index_time(ver[i].release_date, when);
		json_object_set_new(v, "releaseDate", json_string(when));
		a = json_array();
		for (j = 0; j < ver[i].npkg; j++)
			json_array_append_new(a, pkg_json(&ver[i].pkg[j]));
		json_object_set_new(v, "packages", a);
		json_array_append_new(vs, v);
	}
	json_object_set_new(e, "versions", vs);
	json_array_append_new(es, e);
	json_object_set_new(root, "engines", es);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	json_decref(root);
	return s;
}

TEST(write_matches_jansson)
{
	struct index *x = sample();
	char *mine = NULL, *theirs;
	size_t len = 0;
	FILE *f = open_memstream(&mine, &len);

	CHECK(index_write(x, f));
	fclose(f);
	theirs = jansson_text(x);
	CHECK(len > 0 && mine[len - 1] == '\n');
	mine[len - 1] = '\0';
	CHECK_STR(mine, theirs);
	free(mine);
	free(theirs);
}

TEST(write_then_read)
{
	struct index *x = sample(), *y;
	struct pkgrules any = { 0, NULL, NULL, NULL, 0 };
	char *text = NULL;
	size_t len = 0;
	const char *name = eng.name, *desc = eng.description;
	FILE *f;

	/* The reader refuses control characters (the writer escapes them). */
	eng.name = "Name \"quoted\" \\ back slash \xe2\x82\xac";
	eng.description = "</script> caf\xc3\xa9";
	f = open_memstream(&text, &len);
	CHECK(index_write(x, f));
	fclose(f);
	y = index_read_buf("t.json", text, len, &any);
	CHECK(y != NULL);
	if (y != NULL) {
		CHECK(y->neng == 1 && y->nver == 2 && y->npkg == 3);
		CHECK_STR(y->eng[0].name, eng.name);
		CHECK(y->eng[0].ver[0].release_date == 1800000000LL);
		CHECK(y->eng[0].ver[1].release_date == 1700000000LL);
		CHECK(y->eng[0].ver[0].pkg[1].size == 1ULL << 40);
		CHECK(y->eng[0].ver[0].pkg[0].accelerator_version == NULL);
		CHECK_STR(y->eng[0].ver[0].pkg[1].variant, "big");
		CHECK(index_version(&y->eng[0], "1.0") == &y->eng[0].ver[1]);
		CHECK(index_version(&y->eng[0], "1.5") == NULL);
		CHECK(index_engine(y, "e") == &y->eng[0]);
		CHECK(index_engine(y, "f") == NULL);
	}
	index_free(y);
	free(text);
	eng.name = name;
	eng.description = desc;
}

TEST(times)
{
	char s[32];

	index_time(0, s);
	CHECK_STR(s, "1970-01-01T00:00:00Z");
	index_time(1700000000LL, s);
	CHECK_STR(s, "2023-11-14T22:13:20Z");
	CHECK(index_parse_time("2023-11-14T22:13:20Z") == 1700000000LL);
	CHECK(index_parse_time("2000-02-29T00:00:00Z") == 951782400LL);
	CHECK(index_parse_time("1969-12-31T23:59:59Z") == -1);
	CHECK(index_parse_time("2023-11-14 22:13:20Z") == -1);
	CHECK(index_parse_time("2023-13-14T22:13:20Z") == -1);
	CHECK(index_parse_time("2023-11-14T22:13:20") == -1);
	CHECK(index_parse_time(NULL) == -1);
}

static void
count(void *ctx, size_t i, int worker)
{
	unsigned *seen = ctx;

	(void)worker;
	__atomic_fetch_add(&seen[i], 1, __ATOMIC_RELAXED);
}

TEST(pool_every_item_once)
{
	unsigned seen[1000];
	size_t i;
	int used, ok = 1;

	memset(seen, 0, sizeof(seen));
	used = pool_run(1000, 4, count, seen);
	CHECK(used >= 1 && used <= 4);
	for (i = 0; i < 1000; i++)
		ok &= seen[i] == 1;
	CHECK(ok);
	CHECK(pool_run(0, 4, count, seen) == 1);
}

int
main(void)
{
	json_set_alloc_funcs(xmalloc, free);
	RUN(write_matches_jansson);
	RUN(write_then_read);
	RUN(times);
	RUN(pool_every_item_once);
	return harness_done("index");
}
