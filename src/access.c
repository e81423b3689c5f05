#include "access.h"
#include "access_whitelist.h"
#include "log.h"
#include "mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[] = { "pg_hba", "whitelist", "privilege" };
static const char *const state_names[] = { "intent", "done", "restored", "cancelled" };

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
	if (!name_lookup(state_names, 4, s, &v))
		return false;
	*out = (enum access_state)v;
	return true;
}

bool access_transition_ok(enum access_state from, enum access_state to)
{
	switch (from) {
	case ACCESS_INTENT: return to == ACCESS_DONE || to == ACCESS_RESTORED || to == ACCESS_CANCELLED;
	case ACCESS_DONE: return to == ACCESS_RESTORED;
	default: return false;
	}
}

bool access_outstanding(const struct access_opening *o)
{
	return o->state == ACCESS_INTENT || o->state == ACCESS_DONE;
}

bool access_made_by_gp2adb(const struct access_opening *o)
{
	return o->kind == ACCESS_PG_HBA || access_whitelist_managed(o);
}

/* --- the line format --- */

static void put_value(struct strbuf *sb, const char *key, const char *v)
{
	if (!v)
		return;
	strbuf_printf(sb, " %s=", key);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c <= ' ' || *c == '%' || *c == '=' || *c == 0x7f)
			strbuf_printf(sb, "%%%02X", *c);
		else
			strbuf_putc(sb, (char)*c);
	}
}

char *access_event_format(const struct access_opening *o)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "v1 id=%d state=%s time=%lld kind=%s", o->id, state_names[o->state],
		      o->time, kind_names[o->kind]);
	if (o->opened)
		strbuf_printf(&sb, " opened=%lld", o->opened);
	put_value(&sb, "host", o->host);
	put_value(&sb, "path", o->path);
	put_value(&sb, "cidr", o->cidr);
	put_value(&sb, "what", o->what);
	put_value(&sb, "sha_before", o->sha_before);
	put_value(&sb, "sha_after", o->sha_after);
	put_value(&sb, "note", o->note);
	return strbuf_finish(&sb);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static char *unescape(const char *s, size_t n, bool *ok)
{
	char *out = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n) {
				*ok = false;
				break;
			}
			int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
			if (a < 0 || b < 0) {
				*ok = false;
				break;
			}
			out[k++] = (char)(a * 16 + b);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

static bool parse_ll(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return false;
	*out = v;
	return true;
}

bool access_event_parse(const char *line, struct access_opening *o, char *err, size_t errsize)
{
	memset(o, 0, sizeof *o);
	if (strncmp(line, "v1 ", 3) != 0) {
		snprintf(err, errsize, "not a gp2adb ledger line (expected \"v1 ...\")");
		return false;
	}
	bool have_id = false, have_state = false, have_kind = false;
	const char *p = line + 3;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, ' ');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (!eq) {
			snprintf(err, errsize, "field without '=': %.*s", (int)n, p);
			goto bad;
		}
		char key[24];
		snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
		bool ok = true;
		char *val = unescape(eq + 1, n - (size_t)(eq + 1 - p), &ok);
		if (!ok) {
			snprintf(err, errsize, "bad %%-escape in %s", key);
			free(val);
			goto bad;
		}
		long long num;
		char **slot = NULL;
		if (strcmp(key, "id") == 0) {
			if (!parse_ll(val, &num) || num <= 0 || num > 1000000) {
				snprintf(err, errsize, "bad id '%s'", val);
				free(val);
				goto bad;
			}
			o->id = (int)num;
			have_id = true;
		} else if (strcmp(key, "state") == 0) {
			have_state = access_state_parse(val, &o->state);
			if (!have_state) {
				snprintf(err, errsize, "unknown state '%s'", val);
				free(val);
				goto bad;
			}
		} else if (strcmp(key, "kind") == 0) {
			have_kind = access_kind_parse(val, &o->kind);
			if (!have_kind) {
				snprintf(err, errsize, "unknown kind '%s'", val);
				free(val);
				goto bad;
			}
		} else if (strcmp(key, "time") == 0 || strcmp(key, "opened") == 0) {
			if (!parse_ll(val, &num)) {
				snprintf(err, errsize, "bad %s '%s'", key, val);
				free(val);
				goto bad;
			}
			*(key[0] == 't' ? &o->time : &o->opened) = num;
		} else if (strcmp(key, "host") == 0) slot = &o->host;
		else if (strcmp(key, "path") == 0) slot = &o->path;
		else if (strcmp(key, "cidr") == 0) slot = &o->cidr;
		else if (strcmp(key, "what") == 0) slot = &o->what;
		else if (strcmp(key, "sha_before") == 0) slot = &o->sha_before;
		else if (strcmp(key, "sha_after") == 0) slot = &o->sha_after;
		else if (strcmp(key, "note") == 0) slot = &o->note;
		/* unknown keys are kept for newer versions: ignored here */
		if (slot) {
			free(*slot);
			*slot = val;
		} else {
			free(val);
		}
		p += n;
	}
	if (!have_id || !have_state || !have_kind) {
		snprintf(err, errsize, "missing %s", !have_id ? "id" : !have_state ? "state" : "kind");
		goto bad;
	}
	return true;
