/*
 * test_sign.c - Ed25519 signatures as the stock openssl command makes and
 * checks them: keys made by `openssl genpkey`, gen's signatures accepted
 * by `openssl pkeyutl -verify -rawin` and openssl's by gen, a changed
 * byte or another key refused, keys of another kind refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sign.h"

static char dir[] = "/tmp/gen-test-sign-XXXXXX";

static int
sh(const char *fmt, const char *a)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, dir, a ? a : "");
	return system(cmd);
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static int
write_bytes(const char *name, const void *p, size_t n)
{
	char *f = path(name);
	FILE *fp = fopen(f, "wb");
	int ok = fp != NULL && fwrite(p, 1, n, fp) == n;

	if (fp != NULL)
		ok = fclose(fp) == 0 && ok;
	free(f);
	return ok;
}

static const char text[] = "{\"schemaVersion\": 1, \"engines\": []}\n";

TEST(gen_signs_openssl_checks)
{
	char *k = path("key.pem"), *pub = path("key.pub");
	struct signkey *sk, *pk;
	unsigned char sig[SIGN_LEN];

	CHECK((sk = signkey_load(k, 1)) != NULL);
	CHECK((pk = signkey_load(pub, 0)) != NULL);
	if (sk == NULL || pk == NULL)
		goto out;
	CHECK(sign_bytes(sk, text, strlen(text), sig));
	CHECK(write_bytes("m", text, strlen(text)));
	CHECK(write_bytes("m.sig", sig, sizeof(sig)));
	CHECK(sh("openssl pkeyutl -verify -rawin -pubin -inkey %s/key.pub "
	    "-in %1$s/m -sigfile %1$s/m.sig >/dev/null 2>&1", NULL) == 0);
	CHECK(sign_check(pk, text, strlen(text), sig, sizeof(sig)));
	/* The private key checks too; the same bytes sign the same way
	 * (Ed25519 is deterministic). */
	{
		unsigned char again[SIGN_LEN];

		CHECK(sign_bytes(sk, text, strlen(text), again));
		CHECK(memcmp(sig, again, SIGN_LEN) == 0);
	}
	/* One byte changed: refused by both. */
	CHECK(write_bytes("m", "X", 1) && write_bytes("m2", text, strlen(text)));
	{
		char t[sizeof(text)];

		memcpy(t, text, sizeof(text));
		t[3] ^= 1;
		CHECK(!sign_check(pk, t, strlen(t), sig, sizeof(sig)));
		CHECK(write_bytes("m", t, strlen(t)));
		CHECK(sh("openssl pkeyutl -verify -rawin -pubin -inkey "
		    "%s/key.pub -in %1$s/m -sigfile %1$s/m.sig >/dev/null 2>&1",
		    NULL) != 0);
	}
	/* A short or long signature is no signature. */
	CHECK(!sign_check(pk, text, strlen(text), sig, SIGN_LEN - 1));
out:
	signkey_free(sk);
	signkey_free(pk);
	free(k);
	free(pub);
}

TEST(openssl_signs_gen_checks)
{
	char *pub = path("key.pub"), *sigf = path("o.sig");
	struct signkey *pk = signkey_load(pub, 0);
	struct buf b = { 0 };

	CHECK(write_bytes("o", text, strlen(text)));
	CHECK(sh("openssl pkeyutl -sign -rawin -inkey %s/key.pem -in %1$s/o "
	    "-out %1$s/o.sig 2>/dev/null", NULL) == 0);
	CHECK(read_file(sigf, &b));
	CHECK(pk != NULL && sign_check(pk, text, strlen(text),
	    (unsigned char *)b.s, b.len));
	buf_free(&b);
	signkey_free(pk);
	free(pub);
	free(sigf);
}

TEST(another_key_refused)
{
	char *k = path("key.pem"), *other = path("other.pub");
	struct signkey *sk = signkey_load(k, 1), *ok = signkey_load(other, 0);
	unsigned char sig[SIGN_LEN];

	CHECK(sk != NULL && ok != NULL);
	if (sk != NULL && ok != NULL) {
		CHECK(sign_bytes(sk, text, strlen(text), sig));
		CHECK(!sign_check(ok, text, strlen(text), sig, SIGN_LEN));
	}
	signkey_free(sk);
	signkey_free(ok);
	free(k);
	free(other);
}

TEST(public_pem_round_trip)
{
	char *k = path("key.pem"), *pub = path("key.pub"), *pem;
	struct signkey *sk = signkey_load(k, 1);
	struct buf b = { 0 };

	CHECK(sk != NULL && read_file(pub, &b));
	if (sk != NULL) {
		pem = signkey_public_pem(sk);
		CHECK_STR(pem, b.s);
		free(pem);
	}
	buf_free(&b);
	signkey_free(sk);
	free(k);
	free(pub);
}

TEST(wrong_keys_refused)
{
	char *rsa = path("rsa.pem"), *junk = path("junk.pem"),
	    *pub = path("key.pub"), *missing = path("missing.pem");

	gen_verbose = -1;
	CHECK(signkey_load(rsa, 1) == NULL);		/* RSA: by name */
	CHECK(signkey_load(junk, 1) == NULL);		/* no PEM */
	CHECK(signkey_load(pub, 1) == NULL);		/* a public key as private */
	CHECK(signkey_load(missing, 1) == NULL);
	gen_verbose = 0;
	free(rsa);
	free(junk);
	free(pub);
	free(missing);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	if (sh("openssl genpkey -algorithm ed25519 -out %s/key.pem && "
	    "openssl pkey -in %1$s/key.pem -pubout -out %1$s/key.pub && "
	    "openssl genpkey -algorithm ed25519 -out %1$s/other.pem && "
	    "openssl pkey -in %1$s/other.pem -pubout -out %1$s/other.pub && "
	    "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 "
	    "-out %1$s/rsa.pem 2>/dev/null && echo hello > %1$s/junk.pem", NULL) != 0) {
		fprintf(stderr, "test_sign: openssl could not make the keys\n");
		return 1;
	}
	RUN(gen_signs_openssl_checks);
	RUN(openssl_signs_gen_checks);
	RUN(another_key_refused);
	RUN(public_pem_round_trip);
	RUN(wrong_keys_refused);
	sh("rm -rf %s", NULL);
	return harness_done("sign");
}
