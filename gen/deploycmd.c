/*
 * deploycmd.c - gen deploy register|list|show|export|import|mark: the
 * deployment registry's commands (deploy.h).  Writes take the tree's
 * lock and go through deployment_write() (atomic); every check is made
 * before the first write, so a refused command writes nothing.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "deploy.h"
#include "index.h"
#include "registry.h"

extern char **environ;

/* The record's fields a project sets: their name in the record (--set)
 * and in do/config and the environment. */
enum dfield { F_PROJECT, F_CONFIG, F_MODEL, F_INSTANCE, F_REGION, F_TARGET,
    F_IMAGE, F_ROLE, F__MAX };
static const char *const field_names[F__MAX + 1] = { "projectName",
    "deploymentConfig", "modelName", "instanceType", "region",
    "deploymentTarget", "baseImage", "roleArn", NULL };
static const char *const field_vars[F__MAX] = { "PROJECT_NAME",
    "DEPLOYMENT_CONFIG", "MODEL_NAME", "INSTANCE_TYPE", "AWS_REGION",
    "DEPLOYMENT_TARGET", "BASE_IMAGE", "ROLE_ARN" };
static const int field_required[F__MAX] = { 1, 1, 0, 1, 1, 1, 0, 0 };

/* Variables of the machine, never a deployment's parameter (http). */
static const char *const system_vars[] = { "PATH", "HOME", "USER", "SHELL",
    "PWD", "OLDPWD", "LANG", "TERM", "TMPDIR", "HOSTNAME", "LOGNAME", "TZ",
    NULL };
/* Engines' variable prefixes, besides the backend's own. */
static const char *const engine_prefixes[] = { "VLLM_", "SGLANG_", "TRTLLM_",
    "TENSORRT_LLM_", "TGI_", "LMI_", "OPTION_", "DJL_", "SD_", "LLAMA_",
    "WHISPER_", NULL };

#define DEFAULT_BUILD_STRATEGY	"codebuild-submit"

/* ---- small things ----------------------------------------------------------- */

static void
now_text(char out[32])
{
	long long t = source_date_epoch();

	index_time(t >= 0 ? t : (long long)time(NULL), out);
}

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gen: deploy ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (gen_status < EXIT_USAGE)
		gen_status = EXIT_USAGE;
	return 0;
}

/* A --status value: bad data (65), as a record's status would be. */
static int
parse_status(const char *s, enum dstatus *st)
{
	const char *near;
	int i;

	for (i = 0; i < DS__MAX; i++)
		if (strcmp(s, dstatus_names[i]) == 0) {
			*st = (enum dstatus)i;
			return 1;
		}
	near = nearest_of(s, dstatus_names, DS__MAX, sizeof(dstatus_names[0]),
	    0);
	diag(EXIT_DATAERR, NULL, "deploy --status %s: expected success, partial or "
	    "failed%s%s%s", s, near ? "; did you mean '" : "", near ? near : "",
	    near ? "'?" : "");
	return 0;
}

/* The registries, when the repository has them (NULL otherwise, or after
 * reporting when they are broken: *ok 0). */
static struct registries *
load_reg(const char *dir, struct compat **cx, int *ok)
{
	struct registries *r;

	*cx = NULL;
	*ok = 1;
	if (dir == NULL || !registries_present(dir))
		return NULL;
	if ((r = registries_load(dir)) == NULL) {
		*ok = 0;
		return NULL;
	}
	*cx = compat_build(r);
	return r;
}

static int
flush_out(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		diag_errno("stdout", 0, "write");
		return 0;
	}
	return 1;
}

static int
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(j);
	fputs(s, stdout);
	putchar('\n');
	free(s);
	return flush_out();
}

/* ---- register: what a project says ---------------------------------------- */

struct src {
	char		*value;		/* owned; NULL: not given */
	char		*where;		/* "do/config:3:9: MODEL_NAME", "the
					   environment's MODEL_NAME", "--set
					   modelName" */
};

struct project {
	const char	*dir;
	char		*config_path;
	struct kvlist	 config;	/* do/config */
	struct src	 f[F__MAX];
};

static void
project_clear(struct project *p)
{
	size_t i;

	kvlist_clear(&p->config);
	free(p->config_path);
	for (i = 0; i < F__MAX; i++) {
		free(p->f[i].value);
		free(p->f[i].where);
	}
}

static void
src_set(struct src *s, const char *value, char *where)
{
	free(s->value);
	free(s->where);
	s->value = *value != '\0' ? xstrdup(value) : NULL;
	s->where = where;
}

