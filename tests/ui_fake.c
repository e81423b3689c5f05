/* The scripted backend (ui_fake.h). */
#include "ui_fake.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1024.0 * 1024.0)
#define GiB (1024.0 * MiB)

/* A copy of nine tables on three workers; times in seconds from the start. */
static const struct fake_table {
	const char *name;
	double est, rate, start, fail_after;
	const char *error;
} tables[] = {
	{ "public.line_items", 3 * GiB, 50 * MiB, 0, 0, NULL },
	{ "public.orders", 1 * GiB, 25 * MiB, 0, 0, NULL },
	{ "sales.customers", 200 * MiB, 20 * MiB, 0, 0, NULL },
	{ "sales.audit_log", 500 * MiB, 20 * MiB, 10, 5,
	  "22P02: invalid input syntax for type integer: \"n/a\" (row 41877)" },
	{ "sales.events_2023", 1.5 * GiB, 30 * MiB, 15, 0, NULL },
	{ "public.regions", 64 * 1024, 1 * MiB, 40.96, 0, NULL },
	{ "public.payments", 2 * GiB, 40 * MiB, 41.03, 0, NULL },
	{ "public.shipments", 700 * MiB, 35 * MiB, 61.44, 0, NULL },
	{ "archive.orders_2019", 4 * GiB, 60 * MiB, 66.2, 0, NULL },
};
#define NTABLES (sizeof tables / sizeof tables[0])
static const float wobble[8] = { 1.0f, 0.8f, 1.1f, 0.9f, 1.2f, 0.7f, 1.0f, 1.05f };

static double fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

/* The state of table i, t seconds into the copy. */
static void table_at(struct engine_snapshot *out, size_t i, double t, struct engine_table_stats *s)
{
	const struct fake_table *ft = &tables[i];
	double el = t - ft->start;
	engine_table_stats_init(s);
	s->name = engine_snapshot_text(out, ft->name);
	s->bytes_est = (long long)ft->est;
	s->rows_est = (long long)(ft->est / 100);
	s->units_total = ft->est > 2 * GiB ? 4 : 1;
	s->segment_path = ft->est >= 1 * GiB;
	if (el < 0) {
		s->state = TABLE_QUEUED;
		return;
	}
	double end = ft->fail_after > 0 ? ft->fail_after : ft->est / ft->rate;
	double moved = (el < end ? el : end) * ft->rate;
	s->started_at = FAKE_T0 + ft->start;
	s->bytes_done = (long long)moved;
	s->rows_done = s->bytes_done / 100;
	if (el >= end) {
		s->state = ft->fail_after > 0 ? TABLE_FAILED : TABLE_DONE;
		s->finished_at = FAKE_T0 + ft->start + end;
		s->units_done = s->state == TABLE_DONE ? s->units_total : 0;
		s->units_failed = s->state == TABLE_FAILED;
		if (ft->error)
			s->error = engine_snapshot_text(out, ft->error);
		return;
	}
	s->state = TABLE_RUNNING;
	s->units_done = (int)(moved / ft->est * s->units_total);
	s->units_running = 1;
	s->rate_bps = ft->rate;
	s->rate_rows = ft->rate / 100;
	s->retries = i == 0 ? 1 : 0;
	float *h = engine_snapshot_history(out);
	s->rate_history = h;
	for (int k = 0; k < ENGINE_RATE_SAMPLES; k++) {
		double at = t - (ENGINE_RATE_SAMPLES - 1 - k) - ft->start;
		h[k] = at >= 0 && at < end ? (float)ft->rate * wobble[(k + i) % 8] : 0.0f;
	}
}

