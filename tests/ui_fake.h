/* A scripted backend for the screen tests: a fixed clock the test moves,
 * and copy, validation, install and ANALYZE progress computed from it, so
 * every dump is the same on every run. */
#ifndef GP2ADB_TEST_UI_FAKE_H
#define GP2ADB_TEST_UI_FAKE_H

#include "backend.h"

#define FAKE_T0 1700000000.0    /* 2023-11-14 22:13:20 UTC */

struct fake {
	double now;                 /* the clock every entry reads */
	double copy_started;        /* 0: not started */
	bool paused, cancelled;
	int validate_polls, analyze_polls, install_polls, schema_polls;
	bool schema_post;           /* the post-data section was started */
	struct ui_openings ledger;
	int calls_copy_start, calls_cancel, calls_record;
	enum method copy_method;
	const char *waiting;        /* set: public.orders waits for a server, saying this */
	/* ui_fake_cluster.c: databases, the business check, backfill */
	int bizcheck_polls, backfill_polls;
	double backfill_started;    /* 0: not started */
	bool nothing_changed;       /* the backfill's detection finds no writes */
	int calls_backfill_start;
};

/* full: every entry set; otherwise only what the core build has (clock and
 * connections), like ui_backend_core. */
void fake_backend(struct ui_backend *be, struct fake *f, bool full);
void fake_done(struct fake *f);
/* The Databases, Business check and Backfill entries (ui_fake_cluster.c). */
void fake_cluster_bind(struct ui_backend *be);

#endif
