#include "access.h"
#include "log.h"
#include "mem.h"

#include <arpa/inet.h>
#include <signal.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[] = { "pg_hba", "whitelist", "privilege" };
static const char *const state_names[] = { "intent", "done", "restored", "cancelled", "closing" };

const char *access_kind_name(enum access_kind k) { return kind_names[k]; }
const char *access_state_name(enum access_state s) { return state_names[s]; }

static bool name_lookup(const char *const *names, int n, const char *s, int *out)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	return false;
}

bool access_kind_parse(const char *s, enum access_kind *out)
{
	int v;
	if (!name_lookup(kind_names, 3, s, &v))
		return false;
	*out = (enum access_kind)v;
	return true;
}

bool access_state_parse(const char *s, enum access_state *out)
{
	int v;
	if (!name_lookup(state_names, 5, s, &v))
		return false;
	*out = (enum access_state)v;
	return true;
}

bool access_transition_ok(enum access_state from, enum access_state to)
{
	switch (from) {
	case ACCESS_INTENT:
		return to == ACCESS_DONE || to == ACCESS_CLOSING || to == ACCESS_RESTORED || to == ACCESS_CANCELLED;
	case ACCESS_DONE: return to == ACCESS_CLOSING || to == ACCESS_RESTORED;
	case ACCESS_CLOSING: return to == ACCESS_CLOSING || to == ACCESS_RESTORED;
	default: return false;
	}
}

bool access_outstanding(const struct access_opening *o)
{
	return o->state == ACCESS_INTENT || o->state == ACCESS_DONE || o->state == ACCESS_CLOSING;
}

bool access_made_by_gp2adb(const struct access_opening *o)
{
	return o->by_gp2adb;
}

/* --- words for the operator --- */

static void fmt_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

void access_describe(const struct access_opening *o, struct strbuf *out)
{
	char when[32];
	fmt_time(o->opened ? o->opened : o->time, when, sizeof when);
	strbuf_printf(out, "#%d ", o->id);
	switch (o->kind) {
	case ACCESS_PG_HBA: {
		/* the rule line, without the marker comment */
		const char *rule = o->what ? strstr(o->what, "\nhost") : NULL;
		size_t n = 0;
		if (rule) {
			rule++;
			const char *nl = strchr(rule, '\n');
			n = nl ? (size_t)(nl - rule) : strlen(rule);
			const char *hash = memchr(rule, '#', n);
			if (hash)
				n = (size_t)(hash - rule);
			while (n && rule[n - 1] == ' ')
				n--;
		}
		strbuf_printf(out, "pg_hba rule on %s:%s: %.*s", o->host ? o->host : "?",
			      o->path ? o->path : "?", (int)n, rule ? rule : o->cidr ? o->cidr : "");
		break;
	}
	case ACCESS_WHITELIST:
		strbuf_printf(out, "ADB whitelist group %s: %s", o->what ? o->what : "?", o->cidr ? o->cidr : "?");
		if (o->instance)
			strbuf_printf(out, " on %s%s%s%s", o->instance, o->region ? " (" : "", o->region ? o->region : "",
				      o->region ? ")" : "");
		break;
	case ACCESS_PRIVILEGE:
		strbuf_printf(out, "privilege: %s", o->what ? o->what : "?");
		break;
	}
	const char *who = access_made_by_gp2adb(o) ? "by gp2adb" : "by you";
	switch (o->state) {
	case ACCESS_INTENT:
		strbuf_printf(out, " (being opened %s at %s, not confirmed: it may be open)", who, when);
		break;
	case ACCESS_DONE:
		strbuf_printf(out, " (opened %s at %s)", who, when);
		break;
	case ACCESS_CLOSING:
		fmt_time(o->time, when, sizeof when);
		strbuf_printf(out, " (closing started at %s, not confirmed closed: it may still be open)", when);
		break;
	case ACCESS_RESTORED:
		fmt_time(o->time, when, sizeof when);
		strbuf_printf(out, " (closed at %s)", when);
		break;
	case ACCESS_CANCELLED:
		strbuf_puts(out, " (never made)");
		break;
	}
}

