/*
 * registry.c - the tested-configuration registries (frameworks, models,
 * instance types) as typed, validated models (registry.h).
 *
 * The three files keep the structure and field names of ML Container
 * Creator's contribution guide.  Validation is strict: every key is
 * checked (an unknown one is an error with a suggestion), every type and
 * enum, the naming conventions, accelerator versions compared numerically
 * per component, and every name that refers to another entry.  Every
 * problem is reported, each once, as "file:line:col: path: message".
 * Instances load first, so that frameworks can name them; frameworks
 * before models, which name frameworks.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "index.h"
#include "registry.h"

const char *const accel_names[ACC__MAX] = { "cuda", "neuron", "cpu", "rocm" };
const char *const vlevel_names[VL__MAX] = { "tested", "community-validated",
    "experimental", "unknown" };
const char *const vlevel_display[VL__MAX] = { "\u2705 Tested configuration",
    "\u2713 Community-validated configuration",
    "\u26a0 Experimental configuration", "\u2139 Unknown validation status" };

enum rkind { RK_FRAMEWORKS, RK_MODELS, RK_INSTANCES };
static const char *const kind_names[3] = { "frameworks", "models", "instances" };
static const char *const exts[3] = { "yml", "yaml", "json" };

static const char *const fw_keys[] = { "baseImage", "accelerator", "envVars",
    "inferenceAmiVersion", "recommendedInstanceTypes", "validationLevel",
    "profiles", "notes", NULL };
static const char *const fw_need[] = { "baseImage", "accelerator", "envVars",
    "inferenceAmiVersion", "recommendedInstanceTypes", "validationLevel",
    NULL };
static const char *const facc_keys[] = { "type", "version", "versionRange",
    NULL };
static const char *const range_keys[] = { "min", "max", NULL };
static const char *const prof_keys[] = { "displayName", "description",
    "envVars", "recommendedInstanceTypes", "notes", NULL };
static const char *const model_keys[] = { "family", "chatTemplate",
    "requiresTemplate", "validationLevel", "frameworkCompatibility",
    "profiles", "notes", NULL };
static const char *const model_need[] = { "family", "chatTemplate",
    "requiresTemplate", "validationLevel", "frameworkCompatibility", NULL };
static const char *const inst_keys[] = { "family", "accelerator", "memory",
    "vcpus", "notes", NULL };
static const char *const inst_need[] = { "family", "accelerator", "memory",
    "vcpus", NULL };
static const char *const iacc_keys[] = { "type", "hardware", "architecture",
    "versions", "default", NULL };

/* A parsed frameworkCompatibility range: terms, each closing an
 * alternative ("||") or not. */
enum rop { RO_ANY, RO_EQ, RO_NE, RO_LT, RO_LE, RO_GT, RO_GE };
struct rterm {
	enum rop	 op;
	int		 last;		/* the last term of its alternative */
	char		*v;
};
struct rexpr {
	size_t		 n;
	struct rterm	*t;
};

/* Loading state. */
struct rl {
	struct check	 c;
	struct registries *r;
	size_t		*inst_by_type;	/* indices of r->inst sorted by type */
};

/* ---- small checks ------------------------------------------------------- */

static void
check_vbad_at(struct rl *l, const struct pos *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
check_vbad_at(struct rl *l, const struct pos *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vbad(&l->c, at, "", NULL, fmt, ap);
	va_end(ap);
}

static void
missing(struct rl *l, const struct ynode *map, const char *path,
    const char *const *need)
{
	for (; *need != NULL; need++)
		if (ymap_get(map, *need) == NULL)
			check_bad(&l->c, map, path, "missing required key '%s'",
			    *need);
}

/* A one-line string field, required or not: the value (owned), or NULL. */
static char *
get_line(struct rl *l, const struct ynode *map, const char *key,
    const char *path, int req)
{
	const struct ynode *n = ymap_get(map, key);
	char *p, *v = NULL;

	if (n == NULL)
		return NULL;	/* missing() reports required keys */
	p = path_join(path, key);
	if (!check_str(&l->c, n, p, "a string"))
		goto out;
	if (strlen(n->str) != n->len || !text_clean(n->str, 1))
		check_bad(&l->c, n, p, "%s contains a %s; this value must be one "
		    "line of text", shown(n->str), strchr(n->str, '\n') ?
		    "newline" : "control character");
	else if (req && *n->str == '\0')
		check_bad(&l->c, n, p, "must not be empty");
	else
		v = xstrdup(n->str);
out:
	free(p);
	(void)req;
	return v;
}

/* A mapping value that may be written null or left out: NULL then, else
 * the node when it is a mapping (reported otherwise). */
static const struct ynode *
get_map(struct rl *l, const struct ynode *map, const char *key,
    const char *path)
{
	const struct ynode *n = ymap_get(map, key);
	char *p;
	int ok;

	if (n == NULL || yscalar_is_null(n))
		return NULL;
	p = path_join(path, key);
	ok = check_kind(&l->c, n, p, Y_MAP);
	free(p);
	return ok ? n : NULL;
}

/* An enum field: its index, or -1 (reported unless missing). */
static int
get_enum(struct rl *l, const struct ynode *map, const char *key,
    const char *path, const char *const *names, int nnames)
{
	const struct ynode *n = ymap_get(map, key);
	char *p;
	int i;

	if (n == NULL)
		return -1;
	p = path_join(path, key);
	i = check_enum(&l->c, n, p, names, nnames);
	free(p);
	return i;
}

/* Dot-separated numbers, at most ACCELV_MAX of them, each at most 9
 * digits: "12.1", "2.15.0". */
static int
accel_version_ok(const char *s)
{
	size_t digits = 0, parts = 1;

	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 9)
				return 0;
		} else if (*s == '.' || *s == '\0') {
			if (digits == 0)
				return 0;
			if (*s == '\0')
				return 1;
			if (++parts > ACCELV_MAX)
				return 0;
			digits = 0;
		} else
			return 0;
	}
}

void
accelv_parse(const char *s, struct accelv *a)
{
	char *e;

	a->n = 0;
	while (a->n < ACCELV_MAX) {
		a->c[a->n++] = strtoul(s, &e, 10);
		if (*e != '.')
			break;
		s = e + 1;
	}
}

