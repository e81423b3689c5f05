/* engine_finish: what happens after the workers stop: sequences set on the
 * destination, the failed-tables journal, the outcome. */
#include "engine_priv.h"
#include "copy_journal.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "segpath.h"

#include <stdlib.h>
#include <string.h>

static const struct etable *table_by_name(const struct engine *e, const char *qualified)
{
	for (size_t i = 0; i < e->ntables; i++)
		if (strcmp(e->tables[i].t->qualified, qualified) == 0)
			return &e->tables[i];
	return NULL;
}

/* Every run that ends without a failed table sets every sequence, owned or
 * not, --only-failed and --resume included: the state the operator is told
 * is finished has the source's values.  While some table failed, a
 * sequence is set when its table is copied (now or by an earlier run that
 * this one continues), and one nobody owns waits for the run that succeeds. */
static bool sequence_wanted(const struct engine *e, const struct sequence *s, bool any_failed)
{
	if (!s->owner_table)
		return !any_failed;
	const struct etable *et = table_by_name(e, s->owner_table);
	if (!et)
		return e->opt.only_failed;     /* not retried: copied by an earlier run */
	return et->state == TABLE_DONE;
}

static void set_sequences(struct engine *e, bool any_failed)
{
	if (e->seqs.n == 0)
		return;
	struct db_error err;
	PGconn *dst = db_connect(&e->plan->destination, "destination", &err);
	if (!dst) {
		log_error("destination: cannot connect to set sequences: %s", err.message);
		return;
	}
	size_t set = 0, failed = 0;
	for (size_t i = 0; i < e->seqs.n; i++) {
		const struct sequence *s = &e->seqs.items[i];
		if (!sequence_wanted(e, s, any_failed))
			continue;
		char *sql = xasprintf("SELECT last_value, is_called FROM %s", s->qualified);
		PGresult *r = db_query(e->coord, sql, 0, NULL, &err);
		free(sql);
		if (!r) {
			log_warn("sequence %s: cannot read it on the source: %s: %s", s->qualified,
				 err.sqlstate, err.message);
			failed++;
			continue;
		}
		char *lit = db_quote_literal(dst, s->qualified);
		sql = xasprintf("SELECT setval(%s, %s, %s)", lit, PQgetvalue(r, 0, 0),
				PQgetvalue(r, 0, 1)[0] == 't' ? "true" : "false");
		PQclear(r);
		free(lit);
		r = db_query(dst, sql, 0, NULL, &err);
		free(sql);
		if (!r) {
			log_warn("sequence %s: cannot set it on the destination: %s: %s", s->qualified,
				 err.sqlstate, err.message);
			failed++;
			continue;
		}
		PQclear(r);
		set++;
	}
	PQfinish(dst);
	log_info("%zu sequences set on the destination%s", set, failed ? " (some could not be set: see above)" : "");
}

void engine_finish(struct engine *e)
{
	segpath_stop(e);        /* the workers are done: nothing more for the relay */
	bool cancel = atomic_load(&e->cancel);
	if (!cancel)
		engine_drop_finish(e);
	bool any_failed = false;
	char **failed = NULL;
	for (size_t i = 0; i < e->ntables; i++) {
		const struct etable *et = &e->tables[i];
		bool bad = et->state == TABLE_FAILED;
		/* a cancelled --only-failed run keeps what it did not finish on the list */
		if (cancel && e->opt.only_failed)
			bad |= et->state == TABLE_QUEUED || et->state == TABLE_RUNNING;
		any_failed |= et->state == TABLE_FAILED;
		if (bad)
			failed = strv_push(failed, et->t->qualified);
	}
	/* the exported snapshot is no longer needed; the same session reads the sequences */
	if (e->coord && e->snapshot[0])
		(void)db_exec(e->coord, "COMMIT", NULL);
	if (!cancel)
		set_sequences(e, any_failed);
	if (e->journal_dir)
		(void)copy_journal_write_failed(e->journal_dir, failed);
	strv_free(failed);

	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->ntables; i++) {
		struct etable *et = &e->tables[i];
		if (cancel && et->state == TABLE_RUNNING)
			et->state = TABLE_QUEUED;    /* interrupted: --resume continues it */
	}
	pthread_mutex_unlock(&e->lock);

	if (cancel) {
		e->outcome = ENGINE_CANCELLED;
		e->exit_code = EXIT_INTERRUPTED;
	} else if (any_failed) {
		e->outcome = ENGINE_TABLES_FAILED;
		e->exit_code = EXIT_COPY_FAILED;
	} else {
		e->outcome = ENGINE_OK;
		e->exit_code = EXIT_OK;
	}
}
