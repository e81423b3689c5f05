/* The off-screen cell grid the screens draw into. */
#include "canvas.h"
#include "mem.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void canvas_init(struct canvas *c, int rows, int cols, bool utf8)
{
	c->rows = rows > 0 ? rows : 1;
	c->cols = cols > 0 ? cols : 1;
	c->utf8 = utf8;
	c->cells = xcalloc((size_t)c->rows * (size_t)c->cols, sizeof *c->cells);
	canvas_clear(c);
}

void canvas_resize(struct canvas *c, int rows, int cols)
{
	bool utf8 = c->utf8;
	canvas_done(c);
	canvas_init(c, rows, cols, utf8);
}

void canvas_done(struct canvas *c)
{
	free(c->cells);
	c->cells = NULL;
	c->rows = c->cols = 0;
}

void canvas_clear(struct canvas *c)
{
	for (int i = 0; i < c->rows * c->cols; i++) {
		c->cells[i].ch = L' ';
		c->cells[i].role = R_NORMAL;
	}
}

static struct cell *at(struct canvas *c, int y, int x)
{
	if (y < 0 || y >= c->rows || x < 0 || x >= c->cols)
		return NULL;
	return &c->cells[y * c->cols + x];
}

wchar_t utf8_next(const char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	wchar_t ch;
	int extra;
	if (s[0] < 0x80) {
		*sp += 1;
		return s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		ch = s[0] & 0x1f;
		extra = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		ch = s[0] & 0x0f;
		extra = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		ch = s[0] & 0x07;
		extra = 3;
	} else {
		*sp += 1;
		return L'?';
	}
	for (int i = 1; i <= extra; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*sp += i;
			return L'?';
		}
		ch = (ch << 6) | (s[i] & 0x3f);
	}
	*sp += extra + 1;
	return ch;
}

int utf8_put(char *out, wchar_t ch)
{
	unsigned long c = (unsigned long)ch;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	} else if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Columns a character takes: 2 for wide East Asian text, else 1; control
 * characters are shown as '?'. */
static int char_width(const struct canvas *c, wchar_t *ch)
{
	if (*ch == L'\t') {
		*ch = L' ';
		return 1;
	}
	if (*ch < 0x20 || *ch == 0x7f) {
		*ch = L'?';
		return 1;
	}
	if (*ch < 0x80)
		return 1;
	if (!c->utf8) {
		*ch = L'?';
		return 1;
	}
	int w = wcwidth(*ch);
	return w == 2 ? 2 : 1;
}

int canvas_text(struct canvas *c, int y, int x, int maxw, enum ui_role role, const char *s)
{
	int used = 0;
	if (!s || y < 0 || y >= c->rows)
		return 0;
	if (maxw < 0 || x + maxw > c->cols)
		maxw = c->cols - x;
	while (*s && used < maxw) {
		wchar_t ch = utf8_next(&s);
		int w = char_width(c, &ch);
		if (used + w > maxw)
			break;
		struct cell *cl = at(c, y, x + used);
		if (cl) {
			cl->ch = ch;
			cl->role = role;
		}
		if (w == 2 && (cl = at(c, y, x + used + 1))) {
			cl->ch = 0;
			cl->role = role;
		}
		used += w;
	}
	return used;
}

int canvas_printf(struct canvas *c, int y, int x, int maxw, enum ui_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return canvas_text(c, y, x, maxw, role, buf);
}

static int text_width(const struct canvas *c, const char *s);

int canvas_name(struct canvas *c, int y, int x, int maxw, enum ui_role role, const char *s)
{
	if (!s || maxw < 2 || text_width(c, s) <= maxw)
		return canvas_text(c, y, x, maxw, role, s);
	int n = canvas_text(c, y, x, maxw - 1, role, s);
	return n + canvas_text(c, y, x + n, 1, role, c->utf8 ? "…" : "~");
}

static int text_width(const struct canvas *c, const char *s)
{
	int w = 0;
	while (*s) {
		wchar_t ch = utf8_next(&s);
		w += char_width(c, &ch);
	}
	return w;
}

int canvas_rtext(struct canvas *c, int y, int x_end, enum ui_role role, const char *s)
{
	int w = text_width(c, s);
	int x = x_end - w;
	if (x < 0)
		x = 0;
	return canvas_text(c, y, x, x_end - x, role, s);
}