int
accelv_cmp(const struct accelv *v, const struct accelv *bound)
{
	unsigned i;
	unsigned long a;

	for (i = 0; i < bound->n; i++) {
		a = i < v->n ? v->c[i] : 0;
		if (a != bound->c[i])
			return a < bound->c[i] ? -1 : 1;
	}
	return 0;
}

int
accel_cmp(const char *v, const char *bound)
{
	struct accelv a, b;

	accelv_parse(v, &a);
	accelv_parse(bound, &b);
	return accelv_cmp(&a, &b);
}

int
accel_satisfies(const struct fwversion *f, const char *v)
{
	if (f->range_min != NULL)
		return accel_cmp(v, f->range_min) >= 0 &&
		    accel_cmp(v, f->range_max) <= 0;
	return f->accel_version != NULL && accel_cmp(v, f->accel_version) == 0;
}

/* An accelerator version field: the text, or NULL (reported). */
static char *
get_accel_version(struct rl *l, const struct ynode *n, const char *path)
{
	if (!check_str(&l->c, n, path, "a version such as \"12.1\""))
		return NULL;
	if (!accel_version_ok(n->str)) {
		check_bad(&l->c, n, path, "%s is not a version: expected numbers "
		    "separated by dots, such as \"12.1\" or \"2.15.0\"",
		    shown(n->str));
		return NULL;
	}
	return xstrdup(n->str);
}

/* Framework names: lowercase letters and digits, '-' and '.' between. */
static int
fw_name_ok(const char *s)
{
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    ((*s != '-' && *s != '.') || s[1] == '-' || s[1] == '.'))
			return 0;
	return s[-1] != '-' && s[-1] != '.';
}

/* Version keys: numbers separated by dots, then optionally '-' or '+'
 * and letters, digits, '.' and '-' ("0.5.0", "24.08", "1.0.0-rc1"); or a
 * build number as llama.cpp numbers its releases ("b4620"). */
static int
fw_version_ok(const char *s)
{
	const char *p = s;

	if (s[0] == 'b' && isdigit((unsigned char)s[1]))
		return strspn(s + 1, "0123456789") == strlen(s + 1) &&
		    strlen(s) <= 16;

	while (isdigit((unsigned char)*p) || (*p == '.' && p > s &&
	    isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1])))
		p++;
	if (p == s || p - s > 64)
		return 0;
	if (*p == '\0')
		return 1;
	if (*p != '-' && *p != '+')
		return 0;
	if (*++p == '\0')
		return 0;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
	return 1;
}

/* kebab-case: lowercase words of letters and digits joined by '-'. */
static int
kebab_ok(const char *s)
{
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    !(*s == '-' && s[1] != '-' && s[1] != '\0'))
			return 0;
	return 1;
}

static int
env_name_ok(const char *s)
{
	if (!isupper((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_')
			return 0;
	return 1;
}

/* The last c among the first n bytes of s, or NULL. */
static const char *
last_of(const char *s, int c, size_t n)
{
	while (n-- > 0)
		if (s[n] == c)
			return s + n;
	return NULL;
}

/*
 * An image reference as Docker reads one: [host[:port]/]path[:tag]
 * [@sha256:hex].  Path components lowercase letters, digits and
 * separators; the tag letters, digits, '_', '.', '-' (at most 128).
 */
static int
image_ref_ok(const char *s)
{
	const char *at = strchr(s, '@'), *slash, *colon, *p;
	size_t n = at ? (size_t)(at - s) : strlen(s);

	if (n == 0 || n > 255)
		return 0;
	if (at != NULL && (strncmp(at, "@sha256:", 8) != 0 ||
	    strlen(at + 8) != 64 || strspn(at + 8, "0123456789abcdef") != 64))
		return 0;
	slash = last_of(s, '/', n);
	colon = last_of(s, ':', n);
	if (colon != NULL && (slash == NULL || colon > slash)) {
		if (colon + 1 == s + n || (size_t)(s + n - colon - 1) > 128)
			return 0;
		for (p = colon + 1; p < s + n; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' &&
			    *p != '.' && *p != '-')
				return 0;
		n = (size_t)(colon - s);
	}
	for (p = s; p < s + n; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    strchr("._-/:", *p) == NULL)
			return 0;
	return *s != '/' && *s != ':' && s[n - 1] != '/';
}

/* ---- instance types ----------------------------------------------------- */

/* "ml.<family>.<size>": the family (owned), or NULL. */
static char *
inst_family(const char *type)
{
	const char *f, *dot;
	const char *p;

	if (strncmp(type, "ml.", 3) != 0)
		return NULL;
	f = type + 3;
	if ((dot = strchr(f, '.')) == NULL || dot == f || strchr(dot + 1, '.'))
		return NULL;
	for (p = f; p < dot; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    !(*p == '-' && p > f && p + 1 < dot && p[1] != '-'))
			return NULL;
	if (dot[1] == '\0')
		return NULL;
	for (p = dot + 1; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p))
			return NULL;
	return xstrndup(f, (size_t)(dot - f));
}

/* "16 GB", "1 TB": megabytes (GB as 1024), or 0. */
static unsigned long
memory_mb(const char *s)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p < '1' || *p > '9')
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (p - s >= 7)
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (strcmp(p, " GB") == 0)
		return v * 1024;
	if (strcmp(p, " TB") == 0)
		return v * 1024 * 1024;
	return 0;
}

