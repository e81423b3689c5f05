/* validate without a server: value comparison (exact decimals, float
 * tolerance, NULLs) and the drill-down planner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "validate.h"
#include "validate_compare.h"
#include "validate_drill.h"

static void hex_of(double d, char out[17])
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	snprintf(out, 17, "%016llx", (unsigned long long)bits);
}

static void test_decimal(void **state)
{
	(void)state;
	char b[64];
	assert_true(vcmp_decimal_normalize("-0012.3400", b, sizeof b));
	assert_string_equal(b, "-12.34");
	assert_true(vcmp_decimal_normalize("-0.000", b, sizeof b));
	assert_string_equal(b, "0");
	assert_true(vcmp_decimal_normalize("100", b, sizeof b));
	assert_string_equal(b, "100");
	assert_true(vcmp_decimal_normalize(".5", b, sizeof b));
	assert_string_equal(b, "0.5");
	assert_false(vcmp_decimal_normalize("12a", b, sizeof b));
	/* display scale differs between versions; the value does not */
	assert_true(vcmp_equal(VCMP_DECIMAL, "2.5000000000000000", "2.50", 0, 0));
	assert_false(vcmp_equal(VCMP_DECIMAL, "2.5000000000000001", "2.5", 0, 0));
	assert_false(vcmp_equal(VCMP_DECIMAL, "55548510.00", "55548510.01", 0, 0));
	assert_true(vcmp_equal(VCMP_DECIMAL, "NaN", "NaN", 0, 0));
	assert_false(vcmp_equal(VCMP_DECIMAL, "NaN", "0", 0, 0));
	assert_false(vcmp_equal(VCMP_DECIMAL, "-1", "1", 0, 0));
	/* integers are exact, however large */
	assert_false(vcmp_equal(VCMP_DECIMAL, "9223372036854775807000", "9223372036854775807001", 0, 0));
}

static void test_nulls(void **state)
{
	(void)state;
	assert_true(vcmp_equal(VCMP_DECIMAL, NULL, NULL, 0, 0));
	assert_false(vcmp_equal(VCMP_DECIMAL, NULL, "0", 0, 0));
	assert_false(vcmp_equal(VCMP_TEXT, "2024-01-01", NULL, 0, 0));
	assert_false(vcmp_equal(VCMP_FLOAT, NULL, "0000000000000000", 1e9, 1e-9));
	char buf[32];
	vcmp_display(VCMP_FLOAT, NULL, buf, sizeof buf);
	assert_string_equal(buf, "NULL");
}

static void test_float_tolerance(void **state)
{
	(void)state;
	char a[17], b[17];
	/* the same sum in another order: a last-digit difference matches */
	hex_of(0.1 + 0.2 + 0.3, a);
	hex_of(0.3 + 0.2 + 0.1, b);
	assert_string_not_equal(a, b);
	assert_true(vcmp_equal(VCMP_FLOAT, a, b, 0.6, VALIDATE_FLOAT_TOLERANCE));
	/* min and max are exact: no arithmetic, no excuse */
	assert_false(vcmp_equal(VCMP_FLOAT_EXACT, a, b, 0.6, VALIDATE_FLOAT_TOLERANCE));
	/* a real difference does not */
	hex_of(1000.0, a);
	hex_of(1000.001, b);
	assert_false(vcmp_equal(VCMP_FLOAT, a, b, 1000.0, VALIDATE_FLOAT_TOLERANCE));
	/* cancellation: a sum near zero is judged against the sum of |x| */
	assert_true(vcmp_float_close(1e-7, 3e-7, 1e3, VALIDATE_FLOAT_TOLERANCE));
	assert_false(vcmp_float_close(1e-7, 3e-7, 1.0, VALIDATE_FLOAT_TOLERANCE));
	/* NaN and infinities */
	assert_true(vcmp_float_close(NAN, NAN, 0, 1e-9));
	assert_false(vcmp_float_close(NAN, 1, 0, 1e-9));
	assert_true(vcmp_float_close(INFINITY, INFINITY, 0, 1e-9));
	assert_false(vcmp_float_close(INFINITY, -INFINITY, 0, 1e-9));
	assert_false(vcmp_float_close(INFINITY, 1e308, 1e308, 1e-9));
	hex_of(NAN, a);
	hex_of(-NAN, b);
	assert_true(vcmp_equal(VCMP_FLOAT_EXACT, a, b, 0, 0));
	double d;
	assert_true(vcmp_float_hex("3ff0000000000000", &d));
	assert_true(d == 1.0);
	assert_false(vcmp_float_hex("3ff00000", &d));
	assert_false(vcmp_float_hex("3ff000000000000g", &d));
	char buf[32];
	vcmp_display(VCMP_FLOAT, "3ff8000000000000", buf, sizeof buf);
	assert_string_equal(buf, "1.5");
}

