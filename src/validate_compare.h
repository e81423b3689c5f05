/* validate_compare: how a value computed on the source is compared with the
 * same value computed on the destination.  Pure functions (no server). */
#ifndef GP2ADB_VALIDATE_COMPARE_H
#define GP2ADB_VALIDATE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

enum vcmp_kind {
	VCMP_TEXT,      /* exact text: dates and times (ISO, UTC on both sides) */
	VCMP_DECIMAL,   /* exact decimal whatever the display scale: "2.50" = "2.5" */
	VCMP_FLOAT,     /* float8send() as hex; within the tolerance of `scale` */
	VCMP_FLOAT_EXACT, /* float8send() as hex; the same double (min, max) */
};

/* Normalise a decimal ("-0012.3400" -> "-12.34", "-0.0" -> "0") into buf.
 * Words (NaN, Infinity) are kept.  false when s is not a number. */
bool vcmp_decimal_normalize(const char *s, char *buf, size_t size);
/* A float8send() value in hex (16 digits) -> double.  false when malformed. */
bool vcmp_float_hex(const char *hex, double *out);
/* Whether two floats match: equal (NaN = NaN, same infinities), or within
 * tolerance * max(scale, |a|, |b|). */
bool vcmp_float_close(double a, double b, double scale, double tolerance);
/* Compare two values; NULL is SQL NULL (NULL matches only NULL). */
bool vcmp_equal(enum vcmp_kind kind, const char *a, const char *b, double scale, double tolerance);
/* A value for the report: hex floats decoded, NULL as "NULL". */
void vcmp_display(enum vcmp_kind kind, const char *v, char *buf, size_t size);

#endif
