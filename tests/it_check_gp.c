/* Greenplum code paths of catalog and preflight, against the catalog shapes
 * of Greenplum 4.3, 6 and 7 reproduced on the harness's PostgreSQL
 * (tests/fixtures/gp*.sql, schema gpcat first on the database's search_path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "catalog.h"
#include "mem.h"
#include "preflight.h"
#include "findings_tu.h"
#include "testutil.h"

static void load_fixture(enum tu_side side, const char *db, const char *file)
{
	tu_createdb(side, db);
	PGconn *c = tu_connect(side, db);
	char *sql = xasprintf("ALTER DATABASE %s SET search_path = gpcat, pg_catalog, public", db);
	tu_exec(c, sql);
	free(sql);
	const char *srcdir = getenv("srcdir");
	char *path = xasprintf("%s/tests/fixtures/%s", srcdir ? srcdir : ".", file);
	char *text = tu_read_file(path);
	assert_non_null(text);
	tu_exec(c, text);
	/* make the fixture's own inserts visible to the statistics views now,
	 * so they do not look like a writer during the check */
	tu_exec(c, "SELECT pg_stat_force_next_flush()");
	tu_exec(c, "SELECT 1");
	free(text);
	free(path);
	PQfinish(c);
}

static void exclude_fixture(struct plan *p)
{
	plan_init(p);
	p->exclude = strv_push(NULL, "gpcat.*");
}

static void run_checks(PGconn *src, PGconn *dst, const struct plan *p, struct findings *f,
		       struct preflight_facts *facts)
{
	struct preflight_options opt = { 0.3 };
	char err[300] = "";
	memset(f, 0, sizeof *f);
	if (!preflight_run(p, src, dst, &opt, f, facts, err, sizeof err))
		fail_msg("preflight_run: %s", err);
}

static void test_gp4(void **state)
{
	(void)state;
	load_fixture(TU_SRC, "gp4", "gp4.sql");
	tu_createdb(TU_DST, "gp4dst");
	PGconn *src = tu_connect(TU_SRC, "gp4"), *dst = tu_connect(TU_DST, "gp4dst");
	struct plan p;
	exclude_fixture(&p);

	/* catalog, CATALOG_TABLES_GP4 */
	struct flavor fl;
	struct db_error e;
	assert_true(db_flavor(src, &fl, NULL, &e));
	assert_int_equal(fl.kind, FLAVOR_GREENPLUM);
	assert_int_equal(fl.gp_major, 4);
	struct table_list l;
	assert_true(catalog_tables(src, &fl, &p, &l, &e));
	assert_null(catalog_find(&l, "gpcat", "gp_segment_configuration"));
	const struct table *t = catalog_find(&l, "sales", "orders");
	assert_int_equal(t->kind, TABLE_PARTITION_ROOT);
	t = catalog_find(&l, "sales", "orders_1_prt_2024");
	assert_int_equal(t->kind, TABLE_PARTITION_LEAF);
	assert_string_equal(t->root, "\"sales\".\"orders\"");
	assert_int_equal(t->storage, 'c');
	/* attrnums resolved to names (always quoted, unlike 6+'s server function) */
	assert_string_equal(t->distribution, "DISTRIBUTED BY (\"id\")");
	assert_int_equal(catalog_find(&l, "sales", "orders_1_prt_2025")->storage, 'a');
	assert_string_equal(catalog_find(&l, "sales", "clicks")->distribution, "DISTRIBUTED RANDOMLY");
	t = catalog_find(&l, "sales", "ext_load");
	assert_int_equal(t->kind, TABLE_EXTERNAL);
	assert_false(catalog_has_data(t));
	assert_string_equal(catalog_find(&l, "sales", "customers")->key[0], "id");
	catalog_tables_free(&l);

	struct findings f;
	struct preflight_facts facts;
	run_checks(src, dst, &p, &f, &facts);
	assert_int_equal(facts.source_segments, 4);
	ftu_expect(&f, "version.source", SEV_WARN);
	ftu_expect(&f, "segments.count", SEV_INFO);      /* the destination is not MPP */
	ftu_expect(&f, "extensions.missing", SEV_INFO);  /* 4.3 has no pg_extension */
	const struct finding *x = ftu_expect(&f, "partitions.leaves", SEV_INFO);
	assert_true(ftu_has_object(x, "\"sales\".\"orders_1_prt_2024\""));
	assert_true(ftu_has_object(x, "\"sales\".\"orders_1_prt_2025\""));
	x = ftu_expect(&f, "tables.external", SEV_WARN);
	assert_true(ftu_has_object(x, "\"sales\".\"ext_load\""));
	x = ftu_expect(&f, "syntax.gp4x", SEV_WARN);
	assert_true(ftu_has_object(x, "function \"sales\".\"active_sessions\"(): pg_stat_activity_columns"));
	assert_true(ftu_has_object(x, "function \"sales\".\"url_list\"(): string_agg_one_arg"));
	assert_true(ftu_has_object(x, "external table \"sales\".\"ext_load\": log_errors_into"));
	assert_true(ftu_has_object(x, "column \"sales\".\"events\".lateral: reserved_word"));
	assert_true(ftu_has_object(x, "table \"sales\".\"prices\": distkey_type (p money)"));
	assert_false(ftu_has_object(x, "\"clean\""));
	assert_false(ftu_has_object(x, "gpcat"));
	x = ftu_expect(&f, "types.removed", SEV_FAIL);
	assert_true(ftu_has_object(x, "\"sales\".\"events\".at"));
	x = ftu_expect(&f, "libraries.custom", SEV_WARN);
	assert_true(ftu_has_object(x, "library udf_jar"));
	ftu_expect(&f, "writes.active", SEV_OK);         /* the 8.2 procpid/current_query query ran */
	x = ftu_expect(&f, "method.gpcopy", SEV_INFO);   /* destination is not Greenplum */
	findings_free(&f);
	plan_done(&p);
	PQfinish(src);
	PQfinish(dst);
}

