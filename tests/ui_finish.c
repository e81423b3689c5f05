/* The wizard's finish: a migration whose data is copied but whose access
 * openings are not all closed is not called finished.  The summary names
 * what is open and the command that closes it, and the exit status is 8
 * (finished, but access openings are still outstanding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "wizard.h"

static void add(struct ui_openings *o, const char *id, const char *kind, const char *what, bool ours,
		enum opening_state st)
{
	o->items = xrealloc(o->items, (o->n + 1) * sizeof *o->items);
	struct ui_opening *x = &o->items[o->n++];
	memset(x, 0, sizeof *x);
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->kind, sizeof x->kind, "%s", kind);
	snprintf(x->what, sizeof x->what, "%s", what);
	x->by_gp2adb = ours;
	x->state = st;
}

static void test_open_access_is_not_finished(void **state)
{
	(void)state;
	struct plan p;
	plan_init(&p);
	struct wizard *w = xcalloc(1, sizeof *w);
	w->m.plan = &p;
	w->m.copy_started = true;
	w->m.snap.finished = true;
	w->m.snap.tables_total = w->m.snap.tables_done = 3;
	w->m.ledger_ready = true;
	add(&w->m.openings, "1", "pg_hba", "#1 pg_hba rule on mdw:/data/master/gpseg-1/pg_hba.conf", true,
	    OPENING_VERIFIED);
	add(&w->m.openings, "2", "whitelist", "#2 ADB whitelist group gp2adb_migration: 0.0.0.0/0 (opened by you)",
	    false, OPENING_OPEN);
	w->cur = SCR_SUMMARY;
	assert_int_equal(wizard_exit_code(w), 8);
	char *text = ui_summary_text(&w->m, false, false);
	if (!strstr(text, "Migration NOT finished") ||
	    !strstr(text, "#2 ADB whitelist group gp2adb_migration: 0.0.0.0/0") ||
	    !strstr(text, "gp2adb restore-access"))
		fail_msg("the summary does not name what is open and how to close it:\n%s", text);
	assert_null(strstr(text, "#1 pg_hba rule on mdw"));    /* closed: not listed as open */
	free(text);
	/* leaving from the access screen, copy done, an opening still open: the same */
	w->cur = SCR_ACCESS;
	w->quit = true;
	assert_int_equal(wizard_exit_code(w), 8);
	/* all closed: finished */
	w->m.openings.items[1].state = OPENING_RESTORED;
	w->cur = SCR_SUMMARY;
	w->quit = false;
	assert_int_equal(wizard_exit_code(w), 0);
	text = ui_summary_text(&w->m, false, false);
	assert_non_null(strstr(text, "Migration finished."));
	free(text);
	ui_openings_free(&w->m.openings);
	free(w);
	plan_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_access_is_not_finished),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
