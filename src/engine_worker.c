/* engine_worker: one worker thread.  It owns one source and one destination
 * connection for its life (reopened after a fault), takes units largest
 * first, and runs each as one destination transaction with its marker. */
#include "engine_priv.h"
#include "copy_stream.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "segpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void set_cancel_objects(struct worker *w)
{
	pthread_mutex_lock(&w->cancel_lock);
	if (w->src_cancel)
		PQfreeCancel(w->src_cancel);
	if (w->dst_cancel)
		PQfreeCancel(w->dst_cancel);
	w->src_cancel = w->src ? PQgetCancel(w->src) : NULL;
	w->dst_cancel = w->dst ? PQgetCancel(w->dst) : NULL;
	pthread_mutex_unlock(&w->cancel_lock);
}

void engine_worker_cancel(struct worker *w)
{
	char errbuf[256];
	pthread_mutex_lock(&w->cancel_lock);
	if (w->src_cancel)
		(void)PQcancel(w->src_cancel, errbuf, sizeof errbuf);
	if (w->dst_cancel)
		(void)PQcancel(w->dst_cancel, errbuf, sizeof errbuf);
	if (w->ddl_cancel)
		(void)PQcancel(w->ddl_cancel, errbuf, sizeof errbuf);
	pthread_mutex_unlock(&w->cancel_lock);
}

/* Close both connections, leaving nothing running on either server. */
static void worker_disconnect(struct worker *w)
{
	pthread_mutex_lock(&w->cancel_lock);
	if (w->src_cancel)
		PQfreeCancel(w->src_cancel);
	if (w->dst_cancel)
		PQfreeCancel(w->dst_cancel);
	w->src_cancel = w->dst_cancel = NULL;
	pthread_mutex_unlock(&w->cancel_lock);
	PGconn *conns[2] = { w->src, w->dst };
	for (int i = 0; i < 2; i++) {
		if (!conns[i])
			continue;
		(void)copy_stream_quiesce(conns[i]);
		PQfinish(conns[i]);
	}
	w->src = w->dst = NULL;
}

/* Open what is missing: the source session in the shared snapshot, the
 * destination session tuned for loading. */
static bool worker_connect(struct worker *w, struct db_error *err)
{
	struct engine *e = w->e;
	char role[16];
	snprintf(role, sizeof role, "w%d", w->id);
	if (!w->src) {
		w->src = db_connect(&e->plan->source, role, err);
		if (!w->src)
			return false;
		copy_stream_tune_socket(w->src);
		bool ok = db_exec(w->src, "SET statement_timeout = 0", err);
		if (ok && e->snapshot[0]) {
			char *lit = db_quote_literal(w->src, e->snapshot);
			char *sql = xasprintf("BEGIN ISOLATION LEVEL REPEATABLE READ;\n"
					      "SET TRANSACTION SNAPSHOT %s", lit);
			ok = db_exec(w->src, sql, err);
			if (!ok && strcmp(err->sqlstate, "22023") == 0)
				snprintf(err->message, sizeof err->message,
					 "the source's exported snapshot %s is gone (was the source restarted?); "
					 "rerun with --resume", e->snapshot);
			if (ok && e->sf.pg_num >= 90600)
				ok = db_exec(w->src, "SET LOCAL idle_in_transaction_session_timeout = 0", err);
			free(sql);
			free(lit);
		}
		if (!ok) {
			PQfinish(w->src);
			w->src = NULL;
			return false;
		}
	}
	if (!w->dst) {
		w->dst = db_connect(&e->plan->destination, role, err);
		if (!w->dst)
			return false;
		copy_stream_tune_socket(w->dst);
		if (!db_exec(w->dst, "SET statement_timeout = 0; SET synchronous_commit = off", err)) {
			PQfinish(w->dst);
			w->dst = NULL;
			return false;
		}
	}
	set_cancel_objects(w);
	return true;
}

static bool cancelled(struct engine *e)
{
	return atomic_load(&e->cancel);
}

