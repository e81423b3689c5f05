/* validate_sql: query texts for the checks, and running one on both sides. */
#include "validate_sql.h"

#include "db.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum vcol_class vsql_classify(const char *typname)
{
	static const char *const ints[] = { "int2", "int4", "int8", NULL };
	static const char *const dates[] = { "date", "timestamp", "timestamptz", "time", "timetz", "abstime", NULL };
	for (int i = 0; ints[i]; i++)
		if (strcmp(typname, ints[i]) == 0)
			return VCOL_INT;
	if (strcmp(typname, "numeric") == 0)
		return VCOL_NUMERIC;
	if (strcmp(typname, "float4") == 0 || strcmp(typname, "float8") == 0)
		return VCOL_FLOAT;
	if (strcmp(typname, "_float4") == 0 || strcmp(typname, "_float8") == 0)
		return VCOL_FLOAT_ARRAY;
	for (int i = 0; dates[i]; i++)
		if (strcmp(typname, dates[i]) == 0)
			return VCOL_DATETIME;
	return VCOL_OTHER;
}

/* The 16 hex digits of a float column's value as a double; NaN has one
 * spelling (the bits of a NaN depend on how it was made: 'NaN' and
 * 'Infinity' - 'Infinity' differ in the sign bit). */
static char *float_hex(const char *quoted)
{
	return xasprintf("CASE WHEN %s::float8 = 'NaN'::float8 THEN 'NaN' "
			 "ELSE encode(float8send(%s::float8), 'hex') END", quoted, quoted);
}

char *vsql_col_text(const struct vcol *col)
{
	if (col->cls == VCOL_FLOAT)
		return float_hex(col->quoted);
	if (col->cls == VCOL_FLOAT_ARRAY)
		return xasprintf("encode(array_send(%s::float8[]), 'hex')", col->quoted);
	return xstrdup(col->quoted);
}

char *vsql_row_text(const struct vcol *cols, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_puts(&sb, "textin(record_out(ROW(");
	for (size_t i = 0; i < n; i++) {
		char *c = vsql_col_text(&cols[i]);
		strbuf_printf(&sb, "%s%s", i ? ", " : "", c);
		free(c);
	}
	strbuf_puts(&sb, ")))");
	return strbuf_finish(&sb);
}

char *vsql_hash64(const char *text_expr)
{
	return xasprintf("int8(bit_in(textout('x' || substr(md5(%s), 1, 16)), 0, 64))", text_expr);
}

char *vsql_sample_pred(const char *text_expr, int percent)
{
	long limit = (long)percent * 65536 / 100;
	return xasprintf("int4(bit_in(textout('x' || substr(md5(%s), 1, 4)), 0, 16)) < %ld",
			 text_expr, limit);
}

static void add(struct vquery *q, struct strbuf *sb, enum vagg_kind kind, int col,
		enum vcmp_kind cmp, const char *fmt, const char *arg)
{
	q->aggs = xrealloc(q->aggs, (q->n + 1) * sizeof *q->aggs);
	q->aggs[q->n++] = (struct vagg){ kind, col, cmp };
	strbuf_puts(sb, ",\n       ");
	strbuf_printf(sb, fmt, arg, arg);
}

