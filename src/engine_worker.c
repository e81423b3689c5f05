/* engine_worker: one worker thread.  It owns one source and one destination
 * connection for its life (reopened after a fault), takes units largest
 * first, and runs each as one destination transaction with its marker. */
#include "engine_priv.h"
#include "clock.h"
#include "copy_stream.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "retry.h"
#include "segpath.h"
#include "session.h"

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

/* Begin a transaction in the shared snapshot on the source session (the
 * engine's coordinator session holds the exporting transaction open, so the
 * snapshot can be imported again and again; each import sees the same rows). */
static bool worker_import_snapshot(struct worker *w, struct db_error *err)
{
	struct engine *e = w->e;
	char *lit = db_quote_literal(w->src, e->snapshot);
	char *sql = xasprintf("BEGIN ISOLATION LEVEL REPEATABLE READ;\n"
			      "SET TRANSACTION SNAPSHOT %s", lit);
	bool ok = db_exec(w->src, sql, err);
	if (!ok && strcmp(err->sqlstate, "22023") == 0)
		snprintf(err->message, sizeof err->message,
			 "the source's exported snapshot %s is gone (was the source restarted?); "
			 "rerun with --resume", e->snapshot);
	if (ok && e->sf.pg_num >= 90600)
		ok = db_exec(w->src, "SET LOCAL idle_in_transaction_session_timeout = 0", err);
	free(sql);
	free(lit);
	w->src_units = 0;
	return ok;
}

/* Every table a unit reads stays locked (ACCESS SHARE) until the source
 * transaction ends: after ENGINE_SRC_UNITS_PER_TXN units the worker ends it
 * and begins another in the same snapshot, so that tens of thousands of
 * tables do not fill the source's lock table (53200 out of shared memory). */
static bool worker_renew_snapshot(struct worker *w, struct db_error *err)
{
	if (!w->src || !w->e->snapshot[0] || ++w->src_units <= ENGINE_SRC_UNITS_PER_TXN)
		return true;
	if (!db_exec(w->src, "COMMIT", err) || !worker_import_snapshot(w, err)) {
		PQfinish(w->src);
		w->src = NULL;
		return false;
	}
	return true;
}

/* Open what is missing: the source session in the shared snapshot, the
 * destination session tuned for loading; both print and read text alike,
 * in the wire encoding (session.h). */
