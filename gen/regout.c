/*
 * regout.c - what the registries put out: gen resolve's merged
 * configuration, and site/registries/NAME.json with their schemas.
 *
 * resolve merges four layers, each over the one before: the framework
 * version, its profile, the model entry that matches, the model's profile.
 * Every value says the layer it came from.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index.h"
#include "registry.h"

/* ---- gen resolve --------------------------------------------------------- */

struct layer {
	const char	*name;		/* "framework", "framework-profile"... */
	size_t		 nenv;
	const struct envvar *env;
	const struct instlist *rec;	/* NULL: not given */
};

static json_t *
from(json_t *value, const char *layer)
{
	json_t *o = json_object();

	json_object_set_new(o, "value", value);
	json_object_set_new(o, "layer", json_string(layer));
	return o;
}

static json_t *
instlist_json(const struct instlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->name[i]));
	return a;
}

static json_t *
accel_json(const struct fwversion *f)
{
	json_t *a = json_object(), *rg = json_null();

	json_object_set_new(a, "type", json_string(accel_names[f->accel]));
	json_object_set_new(a, "version", f->accel_version ?
	    json_string(f->accel_version) : json_null());
	if (f->range_min != NULL)
		rg = json_pack("{s:s, s:s}", "min", f->range_min, "max",
		    f->range_max);
	json_object_set_new(a, "versionRange", rg);
	return a;
}

/* A verdict for one instance type: compatible or not, the version used,
 * and why. */
static json_t *
instance_verdict(const struct registries *r, const struct compat *c,
    size_t row, size_t col)
{
	const char *v = compat_version(r, c, row, col);
	char *why = compat_reason(r, c, row, col);
	json_t *o;

	o = json_pack("{s:s, s:b, s:o, s:s}", "instance", r->inst[col].type,
	    "compatible", compat_at(c, row, col) == CV_OK,
	    "acceleratorVersion", v ? json_string(v) : json_null(),
	    "reason", why);
	free(why);
	return o;
}

