/* gp2adb copy --mode drop between two real PostgreSQL servers: outdated
 * destination tables (other columns, stale rows, an extra index, a view on
 * one) are dropped and recreated exactly like the source's (pg_dump -s of
 * both sides equal), a missing table is created, a partitioned table comes
 * back with its partitions, foreign keys between copied tables are added;
 * --resume redoes only the groups whose units did not all commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytest.h"
#include "fixture.h"
#include "mem.h"
#include "testutil.h"

static const char source_sql[] =
	"CREATE TABLE acct (id serial PRIMARY KEY, name text NOT NULL, bal numeric(10,2) DEFAULT 0,\n"
	"    CHECK (bal >= 0));\n"
	"CREATE UNIQUE INDEX acct_name ON acct (name);\n"
	"COMMENT ON TABLE acct IS 'accounts';\n"
	"CREATE TABLE ord (id int PRIMARY KEY, acct_id int REFERENCES acct (id), v text);\n"
	"CREATE INDEX ord_v ON ord (v);\n"
	"CREATE TABLE ev (id int, d date, n text, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);\n"
	"CREATE TABLE ev_a PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
	"CREATE TABLE ev_b PARTITION OF ev DEFAULT;\n"
	"CREATE INDEX ev_n ON ev (n);\n"
	"CREATE TABLE fresh (x int GENERATED ALWAYS AS IDENTITY, y text);\n"
	"INSERT INTO acct (name, bal) SELECT 'a' || g, g FROM generate_series(1, 300) g;\n"
	"INSERT INTO ord SELECT g, 1 + g % 300, 'v' || (g % 7) FROM generate_series(1, 2000) g;\n"
	"INSERT INTO ev SELECT g, date '2024-06-01' + g % 400, 'n' || g FROM generate_series(1, 1500) g;\n"
	"INSERT INTO fresh (y) SELECT 'y' || g FROM generate_series(1, 40) g;\n"
	"ANALYZE;\n";

/* An outdated destination: other columns, stale rows, an extra index, a view. */
static const char dest_sql[] =
	"CREATE TABLE acct (id int, name varchar(5), extra text);\n"
	"INSERT INTO acct VALUES (-1, 'stale', 'x'), (-2, 'old', 'y');\n"
	"CREATE INDEX acct_extra ON acct (extra);\n"
	"CREATE VIEW acct_names AS SELECT name FROM acct;\n"
	"CREATE TABLE ord (id int, acct_id int, v text);\n"
	"INSERT INTO ord VALUES (1, 1, 'stale');\n"
	"CREATE TABLE ev (id int, d date);\n"
	"INSERT INTO ev VALUES (1, '2024-01-01');\n";

static const char *const tables[] = { "acct", "ord", "ev_a", "ev_b", "fresh", NULL };

static int run_copy(struct tu_run *r, const char *conf, const char *a1)
{
	const char *args[] = { "copy", "-c", conf, "--plain", "--mode", "drop", a1, NULL };
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r->out, r->err);
	return rc;
}

static void assert_comment(PGconn *d, const char *table, const char *expect)
{
	char *sql = xasprintf("SELECT obj_description('%s'::regclass)", table);
	char *v = tu_value(d, sql);
	if (expect)
		assert_string_equal(v ? v : "(none)", expect);
	else
		assert_null(v);
	free(v);
	free(sql);
}

static void test_drop_recreates_and_resumes(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "dsrc");
	tu_createdb(TU_DST, "ddst");
	PGconn *s = tu_connect(TU_SRC, "dsrc"), *d = tu_connect(TU_DST, "ddst");
	tu_exec(s, source_sql);
	tu_exec(d, dest_sql);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "dsrc", "ddst", "migration = { jobs = 2; };\n");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL), 0);
	/* each drop is logged, and what CASCADE took with it */
	assert_non_null(strstr(r.err, "table \"public\".\"acct\": dropped on the destination"));
	assert_non_null(strstr(r.err, "also dropped view public.acct_names"));
	assert_non_null(strstr(r.err, "1 foreign keys added"));
	assert_non_null(strstr(r.err, "table \"fresh\" does not exist"));
	tu_run_done(&r);
	free(fx_assert_same_schema("dsrc", "ddst"));
	ct_assert_identical("dsrc", "ddst", tables);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_views WHERE viewname = 'acct_names'"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_indexes WHERE indexname = 'acct_extra'"), 0);
	/* the recreated sequences continue the source's */
	assert_int_equal(tu_count(d, "SELECT last_value FROM acct_id_seq"), 300);
	assert_int_equal(tu_count(d, "SELECT last_value FROM fresh_x_seq"), 40);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE unit_id = 'drop'"), 4);

	/* As after an interrupted run: ev's drop committed but one of its units
	 * did not; ord's rows committed but not its indexes.  --resume drops ev
	 * (the root with its partitions) again, adds ord's indexes without
	 * dropping it, and leaves acct and fresh alone. */
	tu_exec(d, "COMMENT ON TABLE acct IS 'not dropped again'; COMMENT ON TABLE ord IS 'not dropped either';\n"
		   "COMMENT ON TABLE ev IS 'dropped again';\n"
		   "DELETE FROM ev_b; DELETE FROM gp2adb.copy_progress WHERE table_name = '\"public\".\"ev_b\"';\n"
		   "ALTER TABLE ord DROP CONSTRAINT ord_acct_id_fkey; DROP INDEX ord_v;\n"
		   "ALTER TABLE ord DROP CONSTRAINT ord_pkey;\n"
		   "DELETE FROM gp2adb.copy_progress WHERE table_name = '\"public\".\"ord\"' AND unit_id = 'post';");
	assert_int_equal(run_copy(&r, conf, "--resume"), 0);
	assert_non_null(strstr(r.err, "table \"public\".\"ev\": dropped on the destination"));
	assert_null(strstr(r.err, "table \"public\".\"acct\": dropped"));
	assert_null(strstr(r.err, "table \"public\".\"ord\": dropped"));
	tu_run_done(&r);
	assert_comment(d, "acct", "not dropped again");
	assert_comment(d, "ord", "not dropped either");
	assert_comment(d, "ev", NULL);
	tu_exec(d, "COMMENT ON TABLE acct IS 'accounts'; COMMENT ON TABLE ord IS NULL;");
	free(fx_assert_same_schema("dsrc", "ddst"));
	ct_assert_identical("dsrc", "ddst", tables);

	/* a foreign key whose other end is not in the run is reported, not added */
	const char *args[] = { "copy", "-c", conf, "--plain", "--mode", "drop", "--table", "public.ord", NULL };
	assert_int_equal(tu_run_gp2adb(&r, args), 0);
	assert_non_null(strstr(r.err, "foreign key ord_acct_id_fkey on public.ord skipped"));
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_constraint WHERE conname = 'ord_acct_id_fkey'"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('ord_v', 'ord_pkey')"), 2);
	ct_assert_identical("dsrc", "ddst", tables);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_recreates_and_resumes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
