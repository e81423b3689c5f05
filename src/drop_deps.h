/* drop_deps: what DROP TABLE ... CASCADE would take on the destination
 * beyond the tables of the run (views, materialized views, foreign keys and
 * rules of other tables, tables outside the run, ...), read from pg_depend
 * before anything is dropped; which of them the source's dump defines (and
 * so can be recreated); and the destination table gp2adb.drop_pending that
 * holds their statements, written in the transaction that drops them and
 * emptied in the one that recreates each, so that nothing dropped is
 * forgotten across crashes and runs. */
#ifndef GP2ADB_DROP_DEPS_H
#define GP2ADB_DROP_DEPS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "flavor.h"
#include "schema.h"
#include "strbuf.h"
#include "strmap.h"

struct drop_dep {
	char *what;             /* "view public.v", "foreign key fk on public.o", as the destination names it */
	char *root;             /* the table of the run whose drop takes it ("public"."t") */
	const char *lost;       /* NULL: the dump defines it; else why it is lost */
	size_t *items, nitems;  /* its statements in the dump, in dump order */
};

struct drop_deps {
	struct drop_dep *v;
	size_t n;
};

/* What dropping each of roots (qualified names; those missing on the
 * destination are left out) with CASCADE would take, besides the tables of
 * the run and what belongs to them.  members: the toks_name_key() of every
 * table of the run, valued with its group + 1; a table of another group
 * that the drop would take (the destination relates the tables otherwise)
 * is lost.  false with err on a query failure. */
/* Greenplum and ADB run WITH RECURSIVE only with gp_recursive_cte on (its
 * default from 6): set it on a session that will call drop_deps_find. */
void drop_deps_session(PGconn *conn, const struct flavor *f);
bool drop_deps_find(PGconn *dst, char *const *roots, struct strmap *members, const struct schema_items *ddl,
		    struct drop_deps *out, struct db_error *err);
void drop_deps_free(struct drop_deps *d);
/* One line per object: "  view public.v (with "public"."t"): recreated from
 * the source's definition" or "...: lost: the source does not define it". */
void drop_deps_describe(const struct drop_deps *d, struct strbuf *sb);
size_t drop_deps_lost(const struct drop_deps *d);

/* Create gp2adb.drop_pending when missing. */
bool drop_pending_ensure(PGconn *dst, struct db_error *err);
/* How many objects wait in gp2adb.drop_pending for the migration. */
bool drop_pending_count(PGconn *conn, const char *migration_id, size_t *n, struct db_error *err);
/* Record what a drop takes, inside its transaction: the statements of each
 * object the dump defines. */
bool drop_pending_record(PGconn *conn, const char *migration_id, const struct drop_deps *d,
			 const struct schema_items *ddl, struct db_error *err);

/* An object whose statements could not be applied. */
struct drop_pending_failure {
	char *what, *root;
	char text[600];         /* "23503: insert or update ... (ALTER TABLE ...)" */
};

/* Recreate each object pending for the migration, in the order it was
 * defined, each in one transaction that also forgets it.  Statements of
 * owners, grants and comments that fail are warned about and counted in
 * *optional_failed; any other failure keeps the object pending and is added
 * to *failed (*nfailed).  false only when the pending objects cannot be read. */
bool drop_pending_recreate(PGconn *conn, const char *migration_id, struct drop_pending_failure **failed,
			   size_t *nfailed, size_t *optional_failed, struct db_error *err);
void drop_pending_failures_free(struct drop_pending_failure *f, size_t n);

/* Statements of owners, grants, comments and security labels: a failure
 * leaves the object usable, and is reported rather than fatal. */
bool drop_statement_optional(const char *kind);

#endif
