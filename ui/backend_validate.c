/* The wizard's validation (10) over validate.c, and the adapters the
 * validate live view shares. */
#include "backend_priv.h"
#include "mem.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 10. Validation. */
static enum val_state val_state_of(enum validate_status s)
{
	switch (s) {
	case VALIDATE_PENDING: return VAL_PENDING;
	case VALIDATE_RUNNING: return VAL_RUNNING;
	case VALIDATE_MATCH: return VAL_OK;
	case VALIDATE_DIFFER:
	case VALIDATE_MISSING:
	case VALIDATE_EXTRA: return VAL_DIFF;
	case VALIDATE_ERROR: break;
	}
	return VAL_ERROR;
}

void ui_validation_from_snapshot(const struct validate_snapshot *s, struct ui_validation *out)
{
	memset(out, 0, sizeof *out);
	out->rows = xcalloc(s->ntables + 1, sizeof *out->rows);
	out->n = s->ntables;
	for (size_t i = 0; i < s->ntables; i++) {
		struct ui_val_row *r = &out->rows[i];
		snprintf(r->table, sizeof r->table, "%s", s->tables[i].name);
		r->state = val_state_of(s->tables[i].status);
		r->src_rows = r->dst_rows = -1;
		if (s->tables[i].status == VALIDATE_MISSING)
			snprintf(r->detail, sizeof r->detail, "missing on the destination");
		else if (s->tables[i].status == VALIDATE_EXTRA)
			snprintf(r->detail, sizeof r->detail, "only on the destination");
	}
}

void ui_validation_from_result(const struct validate_result *res, struct ui_validation *out)
{
	memset(out, 0, sizeof *out);
	out->rows = xcalloc(res->n + 1, sizeof *out->rows);
	out->n = res->n;
	out->finished = true;
	for (size_t i = 0; i < res->n; i++) {
		const struct validate_table *t = &res->tables[i];
		struct ui_val_row *r = &out->rows[i];
		snprintf(r->table, sizeof r->table, "%s", t->qualified);
		r->state = val_state_of(t->status);
		r->src_rows = t->src_rows;
		r->dst_rows = t->dst_rows;
		char checks[80];
		switch (t->status) {
		case VALIDATE_MISSING: snprintf(r->detail, sizeof r->detail, "missing on the destination"); break;
		case VALIDATE_EXTRA: snprintf(r->detail, sizeof r->detail, "only on the destination"); break;
		case VALIDATE_ERROR: snprintf(r->detail, sizeof r->detail, "%.255s", t->error); break;
		case VALIDATE_DIFFER:
			if (t->details && t->details[0])
				snprintf(r->detail, sizeof r->detail, "%s", t->details[0]);
			else
				snprintf(r->detail, sizeof r->detail, "%s differs",
					 validate_checks_text(t->differed, checks, sizeof checks));
			break;
		default:
			if (t->sampled)
				snprintf(r->detail, sizeof r->detail, "sampled %d%%", t->sample_percent);
			break;
		}
	}
}

/* Append v's rows to all, their tables named in db (several databases). */
static void val_append(struct ui_validation *all, const struct ui_validation *v, const char *db)
{
	all->rows = xrealloc(all->rows, (all->n + v->n + 1) * sizeof *all->rows);
	for (size_t i = 0; i < v->n; i++) {
		all->rows[all->n + i] = v->rows[i];
		core_db_qualify(db, v->rows[i].table, all->rows[all->n + i].table, sizeof all->rows[0].table);
	}
	all->n += v->n;
}

/* A row saying why a database (or the whole validation) did not run. */
static void val_error_row(struct ui_validation *all, const char *db, const char *err)
{
	struct ui_val_row r = { .state = VAL_ERROR, .src_rows = -1, .dst_rows = -1 };
	struct ui_validation one = { .rows = &r, .n = 1 };
	if (db)
		snprintf(r.table, sizeof r.table, "\"%.120s\" (database)", db);
	else
		snprintf(r.table, sizeof r.table, "(validation)");
	snprintf(r.detail, sizeof r.detail, "%.255s", err);
	val_append(all, &one, NULL);
}

