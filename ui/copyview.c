/* The live migration panes: header, one pane per running table, the queue
 * and finished lists, the log.  Drawn from an engine snapshot alone, so the
 * wizard's Migration screen and the batch commands show the same thing. */
#include "wizard.h"
#include "fmt.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The share done, never past the whole (an estimate can be exceeded). */
static double frac_of(long long done, long long est)
{
	double f = est > 0 ? (double)done / (double)est : 0;
	return f > 1 ? 1 : f;
}

static double table_eta(const struct engine_table_stats *t)
{
	if (t->bytes_est <= 0 || t->rate_bps <= 0)
		return -1;
	long long left = t->bytes_est - t->bytes_done;
	return left > 0 ? (double)left / t->rate_bps : 0;
}

static void draw_header(struct canvas *c, int y, const struct engine_snapshot *s, bool paused)
{
	char done[16], est[16], rows[16], rate[24], eta[16], el[16], bar[512];
	canvas_printf(c, y, 1, c->cols - 2, R_NORMAL,
		      "Tables %d/%d done  %d running  %d failed  %d queued    Workers %d/%d busy",
		      s->tables_done, s->tables_total, s->tables_running, s->tables_failed,
		      s->tables_queued, s->workers_busy, s->workers);
	if (s->tables_failed)
		canvas_paint(c, y, 1, c->cols - 2, R_FAIL);
	canvas_printf(c, y + 1, 1, c->cols - 2, R_NORMAL, "Moved %s of %s  %s rows    %s    ETA %s    elapsed %s",
		      fmt_bytes(done, sizeof done, s->bytes_done), s->bytes_est > 0 ? fmt_bytes(est, sizeof est, s->bytes_est) : "?",
		      fmt_count(rows, sizeof rows, s->rows_done), fmt_rate(rate, sizeof rate, s->rate_bps),
		      fmt_eta(eta, sizeof eta, s->eta_seconds),
		      fmt_duration(el, sizeof el, s->started_at > 0 ? s->now - s->started_at : 0));
	const char *state = s->cancelled ? "CANCELLED" : s->finished ? "FINISHED" : paused || s->paused ? "PAUSED" : NULL;
	if (state)
		canvas_rtext(c, y, c->cols - 1, s->cancelled ? R_FAIL : R_WARN, state);
	int spark_w = c->cols >= 120 ? 40 : 20;
	int bar_w = c->cols - spark_w - 12;
	double f = frac_of(s->bytes_done, s->bytes_est);
	canvas_text(c, y + 2, 1, bar_w, R_BAR, fmt_bar(bar, sizeof bar, bar_w, f, c->utf8));
	canvas_printf(c, y + 2, bar_w + 2, 5, R_NORMAL, "%3d%%", (int)(f * 100));
	canvas_text(c, y + 2, c->cols - spark_w - 1, spark_w, R_OK,
		    fmt_sparkline(bar, sizeof bar, s->rate_history, ENGINE_RATE_SAMPLES, spark_w, c->utf8));
}

