/* gpcopy_table: the tables' progress as gpcopy's log tells it, read as an
 * engine snapshot.  gpcopy says when a table starts, finishes or fails, not
 * how far it is: a table's bytes are its size on disk at the source,
 * counted when gpcopy reports it finished, and its rows are counted on the
 * destination once it is committed (not in append mode, where the
 * destination table holds other rows too). */
#include "gpcopy_priv.h"
#include "clock.h"
#include "db.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double gpcopy_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *quote_name(const char *s)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_puts(&sb, "\"");
	for (const char *c = s; *c; c++) {
		if (*c == '"')
			strbuf_puts(&sb, "\"");
		strbuf_add(&sb, c, 1);
	}
	strbuf_puts(&sb, "\"");
	return strbuf_finish(&sb);
}

void gpcopy_table_add(struct gpcopy_run *r, const char *db, const char *schema, const char *name,
		      const char *qualified, long long bytes, long long rows_est)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->tables = xrealloc(r->tables, r->cap * sizeof *r->tables);
	}
	struct gtable *t = &r->tables[r->n++];
	memset(t, 0, sizeof *t);
	t->db = xstrdup(db);
	t->schema = xstrdup(schema);
	t->name = xstrdup(name);
	t->worker = -1;
	engine_table_stats_init(&t->st);
	t->qualified = xstrdup(qualified);
	t->st.state = TABLE_QUEUED;
	t->st.bytes_est = bytes;
	t->st.rows_est = rows_est;
	t->st.units_total = 1;
}

/* The table a log line names; added when gpcopy names one gp2adb did not
 * list (another database under --full, a table created meanwhile). */
static struct gtable *table_of(struct gpcopy_run *r, const struct gpcopy_line *l)
{
	for (size_t i = 0; i < r->n; i++) {
		struct gtable *t = &r->tables[i];
		if (strcmp(t->db, l->db) == 0 && strcmp(t->schema, l->schema) == 0 && strcmp(t->name, l->table) == 0)
			return t;
	}
	char *s = quote_name(l->schema), *n = quote_name(l->table), *d = quote_name(l->db);
	char *shown = strcmp(l->db, r->source_db) == 0 ? xasprintf("%s.%s", s, n) : xasprintf("%s.%s.%s", d, s, n);
	gpcopy_table_add(r, l->db, l->schema, l->table, shown, 0, -1);
	free(shown);
	free(s);
	free(n);
	free(d);
	return &r->tables[r->n - 1];
}

/* The table worker w failed last. */
static struct gtable *failed_by(struct gpcopy_run *r, int w)
{
	struct gtable *best = NULL;
	for (size_t i = 0; i < r->n; i++) {
		struct gtable *t = &r->tables[i];
		if (t->worker == w && t->st.state == TABLE_FAILED &&
		    (!best || t->st.finished_at >= best->st.finished_at))
			best = t;
	}
	return best;
}

static void set_error(struct gtable *t, const char *message, bool detail)
{
	if (t->detailed)
		return;
	gpcopy_error_text(message, t->error, sizeof t->error);
	t->detailed = detail;
}

void gpcopy_tables_apply(struct gpcopy_run *r, const struct gpcopy_line *l)
{
	double now = gpcopy_now();
	pthread_mutex_lock(&r->mu);
	struct gtable *t = NULL;
	switch (l->kind) {
	case GPCOPY_LINE_START:
		t = table_of(r, l);
		t->st.state = TABLE_RUNNING;
		t->st.started_at = now;
		t->st.finished_at = 0;
		t->st.units_running = 1;
		t->worker = l->worker;
		break;
	case GPCOPY_LINE_FINISH:
		t = table_of(r, l);
		if (t->st.started_at == 0)
			t->st.started_at = now;
		t->st.state = TABLE_DONE;
		t->st.finished_at = now;
		t->st.units_running = 0;
		t->st.units_done = 1;
		t->st.bytes_done = t->st.bytes_est;
		t->count_wanted = r->p->mode != MODE_APPEND && strcmp(t->db, r->source_db) == 0;
		pthread_cond_broadcast(&r->cond);
		break;
	case GPCOPY_LINE_FAIL:
		t = table_of(r, l);
		if (t->st.started_at == 0)
			t->st.started_at = now;
		t->st.state = TABLE_FAILED;
		t->st.finished_at = now;
		t->st.units_running = 0;
		t->st.units_failed = 1;
		t->worker = l->worker;
		snprintf(t->error, sizeof t->error, "gpcopy failed to copy it (its error follows in the log)");
		r->last_failed = (int)(t - r->tables);
		break;
	case GPCOPY_LINE_TASK_ERROR:
		t = failed_by(r, l->worker);
		if (t)
			set_error(t, l->message, false);
		break;
	case GPCOPY_LINE_DETAIL:
		snprintf(r->last_error, sizeof r->last_error, "%.500s", l->message);
		if (r->last_failed >= 0)
			set_error(&r->tables[r->last_failed], l->message, strstr(l->message, "(SQLSTATE ") != NULL);
		break;
	case GPCOPY_LINE_SUMMARY:
		r->summary_seen = true;
		r->summary_copied += l->copied;
		r->summary_skipped += l->skipped;
		r->summary_failed += l->failed;
		break;
	case GPCOPY_LINE_RETRY:
		if (!r->retry)
			r->retry = xstrdup(l->message);
		break;
	case GPCOPY_LINE_OTHER:
		break;
	}
	pthread_mutex_unlock(&r->mu);
}

