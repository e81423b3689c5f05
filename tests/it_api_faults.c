/* The ADB whitelist through the OpenAPI when things go wrong: the API failing
 * mid-way, a read-back that does not show the change, throttling, refusals,
 * bad signatures, unknown or readable keys, a kill (SIGKILL) at each step of
 * opening and of closing; and the AccessKey in no command line, environment,
 * output or log.  Against the
 * harness's stand-in for Alibaba Cloud's API (tests/aliyun_standin.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "access_whitelist.h"
#include "apitest.h"
#include "backend.h"
#include "mem.h"
#include "model.h"

static void test_api_failing_midway_keeps_the_opening_listed(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	/* the change is made but its answer is lost, and the API goes on failing */
	free(at_get("fail?action=ModifySecurityIps&count=100&status=503&apply=1"));
	free(at_get("fail?action=DescribeDBInstanceIPArrayList&after=1&count=100&status=503"));
	struct tu_run r;
	at_gp(&r, &w, 5, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stderr", r.err, "ModifySecurityIps: HTTP 503 ServiceUnavailable");
	at_expect_in("stderr", r.err, "trying again");
	at_expect_in("stderr", r.err, "opening #1 stays in the ledger as possibly open");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps 1 503"), 4);
	at_expect_group(AT_GROUP, "0.0.0.0/0");
	assert_int_equal(at_opening_state(&w, 1), ACCESS_INTENT);

	/* every start lists it; status cannot read the whitelist back */
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "access       1 OPEN");
	at_expect_in("status", r.out, "(being opened by gp2adb at");
	at_expect_in("status", r.out, "may be open");
	at_expect_in("status", r.out, "cannot read it (see the error above)");
	tu_run_done(&r);

	/* the API is back: restore-access removes it and verifies */
	free(at_get("fail?action=ModifySecurityIps&count=0"));
	free(at_get("fail?action=DescribeDBInstanceIPArrayList&count=0"));
	at_gp(&r, &w, 0, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "removed through the OpenAPI");
	tu_run_done(&r);
	at_expect_group(AT_GROUP, "127.0.0.1");
	assert_int_equal(at_opening_state(&w, 1), ACCESS_RESTORED);
	at_world_close(&w);
}

static void test_readback_without_the_removal_is_not_restored(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	at_set(AT_INSTANCE, AT_GROUP, "10.9.9.9");
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	tu_run_done(&r);
	/* the API says yes to the removal, and the whitelist still shows the entry */
	free(at_get("ignore?mode=2"));
	at_gp(&r, &w, 1, "restore-access", NULL);
	at_expect_in("restore-access", r.out, "NOT restored");
	at_expect_in("restore-access", r.out, "0 of 1 openings closed.");
	at_expect_in("stderr", r.err, "NOT restored: whitelist group gp2adb_migration still shows 0.0.0.0/0 after 8 s");
	tu_run_done(&r);
	/* its closing started and was not confirmed: listed, with what the attempt found */
	assert_int_equal(at_opening_state(&w, 1), ACCESS_CLOSING);
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "1 OPEN");
	at_expect_in("status", r.out, "(closing started at");
	at_expect_in("status", r.out, "the entry is there");
	at_expect_in("status", r.out, "the last attempt to remove it: the API accepted the removal, but whitelist "
		     "group gp2adb_migration still showed 0.0.0.0/0 after 8 s");
	tu_run_done(&r);
	free(at_get("ignore?mode=-1"));
	at_gp(&r, &w, 0, "restore-access", NULL);
	tu_run_done(&r);
	at_expect_group(AT_GROUP, "10.9.9.9");
	assert_int_equal(at_opening_state(&w, 1), ACCESS_RESTORED);
	at_world_close(&w);
}

