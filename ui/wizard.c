/* The wizard's state machine: Next/Back over the screen table, the global
 * keys, the frame around every screen and its overlays (help, confirm). */
#include "wizard.h"
#include "screens.h"
#include "exitcode.h"
#include "fmt.h"
#include "mem.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double wizard_now(const struct wizard *w)
{
	return w->be->now(w->be->ctx);
}

void wizard_set_status(struct wizard *w, enum ui_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->status, sizeof w->status, fmt, ap);
	va_end(ap);
	w->status_role = role;
}

void wizard_ask(struct wizard *w, enum confirm_action a, const char *question)
{
	w->overlay = OV_CONFIRM;
	w->confirm = a;
	snprintf(w->question, sizeof w->question, "%s", question);
}

void wizard_unavailable(struct wizard *w, enum screen_id id, const char *what)
{
	w->m.status[id] = STEP_UNAVAILABLE;
	snprintf(w->m.reason[id], sizeof w->m.reason[id], "not available in this build: %s", what);
}

void draw_unavailable(struct wizard *w, struct canvas *c, int top, int height, enum screen_id id)
{
	(void)height;
	canvas_text(c, top + 1, 2, c->cols - 4, R_WARN, w->m.reason[id]);
	canvas_text(c, top + 3, 2, c->cols - 4, R_NORMAL,
		    "Nothing was done for this step.  Next goes on; the summary lists it.");
}

/* Enter screen `idx`, skipping (with the reason shown) in direction dir. */
static void go(struct wizard *w, int idx, int dir)
{
	while (idx >= 0 && idx < SCR_COUNT) {
		const struct screen *scr = &wizard_screens[idx];
		char reason[200] = "";
		memset(&w->s, 0, sizeof w->s);
		enum nav r = scr->enter ? scr->enter(w, reason, sizeof reason) : NAV_OK;
		if (r == NAV_SKIP) {
			w->m.status[idx] = STEP_SKIPPED;
			snprintf(w->m.reason[idx], sizeof w->m.reason[idx], "%s", reason);
			wizard_set_status(w, R_DIM, "Skipped %s: %s", scr->title, reason);
			idx += dir;
			continue;
		}
		w->cur = idx;
		return;
	}
}

static void next(struct wizard *w, bool confirmed)
{
	const struct screen *scr = &wizard_screens[w->cur];
	char err[400] = "";
	if (scr->validate && !scr->validate(w, err, sizeof err)) {
		wizard_set_status(w, R_FAIL, "%s", err);
		return;
	}
	if (scr->confirm_next && !confirmed) {
		wizard_ask(w, CONFIRM_NEXT, scr->confirm_next);
		return;
	}
	w->s.confirmed = confirmed;
	if (scr->apply && !scr->apply(w, err, sizeof err)) {
		wizard_set_status(w, R_FAIL, "%s", err);
		return;
	}
	if (w->m.status[w->cur] == STEP_PENDING)
		w->m.status[w->cur] = STEP_DONE;
	if (w->cur == SCR_COUNT - 1) {
		w->quit = true;
		return;
	}
	w->status[0] = '\0';
	go(w, w->cur + 1, +1);
}

static void back(struct wizard *w)
{
	w->status[0] = '\0';
	int from = w->cur;
	go(w, w->cur - 1, -1);
	if (w->cur == from || w->cur < 0)
		go(w, from, +1);
}

void wizard_init(struct wizard *w, struct plan *plan, const struct ui_backend *be)
{
	memset(w, 0, sizeof *w);
	w->be = be;
	ui_model_init(&w->m, plan, be->now(be->ctx));
	w->cur = -1;
	go(w, 0, +1);
}

void wizard_done(struct wizard *w)
{
	ui_model_done(&w->m);
}

static void copy_cancel(struct wizard *w)
{
	if (w->m.copy_started && !w->m.snap.finished && w->be->copy_cancel) {
		w->be->copy_cancel(w->be->ctx);
		w->cancelled = true;
		w->m.status[SCR_MIGRATION] = STEP_CANCELLED;
		snprintf(w->m.reason[SCR_MIGRATION], sizeof w->m.reason[SCR_MIGRATION],
			 "cancelled by the operator; resume with: gp2adb copy --resume");
	}
}

static void answer(struct wizard *w, bool yes)
{
	w->overlay = OV_NONE;
	if (!yes) {
		wizard_set_status(w, R_DIM, "Nothing was changed.");
		return;
	}
	switch (w->confirm) {
	case CONFIRM_NEXT:
		next(w, true);
		break;
	case CONFIRM_CANCEL_COPY:
		copy_cancel(w);
		wizard_set_status(w, R_WARN, w->m.method == METHOD_GPCOPY
				  ? "Cancelling gpcopy; the summary gives the command that copies the other tables."
				  : "Cancelling the copy; it can be resumed with gp2adb copy --resume.");
		break;
	case CONFIRM_OPENING_CLOSED:
		access_screen_confirm(w);
		break;
	case CONFIRM_BACKFILL:
		backfill_screen_confirm(w);
		break;
	case CONFIRM_INTERRUPT:
	case CONFIRM_QUIT:
		copy_cancel(w);
		w->quit = true;
		break;
	}
}

