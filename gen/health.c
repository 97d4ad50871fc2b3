/*
 * health.c - the container registries over the OCI distribution API,
 * through libcurl: health checks (GET /v2/), image listings (/v2/_catalog
 * and /v2/<name>/tags/list, following Link pagination), manifests looked
 * up with HEAD, and the last health results (CR_HEALTH_FILE).
 *
 * Every request speaks http or https only, verifies TLS (peer and host),
 * is bounded by connect and total timeouts, and follows redirects by hand,
 * at most NET_MAX_REDIRECTS times and only to the same scheme, host and
 * port.  Many requests run at once on one curl multi handle, so n checks
 * take about as long as the slowest.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cr.h"
#include "index.h"
#include "check.h"
#include "jsonpos.h"

#define NET_TIMEOUT_MS		5000	/* crnet.timeout_ms 0 */
#define NET_MAX_REDIRECTS	5
#define NET_MAX_BODY		(8u << 20)	/* one listing page */
#define NET_MAX_DISCARD		(64u << 10)	/* a health answer's body */
#define NET_MAX_PAGES		10000	/* of one listing */
#define NET_MAX_PARALLEL	1000	/* transfers at once, at most */
#define NET_AGENT		"gen (container-registry checks)"

/* The manifest types a HEAD accepts: OCI and Docker, images and indexes. */
static const char *const accept_manifests =
    "Accept: application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

/* One request, followed through its redirects. */
struct req {
	CURL		*h;
	char		*url;		/* the current one */
	struct curl_slist *hdrs;	/* borrowed */
	const struct crnet *net;
	int		 head;		/* HEAD, not GET */
	int		 keep;		/* keep the body (else discard it) */
	struct buf	 body;
	size_t		 discarded;
	int		 toolarge, stopped;
	int		 redirects;
	int		 started;
	struct timespec	 t0;		/* when the first hop started */
	/* the answer */
	long		 status;
	int		 challenge;	/* WWW-Authenticate present */
	int		 api_v2;
	char		*next;		/* Link: <...>; rel="next", resolved */
	double		 ms;
	char		*fail;		/* why there is no usable answer */
	char		 err[CURL_ERROR_SIZE];
};

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static CURLcode net_init_rc;

