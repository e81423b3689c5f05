/* gp2adb copy between real Greenplum clusters under faults: the whole
 * destination cluster stopped for 20 s in the middle of the copy (as an ADB
 * coordinator restart or failover), restarted, a source segment's backend
 * terminated, SIGINT then --resume.  Each ends identical to the source, and
 * no table fails for a server that came back within migration.retry_window_s. */
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
#include "gptest.h"

/* Four tables of 300,000 rows: heap, AO row, AO column, heap: with two
 * workers, a few seconds of copying. */
static const char tables_sql[] =
	"CREATE SCHEMA f;\n"
	"CREATE TABLE f.a (id int, v text, n numeric) DISTRIBUTED BY (id);\n"
	"CREATE TABLE f.b (id int, v text, n numeric) WITH (appendonly=true, compresstype=zlib) DISTRIBUTED BY (id);\n"
	"CREATE TABLE f.c (id int, v text, n numeric)\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zstd) DISTRIBUTED BY (id);\n"
	"CREATE TABLE f.d (id int, v text, n numeric) DISTRIBUTED RANDOMLY;\n";

static const char rows_sql[] =
	"INSERT INTO f.a SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, 300000) g;\n"
	"INSERT INTO f.b SELECT * FROM f.a;\n"
	"INSERT INTO f.c SELECT * FROM f.a;\n"
	"INSERT INTO f.d SELECT * FROM f.a;\n"
	"ANALYZE;\n";

static const char *const tables[] = { "f.a", "f.b", "f.c", "f.d", NULL };

static int group_setup(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpfault");
	gpt_sql(TU_SRC, "gpfault", tables_sql);
	gpt_sql(TU_SRC, "gpfault", rows_sql);
	return 0;
}

static char *setup(const char *db)
{
	gpt_createdb(TU_DST, db);
	gpt_sql(TU_DST, db, tables_sql);
	return gpt_config("gpfault", db, "migration = { jobs = 2; };\n", NULL);
}

/* Wait until the destination runs one of gp2adb's COPYs. */
static void wait_for_copy(const char *db)
{
	PGconn *d = tu_connect(TU_DST, db);
	double end = ct_now() + 60;
	while (ct_now() < end) {
		if (tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%'\n"
			     "AND state = 'active' AND query LIKE '%COPY \"f\".%FROM STDIN%'") > 0) {
			PQfinish(d);
			return;
		}
		ct_pause_ms(20);
	}
	fail_msg("gp2adb's COPY never showed up on the destination");
}

static void expect_out(const char *out, const char *needle)
{
	gpt_expect_text("gp2adb's output", out, needle);
}

/* Stopped for 20 s, then started: the workers wait, say so, and carry on. */
static void test_destination_away_for_20s(void **state)
{
	(void)state;
	char *conf = setup("gpfault_stop");
	struct ct_bg b;
	ct_bg_start(&b, (const char *[]){ "copy", "-c", conf, "--plain", NULL });
	wait_for_copy("gpfault_stop");
	gpt_cluster(TU_DST, "stop");
	ct_pause_ms(20000);
	gpt_cluster(TU_DST, "start");
	char *out, *err;
	int rc = gpt_bg_wait(&b, 300, &out, &err);
	if (rc != 0)
		fail_msg("copy: exit %d\n%s\n%s", rc, out, err);
	expect_out(out, "4 done, 0 skipped, 0 failed");
	expect_out(out, "wait   \"f\".");           /* the pane said what it waited for */
	expect_out(out, ": waiting for the destination (");
	expect_out(err, "migration.retry_window_s");
	expect_out(err, "the destination is back after");
	free(err);
	free(out);
	gpt_assert_identical("gpfault", "gpfault_stop", tables);
	free(conf);
}

