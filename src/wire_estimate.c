#include "wire_estimate.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row's width per table, in COPY text (a delimiter or newline per value,
 * "\N" for NULL) and in binary (a 16-bit field count, then per value a
 * 32-bit length and the value's send format, about its width on disk).
 * A value's text width is the average length of the column's sampled values
 * (histogram bounds, else most common values) as text; a varying-length
 * value is at least its average width on disk (the samples leave out wide
 * values); failing both, its type's usual text width. */
static const char WIRE_WIDTHS[] =
	"SELECT attrelid,\n"
	"       sum(1 + (1 - null_frac) * text_width + 2 * null_frac) AS row_text,\n"
	"       2 + sum(4 + (1 - null_frac) * binary_width) AS row_binary\n"
	"FROM (SELECT a.attrelid, coalesce(s.null_frac, 0) AS null_frac,\n"
	"             CASE WHEN t.typlen = -1 AND t.typname <> 'numeric'\n"
	"                  THEN greatest(coalesce(s.avg_width - 1, 16), coalesce(v.sample, 0))\n"
	"                  ELSE coalesce(v.sample, CASE t.typname\n"
	"                       WHEN 'bool' THEN 1 WHEN 'int2' THEN 4 WHEN 'int4' THEN 7 WHEN 'int8' THEN 12\n"
	"                       WHEN 'float4' THEN 10 WHEN 'float8' THEN 16 WHEN 'date' THEN 10\n"
	"                       WHEN 'time' THEN 12 WHEN 'timestamp' THEN 24 WHEN 'timestamptz' THEN 27\n"
	"                       WHEN 'uuid' THEN 36 WHEN 'numeric' THEN 2 * coalesce(s.avg_width, 8)\n"
	"                       ELSE CASE WHEN t.typlen > 0 THEN 2 * t.typlen ELSE 16 END END) END AS text_width,\n"
	"             CASE WHEN t.typlen > 0 THEN t.typlen\n"
	"                  WHEN t.typname = 'numeric' THEN 4 + coalesce(s.avg_width, 8)\n"
	"                  ELSE coalesce(s.avg_width, 16) END AS binary_width\n"
	"      FROM pg_attribute a\n"
	"      JOIN pg_class c ON c.oid = a.attrelid\n"
	"      JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"      JOIN pg_type t ON t.oid = a.atttypid\n"
	"      LEFT JOIN LATERAL (\n"      /* looked up per column: a join would read all of pg_stats */
	"            SELECT s.null_frac, s.avg_width, s.histogram_bounds, s.most_common_vals\n"
	"            FROM pg_stats s\n"
	"            WHERE s.schemaname = n.nspname AND s.tablename = c.relname\n"
	"              AND s.attname = a.attname AND NOT s.inherited LIMIT 1) s ON true\n"
	"      LEFT JOIN LATERAL (\n"
	"            SELECT avg(octet_length(x)) AS sample\n"
	"            FROM unnest((CASE WHEN t.typcategory IN ('A', 'C', 'P', 'X') THEN NULL\n"
	"                              ELSE coalesce(s.histogram_bounds, s.most_common_vals)::text END)::text[]) x) v\n"
	"            ON true\n"
	"      WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped) w\n"
	"GROUP BY attrelid";

/* Greenplum 4.3 and 5 (PostgreSQL 8.2, 8.3: no LATERAL, no unnest, no
 * pg_stats.inherited): the widths by type alone. */
static const char WIRE_WIDTHS_OLD[] =
	"SELECT a.attrelid,\n"
	"       sum(1 + (1 - coalesce(s.null_frac, 0)) *\n"
	"           CASE t.typname\n"
	"                WHEN 'bool' THEN 1 WHEN 'int2' THEN 4 WHEN 'int4' THEN 7 WHEN 'int8' THEN 12\n"
	"                WHEN 'float4' THEN 10 WHEN 'float8' THEN 16 WHEN 'date' THEN 10\n"
	"                WHEN 'time' THEN 12 WHEN 'timestamp' THEN 24 WHEN 'timestamptz' THEN 27\n"
	"                WHEN 'numeric' THEN 2 * coalesce(s.avg_width, 8)\n"
	"                ELSE coalesce(s.avg_width, CASE WHEN t.typlen > 0 THEN 2 * t.typlen ELSE 16 END) END\n"
	"           + 2 * coalesce(s.null_frac, 0)) AS row_text,\n"
	"       2 + sum(4 + (1 - coalesce(s.null_frac, 0)) *\n"
	"           CASE WHEN t.typlen > 0 THEN t.typlen\n"
	"                WHEN t.typname = 'numeric' THEN 4 + coalesce(s.avg_width, 8)\n"
	"                ELSE coalesce(s.avg_width, 16) END) AS row_binary\n"
	"FROM pg_attribute a\n"
	"JOIN pg_class c ON c.oid = a.attrelid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"JOIN pg_type t ON t.oid = a.atttypid\n"
	"LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname\n"
	"      AND s.attname = a.attname\n"
	"WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped\n"
	"GROUP BY a.attrelid";

/* Greenplum 4.3-6: an append-optimized table's compression ratio (-1 when
 * empty), for a table the planner has no row count of. */
static const char WIRE_AO_RATIO[] = "SELECT get_ao_compression_ratio($1::oid)";

long long wire_estimate_initial(const struct wire_facts *f, bool binary)
{
	double row = binary ? f->row_binary : f->row_text;
	if (f->rows_est > 0 && row > 0)
		return (long long)((double)f->rows_est * row);
	long long disk = f->disk_bytes > 0 ? f->disk_bytes : 0;
	if (f->compression > 1)
		return (long long)((double)disk * f->compression);
	return disk;
}

long long wire_estimate_live(long long initial, long long rows_est, long long bytes_done, long long rows_done,
			     bool done)
{
	if (done)
		return bytes_done;
	long long est = initial;
	/* enough rows seen to know their width (a few, or a share of the table) */
	long long enough = rows_est > 0 && rows_est / 100 < 1000 ? rows_est / 100 : 1000;
	if (rows_est > 0 && rows_done > 0 && rows_done >= enough) {
		double width = (double)bytes_done / (double)rows_done;
		long long left = rows_est > rows_done ? rows_est - rows_done : 0;
		est = bytes_done + (long long)(width * (double)left);
	}
	/* still running: some of it is still to come */
	long long floor = bytes_done + bytes_done / 100 + 1;
	return est > floor ? est : floor;
}

static bool ao_ratio(PGconn *src, unsigned oid, double *ratio, struct db_error *err)
{
	char param[16];
	snprintf(param, sizeof param, "%u", oid);
	const char *params[] = { param };
	PGresult *r = db_query(src, WIRE_AO_RATIO, 1, params, err);
	if (!r)
		return false;
	*ratio = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strtod(PQgetvalue(r, 0, 0), NULL) : 0;
	PQclear(r);
	return true;
}

struct by_oid {
	unsigned oid;
	size_t i;
};

static int by_oid_cmp(const void *a, const void *b)
{
	const struct by_oid *x = a, *y = b;
	return (x->oid > y->oid) - (x->oid < y->oid);
}

bool wire_estimate_read(PGconn *src, const struct flavor *f, const struct table *const *tables,
			const bool *binary, size_t n, long long *out, struct db_error *err)
{
	struct wire_facts *facts = xcalloc(n + 1, sizeof *facts);
	for (size_t i = 0; i < n; i++) {
		facts[i].rows_est = tables[i]->rows_est;
		facts[i].disk_bytes = tables[i]->bytes;
		out[i] = tables[i]->bytes > 0 ? tables[i]->bytes : 0;
	}
	/* Small tables are not worth the statistics: WIRE_SMALL_ROW bytes a
	 * row (100,000 one-page tables: 8 KiB each on disk, a few bytes moved) */
	size_t asked = 0;
	struct strbuf arr;
	strbuf_init(&arr);
	strbuf_putc(&arr, '{');
	for (size_t i = 0; i < n; i++) {
		if (tables[i]->rows_est < WIRE_SMALL_ROWS && tables[i]->bytes < WIRE_SMALL_BYTES) {
			facts[i].row_text = facts[i].row_binary = WIRE_SMALL_ROW;
			continue;
		}
		strbuf_printf(&arr, "%s%u", asked++ ? "," : "", tables[i]->oid);
	}
	strbuf_putc(&arr, '}');
	bool ok = true;
	if (asked > 0) {
		const char *params[] = { arr.data };
		PGresult *r = db_query(src, f->pg_num >= 90300 ? WIRE_WIDTHS : WIRE_WIDTHS_OLD, 1, params, err);
		ok = r != NULL;
		/* each row's tables by oid: a sorted index, not a scan of every table per row */
		struct by_oid *idx = xcalloc(n + 1, sizeof *idx);
		for (size_t i = 0; i < n; i++)
			idx[i] = (struct by_oid){ tables[i]->oid, i };
		qsort(idx, n, sizeof *idx, by_oid_cmp);
		for (int row = 0; r && row < PQntuples(r); row++) {
			struct by_oid key = { (unsigned)strtoul(PQgetvalue(r, row, 0), NULL, 10), 0 };
			const struct by_oid *hit = bsearch(&key, idx, n, sizeof *idx, by_oid_cmp);
			/* the first of the tables with that oid, then the rest (the same table twice) */
			while (hit && hit > idx && hit[-1].oid == key.oid)
				hit--;
			for (; hit && hit < idx + n && hit->oid == key.oid; hit++) {
				facts[hit->i].row_text = strtod(PQgetvalue(r, row, 1), NULL);
				facts[hit->i].row_binary = strtod(PQgetvalue(r, row, 2), NULL);
			}
		}
		free(idx);
		PQclear(r);
	}
	strbuf_done(&arr);
	for (size_t i = 0; ok && i < n; i++) {
		const struct table *t = tables[i];
		bool ao = t->storage == 'a' || t->storage == 'c';
		if (facts[i].rows_est <= 0 && ao && f->has_relstorage && t->bytes > 0)
			ok = ao_ratio(src, t->oid, &facts[i].compression, err);
	}
	if (ok)
		for (size_t i = 0; i < n; i++)
			out[i] = wire_estimate_initial(&facts[i], binary[i]);
	free(facts);
	return ok;
}
