/* access_hba: the parts of a pg_hba opening, for access_hba*.c and tests.
 * Text (access_hba_text.c): what gp2adb appends, and what undoing it makes
 * of the file's bytes now.  The master (access_hba_ssh.c): the file resolved
 * through symlinks, the server reloaded and its reload verified, over SSH
 * only, where the opening was made. */
#ifndef GP2ADB_ACCESS_HBA_H
#define GP2ADB_ACCESS_HBA_H

#include <stdbool.h>
#include <stddef.h>

#include "access.h"
#include "ssh.h"
#include "strbuf.h"

/* --- text --- */

/* The rule admitting user from cidr with a password.  Caller frees. */
char *hba_rule_line(const char *user, const char *cidr);
/* The lines appended to a file holding orig[0..len) for opening id of
 * migration mid: a comment and the rule, both marked.  Caller frees. */
char *hba_appended(const char *orig, size_t len, const char *mid, int id, const char *rule);

/* What undoing an opening makes of the file's bytes now. */
struct hba_undo {
	char *text;             /* the bytes to write (NULL: leave the file as it is) */
	size_t len;
	bool original;          /* the file will hold exactly its original bytes */
	const char *note;       /* what was found, for the ledger */
	size_t left;            /* lines of gp2adb's that are not exact text any more */
	struct strbuf where;    /* those lines: "<path>:<n>: <line>\n" each */
};
/* cur: the file's bytes now; saved: the original bytes from before the
 * opening (NULL when they are not at hand or do not match sha_before).
 * Exact text only is removed: the appended block, else each of its lines;
 * a line that still carries the opening's marker, or its rule beyond the
 * times the original held it, is left, counted and named. */
void hba_undo_plan(const struct access_opening *o, const char *cur, size_t curlen, const char *saved,
		   size_t savedlen, const char *path, struct hba_undo *u);
void hba_undo_done(struct hba_undo *u);

/* --- on the master --- */

/* An SSH session to where o was made: its host, ssh user and port (the
 * configuration's user and port for openings recorded without them). */
struct ssh_session *hba_ssh_open(const struct plan *p, const struct access_opening *o);
/* The file path resolves to, symlinks followed (readlink -f).  Caller frees. */
char *hba_resolve(struct ssh_session *s, const char *path);

enum hba_reload { HBA_RELOADED, HBA_NOT_RUNNING, HBA_FAILED };
/* Signal the postmaster of o->data_dir to reload (what pg_ctl reload does),
 * then wait up to 10 s until, read over SSH: file (o's target) holds
 * want_sha, and the server's pg_conf_load_time(), asked with psql through
 * its unix socket on the master, is later than both the signal and the
 * file's last change (so it re-read the file as it is now); and, on
 * PostgreSQL 10 and later, pg_hba_file_rules shows no line it rejects (it
 * would have kept its old rules).  None of this needs a TCP connection, so
 * it works when the rule being removed is the one that let gp2adb in.
 * HBA_NOT_RUNNING: no postmaster runs there (nothing to reload).  On a
 * server older than 8.4 the reload cannot be verified; `how` says so.
 * HBA_FAILED is logged with its cause. */
enum hba_reload hba_reload_verify(struct ssh_session *s, const struct access_opening *o, const char *want_sha,
				  struct strbuf *how);

#endif
