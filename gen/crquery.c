/*
 * crquery.c - the listing's query and update language (cr.h): the subset
 * of the reference's Mongo filters that a static listing needs, checked
 * before anything is evaluated.  A filter maps field paths to a value
 * (equal; on a list, a member) or to operators: $in, $all, $exists, $ne.
 * An update is {"$set": {...}} or a plain partial object.  Any other
 * operator ($where, $regex, $gt, $or, $unset...) is an error at its place,
 * never evaluated.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cr.h"
#include "jsonpos.h"

static const char *const fields[] = { "container_registry_id",
    "container_registry_name", "container_registry_metadata",
    "container_registry_tags", "container_registry_public_url",
    "container_registry_image_prefix", "container_registry_config",
    "container_registry_storage_info", NULL };
static const char *const storage_fields[] = { "storage_type", "storage_size",
    "memory_size", "registry_type", NULL };
static const char *const ops[] = { "$in", "$all", "$exists", "$ne", NULL };

enum qop { Q_EQ, Q_IN, Q_ALL, Q_EXISTS, Q_NE };

struct cond {
	char		**seg;		/* the path's segments */
	size_t		 nseg;
	enum qop	 op;
	json_t		*arg;
};

struct crfilter {
	size_t		 n;
	struct cond	*c;
};

/*
 * A field path: a top-level field, or a dotted path into metadata, config
 * (any depth) or storage_info (one of its four keys).  The segments, or
 * NULL after reporting.
 */
static char **
path_parse(struct check *c, const struct ynode *k, size_t *nseg)
{
	char *s = xstrdup(k->str), *p, **seg = NULL;
	const char *near;
	size_t n = 0, i;

	for (p = strtok(s, "."); p != NULL; p = strtok(NULL, ".")) {
		seg = xrealloc(seg, (n + 2) * sizeof(*seg));
		seg[n++] = xstrdup(p);
	}
	free(s);
	*nseg = n;
	if (n == 0 || strlen(k->str) == 0 || k->str[0] == '.' ||
	    k->str[strlen(k->str) - 1] == '.' || strstr(k->str, "..")) {
		check_bad(c, k, "", "%s is not a field path", shown(k->str));
		goto bad;
	}
	for (i = 0; fields[i] != NULL && strcmp(fields[i], seg[0]) != 0; i++)
		continue;
	if (fields[i] == NULL) {
		near = check_hint(c) ? nearest(seg[0], fields) : NULL;
		check_bad_near(c, k, "", near, "unknown field %s", shown(seg[0]));
		goto bad;
	}
	if (n > 1 && i != 2 && i != 6 && i != 7) {
		check_bad(c, k, "", "%s has no fields: only metadata, config and "
		    "storage_info do", shown(seg[0]));
		goto bad;
	}
	if (i == 7 && n > 1) {
		for (i = 0; storage_fields[i] && strcmp(storage_fields[i],
		    seg[1]) != 0; i++)
			continue;
		if (storage_fields[i] == NULL || n > 2) {
			check_bad_near(c, k, "", check_hint(c) ? nearest(seg[1],
			    storage_fields) : NULL, "unknown field %s of "
			    "container_registry_storage_info", shown(seg[1]));
			goto bad;
		}
	}
	return seg;
bad:
	for (i = 0; i < n; i++)
		free(seg[i]);
	free(seg);
	return NULL;
}

/* No '$' key anywhere inside a value: operators are not values. */
static int
no_operators(struct check *c, const struct ynode *n, const char *path)
{
	size_t i;
	int ok = 1;

	for (i = 0; i < n->n; i++) {
		if (n->kind == Y_MAP && n->keys[i]->str[0] == '$') {
			check_bad(c, n->keys[i], path, "%s inside a value: "
			    "operators are allowed only at a field's top",
			    shown(n->keys[i]->str));
			ok = 0;
		}
		if (n->kind != Y_SCALAR && !no_operators(c, n->items[i], path))
			ok = 0;
	}
	return ok;
}

/* One operator of a field: its condition (arg owned), or 0. */
static int
parse_op(struct check *c, const struct ynode *k, const struct ynode *v,
    const char *path, struct cond *q)
{
	const char *near;
	int i;

	for (i = 0; ops[i] != NULL && strcmp(ops[i], k->str) != 0; i++)
		continue;
	if (ops[i] == NULL) {
		/* No "did you mean": $gt is no typo of $ne. */
		near = NULL;
		check_bad_near(c, k, path, near, "operator %s is not supported "
		    "(only $in, $all, $exists and $ne are; it is never "
		    "evaluated)", shown(k->str));
		return 0;
	}
	q->op = (enum qop[]){ Q_IN, Q_ALL, Q_EXISTS, Q_NE }[i];
	if ((q->op == Q_IN || q->op == Q_ALL) && v->kind != Y_SEQ) {
		check_bad(c, v, path, "%s takes a list, got %s", k->str,
		    ynode_what(v));
		return 0;
	}
	if (q->op == Q_EXISTS && strcmp(ynode_what(v), "a boolean") != 0) {
		check_bad(c, v, path, "$exists takes true or false, got %s",
		    ynode_what(v));
		return 0;
	}
	if (!no_operators(c, v, path))
		return 0;
	q->arg = ynode_to_json(v);
	return 1;
}