static void
net_init_once(void)
{
	net_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int
net_init(void)
{
	pthread_once(&net_once, net_init_once);
	if (net_init_rc != CURLE_OK) {
		diag(EXIT_UNAVAILABLE, NULL, "libcurl: %s",
		    curl_easy_strerror(net_init_rc));
		return 0;
	}
	return 1;
}

static long
net_timeout(const struct crnet *net)
{
	return net != NULL && net->timeout_ms > 0 ? net->timeout_ms :
	    NET_TIMEOUT_MS;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Text for a column: as it is when it holds no control character, else
 * escaped by shown(). */
static const char *
col_text(const char *s)
{
	if (s == NULL)
		return "-";
	return text_clean(s, 1) ? s : shown(s);
}

/* A latency to a tenth of a millisecond (without libm). */
static double
round1(double ms)
{
	return ms <= 0 ? 0 : (double)(long long)(ms * 10 + 0.5) / 10;
}

/* ---- URLs -------------------------------------------------------------- */

/* scheme://host[:port] of an entry, without a final slash. */
static char *
base_url(const struct crentry *e)
{
	size_t n;

	if (e->scheme != NULL && e->host != NULL) {
		if (e->port != 0)
			return xasprintf("%s://%s:%u", e->scheme, e->host, e->port);
		return xasprintf("%s://%s", e->scheme, e->host);
	}
	n = strlen(e->url);
	while (n > 0 && e->url[n - 1] == '/')
		n--;
	return xstrndup(e->url, n);
}

/* Scheme, host and port (the scheme's default when absent) of a URL, or
 * 0 when it does not parse. */
static int
url_origin(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	int ok = 0;

	*scheme = *host = *port = NULL;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	ok = 1;
out:
	if (!ok) {
		curl_free(*scheme);
		curl_free(*host);
		curl_free(*port);
		*scheme = *host = *port = NULL;
	}
	curl_url_cleanup(u);
	return ok;
}

/* Do two URLs share scheme, host and port? */
static int
same_origin(const char *a, const char *b)
{
	char *sa, *ha, *pa, *sb, *hb, *pb;
	int same = 0;

	if (!url_origin(a, &sa, &ha, &pa))
		return 0;
	if (url_origin(b, &sb, &hb, &pb)) {
		same = strcasecmp(sa, sb) == 0 && strcasecmp(ha, hb) == 0 &&
		    strcmp(pa, pb) == 0;
		curl_free(sb);
		curl_free(hb);
		curl_free(pb);
	}
	curl_free(sa);
	curl_free(ha);
	curl_free(pa);
	return same;
}

/* What a message may say of a URL one was sent to: its scheme, host and
 * port, never a path or user information. */
static char *
origin_text(const char *url)
{
	char *s, *h, *p, *o;

	if (!url_origin(url, &s, &h, &p))
		return xstrdup("an unreadable URL");
	o = xasprintf("%s://%s:%s", s, h, p);
	curl_free(s);
	curl_free(h);
	curl_free(p);
	return o;
}

/* ref (a Location or Link target, maybe relative) resolved against base,
 * or NULL. */
static char *
url_resolve(const char *base, const char *ref)
{
	CURLU *u = curl_url();
	char *s = NULL, *o = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		o = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return o;
}

/* ---- answers: headers and bodies -------------------------------------- */

/* The value of header line p (len bytes) if it is name's, trimmed; NULL
 * otherwise.  *vlen gets its length. */
static const char *
hdr_value(const char *p, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return NULL;
	p += n + 1;
	len -= n + 1;
	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	*vlen = len;
	return p;
}

/* Does a Link parameter list (after the '>') say rel="next"? */
static int
link_is_next(const char *p, size_t n)
{
	const char *e = p + n, *q;

	for (q = p; q + 4 <= e; q++) {
		if (strncasecmp(q, "rel=", 4) != 0)
			continue;
		q += 4;
		if (q < e && *q == '"')
			q++;
		/* rel is a space-separated list of relation types. */
		while (q < e && *q != '"' && *q != ';') {
			if ((size_t)(e - q) >= 4 && strncasecmp(q, "next", 4) == 0 &&
			    (q + 4 == e || strchr("\" ;", q[4]) != NULL))
				return 1;
			while (q < e && *q != ' ' && *q != '"' && *q != ';')
				q++;
			while (q < e && *q == ' ')
				q++;
		}
	}
	return 0;
}

/* A Link header: keep the target of its rel="next" link, resolved. */
static void
take_link(struct req *r, const char *v, size_t n)
{
	const char *e = v + n, *lt, *gt, *end;

	while (v < e && (lt = memchr(v, '<', (size_t)(e - v))) != NULL) {
		if ((gt = memchr(lt, '>', (size_t)(e - lt))) == NULL)
			return;
		if ((end = memchr(gt, ',', (size_t)(e - gt))) == NULL)
			end = e;
		if (link_is_next(gt + 1, (size_t)(end - gt - 1))) {
			char *ref = xstrndup(lt + 1, (size_t)(gt - lt - 1));

			free(r->next);
			r->next = url_resolve(r->url, ref);
			free(ref);
			return;
		}
		v = end;
	}
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct req *r = ctx;
	size_t len = size * nmemb, vlen;
	const char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new answer (a redirect's, or after 100 Continue). */
		r->challenge = r->api_v2 = 0;
		free(r->next);
		r->next = NULL;
	} else if ((v = hdr_value(p, len, "WWW-Authenticate", &vlen)) != NULL)
		r->challenge = vlen > 0;
	else if ((v = hdr_value(p, len, "Docker-Distribution-API-Version",
	    &vlen)) != NULL)
		r->api_v2 = vlen == 12 && memcmp(v, "registry/2.0", 12) == 0;
	else if ((v = hdr_value(p, len, "Link", &vlen)) != NULL)
		take_link(r, v, vlen);
	return len;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct req *r = ctx;
	size_t len = size * nmemb;

	if (!r->keep) {
		/* The status and headers are the answer: stop a long body. */
		if ((r->discarded += len) > NET_MAX_DISCARD) {
			r->stopped = 1;
			return 0;
		}
		return len;
	}
	if (r->body.len + len > NET_MAX_BODY) {
		r->toolarge = 1;
		return 0;
	}
	buf_add(&r->body, p, len);
	return len;
}

/* ---- requests, many at once ------------------------------------------- */

/* A request for url (taken), HEAD or GET, its body kept or not.  Returns
 * the request; a handle that could not be made leaves fail set. */
static struct req *
req_new(char *url, const struct crnet *net, int head, int keep,
    struct curl_slist *hdrs)
{
	struct req *r = xcalloc(1, sizeof(*r));
	CURL *h;

	r->url = url;
	r->net = net;
	r->head = head;
	r->keep = keep;
	r->hdrs = hdrs;
	if ((h = r->h = curl_easy_init()) == NULL) {
		r->fail = xstrdup("libcurl: cannot make a handle");
		return r;
	}
	curl_easy_setopt(h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (net != NULL && net->cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, net->cacert);
	curl_easy_setopt(h, CURLOPT_USERAGENT, NET_AGENT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	if (head)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (hdrs != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	return r;
}

static void
req_free(struct req *r)
{
	if (r == NULL)
		return;
	if (r->h != NULL)
		curl_easy_cleanup(r->h);
	free(r->url);
	free(r->next);
	free(r->fail);
	buf_free(&r->body);
	free(r);
}

/* The same request, again for another URL (taken): the next page. */
static void
req_again(struct req *r, char *url)
{
	free(r->url);
	r->url = url;
	free(r->next);
	r->next = NULL;
	free(r->fail);
	r->fail = NULL;
	buf_reset(&r->body);
	r->redirects = 0;
	r->ms = 0;
	r->status = 0;
	r->started = 0;
}

/* Ready the handle for its next hop: the URL, what is left of the time.
 * 0 with fail set when the time is up. */
static int
req_start(struct req *r)
{
	long total = net_timeout(r->net), left;

	if (!r->started) {
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		r->started = 1;
	}
	left = total - (long)elapsed_ms(&r->t0);
	if (left <= 0) {
		r->fail = xstrdup("timeout");
		return 0;
	}
	r->err[0] = '\0';
	r->discarded = 0;
	r->toolarge = r->stopped = 0;
	r->challenge = r->api_v2 = 0;
	buf_reset(&r->body);
	curl_easy_setopt(r->h, CURLOPT_URL, r->url);
	curl_easy_setopt(r->h, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(r->h, CURLOPT_CONNECTTIMEOUT_MS, left);
	return 1;
}

static int
is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return 1;
	default:
		return 0;
	}
}

/* Why a transfer that ended with rc gave no answer, in a few words. */
static char *
transfer_reason(struct req *r, CURLcode rc)
{
	const char *msg = r->err[0] != '\0' ? r->err : curl_easy_strerror(rc);
	long oserr = 0;

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		/* A name server that does not answer is a DNS problem. */
		if (strncmp(r->err, "Resolving", 9) == 0)
			return xasprintf("DNS: %s", msg);
		return xstrdup("timeout");
	case CURLE_COULDNT_RESOLVE_HOST:
		return xasprintf("DNS: %s", msg);
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(r->h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr == ECONNREFUSED)
			return xstrdup("refused");
		return xasprintf("cannot connect: %s", oserr != 0 ?
		    strerror((int)oserr) : msg);
	case CURLE_WRITE_ERROR:
		if (r->toolarge)
			return xasprintf("an answer larger than %u MB",
			    NET_MAX_BODY >> 20);
		break;
	default:
		if (is_tls_error(rc))
			return xasprintf("TLS: %s", msg);
		break;
	}
	return xstrdup(msg);
}

/* A hop ended with rc: note the answer.  1 when a redirect (to the same
 * place) is to be followed, with url set to its target. */
static int
req_done(struct req *r, CURLcode rc)
{
	curl_off_t us = 0;
	char *loc = NULL, *o;

	if (curl_easy_getinfo(r->h, CURLINFO_TOTAL_TIME_T, &us) == CURLE_OK)
		r->ms += (double)us / 1e3;
	if (rc == CURLE_WRITE_ERROR && r->stopped)
		rc = CURLE_OK;
	if (rc != CURLE_OK) {
		r->fail = transfer_reason(r, rc);
		return 0;
	}
	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status < 300 || r->status > 399 || r->status == 304 ||
	    curl_easy_getinfo(r->h, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK ||
	    loc == NULL)
		return 0;
	if (!same_origin(r->url, loc)) {
		o = origin_text(loc);
		r->fail = xasprintf("redirect to another host: %s", o);
		free(o);
		return 0;
	}
	if (++r->redirects > NET_MAX_REDIRECTS) {
		r->fail = xasprintf("more than %d redirects", NET_MAX_REDIRECTS);
		return 0;
	}
	free(r->url);
	r->url = xstrdup(loc);
	return 1;
}

/* How many transfers at once: jobs (0: all n), but no more than the
 * descriptors allow (a socket, and two for a resolver thread, each). */
static size_t
net_parallel(int jobs, size_t n)
{
	struct rlimit rl;
	size_t max = jobs > 0 ? (size_t)jobs : n, fit = NET_MAX_PARALLEL;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 3 * NET_MAX_PARALLEL + 64)
		fit = rl.rlim_cur > 67 ? (size_t)(rl.rlim_cur - 64) / 3 : 1;
	if (max > fit)
		max = fit;
	return max > 0 ? max : 1;
}

/* Start r on m: 1, or 0 with fail set. */
static int
req_add(CURLM *m, struct req *r)
{
	CURLMcode mc;

	if (r->fail != NULL || !req_start(r))
		return 0;
	if ((mc = curl_multi_add_handle(m, r->h)) != CURLM_OK) {
		r->fail = xasprintf("libcurl: %s", curl_multi_strerror(mc));
		return 0;
	}
	return 1;
}

/*
 * Run n requests to their end (redirects followed), at most jobs at once
 * (0: all, as far as the descriptor limit allows): each ends with an
 * answer (status) or fail set.  Requests with fail already set are skipped.
 */
static void
net_run(struct req **v, size_t n, int jobs)
{
	CURLM *m = curl_multi_init();
	size_t next = 0, active = 0, max = net_parallel(jobs, n);
	CURLMsg *msg;
	int running, left;

	if (m == NULL) {
		for (; next < n; next++)
			if (v[next]->fail == NULL)
				v[next]->fail = xstrdup("libcurl: cannot make a multi handle");
		return;
	}
	while (next < n || active > 0) {
		for (; active < max && next < n; next++)
			active += (size_t)req_add(m, v[next]);
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			CURL *h = msg->easy_handle;
			CURLcode rc = msg->data.result;
			struct req *r = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
			curl_multi_remove_handle(m, h);
			if (req_done(r, rc) && req_add(m, r))
				continue;
			active--;
		}
		if (active > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	curl_multi_cleanup(m);
}

/* ---- health ------------------------------------------------------------ */

/* Free what a result holds and zero it, ready for the next check (NULL
 * is fine). */
void
crhealth_clear(struct crhealth *h)
{
	if (h == NULL)
		return;
	free(h->reason);
	memset(h, 0, sizeof(*h));
}

/* Judge one answer to GET /v2/ as the distribution spec does. */
static void
judge(const struct req *r, struct crhealth *h)
{
	h->status = r->status;
	h->api_v2 = r->api_v2;
	h->ms = round1(r->ms);
	h->healthy = 0;
	if (r->fail != NULL)
		h->reason = xstrdup(r->fail);
	else if (r->status == 200) {
		h->healthy = 1;
		h->reason = xstrdup("ok");
	} else if (r->status == 401 && r->challenge) {
		h->healthy = 1;
		h->reason = xstrdup("auth required");
	} else if (r->status == 401)
		h->reason = xstrdup("HTTP 401 without a WWW-Authenticate challenge");
	else
		h->reason = xasprintf("HTTP %ld: not an OCI registry", r->status);
}

/*
 * Check n registries at once (at most net->jobs, 0: all), each bounded by
 * net->timeout_ms: out[i] (cleared first; crhealth_clear each) for e[i].
 * Returns the number unhealthy.
 */
size_t
cr_health(const struct crentry *const *e, size_t n, const struct crnet *net,
    struct crhealth *out)
{
	struct req **v;
	size_t i, bad = 0;
	int ok = net_init();

	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		char *base = base_url(e[i]);

		memset(&out[i], 0, sizeof(out[i]));
		v[i] = req_new(xasprintf("%s/v2/", base), net, 0, 0, NULL);
		if (!ok && v[i]->fail == NULL)
			v[i]->fail = xstrdup("libcurl could not start");
		free(base);
	}
	net_run(v, n, net != NULL ? net->jobs : 0);
	for (i = 0; i < n; i++) {
		judge(v[i], &out[i]);
		bad += !out[i].healthy;
		note("%s: %s: %s (%.1f ms)", e[i]->id, out[i].healthy ? "healthy" :
		    "unhealthy", col_text(out[i].reason), out[i].ms);
		req_free(v[i]);
	}
	free(v);
	return bad;
}

static json_t *
health_item(const struct crentry *e, const struct crhealth *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "container_registry_id", json_string(e->id));
	json_object_set_new(o, "container_registry_name", json_string(e->name));
	json_object_set_new(o, "public_url", json_string(e->url));
	json_object_set_new(o, "healthy", json_boolean(h->healthy));
	json_object_set_new(o, "status", json_integer(h->status));
	json_object_set_new(o, "apiVersion", h->api_v2 ?
	    json_string("registry/2.0") : json_null());
	json_object_set_new(o, "latencyMs", json_real(h->ms));
	json_object_set_new(o, "reason", json_string(h->reason ? h->reason : ""));
	return o;
}

/* Print a JSON value with sorted keys and a final newline; 1 or 0. */
static int
print_json(FILE *f, json_t *v)
{
	int ok = json_dumpf(v, f, JSON_SORT_KEYS | JSON_INDENT(2) |
	    JSON_REAL_PRECISION(15)) == 0 && fputc('\n', f) != EOF;

	json_decref(v);
	return ok;
}

/*
 * Print health results, one line per registry in aligned columns
 * ("healthy|UNHEALTHY  ID  NAME  URL  STATUS  LATENCY ms  REASON"), or
 * with json the envelope {"success": true, "data": [...]}.  Untrusted
 * text is escaped.  Returns 1, or 0 when the stream failed.
 */
int
cr_health_print(FILE *f, const struct crentry *const *e, size_t n,
    const struct crhealth *h, int json)
{
	size_t i, wn = 4, wu = 3, wid = 2;
	json_t *data;

	if (json) {
		data = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(data, health_item(e[i], &h[i]));
		return print_json(f, json_pack("{s:b, s:o}", "success", 1,
		    "data", data)) && fflush(f) == 0 && !ferror(f);
	}
	for (i = 0; i < n; i++) {
		wid = strlen(e[i]->id) > wid ? strlen(e[i]->id) : wid;
		wn = strlen(col_text(e[i]->name)) > wn ?
		    strlen(col_text(e[i]->name)) : wn;
		wu = strlen(col_text(e[i]->url)) > wu ?
		    strlen(col_text(e[i]->url)) : wu;
	}
	for (i = 0; i < n; i++) {
		char st[24];

		if (h[i].status != 0)
			snprintf(st, sizeof(st), "%ld", h[i].status);
		else
			snprintf(st, sizeof(st), "-");
		fprintf(f, "%-9s  %-*s  %-*s  %-*s  %3s  %8.1f ms  %s\n",
		    h[i].healthy ? "healthy" : "UNHEALTHY", (int)wid, e[i]->id,
		    (int)wn, col_text(e[i]->name), (int)wu, col_text(e[i]->url),
		    st, h[i].ms, col_text(h[i].reason));
	}
	return fflush(f) == 0 && !ferror(f);
}

/* ---- images: /v2/_catalog, /v2/<name>/tags/list ------------------------ */

/* A repository name as the distribution spec allows it: path components
 * of [a-z0-9]+ joined by '.', '_', '__' or dashes, separated by '/'. */
static int
repo_name_ok(const char *s)
{
	const char *p = s;

	if (strlen(s) > 255)
		return 0;
	for (;;) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p))
			return 0;
		while (islower((unsigned char)*p) || isdigit((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 1;
		if (*p == '/')
			p++;
		else if (*p == '.' || (*p == '_' && p[1] != '_'))
			p++;
		else if (*p == '_')
			p += 2;
		else if (*p == '-')
			while (*p == '-')
				p++;
		else
			return 0;
	}
}

/* A tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
static int
tag_ok(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (i >= 128 || (!isalnum((unsigned char)s[i]) &&
		    strchr("._-", s[i]) == NULL))
			return 0;
	return 1;
}

/* What is wrong with an answer that should be 200, or NULL. */
static char *
answer_problem(const struct req *r)
{
	if (r->fail != NULL)
		return xstrdup(r->fail);
	if (r->status == 200)
		return NULL;
	if (r->status == 401)
		return xstrdup("auth required");
	return xasprintf("HTTP %ld", r->status);
}

/* A listing in progress: one request's pages, each through take_page(). */
struct lister {
	const struct crentry *e;
	const char	*what;		/* for messages: "/v2/_catalog" */
	json_t		*into;		/* where the names found go */
	const char	*key;		/* "repositories" or "tags" */
	size_t		 pages;
	int		 done;
};

/* One page of a listing: its strings (key's array; null is none), each
 * checked by ok, appended to l->into.  0 after reporting. */
static int
take_page(struct lister *l, const struct req *r, int (*ok)(const char *))
{
	json_error_t jerr;
	json_t *doc = json_loadb(r->body.s, r->body.len, JSON_REJECT_DUPLICATES,
	    &jerr), *a, *s;
	size_t i;
	int good = 0;

	if (doc == NULL) {
		diag(EXIT_UNAVAILABLE, NULL, "%s: %s: not JSON: %s",
		    col_text(l->e->name), l->what, shown(jerr.text));
		return 0;
	}
	a = json_object_get(doc, l->key);
	if (!json_is_object(doc) || (a != NULL && !json_is_array(a) &&
	    !json_is_null(a))) {
		diag(EXIT_UNAVAILABLE, NULL, "%s: %s: expected an object with "
		    "\"%s\", a list", col_text(l->e->name), l->what, l->key);
		goto out;
	}
	json_array_foreach(a, i, s) {
		if (!json_is_string(s) || !ok(json_string_value(s))) {
			diag(0, NULL, "%s: %s: warning: skipping an invalid "
			    "name: %s", col_text(l->e->name), l->what,
			    json_is_string(s) ? shown(json_string_value(s)) :
			    "not a string");
			continue;
		}
		json_array_append(l->into, s);
	}
	good = 1;
out:
	json_decref(doc);
	return good;
}

/* A page of l arrived on r: take it, and ready r for the next one.  0
 * after reporting a listing that failed; l->done when there is no more. */
static int
page_done(struct lister *l, struct req *r, int (*ok)(const char *))
{
	char *why = answer_problem(r), *o;

	l->done = 1;
	if (why != NULL) {
		diag(EXIT_UNAVAILABLE, NULL, "%s: GET %s: %s", col_text(l->e->name),
		    l->what, col_text(why));
		free(why);
		return 0;
	}
	if (!take_page(l, r, ok))
		return 0;
	if (r->next == NULL)
		return 1;
	if (!same_origin(r->url, r->next)) {
		o = origin_text(r->next);
		diag(EXIT_UNAVAILABLE, NULL, "%s: GET %s: the next page is on "
		    "another host: %s", col_text(l->e->name), l->what, shown(o));
		free(o);
		return 0;
	}
	if (strcmp(r->next, r->url) == 0 || ++l->pages >= NET_MAX_PAGES) {
		diag(EXIT_UNAVAILABLE, NULL, "%s: GET %s: the pages do not end "
		    "(%zu pages)", col_text(l->e->name), l->what, l->pages + 1);
		return 0;
	}
	req_again(r, xstrdup(r->next));
	l->done = 0;
	return 1;
}

/*
 * Run n listings to their last page, all at once (net->jobs at most):
 * urls[i] (taken) is the first page of l[i], and every page goes through
 * take_page() with ok.  Returns 1, or 0 after reporting a failed listing.
 */
static int
list_all(struct lister *l, char **urls, size_t n, const struct crnet *net,
    int (*ok)(const char *))
{
	struct req **v = xcalloc(n ? n : 1, sizeof(*v));
	struct req **run = xcalloc(n ? n : 1, sizeof(*run));
	size_t i, k;
	int good = 1;

	for (i = 0; i < n; i++)
		v[i] = req_new(urls[i], net, 0, 1, NULL);
	for (;;) {
		for (i = k = 0; i < n; i++)
			if (!l[i].done)
				run[k++] = v[i];
		if (k == 0)
			break;
		net_run(run, k, net != NULL ? net->jobs : 0);
		for (i = 0; i < n; i++)
			if (!l[i].done && !page_done(&l[i], v[i], ok))
				good = 0;
	}
	for (i = 0; i < n; i++)
		req_free(v[i]);
	free(v);
	free(run);
	return good;
}

/* Sort an array of strings bytewise, dropping repeats: registries give
 * tags in no promised order. */
static void
sort_strings(json_t *a)
{
	size_t i, n = json_array_size(a);
	const char **v = xcalloc(n ? n : 1, sizeof(*v));
	json_t *sorted = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i - 1], v[i]) != 0)
			json_array_append_new(sorted, json_string(v[i]));
	json_array_clear(a);
	json_array_extend(a, sorted);
	json_decref(sorted);
	free(v);
}

