/* The wizard's business check (12) over bizcheck.c: the same queries file
 * and the same runs as gp2adb validate --queries, over every database of the
 * plan, its report saved beside the validation's. */
#include "backend_priv.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void row_from_result(const struct bizresult *r, bool multi, struct ui_biz_row *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", r->q->name);
	if (multi && r->database)
		snprintf(out->database, sizeof out->database, "%s", r->database);
	bool src_failed = r->src.rows < 0, dst_failed = r->dst.rows < 0;
	out->src_s = src_failed ? -1 : r->src.seconds;
	out->dst_s = dst_failed ? -1 : r->dst.seconds;
	out->slower = r->slower;
	if (r->status == BIZ_MATCH)
		out->state = BIZQ_MATCH;
	else if (r->status == BIZ_DIFFERS)
		out->state = BIZQ_DIFFERS;
	else
		out->state = src_failed && dst_failed ? BIZQ_FAILED_BOTH : src_failed ? BIZQ_FAILED_SRC : BIZQ_FAILED_DST;
	snprintf(out->detail, sizeof out->detail, "%.255s", r->detail);
}

/* The text and JSON reports in the migration's journal directory, as the
 * batch command saves them. */
static void save(const struct plan *p, const struct bizreport *r)
{
	char *text = bizcheck_report_text(r, p->business_queries), *json = bizcheck_report_json(r, p->business_queries);
	free(bizcheck_report_save(p, text, json));
	free(text);
	free(json);
}

static void *bizcheck_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->bizcheck.plan;
	struct bizreport r;
	struct core_dbs dbs;
	char err[512];
	memset(&r, 0, sizeof r);
	bool ran = core_dbs_load(p, &dbs, err, sizeof err);
	if (!ran)
		snprintf(r.error, sizeof r.error, "%s", err);
	for (size_t i = 0; ran && i < dbs.dbs.n; i++) {
		/* each database runs the queries of no database and those naming it */
		if (!dbs.dbs.v[i].on_source)
			continue;
		struct plan view;
		core_dbs_view(&dbs, p, i, &view);
		ran = dbs.multi ? bizcheck_append(&view, c->bizq, &r) : bizcheck_run(&view, c->bizq, &r);
	}
	if (ran)
		save(p, &r);
	struct ui_bizcheck out = { 0 };
	out.rows = xcalloc(r.n + 1, sizeof *out.rows);
	out.n = r.n;
	for (size_t i = 0; i < r.n; i++)
		row_from_result(&r.items[i], dbs.multi, &out.rows[i]);
	if (!ran)
		snprintf(out.error, sizeof out.error, "%s", r.error);
	out.finished = true;
	pthread_mutex_lock(&c->mu);
	out.total = c->biz.total;
	ui_bizcheck_free(&c->biz);
	c->biz = out;
	c->bizcheck.done = true;
	pthread_mutex_unlock(&c->mu);
	bizcheck_report_free(&r);
	core_dbs_free(&dbs);
	return NULL;
}

static bool core_bizcheck_start(void *ctx, const struct plan *p, const char *path, char *err, size_t size)
{
	struct core *c = ctx;
	if (core_job_running(c, &c->bizcheck)) {
		snprintf(err, size, "the business check is still running");
		return false;
	}
	core_job_join(&c->bizcheck);
	struct bizquery_list *l = xcalloc(1, sizeof *l);
	if (!bizcheck_load(path, l, err, size)) {
		free(l);
		return false;
	}
	if (c->bizq) {
		bizcheck_list_free(c->bizq);
		free(c->bizq);
	}
	c->bizq = l;
	pthread_mutex_lock(&c->mu);
	ui_bizcheck_free(&c->biz);
	c->biz.total = l->n;
	pthread_mutex_unlock(&c->mu);
	return core_job_start(c, &c->bizcheck, bizcheck_main, p, "the business check", err, size);
}

static void core_bizcheck_poll(void *ctx, struct ui_bizcheck *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->biz;
	out->rows = xcalloc(c->biz.n + 1, sizeof *out->rows);
	if (out->n)
		memcpy(out->rows, c->biz.rows, c->biz.n * sizeof *out->rows);
	pthread_mutex_unlock(&c->mu);
}

void core_bizcheck_done(struct core *c)
{
	core_job_join(&c->bizcheck);
	if (c->bizq) {
		bizcheck_list_free(c->bizq);
		free(c->bizq);
	}
	ui_bizcheck_free(&c->biz);
}

void core_bizcheck_bind(struct ui_backend *be)
{
	be->bizcheck_start = core_bizcheck_start;
	be->bizcheck_poll = core_bizcheck_poll;
}
