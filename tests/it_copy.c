/* gp2adb copy between two real PostgreSQL servers: awkward names, every
 * common type with edge values, partitions, inheritance, dropped, generated
 * and identity columns; modes; failed tables and --only-failed; a split
 * table truncated once; --resume redoing only uncommitted units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "copytest.h"
#include "testutil.h"

/* Created on both sides. */
static const char common_sql[] =
	"CREATE SCHEMA \"My Schema\";\n"
	"CREATE TABLE \"My Schema\".\"select\" (\"from\" int, \"Mixed Case\" text, \"spa ce\" text,\n"
	"    \"quo\"\"te\" text, \"ünï\" text);\n"
	"CREATE TABLE public.\"Tab\"\"le ü 表\" (id int PRIMARY KEY, \"order\" text);\n"
	"CREATE TABLE types_bin (id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, num numeric,\n"
	"    nump numeric(12,3), f4 real, f8 double precision, b boolean, t text, vc varchar(20),\n"
	"    c char(5), by bytea, d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz,\n"
	"    iv interval, u uuid, j json, jb jsonb, ia int[], ta text[], na numeric[], ip inet,\n"
	"    cid cidr, mac macaddr, pt point, bits bit varying(16), tsv tsvector, rng int4range);\n"
	"CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
	"CREATE TYPE pair AS (a int, b text);\n"
	"CREATE DOMAIN posint AS int CHECK (VALUE > 0);\n"
	"CREATE TABLE types_user (id int PRIMARY KEY, m mood, ms mood[], p pair, ps pair[], pi posint);\n"
	"CREATE TABLE sales (id int, d date, v numeric) PARTITION BY RANGE (d);\n"
	"CREATE TABLE sales_2024 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
	"CREATE TABLE sales_2025 PARTITION OF sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')\n"
	"    PARTITION BY LIST (id);\n"
	"CREATE TABLE sales_2025_odd PARTITION OF sales_2025 FOR VALUES IN (1, 3, 5, 7, 9);\n"
	"CREATE TABLE sales_2025_rest PARTITION OF sales_2025 DEFAULT;\n"
	"CREATE TABLE sales_other PARTITION OF sales DEFAULT;\n"
	"CREATE TABLE parent (id int, kind text);\n"
	"CREATE TABLE child (extra int) INHERITS (parent);\n"
	"CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY, v text);\n"
	"CREATE TABLE ser (id serial PRIMARY KEY, v text);\n"
	"CREATE TABLE empty (id int);\n"
	"CREATE TABLE nocols ();\n";

