/* engine: setup (connections, snapshot, catalog, markers, units), the
 * lifecycle, and the snapshot the UI reads.  Workers: engine_worker.c. */
#include "engine_priv.h"
#include "clock.h"
#include "copy_journal.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
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
	plan_migration_id(p, e->migration_id);
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

static bool setup_fail(struct engine *e, int code)
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
		setup_fail(e, EXIT_CONNECT);
		return NULL;
	}
	if (!db_flavor(c, f, NULL, &err)) {
		log_error("%s %s: %s", role, where, err.message);
		free(where);
		PQfinish(c);
		setup_fail(e, EXIT_CONNECT);
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
	return setup_fail(e, EXIT_USAGE);
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

/* "schema\001name" keys of the destination's tables, sorted. */
static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **destination_tables(PGconn *dst, size_t *n)
{
	struct db_error err;
	*n = 0;
	PGresult *r = db_query(dst,
		"SELECT n.nspname, c.relname FROM pg_class c\n"
		"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
		"WHERE c.relkind IN ('r', 'p')", 0, NULL, &err);
	if (!r) {
		log_error("destination: listing tables: %s: %s", err.sqlstate, err.message);
		return NULL;
	}
	int rows = PQntuples(r);
	char **keys = xcalloc((size_t)rows + 1, sizeof *keys);
	for (int i = 0; i < rows; i++)
		keys[i] = xasprintf("%s\001%s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	qsort(keys, (size_t)rows, sizeof *keys, key_cmp);
	*n = (size_t)rows;
	return keys;
}

static bool destination_has(char **keys, size_t n, const struct table *t)
{
	char *k = xasprintf("%s\001%s", t->schema, t->name);
	bool found = bsearch(&k, keys, n, sizeof *keys, key_cmp) != NULL;
	free(k);
	return found;
}

/* The SQL a table's units share: column lists, format, FREEZE. */
static void table_sql(struct engine *e, struct etable *et)
{
	const struct table *t = et->t;
	const struct plan *p = e->plan;
	struct strbuf cols, out;
	strbuf_init(&cols);
	strbuf_init(&out);
	bool unsafe = false;
	for (size_t i = 0; i < t->ncols; i++)
		unsafe |= !t->cols[i].generated && t->cols[i].binary_unsafe;
	if (p->format == FORMAT_BINARY)
		et->binary = true;
	else if (p->format == FORMAT_TEXT)
		et->binary = false;
	else    /* binary COPY converts the text of only some types (encoding.h) */
		et->binary = flavor_binary_compatible(&e->sf, &e->df) && !unsafe && !encoding_converts(&e->enc);
	/* A server before 9.0 prints real with 8 digits at most (extra_float_digits
	 * 2), one short of exact: read it as float8, exact with 17, which the
	 * destination rounds back to the same real. */
	bool widen = !et->binary && session_float_digits(e->sf.pg_num) < 3, widen_any = false;
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated)
			continue;
		char *q = db_quote_ident(e->coord, t->cols[i].name);
		const char *tn = t->cols[i].typname;
		const char *cast = !widen || !tn ? "" : strcmp(tn, "float4") == 0 ? "::float8"
				   : strcmp(tn, "_float4") == 0 ? "::float8[]" : "";
		strbuf_printf(&cols, "%s%s", cols.len ? ", " : "", q);
		strbuf_printf(&out, "%s%s%s", out.len ? ", " : "", q, cast);
		widen_any |= cast[0] != '\0';
		free(q);
	}

	et->select_sql = xasprintf("COPY (SELECT %s FROM ONLY %s", out.data, t->qualified);
	const char *fmt = et->binary ? "FORMAT binary" : "";
	char *list = cols.len ? xasprintf(" (%s)", cols.data) : xstrdup("");
	/* A whole table reads cheaper without the executor: COPY t (cols) TO
	 * reads only t itself, as ONLY does, and skips the same columns. */
	if (cols.len && !widen_any)
		et->table_out_sql = xasprintf("COPY %s%s", t->qualified, list);
	et->copy_in_sql = xasprintf("COPY %s%s FROM STDIN%s%s%s", t->qualified, list,
				    *fmt ? " (" : "", fmt, *fmt ? ")" : "");
	bool freeze_ok = e->df.kind == FLAVOR_POSTGRES && e->df.pg_num >= 90300;
	if (freeze_ok)
		et->copy_in_freeze_sql = xasprintf("COPY %s%s FROM STDIN (%s%sFREEZE)", t->qualified, list,
						   fmt, *fmt ? ", " : "");
	free(list);
	strbuf_done(&cols);
	strbuf_done(&out);
}

