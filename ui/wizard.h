/* wizard: the screens as a table and the state machine that walks them
 * (DESIGN.md "The wizard").  Everything here draws into a canvas and takes
 * keys as plain ints, so it runs the same under curses (term.c) and in the
 * screen tests. */
#ifndef GP2ADB_UI_WIZARD_H
#define GP2ADB_UI_WIZARD_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "canvas.h"
#include "model.h"

/* Keys, as term.c translates them from curses. */
enum {
	UI_KEY_TAB = '\t', UI_KEY_ENTER = '\n', UI_KEY_ESC = 27,
	UI_KEY_UP = 0x10000, UI_KEY_DOWN, UI_KEY_LEFT, UI_KEY_RIGHT, UI_KEY_PGUP, UI_KEY_PGDN,
	UI_KEY_HOME, UI_KEY_END, UI_KEY_BACKSPACE, UI_KEY_BTAB, UI_KEY_F1, UI_KEY_RESIZE,
	UI_KEY_INTERRUPT,       /* SIGINT arrived */
};

#define UI_MIN_ROWS 24
#define UI_MIN_COLS 80

/* What a step returns: go on, go back, or skip keeping the direction. */
enum nav { NAV_OK, NAV_BACK, NAV_SKIP };

struct wizard;

struct screen {
	enum screen_id id;
	const char *title;
	const char *hints;          /* this screen's keys, for the bottom line */
	const char *help;           /* F1 / ? */
	int panes;                  /* Tab cycles through this many (0 or 1: none) */
	/* on arrival; NAV_SKIP with the reason in `reason` */
	enum nav (*enter)(struct wizard *w, char *reason, size_t size);
	void (*draw)(struct wizard *w, struct canvas *c, int top, int height);
	/* true when the key was used; the wizard handles the rest */
	bool (*key)(struct wizard *w, int key);
	/* on Next: false keeps the screen, with the message shown */
	bool (*validate)(struct wizard *w, char *err, size_t size);
	/* on Next after validate: the same work as the batch command */
	bool (*apply)(struct wizard *w, char *err, size_t size);
	/* every tick: poll the backend */
	void (*tick)(struct wizard *w);
	/* asked (y/n) before apply, for irreversible steps; NULL: none */
	const char *confirm_next;
};

extern const struct screen wizard_screens[SCR_COUNT];

enum overlay { OV_NONE, OV_HELP, OV_CONFIRM, OV_INSPECT };
enum confirm_action { CONFIRM_QUIT, CONFIRM_NEXT, CONFIRM_CANCEL_COPY, CONFIRM_INTERRUPT,
	CONFIRM_OPENING_CLOSED, CONFIRM_BACKFILL };

/* Screen-local state; reset when a screen is entered. */
struct screen_state {
	int pane;
	int sel;
	int scroll;
	int scroll2;              /* a second pane's scroll */
	bool editing;
	bool confirmed;          /* the operator said yes to confirm_next */
	bool flag;               /* a screen's own switch */
	char input[256];
};

struct wizard {
	struct ui_model m;
	const struct ui_backend *be;
	int cur;
	struct screen_state s;
	char status[400];
	enum ui_role status_role;
	enum overlay overlay;
	enum confirm_action confirm;
	char question[200];
	bool quit;
	bool copy_paused;
	bool cancelled;             /* the operator cancelled the copy */
};

void wizard_init(struct wizard *w, struct plan *plan, const struct ui_backend *be);
void wizard_done(struct wizard *w);
/* Handle one key (UI_KEY_* or a character). */
void wizard_key(struct wizard *w, int key);
/* Poll the backend for the current screen. */
void wizard_tick(struct wizard *w);
/* Draw the whole screen; "terminal too small" below 80x24. */
void wizard_draw(struct wizard *w, struct canvas *c);
/* The final summary, as printed after the terminal is restored. */
char *wizard_summary_text(const struct wizard *w);
/* The same from the model alone (cancelled: the operator cancelled the copy),
 * and the report file's text: the summary and what each step found. */
char *ui_summary_text(const struct ui_model *m, bool cancelled, bool report_line);
char *ui_report_text(const struct ui_model *m);
/* The exit code the wizard ends with (exitcode.h). */
int wizard_exit_code(const struct wizard *w);

/* For screens. */
double wizard_now(const struct wizard *w);
void wizard_set_status(struct wizard *w, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void wizard_ask(struct wizard *w, enum confirm_action a, const char *question);
/* Mark the current step unavailable: "not available in this build: <what>". */
void wizard_unavailable(struct wizard *w, enum screen_id id, const char *what);
/* Draw the unavailable message of a step in its body. */
void draw_unavailable(struct wizard *w, struct canvas *c, int top, int height, enum screen_id id);
/* A line editor for screen_state.input: true when the key was used;
 * *done set on Enter. */
bool edit_key(struct screen_state *s, int key, bool *done);
/* Keep sel in [0, n) and scroll so that sel is visible in `rows`. */
void list_clamp(struct screen_state *s, int n, int rows);
bool list_key(struct screen_state *s, int key, int n, int page);

/* The migration panes, shared with ui_copy_view_run (copyview.c). */
void copyview_draw(struct canvas *c, int top, int height, const struct engine_snapshot *snap,
		   int focus_pane, int sel, bool paused);
void copyview_draw_inspect(struct canvas *c, const struct engine_snapshot *snap, int sel);

#endif
