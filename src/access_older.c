/* access: the ledgers of older versions, one per migration
 * (<state_dir>/<migration id>/ledger, with pg_hba-<n>.orig beside it).
 * Their openings are copied into the one ledger of the state directory, each
 * once (its origin names where it came from), and a later event in an older
 * ledger (an older gp2adb closing it) is copied too when it is a step
 * forward. */
#include "access.h"
#include "log.h"
#include "mem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_migration_dir(const struct dirent *d)
{
	if (d->d_name[0] != 'm' || strlen(d->d_name) != 13)
		return false;
	for (const char *c = d->d_name + 1; *c; c++)
		if (!isxdigit((unsigned char)*c) || isupper((unsigned char)*c))
			return false;
	return true;
}

static struct access_opening *find_origin(struct access_ledger *l, const char *origin)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].origin && strcmp(l->v[i].origin, origin) == 0)
			return &l->v[i];
	return NULL;
}

/* Bring one older opening into l: its intent, then its state, each once.
 * j NULL: only say (in *pending) whether anything is to be brought in. */
static bool bring_in(const struct journal *j, struct access_ledger *l, const char *state_dir, const char *mid,
		     const char *file, const struct access_opening *old, bool *pending)
{
	char origin[300];
	snprintf(origin, sizeof origin, "%s#%d", mid, old->id);
	struct access_opening *have = find_origin(l, origin);
	if (have && (have->state == old->state || !access_transition_ok(have->state, old->state)))
		return true;
	*pending = true;
	if (!j)
		return true;
	struct access_opening ev;
	if (have) {
		access_opening_copy(&ev, have);
	} else {
		access_opening_copy(&ev, old);
		ev.id = access_ledger_next_id(l);
		free(ev.origin);
		ev.origin = xstrdup(origin);
		free(ev.migration);
		ev.migration = xstrdup(mid);
		if (ev.kind == ACCESS_PG_HBA && !ev.backup)
			ev.backup = xasprintf("%s/%s/pg_hba-%d.orig", state_dir, mid, old->id);
		free(ev.note);
		ev.note = xasprintf("copied from %s, where it was #%d", file, old->id);
		ev.state = ACCESS_INTENT;
		if (!access_ledger_append(j, l, &ev)) {
			access_opening_done(&ev);
			return false;
		}
		log_info("%s: opening #%d is now #%d of %s/%s/ledger", file, old->id, ev.id, state_dir, ACCESS_DIR);
	}
	bool ok = true;
	if (old->state != ACCESS_INTENT) {
		ev.state = old->state;
		ev.time = old->time;
		free(ev.note);
		ev.note = old->note ? xstrdup(old->note) : NULL;
		ok = access_ledger_append(j, l, &ev);
	}
	access_opening_done(&ev);
	return ok;
}

bool access_ledger_sync_older(const char *state_dir, const struct journal *j, struct access_ledger *l, bool *pending)
{
	struct dirent **names = NULL;
	int n = scandir(state_dir, &names, is_migration_dir, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return true;
		log_error("cannot list %s: %s", state_dir, strerror(errno));
		return false;
	}
	bool ok = true;
	for (int i = 0; i < n; i++) {
		char *file = xasprintf("%s/%s/ledger", state_dir, names[i]->d_name);
		char *data = NULL;
		size_t len = 0;
		if (journal_slurp(file, &data, &len)) {
			struct access_ledger old;
			access_ledger_init(&old);
			access_ledger_parse_bytes(&old, data, len, file);
			for (size_t k = 0; ok && k < old.n; k++)
				ok = bring_in(j, l, state_dir, names[i]->d_name, file, &old.v[k], pending);
			access_ledger_done(&old);
			free(data);
		} else if (errno != ENOENT) {
			ok = false;     /* journal_slurp said why */
		}
		free(file);
		free(names[i]);
	}
	free(names);
	return ok;
}