/* "resolve: WHAT \"NAME\"; did you mean 'NEAR'?" (exit 65). */
static void
unknown(const char *what, const char *name, const char *near)
{
	diag(EXIT_DATAERR, NULL, "resolve: %s \"%s\"%s%s%s", what, name,
	    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

static const struct fwversion *
pick_fwversion(const struct registries *r, const char *spec)
{
	const struct framework *fw;
	const char *at = strchr(spec, '@');
	char *what, *name = at ? xstrndup(spec, (size_t)(at - spec)) : xstrdup(spec);
	const struct fwversion *f = NULL;
	size_t i;

	if ((fw = registry_framework(r, name)) == NULL) {
		unknown("unknown framework", name, nearest_of(name, r->fw, r->nfw,
		    sizeof(*r->fw), offsetof(struct framework, name)));
		goto out;
	}
	if (at == NULL) {
		f = &fw->ver[0];	/* the highest */
		goto out;
	}
	for (i = 0; i < fw->nver; i++)
		if (strcmp(fw->ver[i].version, at + 1) == 0)
			f = &fw->ver[i];
	if (f == NULL) {
		what = xasprintf("%s has no version", name);
		unknown(what, at + 1, nearest_of(at + 1, fw->ver, fw->nver,
		    sizeof(*fw->ver), offsetof(struct fwversion, version)));
		free(what);
	}
out:
	free(name);
	return f;
}

static const struct profile *
find_profile(const struct profile *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

/* --profile names a profile of the framework version, the model or both. */
static int
pick_profiles(const struct fwversion *f, const struct model *m,
    const char *name, const struct profile **fp, const struct profile **mp)
{
	const char **cands;
	const char *near;
	char *what;
	size_t i, n = 0;

	*fp = find_profile(f->prof, f->nprof, name);
	*mp = m ? find_profile(m->prof, m->nprof, name) : NULL;
	if (name == NULL || *fp != NULL || *mp != NULL)
		return 1;
	cands = xcalloc(f->nprof + (m ? m->nprof : 0) + 1, sizeof(*cands));
	for (i = 0; i < f->nprof; i++)
		cands[n++] = f->prof[i].name;
	for (i = 0; m != NULL && i < m->nprof; i++)
		cands[n++] = m->prof[i].name;
	near = nearest(name, cands);
	what = m ? xasprintf("neither %s %s nor %s has a profile", f->fw->name,
	    f->version, m->id) : xasprintf("%s %s has no profile", f->fw->name,
	    f->version);
	unknown(what, name, near);
	free(what);
	free(cands);
	return 0;
}

/* envVars and recommendedInstanceTypes, each layer over the one before. */
static void
merge_layers(json_t *out, const struct layer *ly, size_t n)
{
	json_t *env = json_object(), *rec = json_null();
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < ly[i].nenv; j++)
			json_object_set_new(env, ly[i].env[j].name,
			    from(json_string(ly[i].env[j].value), ly[i].name));
		if (ly[i].rec != NULL) {
			json_decref(rec);
			rec = from(instlist_json(ly[i].rec), ly[i].name);
		}
	}
	json_object_set_new(out, "envVars", env);
	json_object_set_new(out, "recommendedInstanceTypes", rec);
}

/* The least-validated of the framework version and the model. */
static json_t *
level_json(const struct fwversion *f, const struct model *m)
{
	enum vlevel v = f->level;
	const char *layer = "framework";

	if (m != NULL && m->level > v) {
		v = m->level;
		layer = "model";
	}
	return json_pack("{s:s, s:s, s:s}", "value", vlevel_names[v],
	    "display", vlevel_display[v], "layer", layer);
}

/* The verdict: the instance (or the recommended ones) and the model's
 * frameworkCompatibility. */
static json_t *
verdict_json(const struct registries *r, const struct compat *c,
    const struct fwversion *f, const struct model *m, long inst,
    const struct instlist *rec)
{
	json_t *v = json_object(), *reasons = json_array(), *insts = json_array();
	int ok = 1;
	size_t i;

	if (inst >= 0) {
		json_array_append_new(insts, instance_verdict(r, c, f->row,
		    (size_t)inst));
		ok = compat_at(c, f->row, (size_t)inst) == CV_OK;
	}
	for (i = 0; inst < 0 && rec != NULL && i < rec->n; i++)
		json_array_append_new(insts, instance_verdict(r, c, f->row,
		    rec->inst[i]));
	for (i = 0; m != NULL && i < m->nreq; i++) {
		if (m->req[i].fw != (size_t)(f->fw - r->fw))
			continue;
		if (fwreq_allows(&m->req[i], f->version))
			json_array_append_new(reasons, json_sprintf("%s %s "
			    "satisfies %s's %s", f->fw->name, f->version, m->id,
			    m->req[i].range));
		else {
			ok = 0;
			json_array_append_new(reasons, json_sprintf("%s %s does "
			    "not satisfy %s's %s", f->fw->name, f->version, m->id,
			    m->req[i].range));
		}
		break;
	}
	if (m != NULL && i == m->nreq)
		json_array_append_new(reasons, json_sprintf("%s does not name "
		    "%s in frameworkCompatibility", m->id, f->fw->name));
	json_object_set_new(v, "compatible", json_boolean(ok));
	json_object_set_new(v, "instances", insts);
	json_object_set_new(v, "reasons", reasons);
	return v;
}

static json_t *
model_json(const struct model *m, const char *id, const struct profile *mp)
{
	if (m == NULL)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:o}", "id", id,
	    "entry", m->id, "match", m->pattern ? "pattern" : "exact",
	    "family", m->family ? m->family : "", "chatTemplate",
	    m->chat_template ? json_string(m->chat_template) : json_null(),
	    "requiresTemplate", m->requires_template, "profile",
	    mp ? json_string(mp->name) : json_null());
}