void vsql_main(struct vquery *q, const char *qualified, const struct vcol *cols, size_t ncols,
	       enum validate_level level, const char *where)
{
	memset(q, 0, sizeof *q);
	struct strbuf sb;
	strbuf_init(&sb);
	q->aggs = xmalloc(sizeof *q->aggs);
	q->aggs[q->n++] = (struct vagg){ VAGG_ROWS, -1, VCMP_DECIMAL };
	strbuf_puts(&sb, "SELECT count(*)");
	for (size_t i = 0; level >= VALIDATE_AGGREGATES && i < ncols; i++) {
		const char *c = cols[i].quoted;
		int ci = (int)i;
		add(q, &sb, VAGG_NONNULL, ci, VCMP_DECIMAL, "count(%s)", c);
		switch (cols[i].cls) {
		case VCOL_INT:
		case VCOL_NUMERIC:
			add(q, &sb, VAGG_SUM, ci, VCMP_DECIMAL, "sum(%s)", c);
			add(q, &sb, VAGG_MIN, ci, VCMP_DECIMAL, "min(%s)", c);
			add(q, &sb, VAGG_MAX, ci, VCMP_DECIMAL, "max(%s)", c);
			add(q, &sb, VAGG_AVG, ci, VCMP_DECIMAL, "avg(%s)", c);
			break;
		case VCOL_FLOAT:
			/* float8send: the exact double, whatever extra_float_digits does */
			add(q, &sb, VAGG_SUM, ci, VCMP_FLOAT, "encode(float8send(sum(%s::float8)), 'hex')", c);
			add(q, &sb, VAGG_ABSSUM, ci, VCMP_FLOAT, "encode(float8send(sum(abs(%s::float8))), 'hex')", c);
			add(q, &sb, VAGG_MIN, ci, VCMP_FLOAT_EXACT, "encode(float8send(min(%s)::float8), 'hex')", c);
			add(q, &sb, VAGG_MAX, ci, VCMP_FLOAT_EXACT, "encode(float8send(max(%s)::float8), 'hex')", c);
			add(q, &sb, VAGG_AVG, ci, VCMP_FLOAT, "encode(float8send(avg(%s::float8)), 'hex')", c);
			/* sums and averages forgive rounding; this one is exact */
			{
				char *bits = xasprintf("sum(int8(bit_in(textout('x' || CASE WHEN %s::float8 = 'NaN'::float8 "
						       "THEN '7ff8000000000000' ELSE encode(float8send(%s::float8), 'hex') END), "
						       "0, 64)))", c, c);
				add(q, &sb, VAGG_BITSUM, ci, VCMP_DECIMAL, "%s", bits);
				free(bits);
			}
			break;
		case VCOL_DATETIME:
			add(q, &sb, VAGG_MIN, ci, VCMP_TEXT, "min(%s)", c);
			add(q, &sb, VAGG_MAX, ci, VCMP_TEXT, "max(%s)", c);
			break;
		case VCOL_FLOAT_ARRAY:
		case VCOL_OTHER:
			break;
		}
	}
	if (level >= VALIDATE_CHECKSUM) {
		char *row = vsql_row_text(cols, ncols);
		char *h = vsql_hash64(row);
		add(q, &sb, VAGG_CHECKSUM, -1, VCMP_DECIMAL, "sum(%s)", h);
		free(h);
		free(row);
	}
	strbuf_printf(&sb, "\nFROM ONLY %s", qualified);
	if (where)
		strbuf_printf(&sb, "\nWHERE %s", where);
	q->sql = strbuf_finish(&sb);
}

void vsql_query_free(struct vquery *q)
{
	free(q->sql);
	free(q->aggs);
	memset(q, 0, sizeof *q);
}

void vsql_agg_label(const struct vagg *a, const struct vcol *cols, char *buf, size_t size)
{
	static const char *const names[] = { "rows", "count", "sum", "sum(abs)", "min", "max", "avg", "bits", "checksum" };
	if (a->col < 0)
		snprintf(buf, size, "%s", names[a->kind]);
	else if (a->kind == VAGG_ABSSUM)
		snprintf(buf, size, "sum(abs(%s))", cols[a->col].name);
	else
		snprintf(buf, size, "%s(%s)", names[a->kind], cols[a->col].name);
}

bool vsql_query_both(PGconn *const conn[2], const char *sql, PGresult *res[2],
		     char *err, size_t errsize)
{
	static const char *const side[] = { "source", "destination" };
	bool sent[2] = { false, false }, ok = true;
	res[0] = res[1] = NULL;
	for (int s = 0; s < 2; s++) {
		sent[s] = PQsendQuery(conn[s], sql) == 1;
		if (!sent[s] && ok) {
			struct db_error e;
			char t[600];
			db_error_set(&e, conn[s], NULL);
			snprintf(err, errsize, "%s: %s", side[s], db_error_text(&e, t, sizeof t));
			ok = false;
		}
	}
	for (int s = 0; s < 2; s++) {
		if (!sent[s])
			continue;
		PGresult *r;
		while ((r = PQgetResult(conn[s])) != NULL) {
			if (!res[s] && PQresultStatus(r) == PGRES_TUPLES_OK) {
				res[s] = r;
				continue;
			}
			if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK && ok) {
				struct db_error e;
				char t[600];
				db_error_set(&e, conn[s], r);
				snprintf(err, errsize, "%s: %s", side[s], db_error_text(&e, t, sizeof t));
				ok = false;
			}
			PQclear(r);
		}
	}
	if (!ok || !res[0] || !res[1]) {
		if (ok)
			snprintf(err, errsize, "no result rows");
		PQclear(res[0]);
		PQclear(res[1]);
		res[0] = res[1] = NULL;
		return false;
	}
	return true;
}
