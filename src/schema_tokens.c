#include "schema_tokens.h"
#include "mem.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void toks_build(struct toks *tl, const char *s, size_t len, bool std_strings)
{
	memset(tl, 0, sizeof *tl);
	tl->s = s;
	struct sqllex lx;
	sqllex_init(&lx, s, len, std_strings);
	size_t cap = 0;
	struct sqltok t;
	while (sqllex_next(&lx, &t) && t.kind != TOK_EOF) {
		if (tl->n == cap) {
			cap = cap ? cap * 2 : 32;
			tl->t = xrealloc(tl->t, cap * sizeof *tl->t);
		}
		tl->t[tl->n++] = t;
	}
	if (tl->n > 0 && tl->t[tl->n - 1].kind == TOK_SEMI)
		tl->n--;
}

void toks_done(struct toks *tl)
{
	free(tl->t);
	memset(tl, 0, sizeof *tl);
}

bool toks_kw(const struct toks *tl, size_t i, const char *kw)
{
	return i < tl->n && sqltok_is(tl->s, &tl->t[i], kw);
}

bool toks_op(const struct toks *tl, size_t i, char c)
{
	return i < tl->n && tl->t[i].kind == TOK_OP && tl->s[tl->t[i].start] == c;
}

size_t toks_find_kw(const struct toks *tl, size_t from, const char *kw)
{
	int depth = 0;
	for (size_t i = from; i < tl->n; i++) {
		if (toks_op(tl, i, '('))
			depth++;
		else if (toks_op(tl, i, ')'))
			depth--;
		else if (depth == 0 && toks_kw(tl, i, kw))
			return i;
	}
	return tl->n;
}

static bool is_ident(const struct toks *tl, size_t i)
{
	return i < tl->n && (tl->t[i].kind == TOK_WORD || tl->t[i].kind == TOK_QIDENT);
}

char *toks_name(const struct toks *tl, size_t *i)
{
	if (!is_ident(tl, *i))
		return NULL;
	struct strbuf sb;
	strbuf_init(&sb);
	for (;;) {
		const struct sqltok *t = &tl->t[*i];
		strbuf_add(&sb, tl->s + t->start, t->end - t->start);
		(*i)++;
		if (toks_op(tl, *i, '.') && is_ident(tl, *i + 1)) {
			strbuf_putc(&sb, '.');
			(*i)++;
			continue;
		}
		break;
	}
	return strbuf_finish(&sb);
}

/* The offset of the last '.' outside double quotes, or -1. */
static long last_dot(const char *name)
{
	long dot = -1;
	bool quoted = false;
	for (long k = 0; name[k]; k++) {
		if (name[k] == '"')
			quoted = !quoted;
		else if (name[k] == '.' && !quoted)
			dot = k;
	}
	return dot;
}

char *toks_name_parent(const char *name)
{
	long dot = last_dot(name);
	return dot < 0 ? NULL : xstrndup(name, (size_t)dot);
}

char *toks_parens(const struct toks *tl, size_t *i, bool strip_defaults)
{
	struct strbuf sb;
	strbuf_init(&sb);
	int depth = 0;
	bool skipping = false, prev_op = true, prev_comma = false;
	while (*i < tl->n && (depth > 0 || toks_op(tl, *i, '('))) {
		const struct sqltok *t = &tl->t[*i];
		bool is_op = t->kind == TOK_OP;
		if (toks_op(tl, *i, '('))
			depth++;
		else if (toks_op(tl, *i, ')'))
			depth--;
		if (strip_defaults && depth == 1 && (toks_kw(tl, *i, "default") || toks_op(tl, *i, '=')))
			skipping = true;
		else if (depth <= 1 && (toks_op(tl, *i, ',') || toks_op(tl, *i, ')')))
			skipping = false;
		(*i)++;
		if (skipping)
			continue;
		if ((!is_op && !prev_op) || (prev_comma && !is_op))
			strbuf_putc(&sb, ' ');
		strbuf_add(&sb, tl->s + t->start, t->end - t->start);
		prev_op = is_op;
		prev_comma = is_op && tl->s[t->start] == ',';
		if (depth == 0)
			break;
	}
	return strbuf_finish(&sb);
}

char *toks_range(const struct toks *tl, size_t from, size_t to)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = from; i < to && i < tl->n; i++) {
		if (sb.len)
			strbuf_putc(&sb, ' ');
		strbuf_add(&sb, tl->s + tl->t[i].start, tl->t[i].end - tl->t[i].start);
	}
	return strbuf_finish(&sb);
}

char *toks_until_op(const struct toks *tl, size_t *i, char c)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (; *i < tl->n && !toks_op(tl, *i, c); (*i)++)
		strbuf_add(&sb, tl->s + tl->t[*i].start, tl->t[*i].end - tl->t[*i].start);
	return strbuf_finish(&sb);
}

const char *toks_word(const struct toks *tl, size_t i, char *buf, size_t size)
{
	buf[0] = '\0';
	if (i >= tl->n || tl->t[i].kind != TOK_WORD || tl->t[i].end - tl->t[i].start >= size)
		return buf;
	size_t n = tl->t[i].end - tl->t[i].start;
	for (size_t k = 0; k < n; k++)
		buf[k] = (char)tolower((unsigned char)tl->s[tl->t[i].start + k]);
	buf[n] = '\0';
	return buf;
}

/* FNV-1a, 64 bits, over the tokens without their spacing and comments:
 * words lowercased (SQL folds them), everything else as written, each with
 * its kind, and whether backslashes escaped in strings. */
void toks_digest(const struct toks *tl, bool std_strings, char out[17])
{
	unsigned long long h = 14695981039346656037ULL;
#define MIX(c) (h = (h ^ (unsigned char)(c)) * 1099511628211ULL)
	MIX(std_strings ? 'S' : 's');
	for (size_t i = 0; i < tl->n; i++) {
		const struct sqltok *t = &tl->t[i];
		MIX(t->kind);
		for (size_t k = t->start; k < t->end; k++)
			MIX(t->kind == TOK_WORD ? tolower((unsigned char)tl->s[k]) : tl->s[k]);
		MIX(0);
	}
#undef MIX
	snprintf(out, 17, "%016llx", h);
}

char *toks_name_key(const char *name)
{
	char *out = xcalloc(strlen(name) + 1, 1), *o = out;
	bool quoted = false;
	for (const char *p = name; *p; p++) {
		if (*p == '"' && quoted && p[1] == '"')
			*o++ = *p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '.' && !quoted)
			*o++ = '\001';
		else
			*o++ = *p;
	}
	return out;
}
