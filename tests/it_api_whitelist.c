/* The ADB whitelist through the OpenAPI, end to end: gp2adb (the binary, the
 * core functions, the wizard's backend) against the harness's stand-in for
 * Alibaba Cloud's API (tests/aliyun_standin.c), which checks every request's
 * signature with its own AccessKey and keeps the whitelist groups.  The
 * stand-in's AccessKey is fresh for every run, so a secret seen in any
 * output is a leak. */
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

#include "access.h"
#include "access_whitelist.h"
#include "backend.h"
#include "config.h"
#include "journal.h"
#include "mem.h"
#include "standin.h"
#include "testutil.h"

#define INSTANCE "gp-standin01"
#define GROUP "gp2adb_migration"

static char *key_id, *key_secret;

/* One test's world: its own directory, key file, configuration and ledger. */
struct world {
	char *dir, *key, *conf;
};

static void world_open(struct world *w, const char *key_text, const char *adb_extra)
{
	standin_reset(INSTANCE);
	w->dir = tu_tmpdir();
	w->key = xasprintf("%s/gp2adb.key", w->dir);
	char *text = key_text ? xstrdup(key_text)
			      : xasprintf("access_key_id = %s\naccess_key_secret = %s\n", key_id, key_secret);
	tu_write_file(w->key, text, 0600);
	free(text);
	char *adb = xasprintf("adb = { instance_id = \"%s\"; access_key_file = \"%s\"; endpoint = \"%s\"; %s };\n",
			      INSTANCE, w->key, standin_endpoint(), adb_extra ? adb_extra : "");
	w->conf = tu_write_config(w->dir, "postgres", "postgres", adb);
	free(adb);
}

static void world_close(struct world *w)
{
	free(w->dir);
	free(w->key);
	free(w->conf);
}

/* The key's secret and its full id appear nowhere gp2adb writes. */
static void assert_no_secret(const char *what, const char *text)
{
	if (text && strstr(text, key_secret))
		fail_msg("%s shows the AccessKey secret:\n%s", what, text);
	if (text && strstr(text, key_id))
		fail_msg("%s shows the AccessKey ID unmasked:\n%s", what, text);
}

/* Run gp2adb -c conf args... (NULL-terminated); checks the exit code and
 * that neither output shows the key. */
static void gp(struct tu_run *r, const struct world *w, int want, ...)
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
	assert_no_secret("stdout", r->out);
	assert_no_secret("stderr", r->err);
	if (r->status != want) {
		struct strbuf_like { char s[400]; } cmd = { "" };
		for (int i = 2; i < n; i++)
			snprintf(cmd.s + strlen(cmd.s), sizeof cmd.s - strlen(cmd.s), " %s", args[i]);
		fail_msg("gp2adb%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", cmd.s, r->status, want, r->out, r->err);
	}
}

static void expect_in(const char *what, const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("%s lacks \"%s\":\n%s", what, needle, text);
}