static void test_throttling_and_503_are_retried(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	free(at_get("fail?action=ModifySecurityIps&count=2&status=400&code=Throttling.User"));
	free(at_get("fail?action=DescribeDBInstanceIPArrayList&count=1&status=503"));
	struct tu_run r;
	at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "192.0.2.0/24", NULL);
	at_expect_in("stderr", r.err, "ModifySecurityIps: HTTP 400 Throttling.User: Request was denied due to request "
		  "throttling.");
	at_expect_in("stderr", r.err, "trying again in 1.0 s (attempt 3 of 4)");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps 1 400 Throttling.User"), 2);
	assert_int_equal(at_count("ModifySecurityIps 1 200"), 1);
	assert_int_equal(at_count("DescribeDBInstanceIPArrayList - 503"), 1);
	at_expect_group(AT_GROUP, "192.0.2.0/24");
	at_world_close(&w);
}

static void test_refused_change_is_cancelled(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	free(at_get("fail?action=ModifySecurityIps&count=1&status=403&code=Forbidden.RAM"));
	struct tu_run r;
	at_gp(&r, &w, 1, "-y", "open-access", "--whitelist", "192.0.2.0/24", NULL);
	at_expect_in("stderr", r.err, "adding 192.0.2.0/24 to whitelist group gp2adb_migration was refused: "
		  "ModifySecurityIps: HTTP 403 Forbidden.RAM");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 1);      /* a refusal is not retried */
	assert_int_equal(at_opening_state(&w, 1), ACCESS_CANCELLED);
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "none outstanding");
	tu_run_done(&r);
	/* the whitelist takes IPv4 entries only: gp2adb says so before any call */
	at_gp(&r, &w, 1, "-y", "open-access", "--whitelist", "2001:db8::/32", NULL);
	at_expect_in("stderr", r.err, "is not an IPv4 address or range");
	tu_run_done(&r);
	at_world_close(&w);
}

static void test_bad_signature_and_unknown_key(void **state)
{
	(void)state;
	struct at_world w;
	char *text = xasprintf("access_key_id = %s\naccess_key_secret = not-the-secret\n", at_key_id);
	at_world_open(&w, text, NULL);
	free(text);
	struct tu_run r;
	at_gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stderr", r.err, "DescribeDBInstanceIPArrayList: HTTP 400 SignatureDoesNotMatch: Specified "
		  "signature is not matched with our calculation");
	/* the stand-in's message holds the string to sign, and so the id: shown masked */
	char masked[32];
	snprintf(masked, sizeof masked, "%.4s****%s", at_key_id, at_key_id + strlen(at_key_id) - 4);
	at_expect_in("stderr", r.err, masked);
	tu_run_done(&r);
	at_gp(&r, &w, 0, "status", NULL);
	at_expect_in("status", r.out, "none outstanding");       /* nothing was tried, nothing recorded */
	tu_run_done(&r);
	at_world_close(&w);

	at_world_open(&w, "access_key_id = LTAInobodyknows1\naccess_key_secret = whatever\n", NULL);
	at_gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	at_expect_in("stderr", r.err, "HTTP 404 InvalidAccessKeyId.NotFound: Specified access key is not found.");
	tu_run_done(&r);
	assert_int_equal(at_count("ModifySecurityIps"), 0);
	at_world_close(&w);
}

static void test_key_file_must_be_private(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	assert_int_equal(chmod(w.key, 0644), 0);
	struct tu_run r;
	at_gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	char *want = xasprintf("adb: %s: holds an AccessKey secret but its permissions are 0644 (readable by group "
			       "or others); refusing it. Run: chmod 600 %s", w.key, w.key);
	at_expect_in("stderr", r.err, want);
	free(want);
	tu_run_done(&r);
	assert_int_equal(at_count("Describe"), 0);
	at_world_close(&w);
}

/* gp2adb -c conf args... (NULL-terminated) with GP2ADB_CRASH_AT=step: it
 * must die of SIGKILL, as kill -9 would make it, with no key in its output. */
