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

/* Greenplum 6: one row per table and primary, evaluated on the primary
 * (the target list of a scan of gp_dist_random() runs there; a join or an
 * aggregate would move it to the master, whose counters are not the
 * rows').  The caller orders the rows by primary. */
static const char STATE_GP6[] =
	"SELECT c.oid, c.gp_segment_id,\n"
	"       c.relfilenode::text\n"
	"       || ':' || pg_stat_get_tuples_inserted(c.oid)\n"
	"       || ':' || pg_stat_get_tuples_updated(c.oid)\n"
	"       || ':' || pg_stat_get_tuples_deleted(c.oid)\n"
	"       || ':' || coalesce(CASE c.relstorage\n"
	"              WHEN 'a' THEN (SELECT sum(tupcount) || '/' || sum(modcount)\n"
	"                             FROM gp_toolkit.__gp_aoseg(c.oid))\n"
	"              WHEN 'c' THEN (SELECT sum(tupcount) || '/' || sum(modcount)\n"
	"                             FROM gp_toolkit.__gp_aocsseg(c.oid) WHERE column_num = 0)\n"
	"              END, '-')\n"
	"       || ':' || coalesce(CASE WHEN c.relstorage IN ('a', 'c')\n"
	"              THEN (SELECT sum(hidden_tupcount)::text\n"
	"                    FROM gp_toolkit.__gp_aovisimap_hidden_info(c.oid)) END, '-')\n"
	"       || ':' || coalesce(extract(epoch FROM pg_stat_get_db_stat_reset_time(\n"
	"              (SELECT oid FROM pg_database WHERE datname = current_database())))::text, '-')\n"
	"FROM gp_dist_random('pg_class') c\n"
	"WHERE c.oid = ANY ($1::oid[])";

/* The AO functions STATE_GP6 reads (gp_toolkit, present in every database
 * made from template0 or template1). */
static const char GP6_TOOLKIT[] =
	"SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace\n"
	"WHERE n.nspname = 'gp_toolkit'\n"
	"  AND p.proname IN ('__gp_aoseg', '__gp_aocsseg', '__gp_aovisimap_hidden_info')";

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

/* One primary's part of a Greenplum 6 fingerprint (STATE_GP6):
 * "seg=filenode:inserted:updated:deleted:tupcount/modcount:hidden:reset",
 * where an append-optimized table without segment files, or a heap, has
 * "-" for the counts of its files and its hidden rows (read as 0). */
struct gp6_part {
	int seg;
	unsigned long long v[4], tup, mod, hidden;
	char reset[64];
};

/* The part at s; the text after it (at a space or the end), or NULL. */
static const char *parse_gp6_part(const char *s, struct gp6_part *p)
{
	int used = 0;
	memset(p, 0, sizeof *p);
	if (sscanf(s, "%d=%llu:%llu:%llu:%llu:%n", &p->seg, &p->v[0], &p->v[1], &p->v[2], &p->v[3], &used) != 5 ||
	    !used)
		return NULL;
	s += used;
	if (*s == '-')
		s++;
	else if (sscanf(s, "%llu/%llu%n", &p->tup, &p->mod, &used) == 2)
		s += used;
	else
		return NULL;
	if (*s++ != ':')
		return NULL;
	if (*s == '-')
		s++;
	else if (sscanf(s, "%llu%n", &p->hidden, &used) == 1)
		s += used;
	else
		return NULL;
	if (*s++ != ':')
		return NULL;
	size_t n = strcspn(s, " ");
	if (n >= sizeof p->reset)
		return NULL;
	memcpy(p->reset, s, n);
	p->reset[n] = '\0';
	return s + n;
}

/* Greenplum 6: on every primary the same file and reset, no update or
 * delete counted, no row hidden by the visibility map (an AO table's
 * UPDATE and DELETE), and its counts of rows and modifications grown. */
static bool gp6_only_inserts(const char *then, const char *now)
{
	bool any = false;
	while (*then || *now) {
		struct gp6_part a, b;
		if (!(then = parse_gp6_part(then, &a)) || !(now = parse_gp6_part(now, &b)))
			return false;
		if (a.seg != b.seg || a.v[0] != b.v[0] || strcmp(a.reset, b.reset) != 0 || b.v[1] < a.v[1] ||
		    a.v[2] != b.v[2] || a.v[3] != b.v[3] || b.tup < a.tup || b.mod < a.mod || a.hidden != b.hidden)
			return false;
		any = true;
		then += *then == ' ';
		now += *now == ' ';
	}
	return any;
}

