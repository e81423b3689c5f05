/* gp2adb backfill on two real servers: rows written on the source after the
 * copy reach the destination exactly once: only the new rows of a table
 * with an ever-increasing key, the whole of a table without one; a rerun
 * finds nothing; a run killed mid-way and run again adds nothing twice; an
 * update the key cannot see is found by the validation that follows and the
 * table is copied again whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytest.h"
#include "mem.h"
#include "testutil.h"

static const char ddl[] =
	"CREATE TABLE events (id serial PRIMARY KEY, at timestamptz, v text);\n"
	"CREATE TABLE notes (note text, n int);\n"
	"CREATE TABLE still (id int PRIMARY KEY, v text);\n";

static const char *const tables[] = { "events", "notes", "still", NULL };

static int run(struct tu_run *r, const char *conf, const char *cmd)
{
	const char *args[] = { cmd, "-c", conf, "--plain", NULL };
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r->out, r->err);
	return rc;
}

/* Write on the source in a session of its own; return once the server's
 * statistics count it (gp2adb reads them to tell what changed). */
static void write_source(const char *sql, const char *table, const char *what, long long at_least)
{
	PGconn *s = tu_connect(TU_SRC, "bf");
	tu_exec(s, sql);
	PQfinish(s);
	ct_wait_counted("bf", table, what, at_least);
}

static void test_backfill_exactly_once(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "bf");
	tu_createdb(TU_DST, "bf");
	PGconn *s = tu_connect(TU_SRC, "bf"), *d = tu_connect(TU_DST, "bf");
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	tu_exec(s, "INSERT INTO events (at, v) SELECT now(), md5(g::text) FROM generate_series(1, 5000) g;"
		   "INSERT INTO notes SELECT 'n' || g, g FROM generate_series(1, 300) g;"
		   "INSERT INTO still SELECT g, 's' FROM generate_series(1, 100) g;");
	PQfinish(s);
	ct_wait_counted("bf", "events", "inserted", 5000);
	ct_wait_counted("bf", "still", "inserted", 100);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "bf", "bf", "migration = { jobs = 2; };\n");
	struct tu_run r;
	assert_int_equal(run(&r, conf, "copy"), 0);
	tu_run_done(&r);
	assert_int_equal(run(&r, conf, "backfill"), 0);
	assert_non_null(strstr(r.out, "0 changed since their copy"));
	tu_run_done(&r);

	/* writes after the copy */
	write_source("INSERT INTO events (at, v) SELECT now(), 'late' || g FROM generate_series(1, 100) g",
		     "events", "inserted", 5100);
	write_source("INSERT INTO notes SELECT 'late' || g, g FROM generate_series(1, 20) g", "notes", "inserted", 320);
	assert_int_equal(run(&r, conf, "backfill"), 0);
	assert_non_null(strstr(r.out, "2 changed since their copy"));
	assert_non_null(strstr(r.out, "copy the rows beyond id = 5000 (its key is fed by a sequence)"));
	assert_non_null(strstr(r.out, "copy it again whole"));
	assert_null(strstr(r.out, "\"public\".\"still\"                        changed"));
	tu_run_done(&r);
	ct_assert_identical("bf", "bf", tables);
	assert_int_equal(tu_count(d, "SELECT last_value FROM events_id_seq"), 5100);
	/* only the new rows travelled: the incremental marker counts 100 */
	assert_int_equal(tu_count(d, "SELECT rows FROM gp2adb.copy_progress WHERE migration_id LIKE '%+bf' "
				     "AND table_name = '\"public\".\"events\"'"), 100);

	/* nothing new: nothing to do */
	assert_int_equal(run(&r, conf, "backfill"), 0);
	assert_non_null(strstr(r.out, "nothing to backfill"));
	tu_run_done(&r);

	/* killed while the backfill of events loads, then run again: exactly once */
	write_source("INSERT INTO events (at, v) SELECT now(), 'more' || g FROM generate_series(1, 20000) g",
		     "events", "inserted", 25100);
	tu_exec(d, "CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$\n"
		   "BEGIN IF NEW.id % 200 = 0 THEN PERFORM pg_sleep(0.02); END IF; RETURN NEW; END $$;\n"
		   "CREATE TRIGGER slow_down BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_down();");
	struct ct_bg b;
	const char *args[] = { "backfill", "-c", conf, "--plain", NULL };
	ct_bg_start(&b, args);
	double end = ct_now() + 30;
	while (tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%' "
			"AND state = 'active' AND query LIKE '%COPY \"public\".\"events\"%FROM STDIN%'") == 0 &&
	       ct_now() < end)
		ct_pause_ms(20);
	ct_pause_ms(300);
	kill(b.pid, SIGKILL);
	char *out;
	ct_bg_wait(&b, 10, &out);
	free(out);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM events"), 5100);   /* rolled back */
	tu_exec(d, "DROP TRIGGER slow_down ON events; DROP FUNCTION slow_down()");
	assert_int_equal(run(&r, conf, "backfill"), 0);
	tu_run_done(&r);
	ct_assert_identical("bf", "bf", tables);

	/* an update: the counters say rows changed in place, which only a whole
	 * copy brings */
	write_source("UPDATE events SET v = 'changed' WHERE id = 17", "events", "updated", 1);
	assert_int_equal(run(&r, conf, "backfill"), 0);
	assert_non_null(strstr(r.out, "rows were updated or deleted"));
	tu_run_done(&r);
	ct_assert_identical("bf", "bf", tables);

	/* a row inserted below the high-water mark (a key value that committed
	 * late): the incremental copy cannot see it, the validation that
	 * follows does, and the table is copied again whole */
	write_source("INSERT INTO events (id, at, v) VALUES (-5, now(), 'late key')", "events", "inserted", 25101);
	assert_int_equal(run(&r, conf, "backfill"), 0);
	assert_non_null(strstr(r.out, "copy the rows beyond id = 25100"));
	assert_non_null(strstr(r.out, "1 backfilled table still differs: copying it again whole"));
	tu_run_done(&r);
	ct_assert_identical("bf", "bf", tables);
	PQfinish(d);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backfill_exactly_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
