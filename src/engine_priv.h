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
#include "encoding.h"
#include "engine.h"
#include "engine_stats.h"
#include "flavor.h"
#include "plan.h"
#include "progress.h"
#include "schema.h"
#include "strbuf.h"
#include "strmap.h"
#include "unit.h"

struct etable {
	const struct table *t;          /* in engine.cat */
	char *select_sql;               /* COPY (SELECT ... FROM ONLY t */
	char *table_out_sql;            /* COPY t (cols), for a unit without a predicate; or NULL */
	char *copy_in_sql;              /* COPY t (cols) FROM STDIN WITH (...) */
	char *copy_in_freeze_sql;       /* the same WITH FREEZE, or NULL */
	bool binary;
	long long wire_est;             /* bytes it is expected to move (engine_estimate.c) */
	int nunits;
	bool truncate;                  /* truncate mode and nothing committed yet */
	size_t group;                   /* mode drop: its index in engine.groups */
	size_t spec0;                   /* (setup) its first unit in plan order */
	/* guarded by engine.lock */
	enum table_state state;
	enum prep_state prep;
	int units_done, units_running, units_failed, units_left;
	double started_at, finished_at;
	char *error;                    /* why it failed, or NULL (etable_set_error) */
	char *waiting;                  /* what a retry waits for (a server away), or NULL */
	/* committed by earlier runs (markers) */
	long long rows_before, bytes_before;
	char *source_state;             /* split tables: the source's change fingerprint, or NULL */
	/* guarded by engine.stats_lock: only while it runs (sample_rates) */
	struct rate_window *rate;
	atomic_int retries;
};

/* Mode drop: what is dropped and recreated as one (a table, or a partition
 * root with all its partitions, or an inheritance parent with its children). */
struct dgroup {
	const struct table *root;       /* what DROP TABLE names */
	char **members;                 /* qualified names, root first */
	char **seqs;                    /* sequences owned by the members */
	size_t *pre, npre;              /* indices into engine.ddl, in dump order */
	size_t *post, npost;
	size_t *tables, ntables;        /* its tables in engine.tables */
	char error[512];                /* setup: it cannot be recreated (then nothing is dropped) */
	/* guarded by engine.lock */
	bool post_started, post_done, post_at_finish;
	bool dropped;                   /* dropped and recreated by this run */
};

/* A foreign key of the dump that touches a group: added at the end, when
 * both of its tables are in the run and copied. */
struct dfk {
	size_t item;                    /* in engine.ddl */
	size_t child, ref;              /* groups of its table and of the one it references; SIZE_MAX: none */
	char *ref_name;                 /* the referenced table as the dump writes it */
};

struct segpath;

struct eunit {
	struct unit_spec spec;
	/* guarded by engine.lock */
	enum unit_state state;
	double started_at, finished_at;
	atomic_llong bytes, rows;       /* this attempt; reset when it is retried */
};

/* Units a worker reads in one source transaction before it begins another
 * in the same snapshot (releasing the tables' locks). */
#define ENGINE_SRC_UNITS_PER_TXN 50

struct worker {
	struct engine *e;
	int id;
	pthread_t thread;
	bool started;
	PGconn *src, *dst;
	bool src_ready, dst_ready;      /* session set up (snapshot imported, ...) */
	int src_units;                  /* units begun in the source's current transaction */
	pthread_mutex_t cancel_lock;    /* guards the PGcancel objects */
	PGcancel *src_cancel, *dst_cancel;
	atomic_bool busy;
	PGconn *ddl;                    /* mode drop: the session that drops and recreates */
	PGcancel *ddl_cancel;
	struct strbuf *notices;         /* while set, the ddl session's notices go here */
};

struct engine {
	const struct plan *plan;
	struct engine_options opt;
	char migration_id[32];
	char retry_command[96];
	int exit_code;
	enum engine_outcome outcome;

	struct flavor sf, df;
	struct encoding_plan enc;       /* the wire encoding of every session */
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
	size_t ufirst;                  /* unit_pick's cursor: no unit before it is queued (engine.lock) */
	size_t nunits;
	char *journal_dir;