/* Two rows per running table. */
static void draw_running(struct canvas *c, int y, const struct engine_table_stats *t, bool sel)
{
	char a[16], b[16], rows[16], rate[24], eta[16], bar[512], spark[512];
	int w = c->cols - 4;
	int name_w = w >= 120 ? 48 : 28;
	int bar_w = w - name_w - 6 - 24;
	double f = frac_of(t->bytes_done, t->bytes_est);
	canvas_name(c, y, 2, name_w, sel ? R_SEL : R_TITLE, t->name);
	canvas_text(c, y, 3 + name_w, bar_w, R_BAR, fmt_bar(bar, sizeof bar, bar_w, f, c->utf8));
	canvas_printf(c, y, 4 + name_w + bar_w, 5, R_NORMAL, "%3d%%", (int)(f * 100));
	canvas_printf(c, y, 9 + name_w + bar_w, c->cols - 10 - name_w - bar_w, R_NORMAL, "%s/%s",
		      fmt_bytes(a, sizeof a, t->bytes_done), t->bytes_est > 0 ? fmt_bytes(b, sizeof b, t->bytes_est) : "?");
	canvas_printf(c, y + 1, 4, 12, R_NORMAL, "%s rows", fmt_count(rows, sizeof rows, t->rows_done));
	if (t->waiting[0]) {
		/* a server is away: what it waits for, in place of rate and ETA */
		canvas_printf(c, y + 1, 17, c->cols - 18, R_WARN, "%s", t->waiting);
		return;
	}
	canvas_printf(c, y + 1, 17, 12, R_NORMAL, "%s", fmt_rate(rate, sizeof rate, t->rate_bps));
	int spark_w = w >= 120 ? 60 : 16;
	canvas_text(c, y + 1, 30, spark_w, R_OK,
		    fmt_sparkline(spark, sizeof spark, t->rate_history, ENGINE_RATE_SAMPLES, spark_w, c->utf8));
	int x = 32 + spark_w;
	x += canvas_printf(c, y + 1, x, 12, R_NORMAL, "ETA %s", fmt_eta(eta, sizeof eta, table_eta(t))) + 2;
	if (t->units_total > 1)
		x += canvas_printf(c, y + 1, x, 10, R_DIM, "%d/%d pts", t->units_done, t->units_total) + 2;
	if (t->retries)
		x += canvas_printf(c, y + 1, x, c->cols - x - 1, R_WARN, "retries %d", t->retries) + 2;
	/* its rows go segment to segment through the relay (doc/segment-path.md) */
	if (t->segment_path && c->cols - x - 1 >= 3)
		canvas_text(c, y + 1, x, c->cols - x - 1, R_OK, c->cols - x - 1 >= 12 ? "segment path" : "seg");
}

/* The order tables are listed in: running, failed, queued, done. */
static int order_rank(enum table_state s)
{
	return s == TABLE_RUNNING ? 0 : s == TABLE_FAILED ? 1 : s == TABLE_QUEUED ? 2 : 3;
}