static void expect_group(const char *group, const char *want)
{
	char *got = standin_group(INSTANCE, group);
	if (!want && got)
		fail_msg("group %s exists: %s", group, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("group %s holds \"%s\", want \"%s\"", group, got ? got : "(no group)", want);
	free(got);
}

/* The plan the binary reads, for the core functions. */
static void load_plan(const struct world *w, struct plan *p)
{
	char err[600];
	plan_init(p);
	if (!config_load(p, w->conf, err, sizeof err))
		fail_msg("%s", err);
}

static char *ledger_text(const struct world *w)
{
	struct plan p;
	load_plan(w, &p);
	struct journal j;
	assert_true(journal_open(&j, &p, true));
	char *path = journal_path(&j, "ledger");
	char *text = tu_read_file(path);
	free(path);
	path = journal_path(&j, "gp2adb.log");
	char *log = tu_read_file(path);
	assert_no_secret("gp2adb.log", log);
	free(log);
	free(path);
	journal_close(&j);
	plan_done(&p);
	assert_no_secret("the ledger", text);
	return text ? text : xstrdup("");
}

static enum access_state opening_state(const struct world *w, int id)
{
	struct plan p;
	load_plan(w, &p);
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

static int setup(void **state)
{
	(void)state;
	standin_key(&key_id, &key_secret);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(key_id);
	free(key_secret);
	return 0;
}

/* --- through the binary --- */

static void test_open_status_restore_keep_other_entries(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	standin_set(INSTANCE, GROUP, "10.1.1.1,192.168.0.0/16");
	struct tu_run r;

	/* without a terminal and without -y: nothing is added */
	gp(&r, &w, 1, "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stdout", r.out, "0.0.0.0/0 is the whole internet");
	expect_in("stdout", r.out, "gp2adb adds 0.0.0.0/0 to the whitelist group gp2adb_migration of gp-standin01");
	expect_in("stderr", r.err, "nothing added");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 0);

	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stdout", r.out, "Opened #1: whitelist group gp2adb_migration of gp-standin01 admits 0.0.0.0/0 (read back)");
	tu_run_done(&r);
	expect_group(GROUP, "10.1.1.1,192.168.0.0/16,0.0.0.0/0");
	assert_int_equal(standin_count("ModifySecurityIps 1 200"), 1);

	/* the ledger: intent before the call, done after the read-back */
	char *ledger = ledger_text(&w);
	char *intent = strstr(ledger, "v1 id=1 state=intent");
	char *done = strstr(ledger, "v1 id=1 state=done");
	assert_non_null(intent);
	assert_non_null(done);
	assert_true(intent < done);
	expect_in("ledger", intent, "kind=whitelist host=gp-standin01 path=openapi:http://127.0.0.1:");
	expect_in("ledger", done, "note=added%20through%20the%20OpenAPI%20and%20read%20back");
	free(ledger);

	/* status lists it as gp2adb's, and reads the whitelist back */
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "access       1 OPEN");
	expect_in("status", r.out, "#1 ADB whitelist group gp2adb_migration: 0.0.0.0/0 (opened by gp2adb");
	expect_in("status", r.out, "the whitelist read back now: the entry is there");
	tu_run_done(&r);
	gp(&r, &w, 0, "status", "--json", NULL);
	expect_in("status --json", r.out, "\"made_by\": \"gp2adb\"");
	expect_in("status --json", r.out, "\"whitelist_readback\": \"present\"");
	tu_run_done(&r);

	/* asking again changes nothing */
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stdout", r.out, "Already open as #1");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 1);

	/* restore-access needs no confirmation: gp2adb removes it and verifies */
	gp(&r, &w, 0, "restore-access", NULL);
	expect_in("restore-access", r.out, "removed through the OpenAPI; the whitelist read back without it");
	expect_in("restore-access", r.out, "1 of 1 openings closed.");
	tu_run_done(&r);
	expect_group(GROUP, "10.1.1.1,192.168.0.0/16");
	assert_int_equal(standin_count("ModifySecurityIps 2 200"), 1);
	assert_int_equal(opening_state(&w, 1), ACCESS_RESTORED);
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "none outstanding");
	tu_run_done(&r);
	gp(&r, &w, 0, "restore-access", NULL);
	expect_in("restore-access", r.out, "No access openings are outstanding");
	tu_run_done(&r);
	free(ledger_text(&w));      /* the log and the ledger: no key */
	world_close(&w);
}

static void test_last_entry_leaves_the_group_closed(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, "whitelist_group = \"mig_only\";");
	struct tu_run r;
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "203.0.113.0/24", NULL);
	tu_run_done(&r);
	expect_group("mig_only", "203.0.113.0/24");
	expect_group("default", "127.0.0.1");
	gp(&r, &w, 0, "restore-access", NULL);
	tu_run_done(&r);
	/* not emptied: set to 127.0.0.1, which admits no client */
	expect_group("mig_only", "127.0.0.1");
	assert_int_equal(standin_count("ModifySecurityIps 0 200"), 1);
	assert_int_equal(opening_state(&w, 1), ACCESS_RESTORED);
	world_close(&w);
}