/* do/config, then the environment, then --set. */
static int
project_read(struct project *p, const struct deploycmd *c)
{
	const struct kv *kv;
	const char *v, *eq;
	struct stat st;
	size_t i, j, n;
	int f;

	p->config_path = xasprintf("%s/do/config", p->dir);
	if (stat(p->dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		diag_errno(p->dir, 1, "the project folder (--project)");
		return 0;
	}
	if (stat(p->config_path, &st) == 0 &&
	    !doconfig_read(p->config_path, &p->config))
		return 0;
	for (f = 0; f < F__MAX; f++) {
		for (i = 0; i < p->config.n; i++) {
			kv = &p->config.v[i];
			if (strcmp(kv->key, field_vars[f]) == 0)
				src_set(&p->f[f], kv->value, xasprintf("%s:%u:%u: "
				    "%s", p->config_path, kv->pos.line,
				    kv->pos.col, kv->key));
		}
		if ((v = getenv(field_vars[f])) != NULL)
			src_set(&p->f[f], v, xasprintf("the environment's %s",
			    field_vars[f]));
	}
	for (i = 0; i < c->nset; i++) {
		if ((eq = strchr(c->set[i], '=')) == NULL)
			return usage_error("--set %s: expected FIELD=VALUE",
			    c->set[i]);
		n = (size_t)(eq - c->set[i]);
		for (j = 0; j < F__MAX; j++)
			if (strlen(field_names[j]) == n &&
			    strncmp(field_names[j], c->set[i], n) == 0)
				break;
		if (j == F__MAX) {
			char *name = xstrndup(c->set[i], n);
			const char *near = nearest(name, field_names);

			/* --set INSTANCE_TYPE=...: do/config's name. */
			for (j = 0; j < F__MAX; j++)
				if (strcmp(name, field_vars[j]) == 0)
					near = field_names[j];
			diag(EXIT_DATAERR, NULL, "deploy --set %s: unknown field '%s'%s%s%s "
			    "(the fields: projectName, deploymentConfig, modelName, "
			    "instanceType, region, deploymentTarget, baseImage, "
			    "roleArn)", c->set[i], name, near ? "; did you mean '" :
			    "", near ? near : "", near ? "'?" : "");
			free(name);
			return 0;
		}
		src_set(&p->f[j], eq + 1, xasprintf("--set %s", field_names[j]));
	}
	return 1;
}

/* A field's value, checked: one line, short, clean, no credential.  1,
 * or 0 after reporting where it came from. */
static int
field_ok(const struct src *s, enum dfield f)
{
	const char *v = s->value;

	if (v == NULL)
		return 1;
	if (!text_clean(v, 1) || strlen(v) > 512) {
		diag(EXIT_DATAERR, NULL, "%s: %s must be one line of at most 512 "
		    "characters, without control characters", s->where,
		    field_names[f]);
		return 0;
	}
	if (f != F_IMAGE && f != F_ROLE && f != F_PROJECT && redact_value(v)) {
		diag(EXIT_DATAERR, NULL, "%s: %s holds what looks like a "
		    "credential; it names the configuration and would be "
		    "published", s->where, field_names[f]);
		return 0;
	}
	if (f == F_CONFIG && !deploy_config_split(v, NULL, NULL)) {
		diag(EXIT_DATAERR, NULL, "%s: deploymentConfig \"%s\" is not "
		    "<architecture>-<backend> (lower case, such as "
		    "\"transformers-vllm\")", s->where, v);
		return 0;
	}
	if (f == F_MODEL && strcmp(v, "none") == 0) {
		diag(EXIT_DATAERR, NULL, "%s: modelName \"none\" is how the "
		    "configId names no model; leave it unset instead", s->where);
		return 0;
	}
	return 1;
}

/* ---- register: components and adapters -------------------------------------- */

static int
conf_num(const struct kvlist *l, const char *key, const char *path,
    unsigned max, unsigned *out)
{
	const char *v = kvlist_get(l, key);
	char *end;
	unsigned long n;
	size_t i;

	if (v == NULL || *v == '\0')
		return 1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end != '\0' || !isdigit((unsigned char)*v) || n > max) {
		for (i = 0; i < l->n && strcmp(l->v[i].key, key) != 0; i++)
			continue;
		diag(EXIT_DATAERR, &l->v[i].pos, "%s: %s=%s: expected a whole "
		    "number from 0 to %u", path, key, v, max);
		return 0;
	}
	*out = (unsigned)n;
	return 1;
}

/* A text of a .conf: one line, clean; a credential is redacted. */
static char *
conf_text(const struct kvlist *l, const char *key, const char *path, int *ok)
{
	const char *v = kvlist_get(l, key);
	size_t i;

	if (v == NULL || *v == '\0')
		return NULL;
	if (!text_clean(v, 1) || strlen(v) > 2048) {
		for (i = 0; i < l->n && strcmp(l->v[i].key, key) != 0; i++)
			continue;
		diag(EXIT_DATAERR, &l->v[i].pos, "%s: %s must be one line of at "
		    "most 2048 characters", path, key);
		*ok = 0;
		return NULL;
	}
	return xstrdup(redact(key, v));
}

static int
conf_name(const char *f)
{
	size_t n = strlen(f);

	return f[0] != '.' && n > 5 && strcmp(f + n - 5, ".conf") == 0;
}

static int
dic_order(const void *a, const void *b)
{
	return strcmp(((const struct dic *)a)->name, ((const struct dic *)b)->name);
}

