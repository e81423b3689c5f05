/* wire_estimate: the bytes a table is expected to move, before and while it
 * is copied; a running table never shows 100%, a finished one shows what it
 * moved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "wire_estimate.h"

static void test_initial(void **state)
{
	(void)state;
	/* rows times the width of a row in the format */
	struct wire_facts f = { .rows_est = 1000, .disk_bytes = 8192, .row_text = 40.5, .row_binary = 60 };
	assert_int_equal(wire_estimate_initial(&f, false), 40500);
	assert_int_equal(wire_estimate_initial(&f, true), 60000);
	/* no row count: the size on disk, uncompressed where the ratio is known */
	f.rows_est = 0;
	assert_int_equal(wire_estimate_initial(&f, false), 8192);
	f.compression = 4.5;
	assert_int_equal(wire_estimate_initial(&f, true), 36864);
	f.rows_est = -1;
	f.disk_bytes = 0;
	assert_int_equal(wire_estimate_initial(&f, false), 0);
}

static void test_live(void **state)
{
	(void)state;
	/* too few rows seen: the estimate holds */
	assert_int_equal(wire_estimate_live(50000, 1000, 200, 5, false), 50000);
	/* then the rows left at the width measured: 100 rows of 80 bytes,
	 * 900 to go */
	assert_int_equal(wire_estimate_live(50000, 1000, 8000, 100, false), 80000);
	/* an estimate overtaken (stale reltuples, a compressed size on disk):
	 * above what moved while running */
	long long e = wire_estimate_live(1000, 100, 5000, 200, false);
	assert_true(e > 5000);
	e = wire_estimate_live(1000, -1, 5000, 200, false);
	assert_true(e > 5000 && e < 5200);
	/* done: what it moved, whatever was estimated */
	assert_int_equal(wire_estimate_live(50000, 1000, 61234, 1000, true), 61234);
	assert_int_equal(wire_estimate_live(50000, 1000, 0, 0, true), 0);
	/* nothing moved yet and nothing known: still more than nothing */
	assert_true(wire_estimate_live(0, -1, 0, 0, false) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial),
		cmocka_unit_test(test_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
