/*
 * deploy.c - the deployment registry's foundation (deploy.h): configIds,
 * redaction, and do/config read as data.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "deploy.h"

/* ---- configIds ----------------------------------------------------------- */

static const char *
or_none(const char *s)
{
	return s != NULL && *s != '\0' ? s : "none";
}

char *
deploy_key_text(const struct deploykey *k)
{
	return xasprintf("%s:%s:%s:%s:%s:ic%u:adapt%u", k->deployment_config,
	    or_none(k->model_name), k->instance_type, k->region,
	    k->deployment_target, k->ics, k->adapters);
}

int
deploy_config_id(const struct deploykey *k, char out[17])
{
	char *text = deploy_key_text(k), hex[65];
	int ok = sha256_hex(text, strlen(text), hex);

	free(text);
	memcpy(out, hex, 16);
	out[16] = '\0';
	return ok;
}

static int
same(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

int
deploy_key_collide(const struct deploykey *a, const struct deploykey *b)
{
	char *ta, *tb;
	int hit;

	if (same(a->deployment_config, b->deployment_config) &&
	    same(or_none(a->model_name), or_none(b->model_name)) &&
	    same(a->instance_type, b->instance_type) &&
	    same(a->region, b->region) &&
	    same(a->deployment_target, b->deployment_target) &&
	    a->ics == b->ics && a->adapters == b->adapters)
		return 0;	/* the same configuration */
	ta = deploy_key_text(a);
	tb = deploy_key_text(b);
	hit = strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	return hit;
}

/* ---- redaction ------------------------------------------------------------ */

/* Does the '_'-separated word w (n bytes, upper case) name a secret? */
static int
secret_word(const char *w, size_t n)
{
	static const char *const auth[] = { "AUTH", "AUTHN", "AUTHZ",
	    "AUTHORIZATION", NULL };
	size_t i;

	if (n >= 5 && memcmp(w + n - 5, "TOKEN", 5) == 0)
		return 1;
	if (n >= 4 && memcmp(w + n - 4, "AUTH", 4) == 0)
		return 1;
	for (i = 0; auth[i] != NULL; i++)
		if (strlen(auth[i]) == n && memcmp(w, auth[i], n) == 0)
			return 1;
	return 0;
}

int
redact_name(const char *name)
{
	static const char *const anywhere[] = { "SECRET", "PASSWORD", "PASSWD",
	    "CREDENTIAL", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY",
	    NULL };
	char *up = xstrdup(name), *p, *w;
	size_t i;
	int hit = 0;

	for (p = up; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (i = 0; anywhere[i] != NULL && !hit; i++)
		hit = strstr(up, anywhere[i]) != NULL;
	for (w = up; !hit && *w; w = p + (*p != '\0')) {
		p = w + strcspn(w, "_-.");
		hit = secret_word(w, (size_t)(p - w));
	}
	free(up);
	return hit;
}

/* At least n characters of set at s? */
static int
run_of(const char *s, const char *set, size_t n)
{
	return strspn(s, set) >= n;
}

#define ALNUM	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define B64URL	ALNUM "-_"

/* A JWT at s: three base64url parts, the first starting "eyJ". */
static int
jwt_at(const char *s)
{
	size_t a, b;

	if (strncmp(s, "eyJ", 3) != 0)
		return 0;
	a = strspn(s, B64URL);
	if (a < 10 || s[a] != '.')
		return 0;
	b = strspn(s + a + 1, B64URL);
	if (b < 10 || s[a + 1 + b] != '.')
		return 0;
	return strspn(s + a + b + 2, B64URL) >= 10;
}

/* A URL with a password at s ("scheme://user:password@host"). */
static int
url_password_at(const char *s)
{
	const char *p = s + 3, *end;

	if (strncmp(s, "://", 3) != 0)
		return 0;
	end = p + strcspn(p, "/?# \t");
	for (; p < end; p++)
		if (*p == '@')
			return memchr(s + 3, ':', (size_t)(p - s - 3)) != NULL;
	return 0;
}

/* Does a credential start at s? */
static int
credential_at(const char *s)
{
	static const char *const gh[] = { "ghp_", "gho_", "ghu_", "ghs_",
	    "ghr_", NULL };
	size_t i;

	if (strncmp(s, "hf_", 3) == 0 && run_of(s + 3, ALNUM, 20))
		return 1;
	if ((strncmp(s, "AKIA", 4) == 0 || strncmp(s, "ASIA", 4) == 0) &&
	    run_of(s + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16))
		return 1;
	for (i = 0; gh[i] != NULL; i++)
		if (strncmp(s, gh[i], 4) == 0 && run_of(s + 4, ALNUM, 30))
			return 1;
	if (strncmp(s, "github_pat_", 11) == 0 && run_of(s + 11, ALNUM "_", 20))
		return 1;
	if (strncmp(s, "sk-", 3) == 0 && run_of(s + 3, B64URL, 20))
		return 1;
	if (strncmp(s, "xox", 3) == 0 && s[3] != '\0' && s[4] == '-' &&
	    run_of(s + 5, B64URL, 10))
		return 1;
	if (strncmp(s, "-----BEGIN ", 11) == 0 && strstr(s, "PRIVATE KEY-----"))
		return 1;
	return jwt_at(s) || url_password_at(s);
}

int
redact_value(const char *value)
{
	const char *s;

	/* A credential at the start of the value or of a word in it. */
	for (s = value; *s; s++)
		if ((s == value || !isalnum((unsigned char)s[-1]) ||
		    *s == ':') && credential_at(s))
			return 1;
	return 0;
}

const char *
redact(const char *name, const char *value)
{
	return redact_name(name) || redact_value(value) ? DEPLOY_REDACTED :
	    value;
}

/* ---- do/config ------------------------------------------------------------ */

void
kvlist_clear(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *
kvlist_get(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

static void
kvlist_set(struct kvlist *l, char *key, char *value, struct pos pos)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0) {
			free(l->v[i].key);
			free(l->v[i].value);
			l->v[i] = (struct kv){ key, value, pos };
			return;
		}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct kv){ key, value, pos };
}

/*
 * The value at p (to the end of the line at e): bare, "double" or
 * 'single' quoted, then only blanks or a comment.  Returns the value, or
 * NULL with *why and *at (where the problem is) set.
 */
static char *
parse_value(const char *p, const char *e, const char **why, const char **at)
{
	struct buf b = { 0 };
	char q;

	buf_add(&b, "", 0);
	if (p < e && (*p == '"' || *p == '\'')) {
		q = *p++;
		for (; p < e && *p != q; p++) {
			if (q == '"' && *p == '\\' && p + 1 < e &&
			    strchr("\"\\$`", p[1]) != NULL)
				p++;
			buf_putc(&b, *p);
		}
		if (p >= e) {
			*why = "the quoted value does not end on this line";
			*at = e;
			goto fail;
		}
		p++;
	} else
		for (; p < e && *p != ' ' && *p != '\t' && *p != '#'; p++) {
			if (strchr("\"'`\\;&|<>()", *p) != NULL) {
				*why = "a bare value holds only plain characters: "
				    "quote it";
				*at = p;
				goto fail;
			}
			buf_putc(&b, *p);
		}
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && *p != '#') {
		*why = "unexpected text after the value";
		*at = p;
		goto fail;
	}
	return b.s;
fail:
	buf_free(&b);
	return NULL;
}

