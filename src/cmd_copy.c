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

int copy_view_follow(const struct copy_run_ops *ops, void *run, struct copy_view *view)
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
			ops->cancel(run);
		ops->snapshot(run, &snap);
		bool done = snap.finished;
		view->tick(view, &snap);
		engine_snapshot_free(&snap);
		if (done)
			break;
		(void)ops->wait_finished(run, 0.2);
	}
	int rc = ops->wait(run);
	ops->snapshot(run, &snap);
	view->finish(view, &snap, ops->retry_command(run), rc);
	engine_snapshot_free(&snap);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}

static void e_cancel(void *run) { engine_cancel(run); }
static void e_snapshot(void *run, struct engine_snapshot *out) { engine_snapshot(run, out); }
static bool e_wait_finished(void *run, double seconds) { return engine_wait_finished(run, seconds); }
static const char *e_retry_command(void *run) { return engine_retry_command(run); }

static int e_wait(void *run)
{
	engine_wait(run);
	return engine_exit_code(run);
}

int copy_view_drive(struct engine *e, struct copy_view *view)
{
	static const struct copy_run_ops ops = {
		e_cancel, e_snapshot, e_wait_finished, e_wait, e_retry_command,
	};
	return copy_view_follow(&ops, e, view);
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