static void fake_copy_snapshot(void *ctx, struct engine_snapshot *out)
{
	struct fake *f = ctx;
	double t = f->now - f->copy_started;
	memset(out, 0, sizeof *out);
	out->now = f->now;
	out->started_at = f->copy_started;
	out->workers = 3;
	out->tables = xcalloc(NTABLES, sizeof *out->tables);
	out->ntables = NTABLES;
	out->tables_total = (int)NTABLES;
	double left = 0;
	for (size_t i = 0; i < NTABLES; i++) {
		struct engine_table_stats *s = &out->tables[i];
		table_at(out, i, t, s);
		if (f->waiting && i == 1 && s->state == TABLE_RUNNING)
			s->waiting = engine_snapshot_text(out, f->waiting);
		out->bytes_est += s->bytes_est;
		out->bytes_done += s->bytes_done;
		out->rows_done += s->rows_done;
		if (s->state != TABLE_FAILED)
			left += (double)(s->bytes_est - s->bytes_done);
		switch (s->state) {
		case TABLE_QUEUED: out->tables_queued++; break;
		case TABLE_RUNNING:
			out->tables_running++;
			out->rate_bps += s->rate_bps;
			for (int k = 0; k < ENGINE_RATE_SAMPLES; k++)
				out->rate_history[k] += s->rate_history[k];
			break;
		case TABLE_DONE: out->tables_done++; break;
		case TABLE_FAILED: out->tables_failed++; break;
		case TABLE_SKIPPED: out->tables_skipped++; break;
		}
	}
	out->workers_busy = out->tables_running;
	out->eta_seconds = out->rate_bps > 0 ? left / out->rate_bps : -1;
	out->paused = f->paused;
	out->cancelled = f->cancelled;
	out->finished = f->cancelled || (out->tables_running == 0 && out->tables_queued == 0);
}

static bool fake_copy_start(void *ctx, const struct plan *p, enum method m, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	struct fake *f = ctx;
	f->copy_started = f->now;
	f->copy_method = m;
	f->calls_copy_start++;
	log_info("copy: %zu tables, 12.9 GiB, on 3 workers", NTABLES);
	log_warn("sales.audit_log: 22P02: invalid input syntax for type integer: \"n/a\"; the other tables go on");
	return true;
}

static void fake_copy_pause(void *ctx, bool paused)
{
	((struct fake *)ctx)->paused = paused;
}

static void fake_copy_cancel(void *ctx)
{
	struct fake *f = ctx;
	f->cancelled = true;
	f->calls_cancel++;
}

static void fake_test_connection(void *ctx, const struct endpoint *ep, const char *role, struct ui_conn *out)
{
	(void)ctx;
	memset(out, 0, sizeof *out);
	out->tested = true;
	if (ep->host && strcmp(ep->host, "nowhere") == 0) {
		snprintf(out->error, sizeof out->error,
			 "08001: could not translate host name \"nowhere\" to address: Name or service not known");
		return;
	}
	out->ok = true;
	snprintf(out->desc, sizeof out->desc, "%s", strcmp(role, "source") == 0 ? "Greenplum 6.25.0"
										   : "AnalyticDB (Greenplum 6.3.0)");
}

static void opening(struct ui_openings *o, const char *id, const char *kind, const char *what, const char *undo,
		    bool ours, enum opening_state st)
{
	o->items = xrealloc(o->items, (o->n + 1) * sizeof *o->items);
	struct ui_opening *x = &o->items[o->n++];
	memset(x, 0, sizeof *x);
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->kind, sizeof x->kind, "%s", kind);
	snprintf(x->what, sizeof x->what, "%s", what);
	snprintf(x->undo, sizeof x->undo, "%s", undo);
	x->by_gp2adb = ours;
	x->state = st;
	x->opened_at = FAKE_T0 - 86400;
}

static bool fake_ledger_list(void *ctx, const struct plan *p, struct ui_openings *out, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	struct fake *f = ctx;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < f->ledger.n; i++) {
		const struct ui_opening *x = &f->ledger.items[i];
		opening(out, x->id, x->kind, x->what, x->undo, x->by_gp2adb, x->state);
	}
	return true;
}

static bool fake_ledger_record(void *ctx, const struct plan *p, const struct ui_opening *o, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	struct fake *f = ctx;
	opening(&f->ledger, "wl-1", o->kind, o->what, o->undo, o->by_gp2adb, o->state);
	f->calls_record++;
	return true;
}