static void test_entry_already_present_is_left_to_the_operator(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	standin_set(INSTANCE, GROUP, "198.51.100.7");
	struct tu_run r;
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "198.51.100.7/32", NULL);
	expect_in("stdout", r.out, "198.51.100.7/32 was already in the group: recorded as opening #1, made by you");
	expect_in("stderr", r.err, "gp2adb did not add it and will not remove it");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 0);
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "#1 ADB whitelist group gp2adb_migration: 198.51.100.7/32 (opened by you");
	tu_run_done(&r);
	/* restore-access does not remove what gp2adb did not add: the operator closes it */
	gp(&r, &w, 1, "restore-access", NULL);
	expect_in("restore-access", r.out, "still open");
	tu_run_done(&r);
	expect_group(GROUP, "198.51.100.7");
	gp(&r, &w, 0, "-y", "restore-access", NULL);
	expect_in("restore-access", r.out, "recorded as closed");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 0);
	expect_group(GROUP, "198.51.100.7");
	world_close(&w);
}

static void test_api_failing_midway_keeps_the_opening_listed(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	/* the change is made but its answer is lost, and the API goes on failing */
	free(standin_get("fail?action=ModifySecurityIps&count=100&status=503&apply=1"));
	free(standin_get("fail?action=DescribeDBInstanceIPArrayList&after=1&count=100&status=503"));
	struct tu_run r;
	gp(&r, &w, 5, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stderr", r.err, "ModifySecurityIps: HTTP 503 ServiceUnavailable");
	expect_in("stderr", r.err, "trying again");
	expect_in("stderr", r.err, "opening #1 stays in the ledger as possibly open");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps 1 503"), 4);
	expect_group(GROUP, "0.0.0.0/0");
	assert_int_equal(opening_state(&w, 1), ACCESS_INTENT);

	/* every start lists it; status cannot read the whitelist back */
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "access       1 OPEN");
	expect_in("status", r.out, "(being opened by gp2adb at");
	expect_in("status", r.out, "may be open");
	expect_in("status", r.out, "cannot read it (see the error above)");
	tu_run_done(&r);

	/* the API is back: restore-access removes it and verifies */
	free(standin_get("fail?action=ModifySecurityIps&count=0"));
	free(standin_get("fail?action=DescribeDBInstanceIPArrayList&count=0"));
	gp(&r, &w, 0, "restore-access", NULL);
	expect_in("restore-access", r.out, "removed through the OpenAPI");
	tu_run_done(&r);
	expect_group(GROUP, "127.0.0.1");
	assert_int_equal(opening_state(&w, 1), ACCESS_RESTORED);
	world_close(&w);
}

static void test_readback_without_the_removal_is_not_restored(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	standin_set(INSTANCE, GROUP, "10.9.9.9");
	struct tu_run r;
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	tu_run_done(&r);
	/* the API says yes to the removal, and the whitelist still shows the entry */
	free(standin_get("ignore?mode=2"));
	gp(&r, &w, 1, "restore-access", NULL);
	expect_in("restore-access", r.out, "NOT restored");
	expect_in("restore-access", r.out, "0 of 1 openings closed.");
	expect_in("stderr", r.err, "NOT restored: whitelist group gp2adb_migration still shows 0.0.0.0/0 after 8 s");
	tu_run_done(&r);
	assert_int_equal(opening_state(&w, 1), ACCESS_DONE);
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "1 OPEN");
	expect_in("status", r.out, "the entry is there");
	tu_run_done(&r);
	free(standin_get("ignore?mode=-1"));
	gp(&r, &w, 0, "restore-access", NULL);
	tu_run_done(&r);
	expect_group(GROUP, "10.9.9.9");
	assert_int_equal(opening_state(&w, 1), ACCESS_RESTORED);
	world_close(&w);
}