static bool worker_connect(struct worker *w, struct db_error *err)
{
	struct engine *e = w->e;
	char role[16];
	snprintf(role, sizeof role, "w%d", w->id);
	if (!worker_renew_snapshot(w, err))
		return false;
	if (!w->src) {
		w->src = db_connect(&e->plan->source, role, err);
		if (!w->src)
			return false;
		copy_stream_tune_socket(w->src);
		bool ok = session_pin(w->src, SESSION_COPY, e->enc.wire, "source", err) &&
			  db_exec(w->src, "SET statement_timeout = 0", err);
		if (ok && e->snapshot[0])
			ok = worker_import_snapshot(w, err);
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
		if (!session_pin(w->dst, SESSION_LOAD, e->enc.wire, "destination", err) ||
		    !db_exec(w->dst, "SET statement_timeout = 0", err) ||
		    !db_exec(w->dst, "SET synchronous_commit = off", err)) {
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

/* Sleep `delay` seconds, waking early on cancel. */
static void pause_for(struct engine *e, double delay)
{
	for (double slept = 0; slept < delay && !cancelled(e); slept += 0.1) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* What the table's pane says it waits for ("" when nothing). */
static void set_waiting(struct engine *e, struct etable *et, const char *text)
{
	pthread_mutex_lock(&e->lock);
	etable_set_waiting(et, text);
	pthread_mutex_unlock(&e->lock);
}

/* The server an attempt failed on: the one whose session is gone, or the
 * one the stream said. */
static const char *failed_side(const struct worker *w, bool src_side)
{
	if (!w->src)
		return "source";
	if (!w->dst)
		return "destination";
	return src_side ? "source" : "destination";
}

/* After a failed attempt at `what` (a unit, a preparation): whether to try
 * again (after waiting) or to give up, with the reason logged once. */
static bool retry_after(struct worker *w, struct retry *rt, struct etable *et, const char *what, const char *side,
			bool reached, const struct db_error *err)
{
	struct engine *e = w->e;
	double now = clock_mono(), delay = 0;
	bool was_away = retry_away_for(rt, now) > 0;
	enum retry_verdict v = retry_next(rt, err->retry == DB_RETRY_YES, reached, now, &delay);
	char text[600];
	db_error_text(err, text, sizeof text);
	if (v == RETRY_GIVE_UP) {
		if (was_away)
			log_error("table %s (%s): the %s has been away for %.0f s, longer than migration.retry_window_s "
				  "(%d): %s", et->t->qualified, what, side, retry_away_for(rt, now),
				  e->plan->retry_window_s, text);
		else
			log_error("table %s (%s): %s", et->t->qualified, what, text);
		set_waiting(e, et, "");
		return false;
	}
	atomic_fetch_add(&et->retries, 1);
	if (v == RETRY_AGAIN) {
		log_warn("table %s (%s): %s; retry %d of %d on a fresh connection", et->t->qualified, what, text,
			 rt->failed, e->plan->retries - 1);
		set_waiting(e, et, "");
	} else {
		if (!was_away)
			log_warn("table %s (%s): the %s cannot be reached or is not ready: %s; waiting up to %d s for "
				 "it (migration.retry_window_s)", et->t->qualified, what, side, text,
				 e->plan->retry_window_s);
		char wait[200];
		snprintf(wait, sizeof wait, "waiting for the %s (%.0f/%d s): %.150s", side,
			 retry_away_for(rt, now), e->plan->retry_window_s, text);
		set_waiting(e, et, wait);
	}
	pause_for(e, delay);
	return !cancelled(e);
}

/* A success after waiting: say that the server is back. */
static void retry_done(struct worker *w, struct retry *rt, struct etable *et, const char *side)
{
	double away = retry_away_for(rt, clock_mono());
	if (away > 0) {
		log_info("table %s: the %s is back after %.0f s", et->t->qualified, side, away);
		set_waiting(w->e, et, "");
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
	struct retry rt;
	retry_init(&rt, e->plan->retries, e->plan->retry_window_s);
	const char *side = "destination";
	for (;;) {
		if (prepare_once(w, et, err)) {
			retry_done(w, &rt, et, side);
			return true;
		}
		/* a truncation moves no rows: any transient fault is waited for */
		side = failed_side(w, false);
		worker_disconnect(w);
		if (cancelled(e) || !retry_after(w, &rt, et, "preparing it (truncate)", side, false, err))
			return false;
	}
}

/* One attempt at a unit.  *committed is set when the marker was found
 * committed by an earlier attempt whose outcome was unknown. */
static enum copy_outcome unit_once(struct worker *w, struct eunit *u, struct etable *et,
				   bool again, struct db_error *err, bool *src_failed)
{
	struct engine *e = w->e;
	*src_failed = false;
	atomic_store(&u->bytes, 0);
	atomic_store(&u->rows, 0);
	if (!worker_connect(w, err))
		return cancelled(e) ? COPY_CANCELLED : COPY_FAILED;
	if (again) {
		bool found = false;
		if (!progress_has(w->dst, e->migration_id, et->t->qualified, u->spec.id, &found, err))
			return COPY_FAILED;
		if (found)
			return COPY_DONE;
	}

	bool truncate = et->truncate && et->nunits == 1;
	/* Greenplum analyzes a table loaded while it has no statistics
	 * (gp_autostats_mode on_no_stats), on the master, from a sample of
	 * every segment: gp2adb's ANALYZE step does it once, when it follows */
	const char *nostats = e->plan->analyze && e->df.mpp ? "SET LOCAL gp_autostats_mode = 'none';\n" : "";
	char *dst_sql;
	bool stale = false;     /* markers to forget (progress_has_table: only then a DELETE) */
	if (truncate && !progress_has_table(w->dst, e->migration_id, et->t->qualified, &stale, err))
		return COPY_FAILED;
	if (truncate) {
		char *del = stale ? progress_delete_table_sql(w->dst, e->migration_id, et->t->qualified) : NULL;
		dst_sql = xasprintf("BEGIN;\n%sTRUNCATE ONLY %s;\n%s%s%s", nostats, et->t->qualified, del ? del : "",
				    del ? ";\n" : "", et->copy_in_freeze_sql ? et->copy_in_freeze_sql : et->copy_in_sql);
		free(del);
	} else {
		dst_sql = xasprintf("BEGIN;\n%s%s", nostats, et->copy_in_sql);
	}
	const char *fmt = !et->binary ? "" : e->sf.pg_num >= 90000 ? " (FORMAT binary)" : " BINARY";
	const char *pred = u->spec.predicate;
	char *src_sql = pred || !et->table_out_sql
		? xasprintf("%s%s%s) TO STDOUT%s", et->select_sql, pred ? " WHERE " : "", pred ? pred : "", fmt)
		: xasprintf("%s TO STDOUT%s", et->table_out_sql, fmt);
	struct copy_stream cs = {
		.src = w->src, .dst = w->dst, .src_sql = src_sql, .dst_sql = dst_sql, .binary = et->binary,
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
	*src_failed = src_side;
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
		if (idx < e->ufirst)
			e->ufirst = idx;
		atomic_store(&u->bytes, 0);
		atomic_store(&u->rows, 0);
	} else {
		u->state = UNIT_FAILED;
		et->units_failed++;
		et->units_left--;
		if (et->state != TABLE_FAILED) {
			char text[600];
			et->state = TABLE_FAILED;
			etable_set_error(et, "%s", db_error_text(err, text, sizeof text));
		}
		/* the table failed: its queued units would only add to what is redone */
		for (size_t k = 0; k < e->nunits && et->nunits > 1; k++) {
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
		if (et->state == TABLE_FAILED && et->error && strstr(et->error, what))
			continue;
		et->state = TABLE_FAILED;
		etable_set_error(et, "%s: %.*s", what, 400, text);
		if (et->finished_at == 0 && et->units_running == 0)
			et->finished_at = engine_now();
	}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* The segment path's runner (segpath.h), on this worker's connections. */
static enum copy_outcome segment_unit_once(struct worker *w, struct eunit *u, struct etable *et,
					   bool again, struct db_error *err)
{
	if (!worker_connect(w, err))
		return cancelled(w->e) ? COPY_CANCELLED : COPY_FAILED;
	return segpath_unit_once(w, u, et, again, err);
}

static bool run_unit(struct worker *w, struct eunit *u, struct etable *et)
{
	struct engine *e = w->e;
	struct db_error err;
	enum copy_outcome out;
	struct retry rt;
	retry_init(&rt, e->plan->retries, e->plan->retry_window_s);
	char what[UNIT_ID_MAX + 8];
	snprintf(what, sizeof what, "unit %s", u->spec.id);
	const char *side = "destination";
	for (bool again = false;; again = true) {
		memset(&err, 0, sizeof err);
		bool src_failed = false;
		out = segpath_table(e, u->spec.table) ? segment_unit_once(w, u, et, again, &err)
						       : unit_once(w, u, et, again, &err, &src_failed);
		if (out == COPY_DONE) {
			retry_done(w, &rt, et, side);
			break;
		}
		/* rows had moved: it failed while working; none had: the server
		 * was away or not ready (refused, shutting down, starting up) */
		bool reached = atomic_load(&u->bytes) > 0;
		side = failed_side(w, src_failed);
		worker_disconnect(w);
		if (out == COPY_CANCELLED || cancelled(e)) {
			out = COPY_CANCELLED;
			break;
		}
		if (!retry_after(w, &rt, et, what, side, reached, &err)) {
			out = cancelled(e) ? COPY_CANCELLED : COPY_FAILED;
			break;
		}
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
		bool drop = e->plan->mode == MODE_DROP;
		pick = unit_pick(drop ? e->ugroup : e->utable, e->ustate, e->nunits, drop ? e->gprep : e->tprep,
				 &e->ufirst, must_prep);
		if (e->ufirst == e->nunits)
			break;          /* nothing queued */
		if (atomic_load(&e->paused)) {
			pick = -1;
			*must_prep = false;
		}
		if (pick >= 0)
			break;
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
	struct engine_slots *slots = e->opt.slots;
	for (;;) {
		bool must_prep = false;
		/* several databases share the workers: a unit runs only in a slot
		 * of their pool, and a worker waiting for one holds no connection */
		if (slots && !engine_slot_try(slots)) {
			worker_disconnect(w);
			if (!engine_slot_acquire(slots, &e->cancel))
				break;
		}
		long pick = take_unit(e, &must_prep);
		if (pick < 0) {
			if (slots)
				engine_slot_release(slots);
			break;
		}
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
				if (slots)
					engine_slot_release(slots);
				continue;
			}
		}
		if (run_unit(w, u, et) && !engine_drop_post(w, &e->groups[et->group], &err) && !cancelled(e))
			group_failed(e, et->group, "recreating its indexes and constraints", &err);
		atomic_store(&w->busy, false);
		if (slots)
			engine_slot_release(slots);
	}
	engine_drop_close(w);
	worker_disconnect(w);
	pthread_mutex_lock(&e->lock);
	e->workers_running--;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	return NULL;
}
