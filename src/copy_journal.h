/* copy_journal: the copy command's local state under
 * <state_dir>/<migration id>/: the tables that failed in the last run, for
 * `copy --only-failed`.  A cache: the destination's markers decide what is
 * committed.  All of the engine's file I/O is here. */
#ifndef GP2ADB_COPY_JOURNAL_H
#define GP2ADB_COPY_JOURNAL_H

#include <stdbool.h>

#include "plan.h"

/* "<state_dir>/<migration id>", created 0700 (with parents). NULL on failure (logged). */
char *copy_journal_dir(const char *state_dir, const char *migration_id);
/* Replace the failed-tables list (one quoted qualified name a line) atomically. */
bool copy_journal_write_failed(const char *dir, char *const *tables);
/* The list written by the last run; *tables NULL when none failed.  false
 * when no run has recorded one (logged). */
bool copy_journal_read_failed(const char *dir, char ***tables);
/* The same for any list in dir (errno set when absent; nothing logged). */
bool copy_journal_write_list(const char *dir, const char *name, char *const *tables);
bool copy_journal_read_list(const char *dir, const char *name, char ***tables);
/* Whether the plan's migration has failed tables on record. */
bool copy_journal_has_failed(const char *state_dir, const struct plan *p);

#endif
