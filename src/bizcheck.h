/* bizcheck: the business check that ends the vendor's procedure.  The
 * application's own queries, from a file, run on both sides; their results
 * are compared as multisets (in order when the query ends with a top-level
 * ORDER BY), floats within a relative tolerance, and each side's time is
 * reported.  A query that fails on a side is reported with its error and is
 * not counted as a difference in the data.  Each query runs in a read-only
 * transaction that is rolled back, so the check changes nothing. */
#ifndef GP2ADB_BIZCHECK_H
#define GP2ADB_BIZCHECK_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* Floats (real, double precision) compare equal within this relative
 * difference; everything else compares by its text. */
#define BIZCHECK_FLOAT_TOLERANCE 1e-9
/* A destination this many times slower (and by a second or more) is flagged. */
#define BIZCHECK_SLOWER_FACTOR 2.0

struct bizquery {
	char *name;         /* from "-- name: X" before it, or "query N" */
	char *sql;          /* without the final ';' */
	int line;           /* where it starts in the file */
	bool ordered;       /* a top-level ORDER BY: compare in order */
	char *database;     /* from "-- database: D" before it; NULL: every database */
};

struct bizquery_list {
	struct bizquery *items;
	size_t n;
};

/* Read and split a file of queries.  Names come from a "-- name: NAME"
 * comment line before each query; a "-- database: D" line makes the queries
 * after it (until the next such line; an empty one: every database) run in
 * database D of a migration of several.  false with err "FILE:LINE: ..." for an
 * unreadable file, an unterminated literal, a psql meta-command, a
 * duplicate name, or a file without queries. */
bool bizcheck_load(const char *path, struct bizquery_list *out, char *err, size_t errsize);
void bizcheck_list_free(struct bizquery_list *l);
/* Whether a statement has ORDER BY outside any parentheses. */
bool bizcheck_ordered(const char *sql);

enum bizstatus { BIZ_MATCH, BIZ_DIFFERS, BIZ_ERROR };

struct bizside {
	double seconds;
	long long rows;     /* -1: failed */
	char error[512];    /* "SQLSTATE: message" when it failed */
};

struct bizresult {
	const struct bizquery *q;
	const char *database;   /* where it ran (borrowed from the plan) */
	enum bizstatus status;
	struct bizside src, dst;
	char detail[768];   /* the first difference, or which side failed */
	bool slower;        /* the destination much slower (BIZCHECK_SLOWER_FACTOR) */
};

struct bizreport {
	struct bizresult *items;
	size_t n;
	size_t match, differ, errors, slower;
	bool connect_failed;
	char error[512];    /* set when it could not run at all */
};

/* Run every query of l on the plan's source and destination.  false when a
 * side cannot be reached (report->error, connect_failed). */
bool bizcheck_run(const struct plan *p, const struct bizquery_list *l, struct bizreport *report);
/* The same, adding to report the queries for the plan's database (those of
 * no database and those naming it). */
bool bizcheck_append(const struct plan *p, const struct bizquery_list *l, struct bizreport *report);
void bizcheck_report_free(struct bizreport *r);

/* Compare two results (the PGresults of one query); exposed for tests.
 * detail gets the first difference. */
bool bizcheck_compare(const PGresult *src, const PGresult *dst, bool ordered, char *detail, size_t detailsize);

char *bizcheck_report_text(const struct bizreport *r, const char *file);
char *bizcheck_report_json(const struct bizreport *r, const char *file);
/* Both reports saved in the migration's journal directory as
 * business-check-STAMP.txt and .json; the text one's path, or NULL when they
 * could not be written (said in the log). */
char *bizcheck_report_save(const struct plan *p, const char *text, const char *json);

#endif
