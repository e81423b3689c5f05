#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliyun_api.h"
#include "apitest.h"
#include "config.h"
#include "journal.h"
#include "mem.h"
#include "strbuf.h"

char *at_key_id, *at_key_secret;

static const char *env_or_fail(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		fail_msg("%s is not set: run this test through tests/harness/run-test", name);
	return v;
}

int at_setup(void **state)
{
	(void)state;
	struct aliyun_key k;
	char err[600];
	if (!aliyun_key_load(&k, env_or_fail("GP2ADB_TEST_API_KEY"), err, sizeof err))
		fail_msg("%s", err);
	at_key_id = xstrdup(k.id);
	at_key_secret = xstrdup(k.secret);
	aliyun_key_done(&k);
	return 0;
}

int at_teardown(void **state)
{
	(void)state;
	free(at_key_id);
	free(at_key_secret);
	return 0;
}

const char *at_endpoint(void)
{
	return env_or_fail("GP2ADB_TEST_API_ENDPOINT");
}

/* --- the stand-in's steering requests --- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	strbuf_add(arg, data, size * n);
	return size * n;
}

char *at_get(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char path[2048];
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	char *url = xasprintf("%s/standin/%s", at_endpoint(), path);
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

void at_reset(const char *instance)
{
	free(at_get("reset"));
	/* a group makes the instance exist: the default one, as a new instance has it */
	at_set(instance, "default", "127.0.0.1");
}

void at_set(const char *instance, const char *group, const char *ips)
{
	free(at_get("set?instance=%s&group=%s&ips=%s", instance, group, ips));
}

/* The group's entries ("a,b"), or NULL when the instance has no such group. */
static char *group_entries(const char *instance, const char *group)
{
	char *all = at_get("groups?instance=%s", instance);
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

int at_count(const char *needle)
{
	char *log = at_get("log");
	int n = 0;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		n += strstr(line, needle) != NULL;
	free(log);
	return n;
}

void at_expect_group(const char *group, const char *want)
{
	char *got = group_entries(AT_INSTANCE, group);
	if (!want && got)
		fail_msg("group %s exists: %s", group, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("group %s holds \"%s\", want \"%s\"", group, got ? got : "(no group)", want);
	free(got);
}

/* --- gp2adb against it --- */

void at_world_open(struct at_world *w, const char *key_text, const char *adb_extra)
{
	at_reset(AT_INSTANCE);
	w->dir = tu_tmpdir();
	w->key = xasprintf("%s/gp2adb.key", w->dir);
	char *text = key_text ? xstrdup(key_text)
			      : xasprintf("access_key_id = %s\naccess_key_secret = %s\n", at_key_id, at_key_secret);
	tu_write_file(w->key, text, 0600);
	free(text);
	char *adb = xasprintf("adb = { instance_id = \"%s\"; access_key_file = \"%s\"; endpoint = \"%s\"; %s };\n",
			      AT_INSTANCE, w->key, at_endpoint(), adb_extra ? adb_extra : "");
	w->conf = tu_write_config(w->dir, "postgres", "postgres", adb);
	free(adb);
}

void at_world_close(struct at_world *w)
{
	free(w->dir);
	free(w->key);
	free(w->conf);
}

void at_assert_no_secret(const char *what, const char *text)
{
	if (text && strstr(text, at_key_secret))
		fail_msg("%s shows the AccessKey secret:\n%s", what, text);
	if (text && strstr(text, at_key_id))
		fail_msg("%s shows the AccessKey ID unmasked:\n%s", what, text);
}

void at_gp(struct tu_run *r, const struct at_world *w, int want, ...)
{
	const char *args[16] = { "-c", w->conf };
	int n = 2;
	va_list ap;
	va_start(ap, want);
	for (const char *a; n < 15 && (a = va_arg(ap, const char *)); )
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	tu_run_gp2adb(r, args);
	at_assert_no_secret("stdout", r->out);
	at_assert_no_secret("stderr", r->err);
	if (r->status != want) {
		char cmd[400] = "";
		for (int i = 2; i < n; i++)
			snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", args[i]);
		fail_msg("gp2adb%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", cmd, r->status, want, r->out, r->err);
	}
}

void at_expect_in(const char *what, const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("%s lacks \"%s\":\n%s", what, needle, text);
}

void at_load_plan(const struct at_world *w, struct plan *p)
{
	char err[600];
	plan_init(p);
	if (!config_load(p, w->conf, err, sizeof err))
		fail_msg("%s", err);
}

char *at_ledger_text(const struct at_world *w)
{
	struct plan p;
	at_load_plan(w, &p);
	/* the ledger: one per state directory */
	struct journal j;
	assert_true(journal_open_dir(&j, p.state_dir, ACCESS_DIR, false));
	char *path = journal_path(&j, "ledger");
	char *text = tu_read_file(path);
	if (!text)
		fail_msg("no ledger at %s", path);
	free(path);
	journal_close(&j);
	/* the log: one per migration */
	assert_true(journal_open(&j, &p, false));
	path = journal_path(&j, "gp2adb.log");
	char *log = tu_read_file(path);
	at_assert_no_secret("gp2adb.log", log);
	free(log);
	free(path);
	journal_close(&j);
	plan_done(&p);
	at_assert_no_secret("the ledger", text);
	return text;
}

enum access_state at_opening_state(const struct at_world *w, int id)
{
	struct plan p;
	at_load_plan(w, &p);
	struct access_ledger l;
	assert_true(access_list(&p, &l));
	struct access_opening *o = access_ledger_find(&l, id);
	if (!o)
		fail_msg("no opening #%d in the ledger", id);
	enum access_state s = o->state;
	access_ledger_done(&l);
	plan_done(&p);
	return s;
}
