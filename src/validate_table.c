/* validate_table: the checks of one table on one connection pair. */
#include "validate_int.h"

#include "db.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"
#include "validate_compare.h"
#include "validate_drill.h"
#include "validate_sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vtable_free(struct validate_table *t)
{
	free(t->schema);
	free(t->name);
	free(t->qualified);
	free(t->key_desc);
	strv_free(t->details);
	strv_free(t->diff_keys);
	free(t->note);
	memset(t, 0, sizeof *t);
}

static void detail(struct validate_table *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void detail(struct validate_table *out, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out->details = strv_push(out->details, buf);
}

static const struct column *find_column(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* The columns both sides have, in source order; differences are reported. */
static struct vcol *common_columns(PGconn *conn, const struct vtask *t, size_t *n,
				   struct validate_table *out)
{
	struct vcol *cols = xcalloc(t->src->ncols + 1, sizeof *cols);
	*n = 0;
	for (size_t i = 0; i < t->src->ncols; i++) {
		const struct column *sc = &t->src->cols[i];
		const struct column *dc = find_column(t->dst, sc->name);
		if (!dc) {
			out->differed |= VCHECK_COLUMNS;
			detail(out, "column %s is missing on the destination", sc->name);
			continue;
		}
		if (strcmp(sc->typname, dc->typname) != 0)
			detail(out, "column %s is %s on the source, %s on the destination", sc->name, sc->type, dc->type);
		cols[*n].name = sc->name;
		cols[*n].quoted = db_quote_ident(conn, sc->name);
		cols[*n].cls = vsql_classify(sc->typname);
		(*n)++;
	}
	for (size_t i = 0; i < t->dst->ncols; i++) {
		if (!find_column(t->src, t->dst->cols[i].name)) {
			out->differed |= VCHECK_COLUMNS;
			detail(out, "column %s is only on the destination", t->dst->cols[i].name);
		}
	}
	return cols;
}

static void cols_free(struct vcol *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cols[i].quoted);
	free(cols);
}

/* The key's text: the key columns as a row, "(17)" or "(2025-01-01,4)". */
static char *key_text(PGconn *conn, char *const *key)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_puts(&sb, "textin(record_out(ROW(");
	for (size_t i = 0; key[i]; i++) {
		char *q = db_quote_ident(conn, key[i]);
		strbuf_printf(&sb, "%s%s", i ? ", " : "", q);
		free(q);
	}
	strbuf_puts(&sb, ")))");
	return strbuf_finish(&sb);
}

static char *key_desc(char *const *key)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_putc(&sb, '(');
	for (size_t i = 0; key[i]; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", key[i]);
	strbuf_putc(&sb, ')');
	return strbuf_finish(&sb);
}

