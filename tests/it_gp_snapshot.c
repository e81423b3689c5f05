/* Consistency on real Greenplum 6 clusters.  All workers read one
 * distributed snapshot: rows deleted, updated and inserted on the source
 * once the copy has begun reach no table, not even the tables read last.
 * A table's change fingerprint (source_state.h) moves on every kind of
 * write to heap and append-optimized tables, and stays put without one; so
 * --resume continues a split table that did not change and copies one that
 * did again from the start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytest.h"
#include "mem.h"
#include "gptest.h"

static const char tables_sql[] =
	"CREATE SCHEMA r;\n"
	"CREATE TABLE r.heap (id int, v text, n numeric) DISTRIBUTED BY (id);\n"
	"CREATE TABLE r.ao (id int, v text, n numeric) WITH (appendonly=true, compresstype=zlib) DISTRIBUTED BY (id);\n"
	"CREATE TABLE r.co (id int, v text, n numeric)\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zstd) DISTRIBUTED BY (id);\n";

static int group_setup(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpsnap");
	gpt_sql(TU_SRC, "gpsnap", tables_sql);
	gpt_sql(TU_SRC, "gpsnap",
		"INSERT INTO r.heap SELECT g, repeat(md5(g::text), 4), g / 3.0 FROM generate_series(1, 150000) g;\n"
		"INSERT INTO r.ao SELECT * FROM r.heap;\n"
		"INSERT INTO r.co SELECT * FROM r.heap;\n"
		"ANALYZE");
	return 0;
}

/* Once the counters have settled, the fingerprint stays put. */
static char *settled(const char *db, const char *table)
{
	char *a = gpt_fingerprint(db, table);
	if (!a)
		fail_msg("%s: no fingerprint", table);
	for (int i = 0; i < 20; i++) {
		ct_pause_ms(1000);
		char *b = gpt_fingerprint(db, table);
		bool same = strcmp(a, b) == 0;
		free(a);
		a = b;
		if (same)
			return a;
	}
	fail_msg("%s: the fingerprint keeps moving without writes: %s", table, a);
	return NULL;
}

static void test_fingerprint_moves_on_every_write(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpsnap_fp");
	gpt_sql(TU_SRC, "gpsnap_fp", tables_sql);
	const char *tables[] = { "r.heap", "r.ao", "r.co" };
	const char *writes[] = {
		"INSERT INTO %s SELECT g, 'v', g FROM generate_series(1, 30) g",
		"UPDATE %s SET v = 'w' WHERE id = 5",
		"DELETE FROM %s WHERE id = 7",
		"INSERT INTO %s VALUES (100, 'x', 1)",
		"TRUNCATE %s",
	};
	for (size_t t = 0; t < 3; t++) {
		char *before = settled("gpsnap_fp", tables[t]);
		/* the same from another session */
		char *again = gpt_fingerprint("gpsnap_fp", tables[t]);
		assert_string_equal(before, again);
		free(again);
		for (size_t w = 0; w < sizeof writes / sizeof writes[0]; w++) {
			char *sql = xasprintf(writes[w], tables[t]);
			gpt_sql(TU_SRC, "gpsnap_fp", sql);
			char *after = gpt_wait_moved("gpsnap_fp", tables[t], before, sql);
			free(sql);
			free(before);
			before = after;
		}
		free(before);
	}
}

static const char *const split_conf = "migration = { jobs = 1; split_threshold_mb = 1; };\n";

static long long count_on(enum tu_side side, const char *db, const char *sql)
{
	PGconn *c = tu_connect(side, db);
	long long n = tu_count(c, sql);
	PQfinish(c);
	return n;
}

/* As after a crash while unit "s1%3" of `table` ran: its rows (the source's
 * segment 1) and its marker gone from the destination. */
static void lose_unit(const char *dst_db, const char *table)
{
	PGconn *s = tu_connect(TU_SRC, "gpsnap"), *d = tu_connect(TU_DST, dst_db);
	/* the ids of segment 1, as an array literal */
	char *sql = xasprintf("SELECT '{' || string_agg(id::text, ',') || '}' FROM %s WHERE gp_segment_id = 1", table);
	char *arr = tu_value(s, sql);
	free(sql);
	sql = xasprintf("BEGIN; DELETE FROM %s WHERE id = ANY ('%s'::int[]);\n"
			"DELETE FROM gp2adb.copy_progress WHERE unit_id = 's1%%3'; COMMIT", table, arr);
	tu_exec(d, sql);
	free(sql);
	free(arr);
	PQfinish(s);
	PQfinish(d);
}