/* The tags of every repository named in out (name -> [] on entry). */
static int
list_tags(const struct crentry *e, const char *base, json_t *out,
    const struct crnet *net)
{
	size_t i = 0, n = json_object_size(out);
	struct lister *l = xcalloc(n ? n : 1, sizeof(*l));
	char **urls = xcalloc(n ? n : 1, sizeof(*urls));
	const char *name;
	json_t *tags;
	int ok;

	json_object_foreach(out, name, tags) {
		l[i].e = e;
		l[i].what = xasprintf("/v2/%s/tags/list", name);
		l[i].into = tags;
		l[i].key = "tags";
		urls[i++] = xasprintf("%s/v2/%s/tags/list?n=100", base, name);
	}
	ok = list_all(l, urls, n, net, tag_ok);
	json_object_foreach(out, name, tags)
		sort_strings(tags);
	for (i = 0; i < n; i++)
		free((char *)l[i].what);
	free(l);
	free(urls);
	return ok;
}

/*
 * The repositories of a registry and their tags: {"name": ["tag", ...]},
 * through /v2/_catalog and /v2/<name>/tags/list, every Link page followed.
 * The caller decrefs it.  NULL after reporting (EXIT_UNAVAILABLE).
 */
json_t *
cr_images(const struct crentry *e, const struct crnet *net)
{
	struct lister cat = { 0 };
	json_t *repos = json_array(), *out = json_object(), *s;
	char *base = base_url(e), *url;
	size_t i;

	if (!net_init())
		goto fail;
	cat.e = e;
	cat.what = "/v2/_catalog";
	cat.into = repos;
	cat.key = "repositories";
	url = xasprintf("%s/v2/_catalog?n=100", base);
	if (!list_all(&cat, &url, 1, net, repo_name_ok))
		goto fail;
	json_array_foreach(repos, i, s)
		if (json_object_get(out, json_string_value(s)) == NULL)
			json_object_set_new(out, json_string_value(s), json_array());
	if (!list_tags(e, base, out, net))
		goto fail;
	json_decref(repos);
	free(base);
	return out;
fail:
	json_decref(repos);
	json_decref(out);
	free(base);
	return NULL;
}

