/* The live panes on real Greenplum clusters, where the large tables are
 * compressed append-optimized tables: the engine's snapshot, polled through
 * a whole copy in binary and in text, never shows a table or the total past
 * 100%; the estimate before a table starts is near what it moves (the size
 * on disk of a zstd column table is not); the rows shown follow the bytes
 * while a table runs; and a finished table shows what it moved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "engine.h"
#include "mem.h"
#include "gptest.h"
#include "wire_estimate.h"

#define BIG_ROWS 200000

static int group_setup(void **state)
{
	(void)state;
	gpt_seed("gpprog");
	gpt_sql(TU_SRC, "gpprog",
		"CREATE TABLE sales.big (id bigint, day date, label text, amount numeric(14,2))\n"
		"  WITH (appendonly=true, orientation=column, compresstype=zstd, compresslevel=5)\n"
		"  DISTRIBUTED BY (id);\n"
		"INSERT INTO sales.big SELECT g, date '2020-01-01' + g % 2000, 'label number ' || g % 50,\n"
		"  (g % 100000) / 7.0 FROM generate_series(1, 200000) g;\n"
		"ANALYZE sales.big");
	gpt_createdb(TU_DST, "gpprog");
	char *extra = xasprintf("ssh = { gphome = \"%s\"; };\n", getenv("GP2ADB_TEST_GPHOME"));
	char *conf = gpt_config("gpprog", "gpprog", extra, NULL);
	struct tu_run r;
	if (tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "schema", NULL }) != 0)
		fail_msg("schema: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	free(conf);
	free(extra);
	return 0;
}

struct seen {
	long long initial;      /* bytes_est before the table moved a byte; -1: not seen */
	double width_mid;       /* bytes per row shown half way through; 0: not seen */
};

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* What wire_estimate makes of a table's statistics on the source. */
static long long estimate_of(const char *qualified, bool binary)
{
	PGconn *c = tu_connect(TU_SRC, "gpprog");
	struct flavor f;
	struct db_error err;
	assert_true(db_flavor(c, &f, NULL, &err));
	struct table_list l;
	if (!catalog_tables(c, &f, NULL, &l, &err))
		fail_msg("catalog_tables: %s", err.message);
	const struct table *t = NULL;
	for (size_t i = 0; i < l.n && !t; i++)
		if (strcmp(l.items[i].qualified, qualified) == 0)
			t = &l.items[i];
	assert_non_null(t);
	long long est = -1;
	if (!wire_estimate_read(c, &f, &t, &binary, 1, &est, &err))
		fail_msg("wire_estimate_read: %s", err.message);
	catalog_tables_free(&l);
	PQfinish(c);
	return est;
}

static void copy_watched(const char *format)
{
	char *conf = gpt_config("gpprog", "gpprog", NULL, NULL);
	struct plan p;
	plan_init(&p);
	char err[512];
	if (!config_load(&p, conf, err, sizeof err))
		fail_msg("%s", err);
	p.jobs = 2;
	assert_true(plan_format_parse(format, &p.format));
	struct engine_options opt = { 0 };
	struct engine *e = engine_new(&p, &opt);
	if (!engine_start(e))
		fail_msg("engine_start failed (exit %d)", engine_exit_code(e));
	struct seen *seen = NULL;
	size_t n = 0;
	struct engine_snapshot s;
	for (;;) {
		engine_snapshot(e, &s);
		if (!seen) {
			n = s.ntables;
			seen = xcalloc(n + 1, sizeof *seen);
			for (size_t i = 0; i < n; i++)
				seen[i].initial = -1;
		}
		if (s.bytes_done > s.bytes_est)
			fail_msg("%s: the total shows %.0f%% (%lld of %lld bytes)", format,
				 100.0 * (double)s.bytes_done / (double)s.bytes_est, s.bytes_done, s.bytes_est);
		for (size_t i = 0; i < n; i++) {
			const struct engine_table_stats *t = &s.tables[i];
			if (t->bytes_done > t->bytes_est)
				fail_msg("%s: %s shows %.0f%% (%lld of %lld bytes)", format, t->name,
					 100.0 * (double)t->bytes_done / (double)t->bytes_est, t->bytes_done, t->bytes_est);
			if (seen[i].initial < 0 && t->bytes_done == 0 && t->state != TABLE_DONE)
				seen[i].initial = t->bytes_est;
			if (t->state == TABLE_RUNNING && seen[i].width_mid == 0 && t->rows_est > 0 &&
			    t->rows_done > t->rows_est / 4 && t->rows_done < t->rows_est)
				seen[i].width_mid = (double)t->bytes_done / (double)t->rows_done;
		}
		bool done = s.finished;
		if (done)
			break;
		engine_snapshot_free(&s);
		sleep_ms(10);
	}
	assert_int_equal(engine_wait(e), ENGINE_OK);
	bool big_seen = false;     /* its rows and bytes seen half way */
	for (size_t i = 0; i < n; i++) {
		const struct engine_table_stats *t = &s.tables[i];
		assert_int_equal(t->state, TABLE_DONE);
		/* a finished table shows what it moved */
		if (t->bytes_est != t->bytes_done)
			fail_msg("%s: %s finished with %lld of an estimated %lld bytes", format, t->name, t->bytes_done,
				 t->bytes_est);
		double width = (double)t->bytes_done / (double)(t->rows_done > 0 ? t->rows_done : 1);
		if (seen[i].width_mid > 0 && fabs(seen[i].width_mid / width - 1) > 0.3)
			fail_msg("%s: %s showed %.1f bytes per row half way, %.1f in the end: the rows shown lag "
				 "the bytes", format, t->name, seen[i].width_mid, width);
		if (strcmp(t->name, "\"sales\".\"big\"") == 0 || strcmp(t->name, "\"sales\".\"lineitem\"") == 0) {
			/* the estimate before it started, as the catalogs give it */
			long long initial = estimate_of(t->name, p.format == FORMAT_BINARY);
			double ratio = (double)initial / (double)t->bytes_done;
			if (ratio < 0.5 || ratio > 2)
				fail_msg("%s: %s was estimated at %lld bytes and moved %lld", format, t->name,
					 initial, t->bytes_done);
			if (seen[i].initial >= 0 && seen[i].initial != initial)
				fail_msg("%s: %s: the panes showed %lld bytes to move before it started, the catalogs "
					 "say %lld", format, t->name, seen[i].initial, initial);
			big_seen |= strcmp(t->name, "\"sales\".\"big\"") == 0 && seen[i].width_mid > 0;
		}
	}
	if (!big_seen)
		fail_msg("%s: never saw \"sales\".\"big\" half way through", format);
	assert_int_equal(s.bytes_est, s.bytes_done);
	engine_snapshot_free(&s);
	engine_free(e);
	plan_done(&p);
	free(seen);
	free(conf);
}

static void test_binary_copy_panes(void **state)
{
	(void)state;
	copy_watched("binary");
}

static void test_text_copy_panes(void **state)
{
	(void)state;
	copy_watched("text");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary_copy_panes),
		cmocka_unit_test(test_text_copy_panes),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
