/* The wizard's access ledger (1. welcome, 5. whitelist, 12. restoration)
 * over access.c. */
#include "backend_priv.h"
#include "access.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum opening_state opening_state_of(const struct access_opening *a)
{
	switch (a->state) {
	case ACCESS_INTENT: return OPENING_INTENT;
	case ACCESS_DONE: return OPENING_OPEN;
	case ACCESS_CLOSING: return OPENING_OPEN;      /* closing started, not confirmed: still open */
	case ACCESS_RESTORED: return access_made_by_gp2adb(a) ? OPENING_VERIFIED : OPENING_RESTORED;
	case ACCESS_CANCELLED: return OPENING_RESTORED;
	}
	return OPENING_OPEN;
}

static bool core_ledger_list(void *ctx, const struct plan *p, struct ui_openings *out, char *err, size_t size)
{
	(void)ctx;
	struct access_ledger l;
	access_ledger_init(&l);
	memset(out, 0, sizeof *out);
	if (!access_list(p, &l)) {
		snprintf(err, size, "the ledger under %s could not be read (see the log)",
			 p->state_dir ? p->state_dir : "the state directory");
		access_ledger_done(&l);
		return false;
	}
	out->items = xcalloc(l.n + 1, sizeof *out->items);
	out->n = l.n;
	for (size_t i = 0; i < l.n; i++) {
		const struct access_opening *a = &l.v[i];
		struct ui_opening *o = &out->items[i];
		struct strbuf sb;
		strbuf_init(&sb);
		snprintf(o->id, sizeof o->id, "%d", a->id);
		snprintf(o->kind, sizeof o->kind, "%s", access_kind_name(a->kind));
		snprintf(o->cidr, sizeof o->cidr, "%s", a->cidr ? a->cidr : "");
		access_describe(a, &sb);
		snprintf(o->what, sizeof o->what, "%s", sb.data);
		strbuf_reset(&sb);
		access_steps_close(a, &sb);
		for (char *c = sb.data; *c; c++)
			if (*c == '\n')
				*c = ' ';
		snprintf(o->undo, sizeof o->undo, "%s", sb.data);
		strbuf_done(&sb);
		o->by_gp2adb = access_made_by_gp2adb(a);
		o->state = opening_state_of(a);
		o->opened_at = (double)a->opened;
	}
	access_ledger_done(&l);
	return true;
}

static bool core_ledger_record(void *ctx, const struct plan *p, const struct ui_opening *o, char *err, size_t size)
{
	(void)ctx;
	int id;
	if (strcmp(o->kind, "whitelist") != 0 || !access_cidr_valid(o->cidr)) {
		snprintf(err, size, "only a whitelist entry with a valid CIDR can be recorded here");
		return false;
	}
	if (!access_record_operator(p, ACCESS_WHITELIST, o->cidr, "gp2adb migration", &id)) {
		snprintf(err, size, "the whitelist entry %s could not be recorded in the ledger (see the log)", o->cidr);
		return false;
	}
	return true;
}

static bool core_ledger_confirm(void *ctx, const struct plan *p, const char *id, char *err, size_t size)
{
	(void)ctx;
	if (!access_confirm_closed(p, atoi(id))) {
		snprintf(err, size, "opening #%s could not be marked closed in the ledger (see the log)", id);
		return false;
	}
	return true;
}

static bool core_ledger_restore(void *ctx, const struct plan *p, const char *id, char *err, size_t size)
{
	(void)ctx;
	if (access_restore_pg_hba(p, atoi(id)) != ACCESS_OK) {
		snprintf(err, size, "opening #%s could not be restored (see the log); gp2adb restore-access retries it", id);
		return false;
	}
	return true;
}

void core_ledger_bind(struct ui_backend *be)
{
	be->ledger_list = core_ledger_list;
	be->ledger_record = core_ledger_record;
	be->ledger_restore = core_ledger_restore;
	be->ledger_confirm = core_ledger_confirm;
}
