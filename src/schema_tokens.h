/* schema_tokens: a statement as an array of sqllex tokens, and the small
 * readers the classifier and the scanner share (keywords, qualified names,
 * parenthesised groups).  Internal to the schema module. */
#ifndef GP2ADB_SCHEMA_TOKENS_H
#define GP2ADB_SCHEMA_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#include "sqllex.h"

struct toks {
	const char *s;
	struct sqltok *t;
	size_t n;               /* tokens, without a final ';' */
};

/* Tokenize s; a lexing error ends the list where it happened. */
void toks_build(struct toks *tl, const char *s, size_t len, bool std_strings);
void toks_done(struct toks *tl);
bool toks_kw(const struct toks *tl, size_t i, const char *kw);
bool toks_op(const struct toks *tl, size_t i, char c);
/* The first index >= from holding keyword kw at parenthesis depth 0
 * (relative to from), or tl->n. */
size_t toks_find_kw(const struct toks *tl, size_t from, const char *kw);
/* A qualified name (ident[.ident]...) at *i as written, advancing *i; NULL if none. */
char *toks_name(const struct toks *tl, size_t *i);
/* What comes before the last dot: "public.t" -> "public", "s.t.c" -> "s.t",
 * "t" -> NULL. */
char *toks_name_parent(const char *name);
/* The parenthesised group at *i, white space collapsed, advancing *i past it.
 * strip_defaults: drop "DEFAULT ..." parts (routine arguments). */
char *toks_parens(const struct toks *tl, size_t *i, bool strip_defaults);
/* Tokens [from, to) as text, single spaces between. */
char *toks_range(const struct toks *tl, size_t from, size_t to);
/* Tokens from *i up to (not including) the first operator c, concatenated. */
char *toks_until_op(const struct toks *tl, size_t *i, char c);
/* Lowercased word text of token i, or "" (into buf). */
const char *toks_word(const struct toks *tl, size_t i, char *buf, size_t size);
/* A qualified name as a key: the catalog quotes every part, a dump only
 * what needs it; the parts unquoted and joined by \001 compare either way
 * ("public"."t" and public.t give the same key).  Caller frees. */
char *toks_name_key(const char *name);
/* What the statement says, as 16 hex digits: the same for the same tokens
 * whatever the spacing, comments or case of keywords, and different
 * otherwise but for a 64-bit hash collision. */
void toks_digest(const struct toks *tl, bool std_strings, char out[17]);

#endif
