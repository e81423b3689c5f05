/* The engine's snapshot: a consistent copy of its progress for the UI and
 * the --plain printer; its lifetime is shared with anything that fakes one. */
#include "engine_priv.h"
#include "mem.h"
#include "wire_estimate.h"
#include "segpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void engine_snapshot_free(struct engine_snapshot *s)
{
	free(s->tables);
	memset(s, 0, sizeof *s);
}

/* Fraction of the estimated work done, weighted by size. */
static double table_fraction(const struct engine_table_stats *t)
{
	if (t->state == TABLE_DONE || t->state == TABLE_SKIPPED || t->state == TABLE_FAILED)
		return 1.0;
	double f = 0;
	if (t->rows_est > 0)
		f = (double)t->rows_done / (double)t->rows_est;
	else if (t->units_total > 0)
		f = (double)t->units_done / t->units_total;
	return f > 0.99 ? 0.99 : f;
}

void engine_snapshot(struct engine *e, struct engine_snapshot *out)
{
	if (e->group) {
		engine_group_snapshot(e, out);
		return;
	}
	memset(out, 0, sizeof *out);
	out->now = engine_now();
	out->started_at = e->started_at;
	out->workers = e->nworkers;
	out->ntables = e->ntables;
	out->tables = xcalloc(e->ntables + 1, sizeof *out->tables);
	out->eta_seconds = -1;
	for (int i = 0; i < e->nworkers; i++)
		out->workers_busy += atomic_load(&e->workers[i].busy);

	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->ntables; i++) {
		const struct etable *et = &e->tables[i];
		struct engine_table_stats *s = &out->tables[i];
		snprintf(s->name, sizeof s->name, "%s", et->t->qualified);
		s->state = et->state;
		s->bytes_est = et->wire_est;
		s->rows_est = et->t->rows_est;
		s->bytes_done = et->bytes_before;
		s->rows_done = et->rows_before;
		s->units_total = et->nunits;
		s->units_done = et->units_done;
		s->units_running = et->units_running;
		s->units_failed = et->units_failed;
		s->retries = atomic_load(&et->retries);
		s->started_at = et->started_at;
		s->finished_at = et->finished_at;
		snprintf(s->error, sizeof s->error, "%s", et->error);
		snprintf(s->waiting, sizeof s->waiting, "%s", et->waiting);
		s->segment_path = segpath_table(e, i);
	}
	long long resumed_bytes = 0;     /* done by an earlier run: not part of this run's rate */
	for (size_t u = 0; u < e->nunits; u++) {
		const struct eunit *un = &e->units[u];
		struct engine_table_stats *s = &out->tables[un->spec.table];
		long long b = atomic_load(&un->bytes);
		s->bytes_done += b;
		s->rows_done += atomic_load(&un->rows);
		if (un->state == UNIT_DONE && un->started_at == 0) {
			s->units_resumed++;
			resumed_bytes += b;
		}
	}
	pthread_mutex_unlock(&e->lock);
	/* what is left at the width measured so far; what moved, once done */
	for (size_t i = 0; i < e->ntables; i++) {
		struct engine_table_stats *s = &out->tables[i];
		bool over = s->state == TABLE_DONE || s->state == TABLE_FAILED || s->state == TABLE_SKIPPED;
		s->bytes_est = wire_estimate_live(s->bytes_est, s->rows_est, s->bytes_done, s->rows_done, over);
	}

	pthread_mutex_lock(&e->stats_lock);
	for (size_t i = 0; i < e->ntables; i++) {
		struct engine_table_stats *s = &out->tables[i];
		s->rate_bps = s->state == TABLE_RUNNING ? rate_window_rate(&e->tables[i].rate, RATE_WINDOW_SPAN) : 0;
		/* before its second sample (a second), a running table's rate is its average so far */
		if (s->state == TABLE_RUNNING && s->rate_bps == 0 && s->units_resumed == 0 && s->started_at > 0 &&
		    out->now - s->started_at >= 0.2)
			s->rate_bps = (double)s->bytes_done / (out->now - s->started_at);
		s->rate_rows = s->rate_bps > 0 && s->bytes_done > 0 ?
			s->rate_bps * (double)s->rows_done / (double)s->bytes_done : 0;
		rate_window_history(&e->tables[i].rate, s->rate_history);
	}
	out->rate_bps = rate_window_rate(&e->total_rate, RATE_WINDOW_SPAN);
	rate_window_history(&e->total_rate, out->rate_history);
	pthread_mutex_unlock(&e->stats_lock);

	double weight = 0, done = 0;
	out->tables_total = (int)e->ntables;
	for (size_t i = 0; i < e->ntables; i++) {
		const struct engine_table_stats *s = &out->tables[i];
		switch (s->state) {
		case TABLE_QUEUED: out->tables_queued++; break;
		case TABLE_RUNNING: out->tables_running++; break;
		case TABLE_DONE: out->tables_done++; break;
		case TABLE_FAILED: out->tables_failed++; break;
		case TABLE_SKIPPED: out->tables_skipped++; break;
		}
		out->bytes_est += s->bytes_est;
		out->bytes_done += s->bytes_done;
		out->rows_done += s->rows_done;
		double w = (double)(s->bytes_est > 0 ? s->bytes_est : 8192);
		weight += w;
		done += w * table_fraction(s);
	}
	double elapsed = out->now - out->started_at;
	/* likewise the total, before the second sample of a copy still running */
	if (out->rate_bps == 0 && !atomic_load(&e->finished) && out->started_at > 0 && elapsed >= 0.2)
		out->rate_bps = (double)(out->bytes_done - resumed_bytes) / elapsed;
	if (weight > 0 && done / weight > 0.01 && elapsed > 1)
		out->eta_seconds = elapsed * (1 - done / weight) / (done / weight);
	out->paused = atomic_load(&e->paused);
	out->cancelled = atomic_load(&e->cancel);
	out->finished = atomic_load(&e->finished);
	if (out->finished)
		out->eta_seconds = 0;
}

