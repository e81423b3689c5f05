/* schema: dump the source's DDL, split it into statements (sqllex), classify
 * each into an object and a section, scan for what breaks on the
 * destination, and apply object by object with a result per object.
 * Facts: reference/greenplum.md 4.6, 4.7 and 5. */
#ifndef GP2ADB_SCHEMA_H
#define GP2ADB_SCHEMA_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "flavor.h"
#include "plan.h"
#include "runlog.h"

enum schema_section {
	SECTION_PRE,            /* schemas, types, functions, tables, views, sequences, ... */
	SECTION_POST,           /* indexes, constraints, foreign keys, triggers, rules, ... */
	SECTION_ALL,            /* (a filter only) */
};

enum item_role {
	ITEM_OBJECT,            /* applied and recorded */
	ITEM_SESSION,           /* SET ...: replayed in order on every run, never recorded */
	ITEM_IGNORED,           /* psql meta-commands, BEGIN/COMMIT: not executed */
};

struct schema_item {
	enum item_role role;
	enum schema_section section;
	char *kind;             /* "TABLE", "INDEX", "FK CONSTRAINT", "OWNER", "ACL", "COMMENT", ... */
	char *name;             /* as written: public."Order Items", "actor_pkey on public.actor" */
	char *tag;              /* what it defines, for dependencies: "REL public.t"; NULL if nothing */
	char *target;           /* what it needs: "REL public.t"; NULL if nothing known */
	char *key;              /* journal key: "<section> <kind> <name> @<digest>[#n]", the
				 * digest of what the statement says (toks_digest), #n
				 * numbering identical statements of the object */
	char *sql;              /* the statement, through its ';' */
	int line;               /* in the dump */
	bool std_strings;       /* standard_conforming_strings when it was read */
};

struct schema_items {
	struct schema_item *v;
	size_t n;
};

/* Split and classify a DDL script.  false with err "line N: ..." when the
 * script cannot be split. */
bool schema_parse(const char *ddl, size_t len, struct schema_items *out, char *err, size_t errsize);
void schema_items_free(struct schema_items *items);
const char *schema_section_name(enum schema_section s);
bool schema_section_parse(const char *s, enum schema_section *out);

/* What the destination allows, read once before scanning. */
struct schema_dest {
	struct flavor flavor;
	bool superuser;         /* the account gp2adb applies with */
	char **roles;           /* every role name */
	char **settings;        /* every setting name */
	char **su_settings;     /* settings only a superuser may set */
};

bool schema_dest_read(PGconn *dst, struct schema_dest *out, char *err, size_t errsize);
void schema_dest_done(struct schema_dest *d);

struct schema_finding {
	const char *id;         /* "gp4-log-errors-into", "dst-missing-role", ... */
	char *object;           /* "TABLE public.t" */
	int line;
	char *problem;
	char *fix;
};

struct schema_findings {
	struct schema_finding *v;
	size_t n;
};

/* Scan every object for the incompatibilities of reference/greenplum.md 5
 * and the destination's restrictions (4.6).  dst may be NULL (source-side
 * checks only). */
void schema_scan(const struct schema_items *items, const struct schema_dest *dst,
		 struct schema_findings *out);
void schema_findings_free(struct schema_findings *f);

enum item_state {
	STATE_NOT_RUN,          /* other section, or session/ignored */
	STATE_OK,               /* applied now */
	STATE_DONE_BEFORE,      /* applied by an earlier run (journal) */
	STATE_FAILED,
	STATE_SKIPPED,          /* not tried: what it depends on failed */
};

struct item_result {
	enum item_state state;
	char sqlstate[6];
	char *message;
};

struct schema_totals {
	size_t ok, done_before, failed, skipped;
};

/* Apply the items of one section (or all) in order on dst.  Items the
 * journal records as applied are left alone; each result is recorded as it
 * comes; a failure does not stop the objects that do not depend on it.
 * results: an array of items->n, filled.  false only when the destination
 * connection is lost (the journal keeps what was done). */
bool schema_apply(PGconn *dst, const struct schema_items *items, enum schema_section section,
		  struct runlog *journal, struct item_result *results, struct schema_totals *totals);
const char *schema_state_name(enum item_state s);

/* What a schema run works from: the DDL split into items, scanned against
 * the destination. */
struct schema_load {
	struct schema_items items;
	struct schema_dest dest;
	struct schema_findings findings;
};

/* Read the DDL (schema_file, or dumped from the source and saved as
 * schema.sql in the run's directory), split it, connect to the destination,
 * read what it allows and scan.  On success *dst is the open destination
 * connection (the caller closes it).  false with err ("cannot connect to the
 * source (...): ...", "<file>: line N: ...") and *code the exit code:
 * EXIT_CONNECT, EXIT_SSH (schema_dump) or EXIT_USAGE (bad input). */
bool schema_load(const struct plan *p, const char *schema_file, struct schema_load *out, PGconn **dst,
		 int *code, char *err, size_t errsize);
void schema_load_done(struct schema_load *l);

/* The materialized views a source has never populated (qualified names;
 * none before PostgreSQL 9.3 and Greenplum 6), and: leave them so, by not
 * running the REFRESH that schema_parse adds for each (a populated one is
 * refreshed from the copied data, an unpopulated one stays as on the source). */
bool schema_unpopulated_matviews(PGconn *src, const struct flavor *f, char ***out, struct db_error *err);
void schema_keep_unpopulated(struct schema_items *items, char *const *names);

/* Run the source's pg_dump -s (Greenplum: Greenplum's own, with --gp-syntax,
 * here under ssh.gphome or else on ssh.master over SSH) and return the DDL.
 * The password, if any, reaches pg_dump only through its environment or a
 * temporary 0600 pgpass file on the master.  false with err naming the
 * command (and host) and its error, and *code the exit code: EXIT_SSH when
 * the master could not be reached or its pg_dump failed, else EXIT_USAGE. */
bool schema_dump(const struct plan *p, const struct flavor *src, char **ddl, int *code,
		 char *err, size_t errsize);

/* Greenplum's pg_dumpall --globals-only --gp-syntax on ssh.master over SSH
 * (as schema_dump runs pg_dump there). */
bool schema_dump_globals_on_master(const struct plan *p, const struct flavor *src, char **sql, int *code,
				   char *err, size_t errsize);
/* The conninfo a local dump tool gets for ep: everything but the password. */
char *schema_dump_conninfo(const struct endpoint *ep);

/* Run argv locally (PATH searched) with extra environment entries
 * ("NAME=value", NULL-terminated; may be NULL) and collect its standard
 * output.  Its standard error goes to err_out.  Returns the exit status, or
 * -1 when it could not be started (errno set). */
int schema_run_local(const char *const *argv, const char *const *extra_env,
		     char **out, char **err_out);

/* The last non-empty line of a tool's error output, for one-line messages. */
void schema_last_line(const char *text, char *buf, size_t size);

#endif
