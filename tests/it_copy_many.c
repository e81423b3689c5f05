/* gp2adb copy of many small tables between two real PostgreSQL servers: a
 * worker's source transaction lets go of the tables it has read (their
 * ACCESS SHARE locks; otherwise the source's lock table runs out, "53200
 * out of shared memory", at tens of thousands of tables) while every table
 * is still read in the one snapshot taken when the copy began. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "flavor.h"
#include "mem.h"
#include "copytest.h"
#include "wire_estimate.h"
#include "testutil.h"

#define NTABLES 300
#define LOCKED "m200"     /* held by the test while the copy runs */

static const char make_tables[] =
	"DO $$ BEGIN\n"
	"  FOR i IN 1..300 LOOP\n"
	"    EXECUTE format('CREATE TABLE %I (id int, v text)', 'm' || lpad(i::text, 3, '0'));\n"
	"  END LOOP;\n"
	"END $$;\n";

static const char fill_tables[] =
	"DO $$ BEGIN\n"
	"  FOR i IN 1..300 LOOP\n"
	"    EXECUTE format('INSERT INTO %I SELECT g, ''r'' || g FROM generate_series(1, 3) g',\n"
	"                   'm' || lpad(i::text, 3, '0'));\n"
	"  END LOOP;\n"
	"END $$;\n"
	"ANALYZE;\n";

/* One more row in every table: written after the copy's snapshot. */
static const char late_rows[] =
	"DO $$ BEGIN\n"
	"  FOR i IN 1..300 LOOP\n"
	"    EXECUTE format('INSERT INTO %I VALUES (99, ''late'')', 'm' || lpad(i::text, 3, '0'));\n"
	"  END LOOP;\n"
	"END $$;\n";

/* The worker (one: -j 1) blocks on the locked table after reading those
 * before it.  Then it must hold few of their locks, and the rows written
 * while it waits must reach no table, not even those it reads after it
 * began a new transaction in the same snapshot. */
static void test_locks_released_snapshot_kept(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "many_s");
	tu_createdb(TU_DST, "many_d");
	PGconn *s = tu_connect(TU_SRC, "many_s"), *d = tu_connect(TU_DST, "many_d");
	tu_exec(s, make_tables);
	tu_exec(s, fill_tables);
	tu_exec(d, make_tables);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "many_s", "many_d", "migration = { jobs = 1; };\n");

	PGconn *locker = tu_connect(TU_SRC, "many_s");
	tu_exec(locker, "BEGIN; LOCK TABLE " LOCKED " IN ACCESS EXCLUSIVE MODE");
	struct ct_bg bg;
	const char *args[] = { "copy", "-c", conf, "--plain", "--mode", "truncate", NULL };
	ct_bg_start(&bg, args);

#define WAITING "FROM pg_locks WHERE relation = '" LOCKED "'::regclass AND NOT granted"
	for (int i = 0; i < 600 && tu_count(s, "SELECT count(*) " WAITING) == 0; i++)
		ct_pause_ms(100);
	char *pid = tu_value(s, "SELECT min(pid)::text " WAITING);
	assert_non_null(pid);
	long long copied = tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE unit_id = 'all'");
	char *sql = xasprintf("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation\n"
			      "WHERE l.pid = %s AND l.granted AND c.relname LIKE 'm%%'", pid);
	long long held = tu_count(s, sql);
	free(sql);
	/* sorted by name, the tables before m200 were read: the old way held every one of their locks */
	assert_true(copied >= 150);
	if (held > 60)
		fail_msg("the worker still holds %lld of the %lld tables it read locked", held, copied);

	tu_exec(locker, late_rows);
	tu_exec(locker, "COMMIT");
	char *out = NULL;
	int rc = ct_bg_wait(&bg, 120, &out);
	if (rc != 0)
		fail_msg("copy exited %d:\n%s\n%s", rc, out, tu_read_file(bg.err));

	for (int i = 1; i <= NTABLES; i++) {
		char *q = xasprintf("SELECT count(*) FROM m%03d", i);
		long long n = tu_count(d, q);
		if (n != 3)
			fail_msg("m%03d has %lld rows on the destination: the copy read it outside its snapshot", i, n);
		free(q);
	}
	long long late = tu_count(s, "SELECT count(*) FROM m300 WHERE v = 'late'");
	assert_int_equal(late, 1);
	free(out);
	free(pid);
	free(conf);
	free(dir);
	PQfinish(locker);
	PQfinish(s);
	PQfinish(d);
}

/* The widths read for many tables land on the right ones, in whatever
 * order the tables come (matched by oid through a sorted index, not by a
 * scan of every table per row, quadratic at 100,000 tables). */
static void test_wire_widths_by_oid(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "widths");
	PGconn *s = tu_connect(TU_SRC, "widths");
	tu_exec(s, "CREATE TABLE narrow (id int);\n"
		   "CREATE TABLE wide (id int, v text);\n"
		   "INSERT INTO narrow SELECT g FROM generate_series(1, 1000) g;\n"
		   "INSERT INTO wide SELECT g, repeat('w', 400) FROM generate_series(1, 1000) g;\n"
		   "ANALYZE narrow; ANALYZE wide");
	char *version = tu_value(s, "SELECT version()");
	struct flavor f;
	assert_true(flavor_parse(version, &f));
	enum { N = 6 };
	struct table t[N];
	const struct table *tp[N];
	bool binary[N] = { false };
	long long out[N];
	/* wide, narrow, wide, ...: the oids are not in order */
	for (int i = 0; i < N; i++) {
		memset(&t[i], 0, sizeof t[i]);
		char *oid = tu_value(s, i % 2 ? "SELECT 'narrow'::regclass::oid::text" : "SELECT 'wide'::regclass::oid::text");
		t[i].oid = (unsigned)strtoul(oid, NULL, 10);
		free(oid);
		t[i].storage = 'h';
		t[i].rows_est = 1000;
		t[i].bytes = 8192;
		tp[i] = &t[i];
	}
	struct db_error err;
	memset(&err, 0, sizeof err);
	assert_true(wire_estimate_read(s, &f, tp, binary, N, out, &err));
	for (int i = 0; i < N; i++) {
		/* 1,000 rows of about 405 bytes, or of 5 */
		if (i % 2 == 0 && (out[i] < 380000 || out[i] > 430000))
			fail_msg("wide (%d) estimated at %lld bytes", i, out[i]);
		if (i % 2 == 1 && (out[i] < 2000 || out[i] > 20000))
			fail_msg("narrow (%d) estimated at %lld bytes", i, out[i]);
	}
	/* a small table is not looked up: a few rows at WIRE_SMALL_ROW bytes,
	 * not its page on disk */
	t[0].rows_est = 3;
	assert_true(wire_estimate_read(s, &f, tp, binary, 1, out, &err));
	assert_int_equal(out[0], (long long)(3 * WIRE_SMALL_ROW));
	free(version);
	PQfinish(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locks_released_snapshot_kept),
		cmocka_unit_test(test_wire_widths_by_oid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
