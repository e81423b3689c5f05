/* Resuming and rerunning a copy never duplicates or loses rows while
 * saying it succeeded: the split changed between runs, the source changed
 * between runs, skip-existing and append after an interrupted run, and the
 * sequences on the retry path gp2adb prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "copytest.h"
#include "testutil.h"

static const char *const big_only[] = { "big", NULL };

static int run_copy(struct tu_run *r, const char *conf, const char *const *extra)
{
	const char *args[16] = { "copy", "-c", conf, "--plain" };
	size_t n = 4;
	for (size_t i = 0; extra && extra[i] && n < 15; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r->out, r->err);
	return rc;
}

/* A table "big" of `rows` rows (about 300 bytes each) on the source, empty on
 * the destination; with_key: a primary key on both sides. */
static void make_big(const char *src_db, const char *dst_db, int rows, bool with_key)
{
	tu_createdb(TU_SRC, src_db);
	tu_createdb(TU_DST, dst_db);
	PGconn *s = tu_connect(TU_SRC, src_db), *d = tu_connect(TU_DST, dst_db);
	const char *ddl = with_key ? "CREATE TABLE big (id int PRIMARY KEY, pad text);"
				   : "CREATE TABLE big (id int, pad text);";
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	char *sql = xasprintf("INSERT INTO big SELECT g, repeat(md5(g::text), 9) FROM generate_series(1, %d) g;", rows);
	tu_exec(s, sql);
	tu_exec(s, "VACUUM ANALYZE big");
	free(sql);
	PQfinish(s);
	PQfinish(d);
	ct_wait_counted(src_db, "big", "inserted", rows);
}

/* As after a crash while one unit ran: that unit's rows and its marker are
 * gone from the destination; the others stay committed.  The unit is a ctid
 * range "bA-B" (or "bA-"). */
static void lose_unit(const char *src_db, const char *dst_db, const char *unit_like)
{
	PGconn *s = tu_connect(TU_SRC, src_db), *d = tu_connect(TU_DST, dst_db);
	char *sql = xasprintf("SELECT unit_id FROM gp2adb.copy_progress WHERE unit_id LIKE '%s' LIMIT 1", unit_like);
	char *unit = tu_value(d, sql);
	free(sql);
	assert_non_null(unit);
	long long from = atoll(unit + 1);
	const char *dash = strchr(unit, '-');
	char *range = dash[1] ? xasprintf("ctid >= '(%lld,0)'::tid AND ctid < '(%lld,0)'::tid", from, atoll(dash + 1))
			      : xasprintf("ctid >= '(%lld,0)'::tid", from);
	sql = xasprintf("SELECT coalesce(string_agg(id::text, ','), '0') FROM big WHERE %s", range);
	char *ids = tu_value(s, sql);
	free(sql);
	sql = xasprintf("DELETE FROM big WHERE id IN (%s); DELETE FROM gp2adb.copy_progress WHERE unit_id = '%s'",
			ids, unit);
	tu_exec(d, sql);
	free(sql);
	free(ids);
	free(range);
	free(unit);
	PQfinish(s);
	PQfinish(d);
}

/* An UPDATE on the source; returns once the server's statistics count it. */
static void update_source(const char *src_db, const char *sql)
{
	PGconn *s = tu_connect(TU_SRC, src_db);
	long long before = tu_count(s, "SELECT pg_stat_get_tuples_updated('big'::regclass)");
	tu_exec(s, sql);
	PQfinish(s);
	ct_wait_counted(src_db, "big", "updated", before + 1);
}

static long long units_of(const char *dst_db)
{
	PGconn *d = tu_connect(TU_DST, dst_db);
	long long n = tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE unit_id <> 'truncate'");
	PQfinish(d);
	return n;
}

/* Copied with one split_threshold_mb, interrupted, resumed with another: the
 * old markers name units that no longer exist, so the table is redone from
 * its truncation, without a key (no duplicates) and with one (no 23505). */
static void resume_with_other_split(bool with_key)
{
	const char *src = with_key ? "rs_src_k" : "rs_src", *dst = with_key ? "rs_dst_k" : "rs_dst";
	make_big(src, dst, 30000, with_key);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, src, dst, "migration = { jobs = 2; split_threshold_mb = 2; };\n");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	tu_run_done(&r);
	assert_true(units_of(dst) >= 3);
	lose_unit(src, dst, "b0-%");

	free(conf);
	conf = tu_write_config(dir, src, dst, "migration = { jobs = 2; split_threshold_mb = 3; };\n");
	const char *resume[] = { "--resume", NULL };
	assert_int_equal(run_copy(&r, conf, resume), 0);
	tu_run_done(&r);
	ct_assert_identical(src, dst, big_only);
	/* the markers describe the new units only: 3 MiB ranges of 384 blocks */
	PGconn *d = tu_connect(TU_DST, dst);
	char *first = tu_value(d, "SELECT string_agg(unit_id, ',') FROM gp2adb.copy_progress WHERE unit_id LIKE 'b0-%'");
	assert_string_equal(first, "b0-384");
	free(first);
	PQfinish(d);
	/* a second --resume finds everything done and changes nothing */
	assert_int_equal(run_copy(&r, conf, resume), 0);
	tu_run_done(&r);
	ct_assert_identical(src, dst, big_only);
	free(conf);
	free(dir);
}

static void test_resume_after_split_changed_no_key(void **state)
{
	(void)state;
	resume_with_other_split(false);
}

static void test_resume_after_split_changed_with_key(void **state)
{
	(void)state;
	resume_with_other_split(true);
}

/* Rows moved between units' ranges on the source between the interrupted
 * run and --resume: the table is redone, not patched from two snapshots. */
