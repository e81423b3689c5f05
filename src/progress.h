/* progress: the completion markers on the destination (schema gp2adb).
 * A unit's marker is inserted in the same transaction as its rows, so after
 * a crash at any instant the destination holds both or neither; --resume
 * trusts these markers, not any local file. */
#ifndef GP2ADB_PROGRESS_H
#define GP2ADB_PROGRESS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/* The marker of a table's one-time preparation (truncation). */
#define PROGRESS_PREP_UNIT "truncate"

struct progress_mark {
	char *table;        /* source table, quoted and qualified */
	char *unit;         /* unit id, or PROGRESS_PREP_UNIT */
	long long rows, bytes;
	char *source_state; /* the source table's change fingerprint when the unit was
			       read (source_state.h), or NULL */
	double committed_at;    /* seconds since the epoch */
};

struct progress_marks {
	struct progress_mark *items;    /* sorted by table, then unit */
	size_t n;
};

/* Create schema gp2adb and its progress table when missing. */
bool progress_ensure(PGconn *dst, struct db_error *err);
/* This migration's markers. */
bool progress_load(PGconn *dst, const char *migration_id, struct progress_marks *out,
		   struct db_error *err);
void progress_marks_free(struct progress_marks *m);
/* The markers of one table: [*first, *first + return) in m. */
size_t progress_marks_of(const struct progress_marks *m, const char *table, size_t *first);
/* Forget the markers of this migration (a fresh, not resumed, copy), but
 * those of the tables in keep (NULL-terminated; may be NULL). */
bool progress_clear(PGconn *dst, const char *migration_id, char *const *keep, struct db_error *err);
/* Whether one unit's marker exists (after a commit whose outcome is unknown). */
bool progress_has(PGconn *dst, const char *migration_id, const char *table, const char *unit,
		  bool *found, struct db_error *err);

/* Whether a table has any marker of this migration.  A DELETE of its
 * markers is then needed; where there are none it is left out: Greenplum 6
 * (without its global deadlock detector) locks a whole table for a DELETE
 * until commit, so a unit that deleted would hold every other unit's
 * marker back for as long as it runs. */
bool progress_has_table(PGconn *dst, const char *migration_id, const char *table, bool *found,
			struct db_error *err);

/* SQL text, literals quoted for conn: insert a marker; delete a table's markers. */
char *progress_insert_sql(PGconn *conn, const char *migration_id, const char *table,
			  const char *unit, long long rows, long long bytes);
/* The same, recording the source table's change fingerprint (NULL: none). */
char *progress_insert_state_sql(PGconn *conn, const char *migration_id, const char *table, const char *unit,
				long long rows, long long bytes, const char *source_state);
char *progress_delete_table_sql(PGconn *conn, const char *migration_id, const char *table);

#endif
