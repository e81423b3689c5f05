/* runlog: small durable records of what a command has done, one file per
 * command under <state_dir>/<migration id>/ (directories 0700, files 0600).
 * Lines of "key<TAB>status<TAB>detail", appended and fsync'd one by one; on
 * reading, the last line of a key wins.  All of gp2adb's schema and migrate
 * journal file I/O is here, so it can move into the journal module whole. */
#ifndef GP2ADB_RUNLOG_H
#define GP2ADB_RUNLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

struct runlog_entry {
	char *key;
	char *status;           /* "ok", "failed", ... */
	char *detail;           /* "" when none */
};

struct runlog {
	char *path;
	int fd;                 /* -1 until opened for appending */
	struct runlog_entry *items;     /* the latest entry per key, in file order */
	size_t n;
};

/* Open (creating the directories and file) <state_dir>/<id>/<name> and read
 * what it holds; a last line a crash cut short is dropped from the file,
 * with a warning.  false with a message naming the path on failure. */
bool runlog_open(struct runlog *rl, const struct plan *p, const char *name, char *err, size_t errsize);
/* The latest entry for key, or NULL. */
const struct runlog_entry *runlog_get(const struct runlog *rl, const char *key);
/* Append one record and fsync it.  Tabs and newlines in the fields are escaped. */
bool runlog_put(struct runlog *rl, const char *key, const char *status, const char *detail);
/* Forget everything (truncate the file). */
bool runlog_clear(struct runlog *rl);
void runlog_close(struct runlog *rl);

/* Write a whole file <state_dir>/<migration id>/<name> (0600), replacing it
 * atomically.  Returns the path (caller frees), NULL on failure (logged). */
char *runlog_write_file(const struct plan *p, const char *name, const char *content, size_t len);

#endif
