/*
 * registry.h - the tested-configuration registries: frameworks, models and
 * instance types (ML Container Creator's three), as typed, validated models
 * (registry.c), and what is computed from them: the compatibility matrix,
 * model matching and resolved configurations (compat.c).
 *
 * Ownership as in gen.h: registries_free() frees everything a registries
 * holds; every pointer inside is borrowed from it.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include "gen.h"

enum accel { ACC_CUDA, ACC_NEURON, ACC_CPU, ACC_ROCM, ACC__MAX };
extern const char *const accel_names[ACC__MAX];	/* "cuda", ... */

enum vlevel { VL_TESTED, VL_COMMUNITY, VL_EXPERIMENTAL, VL_UNKNOWN, VL__MAX };
extern const char *const vlevel_names[VL__MAX];	/* "tested", "community-validated", ... */
extern const char *const vlevel_display[VL__MAX];	/* "✅ Tested configuration", ... */

/* An environment variable: NAME=value (both one line of text). */
struct envvar {
	char		*name, *value;
	struct pos	 pos;		/* the name's place */
};

/* A list of instance types a framework version, profile or model names;
 * inst[i] is the index into registries.inst (always resolved: a name that
 * names no instance fails the load). */
struct instlist {
	size_t		 n;
	char		**name;
	size_t		*inst;
	struct pos	*pos;
};

/* A profile of a framework version or of a model.  Text fields are NULL
 * when absent.  has_rec: recommendedInstanceTypes was given. */
struct profile {
	char		*name;		/* kebab-case */
	char		*display_name, *description, *notes;
	size_t		 nenv;
	struct envvar	*env;		/* in file order */
	int		 has_rec;
	struct instlist	 rec;
	struct pos	 pos;
};

struct framework;

/* frameworks.<name>.<version> */
struct fwversion {
	const struct framework *fw;
	char		*version;
	size_t		 row;		/* index into registries.fwver */
	char		*base_image;
	enum accel	 accel;
	char		*accel_version;	/* NULL for cpu */
	char		*range_min, *range_max;	/* NULL: no versionRange */
	size_t		 nenv;
	struct envvar	*env;
	char		*ami;		/* inferenceAmiVersion */
	struct instlist	 rec;		/* recommendedInstanceTypes */
	enum vlevel	 level;
	size_t		 nprof;
	struct profile	*prof;		/* by name */
	char		*notes;		/* NULL when absent */
	struct pos	 pos, base_image_pos;
};

struct framework {
	char		*name;
	size_t		 nver;
	struct fwversion *ver;		/* newest first (version_cmp) */
	struct pos	 pos;
};

/* models.<id or pattern>.frameworkCompatibility.<framework>: <range> */
struct fwreq {
	char		*framework;
	char		*range;		/* the expression as written */
	size_t		 fw;		/* index into registries.fw */
	struct pos	 pos;
	void		*expr;		/* private: the parsed expression */
};

struct model {
	char		*id;		/* as written */
	int		 pattern;	/* has a '*' */
	size_t		 literals;	/* characters other than '*' */
	char		*family;
	char		*chat_template;	/* NULL: null */
	int		 requires_template;
	enum vlevel	 level;
	size_t		 nreq;
	struct fwreq	*req;		/* by framework name */
	size_t		 nprof;
	struct profile	*prof;		/* by name */
	char		*notes;		/* NULL when absent */
	struct pos	 pos;
};

/* instances.<ml.family.size> */
struct instance {
	char		*type;		/* "ml.g5.xlarge" */
	char		*family;	/* "g5" */
	enum accel	 accel;
	char		*hardware, *architecture;
	size_t		 nver;
	char		**versions;	/* NULL (nver 0) for cpu */
	char		*def;		/* default; NULL for cpu */
	char		*memory;	/* "16 GB" */
	unsigned long	 memory_mb;	/* for sorting and display */
	unsigned long	 vcpus;
	char		*notes;		/* NULL when absent */
	struct pos	 pos;
};

struct registries {
	char		*dir;		/* the registries folder */
	char		*files[3];	/* the frameworks, models, instances files read */
	size_t		 nfw;
	struct framework *fw;		/* by name (bytewise) */
	size_t		 nfwver;
	struct fwversion **fwver;	/* every version: by framework, newest first */
	size_t		 nmodel;
	struct model	*model;		/* by id, case-insensitively */
	size_t		 ninst;
	struct instance	*inst;		/* by accelerator type, family, vCPUs, type */
};