void wizard_key(struct wizard *w, int key)
{
	const struct screen *scr = &wizard_screens[w->cur];
	if (key == UI_KEY_RESIZE)
		return;
	if (key == UI_KEY_INTERRUPT) {
		bool running = w->m.copy_started && !w->m.snap.finished && !w->cancelled;
		wizard_ask(w, CONFIRM_INTERRUPT,
			   running ? "Interrupted: cancel the copy and quit? It stays resumable. (y/n)"
				   : "Interrupted: quit the wizard? (y/n)");
		return;
	}
	switch (w->overlay) {
	case OV_HELP:
		w->overlay = OV_NONE;
		return;
	case OV_CONFIRM:
		if (key == 'y' || key == 'Y')
			answer(w, true);
		else if (key == 'n' || key == 'N' || key == UI_KEY_ESC || key == 'q')
			answer(w, false);
		return;
	case OV_INSPECT:
		if (key == UI_KEY_ESC || key == 'q' || key == UI_KEY_ENTER || key == 'i')
			w->overlay = OV_NONE;
		return;
	case OV_NONE:
		break;
	}
	if (scr->key && scr->key(w, key))
		return;
	switch (key) {
	case UI_KEY_F1:
	case '?':
		w->overlay = OV_HELP;
		break;
	case UI_KEY_ENTER:
	case 'n':
		next(w, false);
		break;
	case UI_KEY_ESC:
	case 'b':
		if (ui_model_busy(&w->m))
			wizard_set_status(w, R_WARN, "Wait until this step's work has finished before going back.");
		else
			back(w);
		break;
	case 'q':
		if (w->cur == SCR_SUMMARY)
			w->quit = true;
		else
			wizard_ask(w, CONFIRM_QUIT,
				   w->m.copy_started && !w->m.snap.finished && !w->cancelled
					   ? "Quit? The copy is cancelled and stays resumable. (y/n)"
					   : "Quit the wizard? (y/n)");
		break;
	case UI_KEY_TAB:
		if (scr->panes > 1)
			w->s.pane = (w->s.pane + 1) % scr->panes;
		break;
	case UI_KEY_BTAB:
		if (scr->panes > 1)
			w->s.pane = (w->s.pane + scr->panes - 1) % scr->panes;
		break;
	default:
		break;
	}
}

void wizard_tick(struct wizard *w)
{
	const struct screen *scr = &wizard_screens[w->cur];
	if (scr->tick)
		scr->tick(w);
}

static void draw_overlay_box(struct canvas *c, const char *title, const char *text, enum ui_role role)
{
	int w = c->cols - 16 < 70 ? c->cols - 16 : 70;
	int h = canvas_wrap(c, 0, 0, w - 4, 0, 0, R_NORMAL, text) + 4;
	if (h > c->rows - 4)
		h = c->rows - 4;
	int y = (c->rows - h) / 2, x = (c->cols - w) / 2;
	for (int i = 0; i < h; i++)
		canvas_fill(c, y + i, x, w, L' ', R_NORMAL);
	canvas_box(c, y, x, h, w, title, role);
	canvas_wrap(c, y + 2, x + 2, w - 4, h - 4, 0, R_NORMAL, text);
}

static void draw_too_small(struct canvas *c)
{
	canvas_clear(c);
	char line[120];
	snprintf(line, sizeof line, "terminal too small: %dx%d", c->cols, c->rows);
	int y = c->rows / 2 - 1;
	canvas_text(c, y < 0 ? 0 : y, 0, c->cols, R_FAIL, line);
	snprintf(line, sizeof line, "gp2adb needs at least %dx%d; enlarge it or press q", UI_MIN_COLS,
		 UI_MIN_ROWS);
	canvas_text(c, y + 1 < c->rows ? y + 1 : 0, 0, c->cols, R_NORMAL, line);
}

