/* access: the access ledger.  Every access control opened for the migration
 * is recorded before it is made (intent), after (done) and when undone
 * (restored; cancelled when it was never made), one fsync'd line per event in
 * <journal>/ledger, so a crash at any instant leaves it listed.
 *
 * Openings gp2adb makes itself (pg_hba lines on the source master, over SSH)
 * it undoes and verifies; openings the operator makes (the ADB whitelist,
 * privileges granted by support) it explains, records when the operator
 * confirms them, and asks to be confirmed closed. */
#ifndef GP2ADB_ACCESS_H
#define GP2ADB_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "plan.h"
#include "strbuf.h"

enum access_kind { ACCESS_PG_HBA, ACCESS_WHITELIST, ACCESS_PRIVILEGE };
enum access_state { ACCESS_INTENT, ACCESS_DONE, ACCESS_RESTORED, ACCESS_CANCELLED };

struct access_opening {
	int id;                     /* 1, 2, ... within the migration */
	enum access_kind kind;
	enum access_state state;
	long long time;             /* of the latest event (seconds since the epoch) */
	long long opened;           /* when it was made (0: not yet) */
	char *host;                 /* pg_hba: the master; whitelist: the ADB instance */
	char *path;                 /* pg_hba: the file on the master */
	char *cidr;                 /* pg_hba, whitelist */
	char *what;                 /* pg_hba: the text appended; whitelist: the group
				       name; privilege: what was granted, to whom */
	char *sha_before, *sha_after;   /* pg_hba: file checksums */
	char *note;                 /* the latest remark (why restored without change, ...) */
};

struct access_ledger {
	struct access_opening *v;
	size_t n;
};

const char *access_kind_name(enum access_kind k);
const char *access_state_name(enum access_state s);
bool access_kind_parse(const char *s, enum access_kind *out);
bool access_state_parse(const char *s, enum access_state *out);
/* Whether a ledger may move from `from` to `to` (intent -> done | restored |
 * cancelled, done -> restored). */
bool access_transition_ok(enum access_state from, enum access_state to);
/* Still to be closed: intent (it may have been made) or done. */
bool access_outstanding(const struct access_opening *o);
/* Made by gp2adb (undone by restore-access: pg_hba lines, and whitelist
 * entries added through the OpenAPI, access_whitelist.h) or by the operator
 * (confirmed). */
bool access_made_by_gp2adb(const struct access_opening *o);

/* One ledger line: "v1 id=.. state=.. time=.. kind=.. key=value ...", values
 * %-escaped.  Caller frees. */
char *access_event_format(const struct access_opening *o);
/* Parse one line into o (owned strings; free with access_opening_done). */
bool access_event_parse(const char *line, struct access_opening *o, char *err, size_t errsize);
void access_opening_done(struct access_opening *o);

void access_ledger_init(struct access_ledger *l);
void access_ledger_done(struct access_ledger *l);
/* Apply an event read from the ledger (checks the transition). */
bool access_ledger_apply(struct access_ledger *l, const struct access_opening *ev,
			 char *err, size_t errsize);
struct access_opening *access_ledger_find(struct access_ledger *l, int id);
size_t access_ledger_outstanding(const struct access_ledger *l);
int access_ledger_next_id(const struct access_ledger *l);
/* Parse a whole ledger text; errors name file:line.  A last line without its
 * newline (a write cut by a crash) is ignored with a warning. */
bool access_ledger_parse(struct access_ledger *l, const char *text, const char *file);
/* Load the plan's ledger (an absent one is empty). */
bool access_ledger_load(struct access_ledger *l, const struct journal *j);
/* Move o to `state`, append the event durably, update l.  A new opening
 * (id 0, or one not in l yet) must start as intent; id 0 gets the next id. */
bool access_record(const struct journal *j, struct access_ledger *l, struct access_opening *o,
		   enum access_state state, const char *note);

/* One line for lists: "#2 ADB whitelist gp2adb_migration 0.0.0.0/0 (done ...)". */
void access_describe(const struct access_opening *o, struct strbuf *out);
/* The warning and exact steps to make (operator openings) or to undo. */
void access_steps_open(const struct access_opening *o, const struct plan *p, struct strbuf *out);
void access_steps_close(const struct access_opening *o, struct strbuf *out);

/* --- what the commands and the wizard call --- */

/* Open the plan's journal, take the ledger's lock (waiting up to
 * ACCESS_LOCK_WAIT_S for another gp2adb) and load the ledger: what every
 * change to it starts with.  journal_close releases the lock. */
#define ACCESS_LOCK_WAIT_S 60.0
bool access_ledger_begin(const struct plan *p, struct journal *j, struct access_ledger *l);

/* The plan's ledger, read-only (listing at start, status). */
bool access_list(const struct plan *p, struct access_ledger *out);
/* Record an opening the operator made (after they confirmed it):
 * kind WHITELIST (cidr, what = group name) or PRIVILEGE (what = description). */
bool access_record_operator(const struct plan *p, enum access_kind kind, const char *cidr,
			    const char *what, int *id);
/* The operator confirmed an operator-made opening closed. */
bool access_confirm_closed(const struct plan *p, int id);
/* Validate "a.b.c.d/n" or an IPv6 prefix. */
bool access_cidr_valid(const char *cidr);

enum access_failure { ACCESS_OK, ACCESS_FAIL_CONNECT, ACCESS_FAIL_HOST, ACCESS_FAIL_OTHER };
/* Append a pg_hba rule for cidr on the source master (backup, append marked
 * lines, reload, verify).  On failure the file is put back. */
enum access_failure access_open_pg_hba(const struct plan *p, const char *cidr, int *id);
/* Undo a pg_hba opening: the exact original bytes, reload, verify.  Safe to
 * repeat; an opening already undone by hand is marked restored. */
enum access_failure access_restore_pg_hba(const struct plan *p, int id);

/* GP2ADB_CRASH_AT=<name>: abort() here (a diagnostic hook for crash tests). */
void access_crash_point(const char *name);

#endif
