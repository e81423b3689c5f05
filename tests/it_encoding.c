/* Server encodings on real servers: LATIN1, EUC_CN and SQL_ASCII (holding
 * GBK, with migration.source_encoding) sources copied into a UTF8
 * destination arrive as the same characters; `check` reports
 * encoding.mismatch with the remedy; bytes that are not in the declared
 * encoding fail their table by name; a source that cannot be converted to
 * the destination's encoding is refused, not copied byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "preflight.h"
#include "findings_tu.h"
#include "testutil.h"

static void createdb(enum tu_side side, const char *db, const char *encoding)
{
	PGconn *c = tu_connect(side, "postgres");
	char *sql = xasprintf("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", db);
	tu_exec(c, sql);
	free(sql);
	sql = xasprintf("CREATE DATABASE \"%s\" ENCODING '%s' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
			db, encoding);
	tu_exec(c, sql);
	free(sql);
	PQfinish(c);
}

static const char table_sql[] =
	"CREATE TABLE t (id int PRIMARY KEY, s text, v varchar(12), c char(6), a text[]);\n";

/* Each source's rows, written in UTF-8 (the test session converts them). */
static const char latin1_rows[] =
	"INSERT INTO t VALUES (1, 'café crème', 'naïve', 'Ærø', '{ÿ,\"ß x\",\"\\\\\"}'),\n"
	"    (2, 'plain', 'x', 'y', '{}'), (3, 'µ±×÷ ¼½¾', 'Ñandú', 'Ü', NULL);\n";
static const char latin1_expected[] =
	"1|café crème|naïve|Ærø|{ÿ,\"ß x\",\"\\\\\"}\n2|plain|x|y|{}\n3|µ±×÷ ¼½¾|Ñandú|Ü|";
static const char euc_cn_rows[] =
	"INSERT INTO t VALUES (1, '中文数据库', '表格', '功能', '{价格,\"数 据\"}'), (2, 'ascii', 'a', 'b', '{}');\n";
static const char euc_cn_expected[] =
	"1|中文数据库|表格|功能|{价格,\"数 据\"}\n2|ascii|a|b|{}";
/* GBK bytes in a SQL_ASCII database: 中文, 乗 (0x81 0x5c) and 嘰 (0x87 0x5c),
 * whose second byte is a backslash, and 中 in an array. */
static const char sql_ascii_rows[] =
	"INSERT INTO t VALUES (1, convert_from('\\xd6d0cec4'::bytea, 'SQL_ASCII'),\n"
	"    convert_from('\\x815c875c'::bytea, 'SQL_ASCII'), 'ab', ARRAY[convert_from('\\xd6d0'::bytea, 'SQL_ASCII')]),\n"
	"    (2, 'ascii', 'a', 'b', '{}');\n";
static const char sql_ascii_expected[] = "1|中文|乗嘰|ab|{中}\n2|ascii|a|b|{}";

static char *rows_text(enum tu_side side, const char *db, const char *client_encoding)
{
	PGconn *c = tu_connect(side, db);
	if (client_encoding) {
		char *sql = xasprintf("SET client_encoding = '%s'", client_encoding);
		tu_exec(c, sql);
		free(sql);
	}
	char *v = tu_value(c, "SELECT string_agg(id || '|' || s || '|' || v || '|' || c || '|' || coalesce(a::text, ''),\n"
			      "    E'\\n' ORDER BY id) FROM t");
	PQfinish(c);
	return v;
}

static void load_source(const char *db, const char *encoding, const char *rows)
{
	createdb(TU_SRC, db, encoding);
	PGconn *s = tu_connect(TU_SRC, db);
	if (strcmp(encoding, "SQL_ASCII") != 0)
		tu_exec(s, "SET client_encoding = 'UTF8'");
	tu_exec(s, table_sql);
	tu_exec(s, rows);
	PQfinish(s);
}

static void load_destination(const char *db, const char *encoding)
{
	createdb(TU_DST, db, encoding);
	PGconn *d = tu_connect(TU_DST, db);
	tu_exec(d, table_sql);
	PQfinish(d);
}

static int run(struct tu_run *r, const char *cmd, const char *conf)
{
	const char *args[] = { cmd, "-c", conf, "--plain", NULL };
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "%s rc=%d\n--- out\n%s--- err\n%s", cmd, rc, r->out, r->err);
	return rc;
}

