/* engine_finish: what happens after the workers stop: sequences set on the
 * destination (engine_sequences.c), the failed-tables journal, the outcome. */
#include "engine_priv.h"
#include "copy_journal.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "segpath.h"

#include <stdlib.h>
#include <string.h>

void engine_finish(struct engine *e)
{
	segpath_stop(e);        /* the workers are done: nothing more for the relay */
	bool cancel = atomic_load(&e->cancel);
	int drop_rc = cancel ? EXIT_OK : engine_drop_finish(e);
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
		engine_set_sequences(e, any_failed);
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
	} else if (any_failed || drop_rc == EXIT_COPY_FAILED) {
		e->outcome = ENGINE_TABLES_FAILED;
		e->exit_code = EXIT_COPY_FAILED;
	} else {
		e->outcome = ENGINE_OK;
		e->exit_code = drop_rc;     /* EXIT_SCHEMA_FAILED: the data is copied, not every grant */
	}
}