/* The .conf files of DIR/do/ic or DIR/do/adapters into d->ic. */
static int
read_ics(struct deployment *d, const char *dir, const char *sub, int adapter)
{
	char *folder = xasprintf("%s/do/%s", dir, sub), *path, *name;
	struct kvlist l = { 0, NULL };
	struct dlist dl;
	struct dic *ic;
	size_t i, first = d->nic;
	int ok = 1;

	if (!dir_list(folder, &dl)) {
		if (errno != ENOENT && errno != ENOTDIR) {
			diag_errno(folder, 0, "cannot read the folder");
			ok = 0;
		}
		free(folder);
		return ok;
	}
	d->ic = xrealloc(d->ic, (d->nic + dl.n + 2) * sizeof(*d->ic));
	for (i = 0; ok && i < dl.n; i++) {
		if (!conf_name(dl.e[i].name))
			continue;
		path = xasprintf("%s/%s", folder, dl.e[i].name);
		if (!doconfig_read(path, &l)) {
			ok = 0;
			free(path);
			break;
		}
		ic = &d->ic[d->nic];
		memset(ic, 0, sizeof(*ic));
		ic->adapter = adapter;
		name = conf_text(&l, adapter ? "ADAPTER_NAME" : "IC_NAME", path, &ok);
		if (name == NULL)
			name = xstrndup(dl.e[i].name, strlen(dl.e[i].name) - 5);
		if (!deploy_param_name_ok(name)) {
			diag(EXIT_DATAERR, NULL, "%s: the %s's name \"%s\": expected "
			    "letters, digits, '_', '.' and '-'", path, adapter ?
			    "adapter" : "inference component", name);
			ok = 0;
		}
		ic->name = name;
		d->nic++;
		if (adapter) {
			ic->base = conf_text(&l, "BASE_IC_NAME", path, &ok);
			ic->artifact = conf_text(&l, "ARTIFACT_URL", path, &ok);
		} else {
			ic->image = conf_text(&l, "IMAGE", path, &ok);
			ok = ok && conf_num(&l, "GPU_COUNT", path, 1024, &ic->gpus) &&
			    conf_num(&l, "COPY_COUNT", path, 1u << 20, &ic->copies);
		}
		kvlist_clear(&l);
		free(path);
	}
	dlist_free(&dl);
	free(folder);
	qsort(d->ic + first, d->nic - first, sizeof(*d->ic), dic_order);
	for (i = first + 1; ok && i < d->nic; i++)
		if (strcmp(d->ic[i - 1].name, d->ic[i].name) == 0) {
			diag(EXIT_DATAERR, NULL, "%s/do/%s: two %s named \"%s\"", dir,
			    sub, adapter ? "adapters" : "components", d->ic[i].name);
			ok = 0;
		}
	return ok;
}

/* ---- register: parameters ---------------------------------------------------- */

