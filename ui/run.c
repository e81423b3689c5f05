/* The wizard's loop, the copy panes for batch commands, and cmd_wizard. */
#include "ui.h"
#include "cmd.h"
#include "exitcode.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 150     /* about 7 polls a second */

bool ui_session_open(struct ui_session *s, struct plan *plan, const struct ui_backend *be, FILE *out, FILE *in)
{
	memset(s, 0, sizeof *s);
	if (!term_open(&s->term, out, in))
		return false;
	canvas_init(&s->canvas, term_rows(&s->term), term_cols(&s->term), s->term.utf8);
	wizard_init(&s->wiz, plan, be);
	wizard_draw(&s->wiz, &s->canvas);
	term_blit(&s->term, &s->canvas);
	return true;
}

bool ui_session_step(struct ui_session *s, int timeout_ms)
{
	int key = term_getkey(&s->term, timeout_ms);
	if (term_terminated()) {
		/* SIGTERM/SIGHUP: no questions; the copy stops resumable. */
		if (s->wiz.m.copy_started && !s->wiz.m.snap.finished && s->wiz.be->copy_cancel) {
			s->wiz.be->copy_cancel(s->wiz.be->ctx);
			s->wiz.cancelled = true;
		}
		s->wiz.quit = true;
		return false;
	}
	if (term_rows(&s->term) != s->canvas.rows || term_cols(&s->term) != s->canvas.cols)
		canvas_resize(&s->canvas, term_rows(&s->term), term_cols(&s->term));
	if (key >= 0)
		wizard_key(&s->wiz, key);
	if (s->wiz.quit)
		return false;
	wizard_tick(&s->wiz);
	wizard_draw(&s->wiz, &s->canvas);
	term_blit(&s->term, &s->canvas);
	return true;
}

void ui_session_close_term(struct ui_session *s)
{
	term_close(&s->term);
}

void ui_session_done(struct ui_session *s)
{
	term_close(&s->term);
	canvas_done(&s->canvas);
	wizard_done(&s->wiz);
}

enum log_level ui_console_level(const struct plan *p)
{
	return p->verbosity > 1 ? LOG_DEBUG : p->verbosity < 0 ? LOG_WARN : LOG_INFO;
}

int ui_wizard_run(struct plan *plan, const struct ui_backend *be)
{
	struct ui_session s;
	const char *why;
	if (!term_usable(&why)) {
		fprintf(stderr, "gp2adb: the wizard needs a terminal (%s); use the batch commands "
			"(gp2adb --help)\n", why);
		return EXIT_USAGE;
	}
	log_set_console(ui_console_level(plan), true);
	if (!ui_session_open(&s, plan, be, stdout, stdin)) {
		log_set_console(ui_console_level(plan), false);
		fprintf(stderr, "gp2adb: cannot use the terminal \"%s\" (no terminfo entry?); use the batch "
			"commands (gp2adb --help)\n", getenv("TERM") ? getenv("TERM") : "");
		return EXIT_USAGE;
	}
	while (ui_session_step(&s, TICK_MS))
		;
	ui_session_close_term(&s);
	log_set_console(ui_console_level(plan), false);
	if (be->done)
		be->done(be->ctx);
	char *summary = wizard_summary_text(&s.wiz);
	fputs(summary, stdout);
	free(summary);
	int rc = wizard_exit_code(&s.wiz);
	ui_session_done(&s);
	return rc;
}

int cmd_wizard(struct cli *cli)
{
	struct ui_backend be;
	ui_backend_core(&be, cli->tarball);
	return ui_wizard_run(&cli->plan, &be);
}

bool ui_view_head(struct canvas *c, const char *title)
{
	canvas_clear(c);
	if (c->rows < UI_MIN_ROWS || c->cols < UI_MIN_COLS) {
		canvas_printf(c, c->rows / 2, 0, c->cols, R_FAIL, "terminal too small: %dx%d (needs %dx%d)",
			      c->cols, c->rows, UI_MIN_COLS, UI_MIN_ROWS);
		return false;
	}
	canvas_fill(c, 0, 0, c->cols, L' ', R_HEAD);
	canvas_printf(c, 0, 1, c->cols - 2, R_HEAD, "gp2adb  %s", title);
	return true;
}

/* The copy panes alone, for the batch commands. */
static void view_draw(struct canvas *c, const char *title, const struct engine_snapshot *snap, int pane,
		      int sel, bool paused, bool inspect, const char *status, bool asking)
{
	if (!ui_view_head(c, title))
		return;
	copyview_draw(c, 1, c->rows - 3, snap, pane, sel, paused);
	canvas_text(c, c->rows - 2, 1, c->cols - 2, asking ? R_WARN : R_DIM, status);
	canvas_fill(c, c->rows - 1, 0, c->cols, L' ', R_KEY);
	canvas_text(c, c->rows - 1, 1, c->cols - 2, R_KEY,
		    asking ? "y yes  n no" : "p pause  c cancel  i inspect  Up/Down table  Tab pane");
	if (inspect)
		copyview_draw_inspect(c, snap, sel);
}

bool ui_copy_view_run(const char *title, const struct ui_copy_source *src, bool *cancelled)
{
	struct term t;
	struct canvas c;
	struct engine_snapshot snap;
	const char *why;
	int pane = 0, sel = 0;
	bool paused = false, inspect = false, asking = false;
	char status[200] = "";
	*cancelled = false;
	if (!term_usable(&why) || !term_open(&t, stdout, stdin))
		return false;
	canvas_init(&c, term_rows(&t), term_cols(&t), t.utf8);
	memset(&snap, 0, sizeof snap);
	for (;;) {
		engine_snapshot_free(&snap);
		src->snapshot(src->ctx, &snap);
		if (term_rows(&t) != c.rows || term_cols(&t) != c.cols)
			canvas_resize(&c, term_rows(&t), term_cols(&t));
		view_draw(&c, title, &snap, pane, sel, paused, inspect, status, asking);
		term_blit(&t, &c);
		if (snap.finished)
			break;
		int key = term_getkey(&t, TICK_MS);
		if (term_terminated() || (asking && (key == 'y' || key == 'Y'))) {
			if (src->cancel)
				src->cancel(src->ctx);
			*cancelled = true;
			asking = false;
			snprintf(status, sizeof status, "Cancelling; the copy can be resumed.");
			continue;
		}
		if (asking) {
			if (key == 'n' || key == 'N' || key == UI_KEY_ESC) {
				asking = false;
				status[0] = '\0';
			}
			continue;
		}
		if (inspect) {
			if (key >= 0)
				inspect = false;
			continue;
		}
		if ((key == 'c' || key == 'q' || key == UI_KEY_INTERRUPT) && src->cancel && !*cancelled) {
			asking = true;
			snprintf(status, sizeof status, "Cancel the copy? It stays resumable. (y/n)");
		} else if (key == 'p' && src->pause) {
			paused = !paused;
			src->pause(src->ctx, paused);
		} else if ((key == 'i' || key == UI_KEY_ENTER) && snap.ntables) {
			inspect = true;
		} else if (key == UI_KEY_TAB) {
			pane = !pane;
		} else if (key == UI_KEY_UP && sel > 0) {
			sel--;
		} else if (key == UI_KEY_DOWN && sel + 1 < (int)snap.ntables) {
			sel++;
		}
	}
	term_close(&t);
	canvas_done(&c);
	engine_snapshot_free(&snap);
	return true;
}