static void test_throttling_and_503_are_retried(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	free(standin_get("fail?action=ModifySecurityIps&count=2&status=400&code=Throttling.User"));
	free(standin_get("fail?action=DescribeDBInstanceIPArrayList&count=1&status=503"));
	struct tu_run r;
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "192.0.2.0/24", NULL);
	expect_in("stderr", r.err, "ModifySecurityIps: HTTP 400 Throttling.User: Request was denied due to request "
		  "throttling.");
	expect_in("stderr", r.err, "trying again in 1.0 s (attempt 3 of 4)");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps 1 400 Throttling.User"), 2);
	assert_int_equal(standin_count("ModifySecurityIps 1 200"), 1);
	assert_int_equal(standin_count("DescribeDBInstanceIPArrayList - 503"), 1);
	expect_group(GROUP, "192.0.2.0/24");
	world_close(&w);
}

static void test_refused_change_is_cancelled(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	free(standin_get("fail?action=ModifySecurityIps&count=1&status=403&code=Forbidden.RAM"));
	struct tu_run r;
	gp(&r, &w, 1, "-y", "open-access", "--whitelist", "192.0.2.0/24", NULL);
	expect_in("stderr", r.err, "adding 192.0.2.0/24 to whitelist group gp2adb_migration was refused: "
		  "ModifySecurityIps: HTTP 403 Forbidden.RAM");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 1);      /* a refusal is not retried */
	assert_int_equal(opening_state(&w, 1), ACCESS_CANCELLED);
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "none outstanding");
	tu_run_done(&r);
	/* the whitelist takes IPv4 entries only: gp2adb says so before any call */
	gp(&r, &w, 1, "-y", "open-access", "--whitelist", "2001:db8::/32", NULL);
	expect_in("stderr", r.err, "is not an IPv4 address or range");
	tu_run_done(&r);
	world_close(&w);
}

static void test_bad_signature_and_unknown_key(void **state)
{
	(void)state;
	struct world w;
	char *text = xasprintf("access_key_id = %s\naccess_key_secret = not-the-secret\n", key_id);
	world_open(&w, text, NULL);
	free(text);
	struct tu_run r;
	gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stderr", r.err, "DescribeDBInstanceIPArrayList: HTTP 400 SignatureDoesNotMatch: Specified "
		  "signature is not matched with our calculation");
	/* the stand-in's message holds the string to sign, and so the id: shown masked */
	char masked[32];
	snprintf(masked, sizeof masked, "%.4s****%s", key_id, key_id + strlen(key_id) - 4);
	expect_in("stderr", r.err, masked);
	tu_run_done(&r);
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "none outstanding");       /* nothing was tried, nothing recorded */
	tu_run_done(&r);
	world_close(&w);

	world_open(&w, "access_key_id = LTAInobodyknows1\naccess_key_secret = whatever\n", NULL);
	gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stderr", r.err, "HTTP 404 InvalidAccessKeyId.NotFound: Specified access key is not found.");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 0);
	world_close(&w);
}

