/*
 * cr.c - the container-registry listing: one JSON file per registry, in
 * the schema of AIOS's container-registry DB (cr.h).
 *
 * Every entry is checked as a whole, each problem at its place: the UUID,
 * the file name, the URL (http or https, a host, an optional port, no
 * credentials), the image prefix against the URL, the tags, the storage
 * information, unknown keys (with a suggestion), and values in metadata
 * and config that look like secrets (the listing is published).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "cr.h"
#include "jsonpos.h"

const char *const crstorage_names[CS__MAX] = { "s3", "object-store", "fs",
    "unknown" };
const char *const crtype_names[CT__MAX] = { "aios", "external" };

#define K_ID	"container_registry_id"
#define K_NAME	"container_registry_name"
#define K_META	"container_registry_metadata"
#define K_TAGS	"container_registry_tags"
#define K_URL	"container_registry_public_url"
#define K_PRE	"container_registry_image_prefix"
#define K_CONF	"container_registry_config"
#define K_STOR	"container_registry_storage_info"

static const char *const entry_keys[] = { K_ID, K_NAME, K_META, K_TAGS, K_URL,
    K_PRE, K_CONF, K_STOR, NULL };
static const char *const storage_keys[] = { "storage_type", "storage_size",
    "memory_size", "registry_type", NULL };

/* Bytes an entry file may have. */
#define CR_MAX_ENTRY	(1u << 20)

/* ---- pieces ------------------------------------------------------------- */

/* 8-4-4-4-12 lower-case hex digits. */
static int
uuid_ok(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t i, d = 0;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isdigit((unsigned char)s[i]) &&
		    (s[i] < 'a' || s[i] > 'f'))
			return 0;
	}
	return 1;
}

/* A host name (letters, digits, '-', '.'), an IPv4 address, or an IPv6
 * address in brackets. */
static int
host_ok(const char *h, size_t n)
{
	size_t i;

	if (n == 0 || n > 253)
		return 0;
	if (h[0] == '[')
		return n > 2 && h[n - 1] == ']' &&
		    strspn(h + 1, "0123456789abcdefABCDEF:.") == n - 2;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
			return 0;
	return h[0] != '-' && h[0] != '.' && h[n - 1] != '-' && h[n - 1] != '.';
}

/*
 * "http[s]://host[:port][/]": fills the entry's scheme, host and port.
 * Returns NULL, or what is wrong.
 */
static const char *
url_parse(struct crentry *e, const char *u)
{
	const char *h, *end, *colon;
	char *x;
	long port = 0;

	if (strncmp(u, "https://", 8) == 0)
		h = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		h = u + 7;
	else
		return "expected an http:// or https:// URL";
	end = h + strcspn(h, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0)
		return "expected no path, query or fragment after the host and "
		    "port";
	if (memchr(h, '@', (size_t)(end - h)) != NULL)
		return "credentials do not belong in a public URL";
	colon = h[0] == '[' ? memchr(h, ']', (size_t)(end - h)) : h;
	colon = colon ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
	if (colon != NULL) {
		if (colon + 1 == end || strspn(colon + 1, "0123456789") !=
		    (size_t)(end - colon - 1) || end - colon - 1 > 5 ||
		    (port = strtol(colon + 1, NULL, 10)) < 1 || port > 65535)
			return "the port must be a number from 1 to 65535";
	} else
		colon = end;
	if (!host_ok(h, (size_t)(colon - h)))
		return "expected a host name or an IP address after the scheme";
	e->scheme = xstrndup(u, (size_t)(strchr(u, ':') - u));
	x = xstrndup(h, (size_t)(colon - h));
	for (char *p = x; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	e->host = x;
	e->port = (unsigned)port;
	return NULL;
}

/* host[:port] as an image reference names the registry. */
static char *
url_authority(const struct crentry *e)
{
	return e->port ? xasprintf("%s:%u", e->host, e->port) :
	    xstrdup(e->host);
}

/* Tags: lower-case letters and digits, then also '.', '_', '-'. */
static int
tag_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || (!islower((unsigned char)*s) &&
	    !isdigit((unsigned char)*s)))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Does a key name a secret (password, token, ...)? */