/* The encoding.mismatch finding of check between the two databases. */
static void expect_finding(const char *src_db, const char *dst_db, const char *declared, enum severity sev,
			   const char *in_remedy)
{
	struct plan p;
	plan_init(&p);
	tu_endpoint(&p.source, TU_SRC, src_db);
	tu_endpoint(&p.destination, TU_DST, dst_db);
	if (declared)
		p.source_encoding = xstrdup(declared);
	PGconn *src = tu_connect(TU_SRC, src_db), *dst = tu_connect(TU_DST, dst_db);
	struct findings f = { 0 };
	struct preflight_facts facts;
	struct preflight_options opt = { 0 };
	char err[300];
	assert_true(preflight_run(&p, src, dst, &opt, &f, &facts, err, sizeof err));
	const struct finding *x = ftu_expect(&f, "encoding.mismatch", sev);
	if (in_remedy && (!x->remedy || !strstr(x->remedy, in_remedy)))
		fail_msg("encoding.mismatch remedy lacks '%s': %s", in_remedy, x->remedy ? x->remedy : "(none)");
	findings_free(&f);
	PQfinish(src);
	PQfinish(dst);
	plan_done(&p);
}

/* Copy src_db into a fresh UTF8 database and compare the characters. */
static void copy_converts(const char *src_db, const char *encoding, const char *rows, const char *expected,
			  const char *format, const char *extra)
{
	load_source(src_db, encoding, rows);
	load_destination("u8", "UTF8");
	char *dir = tu_tmpdir();
	char *migration = xasprintf("migration = { jobs = 2; format = \"%s\";%s };\n", format, extra ? extra : "");
	char *conf = tu_write_config(dir, src_db, "u8", migration);
	struct tu_run r;
	int rc = run(&r, "copy", conf);
	if (rc != 0)
		fail_msg("copy from %s exited %d:\n%s%s", encoding, rc, r.out, r.err);
	tu_run_done(&r);
	char *got = rows_text(TU_DST, "u8", NULL);
	assert_string_equal(got, expected);
	free(got);
	if (strcmp(encoding, "SQL_ASCII") != 0) {
		got = rows_text(TU_SRC, src_db, "UTF8");
		assert_string_equal(got, expected);
		free(got);
	}
	free(conf);
	free(migration);
	free(dir);
}

static void test_latin1_to_utf8(void **state)
{
	(void)state;
	copy_converts("lat", "LATIN1", latin1_rows, latin1_expected, "text", NULL);
	copy_converts("lat", "LATIN1", latin1_rows, latin1_expected, "auto", NULL);
	expect_finding("lat", "u8", NULL, SEV_INFO, NULL);
	/* binary COPY converts only the types whose send functions do: an
	 * explicit format binary is refused before anything is copied */
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "lat", "u8", "migration = { format = \"binary\"; };\n");
	struct tu_run r;
	assert_int_equal(run(&r, "copy", conf), 2);
	assert_non_null(strstr(r.err, "binary"));
	tu_run_done(&r);
	free(conf);

	/* names that are not ASCII: the copy finds the table on both sides, and
	 * validate pairs it with its copy */
	static const char named[] = "CREATE TABLE \"données\" (\"clé\" int PRIMARY KEY, \"libellé\" text);\n";
	PGconn *c = tu_connect(TU_SRC, "lat");
	tu_exec(c, "SET client_encoding = 'UTF8'");
	tu_exec(c, named);
	tu_exec(c, "INSERT INTO \"données\" SELECT g, 'été ' || g FROM generate_series(1, 300) g");
	PQfinish(c);
	c = tu_connect(TU_DST, "u8");
	tu_exec(c, named);
	PQfinish(c);
	conf = tu_write_config(dir, "lat", "u8", "migration = { validate = \"checksum\"; };\n");
	assert_int_equal(run(&r, "copy", conf), 0);
	tu_run_done(&r);
	c = tu_connect(TU_DST, "u8");
	assert_int_equal(tu_count(c, "SELECT count(*) FROM \"données\" WHERE \"libellé\" LIKE 'été %'"), 300);
	PQfinish(c);
	assert_int_equal(run(&r, "validate", conf), 0);
	assert_non_null(strstr(r.out, "summary: 2 match, 0 differ, 0 missing, 0 extra, 0 error"));
	assert_non_null(strstr(r.out, "match    \"public\".\"données\""));
	tu_run_done(&r);
	free(conf);
	free(dir);
}

static void test_euc_cn_to_utf8(void **state)
{
	(void)state;
	copy_converts("euc", "EUC_CN", euc_cn_rows, euc_cn_expected, "auto", NULL);
	expect_finding("euc", "u8", NULL, SEV_INFO, NULL);
}

static void test_sql_ascii_declared_gbk(void **state)
{
	(void)state;
	copy_converts("asc", "SQL_ASCII", sql_ascii_rows, sql_ascii_expected, "auto",
		      " source_encoding = \"GBK\";");
	/* undeclared: blocking, with the key that resolves it */
	expect_finding("asc", "u8", NULL, SEV_FAIL, "source_encoding");
	expect_finding("asc", "u8", "GBK", SEV_INFO, NULL);
}

