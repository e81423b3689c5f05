/* engine: the multi-worker COPY engine (DESIGN.md "The COPY engine").
 * Workers publish progress; engine_snapshot() gives the UI and the --plain
 * printer a consistent copy of it.  Only the snapshot types below are a
 * contract with ui/; the engine's internals are its own. */
#ifndef GP2ADB_ENGINE_H
#define GP2ADB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

#define ENGINE_RATE_SAMPLES 60      /* one sample a second: the last minute */

enum table_state { TABLE_QUEUED, TABLE_RUNNING, TABLE_DONE, TABLE_FAILED, TABLE_SKIPPED };

/* A table's progress.  Its strings and rate history belong to the snapshot
 * that holds it (engine_snapshot_text(), engine_snapshot_history()) and are
 * never NULL: "" and engine_rate_none when there is nothing to say. */
struct engine_table_stats {
	const char *name;           /* "schema"."table" as shown to the operator */
	enum table_state state;
	long long bytes_est;        /* estimated bytes to move (0: unknown) */
	long long bytes_done;
	long long rows_est;         /* estimated rows (-1: unknown) */
	long long rows_done;
	int units_total, units_done, units_running, units_failed;
	int retries;
	double started_at, finished_at;   /* seconds since the epoch; 0: not yet */
	double rate_bps;            /* bytes/s over a moving window */
	double rate_rows;           /* rows/s over the same window */
	const float *rate_history;  /* ENGINE_RATE_SAMPLES bytes/s, oldest first (running tables only) */
	const char *error;          /* "SQLSTATE: message" when failed */
	const char *waiting;        /* what it waits for ("waiting for the destination ..."), or "" */
	int units_resumed;          /* units committed by an earlier run (--resume) */
	bool segment_path;          /* its rows go segment to segment (doc/segment-path.md) */
};

/* The rate history of a table that has none (all zeros). */
extern const float engine_rate_none[ENGINE_RATE_SAMPLES];

struct engine_snapshot_block;

struct engine_snapshot {
	double now, started_at;     /* seconds since the epoch */
	int workers, workers_busy;
	int tables_total, tables_queued, tables_running, tables_done, tables_failed, tables_skipped;
	long long bytes_est, bytes_done, rows_done;
	double rate_bps;            /* total, moving window */
	double eta_seconds;         /* -1: unknown */
	float rate_history[ENGINE_RATE_SAMPLES];
	bool paused, cancelled, finished;
	size_t ntables;
	struct engine_table_stats *tables;   /* owned by the snapshot */
	struct engine_snapshot_block *strings;  /* what the tables' pointers point into */
};

/* A table with nothing to say yet: no name, error or history ("" and
 * engine_rate_none), rows_est unknown. */
void engine_table_stats_init(struct engine_table_stats *t);
/* A copy of text that lives as long as the snapshot (for whatever fills
 * one: the engine, gpcopy's runner, a stand-in). */
const char *engine_snapshot_text(struct engine_snapshot *s, const char *text);
/* An array of ENGINE_RATE_SAMPLES zeros that lives as long as the snapshot. */
float *engine_snapshot_history(struct engine_snapshot *s);
/* *dst = *src, with src's strings and rate history copied into `into` (so
 * that src's snapshot can be freed), and the name replaced when name is
 * not NULL. */
void engine_table_stats_copy(struct engine_snapshot *into, struct engine_table_stats *dst,
			     const struct engine_table_stats *src, const char *name);
/* Count a table into the snapshot's totals: its state's count, its bytes
 * (estimated and done) and rows. */
void engine_snapshot_tally(struct engine_snapshot *out, const struct engine_table_stats *s);
void engine_snapshot_free(struct engine_snapshot *s);

/* ---- the engine ---- */

struct engine;

/* A pool of slots that several engines' workers share (engine_group.c). */
struct engine_slots;

/* A backfill unit (backfill.h): the rows of one table the destination lacks,
 * as a condition (rows beyond a high-water mark), or the whole table again
 * (predicate NULL: truncated and copied in the unit's transaction). */
struct engine_backfill_unit {
	const char *table;      /* qualified, as the catalog spells it */
	const char *predicate;  /* WHERE condition, or NULL */
	const char *unit_id;    /* its marker's id: unique per high-water mark */
};

struct engine_options {
	bool resume;        /* skip units whose marker is committed on the destination */
	bool only_failed;   /* only the tables that failed last time (implies resume) */
	struct engine_slots *slots;     /* NULL: this engine's workers alone */
	/* backfill: only these tables, one unit each, markers under the
	 * migration id with migration_suffix; no resume, nothing cleared */
	const struct engine_backfill_unit *backfill;
	size_t nbackfill;
	const char *migration_suffix;
	bool drop_dependents;   /* mode drop: also drop what depends on the tables (views, keys of
				 * other tables), recreating what the source defines */
};

enum engine_outcome {
	ENGINE_OK,          /* every selected table copied (or skipped as asked) */
	ENGINE_TABLES_FAILED,
	ENGINE_CANCELLED,   /* stopped by engine_cancel(); resumable */
	ENGINE_SETUP_FAILED,    /* could not start: see engine_exit_code() */
};

/* A new engine for the plan (borrowed: it must outlive the engine).  A plan
 * of several databases (cluster.h) copies them all, on shared workers. */
struct engine *engine_new(const struct plan *p, const struct engine_options *opt);
/* Connect, read the catalog, take the snapshot, plan the units and start the
 * workers.  false when the copy cannot start (logged; engine_exit_code()
 * says why: EXIT_CONNECT or EXIT_USAGE). */
bool engine_start(struct engine *e);
/* A consistent copy of the progress; free with engine_snapshot_free(). */
void engine_snapshot(struct engine *e, struct engine_snapshot *out);
/* While paused no new unit starts (running ones finish). */
void engine_pause(struct engine *e, bool paused);
/* Stop: cancel the source queries, abort the destination COPYs, roll back.
 * Async-signal-unsafe; call it from a normal thread.  Returns at once. */
void engine_cancel(struct engine *e);
/* Sleep until the run has finished or `seconds` have passed, whichever
 * comes first; true when it has finished.  For loops that redraw progress:
 * they see the end at once rather than at their next tick. */
bool engine_wait_finished(struct engine *e, double seconds);
/* Wait for the workers and the sequence step; the result of the run. */
enum engine_outcome engine_wait(struct engine *e);
/* The process exit code for the outcome (exitcode.h). */
int engine_exit_code(const struct engine *e);
/* What the operator types to retry the failed tables. */
const char *engine_retry_command(const struct engine *e);
void engine_free(struct engine *e);

#endif