/* The instance type --instance names: its index, or -1 (reported). */
static long
pick_instance(const struct registries *r, const char *type, int *ok)
{
	size_t i;

	*ok = 1;
	if (type == NULL)
		return -1;
	for (i = 0; i < r->ninst; i++)
		if (strcmp(r->inst[i].type, type) == 0)
			return (long)i;
	unknown("unknown instance type", type, nearest_of(type, r->inst,
	    r->ninst, sizeof(*r->inst), offsetof(struct instance, type)));
	*ok = 0;
	return -1;
}

/* The model entry for --model, or NULL (*ok 0 when none matches). */
static const struct model *
pick_model(const struct registries *r, const char *id, int *ok)
{
	const struct model *m;

	*ok = 1;
	if (id == NULL || (m = registry_match_model(r, id)) != NULL)
		return id == NULL ? NULL : m;
	unknown("no model entry matches", id, nearest_of(id, r->model,
	    r->nmodel, sizeof(*r->model), offsetof(struct model, id)));
	*ok = 0;
	return NULL;
}

int
registry_resolve(const struct registries *r, const struct compat *c,
    const struct resolve_req *q, FILE *out)
{
	const struct fwversion *f;
	const struct model *m;
	const struct profile *fp, *mp;
	struct layer ly[4];
	const struct instlist *rec;
	const char *v;
	json_t *o;
	size_t n = 0;
	long inst;
	int ok, mok, iok;

	if ((f = pick_fwversion(r, q->framework)) == NULL)
		return 0;
	m = pick_model(r, q->model, &mok);
	inst = pick_instance(r, q->instance, &iok);
	if (!mok || !iok || !pick_profiles(f, m, q->profile, &fp, &mp))
		return 0;
	ly[n++] = (struct layer){ "framework", f->nenv, f->env, &f->rec };
	if (fp != NULL)
		ly[n++] = (struct layer){ "framework-profile", fp->nenv, fp->env,
		    fp->has_rec ? &fp->rec : NULL };
	if (m != NULL)
		ly[n++] = (struct layer){ "model", 0, NULL, NULL };
	if (mp != NULL)
		ly[n++] = (struct layer){ "model-profile", mp->nenv, mp->env,
		    mp->has_rec ? &mp->rec : NULL };
	rec = &f->rec;
	for (size_t i = 0; i < n; i++)
		if (ly[i].rec != NULL)
			rec = ly[i].rec;
	o = json_pack("{s:{s:s, s:s, s:o}, s:o, s:o}", "framework", "name",
	    f->fw->name, "version", f->version, "profile", fp ?
	    json_string(fp->name) : json_null(), "model", model_json(m,
	    q->model, mp), "instance", inst >= 0 ?
	    json_string(r->inst[inst].type) : json_null());
	json_object_set_new(o, "baseImage", from(json_string(f->base_image),
	    "framework"));
	json_object_set_new(o, "inferenceAmiVersion", from(json_string(f->ami),
	    "framework"));
	json_object_set_new(o, "accelerator", from(accel_json(f), "framework"));
	/* On an instance, the version it would use (null when it cannot run
	 * the framework, or for cpu); else the pinned one. */
	v = inst >= 0 ? compat_version(r, c, f->row, (size_t)inst) :
	    f->accel_version;
	json_object_set_new(o, "acceleratorVersion", v ? json_string(v) :
	    json_null());
	merge_layers(o, ly, n);
	json_object_set_new(o, "validationLevel", level_json(f, m));
	json_object_set_new(o, "verdict", verdict_json(r, c, f, m, inst, rec));
	ok = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0;
	fputc('\n', out);
	json_decref(o);
	if (!ok || fflush(out) == EOF || ferror(out)) {
		diag_errno("stdout", 0, "write");
		return 0;
	}
	return 1;
}

/* ---- site/registries/NAME.json ---------------------------------------------- */

/* The writer: a buffer drained into the output stream as it fills. */
struct jw {
	struct buf	 b;
	FILE		*f;
	int		 ok;
};

static void
jw_drain(struct jw *w, int force)
{
	if (!buf_drain(&w->b, w->f, force))
		w->ok = 0;
}

/* Newline and indentation for level, after a comma unless first. */
static void
jw_next(struct jw *w, int level, int first)
{
	if (!first)
		buf_putc(&w->b, ',');
	buf_json_indent(&w->b, level);
}

