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
	"WHERE d.datname = current_database() AND c.relkind IN ('r', 'p', 'm')";

struct oid_at {
	unsigned oid;
	size_t i;
};

static int oid_at_cmp(const void *a, const void *b)
{
	unsigned x = ((const struct oid_at *)a)->oid, y = ((const struct oid_at *)b)->oid;
	return (x > y) - (x < y);
}

static bool counting(PGconn *src, struct db_error *err, bool *on)
{
	PGresult *r = db_query(src, "SELECT current_setting('track_counts')", 0, NULL, err);
	if (!r)
		return false;
	*on = strcmp(PQgetvalue(r, 0, 0), "on") == 0;
	PQclear(r);
	return true;
}

/* "filenode:inserted:updated:deleted:reset" */
static bool parse_state(const char *s, unsigned long long v[4], char *reset, size_t size)
{
	int used = 0;
	if (!s || sscanf(s, "%llu:%llu:%llu:%llu:%n", &v[0], &v[1], &v[2], &v[3], &used) != 4 || !used)
		return false;
	snprintf(reset, size, "%s", s + used);
	return true;
}

bool source_state_only_inserts(const char *then, const char *now)
{
	unsigned long long a[4], b[4];
	char ra[64], rb[64];
	if (!parse_state(then, a, ra, sizeof ra) || !parse_state(now, b, rb, sizeof rb))
		return false;
	return a[0] == b[0] && strcmp(ra, rb) == 0 && b[1] >= a[1] && a[2] == b[2] && a[3] == b[3];
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
	/* every table's, matched here: cheaper than naming 100,000 oids */
	PGresult *r = db_query(src, STATE_PG, 0, NULL, err);
	if (!r)
		return false;
	/* the rows in the oids' order: a sorted index, searched */
	struct oid_at *at = xcalloc(n + 1, sizeof *at);
	for (size_t i = 0; i < n; i++)
		at[i] = (struct oid_at){ oids[i], i };
	qsort(at, n, sizeof *at, oid_at_cmp);
	for (int row = 0; row < PQntuples(r); row++) {
		struct oid_at key = { (unsigned)strtoul(PQgetvalue(r, row, 0), NULL, 10), 0 };
		const struct oid_at *hit = bsearch(&key, at, n, sizeof *at, oid_at_cmp);
		while (hit && hit > at && hit[-1].oid == key.oid)
			hit--;
		for (; hit && hit < at + n && hit->oid == key.oid; hit++)
			if (!out[hit->i])
				out[hit->i] = xstrdup(PQgetvalue(r, row, 1));
	}
	free(at);
	PQclear(r);
	return true;
}
