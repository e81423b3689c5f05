/* backend: the narrow table through which the wizard calls the core.
 * A NULL entry means the step is not available in this build; the screen
 * says so and never pretends it ran.  Long work (install, schema apply,
 * copy, validate, analyze) is started by *_start, runs on the core's own
 * threads, and is polled by the UI thread 4-10 times a second through the
 * *_poll/snapshot entries, which fill a zeroed struct the UI then owns
 * (freed with the matching ui_*_free / engine_snapshot_free).
 * Functions that can fail return false with a one-line message in err. */
#ifndef GP2ADB_UI_BACKEND_H
#define GP2ADB_UI_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct ui_backend {
	void *ctx;
	/* seconds since the epoch (a fixed clock in tests) */
	double (*now)(void *ctx);

	/* 2. Connections (blocking, bounded by connect_timeout) */
	void (*test_connection)(void *ctx, const struct endpoint *ep, const char *role, struct ui_conn *out);

	/* 3. Databases: the source's user databases (every one but postgres,
	 * template0, template1) with their sizes, then those the plan names that
	 * the source lacks (on_source false); ticked: the plan's list, or the
	 * source's own database when the plan names none.  Blocking. */
	bool (*databases_list)(void *ctx, const struct plan *p, struct ui_databases *out, char *err, size_t errsize);

	/* Access ledger (1. welcome, 5. whitelist, 12. restoration) */
	bool (*ledger_list)(void *ctx, const struct plan *p, struct ui_openings *out, char *err, size_t errsize);
	bool (*ledger_record)(void *ctx, const struct plan *p, const struct ui_opening *o, char *err, size_t errsize);
	/* an opening gp2adb made itself: undo it and verify */
	bool (*ledger_restore)(void *ctx, const struct plan *p, const char *id, char *err, size_t errsize);
	/* an opening the operator made: the operator confirmed it is closed */
	bool (*ledger_confirm)(void *ctx, const struct plan *p, const char *id, char *err, size_t errsize);

	/* 4. Evaluation: the checks take seconds (writes are sampled), so they
	 * run on their own thread.  checks_poll returns false while they run;
	 * then true with *ok, and the findings moved into out (ok) or err. */
	bool (*checks_start)(void *ctx, const struct plan *p, char *err, size_t errsize);
	bool (*checks_poll)(void *ctx, struct findings *out, bool *ok, char *err, size_t errsize);
	/* 5. Method (fast: from what the last checks measured) */
	bool (*advise)(void *ctx, const struct plan *p, const struct findings *f, struct advice *out,
		       char *err, size_t errsize);

	/* 7. gpcopy installation: the tarball the operator names is checked (both
	 * binaries found, their sizes, checksums and the version its name gives)
	 * and becomes the one install_start installs; the default is the newest
	 * gpcopy*.tar.gz in the working directory, then in the home directory
	 * ("" when there is none).  NULL tarball_check: the tarball is the one
	 * given on the command line. */
	bool (*tarball_check)(void *ctx, const char *path, struct ui_tarball *out, char *err, size_t errsize);
	void (*tarball_default)(void *ctx, char *path, size_t size);
	bool (*install_start)(void *ctx, const struct plan *p, char *err, size_t errsize);
	void (*install_poll)(void *ctx, struct ui_install *out);

	/* 8. Schema: objects and findings first (blocking: the source's dump),
	 * then apply with per-object results: the pre-data section (tables,
	 * views, ...) before the copy, the post-data one (indexes, constraints,
	 * foreign keys) once the copy has finished. */
	bool (*schema_load)(void *ctx, const struct plan *p, struct ui_schema *out, char *err, size_t errsize);
	bool (*schema_apply_start)(void *ctx, const struct plan *p, bool post_data, char *err, size_t errsize);
	void (*schema_poll)(void *ctx, struct ui_schema *out);

	/* 9. Review: the gpcopy command line the copy will run, its password masked */
	bool (*gpcopy_preview)(void *ctx, const struct plan *p, char *out, size_t size, char *err, size_t errsize);

	/* 10. Migration (gp2adb's engine, or gpcopy on the master) */
	bool (*copy_start)(void *ctx, const struct plan *p, enum method m, char *err, size_t errsize);
	/* what retries the failed tables, once the copy has finished */
	void (*copy_retry)(void *ctx, char *out, size_t size);
	void (*copy_snapshot)(void *ctx, struct engine_snapshot *out);
	void (*copy_pause)(void *ctx, bool paused);
	void (*copy_cancel)(void *ctx);     /* resumable: the journal stays */

	/* 11. Validation */
	bool (*validate_start)(void *ctx, const struct plan *p, char *err, size_t errsize);
	void (*validate_poll)(void *ctx, struct ui_validation *out);

	/* 12. Business check: the queries file is read at once (a bad one: false,
	 * err naming FILE:LINE); the queries run on a thread, over every
	 * database of the plan. */
	bool (*bizcheck_start)(void *ctx, const struct plan *p, const char *path, char *err, size_t errsize);
	void (*bizcheck_poll)(void *ctx, struct ui_bizcheck *out);

	/* 13. Backfill: which tables changed on the source since their copy
	 * (on a thread; backfill_poll says when it is known), then the backfill
	 * itself over the engine, live in backfill_snapshot like the copy, and
	 * the validation of what was backfilled (backfill_poll's val). */
	bool (*backfill_detect_start)(void *ctx, const struct plan *p, char *err, size_t errsize);
	bool (*backfill_start)(void *ctx, const struct plan *p, char *err, size_t errsize);
	void (*backfill_poll)(void *ctx, struct ui_backfill *out);
	void (*backfill_snapshot)(void *ctx, struct engine_snapshot *out);

	/* 14. ANALYZE */
	bool (*analyze_start)(void *ctx, const struct plan *p, char *err, size_t errsize);
	void (*analyze_poll)(void *ctx, struct ui_analyze *out);

	/* 16. Summary: write the report; its path into path */
	bool (*report_write)(void *ctx, const struct ui_model *m, char *path, size_t pathsize,
			     char *err, size_t errsize);

	/* release whatever the backend holds (threads joined, connections closed) */
	void (*done)(void *ctx);
};

/* The backend over the core modules of this build.  tarball (may be NULL): the gpcopy
 * tarball for the installation step.  be->done releases it. */
void ui_backend_core(struct ui_backend *be, const char *tarball);
/* The copy step over the COPY engine (one engine per process); core's done
 * calls ui_backend_copy_done() to stop and free it. */
void ui_backend_copy_bind(struct ui_backend *be);
void ui_backend_copy_done(void);

/* Adapters shared with the live views of the batch commands (view.c). */
struct install_host;
struct validate_snapshot;
struct validate_result;
/* One host, as install_run's progress callback sees it (under its lock). */
void ui_host_from_install(const struct install_host *h, struct ui_host *out);
void ui_install_from_hosts(const struct install_host *h, size_t n, bool finished, struct ui_install *out);
void ui_validation_from_snapshot(const struct validate_snapshot *s, struct ui_validation *out);
void ui_validation_from_result(const struct validate_result *r, struct ui_validation *out);

#endif
