/* The scripted backend's Databases, Business check and Backfill entries
 * (ui_fake.h): fixed rows, progress from the fake clock. */
#include "ui_fake.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1024.0 * 1024.0)
#define GiB (1024.0 * MiB)

static const struct { const char *name; double bytes; } source_dbs[] = {
	{ "crm", 3.4 * GiB }, { "hr", 180 * MiB }, { "warehouse", 12.9 * GiB }, { "web_sessions", 41 * GiB },
};

static bool fake_databases_list(void *ctx, const struct plan *p, struct ui_databases *out, char *err, size_t size)
{
	(void)ctx, (void)err, (void)size;
	size_t n = sizeof source_dbs / sizeof source_dbs[0];
	memset(out, 0, sizeof *out);
	out->v = xcalloc(n + 1, sizeof *out->v);
	for (size_t i = 0; i < n; i++) {
		struct ui_database *d = &out->v[out->n++];
		snprintf(d->name, sizeof d->name, "%s", source_dbs[i].name);
		d->bytes = (long long)source_dbs[i].bytes;
		d->on_source = true;
		d->ticked = p->source.dbname && strcmp(p->source.dbname, d->name) == 0;
	}
	/* the plan names one the source lacks */
	struct ui_database *d = &out->v[out->n++];
	snprintf(d->name, sizeof d->name, "billing_old");
	d->bytes = -1;
	return true;
}

static bool fake_bizcheck_start(void *ctx, const struct plan *p, const char *path, char *err, size_t size)
{
	(void)p;
	struct fake *f = ctx;
	if (strstr(path, "bad")) {
		snprintf(err, size, "%s:line 7: unterminated quoted string", path);
		return false;
	}
	f->bizcheck_polls = 0;
	return true;
}

static void biz_row(struct ui_bizcheck *b, const char *db, const char *name, enum biz_state st, double s, double d,
		    const char *detail)
{
	struct ui_biz_row *r = &b->rows[b->n++];
	snprintf(r->database, sizeof r->database, "%s", db);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->state = st;
	r->src_s = s;
	r->dst_s = d;
	r->slower = s >= 0 && d >= 1 + s && d >= 2 * s;
	snprintf(r->detail, sizeof r->detail, "%s", detail);
}

static void fake_bizcheck_poll(void *ctx, struct ui_bizcheck *out)
{
	struct fake *f = ctx;
	memset(out, 0, sizeof *out);
	out->total = 5;
	out->rows = xcalloc(6, sizeof *out->rows);
	if (f->bizcheck_polls++ < 1)
		return;
	biz_row(out, "warehouse", "daily revenue", BIZQ_MATCH, 1.84, 0.62, "");
	biz_row(out, "warehouse", "top customers", BIZQ_DIFFERS, 0.31, 0.12,
		"row 3, column \"total\": source 1204.50, destination 1198.00");
	biz_row(out, "warehouse", "open orders by region", BIZQ_MATCH, 0.40, 2.75, "");
	biz_row(out, "crm", "churn last quarter", BIZQ_FAILED_DST, 0.95, -1,
		"destination: 42883: function crm.churn_score(integer) does not exist");
	biz_row(out, "crm", "contacts per owner", BIZQ_MATCH, 0.08, 0.05, "");
	out->finished = true;
}

static bool fake_backfill_detect_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	((struct fake *)ctx)->backfill_polls = 0;
	return true;
}

static bool fake_backfill_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	struct fake *f = ctx;
	f->backfill_started = f->now;
	f->calls_backfill_start++;
	return true;
}

/* Two tables: one gets the rows beyond its key (4 MiB/s), one again whole. */
static const struct { const char *name, *change, *how; double est; bool whole; } changed[] = {
	{ "\"warehouse\".public.orders", "rows were inserted",
	  "copy the rows beyond id = 1048576 (key fed by a sequence)", 96 * MiB, false },
	{ "\"crm\".public.contacts", "rows were updated or deleted", "copy it again whole", 240 * MiB, true },
};
#define NCHANGED (sizeof changed / sizeof changed[0])

