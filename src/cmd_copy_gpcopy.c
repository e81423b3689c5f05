/* gp2adb copy --method gpcopy: gpcopy on the Greenplum master, its log shown
 * through the same views as the engine's progress. */
#include "cmd.h"
#include "copy_view.h"
#include "exitcode.h"
#include "gpcopy.h"
#include "log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

int gpcopy_view_drive(struct gpcopy_run *r, struct copy_view *view)
{
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;

	struct engine_snapshot snap;
	for (;;) {
		if (interrupted)
			gpcopy_run_cancel(r);
		gpcopy_run_snapshot(r, &snap);
		bool done = snap.finished;
		view->tick(view, &snap);
		engine_snapshot_free(&snap);
		if (done)
			break;
		(void)gpcopy_run_wait_finished(r, 0.2);
	}
	int rc = gpcopy_run_wait(r);
	gpcopy_run_snapshot(r, &snap);
	view->finish(view, &snap, gpcopy_run_retry_command(r), rc);
	engine_snapshot_free(&snap);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
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
