#include "copy_view.h"
#include "exitcode.h"
#include "json.h"
#include "mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void copy_format_bytes(char *buf, size_t size, double bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f B", bytes);
	else
		snprintf(buf, size, "%.*f %s", bytes < 10 ? 1 : 0, bytes, units[u]);
}

void copy_format_duration(char *buf, size_t size, double s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, size, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

static double table_seconds(const struct engine_table_stats *t, double now)
{
	if (t->started_at <= 0)
		return 0;
	return (t->finished_at > 0 ? t->finished_at : now) - t->started_at;
}

static const char *status_text(const struct engine_table_stats *t)
{
	switch (t->state) {
	case TABLE_QUEUED: return t->units_done > 0 ? "partial" : "not copied";
	case TABLE_RUNNING: return "running";
	case TABLE_DONE: return t->units_resumed == t->units_total ? "done earlier" : "done";
	case TABLE_FAILED: return "FAILED";
	case TABLE_SKIPPED: return "skipped";
	}
	return "?";
}

/* ---- plain ---- */

struct plain_view {
	struct copy_view v;
	FILE *out;
	double every, last_totals;
	bool quiet, primed;
	enum table_state *prev;
	bool *waiting;              /* said that it waits (once per wait) */
	size_t n;
};

static void plain_totals(struct plain_view *pv, const struct engine_snapshot *s)
{
	char done[32], est[32], rate[32], eta[32] = "?";
	copy_format_bytes(done, sizeof done, (double)s->bytes_done);
	copy_format_bytes(est, sizeof est, (double)s->bytes_est);
	copy_format_bytes(rate, sizeof rate, s->rate_bps);
	if (s->eta_seconds >= 0)
		copy_format_duration(eta, sizeof eta, s->eta_seconds);
	fprintf(pv->out, "progress: %s copied of about %s, %lld rows, %d/%d tables done, "
		"%d running, %d failed, %s/s, ETA %s%s\n", done, est, s->rows_done,
		s->tables_done + s->tables_skipped, s->tables_total, s->tables_running, s->tables_failed,
		rate, eta, s->paused ? " (paused)" : "");
	fflush(pv->out);
}

static void plain_tick(struct copy_view *v, const struct engine_snapshot *s)
{
	struct plain_view *pv = (struct plain_view *)v;
	if (!pv->primed || pv->n != s->ntables) {
		free(pv->prev);
		free(pv->waiting);
		pv->n = s->ntables;
		pv->prev = xcalloc(pv->n + 1, sizeof *pv->prev);
		pv->waiting = xcalloc(pv->n + 1, sizeof *pv->waiting);
		for (size_t i = 0; i < pv->n; i++)
			pv->prev[i] = s->tables[i].state == TABLE_RUNNING ? TABLE_QUEUED : s->tables[i].state;
		pv->primed = true;
		pv->last_totals = s->now;
	}
	if (pv->quiet)
		return;
	for (size_t i = 0; i < s->ntables; i++) {
		const struct engine_table_stats *t = &s->tables[i];
		if (t->waiting[0] && !pv->waiting[i])
			fprintf(pv->out, "wait   %s: %s\n", t->name, t->waiting);
		pv->waiting[i] = t->waiting[0] != '\0';
		if (t->state == pv->prev[i])
			continue;
		char bytes[32], dur[32], rate[32];
		double secs = table_seconds(t, s->now);
		copy_format_bytes(bytes, sizeof bytes, (double)t->bytes_done);
		copy_format_duration(dur, sizeof dur, secs);
		copy_format_bytes(rate, sizeof rate, secs > 0 ? (double)t->bytes_done / secs : 0);
		if (pv->prev[i] == TABLE_QUEUED && t->state != TABLE_QUEUED) {
			char est[32];
			copy_format_bytes(est, sizeof est, (double)t->bytes_est);
			fprintf(pv->out, "start  %s (%d unit%s, about %s%s)\n", t->name, t->units_total,
				t->units_total == 1 ? "" : "s", est, t->segment_path ? ", segment to segment" : "");
		}
		if (t->state == TABLE_DONE)
			fprintf(pv->out, "done   %s: %lld rows, %s in %s (%s/s)%s\n", t->name, t->rows_done,
				bytes, dur, rate, t->retries ? " after retries" : "");
		else if (t->state == TABLE_FAILED)
			fprintf(pv->out, "FAILED %s: %s\n", t->name, t->error);
		else if (t->state == TABLE_SKIPPED)
			fprintf(pv->out, "skip   %s: the destination table already has rows\n", t->name);
		pv->prev[i] = t->state;
	}
	if (s->now - pv->last_totals >= pv->every && !s->finished) {
		plain_totals(pv, s);
		pv->last_totals = s->now;
	}
	fflush(pv->out);
}

static void plain_finish(struct copy_view *v, const struct engine_snapshot *s, const char *retry,
			 int exit_code)
{
	struct plain_view *pv = (struct plain_view *)v;
	plain_tick(v, s);
	fputc('\n', pv->out);
	copy_summary_print(pv->out, s, retry, exit_code);
	fflush(pv->out);
}

static void plain_free(struct copy_view *v)
{
	struct plain_view *pv = (struct plain_view *)v;
	free(pv->prev);
	free(pv->waiting);
	free(pv);
}

struct copy_view *copy_view_plain(FILE *out, double totals_every, bool quiet)
{
	struct plain_view *pv = xcalloc(1, sizeof *pv);
	pv->v.tick = plain_tick;
	pv->v.finish = plain_finish;
	pv->v.free = plain_free;
	pv->out = out;
	pv->every = totals_every;
	pv->quiet = quiet;
	return &pv->v;
}

/* ---- summary ---- */

void copy_summary_print(FILE *out, const struct engine_snapshot *s, const char *retry, int exit_code)
{
	int w = 5;
	for (size_t i = 0; i < s->ntables; i++) {
		int len = (int)strlen(s->tables[i].name);
		if (len > w)
			w = len;
	}
	if (w > 48)
		w = 48;
	fprintf(out, "%-*s %12s %10s %9s %11s %7s  %s\n", w, "table", "rows", "bytes", "time", "rate",
		"retries", "status");
	char dash[64];
	memset(dash, '-', sizeof dash - 1);
	dash[sizeof dash - 1] = '\0';
	fprintf(out, "%.*s %.12s %.10s %.9s %.11s %.7s  %.12s\n", w, dash, dash, dash, dash, dash, dash, dash);
	long long rows = 0, bytes = 0;
	int retries = 0;
	for (size_t i = 0; i < s->ntables; i++) {
		const struct engine_table_stats *t = &s->tables[i];
		char b[32], d[32], r[40];
		double secs = table_seconds(t, s->now);
		copy_format_bytes(b, sizeof b, (double)t->bytes_done);
		copy_format_duration(d, sizeof d, secs);
		copy_format_bytes(r, sizeof r, secs > 0 ? (double)t->bytes_done / secs : 0);
		strcat(r, "/s");
		fprintf(out, "%-*.*s %12lld %10s %9s %11s %7d  %s\n", w, w, t->name, t->rows_done, b, d,
			secs > 0 ? r : "-", t->retries, status_text(t));
		rows += t->rows_done;
		bytes += t->bytes_done;
		retries += t->retries;
	}
	char b[32], d[32], r[40];
	double secs = s->now - s->started_at;
	copy_format_bytes(b, sizeof b, (double)bytes);
	copy_format_duration(d, sizeof d, secs);
	copy_format_bytes(r, sizeof r, secs > 0 ? (double)bytes / secs : 0);
	strcat(r, "/s");
	fprintf(out, "%.*s %.12s %.10s %.9s %.11s %.7s  %.12s\n", w, dash, dash, dash, dash, dash, dash, dash);
	fprintf(out, "%-*s %12lld %10s %9s %11s %7d  %d done, %d skipped, %d failed\n", w, "total", rows, b, d,
		r, retries, s->tables_done, s->tables_skipped, s->tables_failed);

	if (s->tables_failed > 0) {
		fprintf(out, "\n%d table%s failed:\n", s->tables_failed, s->tables_failed == 1 ? "" : "s");
		for (size_t i = 0; i < s->ntables; i++)
			if (s->tables[i].state == TABLE_FAILED)
				fprintf(out, "  %s: %s\n", s->tables[i].name, s->tables[i].error);
		fprintf(out, "Fix the cause, then retry just these tables: %s\n", retry);
	}
	if (exit_code == EXIT_INTERRUPTED && retry && strncmp(retry, "gpcopy ", 7) == 0)
		fprintf(out, "\nInterrupted: the tables gpcopy finished are kept; copy the others with: %s\n", retry);
	else if (exit_code == EXIT_INTERRUPTED)
		fprintf(out, "\nInterrupted: committed units are kept; continue with: gp2adb copy --resume\n");
}

static const char *state_name(enum table_state st)
{
	static const char *const names[] = { "queued", "running", "done", "failed", "skipped" };
	return names[st];
}

void copy_summary_json(struct strbuf *sb, const struct engine_snapshot *s, const char *retry, int exit_code)
{
	struct json j;
	json_init(&j, sb, true);
	json_object_begin(&j, NULL);
	json_int(&j, "exit_code", exit_code);
	json_bool(&j, "interrupted", exit_code == EXIT_INTERRUPTED);
	json_double(&j, "seconds", s->now - s->started_at);
	json_int(&j, "tables_total", s->tables_total);
	json_int(&j, "tables_done", s->tables_done);
	json_int(&j, "tables_skipped", s->tables_skipped);
	json_int(&j, "tables_failed", s->tables_failed);
	json_int(&j, "rows", s->rows_done);
	json_int(&j, "bytes", s->bytes_done);
	json_string(&j, "retry_command", s->tables_failed ? retry : NULL);
	json_array_begin(&j, "tables");
	for (size_t i = 0; i < s->ntables; i++) {
		const struct engine_table_stats *t = &s->tables[i];
		double secs = table_seconds(t, s->now);
		json_object_begin(&j, NULL);
		json_string(&j, "table", t->name);
		json_string(&j, "state", state_name(t->state));
		json_int(&j, "rows", t->rows_done);
		json_int(&j, "bytes", t->bytes_done);
		json_double(&j, "seconds", secs);
		json_double(&j, "bytes_per_second", secs > 0 ? (double)t->bytes_done / secs : 0);
		json_int(&j, "retries", t->retries);
		json_string(&j, "path", t->segment_path ? "segment" : "coordinator");
		json_int(&j, "units", t->units_total);
		json_int(&j, "units_resumed", t->units_resumed);
		json_string(&j, "error", t->error[0] ? t->error : NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

/* ---- json ---- */

static void json_tick(struct copy_view *v, const struct engine_snapshot *s)
{
	(void)v;
	(void)s;
}

static void json_finish(struct copy_view *v, const struct engine_snapshot *s, const char *retry,
			int exit_code)
{
	struct plain_view *pv = (struct plain_view *)v;
	struct strbuf sb;
	strbuf_init(&sb);
	copy_summary_json(&sb, s, retry, exit_code);
	fprintf(pv->out, "%s\n", sb.data);
	fflush(pv->out);
	strbuf_done(&sb);
}

struct copy_view *copy_view_json(FILE *out)
{
	struct plain_view *pv = xcalloc(1, sizeof *pv);
	pv->v.tick = json_tick;
	pv->v.finish = json_finish;
	pv->v.free = plain_free;
	pv->out = out;
	return &pv->v;
}