	/* mode drop */
	struct schema_items ddl;        /* the source's schema dump */
	struct dgroup *groups;
	size_t *cat_group;              /* the group of each cat.items[i]; SIZE_MAX: none */
	size_t ngroups;
	enum prep_state *gprep;         /* per group, for unit_pick */
	size_t *ugroup;                 /* units[].spec.table's group, for unit_pick */
	struct dfk *fks;                /* foreign keys touching a group */
	size_t nfks;
	struct strmap drop_members;     /* name key of each table of this run -> its group + 1 */
	size_t drop_optional_failed;    /* owners, grants, comments not applied (engine.lock) */

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

	struct engine_group *group;     /* several databases: the engines doing the work */
	struct segpath *segpath;        /* the segment path (segpath.h), or NULL */
};

double engine_now(void);
/* engine_snapshot.c: a table's error, and what it waits for ("" or NULL:
 * nothing), kept on the heap only when there is one. */
void etable_set_error(struct etable *et, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void etable_set_waiting(struct etable *et, const char *text);
void etable_free(struct etable *et);
/* Record why setup failed (the exit code) and return false. */
bool engine_setup_fail(struct engine *e, int code);

/* engine_plan.c: tables, units and what earlier runs left (before the snapshot). */
bool engine_plan_units(struct engine *e, PGconn *dst);

/* engine_resume.c */
/* This migration's markers into *marks; a fresh run clears them, but those
 * of tables an interrupted run left half copied in mode append or
 * skip-existing (those tables fail, with the way to finish them). */
bool engine_resume_marks(struct engine *e, PGconn *dst, const struct unit_spec *specs,
			 struct progress_marks *marks);
/* Decide from its markers what is left of a table: units done (unit_done),
 * a truncation needed, or a redo (its markers forgotten), or a failure. */
bool engine_resume_table(struct engine *e, PGconn *dst, struct etable *et, const struct unit_spec *specs,
			 const struct progress_marks *marks, bool *unit_done);
/* After the snapshot: a table continued from an earlier run whose change
 * fingerprint moved since it was planned (a write landed between) is
 * copied again from the start, or fails (append, skip-existing). */
bool engine_resume_verify(struct engine *e, PGconn *dst);

/* engine_estimate.c: each table's wire_est, before the snapshot. */
void engine_estimate(struct engine *e);

/* engine_group.c: a copy of several databases, as one engine. */
bool engine_group_start(struct engine *e);
void engine_group_snapshot(struct engine *e, struct engine_snapshot *out);
bool engine_group_wait_finished(struct engine *e, double seconds);
void engine_group_cancel(struct engine *e);
void engine_group_pause(struct engine *e, bool paused);
enum engine_outcome engine_group_wait(struct engine *e);
void engine_group_free(struct engine *e);
/* A slot of the shared pool: at once or not (try), or waiting while none is
 * free (false when cancelled). */
bool engine_slot_try(struct engine_slots *s);
bool engine_slot_acquire(struct engine_slots *s, const atomic_bool *cancel);
void engine_slot_release(struct engine_slots *s);

/* engine_worker.c */
void *engine_worker_main(void *arg);
void engine_worker_cancel(struct worker *w);

/* engine_drop.c: mode drop. */
/* false: logged, *code the exit code (EXIT_USAGE, or EXIT_SSH for a dump on the master). */
bool engine_drop_setup(struct engine *e, int *code);
/* Decide from the markers what is left of each group; stale markers of the
 * groups to redo are deleted (dst: the setup session). */
bool engine_drop_resume(struct engine *e, PGconn *dst, const struct progress_marks *marks, bool *unit_done,
			const struct unit_spec *specs);
bool engine_drop_prepare(struct worker *w, struct dgroup *g, struct db_error *err);
bool engine_drop_post(struct worker *w, struct dgroup *g, struct db_error *err);
void engine_drop_close(struct worker *w);
/* After the workers: indexes still owed, foreign keys, what the drops took.
 * EXIT_OK; EXIT_COPY_FAILED when something the drops took cannot be
 * recreated and no table of this run can carry the failure; or
 * EXIT_SCHEMA_FAILED when owners, grants or comments were not applied. */
int engine_drop_finish(struct engine *e);
void engine_drop_free(struct engine *e);

/* engine_sequences.c: the source's sequence values set on the destination. */
void engine_set_sequences(struct engine *e, bool any_failed);

/* engine_finish.c: after the workers: sequences, the failed-tables journal. */
void engine_finish(struct engine *e);

#endif