static bool set_state(struct fake *f, const char *id, enum opening_state st, char *err, size_t size)
{
	for (size_t i = 0; i < f->ledger.n; i++)
		if (strcmp(f->ledger.items[i].id, id) == 0) {
			f->ledger.items[i].state = st;
			return true;
		}
	snprintf(err, size, "no opening %s", id);
	return false;
}

static bool fake_ledger_restore(void *ctx, const struct plan *p, const char *id, char *err, size_t size)
{
	(void)p;
	return set_state(ctx, id, OPENING_VERIFIED, err, size);
}

static bool fake_ledger_confirm(void *ctx, const struct plan *p, const char *id, char *err, size_t size)
{
	(void)p;
	return set_state(ctx, id, OPENING_RESTORED, err, size);
}

static bool fake_checks_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	(void)ctx, (void)p, (void)err, (void)size;
	return true;
}

static bool fake_checks_poll(void *ctx, struct findings *out, bool *ok, char *err, size_t size)
{
	(void)ctx, (void)err, (void)size;
	*ok = true;
	memset(out, 0, sizeof *out);
	findings_add(out, "versions", SEV_OK, "Greenplum 6.25.0 to AnalyticDB 6.3.0: supported",
		     "Both sides speak the Greenplum 6 catalog.", NULL, NULL);
	char **objs = strv_push(strv_push(NULL, "public.geo_points"), "public.routes");
	findings_add(out, "extensions.missing", SEV_FAIL, "Extension postgis is not available on the destination",
		     "Tables public.geo_points and public.routes use types from postgis 2.5, which the destination "
		     "does not offer.", "Install postgis on ADB from the console (Extensions), or exclude the two tables.",
		     objs);
	findings_add(out, "tables.no_pk", SEV_WARN, "2 tables have no primary key",
		     "Validation compares them by aggregates only.", "Add primary keys, or accept aggregate checks.",
		     NULL);
	findings_add(out, "snapshot", SEV_INFO, "All workers read from one exported snapshot",
		     "The source can export a snapshot: the copy is consistent without pausing writes.", NULL, NULL);
	return true;
}

static bool fake_advise(void *ctx, const struct plan *p, const struct findings *fi, struct advice *out, char *err,
			size_t size)
{
	(void)ctx, (void)p, (void)fi, (void)err, (void)size;
	memset(out, 0, sizeof *out);
	out->recommended = METHOD_ENGINE;
	out->reason = xstrdup("14 GiB over one network path: the COPY engine finishes in about 5 minutes and "
			      "needs nothing installed.");
	out->engine_path = PATH_SEGMENT;
	out->path_reason = xstrdup("segment to segment for 3 tables (12 GiB) through gp2adb's relay, which every "
				   "segment of both clusters reached; the others through the coordinators");
	static const char *const cond[] = {
		"Needs only the two connections; copies through this host.",
		"Needs SSH to the master and every segment host, and segments that reach ADB.",
		"Greenplum 4.3 and 5 sources only.",
		"Needs an OSS bucket in the destination's region.",
	};
	for (int i = 0; i < METHOD_COUNT; i++) {
		out->options[i].method = (enum method)i;
		out->options[i].usable = i <= METHOD_GPCOPY || i == METHOD_OSS;
		out->options[i].condition = xstrdup(cond[i]);
	}
	return true;
}

static bool fake_install_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	((struct fake *)ctx)->install_polls = 0;
	return true;
}

static void fake_install_poll(void *ctx, struct ui_install *out)
{
	struct fake *f = ctx;
	static const char *const hosts[] = { "mdw", "sdw1", "sdw2" };
	int step = f->install_polls++;
	out->n = 3;
	out->hosts = xcalloc(3, sizeof *out->hosts);
	for (int i = 0; i < 3; i++) {
		struct ui_host *h = &out->hosts[i];
		snprintf(h->name, sizeof h->name, "%s", hosts[i]);
		snprintf(h->role, sizeof h->role, "%s", i ? "segment" : "master");
		int s = step - i;
		h->state = s < 0 ? HOST_WAITING : s == 0 ? HOST_UPLOADING : s == 1 ? HOST_VERIFYING : HOST_DONE;
		if (h->state == HOST_DONE)
			snprintf(h->detail, sizeof h->detail, "gpcopy 2.6.0 verified (sha256 ok)");
	}
	out->finished = step >= 4;
}

