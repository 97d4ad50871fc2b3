/*
 * deployrec.c - the deployment registry's records (deploy.h): one JSON
 * file per configuration, parsed strictly with every problem at its
 * place, written with sorted keys, loaded as a set through a state-folder
 * cache, and judged against the tested-configuration registries.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "deploy.h"
#include "jsonpos.h"
#include "registry.h"

const char *const dstatus_names[DS__MAX] = { "success", "partial", "failed" };
const char *const dtest_names[DT__MAX] = { "untested", "passed", "failed" };
const char *const dverdict_names[3] = { "compatible", "incompatible",
    "unknown" };

/* Bytes a record file may have, and a multi-line value. */
#define DEPLOY_MAX_FILE		(4u << 20)
#define DEPLOY_MAX_TEXT		(64u << 10)
#define DEPLOY_MAX_LINE		512

static const char *const rec_keys[] = { "adapterCount", "architecture",
    "backend", "baseImage", "buildStrategy", "ciIc", "configId",
    "deploymentConfig", "deploymentTarget", "firstRegisteredAt",
    "genVersion", "history", "icCount", "icList", "instanceType",
    "modelName", "notes", "parameters", "projectName", "region",
    "registeredAt", "roleArn", "schemaVersion", "status", "testStatus",
    "testedAt", NULL };
static const char *const ic_keys[] = { "artifactUrl", "baseIcName",
    "copyCount", "gpuCount", "image", "isAdapter", "name", NULL };
static const char *const hist_keys[] = { "buildStrategy", "ci",
    "genVersion", "notes", "status", "time", NULL };

/* How a record's secrets are met: refused (a file of the registry) or
 * redacted (an import, a registration). */
enum secrets { SECRETS_REFUSE, SECRETS_REDACT };

/* ---- formats ------------------------------------------------------------ */

int
deploy_id_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return s[16] == '\0';
}

int
deploy_time_ok(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	return s[i] == '\0';
}

int
deploy_config_split(const char *config, char **arch, char **backend)
{
	const char *dash = strchr(config, '-'), *p;

	if (arch != NULL)
		*arch = NULL;
	if (backend != NULL)
		*backend = NULL;
	if (dash == NULL || dash == config || dash[1] == '\0' ||
	    !islower((unsigned char)config[0]))
		return 0;
	for (p = config; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '.' && *p != '_')
			return 0;
	if (p - config > 128 || strstr(config, "--") != NULL ||
	    p[-1] == '-')
		return 0;
	if (arch != NULL)
		*arch = xstrndup(config, (size_t)(dash - config));
	if (backend != NULL)
		*backend = xstrdup(dash + 1);
	return 1;
}

int
deploy_param_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || isdigit((unsigned char)*s))
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

/* ---- freeing -------------------------------------------------------------- */

void
dhist_clear(struct dhist *h)
{
	free(h->time);
	free(h->notes);
	free(h->gen_version);
	free(h->build_strategy);
}

/* Every text field of a record, for deployment_own() and freeing. */
static void
text_fields(struct deployment *d, void (*fn)(char **))
{
	char **const f[] = { &d->project, &d->config, &d->arch, &d->backend,
	    &d->model, &d->instance, &d->region, &d->target, &d->base_image,
	    &d->role_arn, &d->ci_ic, &d->notes, &d->gen_version,
	    &d->build_strategy, &d->registered, &d->first, &d->tested };
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		fn(f[i]);
	for (i = 0; i < d->nic; i++) {
		fn(&d->ic[i].name);
		fn(&d->ic[i].image);
		fn(&d->ic[i].base);
		fn(&d->ic[i].artifact);
	}
	for (i = 0; i < d->params.n; i++) {
		fn(&d->params.v[i].key);
		fn(&d->params.v[i].value);
	}
	for (i = 0; i < d->nhist; i++) {
		fn(&d->hist[i].time);
		fn(&d->hist[i].notes);
		fn(&d->hist[i].gen_version);
		fn(&d->hist[i].build_strategy);
	}
}

static void
field_free(char **s)
{
	free(*s);
	*s = NULL;
}

static void
field_own(char **s)
{
	if (*s != NULL)
		*s = xstrdup(*s);
}

void
deployment_own(struct deployment *d)
{
	if (!d->pooled)
		return;
	text_fields(d, field_own);
	d->pooled = 0;
}

void
deployment_free(struct deployment *d)
{
	if (d == NULL)
		return;
	if (!d->pooled)
		text_fields(d, field_free);
	free(d->ic);
	free(d->params.v);
	free(d->hist);
	free(d->file);
	free(d);
}

void
deployment_key(const struct deployment *d, struct deploykey *k)
{
	k->deployment_config = d->config;
	k->model_name = d->model;
	k->instance_type = d->instance;
	k->region = d->region;
	k->deployment_target = d->target;
	k->ics = d->ics;
	k->adapters = d->adapters;
}

/* ---- parsing ---------------------------------------------------------------- */

struct rp {
	struct check	 c;
	enum secrets	 secrets;
	size_t		 redacted;	/* values redacted */
};

/* A text field: one line (oneline) or many, not empty, at most max bytes,
 * clean.  The text (owned), or NULL (reported). */
static char *
get_text(struct rp *r, const struct ynode *n, const char *path, int oneline,
    size_t max)
{
	if (!check_str(&r->c, n, path, "a string"))
		return NULL;
	if (strlen(n->str) != n->len || !text_clean(n->str, oneline)) {
		check_bad(&r->c, n, path, "%s contains a control character%s",
		    shown(n->str), oneline ? "; this value is one line of text" :
		    "");
		return NULL;
	}
	if (n->len == 0 || n->len > max) {
		check_bad(&r->c, n, path, n->len ? "longer than %zu bytes" :
		    "must not be empty", max);
		return NULL;
	}
	return xstrdup(n->str);
}

/* A text that may be published: one holding a credential is refused or
 * redacted. */
static char *
get_clear(struct rp *r, const struct ynode *n, const char *path, int oneline,
    size_t max)
{
	char *s = get_text(r, n, path, oneline, max);

	if (s == NULL || strcmp(s, DEPLOY_REDACTED) == 0 || !redact_value(s))
		return s;
	if (r->secrets == SECRETS_REFUSE) {
		check_bad(&r->c, n, path, "holds what looks like a credential; "
		    "a record is published and keeps %s in its place",
		    DEPLOY_REDACTED);
		free(s);
		return NULL;
	}
	free(s);
	r->redacted++;
	return xstrdup(DEPLOY_REDACTED);
}

