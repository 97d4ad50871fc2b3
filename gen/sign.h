/*
 * sign.h - Ed25519 signatures of what the site publishes (sign.c), through
 * OpenSSL's EVP_DigestSign: the same bytes `openssl pkeyutl -sign -rawin`
 * writes (a raw 64-byte signature), so a client can check them with the
 * stock openssl command.
 */
#ifndef SIGN_H
#define SIGN_H

#include "gen.h"

#define SIGN_LEN	64	/* an Ed25519 signature */
#define SIGN_MAX_KEY	(64u << 10)

struct signkey;

/*
 * A PEM key from path: private (PKCS#8, as `openssl genpkey -algorithm
 * ed25519` writes it) or public (SubjectPublicKeyInfo, as `openssl pkey
 * -pubout` writes it).  Any other kind of key, or text that is no key, is
 * bad input (exit 65, naming the file); a file that cannot be read is
 * 66.  NULL after reporting.
 */
struct signkey	*signkey_load(const char *path, int private);
void		 signkey_free(struct signkey *);
/* The public half as PEM ("-----BEGIN PUBLIC KEY-----..."), to publish.
 * The caller frees it. */
char		*signkey_public_pem(const struct signkey *);

/* Sign n bytes: 1 with the signature in sig, or 0 after reporting. */
int		 sign_bytes(const struct signkey *, const void *, size_t n,
		    unsigned char sig[SIGN_LEN]);
/* Does sig (len bytes) sign the n bytes?  1 yes, 0 no (nothing reported). */
int		 sign_check(const struct signkey *, const void *, size_t n,
		    const unsigned char *sig, size_t len);


/*
 * The release file, as apt's Release: RELEASE_FILE in the site folder lists
 * the size and SHA-256 of every JSON file the site publishes,
 *   {"schemaVersion": 1, "files": [{"path": "engines.json", "sha256":
 *    "...", "size": 123}, ...]}  (paths relative to the site, sorted),
 * and RELEASE_FILE.sig signs it; engines.json.sig signs engines.json, and
 * SIGN_PUBKEY_FILE is the public key, published beside them.
 */
#define RELEASE_FILE		"release.json"
#define SIGN_PUBKEY_FILE	"signing-key.pem"

/*
 * gen verify --pubkey: in site folder dir, engines.json.sig must sign
 * engines.json and RELEASE_FILE.sig the release file; then every file the
 * release file lists must have its size and SHA-256, and every JSON file
 * of the site must be listed.  Each mismatch is printed; returns their
 * number, or -1 after reporting bad input (a release file that is no
 * release file: exit 65) or an I/O error.
 */
long		 release_verify(const char *dir, const struct signkey *, int jobs);

#endif