bool source_state_only_inserts(const char *then, const char *now)
{
	if (!then || !now)
		return false;
	if (strchr(then, '=') && strchr(now, '='))
		return gp6_only_inserts(then, now);
	unsigned long long a[4], b[4];
	char ra[64], rb[64];
	if (!parse_state(then, a, ra, sizeof ra) || !parse_state(now, b, rb, sizeof rb))
		return false;
	return a[0] == b[0] && strcmp(ra, rb) == 0 && b[1] >= a[1] && a[2] == b[2] && a[3] == b[3];
}

struct gp6_row {
	unsigned oid;
	int seg, row;
};

static int gp6_row_cmp(const void *a, const void *b)
{
	const struct gp6_row *x = a, *y = b;
	if (x->oid != y->oid)
		return x->oid < y->oid ? -1 : 1;
	return (x->seg > y->seg) - (x->seg < y->seg);
}

/* Each table's rows of STATE_GP6, in primary order, as one string:
 * "0=<state> 1=<state> ...". */
static void gp6_states(PGresult *r, const unsigned *oids, size_t n, char **out)
{
	size_t rows = (size_t)PQntuples(r);
	struct gp6_row *v = xcalloc(rows + 1, sizeof *v);
	for (size_t k = 0; k < rows; k++) {
		v[k].oid = (unsigned)strtoul(PQgetvalue(r, (int)k, 0), NULL, 10);
		v[k].seg = atoi(PQgetvalue(r, (int)k, 1));
		v[k].row = (int)k;
	}
	qsort(v, rows, sizeof *v, gp6_row_cmp);
	for (size_t k = 0; k < rows;) {
		size_t end = k;
		struct strbuf b;
		strbuf_init(&b);
		for (; end < rows && v[end].oid == v[k].oid; end++)
			strbuf_printf(&b, "%s%d=%s", end > k ? " " : "", v[end].seg, PQgetvalue(r, v[end].row, 2));
		char *state = strbuf_finish(&b);
		for (size_t i = 0; i < n; i++)
			if (oids[i] == v[k].oid && !out[i])
				out[i] = xstrdup(state);
		free(state);
		k = end;
	}
	free(v);
}

bool source_state_read(PGconn *src, const struct flavor *f, const unsigned *oids, size_t n, char **out,
		       struct db_error *err)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0)
		return true;
	/* Greenplum keeps its counters on the segments: read there on 6;
	 * elsewhere there is no fingerprint (a resume redoes the table). */
	bool gp6 = f->mpp && f->gp_major == 6;
	if ((f->mpp && !gp6) || f->pg_num < 90100)
		return true;
	bool on = false;
	if (!counting(src, err, &on))
		return false;
	if (!on)
		return true;    /* track_counts = off: the counters never move */
	PGresult *r;
	if (gp6) {
		r = db_query(src, GP6_TOOLKIT, 0, NULL, err);
		if (!r)
			return false;
		bool toolkit = atoi(PQgetvalue(r, 0, 0)) == 3;
		PQclear(r);
		if (!toolkit)
			return true;
		/* gp_dist_random() reads every primary's catalog: name the
		 * tables, the segments' scans are the cost */
		struct strbuf arr;
		strbuf_init(&arr);
		strbuf_putc(&arr, '{');
		for (size_t i = 0; i < n; i++)
			strbuf_printf(&arr, "%s%u", i ? "," : "", oids[i]);
		strbuf_putc(&arr, '}');
		const char *params[] = { arr.data };
		r = db_query(src, STATE_GP6, 1, params, err);
		strbuf_done(&arr);
	} else {
		/* every table's, matched here: cheaper than naming 100,000 oids */
		r = db_query(src, STATE_PG, 0, NULL, err);
	}
	if (!r)
		return false;
	if (gp6) {
		gp6_states(r, oids, n, out);
		PQclear(r);
		return true;
	}
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