static void test_resume_after_source_changed(void **state)
{
	(void)state;
	make_big("ch_src", "ch_dst", 30000, false);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "ch_src", "ch_dst", "migration = { jobs = 2; split_threshold_mb = 2; };\n");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	tu_run_done(&r);
	/* the last range is lost; rows of the first range move to the end of
	 * the table (an UPDATE writes new row versions there) */
	lose_unit("ch_src", "ch_dst", "b%-");
	update_source("ch_src", "UPDATE big SET pad = 'moved' || pad WHERE ctid < '(20,0)'::tid");
	const char *resume[] = { "--resume", NULL };
	assert_int_equal(run_copy(&r, conf, resume), 0);
	ct_assert_identical("ch_src", "ch_dst", big_only);
	assert_non_null(strstr(r.err, "changed on the source"));
	tu_run_done(&r);

	/* In mode append the rows already added cannot be told apart: the table
	 * fails with the reason, and nothing is added twice. */
	tu_createdb(TU_DST, "ch_dst2");
	PGconn *d = tu_connect(TU_DST, "ch_dst2");
	tu_exec(d, "CREATE TABLE big (id int, pad text);");
	PQfinish(d);
	free(conf);
	conf = tu_write_config(dir, "ch_src", "ch_dst2",
			       "migration = { jobs = 2; split_threshold_mb = 2; mode = \"append\"; };\n");
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	tu_run_done(&r);
	lose_unit("ch_src", "ch_dst2", "b%-");
	d = tu_connect(TU_DST, "ch_dst2");
	long long before = tu_count(d, "SELECT count(*) FROM big");
	update_source("ch_src", "UPDATE big SET pad = 'again' || pad WHERE id % 50 = 0");
	assert_int_equal(run_copy(&r, conf, resume), 3);
	assert_non_null(strstr(r.out, "changed"));
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM big"), before);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* skip-existing and append after an interrupted run, without --resume: the
 * half-copied table is neither "skipped" nor appended to twice. */
static void test_rerun_after_interrupt_without_resume(void **state)
{
	(void)state;
	make_big("ir_src", "ir_dst", 30000, false);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "ir_src", "ir_dst",
				     "migration = { jobs = 2; split_threshold_mb = 2; mode = \"skip-existing\"; };\n");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	tu_run_done(&r);
	lose_unit("ir_src", "ir_dst", "b0-%");
	const char *json[] = { "--json", NULL };
	assert_int_equal(run_copy(&r, conf, json), 3);
	assert_null(strstr(r.out, "\"tables_skipped\": 1"));
	assert_non_null(strstr(r.out, "interrupted"));
	tu_run_done(&r);
	/* the retry gp2adb prints finishes it */
	const char *retry[] = { "--only-failed", NULL };
	assert_int_equal(run_copy(&r, conf, retry), 0);
	tu_run_done(&r);
	ct_assert_identical("ir_src", "ir_dst", big_only);

	/* append: the same; --resume then completes it exactly once */
	tu_createdb(TU_DST, "ir_dst2");
	PGconn *d = tu_connect(TU_DST, "ir_dst2");
	tu_exec(d, "CREATE TABLE big (id int, pad text);");
	PQfinish(d);
	free(conf);
	conf = tu_write_config(dir, "ir_src", "ir_dst2",
			       "migration = { jobs = 2; split_threshold_mb = 2; mode = \"append\"; };\n");
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	tu_run_done(&r);
	lose_unit("ir_src", "ir_dst2", "b0-%");
	assert_int_equal(run_copy(&r, conf, NULL), 3);
	assert_non_null(strstr(r.out, "interrupted"));
	tu_run_done(&r);
	const char *resume[] = { "--resume", NULL };
	assert_int_equal(run_copy(&r, conf, resume), 0);
	tu_run_done(&r);
	ct_assert_identical("ir_src", "ir_dst2", big_only);
	/* a complete earlier run is no obstacle: append again adds every row once more */
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	tu_run_done(&r);
	d = tu_connect(TU_DST, "ir_dst2");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM big"), 60000);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* After a run with a failed table, the retry gp2adb prints (--only-failed)
 * ends with every sequence set, owned or not. */
static void test_sequences_on_retry_path(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "sq_src");
	tu_createdb(TU_DST, "sq_dst");
	PGconn *s = tu_connect(TU_SRC, "sq_src"), *d = tu_connect(TU_DST, "sq_dst");
	const char *ddl = "CREATE SEQUENCE free_seq; CREATE TABLE t (id serial, v text); CREATE TABLE ok (x int);";
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	tu_exec(s, "SELECT setval('free_seq', 1000); INSERT INTO t (v) SELECT 'too long' FROM generate_series(1, 40);"
		   "INSERT INTO ok VALUES (1);");
	tu_exec(d, "ALTER TABLE t ALTER COLUMN v TYPE varchar(3)");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "sq_src", "sq_dst", "");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL), 3);
	tu_run_done(&r);
	tu_exec(d, "ALTER TABLE t ALTER COLUMN v TYPE text");
	const char *retry[] = { "--only-failed", NULL };
	assert_int_equal(run_copy(&r, conf, retry), 0);
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT last_value FROM free_seq"), 1000);
	assert_int_equal(tu_count(d, "SELECT last_value FROM t_id_seq"), 40);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM t"), 40);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_after_split_changed_no_key),
		cmocka_unit_test(test_resume_after_split_changed_with_key),
		cmocka_unit_test(test_resume_after_source_changed),
		cmocka_unit_test(test_rerun_after_interrupt_without_resume),
		cmocka_unit_test(test_sequences_on_retry_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