static size_t *order_tables(const struct engine_snapshot *s)
{
	size_t *idx = xcalloc(s->ntables + 1, sizeof *idx), n = 0;
	for (int rank = 0; rank < 4; rank++)
		for (size_t i = 0; i < s->ntables; i++)
			if (order_rank(s->tables[i].state) == rank)
				idx[n++] = i;
	/* Within done, the latest first. */
	size_t first_done = 0;
	while (first_done < n && order_rank(s->tables[idx[first_done]].state) < 3)
		first_done++;
	for (size_t i = first_done + 1; i < n; i++)
		for (size_t j = i; j > first_done && s->tables[idx[j]].finished_at > s->tables[idx[j - 1]].finished_at; j--) {
			size_t t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return idx;
}

static void draw_queue_row(struct canvas *c, int y, int x, int w, const struct engine_table_stats *t, bool sel)
{
	char b[16];
	canvas_name(c, y, x, w - 10, sel ? R_SEL : R_NORMAL, t->name);
	canvas_rtext(c, y, x + w, R_DIM, t->bytes_est > 0 ? fmt_bytes(b, sizeof b, t->bytes_est) : "?");
}

static void draw_done_row(struct canvas *c, int y, int x, int w, const struct engine_table_stats *t, bool sel)
{
	char clock[16], took[16], rate[24], b[16], info[600];
	double secs = t->finished_at - t->started_at;
	enum ui_role role = t->state == TABLE_FAILED ? R_FAIL : t->state == TABLE_SKIPPED ? R_DIM : R_OK;
	canvas_text(c, y, x, 9, R_DIM, fmt_clock(clock, sizeof clock, t->finished_at));
	int name_w = w >= 60 ? w - 44 : w - 29;
	canvas_name(c, y, x + 9, name_w, sel ? R_SEL : R_NORMAL, t->name);
	if (t->state == TABLE_FAILED)
		snprintf(info, sizeof info, "failed %s", t->error);
	else if (t->state == TABLE_SKIPPED)
		snprintf(info, sizeof info, "skipped");
	else if (w >= 60)
		snprintf(info, sizeof info, "%9s %6s %11s", fmt_bytes(b, sizeof b, t->bytes_done),
			 fmt_duration(took, sizeof took, secs),
			 fmt_rate(rate, sizeof rate, secs > 0 ? (double)t->bytes_done / secs : 0));
	else
		snprintf(info, sizeof info, "%6s %10s", fmt_duration(took, sizeof took, secs),
			 fmt_rate(rate, sizeof rate, secs > 0 ? (double)t->bytes_done / secs : 0));
	canvas_name(c, y, x + 10 + name_w, w - 10 - name_w, role, info);
}

static void draw_log(struct canvas *c, int y, int h, bool focus)
{
	canvas_box(c, y, 0, h, c->cols, "Log", focus ? R_TITLE : R_FRAME);
	int rows = h - 2;
	if (rows <= 0)
		return;
	struct log_line *lines = xcalloc((size_t)rows, sizeof *lines);
	size_t n = log_ring_copy(lines, (size_t)rows, 0);
	for (size_t i = 0; i < n; i++) {
		enum ui_role role = lines[i].level >= LOG_ERROR ? R_FAIL : lines[i].level == LOG_WARN ? R_WARN : R_DIM;
		canvas_printf(c, y + 1 + (int)i, 2, c->cols - 4, role, "%s%s%s",
			      lines[i].level >= LOG_WARN ? log_level_name(lines[i].level) : "",
			      lines[i].level >= LOG_WARN ? ": " : "", lines[i].text);
	}
	free(lines);
}

void copyview_draw(struct canvas *c, int top, int height, const struct engine_snapshot *s, int focus_pane,
		   int sel, bool paused)
{
	draw_header(c, top, s, paused);
	size_t *idx = order_tables(s);
	int nrun = 0, nqueue = 0, ndone = 0;
	for (size_t i = 0; i < s->ntables; i++) {
		enum table_state st = s->tables[i].state;
		nrun += st == TABLE_RUNNING;
		nqueue += st == TABLE_QUEUED;
		ndone += st == TABLE_DONE || st == TABLE_FAILED || st == TABLE_SKIPPED;
	}
	int y = top + 3;
	int rest = height - 3;
	int run_h = 2 + 2 * (nrun ? nrun : 1);
	if (run_h > rest - 8)
		run_h = rest - 8;
	int fit = (run_h - 2) / 2;
	char title[64];
	snprintf(title, sizeof title, "Running (%d)", nrun);
	canvas_box(c, y, 0, run_h, c->cols, title, focus_pane == 0 ? R_TITLE : R_FRAME);
	if (nrun == 0)
		canvas_text(c, y + 1, 2, c->cols - 4, R_DIM, s->finished ? "nothing running: the copy has ended" : "nothing running");
	for (int i = 0; i < nrun && i < fit; i++) {
		bool more = i == fit - 1 && nrun > fit;
		if (more) {
			canvas_printf(c, y + 1 + 2 * i, 2, c->cols - 4, R_DIM, "... and %d more running", nrun - fit + 1);
			break;
		}
		draw_running(c, y + 1 + 2 * i, &s->tables[idx[i]], sel == i);
	}
	y += run_h;
	rest -= run_h;
	int log_h = rest * 2 / 5 < 4 ? 4 : rest * 2 / 5;
	int list_h = rest - log_h;
	int half = c->cols >= 120 ? c->cols / 2 - 14 : 30;
	snprintf(title, sizeof title, "Queue (%d)", nqueue);
	canvas_box(c, y, 0, list_h, half, title, R_FRAME);
	snprintf(title, sizeof title, "Finished (%d)", ndone);
	canvas_box(c, y, half, list_h, c->cols - half, title, R_FRAME);
	int rows = list_h - 2;
	/* Failed tables stay at the top of the finished list. */
	int qi = 0, di = 0;
	for (size_t k = (size_t)nrun; k < s->ntables; k++) {
		const struct engine_table_stats *t = &s->tables[idx[k]];
		bool is_sel = sel == (int)k;
		if (t->state == TABLE_QUEUED) {
			/* the last row says how many more there are when they do not fit */
			if (qi < rows - 1 || (qi == rows - 1 && nqueue <= rows))
				draw_queue_row(c, y + 1 + qi, 2, half - 4, t, is_sel);
			else if (qi == rows - 1)
				canvas_printf(c, y + 1 + qi, 2, half - 4, R_DIM, "... %d more", nqueue - rows + 1);
			qi++;
		} else {
			if (di < rows)
				draw_done_row(c, y + 1 + di, half + 2, c->cols - half - 4, t, is_sel);
			di++;
		}
	}
	free(idx);
	draw_log(c, y + list_h, log_h, focus_pane == 1);
}

void copyview_draw_inspect(struct canvas *c, const struct engine_snapshot *s, int sel)
{
	if (sel < 0 || (size_t)sel >= s->ntables)
		return;
	size_t *idx = order_tables(s);
	const struct engine_table_stats *t = &s->tables[idx[sel]];
	free(idx);
	static const char *const states[] = { "queued", "running", "done", "failed", "skipped" };
	int w = c->cols - 10 < 100 ? c->cols - 10 : 100, h = 14;
	int y = (c->rows - h) / 2, x = (c->cols - w) / 2;
	char a[16], b[16], r1[16], r2[16], rate[24], eta[16], spark[512], clk1[16], clk2[16];
	for (int i = 0; i < h; i++)
		canvas_fill(c, y + i, x, w, L' ', R_NORMAL);
	canvas_box(c, y, x, h, w, t->name, R_TITLE);
	int ly = y + 2;
	canvas_printf(c, ly++, x + 2, w - 4, t->state == TABLE_FAILED ? R_FAIL : R_NORMAL, "state     %s", states[t->state]);
	canvas_printf(c, ly++, x + 2, w - 4, R_NORMAL, "bytes     %s of %s", fmt_bytes(a, sizeof a, t->bytes_done),
		      t->bytes_est > 0 ? fmt_bytes(b, sizeof b, t->bytes_est) : "?");
	canvas_printf(c, ly++, x + 2, w - 4, R_NORMAL, "rows      %s of %s", fmt_count(r1, sizeof r1, t->rows_done),
		      t->rows_est >= 0 ? fmt_count(r2, sizeof r2, t->rows_est) : "?");
	canvas_printf(c, ly++, x + 2, w - 4, R_NORMAL, "parts     %d done, %d running, %d failed of %d",
		      t->units_done, t->units_running, t->units_failed, t->units_total);
	canvas_printf(c, ly++, x + 2, w - 4, R_NORMAL, "rate      %s, %.0f rows/s   ETA %s",
		      fmt_rate(rate, sizeof rate, t->rate_bps), t->rate_rows, fmt_eta(eta, sizeof eta, table_eta(t)));
	canvas_printf(c, ly++, x + 2, w - 4, R_NORMAL, "started   %s   finished %s   retries %d",
		      fmt_clock(clk1, sizeof clk1, t->started_at), fmt_clock(clk2, sizeof clk2, t->finished_at), t->retries);
	canvas_text(c, ly, x + 2, 10, R_NORMAL, "last min");
	canvas_text(c, ly++, x + 12, w - 14, R_OK,
		    fmt_sparkline(spark, sizeof spark, t->rate_history, ENGINE_RATE_SAMPLES, w - 14 < 60 ? w - 14 : 60, c->utf8));
	if (t->error[0])
		canvas_wrap(c, ly + 1, x + 2, w - 4, y + h - ly - 3, 0, R_FAIL, t->error);
	canvas_text(c, y + h - 1, x + 2, w - 4, R_DIM, " Esc closes ");
}