/* versions and default of an instance's accelerator. */
static void
inst_versions(struct rl *l, struct instance *in, const struct ynode *acc,
    const char *path)
{
	const struct ynode *vs = ymap_get(acc, "versions");
	const struct ynode *d = ymap_get(acc, "default");
	char *p = path_join(path, "versions"), *q = path_join(path, "default");
	struct buf list = { 0 };
	size_t i, j;

	if (in->accel == ACC_CPU) {
		if (vs != NULL && !yscalar_is_null(vs))
			check_bad(&l->c, vs, p, "a cpu accelerator has no versions: "
			    "write versions: null");
		if (d != NULL && !yscalar_is_null(d))
			check_bad(&l->c, d, q, "a cpu accelerator has no default "
			    "version: write default: null");
		goto out;
	}
	if (vs == NULL || (int)in->accel < 0)
		goto out;
	if (yscalar_is_null(vs)) {
		check_bad(&l->c, vs, p, "a %s accelerator lists its versions",
		    accel_names[in->accel]);
		goto out;
	}
	if (!check_kind(&l->c, vs, p, Y_SEQ))
		goto out;
	if (vs->n == 0)
		check_bad(&l->c, vs, p, "must list at least one version");
	in->versions = xcalloc(vs->n + 1, sizeof(*in->versions));
	for (i = 0; i < vs->n; i++) {
		char *v = get_accel_version(l, vs->items[i], p);

		if (v == NULL)
			continue;
		for (j = 0; j < in->nver; j++)
			if (strcmp(in->versions[j], v) == 0)
				check_bad(&l->c, vs->items[i], p, "%s is listed "
				    "twice", shown(v));
		in->versions[in->nver++] = v;
	}
	if (d == NULL)
		goto out;
	if (yscalar_is_null(d)) {
		check_bad(&l->c, d, q, "a %s accelerator has a default version, "
		    "one of versions", accel_names[in->accel]);
		goto out;
	}
	if ((in->def = get_accel_version(l, d, q)) == NULL)
		goto out;
	for (j = 0; j < in->nver; j++)
		if (strcmp(in->versions[j], in->def) == 0)
			goto out;
	for (j = 0; j < in->nver; j++)
		buf_printf(&list, "%s%s", j ? ", " : "", in->versions[j]);
	check_bad(&l->c, d, q, "%s is not one of versions (%s)",
	    shown(in->def), list.s ? list.s : "none");
	buf_free(&list);
out:
	free(p);
	free(q);
}

static void
inst_accel(struct rl *l, struct instance *in, const struct ynode *acc,
    const char *path)
{
	int t;

	check_keys(&l->c, acc, path, iacc_keys);
	missing(l, acc, path, iacc_keys);
	t = get_enum(l, acc, "type", path, accel_names, ACC__MAX);
	in->accel = t < 0 ? (enum accel)-1 : (enum accel)t;
	in->hardware = get_line(l, acc, "hardware", path, 1);
	in->architecture = get_line(l, acc, "architecture", path, 1);
	if (t >= 0)
		inst_versions(l, in, acc, path);
}

static void
parse_instance(struct rl *l, struct instance *in, const struct ynode *key,
    const struct ynode *v)
{
	const struct ynode *n;
	char *family, *p;

	in->type = xstrdup(key->str);
	in->pos = key->pos;
	in->accel = (enum accel)-1;
	family = inst_family(key->str);
	if (family == NULL)
		check_bad(&l->c, key, key->str, "an instance type is "
		    "ml.<family>.<size>, such as ml.g5.xlarge or "
		    "ml.p6-b200.48xlarge (lowercase letters and digits)");
	if (!check_kind(&l->c, v, key->str, Y_MAP))
		goto out;
	check_keys(&l->c, v, key->str, inst_keys);
	missing(l, v, key->str, inst_need);
	in->family = get_line(l, v, "family", key->str, 1);
	if (in->family != NULL && family != NULL &&
	    strcmp(in->family, family) != 0) {
		p = path_join(key->str, "family");
		check_bad(&l->c, ymap_get(v, "family"), p, "%s does not agree "
		    "with the instance type, whose family is %s",
		    shown(in->family), shown(family));
		free(p);
	}
	if ((n = ymap_get(v, "accelerator")) != NULL) {
		p = path_join(key->str, "accelerator");
		if (check_kind(&l->c, n, p, Y_MAP))
			inst_accel(l, in, n, p);
		free(p);
	}
	n = ymap_get(v, "memory");
	p = path_join(key->str, "memory");
	if (n != NULL && !yscalar_is_str(n))
		check_bad(&l->c, n, p, "expected a size such as \"16 GB\", got "
		    "%s%s%s", ynode_what(n), n->kind == Y_SCALAR ? ": " : "",
		    n->kind == Y_SCALAR ? n->str : "");
	else if ((in->memory = get_line(l, v, "memory", key->str, 1)) != NULL &&
	    (in->memory_mb = memory_mb(in->memory)) == 0)
		check_bad(&l->c, n, p, "%s is not a size: expected a positive "
		    "whole number, a space and GB or TB, such as \"16 GB\"",
		    shown(in->memory));
	free(p);
	if ((n = ymap_get(v, "vcpus")) != NULL) {
		p = path_join(key->str, "vcpus");
		if (n->kind != Y_SCALAR || !n->plain || strcmp(ynode_what(n),
		    "an integer") != 0)
			check_bad(&l->c, n, p, "expected a whole number of vCPUs, "
			    "got %s%s%s", ynode_what(n), n->kind == Y_SCALAR ?
			    ": " : "", n->kind != Y_SCALAR ? "" :
			    yscalar_is_str(n) ? shown(n->str) : n->str);
		else if (n->str[0] == '-' || n->str[0] == '+' || n->len > 6 ||
		    strspn(n->str, "0123456789") != n->len ||
		    (in->vcpus = strtoul(n->str, NULL, 10)) == 0)
			check_bad(&l->c, n, p, "%s vCPUs: expected a whole number "
			    "from 1 to 999999", n->str);
		free(p);
	}
	in->notes = get_line(l, v, "notes", key->str, 0);
out:
	free(family);
}

static int
inst_order(const void *a, const void *b)
{
	const struct instance *x = a, *y = b;
	int c;

	if (x->accel != y->accel)
		return (int)x->accel < (int)y->accel ? -1 : 1;
	if ((c = strcmp(x->family ? x->family : "", y->family ? y->family :
	    "")) != 0)
		return c;
	if (x->vcpus != y->vcpus)
		return x->vcpus < y->vcpus ? -1 : 1;
	return strcmp(x->type, y->type);
}

static const struct registries *sort_reg;	/* for by_type (qsort) */

static int
by_type(const void *a, const void *b)
{
	return strcmp(sort_reg->inst[*(const size_t *)a].type,
	    sort_reg->inst[*(const size_t *)b].type);
}

