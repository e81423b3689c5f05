/* The wizard's backfill (13) over backfill.c: which tables changed on the
 * source since their copy, then the same engine run and validation as gp2adb
 * backfill, database by database, its progress merged into one snapshot for
 * the copy's panes (tables named "db"."schema"."table" with several). */
#include "backend_priv.h"
#include "backfill.h"
#include "exitcode.h"
#include "mem.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct core_bf {
	struct core_dbs dbs;
	struct backfill_plan *plans;    /* per database; n 0 where it was not read */
};

static void bf_free(struct core_bf *bf)
{
	if (!bf)
		return;
	for (size_t i = 0; i < bf->dbs.dbs.n; i++)
		backfill_plan_free(&bf->plans[i]);
	free(bf->plans);
	core_dbs_free(&bf->dbs);
	free(bf);
}

static const char *change_text(enum backfill_change c)
{
	switch (c) {
	case BACKFILL_UNCHANGED: return "unchanged";
	case BACKFILL_CHANGED: return "rows were inserted";
	case BACKFILL_REWRITTEN: return "rows were updated or deleted";
	case BACKFILL_COUNTS_DIFFER: return "the row counts differ";
	case BACKFILL_NOT_COPIED: return "not copied by gp2adb";
	}
	return "?";
}

static void row_from_table(const char *db, const struct backfill_table *t, struct ui_bf_row *r)
{
	memset(r, 0, sizeof *r);
	core_db_qualify(db, t->qualified, r->table, sizeof r->table);
	snprintf(r->change, sizeof r->change, "%s", change_text(t->change));
	r->whole = t->predicate == NULL;
	if (t->predicate)
		snprintf(r->how, sizeof r->how, "copy the rows beyond %s = %s (%s)", t->column, t->hwm, t->why_column);
	else if (t->change == BACKFILL_REWRITTEN)
		snprintf(r->how, sizeof r->how, "copy it again whole");
	else
		snprintf(r->how, sizeof r->how, "copy it again whole (no ever-increasing column: "
			 "migration.backfill_keys names one)");
}

static void *detect_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->backfill.plan;
	struct core_bf *bf = xcalloc(1, sizeof *bf);
	struct ui_backfill out = { 0 };
	char err[1024];
	out.fingerprints = true;
	if (!core_dbs_load(p, &bf->dbs, err, sizeof err))
		snprintf(out.error, sizeof out.error, "%.511s", err);
	bf->plans = xcalloc(bf->dbs.dbs.n + 1, sizeof *bf->plans);
	for (size_t i = 0; i < bf->dbs.dbs.n; i++) {
		const char *db = core_dbs_name(&bf->dbs, i);
		if (!bf->dbs.dbs.v[i].on_source)
			continue;       /* the Databases step and the copy named it */
		struct plan view;
		int code;
		core_dbs_view(&bf->dbs, p, i, &view);
		if (!backfill_plan(&view, &bf->plans[i], &code, err, sizeof err)) {
			/* named with the reason; the other databases go on */
			size_t len = strlen(out.error);
			snprintf(out.error + len, sizeof out.error - len, "%s%s%s%.400s", len ? "; " : "",
				 db ? db : "", db ? ": " : "", err);
			memset(&bf->plans[i], 0, sizeof bf->plans[i]);
			continue;
		}
		const struct backfill_plan *b = &bf->plans[i];
		out.checked += b->n;
		out.fingerprints = out.fingerprints && b->fingerprints;
		for (size_t k = 0; k < b->n; k++) {
			if (!backfill_changed(&b->v[k]))
				continue;
			out.rows = xrealloc(out.rows, (out.n + 1) * sizeof *out.rows);
			row_from_table(db, &b->v[k], &out.rows[out.n++]);
		}
	}
	out.detected = true;
	pthread_mutex_lock(&c->mu);
	bf_free(c->bf);
	c->bf = bf;
	ui_backfill_free(&c->bfo);
	c->bfo = out;
	c->backfill.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void set_phase(struct core *c, const char *db, const char *what, size_t n)
{
	pthread_mutex_lock(&c->mu);
	snprintf(c->bfo.phase, sizeof c->bfo.phase, "%s %zu table%s%s%s", what, n, n == 1 ? "" : "s",
		 db ? " of database " : "", db ? db : "");
	pthread_mutex_unlock(&c->mu);
}

/* Append src's tables (named in db) to dst, adding its totals. */
static void snap_append(struct engine_snapshot *dst, const struct engine_snapshot *src, const char *db)
{
	dst->tables = xrealloc(dst->tables, (dst->ntables + src->ntables + 1) * sizeof *dst->tables);
	for (size_t i = 0; i < src->ntables; i++) {
		char name[600];
		core_db_qualify(db, src->tables[i].name, name, sizeof name);
		engine_table_stats_copy(dst, &dst->tables[dst->ntables + i], &src->tables[i], name);
	}
	dst->ntables += src->ntables;
	dst->tables_total += src->tables_total;
	dst->tables_done += src->tables_done;
	dst->tables_failed += src->tables_failed;
	dst->tables_skipped += src->tables_skipped;
	dst->bytes_est += src->bytes_est;
	dst->bytes_done += src->bytes_done;
	dst->rows_done += src->rows_done;
}

