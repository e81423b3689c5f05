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

int cmd_copy(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct engine_options opt = { .resume = cli->resume, .only_failed = cli->only_failed };
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;

	/* One view: JSON, or plain lines (the curses panes take this place on a
	 * terminal once the wizard provides them). */
	struct copy_view *view = p->json ? copy_view_json(stdout)
					 : copy_view_plain(stdout, 5.0, p->verbosity < 0);
	struct engine *e = engine_new(p, &opt);
	int rc;
	if (!engine_start(e)) {
		rc = engine_exit_code(e);
	} else {
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
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		engine_wait(e);
		rc = engine_exit_code(e);
		engine_snapshot(e, &snap);
		view->finish(view, &snap, engine_retry_command(e), rc);
		engine_snapshot_free(&snap);
	}
	engine_free(e);
	view->free(view);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}
