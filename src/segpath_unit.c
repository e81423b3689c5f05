/* segpath_unit: one unit on the segment path.
 *
 *   destination (the unit's transaction):
 *     BEGIN; [TRUNCATE ONLY t; forget t's markers;]
 *     CREATE EXTERNAL TEMP TABLE r (cols) LOCATION (relay reader URLs) FORMAT 'TEXT';
 *     INSERT INTO t (cols) SELECT cols FROM r;            -- sent, runs meanwhile
 *   source (the worker's session, in the shared snapshot):
 *     CREATE WRITABLE EXTERNAL TEMP TABLE w (cols) LOCATION (relay writer URL) ...;
 *     INSERT INTO w SELECT cols FROM ONLY t [WHERE unit predicate];   -- sent
 *   when the source's INSERT succeeds the relay ends the readers' data;
 *   when the destination's INSERT has the same row count as the source's
 *   and as the relay's:  insert the unit's marker; COMMIT.
 *
 * A failure on either side fails the transfer, and so the other side's
 * statement; the destination rolls back, and the engine retries the unit
 * (a fresh transfer, fresh tokens) or fails the table as on the coordinator
 * path.  The external tables are temporary, made in the sessions'
 * transactions, and not dropped: each unit's has a name of its own, and
 * they end with their sessions (a drop would be one more statement sent to
 * every segment of both clusters per unit); nothing of them outlives gp2adb,
 * even killed. */
#include "segpath_int.h"
#include "engine_priv.h"
#include "clock.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "relay.h"
#include "strbuf.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* writable_external_table_bufsize for the source's segments: the size of
 * their POSTs (the default, 64 kB, makes sixteen times as many requests). */
#define SEGPATH_WRITE_KB 1024
/* After one side failed, how long the other may take to end its statement
 * before it is cancelled, and before the worker gives up waiting. */
#define SEGPATH_CANCEL_AFTER 15.0
#define SEGPATH_GIVE_UP_AFTER 120.0

static const char DST_COLUMNS[] =
	"SELECT a.attname, format_type(a.atttypid, a.atttypmod)\n"
	"FROM pg_attribute a\n"
	"WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped";

struct side {
	PGconn *conn;
	bool busy, ok, failed;
	long long tuples;
	struct db_error err;
};

/* Server notices (a segment's gang lost, ...) go to the log, not to the
 * terminal the panes are drawn on. */
static void notice_to_log(void *arg, const char *message)
{
	char line[400];
	snprintf(line, sizeof line, "%s", message);
	line[strcspn(line, "\n")] = '\0';
	log_debug("%s: %s", (const char *)arg, line);
}

static void side_send(struct side *s, const char *sql)
{
	memset(&s->err, 0, sizeof s->err);
	s->busy = PQsendQuery(s->conn, sql) == 1;
	if (!s->busy) {
		s->failed = true;
		db_error_set(&s->err, s->conn, NULL);
	}
}

static void side_poll(struct side *s)
{
	if (!s->busy)
		return;
	if (PQconsumeInput(s->conn) != 1) {
		db_error_set(&s->err, s->conn, NULL);
		s->failed = true;
		s->busy = false;
		return;
	}
	while (!PQisBusy(s->conn)) {
		PGresult *r = PQgetResult(s->conn);
		if (!r) {
			s->busy = false;
			s->ok = !s->failed;
			return;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			s->tuples = atoll(PQcmdTuples(r));
		} else if (!s->failed) {
			s->failed = true;
			db_error_set(&s->err, s->conn, r);
		}
		PQclear(r);
	}
}

static void side_cancel(struct side *s)
{
	PGcancel *c = PQgetCancel(s->conn);
	char buf[256];
	if (c) {
		(void)PQcancel(c, buf, sizeof buf);
		PQfreeCancel(c);
	}
}

/* The source's distribution for its writable table, so its segments write
 * the rows they hold without a motion between them; random otherwise (a
 * random or replicated table, or a key with operator classes). */
static char *distribution(const struct table *t)
{
	static const char by[] = "DISTRIBUTED BY (";
	const char *d = t->distribution;
	size_t n = d ? strlen(d) : 0;
	if (n <= sizeof by || strncmp(d, by, sizeof by - 1) != 0 || d[n - 1] != ')')
		return xstrdup("DISTRIBUTED RANDOMLY");
	bool quoted = false;
	for (const char *p = d + sizeof by - 1; p < d + n - 1; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ' ' && !quoted && p[-1] != ',')
			return xstrdup("DISTRIBUTED RANDOMLY");
	}
	return xstrdup(d);
}

