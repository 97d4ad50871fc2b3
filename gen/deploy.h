/*
 * deploy.h - the deployment registry (issue 10, in progress): what is
 * deployed where, one JSON file per configuration under deployments/.
 * This part is the foundation the commands stand on (deploy.c): the
 * configId ML Container Creator's CI table uses, redaction of secrets, and
 * the reader of a project's do/config, which is never run by a shell.
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

#endif