static void crash_at(const struct at_world *w, const char *step, ...)
{
	const char *args[16] = { "-c", w->conf };
	int n = 2;
	va_list ap;
	va_start(ap, step);
	for (const char *a; n < 15 && (a = va_arg(ap, const char *)); )
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	struct tu_run r;
	setenv("GP2ADB_CRASH_AT", step, 1);
	tu_run_gp2adb(&r, args);
	unsetenv("GP2ADB_CRASH_AT");    /* before anything can fail the test: the next ones run without it */
	at_assert_no_secret("stdout", r.out);
	at_assert_no_secret("stderr", r.err);
	if (r.status != 128 + SIGKILL)
		fail_msg("GP2ADB_CRASH_AT=%s %s: exit %d, want death by SIGKILL\n%s\n%s", step, args[2], r.status, r.out,
			 r.err);
	tu_run_done(&r);
}

/* What the next start shows: status, and the wizard's welcome screen (the
 * core backend's list of the ledger). */
static void assert_listed(const struct at_world *w, bool open, const char *step, const char *status_says)
{
	struct tu_run r;
	at_gp(&r, w, 0, "status", NULL);
	if (open && (!strstr(r.out, "access       1 OPEN") || !strstr(r.out, status_says)))
		fail_msg("after a kill at %s, status does not list the opening as \"%s\":\n%s", step, status_says, r.out);
	if (!open && !strstr(r.out, "access       none outstanding"))
		fail_msg("after a kill at %s, status lists an opening that was recorded closed:\n%s", step, r.out);
	tu_run_done(&r);
	struct plan p;
	at_load_plan(w, &p);
	struct ui_backend be;
	ui_backend_core(&be, NULL);
	struct ui_openings o;
	char err[300];
	if (!be.ledger_list(be.ctx, &p, &o, err, sizeof err))
		fail_msg("welcome screen: %s", err);
	if (openings_count_open(&o) != (open ? 1u : 0u))
		fail_msg("after a kill at %s, the welcome screen lists %zu open, want %d", step, openings_count_open(&o),
			 open);
	if (open && !o.items[0].by_gp2adb)
		fail_msg("after a kill at %s, the welcome screen says the operator must close it", step);
	ui_openings_free(&o);
	be.done(be.ctx);
	plan_done(&p);
}

static void test_kill_while_opening_leaves_it_listed(void **state)
{
	(void)state;
	static const char *const steps[] = { "whitelist-after-intent", "whitelist-after-call" };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		bool called = strcmp(steps[i], "whitelist-after-call") == 0;
		struct at_world w;
		at_world_open(&w, NULL, NULL);
		crash_at(&w, steps[i], "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
		at_expect_group(AT_GROUP, called ? "0.0.0.0/0" : NULL);
		assert_int_equal(at_opening_state(&w, 1), ACCESS_INTENT);
		assert_listed(&w, true, steps[i], called ? "the entry is there" : "the entry is NOT there");
		assert_listed(&w, true, steps[i], "(being opened by gp2adb at");
		struct tu_run r;
		if (called) {
			/* opening it again finds it there and records it done, under the same number */
			at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
			at_expect_in("stdout", r.out, "#1:");
			tu_run_done(&r);
			assert_int_equal(at_opening_state(&w, 1), ACCESS_DONE);
			assert_int_equal(at_count("ModifySecurityIps"), 1);
		}
		at_gp(&r, &w, 0, "restore-access", NULL);
		at_expect_in("restore-access", r.out, "1 of 1 openings closed.");
		tu_run_done(&r);
		assert_int_equal(at_opening_state(&w, 1), ACCESS_RESTORED);
		at_expect_group(AT_GROUP, called ? "127.0.0.1" : NULL);
		assert_int_equal(at_count("ModifySecurityIps"), called ? 2 : 0);
		assert_listed(&w, false, steps[i], NULL);
		at_world_close(&w);
	}
}

