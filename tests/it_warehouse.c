/* tests/harness/seed-warehouse at a small scale against the harness's source
 * server: the sample warehouse holds what it promises (partitions with a
 * default, inheritance, awkward names, identity, generated and dropped columns,
 * an empty table, a table without key, edge values, sequences) and its size
 * follows GP2ADB_DEMO_SCALE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "testutil.h"

#define DB "warehouse"
#define SCALE "0.002"

/* Run the seeder with GP2ADB_DEMO_SCALE=scale; returns its exit status. */
static int seed(const char *scale, const char *dbname)
{
	const char *srcdir = getenv("GP2ADB_SRCDIR");
	if (!srcdir)
		fail_msg("GP2ADB_SRCDIR is not set: run this test through make check");
	char *script = xasprintf("%s/tests/harness/seed-warehouse", srcdir);
	char *conninfo = xasprintf("host=127.0.0.1 port=%d user=postgres dbname=%s",
				   tu_port(TU_SRC), dbname);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("GP2ADB_DEMO_SCALE", scale, 1);
		execl(script, script, conninfo, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	free(script);
	free(conninfo);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int setup(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, DB);
	int rc = seed(SCALE, DB);
	if (rc != 0)
		fail_msg("seed-warehouse exit %d", rc);
	return 0;
}

static long long count(PGconn *c, const char *sql)
{
	return tu_count(c, sql);
}

static void test_tables_and_size(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, DB);
	/* A few dozen tables with storage across three schemas. */
	assert_int_equal(count(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			       "WHERE n.nspname IN ('dw', 'staging', 'Odd Names') AND c.relkind = 'r'"), 40);
	/* Row counts follow the scale: 1,200,000 fact rows per unit of scale. */
	assert_int_equal(count(c, "SELECT count(*) FROM dw.lineitem"), 2400);
	assert_int_equal(count(c, "SELECT count(*) FROM dw.orders"), 600);
	/* Every table but the empty one holds rows. */
	PGresult *r = PQexec(c, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
			     "JOIN pg_namespace n ON n.oid = c.relnamespace "
			     "WHERE n.nspname IN ('dw', 'staging', 'Odd Names') AND c.relkind = 'r'");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	int empty = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		char *sql = xasprintf("SELECT count(*) FROM ONLY %s", PQgetvalue(r, i, 0));
		if (count(c, sql) == 0) {
			assert_string_equal(PQgetvalue(r, i, 0), "dw.returns_pending");
			empty++;
		}
		free(sql);
	}
	PQclear(r);
	assert_int_equal(empty, 1);
	assert_int_equal(count(c, "SELECT count(*) FROM dw.returns_pending"), 0);
	PQfinish(c);
}

static void test_partitions_and_inheritance(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, DB);
	/* Two levels of range partitions: 8 leaves, one of them the default. */
	assert_int_equal(count(c, "SELECT count(*) FROM pg_partition_tree('dw.orders') WHERE isleaf"), 8);
	assert_int_equal(count(c, "SELECT max(level) FROM pg_partition_tree('dw.orders')"), 2);
	assert_int_equal(count(c, "SELECT count(*) FROM pg_class WHERE oid = 'dw.orders_default'::regclass "
			       "AND relispartition AND pg_get_expr(relpartbound, oid) = 'DEFAULT'"), 1);
	assert_true(count(c, "SELECT count(*) FROM dw.orders_default") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.orders_2024_h2") > 0);
	/* Inheritance (not partitioning): a parent with rows of its own and two children. */
	assert_int_equal(count(c, "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
			       "WHERE p.oid = 'dw.events'::regclass AND p.relkind = 'r'"), 2);
	assert_true(count(c, "SELECT count(*) FROM ONLY dw.events") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.events_web") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.events_mobile") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.events") >
		    count(c, "SELECT count(*) FROM ONLY dw.events"));
	PQfinish(c);
}

static void test_awkward_names(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, DB);
	static const char *const tables[] = {
		"\"Odd Names\".\"order\"", "\"Odd Names\".\"select\"",
		"\"Odd Names\".\"Sales Report 2024\"", "\"Odd Names\".\"quote\"\"d table\"",
		"\"Odd Names\".\"dot.ted\"", "\"Odd Names\".\"données_été\"",
		"\"Odd Names\".\"客户\"", "dw.\"MixedCase\"",
	};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char *sql = xasprintf("SELECT count(*) FROM %s", tables[i]);
		if (count(c, sql) <= 0)
			fail_msg("%s is empty", tables[i]);
		free(sql);
	}
	/* Reserved words and quotes in column names too. */
	assert_int_equal(count(c, "SELECT count(*) FROM pg_attribute WHERE attrelid = '\"Odd Names\".\"order\"'::regclass "
			       "AND attname IN ('select', 'from', 'Group', 'user')"), 4);
	assert_int_equal(count(c, "SELECT count(*) FROM pg_attribute WHERE attrelid = "
			       "'\"Odd Names\".\"quote\"\"d table\"'::regclass AND attname = 'col \"x\"'"), 1);
	PQfinish(c);
}