/* Sleep before retry n, waking early on cancel. */
static void backoff(struct engine *e, int attempt)
{
	double delay = 0.5;
	for (int i = 1; i < attempt && delay < 8; i++)
		delay *= 2;
	for (double slept = 0; slept < delay && !cancelled(e); slept += 0.1) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* One attempt at a table's preparation: truncate it and record that, in one
 * transaction, so a crash never truncates a table whose units committed. */
static bool prepare_once(struct worker *w, struct etable *et, struct db_error *err)
{
	struct engine *e = w->e;
	if (!worker_connect(w, err))
		return false;
	bool found = false;
	if (!progress_has(w->dst, e->migration_id, et->t->qualified, PROGRESS_PREP_UNIT, &found, err))
		return false;
	if (found)
		return true;    /* an earlier attempt committed it */
	char *del = progress_delete_table_sql(w->dst, e->migration_id, et->t->qualified);
	char *ins = progress_insert_sql(w->dst, e->migration_id, et->t->qualified, PROGRESS_PREP_UNIT, 0, 0);
	char *sql = xasprintf("BEGIN;\nTRUNCATE ONLY %s;\n%s;\n%s;\nCOMMIT", et->t->qualified, del, ins);
	bool ok = db_exec(w->dst, sql, err);
	free(sql);
	free(del);
	free(ins);
	return ok;
}

static bool run_prepare(struct worker *w, struct etable *et, struct db_error *err)
{
	struct engine *e = w->e;
	for (int attempt = 1;; attempt++) {
		if (prepare_once(w, et, err))
			return true;
		worker_disconnect(w);
		if (cancelled(e) || err->retry != DB_RETRY_YES || attempt >= e->plan->retries)
			return false;
		atomic_fetch_add(&et->retries, 1);
		log_warn("table %s: preparing (truncate) failed: %s: %s; retry %d of %d",
			 et->t->qualified, err->sqlstate, err->message, attempt, e->plan->retries - 1);
		backoff(e, attempt);
	}
}

/* One attempt at a unit.  *committed is set when the marker was found
 * committed by an earlier attempt whose outcome was unknown. */
static enum copy_outcome unit_once(struct worker *w, struct eunit *u, struct etable *et,
				   int attempt, struct db_error *err)
{
	struct engine *e = w->e;
	if (!worker_connect(w, err))
		return cancelled(e) ? COPY_CANCELLED : COPY_FAILED;
	if (attempt > 1) {
		bool found = false;
		if (!progress_has(w->dst, e->migration_id, et->t->qualified, u->spec.id, &found, err))
			return COPY_FAILED;
		if (found)
			return COPY_DONE;
	}
	atomic_store(&u->bytes, 0);
	atomic_store(&u->rows, 0);

	bool truncate = et->truncate && et->nunits == 1;
	char *dst_sql;
	bool stale = false;     /* markers to forget (progress_has_table: only then a DELETE) */
	if (truncate && !progress_has_table(w->dst, e->migration_id, et->t->qualified, &stale, err))
		return COPY_FAILED;
	if (truncate) {
		char *del = stale ? progress_delete_table_sql(w->dst, e->migration_id, et->t->qualified) : NULL;
		dst_sql = xasprintf("BEGIN;\nTRUNCATE ONLY %s;\n%s%s%s", et->t->qualified, del ? del : "",
				    del ? ";\n" : "", et->copy_in_freeze_sql ? et->copy_in_freeze_sql : et->copy_in_sql);
		free(del);
	} else {
		dst_sql = xasprintf("BEGIN;\n%s", et->copy_in_sql);
	}
	const char *fmt = !et->binary ? "" : e->sf.pg_num >= 90000 ? " (FORMAT binary)" : " BINARY";
	char *src_sql = u->spec.predicate[0] || !et->table_out_sql
		? xasprintf("%s%s%s) TO STDOUT%s", et->select_sql, u->spec.predicate[0] ? " WHERE " : "",
			    u->spec.predicate, fmt)
		: xasprintf("%s TO STDOUT%s", et->table_out_sql, fmt);
	struct copy_stream cs = {
		.src = w->src, .dst = w->dst, .src_sql = src_sql, .dst_sql = dst_sql,
		.bytes = &u->bytes, .rows = &u->rows, .cancel = &e->cancel,
	};
	long long rows = 0;
	bool src_side = false;
	enum copy_outcome out = copy_stream_run(&cs, &rows, err, &src_side);
	free(src_sql);
	free(dst_sql);
	if (out == COPY_DONE) {
		atomic_store(&u->rows, rows);
		char *ins = progress_insert_state_sql(w->dst, e->migration_id, et->t->qualified, u->spec.id,
						      rows, atomic_load(&u->bytes), et->source_state);
		char *sql = xasprintf("%s;\nCOMMIT", ins);
		if (!db_exec(w->dst, sql, err))
			out = COPY_FAILED;
		free(sql);
		free(ins);
	}
	if (out != COPY_DONE && src_side) {
		/* say which server failed: the message names the table already */
		char tmp[sizeof err->message];
		memcpy(tmp, err->message, sizeof tmp);
		snprintf(err->message, sizeof err->message, "source: %.*s", (int)sizeof tmp - 9, tmp);
	}
	return out;
}

/* After a unit: states, counters, the table's outcome.  true when this
 * completed the last table of a mode drop group: the caller then applies
 * the group's post-data (indexes, constraints). */
static bool unit_finished(struct engine *e, struct eunit *u, struct etable *et, enum copy_outcome out,
			  const struct db_error *err)
{
	pthread_mutex_lock(&e->lock);
	size_t idx = (size_t)(u - e->units);
	u->finished_at = engine_now();
	et->units_running--;
	if (out == COPY_DONE) {
		u->state = UNIT_DONE;
		et->units_done++;
		et->units_left--;
	} else if (out == COPY_CANCELLED) {
		u->state = UNIT_QUEUED;     /* not committed: --resume redoes it */
		atomic_store(&u->bytes, 0);
		atomic_store(&u->rows, 0);
	} else {
		u->state = UNIT_FAILED;
		et->units_failed++;
		et->units_left--;
		if (et->state != TABLE_FAILED) {
			char text[600];
			et->state = TABLE_FAILED;
			snprintf(et->error, sizeof et->error, "%s", db_error_text(err, text, sizeof text));
		}
		/* the table failed: its queued units would only add to what is redone */
		for (size_t k = 0; k < e->nunits; k++) {
			if (e->units[k].spec.table == u->spec.table && e->units[k].state == UNIT_QUEUED) {
				e->units[k].state = e->ustate[k] = UNIT_SKIPPED;
				et->units_left--;
			}
		}
	}
	e->ustate[idx] = u->state;
	bool post = false;
	if (et->units_left == 0 && et->units_running == 0 && et->state == TABLE_RUNNING) {
		et->state = TABLE_DONE;
		et->finished_at = engine_now();
		if (e->plan->mode == MODE_DROP) {
			struct dgroup *g = &e->groups[et->group];
			post = !g->post_started && !g->post_done;
			for (size_t i = 0; i < g->ntables && post; i++)
				post = e->tables[g->tables[i]].state == TABLE_DONE;
			g->post_started |= post;
		}
	} else if (et->state == TABLE_FAILED && et->units_running == 0 && et->finished_at == 0) {
		et->finished_at = engine_now();
	}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	return post;
}

/* Mode drop: a group that could not be recreated (or whose indexes and
 * constraints failed) fails all of its tables; their queued units are dropped. */
static void group_failed(struct engine *e, size_t group, const char *what, const struct db_error *err)
{
	char text[600];
	db_error_text(err, text, sizeof text);
	pthread_mutex_lock(&e->lock);
	for (size_t k = 0; k < e->nunits; k++) {
		if (e->ugroup[k] != group || e->units[k].state != UNIT_QUEUED)
			continue;
		e->units[k].state = e->ustate[k] = UNIT_SKIPPED;
		e->tables[e->units[k].spec.table].units_left--;
	}
	const struct dgroup *g = &e->groups[group];
	for (size_t i = 0; i < g->ntables; i++) {
		struct etable *et = &e->tables[g->tables[i]];
		if (et->state == TABLE_FAILED && strstr(et->error, what))
			continue;
		et->state = TABLE_FAILED;
		snprintf(et->error, sizeof et->error, "%s: %.*s", what, 400, text);
		if (et->finished_at == 0 && et->units_running == 0)
			et->finished_at = engine_now();
	}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* The segment path's runner (segpath.h), on this worker's connections. */
static enum copy_outcome segment_unit_once(struct worker *w, struct eunit *u, struct etable *et,
					   int attempt, struct db_error *err)
{
	if (!worker_connect(w, err))
		return cancelled(w->e) ? COPY_CANCELLED : COPY_FAILED;
	return segpath_unit_once(w, u, et, attempt, err);
}

static bool run_unit(struct worker *w, struct eunit *u, struct etable *et)
{
	struct engine *e = w->e;
	struct db_error err;
	enum copy_outcome out;
	for (int attempt = 1;; attempt++) {
		memset(&err, 0, sizeof err);
		out = segpath_table(e, u->spec.table) ? segment_unit_once(w, u, et, attempt, &err)
						       : unit_once(w, u, et, attempt, &err);
		if (out == COPY_DONE)
			break;
		worker_disconnect(w);
		if (out == COPY_CANCELLED || cancelled(e)) {
			out = COPY_CANCELLED;
			break;
		}
		if (err.retry != DB_RETRY_YES || attempt >= e->plan->retries) {
			log_error("table %s (unit %s): %s%s%s", et->t->qualified, u->spec.id,
				  err.sqlstate, err.sqlstate[0] ? ": " : "", err.message);
			break;
		}
		atomic_fetch_add(&et->retries, 1);
		log_warn("table %s (unit %s): %s%s%s; retry %d of %d on a fresh connection",
			 et->t->qualified, u->spec.id, err.sqlstate, err.sqlstate[0] ? ": " : "",
			 err.message, attempt, e->plan->retries - 1);
		backoff(e, attempt);
	}
	return unit_finished(e, u, et, out, &err);
}

/* Take the next unit, waiting while everything left waits on a preparation
 * or the engine is paused.  -1: nothing left (or cancelled). */
static long take_unit(struct engine *e, bool *must_prep)
{
	long pick = -1;
	pthread_mutex_lock(&e->lock);
	for (;;) {
		if (cancelled(e))
			break;
		bool any_queued = false;
		for (size_t u = 0; u < e->nunits && !any_queued; u++)
			any_queued = e->ustate[u] == UNIT_QUEUED;
		if (!any_queued)
			break;
		if (!atomic_load(&e->paused)) {
			if (e->plan->mode == MODE_DROP)
				pick = unit_pick(e->ugroup, e->ustate, e->nunits, e->gprep, must_prep);
			else
				pick = unit_pick(e->utable, e->ustate, e->nunits, e->tprep, must_prep);
			if (pick >= 0)
				break;
		}
		pthread_cond_wait(&e->cond, &e->lock);
	}
	if (pick >= 0) {
		struct eunit *u = &e->units[pick];
		struct etable *et = &e->tables[u->spec.table];
		u->state = e->ustate[pick] = UNIT_RUNNING;
		u->started_at = engine_now();
		et->units_running++;
		if (et->state == TABLE_QUEUED) {
			et->state = TABLE_RUNNING;
			et->started_at = u->started_at;
		}
		if (*must_prep && e->plan->mode == MODE_DROP)
			e->gprep[et->group] = PREP_RUNNING;
		else if (*must_prep)
			et->prep = e->tprep[u->spec.table] = PREP_RUNNING;
	}
	pthread_mutex_unlock(&e->lock);
	return pick;
}

void *engine_worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	for (;;) {
		bool must_prep = false;
		long pick = take_unit(e, &must_prep);
		if (pick < 0)
			break;
		atomic_store(&w->busy, true);
		struct eunit *u = &e->units[pick];
		struct etable *et = &e->tables[u->spec.table];
		bool drop = e->plan->mode == MODE_DROP;
		struct db_error err;
		memset(&err, 0, sizeof err);
		if (must_prep) {
			bool ok = drop ? engine_drop_prepare(w, &e->groups[et->group], &err) : run_prepare(w, et, &err);
			enum prep_state st = ok ? PREP_DONE : cancelled(e) ? PREP_NEEDED : PREP_FAILED;
			pthread_mutex_lock(&e->lock);
			if (drop)
				e->gprep[et->group] = st;
			else
				et->prep = e->tprep[u->spec.table] = st;
			pthread_cond_broadcast(&e->cond);
			pthread_mutex_unlock(&e->lock);
			if (!ok) {
				if (!cancelled(e) && !drop)
					log_error("table %s: cannot truncate it: %s: %s", et->t->qualified,
						  err.sqlstate, err.message);
				(void)unit_finished(e, u, et, cancelled(e) ? COPY_CANCELLED : COPY_FAILED, &err);
				if (drop && !cancelled(e))
					group_failed(e, et->group, "dropping and recreating it", &err);
				atomic_store(&w->busy, false);
				continue;
			}
		}
		if (run_unit(w, u, et) && !engine_drop_post(w, &e->groups[et->group], &err) && !cancelled(e))
			group_failed(e, et->group, "recreating its indexes and constraints", &err);
		atomic_store(&w->busy, false);
	}
	engine_drop_close(w);
	worker_disconnect(w);
	pthread_mutex_lock(&e->lock);
	e->workers_running--;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	return NULL;
}