static void
add_cond(struct crfilter *f, char **seg, size_t nseg, enum qop op,
    json_t *arg)
{
	struct cond *q;

	f->c = xrealloc(f->c, (f->n + 1) * sizeof(*f->c));
	q = &f->c[f->n++];
	q->seg = seg;
	q->nseg = nseg;
	q->op = op;
	q->arg = arg;
}

static char **
seg_copy(char **seg, size_t n)
{
	char **s = xcalloc(n + 1, sizeof(*s));
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = xstrdup(seg[i]);
	return s;
}

/* One field of the filter: its conditions into f. */
static void
parse_field(struct check *c, struct crfilter *f, const struct ynode *k,
    const struct ynode *v)
{
	struct cond q;
	char **seg;
	size_t nseg, i, nop = 0;

	if (k->str[0] == '$') {
		for (i = 0; ops[i] != NULL && strcmp(ops[i], k->str) != 0; i++)
			continue;
		if (ops[i] != NULL)
			check_bad(c, k, "", "%s needs a field: write {\"FIELD\": "
			    "{\"%s\": ...}}", k->str, k->str);
		else
			check_bad(c, k, "", "operator %s is not supported: a filter "
			    "maps field paths to values or to $in, $all, $exists, "
			    "$ne (it is never evaluated)", shown(k->str));
		return;
	}
	if ((seg = path_parse(c, k, &nseg)) == NULL)
		return;
	for (i = 0; v->kind == Y_MAP && i < v->n; i++)
		nop += v->keys[i]->str[0] == '$';
	if (nop == 0) {
		if (no_operators(c, v, k->str))
			add_cond(f, seg_copy(seg, nseg), nseg, Q_EQ,
			    ynode_to_json(v));
	} else if (nop != v->n)
		check_bad(c, v, k->str, "mixes operators and fields: write either "
		    "{\"$in\": [...]} or a value to compare");
	else
		for (i = 0; i < v->n; i++) {
			memset(&q, 0, sizeof(q));
			if (parse_op(c, v->keys[i], v->items[i], k->str, &q))
				add_cond(f, seg_copy(seg, nseg), nseg, q.op, q.arg);
		}
	for (i = 0; i < nseg; i++)
		free(seg[i]);
	free(seg);
}

struct crfilter *
crfilter_parse(const char *name, const char *text, size_t len)
{
	struct crfilter *f = xcalloc(1, sizeof(*f));
	struct ynode *root;
	struct check c;
	size_t i;

	if ((root = jsonpos_load(name, text, len)) == NULL) {
		free(f);
		return NULL;
	}
	check_init(&c);
	if (check_kind(&c, root, "", Y_MAP))
		for (i = 0; i < root->n; i++)
			parse_field(&c, f, root->keys[i], root->items[i]);
	ynode_free(root);
	if (!check_end(&c, name)) {
		crfilter_free(f);
		return NULL;
	}
	return f;
}

void
crfilter_free(struct crfilter *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < f->c[i].nseg; j++)
			free(f->c[i].seg[j]);
		free(f->c[i].seg);
		json_decref(f->c[i].arg);
	}
	free(f->c);
	free(f);
}

/* The value at a path of an entry's JSON, or NULL. */
static json_t *
lookup(json_t *o, char *const *seg, size_t n)
{
	size_t i;

	for (i = 0; i < n && o != NULL; i++)
		o = json_is_object(o) ? json_object_get(o, seg[i]) : NULL;
	return o;
}

/* Equal, or (on a list) a member equal. */
static int
holds(const json_t *v, const json_t *want)
{
	size_t i;

	if (json_equal(v, want))
		return 1;
	if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++)
			if (json_equal(json_array_get(v, i), want))
				return 1;
	return 0;
}

static int
cond_holds(const struct cond *q, json_t *doc)
{
	json_t *v = lookup(doc, q->seg, q->nseg);
	size_t i;

	switch (q->op) {
	case Q_EXISTS:
		return (v != NULL) == json_is_true(q->arg);
	case Q_NE:
		return v == NULL || !holds(v, q->arg);
	case Q_EQ:
		return v != NULL && holds(v, q->arg);
	case Q_IN:
		for (i = 0; v != NULL && i < json_array_size(q->arg); i++)
			if (holds(v, json_array_get(q->arg, i)))
				return 1;
		return 0;
	case Q_ALL:
		for (i = 0; i < json_array_size(q->arg); i++)
			if (v == NULL || !holds(v, json_array_get(q->arg, i)))
				return 0;
		return 1;
	}
	return 0;
}

