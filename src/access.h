/* access: the access ledger.  Every access control opened for the migration
 * is recorded before it is made (intent), after (done), when its closing
 * starts (closing) and when it is undone (restored; cancelled when it was
 * never made), one fsync'd line per event.
 *
 * One ledger per state directory, <state_dir>/access/ledger, whatever the
 * configuration says now: an opening made under one spelling of the
 * endpoints is listed, and closed, under any other.  Each opening carries
 * where it was made (host, ssh user and port, file, data directory, ...), so
 * it is undone there and not where the configuration points today.
 * Ledgers of older versions (<state_dir>/<migration id>/ledger) are read
 * and their openings copied into it, once each (origin says from where).
 *
 * Openings gp2adb makes itself (pg_hba lines on the source master, over SSH)
 * it undoes and verifies; openings the operator makes (the ADB whitelist,
 * privileges granted by support) it explains, records when the operator
 * confirms them, and asks to be confirmed closed.  A whitelist entry may
 * also be made by gp2adb (by_gp2adb, with instance, region, group and CIDR). */
#ifndef GP2ADB_ACCESS_H
#define GP2ADB_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "plan.h"
#include "strbuf.h"

enum access_kind { ACCESS_PG_HBA, ACCESS_WHITELIST, ACCESS_PRIVILEGE };
enum access_state { ACCESS_INTENT, ACCESS_DONE, ACCESS_RESTORED, ACCESS_CANCELLED, ACCESS_CLOSING };

struct access_opening {
	int id;                     /* 1, 2, ... within the state directory */
	enum access_kind kind;
	enum access_state state;
	bool by_gp2adb;             /* made (and undone) by gp2adb; else by the operator */
	long long time;             /* of the latest event (seconds since the epoch) */
	long long opened;           /* when it was made (0: not yet) */
	char *migration;            /* the migration id it was made for */
	char *origin;               /* "<migration id>#<id>": copied from an older ledger */
	/* where it was made: all that undoing it needs */
	char *host;                 /* pg_hba: the master, over SSH; whitelist: the ADB instance's address */
	char *ssh_user;             /* pg_hba: NULL in older ledgers (then: ssh.user now) */
	int ssh_port;               /* pg_hba: 0 in older ledgers (then: ssh.port now) */
	char *path;                 /* pg_hba: the file as the server names it (hba_file) */
	char *target;               /* pg_hba: the file path resolves to (symlinks followed) */
	char *data_dir;             /* pg_hba: the server's data directory (its postmaster.pid) */
	char *socket_dir;           /* pg_hba: the server's unix socket directory ("": the default) */
	int db_port;                /* pg_hba: the server's port */
	char *db_user, *db_name;    /* pg_hba: how psql on the master reaches it through the socket */
	int server_num;             /* pg_hba: server_version_num (0: not known) */
	char *gphome;               /* pg_hba on Greenplum: $GPHOME on the master */
	char *backup;               /* pg_hba: the file holding the original bytes */
	char *instance, *region;    /* whitelist: the ADB instance id and its region */
	char *cidr;                 /* pg_hba, whitelist */
	char *what;                 /* pg_hba: the text appended; whitelist: the group
				       name; privilege: what was granted, to whom */
	char *sha_before, *sha_after;   /* pg_hba: file checksums */
	char *note;                 /* the latest remark (what is left, why restored without change, ...) */
};

struct access_ledger {
	struct access_opening *v;
	size_t n;
	size_t damaged;             /* lines reported and skipped while reading */
};

const char *access_kind_name(enum access_kind k);
const char *access_state_name(enum access_state s);
bool access_kind_parse(const char *s, enum access_kind *out);
bool access_state_parse(const char *s, enum access_state *out);
/* Whether a ledger may move from `from` to `to` (intent -> done | closing |
 * restored | cancelled, done -> closing | restored, closing -> closing |
 * restored). */
bool access_transition_ok(enum access_state from, enum access_state to);
/* Still to be closed: intent (it may have been made), done or closing. */
bool access_outstanding(const struct access_opening *o);
/* Made by gp2adb (undone by restore-access) or by the operator (confirmed). */
bool access_made_by_gp2adb(const struct access_opening *o);

/* One ledger line: "v2 id=.. state=.. time=.. kind=.. by=.. key=value ...
 * sum=<checksum of the line before it>", values %-escaped.  Caller frees. */
char *access_event_format(const struct access_opening *o);
/* Parse one line (v2, or v1 of older versions) into o (owned strings; free
 * with access_opening_done).  A v2 line without its checksum, or with a
 * wrong one, is refused: it was torn or damaged. */
bool access_event_parse(const char *line, struct access_opening *o, char *err, size_t errsize);
void access_opening_done(struct access_opening *o);
/* A deep copy (free with access_opening_done). */
void access_opening_copy(struct access_opening *dst, const struct access_opening *src);

