/* validate_sql: the SQL texts the checks send.  One text runs unchanged on
 * both sides, so it keeps to functions Greenplum 4.3 (PostgreSQL 8.2) has:
 * md5, substr, textin(record_out(ROW(...))) for a row's text, float8send,
 * array_send and encode for exact floats, bit_in and int8(bit) to turn 16
 * hex digits into a bigint.  gp2adb(1), VALIDATION, describes them for the
 * operator. */
#ifndef GP2ADB_VALIDATE_SQL_H
#define GP2ADB_VALIDATE_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "validate_compare.h"

/* VCOL_FLOAT_ARRAY: float4[] and float8[], whose text is exact only in
 * their binary form, as the floats' own */
enum vcol_class { VCOL_INT, VCOL_NUMERIC, VCOL_FLOAT, VCOL_FLOAT_ARRAY, VCOL_DATETIME, VCOL_OTHER };

struct vcol {
	const char *name;
	char *quoted;
	enum vcol_class cls;
};

/* VAGG_BITSUM: the sum of a float column's IEEE 754 bit patterns read as
 * bigints, exact and order-free: it moves when any value moves by one bit */
enum vagg_kind { VAGG_ROWS, VAGG_NONNULL, VAGG_SUM, VAGG_ABSSUM, VAGG_MIN, VAGG_MAX, VAGG_AVG, VAGG_BITSUM,
		 VAGG_CHECKSUM };

struct vagg {
	enum vagg_kind kind;
	int col;                /* index into the columns; -1 for whole-row values */
	enum vcmp_kind cmp;
};

/* One query: its text and what each output column is. */
struct vquery {
	char *sql;
	struct vagg *aggs;
	size_t n;
};

/* What aggregates a column gets, from its type name. */
enum vcol_class vsql_classify(const char *typname);
/* A column's exact text: floats as the hex of float8send (NaN as 'NaN',
 * whatever its bits), float arrays as the hex of array_send, others as they
 * are.  Every server prints these alike, to the last bit. */
char *vsql_col_text(const struct vcol *col);
/* textin(record_out(ROW("a", <exact float>, ...))): the row's text with
 * vsql_col_text's columns, NULLs as empty fields. */
char *vsql_row_text(const struct vcol *cols, size_t n);
/* A bigint from the first 16 hex digits of md5(text_expr). */
char *vsql_hash64(const char *text_expr);
/* The deterministic sample: rows whose md5(text_expr) falls in the first
 * `percent` of 65536 buckets. */
char *vsql_sample_pred(const char *text_expr, int percent);
/* The one-scan query of a level: count(*), per-column aggregates
 * (aggregates, checksum) and the row checksum (checksum). where may be NULL. */
void vsql_main(struct vquery *q, const char *qualified, const struct vcol *cols, size_t ncols,
	       enum validate_level level, const char *where);
void vsql_query_free(struct vquery *q);
/* "sum(amount)" for the report. */
void vsql_agg_label(const struct vagg *a, const struct vcol *cols, char *buf, size_t size);

/* Send the same SQL to both connections and wait for both results (the two
 * servers work at the same time).  false with err filled ("source: ..."). */
bool vsql_query_both(PGconn *const conn[2], const char *sql, PGresult *res[2],
		     char *err, size_t errsize);

#endif
