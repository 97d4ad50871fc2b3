/*
 * cr.h - the container-registry listing: AIOS's container-registry DB as
 * one JSON file per registry (cr.c), its query and update language
 * (crquery.c), its health checks and image listings over the OCI
 * distribution API and the last results (health.c, libcurl), and what is
 * published (crout.c).  The gen cr commands are in main.c.
 *
 * Ownership as in gen.h: crlist_free() frees every entry it holds.
 */
#ifndef CR_H
#define CR_H

#include "gen.h"

/* Where the entries live, relative to the repository. */
#define CR_DIR		"registries/container-registries"
/* The last health results (written by gen cr health --write, read by the
 * build when present, never created by it). */
#define CR_HEALTH_FILE	"registries/container-registries-health.json"

enum crstorage { CS_S3, CS_OBJECT_STORE, CS_FS, CS_UNKNOWN, CS__MAX };
extern const char *const crstorage_names[CS__MAX];	/* "s3", "object-store", "fs", "unknown" */
enum crtype { CT_AIOS, CT_EXTERNAL, CT__MAX };
extern const char *const crtype_names[CT__MAX];	/* "aios", "external" */

/* One registry: the reference's container_registry_* fields. */
struct crentry {
	char		*id;		/* container_registry_id: a UUID, lower case */
	char		*name;		/* container_registry_name */
	json_t		*metadata;	/* container_registry_metadata: an object */
	size_t		 ntags;
	char		**tags;		/* container_registry_tags: lower case, unique */
	char		*url;		/* container_registry_public_url */
	char		*prefix;	/* container_registry_image_prefix */
	json_t		*config;	/* container_registry_config: an object */
	enum crstorage	 storage;	/* container_registry_storage_info: */
	long long	 storage_size;	/*   MB, or -1 */
	long long	 memory_size;	/*   MB, or -1 */
	enum crtype	 type;
	/* public_url, parsed */
	char		*scheme;	/* "http" or "https" */
	char		*host;		/* as written ("[::1]" keeps its brackets) */
	unsigned	 port;		/* 0: the scheme's default */
	char		*file;		/* the file it was read from, or NULL */
	struct pos	 id_pos, name_pos;	/* where they were read (0: from
					   the cache) */
};

struct crlist {
	char		*dir;
	size_t		 n;
	struct crentry	*e;		/* by id */
};

/*
 * One entry from JSON text (named name in messages): every problem
 * reported at its place ("name:line:col: container_registry_tags[2]:
 * ..."), exit 65.  file_id, when not NULL, is the id the file's name
 * gives, which the entry's id must equal.  Returns the entry, or NULL
 * after reporting.
 */
struct crentry	*cr_parse(const char *name, const char *text, size_t len,
		    const char *file_id);
void		 crentry_free(struct crentry *);
/* Every DIR/<id>.json, checked, and names and ids unique across them
 * (a missing folder is an empty listing).  Files unchanged since the
 * state folder's cache was written are taken from it; with write_cache
 * (the caller holds the lock) the cache is brought up to date.  NULL
 * after reporting. */
struct crlist	*cr_load(const char *dir, int write_cache);
void		 crlist_free(struct crlist *);
const struct crentry *cr_find(const struct crlist *, const char *id);
/* The entry as the reference's JSON object (keys sorted). */
json_t		*cr_json(const struct crentry *);
/* The length of the registry part of an image reference ("ghcr.io" of
 * "ghcr.io/org/x:tag"), as docker reads it: the part before the first
 * '/' when it holds a '.' or a ':' or is localhost; 0 when the reference
 * names no registry (Docker Hub's short names). */
size_t		 cr_ref_registry(const char *ref);
/* The entry whose image prefix's host part is registry (its first n
 * bytes, host[:port]), compared case-insensitively; or NULL. */
const struct crentry *cr_for_registry(const struct crlist *,
		    const char *registry, size_t n);
/* The entry as its file holds it (keys sorted, two-space indentation, a
 * final newline).  The caller frees it. */
char		*cr_text(const struct crentry *);
/* Write DIR/<id>.json atomically: sorted keys, two-space indentation, a
 * final newline.  Returns 1, or 0 after reporting. */
int		 cr_write(const char *dir, const struct crentry *);

/* ---- crquery.c: the query and update language ------------------------ */

/*
 * A filter, as the reference's POST /container_registries takes it, and
 * checked before anything is evaluated: field paths (dotted, into
 * metadata, config and storage_info) map to a value (equality; on a list,
 * membership) or to an object of operators: $in, $all, $exists, $ne.  Any
 * other operator ($where, $regex, $gt, ...) is an error naming its place,
 * and is never evaluated.  Returns the filter, or NULL after reporting.
 */
struct crfilter;
struct crfilter	*crfilter_parse(const char *name, const char *text, size_t len);
void		 crfilter_free(struct crfilter *);
int		 crfilter_match(const struct crfilter *, const struct crentry *);
/* A patch: {"$set": {...}} or a plain partial object of top-level fields.
 * Applied to a copy of the entry and the result checked as a whole: the
 * new entry, or NULL after reporting (an operator other than $set, a '$'
 * key inside the values, an id that changes). */
