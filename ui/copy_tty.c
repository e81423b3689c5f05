/* gp2adb copy on a terminal: the engine under the wizard's migration panes,
 * then the same summary table as the batch command on the normal screen. */
#include "cmd.h"
#include "copy_view.h"
#include "engine.h"
#include "gpcopy.h"
#include "ui.h"

#include <stdio.h>

static void src_snapshot(void *ctx, struct engine_snapshot *out) { engine_snapshot(ctx, out); }
static void src_pause(void *ctx, bool paused) { engine_pause(ctx, paused); }
static void src_cancel(void *ctx) { engine_cancel(ctx); }

static void gp_snapshot(void *ctx, struct engine_snapshot *out) { gpcopy_run_snapshot(ctx, out); }
static void gp_cancel(void *ctx) { gpcopy_run_cancel(ctx); }

/* gpcopy on the master under the same panes (it cannot be paused) */
static int copy_gpcopy(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct gpcopy_run *r = gpcopy_run_new(p, cli->full);
	if (!gpcopy_run_start(r)) {
		int rc = gpcopy_run_exit_code(r);
		gpcopy_run_free(r);
		return rc;
	}
	struct ui_copy_source src = { r, gp_snapshot, NULL, gp_cancel };
	bool cancelled = false;
	int rc;
	if (!ui_copy_view_run("copy (gpcopy)", &src, &cancelled)) {
		struct copy_view *v = copy_view_plain(stdout, 5.0, p->verbosity < 0);
		rc = gpcopy_view_drive(r, v);
		v->free(v);
	} else {
		rc = gpcopy_run_wait(r);
		struct engine_snapshot snap;
		gpcopy_run_snapshot(r, &snap);
		copy_summary_print(stdout, &snap, gpcopy_run_retry_command(r), rc);
		engine_snapshot_free(&snap);
	}
	gpcopy_run_free(r);
	return rc;
}

int ui_cmd_copy(struct cli *cli)
{
	struct plan *p = &cli->plan;
	if (cli->method_gpcopy)
		return copy_gpcopy(cli);
	struct engine_options opt = { .resume = cli->resume, .only_failed = cli->only_failed,
				      .drop_dependents = cli->drop_dependents };
	struct engine *e = engine_new(p, &opt);
	if (!engine_start(e)) {
		int rc = engine_exit_code(e);
		engine_free(e);
		return rc;
	}
	struct ui_copy_source src = { e, src_snapshot, src_pause, src_cancel };
	bool cancelled = false;
	int rc;
	if (!ui_copy_view_run("copy", &src, &cancelled)) {
		/* the terminal cannot be used after all: plain lines */
		struct copy_view *v = copy_view_plain(stdout, 5.0, p->verbosity < 0);
		rc = copy_view_drive(e, v);
		v->free(v);
	} else {
		engine_wait(e);
		rc = engine_exit_code(e);
		struct engine_snapshot snap;
		engine_snapshot(e, &snap);
		copy_summary_print(stdout, &snap, engine_retry_command(e), rc);
		engine_snapshot_free(&snap);
	}
	engine_free(e);
	return rc;
}
