/* analyze on a real destination: every copied table gets statistics,
 * smallest first, partition roots through their leaves; the load warning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_analyze(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "a");
	tu_createdb(TU_DST, "a");
	PGconn *d = tu_connect(TU_DST, "a");
	tu_exec(d, "CREATE TABLE small (id int); INSERT INTO small VALUES (1), (2);\n"
		   "CREATE TABLE large (id int, t text);\n"
		   "INSERT INTO large SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;\n"
		   "CREATE TABLE sales (id int, d date) PARTITION BY RANGE (d);\n"
		   "CREATE TABLE sales_a PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
		   "CREATE TABLE sales_b PARTITION OF sales DEFAULT;\n"
		   "INSERT INTO sales SELECT g, date '2024-06-01' + g FROM generate_series(1, 1000) g;\n"
		   "CREATE TABLE other (id int); INSERT INTO other VALUES (1);\n");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "a", "a", NULL);
	const char *args[] = { "-c", conf, "analyze", "--jobs", "2", "--table", "public.s*",
			       "--table", "public.large", NULL };
	struct tu_run run;
	assert_int_equal(tu_run_gp2adb(&run, args), 0);
	assert_non_null(strstr(run.out, "ANALYZE raises the CPU load of the destination coordinator"));
	/* PostgreSQL: the root is analyzed in place of its leaves, largest last */
	char *small = strstr(run.out, "analyzed \"public\".\"small\"");
	char *large = strstr(run.out, "analyzed \"public\".\"large\"");
	assert_non_null(small);
	assert_non_null(large);
	assert_true(small < large);
	assert_non_null(strstr(run.out, "\"public\".\"sales\" (partition root)"));
	assert_null(strstr(run.out, "sales_a"));
	assert_non_null(strstr(run.out, "analyze: 3 tables"));
	tu_run_done(&run);

	/* statistics exist for what was selected, and only for it */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_stats WHERE tablename = 'large'"), 2);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_stats WHERE tablename = 'sales_a'"), 2);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_stats WHERE tablename = 'other'"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'small' "
				     "AND last_analyze IS NOT NULL"), 1);
	PQfinish(d);

	/* an unreachable destination: exit 5 */
	free(conf);
	conf = tu_write_config(dir, "a", "no_such_db", NULL);
	const char *bad[] = { "-c", conf, "analyze", NULL };
	assert_int_equal(tu_run_gp2adb(&run, bad), 5);
	assert_non_null(strstr(run.err, "no_such_db"));
	tu_run_done(&run);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyze),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
