/* gp2adb validate: compare source and destination table by table. */
#include "cmd.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "validate.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* One line per table as it finishes, in the order they finish. */
static void print_progress(const struct validate_snapshot *s, unsigned long *printed)
{
	for (;;) {
		const struct validate_table_progress *next = NULL;
		for (size_t i = 0; i < s->ntables; i++)
			if (s->tables[i].done_seq == *printed + 1)
				next = &s->tables[i];
		if (!next)
			return;
		(*printed)++;
		printf("[%lu/%d] %-7s %s (%.1f s)\n", *printed, s->workers ? s->tables_total - (s->missing + s->extra) : 0,
		       validate_status_name(next->status), next->name, next->finished_at - next->started_at);
		fflush(stdout);
	}
}

/* The plain watcher: a line per finished table; SIGINT/SIGTERM cancel. */
static bool watch_lines(const struct plan *p, struct validate_run *run)
{
	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	bool progress = !p->json && p->verbosity >= 0;
	unsigned long printed = 0;
	bool cancelled = false;
	for (;;) {
		validate_poll(run, 250);
		if (interrupted && !cancelled) {
			fprintf(stderr, "gp2adb: interrupted: cancelling the running checks\n");
			validate_cancel(run);
			cancelled = true;
		}
		struct validate_snapshot s;
		validate_snapshot(run, &s);
		if (progress)
			print_progress(&s, &printed);
		bool done = s.finished || s.cancelled;
		validate_snapshot_free(&s);
		if (done)
			break;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return printed > 0;
}

int cmd_validate(struct cli *cli)
{
	return cmd_validate_with(cli, watch_lines);
}

int cmd_validate_with(struct cli *cli, cmd_validate_watch_fn watch)
{
	struct plan *p = &cli->plan;
	if (cli->queries && strcmp(cli->command ? cli->command : "", "validate") == 0)
		return cmd_bizcheck(cli);
	if (p->validate == VALIDATE_NONE) {
		printf("migration.validate is \"none\": nothing to validate (use --level to choose one)\n");
		return EXIT_OK;
	}
	struct validate_options o;
	validate_options_from_plan(&o, p);
	char err[1024];
	bool connect_failed;
	struct validate_run *run = validate_start(p, &o, err, sizeof err, &connect_failed);
	if (!run) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return connect_failed ? EXIT_CONNECT : EXIT_DIFFERENCES;
	}
	bool printed = watch(p, run);
	struct validate_result res;
	validate_finish(run, &res);

	if (p->json) {
		char *j = validate_report_json(&res);
		fputs(j, stdout);
		free(j);
	} else {
		char *t = validate_report_text(&res);
		printf("%s%s", printed ? "\n" : "", t);
		free(t);
	}
	char *path = NULL;
	if (validate_report_save(p, &res, &path))
		fprintf(p->json ? stderr : stdout, "report saved: %s\n", path);
	free(path);

	int rc = res.cancelled ? EXIT_INTERRUPTED
		 : res.differ || res.missing || res.extra || res.errors ? EXIT_DIFFERENCES : EXIT_OK;
	validate_result_free(&res);
	return rc;
}
