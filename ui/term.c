/* Curses: open and restore the terminal, signals, drawing, keys. */
#include "term.h"
#include "strbuf.h"
#include "wizard.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_int, got_term;
static SCREEN *active;
static bool guard_registered;
static struct sigaction old_int, old_term, old_hup;
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction old_fatal[sizeof fatal_signals / sizeof fatal_signals[0]];
static attr_t role_attr[R_ROLE_COUNT];

static void on_int(int sig)
{
	(void)sig;
	got_int = 1;
}

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* A crash while curses is up: put the terminal back (as ncurses itself does
 * from its handlers, best effort), then die of the same signal. */
static void on_fatal(int sig)
{
	if (active && !isendwin())
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_at_exit(void)
{
	if (active && !isendwin())
		endwin();
}

bool term_usable(const char **why)
{
	const char *term = getenv("TERM");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*why = "standard input and output are not both terminals";
		return false;
	}
	if (!term || !*term || strcmp(term, "dumb") == 0) {
		*why = "TERM is unset or \"dumb\"";
		return false;
	}
	return true;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, &old_int);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		sigaction(fatal_signals[i], &sa, &old_fatal[i]);
}

static void restore_signals(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		sigaction(fatal_signals[i], &old_fatal[i], NULL);
}

static void setup_roles(bool color)
{
	static const attr_t mono[R_ROLE_COUNT] = {
		[R_NORMAL] = A_NORMAL, [R_TITLE] = A_BOLD, [R_HEAD] = A_REVERSE, [R_DIM] = A_DIM,
		[R_OK] = A_NORMAL, [R_WARN] = A_BOLD, [R_FAIL] = A_BOLD | A_UNDERLINE, [R_SEL] = A_REVERSE,
		[R_BAR] = A_NORMAL, [R_KEY] = A_REVERSE, [R_FRAME] = A_NORMAL,
	};
	memcpy(role_attr, mono, sizeof role_attr);
	if (!color)
		return;
	static const struct { int role; short fg, bg; attr_t extra; } pairs[] = {
		{ R_TITLE, COLOR_CYAN, -1, A_BOLD }, { R_HEAD, COLOR_BLACK, COLOR_CYAN, 0 },
		{ R_OK, COLOR_GREEN, -1, 0 }, { R_WARN, COLOR_YELLOW, -1, A_BOLD },
		{ R_FAIL, COLOR_RED, -1, A_BOLD }, { R_BAR, COLOR_CYAN, -1, 0 },
		{ R_KEY, COLOR_BLACK, COLOR_WHITE, 0 }, { R_FRAME, COLOR_BLUE, -1, 0 },
	};
	start_color();
	use_default_colors();
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		short pair = (short)(i + 1);
		if (init_pair(pair, pairs[i].fg, pairs[i].bg) == OK)
			role_attr[pairs[i].role] = (attr_t)COLOR_PAIR(pair) | pairs[i].extra;
	}
}

bool term_open(struct term *t, FILE *out, FILE *in)
{
	memset(t, 0, sizeof *t);
	/* Our handlers first: ncurses installs its own (which _exit) only
	 * where the disposition is still the default. */
	got_int = got_term = 0;
	install_signals();
	SCREEN *s = newterm(NULL, out, in);
	if (!s) {
		restore_signals();
		return false;
	}
	t->screen = s;
	active = s;
	if (!guard_registered) {
		atexit(restore_at_exit);
		guard_registered = true;
	}
	const char *cs = nl_langinfo(CODESET);
	t->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	const char *nc = getenv("NO_COLOR");
	t->color = has_colors() && !(nc && *nc);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	setup_roles(t->color);
	return true;
}

void term_close(struct term *t)
{
	if (!t->screen)
		return;
	if (!isendwin())
		endwin();
	delscreen((SCREEN *)t->screen);
	if (active == t->screen)
		active = NULL;
	t->screen = NULL;
	restore_signals();
}

int term_rows(const struct term *t)
{
	(void)t;
	return LINES;
}

int term_cols(const struct term *t)
{
	(void)t;
	return COLS;
}

