/* backfill: writes made on the source after a table was copied.  The vendor's
 * procedure asks to pause writes and, if they went on, to backfill.
 *
 * A table changed since its copy when its change fingerprint
 * (source_state.h) moved since the last marker gp2adb committed for it (its
 * copy, or its last backfill); where the source gives no fingerprint, when
 * the row counts on the two sides differ.  A changed table with an
 * ever-increasing column (migration.backfill_keys, or else a single-column
 * key fed by a sequence or an identity) gets the rows beyond the destination's
 * highest value of that column; any other changed table is copied again
 * whole.  Each table's backfill is one destination transaction with its
 * marker, so it happens exactly once: a rerun reads the high-water mark
 * again and finds nothing new.  What was backfilled is validated; an
 * incremental table that still differs (rows updated or deleted, or a
 * sequence value committed late) is copied again whole. */
#ifndef GP2ADB_BACKFILL_H
#define GP2ADB_BACKFILL_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "plan.h"

#define BACKFILL_SUFFIX "+bf"   /* its markers' migration id: <id>+bf */

enum backfill_change {
	BACKFILL_UNCHANGED,
	BACKFILL_CHANGED,           /* the fingerprint moved: rows inserted only */
	BACKFILL_REWRITTEN,         /* the fingerprint moved: rows updated or deleted, or the table rewritten */
	BACKFILL_COUNTS_DIFFER,     /* no fingerprint; the row counts differ */
	BACKFILL_NOT_COPIED,        /* gp2adb never copied it (no marker) and the counts agree */
};

struct backfill_table {
	char *qualified;
	char *pattern;              /* schema.table as a migration.include pattern (globs escaped) */
	enum backfill_change change;
	char *column;               /* the ever-increasing column used, or NULL */
	char *why_column;           /* "migration.backfill_keys", "key fed by a sequence", ... */
	char *hwm;                  /* the destination's highest value, or NULL */
	char *predicate;            /* condition of the rows to copy, or NULL: the whole table */
	char *unit_id;
	long long src_rows, dst_rows;   /* -1: not counted */
};

struct backfill_plan {
	struct backfill_table *v;
	size_t n;
	size_t changed;
	bool fingerprints;          /* the source gave change fingerprints */
};

/* Decide, for every table of the plan, whether it changed and how to
 * backfill it.  false with err (*code the exit code) when a side cannot be
 * read. */
bool backfill_plan(const struct plan *p, struct backfill_plan *out, int *code, char *err, size_t errsize);
void backfill_plan_free(struct backfill_plan *b);

/* The engine units for the changed tables (borrowing b's strings); with
 * whole, every changed table is copied again whole.  Caller frees. */
struct engine_backfill_unit *backfill_units(const struct backfill_plan *b, bool whole, size_t *n);

/* Validate the tables b backfills (at the plan's level, aggregates when it
 * says none): res filled, and the names of those that still differ pushed
 * onto *differ.  false when it could not run: err, *connect_failed. */
struct validate_result;
bool backfill_validate_changed(const struct plan *p, const struct backfill_plan *b, struct validate_result *res,
		       char ***differ, char *err, size_t errsize, bool *connect_failed);

/* Whether the table is to be backfilled. */
bool backfill_changed(const struct backfill_table *t);

/* "schema.table:column" entries of migration.backfill_keys: the column for t. */
const char *backfill_key_for(const struct plan *p, const char *schema, const char *table);

#endif
