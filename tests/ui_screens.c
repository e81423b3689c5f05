/* Screen tests: the wizard runs headless (newterm on /dev/null) over the
 * scripted backend with a fixed clock; keys are queued one at a time and
 * consumed when the wizard is idle; the screen curses holds is dumped to
 * text and compared with tests/golden/NAME-COLSxROWS.txt.
 * GP2ADB_UPDATE_GOLDEN=1 rewrites the golden files instead (review them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "testutil.h"
#include "ui.h"
#include "ui_fake.h"

struct rig {
	FILE *out, *in;
	struct ui_backend be;
	struct fake f;
	struct plan plan;
	struct ui_session s;
};

static void rig_open(struct rig *r, int rows, int cols, bool full)
{
	char n[16];
	memset(r, 0, sizeof *r);
	snprintf(n, sizeof n, "%d", rows);
	setenv("LINES", n, 1);
	snprintf(n, sizeof n, "%d", cols);
	setenv("COLUMNS", n, 1);
	r->out = fopen("/dev/null", "w");
	r->in = fopen("/dev/null", "r");
	assert_non_null(r->out);
	assert_non_null(r->in);
	plan_init(&r->plan);
	free(r->plan.source.host);
	r->plan.source.host = strdup("mdw");
	r->plan.source.port = 5432;
	r->plan.source.user = strdup("gpadmin");
	r->plan.source.dbname = strdup("warehouse");
	r->plan.destination.host = strdup("gp-bp1x2y.gpdb.rds.aliyuncs.com");
	r->plan.destination.port = 5432;
	r->plan.destination.user = strdup("adbadmin");
	r->plan.destination.dbname = strdup("warehouse");
	fake_backend(&r->be, &r->f, full);
	assert_true(ui_session_open(&r->s, &r->plan, &r->be, r->out, r->in));
}

static void rig_close(struct rig *r)
{
	ui_session_done(&r->s);
	fake_done(&r->f);
	plan_done(&r->plan);
	fclose(r->out);
	fclose(r->in);
}

/* One key, consumed when the wizard is idle, then one redraw. */
static void key(struct rig *r, int k)
{
	term_push_key(k);
	ui_session_step(&r->s, 0);
}

static void keys(struct rig *r, const char *s)
{
	while (*s)
		key(r, *s++);
}

static void tick(struct rig *r)
{
	ui_session_step(&r->s, 0);
}

static void at(struct rig *r, enum screen_id id)
{
	if (r->s.wiz.cur != (int)id)
		fail_msg("on screen %d, expected %d (status: %s)", r->s.wiz.cur, id, r->s.wiz.status);
}

/* Compare what curses shows with the golden file; the off-screen canvas
 * must hold the same text (what was drawn is what was copied). */
static void expect_screen(struct rig *r, const char *name)
{
	char path[1024];
	const char *src = getenv("GP2ADB_SRCDIR");
	snprintf(path, sizeof path, "%s/tests/golden/%s-%dx%d.txt", src ? src : ".", name,
		 term_cols(&r->s.term), term_rows(&r->s.term));
	char *got = term_dump(&r->s.term);
	char *drawn = canvas_dump(&r->s.canvas);
	assert_string_equal(got, drawn);
	free(drawn);
	const char *update = getenv("GP2ADB_UPDATE_GOLDEN");
	if (update && *update && strcmp(update, "0") != 0) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	} else {
		FILE *f = fopen(path, "r");
		if (!f)
			fail_msg("no golden file %s (GP2ADB_UPDATE_GOLDEN=1 writes it)", path);
		fclose(f);
		char *want = tu_read_file(path);
		if (strcmp(got, want) != 0) {
			fprintf(stderr, "# screen differs from %s; it is:\n%s", path, got);
			fail_msg("screen %s differs from its golden file", name);
		}
		free(want);
	}
	free(got);
}

/* Welcome -> Connections (tested) -> Evaluation (accepted) -> Method ->
 * Whitelist recorded -> (gpcopy skipped) -> Schema applied -> Review. */