/* The top-level field a condition looks at, as JSON (new reference), or
 * NULL: built alone, not the whole entry, as a query looks at thousands. */
static json_t *
field_json(const struct crentry *e, const char *name)
{
	json_t *a;
	size_t i;

	if (strcmp(name, "container_registry_tags") == 0) {
		a = json_array();
		for (i = 0; i < e->ntags; i++)
			json_array_append_new(a, json_string(e->tags[i]));
		return a;
	}
	if (strcmp(name, "container_registry_id") == 0)
		return json_string(e->id);
	if (strcmp(name, "container_registry_name") == 0)
		return json_string(e->name);
	if (strcmp(name, "container_registry_public_url") == 0)
		return json_string(e->url);
	if (strcmp(name, "container_registry_image_prefix") == 0)
		return json_string(e->prefix);
	if (strcmp(name, "container_registry_metadata") == 0)
		return json_incref(e->metadata);
	if (strcmp(name, "container_registry_config") == 0)
		return json_incref(e->config);
	return json_pack("{s:s, s:I, s:I, s:s}", "storage_type",
	    crstorage_names[e->storage], "storage_size",
	    (json_int_t)e->storage_size, "memory_size",
	    (json_int_t)e->memory_size, "registry_type", crtype_names[e->type]);
}

int
crfilter_match(const struct crfilter *f, const struct crentry *e)
{
	json_t *doc = json_object();
	size_t i;
	int ok = 1;

	for (i = 0; i < f->n && ok; i++) {
		if (json_object_get(doc, f->c[i].seg[0]) == NULL)
			json_object_set_new(doc, f->c[i].seg[0],
			    field_json(e, f->c[i].seg[0]));
		ok = cond_holds(&f->c[i], doc);
	}
	json_decref(doc);
	return ok;
}

/* ---- updates ------------------------------------------------------------ */

/* Set the value at a path, making the objects on the way. */
static void
set_path(json_t *doc, char *const *seg, size_t n, json_t *v)
{
	json_t *o = doc, *next;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		next = json_object_get(o, seg[i]);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(o, seg[i], next);
		}
		o = next;
	}
	json_object_set_new(o, seg[n - 1], v);
}

/* The fields an update sets: root's "$set", or root itself.  NULL after
 * reporting. */
static const struct ynode *
update_fields(struct check *c, const struct ynode *root)
{
	const struct ynode *set;
	size_t i;

	if (!check_kind(c, root, "", Y_MAP))
		return NULL;
	if ((set = ymap_get(root, "$set")) != NULL) {
		if (root->n != 1) {
			check_bad(c, root, "", "an update is {\"$set\": {...}} alone, "
			    "or a plain object of fields");
			return NULL;
		}
		return check_kind(c, set, "$set", Y_MAP) ? set : NULL;
	}
	for (i = 0; i < root->n; i++)
		if (root->keys[i]->str[0] == '$') {
			check_bad(c, root->keys[i], "", "operator %s is not supported "
			    "in an update (only $set is; it is never evaluated)",
			    shown(root->keys[i]->str));
			return NULL;
		}
	return root;
}

/* Apply the fields to doc, each checked: a known path, no operators
 * inside, not the id. */
static void
apply_fields(struct check *c, const struct ynode *set, json_t *doc)
{
	char **seg;
	size_t i, j, nseg;

	for (i = 0; i < set->n; i++) {
		if (set->keys[i]->str[0] == '$') {
			check_bad(c, set->keys[i], "$set", "operator %s inside $set: "
			    "its fields are values", shown(set->keys[i]->str));
			continue;
		}
		if ((seg = path_parse(c, set->keys[i], &nseg)) == NULL)
			continue;
		if (strcmp(seg[0], "container_registry_id") == 0)
			check_bad(c, set->keys[i], "", "an entry's id never changes; "
			    "create a new entry instead");
		else if (no_operators(c, set->items[i], set->keys[i]->str))
			set_path(doc, seg, nseg, ynode_to_json(set->items[i]));
		for (j = 0; j < nseg; j++)
			free(seg[j]);
		free(seg);
	}
}

struct crentry *
cr_patch(const struct crentry *e, const char *name, const char *text,
    size_t len)
{
	const struct ynode *set;
	struct crentry *out = NULL;
	struct ynode *root;
	struct check c;
	json_t *doc;
	char *s, *as;

	if ((root = jsonpos_load(name, text, len)) == NULL)
		return NULL;
	check_init(&c);
	doc = cr_json(e);
	if ((set = update_fields(&c, root)) != NULL)
		apply_fields(&c, set, doc);
	ynode_free(root);
	if (check_end(&c, name)) {
		/* The result is checked whole, as the file it would become. */
		s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
		as = xasprintf("%s.json as updated by %s", e->id, name);
		out = cr_parse(intern(as), s, strlen(s), e->id);
		free(as);
		free(s);
	}
	json_decref(doc);
	return out;
}