static void test_key_file_must_be_private(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	assert_int_equal(chmod(w.key, 0644), 0);
	struct tu_run r;
	gp(&r, &w, 1, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	char *want = xasprintf("adb: %s: holds an AccessKey secret but its permissions are 0644 (readable by group "
			       "or others); refusing it. Run: chmod 600 %s", w.key, w.key);
	expect_in("stderr", r.err, want);
	free(want);
	tu_run_done(&r);
	assert_int_equal(standin_count("Describe"), 0);
	world_close(&w);
}

static void test_crash_after_the_call_leaves_it_listed(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	struct tu_run r;
	setenv("GP2ADB_CRASH_AT", "whitelist-after-call", 1);
	gp(&r, &w, 128 + SIGABRT, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	unsetenv("GP2ADB_CRASH_AT");
	tu_run_done(&r);
	expect_group(GROUP, "0.0.0.0/0");
	assert_int_equal(opening_state(&w, 1), ACCESS_INTENT);
	gp(&r, &w, 0, "status", NULL);
	expect_in("status", r.out, "access       1 OPEN");
	expect_in("status", r.out, "the entry is there");
	tu_run_done(&r);
	/* opening it again finds it there and records it done, under the same number */
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stdout", r.out, "#1:");
	tu_run_done(&r);
	assert_int_equal(opening_state(&w, 1), ACCESS_DONE);
	assert_int_equal(standin_count("ModifySecurityIps"), 1);
	gp(&r, &w, 0, "restore-access", NULL);
	tu_run_done(&r);
	expect_group(GROUP, "127.0.0.1");
	world_close(&w);
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

/* Whether the command line or environment of this test or a process under it holds needle. */
static bool proc_holds(const char *needle, char *where, size_t size)
{
	DIR *d = opendir("/proc");
	bool found = false;
	struct dirent *e;
	while (!found && d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || !ours(atol(e->d_name)))
			continue;
		static const char *const files[] = { "cmdline", "environ" };
		for (int i = 0; i < 2 && !found; i++) {
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
			if (strstr(buf, needle)) {
				snprintf(where, size, "%s", path);
				found = true;
			}
		}
	}
	if (d)
		closedir(d);
	return found;
}

static void test_key_in_no_argv_or_environment(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	/* every answer takes a while, so gp2adb is caught in the middle of its calls */
	free(standin_get("delay?ms=400"));
	char outp[] = "/tmp/it-api-out.XXXXXX", errp[] = "/tmp/it-api-err.XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	const char *args[] = { "-c", w.conf, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL };
	pid_t pid = tu_spawn_gp2adb(args, ofd, efd);
	int scans = 0, st = 0;
	char where[300];
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (proc_holds(key_secret, where, sizeof where))
			fail_msg("the AccessKey secret is in %s", where);
		if (proc_holds(key_id, where, sizeof where))
			fail_msg("the AccessKey ID is in %s", where);
		scans++;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	free(standin_get("delay?ms=0"));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(scans >= 10);     /* it ran for more than 0.2 s: the scans saw it working */
	char *out = tu_read_file(outp), *err = tu_read_file(errp);
	assert_no_secret("stdout", out);
	assert_no_secret("stderr", err);
	free(out);
	free(err);
	close(ofd);
	close(efd);
	unlink(outp);
	unlink(errp);
	expect_group(GROUP, "0.0.0.0/0");
	free(ledger_text(&w));
	world_close(&w);
}

static void test_without_a_key_the_operator_walks_through(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	/* the same configuration without access_key_file */
	char *adb = xasprintf("adb = { instance_id = \"%s\"; };\n", INSTANCE);
	free(w.conf);
	w.conf = tu_write_config(w.dir, "postgres", "postgres", adb);
	free(adb);
	struct tu_run r;
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	expect_in("stdout", r.out, "Steps, in the AnalyticDB for PostgreSQL console");
	expect_in("stdout", r.out, "Recorded as opening #1");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps"), 0);
	assert_int_equal(standin_count("Describe"), 0);
	gp(&r, &w, 0, "-y", "restore-access", NULL);
	expect_in("restore-access", r.out, "recorded as closed");
	tu_run_done(&r);
	world_close(&w);
}

static void test_restore_checks_the_instance_and_the_key(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	struct tu_run r;
	gp(&r, &w, 0, "-y", "open-access", "--whitelist", "0.0.0.0/0", NULL);
	tu_run_done(&r);

	/* another instance in the configuration: its whitelist is not touched */
	standin_set("gp-other02", "default", "127.0.0.1");
	char *adb = xasprintf("adb = { instance_id = \"gp-other02\"; access_key_file = \"%s\"; endpoint = \"%s\"; };\n",
			      w.key, standin_endpoint());
	char *other = tu_write_config(w.dir, "postgres", "postgres", adb);
	free(adb);
	gp(&r, &w, 1, "restore-access", NULL);
	expect_in("stderr", r.err, "opening #1 was made on instance gp-standin01, but adb.instance_id is now gp-other02");
	tu_run_done(&r);
	assert_int_equal(standin_count("ModifySecurityIps 2"), 0);
	expect_group(GROUP, "0.0.0.0/0");
	free(other);

	/* no key any more: the operator removes it in the console and says so */
	adb = xasprintf("adb = { instance_id = \"%s\"; };\n", INSTANCE);
	other = tu_write_config(w.dir, "postgres", "postgres", adb);
	free(adb);
	gp(&r, &w, 1, "restore-access", NULL);
	expect_in("restore-access", r.out, "delete the group gp2adb_migration (or remove 0.0.0.0/0");
	expect_in("restore-access", r.out, "no adb key to remove it now");
	expect_in("restore-access", r.out, "still open");
	tu_run_done(&r);
	gp(&r, &w, 0, "-y", "restore-access", NULL);
	expect_in("restore-access", r.out, "recorded as closed");
	tu_run_done(&r);
	char *ledger = ledger_text(&w);
	expect_in("ledger", ledger, "note=closed%20in%20the%20console,%20as%20confirmed%20by%20the%20operator");
	free(ledger);
	free(other);
	world_close(&w);
}

/* --- through the core functions and the wizard's backend --- */

static void test_core_open_verify_close(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	access_whitelist_set_wait(1.0);
	struct plan p;
	load_plan(&w, &p);
	standin_set(INSTANCE, GROUP, "10.0.0.1");
	int id = 0;
	enum access_whitelist_outcome how;
	assert_int_equal(access_whitelist_open(&p, "172.16.0.0/12", &id, &how), ACCESS_OK);
	assert_int_equal(how, WHITELIST_ADDED);
	assert_int_equal(id, 1);
	struct access_ledger l;
	assert_true(access_list(&p, &l));
	bool present = false;
	assert_int_equal(access_whitelist_verify(&p, access_ledger_find(&l, 1), &present), ACCESS_OK);
	assert_true(present);
	/* someone removes it by hand: verify sees it, close records it without a change */
	standin_set(INSTANCE, GROUP, "10.0.0.1");
	assert_int_equal(access_whitelist_verify(&p, access_ledger_find(&l, 1), &present), ACCESS_OK);
	assert_false(present);
	access_ledger_done(&l);
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_OK);
	assert_int_equal(standin_count("ModifySecurityIps 2"), 0);
	char *ledger = ledger_text(&w);
	expect_in("ledger", ledger, "state=restored");
	expect_in("ledger", ledger, "no%20longer%20in%20the%20group");
	free(ledger);
	/* closing again: nothing to do */
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_OK);
	/* a managed opening is gp2adb's to close: no operator's word while the key is there */
	assert_false(access_whitelist_confirm_closed(&p, 1));
	assert_int_equal(access_whitelist_close(&p, 7), ACCESS_FAIL_OTHER);
	plan_done(&p);
	access_whitelist_set_wait(8.0);
	world_close(&w);
}

