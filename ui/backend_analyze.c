/* The wizard's ANALYZE step (11) over analyze.c. */
#include "backend_priv.h"
#include "analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 11. ANALYZE. */
static void analyze_progress(const struct analyze_item *it, size_t done, size_t total, void *arg)
{
	struct core *c = arg;
	pthread_mutex_lock(&c->mu);
	c->an.tables_total = (int)total;
	c->an.tables_done = (int)done;
	if (!it->ok) {
		c->an.tables_failed++;
		snprintf(c->an.error, sizeof c->an.error, "%.120s: %.130s", it->qualified, it->error);
	}
	pthread_mutex_unlock(&c->mu);
}

static void *analyze_main(void *arg)
{
	struct core *c = arg;
	struct analyze_result res;
	char err[1024];
	bool connect_failed;
	const struct plan *p = c->analyze.plan;
	bool ok = analyze_run(p, p->jobs, analyze_progress, c, &res, err, sizeof err, &connect_failed);
	pthread_mutex_lock(&c->mu);
	if (!ok) {
		snprintf(c->an.error, sizeof c->an.error, "%.255s", err);
	} else {
		c->an.tables_total = (int)res.n;
		c->an.tables_done = (int)res.n;
		c->an.tables_failed = res.failed;
	}
	c->an.current[0] = '\0';
	c->an.finished = true;
	c->analyze.done = true;
	pthread_mutex_unlock(&c->mu);
	analyze_result_free(&res);
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
