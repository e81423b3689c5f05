/* gpcopy: driving the vendor's gpcopy on the Greenplum master, when the
 * operator chooses it (DESIGN.md "Two data paths"; reference/greenplum.md
 * 1.2-1.6).  This file holds what needs no server: the command line, the
 * --jobs formula, and the parser of gpcopy's log lines.  gpcopy_run.c runs
 * it over SSH and turns its log into an engine snapshot, so the panes and
 * the --plain printer show it as they show gp2adb's own engine. */
#ifndef GP2ADB_GPCOPY_H
#define GP2ADB_GPCOPY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "engine.h"
#include "plan.h"

/* --jobs n opens 2n+1 database connections on each cluster (gpcopy
 * reference, --jobs: "produces 2*n+1 database connections"; both clusters'
 * max_connections must allow for them).  The plan's jobs, lowered so that
 * 2n+1 fits in the free connections of both servers (a negative free count:
 * unknown, no cap), and at least 1.  *capped tells whether it was lowered. */
int gpcopy_jobs(int wanted, int src_free, int dst_free, bool *capped);
/* Free connection slots on the server: max_connections, less the slots
 * reserved for superusers, less the sessions open now. */
bool gpcopy_free_connections(PGconn *conn, int *free_slots, struct db_error *err);

/* What the command line is built from (the connections say what libpq
 * chose where the plan is silent). */
struct gpcopy_target {
	const char *source_host;    /* NULL: gpcopy's default, 127.0.0.1 on the master */
	int source_port;
	const char *source_user;
	const char *source_db;
	const char *dest_host;
	int dest_port;
	const char *dest_user;
	const char *dest_db;
	bool full;                  /* --full: every user database, roles, ... */
	const char *table_file;     /* --include-table-file (the selection), or NULL: --dbname */
	int jobs;
	enum copy_mode mode;
};
/* gpcopy's arguments, gpcopy's own path first; a new string vector. */
char **gpcopy_argv(const char *gpcopy, const struct gpcopy_target *t);
/* The words quoted for a POSIX shell and joined by spaces; caller frees.
 * A word equal to `raw` (may be NULL) is left unquoted (a shell variable). */
char *gpcopy_command_text(char *const *argv, const char *raw);

/* One line of gpcopy's output: "YYYYMMDD:HH:MM:SS gpcopy:...-[LEVEL]:-message"
 * (reference/greenplum.md 1.6). */
enum gpcopy_line_kind {
	GPCOPY_LINE_OTHER,          /* a log line of no interest here, or not a log line */
	GPCOPY_LINE_START,          /* [Worker n] Start copying table "db"."s"."t" => ... */
	GPCOPY_LINE_FINISH,         /* [Worker n] [Progress: ...] Finished copying table ... */
	GPCOPY_LINE_FAIL,           /* [Worker n] Failed to copy table ... */
	GPCOPY_LINE_TASK_ERROR,     /* [Worker n] Finished task <id> with error: ... */
	GPCOPY_LINE_DETAIL,         /* an ERROR/CRITICAL line with no worker: the detail of the last failure */
	GPCOPY_LINE_SUMMARY,        /* Database db: successfully copied N tables, skipped N tables, failed N tables */
	GPCOPY_LINE_RETRY,          /* the ready-made gpcopy command that retries the failed tables */
};
struct gpcopy_line {
	enum gpcopy_line_kind kind;
	bool logline;               /* it had the log prefix */
	char level[16];             /* INFO, WARNING, ERROR, CRITICAL, ... */
	int worker;                 /* -1: none */
	char db[128], schema[128], table[128];      /* the source table (START, FINISH, FAIL) */
	char message[1024];         /* after the prefix (and the worker tag) */
	char summary_db[128];
	int copied, skipped, failed;                /* SUMMARY */
};
void gpcopy_parse_line(const char *text, struct gpcopy_line *out);
/* "ERROR: value ... (SQLSTATE 22003)" -> "22003: value ..."; otherwise the
 * message without a leading "ERROR: ". */
void gpcopy_error_text(const char *message, char *out, size_t size);

/* ---- the run (gpcopy_run.c) ---- */

struct gpcopy_run;

/* A run for the plan (borrowed: it must outlive the run).  full: --full
 * (every user database of the cluster) instead of the plan's database. */
struct gpcopy_run *gpcopy_run_new(const struct plan *p, bool full);
/* Read both servers (the selected tables with their sizes, the free
 * connections, the destination's password as libpq found it), log in to the
 * master over SSH, check that gpcopy is installed there, and start gpcopy
 * under a watchdog (see gpcopy_run.c).  false when it cannot start (logged;
 * gpcopy_run_exit_code() says why). */
bool gpcopy_run_start(struct gpcopy_run *r);
/* The progress as an engine snapshot; free with engine_snapshot_free(). */
void gpcopy_run_snapshot(struct gpcopy_run *r, struct engine_snapshot *out);
/* Stop gpcopy (the table it is copying rolls back) and remove its files on
 * the master.  Returns at once. */
void gpcopy_run_cancel(struct gpcopy_run *r);
/* Sleep until the run has finished or `seconds` have passed; true when finished. */
bool gpcopy_run_wait_finished(struct gpcopy_run *r, double seconds);
/* Wait for the end; the exit code (exitcode.h). */
int gpcopy_run_wait(struct gpcopy_run *r);
int gpcopy_run_exit_code(const struct gpcopy_run *r);
/* gpcopy's own command that retries the failed tables (from its summary,
 * or built the same way when it printed none). */
const char *gpcopy_run_retry_command(const struct gpcopy_run *r);
/* The command line run on the master, the password file masked. */
const char *gpcopy_run_command(const struct gpcopy_run *r);
void gpcopy_run_free(struct gpcopy_run *r);

/* The command line a run would use now (the same reads as the start, no
 * SSH), for the wizard's Review; caller frees *text. */
bool gpcopy_preview(const struct plan *p, bool full, char **text, char *err, size_t errsize);

#endif
