/*
 * crcmd.c - the gen cr commands: the reference's API (create, get,
 * update, delete, query, health) and images and verify-images, on the
 * listing's files.  Writes go through cr_write (atomic); an unknown id is
 * exit 66 and is never inserted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cr.h"
#include "manifest.h"

/* Bytes a request file (entry, patch, filter) may have. */
#define CR_MAX_REQUEST	(1u << 20)

/* A fresh UUID, version 4 (random), lower case. */
static char *
uuid4(void)
{
	unsigned char b[16];
	char hex[33];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return NULL;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	hex_encode(b, sizeof(b), hex);
	return xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

/* {"success": true, "data": data} (data stolen), or the entry as text. */
static int
emit(const struct crcmd *o, json_t *data)
{
	json_t *env = json_pack("{s:b, s:o}", "success", 1, "data", data);
	int ok;

	if (!o->json) {
		json_decref(env);
		return 1;
	}
	ok = json_dumpf(env, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0;
	putchar('\n');
	json_decref(env);
	return ok;
}

/* The failure envelope on standard output, with --json. */
static void
emit_error(const struct crcmd *o, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!o->json)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	json_t *env = json_pack("{s:b, s:s}", "success", 0, "error", msg);
	json_dumpf(env, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(env);
	free(msg);
}

static int
print_entry(const struct crcmd *o, const struct crentry *e)
{
	char *t;

	if (o->json)
		return emit(o, cr_json(e));
	t = cr_text(e);
	fputs(t, stdout);
	free(t);
	return 1;
}

static const struct crentry *
need(const struct crcmd *o, const struct crlist *l, const char *id)
{
	const struct crentry *e = cr_find(l, id);

	if (e == NULL) {
		diag(EXIT_NOINPUT, NULL, "%s: no container registry with id \"%s\"",
		    l->dir, id);
		emit_error(o, "no container registry with id %s", id);
	}
	return e;
}

/* Another entry (not skip) with this name or id: reported, 1. */
static int
taken(const struct crlist *l, const struct crentry *e, const char *skip)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (skip != NULL && strcmp(l->e[i].id, skip) == 0)
			continue;
		if (strcmp(l->e[i].id, e->id) == 0) {
			diag(EXIT_DATAERR, e->id_pos.line ? &e->id_pos : NULL,
			    "container_registry_id: %s is already listed (%s)",
			    e->id, l->e[i].file);
			return 1;
		}
		if (strcasecmp(l->e[i].name, e->name) == 0) {
			diag(EXIT_DATAERR, e->name_pos.line ? &e->name_pos : NULL,
			    "container_registry_name: \"%s\" is already the name of "
			    "%s (%s)", e->name, l->e[i].id, l->e[i].file);
			return 1;
		}
	}
	return 0;
}

/* One entry's health, for create --check.  1 when healthy. */
static int
healthy(const struct crcmd *o, const struct crentry *e)
{
	struct crhealth h = { 0 };
	int ok;

	cr_health(&e, 1, &o->net, &h);
	ok = h.healthy;
	if (!ok) {
		diag(EXIT_UNAVAILABLE, NULL, "%s: unhealthy: %s; nothing written",
		    e->url, h.reason ? h.reason : "no answer");
		emit_error(o, "unhealthy: %s", h.reason ? h.reason : "no answer");
	}
	crhealth_clear(&h);
	return ok;
}

static int
cr_create(const struct crcmd *o, const struct crlist *l, const char *file)
{
	struct buf b = { 0 };
	struct crentry *e = NULL;
	int ok = 0;

	if (!read_file_max(file, &b, CR_MAX_REQUEST) ||
	    (e = cr_parse(intern(file), b.s, b.len, NULL)) == NULL)
		goto out;
	if (e->id == NULL && (e->id = uuid4()) == NULL) {
		diag(EXIT_IOERR, NULL, "cannot make a random id");
		goto out;
	}
	if (taken(l, e, NULL) || (o->check && !healthy(o, e)))
		goto out;
	if (!cr_write(l->dir, e))
		goto out;
	if (!o->json && gen_verbose >= 0)
		fprintf(stderr, "gen: cr: created %s/%s.json\n", l->dir, e->id);
	if (!o->json)
		printf("%s\n", e->id);
	ok = emit(o, cr_json(e));
out:
	if (!ok && e == NULL)
		emit_error(o, "invalid entry %s", file);
	crentry_free(e);
	buf_free(&b);
	return ok;
}

