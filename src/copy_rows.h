/* copy_rows: count the rows of a COPY ... TO STDOUT stream as it passes,
 * whatever its message boundaries.  PostgreSQL sends one row per CopyData
 * message, but Greenplum's master forwards its segments' output in large
 * messages of many rows each, so counting messages undercounts by a
 * hundredfold.  Text format: one row per newline (a newline inside a value
 * is escaped as \n).  Binary format: the header, then per row a 16-bit field
 * count and each field's 32-bit length and bytes, then the trailer -1. */
#ifndef GP2ADB_COPY_ROWS_H
#define GP2ADB_COPY_ROWS_H

#include <stdbool.h>
#include <stddef.h>

struct copy_rows {
	bool binary;
	int state;              /* binary: what the next bytes are */
	unsigned char acc[4];   /* a number split across chunks */
	int have, want;         /* bytes of it in acc, bytes it takes */
	long long skip;         /* bytes of a field or of the header extension left */
	int fields_left;        /* of the current row */
	bool bad;               /* binary: not a stream this parser knows */
};

void copy_rows_init(struct copy_rows *r, bool binary);
/* Feed the next bytes of the stream; returns the rows they completed. */
long long copy_rows_feed(struct copy_rows *r, const char *data, size_t len);

#endif
