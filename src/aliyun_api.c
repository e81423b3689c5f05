#include "aliyun_api.h"
#include "autoconfig.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BODY_MAX (1 << 20)

/* --- the endpoint --- */

/* Regions whose public endpoint is the central one (the API reference's
 * "Endpoints" table, gpdb 2016-05-03); the others are gpdb.<region>.aliyuncs.com. */
static const char *const central_regions[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", NULL
};

static bool loopback_host(const char *host, size_t n)
{
	char h[64];
	if (n == 0 || n >= sizeof h)
		return false;
	memcpy(h, host, n);
	h[n] = '\0';
	if (strcmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0)
		return true;
	struct in_addr a;
	return inet_pton(AF_INET, h, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

bool aliyun_endpoint_url(const char *endpoint, const char *region, char **url, char *err, size_t errsize)
{
	*url = NULL;
	if (!endpoint || !*endpoint) {
		if (!region || !*region) {
			snprintf(err, errsize, "neither an endpoint nor a region is given (e.g. region = \"cn-hangzhou\")");
			return false;
		}
		for (const char *c = region; *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-') {
				snprintf(err, errsize, "region \"%s\" is not a region id like cn-hangzhou", region);
				return false;
			}
		for (int i = 0; central_regions[i]; i++)
			if (strcmp(region, central_regions[i]) == 0) {
				*url = xstrdup("https://gpdb.aliyuncs.com/");
				return true;
			}
		*url = xasprintf("https://gpdb.%s.aliyuncs.com/", region);
		return true;
	}
	const char *scheme = "https://";
	const char *rest = endpoint;
	if (strncmp(endpoint, "https://", 8) == 0) {
		rest = endpoint + 8;
	} else if (strncmp(endpoint, "http://", 7) == 0) {
		scheme = "http://";
		rest = endpoint + 7;
	} else if (strstr(endpoint, "://")) {
		snprintf(err, errsize, "endpoint \"%s\": only https:// (or http:// to this machine) is supported", endpoint);
		return false;
	}
	size_t hostlen = strcspn(rest, "/");
	const char *path = rest + hostlen;
	if (hostlen == 0 || strcspn(rest, " ?#@\\\"'") < strlen(rest) || (*path && strcmp(path, "/") != 0)) {
		snprintf(err, errsize, "endpoint \"%s\" is not a host name (with an optional port), like gpdb.aliyuncs.com",
			 endpoint);
		return false;
	}
	if (strcmp(scheme, "http://") == 0) {
		/* the host without its port */
		size_t n = hostlen;
		if (rest[0] == '[') {
			const char *close = memchr(rest, ']', hostlen);
			n = close ? (size_t)(close - rest) + 1 : hostlen;
		} else {
			const char *colon = memchr(rest, ':', hostlen);
			if (colon)
				n = (size_t)(colon - rest);
		}
		if (!loopback_host(rest, n)) {
			snprintf(err, errsize, "endpoint \"%s\": plain http:// is only for a server on this machine "
				 "(127.0.0.1, localhost); use https://", endpoint);
			return false;
		}
	}
	*url = xasprintf("%s%.*s/", scheme, (int)hostlen, rest);
	return true;
}

/* --- the client --- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	/* not thread-safe itself: once per process, before any handle */
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool aliyun_client_init(struct aliyun_client *c, const char *endpoint, const char *region,
			const char *key_file, const char *version, char *err, size_t errsize)
{
	memset(c, 0, sizeof *c);
	if (!aliyun_endpoint_url(endpoint, region, &c->url, err, errsize))
		return false;
	if (!aliyun_key_load(&c->key, key_file, err, errsize)) {
		free(c->url);
		c->url = NULL;
		return false;
	}
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errsize, "libcurl cannot start: %s", curl_easy_strerror(curl_init_rc));
		aliyun_client_done(c);
		return false;
	}
	c->version = xstrdup(version);
	c->attempts = 4;
	c->backoff_s = 0.5;
	c->timeout_s = 15;     /* the API answers in well under a second; the wizard waits for it */
	return true;
}

void aliyun_client_done(struct aliyun_client *c)
{
	free(c->url);
	free(c->version);
	aliyun_key_done(&c->key);
	memset(c, 0, sizeof *c);
}

/* --- errors --- */

bool aliyun_retryable(long http_status, const char *code)
{
	if (http_status == 0 || http_status >= 500)
		return true;
	return code && (strncmp(code, "Throttling", 10) == 0 || strcmp(code, "ServiceUnavailable") == 0 ||
			strcmp(code, "InternalError") == 0);
}

const char *aliyun_error_text(const struct aliyun_error *e, char *buf, size_t size)
{
	char status[32] = "";
	if (e->http_status)
		snprintf(status, sizeof status, "HTTP %ld ", e->http_status);
	snprintf(buf, size, "%s: %s%s%s%s%s%s%s", e->action, status, e->code, e->code[0] ? ": " : "",
		 e->message[0] ? e->message : "no message",
		 e->request_id[0] ? " (RequestId " : "", e->request_id, e->request_id[0] ? ")" : "");
	return buf;
}

/* Copy src into dst with every occurrence of the AccessKey ID masked. */
static void scrub(char *dst, size_t size, const char *src, const char *id)
{
	char masked[32];
	aliyun_key_id_masked(id, masked, sizeof masked);
	struct strbuf sb;
	strbuf_init(&sb);
	size_t idlen = id ? strlen(id) : 0;
	for (const char *p = src; *p; ) {
		if (idlen && strncmp(p, id, idlen) == 0) {
			strbuf_puts(&sb, masked);
			p += idlen;
		} else {
			strbuf_putc(&sb, (*p == '\n' || *p == '\r') ? ' ' : *p);
			p++;
		}
	}
	snprintf(dst, size, "%s", sb.data);
	strbuf_done(&sb);
}

