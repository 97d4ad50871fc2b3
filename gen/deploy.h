/*
 * deploy.h - the deployment registry: what is deployed where, in which
 * state, one JSON file per configuration under deployments/, named by its
 * configId (ML Container Creator's CI table's id).
 *
 *   deploy.c      configIds, redaction, the do/config reader
 *   deployrec.c   records: parsed (positioned, strict), written (sorted
 *                 keys, two spaces), loaded as a set (with a state-folder
 *                 cache), cross-checked against the tested-configuration
 *                 registries
 *   deploycmd.c   gen deploy register|list|show|export|import|mark
 *   deployout.c   site/deployments.json and its schema
 *   catalog.c     the deployments page and a page per configuration
 *
 * Ownership as in gen.h: deployset_free() frees every record it holds.
 */
#ifndef DEPLOY_H
#define DEPLOY_H

#include "gen.h"

#define DEPLOY_REDACTED	"***REDACTED***"

/* What a configuration is, for its id. */
struct deploykey {
	const char	*deployment_config;	/* "transformers-vllm" */
	const char	*model_name;		/* NULL or "": "none" */
	const char	*instance_type;
	const char	*region;
	const char	*deployment_target;
	unsigned	 ics, adapters;
};

/* "deploymentConfig:modelName:instanceType:region:deploymentTarget:icN:
 * adaptM", the text the id hashes.  The caller frees it. */
char	*deploy_key_text(const struct deploykey *);
/* The configId: the first 16 hex digits of SHA-256 over that text, as
 * ML Container Creator computes it.  Returns 1, or 0 after reporting. */
int	 deploy_config_id(const struct deploykey *, char out[17]);
/* Do two keys differ while their texts (and so their ids) are the same?
 * (':' may stand inside a field.) */
int	 deploy_key_collide(const struct deploykey *, const struct deploykey *);

/*
 * Redaction.  A name is secret when it holds SECRET, PASSWORD, PASSWD,
 * CREDENTIAL, API_KEY, APIKEY, ACCESS_KEY or PRIVATE_KEY anywhere, or a
 * '_'-separated word that is TOKEN or ends in it (HF_TOKEN, GHTOKEN), or
 * is AUTH, AUTHN, AUTHZ, AUTHORIZATION or ends in AUTH (OAUTH), in any
 * case and whatever the engine prefix; tuning names that only look alike
 * (MAX_TOTAL_TOKENS, TOKENIZER_MODE, AUTHOR) are not.  A value is secret
 * when it holds a credential: hf_..., AKIA.../ASIA..., ghp_... and the
 * other GitHub tokens, github_pat_..., sk-..., xox?-... (Slack), a PEM
 * private key, a JWT, or a URL carrying a password.
 */
int	 redact_name(const char *name);
int	 redact_value(const char *value);
/* The value to store: value, or DEPLOY_REDACTED (borrowed). */
const char *redact(const char *name, const char *value);

/* A project's do/config: KEY=VALUE lines. */
struct kv {
	char		*key, *value;
	struct pos	 pos;
};
struct kvlist {
	size_t		 n;
	struct kv	*v;
};
/*
 * Read KEY=VALUE and export KEY=VALUE lines (values bare, "double quoted"
 * with \" \\ \$ \` escapes, or 'single quoted'), blank lines and
 * # comments.  Nothing is expanded or run: "$HOME" stays "$HOME".  A later
 * line wins over an earlier one for the same key, as in a shell.  Every
 * problem is reported at its line and column.  Returns 1, or 0 after
 * reporting (exit 65).
 */
int	 doconfig_parse(const char *name, const char *text, size_t len,
	    struct kvlist *);
int	 doconfig_read(const char *path, struct kvlist *);
void	 kvlist_clear(struct kvlist *);
/* The value of key, or NULL (borrowed). */
const char *kvlist_get(const struct kvlist *, const char *key);


/* ---- records ------------------------------------------------------------ */

/* Where the records live, relative to the repository (--deployments). */
#define DEPLOY_DIR	"deployments"
/* The record format's version (the file's "schemaVersion"). */
#define DEPLOY_SCHEMA_VERSION 1

enum dstatus { DS_SUCCESS, DS_PARTIAL, DS_FAILED, DS__MAX };
extern const char *const dstatus_names[DS__MAX];	/* "success", "partial", "failed" */
enum dtest { DT_UNTESTED, DT_PASSED, DT_FAILED, DT__MAX };
extern const char *const dtest_names[DT__MAX];	/* "untested", "passed", "failed" */

