/* retry: faults while working are tried a few times with backoff; a
 * server that is away is waited for, up to the window, however many times
 * it is looked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "retry.h"

static void test_working_faults_back_off_and_stop(void **state)
{
	(void)state;
	struct retry r;
	retry_init(&r, 5, 300);
	double d, want[] = { 0.5, 1, 2, 4 };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(retry_next(&r, true, true, 10.0 + i, &d), RETRY_AGAIN);
		assert_true(d == want[i]);
	}
	assert_int_equal(retry_next(&r, true, true, 20, &d), RETRY_GIVE_UP);   /* the 5th try failed */
	/* a data error is never retried */
	retry_init(&r, 5, 300);
	assert_int_equal(retry_next(&r, false, true, 1, &d), RETRY_GIVE_UP);
	assert_int_equal(retry_next(&r, false, false, 1, &d), RETRY_GIVE_UP);
}

static void test_away_server_waited_for(void **state)
{
	(void)state;
	struct retry r;
	retry_init(&r, 5, 300);
	double d;
	/* the copy broke as the server went down: one try */
	assert_int_equal(retry_next(&r, true, true, 100, &d), RETRY_AGAIN);
	/* then refused, every 2 s, for most of the window: no tries spent */
	assert_int_equal(retry_next(&r, true, false, 101, &d), RETRY_WAIT);
	assert_true(d == 0.5);
	for (double t = 103; t < 398; t += 2) {
		assert_int_equal(retry_next(&r, true, false, t, &d), RETRY_WAIT);
		assert_true(d > 0 && d <= 2);
	}
	assert_true(retry_away_for(&r, 399) == 298);
	assert_int_equal(r.failed, 1);
	/* 300 s after it went away: given up */
	assert_int_equal(retry_next(&r, true, false, 401.5, &d), RETRY_GIVE_UP);

	/* back in time: the waiting is over, and the next working fault
	 * counts on from where the tries were */
	retry_init(&r, 3, 60);
	assert_int_equal(retry_next(&r, true, false, 10, &d), RETRY_WAIT);
	assert_int_equal(retry_next(&r, true, false, 50, &d), RETRY_WAIT);
	assert_int_equal(retry_next(&r, true, true, 55, &d), RETRY_AGAIN);
	assert_true(retry_away_for(&r, 56) == 0);
	assert_int_equal(retry_next(&r, true, false, 60, &d), RETRY_WAIT);   /* a new absence, a new window */
	assert_int_equal(retry_next(&r, true, false, 115, &d), RETRY_WAIT);
	assert_true(d <= 5.0);                                               /* never past the window */
	assert_int_equal(retry_next(&r, true, true, 116, &d), RETRY_AGAIN);
	assert_int_equal(retry_next(&r, true, true, 117, &d), RETRY_GIVE_UP);
}

static void test_no_window(void **state)
{
	(void)state;
	struct retry r;
	retry_init(&r, 2, 0);
	double d;
	/* window 0: an away server is a try like any other */
	assert_int_equal(retry_next(&r, true, false, 1, &d), RETRY_AGAIN);
	assert_int_equal(retry_next(&r, true, false, 2, &d), RETRY_GIVE_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_working_faults_back_off_and_stop),
		cmocka_unit_test(test_away_server_waited_for),
		cmocka_unit_test(test_no_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