static void walk_to_review(struct rig *r, bool dump)
{
	if (dump)
		expect_screen(r, "welcome");
	key(r, UI_KEY_ENTER);
	at(r, SCR_CONNECTIONS);
	key(r, 't');
	if (dump)
		expect_screen(r, "connections");
	key(r, UI_KEY_ENTER);
	at(r, SCR_DATABASES);
	key(r, UI_KEY_ENTER);       /* the connection's own database, ticked */
	at(r, SCR_EVALUATION);
	key(r, UI_KEY_DOWN);
	key(r, 'a');
	if (dump)
		expect_screen(r, "evaluation");
	key(r, UI_KEY_ENTER);
	at(r, SCR_METHOD);
	if (dump)
		expect_screen(r, "method");
	key(r, UI_KEY_ENTER);
	at(r, SCR_WHITELIST);
	key(r, 'e');
	keys(r, "203.0.113.7/32");
	key(r, UI_KEY_ENTER);
	if (dump)
		expect_screen(r, "whitelist");
	key(r, UI_KEY_ENTER);
	at(r, SCR_SCHEMA);
	assert_int_equal(r->f.calls_record, 1);
	key(r, 'a');
	tick(r);
	if (dump)
		expect_screen(r, "schema");
	key(r, UI_KEY_ENTER);
	at(r, SCR_REVIEW);
}

static void test_walk_80x24(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	walk_to_review(&r, true);
	expect_screen(&r, "review");
	key(&r, UI_KEY_ENTER);
	expect_screen(&r, "review-confirm");
	key(&r, 'y');
	at(&r, SCR_MIGRATION);
	assert_int_equal(r.f.calls_copy_start, 1);
	r.f.now = FAKE_T0 + 30;
	tick(&r);
	expect_screen(&r, "migration");
	key(&r, UI_KEY_ENTER);      /* Enter inspects while the copy runs */
	assert_int_equal(r.s.wiz.overlay, OV_INSPECT);
	expect_screen(&r, "migration-inspect");
	key(&r, UI_KEY_ESC);
	key(&r, 'p');
	assert_true(r.f.paused);
	key(&r, 'p');
	assert_false(r.f.paused);
	key(&r, UI_KEY_ESC);        /* no going back while copying */
	at(&r, SCR_MIGRATION);
	r.f.now = FAKE_T0 + 200;
	tick(&r);
	expect_screen(&r, "migration-finished");
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_VALIDATION);
	tick(&r);
	tick(&r);
	expect_screen(&r, "validation");
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_BIZCHECK);       /* no queries file in the plan: Enter goes on */
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_BACKFILL);
	assert_int_equal(r.s.wiz.m.status[SCR_BIZCHECK], STEP_SKIPPED);
	tick(&r);
	key(&r, UI_KEY_ENTER);      /* changes found, not backfilled: named, goes on */
	at(&r, SCR_ANALYZE);
	assert_int_equal(r.s.wiz.m.status[SCR_BACKFILL], STEP_SKIPPED);
	expect_screen(&r, "analyze");
	key(&r, UI_KEY_ENTER);      /* still running: stays */
	at(&r, SCR_ANALYZE);
	tick(&r);
	tick(&r);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_ACCESS);
	expect_screen(&r, "access");
	key(&r, UI_KEY_ENTER);      /* openings still open: refused */
	at(&r, SCR_ACCESS);
	key(&r, 'r');               /* gp2adb's own pg_hba line: restored */
	key(&r, UI_KEY_DOWN);
	key(&r, 'y');               /* the whitelist: asks first */
	assert_int_equal(r.s.wiz.overlay, OV_CONFIRM);
	key(&r, 'y');
	assert_int_equal(openings_count_open(&r.s.wiz.m.openings), 0);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_SUMMARY);
	expect_screen(&r, "summary");
	assert_int_equal(wizard_exit_code(&r.s.wiz), 3);   /* a table failed */
	key(&r, 'q');
	assert_true(r.s.wiz.quit);
	rig_close(&r);
}

