/* analyze: a queue of ANALYZE statements on a few destination connections. */
#include "analyze.h"

#include "catalog.h"
#include "db.h"
#include "log.h"
#include "mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

struct analyze_run {
	struct analyze_result *res;
	bool greenplum;
	size_t next, done;
	size_t leaves;                  /* items before this index are not roots */
	pthread_mutex_t lock;
	pthread_cond_t leaves_done;
	size_t leaves_finished;
	analyze_progress_fn fn;
	void *arg;
};

struct analyze_worker {
	struct analyze_run *run;
	PGconn *conn;
	pthread_t thread;
};

static double now_seconds(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static int item_cmp(const void *a, const void *b)
{
	const struct analyze_item *x = a, *y = b;
	if (x->root != y->root)
		return x->root ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? -1 : 1;
	return strcmp(x->qualified, y->qualified);
}

static void *worker_main(void *arg)
{
	struct analyze_worker *w = arg;
	struct analyze_run *r = w->run;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		if (r->next >= r->res->n) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		size_t idx = r->next++;
		/* a root's statistics are built from its leaves: wait for them */
		while (idx >= r->leaves && r->leaves_finished < r->leaves)
			pthread_cond_wait(&r->leaves_done, &r->lock);
		struct analyze_item *it = &r->res->items[idx];
		pthread_mutex_unlock(&r->lock);

		char *sql = xasprintf("ANALYZE %s%s", it->root && r->greenplum ? "ROOTPARTITION " : "", it->qualified);
		struct db_error e;
		double t0 = now_seconds();
		bool ok = db_exec(w->conn, sql, &e);
		free(sql);

		pthread_mutex_lock(&r->lock);
		it->seconds = now_seconds() - t0;
		it->ok = ok;
		it->done = true;
		if (!ok) {
			db_error_text(&e, it->error, sizeof it->error);
			r->res->failed++;
			log_error("ANALYZE %s: %s", it->qualified, it->error);
		}
		r->done++;
		if (idx < r->leaves && ++r->leaves_finished == r->leaves)
			pthread_cond_broadcast(&r->leaves_done);
		if (r->fn)
			r->fn(it, r->done, r->res->n, r->arg);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

/* What to analyze: tables with rows; partition roots as said in analyze.h. */
static void pick(const struct table_list *l, bool greenplum, struct analyze_result *out)
{
	out->items = xcalloc(l->n + 1, sizeof *out->items);
	for (size_t i = 0; i < l->n; i++) {
		const struct table *t = &l->items[i];
		bool root = t->kind == TABLE_PARTITION_ROOT;
		bool leaf = t->kind == TABLE_PARTITION_LEAF;
		if (!root && !catalog_has_data(t))
			continue;
		if (leaf && !greenplum && t->root)
			continue;   /* analyzed with its root */
		struct analyze_item *it = &out->items[out->n++];
		it->qualified = xstrdup(t->qualified);
		it->root = root;
		it->bytes = t->bytes;
		if (root && !greenplum)
			for (size_t k = 0; k < l->n; k++)
				if (l->items[k].root && strcmp(l->items[k].root, t->qualified) == 0)
					it->bytes += l->items[k].bytes;
	}
	qsort(out->items, out->n, sizeof *out->items, item_cmp);
}

bool analyze_run(const struct plan *p, int jobs, analyze_progress_fn fn, void *arg,
		 struct analyze_result *out, char *err, size_t errsize, bool *connect_failed)
{
	memset(out, 0, sizeof *out);
	*connect_failed = false;
	struct db_error e;
	char t[600];
	PGconn *first = db_connect(&p->destination, "destination", &e);
	if (!first) {
		char *where = db_endpoint_describe(&p->destination);
		snprintf(err, errsize, "cannot connect to the destination (%s): %s", where, db_error_text(&e, t, sizeof t));
		free(where);
		*connect_failed = true;
		return false;
	}
	struct flavor f;
	struct table_list l;
	if (!db_flavor(first, &f, NULL, &e) || !catalog_tables(first, &f, p, &l, &e)) {
		snprintf(err, errsize, "reading the destination catalog: %s", db_error_text(&e, t, sizeof t));
		PQfinish(first);
		return false;
	}
	bool greenplum = f.gp_major > 0;
	pick(&l, greenplum, out);
	catalog_tables_free(&l);

	struct analyze_run r = { .res = out, .greenplum = greenplum, .fn = fn, .arg = arg };
	while (r.leaves < out->n && !out->items[r.leaves].root)
		r.leaves++;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.leaves_done, NULL);
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > out->n)
		jobs = out->n ? (int)out->n : 1;
	struct analyze_worker *w = xcalloc((size_t)jobs, sizeof *w);
	w[0].conn = first;
	int nw = 1;
	bool ok = true;
	for (; nw < jobs; nw++) {
		char role[32];
		snprintf(role, sizeof role, "analyze-%d", nw);
		if (!(w[nw].conn = db_connect(&p->destination, role, &e))) {
			snprintf(err, errsize, "cannot connect to the destination: %s", db_error_text(&e, t, sizeof t));
			*connect_failed = true;
			ok = false;
			break;
		}
	}
	out->jobs = nw;
	double t0 = now_seconds();
	int started = 0;
	for (int i = 0; ok && i < nw; i++) {
		w[i].run = &r;
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
			snprintf(err, errsize, "cannot start a thread");
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	if (ok && started == 0)
		ok = false;
	out->seconds = now_seconds() - t0;
	for (int i = 0; i < nw; i++)
		PQfinish(w[i].conn);
	free(w);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.leaves_done);
	return ok;
}

void analyze_result_free(struct analyze_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].qualified);
	free(r->items);
	memset(r, 0, sizeof *r);
}
