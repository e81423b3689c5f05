/* segpath_int: what segpath.c (setup) and segpath_unit.c (the runner)
 * share.  Not a contract. */
#ifndef GP2ADB_SEGPATH_INT_H
#define GP2ADB_SEGPATH_INT_H

#include "segpath.h"

#include <stdatomic.h>

/* Every statement of the segment path starts with this comment and the
 * migration id, this host and this process, so a later run can tell what a
 * killed one left running (segpath.c, sweep). */
#define SEGPATH_TAG "/* gp2adb segment path "

struct segpath {
	struct relay *relay;
	bool *table;                    /* per engine table: takes the segment path */
	char src_address[128];          /* the relay as the source's segments are told */
	char dst_address[128];          /* ... and the destination's */
	char encoding[64];              /* the source's server_encoding: both external tables' */
	int src_segments, dst_segments;
	int dst_urls;                   /* reader URLs: one per gp_external_max_segs segments */
	char tag[160];                  /* SEGPATH_TAG, the migration id, host, pid, end of comment */
	atomic_uint names;              /* numbers the temporary external tables */
};

#endif