static void test_large_and_resize(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	walk_to_review(&r, false);
	key(&r, UI_KEY_ENTER);
	key(&r, 'y');
	r.f.now = FAKE_T0 + 70;
	tick(&r);
	term_resize(&r.s.term, 43, 132);
	key(&r, UI_KEY_RESIZE);
	assert_int_equal(r.s.canvas.cols, 132);
	expect_screen(&r, "migration");
	key(&r, UI_KEY_F1);
	expect_screen(&r, "migration-help");
	key(&r, ' ');
	term_resize(&r.s.term, 20, 60);
	key(&r, UI_KEY_RESIZE);
	expect_screen(&r, "too-small");
	key(&r, 'q');                /* quit still asks, even when too small */
	expect_screen(&r, "too-small-quit");
	key(&r, 'y');
	assert_true(r.s.wiz.quit);
	assert_int_equal(r.f.calls_cancel, 1);   /* quitting cancels the copy, resumable */
	assert_int_equal(wizard_exit_code(&r.s.wiz), 130);
	rig_close(&r);
}

/* A table whose server is away says what it waits for, in place of its
 * rate and ETA. */
static void test_waiting_pane(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	walk_to_review(&r, false);
	key(&r, UI_KEY_ENTER);
	key(&r, 'y');
	at(&r, SCR_MIGRATION);
	r.f.now = FAKE_T0 + 30;
	r.f.waiting = "waiting for the destination (42/300 s): 08001: connection refused";
	tick(&r);
	expect_screen(&r, "migration-waiting");
	rig_close(&r);
}

static void test_evaluation_132x43(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 43, 132, true);
	expect_screen(&r, "welcome");
	key(&r, UI_KEY_ENTER);
	key(&r, 't');
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_DOWN);
	expect_screen(&r, "evaluation");
	rig_close(&r);
}

static void test_gpcopy_install(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	key(&r, UI_KEY_ENTER);
	key(&r, 't');
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_DOWN);
	key(&r, 'a');
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_METHOD);
	key(&r, UI_KEY_DOWN);
	key(&r, ' ');
	assert_int_equal(r.s.wiz.m.method, METHOD_GPCOPY);
	key(&r, UI_KEY_DOWN);
	key(&r, ' ');               /* gptransfer is not usable: refused */
	assert_int_equal(r.s.wiz.m.method, METHOD_GPCOPY);
	key(&r, UI_KEY_ENTER);
	key(&r, 'a');
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_INSTALL);
	/* the default found (an old one) is not a tarball: nothing starts, Next is refused */
	assert_false(r.s.wiz.m.tarball.checked);
	key(&r, 's');
	assert_false(r.s.wiz.m.install_started);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_INSTALL);
	/* typed, checked, shown */
	key(&r, 'e');
	while (r.s.wiz.s.input[0])
		key(&r, UI_KEY_BACKSPACE);
	for (const char *c = "/srv/dl/gpcopy-2.6.0.tar.gz"; *c; c++)
		key(&r, *c);
	key(&r, UI_KEY_ENTER);
	assert_true(r.s.wiz.m.tarball.checked);
	expect_screen(&r, "gpcopy-tarball");
	key(&r, 's');
	tick(&r);
	expect_screen(&r, "install");
	key(&r, UI_KEY_ENTER);      /* not finished: stays */
	at(&r, SCR_INSTALL);
	for (int i = 0; i < 4; i++)
		tick(&r);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_SCHEMA);
	/* the review shows the gpcopy command line, not the engine's settings */
	key(&r, 'a');
	tick(&r);
	tick(&r);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_REVIEW);
	expect_screen(&r, "review-gpcopy");
	rig_close(&r);
}

