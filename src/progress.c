#include "progress.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

static const char PROGRESS_DDL[] =
	"CREATE SCHEMA IF NOT EXISTS gp2adb;\n"
	"CREATE TABLE IF NOT EXISTS gp2adb.copy_progress (\n"
	"    migration_id text NOT NULL,\n"
	"    table_name   text NOT NULL,\n"
	"    unit_id      text NOT NULL,\n"
	"    rows         bigint NOT NULL,\n"
	"    bytes        bigint NOT NULL,\n"
	"    committed_at timestamptz NOT NULL DEFAULT now(),\n"
	"    source_state text,\n"
	"    PRIMARY KEY (migration_id, table_name, unit_id)\n"
	")";

/* Markers written before source_state existed: the column is added. */
static const char PROGRESS_HAS_STATE[] =
	"SELECT count(*) FROM pg_attribute\n"
	"WHERE attrelid = 'gp2adb.copy_progress'::regclass AND attname = 'source_state' AND NOT attisdropped";

static const char PROGRESS_LOAD[] =
	"SELECT table_name, unit_id, rows, bytes, source_state, extract(epoch FROM committed_at)\n"
	"FROM gp2adb.copy_progress\n"
	"WHERE migration_id = $1\n"
	"ORDER BY table_name COLLATE \"C\", unit_id COLLATE \"C\"";

static const char PROGRESS_HAS_TABLE[] =
	"SELECT 1 FROM gp2adb.copy_progress\n"
	"WHERE migration_id = $1 AND table_name = $2\n"
	"LIMIT 1";
static const char PROGRESS_HAS[] =
	"SELECT 1 FROM gp2adb.copy_progress\n"
	"WHERE migration_id = $1 AND table_name = $2 AND unit_id = $3";

bool progress_ensure(PGconn *dst, struct db_error *err)
{
	/* IF NOT EXISTS alone races with a concurrent gp2adb; one run at a time
	 * is the rule, so a plain check-then-create is enough. */
	PGresult *r = db_query(dst, "SELECT to_regclass('gp2adb.copy_progress') IS NOT NULL", 0, NULL, err);
	if (!r)
		return false;
	bool exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (exists) {
		r = db_query(dst, PROGRESS_HAS_STATE, 0, NULL, err);
		if (!r)
			return false;
		bool has_state = atoi(PQgetvalue(r, 0, 0)) > 0;
		PQclear(r);
		if (!has_state && !db_exec(dst, "ALTER TABLE gp2adb.copy_progress ADD COLUMN source_state text", err)) {
			log_error("destination: cannot add source_state to gp2adb.copy_progress: %s: %s",
				  err->sqlstate, err->message);
			return false;
		}
		return true;
	}
	if (!db_exec(dst, PROGRESS_DDL, err)) {
		log_error("destination: cannot create the progress table gp2adb.copy_progress: %s: %s",
			  err->sqlstate, err->message);
		return false;
	}
	return true;
}

bool progress_load(PGconn *dst, const char *migration_id, struct progress_marks *out,
		   struct db_error *err)
{
	memset(out, 0, sizeof *out);
	const char *params[] = { migration_id };
	PGresult *r = db_query(dst, PROGRESS_LOAD, 1, params, err);
	if (!r) {
		log_error("destination: reading gp2adb.copy_progress: %s: %s", err->sqlstate, err->message);
		return false;
	}
	int n = PQntuples(r);
	out->items = xcalloc((size_t)n + 1, sizeof *out->items);
	for (int i = 0; i < n; i++) {
		struct progress_mark *m = &out->items[out->n++];
		m->table = xstrdup(PQgetvalue(r, i, 0));
		m->unit = xstrdup(PQgetvalue(r, i, 1));
		m->rows = atoll(PQgetvalue(r, i, 2));
		m->bytes = atoll(PQgetvalue(r, i, 3));
		m->source_state = PQgetisnull(r, i, 4) ? NULL : xstrdup(PQgetvalue(r, i, 4));
		m->committed_at = atof(PQgetvalue(r, i, 5));
	}
	PQclear(r);
	return true;
}

