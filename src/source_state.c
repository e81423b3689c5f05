#include "source_state.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL 9.1+: the counters are per database, and reset together. */
static const char STATE_PG[] =
	"SELECT c.oid, c.relfilenode::text\n"
	"       || ':' || pg_stat_get_tuples_inserted(c.oid)\n"
	"       || ':' || pg_stat_get_tuples_updated(c.oid)\n"
	"       || ':' || pg_stat_get_tuples_deleted(c.oid)\n"
	"       || ':' || coalesce(extract(epoch FROM pg_stat_get_db_stat_reset_time(d.oid))::text, '-')\n"
	"FROM pg_class c, pg_database d\n"
	"WHERE d.datname = current_database() AND c.oid = ANY ($1::oid[])";

static bool counting(PGconn *src, struct db_error *err, bool *on)
{
	PGresult *r = db_query(src, "SELECT current_setting('track_counts')", 0, NULL, err);
	if (!r)
		return false;
	*on = strcmp(PQgetvalue(r, 0, 0), "on") == 0;
	PQclear(r);
	return true;
}

bool source_state_read(PGconn *src, const struct flavor *f, const unsigned *oids, size_t n, char **out,
		       struct db_error *err)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0)
		return true;
	/* Greenplum keeps its counters on the segments; until they are read
	 * there, there is no fingerprint (a resume redoes the table). */
	if (f->mpp || f->pg_num < 90100)
		return true;
	bool on = false;
	if (!counting(src, err, &on))
		return false;
	if (!on)
		return true;    /* track_counts = off: the counters never move */
	struct strbuf arr;
	strbuf_init(&arr);
	strbuf_putc(&arr, '{');
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&arr, "%s%u", i ? "," : "", oids[i]);
	strbuf_putc(&arr, '}');
	const char *params[] = { arr.data };
	PGresult *r = db_query(src, STATE_PG, 1, params, err);
	strbuf_done(&arr);
	if (!r)
		return false;
	for (int row = 0; row < PQntuples(r); row++) {
		unsigned oid = (unsigned)strtoul(PQgetvalue(r, row, 0), NULL, 10);
		for (size_t i = 0; i < n; i++)
			if (oids[i] == oid && !out[i])
				out[i] = xstrdup(PQgetvalue(r, row, 1));
	}
	PQclear(r);
	return true;
}
