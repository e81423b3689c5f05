/* gp2adb copy --method gpcopy on four real sshd hosts (tests/harness/sshd):
 * 127.0.0.2 is the master.  gpcopy itself cannot run here, so the test
 * installs tests/harness/gpcopy-standin as "gpcopy" from a stand-in tarball
 * through gp2adb install-gpcopy; the stand-in copies each table between the
 * harness's source and destination servers with psql COPY pipes and writes
 * gpcopy's log lines, which gp2adb turns into its progress and summary.
 * The destination asks for a password (scram), which only the
 * configuration holds. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "testutil.h"

#define DST_USER "gpcopy_dst"
#define DST_PASSWORD "Pw:of\\gpcopy-7f3a"

static char *ssh_dir, *work, *tarball, *gphome;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/* The configuration: the destination as DST_USER with its password (the
 * file is 0600), the master and one segment host over ssh. */
static char *config(const char *dir, const char *db, const char *extra)
{
	char *path = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf(
		"source = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"%s\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"" DST_USER "\"; dbname = \"%s\";\n"
		"  password = \"%s\"; };\n"
		"state_dir = \"%s/state\";\n"
		"ssh = { master = \"127.0.0.2\"; user = \"root\"; port = %s; identity = \"%s/client_key\";\n"
		"  known_hosts = \"%s/known_hosts\"; segment_hosts = [ \"127.0.0.3\" ]; };\n%s",
		tu_port(TU_SRC), db, tu_port(TU_DST), db, "Pw:of\\\\gpcopy-7f3a", dir,
		getenv("GP2ADB_TEST_SSH_PORT"), ssh_dir, ssh_dir, extra ? extra : "");
	tu_write_file(path, text, 0600);
	free(text);
	return path;
}