/* The gpcopy tarball: only gpcopy-2.6.0.tar.gz "exists". */
static bool fake_tarball_check(void *ctx, const char *path, struct ui_tarball *out, char *err, size_t size)
{
	(void)ctx;
	memset(out, 0, sizeof *out);
	if (!strstr(path, "gpcopy-2.6.0.tar.gz")) {
		snprintf(err, size, "%s is not a gpcopy tarball holding gpcopy and gpcopy_helper (see the log)", path);
		return false;
	}
	out->checked = true;
	snprintf(out->path, sizeof out->path, "%s", path);
	snprintf(out->version, sizeof out->version, "2.6.0");
	snprintf(out->gpcopy, sizeof out->gpcopy, "gpcopy 21.3 MB, sha256 5f2c09a4be11");
	snprintf(out->helper, sizeof out->helper, "gpcopy_helper 9.8 MB, sha256 0b7e6d1c2a93");
	return true;
}

static void fake_tarball_default(void *ctx, char *path, size_t size)
{
	(void)ctx;
	snprintf(path, size, "/home/gpadmin/gpcopy-2.5.1.tar.gz");
}

static bool fake_gpcopy_preview(void *ctx, const struct plan *p, char *out, size_t size, char *err, size_t errsize)
{
	(void)ctx, (void)err, (void)errsize;
	snprintf(out, size, "PGPASSFILE=<0600 file, removed afterwards: ********> gpcopy --dbname "
		 "warehouse --%s --jobs %d --validate count --source-host mdw --source-port 5432 --source-user gpadmin "
		 "--dest-host gp-xxxx.gpdb.rds.aliyuncs.com --dest-port 5432 --dest-user adbadmin",
		 plan_mode_name(p->mode), p->jobs);
	return true;
}

static void fake_copy_retry(void *ctx, char *out, size_t size)
{
	(void)ctx;
	snprintf(out, size, "gp2adb copy --only-failed");
}

static const char *const objects[][2] = {
	{ "schema", "sales" }, { "table", "public.line_items" }, { "table", "public.orders" },
	{ "table", "sales.customers" }, { "view", "sales.v_customer_orders" }, { "sequence", "public.orders_id_seq" },
	{ "constraint", "orders_pkey on public.orders" },       /* post-data: after the copy */
};
#define FAKE_PRE_OBJECTS 6

static void schema_fill(struct fake *f, struct ui_schema *out, int done)
{
	size_t n = sizeof objects / sizeof objects[0];
	memset(out, 0, sizeof *out);
	out->objects = xcalloc(n, sizeof *out->objects);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct ui_object *o = &out->objects[i];
		snprintf(o->kind, sizeof o->kind, "%s", objects[i][0]);
		snprintf(o->name, sizeof o->name, "%s", objects[i][1]);
		o->post_data = i >= FAKE_PRE_OBJECTS;
		if (o->post_data) {
			o->state = f->schema_post && f->schema_polls > 0 ? OBJ_OK : OBJ_PENDING;
			snprintf(o->message, sizeof o->message, "%s", o->state == OBJ_OK ? "" : "after the copy");
		} else {
			o->state = f->schema_post || (int)i < done ? OBJ_OK : OBJ_PENDING;
		}
	}
	findings_add(&out->findings, "schema.abstime", SEV_WARN, "sales.customers.created uses abstime",
		     "abstime does not exist in newer releases.", "it is created as timestamptz", NULL);
	out->applying = true;
	out->finished = f->schema_post || done >= FAKE_PRE_OBJECTS;
	out->post_applying = f->schema_post;
	out->post_finished = f->schema_post && f->schema_polls > 0;
}

static bool fake_schema_load(void *ctx, const struct plan *p, struct ui_schema *out, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	schema_fill(ctx, out, 0);
	out->applying = false;
	return true;
}

static bool fake_schema_apply_start(void *ctx, const struct plan *p, bool post_data, char *err, size_t size)
{
	(void)p, (void)err, (void)size;
	struct fake *f = ctx;
	f->schema_polls = 0;
	f->schema_post = post_data;
	return true;
}

