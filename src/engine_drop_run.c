/* engine_drop_run: mode drop's destination session, one per worker: the
 * transaction that drops a group and recreates it from the source's
 * definition (and records what the drop takes besides, to be recreated
 * after the copy), and the one that adds its indexes and constraints. */
#include "engine_drop.h"
#include "drop_deps.h"
#include "log.h"
#include "mem.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void ddl_notice(void *arg, const PGresult *res)
{
	struct worker *w = arg;
	if (!w->notices)
		return;
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *text = detail ? detail : primary;
	if (text)
		strbuf_printf(w->notices, "%s\n", text);
}

void engine_drop_close(struct worker *w)
{
	pthread_mutex_lock(&w->cancel_lock);
	if (w->ddl_cancel)
		PQfreeCancel(w->ddl_cancel);
	w->ddl_cancel = NULL;
	pthread_mutex_unlock(&w->cancel_lock);
	if (w->ddl)
		PQfinish(w->ddl);
	w->ddl = NULL;
}

/* Open the session and replay the dump's session settings (search_path,
 * standard_conforming_strings, ...), so its statements mean what they say. */
bool engine_drop_connect(struct worker *w, struct db_error *err)
{
	struct engine *e = w->e;
	if (w->ddl)
		return true;
	char role[16];
	snprintf(role, sizeof role, "w%d", w->id);
	w->ddl = db_connect(&e->plan->destination, role, err);
	if (!w->ddl)
		return false;
	for (size_t k = 0; k < e->ddl.n; k++) {
		const struct schema_item *it = &e->ddl.v[k];
		struct db_error serr;
		if (it->role == ITEM_SESSION && !db_exec(w->ddl, it->sql, &serr) && w->id <= 1)
			log_warn("mode drop: the destination does not take the source's session setting %s (%s: %s)",
				 it->name, serr.sqlstate, serr.message);
	}
	/* the dump quiets notices; the drop's "drop cascades to ..." must be heard */
	if (!db_exec(w->ddl, "SET client_min_messages = notice; SET statement_timeout = 0", err)) {
		engine_drop_close(w);
		return false;
	}
	drop_deps_session(w->ddl, &e->df);
	PQsetNoticeReceiver(w->ddl, ddl_notice, w);
	pthread_mutex_lock(&w->cancel_lock);
	w->ddl_cancel = PQgetCancel(w->ddl);
	pthread_mutex_unlock(&w->cancel_lock);
	return true;
}

/* Run the statements inside the open transaction.  Owners, grants and
 * comments may name what the destination lacks: they are warned about and
 * counted in *optional_failed, not fatal; everything else is the table
 * itself.  false with err naming the statement that failed. */
static bool run_items(struct worker *w, const struct dgroup *g, const size_t *items, size_t n,
		      size_t *optional_failed, struct db_error *err)
{
	struct engine *e = w->e;
	for (size_t k = 0; k < n; k++) {
		const struct schema_item *it = &e->ddl.v[items[k]];
		bool opt = drop_statement_optional(it->kind);
		if (opt && !db_exec(w->ddl, "SAVEPOINT gp2adb_optional", err))
			return false;
		if (db_exec(w->ddl, it->sql, err)) {
			if (opt && !db_exec(w->ddl, "RELEASE SAVEPOINT gp2adb_optional", err))
				return false;
			continue;
		}
		if (opt && PQstatus(w->ddl) == CONNECTION_OK) {
			log_warn("table %s: %s %s not applied on the destination: %s: %s", g->root->qualified,
				 it->kind, it->name, err->sqlstate, err->message);
			(*optional_failed)++;
			if (!db_exec(w->ddl, "ROLLBACK TO SAVEPOINT gp2adb_optional", err))
				return false;
			continue;
		}
		char msg[sizeof err->message];
		snprintf(msg, sizeof msg, "%s", err->message);
		snprintf(err->message, sizeof err->message, "%.40s %.120s (line %d of the source's schema dump): %.300s",
			 it->kind, it->name, it->line, msg);
		return false;
	}
	return true;
}

/* The server's notices of the drop, for the log (what it took besides the
 * group was listed, and recorded, before the drop). */
static void report_notices(const struct dgroup *g, const char *notices)
{
	const char *p = notices;
	while (*p) {
		size_t len = strcspn(p, "\n");
		if (len > 0)
			log_info("table %s: dropping it: %.*s", g->root->qualified, (int)len, p);
		p += len + (p[len] == '\n');
	}
}

/* What the drop of g takes besides the run's tables, inside its
 * transaction (so nothing can join in between): refused unless
 * --drop-dependents (the check at setup may be outdated by now); what the
 * dump defines is recorded in gp2adb.drop_pending in this transaction. */
static bool record_dependents(struct worker *w, const struct dgroup *g, struct drop_deps *deps,
			      struct db_error *err)
{
	struct engine *e = w->e;
	char *roots[] = { g->root->qualified, NULL };
	if (!drop_deps_find(w->ddl, roots, &e->drop_members, &e->ddl, deps, err))
		return false;
	if (deps->n && !e->opt.drop_dependents) {
		memset(err, 0, sizeof *err);
		snprintf(err->message, sizeof err->message, "dropping it would also drop %zu other object%s on the "
			 "destination (%.200s%s); nothing was dropped: see gp2adb copy --drop-dependents", deps->n,
			 deps->n == 1 ? "" : "s", deps->v[0].what, deps->n > 1 ? ", ..." : "");
		return false;
	}
	return drop_pending_record(w->ddl, e->migration_id, deps, &e->ddl, err);
}