static bool unit_known(const struct unit_spec *units, size_t first, size_t n, const char *id)
{
	for (size_t i = first; i < first + n; i++)
		if (strcmp(units[i].id, id) == 0)
			return true;
	return false;
}

/* Decide, from this migration's markers, what is left of a table. */
static void table_resume(struct engine *e, struct etable *et, struct unit_spec *specs, size_t first,
			 size_t nspecs, const struct progress_marks *marks, bool *unit_done)
{
	size_t m0, nm = progress_marks_of(marks, et->t->qualified, &m0);
	bool prep_marked = false, all_known = true;
	size_t unit_marks = 0;
	for (size_t i = m0; i < m0 + nm; i++) {
		if (strcmp(marks->items[i].unit, PROGRESS_PREP_UNIT) == 0) {
			prep_marked = true;
			continue;
		}
		unit_marks++;
		all_known &= unit_known(specs, first, nspecs, marks->items[i].unit);
	}
	bool replace = e->plan->mode == MODE_TRUNCATE || e->plan->mode == MODE_DROP;
	et->truncate = replace;
	et->prep = replace && nspecs > 1 ? PREP_NEEDED : PREP_NONE;
	if (nm == 0)
		return;
	if (!all_known) {
		if (replace)
			return;     /* the split changed: redo the table from its truncation */
		et->state = TABLE_FAILED;
		snprintf(et->error, sizeof et->error,
			 "its units changed since the interrupted run (split_threshold_mb or table size); "
			 "rerun without --resume, in mode truncate");
		return;
	}
	if (replace && nspecs > 1 && !prep_marked)
		return;         /* unit markers without a truncation of ours: redo */
	if (replace && nspecs == 1 && unit_marks == 0)
		return;
	et->truncate = false;
	if (et->prep == PREP_NEEDED)
		et->prep = PREP_DONE;
	for (size_t i = m0; i < m0 + nm; i++) {
		for (size_t u = first; u < first + nspecs; u++) {
			if (strcmp(specs[u].id, marks->items[i].unit) == 0) {
				unit_done[u] = true;
				et->rows_before += marks->items[i].rows;
				et->bytes_before += marks->items[i].bytes;
			}
		}
	}
}

