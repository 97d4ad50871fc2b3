/*
 * sign.c - Ed25519 keys, signatures and their checks (sign.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "index.h"
#include "jsonpos.h"
#include "sign.h"

struct signkey {
	EVP_PKEY	*pkey;
	int		 private;
};

/* OpenSSL's last error in words, for a message (static text). */
static const char *
ssl_why(void)
{
	static _Thread_local char why[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "not a PEM key";
	ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	return why;
}

struct signkey *
signkey_load(const char *path, int private)
{
	struct signkey *k;
	struct buf b = { 0 };
	EVP_PKEY *p;
	BIO *bio;

	if (!read_file_max(path, &b, SIGN_MAX_KEY))
		return NULL;
	if ((bio = BIO_new_mem_buf(b.s, (int)b.len)) == NULL) {
		buf_free(&b);
		diag(EXIT_IOERR, NULL, "%s: out of memory", path);
		return NULL;
	}
	p = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	/* The key's text is no longer needed: clear it. */
	OPENSSL_cleanse(b.s, b.len);
	buf_free(&b);
	if (p == NULL) {
		diag(EXIT_DATAERR, NULL, "%s: not a PEM %s key (%s)", path,
		    private ? "private" : "public", ssl_why());
		return NULL;
	}
	if (EVP_PKEY_get_base_id(p) != EVP_PKEY_ED25519) {
		diag(EXIT_DATAERR, NULL, "%s: an %s key; gen signs with Ed25519 "
		    "(openssl genpkey -algorithm ed25519)", path,
		    EVP_PKEY_get0_type_name(p) ? EVP_PKEY_get0_type_name(p) :
		    "unknown");
		EVP_PKEY_free(p);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = p;
	k->private = private;
	return k;
}

void
signkey_free(struct signkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

char *
signkey_public_pem(const struct signkey *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (bio != NULL && PEM_write_bio_PUBKEY(bio, k->pkey) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0)
		pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	if (pem == NULL)
		xoom();
	return pem;
}

int
sign_bytes(const struct signkey *k, const void *p, size_t n,
    unsigned char sig[SIGN_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t len = SIGN_LEN;
	int ok;

	ok = c != NULL && k->private &&
	    EVP_DigestSignInit(c, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(c, sig, &len, p, n) == 1 && len == SIGN_LEN;
	EVP_MD_CTX_free(c);
	if (!ok)
		diag(EXIT_IOERR, NULL, "signing failed (%s)", ssl_why());
	return ok;
}

int
sign_check(const struct signkey *k, const void *p, size_t n,
    const unsigned char *sig, size_t len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	ok = c != NULL && len == SIGN_LEN &&
	    EVP_DigestVerifyInit(c, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestVerify(c, sig, len, p, n) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok;
}

/* ---- the release file ------------------------------------------------------- */

/* Does dir/name's signature dir/name.sig hold?  1, 0 (reported), -1 (an
 * I/O error, reported). */
static int
sig_holds(const char *dir, const char *name, const struct signkey *k)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *spath = xasprintf("%s.sig", path);
	struct buf b = { 0 }, s = { 0 };
	int r = -1;

	if (!read_file_max(path, &b, GEN_MAX_INDEX) ||
	    !read_file_max(spath, &s, 4096))
		goto out;
	r = sign_check(k, b.s, b.len, (unsigned char *)s.s, s.len);
	if (!r)
		fprintf(stderr, "gen: verify: %s does not sign %s with this key\n",
		    spath, path);
out:
	buf_free(&b);
	buf_free(&s);
	free(spath);
	free(path);
	return r;
}

struct relfile {
	char		*path;
	char		 sha256[65];
	unsigned long long size;
	struct pos	 pos;
};

static int
relfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct relfile *)a)->path,
	    ((const struct relfile *)b)->path);
}

/* A listed path: relative, no "..", no empty or dot segments. */
static int
rel_path_ok(const char *p)
{
	const char *s;

	if (*p == '\0' || *p == '/' || strlen(p) > 4096)
		return 0;
	for (s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\')
			return 0;
	for (s = p; s != NULL; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
		if (s[0] == '/' || s[0] == '\0' || (s[0] == '.' && (s[1] == '/' ||
		    s[1] == '\0' || (s[1] == '.' && (s[2] == '/' || s[2] == '\0')))))
			return 0;
	return 1;
}

/* The release file's list; NULL after reporting (65). */
static struct relfile *
release_parse(const char *name, const char *text, size_t len, size_t *n)
{
	struct ynode *root = jsonpos_load(name, text, len);
	const struct ynode *v, *f, *e;
	struct relfile *r = NULL;
	char *end;
	size_t i;
	int ok = 1;

	*n = 0;
	if (root == NULL)
		return NULL;
	if (root->kind != Y_MAP || (v = ymap_get(root, "schemaVersion")) == NULL ||
	    v->kind != Y_SCALAR || strcmp(v->str, "1") != 0 ||
	    (f = ymap_get(root, "files")) == NULL || f->kind != Y_SEQ) {
		diag(EXIT_DATAERR, &root->pos, "not a release file: expected "
		    "{\"schemaVersion\": 1, \"files\": [...]}");
		ynode_free(root);
		return NULL;
	}
	r = xcalloc(f->n + 1, sizeof(*r));
	for (i = 0; i < f->n; i++) {
		e = f->items[i];
		const struct ynode *p = e->kind == Y_MAP ? ymap_get(e, "path") : NULL;
		const struct ynode *h = e->kind == Y_MAP ? ymap_get(e, "sha256") : NULL;
		const struct ynode *z = e->kind == Y_MAP ? ymap_get(e, "size") : NULL;

		if (p == NULL || h == NULL || z == NULL || p->kind != Y_SCALAR ||
		    h->kind != Y_SCALAR || z->kind != Y_SCALAR ||
		    !yscalar_is_str(p) || !rel_path_ok(p->str) ||
		    strlen(h->str) != 64 || strspn(h->str,
		    "0123456789abcdef") != 64 || strcmp(ynode_what(z),
		    "an integer") != 0 || z->str[0] == '-') {
			diag(EXIT_DATAERR, &e->pos, "files[%zu]: expected {\"path\": "
			    "a relative path, \"sha256\": 64 lower-case hex digits, "
			    "\"size\": bytes}", i);
			ok = 0;
			continue;
		}
		r[*n].path = xstrdup(p->str);
		memcpy(r[*n].sha256, h->str, 65);
		r[*n].size = strtoull(z->str, &end, 10);
		r[*n].pos = e->pos;
		(*n)++;
	}
	ynode_free(root);
	qsort(r, *n, sizeof(*r), relfile_cmp);
	for (i = 1; ok && i < *n; i++)
		if (strcmp(r[i - 1].path, r[i].path) == 0) {
			diag(EXIT_DATAERR, &r[i].pos, "%s is listed twice",
			    r[i].path);
			ok = 0;
		}
	if (!ok) {
		for (i = 0; i < *n; i++)
			free(r[i].path);
		free(r);
		return NULL;
	}
	return r;
}

/* Every *.json under dir (relative paths, sorted) into *out. */
static void
json_walk(const char *dir, const char *rel, char ***out, size_t *n)
{
	char *path = rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir), *sub;
	struct dlist d;
	size_t i, len;

	if (!dir_list(path, &d)) {
		free(path);
		return;
	}
	for (i = 0; i < d.n; i++) {
		const char *f = d.e[i].name;

		if (f[0] == '.')
			continue;
		struct stat st;

		sub = rel ? xasprintf("%s/%s", rel, f) : xstrdup(f);
		len = strlen(f);
		if (d.e[i].type == DT_DIR || (d.e[i].type == DT_UNKNOWN &&
		    fstatat(d.fd, f, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)))
			json_walk(dir, sub, out, n);
		else if (len > 5 && strcmp(f + len - 5, ".json") == 0) {
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = sub;
			continue;
		}
		free(sub);
	}
	dlist_free(&d);
	free(path);
}

long
release_verify(const char *dir, const struct signkey *k, int jobs)
{
	char *rpath = xasprintf("%s/%s", dir, RELEASE_FILE), **paths = NULL,
	    (*sha)[65] = NULL, **found = NULL;
	unsigned long long *size = NULL;
	struct relfile *r = NULL;
	struct buf b = { 0 };
	size_t n = 0, nfound = 0, i;
	long bad = -1;
	int s1, s2;

	s1 = sig_holds(dir, "engines.json", k);
	s2 = sig_holds(dir, RELEASE_FILE, k);
	if (s1 < 0 || s2 < 0)
		goto out;
	bad = (s1 == 0) + (s2 == 0);
	if (s2 == 0)
		goto out;	/* an unsigned list is not worth reading */
	if (!read_file_max(rpath, &b, GEN_MAX_INDEX) ||
	    (r = release_parse(intern(rpath), b.s, b.len, &n)) == NULL) {
		bad = -1;
		goto out;
	}
	paths = xcalloc(n + 1, sizeof(*paths));
	sha = xcalloc(n + 1, sizeof(*sha));
	size = xcalloc(n + 1, sizeof(*size));
	for (i = 0; i < n; i++)
		paths[i] = xasprintf("%s/%s", dir, r[i].path);
	if (!hash_files(paths, n, jobs, sha, size)) {
		bad = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (size[i] == (unsigned long long)-1)
			fprintf(stderr, "gen: verify: %s: listed in %s, missing\n",
			    paths[i], rpath);
		else if (size[i] != r[i].size || strcmp(sha[i], r[i].sha256) != 0)
			fprintf(stderr, "gen: verify: %s: %llu bytes, SHA-256 %s; "
			    "%s lists %llu bytes, %s\n", paths[i], size[i], sha[i],
			    rpath, r[i].size, r[i].sha256);
		else
			continue;
		bad++;
	}
	/* Every JSON of the site is listed (the list itself aside). */
	json_walk(dir, NULL, &found, &nfound);
	for (i = 0; i < nfound; i++) {
		struct relfile key = { found[i], "", 0, { NULL, 0, 0 } };

		if (strcmp(found[i], RELEASE_FILE) != 0 && bsearch(&key, r, n,
		    sizeof(*r), relfile_cmp) == NULL) {
			fprintf(stderr, "gen: verify: %s/%s: published but not "
			    "listed in %s\n", dir, found[i], rpath);
			bad++;
		}
		free(found[i]);
	}
out:
	for (i = 0; i < n; i++) {
		free(r[i].path);
		if (paths != NULL)
			free(paths[i]);
	}
	free(found);
	free(r);
	free(paths);
	free(sha);
	free(size);
	buf_free(&b);
	free(rpath);
	return bad;
}