/*
 * Print images: "name:tag" a line (a repository without tags as "name"
 * alone), names sorted, or with json the envelope.  Returns 1, or 0 when
 * the stream failed.
 */
int
cr_images_print(FILE *f, json_t *images, int json)
{
	const char **names;
	const char *name;
	json_t *tags, *t;
	size_t i, j, n = json_object_size(images);

	if (json)
		return print_json(f, json_pack("{s:b, s:O}", "success", 1,
		    "data", images)) && fflush(f) == 0 && !ferror(f);
	names = xcalloc(n ? n : 1, sizeof(*names));
	i = 0;
	json_object_foreach(images, name, tags)
		names[i++] = name;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		tags = json_object_get(images, names[i]);
		if (json_array_size(tags) == 0)
			fprintf(f, "%s\n", names[i]);
		json_array_foreach(tags, j, t)
			fprintf(f, "%s:%s\n", names[i], json_string_value(t));
	}
	free(names);
	return fflush(f) == 0 && !ferror(f);
}

/* ---- verify-images: HEAD /v2/<name>/manifests/<reference> ------------- */

/* An image reference split: registry (host[:port]), repository name and
 * reference (a tag, or a digest after '@'), borrowed from buf. */
struct imgref {
	char		*registry, *name, *ref;
};