/* One engine run over the units, as gp2adb backfill runs it; its tables
 * join bf_prev at the end. */
static int run_units(struct core *c, const struct plan *p, const char *db, const struct engine_backfill_unit *u,
		     size_t n)
{
	struct plan view = *p;
	view.mode = MODE_APPEND;        /* the units say what is truncated */
	struct engine_options opt = { .backfill = u, .nbackfill = n, .migration_suffix = BACKFILL_SUFFIX };
	struct engine *e = engine_new(&view, &opt);
	if (!engine_start(e)) {
		int rc = engine_exit_code(e);
		engine_free(e);
		return rc;
	}
	pthread_mutex_lock(&c->mu);
	c->bf_engine = e;
	c->bf_db = db;
	pthread_mutex_unlock(&c->mu);
	bool cancelled = false;
	while (!engine_wait_finished(e, 0.2)) {
		pthread_mutex_lock(&c->mu);
		bool cancel = c->backfill_cancel;
		pthread_mutex_unlock(&c->mu);
		if (cancel && !cancelled) {
			engine_cancel(e);
			cancelled = true;
		}
	}
	engine_wait(e);
	int rc = engine_exit_code(e);
	struct engine_snapshot s;
	engine_snapshot(e, &s);
	pthread_mutex_lock(&c->mu);
	snap_append(&c->bf_prev, &s, db);
	c->bf_engine = NULL;
	pthread_mutex_unlock(&c->mu);
	engine_snapshot_free(&s);
	engine_free(e);
	return rc;
}

/* Validate the backfilled tables of one database; their rows join the
 * published validation, the names of those that still differ join *differ. */
static int validate_tables(struct core *c, const struct plan *p, const char *db, const struct backfill_plan *b,
			   char ***differ)
{
	char err[1024];
	bool connect_failed;
	struct validate_result res;
	if (!backfill_validate_changed(p, b, &res, differ, err, sizeof err, &connect_failed)) {
		pthread_mutex_lock(&c->mu);
		snprintf(c->bfo.error, sizeof c->bfo.error, "validating the backfilled tables: %.450s", err);
		pthread_mutex_unlock(&c->mu);
		return connect_failed ? EXIT_CONNECT : EXIT_DIFFERENCES;
	}
	struct ui_validation v;
	ui_validation_from_result(&res, &v);
	pthread_mutex_lock(&c->mu);
	struct ui_validation *all = &c->bfo.val;
	all->rows = xrealloc(all->rows, (all->n + v.n + 1) * sizeof *all->rows);
	for (size_t i = 0; i < v.n; i++) {
		all->rows[all->n + i] = v.rows[i];
		core_db_qualify(db, v.rows[i].table, all->rows[all->n + i].table, sizeof all->rows[i].table);
	}
	all->n += v.n;
	c->bfo.validated = true;
	pthread_mutex_unlock(&c->mu);
	int rc = res.differ || res.missing || res.extra || res.errors ? EXIT_DIFFERENCES : EXIT_OK;
	ui_validation_free(&v);
	validate_result_free(&res);
	return rc;
}

/* One database: the units, their validation, and the incremental tables
 * that still differ copied again whole (as cmd_backfill.c). */
static int backfill_database(struct core *c, const struct plan *p, const char *db, struct backfill_plan *b)
{
	size_t n;
	struct engine_backfill_unit *u = backfill_units(b, false, &n);
	set_phase(c, db, "copying", n);
	int rc = run_units(c, p, db, u, n);
	free(u);
	char **differ = NULL;
	pthread_mutex_lock(&c->mu);
	size_t first = c->bfo.val.n;    /* this database's validation rows start here */
	pthread_mutex_unlock(&c->mu);
	if (rc == EXIT_OK) {
		set_phase(c, db, "validating", n);
		rc = validate_tables(c, p, db, b, &differ);
	}
	if (rc == EXIT_DIFFERENCES) {
		size_t redo = 0;
		for (size_t i = 0; i < b->n; i++) {
			struct backfill_table *t = &b->v[i];
			bool want = t->predicate && strv_contains(differ, t->qualified);
			if (!want && backfill_changed(t))
				t->change = BACKFILL_UNCHANGED;     /* not part of the second round */
			redo += want;
		}
		if (redo) {
			/* their first validation rows are replaced by the second's */
			pthread_mutex_lock(&c->mu);
			size_t keep = first;
			for (size_t i = first; i < c->bfo.val.n; i++) {
				bool again = false;
				for (size_t k = 0; differ && differ[k] && !again; k++) {
					char q[256];
					core_db_qualify(db, differ[k], q, sizeof q);
					again = strcmp(c->bfo.val.rows[i].table, q) == 0;
				}
				if (!again)
					c->bfo.val.rows[keep++] = c->bfo.val.rows[i];
			}
			c->bfo.val.n = keep;
			pthread_mutex_unlock(&c->mu);
			set_phase(c, db, "copying again whole (they still differed)", redo);
			u = backfill_units(b, true, &n);
			rc = run_units(c, p, db, u, n);
			free(u);
			strv_free(differ);
			differ = NULL;
			if (rc == EXIT_OK) {
				set_phase(c, db, "validating again", redo);
				rc = validate_tables(c, p, db, b, &differ);
			}
		}
	}
	strv_free(differ);
	return rc;
}