/* One inference component (do/ic/NAME.conf) or adapter (do/adapters/
 * NAME.conf).  Text fields NULL when absent; counts 0 when absent. */
struct dic {
	char		*name;
	int		 adapter;	/* "isAdapter": true */
	char		*image;		/* components */
	unsigned	 gpus, copies;	/* "gpuCount", "copyCount" */
	char		*base;		/* adapters: "baseIcName" */
	char		*artifact;	/* adapters: "artifactUrl" (redacted when
					   it carries a credential) */
};

/* One registration, oldest first in a record's history. */
struct dhist {
	char		*time;		/* "2026-12-03T18:00:00Z" */
	enum dstatus	 status;
	char		*notes;		/* NULL: none */
	char		*gen_version;
	char		*build_strategy;
	int		 ci;		/* registered with --ci */
};

/*
 * A record: deployments/<configId>.json.  Every text is one line of clean
 * UTF-8 except notes and parameter values, which may span lines; nothing
 * in a record is a secret (redaction is applied before a record is built
 * and again when one is read or imported).  Fields NULL when absent.
 */
struct deployment {
	char		 id[17];		/* "configId" */
	char		*project;		/* "projectName" */
	char		*config;		/* "deploymentConfig": arch-backend */
	char		*arch, *backend;	/* "architecture", "backend" (derived) */
	char		*model;			/* "modelName"; NULL: none */
	char		*instance;		/* "instanceType" */
	char		*region;		/* "region"; NULL only in exported
						   records */
	char		*target;		/* "deploymentTarget" */
	char		*base_image;		/* "baseImage" */
	char		*role_arn;		/* "roleArn"; NULL: none */
	size_t		 nic;
	struct dic	*ic;			/* "icList": components by name,
						   then adapters by name */
	unsigned	 ics, adapters;		/* "icCount", "adapterCount" */
	char		*ci_ic;			/* "ciIc": the component CI
						   validates (the first by name) */
	struct kvlist	 params;		/* "parameters": by name */
	enum dstatus	 status;		/* the last registration's */
	char		*notes;			/* the last registration's */
	char		*gen_version, *build_strategy;
	char		*registered;		/* "registeredAt": the last time */
	char		*first;			/* "firstRegisteredAt" */
	enum dtest	 test;			/* "testStatus" */
	char		*tested;		/* "testedAt"; NULL: never */
	size_t		 nhist;
	struct dhist	*hist;			/* "history", oldest first */
	char		*file;			/* read from; NULL: made here */
	int		 pooled;		/* private: the text fields of a
						   record from the cache point
						   into its set's pool
						   (deployment_own()) */
};

void	 deployment_free(struct deployment *);
/* Make a record's text fields its own, as a record must be before any of
 * them is changed or freed on its own. */
void	 deployment_own(struct deployment *);
/* Free what a registration holds, not the registration. */
void	 dhist_clear(struct dhist *);
/* Formats: a configId (16 lower-case hex digits); a UTC time
 * "2026-12-03T18:00:00Z"; a parameter or component name (letters,
 * digits, '_', '.', '-'; not starting with a digit). */
int	 deploy_id_ok(const char *);
int	 deploy_time_ok(const char *);
int	 deploy_param_name_ok(const char *);
/* "<architecture>-<backend>", lower case, split at the first '-' into
 * owned *arch and *backend (either may be NULL).  1, or 0 when config has
 * no such shape. */
int	 deploy_config_split(const char *config, char **arch, char **backend);
/* The key its id hashes. */
void	 deployment_key(const struct deployment *, struct deploykey *);

/*
 * A record from JSON text (named name in messages): strict JSON, known
 * keys only ("did you mean"), every type, enum and format checked, the
 * architecture and backend agreeing with deploymentConfig, the configId
 * agreeing with the fields (when region is present), secrets redacted
 * again.  file_id, when not NULL, is the id the file's name gives.  Every
 * problem reported at its place ("name:line:col: history[1].status:
 * ..."), exit 65.  Returns the record, or NULL after reporting.
 */
struct deployment *deployment_parse(const char *name, const char *text,
	    size_t len, const char *file_id);
/* The record as JSON (keys sorted).  The caller decrefs it.  export: the
 * exported form, without roleArn and region. */
json_t	*deployment_json(const struct deployment *, int exported);
/* The record as its file holds it: sorted keys, two-space indentation, a
 * final newline.  The caller frees it. */