static int setup(void **state)
{
	(void)state;
	const char *d = getenv("GP2ADB_TEST_SSH_DIR");
	if (!d)
		fail_msg("GP2ADB_TEST_SSH_DIR is not set: run through tests/harness/run-test");
	ssh_dir = xstrdup(d);
	work = tu_tmpdir();
	gphome = xasprintf("%s/hosts/127.0.0.2/gphome", ssh_dir);
	/* the stand-in tarball, laid out as the vendor's */
	const char *src = getenv("GP2ADB_SRCDIR");
	sh("mkdir -p %s/tb/gpcopy-2.3.2 && cp %s/tests/harness/gpcopy-standin %s/tb/gpcopy-2.3.2/gpcopy && "
	   "printf '#!/bin/sh\\necho \"gpcopy_helper version 2.3.2 (stand-in)\"\\n' >%s/tb/gpcopy-2.3.2/gpcopy_helper && "
	   "tar -czf %s/gpcopy-2.3.2.tar.gz -C %s/tb gpcopy-2.3.2", work, src ? src : "..", work, work, work, work);
	tarball = xasprintf("%s/gpcopy-2.3.2.tar.gz", work);
	/* a Greenplum master has psql and pg_dump in $GPHOME/bin */
	sh(". %s/tests/harness/lib.sh && b=$(harness_pg_bindir) && ln -sf $b/psql $b/pg_dump %s/bin/", src ? src : "..",
	   gphome);
	/* the destination account asks for its password */
	PGconn *c = tu_connect(TU_DST, "postgres");
	tu_exec(c, "SET password_encryption = 'scram-sha-256';"
		   "CREATE ROLE " DST_USER " LOGIN SUPERUSER PASSWORD '" DST_PASSWORD "'");
	PQfinish(c);
	sh("sed -i '1i host all " DST_USER " 127.0.0.1/32 scram-sha-256' %s/pg_hba.conf && "
	   "chown postgres %s/pg_hba.conf && runuser -u postgres -- $(. %s/tests/harness/lib.sh && harness_pg_bindir)/pg_ctl "
	   "-D %s reload -s", getenv("GP2ADB_TEST_DST_DATA"), getenv("GP2ADB_TEST_DST_DATA"), src ? src : "..",
	   getenv("GP2ADB_TEST_DST_DATA"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ssh_dir);
	free(work);
	free(tarball);
	free(gphome);
	return 0;
}

static void install(const char *conf)
{
	struct tu_run r;
	const char *args[] = { "-c", conf, "install-gpcopy", "--tarball", tarball, NULL };
	if (tu_run_gp2adb(&r, args) != 0)
		fail_msg("install-gpcopy: %s\n%s", r.out, r.err);
	tu_run_done(&r);
}

/* Files the wrapper leaves on the master's /tmp (there should be none). */
static int leftovers(void)
{
	DIR *d = opendir("/tmp");     /* the sshd sessions have no TMPDIR */
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strncmp(e->d_name, "gp2adb-gpcopy-pass.", 19) == 0 || strncmp(e->d_name, "gp2adb-gpcopy-tables.", 21) == 0;
	if (d)
		closedir(d);
	return n;
}

static void both(const char *db, const char *sql)
{
	for (int side = TU_SRC; side <= TU_DST; side++) {
		PGconn *c = tu_connect((enum tu_side)side, db);
		tu_exec(c, sql);
		PQfinish(c);
	}
}

static void test_copy_failure_and_password(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "shop");
	tu_createdb(TU_DST, "shop");
	both("shop", "CREATE TABLE orders (id int, amount numeric(12,2), note text);"
		     "CREATE TABLE small (a smallint); CREATE SCHEMA \"Odd\"; CREATE TABLE \"Odd\".\"Line Items\" (x int)");
	PGconn *s = tu_connect(TU_SRC, "shop");
	tu_exec(s, "INSERT INTO orders SELECT g, g * 1.25, 'order ' || g FROM generate_series(1, 20000) g;"
		   "INSERT INTO small VALUES (1), (2), (300); INSERT INTO \"Odd\".\"Line Items\" SELECT generate_series(1, 7)");
	PQfinish(s);
	PGconn *d = tu_connect(TU_DST, "shop");
	tu_exec(d, "ALTER TABLE small ADD CONSTRAINT small_a CHECK (a < 100); INSERT INTO orders VALUES (-1, 0, 'old')");
	char *dir = tu_tmpdir();
	char *conf = config(dir, "shop", "migration = { jobs = 64; };\n");
	install(conf);
	long long free_slots = tu_count(d, "SELECT current_setting('max_connections')::int - "
					   "current_setting('superuser_reserved_connections')::int - "
					   "(SELECT count(*) FROM pg_stat_activity)");

	struct tu_run r;
	const char *args[] = { "-c", conf, "copy", "--method", "gpcopy", "--plain", NULL };
	int rc = tu_run_gp2adb(&r, args);
	if (rc != 3)
		fail_msg("copy exit %d (want 3)\n%s\n%s", rc, r.out, r.err);
	/* the data moved, in one transaction per table: truncated first, the failed one left as it was */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM orders"), 20000);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM orders WHERE id = -1"), 0);
	assert_int_equal(tu_count(d, "SELECT sum(id) FROM orders"), 20000LL * 20001 / 2);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM \"Odd\".\"Line Items\""), 7);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM small"), 0);
	/* per table, from gpcopy's log: rows counted on the destination; the failure with its SQLSTATE */
	assert_non_null(strstr(r.out, "done   \"public\".\"orders\": 20000 rows"));
	assert_non_null(strstr(r.out, "done   \"Odd\".\"Line Items\": 7 rows"));
	assert_non_null(strstr(r.out, "FAILED \"public\".\"small\": 23514: new row for relation \"small\" violates check"));
	assert_non_null(strstr(r.out, "2 done, 0 skipped, 1 failed"));
	/* gpcopy's own retry command, for that table alone */
	assert_non_null(strstr(r.out, "retry just these tables: gpcopy --include-table 'shop.public.small' --truncate"));
	/* --jobs: 2n+1 connections fit in the destination's free ones */
	char *rec_path = xasprintf("%s/gpcopy-standin.record", gphome);
	char *rec = tu_read_file(rec_path);
	assert_non_null(rec);
	const char *j = strstr(rec, "--jobs ");
	assert_non_null(j);
	int jobs = atoi(j + 7);
	assert_true(jobs >= 1 && jobs < 64 && 2 * jobs + 1 <= free_slots);
	assert_non_null(strstr(r.err, "instead"));
	/* the password: a 0600 file named by PGPASSFILE, gone afterwards, never in argv or on screen */
	assert_non_null(strstr(rec, "pgpassfile-mode 600"));
	assert_null(strstr(rec, "7f3a"));
	assert_null(strstr(r.out, "7f3a"));
	assert_null(strstr(r.err, "7f3a"));
	assert_non_null(strstr(r.err, "PGPASSFILE=<0600 file, removed afterwards: ********> gpcopy --dbname shop"));
	assert_int_equal(leftovers(), 0);
	/* gpcopy's own log on the master */
	char *cmd = xasprintf("grep -q 'Database shop: successfully copied 2 tables, skipped 0 tables, failed 1 tables' "
			      "$HOME/gpAdminLogs/gpcopy_$(date +%%Y%%m%%d).log");
	assert_int_equal(system(cmd), 0);
	free(cmd);
	tu_run_done(&r);

	/* gp2adb's own validation follows: the failed table differs, the others match */
	const char *vargs[] = { "-c", conf, "validate", "--plain", NULL };
	rc = tu_run_gp2adb(&r, vargs);
	assert_int_equal(rc, 4);
	tu_run_done(&r);
	free(rec);
	free(rec_path);
	PQfinish(d);
	free(conf);
	free(dir);
}

