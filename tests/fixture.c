#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "schema.h"
#include "sqllex.h"
#include "strbuf.h"

char *fx_read(const char *name)
{
	const char *src = getenv("GP2ADB_SRCDIR");
	char *path = xasprintf("%s/tests/fixtures/%s", src ? src : ".", name);
	char *text = tu_read_file(path);
	if (!text)
		fail_msg("cannot read %s", path);
	free(path);
	return text;
}

static char *replace_all(char *text, const char *from, const char *to)
{
	struct strbuf sb;
	strbuf_init(&sb);
	const char *p = text, *hit;
	while ((hit = strstr(p, from))) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		strbuf_puts(&sb, to);
		p = hit + strlen(from);
	}
	strbuf_puts(&sb, p);
	free(text);
	return strbuf_finish(&sb);
}

void fx_load_pagila(PGconn *c)
{
	char *sql = fx_read("pagila-schema.sql");
	sql = replace_all(sql, "uuidv7()", "gen_random_uuid()");
	sql = replace_all(sql, ") VIRTUAL", ") STORED");
	struct sqlscript sc;
	assert_true(sqllex_split(sql, strlen(sql), true, &sc));
	assert_true(sc.n > 300);
	int failed = 0;
	for (size_t i = 0; i < sc.n; i++) {
		if (sc.items[i].kind != SQLSTMT_SQL)
			continue;
		char *stmt = xstrndup(sql + sc.items[i].start, sc.items[i].end - sc.items[i].start);
		PGresult *r = PQexec(c, stmt);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			if (!strstr(stmt, "vector") && !strstr(stmt, "film_embedding"))
				fail_msg("pagila line %d failed: %s\n%s", sc.items[i].line, PQerrorMessage(c), stmt);
			failed++;
		}
		PQclear(r);
		free(stmt);
	}
	assert_in_range(failed, 1, 10);
	sqlscript_free(&sc);
	free(sql);
}

char *fx_dump(enum tu_side side, const char *db, bool data, const char *table)
{
	char *conn = xasprintf("host=127.0.0.1 port=%d user=postgres dbname=%s", tu_port(side), db);
	/* The destination also holds the engine's progress markers (schema
	 * gp2adb): by design, and not part of what is compared. */
	const char *argv[] = { "pg_dump", data ? "--data-only" : "--schema-only", "--exclude-schema=gp2adb",
			       "--dbname", conn, table ? "--table" : NULL, table, NULL };
	char *out, *err;
	if (schema_run_local(argv, NULL, &out, &err) != 0)
		fail_msg("pg_dump %s: %s", conn, err);
	struct strbuf sb;
	strbuf_init(&sb);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "\\restrict", 9) == 0 || strncmp(line, "\\unrestrict", 11) == 0 ||
		    strncmp(line, "-- Dumped", 9) == 0 || strncmp(line, "SELECT pg_catalog.setval", 24) == 0)
			continue;
		strbuf_printf(&sb, "%s\n", line);
	}
	free(out);
	free(err);
	free(conn);
	return strbuf_finish(&sb);
}

char *fx_assert_same_schema(const char *src_db, const char *dst_db)
{
	char *s = fx_dump(TU_SRC, src_db, false, NULL), *d = fx_dump(TU_DST, dst_db, false, NULL);
	if (strcmp(s, d) != 0) {
		size_t i = 0;
		while (s[i] && s[i] == d[i])
			i++;
		size_t from = i > 200 ? i - 200 : 0;
		fail_msg("pg_dump -s differs at byte %zu:\nsource: ...%.400s\ndestination: ...%.400s",
			 i, s + from, d + from);
	}
	free(s);
	return d;
}
