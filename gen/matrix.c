/*
 * matrix.c - the build matrix: package x release type (+ base) x distro
 * release x CUDA release, with each image's path and tags.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

struct mb {
	const struct manifest	*m;
	struct image		*img;
	size_t			 n, cap;
	int			 ok;
};

/* Value of one tag field for an image; "" where it does not apply. */
static const char *
tag_field(const struct image *im, const char *f, char *tmp, size_t tmplen)
{
	const struct cudaset *c = im->cuda;

	if (!strcmp(f, "package"))
		return im->pkg->name;
	if (!strcmp(f, "release_type"))
		return rtype_names[im->type];
	if (!strcmp(f, "distro"))
		return im->rel->distro;
	if (!strcmp(f, "distro_version"))
		return im->rel->version;
	if (!strcmp(f, "suffixes"))
		return im->rel->add_to_tags;
	if (c == NULL)
		return "";
	if (!strcmp(f, "cuda_version"))
		return c->version;
	if (!strcmp(f, "cuda_short")) {
		snprintf(tmp, tmplen, "%s.%s", c->major, c->minor);
		return tmp;
	}
	if (!strcmp(f, "cuda_major"))
		return c->major;
	if (!strcmp(f, "cudnn_major"))
		return c->cudnn >= 0 ? c->comp[c->cudnn].name + 5 : "";
	return "";
}

/* Expand a tag format (fields were checked by manifest.c). */
static char *
expand_tag(const char *fmt, const struct image *im)
{
	struct buf b = { 0 };
	char tmp[64], *f;
	const char *p, *e;

	buf_add(&b, "", 0);
	for (p = fmt; *p; p++) {
		if (*p != '{' || (e = strchr(p, '}')) == NULL) {
			buf_putc(&b, *p);
			continue;
		}
		f = xstrndup(p + 1, (size_t)(e - p - 1));
		buf_puts(&b, tag_field(im, f, tmp, sizeof(tmp)));
		free(f);
		p = e;
	}
	return b.s;
}

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static int
valid_tag(const char *t)
{
	size_t i;

	if (!isalnum((unsigned char)t[0]) && t[0] != '_')
		return 0;
	for (i = 1; t[i]; i++)
		if (!isalnum((unsigned char)t[i]) && !strchr("_.-", t[i]))
			return 0;
	return i <= 128;
}

static void
add_image(struct mb *mb, const struct package *pk, const struct release *r,
    const struct cudaset *c, enum rtype t)
{
	const struct manifest *m = mb->m;
	struct image *im;
	struct buf b = { 0 };
	size_t i, j;

	if (mb->n == mb->cap) {
		mb->cap = mb->cap ? mb->cap * 2 : 64;
		mb->img = xrealloc(mb->img, mb->cap * sizeof(*mb->img));
	}
	im = &mb->img[mb->n++];
	memset(im, 0, sizeof(*im));
	im->pkg = pk;
	im->rel = r;
	im->cuda = c;
	im->type = t;
	if (c != NULL)
		im->path = xasprintf("%s/%s%s/cuda%s/%s/Dockerfile", pk->name,
		    r->distro, r->version, c->version, rtype_names[t]);
	else
		im->path = xasprintf("%s/%s%s/%s/Dockerfile", pk->name,
		    r->distro, r->version, rtype_names[t]);
	im->tag = expand_tag(c ? m->tag_cuda_fmt : m->tag_fmt, im);
	if (!valid_tag(im->tag)) {
		diag(EXIT_DATAERR, c ? &m->tag_cuda_fmt_pos : &m->tag_fmt_pos,
		    "tag_spec.%s: gives \"%s\" for %s, which is not a valid "
		    "image tag ([A-Za-z0-9_][A-Za-z0-9_.-]*, at most 128)",
		    c ? "cuda_fmt" : "fmt", im->tag, im->path);
		mb->ok = 0;
	}
	for (i = 0; i < m->nreg; i++)
		for (j = 0; j < m->reg[i].n; j++)
			if (strcmp(m->reg[i].pkg[j], pk->name) == 0) {
				im->tags = xrealloc(im->tags, (im->ntags + 1) *
				    sizeof(*im->tags));
				im->tags[im->ntags++] = xasprintf("%s:%s",
				    m->reg[i].uri[j], im->tag);
			}
	if (im->ntags > 0)
		im->ref = xstrdup(im->tags[0]);
	else {
		buf_printf(&b, "%s:%s", pk->name, im->tag);
		im->ref = b.s;
	}
}

static int
has_base(const struct mb *mb, size_t from, const struct release *r)
{
	size_t i;

	for (i = from; i < mb->n; i++)
		if (mb->img[i].type == RT_BASE && mb->img[i].rel == r)
			return 1;
	return 0;
}