static void test_selection_and_json(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "sel");
	tu_createdb(TU_DST, "sel");
	both("sel", "CREATE TABLE a1 (x int); CREATE TABLE a2 (x int); CREATE TABLE b1 (x int)");
	PGconn *s = tu_connect(TU_SRC, "sel");
	tu_exec(s, "INSERT INTO a1 SELECT generate_series(1, 10); INSERT INTO a2 SELECT generate_series(1, 20);"
		   "INSERT INTO b1 SELECT generate_series(1, 30)");
	PQfinish(s);
	char *dir = tu_tmpdir();
	char *conf = config(dir, "sel", "migration = { include = [ \"public.a*\" ]; jobs = 2; };\n");
	install(conf);
	struct tu_run r;
	const char *args[] = { "-c", conf, "copy", "--method", "gpcopy", "--json", NULL };
	int rc = tu_run_gp2adb(&r, args);
	if (rc != 0)
		fail_msg("copy exit %d\n%s\n%s", rc, r.out, r.err);
	PGconn *d = tu_connect(TU_DST, "sel");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a1"), 10);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a2"), 20);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM b1"), 0);
	PQfinish(d);
	/* the selection went to gpcopy as a table file; the JSON summary is the engine's */
	char *rec_path = xasprintf("%s/gpcopy-standin.record", gphome);
	char *rec = tu_read_file(rec_path);
	assert_non_null(strstr(rec, "--include-table-file /"));
	assert_null(strstr(rec, "--dbname"));
	assert_non_null(strstr(r.out, "\"tables_done\": 2"));
	assert_non_null(strstr(r.out, "\"rows\": 30"));
	assert_int_equal(leftovers(), 0);
	tu_run_done(&r);
	free(rec);
	free(rec_path);
	free(conf);
	free(dir);
}

static bool file_has(const char *path, const char *text)
{
	char *t = tu_read_file(path);
	bool has = t && strstr(t, text);
	free(t);
	return has;
}

static void test_cancel_stops_gpcopy(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "big");
	tu_createdb(TU_DST, "big");
	both("big", "CREATE TABLE huge (id bigint, pad text)");
	PGconn *s = tu_connect(TU_SRC, "big");
	tu_exec(s, "INSERT INTO huge SELECT g, repeat('x', 100) FROM generate_series(1, 1500000) g");
	PQfinish(s);
	char *dir = tu_tmpdir();
	char *conf = config(dir, "big", NULL);
	install(conf);
	char *out_path = xasprintf("%s/copy.out", dir), *err_path = xasprintf("%s/copy.err", dir);
	int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	const char *args[] = { "-c", conf, "copy", "--method", "gpcopy", "--plain", NULL };
	pid_t pid = tu_spawn_gp2adb(args, out, err);
	close(out);
	close(err);
	/* wait (bounded) until gpcopy copies the table, then interrupt */
	int i = 0;
	while (i++ < 600 && !file_has(out_path, "start  \"public\".\"huge\""))
		usleep(50000);
	assert_true(file_has(out_path, "start  \"public\".\"huge\""));
	assert_true(leftovers() > 0);       /* the password file exists while gpcopy runs */
	kill(pid, SIGINT);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 130);
	/* gpcopy stopped, its transaction rolled back, its files removed */
	assert_int_equal(leftovers(), 0);
	assert_int_not_equal(system("ps -eo args | grep -v grep | grep -q 'gpcopy --worker'"), 0);
	PGconn *d = tu_connect(TU_DST, "big");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM huge"), 0);
	PQfinish(d);
	assert_true(file_has(out_path, "copy the others with: gpcopy --include-table big.public.huge --truncate"));
	free(out_path);
	free(err_path);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_failure_and_password),
		cmocka_unit_test(test_selection_and_json),
		cmocka_unit_test(test_cancel_stops_gpcopy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