static const char *value(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

/* Compare the one-row results of vsql_main on both sides. */
static void compare_main(const struct vquery *q, const struct vcol *cols, PGresult *const res[2],
			 struct validate_table *out, bool sampled)
{
	double absum[2] = { 0, 0 };
	for (size_t i = 0; i < q->n; i++) {
		const struct vagg *a = &q->aggs[i];
		const char *v[2] = { value(res[0], (int)i), value(res[1], (int)i) };
		if (a->kind == VAGG_ROWS) {
			long long n[2] = { atoll(v[0]), atoll(v[1]) };
			if (sampled) {
				out->sample_src_rows = n[0];
				out->sample_dst_rows = n[1];
			} else {
				out->src_rows = n[0];
				out->dst_rows = n[1];
			}
			if (n[0] != n[1]) {
				out->differed |= VCHECK_COUNT;
				detail(out, "%s: %lld <> %lld", sampled ? "rows in the sample" : "rows", n[0], n[1]);
			}
			continue;
		}
		double scale = 0;
		if (a->kind == VAGG_ABSSUM) {
			for (int s = 0; s < 2; s++)
				if (!v[s] || !vcmp_float_hex(v[s], &absum[s]))
					absum[s] = 0;
		}
		if (a->cmp == VCMP_FLOAT) {
			/* the sum of |x| bounds the rounding error of any summation order;
			 * sums come before sum(abs) in the query, so look ahead */
			for (size_t k = i; k < q->n; k++) {
				if (q->aggs[k].kind == VAGG_ABSSUM && q->aggs[k].col == a->col) {
					double x;
					for (int s = 0; s < 2; s++) {
						const char *av = value(res[s], (int)k);
						if (av && vcmp_float_hex(av, &x) && x > scale)
							scale = x;
					}
					break;
				}
			}
			if (a->kind == VAGG_AVG) {
				/* the column's non-null count is the aggregate before sum */
				long long rows = 0;
				for (size_t k = 0; k < i; k++)
					if (q->aggs[k].kind == VAGG_NONNULL && q->aggs[k].col == a->col)
						rows = atoll(value(res[0], (int)k) ? value(res[0], (int)k) : "0");
				if (rows > 0)
					scale /= (double)rows;
			}
		}
		if (vcmp_equal(a->cmp, v[0], v[1], scale, VALIDATE_FLOAT_TOLERANCE))
			continue;
		char label[300], x[128], y[128];
		vsql_agg_label(a, cols, label, sizeof label);
		vcmp_display(a->cmp, v[0], x, sizeof x);
		vcmp_display(a->cmp, v[1], y, sizeof y);
		out->differed |= a->kind == VAGG_CHECKSUM ? VCHECK_CHECKSUM : VCHECK_AGGREGATES;
		detail(out, "%s: %s <> %s", label, x, y);
	}
}

static bool count_both(PGconn *const conn[2], const char *qualified, struct validate_table *out)
{
	char *sql = xasprintf("SELECT count(*) FROM ONLY %s", qualified);
	PGresult *res[2];
	bool ok = vsql_query_both(conn, sql, res, out->error, sizeof out->error);
	free(sql);
	if (!ok)
		return false;
	out->src_rows = atoll(PQgetvalue(res[0], 0, 0));
	out->dst_rows = atoll(PQgetvalue(res[1], 0, 0));
	if (out->src_rows != out->dst_rows) {
		out->differed |= VCHECK_COUNT;
		detail(out, "rows: %lld <> %lld", out->src_rows, out->dst_rows);
	}
	PQclear(res[0]);
	PQclear(res[1]);
	return true;
}

void vtable_check(struct vworker *w, const struct vrun_shared *sh, const struct vtask *t,
		  struct validate_table *out)
{
	const struct validate_options *o = sh->opt;
	PGconn *const *conn = w->conn;
	memset(out, 0, sizeof *out);
	out->qualified = xstrdup(t->src->qualified);
	out->bytes = t->src->bytes;
	out->src_rows = out->dst_rows = -1;
	out->key_desc = t->src->key ? key_desc(t->src->key) : NULL;

	enum validate_level level = o->level;
	if (level >= VALIDATE_CHECKSUM && !sh->same_encoding) {
		level = VALIDATE_AGGREGATES;
		out->note = xasprintf("checksum not comparable: server encodings differ (%s)", sh->encodings);
	}
	size_t ncols;
	struct vcol *cols = common_columns(conn[0], t, &ncols, out);
	char *row = vsql_row_text(cols, ncols);
	char *keyt = t->src->key ? key_text(conn[0], t->src->key) : NULL;

	bool ok = true, sampled = level >= VALIDATE_AGGREGATES && o->sample_above_bytes > 0 &&
				  o->sample_percent < 100 && t->src->bytes > o->sample_above_bytes;
	char *where = NULL;
	if (sampled) {
		/* the same rows on both sides: by key, or by the row's own text */
		where = vsql_sample_pred(keyt ? keyt : row, o->sample_percent);
		out->sampled = true;
		out->sample_percent = o->sample_percent;
		ok = count_both(conn, t->src->qualified, out);
	}
	if (ok) {
		struct vquery q;
		PGresult *res[2];
		vsql_main(&q, t->src->qualified, cols, ncols, level, where);
		log_debug("validate %s: %s", t->src->qualified, q.sql);
		ok = vsql_query_both(conn, q.sql, res, out->error, sizeof out->error);
		if (ok) {
			compare_main(&q, cols, res, out, sampled);
			PQclear(res[0]);
			PQclear(res[1]);
		}
		vsql_query_free(&q);
	}
	free(where);

	if (!ok) {
		out->status = VALIDATE_ERROR;
		log_error("validate %s: %s", t->src->qualified, out->error);
	} else {
		out->status = out->differed ? VALIDATE_DIFFER : VALIDATE_MATCH;
	}
	bool data_differs = out->differed & (VCHECK_COUNT | VCHECK_AGGREGATES | VCHECK_CHECKSUM);
	if (ok && data_differs && o->drill_limit > 0) {
		if (!keyt) {
			free(out->note);
			out->note = xstrdup("no primary key or unique NOT NULL index: differing rows cannot be named");
		} else if (!sh->same_encoding) {
			/* the note about encodings is already there */
		} else {
			long long rows = out->src_rows > out->dst_rows ? out->src_rows : out->dst_rows;
			char err[512];
			if (!drill_run(conn, t->src->qualified, keyt, row, rows, o->drill_fetch_rows,
				       (size_t)o->drill_limit, &out->diff_keys, &out->diff_keys_more, err, sizeof err)) {
				free(out->note);
				out->note = xasprintf("drill-down failed: %s", err);
				log_warn("validate %s: drill-down failed: %s", t->src->qualified, err);
			} else if (!out->diff_keys) {
				free(out->note);
				out->note = xstrdup("drill-down found no differing row text (the difference is in what "
						    "row text leaves out: digits of floats inside composite or geometric "
						    "values beyond the 15th)");
			}
		}
	}
	free(keyt);
	free(row);
	cols_free(cols, ncols);
}
