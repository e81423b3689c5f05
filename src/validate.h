/* validate: prove the copy.  Source and destination are compared table by
 * table (partition leaves, not roots; inheritance parents with ONLY) at one
 * of three levels, on `jobs` worker threads, each owning one connection to
 * each side.  Progress is published like the engine's: validate_snapshot()
 * gives the UI and the --plain printer a consistent copy.  Every SQL text the
 * checks send is described in gp2adb(1), VALIDATION. */
#ifndef GP2ADB_VALIDATE_H
#define GP2ADB_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

enum validate_status {
	VALIDATE_PENDING, VALIDATE_RUNNING,
	VALIDATE_MATCH, VALIDATE_DIFFER, VALIDATE_MISSING, VALIDATE_EXTRA, VALIDATE_ERROR,
};

/* Which checks found a difference (validate_table.differed). */
enum {
	VCHECK_COUNT = 1, VCHECK_AGGREGATES = 2, VCHECK_CHECKSUM = 4, VCHECK_COLUMNS = 8,
};

/* Floating point sums and averages depend on the order rows are added in, and
 * that differs between servers (segments, parallel workers): they match when
 * |a - b| <= VALIDATE_FLOAT_TOLERANCE * max(sum of |x| on either side, |a|, |b|)
 * (for averages, the same scaled by 1/rows).  Everything else is exact. */
#define VALIDATE_FLOAT_TOLERANCE 1e-9

struct validate_options {
	enum validate_level level;
	int jobs;
	long long sample_above_bytes;   /* tables larger than this are sampled; 0: never */
	int sample_percent;             /* 1-100 */
	int drill_limit;                /* differing keys named per table; 0: no drill-down */
	long long drill_fetch_rows;     /* a key bucket this small is listed row by row */
};

/* Defaults from the plan (level, jobs, migration.validate_sample_*). */
void validate_options_from_plan(struct validate_options *o, const struct plan *p);

struct validate_table {
	char *schema, *name;
	char *qualified;                /* "schema"."name" */
	char *key_desc;                 /* "(id)" or NULL when the table has no key */
	enum validate_status status;
	long long bytes;                /* source size (destination size for extra tables) */
	long long src_rows, dst_rows;   /* -1: not counted */
	unsigned differed;              /* VCHECK_* */
	char **details;                 /* "sum(amount): 5050.00 <> 5051.00" (NULL-terminated) */
	bool sampled;
	int sample_percent;
	long long sample_src_rows, sample_dst_rows;
	char **diff_keys;               /* "(17) changed", "(4) missing on destination" */
	bool diff_keys_more;            /* more differing keys than listed */
	char *note;                     /* "no key: differing rows cannot be named" */
	char error[512];                /* status ERROR: what failed */
	double seconds;
};

struct validate_result {
	enum validate_level level;
	double started_at, finished_at;
	int jobs;
	char *source_desc, *destination_desc;   /* masked conninfo and flavor */
	size_t n;
	struct validate_table *tables;  /* sorted by schema, name */
	int matched, differ, missing, extra, errors;
	bool cancelled;
};

struct validate_table_progress {
	char name[256];
	enum validate_status status;
	long long bytes;
	double started_at, finished_at;
	unsigned long done_seq;         /* order of completion, from 1; 0 while not done */
};

struct validate_snapshot {
	double now, started_at;
	int workers, workers_busy;
	int tables_total, tables_done, tables_running;
	int matched, differ, missing, extra, errors;
	bool cancelled, finished;
	size_t ntables;
	struct validate_table_progress *tables;  /* owned by the snapshot */
};

struct validate_run;

/* Connect jobs connection pairs, read both catalogs and pair the tables,
 * then start the workers.  NULL on failure with a message in err;
 * *connect_failed tells a connection failure (exit 5) from others. */
struct validate_run *validate_start(const struct plan *p, const struct validate_options *o,
				    char *err, size_t errsize, bool *connect_failed);
void validate_snapshot(struct validate_run *r, struct validate_snapshot *out);
void validate_snapshot_free(struct validate_snapshot *s);
/* Wait up to timeout_ms for a table to finish (or the run to end). */
void validate_poll(struct validate_run *r, int timeout_ms);
/* Stop: running queries are cancelled, queued tables are left unchecked. */
void validate_cancel(struct validate_run *r);
/* Join the workers and hand over the result; frees the run. */
void validate_finish(struct validate_run *r, struct validate_result *out);
void validate_result_free(struct validate_result *res);

const char *validate_status_name(enum validate_status s);
/* "count,aggregates" for a VCHECK_ mask into buf. */
const char *validate_checks_text(unsigned mask, char *buf, size_t size);

/* Reports (validate_report.c). */
char *validate_report_text(const struct validate_result *res);
char *validate_report_json(const struct validate_result *res);
/* Save text and JSON reports in the migration's journal directory as
 * validate-<UTC time>.{txt,json} (0700/0600).  The .txt path goes to *path_out. */
bool validate_report_save(const struct plan *p, const struct validate_result *res,
			  char **path_out);

#endif