/* Source only: the rows, and a dropped column. */
static const char source_sql[] =
	"CREATE TABLE gen (a int, x int, b int GENERATED ALWAYS AS (a * 2) STORED, c text);\n"
	"INSERT INTO gen (a, x, c) SELECT g, g, 'c' || g FROM generate_series(1, 100) g;\n"
	"ALTER TABLE gen DROP COLUMN x;\n"
	"INSERT INTO \"My Schema\".\"select\" VALUES (1, 'A', 'b c', 'q\"q', 'ü'), (2, NULL, '', '\\N', '日本語 🎉');\n"
	"INSERT INTO \"Tab\"\"le ü 表\" SELECT g, 'o' || g FROM generate_series(1, 50) g;\n"
	"INSERT INTO types_bin VALUES\n"
	" (1, -32768, -2147483648, -9223372036854775808, 'NaN', -0.001, 'NaN', 'NaN', true, '', '', '',\n"
	"  '\\x00ff00'::bytea, '-infinity', '-infinity', '-infinity', '00:00', '00:00+14', '-178000000 years',\n"
	"  '00000000-0000-0000-0000-000000000000', '{\"a\": \"\\u00fc\"}', '{\"k\": [1, null, \"x\"]}', '{}', '{}', '{}',\n"
	"  '::1', '10.0.0.0/8', '08:00:2b:01:02:03', '(0,0)', B'1', '', 'empty'),\n"
	" (2, 32767, 2147483647, 9223372036854775807, 'Infinity', 999999999.999, 'Infinity', 'Infinity',\n"
	"  false, '\\N', 'x\ty', 'abc', '\\x'::bytea, 'infinity', 'infinity', 'infinity', '24:00', '23:59:59-12',\n"
	"  '178000000 years', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]', '[]', '{{1,2},{3,4}}',\n"
	"  '{NULL,\"\",\"\\\\N\",\"a,b\"}', '{NaN,1.5,-Infinity}', '2001:db8::1/64', '::/0', 'ff:ff:ff:ff:ff:ff',\n"
	"  '(1.5,-2.25)', B'1010101010101010', 'a:1 fat:2 cat', '[1,10)'),\n"
	" (3, NULL, NULL, NULL, '-Infinity', NULL, '-Infinity', '-Infinity', NULL, NULL, NULL, NULL, NULL,\n"
	"  '4713-01-01 BC', '4713-01-01 00:00 BC', '1999-12-31 23:59:59.999999+05:30', NULL, NULL, NULL, NULL,\n"
	"  'null', 'null', '{NULL}', '{NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'empty'),\n"
	" (4, 0, 0, 0, '0.000000000000000000001', 0, '-0', '-0', true, E'tab\\there\\nnewline\\\\back \\r cr',\n"
	"  'ü', 'ü', '\\x5c4e0a0d09'::bytea, '2000-02-29', '2000-02-29 12:34:56.789', '2000-02-29 12:34:56.789+00',\n"
	"  '12:34:56.789', '12:34:56.789+01', '1 mon 2 days 03:04:05.678', gen_random_uuid(), '\"\\\\N\"', '\"\"',\n"
	"  '{-1}', '{\"\\t\",\"\\n\"}', '{1e-20}', '127.0.0.1', '192.168.0.0/16', '00:00:00:00:00:00', '(1e300,-1e-300)',\n"
	"  B'0', 'x', '(,)');\n"
	/* large, toasted values: a text of ~640 kB, a bytea of ~320 kB (past the copy batch) */
	"INSERT INTO types_bin (id, t, by, jb) SELECT 5, string_agg(md5(g::text), ''),\n"
	"    decode(string_agg(md5(g::text), ''), 'hex'), jsonb_build_object('big', string_agg(md5(g::text), ''))\n"
	"  FROM generate_series(1, 20000) g;\n"
	"INSERT INTO types_bin (id, i4, t) SELECT g, g, repeat('r', g % 300) FROM generate_series(100, 3000) g;\n"
	"INSERT INTO types_user VALUES (1, 'sad', '{happy,ok}', '(1,x)', '{\"(2,y)\",\"(,)\"}', 5),\n"
	"  (2, NULL, '{}', NULL, NULL, NULL), (3, 'happy', '{NULL}', '(,\"\\\\N\")', '{}', 1);\n"
	"INSERT INTO sales SELECT g, date '2023-06-01' + (g % 1000), g * 1.5 FROM generate_series(1, 3000) g;\n"
	"INSERT INTO parent VALUES (1, 'p'), (2, NULL);\n"
	"INSERT INTO child VALUES (3, 'c', 30), (4, 'c', NULL);\n"
	"INSERT INTO ident (v) SELECT 'i' || g FROM generate_series(1, 77) g;\n"
	"INSERT INTO ser (v) SELECT 's' || g FROM generate_series(1, 33) g;\n"
	"INSERT INTO nocols DEFAULT VALUES; INSERT INTO nocols DEFAULT VALUES;\n"
	"ANALYZE;\n";

static const char dest_sql[] =
	"CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c text);\n";

/* Every table as compared: ONLY the table's own rows. */
static const char *const compared[] = {
	"\"My Schema\".\"select\"", "public.\"Tab\"\"le ü 表\"", "types_bin", "types_user", "sales",
	"sales_2024", "sales_2025_odd", "sales_2025_rest", "sales_other", "parent", "child", "ident",
	"ser", "empty", "nocols", "gen", NULL,
};

static int run_copy(struct tu_run *r, const char *conf, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = { "copy", "-c", conf, "--plain", a1, a2, a3, NULL };
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r->out, r->err);
	return rc;
}

static void setup_pair(const char *src_db, const char *dst_db, bool source)
{
	if (source) {
		tu_createdb(TU_SRC, src_db);
		PGconn *s = tu_connect(TU_SRC, src_db);
		tu_exec(s, common_sql);
		tu_exec(s, source_sql);
		PQfinish(s);
	}
	tu_createdb(TU_DST, dst_db);
	PGconn *d = tu_connect(TU_DST, dst_db);
	tu_exec(d, common_sql);
	tu_exec(d, dest_sql);
	PQfinish(d);
}

