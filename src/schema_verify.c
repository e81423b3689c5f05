/* schema_verify: the schema journal is a record of what was applied, not a
 * proof that it is still there.  Before a run skips what the journal calls
 * applied, the relations among it (tables, views, sequences, indexes, ...)
 * are looked up on the destination; one that is gone is applied again, with
 * what attaches to it. */
#include "schema_verify.h"
#include "schema_tokens.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relations whose name no longer resolves, of those in $1 (PostgreSQL
 * 9.6+, Greenplum 7: to_regclass(text)). */
static const char MISSING_SQL[] =
	"SELECT n FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NULL";
/* The same on PostgreSQL 9.4 and 9.5, Greenplum 6: to_regclass(cstring). */
static const char MISSING_SQL_94[] =
	"SELECT n FROM unnest($1::text[]) AS n WHERE to_regclass(n::cstring) IS NULL";

/* A schema name from a string's contents, quoted when it needs it. */
static char *quoted_name(const char *s)
{
	bool plain = *s && !isdigit((unsigned char)*s);
	for (const char *p = s; *p && plain; p++)
		plain = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_';
	if (plain)
		return xstrdup(s);
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_putc(&sb, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			strbuf_putc(&sb, '"');
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '"');
	return strbuf_finish(&sb);
}

/* The first schema of a search_path list held in a string ("a, b"). */
static char *first_of_list(const char *list)
{
	while (*list == ' ')
		list++;
	if (*list == '"') {
		const char *end = list + 1;
		while (*end && !(*end == '"' && end[1] != '"'))
			end += *end == '"' ? 2 : 1;
		return *end ? xstrndup(list, (size_t)(end - list + 1)) : NULL;
	}
	size_t n = strcspn(list, ", ");
	if (n == 0)
		return NULL;
	char *raw = xstrndup(list, n);
	char *q = quoted_name(raw);
	free(raw);
	return q;
}

/* The schema that unqualified names resolve to after a session statement
 * that sets search_path ("SET search_path = a, b" as Greenplum's pg_dump
 * writes it, "SELECT pg_catalog.set_config('search_path', '', false)" as
 * PostgreSQL's does); *changed false when it sets something else. */
static char *search_path_first(const struct schema_item *it, bool *changed)
{
	*changed = false;
	struct toks tl;
	toks_build(&tl, it->sql, strlen(it->sql), it->std_strings);
	char *first = NULL;
	size_t i = toks_find_kw(&tl, 0, "search_path");
	if (i < tl.n && toks_kw(&tl, 0, "set")) {
		*changed = true;
		i++;
		if (toks_kw(&tl, i, "to") || toks_op(&tl, i, '='))
			i++;
		if (i < tl.n && tl.t[i].kind == TOK_STRING) {
			char *v = sqltok_text(tl.s, &tl.t[i]);
			first = quoted_name(v);
			free(v);
		} else if (i < tl.n && (tl.t[i].kind == TOK_WORD || tl.t[i].kind == TOK_QIDENT)) {
			first = xstrndup(tl.s + tl.t[i].start, tl.t[i].end - tl.t[i].start);
		}
	}
	for (size_t k = 0; k + 2 < tl.n && !*changed; k++) {
		if (tl.t[k].kind != TOK_STRING)
			continue;
		char *name = sqltok_text(tl.s, &tl.t[k]);
		bool sp = strcmp(name, "search_path") == 0 && toks_op(&tl, k + 1, ',') &&
			  tl.t[k + 2].kind == TOK_STRING;
		free(name);
		if (!sp)
			continue;
		*changed = true;
		char *list = sqltok_text(tl.s, &tl.t[k + 2]);
		first = first_of_list(list);
		free(list);
	}
	toks_done(&tl);
	return first;
}

static bool qualified(const char *name)
{
	bool quoted = false;
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '.' && !quoted)
			return true;
	}
	return false;
}

void schema_missing_relations(PGconn *dst, const struct schema_items *items, const struct runlog *journal,
			      struct strmap *missing)
{
	strmap_init(missing, items->n);
	char *schema = NULL;
	char **names = NULL, **keys = NULL;
	size_t n = 0;
	for (size_t k = 0; k < items->n; k++) {
		const struct schema_item *it = &items->v[k];
		if (it->role == ITEM_SESSION) {
			bool changed;
			char *first = search_path_first(it, &changed);
			if (changed) {
				free(schema);
				schema = first;
			}
			continue;
		}
		if (it->role != ITEM_OBJECT || !it->tag || strncmp(it->tag, "REL ", 4) != 0)
			continue;
		const struct runlog_entry *prev = runlog_get(journal, it->key);
		if (!prev || strcmp(prev->status, "ok") != 0)
			continue;
		const char *name = it->tag + 4;
		if (!qualified(name) && !schema)
			continue;       /* where it resolves is not known here */
		names = xrealloc(names, (n + 1) * sizeof *names);
		keys = xrealloc(keys, (n + 1) * sizeof *keys);
		names[n] = qualified(name) ? xstrdup(name) : xasprintf("%s.%s", schema, name);
		keys[n++] = toks_name_key(name);
	}
	free(schema);
	if (n) {
		struct strbuf arr;
		strbuf_init(&arr);
		strbuf_text_array(&arr, names, n);
		const char *params[] = { arr.data };
		struct db_error err;
		PGresult *r = db_query(dst, PQserverVersion(dst) >= 90600 ? MISSING_SQL : MISSING_SQL_94, 1, params,
				       &err);
		strbuf_done(&arr);
		struct strmap index;
		strmap_init(&index, n);
		for (size_t i = 0; i < n; i++)
			*strmap_at(&index, names[i], true) = i + 1;
		for (int row = 0; r && row < PQntuples(r); row++) {
			size_t *i = strmap_at(&index, PQgetvalue(r, row, 0), false);
			if (!i)
				continue;
			*strmap_at(missing, keys[*i - 1], true) = 1;
			log_warn("%s was applied by an earlier run but is no longer on the destination: it is "
				 "applied again", names[*i - 1]);
		}
		strmap_done(&index);
		if (!r)
			log_warn("destination: cannot check that what earlier runs applied is still there (%s: %s); "
				 "the journal is trusted", err.sqlstate, err.message);
		PQclear(r);
	}
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(keys[i]);
	}
	free(names);
	free(keys);
}

bool schema_relation_missing(struct strmap *missing, const char *tag)
{
	if (!tag || strncmp(tag, "REL ", 4) != 0 || missing->n == 0)
		return false;
	char *key = toks_name_key(tag + 4);
	bool gone = strmap_at(missing, key, false) != NULL;
	free(key);
	return gone;
}
