/* gp2adb validate and analyze between real Greenplum 6 clusters, after a
 * copy by gp2adb itself: every level matches on identical data (heap, AO
 * row and column, replicated, partitioned with a default partition, floats
 * summed on 3 and on 4 segments); a deleted row, a changed number and a
 * changed text are reported by exactly the levels that can see them, with
 * the keys named by the drill-down; a large table is checked on the same
 * sample on both sides; analyze gathers the partition root's statistics
 * (ANALYZE ROOTPARTITION). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "gptest.h"

static const char load_sql[] =
	"CREATE SCHEMA v;\n"
	"CREATE TABLE v.amounts (id int PRIMARY KEY, amount numeric(14,2), ratio float8, day date,\n"
	"                        at timestamp, note text) DISTRIBUTED BY (id);\n"
	"INSERT INTO v.amounts SELECT g, round((g * 12.34)::numeric, 2),\n"
	"       CASE WHEN g % 13 = 0 THEN NULL ELSE g / 7.0 END, date '2024-01-01' + g,\n"
	"       timestamp '2024-01-01' + g * interval '1 minute 1.5 second', 'note ' || g\n"
	"FROM generate_series(1, 3000) g;\n"
	"CREATE TABLE v.events (kind text, n int, f float8)\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zstd) DISTRIBUTED RANDOMLY;\n"
	"INSERT INTO v.events SELECT 'k' || g % 7, g, g * 0.001 FROM generate_series(1, 5000) g;\n"
	"CREATE TABLE v.regions (code text PRIMARY KEY, name text) DISTRIBUTED REPLICATED;\n"
	"INSERT INTO v.regions VALUES ('e', 'East'), ('w', 'West'), ('n', 'North');\n"
	"CREATE TABLE v.parts (id int, day date, v numeric(10,2), PRIMARY KEY (id, day))\n"
	"  DISTRIBUTED BY (id)\n"
	"  PARTITION BY RANGE (day) (START (date '2024-01-01') END (date '2024-07-01') EVERY (interval '2 months'),\n"
	"                            DEFAULT PARTITION rest);\n"
	"INSERT INTO v.parts SELECT g, date '2023-12-01' + g % 250, g % 1000 / 10.0 FROM generate_series(1, 4000) g;\n"
	"CREATE TABLE v.big (id int PRIMARY KEY, payload text, f float8) DISTRIBUTED BY (id);\n"
	"INSERT INTO v.big SELECT g, repeat(md5(g::text), 4), g * 1.25 FROM generate_series(1, 40000) g;\n"
	"ANALYZE;\n";

static char *conf;

static int group_setup(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpval");
	gpt_sql(TU_SRC, "gpval", load_sql);
	gpt_createdb(TU_DST, "gpval");
	char *extra = xasprintf("ssh = { gphome = \"%s\"; };\n", getenv("GP2ADB_TEST_GPHOME"));
	conf = gpt_config("gpval", "gpval", extra, NULL);
	free(extra);
	struct tu_run r;
	if (tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "schema", NULL }) != 0)
		fail_msg("schema: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	/* analysed before the copy by nothing but Greenplum's own autostats */
	if (tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "copy", NULL }) != 0)
		fail_msg("copy: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(conf);
	return 0;
}

static int validate(struct tu_run *r, const char *level, const char *config)
{
	return tu_run_gp2adb(r, (const char *[]){ "-c", config ? config : conf, "--json", "validate", "--level", level,
						  NULL });
}

/* The JSON block of one table in validate's output (up to the next table). */
static char *table_block(const char *json, const char *name)
{
	char *key = xasprintf("\"table\": \"\\\"v\\\".\\\"%s\\\"\"", name);
	const char *at = strstr(json, key);
	if (!at)
		fail_msg("no table %s in:\n%s", name, json);
	const char *end = strstr(at + 1, "\"table\": ");
	char *b = end ? xstrndup(at, (size_t)(end - at)) : xstrdup(at);
	free(key);
	return b;
}

static void expect_status(const char *json, const char *name, const char *status)
{
	char *b = table_block(json, name);
	char *want = xasprintf("\"status\": \"%s\"", status);
	if (!strstr(b, want))
		fail_msg("%s: expected %s:\n%s", name, want, b);
	free(want);
	free(b);
}

static void test_every_level_matches(void **state)
{
	(void)state;
	const char *levels[] = { "count", "aggregates", "checksum" };
	for (int i = 0; i < 3; i++) {
		struct tu_run r;
		int rc = validate(&r, levels[i], NULL);
		if (rc != 0)
			fail_msg("validate --level %s: exit %d\n%s\n%s", levels[i], rc, r.out, r.err);
		gpt_expect_text("validate's summary", r.out, "\"match\": 8,\n    \"differ\": 0,\n    \"missing\": 0");
		expect_status(r.out, "parts_1_prt_rest", "match");
		expect_status(r.out, "regions", "match");
		tu_run_done(&r);
	}
}