static void
jw_key(struct jw *w, int level, int first, const char *key)
{
	jw_next(w, level, first);
	buf_json_str(&w->b, key);
	buf_puts(&w->b, ": ");
}

/* "key": "value" (or null) */
static void
jw_str(struct jw *w, int level, int first, const char *key, const char *v)
{
	buf_json_kv(&w->b, level, key, v, first);
}

static void
jw_close(struct jw *w, int level, int empty, int c)
{
	if (!empty) {
		buf_putc(&w->b, '\n');
		while (level-- > 0)
			buf_puts(&w->b, "  ");
	}
	buf_putc(&w->b, (char)c);
}

static void
jw_env(struct jw *w, int level, int first, const struct envvar *e, size_t n)
{
	size_t i;

	jw_key(w, level, first, "envVars");
	buf_putc(&w->b, '{');
	for (i = 0; i < n; i++)
		jw_str(w, level + 1, i == 0, e[i].name, e[i].value);
	jw_close(w, level, n == 0, '}');
}

static void
jw_list(struct jw *w, int level, int first, const char *key,
    const struct instlist *l)
{
	size_t i;

	jw_key(w, level, first, key);
	buf_putc(&w->b, '[');
	for (i = 0; i < l->n; i++) {
		jw_next(w, level + 1, i == 0);
		buf_json_str(&w->b, l->name[i]);
	}
	jw_close(w, level, l->n == 0, ']');
}

static void
jw_profiles(struct jw *w, int level, const struct profile *p, size_t n)
{
	size_t i;

	jw_key(w, level, 0, "profiles");
	buf_putc(&w->b, '{');
	for (i = 0; i < n; i++) {
		jw_key(w, level + 1, i == 0, p[i].name);
		buf_putc(&w->b, '{');
		jw_str(w, level + 2, 1, "displayName", p[i].display_name);
		if (p[i].description != NULL)
			jw_str(w, level + 2, 0, "description", p[i].description);
		jw_env(w, level + 2, 0, p[i].env, p[i].nenv);
		if (p[i].has_rec)
			jw_list(w, level + 2, 0, "recommendedInstanceTypes",
			    &p[i].rec);
		if (p[i].notes != NULL)
			jw_str(w, level + 2, 0, "notes", p[i].notes);
		jw_close(w, level + 1, 0, '}');
	}
	jw_close(w, level, n == 0, '}');
}

static void
jw_fwversion(struct jw *w, const struct fwversion *f, int first)
{
	jw_key(w, 3, first, f->version);
	buf_putc(&w->b, '{');
	jw_str(w, 4, 1, "baseImage", f->base_image);
	jw_key(w, 4, 0, "accelerator");
	buf_putc(&w->b, '{');
	jw_str(w, 5, 1, "type", accel_names[f->accel]);
	jw_str(w, 5, 0, "version", f->accel_version);
	jw_key(w, 5, 0, "versionRange");
	if (f->range_min == NULL)
		buf_puts(&w->b, "null");
	else {
		buf_putc(&w->b, '{');
		jw_str(w, 6, 1, "min", f->range_min);
		jw_str(w, 6, 0, "max", f->range_max);
		jw_close(w, 5, 0, '}');
	}
	jw_close(w, 4, 0, '}');
	jw_env(w, 4, 0, f->env, f->nenv);
	jw_str(w, 4, 0, "inferenceAmiVersion", f->ami);
	jw_list(w, 4, 0, "recommendedInstanceTypes", &f->rec);
	jw_str(w, 4, 0, "validationLevel", vlevel_names[f->level]);
	jw_profiles(w, 4, f->prof, f->nprof);
	if (f->notes != NULL)
		jw_str(w, 4, 0, "notes", f->notes);
	jw_close(w, 3, 0, '}');
}

