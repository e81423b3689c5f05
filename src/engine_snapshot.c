/* The engine's snapshot: a consistent copy of its progress for the UI and
 * the --plain printer; its lifetime is shared with anything that fakes one. */
#include "engine_priv.h"
#include "mem.h"
#include "wire_estimate.h"
#include "segpath.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const float engine_rate_none[ENGINE_RATE_SAMPLES];

/* The snapshot's strings and histories: blocks that never move, so the
 * tables' pointers stay valid until the snapshot is freed. */
struct engine_snapshot_block {
	struct engine_snapshot_block *next;
	size_t used, cap;
	max_align_t data[];
};

#define BLOCK_MIN ((size_t)64 * 1024)

static void *snapshot_alloc(struct engine_snapshot *s, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	struct engine_snapshot_block *b = s->strings;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
		b = xmalloc(sizeof *b + cap);
		b->next = s->strings;
		b->used = 0;
		b->cap = cap;
		s->strings = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

const char *engine_snapshot_text(struct engine_snapshot *s, const char *text)
{
	if (!text || !*text)
		return "";
	size_t n = strlen(text) + 1;
	return memcpy(snapshot_alloc(s, n), text, n);
}

float *engine_snapshot_history(struct engine_snapshot *s)
{
	float *h = snapshot_alloc(s, sizeof(float) * ENGINE_RATE_SAMPLES);
	memset(h, 0, sizeof(float) * ENGINE_RATE_SAMPLES);
	return h;
}

void etable_set_error(struct etable *et, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *text = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	text[0] = '\0';
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	free(et->error);
	et->error = text;
}

void etable_set_waiting(struct etable *et, const char *text)
{
	free(et->waiting);
	et->waiting = text && *text ? xstrdup(text) : NULL;
}

void etable_free(struct etable *et)
{
	free(et->error);
	free(et->waiting);
	free(et->rate);
	et->error = et->waiting = NULL;
	et->rate = NULL;
}

void engine_table_stats_init(struct engine_table_stats *t)
{
	memset(t, 0, sizeof *t);
	t->name = t->error = t->waiting = "";
	t->rate_history = engine_rate_none;
	t->rows_est = -1;
}

void engine_table_stats_copy(struct engine_snapshot *into, struct engine_table_stats *dst,
			     const struct engine_table_stats *src, const char *name)
{
	*dst = *src;
	dst->name = engine_snapshot_text(into, name ? name : src->name);
	dst->error = engine_snapshot_text(into, src->error);
	dst->waiting = engine_snapshot_text(into, src->waiting);
	if (src->rate_history != engine_rate_none) {
		float *h = engine_snapshot_history(into);
		memcpy(h, src->rate_history, sizeof(float) * ENGINE_RATE_SAMPLES);
		dst->rate_history = h;
	}
}

void engine_snapshot_tally(struct engine_snapshot *out, const struct engine_table_stats *s)
{
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
}

void engine_snapshot_free(struct engine_snapshot *s)
{
	free(s->tables);
	while (s->strings) {
		struct engine_snapshot_block *next = s->strings->next;
		free(s->strings);
		s->strings = next;
	}
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
		engine_table_stats_init(s);
		s->name = engine_snapshot_text(out, et->t->qualified);
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
		s->error = engine_snapshot_text(out, et->error);
		s->waiting = engine_snapshot_text(out, et->waiting);
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
		/* only running tables keep a rate window (sample_rates) */
		const struct rate_window *rw = s->state == TABLE_RUNNING ? e->tables[i].rate : NULL;
		s->rate_bps = rw ? rate_window_rate(rw, RATE_WINDOW_SPAN) : 0;
		/* before its second sample (a second), a running table's rate is its average so far */
		if (s->state == TABLE_RUNNING && s->rate_bps == 0 && s->units_resumed == 0 && s->started_at > 0 &&
		    out->now - s->started_at >= 0.2)
			s->rate_bps = (double)s->bytes_done / (out->now - s->started_at);
		s->rate_rows = s->rate_bps > 0 && s->bytes_done > 0 ?
			s->rate_bps * (double)s->rows_done / (double)s->bytes_done : 0;
		if (rw) {
			float *h = engine_snapshot_history(out);
			rate_window_history(rw, h);
			s->rate_history = h;
		}
	}
	out->rate_bps = rate_window_rate(&e->total_rate, RATE_WINDOW_SPAN);
	rate_window_history(&e->total_rate, out->rate_history);
	pthread_mutex_unlock(&e->stats_lock);

	double weight = 0, done = 0;
	out->tables_total = (int)e->ntables;
	for (size_t i = 0; i < e->ntables; i++) {
		const struct engine_table_stats *s = &out->tables[i];
		engine_snapshot_tally(out, s);
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