static int
digest_ok(const char *s)
{
	const char *c = strchr(s, ':');

	if (c == NULL || c == s || c[1] == '\0')
		return 0;
	for (; *s != ':'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    strchr("+._-", *s) == NULL)
			return 0;
	for (s = c + 1; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

/* Split buf (a copy of a reference such as host:5000/ns/name:tag) in
 * place.  1, or 0 when it is not a reference with a registry. */
static int
imgref_parse(char *buf, struct imgref *r)
{
	size_t n = cr_ref_registry(buf);
	char *at, *colon;

	if (n == 0)
		return 0;
	buf[n] = '\0';
	r->registry = buf;
	r->name = buf + n + 1;
	if ((at = strchr(r->name, '@')) != NULL) {
		*at = '\0';
		r->ref = at + 1;
		if ((colon = strrchr(r->name, ':')) != NULL &&
		    strchr(colon, '/') == NULL)
			*colon = '\0';	/* name:tag@digest: the digest wins */
		return repo_name_ok(r->name) && digest_ok(r->ref);
	}
	colon = strrchr(r->name, ':');
	if (colon != NULL && strchr(colon, '/') == NULL) {
		*colon = '\0';
		r->ref = colon + 1;
	} else
		r->ref = "latest";
	return repo_name_ok(r->name) && tag_ok(r->ref);
}

/* Every string of images.json's include[].tags, sorted, duplicates
 * dropped, into *out (borrowed from root).  0 after reporting. */
static int
image_tags(const struct ynode *root, const char *file, const char ***out,
    size_t *nout)
{
	const struct ynode *inc, *tags;
	struct check c;
	size_t i, j, n = 0, cap = 0;
	const char **v = NULL;
	char path[64];

	check_init(&c);
	inc = root->kind == Y_MAP ? ymap_get(root, "include") : NULL;
	if (check_kind(&c, root, "", Y_MAP) && inc == NULL)
		check_bad(&c, root, "", "no \"include\" list");
	else if (inc != NULL && check_kind(&c, inc, "include", Y_SEQ))
		for (i = 0; i < inc->n; i++) {
			snprintf(path, sizeof(path), "include[%zu]", i);
			if (!check_kind(&c, inc->items[i], path, Y_MAP) ||
			    (tags = ymap_get(inc->items[i], "tags")) == NULL)
				continue;
			snprintf(path, sizeof(path), "include[%zu].tags", i);
			if (!check_kind(&c, tags, path, Y_SEQ))
				continue;
			for (j = 0; j < tags->n; j++) {
				snprintf(path, sizeof(path), "include[%zu].tags[%zu]", i, j);
				if (!check_str(&c, tags->items[j], path, "an image tag"))
					continue;
				if (n == cap)
					v = xrealloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));
				v[n++] = tags->items[j]->str;
			}
		}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	for (i = j = 0; i < n; i++)
		if (j == 0 || strcmp(v[j - 1], v[i]) != 0)
			v[j++] = v[i];
	*out = v;
	*nout = j;
	return check_end(&c, file);
}

