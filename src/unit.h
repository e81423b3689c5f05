/* unit: how tables become units of work, and which unit a free worker takes
 * next.  Pure functions, no connections (DESIGN.md "The COPY engine"). */
#ifndef GP2ADB_UNIT_H
#define GP2ADB_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "flavor.h"

#define UNIT_ID_MAX 48
#define UNIT_BLOCK_SIZE 8192        /* block size assumed for estimates only */

struct unit_spec {
	size_t table;                   /* index of its table in the caller's list */
	int index, count;               /* k of n within its table */
	char id[UNIT_ID_MAX];           /* stable within its table: "all", "b0-131072", "b131072-", "s1%4" */
	char *predicate;                /* NULL or a condition for WHERE (owned: unit_specs_free) */
	long long bytes_est;
};

/* How a table may be split on this source. */
struct unit_split {
	long long threshold_bytes;      /* <= 0: never split */
	bool ctid_ranges;               /* PostgreSQL 14+: TID range scans */
	int segments;                   /* Greenplum primaries (0: not MPP) */
};

void unit_split_for(struct unit_split *s, const struct flavor *f, long split_threshold_mb,
		    int segments);

/* A Greenplum table DISTRIBUTED REPLICATED (every segment holds all rows). */
bool unit_replicated(const struct table *t);

/* Append the units of table t (index `table`) to *units.  Heap tables
 * larger than the threshold become ctid block ranges of threshold size (the
 * last one open-ended, so rows beyond a stale estimate are still read), or on
 * Greenplum groups of gp_segment_id; anything else (replicated tables too)
 * is one unit "all". */
void unit_plan_table(const struct table *t, size_t table, const struct unit_split *s,
		     struct unit_spec **units, size_t *n);

/* Whether units with these ids (as unit_plan_table makes them, from any
 * split) together cover the whole table: "all"; block ranges from 0 without
 * gap or overlap, the last open-ended; every group of gp_segment_id. */
bool unit_ids_complete(const char *const *ids, size_t n);

/* Free units and their predicates. */
void unit_specs_free(struct unit_spec *units, size_t n);

/* Largest first; ties in table then unit order (stable, repeatable). */
void unit_sort(struct unit_spec *units, size_t n);
int unit_compare(const struct unit_spec *a, const struct unit_spec *b);

enum unit_state { UNIT_QUEUED, UNIT_RUNNING, UNIT_DONE, UNIT_FAILED, UNIT_SKIPPED };
/* A table that is split (or redone) is prepared once, in its own transaction,
 * before any of its units runs: truncated, and a marker recorded. */
enum prep_state { PREP_NONE, PREP_NEEDED, PREP_RUNNING, PREP_DONE, PREP_FAILED };

/* The unit a free worker should take: the first queued unit (the array is
 * sorted largest first; unit_table[i] is unit i's table) whose table is not
 * being prepared by another worker.  *first is the caller's cursor: no unit
 * before it is queued (it starts at 0, the pick moves it past the units that
 * left the queue, and the caller lowers it when it puts a unit back), so a
 * pick costs O(1) amortised rather than a scan of every unit.  *must_prep
 * says the caller has to prepare the table first.  -1: nothing can start now
 * (nothing is queued: then *first == n; or everything waits on a preparation). */
long unit_pick(const size_t *unit_table, const enum unit_state *state, size_t n,
	       const enum prep_state *table_prep, size_t *first, bool *must_prep);

#endif
