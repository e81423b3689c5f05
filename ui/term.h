/* term: the curses side of the wizard, and the only file that includes
 * <curses.h>.  Opens the terminal the safe way (reliability.md 6: our own
 * SIGINT/SIGTERM handlers before newterm, newterm not initscr, endwin
 * guaranteed at exit), copies a canvas to the screen, and reads keys. */
#ifndef GP2ADB_UI_TERM_H
#define GP2ADB_UI_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "canvas.h"

struct term {
	void *screen;               /* SCREEN * */
	bool utf8;                  /* the locale's codeset is UTF-8 */
	bool color;                 /* has colors and NO_COLOR is not set */
};

/* Whether the wizard can run here: stdin and stdout are terminals and TERM
 * names one that is not "dumb".  *why says what is missing. */
bool term_usable(const char **why);
/* Open curses on out/in (stdout/stdin, or files in tests).  false when
 * newterm fails (the caller falls back to plain lines). */
bool term_open(struct term *t, FILE *out, FILE *in);
/* endwin and release; safe to call twice. */
void term_close(struct term *t);
int term_rows(const struct term *t);
int term_cols(const struct term *t);
/* Copy the canvas to the screen and refresh (one doupdate). */
void term_blit(struct term *t, const struct canvas *c);
/* Wait up to timeout_ms for a key: a UI_KEY_* or character; -1: none.
 * A SIGINT that arrived is returned as UI_KEY_INTERRUPT. */
int term_getkey(struct term *t, int timeout_ms);
/* SIGTERM or SIGHUP arrived: leave now, orderly. */
bool term_terminated(void);
/* For tests: queue a key as if typed; resize the virtual terminal. */
void term_push_key(int key);
void term_resize(struct term *t, int rows, int cols);
/* For tests: the screen as curses holds it, as UTF-8 text. */
char *term_dump(const struct term *t);

#endif