static void
load_instances(struct rl *l, const struct ynode *root)
{
	struct registries *r = l->r;
	size_t i;

	r->inst = xcalloc(root->n + 1, sizeof(*r->inst));
	for (i = 0; i < root->n; i++)
		parse_instance(l, &r->inst[r->ninst++], root->keys[i],
		    root->items[i]);
	qsort(r->inst, r->ninst, sizeof(*r->inst), inst_order);
	l->inst_by_type = xcalloc(r->ninst + 1, sizeof(size_t));
	for (i = 0; i < r->ninst; i++)
		l->inst_by_type[i] = i;
	sort_reg = r;
	qsort(l->inst_by_type, r->ninst, sizeof(size_t), by_type);
	sort_reg = NULL;
}

/* The index of an instance type, or -1. */
static long
inst_find(const struct registries *r, const size_t *by, const char *type)
{
	size_t lo = 0, hi = r->ninst, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(type, r->inst[by[mid]].type)) == 0)
			return (long)by[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* ---- lists, env vars, profiles ------------------------------------------ */

static void
get_instlist(struct rl *l, const struct ynode *n, const char *path,
    struct instlist *out)
{
	const struct ynode *it;
	size_t i, j;
	long k;

	if (!check_kind(&l->c, n, path, Y_SEQ))
		return;
	out->name = xcalloc(n->n + 1, sizeof(*out->name));
	out->inst = xcalloc(n->n + 1, sizeof(*out->inst));
	out->pos = xcalloc(n->n + 1, sizeof(*out->pos));
	for (i = 0; i < n->n; i++) {
		it = n->items[i];
		if (!check_str(&l->c, it, path, "an instance type"))
			continue;
		if ((k = inst_find(l->r, l->inst_by_type, it->str)) < 0) {
			check_bad_near(&l->c, it, path, check_hint(&l->c) ?
			    nearest_of(it->str, l->r->inst,
			    l->r->ninst, sizeof(struct instance),
			    offsetof(struct instance, type)) : NULL, "unknown "
			    "instance type %s (not in instances)", shown(it->str));
			continue;
		}
		for (j = 0; j < out->n; j++)
			if (out->inst[j] == (size_t)k)
				check_bad(&l->c, it, path, "%s is listed twice",
				    shown(it->str));
		out->name[out->n] = xstrdup(it->str);
		out->inst[out->n] = (size_t)k;
		out->pos[out->n++] = it->pos;
	}
}

static void
get_env(struct rl *l, const struct ynode *n, const char *path,
    size_t *nenv, struct envvar **env)
{
	const struct ynode *k, *v;
	char *p;
	size_t i;

	if (!check_kind(&l->c, n, path, Y_MAP))
		return;
	*env = xcalloc(n->n + 1, sizeof(**env));
	for (i = 0; i < n->n; i++) {
		k = n->keys[i];
		v = n->items[i];
		p = path_join(path, k->str);
		if (!env_name_ok(k->str))
			check_bad(&l->c, k, path, "%s is not an environment "
			    "variable name: upper-case letters, digits and '_', "
			    "not starting with a digit", shown(k->str));
		else if (check_str(&l->c, v, p, "a string")) {
			if (strlen(v->str) != v->len || !text_clean(v->str, 1))
				check_bad(&l->c, v, p, "%s contains a %s; an "
				    "environment value is one line of text",
				    shown(v->str), strchr(v->str, '\n') ?
				    "newline" : "control character");
			else {
				(*env)[*nenv].name = xstrdup(k->str);
				(*env)[*nenv].value = xstrdup(v->str);
				(*env)[(*nenv)++].pos = k->pos;
			}
		}
		free(p);
	}
}

static int
prof_cmp(const void *a, const void *b)
{
	return strcmp(((const struct profile *)a)->name,
	    ((const struct profile *)b)->name);
}

static void
get_profiles(struct rl *l, const struct ynode *n, const char *path,
    size_t *nprof, struct profile **prof)
{
	const struct ynode *k, *v, *x;
	struct profile *pr;
	char *p, *q;
	size_t i;

	*prof = xcalloc(n->n + 1, sizeof(**prof));
	for (i = 0; i < n->n; i++) {
		k = n->keys[i];
		v = n->items[i];
		p = path_join(path, k->str);
		if (!kebab_ok(k->str))
			check_bad(&l->c, k, path, "%s is not a profile name: "
			    "profile names are kebab-case (lowercase words "
			    "joined by '-', such as \"low-latency\")",
			    shown(k->str));
		if (!check_kind(&l->c, v, p, Y_MAP)) {
			free(p);
			continue;
		}
		pr = &(*prof)[(*nprof)++];
		pr->name = xstrdup(k->str);
		pr->pos = k->pos;
		check_keys(&l->c, v, p, prof_keys);
		if (ymap_get(v, "displayName") == NULL)
			check_bad(&l->c, v, p, "missing required key "
			    "'displayName'");
		pr->display_name = get_line(l, v, "displayName", p, 1);
		pr->description = get_line(l, v, "description", p, 0);
		pr->notes = get_line(l, v, "notes", p, 0);
		if ((x = ymap_get(v, "envVars")) != NULL) {
			q = path_join(p, "envVars");
			get_env(l, x, q, &pr->nenv, &pr->env);
			free(q);
		}
		if ((x = ymap_get(v, "recommendedInstanceTypes")) != NULL) {
			q = path_join(p, "recommendedInstanceTypes");
			pr->has_rec = 1;
			get_instlist(l, x, q, &pr->rec);
			free(q);
		}
		free(p);
	}
	qsort(*prof, *nprof, sizeof(**prof), prof_cmp);
}

/* ---- frameworks ---------------------------------------------------------- */

static void
fw_range(struct rl *l, struct fwversion *f, const struct ynode *acc,
    const char *path)
{
	const struct ynode *rg = ymap_get(acc, "versionRange"), *mn, *mx;
	char *p = path_join(path, "versionRange"), *q;

	if (rg == NULL || yscalar_is_null(rg))
		goto out;
	if (f->accel == ACC_CPU) {
		check_bad(&l->c, rg, p, "a cpu accelerator has no version "
		    "range: write versionRange: null");
		goto out;
	}
	if (!check_kind(&l->c, rg, p, Y_MAP))
		goto out;
	check_keys(&l->c, rg, p, range_keys);
	missing(l, rg, p, range_keys);
	mn = ymap_get(rg, "min");
	mx = ymap_get(rg, "max");
	if (mn == NULL || mx == NULL)
		goto out;
	q = path_join(p, "min");
	f->range_min = get_accel_version(l, mn, q);
	free(q);
	q = path_join(p, "max");
	f->range_max = get_accel_version(l, mx, q);
	free(q);
	if (f->range_min == NULL || f->range_max == NULL) {
		free(f->range_min);
		free(f->range_max);
		f->range_min = f->range_max = NULL;
		goto out;
	}
	if (accel_cmp(f->range_min, f->range_max) > 0 &&
	    accel_cmp(f->range_max, f->range_min) < 0)
		check_bad(&l->c, mn, p, "min %s is above max %s",
		    f->range_min, f->range_max);
	else if (f->accel_version != NULL && !accel_satisfies(f,
	    f->accel_version))
		check_bad(&l->c, ymap_get(acc, "version"), path, "version %s "
		    "lies outside versionRange %s to %s", f->accel_version,
		    f->range_min, f->range_max);
out:
	free(p);
}

static void
fw_accel(struct rl *l, struct fwversion *f, const struct ynode *acc,
    const char *path)
{
	const struct ynode *v;
	char *p;
	int t;

	check_keys(&l->c, acc, path, facc_keys);
	missing(l, acc, path, (const char *const[]){ "type", "version", NULL });
	if ((t = get_enum(l, acc, "type", path, accel_names, ACC__MAX)) < 0)
		return;
	f->accel = (enum accel)t;
	if ((v = ymap_get(acc, "version")) != NULL) {
		p = path_join(path, "version");
		if (f->accel == ACC_CPU && !yscalar_is_null(v))
			check_bad(&l->c, v, p, "a cpu accelerator has no version: "
			    "write version: null");
		else if (f->accel != ACC_CPU && yscalar_is_null(v))
			check_bad(&l->c, v, p, "a %s accelerator needs a version, "
			    "such as \"%s\"", accel_names[f->accel],
			    f->accel == ACC_NEURON ? "2.15.0" : "12.1");
		else if (f->accel != ACC_CPU)
			f->accel_version = get_accel_version(l, v, p);
		free(p);
	}
	fw_range(l, f, acc, path);
}

static void
parse_fwversion(struct rl *l, struct fwversion *f, const struct ynode *key,
    const struct ynode *v, const char *path)
{
	const struct ynode *n;
	char *p;
	int t;

	f->version = xstrdup(key->str);
	f->pos = key->pos;
	f->accel = (enum accel)-1;
	f->level = VL_UNKNOWN;
	if (!check_kind(&l->c, v, path, Y_MAP))
		return;
	check_keys(&l->c, v, path, fw_keys);
	missing(l, v, path, fw_need);
	if ((f->base_image = get_line(l, v, "baseImage", path, 1)) != NULL) {
		f->base_image_pos = ymap_get(v, "baseImage")->pos;
		if (!image_ref_ok(f->base_image)) {
			p = path_join(path, "baseImage");
			check_bad(&l->c, ymap_get(v, "baseImage"), p, "%s is not "
			    "an image reference such as \"vllm/vllm-openai:"
			    "v0.5.0\"", shown(f->base_image));
			free(p);
		}
	}
	if ((n = ymap_get(v, "accelerator")) != NULL) {
		p = path_join(path, "accelerator");
		if (check_kind(&l->c, n, p, Y_MAP))
			fw_accel(l, f, n, p);
		free(p);
	}
	if ((n = ymap_get(v, "envVars")) != NULL) {
		p = path_join(path, "envVars");
		get_env(l, n, p, &f->nenv, &f->env);
		free(p);
	}
	f->ami = get_line(l, v, "inferenceAmiVersion", path, 1);
	if ((n = ymap_get(v, "recommendedInstanceTypes")) != NULL) {
		p = path_join(path, "recommendedInstanceTypes");
		get_instlist(l, n, p, &f->rec);
		free(p);
	}
	if ((t = get_enum(l, v, "validationLevel", path, vlevel_names,
	    VL__MAX)) >= 0)
		f->level = (enum vlevel)t;
	if ((n = get_map(l, v, "profiles", path)) != NULL) {
		p = path_join(path, "profiles");
		get_profiles(l, n, p, &f->nprof, &f->prof);
		free(p);
	}
	f->notes = get_line(l, v, "notes", path, 0);
}

static int
fwver_cmp(const void *a, const void *b)
{
	/* newest first */
	return -version_cmp(((const struct fwversion *)a)->version,
	    ((const struct fwversion *)b)->version);
}

static int
fw_cmp(const void *a, const void *b)
{
	return strcmp(((const struct framework *)a)->name,
	    ((const struct framework *)b)->name);
}

static void
parse_framework(struct rl *l, struct framework *fw, const struct ynode *key,
    const struct ynode *v)
{
	char *p;
	size_t i;

	fw->name = xstrdup(key->str);
	fw->pos = key->pos;
	if (!fw_name_ok(key->str))
		check_bad(&l->c, key, "", "%s is not a framework name: framework "
		    "names are lowercase letters and digits, with '-' or '.' "
		    "between (such as \"tensorrt-llm\")", shown(key->str));
	if (!check_kind(&l->c, v, key->str, Y_MAP))
		return;
	if (v->n == 0)
		check_bad(&l->c, v, key->str, "a framework lists at least one "
		    "version");
	fw->ver = xcalloc(v->n + 1, sizeof(*fw->ver));
	for (i = 0; i < v->n; i++) {
		p = path_join(key->str, v->keys[i]->str);
		if (!fw_version_ok(v->keys[i]->str))
			check_bad(&l->c, v->keys[i], key->str, "%s is not a "
			    "version: expected numbers separated by dots, such as "
			    "\"0.5.0\" or \"24.08\", or a build number such "
			    "as \"b4620\"", shown(v->keys[i]->str));
		parse_fwversion(l, &fw->ver[fw->nver], v->keys[i], v->items[i],
		    p);
		fw->ver[fw->nver++].fw = fw;
		free(p);
	}
	qsort(fw->ver, fw->nver, sizeof(*fw->ver), fwver_cmp);
}

static void
load_frameworks(struct rl *l, const struct ynode *root)
{
	struct registries *r = l->r;
	size_t i, j, n = 0;

	r->fw = xcalloc(root->n + 1, sizeof(*r->fw));
	for (i = 0; i < root->n; i++)
		parse_framework(l, &r->fw[r->nfw++], root->keys[i],
		    root->items[i]);
	qsort(r->fw, r->nfw, sizeof(*r->fw), fw_cmp);
	for (i = 0; i < r->nfw; i++) {
		n += r->fw[i].nver;
		for (j = 0; j < r->fw[i].nver; j++)
			r->fw[i].ver[j].fw = &r->fw[i];
	}
	r->fwver = xcalloc(n + 1, sizeof(*r->fwver));
	for (i = 0; i < r->nfw; i++)
		for (j = 0; j < r->fw[i].nver; j++) {
			r->fw[i].ver[j].row = r->nfwver;
			r->fwver[r->nfwver++] = &r->fw[i].ver[j];
		}
}

/* ---- frameworkCompatibility ranges -------------------------------------- */

static void
rexpr_free(struct rexpr *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		free(x->t[i].v);
	free(x->t);
	free(x);
}

/* One comparison: [op] version, or "*".  The end of it, or NULL. */
static const char *
rterm_parse(const char *s, struct rterm *t)
{
	static const struct { const char *s; enum rop op; } ops[] = {
		{ ">=", RO_GE }, { "<=", RO_LE }, { "==", RO_EQ },
		{ "!=", RO_NE }, { ">", RO_GT }, { "<", RO_LT }, { "=", RO_EQ }
	};
	const char *e;
	size_t i;

	t->op = RO_EQ;
	if (*s == '*') {
		t->op = RO_ANY;
		return s + 1;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(s, ops[i].s, strlen(ops[i].s)) == 0) {
			t->op = ops[i].op;
			s += strlen(ops[i].s);
			break;
		}
	while (*s == ' ')
		s++;
	for (e = s; *e && *e != ' ' && *e != ',' && *e != '|'; e++)
		continue;
	t->v = xstrndup(s, (size_t)(e - s));
	if (!fw_version_ok(t->v))
		return NULL;
	return e;
}

/*
 * Parse "OP VERSION[, OP VERSION…][ || …]" (see the README's grammar).
 * Returns the expression, or NULL with *why saying what is wrong.
 */
static struct rexpr *
rexpr_parse(const char *s, const char **why)
{
	struct rexpr *x = xcalloc(1, sizeof(*x));
	size_t cap = 0;

	*why = NULL;
	for (;;) {
		while (*s == ' ')
			s++;
		if (x->n == cap) {
			cap = cap ? 2 * cap : 4;
			x->t = xrealloc(x->t, cap * sizeof(*x->t));
		}
		memset(&x->t[x->n], 0, sizeof(x->t[0]));
		if (*s == '\0' || *s == ',' || *s == '|') {
			*why = "a comparison is missing";
			goto fail;
		}
		if ((s = rterm_parse(s, &x->t[x->n++])) == NULL) {
			*why = "expected a version after the operator";
			goto fail;
		}
		while (*s == ' ')
			s++;
		if (*s == '\0') {
			x->t[x->n - 1].last = 1;
			return x;
		}
		if (*s == ',')
			s++;
		else if (s[0] == '|' && s[1] == '|') {
			x->t[x->n - 1].last = 1;
			s += 2;
		} else {
			*why = "expected ',' or '||' between comparisons";
			goto fail;
		}
	}
fail:
	rexpr_free(x);
	return NULL;
}

static int
rterm_holds(const struct rterm *t, const char *v)
{
	int c;

	if (t->op == RO_ANY)
		return 1;
	c = version_cmp(v, t->v);
	switch (t->op) {
	case RO_EQ: return c == 0;
	case RO_NE: return c != 0;
	case RO_LT: return c < 0;
	case RO_LE: return c <= 0;
	case RO_GT: return c > 0;
	case RO_GE: return c >= 0;
	default: return 0;
	}
}

int
fwreq_allows(const struct fwreq *q, const char *version)
{
	const struct rexpr *x = q->expr;
	size_t i;
	int all = 1;

	if (x == NULL)
		return 0;
	for (i = 0; i < x->n; i++) {
		all = all && rterm_holds(&x->t[i], version);
		if (x->t[i].last) {
			if (all)
				return 1;
			all = 1;
		}
	}
	return 0;
}

/* ---- models ------------------------------------------------------------ */

static long
fw_find(const struct registries *r, const char *name)
{
	size_t lo = 0, hi = r->nfw, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, r->fw[mid].name)) == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static void