/* The documented error answer: {"RequestId", "HostId", "Code", "Message", ...}. */
static void parse_error_body(struct aliyun_error *e, const char *body, const char *id)
{
	json_error_t jerr;
	json_t *root = body ? json_loads(body, 0, &jerr) : NULL;
	const char *code = root ? json_string_value(json_object_get(root, "Code")) : NULL;
	const char *msg = root ? json_string_value(json_object_get(root, "Message")) : NULL;
	const char *rid = root ? json_string_value(json_object_get(root, "RequestId")) : NULL;
	if (code)
		scrub(e->code, sizeof e->code, code, id);
	if (msg)
		scrub(e->message, sizeof e->message, msg, id);
	else if (body && *body)
		scrub(e->message, sizeof e->message, "an answer that is not the documented error JSON", id);
	if (rid)
		snprintf(e->request_id, sizeof e->request_id, "%s", rid);
	json_decref(root);
}

/* --- one request --- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;
	if (sb->len + size * n > BODY_MAX)
		return 0;       /* too large for any answer of these actions: fail the transfer */
	strbuf_add(sb, data, size * n);
	return size * n;
}

/* The signed URL; it is a credential for a few minutes, so it is never logged. */
static char *signed_url(const struct aliyun_client *c, const char *action, const struct aliyun_params *params)
{
	struct aliyun_params ps;
	aliyun_params_init(&ps);
	for (size_t i = 0; i < params->n; i++)
		aliyun_params_set(&ps, params->v[i].name, params->v[i].value);
	char ts[ALIYUN_TIMESTAMP_SIZE], nonce[ALIYUN_NONCE_SIZE], sig[ALIYUN_SIGNATURE_SIZE];
	aliyun_timestamp(time(NULL), ts);
	aliyun_nonce(nonce);
	aliyun_params_set(&ps, "Action", action);
	aliyun_params_set(&ps, "Version", c->version);
	aliyun_params_set(&ps, "Format", "JSON");
	aliyun_params_set(&ps, "AccessKeyId", c->key.id);
	aliyun_params_set(&ps, "SignatureMethod", "HMAC-SHA1");
	aliyun_params_set(&ps, "SignatureVersion", "1.0");
	aliyun_params_set(&ps, "SignatureNonce", nonce);
	aliyun_params_set(&ps, "Timestamp", ts);
	aliyun_signature("GET", &ps, c->key.secret, sig);
	char *query = aliyun_canonical_query(&ps);
	char *esig = aliyun_percent_encode(sig);
	char *url = xasprintf("%s?%s&Signature=%s", c->url, query, esig);
	free(query);
	free(esig);
	aliyun_params_done(&ps);
	return url;
}

/* One try: true on an HTTP 2xx answer (body in *body). */
static bool request_once(struct aliyun_client *c, const char *action, const struct aliyun_params *params,
			 char **body, struct aliyun_error *e)
{
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(e->message, sizeof e->message, "libcurl cannot make a handle");
		return false;
	}
	char *url = signed_url(c, action, params);
	struct strbuf sb;
	strbuf_init(&sb);
	char cerr[CURL_ERROR_SIZE] = "";
	char *agent = xasprintf("gp2adb/%s", PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_USERAGENT, agent);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sb);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	/* the URL held the signature: wipe it with the rest */
	memset(url, 0, strlen(url));
	free(url);
	free(agent);
	e->http_status = rc == CURLE_OK ? status : 0;
	e->code[0] = e->message[0] = e->request_id[0] = '\0';
	e->rejected = false;
	if (rc != CURLE_OK) {
		/* libcurl's messages name the host, never the query */
		scrub(e->message, sizeof e->message, cerr[0] ? cerr : curl_easy_strerror(rc), c->key.id);
		/* nothing was sent when the connection could not be made */
		e->rejected = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
			      rc == CURLE_COULDNT_RESOLVE_PROXY;
		strbuf_done(&sb);
		return false;
	}
	if (status >= 200 && status < 300) {
		*body = strbuf_finish(&sb);
		return true;
	}
	parse_error_body(e, sb.data, c->key.id);
	/* a 4xx is the API's refusal: the request changed nothing */
	e->rejected = status >= 400 && status < 500;
	strbuf_done(&sb);
	return false;
}

bool aliyun_call(struct aliyun_client *c, const char *action, const struct aliyun_params *params,
		 char **body, struct aliyun_error *err)
{
	memset(err, 0, sizeof *err);
	snprintf(err->action, sizeof err->action, "%s", action);
	*body = NULL;
	double pause = c->backoff_s;
	for (int attempt = 1; ; attempt++) {
		err->attempts = attempt;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		bool ok = request_once(c, action, params, body, err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (ok) {
			log_debug("%s %s: HTTP %ld in %.2f s", c->url, action, err->http_status, took);
			return true;
		}
		char text[800];
		if (attempt >= c->attempts || !aliyun_retryable(err->http_status, err->code))
			return false;
		log_warn("%s; trying again in %.1f s (attempt %d of %d)", aliyun_error_text(err, text, sizeof text),
			 pause, attempt + 1, c->attempts);
		struct timespec ts = { (time_t)pause, (long)((pause - (double)(time_t)pause) * 1e9) };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		pause *= 2;
	}
}
