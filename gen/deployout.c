/*
 * deployout.c - what the deployment registry publishes: site/
 * deployments.json, {"schemaVersion": 1, "deployments": [...]} by
 * configId, each record as its file holds it but without roleArn (an
 * account id has no place on a public site) and with one more key,
 * "compatibility": its verdict against the tested-configuration
 * registries; and its schema, copied from templates/site/schema/.
 *
 * The file is streamed with util.c's JSON writers, keys in jansson's
 * JSON_SORT_KEYS order and two-space indentation: 100,000 records, each
 * judged, take about half a second, where a jansson tree per record
 * would take several.  Nothing in a record is a secret (deploy.c and
 * deployrec.c redact before they build one and when they read one), so
 * nothing here redacts again.
 */
#include <stdlib.h>
#include <string.h>

#include "deploy.h"
#include "registry.h"

/* A stream of JSON text into an output file. */
struct dw {
	struct buf	 b;
	FILE		*f;
	int		 ok;
};

static void
dw_drain(struct dw *w, int force)
{
	if (!buf_drain(&w->b, w->f, force))
		w->ok = 0;
}

/* "key": at level, after a comma unless first. */
static void
dw_key(struct dw *w, int level, int first, const char *key)
{
	if (!first)
		buf_putc(&w->b, ',');
	buf_json_indent(&w->b, level);
	buf_json_str(&w->b, key);
	buf_puts(&w->b, ": ");
}

/* "key": "value" when value is not NULL (an absent field writes
 * nothing); *first says whether a key was written before. */
static void
dw_str(struct dw *w, int level, int *first, const char *key, const char *v)
{
	if (v == NULL)
		return;
	buf_json_kv(&w->b, level, key, v, *first);
	*first = 0;
}

/* "key": raw (a number or a literal), unless raw is NULL. */
static void
dw_raw(struct dw *w, int level, int *first, const char *key, const char *raw)
{
	if (raw == NULL)
		return;
	dw_key(w, level, *first, key);
	buf_puts(&w->b, raw);
	*first = 0;
}

static void
dw_uint(struct dw *w, int level, int *first, const char *key, unsigned v)
{
	dw_key(w, level, *first, key);
	buf_putu(&w->b, v);
	*first = 0;
}

/* An object or array opening at level, after a comma unless first. */
static void
dw_open(struct dw *w, int level, int first, int c)
{
	if (!first)
		buf_putc(&w->b, ',');
	buf_json_indent(&w->b, level);
	buf_putc(&w->b, c);
}

/* The closing bracket of a container whose members are at level + 1. */
static void
dw_close(struct dw *w, int level, int empty, int c)
{
	if (!empty)
		buf_json_indent(&w->b, level);
	buf_putc(&w->b, c);
}

/* One entry of icList: a component (counts written when not 0, as the
 * record leaves them out) or an adapter, keys sorted. */
static void
write_ic(struct dw *w, int level, int first, const struct dic *ic)
{
	int f = 1;

	dw_open(w, level, first, '{');
	if (ic->adapter) {
		dw_str(w, level + 1, &f, "artifactUrl", ic->artifact);
		dw_str(w, level + 1, &f, "baseIcName", ic->base);
		dw_raw(w, level + 1, &f, "isAdapter", "true");
	} else {
		if (ic->copies > 0)
			dw_uint(w, level + 1, &f, "copyCount", ic->copies);
		if (ic->gpus > 0)
			dw_uint(w, level + 1, &f, "gpuCount", ic->gpus);
		dw_str(w, level + 1, &f, "image", ic->image);
	}
	dw_str(w, level + 1, &f, "name", ic->name);
	dw_close(w, level, 0, '}');
}

/* One registration of history, keys sorted. */
static void
write_hist(struct dw *w, int level, int first, const struct dhist *h)
{
	int f = 1;

	dw_open(w, level, first, '{');
	dw_str(w, level + 1, &f, "buildStrategy", h->build_strategy);
	dw_raw(w, level + 1, &f, "ci", h->ci ? "true" : "false");
	dw_str(w, level + 1, &f, "genVersion", h->gen_version);
	dw_str(w, level + 1, &f, "notes", h->notes);
	dw_str(w, level + 1, &f, "status", dstatus_names[h->status]);
	dw_str(w, level + 1, &f, "time", h->time);
	dw_close(w, level, 0, '}');
}

/* "compatibility": {"frameworkVersion"?, "reason"?, "verdict"}. */
static void
write_compat(struct dw *w, int level, const struct dcheck *k)
{
	int f = 1;

	dw_key(w, level, 0, "compatibility");
	buf_putc(&w->b, '{');
	dw_str(w, level + 1, &f, "frameworkVersion", k->fwv != NULL ?
	    k->fwv->version : NULL);
	dw_str(w, level + 1, &f, "reason", k->reason);
	dw_str(w, level + 1, &f, "verdict", dverdict_names[k->verdict]);
	dw_close(w, level, 0, '}');
}

