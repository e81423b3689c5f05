/* sqllex: a lexer for PostgreSQL and Greenplum SQL scripts (pg_dump output,
 * operators' files).  It knows what psql knows about where a statement ends:
 * single-quoted strings ('' escapes; backslash escapes in E'' strings and
 * when standard_conforming_strings is off), quoted identifiers, dollar quotes
 * ($$ and $tag$), -- and nested slash-star comments, parentheses (a rule's
 * DO (a; b)), BEGIN ATOMIC ... END function bodies, psql meta-commands
 * (\connect, \restrict) and COPY ... FROM stdin data ending at a "\." line. */
#ifndef GP2ADB_SQLLEX_H
#define GP2ADB_SQLLEX_H

#include <stdbool.h>
#include <stddef.h>

enum sqltok_kind {
	TOK_EOF,
	TOK_WORD,       /* keyword or unquoted identifier */
	TOK_QIDENT,     /* "quoted identifier" */
	TOK_STRING,     /* 'x', E'x', U&'x', B'01', X'ff', N'x' */
	TOK_DOLLAR,     /* $tag$ ... $tag$ */
	TOK_NUMBER,
	TOK_PARAM,      /* $1 */
	TOK_OP,         /* one punctuation or operator character */
	TOK_SEMI,
	TOK_BACKSLASH,  /* a backslash outside any literal (psql meta-command) */
};

struct sqltok {
	enum sqltok_kind kind;
	size_t start, end;      /* byte offsets of the raw token in the text */
	size_t body_start, body_end;   /* TOK_DOLLAR: the quoted body; TOK_STRING: inside the quotes */
	bool escapes;           /* TOK_STRING: backslash escapes apply */
};

struct sqllex {
	const char *s;
	size_t len, pos;
	bool std_strings;       /* standard_conforming_strings */
	char error[160];        /* set when sqllex_next returns false */
	size_t error_pos;
};

void sqllex_init(struct sqllex *lx, const char *s, size_t len, bool std_strings);
/* The next token, skipping white space and comments.  false on an
 * unterminated literal or comment (lx->error says which, error_pos where it
 * began); TOK_EOF at the end. */
bool sqllex_next(struct sqllex *lx, struct sqltok *tok);

/* The token's text: words lowercased, quoted identifiers and strings with
 * their quotes and escapes removed (\n, \t, \\ and \' only), dollar quotes'
 * bodies, others as written.  Caller frees. */
char *sqltok_text(const char *s, const struct sqltok *tok);
/* Whether a word token equals kw (lowercase), case-insensitively. */
bool sqltok_is(const char *s, const struct sqltok *tok, const char *kw);

enum sqlstmt_kind {
	SQLSTMT_SQL,            /* a statement, through its ';' (or the end of the text) */
	SQLSTMT_META,           /* a psql meta-command line (without its newline) */
};

struct sqlstmt {
	enum sqlstmt_kind kind;
	size_t start, end;      /* [start, end): the first token through the ';' */
	int line;               /* line of start, from 1 */
	bool terminated;        /* ended by ';' (false: ran into the end of the text) */
	bool std_strings;       /* standard_conforming_strings in effect for it */
	size_t data_start, data_end;   /* COPY ... FROM stdin: the rows, without the "\." line */
	bool has_data;
};

struct sqlscript {
	struct sqlstmt *items;
	size_t n;
	char error[200];        /* "line N: ..." when sqllex_split fails */
};

/* Split a script into statements.  std_strings: the initial value of
 * standard_conforming_strings; "SET standard_conforming_strings = off|on"
 * statements in the script change it from there on.  false with
 * out->error set (and the statements before the error kept); a NUL byte
 * anywhere, and text after "COPY ... FROM stdin;" on its line, are errors. */
bool sqllex_split(const char *text, size_t len, bool std_strings, struct sqlscript *out);
void sqlscript_free(struct sqlscript *sc);

/* SQL quoting without a connection: "ident" always quoted; 'literal' with
 * E'' and doubled backslashes when it holds one.  Caller frees. */
char *sql_quote_ident(const char *ident);
char *sql_quote_literal(const char *literal);

#endif
