/* gp2adb copy between real Greenplum 6 clusters: every mode (truncate,
 * append, skip-existing, drop) on the sample schema's heap, append-optimized
 * and partitioned tables, --only-failed after a table failed on a data
 * error, and the live row count of Greenplum's many-rows-per-message COPY
 * stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_stream.h"
#include "mem.h"
#include "gptest.h"

static char *gphome_conf(const char *extra)
{
	return xasprintf("ssh = { gphome = \"%s\"; };\n%s", getenv("GP2ADB_TEST_GPHOME"), extra ? extra : "");
}

static int run(struct tu_run *r, const char *conf, const char *const *more)
{
	const char *args[16] = { "-c", conf, "--plain" };
	int n = 3;
	for (int i = 0; more[i] && n < 15; i++)
		args[n++] = more[i];
	args[n] = NULL;
	return tu_run_gp2adb(r, args);
}

static void run_ok(const char *conf, const char *const *more)
{
	struct tu_run r;
	int rc = run(&r, conf, more);
	if (rc != 0)
		fail_msg("gp2adb %s: exit %d\n%s\n%s", more[0], rc, r.out, r.err);
	tu_run_done(&r);
}

static long long rows_of(enum tu_side side, const char *db, const char *table)
{
	PGconn *c = tu_connect(side, db);
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	long long n = tu_count(c, sql);
	free(sql);
	PQfinish(c);
	return n;
}

/* Greenplum's master sends a whole-table COPY in messages of many rows:
 * the live count follows the rows, not the messages. */
static void stream_one(const char *src_sql, const char *dst_sql, bool binary, long long want)
{
	PGconn *s = tu_connect(TU_SRC, "gpcopy"), *d = tu_connect(TU_DST, "gpcopy");
	atomic_llong bytes, rows;
	atomic_bool cancel;
	atomic_init(&bytes, 0);
	atomic_init(&rows, 0);
	atomic_init(&cancel, false);
	struct copy_stream cs = { .src = s, .dst = d, .src_sql = src_sql, .dst_sql = dst_sql, .binary = binary,
				  .bytes = &bytes, .rows = &rows, .cancel = &cancel };
	long long n = 0;
	struct db_error err;
	bool src_side = false;
	enum copy_outcome out = copy_stream_run(&cs, &n, &err, &src_side);
	if (out != COPY_DONE)
		fail_msg("%s: %s: %s", src_sql, err.sqlstate, err.message);
	assert_int_equal(n, want);
	if (atomic_load(&rows) != want)
		fail_msg("%s: the live count says %lld rows, the source %lld", src_sql, (long long)atomic_load(&rows),
			 want);
	tu_exec(d, "ROLLBACK");
	PQfinish(s);
	PQfinish(d);
}

static int group_setup(void **state)
{
	(void)state;
	gpt_seed("gpcopy");
	return 0;
}

static void test_live_row_count(void **state)
{
	(void)state;
	gpt_createdb(TU_DST, "gpcopy");
	gpt_sql(TU_DST, "gpcopy", "CREATE TABLE li (order_id bigint, line int, qty int, price numeric(10,2), note text)");
	stream_one("COPY sales.lineitem TO STDOUT", "BEGIN;\nCOPY li FROM STDIN", false, 60000);
	stream_one("COPY sales.lineitem TO STDOUT (FORMAT binary)", "BEGIN;\nCOPY li FROM STDIN (FORMAT binary)",
		   true, 60000);
	stream_one("COPY (SELECT * FROM ONLY sales.lineitem WHERE gp_segment_id % 2 = 0) TO STDOUT",
		   "BEGIN;\nCOPY li FROM STDIN", false, rows_of(TU_SRC, "gpcopy",
		   "sales.lineitem WHERE gp_segment_id % 2 = 0"));
}

