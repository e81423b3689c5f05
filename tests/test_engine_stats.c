/* the moving rate window: rates over a span, history for sparklines; what
 * the engine keeps per table, and the snapshot's strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "engine_priv.h"
#include "engine_stats.h"

static void test_empty_and_single(void **state)
{
	(void)state;
	struct rate_window w;
	rate_window_init(&w);
	assert_true(rate_window_rate(&w, 10) == 0);
	rate_window_push(&w, 100, 5000);
	assert_true(rate_window_rate(&w, 10) == 0);
	float h[ENGINE_RATE_SAMPLES];
	rate_window_history(&w, h);
	for (int i = 0; i < ENGINE_RATE_SAMPLES; i++)
		assert_true(h[i] == 0);
}

static void test_rate_covers_span_only(void **state)
{
	(void)state;
	struct rate_window w;
	rate_window_init(&w);
	/* 100 B/s for 20 s, then 1000 B/s for 10 s */
	long long v = 0;
	for (int t = 0; t <= 20; t++) {
		rate_window_push(&w, t, v);
		v += 100;
	}
	v -= 100;
	for (int t = 21; t <= 30; t++) {
		v += 1000;
		rate_window_push(&w, t, v);
	}
	assert_float_equal(rate_window_rate(&w, 10), 1000.0, 0.01);
	/* a longer span mixes both */
	assert_float_equal(rate_window_rate(&w, 20), (100.0 * 10 + 1000.0 * 10) / 20, 0.01);
}

static void test_history_right_aligned_and_wraps(void **state)
{
	(void)state;
	struct rate_window w;
	rate_window_init(&w);
	rate_window_push(&w, 0, 0);
	rate_window_push(&w, 1, 10);
	rate_window_push(&w, 2, 30);
	float h[ENGINE_RATE_SAMPLES];
	rate_window_history(&w, h);
	assert_float_equal(h[ENGINE_RATE_SAMPLES - 1], 20, 0.001);
	assert_float_equal(h[ENGINE_RATE_SAMPLES - 2], 10, 0.001);
	assert_float_equal(h[ENGINE_RATE_SAMPLES - 3], 0, 0.001);
	/* 200 samples: only the last minute stays, oldest first */
	rate_window_init(&w);
	for (int t = 0; t < 200; t++)
		rate_window_push(&w, t, (long long)t * t);
	rate_window_history(&w, h);
	/* interval (t-1, t) has rate t*t - (t-1)*(t-1) = 2t - 1 */
	assert_float_equal(h[ENGINE_RATE_SAMPLES - 1], 2 * 199 - 1, 0.001);
	assert_float_equal(h[0], 2 * (199 - ENGINE_RATE_SAMPLES + 1) - 1, 0.001);
	assert_float_equal(rate_window_rate(&w, 1e9), (199.0 * 199 - 139.0 * 139) / 60, 0.01);
}

/* 100,000 tables: what the engine keeps for each, and what each snapshot
 * copies, is a few hundred bytes (it was 3.8 kB: fixed buffers for the
 * name, error and waiting texts, a predicate, a rate window each). */
static void test_per_table_memory(void **state)
{
	(void)state;
	assert_true(sizeof(struct engine_table_stats) <= 160);
	assert_true(sizeof(struct etable) <= 200);
	assert_true(sizeof(struct eunit) <= 128);
	assert_true(sizeof(struct unit_spec) <= 96);
}

/* The snapshot's texts and histories stay where they are while more are
 * added (across its blocks), and a table's defaults are never NULL. */
static void test_snapshot_texts(void **state)
{
	(void)state;
	struct engine_snapshot s;
	memset(&s, 0, sizeof s);
	enum { N = 20000 };
	static const char *kept[N];
	static const float *hist[N / 100];
	char text[64];
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof text, "\"public\".\"t%d\"", i);
		kept[i] = engine_snapshot_text(&s, text);
		if (i % 100 == 0) {
			float *h = engine_snapshot_history(&s);
			h[ENGINE_RATE_SAMPLES - 1] = (float)i;
			hist[i / 100] = h;
		}
	}
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof text, "\"public\".\"t%d\"", i);
		assert_string_equal(kept[i], text);
		if (i % 100 == 0) {
			assert_true(hist[i / 100][ENGINE_RATE_SAMPLES - 1] == (float)i);
			assert_true(hist[i / 100][0] == 0);
		}
	}
	assert_string_equal(engine_snapshot_text(&s, NULL), "");
	struct engine_table_stats t;
	engine_table_stats_init(&t);
	assert_string_equal(t.name, "");
	assert_string_equal(t.error, "");
	assert_string_equal(t.waiting, "");
	assert_ptr_equal(t.rate_history, engine_rate_none);
	assert_true(t.rows_est == -1);
	engine_snapshot_free(&s);
	assert_null(s.strings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_single),
		cmocka_unit_test(test_rate_covers_span_only),
		cmocka_unit_test(test_history_right_aligned_and_wraps),
		cmocka_unit_test(test_per_table_memory),
		cmocka_unit_test(test_snapshot_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