/*
 * One record at level (an element of the array), keys in JSON_SORT_KEYS
 * order: what deployment_json() makes of it, without roleArn, with
 * compatibility.
 */
static void
write_record(struct dw *w, int level, int first, const struct deployment *d,
    const struct dcheck *k)
{
	int l = level + 1, f = 1;
	size_t i;

	dw_open(w, level, first, '{');
	dw_uint(w, l, &f, "adapterCount", d->adapters);
	dw_str(w, l, &f, "architecture", d->arch);
	dw_str(w, l, &f, "backend", d->backend);
	dw_str(w, l, &f, "baseImage", d->base_image);
	dw_str(w, l, &f, "buildStrategy", d->build_strategy);
	dw_str(w, l, &f, "ciIc", d->ci_ic);
	write_compat(w, l, k);
	dw_str(w, l, &f, "configId", d->id);
	dw_str(w, l, &f, "deploymentConfig", d->config);
	dw_str(w, l, &f, "deploymentTarget", d->target);
	dw_str(w, l, &f, "firstRegisteredAt", d->first);
	dw_str(w, l, &f, "genVersion", d->gen_version);
	dw_key(w, l, 0, "history");
	buf_putc(&w->b, '[');
	for (i = 0; i < d->nhist; i++)
		write_hist(w, l + 1, i == 0, &d->hist[i]);
	dw_close(w, l, d->nhist == 0, ']');
	dw_uint(w, l, &f, "icCount", d->ics);
	dw_key(w, l, 0, "icList");
	buf_putc(&w->b, '[');
	for (i = 0; i < d->nic; i++)
		write_ic(w, l + 1, i == 0, &d->ic[i]);
	dw_close(w, l, d->nic == 0, ']');
	dw_str(w, l, &f, "instanceType", d->instance);
	dw_str(w, l, &f, "modelName", d->model);
	dw_str(w, l, &f, "notes", d->notes);
	dw_key(w, l, 0, "parameters");
	buf_putc(&w->b, '{');
	for (i = 0; i < d->params.n; i++)
		buf_json_kv(&w->b, l + 1, d->params.v[i].key,
		    d->params.v[i].value, i == 0);
	dw_close(w, l, d->params.n == 0, '}');
	dw_str(w, l, &f, "projectName", d->project);
	dw_str(w, l, &f, "region", d->region);
	dw_str(w, l, &f, "registeredAt", d->registered);
	dw_uint(w, l, &f, "schemaVersion", DEPLOY_SCHEMA_VERSION);
	dw_str(w, l, &f, "status", dstatus_names[d->status]);
	dw_str(w, l, &f, "testStatus", dtest_names[d->test]);
	dw_str(w, l, &f, "testedAt", d->tested);
	dw_close(w, level, 0, '}');
}

/* site/schema/deployments.schema.json, from tmpldir/schema/. */
static int
put_schema(const char *tmpldir, struct outset *site)
{
	struct buf b = { 0 };
	char *path = xasprintf("%s/schema/deployments.schema.json", tmpldir);
	int ok = read_file_max(path, &b, GEN_MAX_TEMPLATE);

	free(path);
	if (ok)
		outset_add(site, "schema/deployments.schema.json", &b);
	buf_free(&b);
	return ok;
}

/*
 * deployments.json and its schema into the site's set, every record
 * judged by deploy_check() (reg and cx may be NULL: every verdict
 * unknown).  The records come in the set's order, by configId.
 * Returns 1, or 0 after reporting.
 */
int
deploy_publish(const struct deployset *ds, const struct registries *reg,
    const struct compat *cx, const char *tmpldir, struct outset *site)
{
	struct dw w = { { 0 }, NULL, 1 };
	struct ostream *os;
	struct dcheck k;
	size_t i, n = ds != NULL ? ds->n : 0;

	if ((os = outset_open(site, "deployments.json")) == NULL)
		return 0;
	w.f = ostream_file(os);
	buf_puts(&w.b, "{");
	dw_key(&w, 1, 1, "deployments");
	buf_putc(&w.b, '[');
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		deploy_check(reg, cx, ds->d[i], &k);
		write_record(&w, 2, i == 0, ds->d[i], &k);
		dcheck_clear(&k);
		dw_drain(&w, 0);
	}
	dw_close(&w, 1, n == 0, ']');
	dw_key(&w, 1, 0, "schemaVersion");
	buf_putu(&w.b, DEPLOY_SCHEMA_VERSION);
	buf_puts(&w.b, "\n}\n");
	dw_drain(&w, 1);
	buf_free(&w.b);
	if (!ostream_close(os, NULL, NULL) || !w.ok)
		return 0;
	return put_schema(tmpldir, site);
}