/* A field of the configId: one line, and never a credential. */
static char *
get_key(struct rp *r, const struct ynode *n, const char *path)
{
	char *s = get_text(r, n, path, 1, DEPLOY_MAX_LINE);

	if (s != NULL && redact_value(s)) {
		check_bad(&r->c, n, path, "holds what looks like a credential, "
		    "and it names the configuration: it cannot be redacted");
		free(s);
		return NULL;
	}
	return s;
}

static int
get_uint(struct rp *r, const struct ynode *n, const char *path,
    unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (n->kind != Y_SCALAR || strcmp(ynode_what(n), "an integer") != 0) {
		check_bad(&r->c, n, path, "expected a whole number, got %s",
		    ynode_what(n));
		return 0;
	}
	errno = 0;
	v = strtoul(n->str, &end, 10);
	if (errno != 0 || *end != '\0' || n->str[0] == '-' || v > max) {
		check_bad(&r->c, n, path, "%s: expected a whole number from 0 "
		    "to %u", shown(n->str), max);
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

static int
get_bool(struct rp *r, const struct ynode *n, const char *path, int *out)
{
	if (n->kind != Y_SCALAR || (strcmp(n->str, "true") != 0 &&
	    strcmp(n->str, "false") != 0) || !n->plain) {
		check_bad(&r->c, n, path, "expected true or false, got %s",
		    ynode_what(n));
		return 0;
	}
	*out = n->str[0] == 't';
	return 1;
}

static char *
get_time(struct rp *r, const struct ynode *n, const char *path)
{
	char *s = get_text(r, n, path, 1, 32);

	if (s != NULL && !deploy_time_ok(s)) {
		check_bad(&r->c, n, path, "%s is not a UTC time such as "
		    "\"2026-12-03T18:00:00Z\"", shown(s));
		free(s);
		return NULL;
	}
	return s;
}

/* root.key, reported when required and missing. */
static const struct ynode *
field(struct rp *r, const struct ynode *root, const char *path,
    const char *key, int required)
{
	const struct ynode *n = ymap_get(root, key);

	if (n == NULL && required)
		check_bad(&r->c, root, path, "missing required key '%s'", key);
	return n;
}

static void
parse_ic(struct rp *r, struct dic *ic, const struct ynode *n,
    const char *path)
{
	const struct ynode *v;
	char *p;

	if (!check_kind(&r->c, n, path, Y_MAP))
		return;
	check_keys(&r->c, n, path, ic_keys);
	p = path_join(path, "name");
	if ((v = field(r, n, path, "name", 1)) != NULL &&
	    (ic->name = get_text(r, v, p, 1, 128)) != NULL &&
	    !deploy_param_name_ok(ic->name)) {
		check_bad(&r->c, v, p, "%s: expected letters, digits, '_', '.' "
		    "and '-'", shown(ic->name));
	}
	free(p);
	if ((v = ymap_get(n, "isAdapter")) != NULL) {
		p = path_join(path, "isAdapter");
		get_bool(r, v, p, &ic->adapter);
		free(p);
	}
#define IC_TEXT(key, dst) \
	if ((v = ymap_get(n, key)) != NULL) { \
		p = path_join(path, key); \
		dst = get_clear(r, v, p, 1, 2048); \
		free(p); \
	}
	IC_TEXT("image", ic->image)
	IC_TEXT("baseIcName", ic->base)
	IC_TEXT("artifactUrl", ic->artifact)
#undef IC_TEXT
	if ((v = ymap_get(n, "gpuCount")) != NULL) {
		p = path_join(path, "gpuCount");
		get_uint(r, v, p, 1024, &ic->gpus);
		free(p);
	}
	if ((v = ymap_get(n, "copyCount")) != NULL) {
		p = path_join(path, "copyCount");
		get_uint(r, v, p, 1u << 20, &ic->copies);
		free(p);
	}
	if (ic->adapter && (ymap_get(n, "image") || ymap_get(n, "gpuCount") ||
	    ymap_get(n, "copyCount")))
		check_bad(&r->c, n, path, "an adapter has baseIcName and "
		    "artifactUrl, not image, gpuCount or copyCount");
	if (!ic->adapter && (ymap_get(n, "baseIcName") ||
	    ymap_get(n, "artifactUrl")))
		check_bad(&r->c, n, path, "baseIcName and artifactUrl belong to "
		    "an adapter (\"isAdapter\": true)");
}

/* Components by name, then adapters by name. */
static int
dic_cmp(const void *a, const void *b)
{
	const struct dic *x = a, *y = b;

	if (x->adapter != y->adapter)
		return x->adapter - y->adapter;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static void
parse_iclist(struct rp *r, struct deployment *d, const struct ynode *n)
{
	char *p;
	size_t i;

	if (!check_kind(&r->c, n, "icList", Y_SEQ))
		return;
	d->ic = xcalloc(n->n + 1, sizeof(*d->ic));
	for (i = 0; i < n->n; i++) {
		p = xasprintf("icList[%zu]", i);
		parse_ic(r, &d->ic[d->nic++], n->items[i], p);
		free(p);
	}
	for (i = 0; i < d->nic; i++)
		if (d->ic[i].name == NULL)
			return;
	qsort(d->ic, d->nic, sizeof(*d->ic), dic_cmp);
	for (i = 1; i < d->nic; i++)
		if (dic_cmp(&d->ic[i - 1], &d->ic[i]) == 0)
			check_bad(&r->c, n, "icList", "%s %s is listed twice",
			    d->ic[i].adapter ? "adapter" : "component",
			    shown(d->ic[i].name));
}

static int
kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static void
parse_params(struct rp *r, struct deployment *d, const struct ynode *n)
{
	const struct ynode *v;
	const char *clear;
	char *p, *s;
	size_t i;

	if (!check_kind(&r->c, n, "parameters", Y_MAP))
		return;
	d->params.v = xcalloc(n->n + 1, sizeof(*d->params.v));
	for (i = 0; i < n->n; i++) {
		p = path_join("parameters", n->keys[i]->str);
		v = n->items[i];
		if (!deploy_param_name_ok(n->keys[i]->str))
			check_bad(&r->c, n->keys[i], p, "%s is not a variable "
			    "name: letters, digits, '_', '.' and '-'",
			    shown(n->keys[i]->str));
		else if ((s = get_text(r, v, p, 0, DEPLOY_MAX_TEXT)) != NULL) {
			clear = redact(n->keys[i]->str, s);
			if (clear != s && strcmp(s, DEPLOY_REDACTED) != 0) {
				if (r->secrets == SECRETS_REFUSE)
					check_bad(&r->c, v, p, "is a secret; a "
					    "record keeps %s in its place",
					    DEPLOY_REDACTED);
				r->redacted++;
				free(s);
				s = xstrdup(DEPLOY_REDACTED);
			}
			d->params.v[d->params.n++] = (struct kv){
			    xstrdup(n->keys[i]->str), s, v->pos };
		}
		free(p);
	}
	qsort(d->params.v, d->params.n, sizeof(*d->params.v), kv_cmp);
}

static void
parse_hist(struct rp *r, struct dhist *h, const struct ynode *n,
    const char *path)
{
	const struct ynode *v;
	char *p;
	int t;

	if (!check_kind(&r->c, n, path, Y_MAP))
		return;
	check_keys(&r->c, n, path, hist_keys);
	p = path_join(path, "time");
	if ((v = field(r, n, path, "time", 1)) != NULL)
		h->time = get_time(r, v, p);
	free(p);
	p = path_join(path, "status");
	if ((v = field(r, n, path, "status", 1)) != NULL &&
	    (t = check_enum(&r->c, v, p, dstatus_names, DS__MAX)) >= 0)
		h->status = (enum dstatus)t;
	free(p);
	p = path_join(path, "notes");
	if ((v = ymap_get(n, "notes")) != NULL)
		h->notes = get_clear(r, v, p, 0, DEPLOY_MAX_TEXT);
	free(p);
	p = path_join(path, "genVersion");
	if ((v = field(r, n, path, "genVersion", 1)) != NULL)
		h->gen_version = get_text(r, v, p, 1, 64);
	free(p);
	p = path_join(path, "buildStrategy");
	if ((v = ymap_get(n, "buildStrategy")) != NULL)
		h->build_strategy = get_clear(r, v, p, 1, 128);
	free(p);
	p = path_join(path, "ci");
	if ((v = field(r, n, path, "ci", 1)) != NULL)
		get_bool(r, v, p, &h->ci);
	free(p);
}

static void
parse_history(struct rp *r, struct deployment *d, const struct ynode *n)
{
	char *p;
	size_t i;

	if (!check_kind(&r->c, n, "history", Y_SEQ))
		return;
	if (n->n == 0) {
		check_bad(&r->c, n, "history", "must hold at least one "
		    "registration");
		return;
	}
	d->hist = xcalloc(n->n, sizeof(*d->hist));
	for (i = 0; i < n->n; i++) {
		p = xasprintf("history[%zu]", i);
		parse_hist(r, &d->hist[d->nhist++], n->items[i], p);
		free(p);
	}
	for (i = 1; i < d->nhist; i++)
		if (d->hist[i - 1].time != NULL && d->hist[i].time != NULL &&
		    strcmp(d->hist[i - 1].time, d->hist[i].time) > 0) {
			check_bad(&r->c, n->items[i], "history", "registrations "
			    "are kept oldest first: %s comes after %s",
			    d->hist[i].time, d->hist[i - 1].time);
			break;
		}
}

/* The fields that must agree with each other. */
static void
parse_agree(struct rp *r, struct deployment *d, const struct ynode *root,
    const char *file_id)
{
	const struct ynode *n;
	struct deploykey k;
	unsigned ics = 0, ads = 0;
	char id[17];
	size_t i;

	if (d->config != NULL) {
		if (!deploy_config_split(d->config, NULL, NULL))
			check_bad(&r->c, ymap_get(root, "deploymentConfig"),
			    "deploymentConfig", "%s is not <architecture>-<backend> "
			    "(lower case, such as \"transformers-vllm\")",
			    shown(d->config));
		else {
			char *a, *b;

			deploy_config_split(d->config, &a, &b);
			if (d->arch != NULL && strcmp(a, d->arch) != 0)
				check_bad(&r->c, ymap_get(root, "architecture"),
				    "architecture", "%s does not agree with "
				    "deploymentConfig %s: expected \"%s\"",
				    shown(d->arch), shown(d->config), a);
			if (d->backend != NULL && strcmp(b, d->backend) != 0)
				check_bad(&r->c, ymap_get(root, "backend"),
				    "backend", "%s does not agree with "
				    "deploymentConfig %s: expected \"%s\"",
				    shown(d->backend), shown(d->config), b);
			free(a);
			free(b);
		}
	}
	for (i = 0; i < d->nic; i++)
		if (d->ic[i].name == NULL)
			break;
	/* (Nameless components were reported, and are not counted.) */
	if (d->ic != NULL && i == d->nic &&
	    (n = ymap_get(root, "icList")) != NULL) {
		for (i = 0; i < d->nic; i++)
			d->ic[i].adapter ? ads++ : ics++;
		if (ics == 0)
			check_bad(&r->c, n, "icList", "holds no inference "
			    "component (a project without do/ic/*.conf has "
			    "\"default\")");
		if (ymap_get(root, "icCount") != NULL && ics != d->ics)
			check_bad(&r->c, ymap_get(root, "icCount"), "icCount",
			    "%u, but icList holds %u components", d->ics, ics);
		if (ymap_get(root, "adapterCount") != NULL && ads != d->adapters)
			check_bad(&r->c, ymap_get(root, "adapterCount"),
			    "adapterCount", "%u, but icList holds %u adapters",
			    d->adapters, ads);
		if (d->ci_ic != NULL && ics > 0 && strcmp(d->ci_ic,
		    d->ic[0].name) != 0)
			check_bad(&r->c, ymap_get(root, "ciIc"), "ciIc", "%s: CI "
			    "validates the first component by name, %s",
			    shown(d->ci_ic), shown(d->ic[0].name));
	}
	if (d->nhist > 0 && d->registered != NULL && d->first != NULL) {
		if (d->hist[0].time != NULL && strcmp(d->first,
		    d->hist[0].time) != 0)
			check_bad(&r->c, ymap_get(root, "firstRegisteredAt"),
			    "firstRegisteredAt", "%s, but the first registration "
			    "in history is at %s", d->first, d->hist[0].time);
		if (d->hist[d->nhist - 1].time != NULL && strcmp(d->registered,
		    d->hist[d->nhist - 1].time) != 0)
			check_bad(&r->c, ymap_get(root, "registeredAt"),
			    "registeredAt", "%s, but the last registration in "
			    "history is at %s", d->registered,
			    d->hist[d->nhist - 1].time);
	}
	n = ymap_get(root, "configId");
	if (file_id != NULL && d->id[0] != '\0' && strcmp(d->id, file_id) != 0)
		check_bad(&r->c, n, "configId", "%s differs from the file's name "
		    "(%s.json): a record's file is named by its configId",
		    d->id, file_id);
	if (!r->c.ok || d->id[0] == '\0' || d->region == NULL ||
	    d->config == NULL || d->instance == NULL || d->target == NULL)
		return;
	deployment_key(d, &k);
	if (deploy_config_id(&k, id) && strcmp(id, d->id) != 0) {
		char *text = deploy_key_text(&k);

		check_bad(&r->c, n, "configId", "%s does not match the "
		    "configuration: %s hashes to %s", d->id, shown(text), id);
		free(text);
	}
}

static void
parse_tree(struct rp *r, struct deployment *d, const struct ynode *root,
    const char *file_id)
{
	const struct ynode *n;
	char *s;
	int t;

	if (!check_kind(&r->c, root, "", Y_MAP))
		return;
	check_keys(&r->c, root, "", rec_keys);
	if ((n = field(r, root, "", "schemaVersion", 1)) != NULL &&
	    (n->kind != Y_SCALAR || strcmp(n->str, "1") != 0 || !n->plain))
		check_bad(&r->c, n, "schemaVersion", "%s: this gen reads records "
		    "of schemaVersion %d", n->kind == Y_SCALAR ? shown(n->str) :
		    ynode_what(n), DEPLOY_SCHEMA_VERSION);
	if ((n = field(r, root, "", "configId", 1)) != NULL &&
	    (s = get_text(r, n, "configId", 1, 64)) != NULL) {
		if (!deploy_id_ok(s))
			check_bad(&r->c, n, "configId", "%s is not a configId: 16 "
			    "lower-case hex digits", shown(s));
		else
			memcpy(d->id, s, 17);
		free(s);
	}
#define KEYF(key, dst, req) \
	if ((n = field(r, root, "", key, req)) != NULL) \
		dst = get_key(r, n, key);
#define TEXTF(key, dst, req, max) \
	if ((n = field(r, root, "", key, req)) != NULL) \
		dst = get_clear(r, n, key, 1, max);
	TEXTF("projectName", d->project, 1, 256)
	KEYF("deploymentConfig", d->config, 1)
	TEXTF("architecture", d->arch, 1, 128)
	TEXTF("backend", d->backend, 1, 128)
	KEYF("modelName", d->model, 0)
	KEYF("instanceType", d->instance, 1)
	KEYF("region", d->region, 0)
	KEYF("deploymentTarget", d->target, 1)
	TEXTF("baseImage", d->base_image, 0, 2048)
	TEXTF("roleArn", d->role_arn, 0, 2048)
	TEXTF("ciIc", d->ci_ic, 1, 128)
	TEXTF("genVersion", d->gen_version, 1, 64)
	TEXTF("buildStrategy", d->build_strategy, 0, 128)
#undef KEYF
#undef TEXTF
	if (d->model != NULL && strcmp(d->model, "none") == 0)
		check_bad(&r->c, ymap_get(root, "modelName"), "modelName",
		    "\"none\" is how the configId names no model; leave "
		    "modelName out instead");
	if ((n = ymap_get(root, "notes")) != NULL)
		d->notes = get_clear(r, n, "notes", 0, DEPLOY_MAX_TEXT);
	if ((n = field(r, root, "", "icCount", 1)) != NULL)
		get_uint(r, n, "icCount", 1024, &d->ics);
	if ((n = field(r, root, "", "adapterCount", 1)) != NULL)
		get_uint(r, n, "adapterCount", 1024, &d->adapters);
	if ((n = field(r, root, "", "icList", 1)) != NULL)
		parse_iclist(r, d, n);
	if ((n = field(r, root, "", "parameters", 1)) != NULL)
		parse_params(r, d, n);
	if ((n = field(r, root, "", "status", 1)) != NULL &&
	    (t = check_enum(&r->c, n, "status", dstatus_names, DS__MAX)) >= 0)
		d->status = (enum dstatus)t;
	if ((n = field(r, root, "", "testStatus", 1)) != NULL &&
	    (t = check_enum(&r->c, n, "testStatus", dtest_names, DT__MAX)) >= 0)
		d->test = (enum dtest)t;
	if ((n = field(r, root, "", "registeredAt", 1)) != NULL)
		d->registered = get_time(r, n, "registeredAt");
	if ((n = field(r, root, "", "firstRegisteredAt", 1)) != NULL)
		d->first = get_time(r, n, "firstRegisteredAt");
	if ((n = ymap_get(root, "testedAt")) != NULL)
		d->tested = get_time(r, n, "testedAt");
	if ((n = field(r, root, "", "history", 1)) != NULL)
		parse_history(r, d, n);
	parse_agree(r, d, root, file_id);
}

/* A record from a tree; NULL after reporting. */
static struct deployment *
from_tree(const char *name, const struct ynode *root, const char *file_id,
    enum secrets secrets, size_t *redacted)
{
	struct deployment *d = xcalloc(1, sizeof(*d));
	struct rp r;

	memset(&r, 0, sizeof(r));
	r.secrets = secrets;
	check_init(&r.c);
	parse_tree(&r, d, root, file_id);
	if (!check_end(&r.c, name)) {
		deployment_free(d);
		return NULL;
	}
	if (redacted != NULL)
		*redacted += r.redacted;
	return d;
}

static struct deployment *
parse_text(const char *name, const char *text, size_t len,
    const char *file_id, enum secrets secrets)
{
	struct ynode *root;
	struct deployment *d;

	if ((root = jsonpos_load(name, text, len)) == NULL)
		return NULL;
	d = from_tree(name, root, file_id, secrets, NULL);
	ynode_free(root);
	return d;
}

struct deployment *
deployment_parse(const char *name, const char *text, size_t len,
    const char *file_id)
{
	return parse_text(name, text, len, file_id, SECRETS_REDACT);
}

/* ---- writing ---------------------------------------------------------------- */

static void
set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

json_t *
deployment_json(const struct deployment *d, int exported)
{
	json_t *o = json_object(), *a, *e;
	size_t i;

	json_object_set_new(o, "schemaVersion",
	    json_integer(DEPLOY_SCHEMA_VERSION));
	set_str(o, "configId", d->id);
	set_str(o, "projectName", d->project);
	set_str(o, "deploymentConfig", d->config);
	set_str(o, "architecture", d->arch);
	set_str(o, "backend", d->backend);
	set_str(o, "modelName", d->model);
	set_str(o, "instanceType", d->instance);
	if (!exported) {
		set_str(o, "region", d->region);
		set_str(o, "roleArn", d->role_arn);
	}
	set_str(o, "deploymentTarget", d->target);
	set_str(o, "baseImage", d->base_image);
	a = json_array();
	for (i = 0; i < d->nic; i++) {
		e = json_object();
		set_str(e, "name", d->ic[i].name);
		if (d->ic[i].adapter) {
			json_object_set_new(e, "isAdapter", json_true());
			set_str(e, "baseIcName", d->ic[i].base);
			set_str(e, "artifactUrl", d->ic[i].artifact);
		} else {
			set_str(e, "image", d->ic[i].image);
			if (d->ic[i].gpus)
				json_object_set_new(e, "gpuCount",
				    json_integer(d->ic[i].gpus));
			if (d->ic[i].copies)
				json_object_set_new(e, "copyCount",
				    json_integer(d->ic[i].copies));
		}
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "icList", a);
	json_object_set_new(o, "icCount", json_integer(d->ics));
	json_object_set_new(o, "adapterCount", json_integer(d->adapters));
	set_str(o, "ciIc", d->ci_ic);
	e = json_object();
	for (i = 0; i < d->params.n; i++)
		json_object_set_new(e, d->params.v[i].key,
		    json_string(d->params.v[i].value));
	json_object_set_new(o, "parameters", e);
	set_str(o, "status", dstatus_names[d->status]);
	set_str(o, "notes", d->notes);
	set_str(o, "genVersion", d->gen_version);
	set_str(o, "buildStrategy", d->build_strategy);
	set_str(o, "registeredAt", d->registered);
	set_str(o, "firstRegisteredAt", d->first);
	set_str(o, "testStatus", dtest_names[d->test]);
	set_str(o, "testedAt", d->tested);
	a = json_array();
	for (i = 0; i < d->nhist; i++) {
		e = json_object();
		set_str(e, "time", d->hist[i].time);
		set_str(e, "status", dstatus_names[d->hist[i].status]);
		set_str(e, "notes", d->hist[i].notes);
		set_str(e, "genVersion", d->hist[i].gen_version);
		set_str(e, "buildStrategy", d->hist[i].build_strategy);
		json_object_set_new(e, "ci", json_boolean(d->hist[i].ci));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "history", a);
	return o;
}

char *
deployment_text(const struct deployment *d)
{
	json_t *j = deployment_json(d, 0);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS), *t;

	json_decref(j);
	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

int
deployment_write(const char *dir, const struct deployment *d)
{
	char *text = deployment_text(d), *path = xasprintf("%s/%s.json", dir,
	    d->id);
	int ok = mkdir_p(dir) && write_atomic(path, text, strlen(text));

	free(path);
	free(text);
	return ok;
}

/* ---- the folder ---------------------------------------------------------- */

/*
 * The folder's cache (a state file, DEPLOY CACHE): one line per record
 * file that passed every check, with its identity (size, mtime, inode),
 * so that an unchanged file is neither parsed nor checked again:
 *   FILE \t IDENTITY \t FIELD \t FIELD ...
 * the record's fields in a fixed order (lists as a count, then their
 * fields), each escaped (\\, \t, \n, \r) and "\0" for an absent one.
 * Anything unexpected in a line and its file is read again: the cache
 * costs only time.
 */
#define DEPLOY_CACHE_MAGIC	"gen-deploycache 1\n"

static void
put_field(struct buf *b, const char *s)
{
	const char *p;

	buf_putc(b, '\t');
	if (s == NULL) {
		buf_puts(b, "\\0");
		return;
	}
	for (p = s; *p; p++)
		switch (*p) {
		case '\\': buf_puts(b, "\\\\"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		default: buf_putc(b, *p); break;
		}
}

static void
put_num(struct buf *b, unsigned long v)
{
	buf_printf(b, "\t%lu", v);
}

static void
cache_line(struct buf *b, const char *file, const char *ident,
    const struct deployment *d)
{
	const char *const text[] = { d->id, d->project, d->config, d->arch,
	    d->backend, d->model, d->instance, d->region, d->target,
	    d->base_image, d->role_arn, d->ci_ic, d->notes, d->gen_version,
	    d->build_strategy, d->registered, d->first, d->tested };
	size_t i;

	buf_printf(b, "%s\t%s", file, ident);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		put_field(b, text[i]);
	put_num(b, d->status);
	put_num(b, d->test);
	put_num(b, d->ics);
	put_num(b, d->adapters);
	put_num(b, d->nic);
	for (i = 0; i < d->nic; i++) {
		put_field(b, d->ic[i].name);
		put_num(b, (unsigned long)d->ic[i].adapter);
		put_field(b, d->ic[i].image);
		put_num(b, d->ic[i].gpus);
		put_num(b, d->ic[i].copies);
		put_field(b, d->ic[i].base);
		put_field(b, d->ic[i].artifact);
	}
	put_num(b, d->params.n);
	for (i = 0; i < d->params.n; i++) {
		put_field(b, d->params.v[i].key);
		put_field(b, d->params.v[i].value);
	}
	put_num(b, d->nhist);
	for (i = 0; i < d->nhist; i++) {
		put_field(b, d->hist[i].time);
		put_num(b, d->hist[i].status);
		put_field(b, d->hist[i].notes);
		put_field(b, d->hist[i].gen_version);
		put_field(b, d->hist[i].build_strategy);
		put_num(b, (unsigned long)d->hist[i].ci);
	}
	buf_putc(b, '\n');
}

/* Reading a line back: fields taken in order from a tab-split line. */
struct rd {
	char		*p;		/* the rest of the line */
	int		 bad;
};

/* The next field, unescaped in place; NULL for "\0" (and at the end,
 * which marks the line bad). */
static char *
rd_raw(struct rd *r, int *absent)
{
	char *s, *o, *i;

	*absent = 0;
	if (r->p == NULL) {
		r->bad = 1;
		return NULL;
	}
	s = strsep(&r->p, "\t");
	if (strcmp(s, "\\0") == 0) {
		*absent = 1;
		return NULL;
	}
	for (i = o = s; *i; i++) {
		if (*i != '\\') {
			*o++ = *i;
			continue;
		}
		switch (*++i) {
		case '\\': *o++ = '\\'; break;
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		default: r->bad = 1; return NULL;
		}
	}
	*o = '\0';
	return s;
}

/* A text field, pointing into the line (the record's pool). */
static char *
rd_str(struct rd *r)
{
	int absent;

	return rd_raw(r, &absent);
}

static unsigned long
rd_num(struct rd *r, unsigned long max)
{
	int absent;
	char *s = rd_raw(r, &absent), *end;
	unsigned long v;

	if (s == NULL) {
		r->bad = 1;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || end == s || v > max)
		r->bad = 1;
	return r->bad ? 0 : v;
}

/* A record from its cache line (after FILE), or NULL.  Its text fields
 * are unescaped in place and point into the line. */
static struct deployment *
from_cache(char *line, const char *ident)
{
	char *id;
	struct rd r = { line, 0 };
	struct deployment *d = xcalloc(1, sizeof(*d));
	size_t i, n;
	int absent;

	if ((id = rd_raw(&r, &absent)) == NULL || strcmp(id, ident) != 0)
		goto bad;
	if ((id = rd_raw(&r, &absent)) == NULL || !deploy_id_ok(id))
		goto bad;
	memcpy(d->id, id, 17);
	d->pooled = 1;
	d->project = rd_str(&r);
	d->config = rd_str(&r);
	d->arch = rd_str(&r);
	d->backend = rd_str(&r);
	d->model = rd_str(&r);
	d->instance = rd_str(&r);
	d->region = rd_str(&r);
	d->target = rd_str(&r);
	d->base_image = rd_str(&r);
	d->role_arn = rd_str(&r);
	d->ci_ic = rd_str(&r);
	d->notes = rd_str(&r);
	d->gen_version = rd_str(&r);
	d->build_strategy = rd_str(&r);
	d->registered = rd_str(&r);
	d->first = rd_str(&r);
	d->tested = rd_str(&r);
	d->status = (enum dstatus)rd_num(&r, DS__MAX - 1);
	d->test = (enum dtest)rd_num(&r, DT__MAX - 1);
	d->ics = (unsigned)rd_num(&r, 1024);
	d->adapters = (unsigned)rd_num(&r, 1024);
	n = rd_num(&r, 4096);
	d->ic = xcalloc(n + 1, sizeof(*d->ic));
	for (i = 0; i < n && !r.bad; i++, d->nic++) {
		d->ic[i].name = rd_str(&r);
		d->ic[i].adapter = (int)rd_num(&r, 1);
		d->ic[i].image = rd_str(&r);
		d->ic[i].gpus = (unsigned)rd_num(&r, 1024);
		d->ic[i].copies = (unsigned)rd_num(&r, 1u << 20);
		d->ic[i].base = rd_str(&r);
		d->ic[i].artifact = rd_str(&r);
	}
	n = rd_num(&r, 1u << 20);
	d->params.v = xcalloc(n + 1, sizeof(*d->params.v));
	for (i = 0; i < n && !r.bad; i++, d->params.n++) {
		d->params.v[i].key = rd_str(&r);
		d->params.v[i].value = rd_str(&r);
		if (d->params.v[i].key == NULL || d->params.v[i].value == NULL)
			r.bad = 1;
	}
	n = rd_num(&r, 1u << 24);
	d->hist = xcalloc(n + 1, sizeof(*d->hist));
	for (i = 0; i < n && !r.bad; i++, d->nhist++) {
		d->hist[i].time = rd_str(&r);
		d->hist[i].status = (enum dstatus)rd_num(&r, DS__MAX - 1);
		d->hist[i].notes = rd_str(&r);
		d->hist[i].gen_version = rd_str(&r);
		d->hist[i].build_strategy = rd_str(&r);
		d->hist[i].ci = (int)rd_num(&r, 1);
	}
	if (r.bad || r.p != NULL || d->project == NULL || d->config == NULL ||
	    d->arch == NULL || d->backend == NULL || d->instance == NULL ||
	    d->target == NULL || d->ci_ic == NULL || d->gen_version == NULL ||
	    d->registered == NULL || d->first == NULL || d->nhist == 0 ||
	    d->nic == 0)
		goto bad;
	for (i = 0; i < d->nic; i++)
		if (d->ic[i].name == NULL)
			goto bad;
	for (i = 0; i < d->nhist; i++)
		if (d->hist[i].time == NULL || d->hist[i].gen_version == NULL)
			goto bad;
	return d;
bad:
	d->pooled = 1;
	deployment_free(d);
	return NULL;
}

struct ldctx {
	const char	*dir;
	struct dlist	*d;
	struct deployment **rec;	/* per file; NULL when refused or skipped */
	char		*bad;		/* per file: 1 when refused */
	char		(*ident)[96];	/* per file */
	char		*parsed;	/* per file: read and checked, not cached */
	struct lcache	 cache;
};

/* Is a file name <16 hex>.json?  Other .json files are refused; files
 * that are no JSON (README.md, dot files) are left alone. */
static int
json_name(const char *f)
{
	size_t n = strlen(f);

	return f[0] != '.' && n > 5 && strcmp(f + n - 5, ".json") == 0;
}

static void
load_one(void *arg, size_t i, int worker)
{
	struct ldctx *x = arg;
	const char *f = x->d->e[i].name;
	char *line;
	struct buf b = { 0 };
	struct stat st;
	char *path, *id;

	(void)worker;
	if (!json_name(f))
		return;
	path = xasprintf("%s/%s", x->dir, f);
	id = xstrndup(f, strlen(f) - 5);
	if (!deploy_id_ok(id)) {
		diag(EXIT_DATAERR, NULL, "%s: the file's name is no configId "
		    "(16 lower-case hex digits, then .json): the deployments "
		    "folder holds one record per configuration", intern(path));
		x->bad[i] = 1;
		goto out;
	}
	if (fstatat(x->d->fd, f, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		stat_identity(&st, x->ident[i]);
		if ((line = lcache_find(&x->cache, f)) != NULL &&
		    (x->rec[i] = from_cache(line, x->ident[i])) != NULL)
			goto out;
	}
	x->parsed[i] = 1;
	if (!read_file_max(path, &b, DEPLOY_MAX_FILE) ||
	    (x->rec[i] = parse_text(intern(path), b.s, b.len, id,
	    SECRETS_REFUSE)) == NULL)
		x->bad[i] = 1;
out:
	if (x->rec[i] != NULL)
		x->rec[i]->file = path;
	else
		free(path);
	buf_free(&b);
	free(id);
}

/* Write the cache (a failure only costs time next run). */
static void
cache_write(const char *path, const struct ldctx *x)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, DEPLOY_CACHE_MAGIC);
	for (i = 0; i < x->d->n; i++)
		if (x->rec[i] != NULL && x->ident[i][0] != '\0')
			cache_line(&b, x->d->e[i].name, x->ident[i], x->rec[i]);
	lcache_write(path, &b);
	buf_free(&b);
}

static int
by_id(const void *a, const void *b)
{
	return strcmp((*(struct deployment *const *)a)->id,
	    (*(struct deployment *const *)b)->id);
}

struct deployset *
deployset_load(const char *dir, int write_cache)
{
	struct deployset *s = xcalloc(1, sizeof(*s));
	struct dlist d;
	struct ldctx x;
	char *cpath;
	size_t i, nparsed = 0, nrec = 0;
	int ok = 1;

	memset(&x, 0, sizeof(x));
	x.dir = dir;
	x.d = &d;
	s->dir = xstrdup(dir);
	if (!dir_list(dir, &d)) {
		if (errno == ENOENT)
			return s;
		diag_errno(dir, 0, "cannot read the folder");
		deployset_free(s);
		return NULL;
	}
	cpath = out_state_path("deploycache", dir);
	lcache_read(&x.cache, cpath, DEPLOY_CACHE_MAGIC);
	x.rec = xcalloc(d.n + 1, sizeof(*x.rec));
	x.bad = xcalloc(d.n + 1, 1);
	x.parsed = xcalloc(d.n + 1, 1);
	x.ident = xcalloc(d.n + 1, sizeof(*x.ident));
	pool_run(d.n, 0, load_one, &x);
	for (i = 0; i < d.n; i++) {
		ok = ok && !x.bad[i];
		nparsed += x.parsed[i];
		nrec += x.rec[i] != NULL;
	}
	if (ok && write_cache && (nparsed > 0 || x.cache.n != nrec))
		cache_write(cpath, &x);
	s->d = xcalloc(d.n + 1, sizeof(*s->d));
	for (i = 0; i < d.n; i++)
		if (x.rec[i] != NULL)
			s->d[s->n++] = x.rec[i];
	dlist_free(&d);
	free(x.rec);
	free(x.bad);
	free(x.parsed);
	free(x.ident);
	/* Records from the cache point into its text. */
	s->pool = x.cache.text.s;
	x.cache.text.s = NULL;
	lcache_free(&x.cache);
	free(cpath);
	/* The folder lists <configId>.json in order; sorted unless a name
	 * breaks it. */
	for (i = 1; i < s->n; i++)
		if (by_id(&s->d[i - 1], &s->d[i]) > 0) {
			qsort(s->d, s->n, sizeof(*s->d), by_id);
			break;
		}
	if (!ok) {
		deployset_free(s);
		return NULL;
	}
	return s;
}

void
deployset_free(struct deployset *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		deployment_free(s->d[i]);
	free(s->d);
	free(s->dir);
	free(s->pool);
	free(s);
}

const struct deployment *
deployset_find(const struct deployset *s, const char *id, int *ambiguous)
{
	size_t lo = 0, hi = s->n, mid, n = strlen(id);
	int c;

	*ambiguous = 0;
	if (n < 4 || n > 16 || strspn(id, "0123456789abcdef") != n)
		return NULL;
	/* The first id not below the prefix. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(s->d[mid]->id, id, n);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->n || strncmp(s->d[lo]->id, id, n) != 0)
		return NULL;
	if (n < 16 && lo + 1 < s->n && strncmp(s->d[lo + 1]->id, id, n) == 0) {
		*ambiguous = 1;
		return NULL;
	}
	return s->d[lo];
}

/* ---- an import file ------------------------------------------------------- */

int
deploy_import_parse(const char *name, const char *text, size_t len,
    struct deployset *out)
{
	struct ynode *root;
	const struct ynode *list, *n;
	struct deployment *d;
	size_t i, j, redacted = 0;
	char *p;
	int ok = 1;

	if ((root = jsonpos_load(name, text, len)) == NULL)
		return 0;
	list = root;
	if (root->kind == Y_MAP && ymap_get(root, "deployments") != NULL) {
		struct check c;
		static const char *const keys[] = { "deployments",
		    "schemaVersion", NULL };

		check_init(&c);
		check_keys(&c, root, "", keys);
		if ((n = ymap_get(root, "schemaVersion")) == NULL)
			check_bad(&c, root, "", "missing required key "
			    "'schemaVersion'");
		else if (n->kind != Y_SCALAR || strcmp(n->str, "1") != 0 ||
		    !n->plain)
			check_bad(&c, n, "schemaVersion", "%s: this gen reads "
			    "exports of schemaVersion %d", n->kind == Y_SCALAR ?
			    shown(n->str) : ynode_what(n), DEPLOY_SCHEMA_VERSION);
		list = ymap_get(root, "deployments");
		check_kind(&c, list, "deployments", Y_SEQ);
		if (!check_end(&c, name)) {
			ynode_free(root);
			return 0;
		}
	}
	if (list->kind != Y_SEQ && list->kind != Y_MAP) {
		diag(EXIT_DATAERR, &list->pos, "expected an export "
		    "({\"schemaVersion\": 1, \"deployments\": [...]}), an array "
		    "of records or one record, got %s", ynode_what(list));
		ynode_free(root);
		return 0;
	}
	for (i = 0; i < (list->kind == Y_SEQ ? list->n : 1); i++) {
		n = list->kind == Y_SEQ ? list->items[i] : list;
		p = list->kind == Y_SEQ ? xasprintf("%s: deployments[%zu]", name,
		    i) : xstrdup(name);
		d = from_tree(intern(p), n, NULL, SECRETS_REDACT, &redacted);
		free(p);
		if (d == NULL) {
			ok = 0;
			continue;
		}
		out->d = xrealloc(out->d, (out->n + 1) * sizeof(*out->d));
		out->d[out->n++] = d;
		d->file = xasprintf("deployments[%zu]", i);
	}
	/* One configId once: sorted, neighbours compared. */
	if (out->n > 1)
		qsort(out->d, out->n, sizeof(*out->d), by_id);
	for (j = 1; j < out->n; j++)
		if (strcmp(out->d[j - 1]->id, out->d[j]->id) == 0) {
			diag(EXIT_DATAERR, NULL, "%s: configId %s is imported "
			    "twice (%s and %s)", name, out->d[j]->id,
			    out->d[j - 1]->file, out->d[j]->file);
			ok = 0;
		}
	for (j = 0; j < out->n; j++) {
		free(out->d[j]->file);
		out->d[j]->file = NULL;
	}
	ynode_free(root);
	if (ok && redacted > 0 && gen_verbose >= 0)
		fprintf(stderr, "gen: %s: %zu secret value%s redacted\n", name,
		    redacted, redacted == 1 ? "" : "s");
	return ok;
}

/* ---- against the registries ------------------------------------------------ */

void
deploy_check(const struct registries *reg, const struct compat *cx,
    const struct deployment *d, struct dcheck *k)
{
	const struct fwreq *q = NULL;
	size_t i, col;

	memset(k, 0, sizeof(*k));
	k->verdict = DV_UNKNOWN;
	if (reg == NULL)
		return;
	if ((k->fw = registry_framework(reg, d->backend)) == NULL) {
		k->unknown_fw = 1;
		k->near_fw = nearest_of(d->backend, reg->fw, reg->nfw,
		    sizeof(*reg->fw), offsetof(struct framework, name));
	}
	if ((k->inst = registry_instance(reg, d->instance)) == NULL) {
		k->unknown_inst = 1;
		k->near_inst = nearest_of(d->instance, reg->inst, reg->ninst,
		    sizeof(*reg->inst), offsetof(struct instance, type));
	}
	if (d->model != NULL && (k->model = registry_match_model(reg,
	    d->model)) == NULL) {
		k->unknown_model = 1;
		k->near_model = nearest_of(d->model, reg->model, reg->nmodel,
		    sizeof(*reg->model), offsetof(struct model, id));
	}
	if (k->fw == NULL || k->fw->nver == 0)
		return;
	/* The version the record runs: the one whose base image it names,
	 * else the newest. */
	k->fwv = &k->fw->ver[0];
	for (i = 0; d->base_image != NULL && i < k->fw->nver; i++)
		if (k->fw->ver[i].base_image != NULL &&
		    strcmp(k->fw->ver[i].base_image, d->base_image) == 0) {
			k->fwv = &k->fw->ver[i];
			break;
		}
	if (k->inst == NULL || cx == NULL)
		return;
	col = (size_t)(k->inst - reg->inst);
	if (compat_at(cx, k->fwv->row, col) != CV_OK) {
		k->verdict = DV_INCOMPATIBLE;
		k->reason = compat_reason(reg, cx, k->fwv->row, col);
		return;
	}
	for (i = 0; k->model != NULL && i < k->model->nreq; i++)
		if (strcmp(k->model->req[i].framework, k->fw->name) == 0)
			q = &k->model->req[i];
	if (q != NULL && !fwreq_allows(q, k->fwv->version)) {
		k->verdict = DV_INCOMPATIBLE;
		k->reason = xasprintf("%s needs %s %s; %s is outside it",
		    k->model->id, k->fw->name, q->range, k->fwv->version);
		return;
	}
	k->verdict = DV_COMPATIBLE;
}

void
dcheck_clear(struct dcheck *k)
{
	free(k->reason);
	k->reason = NULL;
}

/* One warning, unless past the limit. */
static void
stale(size_t *n, size_t max, const char *file, const char *what,
    const char *name, const char *is_not, const char *near)
{
	if (max == 0 || *n < max)
		fprintf(stderr, "gen: warning: %s: %s '%s' %s%s%s%s\n", file, what,
		    name, is_not, near ? "; did you mean '" : "", near ? near : "",
		    near ? "'?" : "");
	++*n;
}

size_t
deploy_warn_stale(const struct registries *reg, const struct compat *cx,
    const struct deployset *s, size_t max)
{
	struct dcheck k;
	size_t i, n = 0, shown_n;

	if (reg == NULL || s == NULL)
		return 0;
	for (i = 0; i < s->n; i++) {
		const struct deployment *d = s->d[i];
		const char *f = d->file ? d->file : d->id;

		deploy_check(reg, cx, d, &k);
		if (k.unknown_fw)
			stale(&n, max, f, "backend", d->backend, "is not a "
			    "framework of the registries", k.near_fw);
		if (k.unknown_inst)
			stale(&n, max, f, "instance type", d->instance, "is not "
			    "in the registries", k.near_inst);
		if (k.unknown_model)
			stale(&n, max, f, "model", d->model, "matches no model "
			    "of the registries", k.near_model);
		dcheck_clear(&k);
	}
	shown_n = max == 0 || n <= max ? n : max;
	if (n > shown_n)
		fprintf(stderr, "gen: warning: %s: %zu more stale references to "
		    "the registries (gen validate lists every one)\n", s->dir,
		    n - shown_n);
	return n;
}
