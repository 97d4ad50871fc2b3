/*
 * compat.c - what is computed from the registries (registry.h): the
 * compatibility of every framework version with every instance type, the
 * warnings it gives, gen resolve's merged configuration, the published
 * JSON, and the check of base images this repository builds.
 *
 * The rule: a framework version runs on an instance type when their
 * accelerator types are the same and, for types with versions, one of the
 * instance's versions satisfies the framework's requirement (within
 * versionRange when it has one, else equal to the pinned version).  The
 * version used is the instance's default when it qualifies, else the
 * highest that does.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index.h"
#include "manifest.h"
#include "registry.h"

const char *const cverdict_codes[3] = { "ok", "accelerator-type",
    "accelerator-version" };

/* A framework version's requirement, parsed once. */
struct req {
	int		 range;		/* min/max, else pin */
	struct accelv	 min, max, pin;
};

static void
req_parse(const struct fwversion *f, struct req *q)
{
	q->range = f->range_min != NULL;
	if (q->range) {
		accelv_parse(f->range_min, &q->min);
		accelv_parse(f->range_max, &q->max);
	}
	accelv_parse(f->accel_version ? f->accel_version : "", &q->pin);
}

static int
req_holds(const struct req *q, const struct accelv *v)
{
	if (q->range)
		return accelv_cmp(v, &q->min) >= 0 && accelv_cmp(v, &q->max) <= 0;
	return accelv_cmp(v, &q->pin) == 0;
}

/* a < b, = or > as numbers per component, every component counted. */
static int
accelv_order(const struct accelv *a, const struct accelv *b)
{
	int c = accelv_cmp(a, b);

	return c != 0 ? c : -accelv_cmp(b, a);
}

/* Every instance's versions parsed, and where its default stands. */
struct iv {
	size_t		 nv;
	struct accelv	*v;
	int		 def;		/* index into v, or -1 */
};

static struct iv *
inst_versions(const struct registries *r)
{
	struct iv *iv = xcalloc(r->ninst + 1, sizeof(*iv));
	size_t i, j;

	for (i = 0; i < r->ninst; i++) {
		const struct instance *in = &r->inst[i];

		iv[i].nv = in->nver;
		iv[i].v = xcalloc(in->nver + 1, sizeof(*iv[i].v));
		iv[i].def = -1;
		for (j = 0; j < in->nver; j++) {
			accelv_parse(in->versions[j], &iv[i].v[j]);
			if (in->def != NULL && strcmp(in->versions[j], in->def) == 0)
				iv[i].def = (int)j;
		}
	}
	return iv;
}

/* The version an instance gives a requirement: its index, or -1. */
static int
pick_version(const struct req *q, const struct iv *iv)
{
	int best = -1;
	size_t i;

	if (iv->def >= 0 && req_holds(q, &iv->v[iv->def]))
		return iv->def;
	for (i = 0; i < iv->nv; i++)
		if (req_holds(q, &iv->v[i]) && (best < 0 ||
		    accelv_order(&iv->v[i], &iv->v[best]) > 0))
			best = (int)i;
	return best;
}

struct compat *
compat_build(const struct registries *r)
{
	struct compat *c = xcalloc(1, sizeof(*c));
	const struct fwversion *f;
	const struct instance *in;
	struct iv *iv = inst_versions(r);
	struct req q;
	size_t row, col, at;
	int k;

	c->nrow = r->nfwver;
	c->ncol = r->ninst;
	c->verdict = xcalloc(c->nrow * c->ncol + 1, 1);
	c->chosen = xcalloc(c->nrow * c->ncol + 1, sizeof(*c->chosen));
	for (row = 0; row < c->nrow; row++) {
		f = r->fwver[row];
		req_parse(f, &q);
		for (col = 0; col < c->ncol; col++) {
			in = &r->inst[col];
			at = row * c->ncol + col;
			c->chosen[at] = -1;
			if (f->accel != in->accel)
				c->verdict[at] = CV_ACCEL_TYPE;
			else if (f->accel == ACC_CPU)
				c->verdict[at] = CV_OK;
			else if ((k = pick_version(&q, &iv[col])) < 0)
				c->verdict[at] = CV_NO_VERSION;
			else {
				c->verdict[at] = CV_OK;
				c->chosen[at] = (short)k;
			}
			c->nok += c->verdict[at] == CV_OK;
		}
	}
	for (col = 0; col < r->ninst; col++)
		free(iv[col].v);
	free(iv);
	return c;
}

void
compat_free(struct compat *c)
{
	if (c == NULL)
		return;
	free(c->verdict);
	free(c->chosen);
	free(c);
}

const char *
compat_version(const struct registries *r, const struct compat *c,
    size_t row, size_t col)
{
	short k = c->chosen[row * c->ncol + col];

	return k < 0 ? NULL : r->inst[col].versions[k];
}

/* What a framework version needs, in words: "cuda 12.0 to 12.2". */
static char *
needs(const struct fwversion *f)
{
	if (f->accel == ACC_CPU)
		return xstrdup("cpu");
	if (f->range_min != NULL)
		return xasprintf("%s %s to %s", accel_names[f->accel],
		    f->range_min, f->range_max);
	return xasprintf("%s %s", accel_names[f->accel],
	    f->accel_version ? f->accel_version : "");
}

static char *
offers(const struct instance *in)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < in->nver; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", in->versions[i]);
	return b.s != NULL ? b.s : xstrdup("nothing");
}

