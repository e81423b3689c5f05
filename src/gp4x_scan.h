/* gp4x_scan: find Greenplum 4.x/5 constructs that break on Greenplum 6 (and
 * 6 constructs that break on 7) in DDL text, function bodies and view
 * definitions.  The rules are reference/greenplum.md section 5. */
#ifndef GP2ADB_GP4X_SCAN_H
#define GP2ADB_GP4X_SCAN_H

#include <stdbool.h>
#include <stddef.h>

enum gp4x_target {
	GP4X_TO_GP6 = 1,    /* source Greenplum 4.3/5, destination 6 or later */
	GP4X_TO_GP7 = 2,    /* destination Greenplum/ADB 7 (PostgreSQL 12 based) */
	GP4X_NOT_SQL = 0x100,   /* the text is not SQL (an external table's URLs):
				 * no comments to skip: "gpfdist://h/" + "*.csv") */
};

struct gp4x_rule {
	const char *id;     /* "log_errors_into", "string_agg_one_arg", ... */
	const char *what;   /* what was found */
	const char *fix;    /* what to write instead */
	unsigned targets;   /* enum gp4x_target bits the rule matters for */
};

/* Scan text for the rules that matter for `targets`; stores up to max hits
 * (each rule at most once, in rule order) and returns how many matched.
 * Comments are ignored (unless GP4X_NOT_SQL); string literals are scanned
 * (dynamic SQL). */
size_t gp4x_scan(const char *text, unsigned targets, const struct gp4x_rule **hits, size_t max);

/* Whether an identifier became a reserved word in Greenplum 6
 * (reference 5.11): it must be double-quoted there. */
bool gp4x_newly_reserved(const char *ident);

#endif
