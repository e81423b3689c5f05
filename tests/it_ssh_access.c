/* The access ledger against the harness's real PostgreSQL source, whose
 * pg_hba.conf is edited over SSH through the sshd host 127.0.0.2 (same
 * filesystem).  The source admits the role "mover" over TCP only once
 * gp2adb opened it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "testutil.h"

static char *work, *conf, *hba, *orig;

static const char restrictive_hba[] =
	"# test: the operator's box may connect; nobody else over TCP\n"
	"local   all   all                    trust\n"
	"host    all   postgres  127.0.0.1/32  trust";     /* no final newline, on purpose */

/* Whether mover can log in over TCP with its password. */
static bool mover_admitted(char *why, size_t size)
{
	char ci[200];
	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d user=mover password=mover-pw dbname=postgres "
		 "connect_timeout=5", tu_port(TU_SRC));
	PGconn *c = PQconnectdb(ci);
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (why)
		snprintf(why, size, "%s", PQerrorMessage(c));
	PQfinish(c);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	work = tu_tmpdir();
	const char *data = getenv("GP2ADB_TEST_SRC_DATA");
	hba = xasprintf("%s/pg_hba.conf", data);
	PGconn *c = tu_connect(TU_SRC, "postgres");
	tu_exec(c, "CREATE ROLE mover SUPERUSER LOGIN PASSWORD 'mover-pw'");
	tu_write_file(hba, restrictive_hba, 0600);
	char *cmd = xasprintf("chown postgres %s", hba);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	tu_exec(c, "SELECT pg_reload_conf()");
	PQfinish(c);
	/* the postmaster reloads asynchronously: wait until mover is turned away */
	for (int i = 0; i < 100 && mover_admitted(NULL, 0); i++) {
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	char why[300];
	assert_false(mover_admitted(why, sizeof why));
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
	orig = tu_read_file(hba);

	const char *ssh = getenv("GP2ADB_TEST_SSH_DIR");
	conf = xasprintf("%s/gp2adb.conf", work);
	char *text = xasprintf(
		"source = { host = \"%s\"; port = %d; user = \"mover\"; dbname = \"postgres\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"postgres\"; };\n"
		"ssh = { master = \"127.0.0.2\"; user = \"root\"; port = %s;\n"
		"  identity = \"%s/client_key\"; known_hosts = \"%s/known_hosts\"; };\n"
		"state_dir = \"%s/state\";\n",
		data, tu_port(TU_SRC), tu_port(TU_DST), getenv("GP2ADB_TEST_SSH_PORT"), ssh, ssh, work);
	tu_write_file(conf, text, 0600);
	free(text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(work);
	free(conf);
	free(hba);
	free(orig);
	return 0;
}

static int run(struct tu_run *r, const char *a, const char *b, const char *c)
{
	const char *args[] = { "-c", conf, a, b, c, NULL };
	return tu_run_gp2adb(r, args);
}

static void expect(struct tu_run *r, int want, const char *a, const char *b, const char *c)
{
	int rc = run(r, a, b, c);
	if (rc != want)
		fail_msg("gp2adb %s %s %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", a, b ? b : "", c ? c : "",
			 rc, want, r->out, r->err);
}

/* Every restore: the exact original bytes, owner and mode kept, the server reloaded. */
static void assert_restored(void)
{
	char *now = tu_read_file(hba);
	assert_string_equal(now, orig);
	free(now);
	struct stat st;
	assert_int_equal(stat(hba, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char why[300];
	assert_false(mover_admitted(why, sizeof why));
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
}

static void test_pg_hba_open_and_restore(void **state)
{
	(void)state;
	struct tu_run r;
	expect(&r, 0, "open-access", "--pg-hba", "127.0.0.1/32");
	assert_non_null(strstr(r.out, "Opened #1"));
	tu_run_done(&r);

	char *now = tu_read_file(hba);
	assert_true(strncmp(now, orig, strlen(orig)) == 0);      /* appended, nothing else touched */
	const char *added = now + strlen(orig);
	assert_non_null(strstr(added, "\n# gp2adb m"));
	assert_non_null(strstr(added, "opening 1: for the migration"));
	assert_non_null(strstr(added, "\nhost    all    mover    127.0.0.1/32    md5    # gp2adb m"));
	free(now);
	char why[300];
	if (!mover_admitted(why, sizeof why))
		fail_msg("mover still turned away after the opening: %s", why);
	char *bak = xasprintf("ls %s.gp2adb-m*-1.bak >/dev/null", hba);
	assert_int_equal(system(bak), 0);
	free(bak);

	/* status lists the opening first, in text and in JSON */
	expect(&r, 0, "status", NULL, NULL);
	assert_true(strncmp(r.out, "access       1 OPEN", 19) == 0);
	const char *line = strstr(r.out, "#1 pg_hba rule on 127.0.0.2:");
	assert_non_null(line);
	assert_non_null(strstr(line, "host    all    mover    127.0.0.1/32    md5 (opened by gp2adb"));
	assert_true(line < strstr(r.out, "source "));
	tu_run_done(&r);
	expect(&r, 0, "--json", "status", NULL);
	const char *op = strstr(r.out, "\"openings\": [");
	assert_non_null(op);
	assert_true(op < strstr(r.out, "\"source\""));
	assert_non_null(strstr(r.out, "\"kind\": \"pg_hba\""));
	assert_non_null(strstr(r.out, "\"made_by\": \"gp2adb\""));
	tu_run_done(&r);

	expect(&r, 0, "restore-access", NULL, NULL);
	assert_non_null(strstr(r.out, "  restored"));
	assert_non_null(strstr(r.out, "1 of 1 openings closed."));
	tu_run_done(&r);
	assert_restored();

	expect(&r, 0, "status", NULL, NULL);
	assert_true(strncmp(r.out, "access       none outstanding", 29) == 0);
	tu_run_done(&r);
	expect(&r, 0, "--json", "status", NULL);
	assert_non_null(strstr(r.out, "\"openings\": []"));
	tu_run_done(&r);
	/* safe to run twice */
	expect(&r, 0, "restore-access", NULL, NULL);
	assert_non_null(strstr(r.out, "No access openings are outstanding"));
	tu_run_done(&r);
	assert_restored();
}

static void test_crash_leaves_the_opening_listed(void **state)
{
	(void)state;
	struct tu_run r;
	setenv("GP2ADB_CRASH_AT", "open-done", 1);
	int rc = run(&r, "open-access", "--pg-hba", "127.0.0.1/32");
	unsetenv("GP2ADB_CRASH_AT");
	assert_int_equal(rc, 128 + 9);                  /* SIGKILL: no cleanup ran */
	tu_run_done(&r);
	assert_true(mover_admitted(NULL, 0));

	/* the next start lists it */
	expect(&r, 0, "status", NULL, NULL);
	assert_true(strncmp(r.out, "access       1 OPEN", 19) == 0);
	assert_non_null(strstr(r.out, "#2 pg_hba rule on 127.0.0.2:"));
	tu_run_done(&r);
	expect(&r, 0, "restore-access", NULL, NULL);
	tu_run_done(&r);
	assert_restored();
}

static void test_operator_whitelist_is_recorded_and_confirmed(void **state)
{
	(void)state;
	struct tu_run r;
	expect(&r, 1, "open-access", "--whitelist", "0.0.0.0/24x");
	assert_non_null(strstr(r.err, "not an address range"));
	tu_run_done(&r);

	/* no terminal and no -y: the steps are shown, nothing is recorded */
	expect(&r, 1, "open-access", "--whitelist", "0.0.0.0/0");
	assert_non_null(strstr(r.out, "WARNING"));
	assert_non_null(strstr(r.out, "0.0.0.0/0 is the whole internet"));
	assert_non_null(strstr(r.out, "group name gp2adb_migration, IP addresses 0.0.0.0/0"));
	assert_non_null(strstr(r.err, "not recorded"));
	tu_run_done(&r);
	expect(&r, 0, "status", NULL, NULL);
	assert_non_null(strstr(r.out, "none outstanding"));
	tu_run_done(&r);

	expect(&r, 0, "-y", "open-access", "--whitelist=0.0.0.0/0");
	tu_run_done(&r);
	expect(&r, 0, "status", NULL, NULL);
	assert_non_null(strstr(r.out, "ADB whitelist group gp2adb_migration: 0.0.0.0/0 (opened by you"));
	tu_run_done(&r);

	/* closing it is the operator's word: without it, it stays open */
	expect(&r, 1, "restore-access", NULL, NULL);
	assert_non_null(strstr(r.out, "delete the group gp2adb_migration"));
	assert_non_null(strstr(r.out, "still open"));
	tu_run_done(&r);
	expect(&r, 0, "status", NULL, NULL);
	assert_non_null(strstr(r.out, "1 OPEN"));
	tu_run_done(&r);
	expect(&r, 0, "-y", "restore-access", NULL);
	assert_non_null(strstr(r.out, "recorded as closed"));
	tu_run_done(&r);
	expect(&r, 0, "status", NULL, NULL);
	assert_non_null(strstr(r.out, "none outstanding"));
	tu_run_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_hba_open_and_restore),
		cmocka_unit_test(test_crash_leaves_the_opening_listed),
		cmocka_unit_test(test_operator_whitelist_is_recorded_and_confirmed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