char *
compat_reason(const struct registries *r, const struct compat *c,
    size_t row, size_t col)
{
	const struct fwversion *f = r->fwver[row];
	const struct instance *in = &r->inst[col];
	const char *v;
	char *n = needs(f), *o, *s;

	switch (compat_at(c, row, col)) {
	case CV_ACCEL_TYPE:
		s = xasprintf("needs %s; %s has %s", accel_names[f->accel],
		    in->type, accel_names[in->accel]);
		break;
	case CV_NO_VERSION:
		o = offers(in);
		s = xasprintf("needs %s; %s offers %s", n, in->type, o);
		free(o);
		break;
	default:
		v = compat_version(r, c, row, col);
		s = v == NULL ? xasprintf("cpu; %s has cpu", in->type) :
		    xasprintf("needs %s; %s offers %s%s", n, in->type, v,
		    in->def != NULL && strcmp(v, in->def) == 0 ?
		    " (its default)" : "");
		break;
	}
	free(n);
	return s;
}

static size_t
warn_list(const struct registries *r, const struct compat *c,
    const struct fwversion *f, const struct instlist *l, const char *what)
{
	size_t i, n = 0;
	char *why;

	for (i = 0; i < l->n; i++) {
		if (compat_at(c, f->row, l->inst[i]) == CV_OK)
			continue;
		n++;
		if (gen_verbose < 0)
			continue;
		why = compat_reason(r, c, f->row, l->inst[i]);
		fprintf(stderr, "%s:%u:%u: warning: %s.%s.%s: %s cannot run "
		    "%s %s: %s\n", l->pos[i].file, l->pos[i].line, l->pos[i].col,
		    f->fw->name, f->version, what, l->name[i], f->fw->name,
		    f->version, why);
		free(why);
	}
	return n;
}

size_t
compat_warn(const struct registries *r, const struct compat *c)
{
	const struct fwversion *f;
	size_t row, i, n = 0;
	char *what;

	for (row = 0; row < r->nfwver; row++) {
		f = r->fwver[row];
		n += warn_list(r, c, f, &f->rec, "recommendedInstanceTypes");
		for (i = 0; i < f->nprof; i++) {
			what = xasprintf("profiles.%s.recommendedInstanceTypes",
			    f->prof[i].name);
			n += warn_list(r, c, f, &f->prof[i].rec, what);
			free(what);
		}
	}
	return n;
}

/* ---- base images this repository builds -------------------------------- */

/* The repository part of an image reference: up to the tag's ':'. */
static size_t
repo_len(const char *ref)
{
	const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
	const char *at = strchr(ref, '@');

	if (at != NULL)
		return (size_t)(at - ref);
	if (colon != NULL && (slash == NULL || colon > slash))
		return (size_t)(colon - ref);
	return strlen(ref);
}

/* The image named by ref, or NULL; *ours is set when some image of the
 * matrix lives in the same repository. */
static const struct image *
find_image(const struct matrix *mx, const char *ref, int *ours,
    const char ***cands)
{
	size_t i, j, n = 0, rl = repo_len(ref);
	const struct image *hit = NULL;

	*ours = 0;
	for (i = 0; i < mx->n; i++)
		for (j = 0; j < mx->img[i].ntags; j++) {
			const char *t = mx->img[i].tags[j];

			if (repo_len(t) != rl || strncmp(t, ref, rl) != 0)
				continue;
			*ours = 1;
			*cands = xrealloc(*cands, (n + 2) * sizeof(**cands));
			(*cands)[n++] = t;
			(*cands)[n] = NULL;
			if (strcmp(t, ref) == 0)
				hit = &mx->img[i];
		}
	return hit;
}

static int
check_image(const struct fwversion *f, const struct matrix *mx)
{
	const char **cands = NULL, *cuda;
	const struct image *im;
	const struct pos *at = &f->base_image_pos;
	char *n;
	int ours, ok = 1;

	im = find_image(mx, f->base_image, &ours, &cands);
	if (!ours)
		goto out;
	if (im == NULL) {
		const char *near = nearest(f->base_image, cands);

		diag(EXIT_DATAERR, at, "%s.%s.baseImage: \"%s\" names no image "
		    "that this repository builds (generated/images.json)%s%s%s",
		    f->fw->name, f->version, f->base_image, near ?
		    "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		ok = 0;
		goto out;
	}
	cuda = im->cuda != NULL ? im->cuda->version : NULL;
	if (f->accel == ACC_CPU || (cuda != NULL && f->accel == ACC_CUDA &&
	    accel_satisfies(f, cuda)))
		goto out;
	n = needs(f);
	diag(EXIT_DATAERR, at, "%s.%s.baseImage: \"%s\" is built %s%s, which "
	    "does not satisfy %s", f->fw->name, f->version, f->base_image,
	    cuda ? "on CUDA " : "for CPU", cuda ? cuda : "", n);
	free(n);
	ok = 0;
out:
	free(cands);
	return ok;
}

int
registries_check_images(const struct registries *r, const struct manifest *m,
    const struct matrix *mx)
{
	size_t i;
	int ok = 1;

	(void)m;
	for (i = 0; i < r->nfwver; i++)
		if (r->fwver[i]->base_image != NULL && !check_image(r->fwver[i], mx))
			ok = 0;
	return ok;
}
