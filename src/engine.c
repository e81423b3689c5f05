/* engine: setup (connections, snapshot, catalog, markers, units), the
 * lifecycle, and the snapshot the UI reads.  Workers: engine_worker.c. */
#include "engine_priv.h"
#include "clock.h"
#include "cluster.h"
#include "copy_journal.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "segpath.h"
#include "session.h"
#include "strbuf.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double engine_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct engine *engine_new(const struct plan *p, const struct engine_options *opt)
{
	struct engine *e = xcalloc(1, sizeof *e);
	e->plan = p;
	if (opt)
		e->opt = *opt;
	if (e->opt.only_failed)
		e->opt.resume = true;
	char base[16];
	plan_migration_id(p, base);
	snprintf(e->migration_id, sizeof e->migration_id, "%s%s", base,
		 e->opt.migration_suffix ? e->opt.migration_suffix : "");
	snprintf(e->retry_command, sizeof e->retry_command, "gp2adb copy --only-failed%s%s",
		 p->config_path ? " -c " : "", p->config_path ? p->config_path : "");
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	pthread_mutex_init(&e->stats_lock, NULL);
	rate_window_init(&e->total_rate);
	e->exit_code = EXIT_OK;
	return e;
}

const char *engine_retry_command(const struct engine *e)
{
	return e->retry_command;
}

int engine_exit_code(const struct engine *e)
{
	return e->exit_code;
}

/* ---- setup ---- */

bool engine_setup_fail(struct engine *e, int code)
{
	e->exit_code = code;
	e->outcome = ENGINE_SETUP_FAILED;
	return false;
}

static PGconn *connect_side(struct engine *e, const struct endpoint *ep, const char *role,
			    struct flavor *f)
{
	struct db_error err;
	char *where = db_endpoint_describe(ep);
	PGconn *c = db_connect(ep, role, &err);
	if (!c) {
		log_error("%s %s: cannot connect: %s", role, where, err.message);
		free(where);
		engine_setup_fail(e, EXIT_CONNECT);
		return NULL;
	}
	if (!db_flavor(c, f, NULL, &err)) {
		log_error("%s %s: %s", role, where, err.message);
		free(where);
		PQfinish(c);
		engine_setup_fail(e, EXIT_CONNECT);
		return NULL;
	}
	free(where);
	return c;
}