model_reqs(struct rl *l, struct model *m, const struct ynode *n,
    const char *path)
{
	const struct ynode *k, *v;
	const char *why;
	struct fwreq *q;
	char *p;
	size_t i;
	long f;

	m->req = xcalloc(n->n + 1, sizeof(*m->req));
	for (i = 0; i < n->n; i++) {
		k = n->keys[i];
		v = n->items[i];
		p = path_join(path, k->str);
		if ((f = fw_find(l->r, k->str)) < 0)
			check_bad_near(&l->c, k, path, check_hint(&l->c) ?
			    nearest_of(k->str, l->r->fw,
			    l->r->nfw, sizeof(struct framework),
			    offsetof(struct framework, name)) : NULL, "unknown framework "
			    "%s (not in frameworks)", shown(k->str));
		else if (check_str(&l->c, v, p, "a version range such as "
		    "\">=0.4.0\"")) {
			q = &m->req[m->nreq];
			if ((q->expr = rexpr_parse(v->str, &why)) == NULL)
				check_bad(&l->c, v, p, "%s is not a version range: "
				    "%s (write, e.g., \">=0.4.0\", \">=0.4, <0.7\" "
				    "or \"*\")", shown(v->str), why);
			else {
				q->framework = xstrdup(k->str);
				q->range = xstrdup(v->str);
				q->fw = (size_t)f;
				q->pos = k->pos;
				m->nreq++;
			}
		}
		free(p);
	}
}