/* One line (s to e, line number ln): a key and value into l, or 0. */
static int
parse_line(const char *name, const char *s, const char *e, unsigned ln,
    struct kvlist *l)
{
	const char *p = s, *k, *why = NULL, *at = s;
	char *value;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p == e || *p == '#')
		return 1;
	if ((size_t)(e - p) > 7 && strncmp(p, "export", 6) == 0 &&
	    (p[6] == ' ' || p[6] == '\t'))
		for (p += 6; p < e && (*p == ' ' || *p == '\t'); p++)
			continue;
	k = p;
	if (p < e && (isalpha((unsigned char)*p) || *p == '_'))
		while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
	if (p == k || p >= e || *p != '=') {
		why = "expected KEY=VALUE or export KEY=\"VALUE\" (a key is "
		    "letters, digits and '_')";
		at = p;
	} else if ((value = parse_value(p + 1, e, &why, &at)) != NULL) {
		kvlist_set(l, xstrndup(k, (size_t)(p - k)), value,
		    (struct pos){ name, ln, (unsigned)(k - s) + 1 });
		return 1;
	}
	diag(EXIT_DATAERR, &(struct pos){ name, ln, (unsigned)(at - s) + 1 },
	    "%s", why);
	return 0;
}

int
doconfig_parse(const char *name, const char *text, size_t len,
    struct kvlist *l)
{
	const char *s = text, *end = text + len, *e;
	unsigned ln = 1;
	int ok = 1;

	name = intern(name);
	if (memchr(text, '\0', len) != NULL) {
		diag(EXIT_DATAERR, &(struct pos){ name, 0, 0 }, "a NUL byte: "
		    "not a text file");
		return 0;
	}
	for (; s < end; s = e + 1, ln++) {
		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		if (e > s && e[-1] == '\r')
			ok = parse_line(name, s, e - 1, ln, l) && ok;
		else
			ok = parse_line(name, s, e, ln, l) && ok;
	}
	return ok;
}

int
doconfig_read(const char *path, struct kvlist *l)
{
	struct buf b = { 0 };
	int ok = read_file_max(path, &b, 1u << 20) &&
	    doconfig_parse(path, b.s, b.len, l);

	buf_free(&b);
	return ok;
}
