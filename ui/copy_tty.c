/* gp2adb copy on a terminal: the engine under the wizard's migration panes,
 * then the same summary table as the batch command on the normal screen. */
#include "cmd.h"
#include "copy_view.h"
#include "engine.h"
#include "ui.h"

#include <stdio.h>

static void src_snapshot(void *ctx, struct engine_snapshot *out) { engine_snapshot(ctx, out); }
static void src_pause(void *ctx, bool paused) { engine_pause(ctx, paused); }
static void src_cancel(void *ctx) { engine_cancel(ctx); }

int ui_cmd_copy(struct cli *cli)
{
	struct plan *p = &cli->plan;
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