static void *backfill_main(void *arg)
{
	struct core *c = arg;
	const struct plan *p = c->backfill.plan;
	struct core_bf *bf = c->bf;     /* unchanged while this job runs */
	int rc = EXIT_OK;
	for (size_t i = 0; i < bf->dbs.dbs.n; i++) {
		if (bf->plans[i].changed == 0)
			continue;
		pthread_mutex_lock(&c->mu);
		bool cancel = c->backfill_cancel;
		pthread_mutex_unlock(&c->mu);
		if (cancel) {
			rc = EXIT_INTERRUPTED;
			break;
		}
		struct plan view;
		core_dbs_view(&bf->dbs, p, i, &view);
		int code = backfill_database(c, &view, core_dbs_name(&bf->dbs, i), &bf->plans[i]);
		if (code != EXIT_OK && (rc == EXIT_OK || code == EXIT_INTERRUPTED))
			rc = code;
	}
	pthread_mutex_lock(&c->mu);
	c->bfo.rc = rc;
	c->bfo.running = false;
	c->bfo.finished = true;
	snprintf(c->bfo.phase, sizeof c->bfo.phase, "%s", rc == EXIT_OK ? "done" : "ended with a problem");
	c->backfill.done = true;
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static bool core_backfill_detect_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (core_job_running(c, &c->backfill)) {
		snprintf(err, size, "the backfill is still running");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	ui_backfill_free(&c->bfo);
	engine_snapshot_free(&c->bf_prev);
	c->backfill_cancel = false;
	pthread_mutex_unlock(&c->mu);
	return core_job_start(c, &c->backfill, detect_main, p, "the backfill's detection", err, size);
}

static bool core_backfill_start(void *ctx, const struct plan *p, char *err, size_t size)
{
	struct core *c = ctx;
	if (core_job_running(c, &c->backfill)) {
		snprintf(err, size, "the backfill is still running");
		return false;
	}
	core_job_join(&c->backfill);
	if (!c->bf || !c->bfo.detected) {
		snprintf(err, size, "the changed tables are not known yet");
		return false;
	}
	pthread_mutex_lock(&c->mu);
	c->bfo.running = true;
	c->bfo.finished = false;
	ui_validation_free(&c->bfo.val);
	engine_snapshot_free(&c->bf_prev);
	pthread_mutex_unlock(&c->mu);
	return core_job_start(c, &c->backfill, backfill_main, p, "the backfill", err, size);
}

static void core_backfill_poll(void *ctx, struct ui_backfill *out)
{
	struct core *c = ctx;
	pthread_mutex_lock(&c->mu);
	*out = c->bfo;
	out->rows = xcalloc(c->bfo.n + 1, sizeof *out->rows);
	if (out->n)
		memcpy(out->rows, c->bfo.rows, c->bfo.n * sizeof *out->rows);
	out->val.rows = xcalloc(c->bfo.val.n + 1, sizeof *out->val.rows);
	if (out->val.n)
		memcpy(out->val.rows, c->bfo.val.rows, c->bfo.val.n * sizeof *out->val.rows);
	pthread_mutex_unlock(&c->mu);
}

static void core_backfill_snapshot(void *ctx, struct engine_snapshot *out)
{
	struct core *c = ctx;
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&c->mu);
	if (c->bf_engine) {
		struct engine_snapshot s;
		engine_snapshot(c->bf_engine, &s);
		*out = s;
		out->tables = NULL;
		out->ntables = 0;
		out->tables_total = out->tables_done = out->tables_failed = out->tables_skipped = 0;
		out->bytes_est = out->bytes_done = out->rows_done = 0;
		snap_append(out, &c->bf_prev, NULL);
		snap_append(out, &s, c->bf_db);
		engine_snapshot_free(&s);
	} else {
		out->now = out->started_at = core_now(c);
		snap_append(out, &c->bf_prev, NULL);
	}
	out->finished = c->bfo.finished;
	pthread_mutex_unlock(&c->mu);
}

void core_backfill_done(struct core *c)
{
	pthread_mutex_lock(&c->mu);
	c->backfill_cancel = true;      /* a backfill still running is cancelled */
	pthread_mutex_unlock(&c->mu);
	core_job_join(&c->backfill);
	bf_free(c->bf);
	c->bf = NULL;
	ui_backfill_free(&c->bfo);
	engine_snapshot_free(&c->bf_prev);
}

void core_backfill_bind(struct ui_backend *be)
{
	be->backfill_detect_start = core_backfill_detect_start;
	be->backfill_start = core_backfill_start;
	be->backfill_poll = core_backfill_poll;
	be->backfill_snapshot = core_backfill_snapshot;
}
