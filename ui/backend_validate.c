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

static void val_publish_error(struct core *c, const char *err)
{
	pthread_mutex_lock(&c->mu);
	ui_validation_free(&c->val);
	c->val.rows = xcalloc(1, sizeof *c->val.rows);
	c->val.n = 1;
	snprintf(c->val.rows[0].table, sizeof c->val.rows[0].table, "(validation)");
	c->val.rows[0].state = VAL_ERROR;
	c->val.rows[0].src_rows = c->val.rows[0].dst_rows = -1;
	snprintf(c->val.rows[0].detail, sizeof c->val.rows[0].detail, "%.255s", err);
	c->val.finished = true;
	c->validate.done = true;
	pthread_mutex_unlock(&c->mu);
}

static void *validate_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->validate.plan;
	struct validate_options o;
	char err[1024];
	bool connect_failed, cancelled = false;
	validate_options_from_plan(&o, p);
	struct validate_run *run = validate_start(p, &o, err, sizeof err, &connect_failed);
	if (!run) {
		val_publish_error(c, err);
		return NULL;
	}
	for (;;) {
		validate_poll(run, 200);
		struct validate_snapshot s;
		validate_snapshot(run, &s);
		pthread_mutex_lock(&c->mu);
		if (c->validate_cancel && !cancelled) {
			validate_cancel(run);
			cancelled = true;
		}
		ui_validation_free(&c->val);
		ui_validation_from_snapshot(&s, &c->val);
		pthread_mutex_unlock(&c->mu);
		bool done = s.finished || s.cancelled;
		validate_snapshot_free(&s);
		if (done)
			break;
	}
	struct validate_result res;
	validate_finish(run, &res);
	char *path = NULL;
	validate_report_save(p, &res, &path);   /* a failure is logged */
	free(path);
	pthread_mutex_lock(&c->mu);
	ui_validation_free(&c->val);
	ui_validation_from_result(&res, &c->val);
	c->validate.done = true;
	pthread_mutex_unlock(&c->mu);
	validate_result_free(&res);
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