/* The requests for the tags of listed registries (HEAD on each manifest);
 * tags of other registries counted in *skipped.  v[i] is for tags[i], or
 * NULL when skipped. */
static void
verify_requests(const struct crlist *l, const char *const *tags, size_t n,
    const struct crnet *net, struct curl_slist *hdrs, struct req **v,
    size_t *skipped)
{
	const struct crentry *e;
	struct imgref ir;
	char *copy, *base;
	size_t i;

	for (i = 0; i < n; i++) {
		copy = xstrdup(tags[i]);
		if (!imgref_parse(copy, &ir)) {
			if (strchr(tags[i], '/') != NULL && strpbrk(tags[i], ".:"))
				diag(0, NULL, "warning: %s: not an image reference; "
				    "not checked", shown(tags[i]));
			(*skipped)++;
		} else if ((e = cr_for_registry(l, ir.registry,
		    strlen(ir.registry))) == NULL)
			(*skipped)++;
		else {
			base = base_url(e);
			v[i] = req_new(xasprintf("%s/v2/%s/manifests/%s", base,
			    ir.name, ir.ref), net, 1, 0, hdrs);
			free(base);
		}
		free(copy);
	}
}

/* Run the HEADs and print each tag that is missing: their number, or -1
 * after reporting a tag that could not be checked. */
static long
verify_run(const char *const *tags, size_t n, struct req **v,
    const struct crnet *net)
{
	struct req **run = xcalloc(n ? n : 1, sizeof(*run));
	size_t i, k = 0;
	long missing = 0;
	int bad = 0;
	char *why;

	for (i = 0; i < n; i++)
		if (v[i] != NULL)
			run[k++] = v[i];
	net_run(run, k, net != NULL ? net->jobs : 0);
	for (i = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		if (v[i]->fail == NULL && v[i]->status == 404) {
			printf("missing: %s\n", tags[i]);
			missing++;
		} else if ((why = answer_problem(v[i])) != NULL) {
			diag(EXIT_UNAVAILABLE, NULL, "%s: cannot check: %s",
			    tags[i], col_text(why));
			free(why);
			bad = 1;
		}
	}
	free(run);
	fflush(stdout);
	return bad ? -1 : missing;
}

