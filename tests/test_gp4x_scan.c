/* The Greenplum 4.x syntax scanner on sample DDL and function bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "gp4x_scan.h"

/* The rule ids found, space separated. */
static const char *scan(const char *text, unsigned targets)
{
	static char buf[512];
	const struct gp4x_rule *hits[32];
	size_t n = gp4x_scan(text, targets, hits, 32);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, hits[i]->id);
	}
	return buf;
}

static void test_to_gp6(void **state)
{
	(void)state;
	const unsigned t = GP4X_TO_GP6;
	assert_string_equal(scan("CREATE EXTERNAL TABLE e (a int) LOCATION ('gpfdist://h:8000/a.csv')\n"
				 "FORMAT 'CSV' LOG ERRORS INTO err_e SEGMENT REJECT LIMIT 10;", t),
			    "log_errors_into");
	/* the GP5+ form is fine */
	assert_string_equal(scan("... FORMAT 'CSV' LOG ERRORS SEGMENT REJECT LIMIT 10;", t), "");
	assert_string_equal(scan("LOCATION ('gphdfs://nn:8020/data/x')", t), "gphdfs");
	assert_string_equal(scan("SELECT procpid, current_query FROM pg_stat_activity", t),
			    "pg_stat_activity_columns");
	/* procpid alone, without pg_stat_activity, is someone's own column */
	assert_string_equal(scan("SELECT procpid FROM my_table", t), "");
	assert_string_equal(scan("select a.waiting from pg_stat_activity a", t), "pg_stat_activity_columns");
	assert_string_equal(scan("SELECT string_agg(name) FROM t", t), "string_agg_one_arg");
	assert_string_equal(scan("SELECT string_agg(name, ',') FROM t", t), "");
	assert_string_equal(scan("SELECT string_agg(f(a, b)) FROM t", t), "string_agg_one_arg");
	assert_string_equal(scan("SELECT string_agg(f(a, b), ';' ORDER BY a) FROM t", t), "");
	assert_string_equal(scan("SELECT string_agg(x || ',') FROM t", t), "string_agg_one_arg");
	assert_string_equal(scan("SELECT to_timestamp('20190905140000')", t), "timestamp_without_format");
	assert_string_equal(scan("SELECT to_timestamp('20190905140000', 'YYYYMMDDHH24MISS')", t), "");
	assert_string_equal(scan("SELECT '20190905140000'::timestamp", t), "timestamp_without_format");
	assert_string_equal(scan("SELECT '2019-09-05'::timestamp", t), "");
	assert_string_equal(scan("SELECT attrnums FROM gp_distribution_policy", t), "attrnums");
	assert_string_equal(scan("CREATE TABLESPACE ts FILESPACE fs1", t), "filespace");
	assert_string_equal(scan("select orafunc.nvl(a, 0) from t", t), "orafunc");
	assert_string_equal(scan("CREATE TABLE t (a int) WITH (appendonly=true, compresstype=quicklz)", t),
			    "quicklz");
	/* several rules, in rule order */
	assert_string_equal(scan("select string_agg(current_query) from pg_stat_activity", t),
			    "pg_stat_activity_columns string_agg_one_arg");
}

static void test_comments_and_words(void **state)
{
	(void)state;
	const unsigned t = GP4X_TO_GP6 | GP4X_TO_GP7;
	/* comments are not code */
	assert_string_equal(scan("-- LOG ERRORS INTO old_err\nSELECT 1", t), "");
	assert_string_equal(scan("/* gphdfs:// /* nested */ procpid pg_stat_activity */ SELECT 1", t), "");
	/* but a comment marker inside a string literal is not a comment */
	assert_string_equal(scan("EXECUTE 'select procpid -- x' || ' from pg_stat_activity'", t),
			    "pg_stat_activity_columns");
	/* an external table's URL is not SQL: a slash-star in it opens no comment */
	assert_string_equal(scan("gpfdist://etl1:8081/load/*.csv LOG ERRORS INTO err", GP4X_TO_GP6 | GP4X_NOT_SQL),
			    "log_errors_into");
	assert_string_equal(scan("gpfdist://etl1:8081/load/*.csv LOG ERRORS INTO err", GP4X_TO_GP6), "");
	/* whole words only */
	assert_string_equal(scan("SELECT my_attrnums_copy, relstorage_x FROM t", t), "");
	assert_string_equal(scan("", t), "");
	/* no targets, no rules */
	assert_string_equal(scan("LOG ERRORS INTO e", 0), "");
}

static void test_to_gp7(void **state)
{
	(void)state;
	const unsigned t = GP4X_TO_GP7;
	assert_string_equal(scan("CREATE TABLE t (a int) WITH OIDS", t), "with_oids");
	assert_string_equal(scan("CREATE TABLE t (a int) WITH (oids=true)", t), "with_oids");
	assert_string_equal(scan("CREATE TABLE t (a int) WITH (oids=false)", t), "");
	assert_string_equal(scan("SELECT * FROM pg_partitions WHERE tablename = 'x'", t), "partition_catalogs");
	/* the 7.x functions are fine */
	assert_string_equal(scan("SELECT * FROM pg_partition_tree('x'::regclass)", t), "");
	assert_string_equal(scan("SELECT relstorage FROM pg_class", t), "relstorage");
	assert_string_equal(scan("return 1\nLANGUAGE plpythonu", t), "plpythonu");
	assert_string_equal(scan("SELECT now()::abstime", t), "abstime_types");
	/* 4.x-only rules do not apply to a 6 -> 7 move */
	assert_string_equal(scan("LOG ERRORS INTO e", t), "");
	assert_string_equal(scan("compresstype=quicklz", t), "quicklz");
}

static void test_reserved_words(void **state)
{
	(void)state;
	assert_true(gp4x_newly_reserved("lateral"));
	assert_true(gp4x_newly_reserved("concurrently"));
	assert_false(gp4x_newly_reserved("between"));
	assert_false(gp4x_newly_reserved("Lateral"));   /* quoted mixed case stays an identifier */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_gp6),
		cmocka_unit_test(test_comments_and_words),
		cmocka_unit_test(test_to_gp7),
		cmocka_unit_test(test_reserved_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