static void test_core_build(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, false);
	expect_screen(&r, "core-welcome");
	key(&r, UI_KEY_ENTER);
	free(r.plan.source.host);
	r.plan.source.host = strdup("nowhere");
	key(&r, 't');
	expect_screen(&r, "core-connections-failed");
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_CONNECTIONS);
	/* edit the host back: e, erase, type, Enter */
	key(&r, 'e');
	for (int i = 0; i < 10; i++)
		key(&r, UI_KEY_BACKSPACE);
	keys(&r, "mdw");
	key(&r, UI_KEY_ENTER);
	assert_string_equal(r.plan.source.host, "mdw");
	key(&r, 't');
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_DATABASES);      /* not in this build: shown, Next goes on */
	assert_int_equal(r.s.wiz.m.status[SCR_DATABASES], STEP_UNAVAILABLE);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_EVALUATION);
	expect_screen(&r, "core-evaluation");
	for (int i = 0; i < 10 && r.s.wiz.cur != SCR_WHITELIST; i++)
		key(&r, UI_KEY_ENTER);
	key(&r, 'a');
	for (int i = 0; i < 10 && r.s.wiz.cur != SCR_REVIEW; i++)
		key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_ENTER);
	key(&r, 'y');
	at(&r, SCR_MIGRATION);
	expect_screen(&r, "core-migration");
	for (int i = 0; i < 10 && r.s.wiz.cur != SCR_SUMMARY; i++)
		key(&r, UI_KEY_ENTER);
	expect_screen(&r, "core-summary");
	rig_close(&r);
}

/* With the adb group's AccessKey the whitelist screen says gp2adb adds the
 * entry itself, and a 0.0.0.0/0 entry is confirmed before it is added. */
static void test_whitelist_through_the_openapi(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	r.plan.adb.instance_id = strdup("gp-bp1x2y");
	r.plan.adb.access_key_file = strdup("/home/op/.aliyun/gp2adb.key");
	key(&r, UI_KEY_ENTER);
	key(&r, 't');
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_DOWN);
	key(&r, 'a');
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_WHITELIST);
	key(&r, 'e');
	keys(&r, "0.0.0.0/0");
	key(&r, UI_KEY_ENTER);
	expect_screen(&r, "whitelist-openapi");
	key(&r, UI_KEY_ENTER);
	assert_int_equal(r.s.wiz.overlay, OV_CONFIRM);
	assert_non_null(strstr(r.s.wiz.question, "Add it and go on?"));
	assert_int_equal(r.f.calls_record, 0);
	key(&r, 'y');
	assert_int_equal(r.f.calls_record, 1);
	rig_close(&r);
}

/* From the review through a finished copy to the business check. */
static void walk_to_bizcheck(struct rig *r)
{
	key(r, UI_KEY_ENTER);
	key(r, 'y');
	at(r, SCR_MIGRATION);
	r->f.now = FAKE_T0 + 200;
	tick(r);
	key(r, UI_KEY_ENTER);
	at(r, SCR_VALIDATION);
	tick(r);
	tick(r);
	tick(r);
	key(r, UI_KEY_ENTER);
	at(r, SCR_BIZCHECK);
}

static void type_path(struct rig *r, const char *path)
{
	key(r, 'e');
	while (r->s.wiz.s.input[0])
		key(r, UI_KEY_BACKSPACE);
	keys(r, path);
	key(r, UI_KEY_ENTER);
}

/* Several databases ticked; the business check with a bad file, then its
 * results; the backfill of what the source wrote since the copy. */
