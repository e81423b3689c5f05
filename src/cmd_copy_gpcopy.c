/* gp2adb copy --method gpcopy: gpcopy on the Greenplum master, its log shown
 * through the same views as the engine's progress. */
#include "cmd.h"
#include "copy_view.h"
#include "exitcode.h"
#include "gpcopy.h"
#include "log.h"

#include <stdio.h>

static void g_cancel(void *run) { gpcopy_run_cancel(run); }
static void g_snapshot(void *run, struct engine_snapshot *out) { gpcopy_run_snapshot(run, out); }
static bool g_wait_finished(void *run, double seconds) { return gpcopy_run_wait_finished(run, seconds); }
static int g_wait(void *run) { return gpcopy_run_wait(run); }
static const char *g_retry_command(void *run) { return gpcopy_run_retry_command(run); }

int gpcopy_view_drive(struct gpcopy_run *r, struct copy_view *view)
{
	static const struct copy_run_ops ops = {
		g_cancel, g_snapshot, g_wait_finished, g_wait, g_retry_command,
	};
	return copy_view_follow(&ops, r, view);
}

int cmd_copy_gpcopy(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct copy_view *view = p->json ? copy_view_json(stdout)
					 : copy_view_plain(stdout, 5.0, p->verbosity < 0);
	struct gpcopy_run *r = gpcopy_run_new(p, cli->full);
	int rc = gpcopy_run_start(r) ? gpcopy_view_drive(r, view) : gpcopy_run_exit_code(r);
	if (!p->json && (rc == EXIT_OK || rc == EXIT_COPY_FAILED))
		printf("\nNext: gp2adb validate, then gp2adb analyze (gpcopy checked row counts only).\n");
	gpcopy_run_free(r);
	view->free(view);
	return rc;
}