/*
 * Does every tag of images.json (generated/) whose registry is listed
 * exist there?  A HEAD on each manifest, all at once; each missing tag is
 * printed ("missing: TAG").  Returns their number, or -1 after reporting
 * (a bad file, a registry that did not answer).
 */
long
cr_verify_images(const struct crlist *l, const char *images_json,
    const struct crnet *net)
{
	struct buf b = { 0 };
	struct ynode *root = NULL;
	struct curl_slist *hdrs = NULL;
	struct req **v = NULL;
	const char **tags = NULL;
	size_t i, n = 0, skipped = 0;
	long r = -1;

	if (!read_file_max(images_json, &b, GEN_MAX_FILE) ||
	    (root = jsonpos_load(images_json, b.s, b.len)) == NULL ||
	    !image_tags(root, images_json, &tags, &n) || !net_init())
		goto out;
	hdrs = curl_slist_append(NULL, accept_manifests);
	v = xcalloc(n ? n : 1, sizeof(*v));
	verify_requests(l, tags, n, net, hdrs, v, &skipped);
	r = verify_run(tags, n, v, net);
	note("%zu tags checked, %zu of registries not listed skipped",
	    n - skipped, skipped);
	for (i = 0; i < n; i++)
		req_free(v[i]);
out:
	free(v);
	curl_slist_free_all(hdrs);
	free(tags);
	ynode_free(root);
	buf_free(&b);
	return r;
}

/* ---- the last results: CR_HEALTH_FILE ---------------------------------- */

static json_t *
result_json(int healthy, long status, int api_v2, double ms,
    const char *reason, const char *at)
{
	return json_pack("{s:b, s:I, s:o, s:f, s:s, s:s}", "healthy", healthy,
	    "status", (json_int_t)status, "apiVersion", api_v2 ?
	    json_string("registry/2.0") : json_null(), "latencyMs",
	    round1(ms), "reason", reason ? reason : "",
	    "checkedAt", at);
}


/* The result for id: this run's (e[j] checked), else the last one kept. */
static json_t *
result_for(const char *id, const struct crentry *const *e, size_t n,
    const struct crhealth *h, const struct crlastset *old, const char *at)
{
	const struct crlast *o;
	size_t j;

	for (j = n; j-- > 0;)
		if (strcmp(e[j]->id, id) == 0)
			return result_json(h[j].healthy, h[j].status, h[j].api_v2,
			    h[j].ms, h[j].reason, at);
	if ((o = crlast_find(old, id)) != NULL)
		return result_json(o->healthy, o->status, o->api_v2, o->ms,
		    o->reason, o->checked_at);
	return NULL;
}

/*
 * Write the last results (path: CR_HEALTH_FILE) atomically: this run's
 * for e[0..n) (h[i] for e[i]), checked at when (seconds since the epoch),
 * the file's earlier ones for listed ids not checked now, none for ids no
 * longer listed.  Returns 1, or 0 after reporting (a file there that is
 * not one of these is left alone).
 */
int
cr_health_write(const char *path, const struct crlist *l,
    const struct crentry *const *e, size_t n, const struct crhealth *h,
    long long when)
{
	struct crlastset *old = NULL;
	struct buf b = { 0 };
	json_t *root = NULL, *res, *r;
	char at[32], *text = NULL;
	size_t i;
	int ok = 0;

	if (!cr_health_read(path, &old))
		goto out;
	index_time(when, at);
	res = json_object();
	for (i = 0; i < l->n; i++)
		if ((r = result_for(l->e[i].id, e, n, h, old, at)) != NULL)
			json_object_set_new(res, l->e[i].id, r);
	root = json_pack("{s:i, s:s, s:o}", "schemaVersion", 1, "checkedAt",
	    at, "results", res);
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2) |
	    JSON_REAL_PRECISION(15));
	if (text == NULL) {
		diag(EXIT_IOERR, NULL, "%s: cannot encode the results", path);
		goto out;
	}
	buf_puts(&b, text);
	buf_putc(&b, '\n');
	ok = write_atomic(path, b.s, b.len);
out:
	buf_free(&b);
	free(text);
	json_decref(root);
	crlastset_free(old);
	return ok;
}

/* Is s "YYYY-MM-DDTHH:MM:SSZ"? */
static int
utc_ok(const char *s)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; form[i] != '\0'; i++)
		if (form[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != form[i])
			return 0;
	return s[i] == '\0';
}

/* A UUID as the entries write it: lower-case hex, 8-4-4-4-12. */
static int
uuid_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return s[36] == '\0';
}

/* The scalar under key of map, of the kind what ("a boolean", "an
 * integer"...; "a number" takes either), or NULL after reporting. */
static const struct ynode *
field(struct check *c, const struct ynode *map, const char *path,
    const char *key, const char *what)
{
	const struct ynode *n = ymap_get(map, key);
	const char *is;
	char *p;

	if (n == NULL) {
		check_bad(c, map, path, "missing \"%s\"", key);
		return NULL;
	}
	is = ynode_what(n);
	if (strcmp(is, what) == 0 || (strcmp(what, "a number") == 0 &&
	    (strcmp(is, "an integer") == 0 || strcmp(is, "a float") == 0)))
		return n;
	p = path_join(path, key);
	check_bad(c, n, p, "expected %s, got %s", what, is);
	free(p);
	return NULL;
}