static void fake_schema_poll(void *ctx, struct ui_schema *out)
{
	struct fake *f = ctx;
	f->schema_polls++;
	schema_fill(f, out, 3 * f->schema_polls);
}

static bool fake_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	(void)ctx, (void)p, (void)err, (void)size;
	return true;
}

static void fake_validate_poll(void *ctx, struct ui_validation *out)
{
	struct fake *f = ctx;
	int step = f->validate_polls++;
	out->n = NTABLES;
	out->rows = xcalloc(NTABLES, sizeof *out->rows);
	for (size_t i = 0; i < NTABLES; i++) {
		struct ui_val_row *r = &out->rows[i];
		snprintf(r->table, sizeof r->table, "%s", tables[i].name);
		long long rows = (long long)(tables[i].est / 100);
		r->src_rows = rows;
		r->dst_rows = -1;
		r->state = (int)i < step * 5 ? VAL_OK : VAL_PENDING;
		if (r->state == VAL_OK)
			r->dst_rows = rows;
		if (i == 3 && r->state == VAL_OK) {
			r->state = VAL_DIFF;
			r->dst_rows = 41876;
			snprintf(r->detail, sizeof r->detail, "the copy failed: 41876 of %lld rows", rows);
		}
	}
	out->finished = step >= 2;
}

static void fake_analyze_poll(void *ctx, struct ui_analyze *out)
{
	struct fake *f = ctx;
	int step = f->analyze_polls++;
	out->tables_total = (int)NTABLES;
	out->tables_done = step * 4 > (int)NTABLES ? (int)NTABLES : step * 4;
	out->started_at = f->now - 4 * step;
	snprintf(out->current, sizeof out->current, "%s", out->tables_done < (int)NTABLES ? tables[out->tables_done].name : "");
	out->finished = out->tables_done == (int)NTABLES;
}

static bool fake_report_write(void *ctx, const struct ui_model *m, char *path, size_t pathsize, char *err,
			      size_t size)
{
	(void)ctx, (void)m, (void)err, (void)size;
	snprintf(path, pathsize, "/var/lib/gp2adb/m-20231114/report.txt");
	return true;
}

void fake_backend(struct ui_backend *be, struct fake *f, bool full)
{
	memset(be, 0, sizeof *be);
	memset(f, 0, sizeof *f);
	f->now = FAKE_T0;
	be->ctx = f;
	be->now = fake_now;
	be->test_connection = fake_test_connection;
	if (!full)
		return;
	opening(&f->ledger, "hba-7", "pg_hba", "host all gpadmin 10.0.0.5/32 on mdw (migration m-20231113)",
		"remove the gp2adb line from pg_hba.conf on mdw and reload", true, OPENING_OPEN);
	be->ledger_list = fake_ledger_list;
	be->ledger_record = fake_ledger_record;
	be->ledger_restore = fake_ledger_restore;
	be->ledger_confirm = fake_ledger_confirm;
	be->checks_start = fake_checks_start;
	be->checks_poll = fake_checks_poll;
	be->advise = fake_advise;
	be->tarball_check = fake_tarball_check;
	be->tarball_default = fake_tarball_default;
	be->install_start = fake_install_start;
	be->install_poll = fake_install_poll;
	be->gpcopy_preview = fake_gpcopy_preview;
	be->copy_retry = fake_copy_retry;
	be->schema_load = fake_schema_load;
	be->schema_apply_start = fake_schema_apply_start;
	be->schema_poll = fake_schema_poll;
	be->copy_start = fake_copy_start;
	be->copy_snapshot = fake_copy_snapshot;
	be->copy_pause = fake_copy_pause;
	be->copy_cancel = fake_copy_cancel;
	be->validate_start = fake_start;
	be->validate_poll = fake_validate_poll;
	be->analyze_start = fake_start;
	be->analyze_poll = fake_analyze_poll;
	be->report_write = fake_report_write;
	fake_cluster_bind(be);
}

void fake_done(struct fake *f)
{
	ui_openings_free(&f->ledger);
}