/* Publish the rows of the databases done, then the running one's. */
static void val_publish(struct core *c, const struct ui_validation *done, const struct ui_validation *cur,
			const char *db, bool finished)
{
	pthread_mutex_lock(&c->mu);
	ui_validation_free(&c->val);
	val_append(&c->val, done, NULL);
	if (cur)
		val_append(&c->val, cur, db);
	c->val.finished = finished;
	c->validate.done = finished;
	pthread_mutex_unlock(&c->mu);
}

/* One database's validation, polled into the published rows. */
static void validate_one(struct core *c, const struct plan *p, const char *db, struct ui_validation *done)
{
	struct validate_options o;
	char err[1024];
	bool connect_failed, cancelled = false;
	validate_options_from_plan(&o, p);
	struct validate_run *run = validate_start(p, &o, err, sizeof err, &connect_failed);
	if (!run) {
		val_error_row(done, db, err);
		return;
	}
	for (;;) {
		validate_poll(run, 200);
		struct validate_snapshot s;
		struct ui_validation cur;
		validate_snapshot(run, &s);
		ui_validation_from_snapshot(&s, &cur);
		pthread_mutex_lock(&c->mu);
		bool cancel = c->validate_cancel;
		pthread_mutex_unlock(&c->mu);
		if (cancel && !cancelled) {
			validate_cancel(run);
			cancelled = true;
		}
		val_publish(c, done, &cur, db, false);
		ui_validation_free(&cur);
		bool end = s.finished || s.cancelled;
		validate_snapshot_free(&s);
		if (end)
			break;
	}
	struct validate_result res;
	struct ui_validation fin;
	validate_finish(run, &res);
	char *path = NULL;
	validate_report_save(p, &res, &path);   /* a failure is logged */
	free(path);
	ui_validation_from_result(&res, &fin);
	val_append(done, &fin, db);
	ui_validation_free(&fin);
	validate_result_free(&res);
}

static void *validate_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->validate.plan;
	struct ui_validation done = { 0 };
	struct core_dbs dbs;
	char err[700];
	if (!core_dbs_load(p, &dbs, err, sizeof err)) {
		val_error_row(&done, NULL, err);
	} else {
		for (size_t i = 0; i < dbs.dbs.n; i++) {
			const char *db = core_dbs_name(&dbs, i);
			pthread_mutex_lock(&c->mu);
			bool cancel = c->validate_cancel;
			pthread_mutex_unlock(&c->mu);
			if (cancel)
				break;
			if (!dbs.dbs.v[i].on_source) {
				val_error_row(&done, db, "the source has no such database");
				continue;
			}
			struct plan view;
			core_dbs_view(&dbs, p, i, &view);
			validate_one(c, &view, db, &done);
		}
	}
	val_publish(c, &done, NULL, NULL, true);
	ui_validation_free(&done);
	core_dbs_free(&dbs);
	return NULL;
}

static bool core_validate_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (core_job_running(c, &c->validate)) {
		snprintf(err, size, "the validation is still running");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	c->validate_cancel = false;
	ui_validation_free(&c->val);
	pthread_mutex_unlock(&c->mu);
	return core_job_start(c, &c->validate, validate_main, p, "the validation", err, size);
}

static void core_validate_poll(void *ctx, struct ui_validation *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->val;
	out->rows = xcalloc(c->val.n + 1, sizeof *out->rows);
	if (out->n)
		memcpy(out->rows, c->val.rows, c->val.n * sizeof *out->rows);
	pthread_mutex_unlock(&c->mu);
}

void core_validate_bind(struct ui_backend *be)
{
	be->validate_start = core_validate_start;
	be->validate_poll = core_validate_poll;
}
