#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliyun_api.h"
#include "mem.h"
#include "standin.h"
#include "strbuf.h"

const char *standin_endpoint(void)
{
	const char *e = getenv("GP2ADB_TEST_API_ENDPOINT");
	if (!e)
		fail_msg("GP2ADB_TEST_API_ENDPOINT is not set: run this test through tests/harness/run-test");
	return e;
}

const char *standin_key_path(void)
{
	const char *k = getenv("GP2ADB_TEST_API_KEY");
	if (!k)
		fail_msg("GP2ADB_TEST_API_KEY is not set: run this test through tests/harness/run-test");
	return k;
}

void standin_key(char **id, char **secret)
{
	struct aliyun_key k;
	char err[600];
	if (!aliyun_key_load(&k, standin_key_path(), err, sizeof err))
		fail_msg("%s", err);
	*id = xstrdup(k.id);
	*secret = xstrdup(k.secret);
	aliyun_key_done(&k);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	strbuf_add(arg, data, size * n);
	return size * n;
}

char *standin_get(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char path[2048];
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	char *url = xasprintf("%s/standin/%s", standin_endpoint(), path);
	struct strbuf sb;
	strbuf_init(&sb);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sb);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK || status != 200)
		fail_msg("stand-in %s: %s (HTTP %ld) %s", url, curl_easy_strerror(rc), status, sb.data);
	free(url);
	return strbuf_finish(&sb);
}

void standin_reset(const char *instance)
{
	free(standin_get("reset"));
	/* a group makes the instance exist; then it goes */
	standin_set(instance, "default", "127.0.0.1");
}

void standin_set(const char *instance, const char *group, const char *ips)
{
	free(standin_get("set?instance=%s&group=%s&ips=%s", instance, group, ips));
}

char *standin_group(const char *instance, const char *group)
{
	char *all = standin_get("groups?instance=%s", instance);
	char *found = NULL;
	for (char *line = strtok(all, "\n"); line && !found; line = strtok(NULL, "\n")) {
		char *tab = strchr(line, '\t');
		char *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
		if (tab && tab2 && (size_t)(tab - line) == strlen(group) && strncmp(line, group, strlen(group)) == 0)
			found = xstrdup(tab2 + 1);
	}
	free(all);
	return found;
}

int standin_count(const char *needle)
{
	char *log = standin_get("log");
	int n = 0;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		n += strstr(line, needle) != NULL;
	free(log);
	return n;
}
