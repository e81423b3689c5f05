/* gp2adb copy under faults: a destination backend terminated mid-COPY, the
 * destination server restarted mid-copy, SIGINT then --resume.  Each ends
 * identical to the source with no duplicates, and nothing of gp2adb's is
 * left running on either server.
 * The destination's "slow" table has a trigger that sleeps now and then, so
 * its COPY lasts long enough to be interrupted; gp2adb is not told. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "copytest.h"
#include "testutil.h"

static const char table_sql[] =
	"CREATE TABLE slow (id int PRIMARY KEY, v text);\n"
	"CREATE TABLE small1 (id int, v text); CREATE TABLE small2 (id int, v text);\n"
	"CREATE TABLE small3 (id int, v text); CREATE TABLE small4 (id int, v text);\n";

static const char rows_sql[] =
	"INSERT INTO slow SELECT g, md5(g::text) FROM generate_series(1, 40000) g;\n"
	"INSERT INTO small1 SELECT g, 's' FROM generate_series(1, 100) g;\n"
	"INSERT INTO small2 SELECT g, 's' FROM generate_series(1, 200) g;\n"
	"INSERT INTO small3 SELECT g, 's' FROM generate_series(1, 300) g;\n"
	"INSERT INTO small4 SELECT g, 's' FROM generate_series(1, 400) g;\n"
	"ANALYZE;\n";

/* about 1.6 s per pass over "slow" on the destination */
static const char slow_sql[] =
	"CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN IF NEW.id % 250 = 0 THEN PERFORM pg_sleep(0.01); END IF; RETURN NEW; END $$;\n"
	"CREATE TRIGGER slow_down BEFORE INSERT ON slow FOR EACH ROW EXECUTE FUNCTION slow_down();\n";

static const char *const tables[] = { "slow", "small1", "small2", "small3", "small4", NULL };

/* Wait until the destination runs gp2adb's COPY into "slow". */
static void wait_for_slow_copy(PGconn *d)
{
	double end = ct_now() + 20;
	while (ct_now() < end) {
		if (tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%'\n"
			     "AND state = 'active' AND query LIKE '%COPY \"public\".\"slow\"%FROM STDIN%'") > 0)
			return;
		ct_pause_ms(20);
	}
	fail_msg("gp2adb's COPY into slow never showed up on the destination");
}

/* No gp2adb session on either server (backends end asynchronously: poll). */
static void assert_nothing_left(void)
{
	for (int side = TU_SRC; side <= TU_DST; side++) {
		PGconn *c = tu_connect((enum tu_side)side, "postgres");
		long long n = -1;
		for (int i = 0; i < 100 && n != 0; i++) {
			n = tu_count(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb%'\n"
				     "AND application_name <> 'gp2adb-test'");
			if (n)
				ct_pause_ms(50);
		}
		PQfinish(c);
		if (n != 0)
			fail_msg("%lld gp2adb sessions left on the %s", n, side == TU_SRC ? "source" : "destination");
	}
}

static char *setup(const char *db, const char *extra)
{
	tu_createdb(TU_SRC, db);
	tu_createdb(TU_DST, db);
	PGconn *s = tu_connect(TU_SRC, db), *d = tu_connect(TU_DST, db);
	tu_exec(s, table_sql);
	tu_exec(s, rows_sql);
	tu_exec(d, table_sql);
	tu_exec(d, slow_sql);
	PQfinish(s);
	PQfinish(d);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, db, db, extra);
	free(dir);
	return conf;
}

static void test_backend_terminated(void **state)
{
	(void)state;
	char *conf = setup("f1", "migration = { jobs = 2; };\n");
	PGconn *d = tu_connect(TU_DST, "f1");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--json", NULL };
	ct_bg_start(&b, args);
	wait_for_slow_copy(d);
	assert_int_equal(tu_count(d, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity\n"
				  "WHERE application_name LIKE 'gp2adb-w%' AND query LIKE '%COPY \"public\".\"slow\"%'"), 1);
	char *out;
	assert_int_equal(ct_bg_wait(&b, 60, &out), 0);
	/* the unit was retried on a fresh connection */
	char *slow = strstr(out, "\"table\": \"\\\"public\\\".\\\"slow\\\"\"");
	assert_non_null(slow);
	assert_non_null(strstr(slow, "\"retries\": 1"));
	free(out);
	PQfinish(d);
	ct_assert_identical("f1", "f1", tables);
	assert_nothing_left();
	free(conf);
}

static void test_destination_restarted(void **state)
{
	(void)state;
	char *conf = setup("f2", "migration = { jobs = 2; };\n");
	PGconn *d = tu_connect(TU_DST, "f2");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--plain", NULL };
	ct_bg_start(&b, args);
	wait_for_slow_copy(d);
	PQfinish(d);
	char *cmd = xasprintf("\"%s/pg\" restart \"%s\" dst", getenv("GP2ADB_HARNESS"), getenv("GP2ADB_TEST_DIR"));
	assert_int_equal(system(cmd), 0);
	free(cmd);
	char *out;
	assert_int_equal(ct_bg_wait(&b, 60, &out), 0);
	assert_non_null(strstr(out, "0 failed"));
	free(out);
	ct_assert_identical("f2", "f2", tables);
	assert_nothing_left();
	free(conf);
}

static void test_interrupt_then_resume(void **state)
{
	(void)state;
	char *conf = setup("f3", "migration = { jobs = 2; };\n");
	PGconn *d = tu_connect(TU_DST, "f3");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--plain", NULL };
	ct_bg_start(&b, args);
	wait_for_slow_copy(d);
	/* let the other worker commit the small tables first */
	double end = ct_now() + 20;
	while (tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress") < 4 && ct_now() < end)
		ct_pause_ms(20);
	double t0 = ct_now();
	kill(b.pid, SIGINT);
	char *out;
	assert_int_equal(ct_bg_wait(&b, 20, &out), 130);
	assert_true(ct_now() - t0 < 5);
	assert_non_null(strstr(out, "gp2adb copy --resume"));
	free(out);
	assert_nothing_left();
	/* the interrupted COPY was rolled back; committed tables stayed */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM slow"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress"), 4);
	tu_exec(d, "INSERT INTO small1 VALUES (-1, 'resume must not redo a committed table')");

	const char *resume[] = { "copy", "-c", conf, "--json", "--resume", NULL };
	ct_bg_start(&b, resume);
	assert_int_equal(ct_bg_wait(&b, 60, &out), 0);
	assert_non_null(strstr(out, "\"tables_failed\": 0"));
	free(out);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM small1 WHERE id = -1"), 1);
	tu_exec(d, "DELETE FROM small1 WHERE id = -1");
	PQfinish(d);
	ct_assert_identical("f3", "f3", tables);
	assert_nothing_left();
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_terminated),
		cmocka_unit_test(test_destination_restarted),
		cmocka_unit_test(test_interrupt_then_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
