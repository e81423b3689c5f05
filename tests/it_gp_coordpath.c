/* The coordinator path into a real Greenplum 6 destination, where its master
 * carries every row: format auto sends text (the master routes a text line
 * after reading the fields up to the distribution key, but reads every
 * field of a binary row), and Greenplum's automatic ANALYZE of a table
 * loaded while it has no statistics (gp_autostats_mode on_no_stats, the
 * shipped default) is left to gp2adb's own ANALYZE step when one follows,
 * and left alone when none does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "gptest.h"


static const char ddl[] =
	"CREATE TABLE coord.col (id bigint, day date, label text, amount numeric(14,2))\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zstd, compresslevel=1)\n"
	"  DISTRIBUTED BY (id);\n"
	"CREATE TABLE coord.heap (id int, note text) DISTRIBUTED BY (id)";

static int group_setup(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpcoord");
	gpt_createdb(TU_DST, "gpcoord");
	char *both = xasprintf("CREATE SCHEMA coord;\n%s", ddl);
	gpt_sql(TU_SRC, "gpcoord", both);
	gpt_sql(TU_DST, "gpcoord", both);
	free(both);
	gpt_sql(TU_SRC, "gpcoord",
		"INSERT INTO coord.col SELECT g, date '2020-01-01' + g % 900, 'label ' || g % 77, g / 3.0\n"
		"  FROM generate_series(1, 20000) g;\n"
		"INSERT INTO coord.heap SELECT g, md5(g::text) FROM generate_series(1, 20000) g;\n"
		"ANALYZE");
	/* the destination keeps Greenplum's shipped default */
	gpt_sql(TU_DST, "gpcoord", "ALTER DATABASE gpcoord SET gp_autostats_mode = 'on_no_stats'");
	return 0;
}

static void copy_ok(const char *migration)
{
	char *extra = xasprintf("migration = { path = \"coordinator\"; %s };\n", migration);
	char *conf = gpt_config("gpcoord", "gpcoord", extra, NULL);
	struct tu_run r;
	if (tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "copy", NULL }) != 0)
		fail_msg("copy (%s): exit %d\n%s\n%s", migration, r.status, r.out, r.err);
	gpt_expect_text("copy's output", r.out, "2 done, 0 skipped, 0 failed");
	tu_run_done(&r);
	free(conf);
	free(extra);
}

/* The destination master's log (server.log in its data directory). */
static char *master_log(void)
{
	char *data = gpt_env(TU_DST, "MASTER_DATA");
	char *path = xasprintf("%s/server.log", data);
	char *text = tu_read_file(path);
	if (!text)
		fail_msg("cannot read %s", path);
	free(path);
	free(data);
	return text;
}

/* What follows "FROM STDIN" in the last COPY into `table` the log shows
 * ("" for text, " (FORMAT binary)" for binary), up to the line's end. */
static char *last_copy_in(const char *log, const char *table)
{
	char *head = xasprintf("COPY %s (", table);
	const char *last = NULL;
	for (const char *p = strstr(log, head); p; p = strstr(p + 1, head))
		last = p;
	free(head);
	if (!last)
		return NULL;
	const char *from = strstr(last, "FROM STDIN");
	if (!from)
		return NULL;
	from += strlen("FROM STDIN");
	size_t n = strcspn(from, "\r\n");
	return xasprintf("%.*s", (int)n, from);
}

static void test_auto_format_sends_text(void **state)
{
	(void)state;
	gpt_sql(TU_DST, "gpcoord", "ALTER DATABASE gpcoord SET log_statement = 'all'");
	copy_ok("format = \"auto\";");
	gpt_sql(TU_DST, "gpcoord", "ALTER DATABASE gpcoord RESET log_statement");
	char *log = master_log();
	static const char *const tables[] = { "\"coord\".\"col\"", "\"coord\".\"heap\"" };
	for (size_t i = 0; i < 2; i++) {
		char *tail = last_copy_in(log, tables[i]);
		if (!tail)
			fail_msg("the destination's log shows no COPY into %s", tables[i]);
		if (strstr(tail, "binary"))
			fail_msg("format auto loaded %s into Greenplum as binary: FROM STDIN%s", tables[i], tail);
		free(tail);
	}
	free(log);
	/* an explicit binary is still binary */
	gpt_sql(TU_DST, "gpcoord", "ALTER DATABASE gpcoord SET log_statement = 'all'");
	copy_ok("format = \"binary\";");
	gpt_sql(TU_DST, "gpcoord", "ALTER DATABASE gpcoord RESET log_statement");
	log = master_log();
	char *tail = last_copy_in(log, "\"coord\".\"col\"");
	assert_non_null(tail);
	if (!strstr(tail, "binary"))
		fail_msg("format binary loaded \"coord\".\"col\" as FROM STDIN%s", tail);
	free(tail);
	free(log);
	gpt_assert_identical("gpcoord", "gpcoord", (const char *const[]){ "coord.col", "coord.heap", NULL });
}

/* The statistics the destination holds on a table's columns: what an
 * ANALYZE (Greenplum's automatic one or anyone's) leaves; a COPY leaves none. */
static long long column_stats(const char *table)
{
	PGconn *d = tu_connect(TU_DST, "gpcoord");
	char *sql = xasprintf("SELECT count(*) FROM pg_stats WHERE schemaname = 'coord' AND tablename = '%s'", table);
	long long n = tu_count(d, sql);
	free(sql);
	PQfinish(d);
	return n;
}

/* Fresh destination tables: no statistics, as gp2adb schema leaves them. */
static void fresh_tables(void)
{
	char *sql = xasprintf("DROP TABLE coord.col, coord.heap;\n%s", ddl);
	gpt_sql(TU_DST, "gpcoord", sql);
	free(sql);
	assert_int_equal(column_stats("col") + column_stats("heap"), 0);
}

static void test_autostats_left_to_analyze_step(void **state)
{
	(void)state;
	/* migration.analyze on (the default): gp2adb's ANALYZE step follows,
	 * so the load does not analyze on the master as well */
	fresh_tables();
	copy_ok("analyze = true;");
	if (column_stats("col") + column_stats("heap") != 0)
		fail_msg("the copy left statistics on %lld columns: Greenplum analyzed the tables as it loaded them",
			 column_stats("col") + column_stats("heap"));
	/* off: Greenplum's own automatic ANALYZE is all there is; it stays */
	fresh_tables();
	copy_ok("analyze = false;");
	assert_int_equal(column_stats("col"), 4);
	assert_int_equal(column_stats("heap"), 2);
	gpt_assert_identical("gpcoord", "gpcoord", (const char *const[]){ "coord.col", "coord.heap", NULL });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_format_sends_text),
		cmocka_unit_test(test_autostats_left_to_analyze_step),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