/* The time each unit of a table committed, "s0%3=... s2%3=..." */
static char *commit_times(const char *dst_db)
{
	PGconn *d = tu_connect(TU_DST, dst_db);
	char *v = tu_value(d, "SELECT string_agg(unit_id || '=' || committed_at::text, ' ' ORDER BY unit_id)\n"
			      "FROM gp2adb.copy_progress WHERE unit_id <> 'truncate'");
	PQfinish(d);
	return v;
}

static char *split_copy(const char *dst_db, const char *table)
{
	gpt_createdb(TU_DST, dst_db);
	gpt_sql(TU_DST, dst_db, tables_sql);
	char *conf = gpt_config("gpsnap", dst_db, split_conf, NULL);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "copy", "--table", table, NULL });
	if (rc != 0)
		fail_msg("copy: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("copy's output", r.out, "(3 units,");
	tu_run_done(&r);
	assert_int_equal(count_on(TU_DST, dst_db, "SELECT count(*) FROM gp2adb.copy_progress WHERE unit_id LIKE 's%'"),
			 3);
	return conf;
}

/* Unchanged since the interrupted run: only the lost unit is copied. */
static void resume_unchanged(const char *table, const char *dst_db)
{
	char *conf = split_copy(dst_db, table);
	lose_unit(dst_db, table);
	char *before = commit_times(dst_db);
	ct_pause_ms(1100);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "copy", "--resume", "--table", table, NULL });
	if (rc != 0)
		fail_msg("copy --resume: exit %d\n%s\n%s", rc, r.out, r.err);
	if (strstr(r.err, "copying it again from the start"))
		fail_msg("%s was copied again from the start though it did not change:\n%s", table, r.err);
	tu_run_done(&r);
	char *after = commit_times(dst_db);
	/* s0%3 and s2%3 kept their commits, s1%3 is new */
	char *s0 = xstrndup(before, strcspn(before, " "));
	char *s2 = strrchr(before, ' ') + 1;
	if (!strstr(after, s0) || !strstr(after, s2) || !strstr(after, "s1%3="))
		fail_msg("%s: units before the resume: %s; after: %s", table, before, after);
	free(s0);
	free(before);
	free(after);
	const char *const one[] = { table, NULL };
	gpt_assert_identical("gpsnap", dst_db, one);
	free(conf);
}

static void test_resume_unchanged_heap_continues(void **state)
{
	(void)state;
	resume_unchanged("r.heap", "gpsnap_uh");
}

static void test_resume_unchanged_ao_column_continues(void **state)
{
	(void)state;
	resume_unchanged("r.co", "gpsnap_uc");
}

/* Changed since the interrupted run: copied again from the start, and the
 * destination holds the source as it is now. */
static void resume_changed(const char *table, const char *dst_db, const char *write)
{
	char *conf = split_copy(dst_db, table);
	lose_unit(dst_db, table);
	char *before = gpt_fingerprint("gpsnap", table);
	char *sql = xasprintf(write, table);
	gpt_sql(TU_SRC, "gpsnap", sql);
	free(gpt_wait_moved("gpsnap", table, before, sql));
	free(sql);
	free(before);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "copy", "--resume", "--table", table, NULL });
	if (rc != 0)
		fail_msg("copy --resume: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("copy's log", r.err, "it changed on the source since its first units were copied");
	tu_run_done(&r);
	const char *const one[] = { table, NULL };
	gpt_assert_identical("gpsnap", dst_db, one);
	free(conf);
}

static void test_resume_changed_heap_redone(void **state)
{
	(void)state;
	resume_changed("r.heap", "gpsnap_ch", "DELETE FROM %s WHERE id %% 10 = 0");
}

static void test_resume_changed_ao_redone(void **state)
{
	(void)state;
	resume_changed("r.ao", "gpsnap_ca", "UPDATE %s SET v = 'changed' WHERE id %% 7 = 0");
}

/* Several workers, one distributed snapshot: writes committed after the
 * copy began reach no table, whenever its turn came. */
