/* Screen 13: Backfill (gp2adb backfill): the tables written on the source
 * since their copy, how each is brought up to date, then the backfill with
 * the copy's live panes and the validation of what was backfilled. */
#include "screens.h"
#include "exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool available(const struct wizard *w)
{
	return w->be->backfill_detect_start && w->be->backfill_start && w->be->backfill_poll &&
	       w->be->backfill_snapshot;
}

enum nav backfill_enter(struct wizard *w, char *reason, size_t size)
{
	if (!available(w)) {
		wizard_unavailable(w, SCR_BACKFILL, "backfill (gp2adb backfill)");
		return NAV_OK;
	}
	if (!w->m.copy_started || w->cancelled) {
		snprintf(reason, size, "no finished copy in this session; run gp2adb backfill after copying");
		return NAV_SKIP;
	}
	if (!w->m.backfill_detecting) {
		char err[400];
		ui_backfill_free(&w->m.backfill);
		if (w->be->backfill_detect_start(w->be->ctx, w->m.plan, err, sizeof err)) {
			w->m.backfill_detecting = true;
			wizard_set_status(w, R_NORMAL, "Looking for writes on the source since the copy...");
		} else {
			wizard_set_status(w, R_FAIL, "backfill: %s", err);
		}
	}
	backfill_tick(w);
	return NAV_OK;
}

static void finished(struct wizard *w)
{
	const struct ui_backfill *b = &w->m.backfill;
	size_t ok = 0;
	for (size_t i = 0; i < b->val.n; i++)
		ok += b->val.rows[i].state == VAL_OK;
	if (b->rc == EXIT_OK) {
		wizard_set_status(w, R_OK, "Backfilled %zu table%s; validated: %zu of %zu match.  Enter goes on.", b->n,
				  b->n == 1 ? "" : "s", ok, b->val.n);
		return;
	}
	w->m.status[SCR_BACKFILL] = STEP_FAILED;
	snprintf(w->m.reason[SCR_BACKFILL], sizeof w->m.reason[SCR_BACKFILL],
		 "the backfill ended with exit %d (%zu of %zu backfilled tables match); rerun: gp2adb backfill", b->rc,
		 ok, b->val.n);
	wizard_set_status(w, R_FAIL, "The backfill ended with exit %d: %s", b->rc,
			  b->error[0] ? b->error : "see the tables below and the log");
}

void backfill_tick(struct wizard *w)
{
	struct ui_backfill *b = &w->m.backfill;
	if (!w->m.backfill_detecting || (b->detected && !w->m.backfill_started) || b->finished)
		return;
	bool was_detected = b->detected;
	ui_backfill_free(b);
	w->be->backfill_poll(w->be->ctx, b);
	if (w->m.backfill_started) {
		engine_snapshot_free(&w->m.bf_snap);
		w->be->backfill_snapshot(w->be->ctx, &w->m.bf_snap);
		if (b->finished)
			finished(w);
		return;
	}
	if (!b->detected || was_detected)
		return;
	if (b->error[0]) {
		w->m.status[SCR_BACKFILL] = STEP_FAILED;
		snprintf(w->m.reason[SCR_BACKFILL], sizeof w->m.reason[SCR_BACKFILL], "%.190s", b->error);
		wizard_set_status(w, R_FAIL, "backfill: %s", b->error);
	} else if (b->n == 0) {
		snprintf(w->m.reason[SCR_BACKFILL], sizeof w->m.reason[SCR_BACKFILL],
			 "nothing changed on the source since the copy");
		wizard_set_status(w, R_OK, "Nothing to backfill (%zu tables checked).  Enter goes on.", b->checked);
	} else {
		wizard_set_status(w, R_WARN, "%zu table%s changed on the source since the copy: b backfills %s.",
				  b->n, b->n == 1 ? "" : "s", b->n == 1 ? "it" : "them");
	}
}

static void draw_changed(struct wizard *w, struct canvas *c, int top, int height)
{
	const struct ui_backfill *b = &w->m.backfill;
	canvas_printf(c, top, 2, c->cols - 4, b->n ? R_WARN : R_OK, "%zu of %zu tables changed since their copy "
		      "(%s)", b->n, b->checked, b->fingerprints ? "change fingerprints"
		      : "row counts: rows updated in place are not seen");
	int bh = height - 3;
	canvas_box(c, top + 1, 0, bh, c->cols, "Changed tables", R_FRAME);
	int name_w = c->cols >= 120 ? 48 : 30;
	int rows = (bh - 2) / 2;
	list_clamp(&w->s, (int)b->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)b->n; r++) {
		const struct ui_bf_row *x = &b->rows[w->s.scroll + r];
		int y = top + 2 + 2 * r;
		canvas_name(c, y, 2, name_w, w->s.sel == w->s.scroll + r ? R_SEL : R_NORMAL, x->table);
		canvas_text(c, y, 3 + name_w, c->cols - 5 - name_w, R_DIM, x->change);
		canvas_text(c, y + 1, 4, c->cols - 6, x->whole ? R_WARN : R_NORMAL, x->how);
	}
	canvas_text(c, top + 1 + bh, 2, c->cols - 4, R_DIM,
		    "b backfills them (asks first), then validates them; Enter goes on without.");
}