/* A fast restart of the whole destination cluster. */
static void test_destination_restarted(void **state)
{
	(void)state;
	char *conf = setup("gpfault_restart");
	struct ct_bg b;
	ct_bg_start(&b, (const char *[]){ "copy", "-c", conf, "--plain", NULL });
	wait_for_copy("gpfault_restart");
	gpt_cluster(TU_DST, "restart");
	char *out;
	int rc = ct_bg_wait(&b, 300, &out);
	if (rc != 0)
		fail_msg("copy: exit %d\n%s", rc, out);
	expect_out(out, "4 done, 0 skipped, 0 failed");
	free(out);
	gpt_assert_identical("gpfault", "gpfault_restart", tables);
	free(conf);
}

/* The backend of a source primary that serves gp2adb's COPY is terminated:
 * the master's COPY fails, the unit is read again in the same snapshot. */
static void test_source_segment_backend_terminated(void **state)
{
	(void)state;
	char *conf = setup("gpfault_seg");
	struct ct_bg b;
	ct_bg_start(&b, (const char *[]){ "copy", "-c", conf, "--plain", NULL });
	wait_for_copy("gpfault_seg");
	PGconn *seg = gpt_connect_segment(TU_SRC, 1, "gpfault");
	long long killed = 0;
	double end = ct_now() + 30;
	while (killed == 0 && ct_now() < end) {
		killed = tu_count(seg, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity\n"
				  "WHERE pid <> pg_backend_pid() AND query LIKE 'COPY %\"f\".% TO STDOUT%'");
		if (killed == 0)
			ct_pause_ms(20);
	}
	PQfinish(seg);
	assert_true(killed > 0);
	char *out;
	int rc = ct_bg_wait(&b, 300, &out);
	if (rc != 0)
		fail_msg("copy: exit %d\n%s", rc, out);
	expect_out(out, "4 done, 0 skipped, 0 failed");
	expect_out(out, "after retries");
	free(out);
	gpt_assert_identical("gpfault", "gpfault_seg", tables);
	free(conf);
}

/* SIGINT: rolled back, resumable; --resume finishes without redoing what
 * was committed. */
static void test_interrupt_then_resume(void **state)
{
	(void)state;
	char *conf = setup("gpfault_int");
	struct ct_bg b;
	ct_bg_start(&b, (const char *[]){ "copy", "-c", conf, "--plain", "-j", "1", NULL });
	PGconn *d = tu_connect(TU_DST, "gpfault_int");
	double end = ct_now() + 120;
	/* one table committed, the next under way */
	while (ct_now() < end && tu_count(d, "SELECT count(*) FROM pg_class WHERE relname = 'copy_progress'") < 1)
		ct_pause_ms(50);
	while (ct_now() < end && tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress") < 1)
		ct_pause_ms(50);
	wait_for_copy("gpfault_int");
	kill(b.pid, SIGINT);
	char *out;
	assert_int_equal(ct_bg_wait(&b, 60, &out), 130);
	expect_out(out, "gp2adb copy --resume");
	free(out);
	long long committed = tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress");
	assert_true(committed >= 1 && committed < 4);
	char *first = tu_value(d, "SELECT replace(table_name, '\"', '') FROM gp2adb.copy_progress LIMIT 1");
	char *sql = xasprintf("INSERT INTO %s VALUES (-1, 'resume must not redo a committed table', 0)", first);
	tu_exec(d, sql);
	free(sql);

	ct_bg_start(&b, (const char *[]){ "copy", "-c", conf, "--plain", "--resume", NULL });
	int rc = ct_bg_wait(&b, 300, &out);
	if (rc != 0)
		fail_msg("copy --resume: exit %d\n%s", rc, out);
	expect_out(out, "0 failed");
	free(out);
	sql = xasprintf("SELECT count(*) FROM %s WHERE id = -1", first);
	assert_int_equal(tu_count(d, sql), 1);
	free(sql);
	sql = xasprintf("DELETE FROM %s WHERE id = -1", first);
	tu_exec(d, sql);
	free(sql);
	free(first);
	PQfinish(d);
	gpt_assert_identical("gpfault", "gpfault_int", tables);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destination_away_for_20s),
		cmocka_unit_test(test_destination_restarted),
		cmocka_unit_test(test_source_segment_backend_terminated),
		cmocka_unit_test(test_interrupt_then_resume),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
