/* eta: how long a copy has left, from its tables' progress.
 *
 * The share of the work done, extrapolated over the time so far, is short
 * where the work left sits in a few large tables: once the small ones are
 * done, the rate the whole copy had is no longer there.  So the ETA is the
 * larger of that extrapolation and the longest any running table needs for
 * what it has left at its own average rate (the table that finishes last
 * bounds the copy). */
#ifndef GP2ADB_ETA_H
#define GP2ADB_ETA_H

#include <stddef.h>

#include "engine.h"

/* Seconds left (-1: not known yet: under 1% done, or under a second in).
 * fraction_done: the share of the weighted work done (0..1); elapsed: the
 * copy's seconds so far; now: the clock the tables' started_at use. */
double eta_seconds(const struct engine_table_stats *t, size_t n, double now, double elapsed,
		   double fraction_done);

#endif