static int
img_cmp(const void *a, const void *b)
{
	const struct image *x = a, *y = b;

	if ((x->type == RT_BASE) != (y->type == RT_BASE))
		return x->type == RT_BASE ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int
tag_cmp(const void *a, const void *b)
{
	const struct image *x = *(const struct image *const *)a;
	const struct image *y = *(const struct image *const *)b;
	int c = strcmp(x->pkg->name, y->pkg->name);

	return c ? c : strcmp(x->tag, y->tag);
}

/* Two images of one package with one tag would overwrite each other. */
static void
check_unique_tags(struct mb *mb)
{
	const struct manifest *m = mb->m;
	struct image **v;
	size_t i;

	v = xcalloc(mb->n, sizeof(*v));
	for (i = 0; i < mb->n; i++)
		v[i] = &mb->img[i];
	qsort(v, mb->n, sizeof(*v), tag_cmp);
	for (i = 1; i < mb->n; i++) {
		if (tag_cmp(&v[i - 1], &v[i]) != 0)
			continue;
		diag(EXIT_DATAERR, v[i]->cuda ? &m->tag_cuda_fmt_pos :
		    &m->tag_fmt_pos, "tag_spec.%s: %s and %s would both be "
		    "tagged %s:%s; add a field that tells them apart",
		    v[i]->cuda ? "cuda_fmt" : "fmt", v[i - 1]->path, v[i]->path,
		    v[i]->pkg->name, v[i]->tag);
		mb->ok = 0;
	}
	free(v);
}

static int
base_find(const struct matrix *mx, size_t nbase, const struct image *im)
{
	size_t lo = 0, hi = nbase, mid;
	char *want;
	int c;

	want = xasprintf("%s/%s%s/base/Dockerfile", im->pkg->name,
	    im->rel->distro, im->rel->version);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(want, mx->img[mid].path);
		if (c == 0) {
			free(want);
			return (int)mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	free(want);
	return -1;
}

/*
 * Images in a fixed order (bases first, then by path), each base found by
 * binary search; colliding tags or paths are reported against the manifest
 * value that causes them.
 */
struct matrix *
matrix_build(const struct manifest *m)
{
	struct mb mb = { 0 };
	struct matrix *mx;
	const struct package *pk;
	const struct distro *d;
	const struct release *r;
	size_t i, j, k, l, first, nbase;
	int t, any;

	mb.m = m;
	mb.ok = 1;
	for (i = 0; i < m->npkg; i++) {
		pk = &m->pkg[i];
		first = mb.n;
		for (t = RT_DEVEL; t < RT__MAX; t++) {
			for (j = 0; j < pk->ndist[t]; j++) {
				d = pk->dist[t][j];
				any = 0;
				for (k = 0; k < d->n; k++) {
					size_t before = mb.n;

					r = &d->rel[k];
					if (t != RT_CUDNN)
						add_image(&mb, pk, r, NULL, (enum rtype)t);
					for (l = 0; l < r->ncuda; l++) {
						if (t == RT_CUDNN && r->cuda[l]->cudnn < 0)
							continue;
						add_image(&mb, pk, r, r->cuda[l], (enum rtype)t);
					}
					if (mb.n == before)
						continue;
					any = 1;
					if (!has_base(&mb, first, r))
						add_image(&mb, pk, r, NULL, RT_BASE);
				}
				if (!any) {
					diag(EXIT_DATAERR, &pk->dpos[t][j],
					    "packages.%s.cudnn: distro '%s' has no "
					    "release with a CUDA set that holds cuDNN",
					    pk->name, d->name);
					mb.ok = 0;
				}
			}
		}
	}
	check_unique_tags(&mb);
	if (mb.n > 0)
		qsort(mb.img, mb.n, sizeof(*mb.img), img_cmp);
	for (i = 1; i < mb.n; i++)
		if (strcmp(mb.img[i - 1].path, mb.img[i].path) == 0) {
			diag(EXIT_DATAERR, &mb.img[i].rel->pos, "releases.%s.%s: "
			    "two images would be written to generated/%s; rename "
			    "a distro or version", mb.img[i].rel->distro,
			    mb.img[i].rel->version, mb.img[i].path);
			mb.ok = 0;
		}
	mx = xcalloc(1, sizeof(*mx));
	mx->n = mb.n;
	mx->img = mb.img;
	for (nbase = 0; nbase < mx->n && mx->img[nbase].type == RT_BASE; nbase++)
		;
	for (i = 0; i < mx->n; i++) {
		int b = mx->img[i].type == RT_BASE ? (int)i : base_find(mx, nbase, &mx->img[i]);

		mx->img[i].base = b < 0 ? i : (size_t)b;
	}
	if (!mb.ok) {
		matrix_free(mx);
		return NULL;
	}
	return mx;
}

void
matrix_free(struct matrix *mx)
{
	size_t i, j;

	if (mx == NULL)
		return;
	for (i = 0; i < mx->n; i++) {
		free(mx->img[i].tag);
		free(mx->img[i].path);
		free(mx->img[i].ref);
		for (j = 0; j < mx->img[i].ntags; j++)
			free(mx->img[i].tags[j]);
		free(mx->img[i].tags);
		buf_free(&mx->img[i].dockerfile);
	}
	free(mx->img);
	free(mx);
}
