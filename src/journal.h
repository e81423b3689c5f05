/* journal: the migration's durable state directory, <state_dir>/<migration id>/.
 * The id is plan_migration_id(): derived from the source and destination
 * endpoints and databases, so every command of one migration finds the same
 * directory, and the engine's progress markers carry the same id.
 * journal_open_dir opens a directory of the state directory that is not
 * keyed on the migration (the access ledger's, <state_dir>/access/).
 * Directories are created 0700 and files 0600; writes are fsync'd (file and
 * directory) so that what a function reported as written survives a crash. */
#ifndef GP2ADB_JOURNAL_H
#define GP2ADB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

struct journal {
	char *id;       /* plan_migration_id(): e.g. "m1f2e3d4c5b6a"; or the name given to journal_open_dir */
	char *dir;      /* <state_dir>/<id> */
	int lock_fd;    /* journal_lock()'s file, or -1 */
};

/* plan_migration_id() as a new string; caller frees. */
char *journal_migration_id(const struct plan *p);
/* Fill j and create its directory (and state_dir) when create is true.
 * With create false, a missing directory is not an error (nothing recorded yet). */
bool journal_open(struct journal *j, const struct plan *p, bool create);
/* Fill j for <state_dir>/<name> (created 0700, with state_dir, when create is
 * true; a missing one is not an error when it is false). */
bool journal_open_dir(struct journal *j, const char *state_dir, const char *name, bool create);
void journal_close(struct journal *j);
/* Hold <dir>/<name> exclusively (flock) until journal_close, so that one
 * process (or thread) at a time reads, changes and appends to what it
 * guards.  Waits up to wait_s seconds for a holder, saying once that it
 * waits; then fails with an error naming the file and the holder's pid. */
bool journal_lock(struct journal *j, const char *name, double wait_s);
/* <dir>/<name>; caller frees. */
char *journal_path(const struct journal *j, const char *name);
/* Append one line (a '\n' is added) with a single write, then fsync.  The
 * line always starts a line of its own: when the file does not end with a
 * newline (a write cut short by a crash, a zero-filled tail after power
 * loss), a newline goes first, so the torn text stays a line the reader can
 * skip and never swallows this one. */
bool journal_append_line(const struct journal *j, const char *name, const char *line);
/* Replace a file atomically: write <name>.tmp, fsync, rename, fsync the dir. */
bool journal_write_atomic(const struct journal *j, const char *name, const void *data, size_t len);
/* Read a whole file (any path; or <dir>/<name>); *data is NUL-terminated.
 * false (errno ENOENT) if absent. */
bool journal_slurp(const char *path, char **data, size_t *len);
bool journal_read(const struct journal *j, const char *name, char **data, size_t *len);

/* Hex sha256 of a buffer into out[65]. */
void journal_sha256_hex(const void *data, size_t len, char out[65]);

#endif