bad:
	access_opening_done(o);
	return false;
}

void access_opening_done(struct access_opening *o)
{
	free(o->host);
	free(o->path);
	free(o->cidr);
	free(o->what);
	free(o->sha_before);
	free(o->sha_after);
	free(o->note);
	memset(o, 0, sizeof *o);
}

/* --- the ledger --- */

void access_ledger_init(struct access_ledger *l)
{
	l->v = NULL;
	l->n = 0;
}

void access_ledger_done(struct access_ledger *l)
{
	for (size_t i = 0; i < l->n; i++)
		access_opening_done(&l->v[i]);
	free(l->v);
	access_ledger_init(l);
}

struct access_opening *access_ledger_find(struct access_ledger *l, int id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}

int access_ledger_next_id(const struct access_ledger *l)
{
	int max = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id > max)
			max = l->v[i].id;
	return max + 1;
}

size_t access_ledger_outstanding(const struct access_ledger *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += access_outstanding(&l->v[i]);
	return n;
}

/* (src may be *dst itself: the caller passed a copy of a ledger entry) */
static void take(char **dst, const char *src)
{
	if (src) {
		char *v = xstrdup(src);
		free(*dst);
		*dst = v;
	}
}

bool access_ledger_apply(struct access_ledger *l, const struct access_opening *ev, char *err, size_t errsize)
{
	struct access_opening *o = access_ledger_find(l, ev->id);
	if (!o) {
		if (ev->state != ACCESS_INTENT) {
			snprintf(err, errsize, "opening %d starts as %s, not intent", ev->id, state_names[ev->state]);
			return false;
		}
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		o = &l->v[l->n++];
		memset(o, 0, sizeof *o);
		o->id = ev->id;
		o->kind = ev->kind;
		o->state = ACCESS_INTENT;
	} else if (o->kind != ev->kind) {
		snprintf(err, errsize, "opening %d changes kind from %s to %s", ev->id,
			 kind_names[o->kind], kind_names[ev->kind]);
		return false;
	} else if (!access_transition_ok(o->state, ev->state)) {
		snprintf(err, errsize, "opening %d cannot go from %s to %s", ev->id,
			 state_names[o->state], state_names[ev->state]);
		return false;
	}
	o->state = ev->state;
	o->time = ev->time;
	if (ev->opened)
		o->opened = ev->opened;
	take(&o->host, ev->host);
	take(&o->path, ev->path);
	take(&o->cidr, ev->cidr);
	take(&o->what, ev->what);
	take(&o->sha_before, ev->sha_before);
	take(&o->sha_after, ev->sha_after);
	char *note = xstrdup(ev->note);
	free(o->note);
	o->note = note;
	return true;
}

bool access_ledger_parse(struct access_ledger *l, const char *text, const char *file)
{
	int lineno = 0;
	const char *p = text;
	while (*p) {
		lineno++;
		const char *nl = strchr(p, '\n');
		if (!nl) {
			log_warn("%s:%d: ignoring an incomplete last line (a write cut short by a crash)",
				 file, lineno);
			break;
		}
		char *line = xstrndup(p, (size_t)(nl - p));
		p = nl + 1;
		if (!*line || line[0] == '#') {
			free(line);
			continue;
		}
		struct access_opening ev;
		char err[200];
		bool ok = access_event_parse(line, &ev, err, sizeof err) &&
			  access_ledger_apply(l, &ev, err, sizeof err);
		access_opening_done(&ev);
		free(line);
		if (!ok) {
			log_error("%s:%d: %s", file, lineno, err);
			return false;
		}
	}
	return true;
}