void wizard_draw(struct wizard *w, struct canvas *c)
{
	const struct screen *scr = &wizard_screens[w->cur];
	canvas_clear(c);
	if (c->rows < UI_MIN_ROWS || c->cols < UI_MIN_COLS) {
		draw_too_small(c);
		if (w->overlay == OV_CONFIRM)
			canvas_text(c, c->rows - 1, 0, c->cols, R_WARN, w->question);
		return;
	}
	/* Title bar: the step and where it sits in the walk. */
	canvas_fill(c, 0, 0, c->cols, L' ', R_HEAD);
	canvas_printf(c, 0, 1, c->cols - 2, R_HEAD, "gp2adb  %d/%d  %s", w->cur + 1, SCR_COUNT, scr->title);
	char step_line[SCR_COUNT * 2 + 1];
	for (int i = 0; i < SCR_COUNT; i++) {
		char ch = i == w->cur ? '*' : w->m.status[i] == STEP_DONE ? '+'
			: w->m.status[i] == STEP_SKIPPED ? '-' : w->m.status[i] == STEP_UNAVAILABLE ? 'x'
			: w->m.status[i] == STEP_PENDING ? '.' : '!';
		step_line[2 * i] = ch;
		step_line[2 * i + 1] = ' ';
	}
	step_line[SCR_COUNT * 2 - 1] = '\0';
	canvas_rtext(c, 0, c->cols - 1, R_HEAD, step_line);

	int top = 1, height = c->rows - 3;
	scr->draw(w, c, top, height);

	/* Status line and keys. */
	canvas_text(c, c->rows - 2, 1, c->cols - 2, w->status_role, w->status);
	canvas_fill(c, c->rows - 1, 0, c->cols, L' ', R_KEY);
	char keys[300];
	snprintf(keys, sizeof keys, "%s%sEnter next  Esc back  %sF1 help  q quit", scr->hints ? scr->hints : "",
		 scr->hints ? "  " : "", scr->panes > 1 ? "Tab pane  " : "");
	canvas_text(c, c->rows - 1, 1, c->cols - 2, R_KEY, keys);

	switch (w->overlay) {
	case OV_HELP: {
		char title[120];
		snprintf(title, sizeof title, "Help: %s", scr->title);
		char *text = xasprintf("%s\n\nEverywhere: Enter/n next, Esc/b back, Tab next pane, "
				       "F1/? this help, q quit.  Any key closes this help.", scr->help);
		draw_overlay_box(c, title, text, R_FRAME);
		free(text);
		break;
	}
	case OV_CONFIRM:
		draw_overlay_box(c, "Confirm", w->question, R_WARN);
		break;
	case OV_INSPECT:
		copyview_draw_inspect(c, &w->m.snap, w->s.sel);
		break;
	case OV_NONE:
		break;
	}
}

bool edit_key(struct screen_state *s, int key, bool *done)
{
	size_t len = strlen(s->input);
	*done = false;
	if (key == UI_KEY_ENTER) {
		*done = true;
		return true;
	}
	if (key == UI_KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0)
			s->input[len - 1] = '\0';
		return true;
	}
	if (key >= 0x20 && key < 0x7f && len + 1 < sizeof s->input) {
		s->input[len] = (char)key;
		s->input[len + 1] = '\0';
		return true;
	}
	return key != UI_KEY_ESC;   /* everything else is swallowed while editing */
}

void list_clamp(struct screen_state *s, int n, int rows)
{
	if (s->sel >= n)
		s->sel = n - 1;
	if (s->sel < 0)
		s->sel = 0;
	if (rows < 1)
		rows = 1;
	if (s->scroll > s->sel)
		s->scroll = s->sel;
	if (s->sel >= s->scroll + rows)
		s->scroll = s->sel - rows + 1;
	if (s->scroll < 0)
		s->scroll = 0;
}

bool list_key(struct screen_state *s, int key, int n, int page)
{
	switch (key) {
	case UI_KEY_UP: s->sel--; break;
	case UI_KEY_DOWN: s->sel++; break;
	case UI_KEY_PGUP: s->sel -= page; break;
	case UI_KEY_PGDN: s->sel += page; break;
	case UI_KEY_HOME: s->sel = 0; break;
	case UI_KEY_END: s->sel = n - 1; break;
	default: return false;
	}
	if (s->sel >= n)
		s->sel = n - 1;
	if (s->sel < 0)
		s->sel = 0;
	return true;
}

int wizard_exit_code(const struct wizard *w)
{
	const struct ui_model *m = &w->m;
	/* on the access screen the work is done: only openings may be left */
	bool at_end = w->cur == SCR_SUMMARY || (w->cur == SCR_ACCESS && m->snap.finished);
	if (w->cancelled || (!at_end && w->quit))
		return EXIT_INTERRUPTED;
	if (m->snap.tables_failed > 0)
		return EXIT_COPY_FAILED;
	for (size_t i = 0; i < m->validation.n; i++)
		if (m->validation.rows[i].state == VAL_DIFF)
			return EXIT_DIFFERENCES;
	for (size_t i = 0; i < m->bizcheck.n; i++)
		if (m->bizcheck.rows[i].state == BIZQ_DIFFERS)
			return EXIT_DIFFERENCES;
	for (size_t i = 0; i < m->backfill.val.n; i++)
		if (m->backfill.val.rows[i].state == VAL_DIFF)
			return EXIT_DIFFERENCES;
	/* not finished while an opening is open, or while nobody could check */
	if (openings_count_open(&m->openings) > 0 || (w->be && w->be->ledger_list && !m->ledger_ready))
		return EXIT_ACCESS_OPEN;
	return EXIT_OK;
}