/*
 * Load and validate DIR/frameworks.yml, models.yml and instances.yml (each
 * may be .yaml or .json instead; JSON is read as YAML).  Every problem is
 * reported, as "file:line:col: path: message".  Returns NULL after
 * reporting (EXIT_DATAERR; EXIT_NOINPUT when a file is missing).
 */
struct registries *registries_load(const char *dir);
void		 registries_free(struct registries *);

/* Does dir hold registries (any of the three files)?  A repository without
 * them builds no registry outputs. */
int		 registries_present(const char *dir);

const struct framework *registry_framework(const struct registries *,
		    const char *name);
const struct instance *registry_instance(const struct registries *,
		    const char *type);
/*
 * The model entry for a model id: an exact id first, compared
 * case-insensitively; else the matching pattern with the most literal
 * characters ('*' matches any run of characters, '/' included; the rest
 * case-insensitively); ties go to the pattern first in the registry's
 * order.  NULL when nothing matches.
 */
const struct model *registry_match_model(const struct registries *,
		    const char *id);
/* Does a glob pattern ('*' only) match s, case-insensitively? */
int		 model_glob(const char *pattern, const char *s);
/* Does a framework version satisfy a frameworkCompatibility range? */
int		 fwreq_allows(const struct fwreq *, const char *version);

/*
 * Accelerator versions: dot-separated numbers compared numerically per
 * component.  A bound covers every version it is a prefix of ("12.2"
 * covers "12.2.1"): accel_cmp(v, bound) compares only as many components
 * as bound has.  -1, 0 or 1.
 */
int		 accel_cmp(const char *v, const char *bound);
/* The same on versions parsed once (at most ACCELV_MAX numbers, as the
 * loader requires). */
#define ACCELV_MAX 8
struct accelv {
	unsigned	 n;
	unsigned long	 c[ACCELV_MAX];
};
void		 accelv_parse(const char *, struct accelv *);
int		 accelv_cmp(const struct accelv *v, const struct accelv *bound);
/* Does v satisfy a framework version's requirement: within versionRange
 * when it has one, else equal to the pinned version? */
int		 accel_satisfies(const struct fwversion *, const char *v);

/* ---- compat.c -------------------------------------------------------- */

enum cverdict {
	CV_OK,			/* compatible */
	CV_ACCEL_TYPE,		/* the accelerator types differ */
	CV_NO_VERSION		/* no version of the instance satisfies */
};
extern const char *const cverdict_codes[3];	/* "ok", "accelerator-type", "accelerator-version" */

/* Framework version x instance type, row-major: rows are registries.fwver,
 * columns registries.inst. */
struct compat {
	size_t		 nrow, ncol;
	unsigned char	*verdict;	/* enum cverdict */
	short		*chosen;	/* CV_OK: index into the instance's
					   versions (-1 for cpu) */
	size_t		 nok;
};

struct compat	*compat_build(const struct registries *);
void		 compat_free(struct compat *);
static inline enum cverdict
compat_at(const struct compat *c, size_t row, size_t col)
{
	return (enum cverdict)c->verdict[row * c->ncol + col];
}
/* The accelerator version that would be used (NULL: none, or cpu). */
const char	*compat_version(const struct registries *,
		    const struct compat *, size_t row, size_t col);
/* Why, in words: "needs cuda; ml.inf2.xlarge has neuron", "none of 11.8
 * satisfies 12.0 to 12.2".  The caller frees it. */
char		*compat_reason(const struct registries *,
		    const struct compat *, size_t row, size_t col);
/* Warn (stderr, not failing the run) for each recommended instance type
 * that its framework version cannot run on.  Returns their number. */
size_t		 compat_warn(const struct registries *, const struct compat *);

/* gen resolve: the merged configuration as JSON on stdout. */
struct resolve_req {
	const char	*framework;	/* NAME or NAME@VERSION */
	const char	*model, *instance, *profile;	/* NULL: not given */
};
int		 registry_resolve(const struct registries *,
		    const struct compat *, const struct resolve_req *, FILE *);

/* site/registries/{frameworks,models,instances,compat}.json and their
 * schemas (copied from tmpldir/schema/) into the site's output set.
 * Returns 1, or 0 after reporting. */
struct outset;
int		 registries_publish(const struct registries *,
		    const struct compat *, const char *tmpldir,
		    struct outset *site);

/* A framework version's base image that names an image this repository
 * builds (generated/images.json): it must exist, and its CUDA release must
 * satisfy the accelerator requirement.  Returns 1, or 0 after reporting. */
struct manifest;
struct matrix;
int		 registries_check_images(const struct registries *,
		    const struct manifest *, const struct matrix *);

#endif