bool access_ledger_load(struct access_ledger *l, const struct journal *j)
{
	access_ledger_init(l);
	char *text = NULL;
	if (!journal_read(j, "ledger", &text, NULL))
		return errno == ENOENT;
	char *path = journal_path(j, "ledger");
	bool ok = access_ledger_parse(l, text, path);
	free(path);
	free(text);
	return ok;
}

bool access_record(const struct journal *j, struct access_ledger *l, struct access_opening *o,
		   enum access_state state, const char *note)
{
	if (o->id == 0 || !access_ledger_find(l, o->id)) {
		if (o->id == 0)
			o->id = access_ledger_next_id(l);
		o->state = ACCESS_INTENT;
		if (state != ACCESS_INTENT) {
			log_error("internal: a new opening must be recorded as intent first");
			return false;
		}
	} else if (!access_transition_ok(o->state, state)) {
		log_error("opening %d is %s; it cannot become %s", o->id, state_names[o->state],
			  state_names[state]);
		return false;
	}
	struct access_opening ev = *o;
	ev.state = state;
	ev.time = (long long)time(NULL);
	if (state == ACCESS_DONE && !ev.opened)
		ev.opened = ev.time;
	ev.note = (char *)note;
	char *line = access_event_format(&ev);
	bool ok = journal_append_line(j, "ledger", line);
	free(line);
	if (!ok)
		return false;
	char err[200];
	if (!access_ledger_apply(l, &ev, err, sizeof err)) {
		log_error("ledger: %s", err);
		return false;
	}
	o->state = state;
	o->time = ev.time;
	o->opened = ev.opened;
	return true;
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
		strbuf_printf(out,
			"In the AnalyticDB for PostgreSQL console: instance %s > Data Security > Whitelist\n"
			"Settings: delete the group %s (or remove %s from the group you used).\n",
			o->host ? o->host : "(the destination)", o->what, o->cidr);
		break;
	case ACCESS_PRIVILEGE:
		strbuf_printf(out, "Ask Alibaba Cloud support to revoke: %s.\n", o->what);
		break;
	case ACCESS_PG_HBA:
		strbuf_printf(out, "gp2adb restores %s on %s to its original bytes and reloads the server.\n",
			      o->path, o->host);
		break;
	}
}

/* --- what the commands and the wizard call --- */

bool access_list(const struct plan *p, struct access_ledger *out)
{
	struct journal j;
	access_ledger_init(out);
	if (!journal_open(&j, p, false))
		return false;
	bool ok = access_ledger_load(out, &j);
	journal_close(&j);
	return ok;
}

bool access_ledger_begin(const struct plan *p, struct journal *j, struct access_ledger *l)
{
	access_ledger_init(l);
	if (!journal_open(j, p, true))
		return false;
	if (journal_lock(j, "ledger.lock", ACCESS_LOCK_WAIT_S) && access_ledger_load(l, j))
		return true;
	access_ledger_done(l);
	journal_close(j);
	return false;
}

bool access_record_operator(const struct plan *p, enum access_kind kind, const char *cidr,
			    const char *what, int *id)
{
	struct journal j;
	struct access_ledger l;
	if (!access_ledger_begin(p, &j, &l))
		return false;
	bool ok = true;
	struct access_opening o = { 0 };
	o.kind = kind;
	o.host = p->destination.host;
	o.cidr = (char *)cidr;
	o.what = (char *)what;
	ok = ok && access_record(&j, &l, &o, ACCESS_INTENT, NULL) &&
	     access_record(&j, &l, &o, ACCESS_DONE, "made by the operator");
	if (ok && id)
		*id = o.id;
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
		log_error("no opening #%d in the ledger of migration %s", id, j.id);
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
		fprintf(stderr, "gp2adb: GP2ADB_CRASH_AT=%s: aborting here on purpose\n", name);
		abort();
	}
}