void access_steps_open(const struct access_opening *o, const struct plan *p, struct strbuf *out)
{
	const char *inst = p->destination.host ? p->destination.host : "your AnalyticDB instance";
	switch (o->kind) {
	case ACCESS_WHITELIST:
		strbuf_printf(out,
			"WARNING: a whitelist entry lets every address in %s try to log in to %s.%s\n"
			"Steps, in the AnalyticDB for PostgreSQL console:\n"
			"  1. Open the instance %s, then Data Security > Whitelist Settings.\n"
			"  2. Create Whitelist: group name %s, IP addresses %s.\n"
			"     A dedicated group can be deleted afterwards without touching your other entries;\n"
			"     do not edit the 'default' group.\n"
			"  3. Keep the migration short, and close the entry with 'gp2adb restore-access'\n"
			"     as soon as the data is validated.\n",
			o->cidr, inst,
			o->cidr && strcmp(o->cidr, "0.0.0.0/0") == 0
				? "\n         0.0.0.0/0 is the whole internet: use it only for the copy, and only with strong passwords." : "",
			inst, o->what, o->cidr);
		break;
	case ACCESS_PRIVILEGE:
		strbuf_printf(out,
			"WARNING: a privileged account (%s) widens what a leaked password can do.\n"
			"Steps: request it from Alibaba Cloud support in a ticket naming the instance %s and the\n"
			"account, and have it revoked as soon as the migration is validated.\n",
			o->what, inst);
		break;
	case ACCESS_PG_HBA:
		strbuf_printf(out, "gp2adb appends a pg_hba.conf rule for %s on the source master, reloads the\n"
			      "server, and removes it again with 'gp2adb restore-access'.\n", o->cidr);
		break;
	}
}

void access_steps_close(const struct access_opening *o, struct strbuf *out)
{
	switch (o->kind) {
	case ACCESS_WHITELIST:
		if (access_made_by_gp2adb(o)) {
			strbuf_printf(out, "gp2adb removes %s from the whitelist group %s of instance %s.\n", o->cidr,
				      o->what, o->instance ? o->instance : o->host ? o->host : "(the destination)");
			break;
		}
		strbuf_printf(out,
			"In the AnalyticDB for PostgreSQL console: instance %s > Data Security > Whitelist\n"
			"Settings: delete the group %s (or remove %s from the group you used).\n",
			o->host ? o->host : "(the destination)", o->what, o->cidr);
		break;
	case ACCESS_PRIVILEGE:
		strbuf_printf(out, "Ask Alibaba Cloud support to revoke: %s.\n", o->what);
		break;
	case ACCESS_PG_HBA:
		strbuf_printf(out, "gp2adb removes its lines from %s on %s (its original bytes when nobody else\n"
			      "changed it), reloads the server and checks that it re-read the file.\n",
			      o->target ? o->target : o->path, o->host);
		break;
	}
}

/* --- what the commands and the wizard call --- */

bool access_record_operator(const struct plan *p, enum access_kind kind, const char *cidr,
			    const char *what, int *id)
{
	struct journal j;
	struct access_ledger l;
	if (!access_ledger_begin(p, &j, &l))
		return false;
	bool ok = true;
	struct access_opening o = { 0 };
	char *mid = journal_migration_id(p);
	o.kind = kind;
	o.by_gp2adb = false;
	o.migration = mid;
	o.host = p->destination.host;
	o.cidr = (char *)cidr;
	o.what = (char *)what;
	ok = ok && access_record(&j, &l, &o, ACCESS_INTENT, NULL) &&
	     access_record(&j, &l, &o, ACCESS_DONE, "made by the operator");
	if (ok && id)
		*id = o.id;
	free(mid);
	access_ledger_done(&l);
	journal_close(&j);
	return ok;
}

bool access_confirm_closed(const struct plan *p, int id)
{
	struct journal j;
	struct access_ledger l;
	if (!access_ledger_begin(p, &j, &l))
		return false;
	bool ok = true;
	struct access_opening *o = access_ledger_find(&l, id);
	if (ok && !o) {
		log_error("no opening #%d in the ledger under %s", id, p->state_dir);
		ok = false;
	} else if (ok && access_made_by_gp2adb(o)) {
		log_error("opening #%d was made by gp2adb: restore it with gp2adb restore-access", id);
		ok = false;
	} else if (ok && access_outstanding(o)) {
		struct access_opening copy = *o;
		ok = access_record(&j, &l, &copy, ACCESS_RESTORED, "closed, as confirmed by the operator");
	}
	access_ledger_done(&l);
	journal_close(&j);
	return ok;
}

bool access_cidr_valid(const char *cidr)
{
	const char *slash = strchr(cidr, '/');
	if (!slash || slash == cidr || strlen(slash) > 4)
		return false;
	char addr[64];
	if ((size_t)(slash - cidr) >= sizeof addr)
		return false;
	snprintf(addr, sizeof addr, "%.*s", (int)(slash - cidr), cidr);
	/* Digits only: strtol alone would take a sign or white space (a line
	 * break in the pg_hba.conf line). */
	for (const char *d = slash + 1; *d; d++)
		if (!isdigit((unsigned char)*d))
			return false;
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end)
		return false;
	unsigned char buf[16];
	if (inet_pton(AF_INET, addr, buf) == 1)
		return bits >= 0 && bits <= 32;
	if (inet_pton(AF_INET6, addr, buf) == 1)
		return bits >= 0 && bits <= 128;
	return false;
}

void access_crash_point(const char *name)
{
	const char *at = getenv("GP2ADB_CRASH_AT");
	if (at && strcmp(at, name) == 0) {
		fprintf(stderr, "gp2adb: GP2ADB_CRASH_AT=%s: killing this process here on purpose\n", name);
		raise(SIGKILL);
	}
}