/* Undeclared SQL_ASCII: the copy refuses before it moves a byte. */
static void test_sql_ascii_undeclared_refused(void **state)
{
	(void)state;
	load_source("asc2", "SQL_ASCII", sql_ascii_rows);
	load_destination("u8b", "UTF8");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "asc2", "u8b", "migration = { jobs = 1; };\n");
	struct tu_run r;
	assert_int_equal(run(&r, "copy", conf), 2);
	assert_non_null(strstr(r.err, "SQL_ASCII"));
	assert_non_null(strstr(r.err, "migration.source_encoding"));
	tu_run_done(&r);
	PGconn *d = tu_connect(TU_DST, "u8b");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM t"), 0);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* Bytes that are not GBK fail their table, by name; the other table is copied. */
static void test_sql_ascii_invalid_bytes_fail_the_table(void **state)
{
	(void)state;
	load_source("asc3", "SQL_ASCII", sql_ascii_rows);
	PGconn *s = tu_connect(TU_SRC, "asc3");
	tu_exec(s, "CREATE TABLE bad (id int, s text);\n"
		   "INSERT INTO bad VALUES (1, 'fine'), (2, convert_from('\\x41808041'::bytea, 'SQL_ASCII'));\n");
	PQfinish(s);
	load_destination("u8c", "UTF8");
	PGconn *d = tu_connect(TU_DST, "u8c");
	tu_exec(d, "CREATE TABLE bad (id int, s text);\n");
	PQfinish(d);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "asc3", "u8c", "migration = { jobs = 2; source_encoding = \"GBK\"; };\n");
	struct tu_run r;
	assert_int_equal(run(&r, "copy", conf), 3);
	/* the failed table is named with the bytes that are not GBK */
	const char *line = strstr(r.out, "FAILED \"public\".\"bad\"");
	assert_non_null(line);
	assert_non_null(strstr(line, "0x80"));
	assert_non_null(strstr(line, "GBK"));
	assert_non_null(strstr(line, "line 2"));
	assert_null(strstr(r.out, "FAILED \"public\".\"t\""));
	tu_run_done(&r);
	char *got = rows_text(TU_DST, "u8c", NULL);
	assert_string_equal(got, sql_ascii_expected);
	free(got);
	d = tu_connect(TU_DST, "u8c");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM bad"), 0);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* EUC_CN has no conversion to LATIN1: refused by check and by copy,
 * instead of Chinese bytes stored as Latin-1 letters. */
static void test_no_conversion_refused(void **state)
{
	(void)state;
	load_source("euc2", "EUC_CN", euc_cn_rows);
	load_destination("lat2", "LATIN1");
	expect_finding("euc2", "lat2", NULL, SEV_FAIL, NULL);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "euc2", "lat2", "migration = { jobs = 1; };\n");
	struct tu_run r;
	int rc = run(&r, "copy", conf);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(r.err, "EUC_CN"));
	assert_non_null(strstr(r.err, "LATIN1"));
	tu_run_done(&r);
	PGconn *d = tu_connect(TU_DST, "lat2");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM t"), 0);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* UTF8 into LATIN1: the source converts, and a character LATIN1 lacks
 * fails its table by name with the bytes; the other table arrives. */
static void test_utf8_to_latin1_lossy(void **state)
{
	(void)state;
	load_source("u8src", "UTF8", "INSERT INTO t VALUES (1, 'déjà vu', 'x', 'y', '{}');\n"
				      "CREATE TABLE wide (id int, s text);\n"
				      "INSERT INTO wide VALUES (1, 'ok'), (2, '中');\n");
	load_destination("lat3", "LATIN1");
	PGconn *d = tu_connect(TU_DST, "lat3");
	tu_exec(d, "CREATE TABLE wide (id int, s text);\n");
	PQfinish(d);
	expect_finding("u8src", "lat3", NULL, SEV_WARN, "UTF8");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "u8src", "lat3", "migration = { jobs = 2; };\n");
	struct tu_run r;
	assert_int_equal(run(&r, "copy", conf), 3);
	const char *line = strstr(r.out, "FAILED \"public\".\"wide\"");
	assert_non_null(line);
	assert_non_null(strstr(line, "source: "));
	assert_non_null(strstr(line, "0xe4 0xb8 0xad"));
	assert_null(strstr(r.out, "FAILED \"public\".\"t\""));
	tu_run_done(&r);
	char *got = rows_text(TU_DST, "lat3", "UTF8");
	assert_string_equal(got, "1|déjà vu|x|y|{}");
	free(got);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin1_to_utf8),
		cmocka_unit_test(test_euc_cn_to_utf8),
		cmocka_unit_test(test_sql_ascii_declared_gbk),
		cmocka_unit_test(test_sql_ascii_undeclared_refused),
		cmocka_unit_test(test_sql_ascii_invalid_bytes_fail_the_table),
		cmocka_unit_test(test_no_conversion_refused),
		cmocka_unit_test(test_utf8_to_latin1_lossy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