static int
get_bool(struct rl *l, const struct ynode *map, const char *key,
    const char *path, int *out)
{
	const struct ynode *n = ymap_get(map, key);
	char *p;

	if (n == NULL)
		return 0;
	if (n->kind == Y_SCALAR && strcmp(ynode_what(n), "a boolean") == 0) {
		*out = n->str[0] == 't' || n->str[0] == 'T';
		return 1;
	}
	p = path_join(path, key);
	check_bad(&l->c, n, p, "expected true or false, got %s%s%s",
	    ynode_what(n), n->kind == Y_SCALAR ? ": " : "",
	    n->kind == Y_SCALAR ? shown(n->str) : "");
	free(p);
	return 0;
}

static void
model_template(struct rl *l, struct model *m, const struct ynode *v)
{
	const struct ynode *n = ymap_get(v, "chatTemplate");
	char *p;

	if (n == NULL || (n->kind == Y_SCALAR && yscalar_is_null(n) &&
	    !yscalar_is_str(n)))
		return;
	p = path_join(m->id, "chatTemplate");
	if (!check_str(&l->c, n, p, "a string or null"))
		;
	else if (strlen(n->str) != n->len || !text_clean(n->str, 0))
		check_bad(&l->c, n, p, "contains a control character");
	else
		m->chat_template = xstrdup(n->str);
	free(p);
}