static void
write_frameworks(struct jw *w, const struct registries *r)
{
	size_t i, j;

	buf_puts(&w->b, "{\n  \"schemaVersion\": 1,");
	jw_key(w, 1, 1, "frameworks");
	buf_putc(&w->b, '{');
	for (i = 0; i < r->nfw; i++) {
		jw_key(w, 2, i == 0, r->fw[i].name);
		buf_putc(&w->b, '{');
		for (j = 0; j < r->fw[i].nver; j++) {
			jw_fwversion(w, &r->fw[i].ver[j], j == 0);
			jw_drain(w, 0);
		}
		jw_close(w, 2, r->fw[i].nver == 0, '}');
	}
	jw_close(w, 1, r->nfw == 0, '}');
	buf_puts(&w->b, "\n}\n");
}

static void
write_models(struct jw *w, const struct registries *r)
{
	const struct model *m;
	size_t i, j;

	buf_puts(&w->b, "{\n  \"schemaVersion\": 1,");
	jw_key(w, 1, 1, "models");
	buf_putc(&w->b, '{');
	for (i = 0; i < r->nmodel; i++) {
		m = &r->model[i];
		jw_key(w, 2, i == 0, m->id);
		buf_putc(&w->b, '{');
		jw_str(w, 3, 1, "family", m->family);
		jw_str(w, 3, 0, "chatTemplate", m->chat_template);
		jw_key(w, 3, 0, "requiresTemplate");
		buf_puts(&w->b, m->requires_template ? "true" : "false");
		jw_str(w, 3, 0, "validationLevel", vlevel_names[m->level]);
		jw_key(w, 3, 0, "frameworkCompatibility");
		buf_putc(&w->b, '{');
		for (j = 0; j < m->nreq; j++)
			jw_str(w, 4, j == 0, m->req[j].framework, m->req[j].range);
		jw_close(w, 3, m->nreq == 0, '}');
		jw_profiles(w, 3, m->prof, m->nprof);
		if (m->notes != NULL)
			jw_str(w, 3, 0, "notes", m->notes);
		jw_close(w, 2, 0, '}');
		jw_drain(w, 0);
	}
	jw_close(w, 1, r->nmodel == 0, '}');
	buf_puts(&w->b, "\n}\n");
}

static void
write_instances(struct jw *w, const struct registries *r)
{
	const struct instance *in;
	size_t i, j;

	buf_puts(&w->b, "{\n  \"schemaVersion\": 1,");
	jw_key(w, 1, 1, "instances");
	buf_putc(&w->b, '{');
	for (i = 0; i < r->ninst; i++) {
		in = &r->inst[i];
		jw_key(w, 2, i == 0, in->type);
		buf_putc(&w->b, '{');
		jw_str(w, 3, 1, "family", in->family);
		jw_key(w, 3, 0, "accelerator");
		buf_putc(&w->b, '{');
		jw_str(w, 4, 1, "type", accel_names[in->accel]);
		jw_str(w, 4, 0, "hardware", in->hardware);
		jw_str(w, 4, 0, "architecture", in->architecture);
		jw_key(w, 4, 0, "versions");
		if (in->accel == ACC_CPU)
			buf_puts(&w->b, "null");
		else {
			buf_putc(&w->b, '[');
			for (j = 0; j < in->nver; j++) {
				jw_next(w, 5, j == 0);
				buf_json_str(&w->b, in->versions[j]);
			}
			jw_close(w, 4, in->nver == 0, ']');
		}
		jw_str(w, 4, 0, "default", in->def);
		jw_close(w, 3, 0, '}');
		jw_str(w, 3, 0, "memory", in->memory);
		jw_key(w, 3, 0, "vcpus");
		buf_putu(&w->b, in->vcpus);
		if (in->notes != NULL)
			jw_str(w, 3, 0, "notes", in->notes);
		jw_close(w, 2, 0, '}');
		jw_drain(w, 0);
	}
	jw_close(w, 1, r->ninst == 0, '}');
	buf_puts(&w->b, "\n}\n");
}