static bool take_snapshot(struct engine *e)
{
	struct db_error err;
	if (!e->sf.snapshot_export) {
		char desc[160];
		flavor_describe(&e->sf, desc, sizeof desc);
		log_warn("source (%s) cannot share one snapshot between workers: each table is read at "
			 "its own moment; pause writes on the source while the copy runs", desc);
		return true;
	}
	if (!db_exec(e->coord, "BEGIN ISOLATION LEVEL REPEATABLE READ", &err))
		goto fail;
	if (e->sf.pg_num >= 90600)
		(void)db_exec(e->coord, "SET LOCAL idle_in_transaction_session_timeout = 0", NULL);
	PGresult *r = db_query(e->coord, "SELECT pg_export_snapshot()", 0, NULL, &err);
	if (!r)
		goto fail;
	snprintf(e->snapshot, sizeof e->snapshot, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	log_info("source snapshot %s shared by all workers", e->snapshot);
	return true;
fail:
	log_error("source: cannot export a snapshot: %s: %s", err.sqlstate, err.message);
	return engine_setup_fail(e, EXIT_USAGE);
}

static int count_segments(struct engine *e)
{
	if (!e->sf.mpp)
		return 0;
	PGresult *r = db_query(e->coord, "SELECT count(*) FROM gp_segment_configuration "
			       "WHERE content >= 0 AND role = 'p'", 0, NULL, NULL);
	int n = r ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return n;
}

static void *monitor_main(void *arg);

bool engine_start(struct engine *e)
{
	const struct plan *p = e->plan;
	if (cluster_multi(p))
		return engine_group_start(e);
	struct db_error err;
	e->started_at = engine_now();
	e->coord = connect_side(e, &p->source, "source", &e->sf);
	if (!e->coord)
		return false;
	PGconn *dst = connect_side(e, &p->destination, "destination", &e->df);
	if (!dst)
		return false;
	bool ok = false;
	char text[1024];
	if (!encoding_prepare(e->coord, dst, p, &e->enc, text, sizeof text)) {
		log_error("%s", text);
		engine_setup_fail(e, EXIT_PREFLIGHT);
		goto out;
	}
	e->journal_dir = copy_journal_dir(p->state_dir, e->migration_id);
	if (!e->journal_dir) {
		engine_setup_fail(e, EXIT_USAGE);
		goto out;
	}
	/* The catalog and the tables' change fingerprints are read before the
	 * snapshot: a write in between makes the next resume redo the table
	 * rather than trust units read at two moments (source_state.h). */
	if (!catalog_tables(e->coord, &e->sf, p, &e->cat, &err) ||
	    !catalog_sequences(e->coord, &e->sf, p, &e->seqs, &err)) {
		log_error("source: reading the catalog: %s: %s", err.sqlstate, err.message);
		engine_setup_fail(e, EXIT_USAGE);
		goto out;
	}
	e->segments = count_segments(e);
	int code = EXIT_USAGE;
	if (p->mode == MODE_DROP && !engine_drop_setup(e, &code)) {
		engine_setup_fail(e, code);
		goto out;
	}
	if (!progress_ensure(dst, &err)) {
		engine_setup_fail(e, EXIT_USAGE);
		goto out;
	}
	if (!engine_plan_units(e, dst))
		goto out;
	engine_estimate(e);
	if (!segpath_setup(e, dst) || !take_snapshot(e))
		goto out;
	if (!engine_resume_verify(e, dst)) {
		engine_setup_fail(e, EXIT_USAGE);
		goto out;
	}

	size_t queued = 0;
	for (size_t u = 0; u < e->nunits; u++)
		queued += e->ustate[u] == UNIT_QUEUED;
	e->nworkers = p->jobs > 0 ? p->jobs : 1;
	if ((size_t)e->nworkers > queued)
		e->nworkers = queued > 0 ? (int)queued : 0;
	log_info("%zu tables, %zu units to copy with %d workers (migration %s, mode %s)",
		 e->ntables, queued, e->nworkers, e->migration_id, plan_mode_name(p->mode));
	e->workers = xcalloc((size_t)e->nworkers + 1, sizeof *e->workers);

	/* Workers never see SIGINT/SIGTERM: the command's thread handles them. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];
		w->e = e;
		w->id = i + 1;
		pthread_mutex_init(&w->cancel_lock, NULL);
		e->workers_running++;
		if (pthread_create(&w->thread, NULL, engine_worker_main, w) != 0) {
			e->workers_running--;
			log_error("cannot start worker %d", w->id);
			break;
		}
		w->started = true;
	}
	e->monitor_started = pthread_create(&e->monitor, NULL, monitor_main, e) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	ok = e->monitor_started;
	if (!ok)
		engine_setup_fail(e, EXIT_USAGE);
out:
	PQfinish(dst);
	return ok;
}

/* A running table gets a rate window (about 1 kB) when it starts and loses
 * it when it ends: at 100,000 tables, one each would be 100 MB. */
static void sample_rates(struct engine *e, double now)
{
	pthread_mutex_lock(&e->lock);
	pthread_mutex_lock(&e->stats_lock);
	long long total = 0;
	long long *per = xcalloc(e->ntables + 1, sizeof *per);
	for (size_t u = 0; u < e->nunits; u++)
		per[e->units[u].spec.table] += atomic_load(&e->units[u].bytes);
	for (size_t i = 0; i < e->ntables; i++) {
		struct etable *et = &e->tables[i];
		if (et->state == TABLE_RUNNING && !et->rate) {
			et->rate = xmalloc(sizeof *et->rate);
			rate_window_init(et->rate);
		} else if (et->state != TABLE_RUNNING && et->rate) {
			free(et->rate);
			et->rate = NULL;
		}
		if (et->rate)
			rate_window_push(et->rate, now, per[i]);
		total += per[i];
	}
	rate_window_push(&e->total_rate, now, total);
	free(per);
	pthread_mutex_unlock(&e->stats_lock);
	pthread_mutex_unlock(&e->lock);
}

/* Samples the rates once a second until the workers are done, then runs the
 * finishing steps (sequences, journal). */
static void *monitor_main(void *arg)
{
	struct engine *e = arg;
	double last = 0;
	sample_rates(e, engine_now());
	for (;;) {
		pthread_mutex_lock(&e->lock);
		if (e->workers_running == 0) {
			pthread_mutex_unlock(&e->lock);
			break;
		}
		struct timespec ts = clock_deadline(0.2);
		pthread_cond_timedwait(&e->cond, &e->lock, &ts);
		pthread_mutex_unlock(&e->lock);
		double now = engine_now();
		if (now - last >= 1.0) {
			sample_rates(e, now);
			last = now;
		}
	}
	for (int i = 0; i < e->nworkers; i++)
		if (e->workers[i].started)
			pthread_join(e->workers[i].thread, NULL);
	sample_rates(e, engine_now());
	engine_finish(e);
	pthread_mutex_lock(&e->lock);
	atomic_store(&e->finished, true);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

bool engine_wait_finished(struct engine *e, double seconds)
{
	if (e->group)
		return engine_group_wait_finished(e, seconds);
	struct timespec ts = clock_deadline(seconds);
	pthread_mutex_lock(&e->lock);
	while (!atomic_load(&e->finished))
		if (pthread_cond_timedwait(&e->cond, &e->lock, &ts) != 0)
			break;
	bool done = atomic_load(&e->finished);
	pthread_mutex_unlock(&e->lock);
	return done;
}

void engine_pause(struct engine *e, bool paused)
{
	if (e->group) {
		engine_group_pause(e, paused);
		return;
	}
	atomic_store(&e->paused, paused);
	pthread_mutex_lock(&e->lock);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

void engine_cancel(struct engine *e)
{
	if (e->group) {
		engine_group_cancel(e);
		return;
	}
	if (atomic_exchange(&e->cancel, true))
		return;
	log_warn("cancelling: stopping the source queries and rolling back the destination");
	for (int i = 0; i < e->nworkers; i++)
		if (e->workers[i].started)
			engine_worker_cancel(&e->workers[i]);
	pthread_mutex_lock(&e->lock);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

enum engine_outcome engine_wait(struct engine *e)
{
	if (e->group)
		return engine_group_wait(e);
	if (e->outcome == ENGINE_SETUP_FAILED)
		return e->outcome;
	if (e->monitor_started) {
		pthread_join(e->monitor, NULL);
		e->monitor_started = false;
	}
	return e->outcome;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->monitor_started) {
		engine_cancel(e);
		engine_wait(e);
	}
	engine_group_free(e);
	for (int i = 0; i < e->nworkers; i++)
		pthread_mutex_destroy(&e->workers[i].cancel_lock);
	free(e->workers);
	if (e->coord)
		PQfinish(e->coord);
	for (size_t i = 0; i < e->ntables; i++) {
		free(e->tables[i].select_sql);
		free(e->tables[i].table_out_sql);
		free(e->tables[i].copy_in_sql);
		free(e->tables[i].copy_in_freeze_sql);
		free(e->tables[i].source_state);
		etable_free(&e->tables[i]);
	}
	free(e->tables);
	for (size_t u = 0; u < e->nunits; u++)
		free(e->units[u].spec.predicate);
	free(e->units);
	free(e->ustate);
	free(e->utable);
	free(e->ugroup);
	free(e->tprep);
	engine_drop_free(e);
	segpath_free(e);
	free(e->journal_dir);
	catalog_tables_free(&e->cat);
	catalog_sequences_free(&e->seqs);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->stats_lock);
	free(e);
}