/* The status column of a table's line in copy's summary. */
static void expect_status(const char *out, const char *table, const char *status)
{
	char *key = xasprintf("\n%s ", table);
	const char *line = strstr(out, key);
	if (!line)
		fail_msg("no summary line for %s:\n%s", table, out);
	size_t len = strcspn(line + 1, "\n");
	char *text = xstrndup(line + 1, len);
	size_t sl = strlen(status);
	if (len < sl || strcmp(text + len - sl, status) != 0)
		fail_msg("%s: expected status %s: %s", table, status, text);
	free(text);
	free(key);
}

/* The sample schema on the destination, applied by gp2adb schema. */
static char *prepare(const char *db)
{
	gpt_createdb(TU_DST, db);
	char *extra = gphome_conf(NULL);
	char *conf = gpt_config("gpcopy", db, extra, NULL);
	free(extra);
	run_ok(conf, (const char *[]){ "schema", NULL });
	return conf;
}

static void assert_all_identical(const char *db)
{
	gpt_assert_identical("gpcopy", db, gpt_seed_tables);
	gpt_assert_identical("gpcopy", db, gpt_seed_roots);
}

static void test_truncate_mode_twice(void **state)
{
	(void)state;
	char *conf = prepare("gpcopy_t");
	struct tu_run r;
	for (int round = 0; round < 2; round++) {
		if (run(&r, conf, (const char *[]){ "-j", "3", "copy", NULL }) != 0)
			fail_msg("copy (round %d): exit %d\n%s\n%s", round, r.status, r.out, r.err);
		gpt_expect_text("copy's summary", r.out, "17 done, 0 skipped, 0 failed");
		/* external tables hold no rows of their own: definitions only */
		assert_null(strstr(r.out, "ext_orders"));
		tu_run_done(&r);
		assert_all_identical("gpcopy_t");
	}
	free(conf);
}