static void
parse_model(struct rl *l, struct model *m, const struct ynode *key,
    const struct ynode *v)
{
	const struct ynode *n;
	const char *s;
	char *p;
	int t;

	m->id = xstrdup(key->str);
	m->pos = key->pos;
	m->level = VL_UNKNOWN;
	for (s = key->str; *s; s++)
		if (*s == '*')
			m->pattern = 1;
		else
			m->literals++;
	if (key->len == 0 || strlen(key->str) != key->len ||
	    strpbrk(key->str, " \t\n\r\"'<>\\") != NULL || !text_clean(key->str, 1))
		check_bad(&l->c, key, "", "%s is not a model id or pattern: "
		    "expected an id such as \"meta-llama/Meta-Llama-3-8B\" or a "
		    "pattern with '*', without spaces or quotes", shown(key->str));
	else if (m->literals == 0)
		check_bad(&l->c, key, "", "%s matches every model: a pattern "
		    "needs some literal text", shown(key->str));
	if (!check_kind(&l->c, v, m->id, Y_MAP))
		return;
	check_keys(&l->c, v, m->id, model_keys);
	missing(l, v, m->id, model_need);
	m->family = get_line(l, v, "family", m->id, 1);
	model_template(l, m, v);
	if (get_bool(l, v, "requiresTemplate", m->id, &m->requires_template) &&
	    m->requires_template && m->chat_template == NULL &&
	    (n = ymap_get(v, "chatTemplate")) != NULL && yscalar_is_null(n)) {
		p = path_join(m->id, "chatTemplate");
		check_bad(&l->c, n, p, "requiresTemplate is true, so a chat "
		    "template must be given");
		free(p);
	}
	if ((t = get_enum(l, v, "validationLevel", m->id, vlevel_names,
	    VL__MAX)) >= 0)
		m->level = (enum vlevel)t;
	if ((n = ymap_get(v, "frameworkCompatibility")) != NULL) {
		p = path_join(m->id, "frameworkCompatibility");
		if (check_kind(&l->c, n, p, Y_MAP))
			model_reqs(l, m, n, p);
		free(p);
	}
	if ((n = get_map(l, v, "profiles", m->id)) != NULL) {
		p = path_join(m->id, "profiles");
		get_profiles(l, n, p, &m->nprof, &m->prof);
		free(p);
	}
	m->notes = get_line(l, v, "notes", m->id, 0);
}

/* Two model keys that differ only in case: the later one is reported. */
static void
diag_twins(struct rl *l, const struct model *a, const struct model *b)
{
	const struct model *first = a, *second = b;

	if (b->pos.line < a->pos.line || (b->pos.line == a->pos.line &&
	    b->pos.col < a->pos.col))
		first = b, second = a;
	check_vbad_at(l, &second->pos, "%s differs from %s (line %u) only in "
	    "case: model ids are compared case-insensitively, as Hugging Face "
	    "compares them", shown(second->id), shown(first->id),
	    first->pos.line);
}

static int
model_cmp(const void *a, const void *b)
{
	const struct model *x = a, *y = b;
	int c = strcasecmp(x->id, y->id);

	return c != 0 ? c : strcmp(x->id, y->id);
}

static void
load_models(struct rl *l, const struct ynode *root)
{
	struct registries *r = l->r;
	size_t i;

	r->model = xcalloc(root->n + 1, sizeof(*r->model));
	for (i = 0; i < root->n; i++)
		parse_model(l, &r->model[r->nmodel++], root->keys[i],
		    root->items[i]);
	qsort(r->model, r->nmodel, sizeof(*r->model), model_cmp);
	for (i = 1; i < r->nmodel; i++)
		if (strcasecmp(r->model[i - 1].id, r->model[i].id) == 0)
			diag_twins(l, &r->model[i - 1], &r->model[i]);
}

/* ---- loading ----------------------------------------------------------- */

/* DIR/KIND.yml, .yaml or .json: the one that exists (owned), or NULL
 * (reported when none or two exist; *absent says which). */
static char *
find_file(const char *dir, enum rkind k, int *absent)
{
	struct stat st;
	char *found = NULL, *p;
	size_t i;

	*absent = 0;
	for (i = 0; i < 3; i++) {
		p = xasprintf("%s/%s.%s", dir, kind_names[k], exts[i]);
		if (lstat(p, &st) == -1) {
			free(p);
			continue;
		}
		if (found != NULL) {
			diag(EXIT_DATAERR, NULL, "%s and %s both exist: keep one "
			    "of them", found, p);
			free(p);
			free(found);
			return NULL;
		}
		found = p;
	}
	if (found == NULL) {
		*absent = 1;
		diag(EXIT_NOINPUT, NULL, "%s/%s.yml: missing: a registries folder "
		    "holds frameworks.yml, models.yml and instances.yml",
		    dir, kind_names[k]);
	}
	return found;
}

