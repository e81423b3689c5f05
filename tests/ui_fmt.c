/* Formatting helpers, the canvas and the wizard's state machine, without a
 * terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "fmt.h"
#include "log.h"
#include "ui_fake.h"
#include "wizard.h"

static void test_bytes(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(fmt_bytes(b, sizeof b, 0), "0 B");
	assert_string_equal(fmt_bytes(b, sizeof b, 1023), "1023 B");
	assert_string_equal(fmt_bytes(b, sizeof b, 1024), "1.0 KiB");
	assert_string_equal(fmt_bytes(b, sizeof b, 1536), "1.5 KiB");
	assert_string_equal(fmt_bytes(b, sizeof b, 1288490189LL), "1.2 GiB");
	assert_string_equal(fmt_bytes(b, sizeof b, 500LL * 1024 * 1024), "500 MiB");
	/* 1023.99 KiB must not print as "1024.0 KiB" */
	assert_string_equal(fmt_bytes(b, sizeof b, 1048575), "1.0 MiB");
	assert_string_equal(fmt_bytes(b, sizeof b, 5LL << 40), "5.0 TiB");
	assert_string_equal(fmt_bytes(b, sizeof b, -1), "?");
	/* truncated, still terminated */
	char small[4];
	assert_string_equal(fmt_bytes(small, sizeof small, 1536), "1.5");
}

static void test_rate_count(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(fmt_rate(b, sizeof b, 52428800.0), "50.0 MiB/s");
	assert_string_equal(fmt_rate(b, sizeof b, 0), "0 B/s");
	assert_string_equal(fmt_rate(b, sizeof b, -5), "-");
	assert_string_equal(fmt_rate(b, sizeof b, NAN), "-");
	assert_string_equal(fmt_rate(b, sizeof b, INFINITY), "-");
	assert_string_equal(fmt_count(b, sizeof b, 999), "999");
	assert_string_equal(fmt_count(b, sizeof b, 1000), "1.0k");
	assert_string_equal(fmt_count(b, sizeof b, 12345678), "12.3M");
	assert_string_equal(fmt_count(b, sizeof b, 999999), "1.0M");
	assert_string_equal(fmt_count(b, sizeof b, 250000000), "250M");
	assert_string_equal(fmt_count(b, sizeof b, -1), "?");
}

static void test_duration_eta(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(fmt_duration(b, sizeof b, 0), "0s");
	assert_string_equal(fmt_duration(b, sizeof b, 45.4), "45s");
	assert_string_equal(fmt_duration(b, sizeof b, 59.6), "1m00s");
	assert_string_equal(fmt_duration(b, sizeof b, 185), "3m05s");
	assert_string_equal(fmt_duration(b, sizeof b, 7380), "2h03m");
	assert_string_equal(fmt_duration(b, sizeof b, 273600), "3d04h");
	assert_string_equal(fmt_duration(b, sizeof b, -3), "0s");
	assert_string_equal(fmt_eta(b, sizeof b, -1), "--:--");
	assert_string_equal(fmt_eta(b, sizeof b, NAN), "--:--");
	assert_string_equal(fmt_eta(b, sizeof b, 65), "1m05s");
	setenv("TZ", "UTC", 1);
	assert_string_equal(fmt_clock(b, sizeof b, FAKE_T0), "22:13:20");
	assert_string_equal(fmt_clock(b, sizeof b, 0), "--:--:--");
}

static void test_bar(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(fmt_bar(b, sizeof b, 10, 0.5, false), "#####.....");
	assert_string_equal(fmt_bar(b, sizeof b, 4, 0, false), "....");
	assert_string_equal(fmt_bar(b, sizeof b, 4, 1.7, false), "####");
	assert_string_equal(fmt_bar(b, sizeof b, 4, -1, false), "....");
	assert_string_equal(fmt_bar(b, sizeof b, 4, NAN, false), "....");
	assert_string_equal(fmt_bar(b, sizeof b, 4, 0.5, true), "██░░");
	/* 3/16 of 4 columns: 6 eighths -> a 6/8 block, then empty */
	assert_string_equal(fmt_bar(b, sizeof b, 4, 6.0 / 32, true), "▊░░░");
	assert_string_equal(fmt_bar(b, sizeof b, 0, 0.5, true), "");
	/* a buffer too small for the bar keeps whole glyphs only */
	char small[8];
	fmt_bar(small, sizeof small, 10, 1, true);
	assert_string_equal(small, "██");
}

