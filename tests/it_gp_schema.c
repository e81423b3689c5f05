/* gp2adb schema from a real Greenplum 6 source to a real Greenplum 6
 * destination, with Greenplum's own pg_dump -s --gp-syntax: distribution
 * keys, DISTRIBUTED RANDOMLY and REPLICATED, append-optimized row and column
 * storage with compression and column encodings, classic partitions two
 * levels deep with default partitions and mixed storage, external tables.
 * The destination's catalogs must describe every relation as the source's
 * do.  gp2adb finds pg_dump through GPHOME as Greenplum's own tools do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "strbuf.h"
#include "gptest.h"

/* Each relation of schema sales as Greenplum's catalogs describe it: kind,
 * storage, distribution policy, append-optimized options, column encodings,
 * its place among the partitions, an external table's location and format. */
static const char DESCRIBE_SALES[] =
	"SELECT c.relname, c.relkind, c.relstorage,\n"
	"       coalesce(pg_get_table_distributedby(c.oid), ''),\n"
	"       coalesce((SELECT a.compresstype || ' ' || a.compresslevel || ' ' || a.columnstore\n"
	"                 FROM pg_appendonly a WHERE a.relid = c.oid), ''),\n"
	"       coalesce((SELECT string_agg(att.attname || '=' || array_to_string(e.attoptions, ','), ' '\n"
	"                                   ORDER BY e.attnum)\n"
	"                 FROM pg_attribute_encoding e\n"
	"                 JOIN pg_attribute att ON att.attrelid = e.attrelid AND att.attnum = e.attnum\n"
	"                 WHERE e.attrelid = c.oid), ''),\n"
	"       coalesce((SELECT p.partitionlevel || ' ' || p.partitiontype || ' ' || p.partitionisdefault\n"
	"                        || ' ' || coalesce(p.parentpartitiontablename, '-')\n"
	"                        || ' ' || coalesce(p.partitionboundary, '')\n"
	"                 FROM pg_partitions p\n"
	"                 WHERE p.partitionschemaname = n.nspname AND p.partitiontablename = c.relname), ''),\n"
	"       coalesce((SELECT array_to_string(x.urilocation, ',') || ' ' || x.fmttype || ' ' || x.writable\n"
	"                 FROM pg_exttable x WHERE x.reloid = c.oid), '')\n"
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"WHERE n.nspname = 'sales'\n"
	"ORDER BY c.relname";

static char *describe(enum tu_side side, const char *db)
{
	PGconn *c = tu_connect(side, db);
	PGresult *r = PQexec(c, DESCRIBE_SALES);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("describing schema sales: %s", PQerrorMessage(c));
	struct strbuf b;
	strbuf_init(&b);
	for (int i = 0; i < PQntuples(r); i++) {
		for (int k = 0; k < PQnfields(r); k++)
			strbuf_printf(&b, "%s%s", k ? " | " : "", PQgetvalue(r, i, k));
		strbuf_putc(&b, '\n');
	}
	PQclear(r);
	PQfinish(c);
	return strbuf_finish(&b);
}

/* The line of relation `name` in a description, or fails. */
static char *line_of(const char *desc, const char *name)
{
	char *key = xasprintf("%s | ", name);
	const char *p = desc;
	while (p && strncmp(p, key, strlen(key)) != 0) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p || !*p)
		fail_msg("no relation %s in:\n%s", name, desc);
	free(key);
	return xstrndup(p, strcspn(p, "\n"));
}

static void expect_line(const char *desc, const char *name, const char *needle)
{
	char *line = line_of(desc, name);
	if (!strstr(line, needle))
		fail_msg("%s: expected \"%s\" in: %s", name, needle, line);
	free(line);
}

static int run_schema(struct tu_run *r, const char *conf, const char *section)
{
	const char *args[] = { "-c", conf, "--plain", "schema", section ? "--section" : NULL, section, NULL };
	return tu_run_gp2adb(r, args);
}

/* Run on the master, GPHOME set by greenplum_path.sh and no ssh.gphome in
 * the configuration: Greenplum's pg_dump is found there, as gpstart and
 * gpcopy find their tools. */
static int group_setup(void **state)
{
	(void)state;
	gpt_seed("gpschema");
	return 0;
}

