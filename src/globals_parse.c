/* globals_parse: classifying pg_dumpall --globals-only output, and rewriting
 * what a non-superuser destination account cannot apply. */
#include "globals.h"
#include "mem.h"
#include "sqllex.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first tokens of a statement (at most n). */
static size_t tokens(const char *sql, struct sqltok *t, size_t n)
{
	struct sqllex lx;
	sqllex_init(&lx, sql, strlen(sql), true);
	size_t k = 0;
	while (k < n && sqllex_next(&lx, &t[k]) && t[k].kind != TOK_EOF)
		k++;
	return k;
}

static bool is(const char *sql, const struct sqltok *t, size_t have, size_t i, const char *kw)
{
	return i < have && t[i].kind == TOK_WORD && sqltok_is(sql, &t[i], kw);
}

static char *name_at(const char *sql, const struct sqltok *t, size_t have, size_t i)
{
	if (i >= have || (t[i].kind != TOK_WORD && t[i].kind != TOK_QIDENT))
		return NULL;
	return sqltok_text(sql, &t[i]);
}

static void classify(struct global_item *it)
{
	struct sqltok t[12];
	const char *s = it->sql;
	size_t n = tokens(s, t, 12);
	it->kind = GLOBAL_OTHER;
	if (is(s, t, n, 0, "set")) {
		it->kind = GLOBAL_SESSION;
	} else if (is(s, t, n, 0, "create") && (is(s, t, n, 1, "role") || is(s, t, n, 1, "user") ||
						is(s, t, n, 1, "group"))) {
		it->kind = GLOBAL_ROLE;
		it->role = name_at(s, t, n, 2);
	} else if (is(s, t, n, 0, "alter") && is(s, t, n, 1, "role")) {
		it->role = name_at(s, t, n, 2);
		if (is(s, t, n, 3, "set") || is(s, t, n, 3, "in") || is(s, t, n, 3, "reset"))
			it->kind = GLOBAL_ROLE_SETTING;
		else if (is(s, t, n, 3, "resource"))
			it->kind = GLOBAL_RESOURCE;
		else
			it->kind = GLOBAL_ROLE_ATTRS;
	} else if ((is(s, t, n, 0, "create") || is(s, t, n, 0, "alter")) && is(s, t, n, 1, "resource")) {
		it->kind = GLOBAL_RESOURCE;
		it->role = name_at(s, t, n, 3);
	} else if (is(s, t, n, 0, "grant")) {
		it->kind = GLOBAL_MEMBERSHIP;
		/* GRANT a TO b: the grantee follows TO */
		for (size_t i = 1; i + 1 < n; i++)
			if (is(s, t, n, i, "to")) {
				it->role = name_at(s, t, n, i + 1);
				break;
			}
	} else if (is(s, t, n, 0, "comment") && is(s, t, n, 1, "on") && is(s, t, n, 2, "role")) {
		it->kind = GLOBAL_COMMENT;
		it->role = name_at(s, t, n, 3);
	} else if ((is(s, t, n, 0, "create") || is(s, t, n, 0, "alter")) && is(s, t, n, 1, "tablespace")) {
		it->kind = GLOBAL_TABLESPACE;
		it->role = name_at(s, t, n, 2);
	}
}

bool globals_parse(const char *text, size_t len, struct global_items *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof *out);
	struct sqlscript sc;
	bool ok = sqllex_split(text, len, true, &sc);
	if (!ok)
		snprintf(err, errsize, "%s", sc.error);
	for (size_t i = 0; ok && i < sc.n; i++) {
		const struct sqlstmt *st = &sc.items[i];
		if (st->kind != SQLSTMT_SQL)
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		struct global_item *it = &out->v[out->n++];
		memset(it, 0, sizeof *it);
		it->sql = xasprintf("%.*s", (int)(st->end - st->start), text + st->start);
		it->line = st->line;
		classify(it);
	}
	sqlscript_free(&sc);
	if (!ok)
		globals_items_free(out);
	return ok;
}

void globals_items_free(struct global_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].role);
		mem_wipe_free(items->v[i].sql);
	}
	free(items->v);
	memset(items, 0, sizeof *items);
}

/* Attributes only a superuser can grant (PostgreSQL refuses even their NO
 * forms from anyone else); a resource queue or group needs one too on
 * Greenplum. */
static const char *const su_attrs[] = { "superuser", "replication", "bypassrls", NULL };
static const char *const su_noattrs[] = { "nosuperuser", "noreplication", "nobypassrls", NULL };

char *globals_strip_attrs(const char *sql, char **dropped)
{
	struct strbuf out, gone;
	strbuf_init(&out);
	strbuf_init(&gone);
	struct sqllex lx;
	sqllex_init(&lx, sql, strlen(sql), true);
	struct sqltok t;
	size_t copied = 0;
	int skip = 0;           /* tokens still to drop (RESOURCE QUEUE name) */
	size_t index = 0;       /* attributes follow "ALTER ROLE name" / "CREATE ROLE name" */
	while (sqllex_next(&lx, &t) && t.kind != TOK_EOF) {
		if (index++ < 3)
			continue;
		bool drop = skip > 0;
		if (skip > 0)
			skip--;
		if (!drop && t.kind == TOK_WORD) {
			for (size_t i = 0; su_noattrs[i]; i++)
				drop |= sqltok_is(sql, &t, su_noattrs[i]);
			for (size_t i = 0; su_attrs[i]; i++)
				if (sqltok_is(sql, &t, su_attrs[i])) {
					drop = true;
					strbuf_printf(&gone, "%s%s", gone.len ? ", " : "", su_attrs[i]);
					for (char *c = gone.data + gone.len - strlen(su_attrs[i]); *c; c++)
						*c = (char)(*c - 'a' + 'A');
				}
			if (sqltok_is(sql, &t, "resource")) {
				drop = true;
				skip = 2;
				strbuf_printf(&gone, "%sRESOURCE ...", gone.len ? ", " : "");
			}
		}
		if (drop) {
			strbuf_add(&out, sql + copied, t.start - copied);
			copied = t.end;
		}
	}
	strbuf_puts(&out, sql + copied);
	*dropped = strbuf_finish(&gone);
	return strbuf_finish(&out);
}

char *globals_masked(const char *sql)
{
	struct strbuf out;
	strbuf_init(&out);
	struct sqllex lx;
	sqllex_init(&lx, sql, strlen(sql), true);
	struct sqltok t;
	size_t copied = 0;
	bool after_password = false;
	while (sqllex_next(&lx, &t) && t.kind != TOK_EOF) {
		if (after_password && (t.kind == TOK_STRING || t.kind == TOK_DOLLAR)) {
			strbuf_add(&out, sql + copied, t.start - copied);
			strbuf_puts(&out, "'****'");
			copied = t.end;
		}
		after_password = t.kind == TOK_WORD && sqltok_is(sql, &t, "password");
	}
	if (copied < strlen(sql))
		strbuf_puts(&out, sql + copied);
	return strbuf_finish(&out);
}