/* The SQL of one unit. */
struct unit_sql {
	char *dst_begin, *dst_insert;
	char *src_create, *src_insert;
};

static void unit_sql_free(struct unit_sql *q)
{
	free(q->dst_begin);
	free(q->dst_insert);
	free(q->src_create);
	free(q->src_insert);
}

/* Column lists: names (both sides), with the source's and the
 * destination's types.  false: the destination lacks a column (err). */
static bool columns(struct worker *w, const struct table *t, struct strbuf *names, struct strbuf *sdefs,
		    struct strbuf *ddefs, struct db_error *err)
{
	const char *params[1] = { t->qualified };
	PGresult *r = db_query(w->dst, DST_COLUMNS, 1, params, err);
	if (!r)
		return false;
	bool ok = true;
	for (size_t i = 0; i < t->ncols && ok; i++) {
		const struct column *c = &t->cols[i];
		if (c->generated)
			continue;
		const char *dtype = NULL;
		for (int k = 0; k < PQntuples(r) && !dtype; k++)
			if (strcmp(PQgetvalue(r, k, 0), c->name) == 0)
				dtype = PQgetvalue(r, k, 1);
		if (!dtype) {
			snprintf(err->message, sizeof err->message,
				 "the destination table has no column \"%s\"; add it or rerun gp2adb schema", c->name);
			err->sqlstate[0] = '\0';
			err->retry = DB_RETRY_NO;
			ok = false;
			break;
		}
		char *q = db_quote_ident(w->src, c->name);
		const char *sep = names->len ? ", " : "";
		strbuf_printf(names, "%s%s", sep, q);
		strbuf_printf(sdefs, "%s%s %s", sep, q, c->type);
		strbuf_printf(ddefs, "%s%s %s", sep, q, dtype);
		free(q);
	}
	PQclear(r);
	return ok;
}

static bool unit_sql_make(struct worker *w, struct eunit *u, struct etable *et, struct relay_xfer *x,
			  struct unit_sql *q, struct db_error *err)
{
	struct engine *e = w->e;
	struct segpath *sp = e->segpath;
	const struct table *t = et->t;
	struct strbuf names, sdefs, ddefs, loc;
	strbuf_init(&names);
	strbuf_init(&sdefs);
	strbuf_init(&ddefs);
	strbuf_init(&loc);
	bool one = et->truncate && et->nunits == 1;    /* truncated in the unit's transaction */
	bool stale = false;     /* markers to forget (progress_has_table: only then a DELETE) */
	bool ok = columns(w, t, &names, &sdefs, &ddefs, err) &&
		  (!one || progress_has_table(w->dst, e->migration_id, t->qualified, &stale, err));
	if (ok) {
		unsigned n = atomic_fetch_add(&sp->names, 1);
		char path[96];
		for (int i = 1; i <= sp->dst_urls; i++) {
			relay_xfer_path(x, i, path, sizeof path);
			strbuf_printf(&loc, "%s'gpfdist://%s%s'", i > 1 ? ", " : "", sp->dst_address, path);
		}
		char *enc = db_quote_literal(w->dst, sp->encoding);
		char *trunc = NULL;
		if (one) {
			char *del = stale ? progress_delete_table_sql(w->dst, e->migration_id, t->qualified) : NULL;
			trunc = xasprintf("TRUNCATE ONLY %s;\n%s%s", t->qualified, del ? del : "", del ? ";\n" : "");
			free(del);
		}
		/* Greenplum analyzes a table loaded while it has no statistics
		 * (gp_autostats_mode on_no_stats), on the master, from a sample
		 * of every segment; gp2adb's own ANALYZE step does it once, after
		 * the copy, when the plan keeps it */
		const char *nostats = e->plan->analyze ? "SET LOCAL gp_autostats_mode = 'none';\n" : "";
		q->dst_begin = xasprintf("BEGIN;\n%s%sCREATE EXTERNAL TEMP TABLE \"gp2adb_r_%u\" (%s)\n"
					 "LOCATION (%s) FORMAT 'TEXT' ENCODING %s",
					 nostats, trunc ? trunc : "", n, ddefs.data, loc.data, enc);
		q->dst_insert = xasprintf("%s\nINSERT INTO %s (%s) SELECT %s FROM pg_temp.\"gp2adb_r_%u\"",
					  sp->tag, t->qualified, names.data, names.data, n);
		relay_xfer_path(x, -1, path, sizeof path);
		char *dist = distribution(t);
		q->src_create = xasprintf("SET writable_external_table_bufsize = %d;\n"
					  "CREATE WRITABLE EXTERNAL TEMP TABLE \"gp2adb_w_%u\" (%s)\n"
					  "LOCATION ('gpfdist://%s%s') FORMAT 'TEXT' ENCODING %s %s",
					  SEGPATH_WRITE_KB, n, sdefs.data, sp->src_address, path, enc, dist);
		q->src_insert = xasprintf("%s\nINSERT INTO pg_temp.\"gp2adb_w_%u\" SELECT %s FROM ONLY %s%s%s",
					  sp->tag, n, names.data, t->qualified, u->spec.predicate ? " WHERE " : "",
					  u->spec.predicate ? u->spec.predicate : "");
		free(dist);
		free(trunc);
		free(enc);
	}
	strbuf_done(&names);
	strbuf_done(&sdefs);
	strbuf_done(&ddefs);
	strbuf_done(&loc);
	return ok;
}

