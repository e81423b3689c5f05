/* The wizard's evaluation and method steps over preflight and the advisor. */
#include "backend_priv.h"
#include "advisor.h"
#include "db.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One database's checks, its findings moved into *all (titles prefixed with
 * the database's name when there are several) and its facts added to
 * *facts.  false: the source could not be read (err). */
static bool check_database(const struct plan *view, const char *db, bool first, struct findings *all,
			   struct preflight_facts *facts, char *err, size_t errsize)
{
	struct db_error e;
	char text[700];
	PGconn *src = db_connect(&view->source, "wizard", &e);
	if (!src) {
		snprintf(err, errsize, "cannot connect to the source%s%s: %.250s", db ? " database " : "", db ? db : "",
			 db_error_text(&e, text, sizeof text));
		return false;
	}
	/* Unreachable destination: its checks become a finding saying so.  A
	 * database the schema step has yet to create is checked through the
	 * destination's postgres database, as gp2adb check does. */
	PGconn *dst = db_connect(&view->destination, "wizard", &e);
	if (!dst && db) {
		struct endpoint maint = view->destination;
		maint.dbname = "postgres";
		dst = db_connect(&maint, "wizard", &e);
	}
	struct findings f = { 0 };
	struct preflight_facts fa;
	memset(&fa, 0, sizeof fa);
	struct preflight_options opt = { PREFLIGHT_WRITES_INTERVAL };
	bool ok = preflight_run(view, src, dst, &opt, &f, &fa, err, errsize);
	if (dst)
		PQfinish(dst);
	PQfinish(src);
	for (size_t i = 0; i < f.n; i++) {
		struct finding *x = &f.items[i];
		char *title = db ? xasprintf("%s: %s", db, x->title) : xstrdup(x->title);
		findings_add(all, x->id, x->severity, title, x->detail, x->remedy, x->objects);
		x->objects = NULL;      /* taken */
		free(title);
	}
	findings_free(&f);
	if (!ok)
		return false;
	if (first) {
		*facts = fa;
	} else {
		facts->total_bytes += fa.total_bytes;
		facts->total_rows += fa.total_rows;
		facts->segment_path_bytes += fa.segment_path_bytes;
		facts->segment_path_tables += fa.segment_path_tables;
	}
	return true;
}

/* 3. Evaluation: preflight on its own connections, for every database the
 * plan migrates. */
static void *checks_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->checks.plan;
	char err[300] = "";
	struct findings f = { 0 };
	struct preflight_facts facts;
	memset(&facts, 0, sizeof facts);
	struct core_dbs dbs;
	bool ok = core_dbs_load(p, &dbs, err, sizeof err);
	bool first = true;
	for (size_t i = 0; ok && i < dbs.dbs.n; i++) {
		const char *db = core_dbs_name(&dbs, i);
		if (!dbs.dbs.v[i].on_source) {
			char *title = xasprintf("database %s is not on the source", db);
			findings_add(&f, "databases.missing", SEV_FAIL, title,
				     "migration.databases (or the wizard's Databases step) names it, but the source has no such database.",
				     "Untick it, or correct the name in migration.databases.", NULL);
			free(title);
			continue;
		}
		struct plan view;
		core_dbs_view(&dbs, p, i, &view);
		ok = check_database(&view, db, first, &f, &facts, err, sizeof err);
		first = false;
	}
	core_dbs_free(&dbs);
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