struct crentry	*cr_patch(const struct crentry *, const char *name,
		    const char *text, size_t len);

/* ---- health.c: the OCI distribution API, through libcurl -------------- */

struct crnet {
	const char	*cacert;	/* NULL: the system's CA store */
	long		 timeout_ms;	/* per request, connection included */
	int		 jobs;		/* checks at once; 0: all */
};

/* A health check: GET {public_url}/v2/. */
struct crhealth {
	int		 healthy;	/* 200, or 401 with a WWW-Authenticate challenge */
	long		 status;	/* HTTP status; 0 when there was no answer */
	int		 api_v2;	/* Docker-Distribution-API-Version: registry/2.0 */
	double		 ms;		/* latency */
	char		*reason;	/* "ok", "auth required", "HTTP 404: not an OCI
					   registry", "TLS: ...", "refused", "timeout" ... */
};
void		 crhealth_clear(struct crhealth *);
/* Check n registries at once, each bounded by the timeout; out[i] for
 * e[i].  Returns the number unhealthy. */
size_t		 cr_health(const struct crentry *const *e, size_t n,
		    const struct crnet *, struct crhealth *out);
/* Repositories and their tags through /v2/_catalog and
 * /v2/<name>/tags/list, following Link pagination: {"name": ["tag", ...]}
 * (new reference), or NULL after reporting (EXIT_UNAVAILABLE, 69). */
json_t		*cr_images(const struct crentry *, const struct crnet *);
/* Every tag of images.json (generated/) whose registry is listed exists
 * there (HEAD on its manifest).  Prints each missing one; returns their
 * number, or -1 after reporting. */
long		 cr_verify_images(const struct crlist *, const char *images_json,
		    const struct crnet *);
/* Health results, one line per registry in aligned columns ("healthy|
 * UNHEALTHY  ID  NAME  URL  STATUS  LATENCY ms  REASON"), or with json the
 * envelope {"success": true, "data": [{container_registry_id, _name,
 * public_url, healthy, status, apiVersion, latencyMs, reason}]}.  Untrusted
 * text escaped.  1, or 0 when the stream failed. */
int		 cr_health_print(FILE *, const struct crentry *const *e, size_t n,
		    const struct crhealth *h, int json);
/* cr_images()'s result: "name:tag" a line (names sorted), or with json the
 * envelope.  1, or 0 when the stream failed. */
int		 cr_images_print(FILE *, json_t *images, int json);

/*
 * The last health results: CR_HEALTH_FILE, written by gen cr health
 * --write, in the form
 *   {"schemaVersion": 1, "checkedAt": "2026-12-03T16:00:00Z",
 *    "results": {"<id>": {"healthy": true, "status": 200,
 *      "apiVersion": "registry/2.0" or null, "latencyMs": 12.3,
 *      "reason": "ok", "checkedAt": "..."}}}
 * (keys sorted, two-space indentation; results of ids not checked this
 * time are kept, those of ids no longer listed dropped).
 */
struct crlast {
	char		*id;
	int		 healthy;
	long		 status;
	int		 api_v2;
	double		 ms;
	char		*reason;
	char		*checked_at;
};
struct crlastset {
	size_t		 n;
	struct crlast	*r;		/* by id */
};
int		 cr_health_write(const char *path, const struct crlist *,
		    const struct crentry *const *e, size_t n,
		    const struct crhealth *h, long long when);
/* 1 with *out set (NULL when the file does not exist), or 0 after
 * reporting a file that is not what cr_health_write writes. */
int		 cr_health_read(const char *path, struct crlastset **out);
void		 crlastset_free(struct crlastset *);
const struct crlast *crlast_find(const struct crlastset *, const char *id);

/* ---- crcmd.c: the gen cr commands -------------------------------------- */

struct crcmd {
	const char	*dir;		/* the entries' folder */
	const char	*health_file;
	const char	*generated;	/* for verify-images */
	struct crnet	 net;
	int		 json, check, write;
};
/* gen cr SUBCOMMAND ARG...: 1, or 0 with gen_status set. */
int		 cr_command(const struct crcmd *, int argc, char **argv);
/* Every registry the matrix's tags push to is listed (by host[:port] or
 * image prefix), when the listing has entries.  1, or 0 after reporting. */
struct manifest;
struct matrix;
int		 cr_check_manifest(const struct crlist *, const struct manifest *,
		    const struct matrix *);

/* ---- crout.c: what is published --------------------------------------- */

struct outset;
/* site/api/container_registry/<id>.json, site/api/container_registries.json,
 * site/api/container_registries/tags/<tag>.json and their schemas (from
 * tmpldir/schema/), with the last health results when there are any.
 * Returns 1, or 0 after reporting. */
int		 cr_publish(const struct crlist *, const struct crlastset *,
		    const char *tmpldir, struct outset *site);

#endif
