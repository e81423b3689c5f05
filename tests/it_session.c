/* Session settings on real servers.  A source whose database defaults are
 * those of an old server (extra_float_digits 0, DateStyle SQL, DMY, ...)
 * and which refuses extra_float_digits = 3 the way PostgreSQL 8.2/8.3-based
 * Greenplum 4.3 and 5 do (tests/pgproxy.c, a stand-in in front of a real
 * server) is copied in text format: every float8 digit, date, interval and
 * timestamp must arrive unchanged.  A setting the server refuses is
 * reported with the server and the setting, and takes no other with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "pgproxy.h"
#include "session.h"
#include "testutil.h"

/* What old servers print by default, and what an operator's database may
 * say: each one changes the text COPY sends. */
static const char hostile_defaults[] =
	"ALTER DATABASE %s SET extra_float_digits = 0;\n"
	"ALTER DATABASE %s SET DateStyle = 'SQL, DMY';\n"
	"ALTER DATABASE %s SET IntervalStyle = 'sql_standard';\n"
	"ALTER DATABASE %s SET TimeZone = 'Asia/Kathmandu';\n"
	"ALTER DATABASE %s SET bytea_output = 'escape';\n";

static const char table_sql[] =
	"CREATE TABLE t (id int PRIMARY KEY, f8 float8, f4 float4, fa float8[], d date, ts timestamptz,\n"
	"                iv interval, b bytea);\n";

/* float8 values that need all 17 significant digits, dates past the 12th
 * (DMY and MDY disagree), timestamps before 1901 (local mean time offsets
 * with seconds), intervals with mixed signs. */
static const char rows_sql[] =
	"INSERT INTO t SELECT g, g / 7.0 + g * 1e-13, (g / 3.0)::float4, ARRAY[g / 11.0, 1 / (g + 0.3)],\n"
	"    date '2024-01-13' + g, timestamptz '1890-01-01 00:00:00+00' + g * interval '37 days 1.25 seconds',\n"
	"    g * interval '-1 day' + g * interval '1.5 seconds', decode(md5(g::text), 'hex')\n"
	"FROM generate_series(1, 500) g;\n";

static void exec_fmt(PGconn *c, const char *fmt, const char *db)
{
	char *sql = xasprintf(fmt, db, db, db, db, db);
	tu_exec(c, sql);
	free(sql);
}

/* The rows in a form that is exact whatever the session prints: the
 * bits of every float, dates and instants as numbers. */
static char *digest(enum tu_side side, const char *db)
{
	PGconn *c = tu_connect(side, db);
	char *v = tu_value(c,
		"SELECT count(*) || ' ' || md5(string_agg(id || ':' || encode(float8send(f8), 'hex') || ':' ||\n"
		"    encode(float4send(f4), 'hex') || ':' || encode(float8send(fa[1]), 'hex') ||\n"
		"    encode(float8send(fa[2]), 'hex') || ':' || (d - date '2000-01-01') || ':' ||\n"
		"    extract(epoch FROM ts) || ':' || extract(epoch FROM iv) || ':' || encode(b, 'hex'), ','\n"
		"    ORDER BY id)) FROM t");
	PQfinish(c);
	return v;
}

static int run_copy(struct tu_run *r, const char *conf)
{
	const char *args[] = { "copy", "-c", conf, "--plain", NULL };
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r->out, r->err);
	return rc;
}

/* Copy oldsrc (with these database defaults) through the stand-in into
 * olddst in text format, and compare every value exactly. */