static int
secret_key(const char *k)
{
	static const char *const words[] = { "password", "passwd", "secret",
	    "token", "api_key", "apikey", "private_key", "credential", NULL };
	char *low = xstrdup(k), *p;
	size_t i;
	int hit = 0;

	for (p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; words[i] != NULL && !hit; i++)
		hit = strstr(low, words[i]) != NULL;
	free(low);
	return hit;
}

/* metadata and config: objects of anything, but no text under a key that
 * names a secret, at any depth. */
static void
check_free_object(struct check *c, const struct ynode *n, const char *path)
{
	char *p;
	size_t i;

	if (n->kind == Y_SEQ)
		for (i = 0; i < n->n; i++)
			check_free_object(c, n->items[i], path);
	if (n->kind != Y_MAP)
		return;
	for (i = 0; i < n->n; i++) {
		p = path_join(path, n->keys[i]->str);
		if (secret_key(n->keys[i]->str) && n->items[i]->kind ==
		    Y_SCALAR && yscalar_is_str(n->items[i]) && n->items[i]->len)
			check_bad(c, n->items[i], p, "looks like a secret; the "
			    "listing is published: keep credentials out of it "
			    "(name the variable that holds them instead)");
		check_free_object(c, n->items[i], p);
		free(p);
	}
}

/* A whole number of MB, or -1. */
static long long
get_size(struct check *c, const struct ynode *n, const char *path)
{
	long long v;
	char *end;

	if (n->kind != Y_SCALAR || strcmp(ynode_what(n), "an integer") != 0) {
		check_bad(c, n, path, "expected a whole number of MB (or -1), "
		    "got %s%s%s", ynode_what(n), n->kind == Y_SCALAR &&
		    !yscalar_is_null(n) ? ": " : "", n->kind == Y_SCALAR &&
		    !yscalar_is_null(n) ? shown(n->str) : "");
		return -1;
	}
	errno = 0;
	v = strtoll(n->str, &end, 10);
	if (errno != 0 || *end != '\0' || v < -1 || v > (1LL << 50)) {
		check_bad(c, n, path, "%s: expected a number of MB from 0, or -1 "
		    "(unlimited or unknown)", n->str);
		return -1;
	}
	return v;
}

static void
parse_storage(struct check *c, struct crentry *e, const struct ynode *n)
{
	const struct ynode *v;
	int t;

	if (!check_kind(c, n, K_STOR, Y_MAP))
		return;
	check_keys(c, n, K_STOR, storage_keys);
	for (t = 0; storage_keys[t] != NULL; t++)
		if (ymap_get(n, storage_keys[t]) == NULL)
			check_bad(c, n, K_STOR, "missing required key '%s'",
			    storage_keys[t]);
	if ((v = ymap_get(n, "storage_type")) != NULL &&
	    (t = check_enum(c, v, K_STOR ".storage_type", crstorage_names,
	    CS__MAX)) >= 0)
		e->storage = (enum crstorage)t;
	if ((v = ymap_get(n, "registry_type")) != NULL &&
	    (t = check_enum(c, v, K_STOR ".registry_type", crtype_names,
	    CT__MAX)) >= 0)
		e->type = (enum crtype)t;
	if ((v = ymap_get(n, "storage_size")) != NULL)
		e->storage_size = get_size(c, v, K_STOR ".storage_size");
	if ((v = ymap_get(n, "memory_size")) != NULL)
		e->memory_size = get_size(c, v, K_STOR ".memory_size");
}

static void
parse_tags(struct check *c, struct crentry *e, const struct ynode *n)
{
	const struct ynode *t;
	char *p;
	size_t i, j;

	if (!check_kind(c, n, K_TAGS, Y_SEQ))
		return;
	e->tags = xcalloc(n->n + 1, sizeof(*e->tags));
	for (i = 0; i < n->n; i++) {
		t = n->items[i];
		p = xasprintf(K_TAGS "[%zu]", i);
		if (!check_str(c, t, p, "a tag"))
			goto next;
		if (!tag_ok(t->str)) {
			check_bad(c, t, p, "%s is not a tag: lower-case letters and "
			    "digits, then also '.', '_' or '-' (at most 64)",
			    shown(t->str));
			goto next;
		}
		for (j = 0; j < e->ntags; j++)
			if (strcmp(e->tags[j], t->str) == 0)
				break;
		if (j < e->ntags)
			check_bad(c, t, p, "%s is listed twice", shown(t->str));
		else
			e->tags[e->ntags++] = xstrdup(t->str);
next:
		free(p);
	}
}

