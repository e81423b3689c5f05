/* engine_sequences: the source's sequence values set on the destination
 * after the copy, in batches (a warehouse of 100,000 tables has as many
 * sequences: one query each way per sequence took minutes). */
#include "engine_priv.h"
#include "log.h"
#include "mem.h"
#include "session.h"
#include "strbuf.h"
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#define SEQ_BATCH 200

/* Every run that ends without a failed table sets every sequence, owned or
 * not, --only-failed and --resume included: the state the operator is told
 * is finished has the source's values.  While some table failed, a
 * sequence is set when its table is copied (now or by an earlier run that
 * this one continues), and one nobody owns waits for the run that succeeds. */
static bool sequence_wanted(const struct engine *e, struct strmap *tables, const struct sequence *s,
			    bool any_failed)
{
	if (!s->owner_table)
		return !any_failed;
	size_t *at = strmap_at(tables, s->owner_table, false);
	if (!at)
		return e->opt.only_failed;     /* not retried: copied by an earlier run */
	return e->tables[*at].state == TABLE_DONE;
}

struct seqval {
	const struct sequence *s;
	char *last;
	bool called, read;
};

/* Read values[0..n) from the source in one query; false when it fails
 * (a sequence gone since the catalog was read): then one by one. */
static bool read_batch(PGconn *src, struct seqval *v, size_t n)
{
	struct strbuf sql;
	strbuf_init(&sql);
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&sql, "%sSELECT %zu, last_value, is_called FROM %s", i ? " UNION ALL " : "", i,
			      v[i].s->qualified);
	PGresult *r = db_query(src, sql.data, 0, NULL, NULL);
	strbuf_done(&sql);
	if (!r)
		return false;
	for (int k = 0; k < PQntuples(r); k++) {
		size_t i = (size_t)atoll(PQgetvalue(r, k, 0));
		if (i >= n)
			continue;
		v[i].last = xstrdup(PQgetvalue(r, k, 1));
		v[i].called = PQgetvalue(r, k, 2)[0] == 't';
		v[i].read = true;
	}
	PQclear(r);
	return true;
}

static void read_one(PGconn *src, struct seqval *v, size_t *failed)
{
	struct db_error err;
	char *sql = xasprintf("SELECT last_value, is_called FROM %s", v->s->qualified);
	PGresult *r = db_query(src, sql, 0, NULL, &err);
	free(sql);
	if (!r) {
		log_warn("sequence %s: cannot read it on the source: %s: %s", v->s->qualified, err.sqlstate,
			 err.message);
		(*failed)++;
		return;
	}
	v->last = xstrdup(PQgetvalue(r, 0, 0));
	v->called = PQgetvalue(r, 0, 1)[0] == 't';
	v->read = true;
	PQclear(r);
}

static char *setval_sql(PGconn *dst, const struct seqval *v)
{
	char *lit = db_quote_literal(dst, v->s->qualified);
	char *sql = xasprintf("setval(%s, %s, %s)", lit, v->last, v->called ? "true" : "false");
	free(lit);
	return sql;
}

/* Set values[0..n) in one statement; one by one, naming the failing ones,
 * when it fails. */
static void set_batch(PGconn *dst, struct seqval *v, size_t n, size_t *set, size_t *failed)
{
	struct strbuf sql;
	strbuf_init(&sql);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].read)
			continue;
		char *one = setval_sql(dst, &v[i]);
		strbuf_printf(&sql, "%s%s", k++ ? ", " : "SELECT ", one);
		free(one);
	}
	if (k == 0) {
		strbuf_done(&sql);
		return;
	}
	struct db_error err;
	PGresult *r = db_query(dst, sql.data, 0, NULL, &err);
	strbuf_done(&sql);
	if (r) {
		PQclear(r);
		*set += k;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!v[i].read)
			continue;
		char *one = setval_sql(dst, &v[i]);
		char *q = xasprintf("SELECT %s", one);
		free(one);
		r = db_query(dst, q, 0, NULL, &err);
		free(q);
		if (!r) {
			log_warn("sequence %s: cannot set it on the destination: %s: %s", v[i].s->qualified,
				 err.sqlstate, err.message);
			(*failed)++;
			continue;
		}
		PQclear(r);
		(*set)++;
	}
}

void engine_set_sequences(struct engine *e, bool any_failed)
{
	if (e->seqs.n == 0)
		return;
	struct db_error err;
	PGconn *dst = db_connect(&e->plan->destination, "destination", &err);
	/* the names come from the source's catalog in the wire encoding */
	if (dst && !session_client_encoding(dst, e->enc.wire, "destination", &err)) {
		PQfinish(dst);
		dst = NULL;
	}
	if (!dst) {
		log_error("destination: cannot connect to set sequences: %s", err.message);
		return;
	}
	struct strmap tables;
	strmap_init(&tables, e->ntables);
	for (size_t i = 0; i < e->ntables; i++)
		*strmap_at(&tables, e->tables[i].t->qualified, true) = i;
	struct seqval *v = xcalloc(e->seqs.n + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < e->seqs.n; i++)
		if (sequence_wanted(e, &tables, &e->seqs.items[i], any_failed))
			v[n++].s = &e->seqs.items[i];
	strmap_done(&tables);
	size_t set = 0, failed = 0;
	for (size_t b = 0; b < n; b += SEQ_BATCH) {
		size_t m = n - b < SEQ_BATCH ? n - b : SEQ_BATCH;
		if (!read_batch(e->coord, v + b, m))
			for (size_t i = b; i < b + m; i++)
				read_one(e->coord, &v[i], &failed);
		set_batch(dst, v + b, m, &set, &failed);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].last);
	free(v);
	PQfinish(dst);
	log_info("%zu sequences set on the destination%s", set, failed ? " (some could not be set: see above)" : "");
}