static bool in_list(char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* --only-failed: a table to retry.  In mode drop a group is dropped and
 * recreated as one, so a failed member brings back all of its group. */
static bool retry_wanted(const struct engine *e, char *const *failed, size_t cat_index)
{
	const struct table *t = &e->cat.items[cat_index];
	if (e->plan->mode != MODE_DROP || e->cat_group[cat_index] == SIZE_MAX)
		return in_list(failed, t->qualified);
	const struct dgroup *g = &e->groups[e->cat_group[cat_index]];
	for (size_t i = 0; g->members[i]; i++)
		if (in_list(failed, g->members[i]))
			return true;
	return false;
}

static bool table_has_rows(PGconn *dst, const struct table *t, bool *has)
{
	struct db_error err;
	char *sql = xasprintf("SELECT EXISTS (SELECT 1 FROM ONLY %s)", t->qualified);
	PGresult *r = db_query(dst, sql, 0, NULL, &err);
	free(sql);
	if (!r) {
		log_error("destination table %s: %s: %s", t->qualified, err.sqlstate, err.message);
		return false;
	}
	*has = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return true;
}

static int eunit_cmp(const void *a, const void *b)
{
	return unit_compare(&((const struct eunit *)a)->spec, &((const struct eunit *)b)->spec);
}

/* Tables and units: what to copy, what earlier runs committed. */
static bool plan_units(struct engine *e, PGconn *dst)
{
	const struct plan *p = e->plan;
	struct db_error err;
	char **failed = NULL;
	if (e->opt.only_failed) {
		if (!copy_journal_read_failed(e->journal_dir, &failed))
			return setup_fail(e, EXIT_USAGE);
		if (!failed)
			log_info("no tables failed in the last run: nothing to retry");
	}
	struct progress_marks marks = { 0 };
	if (e->opt.resume) {
		if (!progress_load(dst, e->migration_id, &marks, &err))
			goto fail;
	} else if (!progress_clear(dst, e->migration_id, &err)) {
		goto fail;
	}
	size_t ndst;
	char **dst_keys = destination_tables(dst, &ndst);
	if (!dst_keys)
		goto fail;

	bool drop = p->mode == MODE_DROP;
	struct unit_split split;
	unit_split_for(&split, &e->sf, p->split_threshold_mb, e->segments);
	e->tables = xcalloc(e->cat.n + 1, sizeof *e->tables);
	struct unit_spec *specs = NULL;
	size_t nspecs = 0, skipped_defs = 0;
	for (size_t i = 0; i < e->cat.n; i++) {
		const struct table *t = &e->cat.items[i];
		if (!catalog_has_data(t)) {
			skipped_defs += t->kind == TABLE_EXTERNAL || t->kind == TABLE_FOREIGN;
			continue;
		}
		if (e->opt.only_failed && !retry_wanted(e, failed, i))
			continue;
		struct etable *et = &e->tables[e->ntables];
		et->t = t;
		et->state = TABLE_QUEUED;
		rate_window_init(&et->rate);
		size_t first = nspecs;
		et->spec0 = first;
		if (drop) {
			struct dgroup *g = &e->groups[e->cat_group[i]];
			et->group = e->cat_group[i];
			g->tables[g->ntables++] = e->ntables;
			if (g->error[0]) {
				et->state = TABLE_FAILED;
				snprintf(et->error, sizeof et->error, "%s", g->error);
			}
		}
		unit_plan_table(t, e->ntables, &split, &specs, &nspecs);
		et->nunits = (int)(nspecs - first);
		e->ntables++;
		table_sql(e, et);
		if (!drop && !destination_has(dst_keys, ndst, t)) {
			et->state = TABLE_FAILED;
			snprintf(et->error, sizeof et->error, "the destination has no table %s; run gp2adb schema first",
				 t->qualified);
		}
	}
	if (skipped_defs)
		log_info("%zu external or foreign tables: definitions only, no data copied", skipped_defs);

	e->nunits = nspecs;
	e->units = xcalloc(nspecs + 1, sizeof *e->units);
	e->ustate = xcalloc(nspecs + 1, sizeof *e->ustate);
	e->tprep = xcalloc(e->ntables + 1, sizeof *e->tprep);
	bool *done = xcalloc(nspecs + 1, sizeof *done);
	bool ok = true;
	if (drop)
		ok = engine_drop_resume(e, dst, &marks, done, specs);
	for (size_t i = 0, first = 0; !drop && i < e->ntables; first += (size_t)e->tables[i].nunits, i++) {
		struct etable *et = &e->tables[i];
		if (et->state == TABLE_FAILED)
			continue;
		table_resume(e, et, specs, first, (size_t)et->nunits, &marks, done);
		if (p->mode == MODE_SKIP_EXISTING && et->state == TABLE_QUEUED && et->rows_before == 0) {
			bool has = false;
			size_t m0;
			if (progress_marks_of(&marks, et->t->qualified, &m0) == 0 &&
			    !(ok = table_has_rows(dst, et->t, &has)))
				break;
			if (has)
				et->state = TABLE_SKIPPED;
		}
	}
	for (size_t u = 0; u < nspecs; u++) {
		struct etable *et = &e->tables[specs[u].table];
		e->units[u].spec = specs[u];
		e->units[u].state = et->state == TABLE_QUEUED ? (done[u] ? UNIT_DONE : UNIT_QUEUED) : UNIT_SKIPPED;
		if (e->units[u].state == UNIT_DONE)
			et->units_done++;
		else if (e->units[u].state == UNIT_QUEUED)
			et->units_left++;
	}
	for (size_t i = 0; i < e->ntables; i++) {
		struct etable *et = &e->tables[i];
		if (et->state == TABLE_QUEUED && et->units_left == 0)
			et->state = TABLE_DONE;
		e->tprep[i] = et->prep;
	}
	free(done);
	free(specs);
	qsort(e->units, e->nunits, sizeof *e->units, eunit_cmp);
	e->utable = xcalloc(e->nunits + 1, sizeof *e->utable);
	e->ugroup = xcalloc(e->nunits + 1, sizeof *e->ugroup);
	for (size_t u = 0; u < e->nunits; u++) {
		e->ustate[u] = e->units[u].state;
		e->utable[u] = e->units[u].spec.table;
		e->ugroup[u] = drop ? e->tables[e->units[u].spec.table].group : 0;
	}
	strv_free(dst_keys);
	strv_free(failed);
	progress_marks_free(&marks);
	return ok ? true : setup_fail(e, EXIT_USAGE);
fail:
	strv_free(failed);
	progress_marks_free(&marks);
	return setup_fail(e, EXIT_USAGE);
}

static void *monitor_main(void *arg);

bool engine_start(struct engine *e)
{
	const struct plan *p = e->plan;
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
		setup_fail(e, EXIT_PREFLIGHT);
		goto out;
	}
	e->journal_dir = copy_journal_dir(p->state_dir, e->migration_id);
	if (!e->journal_dir) {
		setup_fail(e, EXIT_USAGE);
		goto out;
	}
	if (!take_snapshot(e))
		goto out;
	if (!catalog_tables(e->coord, &e->sf, p, &e->cat, &err) ||
	    !catalog_sequences(e->coord, &e->sf, p, &e->seqs, &err)) {
		log_error("source: reading the catalog: %s: %s", err.sqlstate, err.message);
		setup_fail(e, EXIT_USAGE);
		goto out;
	}
	e->segments = count_segments(e);
	int code = EXIT_USAGE;
	if (p->mode == MODE_DROP && !engine_drop_setup(e, &code)) {
		setup_fail(e, code);
		goto out;
	}
	if (!progress_ensure(dst, &err)) {
		setup_fail(e, EXIT_USAGE);
		goto out;
	}
	if (!plan_units(e, dst))
		goto out;

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
		setup_fail(e, EXIT_USAGE);
out:
	PQfinish(dst);
	return ok;
}

static void sample_rates(struct engine *e, double now)
{
	pthread_mutex_lock(&e->stats_lock);
	long long total = 0;
	long long *per = xcalloc(e->ntables + 1, sizeof *per);
	for (size_t u = 0; u < e->nunits; u++)
		per[e->units[u].spec.table] += atomic_load(&e->units[u].bytes);
	for (size_t i = 0; i < e->ntables; i++) {
		rate_window_push(&e->tables[i].rate, now, per[i]);
		total += per[i];
	}
	rate_window_push(&e->total_rate, now, total);
	free(per);
	pthread_mutex_unlock(&e->stats_lock);
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
	atomic_store(&e->paused, paused);
	pthread_mutex_lock(&e->lock);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

void engine_cancel(struct engine *e)
{
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
	}
	free(e->tables);
	free(e->units);
	free(e->ustate);
	free(e->utable);
	free(e->ugroup);
	free(e->tprep);
	engine_drop_free(e);
	free(e->journal_dir);
	catalog_tables_free(&e->cat);
	catalog_sequences_free(&e->seqs);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->stats_lock);
	free(e);
}
