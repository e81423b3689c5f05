/* source_state: a fingerprint of a source table that changes whenever rows
 * are written to it, so that a resumed copy can tell whether the units it
 * committed earlier and the ones it is about to read come from the same
 * table contents.  Read before the copy's snapshot is taken: a write that
 * lands between the two makes the next fingerprint differ (the table is
 * then redone, never patched from two states).
 *
 * PostgreSQL: the table's file node (TRUNCATE, VACUUM FULL and CLUSTER give
 * a new one) and the statistics system's counts of inserted, updated and
 * deleted rows, with the database's statistics reset time.  The counts reach
 * the statistics system when the writing session goes idle or ends (about a
 * second, longer under load), so writes in the last moments before a resume
 * may not be seen yet: pausing writes stays the rule.
 *
 * Greenplum 6: the rows live on the primaries, and so do the counters.  Per
 * primary (read there through gp_dist_random('pg_class')): the file node,
 * the statistics system's inserted, updated and deleted rows, the reset
 * time; for append-optimized tables also the segment files' row and
 * modification counts and the rows hidden by the visibility map (a DELETE
 * or UPDATE of an AO table moves no statistics counter; the hidden rows and
 * the modification count do).  Other Greenplum versions give no
 * fingerprint. */
#ifndef GP2ADB_SOURCE_STATE_H
#define GP2ADB_SOURCE_STATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "flavor.h"

/* out[i]: the fingerprint of the table with oids[i] (a new string), or NULL
 * when this source cannot give one (then a resume redoes the table).  false
 * only on a connection or query failure (err). */
bool source_state_read(PGconn *src, const struct flavor *f, const unsigned *oids, size_t n, char **out,
		       struct db_error *err);

/* Whether a table whose fingerprint went from `then` to `now` only had rows
 * inserted (same file, counters reset together, no update or delete
 * counted; on Greenplum 6 also, on every primary, no row hidden by an
 * append-optimized table's visibility map and its files' row and
 * modification counts grown).  false when it cannot tell. */
bool source_state_only_inserts(const char *then, const char *now);

#endif