static void test_sparkline(void **state)
{
	(void)state;
	char b[256];
	float v[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_string_equal(fmt_sparkline(b, sizeof b, v, 9, 9, true), " ▁▂▃▄▅▆▇█");
	assert_string_equal(fmt_sparkline(b, sizeof b, v, 9, 9, false), " ..:-=+*#");
	/* the last samples when there are more than columns */
	assert_string_equal(fmt_sparkline(b, sizeof b, v, 9, 3, false), "+*#");
	/* padded on the left when fewer */
	assert_string_equal(fmt_sparkline(b, sizeof b, v + 7, 2, 5, false), "   *#");
	float zero[4] = { 0 };
	assert_string_equal(fmt_sparkline(b, sizeof b, zero, 4, 4, true), "    ");
	/* the smallest non-zero rate still shows */
	float tiny[2] = { 0.001f, 1000.0f };
	assert_string_equal(fmt_sparkline(b, sizeof b, tiny, 2, 2, true), "▁█");
}

static void test_canvas(void **state)
{
	(void)state;
	struct canvas c;
	canvas_init(&c, 4, 12, true);
	assert_int_equal(canvas_text(&c, 0, 2, -1, R_FAIL, "héllo\tworld!!"), 10);
	char *row = canvas_row_utf8(&c, 0);
	assert_string_equal(row, "  héllo worl");
	free(row);
	assert_int_equal(c.cells[3].role, R_FAIL);
	assert_int_equal(c.cells[0].role, R_NORMAL);
	canvas_box(&c, 1, 0, 3, 12, "T", R_FRAME);
	row = canvas_row_utf8(&c, 1);
	assert_string_equal(row, "┌─ T ──────┐");
	free(row);
	canvas_rtext(&c, 2, 11, R_OK, "end");
	row = canvas_row_utf8(&c, 2);
	assert_string_equal(row, "│       end│");
	free(row);
	/* invalid UTF-8 and ASCII mode */
	c.utf8 = false;
	canvas_clear(&c);
	canvas_text(&c, 0, 0, -1, R_NORMAL, "a\xff" "b\xc3\xa9");
	canvas_box(&c, 1, 0, 3, 5, NULL, R_FRAME);
	char *dump = canvas_dump(&c);
	assert_string_equal(dump, "a?b?\n+---+\n|   |\n+---+\n");
	free(dump);
	/* wrapping at spaces, counting clipped rows */
	canvas_clear(&c);
	assert_int_equal(canvas_wrap(&c, 0, 0, 6, 2, 0, R_NORMAL, "one two three four"), 4);
	row = canvas_row_utf8(&c, 1);
	assert_string_equal(row, "two");
	free(row);
	canvas_done(&c);
}

/* The state machine: Next validates, Back and SKIP keep the direction. */
static void test_walk(void **state)
{
	(void)state;
	struct ui_backend be;
	struct fake f;
	struct plan p;
	struct wizard w;
	plan_init(&p);
	fake_backend(&be, &f, true);
	wizard_init(&w, &p, &be);
	assert_int_equal(w.cur, SCR_WELCOME);
	wizard_key(&w, UI_KEY_ENTER);
	assert_int_equal(w.cur, SCR_CONNECTIONS);
	wizard_key(&w, UI_KEY_ENTER);           /* not tested: stays, says why */
	assert_int_equal(w.cur, SCR_CONNECTIONS);
	assert_non_null(strstr(w.status, "press t"));
	wizard_key(&w, 't');
	wizard_key(&w, 'n');
	assert_int_equal(w.cur, SCR_DATABASES);
	wizard_key(&w, UI_KEY_ENTER);           /* no database named, none ticked: stays */
	assert_int_equal(w.cur, SCR_DATABASES);
	assert_non_null(strstr(w.status, "Tick at least one"));
	wizard_key(&w, ' ');
	wizard_key(&w, UI_KEY_ENTER);
	assert_int_equal(w.cur, SCR_EVALUATION);
	assert_string_equal(p.source.dbname, "crm");       /* one ticked: both ends name it */
	assert_string_equal(p.destination.dbname, "crm");
	wizard_key(&w, UI_KEY_ENTER);           /* a failing finding not accepted */
	assert_int_equal(w.cur, SCR_EVALUATION);
	assert_non_null(strstr(w.status, "1 failing check is"));
	wizard_key(&w, UI_KEY_DOWN);
	wizard_key(&w, 'a');
	wizard_key(&w, UI_KEY_ENTER);
	assert_int_equal(w.cur, SCR_METHOD);
	assert_int_equal(w.m.method, METHOD_ENGINE);
	wizard_key(&w, UI_KEY_ENTER);
	assert_int_equal(w.cur, SCR_WHITELIST);
	wizard_key(&w, 'a');
	wizard_key(&w, UI_KEY_ENTER);
	/* gpcopy installation is skipped going forward ... */
	assert_int_equal(w.cur, SCR_SCHEMA);
	assert_int_equal(w.m.status[SCR_INSTALL], STEP_SKIPPED);
	assert_non_null(strstr(w.status, "Skipped gpcopy installation"));
	/* ... and going back */
	wizard_key(&w, UI_KEY_ESC);
	assert_int_equal(w.cur, SCR_WHITELIST);
	/* Back from the first screen stays there. */
	for (int i = 0; i < 6; i++)
		wizard_key(&w, UI_KEY_ESC);
	assert_int_equal(w.cur, SCR_WELCOME);
	/* quit asks first */
	wizard_key(&w, 'q');
	assert_int_equal(w.overlay, OV_CONFIRM);
	wizard_key(&w, 'n');
	assert_false(w.quit);
	wizard_key(&w, UI_KEY_INTERRUPT);
	assert_int_equal(w.overlay, OV_CONFIRM);
	wizard_key(&w, 'y');
	assert_true(w.quit);
	assert_int_equal(wizard_exit_code(&w), 130);
	assert_int_equal(f.calls_copy_start, 0);
	wizard_done(&w);
	fake_done(&f);
	plan_done(&p);
}

/* With only the core build's entries, every other step says it is not
 * available, and the summary does not call the migration finished. */
static void test_unavailable(void **state)
{
	(void)state;
	struct ui_backend be;
	struct fake f;
	struct plan p;
	struct wizard w;
	plan_init(&p);
	fake_backend(&be, &f, false);
	wizard_init(&w, &p, &be);
	wizard_key(&w, UI_KEY_ENTER);
	wizard_key(&w, 't');
	for (int i = 0; i < 20 && w.cur != SCR_WHITELIST; i++)
		wizard_key(&w, UI_KEY_ENTER);
	assert_int_equal(w.m.status[SCR_EVALUATION], STEP_UNAVAILABLE);
	assert_string_equal(w.m.reason[SCR_METHOD], "not available in this build: advisor (gp2adb check)");
	wizard_key(&w, 'e');
	for (const char *k = "203.0.113.7/32"; *k; k++)
		wizard_key(&w, *k);
	assert_string_equal(w.s.input, "203.0.113.7/32");
	wizard_key(&w, UI_KEY_ENTER);
	assert_false(w.s.editing);
	wizard_key(&w, UI_KEY_ENTER);
	for (int i = 0; i < 20 && w.cur != SCR_MIGRATION; i++)
		wizard_key(&w, UI_KEY_ENTER);
	wizard_key(&w, 'y');   /* the review's confirmation */
	if (w.cur != SCR_MIGRATION)
		fail_msg("at %d: %s", w.cur, w.status);
	assert_int_equal(w.m.status[SCR_MIGRATION], STEP_UNAVAILABLE);
	assert_non_null(strstr(w.m.reason[SCR_WHITELIST], "203.0.113.7/32 NOT recorded"));
	for (int i = 0; i < 20 && w.cur != SCR_SUMMARY; i++)
		wizard_key(&w, UI_KEY_ENTER);
	char *sum = wizard_summary_text(&w);
	assert_non_null(strstr(sum, "Migration NOT finished:"));
	assert_non_null(strstr(sum, "Migration: not available in this build: the COPY engine (gp2adb copy)"));
	assert_null(strstr(sum, "Migration finished"));
	free(sum);
	wizard_done(&w);
	fake_done(&f);
	plan_done(&p);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	log_set_console(LOG_ERROR, true);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes), cmocka_unit_test(test_rate_count),
		cmocka_unit_test(test_duration_eta), cmocka_unit_test(test_bar),
		cmocka_unit_test(test_sparkline), cmocka_unit_test(test_canvas),
		cmocka_unit_test(test_walk), cmocka_unit_test(test_unavailable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