static void draw_validation(struct wizard *w, struct canvas *c, int top, int height)
{
	const struct ui_validation *v = &w->m.backfill.val;
	canvas_box(c, top, 0, height, c->cols, "Validation of the backfilled tables", R_FRAME);
	int name_w = c->cols >= 120 ? 48 : 28;
	for (int r = 0; r < height - 2 && r < (int)v->n; r++) {
		const struct ui_val_row *x = &v->rows[r];
		char a[24], d[24];
		enum ui_role role = x->state == VAL_OK ? R_OK : x->state == VAL_DIFF || x->state == VAL_ERROR ? R_FAIL : R_DIM;
		snprintf(a, sizeof a, x->src_rows >= 0 ? "%lld" : "-", x->src_rows);
		snprintf(d, sizeof d, x->dst_rows >= 0 ? "%lld" : "-", x->dst_rows);
		canvas_name(c, top + 1 + r, 2, name_w, R_NORMAL, x->table);
		canvas_printf(c, top + 1 + r, 3 + name_w, 26, R_NORMAL, "%12s %12s", a, d);
		canvas_text(c, top + 1 + r, 31 + name_w, 8, role, val_state_name(x->state));
		canvas_name(c, top + 1 + r, 40 + name_w, c->cols - 42 - name_w, role == R_FAIL ? R_FAIL : R_DIM, x->detail);
	}
}

void backfill_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!available(w)) {
		draw_unavailable(w, c, top, height, SCR_BACKFILL);
		return;
	}
	const struct ui_backfill *b = &w->m.backfill;
	if (!w->m.backfill_detecting) {
		canvas_text(c, top + 1, 2, c->cols - 4, R_FAIL, "The detection did not start; see the message below.");
		return;
	}
	if (!b->detected) {
		canvas_text(c, top + 1, 2, c->cols - 4, R_NORMAL,
			    "Comparing each table's change fingerprint on the source with the one its copy recorded...");
		return;
	}
	if (b->error[0]) {
		canvas_wrap(c, top + 1, 2, c->cols - 4, height - 2, 0, R_FAIL, b->error);
		return;
	}
	if (b->n == 0) {
		canvas_printf(c, top + 1, 2, c->cols - 4, R_OK, "Nothing changed on the source since the copy.");
		canvas_printf(c, top + 3, 2, c->cols - 4, R_NORMAL, "%zu tables checked, by %s; nothing to backfill.",
			      b->checked, b->fingerprints ? "their change fingerprints" : "row counts");
		return;
	}
	if (!w->m.backfill_started) {
		draw_changed(w, c, top, height);
		return;
	}
	int vh = b->validated ? (int)b->val.n + 2 : 0;
	if (vh > height / 2)
		vh = height / 2;
	canvas_printf(c, top, 2, c->cols - 4, R_DIM, "backfill: %s", b->phase);
	copyview_draw(c, top + 1, height - 1 - vh, &w->m.bf_snap, 0, w->s.sel, false);
	if (vh)
		draw_validation(w, c, top + height - vh, vh);
}

bool backfill_key(struct wizard *w, int key)
{
	const struct ui_backfill *b = &w->m.backfill;
	if (!available(w) || !b->detected)
		return false;
	if (key == 'b') {
		if (w->m.backfill_started || b->n == 0 || b->error[0])
			return true;
		char q[200];
		snprintf(q, sizeof q, "Backfill %zu table%s on the destination now, then validate %s? (y/n)", b->n,
			 b->n == 1 ? "" : "s", b->n == 1 ? "it" : "them");
		wizard_ask(w, CONFIRM_BACKFILL, q);
		return true;
	}
	if (!w->m.backfill_started)
		return list_key(&w->s, key, (int)b->n, 5);
	return list_key(&w->s, key, (int)w->m.bf_snap.ntables, 5);
}

void backfill_screen_confirm(struct wizard *w)
{
	char err[400];
	if (w->be->backfill_start(w->be->ctx, w->m.plan, err, sizeof err)) {
		w->m.backfill_started = true;
		w->m.backfill.finished = false;
		w->s.sel = w->s.scroll = 0;
		wizard_set_status(w, R_NORMAL, "Backfilling...");
	} else {
		wizard_set_status(w, R_FAIL, "backfill: %s", err);
	}
}

bool backfill_validate(struct wizard *w, char *err, size_t size)
{
	const struct ui_backfill *b = &w->m.backfill;
	if (!available(w) || !w->m.backfill_detecting)
		return true;
	if (!b->detected) {
		snprintf(err, size, "Still looking for writes since the copy.");
		return false;
	}
	if (w->m.backfill_started && !b->finished) {
		snprintf(err, size, "The backfill is still running.");
		return false;
	}
	if (!w->m.backfill_started && b->n > 0 && !b->error[0]) {
		w->m.status[SCR_BACKFILL] = STEP_SKIPPED;
		snprintf(w->m.reason[SCR_BACKFILL], sizeof w->m.reason[SCR_BACKFILL],
			 "%zu table%s changed since the copy, not backfilled; run: gp2adb backfill", b->n,
			 b->n == 1 ? "" : "s");
	}
	return true;
}