static void test_types_names_partitions(void **state)
{
	(void)state;
	setup_pair("src1", "dst1", true);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "src1", "dst1", "migration = { jobs = 3; };\n");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, "--json", NULL, NULL), 0);
	assert_non_null(strstr(r.out, "\"tables_failed\": 0"));
	/* partition roots are not units of their own; leaves are */
	assert_null(strstr(r.out, "\"table\": \"\\\"public\\\".\\\"sales\\\"\""));
	assert_non_null(strstr(r.out, "\"table\": \"\\\"public\\\".\\\"sales_2025_odd\\\"\""));
	tu_run_done(&r);
	ct_assert_identical("src1", "dst1", compared);

	PGconn *d = tu_connect(TU_DST, "dst1");
	/* sequences follow: the next identity and serial values continue the source's */
	assert_int_equal(tu_count(d, "SELECT last_value FROM ident_id_seq"), 77);
	assert_int_equal(tu_count(d, "SELECT last_value FROM ser_id_seq"), 33);
	/* binary and text transfer both used: types_user carries local type oids */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress"), 15);
	PQfinish(d);

	/* the same source in text format into a second destination */
	setup_pair("src1", "dst1t", false);
	free(conf);
	conf = tu_write_config(dir, "src1", "dst1t", "migration = { jobs = 2; format = \"text\"; };\n");
	assert_int_equal(run_copy(&r, conf, NULL, NULL, NULL), 0);
	assert_non_null(strstr(r.out, "0 failed"));
	tu_run_done(&r);
	ct_assert_identical("src1", "dst1t", compared);
	free(conf);
	free(dir);
}

static void test_failures_modes_only_failed(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "src2");
	tu_createdb(TU_DST, "dst2");
	PGconn *s = tu_connect(TU_SRC, "src2"), *d = tu_connect(TU_DST, "dst2");
	tu_exec(s, "CREATE TABLE a (id int, v text); CREATE TABLE narrow (v text); CREATE TABLE missing (x int);\n"
		   "INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 500) g;\n"
		   "INSERT INTO narrow VALUES ('ok'), ('far too long for the destination');\n"
		   "INSERT INTO missing VALUES (1), (2);");
	tu_exec(d, "CREATE TABLE a (id int, v text); CREATE TABLE narrow (v varchar(5));");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "src2", "dst2", "");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL, NULL, NULL), 3);
	/* the summary names each failed table with SQLSTATE and message, and the retry command */
	assert_non_null(strstr(r.out, "\"public\".\"narrow\": 22001: value too long"));
	assert_non_null(strstr(r.out, "\"public\".\"missing\": the destination has no table"));
	assert_non_null(strstr(r.out, "gp2adb copy --only-failed"));
	assert_non_null(strstr(r.out, "2 failed"));
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a"), 500);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM narrow"), 0);   /* rolled back */

	/* fix both; --only-failed copies just those two */
	tu_exec(d, "ALTER TABLE narrow ALTER COLUMN v TYPE text; CREATE TABLE missing (x int);"
		   "INSERT INTO a VALUES (-1, 'marker: a is not copied again');");
	assert_int_equal(run_copy(&r, conf, "--only-failed", NULL, NULL), 0);
	assert_null(strstr(r.out, "\"public\".\"a\""));
	assert_non_null(strstr(r.out, "\"public\".\"narrow\""));
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a"), 501);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM narrow"), 2);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM missing"), 2);
	/* nothing failed any more */
	assert_int_equal(run_copy(&r, conf, "--only-failed", NULL, NULL), 0);
	tu_run_done(&r);

	/* append adds; skip-existing leaves a non-empty table alone and fills an empty one */
	tu_exec(d, "TRUNCATE missing");
	const char *args_append[] = { "copy", "-c", conf, "--plain", "--mode", "append", "--table", "public.a", NULL };
	assert_int_equal(tu_run_gp2adb(&r, args_append), 0);
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a"), 1001);
	const char *args_skip[] = { "copy", "-c", conf, "--json", "--mode", "skip-existing", NULL };
	assert_int_equal(tu_run_gp2adb(&r, args_skip), 0);
	assert_non_null(strstr(r.out, "\"tables_skipped\": 2"));
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a"), 1001);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM missing"), 2);
	/* truncate (the default) replaces */
	assert_int_equal(run_copy(&r, conf, NULL, NULL, NULL), 0);
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM a"), 500);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

