/*
 * manifest.h - the typed, validated model of manifest.yml (manifest.c), the
 * build matrix (matrix.c) and the Dockerfile generator (docker.c).
 *
 * All strings in the model are owned by it and freed by manifest_free();
 * positions point at the value's node in manifest.yml.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include "gen.h"
#include "yaml.h"
#include "index.h"

enum rtype { RT_BASE, RT_DEVEL, RT_RUNTIME, RT_CUDNN, RT__MAX };
extern const char *const rtype_names[RT__MAX];

struct registry {
	char		*host;
	char		*only_if, *user, *pwd;	/* environment variable names */
	size_t		 n;
	char		**pkg, **uri;		/* package -> image URI */
	struct pos	 pos;
};

struct cudacomp {
	char		*name, *version;
};

struct cudaset {
	char		*version;		/* "12.4.1" */
	char		*major, *minor, *patch;
	size_t		 ncomp;
	struct cudacomp	*comp;			/* in manifest order */
	int		 cudnn;			/* index into comp, or -1 */
	const struct ynode *node;		/* the cuda_dependencies value */
	struct pos	 pos;
};

struct envar {
	char		*name, *value;
};

/* One distro release: releases.<distro>.<version>. */
struct release {
	char		*distro, *version;
	char		*templates_dir, *base_image, *add_to_tags, *header;
	char		*cuda_prefix_url, *cuda_requires;
	struct pos	 templates_dir_pos;	/* where templates_dir is written */
	int		 multistage;
	size_t		 nenv;
	struct envar	*env;
	size_t		 ncuda;
	struct cudaset	**cuda;			/* owned: a private copy per release */
	struct pos	 pos;
};

struct distro {
	char		*name;
	size_t		 n;
	struct release	*rel;
	struct pos	 pos;
};

struct package {
	char		*name;
	size_t		 ndist[RT__MAX];	/* RT_BASE unused */
	struct distro	**dist[RT__MAX];	/* borrowed from manifest.distros */
	struct pos	*dpos[RT__MAX];		/* where each distro is named */
	struct pos	 pos;
};

struct engine {
	char		*id, *name, *description, *readme, *homepage;
	char		*readme_path;		/* readme resolved: absolute, no
						   symbolic links, inside the
						   repository, a regular file of
						   at most GEN_MAX_README bytes
						   when checked; NULL: no readme */
	size_t		 nformats;
	char		**formats;
	struct pos	 pos;
};

struct manifest {
	char		*path;			/* as given */
	char		*dir;			/* its directory, for relative paths */
	struct ynode	*root;
	size_t		 nreg;
	struct registry	*reg;
	size_t		 ncuda;
	struct cudaset	*cuda;
	size_t		 ndist;
	struct distro	*dist;
	size_t		 npkg;
	struct package	*pkg;
	size_t		 neng;
	struct engine	*eng;
	char		*tag_fmt, *tag_cuda_fmt;
	struct pos	 tag_fmt_pos, tag_cuda_fmt_pos;
	char		*site_title, *site_base_url, *site_url;
	size_t		 nplat;
	struct platform	*plat;			/* DESIGN.md's matrix + platforms: */
	const char	**engine_ids;		/* NULL-terminated, for pkgrules */
};

/* Load and validate a manifest.  Every problem is reported (not just the
 * first; past 100 they are counted, and the count is the last line), as
 * "manifest.yml:L:C: path: message".  Every path it names (readme,
 * templates_dir) must stay inside the repository, the manifest's folder,
 * after symbolic links are resolved.  Returns NULL when any problem was
 * found (EXIT_DATAERR, or EXIT_NOINPUT when the file is missing). */
struct manifest	*manifest_load(const char *path);
void		 manifest_free(struct manifest *);
const struct engine *manifest_engine(const struct manifest *, const char *id);

/* ---- matrix.c -------------------------------------------------------- */

struct image {
	const struct package	*pkg;
	const struct release	*rel;
	const struct cudaset	*cuda;		/* NULL for CPU images */
	enum rtype		 type;
	size_t			 base;		/* index of its base image (self for base) */
	char			*tag;		/* "runtime-debian12" */
	char			*path;		/* "llama-cpp/debian12/runtime/Dockerfile" */
	size_t			 ntags;
	char			**tags;		/* full tags, one per registry */
	char			*ref;		/* first full tag, or package:tag */
	struct buf		 dockerfile;	/* rendered by docker_generate */
};

struct matrix {
	size_t		 n;
	struct image	*img;			/* bases first, then the rest; each group by path */
};

/* Expand the manifest into images.  Returns NULL after reporting (duplicate
 * tags, tag format fields that do not apply, bad resulting tags). */
struct matrix	*matrix_build(const struct manifest *);
void		 matrix_free(struct matrix *);

/* ---- docker.c -------------------------------------------------------- */

struct outset;

/* Render every image's Dockerfile (kept in its dockerfile buffer, freed by
 * matrix_free) and images.json into the output set (paths relative to the
 * generated folder, named gendir in images.json).  tmpldir is
 * templates/docker.  Returns 1, or 0 after reporting. */
int	 docker_generate(const struct manifest *, struct matrix *,
	    const char *tmpldir, const char *gendir, int jobs, struct outset *);

/* ---- catalog.c, markdown.c ------------------------------------------ */

struct index;
struct registries;
struct compat;
struct crlist;
struct crlastset;
struct deployset;

/*
 * The HTML catalog into the site's output set: pages from the templates in
 * tmpldir (templates/site), data from the manifest, the typed index and
 * the matrix, each image carrying its rendered Dockerfile, and, when reg
 * and cx are not NULL, the tested-configuration registries and their
 * compatibility matrix (four more pages, linked from every page's header),
 * and, when crl has entries, the container-registry listing with the last
 * health results of crh (NULL when there are none): one more page, and,
 * when dep has records, the deployments page and a page per record.  It reads no JSON of gen's own and nothing from the output layer.  With
 * jobs > 1 the engine pages are rendered by the worker pool, which needs an
 * eager site set (outset_eager).  Returns 1, or 0 after reporting.
 */
int	 catalog_build(const struct manifest *, const struct matrix *,
	    const struct index *, const struct registries *reg,
	    const struct compat *cx, const struct crlist *crl,
	    const struct crlastset *crh, const struct deployset *dep,
	    const char *tmpldir, int jobs, struct outset *site);

/* CommonMark to HTML with cmark's safe defaults: raw HTML and dangerous
 * URLs (javascript:, vbscript:, file:, most data:) are dropped.  Returns a
 * string the caller frees. */
char	*markdown_html(const char *text, size_t len);

#endif
