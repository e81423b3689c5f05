/* ui: what the rest of gp2adb calls.  The wizard, and the live copy panes
 * for the batch commands (copy, validate, install-gpcopy) on a terminal. */
#ifndef GP2ADB_UI_H
#define GP2ADB_UI_H

#include <stdbool.h>
#include <stdio.h>

#include "backend.h"
#include "canvas.h"
#include "engine.h"
#include "log.h"
#include "term.h"
#include "wizard.h"

/* Run the wizard on this terminal over `be`; returns an exit code.  The
 * terminal is restored before the summary is printed to stdout. */
int ui_wizard_run(struct plan *plan, const struct ui_backend *be);

/* A source of engine-like snapshots, for the live panes. */
struct ui_copy_source {
	void *ctx;
	void (*snapshot)(void *ctx, struct engine_snapshot *out);   /* fills a zeroed snapshot */
	void (*pause)(void *ctx, bool paused);                      /* NULL: cannot pause */
	void (*cancel)(void *ctx);                                   /* NULL: cannot cancel */
};

/* Show the migration panes for `src` until its snapshot says finished (or
 * the operator cancels, after confirming).  false when the terminal cannot
 * be used: the caller prints plain lines instead.  *cancelled tells whether
 * the operator cancelled. */
bool ui_copy_view_run(const char *title, const struct ui_copy_source *src, bool *cancelled);

/* A batch command's live view: clear, and its title bar; false (with the
 * "terminal too small" message drawn) below 80x24. */
bool ui_view_head(struct canvas *c, const char *title);
/* The console's log level for -v/-q; curses views mute it while they show. */
enum log_level ui_console_level(const struct plan *p);

/* One wizard on one terminal: what ui_wizard_run loops over, and what the
 * screen tests drive key by key. */
struct ui_session {
	struct term term;
	struct canvas canvas;
	struct wizard wiz;
};

bool ui_session_open(struct ui_session *s, struct plan *plan, const struct ui_backend *be, FILE *out, FILE *in);
/* One round: at most one key (waiting up to timeout_ms), a poll of the
 * work, a redraw.  false once the wizard is done. */
bool ui_session_step(struct ui_session *s, int timeout_ms);
/* Restore the terminal; the wizard's model stays readable until done. */
void ui_session_close_term(struct ui_session *s);
void ui_session_done(struct ui_session *s);

#endif