/* A time stamp field: NULL after reporting. */
static const struct ynode *
time_field(struct check *c, const struct ynode *map, const char *path)
{
	const struct ynode *n = field(c, map, path, "checkedAt", "a string");
	char *p;

	if (n != NULL && !utc_ok(n->str)) {
		p = path_join(path, "checkedAt");
		check_bad(c, n, p, "expected a time as YYYY-MM-DDTHH:MM:SSZ, "
		    "got %s", shown(n->str));
		free(p);
		return NULL;
	}
	return n;
}

/* One result of the file, checked, into *r.  0 after reporting. */
static int
read_result(struct check *c, const struct ynode *key, const struct ynode *v,
    struct crlast *r)
{
	static const char *const keys[] = { "apiVersion", "checkedAt",
	    "healthy", "latencyMs", "reason", "status", NULL };
	const struct ynode *hl, *st, *api, *ms, *why, *at;
	char *path = path_join("results", key->str), *end;
	int ok = 0;

	if (!uuid_ok(key->str)) {
		check_bad(c, key, "results", "expected a registry id (a UUID), "
		    "got %s", shown(key->str));
		goto out;
	}
	if (!check_kind(c, v, path, Y_MAP))
		goto out;
	check_keys(c, v, path, keys);
	hl = field(c, v, path, "healthy", "a boolean");
	st = field(c, v, path, "status", "an integer");
	ms = field(c, v, path, "latencyMs", "a number");
	why = field(c, v, path, "reason", "a string");
	at = time_field(c, v, path);
	if ((api = ymap_get(v, "apiVersion")) == NULL)
		check_bad(c, v, path, "missing \"apiVersion\"");
	else if (strcmp(ynode_what(api), "null") != 0 && (!yscalar_is_str(api) ||
	    strcmp(api->str, "registry/2.0") != 0)) {
		char *ap = path_join(path, "apiVersion");

		check_bad(c, api, ap, "expected \"registry/2.0\" or null");
		free(ap);
		api = NULL;
	}
	if (!hl || !st || !ms || !why || !at || !api)
		goto out;
	r->status = strtol(st->str, &end, 10);
	r->ms = strtod(ms->str, NULL);
	if (*end != '\0' || r->status < 0 || r->status > 999 || r->ms < 0 ||
	    !text_clean(why->str, 1)) {
		check_bad(c, v, path, "a status of 0 to 999, a latency of 0 or "
		    "more and a reason on one line are expected");
		goto out;
	}
	r->id = xstrdup(key->str);
	r->healthy = strcmp(hl->str, "true") == 0;
	r->api_v2 = yscalar_is_str(api);
	r->reason = xstrdup(why->str);
	r->checked_at = xstrdup(at->str);
	ok = 1;
out:
	free(path);
	return ok;
}

static int
cmp_last(const void *a, const void *b)
{
	return strcmp(((const struct crlast *)a)->id,
	    ((const struct crlast *)b)->id);
}

/* The top of the file: schemaVersion 1, checkedAt, results.  The results
 * mapping, or NULL after reporting. */
static const struct ynode *
read_top(struct check *c, const struct ynode *root)
{
	static const char *const keys[] = { "checkedAt", "results",
	    "schemaVersion", NULL };
	const struct ynode *v, *res;

	if (!check_kind(c, root, "", Y_MAP))
		return NULL;
	check_keys(c, root, "", keys);
	if ((v = field(c, root, "", "schemaVersion", "an integer")) != NULL &&
	    strcmp(v->str, "1") != 0)
		check_bad(c, v, "schemaVersion", "expected 1, got %s", v->str);
	time_field(c, root, "");
	if ((res = ymap_get(root, "results")) == NULL)
		check_bad(c, root, "", "missing \"results\"");
	else if (!check_kind(c, res, "results", Y_MAP))
		res = NULL;
	return res;
}

/*
 * The last results (CR_HEALTH_FILE), checked strictly: 1 with *out set
 * (sorted by id; NULL when there is no file; crlastset_free it), or 0
 * after reporting every problem at its place (EXIT_DATAERR).
 */
int
cr_health_read(const char *path, struct crlastset **out)
{
	struct buf b = { 0 };
	struct ynode *root = NULL;
	const struct ynode *res;
	struct crlastset *s = NULL;
	struct check c;
	size_t i;
	int r, ok = 0;

	*out = NULL;
	check_init(&c);
	if ((r = read_file_opt_max(path, &b, GEN_MAX_FILE)) == -1) {
		ok = 1;
		goto out;
	}
	if (r == 0 || (root = jsonpos_load(path, b.s, b.len)) == NULL)
		goto out;
	res = read_top(&c, root);
	s = xcalloc(1, sizeof(*s));
	if (res != NULL) {
		s->r = xcalloc(res->n ? res->n : 1, sizeof(*s->r));
		for (i = 0; i < res->n; i++)
			if (read_result(&c, res->keys[i], res->items[i], &s->r[s->n]))
				s->n++;
		qsort(s->r, s->n, sizeof(*s->r), cmp_last);
	}
	ok = 1;
out:
	if (!check_end(&c, path))
		ok = 0;
	if (ok && root != NULL)
		*out = s;
	else
		crlastset_free(s);
	ynode_free(root);
	buf_free(&b);
	return ok;
}

/* Free a set of last results and everything in it (NULL is fine). */
void
crlastset_free(struct crlastset *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->r[i].id);
		free(s->r[i].reason);
		free(s->r[i].checked_at);
	}
	free(s->r);
	free(s);
}

/* The last result for id, or NULL (borrowed from s, which may be NULL). */
const struct crlast *
crlast_find(const struct crlastset *s, const char *id)
{
	struct crlast key;

	if (s == NULL || s->n == 0)
		return NULL;
	key.id = (char *)id;
	return bsearch(&key, s->r, s->n, sizeof(*s->r), cmp_last);
}
