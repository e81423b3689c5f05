/* open-access and restore-access on a real Greenplum 6 master's pg_hba.conf,
 * edited over SSH through the sshd host on 127.0.0.1 (the master's host;
 * run-gp-test starts it), as root, with no Greenplum environment for the
 * SSH user (gpstop, a Python 2 program, could not run here).  Each change
 * must be live: a login the opening admits succeeds, and fails again once
 * it is restored.
 *
 * What this relies on:
 *   - open-access --pg-hba CIDR appends one md5 rule for the source user to
 *     the file SHOW hba_file names, on ssh.master, and makes the master
 *     reload it (over SSH: a SIGHUP, verified with psql through the
 *     master's socket, as the source user);
 *   - restore-access puts the file's original bytes back, the same way;
 *   - status lists an opening while it is outstanding ("access       1 OPEN")
 *     and none after ("access       none outstanding");
 *   - the ledger lives under state_dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copytest.h"
#include "mem.h"
#include "gptest.h"

static char *conf, *hba, *orig;

/* Only the test's own account over TCP; everyone over the master's socket. */
static const char restrictive_hba[] =
	"# test: the operator's box may connect; nobody else over TCP\n"
	"local   all   all                    trust\n"
	"host    all   postgres  127.0.0.1/32  trust\n";

/* Whether the migration account can log in over TCP with its password. */
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

static int group_setup(void **state)
{
	(void)state;
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
	for (int i = 0; i < 100 && mover_admitted(NULL, 0); i++)
		ct_pause_ms(50);
	char why[300];
	assert_false(mover_admitted(why, sizeof why));
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
	orig = tu_read_file(hba);

	/* the master through its socket, its host over SSH */
	const char *ssh = getenv("GP2ADB_TEST_SSH_DIR");
	char *dir = tu_tmpdir();
	conf = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf(
		"source = { host = \"%s\"; port = %d; user = \"mover\"; dbname = \"postgres\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"postgres\"; };\n"
		"ssh = { master = \"127.0.0.1\"; user = \"root\"; port = %s;\n"
		"  identity = \"%s/client_key\"; known_hosts = \"%s/known_hosts\"; };\n"
		"state_dir = \"%s/state\";\n",
		data, tu_port(TU_SRC), tu_port(TU_DST), getenv("GP2ADB_TEST_SSH_PORT"), ssh, ssh, dir);
	tu_write_file(conf, text, 0600);
	free(text);
	free(dir);
	return 0;
}

static void expect(struct tu_run *r, int want, const char *a, const char *b, const char *c)
{
	int rc = tu_run_gp2adb(r, (const char *[]){ "-c", conf, a, b, c, NULL });
	if (rc != want)
		fail_msg("gp2adb %s %s %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", a, b ? b : "", c ? c : "",
			 rc, want, r->out, r->err);
}

static void test_pg_hba_on_the_master(void **state)
{
	(void)state;
	struct tu_run r;
	expect(&r, 0, "open-access", "--pg-hba", "127.0.0.1/32");
	gpt_expect_text("open-access's output", r.out, "Opened #1");
	tu_run_done(&r);
	char *now = tu_read_file(hba);
	assert_true(strncmp(now, orig, strlen(orig)) == 0);      /* appended, nothing else touched */
	gpt_expect_text("the master's pg_hba.conf", now + strlen(orig), "host    all    mover    127.0.0.1/32    md5");
	free(now);
	/* reloaded: the master admits the account now */
	char why[300];
	if (!mover_admitted(why, sizeof why))
		fail_msg("mover still turned away after the opening: %s", why);

	expect(&r, 0, "status", NULL, NULL);
	assert_true(strncmp(r.out, "access       1 OPEN", 19) == 0);
	gpt_expect_text("status", r.out, "#1 pg_hba rule on 127.0.0.1:");
	tu_run_done(&r);

	expect(&r, 0, "restore-access", NULL, NULL);
	gpt_expect_text("restore-access's output", r.out, "1 of 1 openings closed.");
	tu_run_done(&r);
	now = tu_read_file(hba);
	assert_string_equal(now, orig);
	free(now);
	struct stat st;
	assert_int_equal(stat(hba, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(mover_admitted(why, sizeof why));
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
	expect(&r, 0, "status", NULL, NULL);
	assert_true(strncmp(r.out, "access       none outstanding", 29) == 0);
	tu_run_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_hba_on_the_master),
	};
	int rc = GPT_RUN_SETUP(tests, group_setup);
	free(conf);
	free(hba);
	free(orig);
	return rc;
}