static void test_core_midway_failure_then_reopen(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	access_whitelist_set_wait(1.0);
	struct plan p;
	load_plan(&w, &p);
	free(standin_get("fail?action=ModifySecurityIps&count=100&status=500&code=InternalError&apply=1"));
	free(standin_get("fail?action=DescribeDBInstanceIPArrayList&after=1&count=100&status=503"));
	int id = 0;
	assert_int_equal(access_whitelist_open(&p, "0.0.0.0/0", &id, NULL), ACCESS_FAIL_CONNECT);
	assert_int_equal(opening_state(&w, 1), ACCESS_INTENT);
	free(standin_get("fail?action=ModifySecurityIps&count=0"));
	free(standin_get("fail?action=DescribeDBInstanceIPArrayList&count=0"));
	enum access_whitelist_outcome how;
	assert_int_equal(access_whitelist_open(&p, "0.0.0.0/0", &id, &how), ACCESS_OK);
	assert_int_equal(id, 1);
	assert_int_equal(how, WHITELIST_ADDED);
	assert_int_equal(opening_state(&w, 1), ACCESS_DONE);
	/* the stale read-back: not restored, the ledger keeps it open */
	free(standin_get("ignore?mode=0"));
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_FAIL_HOST);
	assert_int_equal(opening_state(&w, 1), ACCESS_DONE);
	free(standin_get("ignore?mode=-1"));
	assert_int_equal(access_whitelist_close(&p, 1), ACCESS_OK);
	expect_group(GROUP, "127.0.0.1");
	plan_done(&p);
	access_whitelist_set_wait(8.0);
	world_close(&w);
}

