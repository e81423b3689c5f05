#include "aliyun_sign.h"
#include "mem.h"
#include "strbuf.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

void aliyun_params_init(struct aliyun_params *ps)
{
	ps->v = NULL;
	ps->n = 0;
}

void aliyun_params_done(struct aliyun_params *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].value);
	}
	free(ps->v);
	aliyun_params_init(ps);
}

void aliyun_params_set(struct aliyun_params *ps, const char *name, const char *value)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0) {
			char *v = xstrdup(value);
			free(ps->v[i].value);
			ps->v[i].value = v;
			return;
		}
	ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof *ps->v);
	ps->v[ps->n].name = xstrdup(name);
	ps->v[ps->n].value = xstrdup(value);
	ps->n++;
}

const char *aliyun_params_get(const struct aliyun_params *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return ps->v[i].value;
	return NULL;
}

static void encode_into(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    *c == '-' || *c == '_' || *c == '.' || *c == '~') {
			strbuf_putc(sb, (char)*c);
		} else {
			strbuf_putc(sb, '%');
			strbuf_putc(sb, hex[*c >> 4]);
			strbuf_putc(sb, hex[*c & 15]);
		}
	}
}

char *aliyun_percent_encode(const char *s)
{
	struct strbuf sb;
	strbuf_init(&sb);
	encode_into(&sb, s);
	return strbuf_finish(&sb);
}

static int by_name(const void *a, const void *b)
{
	/* byte order, as the documentation's "dictionary order" of the names */
	return strcmp((*(const struct aliyun_param *const *)a)->name, (*(const struct aliyun_param *const *)b)->name);
}

char *aliyun_canonical_query(const struct aliyun_params *ps)
{
	const struct aliyun_param **sorted = xcalloc(ps->n + 1, sizeof *sorted);
	size_t n = 0;
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, "Signature") != 0)
			sorted[n++] = &ps->v[i];
	qsort(sorted, n, sizeof *sorted, by_name);
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_putc(&sb, '&');
		encode_into(&sb, sorted[i]->name);
		strbuf_putc(&sb, '=');
		encode_into(&sb, sorted[i]->value);
	}
	free(sorted);
	return strbuf_finish(&sb);
}

char *aliyun_string_to_sign(const char *method, const struct aliyun_params *ps)
{
	char *canonical = aliyun_canonical_query(ps);
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "%s&", method);
	encode_into(&sb, "/");
	strbuf_putc(&sb, '&');
	encode_into(&sb, canonical);
	free(canonical);
	return strbuf_finish(&sb);
}

void aliyun_signature(const char *method, const struct aliyun_params *ps, const char *secret,
		      char out[ALIYUN_SIGNATURE_SIZE])
{
	char *sts = aliyun_string_to_sign(method, ps);
	size_t klen = strlen(secret) + 1;
	char *key = xmalloc(klen + 1);
	memcpy(key, secret, klen - 1);
	key[klen - 1] = '&';
	key[klen] = '\0';
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	HMAC(EVP_sha1(), key, (int)klen, (const unsigned char *)sts, strlen(sts), md, &mdlen);
	OPENSSL_cleanse(key, klen);
	free(key);
	free(sts);
	/* 20 bytes -> 28 base64 characters */
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	OPENSSL_cleanse(md, sizeof md);
}

bool aliyun_signature_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

void aliyun_timestamp(time_t t, char out[ALIYUN_TIMESTAMP_SIZE])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, ALIYUN_TIMESTAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool aliyun_timestamp_parse(const char *s, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return false;
	*out = timegm(&tm);
	return true;
}

void aliyun_nonce(char out[ALIYUN_NONCE_SIZE])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
		/* No kernel randomness: still unique per request, which is all a nonce must be. */
		static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
		static unsigned long counter;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		pthread_mutex_lock(&lock);
		unsigned long c = ++counter;
		pthread_mutex_unlock(&lock);
		unsigned long long mix[2] = { (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec,
					      ((unsigned long long)getpid() << 32) ^ c };
		memcpy(b, mix, sizeof b);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, ALIYUN_NONCE_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