static void test_schema_gp_syntax_arrives_whole(void **state)
{
	(void)state;
	gpt_createdb(TU_DST, "gpschema");
	char *conf = gpt_config("gpschema", "gpschema", NULL, NULL);
	setenv("GPHOME", getenv("GP2ADB_TEST_GPHOME"), 1);
	struct tu_run r;
	int rc = run_schema(&r, conf, NULL);
	unsetenv("GPHOME");
	if (rc != 0)
		fail_msg("schema: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("schema's output", r.out, " 0 failed, 0 skipped");
	gpt_expect_text("schema's log", r.err, "pg_dump --schema-only --gp-syntax");
	tu_run_done(&r);

	char *src = describe(TU_SRC, "gpschema"), *dst = describe(TU_DST, "gpschema");
	if (strcmp(src, dst) != 0)
		fail_msg("the destination's catalogs differ from the source's:\n--- source\n%s--- destination\n%s", src,
			 dst);
	/* and they say what the source said: */
	expect_line(dst, "customers", "| r | h | DISTRIBUTED BY (id) |");
	expect_line(dst, "events", "| DISTRIBUTED RANDOMLY |");
	expect_line(dst, "regions", "| DISTRIBUTED REPLICATED |");
	expect_line(dst, "orders", "| a | DISTRIBUTED BY (id) | zlib 5 false |");
	expect_line(dst, "lineitem", "| c | DISTRIBUTED BY (order_id, line) | zstd 1 true |");
	expect_line(dst, "lineitem", "order_id=compresstype=zstd,compresslevel=3");
	expect_line(dst, "lineitem", "line=compresstype=rle_type");
	expect_line(dst, "lineitem", "note=compresstype=zlib,compresslevel=1");
	expect_line(dst, "sales_1_prt_jan_2_prt_east", "| r | h |");
	expect_line(dst, "sales_1_prt_feb_2_prt_east", "| r | c |");
	expect_line(dst, "sales_1_prt_mar_2_prt_west", "| r | a |");
	expect_line(dst, "sales_1_prt_mar_2_prt_west", "zstd 2 false");
	expect_line(dst, "sales_1_prt_outlying", "0 range true -");
	expect_line(dst, "sales_1_prt_jan_2_prt_other_regions", "1 list true sales_1_prt_jan");
	expect_line(dst, "sales_1_prt_feb_2_prt_west", "1 list false sales_1_prt_feb");
	expect_line(dst, "ext_orders", "gpfdist://127.0.0.1:8081/orders*.txt t false");
	expect_line(dst, "ext_out", "gpfdist://127.0.0.1:8082/out.txt c true");
	expect_line(dst, "customers_region", "| i |");
	expect_line(dst, "big_orders", "| v |");
	expect_line(dst, "orders_id_seq", "| S |");
	free(src);
	free(dst);
	free(conf);
}

/* Sections, as migrate runs them: the tables before the data, their
 * indexes and constraints after it; a second run has nothing left to do. */
static void test_schema_sections(void **state)
{
	(void)state;
	gpt_createdb(TU_DST, "gpschema_sec");
	char *extra = xasprintf("ssh = { gphome = \"%s\"; };\n", getenv("GP2ADB_TEST_GPHOME"));
	char *conf = gpt_config("gpschema", "gpschema_sec", extra, NULL);
	struct tu_run r;
	if (run_schema(&r, conf, "pre-data") != 0)
		fail_msg("schema pre-data: exit %d\n%s\n%s", r.status, r.out, r.err);
	gpt_expect_text("schema pre-data", r.out, " 0 failed, 0 skipped");
	tu_run_done(&r);
	PGconn *d = tu_connect(TU_DST, "gpschema_sec");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'sales'"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_partitions WHERE schemaname = 'sales'"), 16);
	if (run_schema(&r, conf, "post-data") != 0)
		fail_msg("schema post-data: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'sales'"), 2);
	PQfinish(d);
	if (run_schema(&r, conf, NULL) != 0)
		fail_msg("schema again: exit %d\n%s\n%s", r.status, r.out, r.err);
	gpt_expect_text("schema again", r.out, " 0 applied, 0 failed");
	/* and it checked that what the journal says was applied is there */
	if (strstr(r.err, "cannot check that what earlier runs applied is still there"))
		fail_msg("schema again did not check the destination:\n%s", r.err);
	tu_run_done(&r);
	char *src = describe(TU_SRC, "gpschema"), *dst = describe(TU_DST, "gpschema_sec");
	assert_string_equal(src, dst);
	free(src);
	free(dst);
	free(conf);
	free(extra);
}

/* Neither GPHOME nor ssh.gphome nor a master to dump on: a clear refusal
 * naming what to set, and nothing applied. */
static void test_schema_without_pg_dump_says_what_to_set(void **state)
{
	(void)state;
	gpt_createdb(TU_DST, "gpschema_none");
	char *conf = gpt_config("gpschema", "gpschema_none", NULL, NULL);
	unsetenv("GPHOME");
	struct tu_run r;
	int rc = run_schema(&r, conf, NULL);
	assert_int_equal(rc, 1);
	gpt_expect_text("schema's error", r.err, "GPHOME");
	gpt_expect_text("schema's error", r.err, "--schema-file");
	tu_run_done(&r);
	PGconn *d = tu_connect(TU_DST, "gpschema_none");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'"), 0);
	PQfinish(d);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_gp_syntax_arrives_whole),
		cmocka_unit_test(test_schema_sections),
		cmocka_unit_test(test_schema_without_pg_dump_says_what_to_set),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
