/* fuzz_sqllex: the SQL lexer (src/sqllex.c) on any bytes.
 * Input: one byte of flags (bit 0: standard_conforming_strings), then the
 * text, in a buffer of exactly its length (no NUL after it), so reading past
 * the end is an AddressSanitizer error.  Checked: tokens come in order
 * without overlap and inside the text; what lies between two tokens is only
 * white space and comments; each token lexed alone is the same token; an
 * error names a position inside the text. */
#include "fuzz.h"
#include "sqllex.h"

#include <stdbool.h>

/* Whether s[0, n) holds only white space and complete comments. */
static bool blank(const char *s, size_t n, bool std)
{
	struct sqllex lx;
	struct sqltok t;
	sqllex_init(&lx, s, n, std);
	return sqllex_next(&lx, &t) && t.kind == TOK_EOF;
}

static void check_alone(const char *s, const struct sqltok *t, bool std)
{
	struct sqllex lx;
	struct sqltok u;
	size_t n = t->end - t->start;
	sqllex_init(&lx, s + t->start, n, std);
	FUZZ_CHECK(sqllex_next(&lx, &u), "token at %zu does not lex alone: %s", t->start, lx.error);
	FUZZ_CHECK(u.kind == t->kind && u.start == 0 && u.end == n,
		   "token at %zu (kind %d, %zu bytes) lexes alone as kind %d, [%zu, %zu)",
		   t->start, t->kind, n, u.kind, u.start, u.end);
	if (t->kind == TOK_STRING || t->kind == TOK_DOLLAR || t->kind == TOK_QIDENT)
		FUZZ_CHECK(u.body_start == t->body_start - t->start && u.body_end == t->body_end - t->start &&
			   u.escapes == t->escapes, "token at %zu: its body differs when lexed alone", t->start);
	FUZZ_CHECK(sqllex_next(&lx, &u) && u.kind == TOK_EOF, "token at %zu lexes alone as two", t->start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool std = data[0] & 1;
	size_t len = size - 1;
	char *s = malloc(len ? len : 1);
	if (!s)
		abort();
	memcpy(s, data + 1, len);

	struct sqllex lx;
	sqllex_init(&lx, s, len, std);
	size_t prev_end = 0;
	for (;;) {
		struct sqltok t;
		if (!sqllex_next(&lx, &t)) {
			FUZZ_CHECK(lx.error[0] != '\0', "an error without a message");
			FUZZ_CHECK(lx.error_pos >= prev_end && lx.error_pos < len,
				   "error at %zu, outside [%zu, %zu)", lx.error_pos, prev_end, len);
			FUZZ_CHECK(lx.pos <= len, "position %zu past the end %zu", lx.pos, len);
			FUZZ_CHECK(blank(s + prev_end, lx.error_pos - prev_end, std),
				   "text before the error at %zu is not blank", lx.error_pos);
			break;
		}
		FUZZ_CHECK(t.start >= prev_end && t.start <= t.end && t.end <= len && lx.pos == t.end,
			   "token [%zu, %zu) after %zu in %zu bytes (position %zu)", t.start, t.end, prev_end,
			   len, lx.pos);
		FUZZ_CHECK(blank(s + prev_end, t.start - prev_end, std),
			   "text between %zu and the token at %zu is not blank", prev_end, t.start);
		if (t.kind == TOK_EOF) {
			FUZZ_CHECK(t.start == len, "end of text at %zu of %zu", t.start, len);
			break;
		}
		FUZZ_CHECK(t.end > t.start, "an empty token at %zu", t.start);
		if (t.kind == TOK_STRING || t.kind == TOK_DOLLAR || t.kind == TOK_QIDENT)
			FUZZ_CHECK(t.start < t.body_start && t.body_start <= t.body_end && t.body_end < t.end,
				   "token [%zu, %zu) has its body at [%zu, %zu)", t.start, t.end, t.body_start,
				   t.body_end);
		check_alone(s, &t, std);
		char *text = sqltok_text(s, &t);
		FUZZ_CHECK(text != NULL, "no text for the token at %zu", t.start);
		if (t.kind == TOK_WORD)
			FUZZ_CHECK(strlen(text) == t.end - t.start, "word at %zu changed length", t.start);
		free(text);
		prev_end = t.end;
	}
	free(s);
	return 0;
}
