/* db: libpq wrapper.  Connections with timeouts, keepalives and
 * application_name; errors with SQLSTATE and a retry class; conninfo with the
 * password masked.  One PGconn per thread, never shared (libpq rule). */
#ifndef GP2ADB_DB_H
#define GP2ADB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "flavor.h"
#include "plan.h"

enum db_retry {
	DB_RETRY_NO,        /* data, permission, syntax: retrying will not help */
	DB_RETRY_YES,       /* connection loss, admin shutdown, 40001, 40P01, 53300 */
};

struct db_error {
	char sqlstate[6];   /* "" when libpq gave none (e.g. a dropped socket) */
	char message[512];  /* primary message, one line */
	char detail[256];
	enum db_retry retry;
};

/* Classify an error.  conn_bad: PQstatus() was CONNECTION_BAD. */
enum db_retry db_classify(const char *sqlstate, bool conn_bad);

/* Connect to an endpoint.  `role` ("source", "destination", "w3") is appended
 * to application_name (gp2adb-<role>).  DateStyle and extra_float_digits are
 * pinned (session.h, SESSION_CATALOG).  NULL on failure with err filled. */
PGconn *db_connect(const struct endpoint *ep, const char *role, struct db_error *err);

/* The conninfo that db_connect would use, with the password masked: for logs. */
char *db_endpoint_describe(const struct endpoint *ep);
/* Mask the password in a conninfo string or URI ("password=****"). */
char *db_conninfo_masked(const char *conninfo);

/* Run a command that returns no rows. */
bool db_exec(PGconn *conn, const char *sql, struct db_error *err);
/* Run a query with text parameters; returns PGRES_TUPLES_OK/COMMAND_OK
 * results, NULL on error with err filled.  Caller PQclear()s. */
PGresult *db_query(PGconn *conn, const char *sql, int nparams,
		   const char *const *params, struct db_error *err);
/* Fill err from a failed result (or the connection when res is NULL). */
void db_error_set(struct db_error *err, PGconn *conn, const PGresult *res);
/* "23505: duplicate key ..." or "connection lost: ..." into buf. */
const char *db_error_text(const struct db_error *err, char *buf, unsigned long size);

/* Read version() and probe what it cannot say (ADB's rds_superuser). */
bool db_flavor(PGconn *conn, struct flavor *out, char **version_text, struct db_error *err);

/* "schema"."name" quoted with PQescapeIdentifier; caller frees. */
char *db_qualify(PGconn *conn, const char *schema, const char *name);
char *db_quote_ident(PGconn *conn, const char *ident);
char *db_quote_literal(PGconn *conn, const char *literal);

#endif