static void test_kill_while_closing_leaves_it_listed(void **state)
{
	(void)state;
	/* closing recorded; the removal called; restored recorded */
	static const char *const steps[] = { "whitelist-restore-intent", "whitelist-restore-call",
					     "whitelist-restore-done" };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		bool called = strcmp(steps[i], "whitelist-restore-intent") != 0;
		bool recorded = strcmp(steps[i], "whitelist-restore-done") == 0;
		struct at_world w;
		at_world_open(&w, NULL, NULL);
		at_set(AT_INSTANCE, AT_GROUP, "10.1.1.1");
		struct tu_run r;
		at_gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
		tu_run_done(&r);
		crash_at(&w, steps[i], "restore-access", NULL);
		at_expect_group(AT_GROUP, called ? "10.1.1.1" : "10.1.1.1,0.0.0.0/0");
		assert_int_equal(at_opening_state(&w, 1), recorded ? ACCESS_RESTORED : ACCESS_CLOSING);
		assert_listed(&w, !recorded, steps[i], "(closing started at");
		if (!recorded) {
			assert_listed(&w, true, steps[i], called ? "the entry is NOT there" : "the entry is there");
			/* half closed: not opened again under the same number, nor under another */
			at_gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
			at_expect_in("stderr", r.err, "opening #1 is being closed");
			tu_run_done(&r);
			assert_int_equal(at_count("ModifySecurityIps 1"), 1);
			assert_int_equal(at_opening_state(&w, 1), ACCESS_CLOSING);
		}
		/* the rerun closes it: removed once, the group's other entry kept */
		at_gp(&r, &w, 0, "restore-access", NULL);
		at_expect_in("restore-access", r.out, recorded ? "No access openings are outstanding"
							       : "1 of 1 openings closed.");
		tu_run_done(&r);
		assert_int_equal(at_opening_state(&w, 1), ACCESS_RESTORED);
		at_expect_group(AT_GROUP, "10.1.1.1");
		assert_int_equal(at_count("ModifySecurityIps 2"), 1);
		/* closing recorded before the call, restored after the read-back */
		char *ledger = at_ledger_text(&w);
		char *closing = strstr(ledger, "v2 id=1 state=closing ");
		char *restored = strstr(ledger, "v2 id=1 state=restored ");
		assert_non_null(closing);
		assert_non_null(restored);
		assert_true(closing < restored);
		if (called && !recorded)
			at_expect_in("ledger", restored, "removed%20by%20an%20earlier%20attempt%20that%20was%20cut%20short");
		free(ledger);
		assert_listed(&w, false, steps[i], NULL);
		at_world_close(&w);
	}
}

/* Whether pid is this test or one of its descendants (gp2adb, and whatever it starts). */
static bool ours(long pid)
{
	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		if (pid == (long)getpid())
			return true;
		char path[64], buf[512];
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			return false;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		const char *close = strrchr(buf, ')');   /* the name may hold spaces */
		long ppid = 0;
		if (!close || sscanf(close + 1, " %*c %ld", &ppid) != 1)
			return false;
		pid = ppid;
	}
	return false;
}

/* One look at the command line and environment of this test and of every
 * process under it: fails the test where one holds the secret or the ID.
 * True when gp2adb (pid) was seen running its command. */
static bool proc_scan(pid_t pid)
{
	DIR *d = opendir("/proc");
	bool saw = false;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || !ours(atol(e->d_name)))
			continue;
		static const char *const files[] = { "cmdline", "environ" };
		for (int i = 0; i < 2; i++) {
			char path[300];
			snprintf(path, sizeof path, "/proc/%s/%s", e->d_name, files[i]);
			int fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			static char buf[1 << 17];
			ssize_t n = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (n <= 0)
				continue;
			for (ssize_t k = 0; k < n; k++)
				if (buf[k] == '\0')
					buf[k] = '\n';
			buf[n] = '\0';
			if (strstr(buf, at_key_secret))
				fail_msg("the AccessKey secret is in %s", path);
			if (strstr(buf, at_key_id))
				fail_msg("the AccessKey ID is in %s", path);
			if (i == 0 && atol(e->d_name) == (long)pid && strstr(buf, "open-access"))
				saw = true;
		}
	}
	if (d)
		closedir(d);
	return saw;
}