static void
param_put(struct kvlist *l, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0) {
			free(l->v[i].value);
			l->v[i].value = xstrdup(redact(key, value));
			return;
		}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct kv){ xstrdup(key), xstrdup(redact(key, value)),
	    { NULL, 0, 0 } };
}

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Is a variable one an engine reads (VLLM_*, the backend's own, ...)? */
static int
engine_var(const char *name, const char *own)
{
	size_t i;

	if (strcmp(name, "HF_MODEL_ID") == 0 || has_prefix(name, own))
		return 1;
	for (i = 0; engine_prefixes[i] != NULL; i++)
		if (has_prefix(name, engine_prefixes[i]))
			return 1;
	return 0;
}

/* Is a do/config variable the project's own setting (http)? */
static int
own_var(const char *name)
{
	size_t i;

	if (has_prefix(name, "AWS_"))
		return 0;
	for (i = 0; i < F__MAX; i++)
		if (strcmp(name, field_vars[i]) == 0)
			return 0;
	for (i = 0; system_vars[i] != NULL; i++)
		if (strcmp(name, system_vars[i]) == 0)
			return 0;
	return 1;
}

static int
kv_order(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/*
 * The parameters the reference captures per architecture: http, every
 * variable of do/config but the system's and the record's own; triton,
 * config.pbtxt and TRITON_MODEL_REPOSITORY; the rest (transformers,
 * diffusors, ...), the engines' variables and HF_MODEL_ID.  do/config
 * first, the environment over it; secrets redacted.
 */
static int
read_params(struct deployment *d, const struct project *p)
{
	char *own = xasprintf("%s_", d->backend), *q, *path, *eq;
	struct buf b = { 0 };
	size_t i;
	int ok = 1, http = strcmp(d->arch, "http") == 0,
	    triton = strcmp(d->arch, "triton") == 0;

	for (q = own; *q; q++)
		*q = *q == '-' || *q == '.' ? '_' : (char)toupper((unsigned char)*q);
	for (i = 0; i < p->config.n; i++) {
		const char *k = p->config.v[i].key;

		if (http ? own_var(k) : triton ?
		    strcmp(k, "TRITON_MODEL_REPOSITORY") == 0 : engine_var(k, own))
			param_put(&d->params, k, p->config.v[i].value);
	}
	for (i = 0; !http && environ[i] != NULL; i++) {
		if ((eq = strchr(environ[i], '=')) == NULL || eq == environ[i])
			continue;
		q = xstrndup(environ[i], (size_t)(eq - environ[i]));
		if ((triton ? strcmp(q, "TRITON_MODEL_REPOSITORY") == 0 :
		    engine_var(q, own)) && deploy_param_name_ok(q))
			param_put(&d->params, q, eq + 1);
		free(q);
	}
	if (triton) {
		path = xasprintf("%s/config.pbtxt", p->dir);
		switch (read_file_opt_max(path, &b, 64u << 10)) {
		case 1:
			if (strlen(b.s) != b.len || !text_clean(b.s, 0)) {
				diag(EXIT_DATAERR, NULL, "%s: not text (a NUL or "
				    "a control character)", path);
				ok = 0;
			} else
				param_put(&d->params, "config.pbtxt", b.s);
			break;
		case -1:
			break;
		default:
			ok = 0;
			break;
		}
		buf_free(&b);
		free(path);
	}
	for (i = 0; ok && i < d->params.n; i++)
		if (!text_clean(d->params.v[i].value, 0) ||
		    strlen(d->params.v[i].value) > (64u << 10)) {
			diag(EXIT_DATAERR, NULL, "parameter %s: its value has a "
			    "control character or is longer than 64 KiB",
			    d->params.v[i].key);
			ok = 0;
		}
	if (d->params.n > 1)
		qsort(d->params.v, d->params.n, sizeof(*d->params.v), kv_order);
	free(own);
	return ok;
}

/* ---- register ------------------------------------------------------------------- */

static struct deployment *
record_from(struct project *p, const struct deploycmd *c, enum dstatus st,
    const char *now)
{
	struct deployment *d = xcalloc(1, sizeof(*d));
	struct deploykey k;
	size_t i;
	int ok = 1;

	for (i = 0; i < F__MAX; i++) {
		ok = field_ok(&p->f[i], (enum dfield)i) && ok;
		if (field_required[i] && p->f[i].value == NULL) {
			if (p->f[i].where != NULL)
				diag(EXIT_DATAERR, NULL, "%s: %s is empty; it is "
				    "required", p->f[i].where, field_names[i]);
			else
				diag(EXIT_DATAERR, NULL, "%s: missing %s: set %s in "
				    "do/config or the environment, or --set %s=...",
				    p->config_path, field_names[i], field_vars[i],
				    field_names[i]);
			ok = 0;
		}
	}
	if (!ok)
		goto bad;
#define TAKE(dst, k) do { dst = p->f[k].value; p->f[k].value = NULL; } while (0)
	TAKE(d->project, F_PROJECT);
	TAKE(d->config, F_CONFIG);
	TAKE(d->model, F_MODEL);
	TAKE(d->instance, F_INSTANCE);
	TAKE(d->region, F_REGION);
	TAKE(d->target, F_TARGET);
	TAKE(d->base_image, F_IMAGE);
	TAKE(d->role_arn, F_ROLE);
#undef TAKE
	if (d->project != NULL && redact_value(d->project)) {
		free(d->project);
		d->project = xstrdup(DEPLOY_REDACTED);
	}
	if (d->base_image != NULL && redact_value(d->base_image)) {
		free(d->base_image);
		d->base_image = xstrdup(DEPLOY_REDACTED);
	}
	if (d->role_arn != NULL && redact_value(d->role_arn)) {
		free(d->role_arn);
		d->role_arn = xstrdup(DEPLOY_REDACTED);
	}
	deploy_config_split(d->config, &d->arch, &d->backend);
	if (!read_ics(d, p->dir, "ic", 0))
		goto bad;
	d->ics = (unsigned)d->nic;
	if (d->nic == 0) {
		d->ic = xrealloc(d->ic, 2 * sizeof(*d->ic));
		memset(&d->ic[0], 0, sizeof(d->ic[0]));
		d->ic[0].name = xstrdup("default");
		d->nic = d->ics = 1;
	}
	if (!read_ics(d, p->dir, "adapters", 1))
		goto bad;
	d->adapters = (unsigned)(d->nic - d->ics);
	if (d->ics > 1024 || d->adapters > 1024) {
		diag(EXIT_DATAERR, NULL, "%s: more than 1024 components or "
		    "adapters", p->dir);
		goto bad;
	}
	for (i = d->ics; i < d->nic; i++)
		if (d->ic[i].base == NULL)
			d->ic[i].base = xstrdup(d->ic[0].name);
	d->ci_ic = xstrdup(d->ic[0].name);
	if (!read_params(d, p))
		goto bad;
	d->status = st;
	if (c->notes != NULL) {
		if (!text_clean(c->notes, 0) || strlen(c->notes) > (64u << 10) ||
		    *c->notes == '\0') {
			usage_error("--notes: expected text of at most 64 KiB "
			    "without control characters");
			goto bad;
		}
		d->notes = xstrdup(redact_value(c->notes) ? DEPLOY_REDACTED :
		    c->notes);
	}
	d->gen_version = xstrdup(c->version);
	d->build_strategy = xstrdup(c->build_strategy ? c->build_strategy :
	    DEFAULT_BUILD_STRATEGY);
	d->registered = xstrdup(now);
	d->first = xstrdup(now);
	d->test = DT_UNTESTED;
	d->hist = xcalloc(1, sizeof(*d->hist));
	d->hist[0] = (struct dhist){ xstrdup(now), st, d->notes ?
	    xstrdup(d->notes) : NULL, xstrdup(c->version),
	    xstrdup(d->build_strategy), c->ci };
	d->nhist = 1;
	deployment_key(d, &k);
	if (!deploy_config_id(&k, d->id))
		goto bad;
	return d;
bad:
	deployment_free(d);
	return NULL;
}

/* Are two records the same configuration?  (Same id, same fields.) */
static int
same_config(const struct deployment *a, const struct deployment *b)
{
	struct deploykey ka, kb;
	char *ta, *tb;
	int same;

	deployment_key(a, &ka);
	deployment_key(b, &kb);
	/* An exported record has no region: its id says it had b's. */
	if (ka.region == NULL)
		ka.region = kb.region;
	if (kb.region == NULL)
		kb.region = ka.region;
	if (ka.region == NULL)
		return 1;
	if (deploy_key_collide(&ka, &kb))
		return 0;
	ta = deploy_key_text(&ka);
	tb = deploy_key_text(&kb);
	same = strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	return same;
}

static void
collision(const char *file, const struct deployment *old,
    const struct deployment *new)
{
	struct deploykey k;
	char *t;

	deployment_key(new, &k);
	t = deploy_key_text(&k);
	diag(EXIT_DATAERR, NULL, "%s: configId %s collides: it is the id of "
	    "another configuration (deploymentConfig \"%s\", modelName \"%s\", "
	    "instanceType \"%s\", region \"%s\", deploymentTarget \"%s\"), and "
	    "this one's text %s hashes the same (a ':' inside a field); "
	    "refusing to mix them", file, new->id, old->config,
	    old->model ? old->model : "none", old->instance, old->region ?
	    old->region : "", old->target, t);
	free(t);
}

/* The existing record at DIR/<id>.json, or NULL (*ok 0 when it is broken). */
static struct deployment *
read_existing(const char *dir, const char *id, int *ok)
{
	char *path = xasprintf("%s/%s.json", dir, id);
	struct deployment *d = NULL;
	struct buf b = { 0 };

	*ok = 1;
	switch (read_file_opt_max(path, &b, 4u << 20)) {
	case 1:
		if ((d = deployment_parse(intern(path), b.s, b.len, id)) == NULL)
			*ok = 0;
		else
			d->file = xstrdup(path);
		break;
	case -1:
		break;
	default:
		*ok = 0;
		break;
	}
	buf_free(&b);
	free(path);
	return d;
}

/* new's registration appended to old's record: new takes old's first time,
 * history and (without --ci) test status. */
static void
carry_over(struct deployment *new, struct deployment *old, int ci)
{
	struct dhist h = new->hist[0];

	free(new->first);
	new->first = xstrdup(old->first);
	/* Registrations stay oldest first, whatever the clock says. */
	if (strcmp(h.time, old->hist[old->nhist - 1].time) < 0) {
		free(h.time);
		h.time = xstrdup(old->hist[old->nhist - 1].time);
		free(new->registered);
		new->registered = xstrdup(h.time);
	}
	free(new->hist);
	new->hist = old->hist;
	new->nhist = old->nhist;
	old->hist = NULL;
	old->nhist = 0;
	new->hist = xrealloc(new->hist, (new->nhist + 1) * sizeof(*new->hist));
	new->hist[new->nhist++] = h;
	if (!ci) {
		new->test = old->test;
		new->tested = old->tested;
		old->tested = NULL;
	}
}

static void
warn_refs(const struct deploycmd *c, const struct deployment *d)
{
	struct deployset one = { NULL, 1, (struct deployment **)&d, NULL };
	struct registries *reg;
	struct compat *cx;
	int ok;

	if ((reg = load_reg(c->registries, &cx, &ok)) != NULL)
		deploy_warn_stale(reg, cx, &one, 0);
	compat_free(cx);
	registries_free(reg);
}

static int
cmd_register(const struct deploycmd *c)
{
	struct project p;
	struct deployment *d = NULL, *old = NULL;
	enum dstatus st = DS_SUCCESS;
	char now[32];
	int ok = 0, fine;

	memset(&p, 0, sizeof(p));
	p.dir = c->project ? c->project : ".";
	if (c->status != NULL && !parse_status(c->status, &st))
		return 0;
	if (c->build_strategy != NULL && (!text_clean(c->build_strategy, 1) ||
	    *c->build_strategy == '\0' || strlen(c->build_strategy) > 128))
		return usage_error("--build-strategy: expected one line of at most "
		    "128 characters");
	if (source_date_epoch() == -2) {
		diag(EXIT_DATAERR, NULL, "SOURCE_DATE_EPOCH=%s is not a number of "
		    "seconds", getenv("SOURCE_DATE_EPOCH"));
		return 0;
	}
	now_text(now);
	if (!project_read(&p, c) || (d = record_from(&p, c, st, now)) == NULL)
		goto out;
	if (!out_lock(1, c->no_wait))
		goto out;
	old = read_existing(c->dir, d->id, &fine);
	if (!fine)
		goto out;
	if (old != NULL && !same_config(old, d)) {
		collision(old->file, old, d);
		goto out;
	}
	if (old != NULL)
		carry_over(d, old, c->ci);
	if (!deployment_write(c->dir, d))
		goto out;
	d->file = xasprintf("%s/%s.json", c->dir, d->id);
	if (gen_verbose >= 0)
		fprintf(stderr, "gen: %s/%s.json: %s %s (%zu registration%s, "
		    "test status %s)\n", c->dir, d->id, old ? "updated" :
		    "registered", d->config, d->nhist, d->nhist == 1 ? "" : "s",
		    dtest_names[d->test]);
	warn_refs(c, d);
	ok = 1;
	if (c->json) {
		char *t = deployment_text(d);

		fputs(t, stdout);
		free(t);
		ok = flush_out();
	}
out:
	deployment_free(old);
	deployment_free(d);
	project_clear(&p);
	return ok;
}

/* ---- list, show, export --------------------------------------------------------- */

static struct deployset *
load_set(const struct deploycmd *c, int write)
{
	if (!out_lock(write, c->no_wait))
		return NULL;
	return deployset_load(c->dir, 1);
}

static const struct deployment *
need(const struct deployset *s, const char *id)
{
	const struct deployment *d;
	int amb;

	if ((d = deployset_find(s, id, &amb)) != NULL)
		return d;
	if (amb)
		diag(EXIT_NOINPUT, NULL, "%s: configId prefix \"%s\" is ambiguous: "
		    "give more digits", s->dir, id);
	else if (strlen(id) < 4 || strspn(id, "0123456789abcdef") != strlen(id))
		diag(EXIT_NOINPUT, NULL, "%s: \"%s\" is no configId: 16 lower-case "
		    "hex digits, or a unique prefix of at least 4", s->dir, id);
	else
		diag(EXIT_NOINPUT, NULL, "%s: no deployment with configId %s",
		    s->dir, id);
	return NULL;
}

static json_t *
check_json(const struct dcheck *k)
{
	json_t *o = json_object();

	json_object_set_new(o, "verdict", json_string(dverdict_names[k->verdict]));
	if (k->reason != NULL)
		json_object_set_new(o, "reason", json_string(k->reason));
	if (k->fwv != NULL)
		json_object_set_new(o, "frameworkVersion",
		    json_string(k->fwv->version));
	return o;
}

static int
matches(const struct deploycmd *c, const struct deployment *d, int has_st,
    enum dstatus st)
{
	if (c->config != NULL && strcmp(c->config, d->config) != 0)
		return 0;
	if (has_st && d->status != st)
		return 0;
	if (c->model != NULL && !model_glob(c->model, d->model ? d->model :
	    "none"))
		return 0;
	if (c->instance != NULL && strcmp(c->instance, d->instance) != 0)
		return 0;
	if (c->untested && d->test != DT_UNTESTED)
		return 0;
	return 1;
}

static void
cell(struct buf *b, const char *s, int width)
{
	int n = (int)strlen(s);

	buf_puts(b, s);
	if (width > 0)
		buf_printf(b, "%*s", width > n ? width - n + 2 : 2, "");
}

static int
cmd_list(const struct deploycmd *c)
{
	struct deployset *s;
	struct buf b = { 0 };
	enum dstatus st = DS_SUCCESS;
	json_t *out = NULL, *row;
	size_t i, n = 0;
	int ok = 0, has_st = c->status != NULL;

	if (has_st && !parse_status(c->status, &st))
		return 0;
	if ((s = load_set(c, 0)) == NULL)
		return 0;
	if (c->json)
		out = json_array();
	else
		buf_puts(&b, "CONFIG ID         STATUS   TEST      DEPLOYMENT CONFIG"
		    "      MODEL                          INSTANCE        REGION"
		    "          TARGET               REGISTERED\n");
	for (i = 0; i < s->n; i++) {
		const struct deployment *d = s->d[i];

		if (!matches(c, d, has_st, st))
			continue;
		n++;
		if (c->json && c->untested) {
			row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
			    "configId", d->id, "deploymentConfig", d->config,
			    "modelName", d->model ? d->model : "none",
			    "instanceType", d->instance, "deploymentTarget",
			    d->target, "ic", d->ci_ic);
			if (d->region != NULL)
				json_object_set_new(row, "region",
				    json_string(d->region));
			json_array_append_new(out, row);
		} else if (c->json)
			json_array_append_new(out, deployment_json(d, 0));
		else {
			cell(&b, d->id, 16);
			cell(&b, dstatus_names[d->status], 7);
			cell(&b, dtest_names[d->test], 8);
			cell(&b, d->config, 21);
			cell(&b, d->model ? d->model : "-", 29);
			cell(&b, d->instance, 14);
			cell(&b, d->region ? d->region : "-", 14);
			cell(&b, d->target, 19);
			cell(&b, d->registered, 0);
			buf_putc(&b, '\n');
		}
	}
	if (c->json && c->untested)
		out = json_pack("{s:o}", "include", out);
	if (c->json)
		ok = print_json(out);
	else {
		fwrite(b.s, 1, b.len, stdout);
		ok = flush_out();
	}
	if (ok && gen_verbose > 0)
		fprintf(stderr, "gen: %s: %zu of %zu records\n", c->dir, n, s->n);
	buf_free(&b);
	deployset_free(s);
	return ok;
}

static void
show_text(struct buf *b, const struct deployment *d, const struct dcheck *k)
{
	size_t i;

#define LINE(label, v) if ((v) != NULL) buf_printf(b, "%-20s %s\n", label, v)
	LINE("configId", d->id);
	LINE("projectName", d->project);
	LINE("deploymentConfig", d->config);
	LINE("architecture", d->arch);
	LINE("backend", d->backend);
	LINE("modelName", d->model ? d->model : "none");
	LINE("instanceType", d->instance);
	LINE("region", d->region);
	LINE("deploymentTarget", d->target);
	LINE("baseImage", d->base_image);
	LINE("roleArn", d->role_arn);
	LINE("status", dstatus_names[d->status]);
	LINE("testStatus", dtest_names[d->test]);
	LINE("testedAt", d->tested);
	LINE("registeredAt", d->registered);
	LINE("firstRegisteredAt", d->first);
	LINE("genVersion", d->gen_version);
	LINE("buildStrategy", d->build_strategy);
	LINE("compatibility", dverdict_names[k->verdict]);
	LINE("  reason", k->reason);
	if (k->fwv != NULL)
		LINE("  frameworkVersion", k->fwv->version);
	LINE("notes", d->notes);
#undef LINE
	buf_printf(b, "components          %u (CI validates %s), adapters %u\n",
	    d->ics, d->ci_ic, d->adapters);
	for (i = 0; i < d->nic; i++) {
		const struct dic *ic = &d->ic[i];

		if (ic->adapter)
			buf_printf(b, "  adapter %s on %s%s%s\n", ic->name,
			    ic->base ? ic->base : "-", ic->artifact ? ": " : "",
			    ic->artifact ? ic->artifact : "");
		else {
			buf_printf(b, "  component %s%s%s", ic->name, ic->image ?
			    ": " : "", ic->image ? ic->image : "");
			if (ic->gpus)
				buf_printf(b, ", %u GPU", ic->gpus);
			if (ic->copies)
				buf_printf(b, ", %u cop%s", ic->copies,
				    ic->copies == 1 ? "y" : "ies");
			buf_putc(b, '\n');
		}
	}
	buf_printf(b, "parameters          %zu\n", d->params.n);
	for (i = 0; i < d->params.n; i++)
		buf_printf(b, "  %s=%s\n", d->params.v[i].key,
		    d->params.v[i].value);
	buf_printf(b, "history             %zu\n", d->nhist);
	for (i = 0; i < d->nhist; i++)
		buf_printf(b, "  %s  %-7s  gen %s%s%s%s%s\n", d->hist[i].time,
		    dstatus_names[d->hist[i].status], d->hist[i].gen_version,
		    d->hist[i].ci ? "  ci" : "", d->hist[i].build_strategy ?
		    "  " : "", d->hist[i].build_strategy ?
		    d->hist[i].build_strategy : "", "");
}

static int
cmd_show(const struct deploycmd *c, const char *id)
{
	struct deployset *s;
	const struct deployment *d;
	struct registries *reg = NULL;
	struct compat *cx = NULL;
	struct dcheck k;
	struct buf b = { 0 };
	json_t *j;
	int ok = 0, fine;

	if ((s = load_set(c, 0)) == NULL)
		return 0;
	if ((d = need(s, id)) == NULL)
		goto out;
	reg = load_reg(c->registries, &cx, &fine);
	if (!fine)
		goto out;
	deploy_check(reg, cx, d, &k);
	if (c->json) {
		j = deployment_json(d, 0);
		json_object_set_new(j, "compatibility", check_json(&k));
		ok = print_json(j);
	} else {
		show_text(&b, d, &k);
		fwrite(b.s, 1, b.len, stdout);
		ok = flush_out();
	}
	dcheck_clear(&k);
out:
	buf_free(&b);
	compat_free(cx);
	registries_free(reg);
	deployset_free(s);
	return ok;
}

static int
cmd_export(const struct deploycmd *c, const char *id)
{
	struct deployset *s;
	const struct deployment *d;
	enum dstatus st = DS_SUCCESS;
	json_t *list;
	size_t i;
	int has_st = c->status != NULL;

	if (has_st && !parse_status(c->status, &st))
		return 0;
	if ((s = load_set(c, 0)) == NULL)
		return 0;
	list = json_array();
	if (id != NULL) {
		if ((d = need(s, id)) == NULL) {
			json_decref(list);
			deployset_free(s);
			return 0;
		}
		if (!has_st || d->status == st)
			json_array_append_new(list, deployment_json(d, 1));
	} else
		for (i = 0; i < s->n; i++)
			if (s->d[i]->status == st)
				json_array_append_new(list,
				    deployment_json(s->d[i], 1));
	deployset_free(s);
	return print_json(json_pack("{s:i, s:o}", "schemaVersion",
	    DEPLOY_SCHEMA_VERSION, "deployments", list));
}

/* ---- import, mark ---------------------------------------------------------------- */

static int
hist_same(const struct dhist *a, const struct dhist *b)
{
	return strcmp(a->time, b->time) == 0 && a->status == b->status &&
	    a->ci == b->ci && strcmp(a->notes ? a->notes : "", b->notes ?
	    b->notes : "") == 0 && strcmp(a->gen_version, b->gen_version) == 0 &&
	    strcmp(a->build_strategy ? a->build_strategy : "",
	    b->build_strategy ? b->build_strategy : "") == 0;
}

static int
hist_order(const void *a, const void *b)
{
	return strcmp(((const struct dhist *)a)->time,
	    ((const struct dhist *)b)->time);
}

/* in merged into old: the histories' union, oldest first; the newer
 * registration's fields; the later test result.  Returns the record to
 * write (one of the two; the other is freed by the caller). */
static struct deployment *
merge(struct deployment *old, struct deployment *in)
{
	struct deployment *cur, *other;
	size_t i, j;

	cur = strcmp(in->registered, old->registered) > 0 ? in : old;
	other = cur == in ? old : in;
	cur->hist = xrealloc(cur->hist, (cur->nhist + other->nhist) *
	    sizeof(*cur->hist));
	for (i = 0; i < other->nhist; i++) {
		for (j = 0; j < cur->nhist; j++)
			if (hist_same(&cur->hist[j], &other->hist[i]))
				break;
		if (j < cur->nhist) {
			dhist_clear(&other->hist[i]);
			continue;
		}
		cur->hist[cur->nhist++] = other->hist[i];
	}
	free(other->hist);
	other->hist = NULL;
	other->nhist = 0;
	/* A stable order: by time, file order among equals (mergesort-like
	 * stability is not needed: equal times keep either order, and the
	 * bytes follow the sorted array). */
	qsort(cur->hist, cur->nhist, sizeof(*cur->hist), hist_order);
	free(cur->first);
	cur->first = xstrdup(cur->hist[0].time);
	free(cur->registered);
	cur->registered = xstrdup(cur->hist[cur->nhist - 1].time);
	if (other->tested != NULL && (cur->tested == NULL ||
	    strcmp(other->tested, cur->tested) > 0)) {
		free(cur->tested);
		cur->tested = other->tested;
		other->tested = NULL;
		cur->test = other->test;
	}
	if (cur->region == NULL && other->region != NULL) {
		cur->region = other->region;
		other->region = NULL;
	}
	if (cur->role_arn == NULL && other->role_arn != NULL) {
		cur->role_arn = other->role_arn;
		other->role_arn = NULL;
	}
	return cur;
}

static int
cmd_import(const struct deploycmd *c, const char *file)
{
	struct deployset in = { NULL, 0, NULL, NULL }, *s = NULL;
	struct deployment **write = NULL, *old, *w;
	struct buf b = { 0 };
	size_t i, nw = 0, added = 0, merged = 0, replaced = 0, skipped = 0;
	int mode = c->import_mode ? c->import_mode : 's', amb, ok = 0;

	in.dir = xstrdup(file);
	if (!read_file_max(file, &b, 256u << 20) ||
	    !deploy_import_parse(file, b.s, b.len, &in))
		goto out;
	if ((s = load_set(c, 1)) == NULL)
		goto out;
	write = xcalloc(in.n + 1, sizeof(*write));
	/* Every check first: one collision and nothing is written. */
	for (i = 0; i < in.n; i++) {
		const struct deployment *e = deployset_find(s, in.d[i]->id, &amb);

		if (e != NULL && !same_config(e, in.d[i])) {
			collision(file, e, in.d[i]);
			goto out;
		}
	}
	for (i = 0; i < in.n; i++) {
		old = (struct deployment *)deployset_find(s, in.d[i]->id, &amb);
		if (old == NULL) {
			write[nw++] = in.d[i];
			added++;
		} else if (mode == 's')
			skipped++;
		else if (mode == 'r') {
			if (in.d[i]->region == NULL && old->region != NULL) {
				in.d[i]->region = xstrdup(old->region);
				if (old->role_arn && !in.d[i]->role_arn)
					in.d[i]->role_arn = xstrdup(old->role_arn);
			}
			write[nw++] = in.d[i];
			replaced++;
		} else {
			deployment_own(old);
			w = merge(old, in.d[i]);
			write[nw++] = w;
			merged++;
		}
	}
	for (i = 0; i < nw; i++)
		if (!deployment_write(c->dir, write[i]))
			goto out;
	if (gen_verbose >= 0)
		fprintf(stderr, "gen: %s: imported %zu record%s into %s: %zu added, "
		    "%zu merged, %zu replaced, %zu skipped\n", file, in.n,
		    in.n == 1 ? "" : "s", c->dir, added, merged, replaced, skipped);
	ok = 1;
out:
	free(write);
	buf_free(&b);
	deployset_free(s);
	for (i = 0; i < in.n; i++)
		deployment_free(in.d[i]);
	free(in.d);
	free(in.dir);
	return ok;
}

static int
cmd_mark(const struct deploycmd *c, const char *id, const char *result)
{
	struct deployset *s;
	struct deployment *d;
	char now[32];
	int ok = 0;

	if (strcmp(result, "passed") != 0 && strcmp(result, "failed") != 0)
		return usage_error("mark %s %s: expected passed or failed", id,
		    result);
	if (source_date_epoch() == -2) {
		diag(EXIT_DATAERR, NULL, "SOURCE_DATE_EPOCH=%s is not a number of "
		    "seconds", getenv("SOURCE_DATE_EPOCH"));
		return 0;
	}
	if ((s = load_set(c, 1)) == NULL)
		return 0;
	if ((d = (struct deployment *)need(s, id)) == NULL)
		goto out;
	now_text(now);
	deployment_own(d);
	d->test = result[0] == 'p' ? DT_PASSED : DT_FAILED;
	free(d->tested);
	d->tested = xstrdup(now);
	if (!deployment_write(c->dir, d))
		goto out;
	if (gen_verbose >= 0)
		fprintf(stderr, "gen: %s/%s.json: test status %s\n", c->dir, d->id,
		    dtest_names[d->test]);
	ok = 1;
out:
	deployset_free(s);
	return ok;
}

/* ---- dispatch ---------------------------------------------------------------------- */

/* Options given that the subcommand does not take: a usage error. */
static int
options_fit(const struct deploycmd *c, const char *sub, const char *takes)
{
	static const struct { char o; const char *name; } all[] = {
		{ 's', "--status" }, { 'n', "--notes" }, { 'j', "--json" },
		{ 'c', "--ci" }, { 'b', "--build-strategy" }, { 'p', "--project" },
		{ 'S', "--set" }, { 'd', "--deployment-config" },
		{ 'm', "--model" }, { 'i', "--instance" }, { 'u', "--untested" },
		{ 'I', "--skip, --merge or --replace" }
	};
	const int given[] = { c->status != NULL, c->notes != NULL, c->json,
	    c->ci, c->build_strategy != NULL, c->project != NULL, c->nset > 0,
	    c->config != NULL, c->model != NULL, c->instance != NULL,
	    c->untested, c->import_mode != 0 };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (given[i] && strchr(takes, all[i].o) == NULL)
			return usage_error("%s does not take %s", sub, all[i].name);
	return 1;
}

int
deploy_command(const struct deploycmd *c, int argc, char **argv)
{
	static const struct { const char *name, *takes; int min, max; } subs[] = {
		{ "register", "snjcbpS", 0, 0 }, { "list", "sjdmiu", 0, 0 },
		{ "show", "j", 1, 1 }, { "export", "s", 0, 1 },
		{ "import", "I", 1, 1 }, { "mark", "", 2, 2 }
	};
	const char *names[sizeof(subs) / sizeof(subs[0]) + 1];
	const char *near;
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		names[i] = subs[i].name;
	names[i] = NULL;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(argv[0], names[i]) == 0)
			break;
	if (names[i] == NULL) {
		near = nearest(argv[0], names);
		return usage_error("%s: unknown subcommand%s%s%s (register, "
		    "list, show, export, import, mark)", argv[0], near ?
		    "; did you mean '" : "", near ? near : "", near ? "'?" : "");
	}
	if (argc - 1 < subs[i].min || argc - 1 > subs[i].max)
		return usage_error("%s: wrong number of arguments", argv[0]);
	if (!options_fit(c, argv[0], subs[i].takes))
		return 0;
	switch (i) {
	case 0: return cmd_register(c);
	case 1: return cmd_list(c);
	case 2: return cmd_show(c, argv[1]);
	case 3: return cmd_export(c, argc > 1 ? argv[1] : NULL);
	case 4: return cmd_import(c, argv[1]);
	default: return cmd_mark(c, argv[1], argv[2]);
	}
}
