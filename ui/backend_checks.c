/* The wizard's evaluation (3) and method (4) over preflight and the advisor. */
#include "backend_priv.h"
#include "advisor.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 3. Evaluation: preflight on its own connections. */
static void *checks_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->checks.plan;
	struct db_error e;
	char text[700], err[300] = "";
	struct findings f = { 0 };
	struct preflight_facts facts;
	bool ok = false;
	memset(&facts, 0, sizeof facts);
	PGconn *src = db_connect(&p->source, "wizard", &e);
	if (!src) {
		snprintf(err, sizeof err, "cannot connect to the source: %.250s", db_error_text(&e, text, sizeof text));
	} else {
		/* Unreachable destination: its checks become a finding saying so. */
		PGconn *dst = db_connect(&p->destination, "wizard", &e);
		struct preflight_options opt = { PREFLIGHT_WRITES_INTERVAL };
		ok = preflight_run(p, src, dst, &opt, &f, &facts, err, sizeof err);
		if (dst)
			PQfinish(dst);
		PQfinish(src);
	}
	pthread_mutex_lock(&c->mu);
	findings_free(&c->checks_out);
	c->checks_out = f;
	c->checks_ok = ok;
	c->facts = facts;
	snprintf(c->checks_err, sizeof c->checks_err, "%s", err);
	c->checks.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static bool core_checks_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (!core_job_start(c, &c->checks, checks_main, p, "the checks", err, size))
		return false;
	c->facts_ready = false;
	return true;
}

static bool core_checks_poll(void *ctx, struct findings *out, bool *ok, char *err, size_t size)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	bool done = c->checks.done;
	if (done) {
		*out = c->checks_out;
		memset(&c->checks_out, 0, sizeof c->checks_out);
		*ok = c->checks_ok;
		snprintf(err, size, "%s", c->checks_err);
	}
	pthread_mutex_unlock(&c->mu);
	if (done) {
		core_job_join(&c->checks);
		c->facts_ready = *ok;
	}
	return done;
}

/* 4. Method: the advisor over what the last checks measured. */
static bool core_advise(void *ctx, const struct plan *p, const struct findings *f, struct advice *out, char *err,
			size_t size)
{
	struct core *c = ctx;
	memset(out, 0, sizeof *out);
	if (!c->facts_ready) {
		snprintf(err, size, "the checks have not run to the end: run them first (Evaluation, r)");
		return false;
	}
	advisor_advise(p, &c->facts, f, advisor_host_is_local(p->source.host), out);
	return true;
}

void core_checks_bind(struct ui_backend *be)
{
	be->checks_start = core_checks_start;
	be->checks_poll = core_checks_poll;
	be->advise = core_advise;
}