/* A large table on a sample: the same rows chosen on both sides. */
static void test_sampled(void **state)
{
	(void)state;
	char *dir = NULL;
	char *extra = xasprintf("migration = { validate_sample_mb = 1; validate_sample_percent = 10; };\n");
	char *sconf = gpt_config("gpval", "gpval", extra, &dir);
	struct tu_run r;
	int rc = validate(&r, "checksum", sconf);
	if (rc != 0)
		fail_msg("validate on a sample: exit %d\n%s\n%s", rc, r.out, r.err);
	char *b = table_block(r.out, "big");
	gpt_expect_text("the sampled table", b, "\"status\": \"match\"");
	gpt_expect_text("the sampled table", b, "\"percent\": 10");
	gpt_expect_text("the sampled table", b, "\"by\": \"key\"");
	free(b);
	tu_run_done(&r);
	free(sconf);
	free(extra);
	free(dir);
}

/* Differences on the destination, each seen by the levels that can. */
static void test_differences_by_level(void **state)
{
	(void)state;
	gpt_sql(TU_DST, "gpval",
		"DELETE FROM v.amounts WHERE id = 7;\n"
		"UPDATE v.amounts SET note = 'changed' WHERE id = 1234;\n"
		"UPDATE v.events SET n = n + 1 WHERE n = 4321;\n"
		"DELETE FROM v.parts WHERE id = 100;\n");
	struct tu_run r;
	/* count: the deleted rows */
	assert_int_equal(validate(&r, "count", NULL), 4);
	expect_status(r.out, "amounts", "differ");
	expect_status(r.out, "events", "match");
	gpt_expect_text("validate's summary", r.out, "\"differ\": 2");
	tu_run_done(&r);
	/* aggregates: and the changed number */
	assert_int_equal(validate(&r, "aggregates", NULL), 4);
	expect_status(r.out, "events", "differ");
	gpt_expect_text("validate's summary", r.out, "\"differ\": 3");
	char *b = table_block(r.out, "events");
	gpt_expect_text("events", b, "\"note\": \"");    /* no key: nothing to name */
	free(b);
	tu_run_done(&r);
	/* checksum: and the changed text, each key named */
	assert_int_equal(validate(&r, "checksum", NULL), 4);
	b = table_block(r.out, "amounts");
	gpt_expect_text("amounts", b, "\"(7) missing on destination\"");
	gpt_expect_text("amounts", b, "\"(1234) changed\"");
	free(b);
	gpt_expect_text("validate's summary", r.out, "\"differ\": 3");
	tu_run_done(&r);
	/* the leaf holding id 100 */
	PGconn *s = tu_connect(TU_SRC, "gpval");
	char *leaf = tu_value(s, "SELECT c.relname FROM v.parts p JOIN pg_class c ON c.oid = p.tableoid WHERE id = 100");
	PQfinish(s);
	assert_int_equal(validate(&r, "checksum", NULL), 4);
	b = table_block(r.out, leaf);
	gpt_expect_text(leaf, b, "\"status\": \"differ\"");
	gpt_expect_text(leaf, b, "missing on destination");
	free(b);
	tu_run_done(&r);
	free(leaf);
}

/* analyze: every table, and the partition root as a whole. */
static void test_analyze_rootpartition(void **state)
{
	(void)state;
	PGconn *d = tu_connect(TU_DST, "gpval");
	/* when the root was last analysed (Greenplum's autostats may have) */
	static const char last[] = "SELECT coalesce(max(statime)::text, 'never') FROM pg_stat_last_operation\n"
				   "WHERE objid = 'v.parts'::regclass AND staactionname = 'ANALYZE'";
	char *before = tu_value(d, last);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "analyze", NULL });
	if (rc != 0)
		fail_msg("analyze: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("analyze's output", r.out, "\"v\".\"parts\" (partition root)");
	gpt_expect_text("analyze's output", r.out, " 0 failed");
	tu_run_done(&r);
	char *after = tu_value(d, last);
	if (strcmp(before, "never") != 0 && strcmp(after, before) <= 0)
		fail_msg("the partition root was last analysed at %s, before analyze ran (%s)", after, before);
	free(before);
	free(after);
	assert_true(tu_count(d, "SELECT count(*) FROM pg_stats WHERE schemaname = 'v' AND tablename = 'parts'") >= 3);
	assert_int_equal(tu_count(d, "SELECT reltuples::bigint FROM pg_class WHERE oid = 'v.big'::regclass"), 40000);
	PQfinish(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_level_matches),
		cmocka_unit_test(test_sampled),
		cmocka_unit_test(test_differences_by_level),
		cmocka_unit_test(test_analyze_rootpartition),
	};
	int rc = GPT_RUN_SETUP(tests, group_setup);
	group_teardown(NULL);
	return rc;
}