int
registries_present(const char *dir)
{
	struct stat st;
	char *p;
	size_t k, i;
	int yes = 0;

	for (k = 0; k < 3 && !yes; k++)
		for (i = 0; i < 3 && !yes; i++) {
			p = xasprintf("%s/%s.%s", dir, kind_names[k], exts[i]);
			yes = lstat(p, &st) == 0;
			free(p);
		}
	return yes;
}

/* A registry file's tree: a mapping (an empty file reads as an empty
 * one), or NULL after reporting. */
static struct ynode *
load_tree(struct rl *l, const char *path, enum rkind k)
{
	static const char *const what[3] = {
		"framework names, each a mapping of versions",
		"model ids and patterns", "instance types" };
	struct ynode *root;

	if ((root = yaml_load_file(path)) == NULL) {
		l->c.ok = 0;
		return NULL;
	}
	if (root->kind == Y_MAP || (root->kind == Y_SCALAR && root->len == 0 &&
	    root->plain))
		return root;
	check_bad(&l->c, root, "", "the %s registry must be a mapping of %s, "
	    "got %s", kind_names[k], what[k], ynode_what(root));
	ynode_free(root);
	return NULL;
}

struct registries *
registries_load(const char *dir)
{
	static const enum rkind order[3] = { RK_INSTANCES, RK_FRAMEWORKS,
	    RK_MODELS };
	struct rl l = { 0 };
	struct registries *r;
	struct ynode *root[3] = { NULL, NULL, NULL };
	static const struct ynode empty = { .kind = Y_MAP };
	size_t i;
	int absent, ok = 1;

	check_init(&l.c);
	r = l.r = xcalloc(1, sizeof(*r));
	r->dir = xstrdup(dir);
	for (i = 0; i < 3; i++)
		if ((r->files[i] = find_file(dir, (enum rkind)i, &absent)) == NULL)
			ok = 0;
	for (i = 0; ok && i < 3; i++)
		if ((root[i] = load_tree(&l, r->files[i], (enum rkind)i)) == NULL)
			ok = 0;
	for (i = 0; ok && i < 3; i++) {
		const struct ynode *t = root[order[i]];

		if (t->kind != Y_MAP)
			t = &empty;
		switch (order[i]) {
		case RK_INSTANCES: load_instances(&l, t); break;
		case RK_FRAMEWORKS: load_frameworks(&l, t); break;
		case RK_MODELS: load_models(&l, t); break;
		}
	}
	for (i = 0; i < 3; i++)
		ynode_free(root[i]);
	free(l.inst_by_type);
	if (!check_end(&l.c, dir) || !ok) {
		registries_free(r);
		return NULL;
	}
	return r;
}

static void
instlist_clear(struct instlist *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		free(x->name[i]);
	free(x->name);
	free(x->inst);
	free(x->pos);
}

static void
env_free(struct envvar *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
}

static void
profiles_free(struct profile *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].display_name);
		free(p[i].description);
		free(p[i].notes);
		env_free(p[i].env, p[i].nenv);
		instlist_clear(&p[i].rec);
	}
	free(p);
}

static void
fwversion_clear(struct fwversion *f)
{
	free(f->version);
	free(f->base_image);
	free(f->accel_version);
	free(f->range_min);
	free(f->range_max);
	env_free(f->env, f->nenv);
	free(f->ami);
	instlist_clear(&f->rec);
	profiles_free(f->prof, f->nprof);
	free(f->notes);
}

static void
model_clear(struct model *m)
{
	size_t i;

	free(m->id);
	free(m->family);
	free(m->chat_template);
	for (i = 0; i < m->nreq; i++) {
		free(m->req[i].framework);
		free(m->req[i].range);
		rexpr_free(m->req[i].expr);
	}
	free(m->req);
	profiles_free(m->prof, m->nprof);
	free(m->notes);
}

void
registries_free(struct registries *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->nfw; i++) {
		for (j = 0; j < r->fw[i].nver; j++)
			fwversion_clear(&r->fw[i].ver[j]);
		free(r->fw[i].ver);
		free(r->fw[i].name);
	}
	free(r->fw);
	free(r->fwver);
	for (i = 0; i < r->nmodel; i++)
		model_clear(&r->model[i]);
	free(r->model);
	for (i = 0; i < r->ninst; i++) {
		struct instance *in = &r->inst[i];

		free(in->type);
		free(in->family);
		free(in->hardware);
		free(in->architecture);
		for (j = 0; j < in->nver; j++)
			free(in->versions[j]);
		free(in->versions);
		free(in->def);
		free(in->memory);
		free(in->notes);
	}
	free(r->inst);
	for (i = 0; i < 3; i++)
		free(r->files[i]);
	free(r->dir);
	free(r);
}

/* ---- lookups ----------------------------------------------------------- */

const struct framework *
registry_framework(const struct registries *r, const char *name)
{
	long i = fw_find(r, name);

	return i < 0 ? NULL : &r->fw[i];
}

const struct instance *
registry_instance(const struct registries *r, const char *type)
{
	size_t i;

	for (i = 0; i < r->ninst; i++)
		if (strcmp(r->inst[i].type, type) == 0)
			return &r->inst[i];
	return NULL;
}

int
model_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* The classic backtracking match: on a mismatch, let the last '*'
	 * take one more character.  Linear in practice, O(n*m) at worst. */
	while (*s != '\0') {
		if (*pat == '*') {
			star = ++pat;
			resume = s;
		} else if (tolower((unsigned char)*pat) ==
		    tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star;
			s = ++resume;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

const struct model *
registry_match_model(const struct registries *r, const char *id)
{
	const struct model *best = NULL;
	size_t i;

	for (i = 0; i < r->nmodel; i++)
		if (!r->model[i].pattern && strcasecmp(r->model[i].id, id) == 0)
			return &r->model[i];
	for (i = 0; i < r->nmodel; i++)
		if (r->model[i].pattern && model_glob(r->model[i].id, id) &&
		    (best == NULL || r->model[i].literals > best->literals))
			best = &r->model[i];
	return best;
}
