#include "sqllex.h"
#include "mem.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqllex_init(struct sqllex *lx, const char *s, size_t len, bool std_strings)
{
	memset(lx, 0, sizeof *lx);
	lx->s = s;
	lx->len = len;
	lx->std_strings = std_strings;
}

/* Identifier characters as PostgreSQL's scanner has them: bytes >= 0x80
 * (any UTF-8 letter) count as letters. */
static bool ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_cont(unsigned char c)
{
	return ident_start(c) || isdigit(c) || c == '$';
}

static bool lex_fail(struct sqllex *lx, size_t at, const char *what)
{
	snprintf(lx->error, sizeof lx->error, "%s", what);
	lx->error_pos = at;
	return false;
}

/* Skip white space and comments.  false on an unterminated comment. */
static bool skip_blank(struct sqllex *lx)
{
	const char *s = lx->s;
	while (lx->pos < lx->len) {
		char c = s[lx->pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			lx->pos++;
		} else if (c == '-' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '-') {
			while (lx->pos < lx->len && s[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '*') {
			size_t begin = lx->pos;
			int depth = 1;
			lx->pos += 2;
			while (depth > 0) {
				if (lx->pos + 1 >= lx->len)
					return lex_fail(lx, begin, "unterminated /* comment");
				if (s[lx->pos] == '/' && s[lx->pos + 1] == '*') {
					depth++;
					lx->pos += 2;
				} else if (s[lx->pos] == '*' && s[lx->pos + 1] == '/') {
					depth--;
					lx->pos += 2;
				} else {
					lx->pos++;
				}
			}
		} else {
			break;
		}
	}
	return true;
}

/* A quoted run starting at lx->pos (the opening quote q).  Doubled quotes
 * are the quote itself; backslash escapes the next byte when `escapes`. */
static bool scan_quoted(struct sqllex *lx, char q, bool escapes, size_t tok_start, const char *what)
{
	const char *s = lx->s;
	lx->pos++;
	while (lx->pos < lx->len) {
		char c = s[lx->pos];
		if (escapes && c == '\\') {
			lx->pos += 2;
			continue;
		}
		if (c == q) {
			if (lx->pos + 1 < lx->len && s[lx->pos + 1] == q) {
				lx->pos += 2;
				continue;
			}
			lx->pos++;
			return true;
		}
		lx->pos++;
	}
	lx->pos = lx->len;
	return lex_fail(lx, tok_start, what);
}

/* "$tag$" at p: its length, or 0 when p does not start a dollar-quote delimiter. */
static size_t dollar_delim(const char *s, size_t len, size_t p)
{
	size_t q = p + 1;
	if (q < len && s[q] == '$')
		return 2;
	if (q >= len || !ident_start((unsigned char)s[q]))
		return 0;
	while (q < len && (ident_start((unsigned char)s[q]) || isdigit((unsigned char)s[q])))
		q++;
	return q < len && s[q] == '$' ? q + 1 - p : 0;
}

static bool scan_string(struct sqllex *lx, struct sqltok *tok, size_t quote_at, bool escapes)
{
	tok->kind = TOK_STRING;
	tok->escapes = escapes;
	lx->pos = quote_at;
	if (!scan_quoted(lx, '\'', escapes, tok->start, "unterminated quoted string"))
		return false;
	tok->body_start = quote_at + 1;
	tok->body_end = lx->pos - 1;
	return true;
}

bool sqllex_next(struct sqllex *lx, struct sqltok *tok)
{
	memset(tok, 0, sizeof *tok);
	if (!skip_blank(lx))
		return false;
	const char *s = lx->s;
	size_t p = lx->pos;
	tok->start = p;
	if (p >= lx->len) {
		tok->kind = TOK_EOF;
		tok->end = p;
		return true;
	}
	unsigned char c = (unsigned char)s[p];
	unsigned char n1 = p + 1 < lx->len ? (unsigned char)s[p + 1] : 0;
	unsigned char n2 = p + 2 < lx->len ? (unsigned char)s[p + 2] : 0;
	bool ok = true;

	if ((c == 'e' || c == 'E') && n1 == '\'') {
		ok = scan_string(lx, tok, p + 1, true);
	} else if ((c == 'u' || c == 'U') && n1 == '&' && n2 == '\'') {
		ok = scan_string(lx, tok, p + 2, !lx->std_strings);
	} else if ((c == 'u' || c == 'U') && n1 == '&' && n2 == '"') {
		tok->kind = TOK_QIDENT;
		lx->pos = p + 2;
		ok = scan_quoted(lx, '"', false, p, "unterminated quoted identifier");
		tok->body_start = p + 3;
		tok->body_end = lx->pos - 1;
	} else if (strchr("bBxXnN", c) && c && n1 == '\'') {
		ok = scan_string(lx, tok, p + 1, !lx->std_strings && (c == 'n' || c == 'N'));
	} else if (ident_start(c)) {
		tok->kind = TOK_WORD;
		while (lx->pos < lx->len && ident_cont((unsigned char)s[lx->pos]))
			lx->pos++;
	} else if (c == '\'') {
		ok = scan_string(lx, tok, p, !lx->std_strings);
	} else if (c == '"') {
		tok->kind = TOK_QIDENT;
		ok = scan_quoted(lx, '"', false, p, "unterminated quoted identifier");
		tok->body_start = p + 1;
		tok->body_end = lx->pos - 1;
	} else if (c == '$' && isdigit(n1)) {
		tok->kind = TOK_PARAM;
		lx->pos++;
		while (lx->pos < lx->len && isdigit((unsigned char)s[lx->pos]))
			lx->pos++;
	} else if (c == '$' && dollar_delim(s, lx->len, p) > 0) {
		size_t dl = dollar_delim(s, lx->len, p);
		tok->kind = TOK_DOLLAR;
		tok->body_start = p + dl;
		const char *close = NULL;
		for (size_t q = p + dl; q + dl <= lx->len; q++) {
			if (s[q] == '$' && memcmp(s + q, s + p, dl) == 0) {
				close = s + q;
				break;
			}
		}
		if (!close) {
			lx->pos = lx->len;
			ok = lex_fail(lx, p, "unterminated dollar-quoted string");
		} else {
			tok->body_end = (size_t)(close - s);
			lx->pos = tok->body_end + dl;
		}
	} else if (isdigit(c) || (c == '.' && isdigit(n1))) {
		tok->kind = TOK_NUMBER;
		while (lx->pos < lx->len) {
			unsigned char d = (unsigned char)s[lx->pos];
			if (isdigit(d) || d == '.' || d == '_') {
				lx->pos++;
			} else if ((d == 'e' || d == 'E') && lx->pos + 1 < lx->len &&
				   (isdigit((unsigned char)s[lx->pos + 1]) ||
				    ((s[lx->pos + 1] == '+' || s[lx->pos + 1] == '-') && lx->pos + 2 < lx->len &&
				     isdigit((unsigned char)s[lx->pos + 2])))) {
				lx->pos += 2;
			} else {
				break;
			}
		}
	} else if (c == ';') {
		tok->kind = TOK_SEMI;
		lx->pos++;
	} else if (c == '\\') {
		tok->kind = TOK_BACKSLASH;
		lx->pos++;
	} else {
		tok->kind = TOK_OP;
		lx->pos++;
	}
	tok->end = lx->pos;
	return ok;
}

bool sqltok_is(const char *s, const struct sqltok *tok, const char *kw)
{
	size_t n = strlen(kw);
	return tok->kind == TOK_WORD && tok->end - tok->start == n && strncasecmp(s + tok->start, kw, n) == 0;
}

char *sqltok_text(const char *s, const struct sqltok *tok)
{
	struct strbuf sb;
	strbuf_init(&sb);
	switch (tok->kind) {
	case TOK_WORD:
		for (size_t i = tok->start; i < tok->end; i++)
			strbuf_putc(&sb, (char)tolower((unsigned char)s[i]));
		break;
	case TOK_QIDENT:
	case TOK_STRING: {
		char q = tok->kind == TOK_QIDENT ? '"' : '\'';
		for (size_t i = tok->body_start; i < tok->body_end; i++) {
			if (s[i] == q && i + 1 < tok->body_end && s[i + 1] == q) {
				strbuf_putc(&sb, q);
				i++;
			} else if (tok->escapes && s[i] == '\\' && i + 1 < tok->body_end) {
				char e = s[++i];
				strbuf_putc(&sb, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
			} else {
				strbuf_putc(&sb, s[i]);
			}
		}
		break;
	}
	case TOK_DOLLAR:
		strbuf_add(&sb, s + tok->body_start, tok->body_end - tok->body_start);
		break;
	default:
		strbuf_add(&sb, s + tok->start, tok->end - tok->start);
		break;
	}
	return strbuf_finish(&sb);
}

/* ---- splitting into statements ---- */

static int line_at(const char *s, size_t *scanned, int *line, size_t pos)
{
	for (; *scanned < pos; (*scanned)++)
		if (s[*scanned] == '\n')
			(*line)++;
	return *line;
}

static void script_push(struct sqlscript *sc, const struct sqlstmt *st)
{
	sc->items = xrealloc(sc->items, (sc->n + 1) * sizeof *sc->items);
	sc->items[sc->n++] = *st;
}

/* What the splitter learns from a statement's leading words. */
struct stmt_state {
	int nwords;             /* words seen so far (all tokens counted up to 8) */
	char first[4][24];      /* the first words, lowercased ("" for non-words) */
	bool routine;           /* CREATE [OR REPLACE] FUNCTION|PROCEDURE */
	bool copy_stdin;        /* COPY ... FROM stdin */
	bool saw_from;
	int paren, begin;       /* nesting depths */
	/* SET standard_conforming_strings = on|off */
	int scs_state;          /* 0 none, 1 after SET, 2 after the name, 3 after = or TO */
	int scs_value;          /* -1 not set, 0 off, 1 on */
};

static void state_word(struct stmt_state *st, const char *s, const struct sqltok *t)
{
	char w[64] = "";
	if (t->kind == TOK_WORD && t->end - t->start < sizeof w) {
		for (size_t i = 0; i < t->end - t->start; i++)
			w[i] = (char)tolower((unsigned char)s[t->start + i]);
		w[t->end - t->start] = '\0';
	}
	if (st->nwords < 4)
		snprintf(st->first[st->nwords], sizeof st->first[0], "%s", w);
	st->nwords++;
	if (st->nwords == 3 || st->nwords == 5) {
		const char *a = st->first[0], *b = st->first[1], *c = st->first[2], *d = st->first[3];
		if (strcmp(a, "create") == 0 &&
		    (strcmp(b, "function") == 0 || strcmp(b, "procedure") == 0 ||
		     (strcmp(b, "or") == 0 && strcmp(c, "replace") == 0 &&
		      (strcmp(d, "function") == 0 || strcmp(d, "procedure") == 0))))
			st->routine = true;
	}
	if (strcmp(st->first[0], "copy") == 0) {
		if (strcmp(w, "from") == 0 && st->paren == 0)
			st->saw_from = true;
		else if (st->saw_from && (strcmp(w, "stdin") == 0 || strcmp(w, "pstdin") == 0))
			st->copy_stdin = true;
		else if (t->kind != TOK_WORD || strcmp(w, "stdin"))
			st->saw_from = false;
	}
	if (st->routine && t->kind == TOK_WORD) {
		if (strcmp(w, "begin") == 0 || strcmp(w, "case") == 0)
			st->begin++;
		else if (strcmp(w, "end") == 0 && st->begin > 0)
			st->begin--;
	}
	/* SET [SESSION|LOCAL] standard_conforming_strings {=|TO} {on|off|'on'|'off'} */
	if (st->nwords == 1 && strcmp(w, "set") == 0) {
		st->scs_state = 1;
	} else if (st->scs_state == 1 && (strcmp(w, "session") == 0 || strcmp(w, "local") == 0)) {
		/* stays 1 */
	} else if (st->scs_state == 1 && strcmp(w, "standard_conforming_strings") == 0) {
		st->scs_state = 2;
	} else if (st->scs_state == 2 && (strcmp(w, "to") == 0 || (t->kind == TOK_OP && s[t->start] == '='))) {
		st->scs_state = 3;
	} else if (st->scs_state == 3) {
		char *v = (t->kind == TOK_WORD || t->kind == TOK_STRING) ? sqltok_text(s, t) : NULL;
		if (v && (strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0))
			st->scs_value = 1;
		else if (v && (strcasecmp(v, "off") == 0 || strcasecmp(v, "false") == 0))
			st->scs_value = 0;
		free(v);
		st->scs_state = 0;
	} else if (st->scs_state) {
		st->scs_state = 0;
	}
}

/* After "COPY ... FROM stdin;": the rows run from the next line to a line
 * holding only "\.".  Returns the offset after that line, or 0 if none. */
static size_t copy_data_end(const char *s, size_t len, size_t from, size_t *data_start, size_t *data_end)
{
	size_t p = from;
	while (p < len && s[p] != '\n')
		p++;
	if (p < len)
		p++;
	*data_start = p;
	while (p < len) {
		size_t eol = p;
		while (eol < len && s[eol] != '\n')
			eol++;
		size_t n = eol - p;
		if (n > 0 && s[eol - 1] == '\r')
			n--;
		if (n == 2 && s[p] == '\\' && s[p + 1] == '.') {
			*data_end = p;
			return eol < len ? eol + 1 : eol;
		}
		p = eol < len ? eol + 1 : eol;
	}
	return 0;
}

/* Whether the rest of the line from `from` holds only white space and
 * comments (what may follow "COPY ... FROM stdin;" before its rows). */
static bool rest_of_line_blank(const char *s, size_t len, size_t from)
{
	const char *nl = memchr(s + from, '\n', len - from);
	struct sqllex lx;
	struct sqltok t;
	sqllex_init(&lx, s + from, nl ? (size_t)(nl - (s + from)) : len - from, true);
	return sqllex_next(&lx, &t) && t.kind == TOK_EOF;
}

bool sqllex_split(const char *text, size_t len, bool std_strings, struct sqlscript *out)
{
	memset(out, 0, sizeof *out);
	struct sqllex lx;
	sqllex_init(&lx, text, len, std_strings);
	size_t scanned = 0;
	int line = 1;
	struct sqlstmt cur;
	struct stmt_state st;
	bool in_stmt = false;
	size_t last_end = 0;

	/* The server takes a statement as a C string: a NUL would cut it short. */
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		snprintf(out->error, sizeof out->error, "line %d: a NUL byte (0x00), which SQL text cannot hold",
			 line_at(text, &scanned, &line, (size_t)(nul - text)));
		return false;
	}

	for (;;) {
		struct sqltok t;
		if (!sqllex_next(&lx, &t)) {
			snprintf(out->error, sizeof out->error, "line %d: %s",
				 line_at(text, &scanned, &line, lx.error_pos), lx.error);
			return false;
		}
		if (t.kind == TOK_EOF) {
			if (in_stmt) {
				cur.end = last_end;
				cur.terminated = false;
				script_push(out, &cur);
			}
			return true;
		}
		if (!in_stmt) {
			memset(&cur, 0, sizeof cur);
			memset(&st, 0, sizeof st);
			st.scs_value = -1;
			cur.start = t.start;
			cur.line = line_at(text, &scanned, &line, t.start);
			cur.std_strings = lx.std_strings;
			if (t.kind == TOK_BACKSLASH) {
				size_t eol = t.start;
				while (eol < len && text[eol] != '\n')
					eol++;
				cur.kind = SQLSTMT_META;
				cur.end = eol > t.start && text[eol - 1] == '\r' ? eol - 1 : eol;
				cur.terminated = true;
				script_push(out, &cur);
				lx.pos = eol;
				continue;
			}
			in_stmt = true;
		}
		last_end = t.end;
		if (t.kind == TOK_OP && text[t.start] == '(')
			st.paren++;
		else if (t.kind == TOK_OP && text[t.start] == ')' && st.paren > 0)
			st.paren--;
		if (t.kind != TOK_SEMI) {
			state_word(&st, text, &t);
			continue;
		}
		if (st.paren > 0 || st.begin > 0)
			continue;
		cur.end = t.end;
		cur.terminated = true;
		in_stmt = false;
		if (st.copy_stdin) {
			size_t ds = 0, de = 0;
			if (!rest_of_line_blank(text, len, t.end)) {
				snprintf(out->error, sizeof out->error,
					 "line %d: text after COPY ... FROM stdin; on its line "
					 "(the rows start on the next line)", line_at(text, &scanned, &line, t.end));
				return false;
			}
			size_t after = copy_data_end(text, len, t.end, &ds, &de);
			if (after == 0) {
				snprintf(out->error, sizeof out->error,
					 "line %d: COPY ... FROM stdin data has no terminating \\. line",
					 cur.line);
				return false;
			}
			cur.has_data = true;
			cur.data_start = ds;
			cur.data_end = de;
			lx.pos = after;
		}
		script_push(out, &cur);
		if (st.scs_value >= 0)
			lx.std_strings = st.scs_value == 1;
	}
}

void sqlscript_free(struct sqlscript *sc)
{
	free(sc->items);
	memset(sc, 0, sizeof *sc);
}

char *sql_quote_ident(const char *ident)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_putc(&sb, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			strbuf_putc(&sb, '"');
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '"');
	return strbuf_finish(&sb);
}

char *sql_quote_literal(const char *literal)
{
	struct strbuf sb;
	strbuf_init(&sb);
	if (strchr(literal, '\\'))
		strbuf_putc(&sb, 'E');
	strbuf_putc(&sb, '\'');
	for (const char *p = literal; *p; p++) {
		if (*p == '\'' || *p == '\\')
			strbuf_putc(&sb, *p);
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '\'');
	return strbuf_finish(&sb);
}