void term_blit(struct term *t, const struct canvas *c)
{
	(void)t;
	for (int y = 0; y < c->rows && y < LINES; y++)
		for (int x = 0; x < c->cols && x < COLS; x++) {
			const struct cell *cl = &c->cells[y * c->cols + x];
			if (cl->ch == 0)
				continue;
			wchar_t wc[2] = { cl->ch, 0 };
			cchar_t cc;
			setcchar(&cc, wc, role_attr[cl->role], 0, NULL);
			mvadd_wch(y, x, &cc);
		}
	wnoutrefresh(stdscr);
	doupdate();
}

static int translate(int code)
{
	switch (code) {
	case KEY_UP: return UI_KEY_UP;
	case KEY_DOWN: return UI_KEY_DOWN;
	case KEY_LEFT: return UI_KEY_LEFT;
	case KEY_RIGHT: return UI_KEY_RIGHT;
	case KEY_PPAGE: return UI_KEY_PGUP;
	case KEY_NPAGE: return UI_KEY_PGDN;
	case KEY_HOME: return UI_KEY_HOME;
	case KEY_END: return UI_KEY_END;
	case KEY_BACKSPACE: return UI_KEY_BACKSPACE;
	case KEY_BTAB: return UI_KEY_BTAB;
	case KEY_F(1): return UI_KEY_F1;
	case KEY_RESIZE: return UI_KEY_RESIZE;
	case KEY_ENTER: return UI_KEY_ENTER;
	default: return -1;
	}
}

int term_getkey(struct term *t, int timeout_ms)
{
	(void)t;
	if (got_int) {
		got_int = 0;
		return UI_KEY_INTERRUPT;
	}
	wtimeout(stdscr, timeout_ms);
	wint_t wc;
	int r = wget_wch(stdscr, &wc);
	if (got_int) {
		got_int = 0;
		return UI_KEY_INTERRUPT;
	}
	if (r == KEY_CODE_YES)
		return translate((int)wc);
	if (r != OK)
		return -1;
	if (wc == '\r' || wc == '\n')
		return UI_KEY_ENTER;
	if (wc == 127 || wc == 8)
		return UI_KEY_BACKSPACE;
	return (int)wc;
}

bool term_terminated(void)
{
	return got_term != 0;
}

void term_push_key(int key)
{
	static const struct { int ui, curses; } map[] = {
		{ UI_KEY_UP, KEY_UP }, { UI_KEY_DOWN, KEY_DOWN }, { UI_KEY_LEFT, KEY_LEFT },
		{ UI_KEY_RIGHT, KEY_RIGHT }, { UI_KEY_PGUP, KEY_PPAGE }, { UI_KEY_PGDN, KEY_NPAGE },
		{ UI_KEY_HOME, KEY_HOME }, { UI_KEY_END, KEY_END }, { UI_KEY_BACKSPACE, KEY_BACKSPACE },
		{ UI_KEY_BTAB, KEY_BTAB }, { UI_KEY_F1, KEY_F(1) }, { UI_KEY_RESIZE, KEY_RESIZE },
	};
	if (key == UI_KEY_INTERRUPT) {
		got_int = 1;
		return;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].ui == key) {
			ungetch(map[i].curses);
			return;
		}
	if (key == UI_KEY_ENTER)
		key = '\r';
	unget_wch((wchar_t)key);
}

void term_resize(struct term *t, int rows, int cols)
{
	(void)t;
	resizeterm(rows, cols);
}

char *term_dump(const struct term *t)
{
	(void)t;
	struct strbuf sb;
	strbuf_init(&sb);
	for (int y = 0; y < LINES; y++) {
		size_t keep = sb.len;
		for (int x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			if (mvwin_wch(stdscr, y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				continue;
			char u[4];
			strbuf_add(&sb, u, (size_t)utf8_put(u, wc[0] ? wc[0] : L' '));
			if (wc[0] && wc[0] != L' ')
				keep = sb.len;
		}
		sb.len = keep;
		sb.data[keep] = '\0';
		strbuf_putc(&sb, '\n');
	}
	return strbuf_finish(&sb);
}