static bool cancelled(const struct engine *e)
{
	return atomic_load(&((struct engine *)e)->cancel);
}

static void side_text(const char *who, const struct side *s, char *buf, size_t size)
{
	char text[600];
	db_error_text(&s->err, text, sizeof text);
	segpath_mask_tokens(text);
	snprintf(buf, size, "%s: %s", who, text);
}

/* Run both INSERTs to their ends, each side's outcome telling the relay;
 * false when the worker stopped waiting (a side still busy). */
static bool run_both(struct engine *e, struct relay_xfer *x, struct side *src, struct side *dst)
{
	bool src_seen = false, dst_seen = false, cancel_seen = false;
	double failed_at = 0, cancelled_at = 0;
	while (src->busy || dst->busy) {
		struct pollfd pf[2];
		nfds_t n = 0;
		if (src->busy)
			pf[n++] = (struct pollfd){ PQsocket(src->conn), POLLIN, 0 };
		if (dst->busy)
			pf[n++] = (struct pollfd){ PQsocket(dst->conn), POLLIN, 0 };
		(void)poll(pf, n, 200);
		side_poll(src);
		side_poll(dst);
		double now = clock_mono();
		char msg[700];
		if (!cancel_seen && cancelled(e)) {
			cancel_seen = true;
			relay_xfer_fail(x, RELAY_WORKER, "the copy was cancelled");
			failed_at = failed_at > 0 ? failed_at : now;
		}
		if (!src->busy && !src_seen) {
			src_seen = true;
			if (src->ok) {
				relay_xfer_writers_done(x);
			} else {
				side_text("source", src, msg, sizeof msg);
				relay_xfer_fail(x, RELAY_SOURCE, msg);
				failed_at = failed_at > 0 ? failed_at : now;
				/* its readers get the error; a statement not reading yet
				 * (waiting for a lock, its segments not connected) is cancelled */
				if (dst->busy)
					side_cancel(dst);
			}
		}
		if (!dst->busy && !dst_seen) {
			dst_seen = true;
			if (!dst->ok || src->busy) {
				if (dst->ok)
					snprintf(msg, sizeof msg, "destination: its statement ended before the source's");
				else
					side_text("destination", dst, msg, sizeof msg);
				relay_xfer_fail(x, RELAY_DESTINATION, msg);
				failed_at = failed_at > 0 ? failed_at : now;
				if (src->busy)
					side_cancel(src);
			}
		}
		if (failed_at > 0 && now - failed_at > SEGPATH_CANCEL_AFTER && now - cancelled_at > 10) {
			if (src->busy)
				side_cancel(src);
			if (dst->busy)
				side_cancel(dst);
			cancelled_at = now;
		}
		if (failed_at > 0 && now - failed_at > SEGPATH_GIVE_UP_AFTER)
			return false;
	}
	return true;
}

/* The unit failed: which side caused it (the first failure the relay
 * recorded), its error into err. */