/* A one-line text field: the text (owned), or NULL (reported). */
static char *
get_line(struct check *c, const struct ynode *n, const char *path,
    size_t max)
{
	if (!check_str(c, n, path, "a string"))
		return NULL;
	if (strlen(n->str) != n->len || !text_clean(n->str, 1)) {
		check_bad(c, n, path, "%s contains a control character; this "
		    "value is one line of text", shown(n->str));
		return NULL;
	}
	if (n->len == 0 || n->len > max) {
		check_bad(c, n, path, n->len ? "longer than %zu characters" :
		    "must not be empty", max);
		return NULL;
	}
	return xstrdup(n->str);
}

static void
parse_url(struct check *c, struct crentry *e, const struct ynode *root)
{
	const struct ynode *u = ymap_get(root, K_URL), *p = ymap_get(root, K_PRE);
	const char *why;
	char *auth;
	size_t n;

	if (u == NULL || (e->url = get_line(c, u, K_URL, 2048)) == NULL)
		return;
	if ((why = url_parse(e, e->url)) != NULL) {
		check_bad(c, u, K_URL, "%s: %s", shown(e->url), why);
		return;
	}
	auth = url_authority(e);
	/* Docker Hub's API answers at registry-1.docker.io; its images are
	 * named docker.io/... */
	if (strcmp(auth, "registry-1.docker.io") == 0) {
		free(auth);
		auth = xstrdup("docker.io");
	}
	if (p == NULL)
		e->prefix = xstrdup(auth);	/* what the URL says */
	else if ((e->prefix = get_line(c, p, K_PRE, 512)) != NULL) {
		n = strlen(auth);
		if (strncasecmp(e->prefix, auth, n) != 0 || (e->prefix[n] != '\0' &&
		    e->prefix[n] != '/'))
			check_bad(c, p, K_PRE, "%s does not agree with the public "
			    "URL: images in this registry are named %s/...",
			    shown(e->prefix), auth);
	}
	free(auth);
}

/* Check an entry's tree (root) into e.  Returns 1, or 0 after reporting. */
static int
parse_tree(struct check *c, struct crentry *e, const struct ynode *root,
    const char *file_id)
{
	const struct ynode *n;

	if (!check_kind(c, root, "", Y_MAP))
		return 0;
	check_keys(c, root, "", entry_keys);
	if ((n = ymap_get(root, K_ID)) != NULL)
		e->id_pos = n->pos;
	if (n != NULL && (e->id = get_line(c, n, K_ID, 64)) != NULL &&
	    !uuid_ok(e->id))
		check_bad(c, n, K_ID, "%s is not a UUID such as "
		    "\"b3c38f52-8f2e-43a3-9aa9-bd9a4c75e509\" (lower-case hex)",
		    shown(e->id));
	if (file_id != NULL && e->id != NULL && strcmp(e->id, file_id) != 0)
		check_bad(c, n, K_ID, "%s differs from the file's name (%s.json): "
		    "an entry's file is named by its id", shown(e->id), file_id);
	if (file_id != NULL && n == NULL)
		check_bad(c, root, "", "missing required key '" K_ID "'");
	if ((n = ymap_get(root, K_NAME)) == NULL)
		check_bad(c, root, "", "missing required key '" K_NAME "'");
	else {
		e->name = get_line(c, n, K_NAME, 256);
		e->name_pos = n->pos;
	}
	if (ymap_get(root, K_URL) == NULL)
		check_bad(c, root, "", "missing required key '" K_URL "'");
	parse_url(c, e, root);
	if ((n = ymap_get(root, K_TAGS)) != NULL)
		parse_tags(c, e, n);
	e->metadata = json_object();
	e->config = json_object();
	if ((n = ymap_get(root, K_META)) != NULL && check_kind(c, n, K_META,
	    Y_MAP)) {
		check_free_object(c, n, K_META);
		json_decref(e->metadata);
		e->metadata = ynode_to_json(n);
	}
	if ((n = ymap_get(root, K_CONF)) != NULL && check_kind(c, n, K_CONF,
	    Y_MAP)) {
		check_free_object(c, n, K_CONF);
		json_decref(e->config);
		e->config = ynode_to_json(n);
	}
	e->storage = CS_UNKNOWN;
	e->type = CT_EXTERNAL;
	e->storage_size = e->memory_size = -1;
	if ((n = ymap_get(root, K_STOR)) == NULL)
		check_bad(c, root, "", "missing required key '" K_STOR "'");
	else
		parse_storage(c, e, n);
	return c->ok;
}

