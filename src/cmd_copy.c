/* gp2adb copy: run the COPY engine and show its progress through a view
 * (plain lines, JSON, or the curses panes on a terminal). */
#include "cmd.h"
#include "copy_view.h"
#include "engine.h"
#include "exitcode.h"
#include "log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

int copy_view_drive(struct engine *e, struct copy_view *view)
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
			engine_cancel(e);
		engine_snapshot(e, &snap);
		bool done = snap.finished;
		view->tick(view, &snap);
		engine_snapshot_free(&snap);
		if (done)
			break;
		(void)engine_wait_finished(e, 0.2);
	}
	engine_wait(e);
	int rc = engine_exit_code(e);
	engine_snapshot(e, &snap);
	view->finish(view, &snap, engine_retry_command(e), rc);
	engine_snapshot_free(&snap);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}

int cmd_copy(struct cli *cli)
{
	struct plan *p = &cli->plan;
	if (cli->method_gpcopy)
		return cmd_copy_gpcopy(cli);
	struct engine_options opt = { .resume = cli->resume, .only_failed = cli->only_failed,
				      .drop_dependents = cli->drop_dependents };
	/* JSON or plain lines; on a terminal, main.c runs the curses panes instead. */
	struct copy_view *view = p->json ? copy_view_json(stdout)
					 : copy_view_plain(stdout, 5.0, p->verbosity < 0);
	struct engine *e = engine_new(p, &opt);
	int rc = engine_start(e) ? copy_view_drive(e, view) : engine_exit_code(e);
	engine_free(e);
	view->free(view);
	return rc;
}
