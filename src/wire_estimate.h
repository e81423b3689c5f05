/* wire_estimate: how many bytes a table's rows take on the wire in COPY's
 * text or binary format, which is what the copy's progress counts.  The
 * size on disk is no measure of it: Greenplum's large tables are mostly
 * compressed append-optimized tables (a zstd column table moves four to ten
 * times its size on disk), and a heap's pages carry headers and free space.
 *
 * Before the copy: the planner's row count (reltuples) times a row's width,
 * from each column's average width in pg_stats and its type (a date is 4
 * bytes on disk and 10 in text); without a row count, the size on disk
 * (times the compression ratio of an append-optimized Greenplum table).
 * During the copy: the rows still to come at the width measured so far.
 * When a table is done: what it moved. */
#ifndef GP2ADB_WIRE_ESTIMATE_H
#define GP2ADB_WIRE_ESTIMATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "db.h"
#include "flavor.h"

/* What the catalogs say of one table. */
struct wire_facts {
	long long rows_est;         /* reltuples; <= 0: unknown */
	long long disk_bytes;
	double compression;         /* append-optimized: uncompressed / compressed; 0: none or unknown */
	double row_text, row_binary;    /* a row's width from pg_stats and the types; 0: unknown */
};

/* The estimate before any row moved (>= 0; 0: nothing to go on). */
long long wire_estimate_initial(const struct wire_facts *f, bool binary);

/* The estimate while the table is copied: its rows at the width measured
 * so far, never less than what moved; `done`: the table finished, so what
 * moved is the answer.  A running table's estimate stays above what moved,
 * so its share done stays below 100% until it finishes. */
long long wire_estimate_live(long long initial, long long rows_est, long long bytes_done, long long rows_done,
			     bool done);

/* Tables of fewer rows and bytes than these get WIRE_SMALL_ROW bytes a row
 * (when their row count is known) rather than a look at their statistics. */
#define WIRE_SMALL_ROWS 1000
#define WIRE_SMALL_BYTES (1024 * 1024)
#define WIRE_SMALL_ROW 64.0

/* out[i]: the initial estimate for tables[i] in its format (binary[i]).
 * false on a query failure (err); out then holds the sizes on disk. */
bool wire_estimate_read(PGconn *src, const struct flavor *f, const struct table *const *tables,
			const bool *binary, size_t n, long long *out, struct db_error *err);

#endif