/* An entry from a tree; NULL after reporting. */
static struct crentry *
cr_from_tree(const char *name, const struct ynode *root, const char *file_id)
{
	struct crentry *e = xcalloc(1, sizeof(*e));
	struct check c;

	check_init(&c);
	parse_tree(&c, e, root, file_id);
	if (!check_end(&c, name)) {
		crentry_free(e);
		return NULL;
	}
	return e;
}

struct crentry *
cr_parse(const char *name, const char *text, size_t len, const char *file_id)
{
	struct ynode *root;
	struct crentry *e;

	if ((root = jsonpos_load(name, text, len)) == NULL)
		return NULL;
	e = cr_from_tree(name, root, file_id);
	ynode_free(root);
	return e;
}

/* Free what an entry holds, not the entry. */
static void
crentry_clear(struct crentry *e)
{
	size_t i;

	free(e->id);
	free(e->name);
	json_decref(e->metadata);
	for (i = 0; i < e->ntags; i++)
		free(e->tags[i]);
	free(e->tags);
	free(e->url);
	free(e->prefix);
	json_decref(e->config);
	free(e->scheme);
	free(e->host);
	free(e->file);
}

void
crentry_free(struct crentry *e)
{
	if (e == NULL)
		return;
	crentry_clear(e);
	free(e);
}

/* ---- the folder ---------------------------------------------------------- */

/*
 * The listing's cache (a state file, CR cache): one line per entry file
 * that passed every check, with its identity (size, mtime, inode), so that
 * an unchanged file is not parsed and checked again:
 *   FILE \t IDENTITY \t ID \t NAME \t URL \t PREFIX \t TAG,TAG \t
 *   STORAGE \t STORAGE_SIZE \t MEMORY_SIZE \t TYPE \t METADATA \t CONFIG
 * (metadata and config as compact JSON; no checked value holds a tab or a
 * newline, and tags hold no comma).  Anything unexpected in it and the
 * file is read again: the cache costs only time.
 */
#define CR_CACHE_MAGIC	"gen-crcache 1\n"

struct ldctx {
	const char	*dir;
	struct dlist	*d;
	struct crentry	**e;		/* per file; NULL when refused */
	char		*bad;		/* per file: 1 when refused */
	char		(*ident)[96];	/* per file */
	char		*parsed;	/* per file: read and checked, not cached */
	struct lcache	 cache;
};