void progress_marks_free(struct progress_marks *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].table);
		free(m->items[i].unit);
		free(m->items[i].source_state);
	}
	free(m->items);
	memset(m, 0, sizeof *m);
}

size_t progress_marks_of(const struct progress_marks *m, const char *table, size_t *first)
{
	/* binary search for the first marker of table (bytewise order, as loaded) */
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(m->items[mid].table, table) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	size_t k = lo;
	while (k < m->n && strcmp(m->items[k].table, table) == 0)
		k++;
	return k - lo;
}

bool progress_clear(PGconn *dst, const char *migration_id, char *const *keep, struct db_error *err)
{
	/* keep: a text[] literal of the tables whose markers stay */
	struct strbuf arr;
	strbuf_init(&arr);
	strbuf_puts(&arr, "{");
	for (size_t i = 0; keep && keep[i]; i++) {
		strbuf_puts(&arr, i ? ",\"" : "\"");
		for (const char *c = keep[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				strbuf_putc(&arr, '\\');
			strbuf_putc(&arr, *c);
		}
		strbuf_puts(&arr, "\"");
	}
	strbuf_puts(&arr, "}");
	const char *params[] = { migration_id, arr.data };
	PGresult *r = db_query(dst, "DELETE FROM gp2adb.copy_progress\n"
			       "WHERE migration_id = $1 AND NOT (table_name = ANY ($2::text[]))", 2, params, err);
	strbuf_done(&arr);
	if (!r) {
		log_error("destination: clearing old progress markers: %s: %s", err->sqlstate, err->message);
		return false;
	}
	PQclear(r);
	return true;
}

bool progress_has(PGconn *dst, const char *migration_id, const char *table, const char *unit,
		  bool *found, struct db_error *err)
{
	const char *params[] = { migration_id, table, unit };
	PGresult *r = db_query(dst, PROGRESS_HAS, 3, params, err);
	if (!r)
		return false;
	*found = PQntuples(r) > 0;
	PQclear(r);
	return true;
}

bool progress_has_table(PGconn *dst, const char *migration_id, const char *table, bool *found,
			struct db_error *err)
{
	const char *params[] = { migration_id, table };
	PGresult *r = db_query(dst, PROGRESS_HAS_TABLE, 2, params, err);
	if (!r)
		return false;
	*found = PQntuples(r) > 0;
	PQclear(r);
	return true;
}

char *progress_insert_state_sql(PGconn *conn, const char *migration_id, const char *table, const char *unit,
				long long rows, long long bytes, const char *source_state)
{
	char *m = db_quote_literal(conn, migration_id);
	char *t = db_quote_literal(conn, table);
	char *u = db_quote_literal(conn, unit);
	char *st = source_state ? db_quote_literal(conn, source_state) : xstrdup("NULL");
	char *sql = xasprintf("INSERT INTO gp2adb.copy_progress (migration_id, table_name, unit_id, rows, bytes, "
			      "source_state)\nVALUES (%s, %s, %s, %lld, %lld, %s)", m, t, u, rows, bytes, st);
	free(m);
	free(t);
	free(u);
	free(st);
	return sql;
}

char *progress_insert_sql(PGconn *conn, const char *migration_id, const char *table,
			  const char *unit, long long rows, long long bytes)
{
	return progress_insert_state_sql(conn, migration_id, table, unit, rows, bytes, NULL);
}

char *progress_delete_table_sql(PGconn *conn, const char *migration_id, const char *table)
{
	char *m = db_quote_literal(conn, migration_id);
	char *t = db_quote_literal(conn, table);
	char *sql = xasprintf("DELETE FROM gp2adb.copy_progress WHERE migration_id = %s AND table_name = %s", m, t);
	free(m);
	free(t);
	return sql;
}