static void test_special_columns(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, DB);
	static const char *const rels[] = { "dw.lineitem", "dw.types_zoo" };
	for (size_t i = 0; i < 2; i++) {
		char *sql = xasprintf("SELECT count(*) FILTER (WHERE attisdropped) * 100 + "
				      "count(*) FILTER (WHERE attgenerated = 's') * 10 + "
				      "count(*) FILTER (WHERE attidentity <> '') "
				      "FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0", rels[i]);
		/* one dropped, one generated, one identity column */
		assert_int_equal(count(c, sql), 111);
		free(sql);
	}
	char *v = tu_value(c, "SELECT attidentity FROM pg_attribute WHERE attrelid = 'dw.types_zoo'::regclass "
			   "AND attname = 'id'");
	assert_string_equal(v, "a");
	free(v);
	/* The generated column holds computed values; the dropped one still occupies the tuples. */
	assert_int_equal(count(c, "SELECT count(*) FROM dw.lineitem "
			       "WHERE net_amount <> round(quantity * unit_price * (1 - discount), 2)"), 0);
	/* No primary key and no unique index, with duplicate rows. */
	assert_int_equal(count(c, "SELECT count(*) FROM pg_index WHERE indrelid = 'dw.audit_log'::regclass"), 0);
	assert_true(count(c, "SELECT count(*) - count(DISTINCT a) FROM dw.audit_log a") > 0);
	/* Types present. */
	assert_int_equal(count(c, "SELECT count(DISTINCT format_type(atttypid, atttypmod)) FROM pg_attribute "
			       "WHERE attrelid = 'dw.types_zoo'::regclass AND format_type(atttypid, atttypmod) IN "
			       "('numeric', 'double precision', 'text', 'bytea', 'json', 'jsonb', 'integer[]', "
			       "'text[]', 'timestamp with time zone', 'uuid', 'interval')"), 11);
	PQfinish(c);
}

static void test_edge_values(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, DB);
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE f8 = 'NaN'") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE n = 'NaN'") > 0);
	assert_int_equal(count(c, "SELECT count(*) FROM dw.types_zoo WHERE f8 = 'Infinity'"), 1);
	assert_int_equal(count(c, "SELECT count(*) FROM dw.types_zoo WHERE f8 = '-Infinity'"), 1);
	/* The two-character string \N, the empty string and NULL, all present and distinct. */
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE t = E'\\\\N'") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE t = ''") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE t IS NULL") > 0);
	assert_true(count(c, "SELECT count(*) FROM staging.customer_import WHERE name = E'\\\\N'") > 0);
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE strpos(t, E'\\\\') > 0") > 0);
	/* bytea with zero bytes; a value stored out of line (TOAST). */
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE position('\\x00'::bytea IN bin) > 0") > 2);
	assert_true(count(c, "SELECT count(*) FROM dw.types_zoo WHERE length(big) > 100000") > 0);
	assert_true(count(c, "SELECT pg_relation_size(reltoastrelid) FROM pg_class "
			  "WHERE oid = 'dw.types_zoo'::regclass") > 0);
	/* Sequences advanced past their start. */
	assert_int_equal(count(c, "SELECT last_value FROM dw.invoice_number_seq"), 4242424);
	assert_int_equal(count(c, "SELECT last_value FROM \"Odd Names\".\"weird seq\""), 77);
	PQfinish(c);
}

static void test_reseed_and_bad_scale(void **state)
{
	(void)state;
	/* Seeding again replaces the schemas instead of failing or doubling rows. */
	assert_int_equal(seed("0.001", DB), 0);
	PGconn *c = tu_connect(TU_SRC, DB);
	assert_int_equal(count(c, "SELECT count(*) FROM dw.lineitem"), 1200);
	PQfinish(c);
	/* A scale that is not a number is refused before anything is touched. */
	assert_int_equal(seed("1; DROP TABLE x", DB), 2);
	assert_int_equal(seed("1.2.3", DB), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_and_size),
		cmocka_unit_test(test_partitions_and_inheritance),
		cmocka_unit_test(test_awkward_names),
		cmocka_unit_test(test_special_columns),
		cmocka_unit_test(test_edge_values),
		cmocka_unit_test(test_reseed_and_bad_scale),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
