/*
 * test_health.c - health.c without servers: the last-results file written
 * and read back (sorted keys, results kept for ids not checked, dropped
 * for ids no longer listed), every malformed file refused at its place,
 * the printed table and envelope (untrusted text escaped), and checks of
 * a closed port and of a name that does not resolve.  Real registries are
 * tests/cr-servers.sh's.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "cr.h"

static char scratch[] = "/tmp/test_health.XXXXXX";

#define ID1 "00000000-0000-4000-8000-000000000001"
#define ID2 "00000000-0000-4000-8000-000000000002"
#define ID3 "00000000-0000-4000-8000-000000000003"

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(1);
	}
}

static char *
slurp(const char *path)
{
	struct buf b = { 0 };

	if (!read_file(path, &b))
		return NULL;
	return b.s;
}

/* Run fn with stderr sent nowhere (messages of refused files). */
static int quiet_depth;
static int saved_fd = -1;

static void
quiet(int on)
{
	int null;

	fflush(stderr);
	if (on && quiet_depth++ == 0 && (null = open("/dev/null", O_WRONLY)) != -1) {
		saved_fd = dup(2);
		dup2(null, 2);
		close(null);
	} else if (!on && --quiet_depth == 0 && saved_fd != -1) {
		dup2(saved_fd, 2);
		close(saved_fd);
		saved_fd = -1;
	}
}

static struct crentry ents[3] = {
	{ .id = ID1, .name = "one", .url = "http://127.0.0.1:1", .scheme = "http",
	  .host = "127.0.0.1", .port = 1 },
	{ .id = ID2, .name = "two\x1b[31m", .url = "http://127.0.0.1:2",
	  .scheme = "http", .host = "127.0.0.1", .port = 2 },
	{ .id = ID3, .name = "three", .url = "http://127.0.0.1:3", .scheme = "http",
	  .host = "127.0.0.1", .port = 3 },
};

TEST(write_read_keep_drop)
{
	struct crlist l = { NULL, 3, ents };
	const struct crentry *sel[2] = { &ents[1], &ents[0] };
	struct crhealth h[2] = {
		{ 0, 404, 0, 12.34, "HTTP 404: not an OCI registry" },
		{ 1, 200, 1, 3.06, "ok" },
	};
	char *path = xasprintf("%s/health.json", scratch), *text;
	struct crlastset *s = NULL;
	const struct crlast *r;

	CHECK(cr_health_read(path, &s) && s == NULL);	/* no file yet */
	CHECK(cr_health_write(path, &l, sel, 2, h, 1796256000));
	text = slurp(path);
	CHECK(text != NULL && strstr(text, "{\n  \"checkedAt\": \"2026-12-03T00:00:00Z\",\n"
	    "  \"results\": {\n    \"" ID1 "\": {\n      \"apiVersion\": \"registry/2.0\",\n"
	    "      \"checkedAt\": \"2026-12-03T00:00:00Z\",\n      \"healthy\": true,\n"
	    "      \"latencyMs\": 3.1,\n      \"reason\": \"ok\",\n      \"status\": 200\n"
	    "    },\n") == text);
	CHECK(text != NULL && strstr(text, "\"schemaVersion\": 1\n}\n") != NULL);
	free(text);
	CHECK(cr_health_read(path, &s) && s != NULL && s->n == 2);
	CHECK((r = crlast_find(s, ID2)) != NULL && !r->healthy && r->status == 404 &&
	    !r->api_v2 && r->ms == 12.3);
	CHECK(crlast_find(s, ID3) == NULL);
	crlastset_free(s);

	/* ID3 checked later: ID1 and ID2 stay; ID2 unlisted: dropped. */
	sel[0] = &ents[2];
	l.n = 3;
	CHECK(cr_health_write(path, &l, sel, 1, h, 1796259600));
	CHECK(cr_health_read(path, &s) && s != NULL && s->n == 3);
	CHECK((r = crlast_find(s, ID1)) != NULL &&
	    strcmp(r->checked_at, "2026-12-03T00:00:00Z") == 0);
	CHECK((r = crlast_find(s, ID3)) != NULL &&
	    strcmp(r->checked_at, "2026-12-03T01:00:00Z") == 0);
	crlastset_free(s);
	ents[1] = ents[2];	/* the list without ID2 */
	l.n = 2;
	CHECK(cr_health_write(path, &l, sel, 1, h, 1796259600));
	CHECK(cr_health_read(path, &s) && s != NULL && s->n == 2 &&
	    crlast_find(s, ID2) == NULL && strcmp(s->r[0].id, ID1) == 0);
	crlastset_free(s);
	ents[1] = (struct crentry){ .id = ID2, .name = "two\x1b[31m",
	    .url = "http://127.0.0.1:2", .scheme = "http", .host = "127.0.0.1",
	    .port = 2 };
	free(path);
}