static long long bytes_done(const struct gpcopy_run *r)
{
	long long b = 0;
	for (size_t i = 0; i < r->n; i++)
		b += r->tables[i].st.bytes_done;
	return b;
}

void gpcopy_tables_sample(struct gpcopy_run *r)
{
	pthread_mutex_lock(&r->mu);
	rate_window_push(&r->total_rate, gpcopy_now(), bytes_done(r));
	pthread_mutex_unlock(&r->mu);
}

/* One name for --include-table: db.schema.table, a part in double quotes
 * when it holds '.', ',', a space or a quote (reference/greenplum.md 1.3). */
static void include_name(struct strbuf *sb, const char *part)
{
	if (!strpbrk(part, "., \"'\\")) {
		strbuf_puts(sb, part);
		return;
	}
	strbuf_puts(sb, "\"");
	for (const char *c = part; *c; c++) {
		if (*c == '"' || *c == '\'' || *c == '\\')
			strbuf_puts(sb, "\\");
		strbuf_add(sb, c, 1);
	}
	strbuf_puts(sb, "\"");
}

/* gpcopy's command for the failed tables alone (or, after a cancel, every
 * table not copied), as gpcopy builds it: the same options, the selection
 * replaced by --include-table. */
static char *retry_command(const struct gpcopy_run *r, bool unfinished)
{
	struct strbuf names;
	strbuf_init(&names);
	for (size_t i = 0; i < r->n; i++) {
		const struct gtable *t = &r->tables[i];
		bool want = unfinished ? t->st.state != TABLE_DONE && t->st.state != TABLE_SKIPPED
				       : t->st.state == TABLE_FAILED;
		if (!want)
			continue;
		if (names.len)
			strbuf_puts(&names, ",");
		include_name(&names, t->db);
		strbuf_puts(&names, ".");
		include_name(&names, t->schema);
		strbuf_puts(&names, ".");
		include_name(&names, t->name);
	}
	char **v = strv_push(NULL, "gpcopy");
	v = strv_push(v, "--include-table");
	v = strv_push(v, names.data);
	bool skip = false;
	for (size_t i = 1; r->argv && r->argv[i]; i++) {
		if (skip) {
			skip = false;
			continue;
		}
		const char *a = r->argv[i];
		if (strcmp(a, "--full") == 0)
			continue;
		if (!strcmp(a, "--dbname") || !strcmp(a, "--dest-dbname") || !strcmp(a, "--include-table-file")) {
			skip = true;
			continue;
		}
		v = strv_push(v, a);
	}
	char *text = gpcopy_command_text(v, NULL);
	strv_free(v);
	strbuf_done(&names);
	return text;
}

void gpcopy_tables_end(struct gpcopy_run *r, bool clean, const char *why)
{
	double now = gpcopy_now();
	pthread_mutex_lock(&r->mu);
	rate_window_push(&r->total_rate, now, bytes_done(r));
	size_t unstarted = 0, failed = 0;
	for (size_t i = 0; i < r->n; i++)
		unstarted += r->tables[i].st.state == TABLE_QUEUED;
	/* gpcopy reports the tables it skips only as a count */
	bool skipped = r->summary_seen && r->summary_skipped > 0 && (size_t)r->summary_skipped >= unstarted;
	for (size_t i = 0; i < r->n; i++) {
		struct engine_table_stats *s = &r->tables[i].st;
		if (s->state == TABLE_RUNNING && r->cancelled) {
			s->state = TABLE_QUEUED;        /* rolled back: not copied */
			s->units_running = 0;
		} else if (s->state == TABLE_RUNNING) {
			s->state = TABLE_FAILED;
			s->finished_at = now;
			s->units_running = 0;
			snprintf(r->tables[i].error, sizeof r->tables[i].error, "%.200s while gpcopy copied it", why);
		} else if (s->state == TABLE_QUEUED && skipped) {
			s->state = TABLE_SKIPPED;
		} else if (s->state == TABLE_QUEUED && !clean && !r->cancelled && r->thread_started) {
			s->state = TABLE_FAILED;
			snprintf(r->tables[i].error, sizeof r->tables[i].error, "not copied: %.200s%s%.250s", why,
				 r->last_error[0] ? ": " : "", r->last_error);
		}
		failed += s->state == TABLE_FAILED;
	}
	if (clean && unstarted && !skipped && !r->cancelled)
		log_warn("gpcopy did not report %zu of the selected tables; they are listed as not copied", unstarted);
	if (r->exit_code == EXIT_OK) {
		if (r->cancelled)
			r->exit_code = EXIT_INTERRUPTED;
		else if (!clean && r->status < 0 && r->thread_started)
			r->exit_code = EXIT_SSH;
		else if (failed || !clean)
			r->exit_code = EXIT_COPY_FAILED;
	}
	if (r->cancelled) {
		free(r->retry);         /* what gpcopy printed covers the failed tables only */
		r->retry = retry_command(r, true);
	} else if (failed && !r->retry) {
		r->retry = retry_command(r, false);
	}
	r->finished = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
}