static void blame(const struct relay_counts *k, const struct side *src, const struct side *dst,
		  struct db_error *err)
{
	bool src_cause = src->failed && (k->failed_by == RELAY_SOURCE || !dst->failed);
	*err = src_cause ? src->err : dst->err;
	if (!src_cause && !dst->failed) {
		snprintf(err->message, sizeof err->message, "%s", k->error[0] ? k->error : "the transfer failed");
		err->sqlstate[0] = '\0';
		err->retry = DB_RETRY_YES;
	}
	segpath_mask_tokens(err->message);
	if (src_cause) {
		char tmp[sizeof err->message];
		memcpy(tmp, err->message, sizeof tmp);
		snprintf(err->message, sizeof err->message, "source: %.*s", (int)sizeof tmp - 9, tmp);
	}
}

enum copy_outcome segpath_unit_once(struct worker *w, struct eunit *u, struct etable *et, bool again,
				    struct db_error *err)
{
	struct engine *e = w->e;
	struct segpath *sp = e->segpath;
	const struct table *t = et->t;
	if (again) {
		bool found = false;
		if (!progress_has(w->dst, e->migration_id, t->qualified, u->spec.id, &found, err))
			return COPY_FAILED;
		if (found)
			return COPY_DONE;
	}
	atomic_store(&u->bytes, 0);
	atomic_store(&u->rows, 0);
	PQsetNoticeProcessor(w->src, notice_to_log, (void *)"source");
	PQsetNoticeProcessor(w->dst, notice_to_log, (void *)"destination");
	char label[320];
	snprintf(label, sizeof label, "%s unit %s", t->qualified, u->spec.id);
	struct relay_xfer *x = relay_xfer_open(sp->relay, RELAY_COPY, label, &u->bytes, &u->rows);
	if (!x) {
		snprintf(err->message, sizeof err->message, "the relay could not make a token");
		return COPY_FAILED;
	}
	struct unit_sql q = { 0 };
	struct side src = { .conn = w->src }, dst = { .conn = w->dst };
	enum copy_outcome out = COPY_FAILED;
	if (!unit_sql_make(w, u, et, x, &q, err) || !db_exec(w->dst, q.dst_begin, err))
		goto out;
	if (!db_exec(w->src, q.src_create, &src.err)) {
		src.failed = true;
		struct relay_counts none = { .failed_by = RELAY_SOURCE };
		blame(&none, &src, &dst, err);
		goto out;
	}
	side_send(&dst, q.dst_insert);
	if (dst.busy)
		side_send(&src, q.src_insert);
	else
		relay_xfer_fail(x, RELAY_DESTINATION, "destination: the statement could not be sent");
	bool ended = run_both(e, x, &src, &dst);
	struct relay_counts k;
	relay_xfer_counts(x, &k);
	if (cancelled(e)) {
		snprintf(err->message, sizeof err->message, "cancelled");
		out = COPY_CANCELLED;
		goto out;
	}
	if (!ended) {
		snprintf(err->message, sizeof err->message, "after a failure (%s) the servers did not end their "
			 "statements within %.0f s", k.error, SEGPATH_GIVE_UP_AFTER);
		segpath_mask_tokens(err->message);
		err->retry = DB_RETRY_YES;
		goto out;
	}
	if (!src.ok || !dst.ok) {
		blame(&k, &src, &dst, err);
		goto out;
	}
	if (src.tuples != dst.tuples || k.rows != src.tuples || k.rows_in != src.tuples) {
		snprintf(err->message, sizeof err->message,
			 "row counts differ: the source sent %lld, the relay received %lld and passed on %lld, "
			 "the destination inserted %lld; rolled back", src.tuples, k.rows_in, k.rows, dst.tuples);
		err->sqlstate[0] = '\0';
		err->retry = DB_RETRY_YES;
		goto out;
	}
	char *ins = progress_insert_state_sql(w->dst, e->migration_id, t->qualified, u->spec.id, src.tuples,
					      k.bytes, et->source_state);
	char *fin = xasprintf("%s;\nCOMMIT", ins);
	bool committed = db_exec(w->dst, fin, err);
	free(fin);
	free(ins);
	if (!committed)
		goto out;
	out = COPY_DONE;
	atomic_store(&u->rows, src.tuples);
	log_debug("table %s (unit %s): %lld rows, %lld bytes segment to segment (%d writers, %d readers, "
		  "%lld repeated requests)", t->qualified, u->spec.id, src.tuples, k.bytes, k.writers, k.readers,
		  k.duplicates);
out:
	relay_xfer_close(x);
	unit_sql_free(&q);
	return out;
}