static int
cr_update(const struct crcmd *o, const struct crlist *l, const char *id,
    const char *file)
{
	const struct crentry *e;
	struct crentry *n = NULL;
	struct buf b = { 0 };
	int ok = 0;

	if ((e = need(o, l, id)) == NULL)
		return 0;
	if (!read_file_max(file, &b, CR_MAX_REQUEST) ||
	    (n = cr_patch(e, intern(file), b.s, b.len)) == NULL) {
		emit_error(o, "invalid update %s", file);
		goto out;
	}
	if (taken(l, n, id) || !cr_write(l->dir, n))
		goto out;
	ok = o->json ? emit(o, cr_json(n)) : print_entry(o, n);
out:
	crentry_free(n);
	buf_free(&b);
	return ok;
}

static int
cr_delete(const struct crcmd *o, const struct crlist *l, const char *id)
{
	const struct crentry *e;

	if ((e = need(o, l, id)) == NULL)
		return 0;
	if (unlink(e->file) == -1) {
		diag_errno(e->file, 0, "cannot delete");
		return 0;
	}
	if (gen_verbose >= 0 && !o->json)
		fprintf(stderr, "gen: cr: deleted %s\n", e->file);
	return emit(o, json_pack("{s:s}", "container_registry_id", id));
}

static int
cr_query(const struct crcmd *o, const struct crlist *l, const char *file)
{
	struct crfilter *f;
	struct buf b = { 0 };
	json_t *hits;
	size_t i;
	int ok = 0;

	if (!read_file_max(file, &b, CR_MAX_REQUEST) ||
	    (f = crfilter_parse(intern(file), b.s, b.len)) == NULL) {
		emit_error(o, "invalid query %s", file);
		buf_free(&b);
		return 0;
	}
	hits = json_array();
	for (i = 0; i < l->n; i++)
		if (crfilter_match(f, &l->e[i]))
			json_array_append_new(hits, cr_json(&l->e[i]));
	if (o->json)
		ok = emit(o, hits);
	else {
		ok = json_dumpf(hits, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0;
		putchar('\n');
		json_decref(hits);
	}
	crfilter_free(f);
	buf_free(&b);
	return ok;
}

/* The entries the operands name (all when none), or NULL after
 * reporting an unknown id. */
static const struct crentry **
select_ids(const struct crcmd *o, const struct crlist *l, int argc,
    char **argv, size_t *n)
{
	const struct crentry **sel = xcalloc(l->n + (size_t)argc + 1,
	    sizeof(*sel));
	int i;

	*n = 0;
	if (argc == 0)
		for (; *n < l->n; (*n)++)
			sel[*n] = &l->e[*n];
	for (i = 0; i < argc; i++)
		if ((sel[(*n)++] = need(o, l, argv[i])) == NULL) {
			free(sel);
			return NULL;
		}
	return sel;
}

static int
cr_health_cmd(const struct crcmd *o, const struct crlist *l, int argc,
    char **argv)
{
	const struct crentry **sel;
	struct crhealth *h;
	size_t n, i, bad;
	int ok = 1;

	if ((sel = select_ids(o, l, argc, argv, &n)) == NULL)
		return 0;
	h = xcalloc(n + 1, sizeof(*h));
	bad = cr_health(sel, n, &o->net, h);
	if (!cr_health_print(stdout, sel, n, h, o->json))
		ok = 0;
	if (o->write && !cr_health_write(o->health_file, l, sel, n, h,
	    (long long)time(NULL)))
		ok = 0;
	if (bad > 0 && ok) {
		if (gen_status < EXIT_UNAVAILABLE)
			gen_status = EXIT_UNAVAILABLE;
		ok = 0;
	}
	for (i = 0; i < n; i++)
		crhealth_clear(&h[i]);
	free(h);
	free(sel);
	return ok;
}

static int
cr_images_cmd(const struct crcmd *o, const struct crlist *l, const char *id)
{
	const struct crentry *e;
	json_t *im;
	int ok;

	if ((e = need(o, l, id)) == NULL)
		return 0;
	if ((im = cr_images(e, &o->net)) == NULL) {
		emit_error(o, "cannot list the images of %s", e->url);
		return 0;
	}
	ok = cr_images_print(stdout, im, o->json);
	json_decref(im);
	return ok;
}

static int
cr_verify_cmd(const struct crcmd *o, const struct crlist *l)
{
	char *path = xasprintf("%s/images.json", o->generated);
	long missing = cr_verify_images(l, path, &o->net);

	free(path);
	if (missing > 0) {
		fprintf(stderr, "gen: cr verify-images: %ld tag%s missing\n",
		    missing, missing == 1 ? " is" : "s are");
		if (gen_status < EXIT_DIFF)
			gen_status = EXIT_DIFF;
	}
	return missing == 0;
}

int
cr_command(const struct crcmd *o, int argc, char **argv)
{
	static const struct { const char *name; int min, max; } subs[] = {
		{ "create", 1, 1 }, { "get", 1, 1 }, { "update", 2, 2 },
		{ "delete", 1, 1 }, { "query", 1, 1 }, { "health", 0, 1 << 20 },
		{ "images", 1, 1 }, { "verify-images", 0, 0 }, { NULL, 0, 0 }
	};
	struct crlist *l;
	const struct crentry *e;
	int i, ok = 0;

	for (i = 0; argc > 0 && subs[i].name != NULL; i++)
		if (strcmp(subs[i].name, argv[0]) == 0)
			break;
	if (argc == 0 || subs[i].name == NULL || argc - 1 < subs[i].min ||
	    argc - 1 > subs[i].max) {
		fprintf(stderr, "gen: cr: expected create FILE, get ID, update ID "
		    "PATCH, delete ID, query FILTER, health [ID ...], images ID "
		    "or verify-images\n");
		gen_status = EXIT_USAGE;
		return 0;
	}
	if ((l = cr_load(o->dir, 1)) == NULL) {
		emit_error(o, "the listing %s does not load", o->dir);
		return 0;
	}
	switch (i) {
	case 0: ok = cr_create(o, l, argv[1]); break;
	case 1: ok = (e = need(o, l, argv[1])) != NULL && print_entry(o, e); break;
	case 2: ok = cr_update(o, l, argv[1], argv[2]); break;
	case 3: ok = cr_delete(o, l, argv[1]); break;
	case 4: ok = cr_query(o, l, argv[1]); break;
	case 5: ok = cr_health_cmd(o, l, argc - 1, argv + 1); break;
	case 6: ok = cr_images_cmd(o, l, argv[1]); break;
	default: ok = cr_verify_cmd(o, l); break;
	}
	crlist_free(l);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		diag_errno("stdout", 0, "write");
		ok = 0;
	}
	return ok;
}

int
cr_check_manifest(const struct crlist *l, const struct manifest *m,
    const struct matrix *mx)
{
	const char *t;
	size_t i, j, n;

	if (l == NULL || l->n == 0 || mx == NULL)
		return 1;
	for (i = 0; i < mx->n; i++)
		for (j = 0; j < mx->img[i].ntags; j++) {
			t = mx->img[i].tags[j];
			if ((n = cr_ref_registry(t)) == 0 ||
			    cr_for_registry(l, t, n) != NULL)
				continue;
			diag(EXIT_DATAERR, NULL, "%s: repository: images are "
			    "pushed to %.*s, which %s does not list: add it "
			    "(registry_type \"external\" for a third party's)",
			    m->path, (int)n, t, l->dir);
			return 0;
		}
	return 1;
}