static void test_workers_share_one_snapshot(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpsnap_w");
	gpt_createdb(TU_DST, "gpsnap_w");
	static const char *const tables[] = { "w.t1", "w.t2", "w.t3", "w.t4", "w.t5", "w.t6", NULL };
	gpt_sql(TU_SRC, "gpsnap_w", "CREATE SCHEMA w");
	gpt_sql(TU_DST, "gpsnap_w", "CREATE SCHEMA w");
	for (int i = 0; tables[i]; i++) {
		const char *with = i % 3 == 0 ? "" : i % 3 == 1 ? "WITH (appendonly=true) "
							       : "WITH (appendonly=true, orientation=column) ";
		char *ddl = xasprintf("CREATE TABLE %s (id int, v text) %sDISTRIBUTED BY (id)", tables[i], with);
		gpt_sql(TU_SRC, "gpsnap_w", ddl);
		gpt_sql(TU_DST, "gpsnap_w", ddl);
		free(ddl);
		char *rows = xasprintf("INSERT INTO %s SELECT g, md5(g::text) FROM generate_series(1, %d) g",
				       tables[i], 150000 - 20000 * i);
		gpt_sql(TU_SRC, "gpsnap_w", rows);
		free(rows);
	}
	gpt_sql(TU_SRC, "gpsnap_w", "ANALYZE");
	/* the source as the copy will see it */
	PGconn *s = tu_connect(TU_SRC, "gpsnap_w");
	char *want[6];
	for (int i = 0; tables[i]; i++)
		want[i] = gpt_digest(s, tables[i]);

	char *conf = gpt_config("gpsnap_w", "gpsnap_w", "migration = { jobs = 2; };\n", NULL);
	struct ct_bg b;
	ct_bg_start(&b, (const char *[]){ "copy", "-c", conf, "--plain", NULL });
	/* the snapshot is taken before any worker starts: wait for a COPY */
	PGconn *d = tu_connect(TU_DST, "gpsnap_w");
	double end = ct_now() + 60;
	while (ct_now() < end && tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
				    "'gp2adb-w%' AND query LIKE '%COPY %FROM STDIN%'") == 0)
		ct_pause_ms(10);
	/* one transaction over all six tables */
	double t0 = ct_now();
	tu_exec(s, "BEGIN");
	for (int i = 0; tables[i]; i++) {
		char *sql = xasprintf("DELETE FROM %s WHERE id %% 50 = 0;\n"
				      "UPDATE %s SET v = 'after the snapshot' WHERE id %% 70 = 0;\n"
				      "INSERT INTO %s SELECT g, 'new' FROM generate_series(1000001, 1001000) g",
				      tables[i], tables[i], tables[i]);
		tu_exec(s, sql);
		free(sql);
	}
	tu_exec(s, "COMMIT");
	/* two workers: with at most three tables done, one had not started */
	long long done_then = tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress");
	double took = ct_now() - t0;
	PQfinish(d);
	char *out;
	int rc = ct_bg_wait(&b, 300, &out);
	if (rc != 0)
		fail_msg("copy: exit %d\n%s", rc, out);
	gpt_expect_text("copy's output", out, "6 done, 0 skipped, 0 failed");
	free(out);
	PGconn *dd = tu_connect(TU_DST, "gpsnap_w");
	for (int i = 0; tables[i]; i++) {
		char *got = gpt_digest(dd, tables[i]);
		char *now = gpt_digest(s, tables[i]);
		if (strcmp(got, want[i]) != 0)
			fail_msg("%s: the destination has %s, the source had %s when the copy began (and has %s now)",
				 tables[i], got, want[i], now);
		assert_string_not_equal(now, want[i]);
		free(got);
		free(now);
		free(want[i]);
	}
	/* and a table was read after the writes: its rows came from the
	 * snapshot, not from the source as it had become */
	if (done_then > 3)
		fail_msg("%lld of 6 tables were copied before the writes committed (in %.1f s): nothing was read "
			 "after them", done_then, took);
	PQfinish(dd);
	PQfinish(s);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_moves_on_every_write),
		cmocka_unit_test(test_resume_unchanged_heap_continues),
		cmocka_unit_test(test_resume_unchanged_ao_column_continues),
		cmocka_unit_test(test_resume_changed_heap_redone),
		cmocka_unit_test(test_resume_changed_ao_redone),
		cmocka_unit_test(test_workers_share_one_snapshot),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
