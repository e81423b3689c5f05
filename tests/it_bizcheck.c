/* gp2adb validate --queries: five business queries on two real servers; one
 * differs, one fails on one side; migrate runs it as its last stage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "testutil.h"

static const char both_sql[] =
	"CREATE TABLE sales (id int PRIMARY KEY, region text, d date, v numeric(12,2), w float8);\n"
	"INSERT INTO sales SELECT g, 'r' || (g % 7), date '2024-01-01' + g % 365, g * 1.25, g / 3.0\n"
	"  FROM generate_series(1, 5000) g;\n"
	"CREATE TABLE customers (id int PRIMARY KEY, name text);\n"
	"INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;\n";

static const char queries[] =
	"-- name: revenue by region\n"
	"SELECT region, sum(v), count(*) FROM sales GROUP BY region;\n"
	"-- name: monthly\n"
	"SELECT date_trunc('month', d) AS m, sum(v) FROM sales GROUP BY 1 ORDER BY 1;\n"
	"-- name: float average\n"
	"SELECT region, avg(w) FROM sales GROUP BY region;\n"
	"-- name: customers named\n"
	"SELECT id, name FROM customers WHERE id % 10 = 0;\n"
	"-- name: uses a view\n"
	"SELECT count(*) FROM top_regions;\n";

static void test_five_queries(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "bz_src");
	tu_createdb(TU_DST, "bz_dst");
	PGconn *s = tu_connect(TU_SRC, "bz_src"), *d = tu_connect(TU_DST, "bz_dst");
	tu_exec(s, both_sql);
	tu_exec(d, both_sql);
	tu_exec(s, "CREATE VIEW top_regions AS SELECT region FROM sales GROUP BY region");
	/* one customer renamed on the destination: "customers named" differs */
	tu_exec(d, "UPDATE customers SET name = 'renamed' WHERE id = 40");
	char *dir = tu_tmpdir();
	char *qpath = xasprintf("%s/queries.sql", dir);
	tu_write_file(qpath, queries, 0644);
	char *conf = tu_write_config(dir, "bz_src", "bz_dst", "");
	struct tu_run r;
	const char *args[] = { "validate", "-c", conf, "--plain", "--queries", qpath, NULL };
	assert_int_equal(tu_run_gp2adb(&r, args), 4);
	assert_non_null(strstr(r.out, "Business check: 5 queries"));
	assert_non_null(strstr(r.out, "revenue by region                match"));
	assert_non_null(strstr(r.out, "monthly                          match"));
	assert_non_null(strstr(r.out, "float average                    match"));
	assert_non_null(strstr(r.out, "customers named                  DIFFERS"));
	assert_non_null(strstr(r.out, "column \"name\": source c40, destination renamed"));
	assert_non_null(strstr(r.out, "uses a view                      ERROR"));
	assert_non_null(strstr(r.out, "destination: 42P01"));
	assert_non_null(strstr(r.out, "not a difference in the data"));
	assert_non_null(strstr(r.out, "3 match, 1 differ, 1 could not run"));
	assert_non_null(strstr(r.out, "report saved: "));
	tu_run_done(&r);

	/* the query that differed is fixed, the view created: all match */
	tu_exec(d, "UPDATE customers SET name = 'c40' WHERE id = 40;"
		   "CREATE VIEW top_regions AS SELECT region FROM sales GROUP BY region");
	const char *json_args[] = { "validate", "-c", conf, "--json", "--queries", qpath, NULL };
	assert_int_equal(tu_run_gp2adb(&r, json_args), 0);
	assert_non_null(strstr(r.out, "\"match\": 5"));
	assert_non_null(strstr(r.out, "\"status\": \"match\""));
	tu_run_done(&r);

	/* migrate into an empty destination ends with the business check */
	tu_createdb(TU_DST, "bz_dst2");
	char *dir2 = tu_tmpdir();
	char *conf2 = tu_write_config(dir2, "bz_src", "bz_dst2", "");
	const char *mig[] = { "migrate", "-c", conf2, "--plain", "--yes", "--queries", qpath, NULL };
	assert_int_equal(tu_run_gp2adb(&r, mig), 0);
	assert_non_null(strstr(r.out, "== business check =="));
	assert_non_null(strstr(r.out, "5 match, 0 differ, 0 could not run"));
	tu_run_done(&r);
	free(conf2);
	free(dir2);

	/* the check is read only: a query that writes fails on both sides and changes nothing */
	tu_write_file(qpath, "-- name: sneaky\nDELETE FROM customers RETURNING id;\n", 0644);
	assert_int_equal(tu_run_gp2adb(&r, args), 1);
	assert_non_null(strstr(r.out, "25006"));
	tu_run_done(&r);
	assert_int_equal(tu_count(s, "SELECT count(*) FROM customers"), 100);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM customers"), 100);

	/* a bad file is named with its line */
	tu_write_file(qpath, "SELECT 1;\n-- name: x\nSELECT 'unterminated\n", 0644);
	assert_int_equal(tu_run_gp2adb(&r, args), 1);
	assert_non_null(strstr(r.err, qpath));
	tu_run_done(&r);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(qpath);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_queries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
