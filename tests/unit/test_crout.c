/*
 * test_crout.c - what cr_publish puts into the site's output set: the GET
 * answer (no health), the list by id (health when there is a result),
 * one file per tag whose name no tag can turn into a path, the schemas.
 * Run from the repository root (the schemas come from templates/site).
 */
#include <stdlib.h>
#include <string.h>

#include "cr.h"
#include "harness.h"

#define ID_A "b3c38f52-8f2e-43a3-9aa9-bd9a4c75e509"
#define ID_B "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

static struct crentry *
entry(const char *id, const char *name)
{
	char *text = xasprintf("{\"container_registry_id\": \"%s\", "
	    "\"container_registry_name\": \"%s\", "
	    "\"container_registry_tags\": [\"ai\"], "
	    "\"container_registry_public_url\": \"http://10.0.0.1:5000\", "
	    "\"container_registry_storage_info\": {\"storage_type\": \"fs\", "
	    "\"storage_size\": -1, \"memory_size\": 1024, "
	    "\"registry_type\": \"aios\"}}", id, name);
	struct crentry *e = cr_parse("test", text, strlen(text), NULL);

	free(text);
	return e;
}

/* Replace an entry's tags with tags cr.c would refuse. */
static void
set_tags(struct crentry *e, const char *const *tags, size_t n)
{
	size_t i;

	for (i = 0; i < e->ntags; i++)
		free(e->tags[i]);
	free(e->tags);
	e->tags = xcalloc(n + 1, sizeof(*e->tags));
	for (i = 0; i < n; i++)
		e->tags[i] = xstrdup(tags[i]);
	e->ntags = n;
}

static json_t *
get_json(struct outset *o, const char *path)
{
	const struct buf *b = outset_get(o, path);

	if (b == NULL)
		return NULL;
	if (b->len == 0 || b->s[b->len - 1] != '\n')
		return NULL;
	return json_loadb(b->s, b->len, 0, NULL);
}

TEST(publish)
{
	static const char *const hostile[] = { "ai", "../x", "A B", ".hidden",
	    "a/b" };
	struct crlist l = { 0 };
	struct crlast last = { 0 };
	struct crlastset set = { 1, &last };
	struct crentry *a = entry(ID_A, "alpha"), *b = entry(ID_B, "beta");
	struct outset *o = outset_new("build/tmp/test_crout");
	json_t *j, *d;

	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		return;
	set_tags(a, hostile, 5);
	/* by id, as cr_load gives them */
	l.n = 2;
	l.e = xcalloc(2, sizeof(*l.e));
	l.e[0] = *b;
	l.e[1] = *a;
	free(a);
	free(b);
	last.id = ID_A;
	last.healthy = 1;
	last.status = 200;
	last.api_v2 = 1;
	last.ms = 12.34;
	last.reason = "ok";
	last.checked_at = "2026-12-03T16:00:00Z";
	CHECK(cr_publish(&l, &set, "templates/site", o) == 1);

	j = get_json(o, "api/container_registry/" ID_A ".json");
	CHECK(j != NULL && json_is_true(json_object_get(j, "success")));
	d = json_object_get(j, "data");
	CHECK_STR(json_string_value(json_object_get(d, "container_registry_name")), "alpha");
	CHECK(json_object_get(d, "health") == NULL);
	json_decref(j);

	j = get_json(o, "api/container_registries.json");
	d = json_object_get(j, "data");
	CHECK(json_array_size(d) == 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(d, 0),
	    "container_registry_id")), ID_B);
	CHECK(json_object_get(json_array_get(d, 0), "health") == NULL);
	CHECK(json_real_value(json_object_get(json_object_get(
	    json_array_get(d, 1), "health"), "latencyMs")) == 12.3);
	CHECK_STR(json_string_value(json_object_get(json_object_get(
	    json_array_get(d, 1), "health"), "apiVersion")), "registry/2.0");
	json_decref(j);

	/* ai: both; the others only alpha, under names that stay files */
	j = get_json(o, "api/container_registries/tags/ai.json");
	CHECK(json_array_size(json_object_get(j, "data")) == 2);
	json_decref(j);
	CHECK(outset_get(o, "api/container_registries/tags/%2E.%2Fx.json") != NULL);
	CHECK(outset_get(o, "api/container_registries/tags/%41%20%42.json") != NULL);
	CHECK(outset_get(o, "api/container_registries/tags/%2Ehidden.json") != NULL);
	CHECK(outset_get(o, "api/container_registries/tags/a%2Fb.json") != NULL);
	CHECK(outset_get(o, "api/x.json") == NULL);
	CHECK(outset_get(o, "schema/container_registry.schema.json") != NULL);
	CHECK(outset_get(o, "schema/container_registries.schema.json") != NULL);
	CHECK(outset_get(o, "schema/container_registries_tags.schema.json") != NULL);
	outset_free(o);
	for (size_t i = 0; i < l.n; i++) {
		struct crentry *e = xmalloc(sizeof(*e));

		*e = l.e[i];
		crentry_free(e);
	}
	free(l.e);
}

int
main(void)
{
	RUN(publish);
	return harness_done("test_crout");
}
