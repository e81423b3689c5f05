/* model: what the wizard's screens show.  Screens only read this struct;
 * the backend (backend.h) fills it.  Parts that have a contract in the core
 * use the core's types (findings, advice, engine_snapshot); the rest are
 * small rows defined here, filled by the backend's adapters. */
#ifndef GP2ADB_UI_MODEL_H
#define GP2ADB_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "advisor.h"
#include "engine.h"
#include "plan.h"
#include "preflight.h"

/* The wizard's steps, in order. */
enum screen_id {
	SCR_WELCOME, SCR_CONNECTIONS, SCR_DATABASES, SCR_EVALUATION, SCR_METHOD, SCR_WHITELIST,
	SCR_INSTALL, SCR_SCHEMA, SCR_REVIEW, SCR_MIGRATION, SCR_VALIDATION, SCR_BIZCHECK,
	SCR_BACKFILL, SCR_ANALYZE, SCR_ACCESS, SCR_SUMMARY, SCR_COUNT
};

/* How a step ended, for the summary. */
enum step_status {
	STEP_PENDING, STEP_DONE, STEP_SKIPPED, STEP_UNAVAILABLE, STEP_FAILED, STEP_CANCELLED
};
const char *step_status_name(enum step_status s);
/* A method as the screens name it (the advisor's own names may be terser). */
const char *ui_method_name(enum method m);

/* Connections: the result of testing one endpoint. */
struct ui_conn {
	bool tested, ok;
	char desc[160];             /* "PostgreSQL 15.4" */
	char error[600];            /* "08001: connection refused ..." */
};

/* The access ledger: one opening made for the migration. */
enum opening_state { OPENING_INTENT, OPENING_OPEN, OPENING_RESTORED, OPENING_VERIFIED };
struct ui_opening {
	char id[64];
	char kind[32];              /* "whitelist", "pg_hba", "grant" */
	char what[256];             /* "ADB whitelist 0.0.0.0/0 on gp-xxxx" */
	char undo[256];             /* what to do to close it */
	char cidr[64];              /* whitelist, pg_hba: the address range opened */
	bool by_gp2adb;             /* gp2adb undoes and verifies it itself */
	enum opening_state state;
	double opened_at;
};
struct ui_openings {
	struct ui_opening *items;
	size_t n;
};
bool opening_is_open(const struct ui_opening *o);
size_t openings_count_open(const struct ui_openings *o);
void ui_openings_free(struct ui_openings *o);

/* gpcopy installation: per-host state. */
enum host_state { HOST_WAITING, HOST_CONNECTING, HOST_UPLOADING, HOST_VERIFYING, HOST_DONE, HOST_FAILED };
const char *host_state_name(enum host_state s);
struct ui_host {
	char name[128];
	char role[16];              /* "master", "segment" */
	enum host_state state;
	char detail[256];           /* error, or the verified version */
};
/* The gpcopy tarball, as checked before the installation. */
struct ui_tarball {
	bool checked;
	char path[512];
	char version[64];           /* "2.3.2", from the file name; "" when it gives none */
	char gpcopy[128];           /* "gpcopy 12.4 MB, sha256 ce942dbef428" */
	char helper[128];
};
struct ui_install {
	struct ui_host *hosts;
	size_t n;
	bool finished;
};
void ui_install_free(struct ui_install *i);

/* Schema: objects to create and, once applied, their results. */
enum object_state { OBJ_PENDING, OBJ_OK, OBJ_FAILED, OBJ_SKIPPED };
const char *object_state_name(enum object_state s);
struct ui_object {
	char kind[24];              /* "table", "view", "sequence", ... */
	char name[256];
	enum object_state state;
	bool post_data;             /* indexes, constraints, FKs: applied after the copy */
	bool applied_before;        /* OBJ_OK by an earlier run (the schema journal) */
	char message[256];
};
struct ui_schema {
	struct ui_object *objects;
	size_t n;
	struct findings findings;   /* incompatibilities found in the dump */
	bool applying, finished;            /* pre-data: before the copy */
	bool post_applying, post_finished;  /* post-data: after the copy */
};
void ui_schema_free(struct ui_schema *s);

/* Validation: per-table results. */
enum val_state { VAL_PENDING, VAL_RUNNING, VAL_OK, VAL_DIFF, VAL_ERROR };
const char *val_state_name(enum val_state s);
struct ui_val_row {
	char table[256];
	enum val_state state;
	long long src_rows, dst_rows;   /* -1: not known yet */
	char detail[256];               /* "sum(amount) differs: 1234.50 vs 1230.00" */
};
struct ui_validation {
	struct ui_val_row *rows;
	size_t n;
	bool finished;
};
void ui_validation_free(struct ui_validation *v);

