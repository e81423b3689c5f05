/* validate_drill: name the keys of the rows that differ.  Rows are placed in
 * buckets by the leading hex digits of md5(key text) -- key ranges in hash
 * space, so every key type works, in every collation, and each level is one
 * GROUP BY that an MPP source runs on its segments.  A level compares
 * (rows, sum of row hashes) per bucket; differing buckets are split 4096 ways
 * at the next level, until a bucket is small enough to list its rows. */
#ifndef GP2ADB_VALIDATE_DRILL_H
#define GP2ADB_VALIDATE_DRILL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#define DRILL_DIGITS_PER_LEVEL 3    /* 16^3 = 4096 buckets per level */
#define DRILL_MAX_BUCKETS 64        /* differing buckets followed per level */

/* The planner (pure). */
struct drill_bucket {
	char prefix[33];
	long long rows[2];              /* source, destination */
	char sum[2][48];                /* sum of row hashes, "" when none */
};

enum drill_step { DRILL_SAME, DRILL_FETCH, DRILL_DESCEND };

/* Prefix length of the first level: 0 (list the table) when it is small. */
int drill_first_len(long long rows, long long fetch_rows);
/* What to do with a bucket at prefix length len. */
enum drill_step drill_classify(const struct drill_bucket *b, int len, long long fetch_rows);

/* A row as seen when listing a bucket: its key text and row hash. */
struct drill_row {
	char *key;
	char *hash;
};
/* The differences between the rows of both sides (order ignored; a key
 * twice on one side counts twice), appended to *out as "(17) changed",
 * "(4) missing on destination", "(9) extra on destination", until *count
 * reaches limit (then *more).  Sorts the arrays. */
void drill_diff(struct drill_row *src, size_t ns, struct drill_row *dst, size_t nd,
		char ***out, size_t *count, size_t limit, bool *more);

/* The executor: bisect a table whose key text is key_expr and row text
 * row_expr, on both connections.  Differing keys go to *keys (NULL-terminated). */
bool drill_run(PGconn *const conn[2], const char *qualified, const char *key_expr,
	       const char *row_expr, long long rows, long long fetch_rows, size_t limit,
	       char ***keys, bool *more, char *err, size_t errsize);

#endif