static void test_drill_planner(void **state)
{
	(void)state;
	assert_int_equal(drill_first_len(500, 500), 0);
	assert_int_equal(drill_first_len(501, 500), DRILL_DIGITS_PER_LEVEL);
	struct drill_bucket b = { "abc", { 10, 10 }, { "123", "123" } };
	assert_int_equal(drill_classify(&b, 3, 500), DRILL_SAME);
	strcpy(b.sum[1], "124");
	assert_int_equal(drill_classify(&b, 3, 500), DRILL_FETCH);
	b.rows[0] = 100000;
	assert_int_equal(drill_classify(&b, 3, 500), DRILL_DESCEND);
	/* equal sums but different counts still differ */
	struct drill_bucket c = { "abc", { 0, 1 }, { "", "" } };
	assert_int_equal(drill_classify(&c, 3, 500), DRILL_FETCH);
	/* no digits left to split on: list the rows */
	b.rows[1] = 100000;
	assert_int_equal(drill_classify(&b, 30, 500), DRILL_FETCH);
}

static struct drill_row *rows(const char *const *kv, size_t n)
{
	struct drill_row *r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++) {
		r[i].key = xstrdup(kv[2 * i]);
		r[i].hash = xstrdup(kv[2 * i + 1]);
	}
	return r;
}

static void rows_free(struct drill_row *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].key);
		free(r[i].hash);
	}
	free(r);
}

static void test_drill_diff(void **state)
{
	(void)state;
	static const char *const src[] = { "(1)", "a", "(2)", "b", "(3)", "c", "(4)", "d", "(6)", "f" };
	static const char *const dst[] = { "(4)", "d", "(3)", "C", "(1)", "a", "(5)", "e", "(6)", "f", "(6)", "f" };
	struct drill_row *s = rows(src, 5), *d = rows(dst, 6);
	char **out = NULL;
	size_t count = 0;
	bool more = false;
	drill_diff(s, 5, d, 6, &out, &count, 10, &more);
	assert_int_equal(count, 4);
	assert_false(more);
	assert_string_equal(out[0], "(2) missing on destination");
	assert_string_equal(out[1], "(3) changed");
	assert_string_equal(out[2], "(5) extra on destination");
	assert_string_equal(out[3], "(6) duplicated on destination");
	assert_null(out[4]);
	strv_free(out);

	/* the limit: the first differences only, and a flag */
	out = NULL;
	count = 0;
	drill_diff(s, 5, d, 6, &out, &count, 2, &more);
	assert_int_equal(count, 2);
	assert_true(more);
	strv_free(out);
	rows_free(s, 5);
	rows_free(d, 6);

	/* identical multisets in another order: nothing */
	static const char *const x[] = { "(1)", "a", "(1)", "a", "(2)", "b" };
	static const char *const y[] = { "(2)", "b", "(1)", "a", "(1)", "a" };
	s = rows(x, 3);
	d = rows(y, 3);
	out = NULL;
	count = 0;
	more = false;
	drill_diff(s, 3, d, 3, &out, &count, 10, &more);
	assert_null(out);
	rows_free(s, 3);
	rows_free(d, 3);
}

static void test_checks_text(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(validate_checks_text(VCHECK_COUNT | VCHECK_CHECKSUM, buf, sizeof buf), "count,checksum");
	assert_string_equal(validate_checks_text(0, buf, sizeof buf), "");
	assert_string_equal(validate_status_name(VALIDATE_EXTRA), "extra");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_float_tolerance),
		cmocka_unit_test(test_drill_planner),
		cmocka_unit_test(test_drill_diff),
		cmocka_unit_test(test_checks_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
