/*
 * sign.c - Ed25519 keys, signatures and their checks (sign.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

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
