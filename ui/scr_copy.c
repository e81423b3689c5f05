/* Screen 9: Migration, the copy live. */
#include "screens.h"

#include <stdio.h>
#include <string.h>

enum nav migration_enter(struct wizard *w, char *reason, size_t size)
{
	(void)reason;
	(void)size;
	if (!w->be->copy_start || !w->be->copy_snapshot)
		wizard_unavailable(w, SCR_MIGRATION, "the COPY engine (gp2adb copy)");
	else
		migration_tick(w);
	return NAV_OK;
}

void migration_tick(struct wizard *w)
{
	if (!w->m.copy_started || !w->be->copy_snapshot)
		return;
	schema_post_tick(w);
	if (w->m.snap.finished && w->m.copy_finished_at > 0)
		return;
	engine_snapshot_free(&w->m.snap);
	w->be->copy_snapshot(w->be->ctx, &w->m.snap);
	if (w->m.snap.finished && w->m.copy_finished_at == 0) {
		w->m.copy_finished_at = w->m.snap.now;
		if (w->be->copy_retry)
			w->be->copy_retry(w->be->ctx, w->m.copy_retry, sizeof w->m.copy_retry);
		if (w->m.snap.tables_failed > 0) {
			w->m.status[SCR_MIGRATION] = STEP_FAILED;
			snprintf(w->m.reason[SCR_MIGRATION], sizeof w->m.reason[SCR_MIGRATION],
				 "%d table%s failed; retry with: %.150s", w->m.snap.tables_failed,
				 w->m.snap.tables_failed == 1 ? "" : "s",
				 w->m.copy_retry[0] ? w->m.copy_retry : "gp2adb copy --only-failed");
		}
		wizard_set_status(w, w->m.snap.tables_failed ? R_FAIL : R_OK, "The copy has %s.%s",
				  w->m.snap.cancelled ? "stopped (cancelled)" : "finished",
				  w->m.snap.cancelled ? "" : "  Enter goes on to validation.");
		/* the indexes and constraints go on once every table holds its rows */
		schema_post_start(w, !w->m.snap.cancelled && w->m.snap.tables_failed == 0);
	}
}

void migration_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!w->be->copy_start || !w->be->copy_snapshot) {
		draw_unavailable(w, c, top, height, SCR_MIGRATION);
		return;
	}
	if (!w->m.copy_started) {
		canvas_text(c, top + 1, 2, c->cols - 4, R_FAIL, "The copy did not start; go back to the review (Esc).");
		return;
	}
	copyview_draw(c, top, height, &w->m.snap, w->s.pane, w->s.sel, w->copy_paused);
}

static bool running(const struct wizard *w)
{
	return w->m.copy_started && !w->m.snap.finished;
}

bool migration_key(struct wizard *w, int key)
{
	if (!w->m.copy_started)
		return false;
	switch (key) {
	case 'p':
		if (!running(w) || !w->be->copy_pause)
			return true;
		if (w->m.method == METHOD_GPCOPY) {
			wizard_set_status(w, R_WARN, "gpcopy cannot be paused; c cancels it (the tables it finished stay).");
			return true;
		}
		w->copy_paused = !w->copy_paused;
		w->be->copy_pause(w->be->ctx, w->copy_paused);
		wizard_set_status(w, R_WARN, w->copy_paused ? "Paused: workers stop after their current rows; p resumes."
							    : "Resumed.");
		return true;
	case 'c':
		if (running(w) && !w->cancelled)
			wizard_ask(w, CONFIRM_CANCEL_COPY, w->m.method == METHOD_GPCOPY
				   ? "Cancel gpcopy?  Finished tables stay; the summary gives the command for the rest. (y/n)"
				   : "Cancel the copy?  Finished tables stay; the rest resumes with gp2adb copy --resume. (y/n)");
		return true;
	case 'i':
		if (w->m.snap.ntables)
			w->overlay = OV_INSPECT;
		return true;
	case UI_KEY_ENTER:
		if (running(w)) {
			if (w->m.snap.ntables)
				w->overlay = OV_INSPECT;
			return true;
		}
		return false;
	case UI_KEY_ESC:
	case 'b':
		if (running(w)) {
			wizard_set_status(w, R_WARN, "The copy is running: cancel it first (c), or wait.");
			return true;
		}
		return false;
	default:
		if (w->s.pane == 0)
			return list_key(&w->s, key, (int)w->m.snap.ntables, 5);
		return false;
	}
}

bool migration_validate(struct wizard *w, char *err, size_t size)
{
	if (!w->be->copy_start || !w->be->copy_snapshot)
		return true;
	if (!w->m.copy_started) {
		snprintf(err, size, "The copy did not start.");
		return false;
	}
	if (w->m.snap.cancelled || w->cancelled) {
		snprintf(err, size, "The copy was cancelled: quit (q) and resume later with gp2adb copy --resume.");
		return false;
	}
	if (!w->m.snap.finished) {
		snprintf(err, size, "The copy is still running.");
		return false;
	}
	if (schema_post_running(w)) {
		snprintf(err, size, "The post-data schema (indexes, constraints) is still being applied.");
		return false;
	}
	return true;
}