static void test_append_and_skip_existing(void **state)
{
	(void)state;
	char *conf = prepare("gpcopy_a");
	run_ok(conf, (const char *[]){ "copy", NULL });
	/* appended: a table with a primary key fails on its own rows, alone */
	struct tu_run r;
	int rc = run(&r, conf, (const char *[]){ "copy", "--mode", "append", NULL });
	if (rc != 3)
		fail_msg("copy --mode append: exit %d, expected 3\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("copy's output", r.out, "FAILED \"sales\".\"customers\": 23505");
	gpt_expect_text("copy's summary", r.out, "16 done, 0 skipped, 1 failed");
	tu_run_done(&r);
	assert_int_equal(rows_of(TU_DST, "gpcopy_a", "sales.customers"), 2000);
	assert_int_equal(rows_of(TU_DST, "gpcopy_a", "sales.lineitem"), 2 * 60000);
	assert_int_equal(rows_of(TU_DST, "gpcopy_a", "sales.sales"), 2 * 30000);
	assert_int_equal(rows_of(TU_DST, "gpcopy_a", "sales.regions"), 2 * 3);

	/* two tables emptied on the destination: only they are copied */
	gpt_sql(TU_DST, "gpcopy_a", "TRUNCATE sales.events; TRUNCATE sales.sales_1_prt_feb_2_prt_west");
	if (run(&r, conf, (const char *[]){ "copy", "--mode", "skip-existing", NULL }) != 0)
		fail_msg("copy skip-existing: exit %d\n%s\n%s", r.status, r.out, r.err);
	gpt_expect_text("copy's summary", r.out, "2 done, 15 skipped, 0 failed");
	expect_status(r.out, "\"sales\".\"lineitem\"", "skipped");
	expect_status(r.out, "\"sales\".\"events\"", "done");
	tu_run_done(&r);
	const char *const copied[] = { "sales.events", "sales.sales_1_prt_feb_2_prt_west", NULL };
	gpt_assert_identical("gpcopy", "gpcopy_a", copied);
	assert_int_equal(rows_of(TU_DST, "gpcopy_a", "sales.lineitem"), 2 * 60000);
	free(conf);
}

/* Mode drop recreates each table from the source's dump: a destination
 * table distributed or shaped otherwise comes back as the source's. */
static void test_drop_mode(void **state)
{
	(void)state;
	char *conf = prepare("gpcopy_d");
	gpt_sql(TU_DST, "gpcopy_d",
		"ALTER TABLE sales.events SET DISTRIBUTED BY (kind);\n"
		"ALTER TABLE sales.customers ADD COLUMN extra int;\n"
		"DROP INDEX sales.customers_region;\n"
		"INSERT INTO sales.regions VALUES ('stale', 'Stale')");
	struct tu_run r;
	/* the view on sales.orders would go with it: refused, nothing dropped */
	int rc = run(&r, conf, (const char *[]){ "copy", "--mode", "drop", NULL });
	if (rc != 1)
		fail_msg("copy --mode drop: exit %d, expected 1\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("copy's refusal", r.err, "view sales.big_orders");
	tu_run_done(&r);
	assert_int_equal(rows_of(TU_DST, "gpcopy_d", "sales.regions WHERE code = 'stale'"), 1);
	if (run(&r, conf, (const char *[]){ "copy", "--mode", "drop", "--drop-dependents", NULL }) != 0)
		fail_msg("copy --mode drop: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	assert_all_identical("gpcopy_d");
	PGconn *d = tu_connect(TU_DST, "gpcopy_d");
	char *dist = tu_value(d, "SELECT pg_get_table_distributedby('sales.events'::regclass)");
	assert_string_equal(dist, "DISTRIBUTED RANDOMLY");
	free(dist);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'sales.customers'::regclass"
				     " AND attname = 'extra'"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_indexes WHERE indexname = 'customers_region'"), 1);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_partitions WHERE tablename = 'sales'"), 16);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM sales.big_orders"), 0);   /* the view, recreated */
	PQfinish(d);
	free(conf);
}

/* A data error fails its table alone; --only-failed then copies it alone. */
static void test_only_failed(void **state)
{
	(void)state;
	char *conf = prepare("gpcopy_f");
	gpt_sql(TU_DST, "gpcopy_f", "ALTER TABLE sales.orders ADD CONSTRAINT cheap CHECK (amount < 100)");
	struct tu_run r;
	int rc = run(&r, conf, (const char *[]){ "copy", NULL });
	if (rc != 3)
		fail_msg("copy: exit %d, expected 3\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("copy's output", r.out, "FAILED \"sales\".\"orders\": 23514");
	gpt_expect_text("copy's summary", r.out, "16 done, 0 skipped, 1 failed");
	gpt_expect_text("copy's retry advice", r.out, "--only-failed");
	tu_run_done(&r);
	assert_int_equal(rows_of(TU_DST, "gpcopy_f", "sales.orders"), 0);

	gpt_sql(TU_DST, "gpcopy_f", "ALTER TABLE sales.orders DROP CONSTRAINT cheap");
	gpt_sql(TU_DST, "gpcopy_f", "TRUNCATE sales.lineitem");   /* not failed: stays as it is */
	if (run(&r, conf, (const char *[]){ "copy", "--only-failed", NULL }) != 0)
		fail_msg("copy --only-failed: exit %d\n%s\n%s", r.status, r.out, r.err);
	gpt_expect_text("copy's summary", r.out, "1 done, 0 skipped, 0 failed");
	assert_null(strstr(r.out, "\"sales\".\"lineitem\""));
	tu_run_done(&r);
	const char *const orders[] = { "sales.orders", NULL };
	gpt_assert_identical("gpcopy", "gpcopy_f", orders);
	assert_int_equal(rows_of(TU_DST, "gpcopy_f", "sales.lineitem"), 0);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_row_count),
		cmocka_unit_test(test_truncate_mode_twice),
		cmocka_unit_test(test_append_and_skip_existing),
		cmocka_unit_test(test_drop_mode),
		cmocka_unit_test(test_only_failed),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