static void copy_through_old_server(const char *defaults)
{
	tu_createdb(TU_SRC, "oldsrc");
	tu_createdb(TU_DST, "olddst");
	PGconn *s = tu_connect(TU_SRC, "oldsrc");
	tu_exec(s, table_sql);
	tu_exec(s, rows_sql);
	exec_fmt(s, defaults, "oldsrc");
	PQfinish(s);
	PGconn *d = tu_connect(TU_DST, "olddst");
	tu_exec(d, table_sql);
	PQfinish(d);

	struct pgproxy *proxy = pgproxy_start(tu_port(TU_SRC));
	char *dir = tu_tmpdir();
	char *conf = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf(
		"source = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"oldsrc\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"olddst\"; };\n"
		"state_dir = \"%s/state\";\n"
		"migration = { jobs = 2; format = \"text\"; };\n",
		pgproxy_port(proxy), tu_port(TU_DST), dir);
	tu_write_file(conf, text, 0600);
	struct tu_run r;
	int rc = run_copy(&r, conf);
	int refused = pgproxy_refusals(proxy);
	pgproxy_stop(proxy);
	if (rc != 0)
		fail_msg("copy exited %d:\n%s%s", rc, r.out, r.err);
	/* the stand-in was asked for 3 digits and refused them */
	assert_true(refused >= 1);
	tu_run_done(&r);

	char *a = digest(TU_SRC, "oldsrc"), *b = digest(TU_DST, "olddst");
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "500 "));
	free(a);
	free(b);
	free(text);
	free(conf);
	free(dir);
}

/* Only the float default of every server before PostgreSQL 12: the copy
 * succeeds either way, so lost digits would go unnoticed. */
static void test_text_copy_keeps_float_digits(void **state)
{
	(void)state;
	copy_through_old_server("ALTER DATABASE %s SET extra_float_digits = 0;\n");
}

static void test_text_copy_exact_with_old_defaults(void **state)
{
	(void)state;
	copy_through_old_server(hostile_defaults);
}

static char *show(PGconn *c, const char *name)
{
	char *sql = xasprintf("SHOW %s", name);
	char *v = tu_value(c, sql);
	free(sql);
	return v;
}

static void expect_setting(PGconn *c, const char *name, const char *want)
{
	char *v = show(c, name);
	if (strcmp(v, want) != 0)
		fail_msg("%s is '%s', expected '%s'", name, v, want);
	free(v);
}

/* EUC_CN has no conversion to LATIN1: SET client_encoding fails, the
 * message says where and what, and every other setting holds. */
static void test_refused_setting_reported_alone(void **state)
{
	(void)state;
	PGconn *c = tu_connect(TU_SRC, "postgres");
	tu_exec(c, "DROP DATABASE IF EXISTS euc WITH (FORCE)");
	tu_exec(c, "CREATE DATABASE euc ENCODING 'EUC_CN' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
	PQfinish(c);
	c = tu_connect(TU_SRC, "euc");
	exec_fmt(c, hostile_defaults, "euc");
	PQfinish(c);

	struct endpoint ep;
	tu_endpoint(&ep, TU_SRC, "euc");
	struct db_error err;
	c = db_connect(&ep, "test", &err);
	assert_non_null(c);
	assert_false(session_pin(c, SESSION_COPY, "LATIN1", "source", &err));
	char *where = xasprintf("source 127.0.0.1:%d/euc: cannot SET client_encoding = 'LATIN1': ", tu_port(TU_SRC));
	if (!strstr(err.message, where))
		fail_msg("message '%s' lacks '%s'", err.message, where);
	free(where);
	assert_int_equal(err.retry, DB_RETRY_NO);
	expect_setting(c, "extra_float_digits", "3");
	expect_setting(c, "DateStyle", "ISO, MDY");
	expect_setting(c, "IntervalStyle", "postgres");
	expect_setting(c, "TimeZone", "UTC");
	expect_setting(c, "bytea_output", "hex");
	expect_setting(c, "client_encoding", "EUC_CN");
	/* the same session pinned for comparing */
	assert_true(session_pin(c, SESSION_COMPARE, NULL, "source", &err));
	expect_setting(c, "extra_float_digits", "0");
	expect_setting(c, "bytea_output", "escape");
	expect_setting(c, "row_security", "off");
	PQfinish(c);
	free(ep.host);
	free(ep.user);
	free(ep.dbname);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_copy_keeps_float_digits),
		cmocka_unit_test(test_text_copy_exact_with_old_defaults),
		cmocka_unit_test(test_refused_setting_reported_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
