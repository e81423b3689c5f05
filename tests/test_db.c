/* db: conninfo masking, error classification, identifier quoting helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "strbuf.h"

static void test_mask_keyword_form(void **state)
{
	(void)state;
	char *m = db_conninfo_masked("host=mdw port=5432 user=gpadmin password=s3cr3t dbname=w");
	assert_null(strstr(m, "s3cr3t"));
	assert_non_null(strstr(m, "password=****"));
	assert_non_null(strstr(m, "host=mdw"));
	assert_non_null(strstr(m, "user=gpadmin"));
	free(m);
}

static void test_mask_uri_form(void **state)
{
	(void)state;
	char *m = db_conninfo_masked("postgresql://adb:Hunter2%21@gp-xx.aliyuncs.com:5432/warehouse?sslmode=require");
	assert_null(strstr(m, "Hunter2"));
	assert_non_null(strstr(m, "password=****"));
	assert_non_null(strstr(m, "host=gp-xx.aliyuncs.com"));
	assert_non_null(strstr(m, "sslmode=require"));
	free(m);
}

static void test_mask_unparsable(void **state)
{
	(void)state;
	char *m = db_conninfo_masked("host='unterminated password=abc");
	assert_null(strstr(m, "abc"));
	free(m);
}

static void test_endpoint_describe_masks(void **state)
{
	(void)state;
	struct endpoint ep = { 0 };
	ep.host = "mdw";
	ep.port = 5432;
	ep.user = "gpadmin";
	ep.password = "topsecret";
	char *d = db_endpoint_describe(&ep);
	assert_null(strstr(d, "topsecret"));
	assert_non_null(strstr(d, "password=****"));
	assert_non_null(strstr(d, "port=5432"));
	free(d);
	struct endpoint empty = { 0 };
	d = db_endpoint_describe(&empty);
	assert_string_equal(d, "(libpq defaults)");
	free(d);
}

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(db_classify("57P01", false), DB_RETRY_YES);
	assert_int_equal(db_classify("40001", false), DB_RETRY_YES);
	assert_int_equal(db_classify("40P01", false), DB_RETRY_YES);
	assert_int_equal(db_classify("08006", false), DB_RETRY_YES);
	assert_int_equal(db_classify("53300", false), DB_RETRY_YES);
	/* Greenplum: a segment's backend gone ("MPP detected 1 segment failures") */
	assert_int_equal(db_classify("58M01", false), DB_RETRY_YES);
	assert_int_equal(db_classify("", true), DB_RETRY_YES);
	assert_int_equal(db_classify(NULL, false), DB_RETRY_NO);
	assert_int_equal(db_classify("23505", false), DB_RETRY_NO);
	assert_int_equal(db_classify("22P02", false), DB_RETRY_NO);
	assert_int_equal(db_classify("53100", false), DB_RETRY_NO);
	assert_int_equal(db_classify("42P01", false), DB_RETRY_NO);
	assert_int_equal(db_classify("57014", false), DB_RETRY_NO);
}

static void test_error_text(void **state)
{
	(void)state;
	struct db_error e = { 0 };
	char buf[128];
	strcpy(e.sqlstate, "23505");
	strcpy(e.message, "duplicate key value");
	assert_string_equal(db_error_text(&e, buf, sizeof buf), "23505: duplicate key value");
	e.sqlstate[0] = '\0';
	assert_string_equal(db_error_text(&e, buf, sizeof buf), "duplicate key value");
}

static void test_connect_refused_is_retryable(void **state)
{
	(void)state;
	struct endpoint ep = { 0 };
	ep.host = "127.0.0.1";
	ep.port = 1;        /* nothing listens on port 1 */
	ep.user = "nobody";
	ep.dbname = "none";
	ep.password = "p4ssw0rd";
	ep.connect_timeout = 2;
	struct db_error err;
	PGconn *c = db_connect(&ep, "test", &err);
	assert_null(c);
	assert_string_equal(err.sqlstate, "08001");
	assert_int_equal(err.retry, DB_RETRY_YES);
	assert_null(strstr(err.message, "p4ssw0rd"));
}

/* The text[] literal that catalog queries take as one parameter: every
 * name whole, quotes and backslashes escaped, commas and braces inside. */
static void test_text_array(void **state)
{
	(void)state;
	char *v[] = { "public.t", "a\"b", "c\\d", "x,y{z}", "" };
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_text_array(&sb, v, 0);
	assert_string_equal(sb.data, "{}");
	strbuf_reset(&sb);
	strbuf_text_array(&sb, v, 5);
	assert_string_equal(sb.data, "{\"public.t\",\"a\\\"b\",\"c\\\\d\",\"x,y{z}\",\"\"}");
	strbuf_done(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_keyword_form),
		cmocka_unit_test(test_text_array),
		cmocka_unit_test(test_mask_uri_form),
		cmocka_unit_test(test_mask_unparsable),
		cmocka_unit_test(test_endpoint_describe_masks),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_connect_refused_is_retryable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