/* ---- rows, counted on the destination ---- */

static void *rows_main(void *arg)
{
	struct gpcopy_run *r = arg;
	struct db_error e;
	char text[700];
	PGconn *dst = db_connect(&r->p->destination, "gpcopy-rows", &e);
	if (!dst)
		log_warn("destination: %s: the copied tables' rows are not counted",
			 db_error_text(&e, text, sizeof text));
	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct gtable *next = NULL;
		for (size_t i = 0; i < r->n && !next; i++)
			if (r->tables[i].count_wanted && !r->tables[i].counted && !r->tables[i].counting)
				next = &r->tables[i];
		if (next && !dst) {
			next->counted = true;   /* not countable: said once above */
			continue;
		}
		if (!next || r->cancel) {
			if (r->rows_stop || r->cancel)
				break;
			struct timespec until = clock_deadline(0.5);
			pthread_cond_timedwait(&r->cond, &r->mu, &until);
			continue;
		}
		next->counting = true;
		size_t idx = (size_t)(next - r->tables);
		char *sql = xasprintf("SELECT count(*) FROM %s", next->qualified);
		pthread_mutex_unlock(&r->mu);
		PGresult *res = db_query(dst, sql, 0, NULL, &e);
		pthread_mutex_lock(&r->mu);
		struct gtable *t = &r->tables[idx];      /* the array may have moved */
		t->counting = false;
		t->counted = true;
		if (res)
			t->st.rows_done = atoll(PQgetvalue(res, 0, 0));
		else
			log_warn("destination: counting %s: %s", t->qualified, db_error_text(&e, text, sizeof text));
		if (res)
			PQclear(res);
		free(sql);
	}
	pthread_mutex_unlock(&r->mu);
	if (dst)
		PQfinish(dst);
	return NULL;
}

void gpcopy_rows_start(struct gpcopy_run *r)
{
	r->rows_started = pthread_create(&r->rows_thread, NULL, rows_main, r) == 0;
}

void gpcopy_rows_stop(struct gpcopy_run *r)
{
	if (!r->rows_started)
		return;
	pthread_mutex_lock(&r->mu);
	r->rows_stop = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->rows_thread, NULL);
	r->rows_started = false;
}

void gpcopy_tables_free(struct gpcopy_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->tables[i].db);
		free(r->tables[i].schema);
		free(r->tables[i].name);
		free(r->tables[i].qualified);
	}
	free(r->tables);
	r->tables = NULL;
	r->n = r->cap = 0;
}

/* ---- the snapshot ---- */

void gpcopy_run_snapshot(struct gpcopy_run *r, struct engine_snapshot *out)
{
	memset(out, 0, sizeof *out);
	out->now = gpcopy_now();
	out->started_at = r->started_at;
	out->workers = r->jobs;
	out->eta_seconds = -1;
	pthread_mutex_lock(&r->mu);
	out->ntables = r->n;
	out->tables = xcalloc(r->n + 1, sizeof *out->tables);
	double weight = 0, done = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct engine_table_stats *s = &out->tables[i];
		*s = r->tables[i].st;
		s->name = engine_snapshot_text(out, r->tables[i].qualified);
		s->error = engine_snapshot_text(out, r->tables[i].error);
		/* finished, its rows not yet counted: shown as running until they
		 * are, so that no view says "done" with a count still to come */
		if (s->state == TABLE_DONE && r->tables[i].count_wanted && !r->tables[i].counted &&
		    r->rows_started && !r->cancel) {
			s->state = TABLE_RUNNING;
			s->finished_at = 0;
		}
		engine_snapshot_tally(out, s);
		double w = (double)(s->bytes_est > 0 ? s->bytes_est : 8192);
		weight += w;
		if (s->state != TABLE_QUEUED && s->state != TABLE_RUNNING)
			done += w;
	}
	out->tables_total = (int)r->n;
	out->workers_busy = out->tables_running < r->jobs ? out->tables_running : r->jobs;
	out->rate_bps = rate_window_rate(&r->total_rate, RATE_WINDOW_SPAN);
	rate_window_history(&r->total_rate, out->rate_history);
	out->cancelled = r->cancel;
	out->finished = r->finished;
	pthread_mutex_unlock(&r->mu);
	double elapsed = out->now - out->started_at;
	if (out->rate_bps == 0 && !out->finished && out->started_at > 0 && elapsed >= 0.2)
		out->rate_bps = (double)out->bytes_done / elapsed;
	if (weight > 0 && done / weight > 0.01 && elapsed > 1)
		out->eta_seconds = elapsed * (1 - done / weight) / (done / weight);
	if (out->finished)
		out->eta_seconds = 0;
}