void access_ledger_init(struct access_ledger *l);
void access_ledger_done(struct access_ledger *l);
/* Apply an event read from the ledger (checks the transition). */
bool access_ledger_apply(struct access_ledger *l, const struct access_opening *ev,
			 char *err, size_t errsize);
struct access_opening *access_ledger_find(struct access_ledger *l, int id);
size_t access_ledger_outstanding(const struct access_ledger *l);
int access_ledger_next_id(const struct access_ledger *l);
/* Read a whole ledger (any bytes).  Nothing that was written whole is lost:
 * a torn or damaged line (NUL bytes, garbage, a bad checksum, an impossible
 * event) is reported as file:line and skipped, and reading goes on; an
 * event whose opening's intent was lost still lists the opening.  Returns
 * false when anything was skipped (counted in l->damaged). */
bool access_ledger_parse_bytes(struct access_ledger *l, const char *data, size_t len, const char *file);
/* The same over a NUL-terminated text. */
bool access_ledger_parse(struct access_ledger *l, const char *text, const char *file);
/* Load the ledger of j (an absent one is empty).  False only when it cannot be read. */
bool access_ledger_load(struct access_ledger *l, const struct journal *j);
/* Append ev as it is, durably, and apply it to l (for copying events). */
bool access_ledger_append(const struct journal *j, struct access_ledger *l, const struct access_opening *ev);
/* Copy into l (through j) what the older per-migration ledgers under
 * state_dir hold and l lacks; with j NULL, only say so in *pending. */
bool access_ledger_sync_older(const char *state_dir, const struct journal *j, struct access_ledger *l,
			      bool *pending);
/* Move o to `state`, append the event durably, update l.  A new opening
 * (id 0, or one not in l yet) must start as intent; id 0 gets the next id. */
bool access_record(const struct journal *j, struct access_ledger *l, struct access_opening *o,
		   enum access_state state, const char *note);

/* One line for lists: "#2 ADB whitelist group gp2adb_migration: 0.0.0.0/0 (opened by you at ...)". */
void access_describe(const struct access_opening *o, struct strbuf *out);
/* The warning and exact steps to make (operator openings) or to undo. */
void access_steps_open(const struct access_opening *o, const struct plan *p, struct strbuf *out);
void access_steps_close(const struct access_opening *o, struct strbuf *out);

/* --- what the commands and the wizard call --- */

/* The ledger's directory in the state directory. */
#define ACCESS_DIR "access"
/* Open <state_dir>/access, take the ledger's lock (waiting up to
 * ACCESS_LOCK_WAIT_S for another gp2adb), load the ledger and copy in what
 * older ledgers hold: what every change to it starts with.  journal_close
 * releases the lock. */
#define ACCESS_LOCK_WAIT_S 60.0
bool access_ledger_begin(const struct plan *p, struct journal *j, struct access_ledger *l);

/* Every opening recorded under the plan's state directory (older ledgers
 * included), read-only: the listing at every start, status, restore-access. */
bool access_list(const struct plan *p, struct access_ledger *out);
/* Record an opening the operator made (after they confirmed it):
 * kind WHITELIST (cidr, what = group name) or PRIVILEGE (what = description). */
bool access_record_operator(const struct plan *p, enum access_kind kind, const char *cidr,
			    const char *what, int *id);
/* The operator confirmed an operator-made opening closed. */
bool access_confirm_closed(const struct plan *p, int id);
/* Validate "a.b.c.d/n" or an IPv6 prefix. */
bool access_cidr_valid(const char *cidr);

enum access_failure { ACCESS_OK, ACCESS_FAIL_CONNECT, ACCESS_FAIL_HOST, ACCESS_FAIL_OTHER,
	ACCESS_FAIL_LEFT };   /* something is left that only a person can remove (o->note says what) */
/* Append a pg_hba rule for cidr on the source master (backup, append marked
 * lines, reload, verify).  On failure the file is put back. */
enum access_failure access_open_pg_hba(const struct plan *p, const char *cidr, int *id);
/* Undo a pg_hba opening where it was made, over SSH only: its lines removed
 * (the exact original bytes when nobody else changed the file), the server
 * reloaded, and its reload verified, every time.  Safe to repeat. */
enum access_failure access_restore_pg_hba(const struct plan *p, int id);

/* GP2ADB_CRASH_AT=<name>: die here by SIGKILL, as kill -9 would (a
 * diagnostic hook for crash tests).  Names: open-intent, open-written,
 * open-reloaded, open-done, restore-intent, restore-written,
 * restore-reloaded, restore-done. */
void access_crash_point(const char *name);

#endif
