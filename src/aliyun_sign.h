/* aliyun_sign: the signature of Alibaba Cloud's RPC-style OpenAPI requests
 * (signature method HMAC-SHA1, version 1.0), as the "Signature mechanism"
 * topic of the API documentation describes it:
 *
 *   CanonicalizedQueryString = the parameters but Signature, sorted by name,
 *       each percentEncode(name) "=" percentEncode(value), joined by "&"
 *   StringToSign = method "&" percentEncode("/") "&" percentEncode(Canonicalized...)
 *   Signature    = Base64(HMAC-SHA1(AccessKeySecret "&", StringToSign))
 *
 * percentEncode leaves A-Z a-z 0-9 - _ . ~ as they are and writes every other
 * byte of the UTF-8 text as %XY (upper-case hex): a space is %20, not "+".
 * Nothing here logs; the secret is only ever an argument, wiped after use. */
#ifndef GP2ADB_ALIYUN_SIGN_H
#define GP2ADB_ALIYUN_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A request's parameters, in the order they were added. */
struct aliyun_param {
	char *name;
	char *value;
};
struct aliyun_params {
	struct aliyun_param *v;
	size_t n;
};

void aliyun_params_init(struct aliyun_params *ps);
void aliyun_params_done(struct aliyun_params *ps);
/* Add (or replace) a parameter. */
void aliyun_params_set(struct aliyun_params *ps, const char *name, const char *value);
/* The value of a parameter, or NULL. */
const char *aliyun_params_get(const struct aliyun_params *ps, const char *name);

/* percentEncode(s); caller frees. */
char *aliyun_percent_encode(const char *s);
/* The canonicalized query string (without Signature); caller frees. */
char *aliyun_canonical_query(const struct aliyun_params *ps);
/* StringToSign for an HTTP method ("GET"); caller frees. */
char *aliyun_string_to_sign(const char *method, const struct aliyun_params *ps);
/* Base64(HMAC-SHA1(secret "&", StringToSign)) into out (28 characters and a NUL). */
#define ALIYUN_SIGNATURE_SIZE 32
void aliyun_signature(const char *method, const struct aliyun_params *ps, const char *secret,
		      char out[ALIYUN_SIGNATURE_SIZE]);
/* Whether two signatures are equal, in time that does not depend on where they differ. */
bool aliyun_signature_equal(const char *a, const char *b);

/* The Timestamp parameter: ISO 8601 in UTC, "2016-02-23T12:46:24Z". */
#define ALIYUN_TIMESTAMP_SIZE 24
void aliyun_timestamp(time_t t, char out[ALIYUN_TIMESTAMP_SIZE]);
/* Parse a Timestamp back; false when it is not in that form. */
bool aliyun_timestamp_parse(const char *s, time_t *out);
/* A SignatureNonce: a random (version 4) UUID. */
#define ALIYUN_NONCE_SIZE 40
void aliyun_nonce(char out[ALIYUN_NONCE_SIZE]);

#endif