static void test_gp6_to_gp7_command(void **state)
{
	(void)state;
	load_fixture(TU_SRC, "gp6", "gp6.sql");
	load_fixture(TU_DST, "gp7dst", "gp7.sql");

	/* catalog, CATALOG_TABLES_GP6: two partition levels, distribution */
	PGconn *src = tu_connect(TU_SRC, "gp6");
	struct plan p;
	exclude_fixture(&p);
	struct flavor fl;
	struct db_error e;
	assert_true(db_flavor(src, &fl, NULL, &e));
	assert_int_equal(fl.gp_major, 6);
	struct table_list l;
	assert_true(catalog_tables(src, &fl, &p, &l, &e));
	assert_int_equal(catalog_find(&l, "dw", "facts")->kind, TABLE_PARTITION_ROOT);
	assert_int_equal(catalog_find(&l, "dw", "facts_1_prt_y2024")->kind, TABLE_PARTITION_MID);
	const struct table *t = catalog_find(&l, "dw", "facts_1_prt_y2024_2_prt_east");
	assert_int_equal(t->kind, TABLE_PARTITION_LEAF);
	assert_string_equal(t->root, "\"dw\".\"facts\"");
	assert_string_equal(t->distribution, "DISTRIBUTED BY (id)");
	assert_string_equal(catalog_find(&l, "dw", "dim")->distribution, "DISTRIBUTED REPLICATED");
	assert_int_equal(catalog_find(&l, "dw", "ext_hdfs")->kind, TABLE_EXTERNAL);
	catalog_tables_free(&l);
	plan_done(&p);
	PQfinish(src);

	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "gp6", "gp7dst",
				     "migration = { exclude = [ \"gpcat.*\" ]; };\n"
				     "destination = { mode = \"elastic\"; };\n");
	/* tu_write_config writes destination first; a second group would be a
	 * duplicate: put the mode into the first one instead */
	char *text = tu_read_file(conf);
	char *dup = strstr(text, "destination = { mode");
	assert_non_null(dup);
	*dup = '\0';
	char *with_mode = xasprintf("%s", text);
	char *d = strstr(with_mode, "dbname = \"gp7dst\"; };");
	assert_non_null(d);
	char *fixed = xasprintf("%.*sdbname = \"gp7dst\"; mode = \"elastic\"; };%s", (int)(d - with_mode),
				with_mode, d + strlen("dbname = \"gp7dst\"; };"));
	tu_write_file(conf, fixed, 0600);

	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--json", "check", NULL });
	if (rc != 2)
		fail_msg("exit %d, expected 2\n%s\n%s", rc, r.out, r.err);
	/* four source primaries, two on the destination */
	const char *seg = strstr(r.out, "\"id\": \"segments.count\"");
	assert_non_null(seg);
	assert_true(strncmp(strstr(seg, "\"severity\": ") + 13, "fail", 4) == 0);
	assert_non_null(strstr(r.out, "source: 4 primary segments; destination: 2"));
	/* 6 -> 7: a function reading pg_partitions */
	assert_non_null(strstr(r.out, "function \\\"dw\\\".\\\"leaf_count\\\"(text): partition_catalogs"));
	/* elastic storage on version 7: no gpcopy */
	const char *gm = strstr(r.out, "\"id\": \"method.gpcopy\"");
	assert_non_null(gm);
	assert_true(strncmp(strstr(gm, "\"severity\": ") + 13, "warn", 4) == 0);
	const char *opt = strstr(r.out, "\"method\": \"gpcopy\"");
	assert_non_null(opt);
	assert_true(strncmp(strstr(opt, "\"usable\": ") + 10, "false", 5) == 0);
	/* the leaves of the two-level table, not its middle level */
	const char *pl = strstr(r.out, "\"id\": \"partitions.leaves\"");
	assert_non_null(pl);
	assert_non_null(strstr(pl, "\\\"dw\\\".\\\"facts\\\": 4 leaves"));
	tu_run_done(&r);
	free(fixed);
	free(with_mode);
	free(text);
	free(conf);
	free(dir);
}