static void test_cluster_walk(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	key(&r, UI_KEY_ENTER);
	key(&r, 't');
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_DATABASES);
	assert_true(r.s.wiz.m.databases.v[2].ticked);      /* warehouse: the connection's own */
	key(&r, ' ');                                       /* crm */
	expect_screen(&r, "databases");
	key(&r, 'a');
	for (size_t i = 0; i < 4; i++)
		assert_true(r.s.wiz.m.databases.v[i].ticked);
	assert_false(r.s.wiz.m.databases.v[4].ticked);      /* billing_old: not on the source */
	key(&r, 'a');
	key(&r, UI_KEY_ENTER);                              /* none ticked: refused */
	at(&r, SCR_DATABASES);
	assert_non_null(strstr(r.s.wiz.status, "Tick at least one"));
	key(&r, ' ');
	key(&r, UI_KEY_DOWN);
	key(&r, UI_KEY_DOWN);
	key(&r, ' ');
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_EVALUATION);
	assert_int_equal(strv_len(r.plan.databases), 2);
	assert_string_equal(r.plan.databases[0], "crm");
	assert_string_equal(r.plan.databases[1], "warehouse");
	key(&r, UI_KEY_DOWN);
	key(&r, 'a');
	key(&r, UI_KEY_ENTER);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_WHITELIST);
	key(&r, 'a');
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_SCHEMA);
	key(&r, 'a');
	tick(&r);
	tick(&r);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_REVIEW);
	expect_screen(&r, "review-databases");
	walk_to_bizcheck(&r);
	/* a bad file: named with its line, nothing runs */
	type_path(&r, "/srv/queries/bad.sql");
	assert_false(r.s.wiz.m.bizcheck_started);
	expect_screen(&r, "bizcheck-error");
	type_path(&r, "/srv/queries/app.sql");
	assert_true(r.s.wiz.m.bizcheck_started);
	assert_string_equal(r.plan.business_queries, "/srv/queries/app.sql");
	key(&r, UI_KEY_ENTER);                              /* still running: stays */
	at(&r, SCR_BIZCHECK);
	tick(&r);
	key(&r, UI_KEY_DOWN);
	expect_screen(&r, "bizcheck");
	assert_int_equal(r.s.wiz.m.status[SCR_BIZCHECK], STEP_FAILED);
	term_resize(&r.s.term, 43, 132);
	key(&r, UI_KEY_RESIZE);
	expect_screen(&r, "bizcheck");
	term_resize(&r.s.term, 24, 80);
	key(&r, UI_KEY_RESIZE);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_BACKFILL);
	key(&r, UI_KEY_ENTER);                              /* still looking: stays */
	at(&r, SCR_BACKFILL);
	tick(&r);
	expect_screen(&r, "backfill");
	key(&r, 'b');
	assert_int_equal(r.s.wiz.overlay, OV_CONFIRM);
	assert_int_equal(r.f.calls_backfill_start, 0);
	key(&r, 'y');
	assert_int_equal(r.f.calls_backfill_start, 1);
	r.f.now += 20;
	tick(&r);
	expect_screen(&r, "backfill-running");
	key(&r, UI_KEY_ENTER);                              /* still running: stays */
	at(&r, SCR_BACKFILL);
	r.f.now += 60;
	tick(&r);
	expect_screen(&r, "backfill-done");
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_ANALYZE);
	assert_int_equal(r.s.wiz.m.status[SCR_BACKFILL], STEP_DONE);
	rig_close(&r);
}

/* Nothing written since the copy: the step says so and Next goes on. */
static void test_backfill_nothing(void **state)
{
	(void)state;
	struct rig r;
	rig_open(&r, 24, 80, true);
	r.f.nothing_changed = true;
	walk_to_review(&r, false);
	walk_to_bizcheck(&r);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_BACKFILL);
	tick(&r);
	expect_screen(&r, "backfill-nothing");
	key(&r, 'b');                                       /* nothing to backfill: nothing asked */
	assert_int_equal(r.s.wiz.overlay, OV_NONE);
	key(&r, UI_KEY_ENTER);
	at(&r, SCR_ANALYZE);
	assert_int_equal(r.f.calls_backfill_start, 0);
	rig_close(&r);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	setenv("TERM", "xterm-256color", 1);
	unsetenv("NO_COLOR");
	log_set_console(LOG_ERROR, true);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_80x24), cmocka_unit_test(test_large_and_resize),
		cmocka_unit_test(test_evaluation_132x43), cmocka_unit_test(test_gpcopy_install),
		cmocka_unit_test(test_core_build), cmocka_unit_test(test_whitelist_through_the_openapi),
		cmocka_unit_test(test_waiting_pane), cmocka_unit_test(test_cluster_walk),
		cmocka_unit_test(test_backfill_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
