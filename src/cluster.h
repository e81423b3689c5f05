/* cluster: a migration of several databases (migration.databases lists
 * them, or says "all").  One migration, one ledger, one report: every
 * per-database step (check, schema, copy, validate, analyze) runs for each
 * database in turn with the same plan, but for the database's name; copy
 * runs them all at once on shared workers (engine_group.c). */
#ifndef GP2ADB_CLUSTER_H
#define GP2ADB_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* Whether the plan names more than one database (or "all"). */
bool cluster_multi(const struct plan *p);

struct cluster_db {
	char *name;
	long long bytes;        /* pg_database_size on the source; -1 unknown */
	char *encoding;         /* the source database's encoding */
	char *owner;
	bool on_source;         /* false: listed, but the source has no such database */
};

struct cluster_dbs {
	struct cluster_db *v;
	size_t n;
};

/* The plan's databases as the source has them: "all" is every database but
 * postgres, template0 and template1 (and those that refuse connections), as
 * gpcopy --full; a listed one the source lacks stays in the list with
 * on_source false.  false with err when the source cannot be reached
 * (*connect_failed). */
bool cluster_databases(const struct plan *p, struct cluster_dbs *out, bool *connect_failed, char *err,
		       size_t errsize);
void cluster_dbs_free(struct cluster_dbs *l);

/* A view of p for one database: a shallow copy whose endpoints name db.  It
 * borrows every string of p and db; never plan_done() it. */
void cluster_plan_for(const struct plan *p, const char *db, struct plan *out);

/* Create the database on the destination when it is missing, with the
 * source's owner and encoding where the destination allows.  true when it
 * exists afterwards; false with err naming the database and the reason. */
bool cluster_ensure_database(const struct plan *p, const struct cluster_db *db, bool *created, char *err,
			     size_t errsize);

#endif