/* Databases: the source's, with their sizes, and which the operator ticked. */
struct ui_database {
	char name[128];
	long long bytes;            /* pg_database_size; -1: unknown */
	bool on_source;             /* false: the plan names it, the source has no such database */
	bool ticked;
};
struct ui_databases {
	struct ui_database *v;
	size_t n;
};
void ui_databases_free(struct ui_databases *d);

/* The business check: per query, both sides' outcome and time. */
enum biz_state { BIZQ_MATCH, BIZQ_DIFFERS, BIZQ_FAILED_SRC, BIZQ_FAILED_DST, BIZQ_FAILED_BOTH };
const char *biz_state_name(enum biz_state s);
struct ui_biz_row {
	char name[128];
	char database[128];         /* where it ran ("" with one database) */
	enum biz_state state;
	double src_s, dst_s;        /* seconds; < 0: it failed there */
	bool slower;                /* the destination much slower (bizcheck.h) */
	char detail[256];           /* the first difference, or the error */
};
struct ui_bizcheck {
	struct ui_biz_row *rows;
	size_t n;
	size_t total;               /* queries to run (all databases) */
	bool finished;
	char error[512];            /* it could not run at all */
};
void ui_bizcheck_free(struct ui_bizcheck *b);

/* Backfill: the tables changed on the source since their copy, how each is
 * brought up to date, then the run (engine_snapshot) and its validation. */
struct ui_bf_row {
	char table[256];            /* "db"."schema"."table" with several databases */
	char change[128];           /* "rows were inserted", ... */
	char how[256];              /* "rows beyond id = 1000 (key fed by a sequence)" or "whole ..." */
	bool whole;
};
struct ui_backfill {
	bool detected;              /* the detection has finished */
	bool fingerprints;          /* the source gave change fingerprints */
	size_t checked;             /* tables looked at */
	struct ui_bf_row *rows;     /* only the changed ones */
	size_t n;
	char error[512];            /* the detection could not run */
	bool running, finished;     /* the backfill itself */
	bool validated;             /* the backfilled tables were validated (val) */
	struct ui_validation val;
	int rc;                     /* its exit code (exitcode.h) once finished */
	char phase[160];            /* "copying", "validating", "copying 1 table again whole" */
};
void ui_backfill_free(struct ui_backfill *b);

/* ANALYZE progress. */
struct ui_analyze {
	int tables_total, tables_done, tables_failed;
	char current[256];
	double started_at;
	bool finished;
	char error[256];
};

/* Everything the screens show. */
struct ui_model {
	struct plan *plan;          /* edited by the Connections screen */
	double started_at;
	enum step_status status[SCR_COUNT];
	char reason[SCR_COUNT][200];        /* why skipped / unavailable / failed */

	struct ui_conn src, dst;
	bool databases_loaded;
	struct ui_databases databases;
	bool ledger_ready;
	struct ui_openings openings;

	bool checks_running;        /* started, not polled to the end yet */
	bool checks_run;
	struct findings findings;
	bool *accepted;             /* per finding: a fail accepted by the operator */

	bool advice_ready;
	struct advice advice;
	enum method method;         /* chosen */

	bool whitelist_recorded, whitelist_not_needed;

	bool install_started;
	struct ui_tarball tarball;
	struct ui_install install;
	char gpcopy_command[1024];  /* the Review's gpcopy command line, password masked */
	bool schema_loaded;
	bool schema_kept;           /* the operator keeps the destination's schema */
	struct ui_schema schema;

	bool copy_started;
	struct engine_snapshot snap;
	double copy_finished_at;
	char copy_retry[1024];      /* what retries the failed tables ("": gp2adb copy --only-failed) */

	bool validation_started;
	struct ui_validation validation;
	bool bizcheck_started;
	char bizcheck_path[512];    /* the queries file the operator gave */
	struct ui_bizcheck bizcheck;
	bool backfill_detecting, backfill_started;
	struct ui_backfill backfill;
	struct engine_snapshot bf_snap;     /* the backfill's copy, live */
	bool analyze_started;
	struct ui_analyze analyze;

	char report_path[512];
};

void ui_model_init(struct ui_model *m, struct plan *plan, double now);
void ui_model_done(struct ui_model *m);
/* Whether work started by a step is still running on the core's threads
 * (the plan must not change under it: Back is refused meanwhile). */
bool ui_model_busy(const struct ui_model *m);

#endif
