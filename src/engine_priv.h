/* engine internals shared by engine.c (setup, lifecycle, snapshot),
 * engine_worker.c (workers) and engine_finish.c (sequences, journal). */
#ifndef GP2ADB_ENGINE_PRIV_H
#define GP2ADB_ENGINE_PRIV_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "catalog.h"
#include "db.h"
#include "engine.h"
#include "engine_stats.h"
#include "flavor.h"
#include "plan.h"
#include "unit.h"

struct etable {
	const struct table *t;          /* in engine.cat */
	char *select_sql;               /* COPY (SELECT ... FROM ONLY t */
	char *copy_in_sql;              /* COPY t (cols) FROM STDIN WITH (...) */
	char *copy_in_freeze_sql;       /* the same WITH FREEZE, or NULL */
	bool binary;
	int nunits;
	bool truncate;                  /* truncate mode and nothing committed yet */
	/* guarded by engine.lock */
	enum table_state state;
	enum prep_state prep;
	int units_done, units_running, units_failed, units_left;
	double started_at, finished_at;
	char error[512];
	/* committed by earlier runs (markers) */
	long long rows_before, bytes_before;
	/* guarded by engine.stats_lock */
	struct rate_window rate;
	atomic_int retries;
};

struct eunit {
	struct unit_spec spec;
	/* guarded by engine.lock */
	enum unit_state state;
	double started_at, finished_at;
	atomic_llong bytes, rows;       /* this attempt; reset when it is retried */
};

struct worker {
	struct engine *e;
	int id;
	pthread_t thread;
	bool started;
	PGconn *src, *dst;
	bool src_ready, dst_ready;      /* session set up (snapshot imported, ...) */
	pthread_mutex_t cancel_lock;    /* guards the PGcancel objects */
	PGcancel *src_cancel, *dst_cancel;
	atomic_bool busy;
};

struct engine {
	const struct plan *plan;
	struct engine_options opt;
	char migration_id[16];
	char retry_command[96];
	int exit_code;
	enum engine_outcome outcome;

	struct flavor sf, df;
	PGconn *coord;                  /* source: holds the exported snapshot */
	char snapshot[80];              /* "" when none */
	int segments;

	struct table_list cat;
	struct sequence_list seqs;
	struct etable *tables;
	size_t ntables;
	struct eunit *units;            /* sorted largest first */
	enum unit_state *ustate;        /* mirror of units[].state for unit_pick */
	size_t *utable;                 /* units[].spec.table, for unit_pick */
	enum prep_state *tprep;         /* mirror of tables[].prep for unit_pick */
	size_t nunits;
	char *journal_dir;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	int workers_running;
	struct worker *workers;
	int nworkers;
	pthread_t monitor;
	bool monitor_started;

	pthread_mutex_t stats_lock;
	struct rate_window total_rate;

	atomic_bool cancel, paused, finished;
	double started_at;
};

double engine_now(void);

/* engine_worker.c */
void *engine_worker_main(void *arg);
void engine_worker_cancel(struct worker *w);

/* engine_finish.c: after the workers: sequences, the failed-tables journal. */
void engine_finish(struct engine *e);

#endif
