/* access_whitelist: the ADB whitelist entry that gp2adb adds and removes
 * itself through the OpenAPI (gpdb_ips), when gp2adb.conf's adb group names
 * the instance and an AccessKey file.  Recorded in the access ledger like
 * every opening: intent before the call, done once the whitelist read back
 * shows the entry, closing before the call that removes it, restored once
 * it reads back without it.  Without a key the operator makes the entry in
 * the console and gp2adb records it (access_record_operator), as before.
 *
 * Ledger fields of such an opening: by_gp2adb, path = "openapi:<endpoint
 * URL>" (both make it managed), host and instance = the instance id, region,
 * what = the whitelist group, cidr = the entry, migration = the migration id
 * it was opened for.  GP2ADB_CRASH_AT steps (access_crash_point):
 * whitelist-after-intent, whitelist-after-call, whitelist-restore-intent,
 * whitelist-restore-call, whitelist-restore-done. */
#ifndef GP2ADB_ACCESS_WHITELIST_H
#define GP2ADB_ACCESS_WHITELIST_H

#include <stdbool.h>

#include "access.h"
#include "plan.h"
#include "strbuf.h"

#define ACCESS_WHITELIST_API_PREFIX "openapi:"

/* Whether the plan lets gp2adb change the whitelist itself (an AccessKey
 * file and an instance id in the adb group). */
bool access_whitelist_configured(const struct plan *p);
/* Whether o is a whitelist entry gp2adb made through the OpenAPI (by_gp2adb
 * and the openapi: path). */
bool access_whitelist_managed(const struct access_opening *o);

enum access_whitelist_outcome {
	WHITELIST_ADDED,            /* gp2adb added it (and read it back) */
	WHITELIST_ALREADY_OPEN,     /* the ledger holds it open already */
	WHITELIST_FOUND,            /* it was in the group before gp2adb looked: recorded
				       as the operator's, left for the operator to close */
};

/* Add cidr (IPv4, 0.0.0.0/0 included) to the plan's whitelist group, read
 * the whitelist back, record it.  On failure the opening stays in the ledger
 * as possibly open unless the API's answer or the read-back show that
 * nothing was changed. */
enum access_failure access_whitelist_open(const struct plan *p, const char *cidr, int *id,
					  enum access_whitelist_outcome *how);
/* Remove a managed opening's entry from its group (keeping the group's other
 * entries), read the whitelist back, and record it restored only when the
 * entry is gone; until then it stays closing, with what the attempt found.
 * Safe to repeat.  (An opening that is closing is not opened again:
 * access_whitelist_open refuses it until this has finished.) */
enum access_failure access_whitelist_close(const struct plan *p, int id);
/* Read the whitelist back: is the managed opening's entry there now? */
enum access_failure access_whitelist_verify(const struct plan *p, const struct access_opening *o, bool *present);
/* A managed opening closed by hand in the console, while gp2adb has no key
 * to close it (the adb group is gone from the configuration): the
 * operator's word, recorded as such. */
bool access_whitelist_confirm_closed(const struct plan *p, int id);

/* What open-access is about to do through the OpenAPI, with the warning. */
void access_whitelist_steps_open(const struct plan *p, const char *cidr, struct strbuf *out);

/* How a managed opening is closed: what the restore screen shows. */
void access_whitelist_steps_close(const struct access_opening *o, struct strbuf *out);

/* How long a read-back waits for a change to show (seconds; 8 unless set). */
void access_whitelist_set_wait(double seconds);

#endif