static void fake_backfill_poll(void *ctx, struct ui_backfill *out)
{
	struct fake *f = ctx;
	memset(out, 0, sizeof *out);
	out->rows = xcalloc(NCHANGED + 1, sizeof *out->rows);
	out->val.rows = xcalloc(NCHANGED + 1, sizeof *out->val.rows);
	if (f->backfill_polls++ < 2)
		return;
	out->detected = true;
	out->fingerprints = true;
	out->checked = 23;
	if (f->nothing_changed)
		return;
	for (size_t i = 0; i < NCHANGED; i++) {
		struct ui_bf_row *r = &out->rows[out->n++];
		snprintf(r->table, sizeof r->table, "%s", changed[i].name);
		snprintf(r->change, sizeof r->change, "%s", changed[i].change);
		snprintf(r->how, sizeof r->how, "%s", changed[i].how);
		r->whole = changed[i].whole;
	}
	if (f->backfill_started == 0)
		return;
	double t = f->now - f->backfill_started;
	out->running = t < 60;
	snprintf(out->phase, sizeof out->phase, "%s", t < 60 ? "copying 2 tables" : "done");
	if (t < 60)
		return;
	out->finished = out->validated = true;
	for (size_t i = 0; i < NCHANGED; i++) {
		struct ui_val_row *v = &out->val.rows[out->val.n++];
		snprintf(v->table, sizeof v->table, "%s", changed[i].name);
		v->state = VAL_OK;
		v->src_rows = v->dst_rows = i ? 812004 : 1050112;
	}
}

static void fake_backfill_snapshot(void *ctx, struct engine_snapshot *out)
{
	struct fake *f = ctx;
	double t = f->now - f->backfill_started;
	memset(out, 0, sizeof *out);
	out->now = f->now;
	out->started_at = f->backfill_started;
	out->workers = 2;
	out->tables = xcalloc(NCHANGED, sizeof *out->tables);
	out->ntables = NCHANGED;
	out->tables_total = (int)NCHANGED;
	for (size_t i = 0; i < NCHANGED; i++) {
		struct engine_table_stats *s = &out->tables[i];
		double rate = 4 * MiB * (i + 1), end = changed[i].est / rate;
		engine_table_stats_init(s);
		s->name = engine_snapshot_text(out, changed[i].name);
		s->bytes_est = (long long)changed[i].est;
		s->rows_est = s->bytes_est / 100;
		s->units_total = 1;
		s->started_at = f->backfill_started;
		s->bytes_done = (long long)((t < end ? t : end) * rate);
		s->rows_done = s->bytes_done / 100;
		if (t >= end) {
			s->state = TABLE_DONE;
			s->finished_at = f->backfill_started + end;
			s->units_done = 1;
			out->tables_done++;
		} else {
			s->state = TABLE_RUNNING;
			s->units_running = 1;
			s->rate_bps = rate;
			s->rate_rows = rate / 100;
			float *h = engine_snapshot_history(out);
			for (int k = 0; k < ENGINE_RATE_SAMPLES; k++)
				h[k] = k >= ENGINE_RATE_SAMPLES - t ? (float)rate : 0.0f;
			s->rate_history = h;
			out->tables_running++;
			out->rate_bps += rate;
		}
		out->bytes_est += s->bytes_est;
		out->bytes_done += s->bytes_done;
		out->rows_done += s->rows_done;
	}
	out->workers_busy = out->tables_running;
	out->eta_seconds = out->rate_bps > 0 ? (double)(out->bytes_est - out->bytes_done) / out->rate_bps : -1;
	out->finished = t >= 60;
}

void fake_cluster_bind(struct ui_backend *be)
{
	be->databases_list = fake_databases_list;
	be->bizcheck_start = fake_bizcheck_start;
	be->bizcheck_poll = fake_bizcheck_poll;
	be->backfill_detect_start = fake_backfill_detect_start;
	be->backfill_start = fake_backfill_start;
	be->backfill_poll = fake_backfill_poll;
	be->backfill_snapshot = fake_backfill_snapshot;
}
