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
