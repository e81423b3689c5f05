/* Screen 12: the business check (gp2adb validate --queries FILE): the
 * application's queries on both sides, their results compared and timed. */
#include "screens.h"
#include "bizcheck.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool available(const struct wizard *w)
{
	return w->be->bizcheck_start && w->be->bizcheck_poll;
}

static void start(struct wizard *w)
{
	char err[600];
	if (!w->m.bizcheck_path[0]) {
		wizard_set_status(w, R_WARN, "Type the queries file first (e).");
		return;
	}
	ui_bizcheck_free(&w->m.bizcheck);
	/* the file given is the plan's from now on: the saved report names it */
	struct plan *p = w->m.plan;
	if (!p->business_queries || strcmp(p->business_queries, w->m.bizcheck_path) != 0) {
		free(p->business_queries);
		p->business_queries = xstrdup(w->m.bizcheck_path);
	}
	if (w->be->bizcheck_start(w->be->ctx, w->m.plan, w->m.bizcheck_path, err, sizeof err)) {
		w->m.bizcheck_started = true;
		w->m.status[SCR_BIZCHECK] = STEP_PENDING;
		w->m.reason[SCR_BIZCHECK][0] = '\0';
		wizard_set_status(w, R_NORMAL, "Running the queries of %s on both sides...", w->m.bizcheck_path);
	} else {
		w->m.bizcheck_started = false;
		snprintf(w->m.bizcheck.error, sizeof w->m.bizcheck.error, "%.511s", err);
		wizard_set_status(w, R_FAIL, "%s", err);
	}
}

enum nav bizcheck_enter(struct wizard *w, char *reason, size_t size)
{
	if (!available(w)) {
		wizard_unavailable(w, SCR_BIZCHECK, "the business check (gp2adb validate --queries)");
		return NAV_OK;
	}
	if (!w->m.copy_started) {
		snprintf(reason, size, "no copy ran in this session; run gp2adb validate --queries FILE after copying");
		return NAV_SKIP;
	}
	if (!w->m.bizcheck_path[0] && w->m.plan->business_queries)
		snprintf(w->m.bizcheck_path, sizeof w->m.bizcheck_path, "%s", w->m.plan->business_queries);
	if (!w->m.bizcheck_started && !w->m.bizcheck.error[0] && w->m.bizcheck_path[0])
		start(w);
	else if (!w->m.bizcheck_path[0])
		wizard_set_status(w, R_NORMAL, "No business queries in the plan: e types a file of them, Enter goes on without.");
	return NAV_OK;
}

void bizcheck_tick(struct wizard *w)
{
	if (!w->m.bizcheck_started || w->m.bizcheck.finished)
		return;
	ui_bizcheck_free(&w->m.bizcheck);
	w->be->bizcheck_poll(w->be->ctx, &w->m.bizcheck);
	if (!w->m.bizcheck.finished)
		return;
	const struct ui_bizcheck *b = &w->m.bizcheck;
	size_t differ = 0, failed = 0;
	for (size_t i = 0; i < b->n; i++) {
		differ += b->rows[i].state == BIZQ_DIFFERS;
		failed += b->rows[i].state >= BIZQ_FAILED_SRC;
	}
	if (b->error[0]) {
		w->m.status[SCR_BIZCHECK] = STEP_FAILED;
		snprintf(w->m.reason[SCR_BIZCHECK], sizeof w->m.reason[SCR_BIZCHECK], "%.190s", b->error);
		wizard_set_status(w, R_FAIL, "business check: %s", b->error);
	} else if (differ || failed) {
		w->m.status[SCR_BIZCHECK] = STEP_FAILED;
		snprintf(w->m.reason[SCR_BIZCHECK], sizeof w->m.reason[SCR_BIZCHECK],
			 "%zu of %zu queries differ, %zu failed on a side", differ, b->n, failed);
		wizard_set_status(w, R_FAIL, "%zu of %zu queries differ, %zu failed on a side; the report has each.",
				  differ, b->n, failed);
	} else {
		wizard_set_status(w, R_OK, "All %zu queries give the same results on both sides.", b->n);
	}
}

static void seconds(char *out, size_t size, double s)
{
	if (s < 0)
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%.2fs", s);
}