static void test_key_in_no_argv_or_environment(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	/* every answer takes a while, so gp2adb is caught in the middle of its calls */
	free(at_get("delay?ms=600"));
	char outp[] = "/tmp/it-api-out.XXXXXX", errp[] = "/tmp/it-api-err.XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	const char *args[] = { "-c", w.conf, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL };
	pid_t pid = tu_spawn_gp2adb(args, ofd, efd);
	int seen = 0, st = 0;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		seen += proc_scan(pid);
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	free(at_get("delay?ms=0"));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the scans saw gp2adb at work (three answers of 0.6 s each) */
	if (seen < 3)
		fail_msg("gp2adb was seen running in %d scans only", seen);
	char *out = tu_read_file(outp), *err = tu_read_file(errp);
	at_assert_no_secret("stdout", out);
	at_assert_no_secret("stderr", err);
	free(out);
	free(err);
	close(ofd);
	close(efd);
	unlink(outp);
	unlink(errp);
	at_expect_group(AT_GROUP, "0.0.0.0/0");
	free(at_ledger_text(&w));
	at_world_close(&w);
}

static void test_core_midway_failure_then_reopen(void **state)
{
	(void)state;
	struct at_world w;
	at_world_open(&w, NULL, NULL);
	access_whitelist_set_wait(1.0);
	struct plan p;
	at_load_plan(&w, &p);
	free(at_get("fail?action=ModifySecurityIps&count=100&status=500&code=InternalError&apply=1"));
	free(at_get("fail?action=DescribeDBInstanceIPArrayList&after=1&count=100&status=503"));
	int id = 0;
	assert_int_equal(access_whitelist_open(&p, "0.0.0.0/0", &id, NULL), ACCESS_FAIL_CONNECT);
	assert_int_equal(at_opening_state(&w, 1), ACCESS_INTENT);
	free(at_get("fail?action=ModifySecurityIps&count=0"));
	free(at_get("fail?action=DescribeDBInstanceIPArrayList&count=0"));
	enum access_whitelist_outcome how;
	assert_int_equal(access_whitelist_open(&p, "0.0.0.0/0", &id, &how), ACCESS_OK);
	assert_int_equal(id, 1);
	assert_int_equal(how, WHITELIST_ADDED);
	assert_int_equal(at_opening_state(&w, 1), ACCESS_DONE);
	/* the stale read-back: not restored, the ledger keeps it open */
	free(at_get("ignore?mode=0"));
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_FAIL_HOST);
	assert_int_equal(at_opening_state(&w, 1), ACCESS_CLOSING);
	free(at_get("ignore?mode=-1"));
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_OK);
	at_expect_group(AT_GROUP, "127.0.0.1");
	plan_done(&p);
	access_whitelist_set_wait(8.0);
	at_world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_failing_midway_keeps_the_opening_listed),
		cmocka_unit_test(test_readback_without_the_removal_is_not_restored),
		cmocka_unit_test(test_throttling_and_503_are_retried),
		cmocka_unit_test(test_refused_change_is_cancelled),
		cmocka_unit_test(test_bad_signature_and_unknown_key),
		cmocka_unit_test(test_key_file_must_be_private),
		cmocka_unit_test(test_kill_while_opening_leaves_it_listed),
		cmocka_unit_test(test_kill_while_closing_leaves_it_listed),
		cmocka_unit_test(test_key_in_no_argv_or_environment),
		cmocka_unit_test(test_core_midway_failure_then_reopen),
	};
	return cmocka_run_group_tests(tests, at_setup, at_teardown);
}