char	*deployment_text(const struct deployment *);
/* Write DIR/<configId>.json atomically.  Returns 1, or 0 after reporting. */
int	 deployment_write(const char *dir, const struct deployment *);

/*
 * An import file: what gen deploy export prints ({"schemaVersion": 1,
 * "deployments": [record, ...]}), a JSON array of records, or one record.
 * Each record is checked as deployment_parse() checks it (a record
 * without region keeps its configId as given), two records with one
 * configId are an error, and secrets are redacted again.  The records go
 * into *out (by configId).  Returns 1, or 0 after reporting every problem
 * (exit 65).
 */
struct deployset;
int	 deploy_import_parse(const char *name, const char *text, size_t len,
	    struct deployset *out);

/* Every record of a folder, by configId. */
struct deployset {
	char		*dir;
	size_t		 n;
	struct deployment **d;
	char		*pool;		/* private: the cache's text */
};
/*
 * Every DIR/<configId>.json, checked, and no two keys colliding (a missing
 * folder is an empty set; a file whose name is no configId is an error).
 * Files unchanged since the state folder's cache was written are taken
 * from it; with write_cache (the caller holds the lock) the cache is
 * brought up to date.  NULL after reporting.
 */
struct deployset *deployset_load(const char *dir, int write_cache);
void	 deployset_free(struct deployset *);
/* The record with this id, or the one whose id id is a unique prefix of
 * (at least 4 hex digits).  NULL when none (*ambiguous set when several). */
const struct deployment *deployset_find(const struct deployset *,
	    const char *id, int *ambiguous);

/* ---- against the tested-configuration registries ---------------------- */

struct registries;
struct compat;

enum dverdict {
	DV_COMPATIBLE,		/* the framework version runs on the instance */
	DV_INCOMPATIBLE,	/* it does not (reason says why) */
	DV_UNKNOWN		/* no registries, or the framework or the
				   instance type is not in them */
};
extern const char *const dverdict_names[3];	/* "compatible", "incompatible", "unknown" */

struct dcheck {
	enum dverdict	 verdict;
	const struct framework *fw;	/* the backend's framework, or NULL */
	const struct fwversion *fwv;	/* the version judged: the one whose
					   baseImage is the record's, else the
					   default (newest) */
	const struct instance *inst;	/* or NULL */
	const struct model *model;	/* or NULL */
	char		*reason;	/* words; NULL when compatible */
	/* Stale references, each with the nearest known name (NULL: none):
	 * unknown_* set when the record names what the registries lack. */
	int		 unknown_fw, unknown_inst, unknown_model;
	const char	*near_fw, *near_inst, *near_model;
};
/* Judge one record (reg and cx may be NULL: DV_UNKNOWN, nothing stale). */
void	 deploy_check(const struct registries *, const struct compat *,
	    const struct deployment *, struct dcheck *);
void	 dcheck_clear(struct dcheck *);
/* Report the stale references of the records as warnings ("gen: warning:
 * deployments/ID.json: backend 'vlm' is not a framework of the
 * registries; did you mean 'vllm'?"), at most max of them (0: every one)
 * and then how many more.  Returns their number. */
size_t	 deploy_warn_stale(const struct registries *, const struct compat *,
	    const struct deployset *, size_t max);

/* ---- deploycmd.c -------------------------------------------------------- */

struct deploycmd {
	const char	*dir;		/* deployments/ */
	const char	*registries;	/* the registries folder (-r) */
	const char	*project;	/* --project: the project folder (".") */
	const char	*status;	/* --status */
	const char	*notes;		/* --notes */
	const char	*build_strategy;	/* --build-strategy */
	const char	*config, *model, *instance;	/* list filters */
	size_t		 nset;
	const char	**set;		/* --set FIELD=VALUE, in order */
	int		 json, ci, untested;
	int		 no_wait;	/* --no-wait */
	int		 import_mode;	/* 's'kip (default), 'm'erge, 'r'eplace */
	const char	*version;	/* gen's version, for the record */
};
/* gen deploy SUBCOMMAND ARG...: the exit status is left in gen_status;
 * returns 1 on success. */
int	 deploy_command(const struct deploycmd *, int argc, char **argv);

/* ---- deployout.c -------------------------------------------------------- */

struct outset;
/* site/deployments.json and site/schema/deployments.schema.json (copied
 * from tmpldir/schema/), each record with its verdict.  Returns 1, or 0
 * after reporting. */
int	 deploy_publish(const struct deployset *, const struct registries *,
	    const struct compat *, const char *tmpldir, struct outset *site);

#endif
