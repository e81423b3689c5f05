/* aliyun_api: calls to Alibaba Cloud's RPC-style OpenAPI over HTTPS (libcurl):
 * the AccessKey file, the endpoint, signed GET requests (aliyun_sign), the
 * error answers, and retries of what the API documents as transient
 * (throttling, 5xx, a connection that failed).
 *
 * The AccessKey secret stays in this module's memory: it never reaches argv,
 * the environment, the log or an error message, and it is wiped when the
 * client is freed.  The AccessKey ID is shown masked ("LTAI****9fk2"). */
#ifndef GP2ADB_ALIYUN_API_H
#define GP2ADB_ALIYUN_API_H

#include <stdbool.h>
#include <stddef.h>

#include "aliyun_sign.h"

struct aliyun_key {
	char *id;
	char *secret;
};

/* Read an AccessKey file: its owner's only (mode 0600 or stricter, like
 * ~/.pgpass), holding either
 *     access_key_id = LTAI...
 *     access_key_secret = ...
 * ("id = ..." and "key = ...", as for gp2adb oss, do too), or the CSV the
 * console downloads ("AccessKey ID,AccessKey Secret" and a
 * line of values).  Errors name the file (and line), never a value. */
bool aliyun_key_load(struct aliyun_key *k, const char *path, char *err, size_t errsize);
void aliyun_key_done(struct aliyun_key *k);
/* The id as messages may show it: the first 4 and last 4 characters. */
void aliyun_key_id_masked(const char *id, char *out, size_t size);

/* The base URL for an endpoint setting ("gpdb.aliyuncs.com",
 * "https://host", or "http://127.0.0.1:port" for a server on this machine
 * only), or for a region when endpoint is NULL.  Caller frees *url. */
bool aliyun_endpoint_url(const char *endpoint, const char *region, char **url, char *err, size_t errsize);

struct aliyun_client {
	char *url;                  /* "https://gpdb.aliyuncs.com/" */
	char *version;              /* the API version, "2016-05-03" */
	struct aliyun_key key;
	int attempts;               /* tries per call (4) */
	double backoff_s;           /* pause before the second try, doubled after (0.5) */
	long timeout_s;             /* per HTTP request (15) */
};

bool aliyun_client_init(struct aliyun_client *c, const char *endpoint, const char *region,
			const char *key_file, const char *version, char *err, size_t errsize);
void aliyun_client_done(struct aliyun_client *c);

/* Why a call failed. */
struct aliyun_error {
	char action[64];
	long http_status;           /* 0: no HTTP answer */
	char code[96];              /* the API's error code ("Throttling"), or "" */
	char message[512];          /* the API's or libcurl's message, AccessKey ID masked */
	char request_id[80];
	int attempts;               /* how many tries were made */
	bool rejected;              /* the API answered with an error: it changed nothing */
};
/* "ModifySecurityIps: HTTP 403 SignatureDoesNotMatch: ... (RequestId ...)" */
const char *aliyun_error_text(const struct aliyun_error *e, char *buf, size_t size);

/* Call action with params (the common parameters and the signature are
 * added).  On success *body is the answer (JSON; caller frees).  Transient
 * failures are retried c->attempts times with a growing pause, each retry
 * logged as a warning; the caller logs the final failure. */
bool aliyun_call(struct aliyun_client *c, const char *action, const struct aliyun_params *params,
		 char **body, struct aliyun_error *err);

/* Classify an answer: whether (status, code) is worth another try. */
bool aliyun_retryable(long http_status, const char *code);

#endif