static void test_wizard_backend_adds_and_restores(void **state)
{
	(void)state;
	struct world w;
	world_open(&w, NULL, NULL);
	struct plan p;
	load_plan(&w, &p);
	struct ui_backend be;
	ui_backend_core(&be, NULL);
	struct ui_opening o;
	memset(&o, 0, sizeof o);
	snprintf(o.kind, sizeof o.kind, "whitelist");
	snprintf(o.cidr, sizeof o.cidr, "203.0.113.7/32");
	char err[300] = "";
	assert_true(be.ledger_record(be.ctx, &p, &o, err, sizeof err));
	expect_group(GROUP, "203.0.113.7/32");
	struct ui_openings list;
	assert_true(be.ledger_list(be.ctx, &p, &list, err, sizeof err));
	assert_int_equal(list.n, 1);
	assert_true(list.items[0].by_gp2adb);
	assert_int_equal(list.items[0].state, OPENING_OPEN);
	assert_non_null(strstr(list.items[0].undo, "gp2adb removes 203.0.113.7/32 from the whitelist group "
						   "gp2adb_migration of gp-standin01 through the OpenAPI"));
	char id[64];
	snprintf(id, sizeof id, "%s", list.items[0].id);
	ui_openings_free(&list);
	assert_true(be.ledger_restore(be.ctx, &p, id, err, sizeof err));
	expect_group(GROUP, "127.0.0.1");
	assert_true(be.ledger_list(be.ctx, &p, &list, err, sizeof err));
	assert_int_equal(list.items[0].state, OPENING_VERIFIED);
	ui_openings_free(&list);
	be.done(be.ctx);
	plan_done(&p);
	world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_status_restore_keep_other_entries),
		cmocka_unit_test(test_last_entry_leaves_the_group_closed),
		cmocka_unit_test(test_entry_already_present_is_left_to_the_operator),
		cmocka_unit_test(test_api_failing_midway_keeps_the_opening_listed),
		cmocka_unit_test(test_readback_without_the_removal_is_not_restored),
		cmocka_unit_test(test_throttling_and_503_are_retried),
		cmocka_unit_test(test_refused_change_is_cancelled),
		cmocka_unit_test(test_bad_signature_and_unknown_key),
		cmocka_unit_test(test_key_file_must_be_private),
		cmocka_unit_test(test_crash_after_the_call_leaves_it_listed),
		cmocka_unit_test(test_key_in_no_argv_or_environment),
		cmocka_unit_test(test_without_a_key_the_operator_walks_through),
		cmocka_unit_test(test_restore_checks_the_instance_and_the_key),
		cmocka_unit_test(test_core_open_verify_close),
		cmocka_unit_test(test_core_midway_failure_then_reopen),
		cmocka_unit_test(test_wizard_backend_adds_and_restores),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
