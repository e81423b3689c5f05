/* The wizard's ANALYZE step (11) over analyze.c. */
#include "backend_priv.h"
#include "analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 14. ANALYZE, database by database. */
struct an_progress {
	struct core *c;
	const char *db;
	int base_total, base_done;      /* the databases before this one */
};

static void analyze_progress(const struct analyze_item *it, size_t done, size_t total, void *arg)
{
	struct an_progress *a = arg;
	struct core *c = a->c;
	pthread_mutex_lock(&c->mu);
	c->an.tables_total = a->base_total + (int)total;
	c->an.tables_done = a->base_done + (int)done;
	core_db_qualify(a->db, it->qualified, c->an.current, sizeof c->an.current);
	if (!it->ok) {
		c->an.tables_failed++;
		snprintf(c->an.error, sizeof c->an.error, "%.120s: %.130s", c->an.current, it->error);
	}
	pthread_mutex_unlock(&c->mu);
}

static void *analyze_main(void *arg)
{
	struct core *c = arg;
	char err[1024];
	const struct plan *p = c->analyze.plan;
	struct core_dbs dbs;
	struct an_progress a = { .c = c };
	if (!core_dbs_load(p, &dbs, err, sizeof err)) {
		pthread_mutex_lock(&c->mu);
		snprintf(c->an.error, sizeof c->an.error, "%.255s", err);
		pthread_mutex_unlock(&c->mu);
	}
	for (size_t i = 0; i < dbs.dbs.n; i++) {
		struct analyze_result res;
		bool connect_failed;
		struct plan view;
		a.db = core_dbs_name(&dbs, i);
		if (!dbs.dbs.v[i].on_source)
			continue;
		core_dbs_view(&dbs, p, i, &view);
		bool ok = analyze_run(&view, view.jobs, analyze_progress, &a, &res, err, sizeof err, &connect_failed);
		pthread_mutex_lock(&c->mu);
		if (!ok) {
			/* named; the other databases go on */
			snprintf(c->an.error, sizeof c->an.error, "%s%s%.230s", a.db ? a.db : "", a.db ? ": " : "", err);
		} else {
			a.base_total += (int)res.n;
			a.base_done += (int)res.n;
			c->an.tables_total = a.base_total;
			c->an.tables_done = a.base_done;
		}
		pthread_mutex_unlock(&c->mu);
		analyze_result_free(&res);
	}
	pthread_mutex_lock(&c->mu);
	c->an.current[0] = '\0';
	c->an.finished = true;
	c->analyze.done = true;
	pthread_mutex_unlock(&c->mu);
	core_dbs_free(&dbs);
	return NULL;
}

static bool core_analyze_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (core_job_running(c, &c->analyze)) {
		snprintf(err, size, "ANALYZE is still running");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	memset(&c->an, 0, sizeof c->an);
	c->an.started_at = core_now(c);
	pthread_mutex_unlock(&c->mu);
	return core_job_start(c, &c->analyze, analyze_main, p, "ANALYZE", err, size);
}

static void core_analyze_poll(void *ctx, struct ui_analyze *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->an;
	pthread_mutex_unlock(&c->mu);
}

void core_analyze_bind(struct ui_backend *be)
{
	be->analyze_start = core_analyze_start;
	be->analyze_poll = core_analyze_poll;
}
