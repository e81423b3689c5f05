/* bizcheck_file: reading the file of business queries. */
#include "bizcheck.h"
#include "journal.h"
#include "mem.h"
#include "sqllex.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool bizcheck_ordered(const char *sql)
{
	struct sqllex lx;
	sqllex_init(&lx, sql, strlen(sql), true);
	struct sqltok t;
	int depth = 0;
	bool prev_order = false, ordered = false;
	while (sqllex_next(&lx, &t) && t.kind != TOK_EOF) {
		if (t.kind == TOK_OP && sql[t.start] == '(')
			depth++;
		else if (t.kind == TOK_OP && sql[t.start] == ')')
			depth--;
		bool order = depth == 0 && t.kind == TOK_WORD && sqltok_is(sql, &t, "order");
		if (prev_order && t.kind == TOK_WORD && sqltok_is(sql, &t, "by"))
			ordered = true;
		/* a set operation after an ORDER BY at the top starts a new branch */
		if (depth == 0 && t.kind == TOK_WORD &&
		    (sqltok_is(sql, &t, "union") || sqltok_is(sql, &t, "intersect") || sqltok_is(sql, &t, "except")))
			ordered = false;
		prev_order = order;
	}
	return ordered;
}

/* "-- name: X" on a line of its own in [from, to): the last one wins. */
static char *name_between(const char *text, size_t from, size_t to)
{
	char *name = NULL;
	size_t i = from;
	while (i < to) {
		size_t eol = i;
		while (eol < to && text[eol] != '\n')
			eol++;
		const char *l = text + i;
		size_t len = eol - i;
		while (len && isspace((unsigned char)*l)) {
			l++;
			len--;
		}
		if (len > 2 && l[0] == '-' && l[1] == '-') {
			const char *c = l + 2;
			const char *end = l + len;
			while (c < end && isspace((unsigned char)*c))
				c++;
			if (end - c > 5 && strncasecmp(c, "name:", 5) == 0) {
				c += 5;
				while (c < end && isspace((unsigned char)*c))
					c++;
				while (end > c && isspace((unsigned char)end[-1]))
					end--;
				if (end > c) {
					free(name);
					name = xasprintf("%.*s", (int)(end - c), c);
				}
			}
		}
		i = eol + 1;
	}
	return name;
}

bool bizcheck_load(const char *path, struct bizquery_list *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof *out);
	char *text = NULL;
	size_t len = 0;
	if (!journal_slurp(path, &text, &len)) {
		snprintf(err, errsize, "%s: cannot read it: %s", path, strerror(errno));
		return false;
	}
	struct sqlscript sc;
	bool ok = sqllex_split(text, len, true, &sc);
	if (!ok)
		snprintf(err, errsize, "%s:%s", path, sc.error);
	size_t prev_end = 0;
	for (size_t i = 0; ok && i < sc.n; i++) {
		const struct sqlstmt *st = &sc.items[i];
		if (st->kind == SQLSTMT_META) {
			snprintf(err, errsize, "%s:%d: a psql meta-command; the file holds SQL queries only", path,
				 st->line);
			ok = false;
			break;
		}
		size_t end = st->end;
		while (end > st->start && (text[end - 1] == ';' || isspace((unsigned char)text[end - 1])))
			end--;
		if (end == st->start) {
			prev_end = st->end;
			continue;
		}
		out->items = xrealloc(out->items, (out->n + 1) * sizeof *out->items);
		struct bizquery *q = &out->items[out->n++];
		memset(q, 0, sizeof *q);
		q->sql = xasprintf("%.*s", (int)(end - st->start), text + st->start);
		q->line = st->line;
		q->name = name_between(text, prev_end, st->start);
		if (!q->name)
			q->name = xasprintf("query %zu (line %d)", out->n, st->line);
		q->ordered = bizcheck_ordered(q->sql);
		for (size_t k = 0; k + 1 < out->n; k++) {
			if (strcmp(out->items[k].name, q->name) == 0) {
				snprintf(err, errsize, "%s:%d: the name \"%s\" is already used by the query at line %d",
					 path, q->line, q->name, out->items[k].line);
				ok = false;
			}
		}
		prev_end = st->end;
	}
	if (ok && out->n == 0) {
		snprintf(err, errsize, "%s: no queries in it", path);
		ok = false;
	}
	sqlscript_free(&sc);
	free(text);
	if (!ok)
		bizcheck_list_free(out);
	return ok;
}

void bizcheck_list_free(struct bizquery_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].sql);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}
