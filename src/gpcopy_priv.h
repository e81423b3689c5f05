/* gpcopy_priv: the run as gpcopy_run.c (the command and the SSH side) and
 * gpcopy_table.c (the tables' progress, the snapshot, the row counts)
 * share it. */
#ifndef GP2ADB_GPCOPY_PRIV_H
#define GP2ADB_GPCOPY_PRIV_H

#include <pthread.h>

#include "engine_stats.h"
#include "gpcopy.h"
#include "ssh.h"
#include "strbuf.h"

struct gtable {
	struct engine_table_stats st;   /* its strings are the two below, set in each snapshot */
	char *qualified;            /* "schema"."table" as shown */
	char error[512];
	char *db, *schema, *name;
	int worker;                 /* the gpcopy worker that took it; -1 */
	bool detailed;              /* its error came from a detail line (SQLSTATE) */
	bool count_wanted, counting, counted;   /* rows counted on the destination once done */
};

struct gpcopy_run {
	const struct plan *p;
	bool full;
	int jobs;
	char *source_db, *dest_db;
	struct strbuf pass_in;      /* pgpass lines, then an empty line (never logged) */
	struct strbuf tables_in;    /* the table file's lines, then an empty line */
	char **argv;                /* gpcopy's words (the table file as "$t") */
	char *words;                /* the same quoted for the shell */
	char *command;              /* the same as shown, the password file masked */
	char *script;               /* the wrapper run on the master */
	char *gphome;
	struct ssh_session *ssh;    /* the run thread's alone once it started */
	pthread_t thread;
	bool thread_started;
	double started_at;

	pthread_mutex_t mu;         /* guards everything below */
	pthread_cond_t cond;        /* finished, and work for the row counter */
	bool cancel, cancelled, finished, ended_cleanly;
	int status;                 /* gpcopy's exit status; -1: none */
	int exit_code;
	struct gtable *tables;
	size_t n, cap;
	int last_failed;            /* the table the next detail line belongs to */
	char last_error[512];
	bool summary_seen;
	int summary_copied, summary_skipped, summary_failed;
	char *retry;
	struct rate_window total_rate;
	pthread_t rows_thread;
	bool rows_started, rows_stop;
};

/* gpcopy_table.c */
double gpcopy_now(void);      /* seconds since the epoch */
void gpcopy_table_add(struct gpcopy_run *r, const char *db, const char *schema, const char *name,
		      const char *qualified, long long bytes, long long rows_est);
void gpcopy_tables_apply(struct gpcopy_run *r, const struct gpcopy_line *l);
void gpcopy_tables_sample(struct gpcopy_run *r);
/* The end: tables left running or never started get their state, then the
 * exit code and the retry command; `clean`: gpcopy exited 0. */
void gpcopy_tables_end(struct gpcopy_run *r, bool clean, const char *why);
void gpcopy_tables_free(struct gpcopy_run *r);
/* The thread that counts each finished table's rows on the destination. */
void gpcopy_rows_start(struct gpcopy_run *r);
void gpcopy_rows_stop(struct gpcopy_run *r);

#endif
