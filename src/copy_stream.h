/* copy_stream: one unit's rows, streamed from the source's COPY TO STDOUT
 * into the destination's COPY FROM STDIN, a bounded batch at a time. */
#ifndef GP2ADB_COPY_STREAM_H
#define GP2ADB_COPY_STREAM_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "db.h"

struct copy_stream {
	PGconn *src, *dst;
	const char *src_sql;        /* COPY (SELECT ...) TO STDOUT ... */
	const char *dst_sql;        /* [BEGIN; TRUNCATE ...;] COPY t (...) FROM STDIN ... */
	bool binary;                /* the source's COPY is in binary format (rows are counted by it) */
	atomic_llong *bytes;        /* progress counters, added to per batch */
	atomic_llong *rows;
	atomic_bool *cancel;        /* polled: set to abort the stream */
};

enum copy_outcome { COPY_DONE, COPY_FAILED, COPY_CANCELLED };

/* Run the stream.  COPY_DONE: every row is in the destination's open
 * transaction (the caller commits) and *rows holds the source's count.
 * Otherwise both COPYs have been ended (the source query cancelled, the
 * destination COPY failed with a message) and err says what happened;
 * *src_side tells which server failed. */
enum copy_outcome copy_stream_run(const struct copy_stream *cs, long long *rows,
				  struct db_error *err, bool *src_side);

/* Cancel whatever the connection is running and wait (bounded) until it is
 * idle again; false when the connection is not usable afterwards. */
bool copy_stream_quiesce(PGconn *conn);

/* Ask the kernel for large socket buffers (best effort). */
void copy_stream_tune_socket(PGconn *conn);

#endif