static void report_dependents(const struct drop_deps *deps)
{
	for (size_t i = 0; i < deps->n; i++) {
		const struct drop_dep *d = &deps->v[i];
		if (d->lost)
			log_warn("%s was dropped with %s and is lost: %s", d->what, d->root, d->lost);
		else
			log_info("%s was dropped with %s; it is recreated from the source's definition after the copy",
				 d->what, d->root);
	}
}

static bool finish_txn(struct worker *w, const struct dgroup *g, const char *mark, size_t optional_failed,
		       struct db_error *err)
{
	char *ins = progress_insert_sql(w->ddl, w->e->migration_id, g->root->qualified, mark, 0, 0);
	bool ok = db_exec(w->ddl, ins, err) && db_exec(w->ddl, "COMMIT", err);
	free(ins);
	if (ok && optional_failed) {
		pthread_mutex_lock(&w->e->lock);
		w->e->drop_optional_failed += optional_failed;
		pthread_mutex_unlock(&w->e->lock);
	}
	return ok;
}

static bool prepare_once(struct worker *w, struct dgroup *g, struct db_error *err)
{
	struct engine *e = w->e;
	if (!engine_drop_connect(w, err))
		return false;
	bool found = false;
	if (!progress_has(w->ddl, e->migration_id, g->root->qualified, MARK_DROP, &found, err))
		return false;
	if (found)
		return true;    /* an earlier attempt committed it */
	if (!db_exec(w->ddl, "BEGIN", err))
		return false;
	struct drop_deps deps;
	if (!record_dependents(w, g, &deps, err)) {
		(void)db_exec(w->ddl, "ROLLBACK", NULL);
		drop_deps_free(&deps);
		return false;
	}
	struct strbuf notices;
	strbuf_init(&notices);
	char *sql = xasprintf("DROP TABLE IF EXISTS %s CASCADE", g->root->qualified);
	w->notices = &notices;
	bool ok = db_exec(w->ddl, sql, err);
	w->notices = NULL;
	free(sql);
	for (size_t i = 0; ok && g->seqs && g->seqs[i]; i++) {
		sql = xasprintf("DROP SEQUENCE IF EXISTS %s", g->seqs[i]);
		ok = db_exec(w->ddl, sql, err);
		free(sql);
	}
	size_t optional_failed = 0;
	ok = ok && run_items(w, g, g->pre, g->npre, &optional_failed, err) &&
	     finish_txn(w, g, MARK_DROP, optional_failed, err);
	if (ok) {
		log_info("table %s: dropped on the destination and recreated from the source's definition",
			 g->root->qualified);
		report_notices(g, notices.data ? notices.data : "");
		report_dependents(&deps);
	} else {
		(void)db_exec(w->ddl, "ROLLBACK", NULL);
	}
	strbuf_done(&notices);
	drop_deps_free(&deps);
	return ok;
}

static bool post_once(struct worker *w, struct dgroup *g, struct db_error *err)
{
	struct engine *e = w->e;
	if (!engine_drop_connect(w, err))
		return false;
	bool found = false;
	if (!progress_has(w->ddl, e->migration_id, g->root->qualified, MARK_POST, &found, err))
		return false;
	if (found)
		return true;
	size_t optional_failed = 0;
	bool ok = db_exec(w->ddl, "BEGIN", err) && run_items(w, g, g->post, g->npost, &optional_failed, err) &&
		  finish_txn(w, g, MARK_POST, optional_failed, err);
	if (!ok)
		(void)db_exec(w->ddl, "ROLLBACK", NULL);
	else if (g->npost)
		log_info("table %s: %zu indexes, constraints and other post-data statements recreated",
			 g->root->qualified, g->npost);
	return ok;
}

/* Retried like a unit: on a fresh session, with backoff, on faults only. */
static bool with_retries(struct worker *w, struct dgroup *g, const char *what,
			 bool (*once)(struct worker *, struct dgroup *, struct db_error *), struct db_error *err)
{
	struct engine *e = w->e;
	for (int attempt = 1;; attempt++) {
		memset(err, 0, sizeof *err);
		if (once(w, g, err))
			return true;
		engine_drop_close(w);
		if (atomic_load(&e->cancel) || err->retry != DB_RETRY_YES || attempt >= e->plan->retries) {
			if (!atomic_load(&e->cancel))
				log_error("table %s: %s: %s%s%s", g->root->qualified, what, err->sqlstate,
					  err->sqlstate[0] ? ": " : "", err->message);
			return false;
		}
		log_warn("table %s: %s: %s: %s; retry %d of %d", g->root->qualified, what, err->sqlstate,
			 err->message, attempt, e->plan->retries - 1);
		for (int i = 0; i < 5 * attempt && !atomic_load(&e->cancel); i++) {
			struct timespec ts = { 0, 100 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
}

bool engine_drop_prepare(struct worker *w, struct dgroup *g, struct db_error *err)
{
	bool ok = with_retries(w, g, "dropping and recreating it", prepare_once, err);
	if (ok) {
		pthread_mutex_lock(&w->e->lock);
		g->dropped = true;
		pthread_mutex_unlock(&w->e->lock);
	}
	return ok;
}

bool engine_drop_post(struct worker *w, struct dgroup *g, struct db_error *err)
{
	bool ok = with_retries(w, g, "recreating its indexes and constraints", post_once, err);
	pthread_mutex_lock(&w->e->lock);
	g->post_done = ok;
	pthread_mutex_unlock(&w->e->lock);
	return ok;
}
