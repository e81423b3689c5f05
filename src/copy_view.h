/* copy_view: how `gp2adb copy` shows the engine's progress.  The command
 * calls tick() a few times a second and finish() once; the plain view prints
 * lines (tables starting and finishing, a periodic totals line) and the final
 * summary table, the JSON view prints only the summary.  The curses panes
 * plug in through the same interface. */
#ifndef GP2ADB_COPY_VIEW_H
#define GP2ADB_COPY_VIEW_H

#include <stdio.h>

#include "engine.h"
#include "strbuf.h"

struct copy_view {
	void (*tick)(struct copy_view *v, const struct engine_snapshot *s);
	void (*finish)(struct copy_view *v, const struct engine_snapshot *s,
		       const char *retry_command, int exit_code);
	void (*free)(struct copy_view *v);
};

/* Show a started engine's progress through `view` until it finishes (SIGINT
 * and SIGTERM cancel it, resumably); returns the exit code. */
int copy_view_drive(struct engine *e, struct copy_view *view);

/* What a view can follow: the engine, or gpcopy on the master (cmd.h). */
struct copy_run_ops {
	void (*cancel)(void *run);
	void (*snapshot)(void *run, struct engine_snapshot *out);
	bool (*wait_finished)(void *run, double seconds);
	int (*wait)(void *run);                         /* the run's exit code */
	const char *(*retry_command)(void *run);
};

/* copy_view_drive for any run: ticks every 200 ms, SIGINT and SIGTERM call
 * ops->cancel, and the view's finish gets the last snapshot. */
int copy_view_follow(const struct copy_run_ops *ops, void *run, struct copy_view *view);

/* Plain lines on out; a totals line every `totals_every` seconds. */
struct copy_view *copy_view_plain(FILE *out, double totals_every, bool quiet);
struct copy_view *copy_view_json(FILE *out);

/* The final per-table table (table, rows, bytes, time, rate, retries,
 * status), the failed tables with their errors and the retry command. */
void copy_summary_print(FILE *out, const struct engine_snapshot *s, const char *retry_command,
			int exit_code);
void copy_summary_json(struct strbuf *sb, const struct engine_snapshot *s, const char *retry_command,
		       int exit_code);

/* "1.5 MB", "12 kB", "734 B" */
void copy_format_bytes(char *buf, size_t size, double bytes);
/* "4.2s", "3m07s", "2h05m" */
void copy_format_duration(char *buf, size_t size, double seconds);

#endif
