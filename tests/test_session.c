/* session and encoding, the parts that need no server: which
 * extra_float_digits a server version is asked for, encoding names, and
 * the wire encoding chosen for each pair of server encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "session.h"
#include "strbuf.h"

static void test_float_digits(void **state)
{
	(void)state;
	assert_int_equal(session_float_digits(80222), 2);   /* Greenplum 4.3 */
	assert_int_equal(session_float_digits(80323), 2);   /* Greenplum 5 */
	assert_int_equal(session_float_digits(90426), 3);   /* Greenplum 6 */
	assert_int_equal(session_float_digits(120012), 3);  /* Greenplum 7 */
	struct strbuf sb;
	strbuf_init(&sb);
	session_copy_sql(&sb, 80222);
	assert_non_null(strstr(sb.data, "SET extra_float_digits = 2;\n"));
	assert_non_null(strstr(sb.data, "SET DateStyle = 'ISO, MDY';\n"));
	assert_null(strstr(sb.data, "IntervalStyle"));      /* 8.4 and later */
	assert_null(strstr(sb.data, "bytea_output"));       /* 9.0 and later */
	strbuf_reset(&sb);
	session_copy_sql(&sb, 90426);
	assert_non_null(strstr(sb.data, "SET extra_float_digits = 3;\n"));
	assert_non_null(strstr(sb.data, "SET IntervalStyle = 'postgres';\n"));
	assert_non_null(strstr(sb.data, "SET bytea_output = 'hex';\n"));
	assert_non_null(strstr(sb.data, "SET TimeZone = 'UTC';\n"));
	assert_null(strstr(sb.data, "row_security"));       /* 9.5 and later */
	strbuf_done(&sb);
}

static void test_canonical_names(void **state)
{
	(void)state;
	char n[32];
	assert_true(encoding_canonical("utf-8", n, sizeof n));
	assert_string_equal(n, "UTF8");
	assert_true(encoding_canonical("Unicode", n, sizeof n));
	assert_string_equal(n, "UTF8");
	assert_true(encoding_canonical("ISO-8859-1", n, sizeof n));
	assert_string_equal(n, "LATIN1");
	assert_true(encoding_canonical("iso_8859_5", n, sizeof n));
	assert_string_equal(n, "ISO_8859_5");
	assert_true(encoding_canonical("euc-cn", n, sizeof n));
	assert_string_equal(n, "EUC_CN");
	assert_true(encoding_canonical("WIN936", n, sizeof n));
	assert_string_equal(n, "GBK");
	assert_true(encoding_canonical("Shift_JIS", n, sizeof n));
	assert_string_equal(n, "SJIS");
	assert_false(encoding_canonical("klingon", n, sizeof n));
	assert_false(encoding_canonical("", n, sizeof n));
	assert_true(encoding_embeds_ascii("GBK"));
	assert_true(encoding_embeds_ascii("BIG5"));
	assert_false(encoding_embeds_ascii("EUC_CN"));
	assert_false(encoding_embeds_ascii("UTF8"));
}

static void expect(const char *src, const char *dst, const char *declared, enum encoding_verdict v,
		   const char *wire, bool converts, bool blocks)
{
	struct encoding_plan e;
	encoding_decide(src, dst, declared, &e);
	if (e.verdict != v || strcmp(e.wire, wire) != 0)
		fail_msg("%s -> %s (declared %s): verdict %d wire %s, expected %d %s", src, dst,
			 declared ? declared : "-", e.verdict, e.wire, v, wire);
	assert_int_equal(encoding_converts(&e), converts);
	assert_int_equal(encoding_blocks(&e), blocks);
}

static void test_decide(void **state)
{
	(void)state;
	expect("UTF8", "UTF8", NULL, ENC_SAME, "UTF8", false, false);
	expect("LATIN1", "UTF8", NULL, ENC_CONVERT, "UTF8", true, false);
	expect("EUC_CN", "UTF8", NULL, ENC_CONVERT, "UTF8", true, false);
	expect("UTF8", "LATIN1", NULL, ENC_CONVERT, "LATIN1", true, false);
	expect("SQL_ASCII", "UTF8", NULL, ENC_UNDECLARED, "UTF8", false, true);
	expect("SQL_ASCII", "UTF8", "gbk", ENC_DECLARED, "GBK", true, false);
	expect("SQL_ASCII", "UTF8", "UTF8", ENC_DECLARED, "UTF8", true, false);
	expect("SQL_ASCII", "SQL_ASCII", NULL, ENC_SAME, "SQL_ASCII", false, false);
	expect("LATIN1", "SQL_ASCII", NULL, ENC_INTO_SQL_ASCII, "LATIN1", false, false);
	expect("LATIN1", "UTF8", "GBK", ENC_CONFLICT, "LATIN1", false, true);
	/* declaring what the source already says is harmless */
	expect("LATIN1", "UTF8", "latin-1", ENC_CONVERT, "UTF8", true, false);

	struct encoding_plan e;
	encoding_decide("LATIN1", "UTF8", NULL, &e);
	char *p = encoding_problem(&e, FORMAT_BINARY);
	assert_non_null(p);
	assert_non_null(strstr(p, "binary"));
	free(p);
	assert_null(encoding_problem(&e, FORMAT_AUTO));
	encoding_decide("SQL_ASCII", "UTF8", NULL, &e);
	p = encoding_problem(&e, FORMAT_AUTO);
	assert_non_null(strstr(p, "migration.source_encoding"));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_float_digits),
		cmocka_unit_test(test_canonical_names),
		cmocka_unit_test(test_decide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