static const struct bad {
	const char	*text, *want;
} bads[] = {
	{ "[]", ":1:1: expected a mapping" },
	{ "{\"schemaVersion\": 2, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": {}}",
	  "schemaVersion: expected 1" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"today\", \"results\": {}}",
	  ":1:35: checkedAt: expected a time" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\"}",
	  "missing \"results\"" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": {}, \"x\": 1}",
	  "unknown key \"x\"" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": "
	  "{\"not-a-uuid\": {}}}", "expected a registry id" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": "
	  "{\"" ID1 "\": {\"healthy\": \"yes\", \"status\": 200, \"apiVersion\": null, "
	  "\"latencyMs\": 1, \"reason\": \"ok\", \"checkedAt\": \"2026-12-03T00:00:00Z\"}}}",
	  "results." ID1 ".healthy: expected a boolean, got a string" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": "
	  "{\"" ID1 "\": {\"healthy\": true, \"status\": 200, \"apiVersion\": \"v1\", "
	  "\"latencyMs\": 1, \"reason\": \"ok\", \"checkedAt\": \"2026-12-03T00:00:00Z\"}}}",
	  "apiVersion: expected \"registry/2.0\" or null" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": "
	  "{\"" ID1 "\": {\"healthy\": true, \"apiVersion\": null, "
	  "\"latencyMs\": 1, \"reason\": \"ok\", \"checkedAt\": \"2026-12-03T00:00:00Z\"}}}",
	  "missing \"status\"" },
	{ "{\"schemaVersion\": 1, \"checkedAt\": \"2026-12-03T00:00:00Z\", \"results\": "
	  "{\"" ID1 "\": {\"healthy\": true, \"status\": -5, \"apiVersion\": null, "
	  "\"latencyMs\": 1, \"reason\": \"ok\", \"checkedAt\": \"2026-12-03T00:00:00Z\"}}}",
	  "a status of 0 to 999" },
	{ "{\"schemaVersion\": 1,}", ":1:" },
};

/* Each bad file is refused (0, EXIT_DATAERR) with the message expected. */
TEST(bad_files)
{
	char *path = xasprintf("%s/bad.json", scratch);
	char *err = xasprintf("%s/err", scratch), *got;
	struct crlastset *s;
	size_t i;
	int saved, fd;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		put(path, bads[i].text);
		fflush(stderr);
		saved = dup(2);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		close(fd);
		gen_status = 0;
		s = (struct crlastset *)1;
		CHECK(!cr_health_read(path, &s) && s == NULL);
		CHECK(gen_status == EXIT_DATAERR);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		got = slurp(err);
		if (got == NULL || strstr(got, bads[i].want) == NULL) {
			fprintf(stderr, "case %zu: expected \"%s\" in: %s", i,
			    bads[i].want, got ? got : "(nothing)");
			h_cur_failed = 1;
		}
		free(got);
	}
	gen_status = 0;
	free(path);
	free(err);
}

/* The table escapes a name with an escape character; the envelope is
 * JSON with the fields of the brief. */
TEST(print)
{
	const struct crentry *sel[2] = { &ents[0], &ents[1] };
	struct crhealth h[2] = {
		{ 1, 200, 1, 3.5, "ok" },
		{ 0, 0, 0, 1.0, "refused" },
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *doc, *d;

	CHECK(cr_health_print(f, sel, 2, h, 0));
	fclose(f);
	CHECK(strstr(text, "healthy    " ID1 "  one ") == text);
	CHECK(strstr(text, "\n" "UNHEALTHY  " ID2 "  \"two\\x1b[31m\"  ") != NULL);
	CHECK(strstr(text, "\x1b") == NULL);
	CHECK(strstr(text, "    -       1.0 ms  refused\n") != NULL);
	free(text);
	f = open_memstream(&text, &len);
	CHECK(cr_health_print(f, sel, 2, h, 1));
	fclose(f);
	doc = json_loads(text, 0, NULL);
	CHECK(doc != NULL && json_is_true(json_object_get(doc, "success")));
	d = json_array_get(json_object_get(doc, "data"), 1);
	CHECK(json_object_size(d) == 8);
	CHECK_STR(json_string_value(json_object_get(d, "container_registry_id")), ID2);
	CHECK_STR(json_string_value(json_object_get(d, "container_registry_name")),
	    "two\x1b[31m");
	CHECK(json_is_false(json_object_get(d, "healthy")));
	CHECK(json_is_null(json_object_get(d, "apiVersion")));
	CHECK_STR(json_string_value(json_object_get(d, "reason")), "refused");
	CHECK(strstr(text, "\x1b") == NULL);
	json_decref(doc);
	free(text);
}

/* A port nobody listens on: bound, read, closed. */
static unsigned
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t n = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s != -1 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &n) == 0)
		port = ntohs(a.sin_port);
	if (s != -1)
		close(s);
	return port;
}

TEST(unreachable)
{
	unsigned port = closed_port();
	struct crentry e[2] = {
		{ .id = ID1, .name = "closed", .scheme = "http", .host = "127.0.0.1",
		  .port = port },
		{ .id = ID2, .name = "nowhere", .scheme = "http",
		  .host = "no-such-host.invalid" },
	};
	const struct crentry *sel[2] = { &e[0], &e[1] };
	struct crhealth h[2];
	struct crnet net = { NULL, 2000, 0 };
	json_t *im;

	e[0].url = xasprintf("http://127.0.0.1:%u", port);
	e[1].url = "http://no-such-host.invalid";
	CHECK(port != 0);
	CHECK(cr_health(sel, 2, &net, h) == 2);
	CHECK(!h[0].healthy && h[0].status == 0);
	CHECK_STR(h[0].reason, "refused");
	CHECK(!h[1].healthy && h[1].reason != NULL &&
	    strncmp(h[1].reason, "DNS: ", 5) == 0);
	crhealth_clear(&h[0]);
	crhealth_clear(&h[1]);
	CHECK(h[0].reason == NULL);
	quiet(1);
	gen_status = 0;
	im = cr_images(&e[0], &net);
	quiet(0);
	CHECK(im == NULL && gen_status == EXIT_UNAVAILABLE);
	gen_status = 0;
	free(e[0].url);
}

int
main(void)
{
	char *cmd;
	int st;

	if (mkdtemp(scratch) == NULL) {
		perror(scratch);
		return 1;
	}
	RUN(write_read_keep_drop);
	RUN(bad_files);
	RUN(print);
	RUN(unreachable);
	st = harness_done("test_health");
	cmd = xasprintf("rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		st = 1;
	free(cmd);
	return st;
}