void canvas_fill(struct canvas *c, int y, int x, int w, wchar_t ch, enum ui_role role)
{
	for (int i = 0; i < w; i++) {
		struct cell *cl = at(c, y, x + i);
		if (cl) {
			cl->ch = ch;
			cl->role = role;
		}
	}
}

void canvas_paint(struct canvas *c, int y, int x, int w, enum ui_role role)
{
	for (int i = 0; i < w; i++) {
		struct cell *cl = at(c, y, x + i);
		if (cl)
			cl->role = role;
	}
}

void canvas_hline(struct canvas *c, int y, int x, int w, enum ui_role role)
{
	canvas_fill(c, y, x, w, c->utf8 ? L'─' : L'-', role);
}

void canvas_box(struct canvas *c, int y, int x, int h, int w, const char *title, enum ui_role role)
{
	if (h < 2 || w < 2)
		return;
	wchar_t hl = c->utf8 ? L'─' : L'-', vl = c->utf8 ? L'│' : L'|';
	canvas_fill(c, y, x, w, hl, role);
	canvas_fill(c, y + h - 1, x, w, hl, role);
	for (int i = 1; i < h - 1; i++) {
		canvas_fill(c, y + i, x, 1, vl, role);
		canvas_fill(c, y + i, x + w - 1, 1, vl, role);
	}
	canvas_fill(c, y, x, 1, c->utf8 ? L'┌' : L'+', role);
	canvas_fill(c, y, x + w - 1, 1, c->utf8 ? L'┐' : L'+', role);
	canvas_fill(c, y + h - 1, x, 1, c->utf8 ? L'└' : L'+', role);
	canvas_fill(c, y + h - 1, x + w - 1, 1, c->utf8 ? L'┘' : L'+', role);
	if (title && *title && w > 6) {
		int n = canvas_text(c, y, x + 2, w - 4, R_TITLE, " ");
		n += canvas_text(c, y, x + 2 + n, w - 5 - n, R_TITLE, title);
		canvas_text(c, y, x + 2 + n, 1, R_TITLE, " ");
	}
}

int canvas_wrap(struct canvas *c, int y, int x, int w, int h, int skip, enum ui_role role, const char *s)
{
	int row = 0;
	if (w <= 0)
		return 0;
	while (s && *s) {
		/* One source line at a time, broken at the last space that fits. */
		const char *nl = strchr(s, '\n');
		size_t linelen = nl ? (size_t)(nl - s) : strlen(s);
		char *line = xstrndup(s, linelen);
		const char *p = line;
		do {
			const char *q = p, *brk = NULL;
			int cols = 0;
			while (*q && cols < w) {
				if (*q == ' ')
					brk = q;
				wchar_t ch = utf8_next(&q);
				cols += char_width(c, &ch);
			}
			const char *end = q;
			if (*q && brk && brk > p)
				end = brk;
			char *piece = xstrndup(p, (size_t)(end - p));
			if (row >= skip && row - skip < h)
				canvas_text(c, y + row - skip, x, w, role, piece);
			free(piece);
			row++;
			p = end;
			while (*p == ' ')
				p++;
		} while (*p);
		free(line);
		s = nl ? nl + 1 : NULL;
	}
	return row;
}

char *canvas_row_utf8(const struct canvas *c, int y)
{
	struct strbuf sb;
	strbuf_init(&sb);
	size_t keep = 0;
	for (int x = 0; x < c->cols; x++) {
		wchar_t ch = c->cells[y * c->cols + x].ch;
		if (ch == 0)
			continue;
		char u[4];
		strbuf_add(&sb, u, (size_t)utf8_put(u, ch));
		if (ch != L' ')
			keep = sb.len;
	}
	sb.data[keep] = '\0';
	sb.len = keep;
	return strbuf_finish(&sb);
}

char *canvas_dump(const struct canvas *c)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (int y = 0; y < c->rows; y++) {
		char *row = canvas_row_utf8(c, y);
		strbuf_puts(&sb, row);
		strbuf_putc(&sb, '\n');
		free(row);
	}
	return strbuf_finish(&sb);
}
