/* bizcheck: running the business queries on both sides and comparing. */
#include "bizcheck.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOAT4OID 700
#define FLOAT8OID 701

struct rows {
	const PGresult *r;
	bool *is_float;     /* per column: compared as a number */
	int ncols;
};

static int cell_cmp(const struct rows *a, int ra, const struct rows *b, int rb, int c, bool tolerant)
{
	bool na = PQgetisnull(a->r, ra, c), nb = PQgetisnull(b->r, rb, c);
	if (na || nb)
		return na == nb ? 0 : na ? -1 : 1;
	const char *x = PQgetvalue(a->r, ra, c), *y = PQgetvalue(b->r, rb, c);
	if (!a->is_float[c])
		return strcmp(x, y);
	double dx = strtod(x, NULL), dy = strtod(y, NULL);
	if (isnan(dx) || isnan(dy))
		return isnan(dx) == isnan(dy) ? 0 : isnan(dx) ? 1 : -1;
	if (dx == dy)
		return 0;
	if (tolerant && !isinf(dx) && !isinf(dy) &&
	    fabs(dx - dy) <= BIZCHECK_FLOAT_TOLERANCE * fmax(fabs(dx), fabs(dy)))
		return 0;
	return dx < dy ? -1 : 1;
}

static int row_cmp(const struct rows *a, int ra, const struct rows *b, int rb, bool tolerant, int *col)
{
	for (int c = 0; c < a->ncols; c++) {
		int d = cell_cmp(a, ra, b, rb, c, tolerant);
		if (d) {
			if (col)
				*col = c;
			return d;
		}
	}
	return 0;
}

