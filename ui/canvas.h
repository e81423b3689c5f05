/* canvas: an off-screen grid of cells (htop's RichString, for a whole
 * screen).  Screens draw rows into it; term.c copies it to curses once per
 * tick, and tests read it back as text.  No curses here. */
#ifndef GP2ADB_UI_CANVAS_H
#define GP2ADB_UI_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* What a cell means; term.c maps roles to colors or to monochrome attributes. */
enum ui_role {
	R_NORMAL, R_TITLE, R_HEAD, R_DIM, R_OK, R_WARN, R_FAIL, R_SEL, R_BAR, R_KEY, R_FRAME,
	R_ROLE_COUNT
};

struct cell {
	wchar_t ch;             /* 0: right half of a wide character */
	unsigned char role;
};

struct canvas {
	int rows, cols;
	bool utf8;              /* box drawing and blocks, or ASCII */
	struct cell *cells;
};

void canvas_init(struct canvas *c, int rows, int cols, bool utf8);
void canvas_resize(struct canvas *c, int rows, int cols);
void canvas_done(struct canvas *c);
void canvas_clear(struct canvas *c);
/* Put UTF-8 text at (y, x), clipped to maxw columns (and the canvas).
 * Returns the columns written. */
int canvas_text(struct canvas *c, int y, int x, int maxw, enum ui_role role, const char *s);
int canvas_printf(struct canvas *c, int y, int x, int maxw, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Text right-aligned so that it ends at column x_end (exclusive). */
/* Like canvas_text, but a text longer than maxw ends in an ellipsis. */
int canvas_name(struct canvas *c, int y, int x, int maxw, enum ui_role role, const char *s);
int canvas_rtext(struct canvas *c, int y, int x_end, enum ui_role role, const char *s);
void canvas_fill(struct canvas *c, int y, int x, int w, wchar_t ch, enum ui_role role);
/* Recolor w cells without changing their characters. */
void canvas_paint(struct canvas *c, int y, int x, int w, enum ui_role role);
/* A frame h x w with an optional title on its top edge. */
void canvas_box(struct canvas *c, int y, int x, int h, int w, const char *title, enum ui_role role);
void canvas_hline(struct canvas *c, int y, int x, int w, enum ui_role role);
/* Wrap text into the rectangle; returns the rows used (all of them are
 * counted even when clipped, so callers can scroll). skip: rows to skip. */
int canvas_wrap(struct canvas *c, int y, int x, int w, int h, int skip, enum ui_role role, const char *s);

/* One row as UTF-8 with trailing blanks removed; caller frees. */
char *canvas_row_utf8(const struct canvas *c, int y);
/* The whole canvas, one line per row; caller frees. */
char *canvas_dump(const struct canvas *c);

/* Decode one UTF-8 character at *s (advancing it); '?' for invalid bytes. */
wchar_t utf8_next(const char **s);
/* Encode one character; returns bytes written (<= 4). */
int utf8_put(char *out, wchar_t ch);

#endif
