/* engine_group: one copy of several databases.  An engine per database
 * (its own snapshot, catalog, markers and journal), all started at once, and
 * one pool of `jobs` slots that their workers share: a unit of any database
 * runs only while it holds a slot, so the run never has more than `jobs`
 * units going, and no worker sits idle while another database has work.
 * To its callers the group is one engine: its snapshot lists every table as
 * "database"."schema"."table", its outcome is the worst of its databases. */
#include "engine_priv.h"
#include "clock.h"
#include "cluster.h"
#include "copy_journal.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine_slots {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int free;
};

bool engine_slot_try(struct engine_slots *s)
{
	pthread_mutex_lock(&s->lock);
	bool ok = s->free > 0;
	if (ok)
		s->free--;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

bool engine_slot_acquire(struct engine_slots *s, const atomic_bool *cancel)
{
	pthread_mutex_lock(&s->lock);
	while (s->free == 0 && !atomic_load(cancel)) {
		struct timespec ts = clock_deadline(0.2);
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	bool ok = s->free > 0 && !atomic_load(cancel);
	if (ok)
		s->free--;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

void engine_slot_release(struct engine_slots *s)
{
	pthread_mutex_lock(&s->lock);
	s->free++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

struct engine_group {
	struct cluster_dbs dbs;
	struct plan *plans;             /* per database: views on the parent's plan */
	struct engine **children;       /* NULL where the database could not start */
	char (*errors)[600];            /* why a database could not start */
	int *codes;                     /* its exit code then */
	struct engine_slots slots;
};

/* The databases that could not start, in the parent's journal, so that
 * --only-failed copies them whole next time (the others retry only their
 * failed tables, from their own journals). */
#define FAILED_DATABASES "copy-failed-databases.list"

static void group_record_failed(struct engine *e)
{
	struct engine_group *g = e->group;
	char **names = NULL;
	for (size_t i = 0; i < g->dbs.n; i++)
		if (g->errors[i][0])
			names = strv_push(names, g->dbs.v[i].name);
	if (e->journal_dir || (e->journal_dir = copy_journal_dir(e->plan->state_dir, e->migration_id)))
		(void)copy_journal_write_list(e->journal_dir, FAILED_DATABASES, names);
	strv_free(names);
}

static char **group_failed_before(struct engine *e)
{
	char **names = NULL;
	if (e->journal_dir || (e->journal_dir = copy_journal_dir(e->plan->state_dir, e->migration_id)))
		(void)copy_journal_read_list(e->journal_dir, FAILED_DATABASES, &names);
	return names;
}

static bool in_list(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

bool engine_group_start(struct engine *e)
{
	struct engine_group *g = xcalloc(1, sizeof *g);
	e->group = g;
	e->started_at = engine_now();
	pthread_mutex_init(&g->slots.lock, NULL);
	pthread_cond_init(&g->slots.cond, NULL);
	g->slots.free = e->plan->jobs > 0 ? e->plan->jobs : 1;
	char err[600];
	bool connect_failed;
	if (!cluster_databases(e->plan, &g->dbs, &connect_failed, err, sizeof err)) {
		log_error("%s", err);
		return engine_setup_fail(e, connect_failed ? EXIT_CONNECT : EXIT_USAGE);
	}
	size_t n = g->dbs.n;
	g->plans = xcalloc(n + 1, sizeof *g->plans);
	g->children = xcalloc(n + 1, sizeof *g->children);
	g->errors = xcalloc(n + 1, sizeof *g->errors);
	g->codes = xcalloc(n + 1, sizeof *g->codes);
	size_t started = 0;
	char **failed_dbs = e->opt.only_failed ? group_failed_before(e) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct cluster_db *d = &g->dbs.v[i];
		if (!d->on_source) {
			snprintf(g->errors[i], sizeof g->errors[i], "database %s: the source has no such database",
				 d->name);
			g->codes[i] = EXIT_USAGE;
			log_error("%s", g->errors[i]);
			continue;
		}
		cluster_plan_for(e->plan, d->name, &g->plans[i]);
		struct engine_options opt = e->opt;
		opt.slots = &g->slots;
		/* --only-failed: a database that could not start last time is
		 * copied whole (resumed); one without a failed table is left */
		if (opt.only_failed && in_list(failed_dbs, d->name)) {
			opt.only_failed = false;
		} else if (opt.only_failed && !copy_journal_has_failed(e->plan->state_dir, &g->plans[i])) {
			log_info("database %s: no table failed last time", d->name);
			continue;
		}
		struct engine *c = engine_new(&g->plans[i], &opt);
		if (!engine_start(c)) {
			g->codes[i] = engine_exit_code(c);
			snprintf(g->errors[i], sizeof g->errors[i], "database %s: the copy could not start (exit %d; "
				 "see the log above)", d->name, g->codes[i]);
			log_error("%s", g->errors[i]);
			engine_free(c);
			continue;
		}
		g->children[i] = c;
		started++;
	}
	strv_free(failed_dbs);
	log_info("%zu of %zu databases copying on %d shared workers", started, n,
		 e->plan->jobs > 0 ? e->plan->jobs : 1);
	group_record_failed(e);
	if (started == 0) {
		int code = EXIT_USAGE;
		for (size_t i = 0; i < n; i++)
			if (g->codes[i] == EXIT_CONNECT)
				code = EXIT_CONNECT;
		return engine_setup_fail(e, code);
	}
	return true;
}

/* Merge the databases' snapshots: tables named "db"."schema"."table". */
void engine_group_snapshot(struct engine *e, struct engine_snapshot *out)
{
	struct engine_group *g = e->group;
	memset(out, 0, sizeof *out);
	out->now = engine_now();
	out->started_at = e->started_at;
	out->eta_seconds = 0;
	out->finished = true;
	size_t cap = 0;
	double weight_left = 0;
	for (size_t i = 0; g && i < g->dbs.n; i++) {
		if (!g->children[i])
			continue;
		struct engine_snapshot s;
		engine_snapshot(g->children[i], &s);
		out->workers += s.workers;
		out->workers_busy += s.workers_busy;
		out->tables_total += s.tables_total;
		out->tables_queued += s.tables_queued;
		out->tables_running += s.tables_running;
		out->tables_done += s.tables_done;
		out->tables_failed += s.tables_failed;
		out->tables_skipped += s.tables_skipped;
		out->bytes_est += s.bytes_est;
		out->bytes_done += s.bytes_done;
		out->rows_done += s.rows_done;
		out->rate_bps += s.rate_bps;
		for (int k = 0; k < ENGINE_RATE_SAMPLES; k++)
			out->rate_history[k] += s.rate_history[k];
		out->paused |= s.paused;
		out->cancelled |= s.cancelled;
		out->finished &= s.finished;
		if (s.eta_seconds < 0)
			out->eta_seconds = -1;
		else if (out->eta_seconds >= 0 && s.eta_seconds > out->eta_seconds)
			out->eta_seconds = s.eta_seconds;
		weight_left += (double)(s.bytes_est - s.bytes_done);
		if (out->ntables + s.ntables > cap) {
			cap = (out->ntables + s.ntables) * 2;
			out->tables = xrealloc(out->tables, cap * sizeof *out->tables);
		}
		for (size_t t = 0; t < s.ntables; t++) {
			/* s is freed below: its strings are copied into out */
			char *q = xasprintf("\"%s\".%s", g->dbs.v[i].name, s.tables[t].name);
			engine_table_stats_copy(out, &out->tables[out->ntables++], &s.tables[t], q);
			free(q);
		}
		engine_snapshot_free(&s);
	}
	(void)weight_left;
	/* a database that could not start shows as a failed line of its own */
	for (size_t i = 0; g && i < g->dbs.n; i++) {
		if (g->children[i] || !g->errors[i][0])
			continue;
		out->tables = xrealloc(out->tables, (out->ntables + 1) * sizeof *out->tables);
		struct engine_table_stats *t = &out->tables[out->ntables++];
		engine_table_stats_init(t);
		char *name = xasprintf("\"%s\" (database)", g->dbs.v[i].name);
		t->name = engine_snapshot_text(out, name);
		free(name);
		t->state = TABLE_FAILED;
		t->error = engine_snapshot_text(out, g->errors[i]);
		out->tables_total++;
		out->tables_failed++;
	}
	/* the workers are shared: as many as there are slots */
	if (g && out->workers > e->plan->jobs)
		out->workers = e->plan->jobs;
}

bool engine_group_wait_finished(struct engine *e, double seconds)
{
	struct engine_group *g = e->group;
	double until = clock_mono() + seconds;
	for (size_t i = 0; i < g->dbs.n; i++) {
		if (!g->children[i])
			continue;
		double left = until - clock_mono();
		if (!engine_wait_finished(g->children[i], left > 0 ? left : 0))
			return false;
	}
	return true;
}

void engine_group_cancel(struct engine *e)
{
	struct engine_group *g = e->group;
	atomic_store(&e->cancel, true);
	for (size_t i = 0; i < g->dbs.n; i++)
		if (g->children[i])
			engine_cancel(g->children[i]);
}

void engine_group_pause(struct engine *e, bool paused)
{
	struct engine_group *g = e->group;
	for (size_t i = 0; i < g->dbs.n; i++)
		if (g->children[i])
			engine_pause(g->children[i], paused);
}

/* The worst outcome: interrupted over failed over not started over ok. */
enum engine_outcome engine_group_wait(struct engine *e)
{
	struct engine_group *g = e->group;
	int code = EXIT_OK;
	bool failed = false, cancelled = false;
	for (size_t i = 0; g && i < g->dbs.n; i++) {
		int c;
		if (g->children[i]) {
			enum engine_outcome o = engine_wait(g->children[i]);
			c = engine_exit_code(g->children[i]);
			cancelled |= o == ENGINE_CANCELLED;
			failed |= o == ENGINE_TABLES_FAILED;
		} else {
			c = g->codes[i];
			failed = true;
		}
		if (c == EXIT_INTERRUPTED || (code != EXIT_INTERRUPTED && c != EXIT_OK && code == EXIT_OK))
			code = c;
	}
	if (!g) {
		return e->outcome;
	}
	e->exit_code = code;
	e->outcome = cancelled ? ENGINE_CANCELLED : failed ? ENGINE_TABLES_FAILED : ENGINE_OK;
	if (code != EXIT_OK && code != EXIT_INTERRUPTED && e->outcome == ENGINE_OK)
		e->outcome = ENGINE_TABLES_FAILED;
	return e->outcome;
}

void engine_group_free(struct engine *e)
{
	struct engine_group *g = e->group;
	if (!g)
		return;
	for (size_t i = 0; i < g->dbs.n; i++)
		engine_free(g->children[i]);
	free(g->children);
	free(g->plans);
	free(g->errors);
	free(g->codes);
	cluster_dbs_free(&g->dbs);
	pthread_mutex_destroy(&g->slots.lock);
	pthread_cond_destroy(&g->slots.cond);
	free(g);
	e->group = NULL;
}