/* qsort_r-free sorting: a merge sort of row indexes. */
static void sort_rows(const struct rows *rs, int *idx, int *tmp, int n)
{
	if (n < 2)
		return;
	int h = n / 2;
	sort_rows(rs, idx, tmp, h);
	sort_rows(rs, idx + h, tmp, n - h);
	int i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = row_cmp(rs, idx[j], rs, idx[i], false, NULL) < 0 ? idx[j++] : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

static void describe_value(const PGresult *r, int row, int col, char *out, size_t size)
{
	if (PQgetisnull(r, row, col))
		snprintf(out, size, "NULL");
	else
		snprintf(out, size, "%.*s%s", 60, PQgetvalue(r, row, col),
			 strlen(PQgetvalue(r, row, col)) > 60 ? "..." : "");
}

bool bizcheck_compare(const PGresult *src, const PGresult *dst, bool ordered, char *detail, size_t detailsize)
{
	int nc = PQnfields(src);
	if (nc != PQnfields(dst)) {
		snprintf(detail, detailsize, "the source returns %d columns, the destination %d", nc, PQnfields(dst));
		return false;
	}
	bool *is_float = xcalloc((size_t)nc + 1, sizeof *is_float);
	for (int c = 0; c < nc; c++) {
		Oid ts = PQftype(src, c), td = PQftype(dst, c);
		is_float[c] = ts == FLOAT4OID || ts == FLOAT8OID || td == FLOAT4OID || td == FLOAT8OID;
	}
	struct rows a = { src, is_float, nc }, b = { dst, is_float, nc };
	int ns = PQntuples(src), nd = PQntuples(dst);
	int n = ns > nd ? ns : nd;
	int *ia = xcalloc((size_t)n + 1, sizeof *ia), *ib = xcalloc((size_t)n + 1, sizeof *ib);
	int *tmp = xcalloc((size_t)n + 1, sizeof *tmp);
	for (int i = 0; i < n; i++)
		ia[i] = ib[i] = i;
	if (!ordered) {
		sort_rows(&a, ia, tmp, ns);
		sort_rows(&b, ib, tmp, nd);
	}
	bool same = true;
	int m = ns < nd ? ns : nd;
	for (int i = 0; i < m && same; i++) {
		int col = 0;
		if (row_cmp(&a, ia[i], &b, ib[i], true, &col) != 0) {
			char vs[80], vd[80];
			describe_value(src, ia[i], col, vs, sizeof vs);
			describe_value(dst, ib[i], col, vd, sizeof vd);
			snprintf(detail, detailsize, "%s %d, column \"%s\": source %s, destination %s",
				 ordered ? "row" : "sorted row", i + 1, PQfname(src, col), vs, vd);
			same = false;
		}
	}
	if (same && ns != nd) {
		snprintf(detail, detailsize, "the source returns %d rows, the destination %d", ns, nd);
		same = false;
	}
	free(tmp);
	free(ia);
	free(ib);
	free(is_float);
	return same;
}

/* One query on one side, read-only and rolled back. */
static PGresult *run_side(PGconn *c, const struct bizquery *q, struct bizside *side)
{
	struct db_error err;
	side->rows = -1;
	double t0 = clock_mono();
	PGresult *r = NULL;
	if (db_exec(c, "BEGIN TRANSACTION READ ONLY", &err)) {
		r = db_query(c, q->sql, 0, NULL, &err);
		side->seconds = clock_mono() - t0;
		(void)db_exec(c, "ROLLBACK", NULL);
	}
	if (!r) {
		snprintf(side->error, sizeof side->error, "%s%s%.490s", err.sqlstate, err.sqlstate[0] ? ": " : "",
			 err.message);
		if (PQstatus(c) == CONNECTION_BAD)
			PQreset(c);
		return NULL;
	}
	side->rows = PQntuples(r);
	return r;
}

static void check_one(PGconn *s, PGconn *d, struct bizresult *res)
{
	PGresult *rs = run_side(s, res->q, &res->src);
	PGresult *rd = run_side(d, res->q, &res->dst);
	if (!rs || !rd) {
		res->status = BIZ_ERROR;
		snprintf(res->detail, sizeof res->detail, "%s%.360s%s%s%.360s", !rs ? "source: " : "",
			 !rs ? res->src.error : "", !rs && !rd ? "; " : "", !rd ? "destination: " : "",
			 !rd ? res->dst.error : "");
	} else {
		res->status = bizcheck_compare(rs, rd, res->q->ordered, res->detail, sizeof res->detail)
			? BIZ_MATCH : BIZ_DIFFERS;
		res->slower = res->dst.seconds >= 1.0 &&
			      res->dst.seconds > BIZCHECK_SLOWER_FACTOR * res->src.seconds;
	}
	PQclear(rs);
	PQclear(rd);
}

bool bizcheck_run(const struct plan *p, const struct bizquery_list *l, struct bizreport *report)
{
	memset(report, 0, sizeof *report);
	struct db_error err;
	PGconn *s = db_connect(&p->source, "bizcheck", &err);
	if (!s) {
		snprintf(report->error, sizeof report->error, "source: cannot connect: %.450s", err.message);
		report->connect_failed = true;
		return false;
	}
	PGconn *d = db_connect(&p->destination, "bizcheck", &err);
	if (!d) {
		snprintf(report->error, sizeof report->error, "destination: cannot connect: %.450s", err.message);
		report->connect_failed = true;
		PQfinish(s);
		return false;
	}
	report->items = xcalloc(l->n + 1, sizeof *report->items);
	for (size_t i = 0; i < l->n; i++) {
		struct bizresult *res = &report->items[report->n++];
		res->q = &l->items[i];
		check_one(s, d, res);
		report->match += res->status == BIZ_MATCH;
		report->differ += res->status == BIZ_DIFFERS;
		report->errors += res->status == BIZ_ERROR;
		report->slower += res->slower;
		log_debug("business query %s: %s", res->q->name, res->status == BIZ_MATCH ? "match" : res->detail);
	}
	PQfinish(s);
	PQfinish(d);
	return true;
}

void bizcheck_report_free(struct bizreport *r)
{
	free(r->items);
	memset(r, 0, sizeof *r);
}
