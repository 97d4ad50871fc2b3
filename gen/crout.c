/*
 * crout.c - what the container-registry listing publishes into site/: the
 * reference's API as static files a CDN serves, and their schemas.
 *
 *   api/container_registry/<id>.json          GET /container_registry/<id>
 *   api/container_registries.json             the whole list, by id
 *   api/container_registries/tags/<tag>.json  the entries carrying a tag
 *
 * Each is the reference's envelope {"success": true, "data": ...}, keys
 * sorted, two-space indentation, a final newline.  The GET answer is the
 * entry exactly as the reference shapes it.  In the list and the tag
 * files an entry carries one more key, "health", when the last health
 * results (CR_HEALTH_FILE) have one for it: the schemas say so.
 */
#include <stdlib.h>
#include <string.h>

#include "cr.h"

/* jansson's flags for every API file: those of the entry files (cr.c), so
 * that numbers in metadata and config come out as the entries have them. */
#define CR_DUMP (JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17))

/* The schemas copied from tmpldir/schema/ as they are. */
static const char *const cr_schemas[] = {
	"container_registry", "container_registries",
	"container_registries_tags", NULL
};

/* {"success": true, "data": data} into relpath of the set (data borrowed).
 * Returns 1, or 0 after reporting a value jansson could not write. */
static int
put_envelope(struct outset *site, const char *relpath, json_t *data)
{
	json_t *env = json_object();
	struct buf b = { 0 };
	int ok;

	ok = env != NULL && json_object_set_new(env, "success",
	    json_true()) == 0 && json_object_set(env, "data", data) == 0 &&
	    json_dump_callback(env, buf_json_cb, &b, CR_DUMP) == 0;
	json_decref(env);
	if (!ok) {
		diag(EXIT_IOERR, NULL, "%s: out of memory writing it", relpath);
		buf_free(&b);
		return 0;
	}
	buf_putc(&b, '\n');
	outset_add(site, relpath, &b);
	return 1;
}

/* The last health result as the list shows it (a new reference). */
static json_t *
health_json(const struct crlast *h)
{
	return json_pack("{s:b, s:I, s:o, s:f, s:s, s:s}",
	    "healthy", h->healthy, "status", (json_int_t)h->status,
	    "apiVersion", h->api_v2 ? json_string("registry/2.0") : json_null(),
	    "latencyMs", (double)(long long)(h->ms * 10 + 0.5) / 10, "reason", h->reason ?
	    h->reason : "", "checkedAt", h->checked_at ? h->checked_at : "");
}

/*
 * A tag as a file name: [a-z0-9._-] as they are, every other byte %XX
 * (cr.c lets only lower-case tags through, but no tag, whatever it holds,
 * may leave the folder or name a hidden file).  The caller frees it.
 */
static char *
tag_file(const char *tag)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)tag;
	struct buf b = { 0 };

	buf_puts(&b, "container_registries/tags/");
	for (; *u != '\0'; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
		    *u == '-' || *u == '_' || (*u == '.' && u != (const
		    unsigned char *)tag))
			buf_putc(&b, *u);
		else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*u >> 4]);
			buf_putc(&b, hex[*u & 0xf]);
		}
	}
	buf_puts(&b, ".json");
	return b.s;
}

/* One (tag, entry) pair, for grouping the entries by tag. */
struct tagref {
	const char	*tag;
	size_t		 i;		/* the entry, in the list's order */
};

static int
tagref_cmp(const void *a, const void *b)
{
	const struct tagref *x = a, *y = b;
	int c = strcmp(x->tag, y->tag);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* api/container_registries/tags/<tag>.json for every tag any entry has,
 * each listing its entries by id (ents: the list's entry objects). */
static int
put_tags(const struct crlist *l, json_t *const *ents, struct outset *site)
{
	struct tagref *r;
	json_t *a;
	char *name, *path;
	size_t n = 0, i, j;
	int ok = 1;

	for (i = 0; i < l->n; i++)
		n += l->e[i].ntags;
	r = xcalloc(n + 1, sizeof(*r));
	for (n = i = 0; i < l->n; i++)
		for (j = 0; j < l->e[i].ntags; j++)
			r[n++] = (struct tagref){ l->e[i].tags[j], i };
	qsort(r, n, sizeof(*r), tagref_cmp);
	for (i = 0; i < n && ok; i = j) {
		a = json_array();
		for (j = i; j < n && strcmp(r[j].tag, r[i].tag) == 0; j++)
			/* A tag twice in an entry (cr.c refuses it) counts once. */
			if (j == i || r[j].i != r[j - 1].i)
				ok = json_array_append(a, ents[r[j].i]) == 0 && ok;
		name = tag_file(r[i].tag);
		path = xasprintf("api/%s", name);
		ok = a != NULL && ok && put_envelope(site, path, a);
		free(path);
		free(name);
		json_decref(a);
	}
	free(r);
	return ok;
}

/* The three schemas, from tmpldir/schema/. */
static int
put_schemas(const char *tmpldir, struct outset *site)
{
	struct buf b = { 0 };
	char *path;
	size_t i;
	int ok = 1;

	for (i = 0; cr_schemas[i] != NULL && ok; i++) {
		path = xasprintf("%s/schema/%s.schema.json", tmpldir,
		    cr_schemas[i]);
		ok = read_file_max(path, &b, GEN_MAX_TEMPLATE);
		free(path);
		if (!ok)
			break;
		path = xasprintf("schema/%s.schema.json", cr_schemas[i]);
		outset_add(site, path, &b);
		free(path);
	}
	buf_free(&b);
	return ok;
}

/*
 * The GET answer of every entry, the list, the tag files and the schemas
 * into the site's set.  Each entry's object is made once (cr_json), written
 * as the GET answer, then given its health (when there is a result) and
 * shared by the list and the tag files.  Returns 1, or 0 after reporting.
 */
int
cr_publish(const struct crlist *l, const struct crlastset *last,
    const char *tmpldir, struct outset *site)
{
	const struct crlast *h;
	json_t **ents = xcalloc(l->n + 1, sizeof(*ents)), *list = json_array();
	char *path;
	size_t i;
	int ok = list != NULL;

	for (i = 0; i < l->n && ok; i++) {
		if ((ents[i] = cr_json(&l->e[i])) == NULL) {
			diag(EXIT_IOERR, NULL, "%s: out of memory", l->e[i].id);
			ok = 0;
			break;
		}
		path = xasprintf("api/container_registry/%s.json", l->e[i].id);
		ok = put_envelope(site, path, ents[i]);
		free(path);
		h = last != NULL ? crlast_find(last, l->e[i].id) : NULL;
		if (ok && ((h != NULL && json_object_set_new(ents[i], "health",
		    health_json(h)) != 0) || json_array_append(list, ents[i]) != 0)) {
			diag(EXIT_IOERR, NULL, "api/container_registries.json: "
			    "out of memory");
			ok = 0;
		}
	}
	if (ok)
		ok = put_envelope(site, "api/container_registries.json", list) &&
		    put_tags(l, ents, site) && put_schemas(tmpldir, site);
	for (i = 0; i < l->n; i++)
		json_decref(ents[i]);
	free(ents);
	json_decref(list);
	return ok;
}