/* One framework version's row of compat.json. */
static void
compat_row(struct jw *w, const struct registries *r, const struct compat *c,
    size_t row, const struct buf *keys)
{
	const struct fwversion *f = r->fwver[row];
	const char *v;
	size_t col, n;
	int first;

	jw_next(w, 2, row == 0);
	buf_putc(&w->b, '{');
	jw_str(w, 3, 1, "framework", f->fw->name);
	jw_str(w, 3, 0, "version", f->version);
	jw_str(w, 3, 0, "acceleratorType", accel_names[f->accel]);
	for (n = 0; n < 2; n++) {
		jw_key(w, 3, 0, n == 0 ? "compatible" : "incompatible");
		buf_putc(&w->b, '{');
		first = 1;
		for (col = 0; col < c->ncol; col++) {
			enum cverdict cv = compat_at(c, row, col);

			if ((cv == CV_OK) != (n == 0))
				continue;
			v = n == 0 ? compat_version(r, c, row, col) :
			    cverdict_codes[cv];
			/* The instance's key, escaped once for every row. */
			jw_next(w, 4, first);
			buf_add(&w->b, keys[col].s, keys[col].len);
			if (v == NULL)
				buf_puts(&w->b, "null");
			else
				buf_json_str(&w->b, v);
			first = 0;
		}
		jw_close(w, 3, first, '}');
	}
	jw_key(w, 3, 0, "recommendedIncompatible");
	buf_putc(&w->b, '[');
	first = 1;
	for (n = 0; n < f->rec.n; n++)
		if (compat_at(c, row, f->rec.inst[n]) != CV_OK) {
			jw_next(w, 4, first);
			buf_json_str(&w->b, f->rec.name[n]);
			first = 0;
		}
	jw_close(w, 3, first, ']');
	jw_close(w, 2, 0, '}');
	jw_drain(w, 0);
}

static void
write_compat(struct jw *w, const struct registries *r, const struct compat *c)
{
	struct buf *keys = xcalloc(r->ninst + 1, sizeof(*keys));
	size_t i;

	buf_puts(&w->b, "{\n  \"schemaVersion\": 1,");
	jw_key(w, 1, 1, "instances");
	buf_putc(&w->b, '[');
	for (i = 0; i < r->ninst; i++) {
		jw_next(w, 2, i == 0);
		buf_json_str(&w->b, r->inst[i].type);
		buf_json_str(&keys[i], r->inst[i].type);
		buf_puts(&keys[i], ": ");
	}
	jw_close(w, 1, r->ninst == 0, ']');
	jw_key(w, 1, 0, "frameworks");
	buf_putc(&w->b, '[');
	for (i = 0; i < r->nfwver; i++)
		compat_row(w, r, c, i, keys);
	jw_close(w, 1, r->nfwver == 0, ']');
	buf_puts(&w->b, "\n}\n");
	for (i = 0; i < r->ninst; i++)
		buf_free(&keys[i]);
	free(keys);
}

int
registries_publish(const struct registries *r, const struct compat *c,
    const char *tmpldir, struct outset *site)
{
	static const char *const names[4] = { "frameworks", "models",
	    "instances", "compat" };
	struct jw w = { { 0 }, NULL, 1 };
	struct ostream *os;
	struct buf schema = { 0 };
	char *path;
	size_t i;
	int ok = 1;

	for (i = 0; i < 4 && ok; i++) {
		path = xasprintf("registries/%s.json", names[i]);
		os = outset_open(site, path);
		free(path);
		if (os == NULL)
			return 0;
		w.f = ostream_file(os);
		w.ok = 1;
		switch (i) {
		case 0: write_frameworks(&w, r); break;
		case 1: write_models(&w, r); break;
		case 2: write_instances(&w, r); break;
		default: write_compat(&w, r, c); break;
		}
		jw_drain(&w, 1);
		ok = ostream_close(os, NULL, NULL) && w.ok;
		path = xasprintf("%s/schema/%s.schema.json", tmpldir, names[i]);
		if (ok && (ok = read_file_max(path, &schema, GEN_MAX_TEMPLATE))) {
			free(path);
			path = xasprintf("schema/%s.schema.json", names[i]);
			outset_add(site, path, &schema);
		}
		free(path);
	}
	buf_free(&w.b);
	return ok;
}
