/* validate: the run (connections, workers, snapshot) and the pairing of the
 * two catalogs.  The per-table checks are in validate_table.c. */
#include "validate.h"
#include "validate_int.h"

#include "catalog.h"
#include "clock.h"
#include "db.h"
#include "encoding.h"
#include "log.h"
#include "mem.h"
#include "session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct validate_run {
	struct validate_options opt;
	struct vrun_shared shared;
	struct table_list lists[2];
	struct vtask *tasks;            /* in the order the workers take them */
	size_t ntasks;
	struct validate_table *results; /* sorted by schema, name; tasks point here */
	size_t nresults;
	struct vworker *workers;
	int nworkers;
	size_t next_task;
	unsigned long done_seq;
	int busy;
	bool cancelled;
	double started_at;
	char *desc[2];
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

static double now_seconds(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

const char *validate_status_name(enum validate_status s)
{
	static const char *const names[] = { "pending", "running", "match", "differ", "missing", "extra", "error" };
	return names[s];
}

const char *validate_checks_text(unsigned mask, char *buf, size_t size)
{
	static const char *const names[] = { "count", "aggregates", "checksum", "columns" };
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < 4; i++)
		if (mask & (1u << i))
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? "," : "", names[i]);
	return buf;
}

void validate_options_from_plan(struct validate_options *o, const struct plan *p)
{
	memset(o, 0, sizeof *o);
	o->level = p->validate == VALIDATE_NONE ? VALIDATE_AGGREGATES : p->validate;
	o->jobs = p->jobs > 0 ? p->jobs : 4;
	o->sample_above_bytes = p->validate_sample_mb * 1024LL * 1024LL;
	o->sample_percent = p->validate_sample_percent;
	o->drill_limit = 10;
	o->drill_fetch_rows = 500;
}

/* A session of one side; client_encoding NULL: the server's own (the
 * first pair sets the wire encoding once both are open). */
static PGconn *open_side(const struct endpoint *ep, const char *role, const char *client_encoding,
			 struct flavor *f, char **desc, char *err, size_t errsize)
{
	struct db_error e;
	char t[600];
	PGconn *c = db_connect(ep, role, &e);
	if (!c) {
		char *where = db_endpoint_describe(ep);
		snprintf(err, errsize, "cannot connect to the %s (%s): %s", role, where, db_error_text(&e, t, sizeof t));
		free(where);
		return NULL;
	}
	/* both sides print values alike (session.h); floats are compared by their bits */
	if (!db_flavor(c, f, NULL, &e) || !session_pin(c, SESSION_COMPARE, client_encoding, NULL, &e)) {
		snprintf(err, errsize, "%s: %s", role, db_error_text(&e, t, sizeof t));
		PQfinish(c);
		return NULL;
	}
	if (desc) {
		char fl[160];
		char *where = db_endpoint_describe(ep);
		flavor_describe(f, fl, sizeof fl);
		*desc = xasprintf("%s (%s)", where, fl);
		free(where);
	}
	return c;
}

static int table_ptr_cmp(const void *a, const void *b)
{
	const struct table *x = *(const struct table *const *)a, *y = *(const struct table *const *)b;
	int c = strcmp(x->schema, y->schema);
	return c ? c : strcmp(x->name, y->name);
}

