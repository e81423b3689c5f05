/* globals: the cluster-wide objects that come before any database: roles
 * with their attributes, settings and memberships, and (Greenplum) resource
 * queues and groups.  Dumped with the ecosystem's own pg_dumpall
 * --globals-only and applied statement by statement.
 *
 * ADB gives customers a privileged account, not a superuser.  What that
 * account cannot create as the source has it (SUPERUSER, REPLICATION,
 * BYPASSRLS, resource queues and groups) is applied without it and reported
 * with a remedy rather than failing the run.  Roles that exist on the
 * destination before gp2adb created them are left as they are (their
 * password and attributes are the destination's business); roles gp2adb
 * created are remembered in the state directory, so a re-run finishes them.
 * The dump holds password hashes: no statement is ever printed or logged
 * with them. */
#ifndef GP2ADB_GLOBALS_H
#define GP2ADB_GLOBALS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

enum global_kind {
	GLOBAL_SESSION,         /* SET ... */
	GLOBAL_ROLE,            /* CREATE ROLE r */
	GLOBAL_ROLE_ATTRS,      /* ALTER ROLE r WITH ... (attributes, password) */
	GLOBAL_ROLE_SETTING,    /* ALTER ROLE r [IN DATABASE d] SET ... */
	GLOBAL_MEMBERSHIP,      /* GRANT a TO r */
	GLOBAL_RESOURCE,        /* CREATE/ALTER RESOURCE QUEUE|GROUP, ALTER ROLE r RESOURCE ... */
	GLOBAL_COMMENT,         /* COMMENT ON ROLE r */
	GLOBAL_TABLESPACE,      /* not migrated: ADB has no user tablespaces */
	GLOBAL_OTHER,
};

struct global_item {
	enum global_kind kind;
	char *role;             /* the role it concerns (GRANT: the grantee), or NULL */
	char *sql;              /* as dumped (never printed: it may hold a password hash) */
	int line;
};

struct global_items {
	struct global_item *v;
	size_t n;
};

/* Split and classify pg_dumpall --globals-only output.  false with err
 * "line N: ..." when it cannot be split. */
bool globals_parse(const char *text, size_t len, struct global_items *out, char *err, size_t errsize);
void globals_items_free(struct global_items *items);

/* An ALTER ROLE ... WITH attribute list without what a non-superuser
 * cannot grant (SUPERUSER, REPLICATION, BYPASSRLS, resource queue/group
 * options).  *dropped gets those words, comma-separated ("" when none).
 * Caller frees both. */
char *globals_strip_attrs(const char *sql, char **dropped);
/* The statement with any password literal replaced by '****': for messages. */
char *globals_masked(const char *sql);

enum global_outcome { GLOBAL_CREATED, GLOBAL_EXISTED, GLOBAL_ADJUSTED, GLOBAL_FAILED };

struct global_result {
	char *role;             /* or the resource queue/group name */
	char *what;             /* "role", "resource queue", ... */
	enum global_outcome outcome;
	char *note;             /* what was left out and the remedy, or the error */
};

struct global_report {
	struct global_result *v;
	size_t n;
	size_t created, existed, adjusted, failed;
	size_t statements_failed;
};

/* Apply the items on the destination as its account can.  created_file: the
 * journal of roles gp2adb created (read and appended).  false only when the
 * destination connection is lost. */
bool globals_apply(PGconn *dst, const struct global_items *items, const char *created_file,
		   struct global_report *report);
void globals_report_free(struct global_report *r);

/* Dump the source's globals: pg_dumpall --globals-only --no-tablespaces
 * here (PostgreSQL), or Greenplum's own (--gp-syntax: resource queues and
 * groups too) where GPHOME or ssh.gphome has it.  false with err and *code. */
bool globals_dump(const struct plan *p, char **sql, int *code, char *err, size_t errsize);

#endif