/* A whole number field of a cache line. */
static int
cache_num(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

/* An entry from its cache line (IDENTITY onwards), or NULL. */
static struct crentry *
from_cache(const char *line, const char *ident)
{
	char *copy = xstrdup(line), *f[12], *p = copy, *t;
	struct crentry *e = NULL;
	long long v[4];
	size_t n = 0;

	while (n < 12 && (f[n++] = strsep(&p, "\t")) != NULL && p != NULL)
		continue;
	if (n != 12 || p != NULL || strcmp(f[0], ident) != 0)
		goto out;
	if (!cache_num(f[6], &v[0]) || !cache_num(f[7], &v[1]) ||
	    !cache_num(f[8], &v[2]) || !cache_num(f[9], &v[3]) ||
	    v[0] < 0 || v[0] >= CS__MAX || v[3] < 0 || v[3] >= CT__MAX)
		goto out;
	e = xcalloc(1, sizeof(*e));
	e->id = xstrdup(f[1]);
	e->name = xstrdup(f[2]);
	e->url = xstrdup(f[3]);
	e->prefix = xstrdup(f[4]);
	e->tags = xcalloc(strlen(f[5]) / 2 + 2, sizeof(*e->tags));
	for (p = f[5]; *f[5] && (t = strsep(&p, ",")) != NULL; )
		e->tags[e->ntags++] = xstrdup(t);
	e->storage = (enum crstorage)v[0];
	e->storage_size = v[1];
	e->memory_size = v[2];
	e->type = (enum crtype)v[3];
	e->metadata = json_loads(f[10], 0, NULL);
	e->config = json_loads(f[11], 0, NULL);
	if (url_parse(e, e->url) != NULL || !json_is_object(e->metadata) ||
	    !json_is_object(e->config)) {
		crentry_free(e);
		e = NULL;
	}
out:
	free(copy);
	return e;
}

static void
load_one(void *arg, size_t i, int worker)
{
	struct ldctx *x = arg;
	const char *f = x->d->e[i].name;
	char *line;
	size_t n = strlen(f);
	struct buf b = { 0 };
	struct stat st;
	char *path, *id;

	(void)worker;
	if (n < 6 || strcmp(f + n - 5, ".json") != 0 || f[0] == '.')
		return;
	path = xasprintf("%s/%s", x->dir, f);
	if (fstatat(x->d->fd, f, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		stat_identity(&st, x->ident[i]);
		if ((line = lcache_find(&x->cache, f)) != NULL &&
		    (x->e[i] = from_cache(line, x->ident[i])) != NULL) {
			x->e[i]->file = xstrdup(path);
			free(path);
			return;
		}
	}
	x->parsed[i] = 1;
	id = xstrndup(f, n - 5);
	if (!read_file_max(path, &b, CR_MAX_ENTRY))
		x->bad[i] = 1;
	else if ((x->e[i] = cr_parse(intern(path), b.s, b.len, id)) == NULL)
		x->bad[i] = 1;
	else
		x->e[i]->file = xstrdup(path);
	buf_free(&b);
	free(id);
	free(path);
}

/* One entry's cache line. */
static void
cache_line(struct buf *b, const char *file, const char *ident,
    const struct crentry *e)
{
	char *m = json_dumps(e->metadata, JSON_COMPACT | JSON_SORT_KEYS);
	char *c = json_dumps(e->config, JSON_COMPACT | JSON_SORT_KEYS);
	size_t i;

	buf_printf(b, "%s\t%s\t%s\t%s\t%s\t%s\t", file, ident, e->id, e->name,
	    e->url, e->prefix);
	for (i = 0; i < e->ntags; i++)
		buf_printf(b, "%s%s", i ? "," : "", e->tags[i]);
	buf_printf(b, "\t%d\t%lld\t%lld\t%d\t%s\t%s\n", (int)e->storage,
	    e->storage_size, e->memory_size, (int)e->type, m, c);
	free(m);
	free(c);
}

/* Write the cache (a failure only costs time next run). */
static void
cache_write(const char *path, const struct ldctx *x)
{
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, CR_CACHE_MAGIC);
	for (i = 0; i < x->d->n; i++)
		if (x->e[i] != NULL && x->ident[i][0] != '\0')
			cache_line(&b, x->d->e[i].name, x->ident[i], x->e[i]);
	lcache_write(path, &b);
	buf_free(&b);
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct crentry *)a)->id,
	    ((const struct crentry *)b)->id);
}

static const struct crlist *name_list;	/* for by_name (qsort) */