static void test_split_truncated_once_and_resume(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "src3");
	tu_createdb(TU_DST, "dst3");
	PGconn *s = tu_connect(TU_SRC, "src3"), *d = tu_connect(TU_DST, "dst3");
	const char *ddl = "CREATE TABLE big (id int PRIMARY KEY, pad text);";
	tu_exec(s, ddl);
	tu_exec(d, ddl);
	tu_exec(s, "INSERT INTO big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g;");
	tu_exec(s, "VACUUM ANALYZE big");
	ct_wait_counted("src3", "big", "inserted", 40000);
	/* rows that a truncation must remove */
	tu_exec(d, "INSERT INTO big SELECT -g, 'stale' FROM generate_series(1, 1000) g;");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "src3", "dst3", "migration = { jobs = 3; split_threshold_mb = 1; };\n");
	struct tu_run r;
	assert_int_equal(run_copy(&r, conf, NULL, NULL, NULL), 0);
	tu_run_done(&r);
	const char *const tables[] = { "big", NULL };
	ct_assert_identical("src3", "dst3", tables);
	long long units = tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE unit_id <> 'truncate'");
	assert_true(units >= 5);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE unit_id = 'truncate'"), 1);

	/* As after a crash: the first unit's rows and marker are gone.  --resume
	 * must redo that unit only, without truncating the others' rows. */
	char *first = tu_value(d, "SELECT unit_id FROM gp2adb.copy_progress WHERE unit_id LIKE 'b0-%'");
	assert_non_null(first);
	long long end_block = atoll(strchr(first, '-') + 1);
	char *sql = xasprintf("SELECT string_agg(id::text, ',') FROM big WHERE ctid < '(%lld,0)'::tid", end_block);
	char *ids = tu_value(s, sql);
	free(sql);
	sql = xasprintf("DELETE FROM big WHERE id IN (%s); DELETE FROM gp2adb.copy_progress WHERE unit_id = '%s';"
			"INSERT INTO big VALUES (-5, 'kept: not truncated on resume')", ids, first);
	tu_exec(d, sql);
	free(sql);
	free(ids);
	free(first);
	assert_int_equal(run_copy(&r, conf, "--json", "--resume", NULL), 0);
	assert_non_null(strstr(r.out, "\"units_resumed\": "));
	char *resumed = strstr(r.out, "\"units_resumed\": ");
	assert_int_equal(atoll(resumed + strlen("\"units_resumed\": ")), units - 1);
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM big"), 40001);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM big WHERE id = -5"), 1);
	tu_exec(d, "DELETE FROM big WHERE id = -5");
	ct_assert_identical("src3", "dst3", tables);
	/* a run without --resume starts over: truncates once and copies everything */
	tu_exec(d, "INSERT INTO big VALUES (-6, 'stale')");
	assert_int_equal(run_copy(&r, conf, NULL, NULL, NULL), 0);
	tu_run_done(&r);
	ct_assert_identical("src3", "dst3", tables);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* Binary COPY would read the source type's bytes as the destination's:
 * timestamp read as timestamptz shifts every value by the destination's
 * zone, silently.  A table whose column types differ goes as text; a column
 * the destination lacks fails the table, named. */
static void test_destination_types_differ(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "src4");
	tu_createdb(TU_DST, "dst4");
	PGconn *s = tu_connect(TU_SRC, "src4"), *d = tu_connect(TU_DST, "dst4");
	tu_exec(s, "CREATE TABLE events (id int, at timestamp);"
		   "INSERT INTO events SELECT g, timestamp '2024-01-01 00:00' + g * interval '1 hour'\n"
		   "  FROM generate_series(1, 100) g;"
		   "CREATE TABLE widened (n int); INSERT INTO widened SELECT generate_series(1, 10);"
		   "CREATE TABLE extra (id int, x text); INSERT INTO extra VALUES (1, 'x');");
	tu_exec(d, "ALTER DATABASE dst4 SET timezone = 'Asia/Shanghai';"
		   "CREATE TABLE events (id int, at timestamptz); CREATE TABLE widened (n bigint);"
		   "CREATE TABLE extra (id int);");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "src4", "dst4", "migration = { format = \"auto\"; };\n");
	struct tu_run r;
	int rc = run_copy(&r, conf, NULL, NULL, NULL);
	PQfinish(d);
	d = tu_connect(TU_DST, "dst4");
	/* each value means the same wall-clock time in the destination's zone */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM events"), 100);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM events WHERE (at AT TIME ZONE 'Asia/Shanghai') = "
				     "timestamp '2024-01-01 00:00' + id * interval '1 hour'"), 100);
	assert_int_equal(tu_count(d, "SELECT sum(n) FROM widened"), 55);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM extra"), 0);
	assert_int_equal(rc, 3);
	assert_non_null(strstr(r.err, "\"at\" is timestamp on the source and timestamptz on the destination"));
	assert_non_null(strstr(r.out, "the destination table has no column \"x\""));
	tu_run_done(&r);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_names_partitions),
		cmocka_unit_test(test_failures_modes_only_failed),
		cmocka_unit_test(test_split_truncated_once_and_resume),
		cmocka_unit_test(test_destination_types_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
