/* eta: the copy's time left, from the share done and from the running
 * tables' own rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>

#include "eta.h"

#define MB (1024.0 * 1024.0)

static struct engine_table_stats table(enum table_state state, double est_mb, double done_mb, double started_at)
{
	struct engine_table_stats t;
	engine_table_stats_init(&t);
	t.state = state;
	t.bytes_est = (long long)(est_mb * MB);
	t.bytes_done = (long long)(done_mb * MB);
	t.started_at = started_at;
	return t;
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 0.01 * (fabs(want) + 1))
		fail_msg("ETA %.3f, want %.3f", got, want);
}

/* Four tables side by side, each half done in 10 s: 10 s more, by the
 * share done and by each table's rate alike. */
static void test_share_done(void **state)
{
	(void)state;
	double now = 1000;
	struct engine_table_stats t[] = {
		table(TABLE_RUNNING, 250, 125, now - 10),
		table(TABLE_RUNNING, 250, 125, now - 10),
		table(TABLE_RUNNING, 250, 125, now - 10),
		table(TABLE_RUNNING, 250, 125, now - 10),
	};
	assert_near(eta_seconds(t, 4, now, 10, 0.5), 10);
	/* tables faster than the share done says: the share done stands */
	assert_near(eta_seconds(t, 4, now, 30, 0.5), 30);
}

/* The large table left alone bounds the copy: at half of the bytes (small
 * tables done, lineitem a sixth in at 10 MB/s) the share done says 10 s,
 * lineitem needs 50 s. */
static void test_largest_table_bounds_it(void **state)
{
	(void)state;
	double now = 1000;
	struct engine_table_stats t[] = {
		table(TABLE_DONE, 100, 100, now - 10),
		table(TABLE_DONE, 300, 300, now - 10),
		table(TABLE_RUNNING, 600, 100, now - 10),
		table(TABLE_QUEUED, 0, 0, 0),
	};
	assert_near(eta_seconds(t, 4, now, 10, 0.5), 50);
	/* a table just started, or resumed (its bytes are partly an earlier
	 * run's), says nothing of its rate */
	t[2].started_at = now - 0.5;
	assert_near(eta_seconds(t, 4, now, 10, 0.5), 10);
	t[2].started_at = now - 10;
	t[2].units_resumed = 1;
	assert_near(eta_seconds(t, 4, now, 10, 0.5), 10);
}

/* Too early to say: under 1% done, or within the first second. */
static void test_unknown_at_first(void **state)
{
	(void)state;
	struct engine_table_stats t[] = { table(TABLE_RUNNING, 100, 0.5, 995) };
	assert_true(eta_seconds(t, 1, 1000, 5, 0.005) < 0);
	assert_true(eta_seconds(t, 1, 1000, 0.5, 0.5) < 0);
	assert_true(eta_seconds(t, 1, 1000, 5, 0.02) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_done),
		cmocka_unit_test(test_largest_table_bounds_it),
		cmocka_unit_test(test_unknown_at_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