static const struct table **data_tables(const struct table_list *l, size_t *n)
{
	const struct table **v = xcalloc(l->n + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (catalog_has_data(&l->items[i]) || l->items[i].kind == TABLE_MATVIEW)
			v[(*n)++] = &l->items[i];
	qsort(v, *n, sizeof *v, table_ptr_cmp);
	return v;
}

static void result_init(struct validate_table *t, const struct table *from, enum validate_status st)
{
	memset(t, 0, sizeof *t);
	t->schema = xstrdup(from->schema);
	t->name = xstrdup(from->name);
	t->qualified = xstrdup(from->qualified);
	t->status = st;
	t->bytes = from->bytes;
	t->src_rows = t->dst_rows = -1;
}

/* Pair the tables of both sides by schema and name. */
static void pair_tables(struct validate_run *r)
{
	size_t n[2];
	const struct table **v[2] = { data_tables(&r->lists[0], &n[0]), data_tables(&r->lists[1], &n[1]) };
	r->results = xcalloc(n[0] + n[1] + 1, sizeof *r->results);
	r->tasks = xcalloc(n[0] + 1, sizeof *r->tasks);
	size_t i = 0, j = 0;
	while (i < n[0] || j < n[1]) {
		int c = i >= n[0] ? 1 : j >= n[1] ? -1 : table_ptr_cmp(&v[0][i], &v[1][j]);
		struct validate_table *res = &r->results[r->nresults++];
		if (c < 0) {
			result_init(res, v[0][i++], VALIDATE_MISSING);
		} else if (c > 0) {
			result_init(res, v[1][j++], VALIDATE_EXTRA);
		} else {
			result_init(res, v[0][i], VALIDATE_PENDING);
			r->tasks[r->ntasks++] = (struct vtask){ res, v[0][i], v[1][j], 0, 0 };
			i++;
			j++;
		}
	}
	free(v[0]);
	free(v[1]);
}

static int task_size_cmp(const void *a, const void *b)
{
	const struct vtask *x = a, *y = b;
	return x->src->bytes < y->src->bytes ? 1 : x->src->bytes > y->src->bytes ? -1 : 0;
}

/* A materialized view never refreshed has no contents to read: compared by
 * that alone when either side's is so.  false: compare it as a table. */
static bool matview_unpopulated(const struct vtask *t, struct validate_table *out)
{
	if (t->src->kind != TABLE_MATVIEW || (!t->src->unpopulated && !t->dst->unpopulated))
		return false;
	memset(out, 0, sizeof *out);
	out->bytes = t->src->bytes;
	out->src_rows = out->dst_rows = -1;
	if (t->src->unpopulated && t->dst->unpopulated) {
		out->status = VALIDATE_MATCH;
		out->note = xstrdup("a materialized view populated on neither side");
		return true;
	}
	out->status = VALIDATE_DIFFER;
	out->details = strv_push(NULL, t->src->unpopulated
				 ? "a materialized view populated on the destination but not on the source"
				 : "a materialized view not populated on the destination: its refresh failed or did "
				   "not run (gp2adb schema --section post-data refreshes it)");
	return true;
}

static void *worker_main(void *arg)
{
	struct vworker *w = arg;
	struct validate_run *r = w->run;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		if (r->cancelled || r->next_task >= r->ntasks) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		struct vtask *t = &r->tasks[r->next_task++];
		t->res->status = VALIDATE_RUNNING;
		t->started_at = now_seconds();
		r->busy++;
		pthread_mutex_unlock(&r->lock);

		struct validate_table out;
		if (!matview_unpopulated(t, &out))
			vtable_check(w, &r->shared, t, &out);
		if (t->src->kind == TABLE_MATVIEW && out.status == VALIDATE_DIFFER && !t->src->unpopulated &&
		    !t->dst->unpopulated) {
			char *note = xasprintf("a materialized view, refreshed on the destination from the copied "
					       "tables: it differs when the source's is older than its tables "
					       "(REFRESH MATERIALIZED VIEW there first)%s%s", out.note ? "; " : "",
					       out.note ? out.note : "");
			free(out.note);
			out.note = note;
		}
		out.seconds = now_seconds() - t->started_at;

		pthread_mutex_lock(&r->lock);
		free(out.schema);           /* the slot keeps its names */
		free(out.name);
		free(out.qualified);
		out.schema = t->res->schema;
		out.name = t->res->name;
		out.qualified = t->res->qualified;
		*t->res = out;
		t->done_seq = ++r->done_seq;
		r->busy--;
		pthread_cond_broadcast(&r->changed);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

static void run_free(struct validate_run *r)
{
	for (int i = 0; i < r->nworkers; i++) {
		for (int s = 0; s < 2; s++) {
			if (r->workers[i].cancel[s])
				PQfreeCancel(r->workers[i].cancel[s]);
			if (r->workers[i].conn[s])
				PQfinish(r->workers[i].conn[s]);
		}
	}
	free(r->workers);
	catalog_tables_free(&r->lists[0]);
	catalog_tables_free(&r->lists[1]);
	free(r->tasks);
	for (size_t i = 0; r->results && i < r->nresults; i++)
		vtable_free(&r->results[i]);
	free(r->results);
	free(r->desc[0]);
	free(r->desc[1]);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->changed);
	free(r);
}

/* Materialized views are compared as tables are (an unpopulated one is an
 * error, not a match): appended to the side's list. */
static bool add_matviews(PGconn *conn, const struct flavor *f, const struct plan *p, struct table_list *l,
			 struct db_error *err)
{
	struct table_list mv;
	if (!catalog_matviews(conn, f, p, &mv, err))
		return false;
	l->items = xrealloc(l->items, (l->n + mv.n + 1) * sizeof *l->items);
	memcpy(l->items + l->n, mv.items, mv.n * sizeof *mv.items);
	l->n += mv.n;
	free(mv.items);
	return true;
}

static bool same_encoding(PGconn *const c[2], char *which, size_t size)
{
	char enc[2][64] = { "", "" };
	for (int s = 0; s < 2; s++) {
		PGresult *res = db_query(c[s], "SHOW server_encoding", 0, NULL, NULL);
		if (res && PQntuples(res) == 1)
			snprintf(enc[s], sizeof enc[s], "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	snprintf(which, size, "%s on the source, %s on the destination", enc[0], enc[1]);
	return strcmp(enc[0], enc[1]) == 0;
}

struct validate_run *validate_start(const struct plan *p, const struct validate_options *o,
				    char *err, size_t errsize, bool *connect_failed)
{
	struct validate_run *r = xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	r->opt = *o;
	r->started_at = now_seconds();
	*connect_failed = false;
	r->shared.opt = &r->opt;

	/* the first connection pair reads the catalogs, then becomes worker 0 */
	int jobs = o->jobs > 0 ? o->jobs : 1;
	r->workers = xcalloc((size_t)jobs, sizeof *r->workers);
	const struct endpoint *ep[2] = { &p->source, &p->destination };
	static const char *const roles[] = { "source", "destination" };
	for (int s = 0; s < 2; s++) {
		r->workers[0].conn[s] = open_side(ep[s], roles[s], NULL, &r->shared.flavor[s], &r->desc[s], err, errsize);
		if (!r->workers[0].conn[s]) {
			*connect_failed = true;
			r->nworkers = 1;
			run_free(r);
			return NULL;
		}
	}
	r->nworkers = 1;
	/* Both sides' names and values reach gp2adb in one encoding, the copy's
	 * (encoding.h): a table named in LATIN1 on the source pairs with its
	 * UTF8 copy. */
	struct encoding_plan enc;
	encoding_decide(encoding_of(r->workers[0].conn[0]), encoding_of(r->workers[0].conn[1]),
			p->source_encoding, &enc);
	for (int s = 0; s < 2; s++) {
		struct db_error e;
		char t[600];
		if (!session_client_encoding(r->workers[0].conn[s], enc.wire, roles[s], &e)) {
			snprintf(err, errsize, "%s", db_error_text(&e, t, sizeof t));
			run_free(r);
			return NULL;
		}
	}
	for (int s = 0; s < 2; s++) {
		struct db_error e;
		char t[600];
		if (!catalog_tables(r->workers[0].conn[s], &r->shared.flavor[s], p, &r->lists[s], &e) ||
		    !add_matviews(r->workers[0].conn[s], &r->shared.flavor[s], p, &r->lists[s], &e)) {
			snprintf(err, errsize, "reading the %s catalog: %s", roles[s], db_error_text(&e, t, sizeof t));
			run_free(r);
			return NULL;
		}
	}
	r->shared.same_encoding = same_encoding(r->workers[0].conn, r->shared.encodings, sizeof r->shared.encodings);
	if (!r->shared.same_encoding && o->level >= VALIDATE_CHECKSUM)
		log_warn("server encodings differ (%s): row checksums and drill-down cannot be compared; "
			 "checking counts and aggregates only", r->shared.encodings);
	pair_tables(r);
	qsort(r->tasks, r->ntasks, sizeof *r->tasks, task_size_cmp);

	int want = jobs < (int)r->ntasks ? jobs : (int)r->ntasks;
	for (int i = 1; i < want; i++) {
		struct flavor f;
		for (int s = 0; s < 2; s++) {
			char role[32];
			snprintf(role, sizeof role, "%s-v%d", roles[s], i);
			r->workers[i].conn[s] = open_side(ep[s], role, enc.wire, &f, NULL, err, errsize);
			if (!r->workers[i].conn[s]) {
				*connect_failed = true;
				r->nworkers = i + 1;
				run_free(r);
				return NULL;
			}
		}
		r->nworkers = i + 1;
	}
	for (int i = 0; i < r->nworkers; i++) {
		r->workers[i].run = r;
		r->workers[i].id = i;
		for (int s = 0; s < 2; s++)
			r->workers[i].cancel[s] = PQgetCancel(r->workers[i].conn[s]);
	}
	log_info("validate: %zu tables on both sides, %zu only on one, level %s, %d workers",
		 r->ntasks, r->nresults - r->ntasks, plan_validate_name(o->level), r->nworkers);
	for (int i = 0; i < r->nworkers; i++) {
		if (pthread_create(&r->workers[i].thread, NULL, worker_main, &r->workers[i]) != 0) {
			snprintf(err, errsize, "cannot start a worker thread");
			pthread_mutex_lock(&r->lock);
			r->cancelled = true;
			pthread_mutex_unlock(&r->lock);
			for (int k = 0; k < i; k++)
				pthread_join(r->workers[k].thread, NULL);
			run_free(r);
			return NULL;
		}
		r->workers[i].started = true;
	}
	return r;
}

void validate_snapshot(struct validate_run *r, struct validate_snapshot *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&r->lock);
	out->now = now_seconds();
	out->started_at = r->started_at;
	out->workers = r->nworkers;
	out->workers_busy = r->busy;
	out->cancelled = r->cancelled;
	out->ntables = r->nresults;
	out->tables = xcalloc(r->nresults + 1, sizeof *out->tables);
	out->tables_total = (int)r->nresults;
	for (size_t i = 0; i < r->nresults; i++) {
		const struct validate_table *t = &r->results[i];
		struct validate_table_progress *tp = &out->tables[i];
		snprintf(tp->name, sizeof tp->name, "%s", t->qualified);
		tp->status = t->status;
		tp->bytes = t->bytes;
		switch (t->status) {
		case VALIDATE_PENDING: break;
		case VALIDATE_RUNNING: out->tables_running++; break;
		case VALIDATE_MATCH: out->matched++; break;
		case VALIDATE_DIFFER: out->differ++; break;
		case VALIDATE_MISSING: out->missing++; break;
		case VALIDATE_EXTRA: out->extra++; break;
		case VALIDATE_ERROR: out->errors++; break;
		}
		if (t->status >= VALIDATE_MATCH)
			out->tables_done++;
	}
	for (size_t i = 0; i < r->ntasks; i++) {
		size_t idx = (size_t)(r->tasks[i].res - r->results);
		out->tables[idx].started_at = r->tasks[i].started_at;
		out->tables[idx].done_seq = r->tasks[i].done_seq;
		if (r->tasks[i].done_seq)
			out->tables[idx].finished_at = r->tasks[i].started_at + r->tasks[i].res->seconds;
	}
	out->finished = r->next_task >= r->ntasks && r->busy == 0;
	pthread_mutex_unlock(&r->lock);
}

void validate_snapshot_free(struct validate_snapshot *s)
{
	free(s->tables);
	s->tables = NULL;
	s->ntables = 0;
}

void validate_poll(struct validate_run *r, int timeout_ms)
{
	struct timespec ts = clock_deadline(timeout_ms / 1000.0);
	pthread_mutex_lock(&r->lock);
	unsigned long seen = r->done_seq;
	while (r->done_seq == seen && !(r->next_task >= r->ntasks && r->busy == 0) && !r->cancelled)
		if (pthread_cond_timedwait(&r->changed, &r->lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&r->lock);
}

void validate_cancel(struct validate_run *r)
{
	pthread_mutex_lock(&r->lock);
	r->cancelled = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	for (int i = 0; i < r->nworkers; i++) {
		for (int s = 0; s < 2; s++) {
			char buf[256];
			if (r->workers[i].cancel[s])
				PQcancel(r->workers[i].cancel[s], buf, sizeof buf);
		}
	}
}

void validate_finish(struct validate_run *r, struct validate_result *out)
{
	for (int i = 0; i < r->nworkers; i++)
		if (r->workers[i].started)
			pthread_join(r->workers[i].thread, NULL);
	memset(out, 0, sizeof *out);
	out->level = r->opt.level;
	out->jobs = r->nworkers;
	out->started_at = r->started_at;
	out->finished_at = now_seconds();
	out->cancelled = r->cancelled;
	out->source_desc = r->desc[0];
	out->destination_desc = r->desc[1];
	r->desc[0] = r->desc[1] = NULL;
	out->n = r->nresults;
	out->tables = r->results;
	for (size_t i = 0; i < out->n; i++) {
		struct validate_table *t = &out->tables[i];
		if (t->status == VALIDATE_PENDING || t->status == VALIDATE_RUNNING) {
			t->status = VALIDATE_ERROR;
			snprintf(t->error, sizeof t->error, "not checked: the run was cancelled");
		}
		switch (t->status) {
		case VALIDATE_MATCH: out->matched++; break;
		case VALIDATE_DIFFER: out->differ++; break;
		case VALIDATE_MISSING: out->missing++; break;
		case VALIDATE_EXTRA: out->extra++; break;
		default: out->errors++; break;
		}
	}
	r->results = NULL;
	r->nresults = 0;
	run_free(r);
}

void validate_result_free(struct validate_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		vtable_free(&res->tables[i]);
	free(res->tables);
	free(res->source_desc);
	free(res->destination_desc);
	memset(res, 0, sizeof *res);
}