void bizcheck_draw(struct wizard *w, struct canvas *c, int top, int height)
{
	if (!available(w)) {
		draw_unavailable(w, c, top, height, SCR_BIZCHECK);
		return;
	}
	const struct ui_bizcheck *b = &w->m.bizcheck;
	int y = top;
	canvas_text(c, y, 2, 14, R_DIM, "queries file");
	if (w->s.editing) {
		canvas_printf(c, y, 16, c->cols - 18, R_SEL, "%s_", w->s.input);
	} else {
		canvas_text(c, y, 16, c->cols - 18, w->m.bizcheck_path[0] ? R_NORMAL : R_DIM,
			    w->m.bizcheck_path[0] ? w->m.bizcheck_path : "(none: e types one)");
	}
	y++;
	size_t match = 0, differ = 0, failed = 0, slower = 0;
	for (size_t i = 0; i < b->n; i++) {
		match += b->rows[i].state == BIZQ_MATCH;
		differ += b->rows[i].state == BIZQ_DIFFERS;
		failed += b->rows[i].state >= BIZQ_FAILED_SRC;
		slower += b->rows[i].slower;
	}
	if (b->error[0])
		canvas_text(c, y, 2, c->cols - 4, R_FAIL, "The file cannot be used (below); e types another.");
	else if (w->m.bizcheck_started && !b->finished)
		canvas_printf(c, y, 2, c->cols - 4, R_NORMAL, "running %zu queries on the source and the destination...",
			      b->total);
	else if (b->finished)
		canvas_printf(c, y, 2, c->cols - 4, differ || failed ? R_FAIL : R_OK,
			      "%zu queries: %zu match, %zu differ, %zu failed, %zu much slower on the destination",
			      b->n, match, differ, failed, slower);
	y++;
	int bh = height - 5;
	canvas_box(c, y, 0, bh, c->cols, "Queries", R_FRAME);
	int name_w = c->cols >= 120 ? 40 : 28;
	canvas_printf(c, y + 1, 2, c->cols - 4, R_DIM, "%-*s %-21s %8s %8s %7s", name_w, "query", "result", "source",
		      "dest", "dst/src");
	int rows = bh - 3;
	list_clamp(&w->s, (int)b->n, rows);
	for (int r = 0; r < rows && w->s.scroll + r < (int)b->n; r++) {
		const struct ui_biz_row *x = &b->rows[w->s.scroll + r];
		int yy = y + 2 + r;
		char name[300], a[16], d[16], f[16] = "-";
		snprintf(name, sizeof name, "%s%s%s", x->database, x->database[0] ? ": " : "", x->name);
		seconds(a, sizeof a, x->src_s);
		seconds(d, sizeof d, x->dst_s);
		if (x->src_s >= 0 && x->dst_s >= 0 && x->src_s > 0)
			snprintf(f, sizeof f, "%.1fx", x->dst_s / x->src_s);
		enum ui_role role = x->state == BIZQ_MATCH ? R_OK : R_FAIL;
		canvas_name(c, yy, 2, name_w, w->s.sel == w->s.scroll + r ? R_SEL : R_NORMAL, name);
		canvas_text(c, yy, 3 + name_w, 21, role, biz_state_name(x->state));
		canvas_printf(c, yy, 25 + name_w, 17, R_NORMAL, "%8s %8s", a, d);
		canvas_printf(c, yy, 43 + name_w, 7, x->slower ? R_WARN : R_NORMAL, "%7s", f);
		if (c->cols >= 120)
			canvas_name(c, yy, 51 + name_w, c->cols - 53 - name_w, role == R_FAIL ? R_FAIL : R_DIM, x->detail);
	}
	/* the selected query's difference or error, in full; or why the file cannot be used */
	if (b->error[0])
		canvas_wrap(c, y + bh, 2, c->cols - 4, 2, 0, R_FAIL, b->error);
	else if (b->n && w->s.sel < (int)b->n && b->rows[w->s.sel].detail[0])
		canvas_wrap(c, y + bh, 2, c->cols - 4, 2, 0, b->rows[w->s.sel].state == BIZQ_MATCH ? R_DIM : R_FAIL,
			    b->rows[w->s.sel].detail);
}

bool bizcheck_key(struct wizard *w, int key)
{
	if (!available(w))
		return false;
	bool running = w->m.bizcheck_started && !w->m.bizcheck.finished;
	if (w->s.editing) {
		bool done;
		if (key == UI_KEY_ESC) {
			w->s.editing = false;
			return true;
		}
		edit_key(&w->s, key, &done);
		if (done) {
			w->s.editing = false;
			snprintf(w->m.bizcheck_path, sizeof w->m.bizcheck_path, "%s", w->s.input);
			w->m.bizcheck.error[0] = '\0';
			start(w);
		}
		return true;
	}
	if (key == 'e' && !running) {
		w->s.editing = true;
		snprintf(w->s.input, sizeof w->s.input, "%.255s", w->m.bizcheck_path);
		return true;
	}
	if (key == 'r' && !running) {
		start(w);
		return true;
	}
	return list_key(&w->s, key, (int)w->m.bizcheck.n, 10);
}

bool bizcheck_validate(struct wizard *w, char *err, size_t size)
{
	if (!available(w))
		return true;
	if (w->m.bizcheck_started && !w->m.bizcheck.finished) {
		snprintf(err, size, "The business check is still running.");
		return false;
	}
	if (!w->m.bizcheck_started) {
		w->m.status[SCR_BIZCHECK] = STEP_SKIPPED;
		snprintf(w->m.reason[SCR_BIZCHECK], sizeof w->m.reason[SCR_BIZCHECK], "%s",
			 w->m.bizcheck.error[0] ? "the queries file could not be read" : "no queries file given");
	}
	return true;
}