static void test_gp7(void **state)
{
	(void)state;
	load_fixture(TU_SRC, "gp7", "gp7.sql");
	tu_createdb(TU_DST, "gp7pg");
	PGconn *src = tu_connect(TU_SRC, "gp7"), *dst = tu_connect(TU_DST, "gp7pg");
	struct plan p;
	exclude_fixture(&p);
	struct flavor fl;
	struct db_error e;
	assert_true(db_flavor(src, &fl, NULL, &e));
	assert_int_equal(fl.gp_major, 7);
	struct table_list l;
	assert_true(catalog_tables(src, &fl, &p, &l, &e));
	const struct table *t = catalog_find(&l, "dw", "sales_1_prt_2024");
	assert_int_equal(t->kind, TABLE_PARTITION_LEAF);
	assert_int_equal(t->storage, 'c');
	assert_string_equal(t->distribution, "DISTRIBUTED BY (id)");
	assert_int_equal(catalog_find(&l, "dw", "sales_1_prt_2025")->storage, 'a');
	assert_int_equal(catalog_find(&l, "dw", "sales")->kind, TABLE_PARTITION_ROOT);
	assert_int_equal(catalog_find(&l, "dw", "ext_in")->kind, TABLE_EXTERNAL);
	assert_string_equal(catalog_find(&l, "dw", "dim")->distribution, "DISTRIBUTED RANDOMLY");
	catalog_tables_free(&l);

	struct findings f;
	struct preflight_facts facts;
	run_checks(src, dst, &p, &f, &facts);
	assert_int_equal(facts.source_segments, 2);
	ftu_expect(&f, "version.source", SEV_OK);
	const struct finding *x = ftu_expect(&f, "partitions.leaves", SEV_INFO);
	assert_true(ftu_has_object(x, "\"dw\".\"sales_1_prt_2024\""));
	assert_true(ftu_has_object(x, "\"dw\".\"sales_1_prt_2025\""));
	x = ftu_expect(&f, "tables.external", SEV_WARN);
	assert_true(ftu_has_object(x, "\"dw\".\"ext_in\""));
	ftu_expect(&f, "syntax.gp4x", SEV_OK);          /* 7 -> PostgreSQL 15: no rule applies */
	ftu_expect(&f, "writes.active", SEV_OK);
	findings_free(&f);
	plan_done(&p);
	PQfinish(src);
	PQfinish(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gp4),
		cmocka_unit_test(test_gp6_to_gp7_command),
		cmocka_unit_test(test_gp7),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