static int
by_name(const void *a, const void *b)
{
	const struct crentry *x = &name_list->e[*(const size_t *)a];
	const struct crentry *y = &name_list->e[*(const size_t *)b];
	int c = strcasecmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* Names are unique, case-insensitively (ids are, by their files): sorted
 * by name, neighbours compared. */
static int
names_unique(const struct crlist *l)
{
	size_t *ix = xcalloc(l->n + 1, sizeof(*ix)), i;
	const struct crentry *a, *b;
	int ok = 1;

	for (i = 0; i < l->n; i++)
		ix[i] = i;
	name_list = l;
	qsort(ix, l->n, sizeof(*ix), by_name);
	name_list = NULL;
	for (i = 1; i < l->n; i++) {
		a = &l->e[ix[i - 1]];
		b = &l->e[ix[i]];
		if (strcasecmp(a->name, b->name) == 0) {
			diag(EXIT_DATAERR, NULL, "%s: " K_NAME ": \"%s\" is also "
			    "the name of %s", b->file, b->name, a->file);
			ok = 0;
		}
	}
	free(ix);
	return ok;
}

struct crlist *
cr_load(const char *dir, int write_cache)
{
	struct crlist *l = xcalloc(1, sizeof(*l));
	struct dlist d;
	struct ldctx x;
	char *cpath = out_state_path("crcache", dir);
	size_t i, nparsed = 0;
	int ok = 1;

	memset(&x, 0, sizeof(x));
	x.dir = dir;
	x.d = &d;
	l->dir = xstrdup(dir);
	if (!dir_list(dir, &d)) {
		free(cpath);
		if (errno == ENOENT)
			return l;
		diag_errno(dir, 0, "cannot read the folder");
		crlist_free(l);
		return NULL;
	}
	lcache_read(&x.cache, cpath, CR_CACHE_MAGIC);
	x.e = xcalloc(d.n + 1, sizeof(*x.e));
	x.bad = xcalloc(d.n + 1, 1);
	x.parsed = xcalloc(d.n + 1, 1);
	x.ident = xcalloc(d.n + 1, sizeof(*x.ident));
	pool_run(d.n, 0, load_one, &x);
	for (i = 0; i < d.n; i++) {
		ok = ok && !x.bad[i];
		nparsed += x.parsed[i];
	}
	if (ok && write_cache && (nparsed > 0 || x.cache.n != d.n))
		cache_write(cpath, &x);
	l->e = xcalloc(d.n + 1, sizeof(*l->e));
	for (i = 0; i < d.n; i++)
		if (x.e[i] != NULL) {
			l->e[l->n++] = *x.e[i];
			free(x.e[i]);
		}
	dlist_free(&d);
	free(x.e);
	free(x.bad);
	free(x.parsed);
	free(x.ident);
	lcache_free(&x.cache);
	free(cpath);
	qsort(l->e, l->n, sizeof(*l->e), by_id);
	if (!ok || !names_unique(l)) {
		crlist_free(l);
		return NULL;
	}
	return l;
}

void
crlist_free(struct crlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		crentry_clear(&l->e[i]);
	free(l->e);
	free(l->dir);
	free(l);
}

const struct crentry *
cr_find(const struct crlist *l, const char *id)
{
	struct crentry key = { 0 };

	key.id = (char *)id;
	return bsearch(&key, l->e, l->n, sizeof(*l->e), by_id);
}

json_t *
cr_json(const struct crentry *e)
{
	json_t *o = json_object(), *tags = json_array();
	size_t i;

	for (i = 0; i < e->ntags; i++)
		json_array_append_new(tags, json_string(e->tags[i]));
	json_object_set_new(o, K_ID, json_string(e->id ? e->id : ""));
	json_object_set_new(o, K_NAME, json_string(e->name));
	json_object_set(o, K_META, e->metadata);
	json_object_set_new(o, K_TAGS, tags);
	json_object_set_new(o, K_URL, json_string(e->url));
	json_object_set_new(o, K_PRE, json_string(e->prefix));
	json_object_set(o, K_CONF, e->config);
	json_object_set_new(o, K_STOR, json_pack("{s:s, s:I, s:I, s:s}",
	    "storage_type", crstorage_names[e->storage], "storage_size",
	    (json_int_t)e->storage_size, "memory_size",
	    (json_int_t)e->memory_size, "registry_type", crtype_names[e->type]));
	return o;
}

/* The entry as its file holds it: sorted keys, two spaces, a newline. */
char *
cr_text(const struct crentry *e)
{
	json_t *j = cr_json(e);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(17)), *t;

	json_decref(j);
	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

int
cr_write(const char *dir, const struct crentry *e)
{
	char *text = cr_text(e), *path = xasprintf("%s/%s.json", dir, e->id);
	int ok = mkdir_p(dir) && write_atomic(path, text, strlen(text));

	free(path);
	free(text);
	return ok;
}

size_t
cr_ref_registry(const char *ref)
{
	size_t n = strcspn(ref, "/");

	if (ref[n] != '/' || n == 0)
		return 0;
	/* As docker reads it: the first part names a registry when it holds
	 * a '.' or a ':' or is localhost. */
	if (memchr(ref, '.', n) == NULL && memchr(ref, ':', n) == NULL &&
	    !(n == 9 && strncmp(ref, "localhost", 9) == 0))
		return 0;
	return n;
}

const struct crentry *
cr_for_registry(const struct crlist *l, const char *registry, size_t n)
{
	const char *p;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if ((p = l->e[i].prefix) == NULL)
			continue;
		if (strcspn(p, "/") == n && strncasecmp(p, registry, n) == 0)
			return &l->e[i];
	}
	return NULL;
}
