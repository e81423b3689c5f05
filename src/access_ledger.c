/* access: the ledger's lines, how they are read back whatever a crash left
 * of them, and where the ledger lives (one per state directory). */
#include "access.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The fields a line carries besides id, state, time, kind, by and opened. */
struct field {
	const char *key;
	size_t off;
};
#define F(name) { #name, offsetof(struct access_opening, name) }
static const struct field str_fields[] = {
	F(migration), F(origin), F(host), F(ssh_user), F(path), F(target), F(data_dir), F(socket_dir),
	F(db_user), F(db_name), F(gphome), F(backup), F(instance), F(region), F(cidr), F(what),
	F(sha_before), F(sha_after), F(note),
};
static const struct field int_fields[] = { F(ssh_port), F(db_port), F(server_num) };
#undef F
#define NSTR (sizeof str_fields / sizeof str_fields[0])
#define NINT (sizeof int_fields / sizeof int_fields[0])
#define STR(o, f) ((char **)((char *)(o) + (f)->off))
#define INT(o, f) ((int *)((char *)(o) + (f)->off))

/* --- one line --- */

/* FNV-1a, 64 bits: enough to tell a whole line from a torn or garbled one. */
static uint64_t line_sum(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

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
	strbuf_printf(&sb, "v2 id=%d state=%s time=%lld kind=%s by=%s", o->id, access_state_name(o->state),
		      o->time, access_kind_name(o->kind), o->by_gp2adb ? "gp2adb" : "operator");
	if (o->opened)
		strbuf_printf(&sb, " opened=%lld", o->opened);
	for (size_t i = 0; i < NINT; i++)
		if (*INT(o, &int_fields[i]))
			strbuf_printf(&sb, " %s=%d", int_fields[i].key, *INT(o, &int_fields[i]));
	for (size_t i = 0; i < NSTR; i++)
		put_value(&sb, str_fields[i].key, *STR(o, &str_fields[i]));
	strbuf_printf(&sb, " sum=%016llx", (unsigned long long)line_sum(sb.data, sb.len));
	return strbuf_finish(&sb);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* %-unescape s[0..n); false on a bad escape or an escaped NUL. */
static char *unescape(const char *s, size_t n, bool *ok)
{
	char *out = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[k++] = s[i];
			continue;
		}
		int a = i + 2 < n ? hexval(s[i + 1]) : -1, b = i + 2 < n ? hexval(s[i + 2]) : -1;
		if (a < 0 || b < 0 || a * 16 + b == 0) {
			*ok = false;
			break;
		}
		out[k++] = (char)(a * 16 + b);
		i += 2;
	}
	out[k] = '\0';
	return out;
}

static bool parse_ll(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* One key=value into o; false with err set. */
static bool parse_field(struct access_opening *o, const char *key, char *val, bool *have_id, bool *have_state,
			bool *have_kind, bool *have_by, char *err, size_t errsize)
{
	long long num;
	if (strcmp(key, "id") == 0) {
		if (!parse_ll(val, 1, 1000000, &num)) {
			snprintf(err, errsize, "bad id '%.40s'", val);
			return false;
		}
		o->id = (int)num;
		return *have_id = true;
	}
	if (strcmp(key, "state") == 0) {
		if (!(*have_state = access_state_parse(val, &o->state)))
			snprintf(err, errsize, "unknown state '%.40s'", val);
		return *have_state;
	}
	if (strcmp(key, "kind") == 0) {
		if (!(*have_kind = access_kind_parse(val, &o->kind)))
			snprintf(err, errsize, "unknown kind '%.40s'", val);
		return *have_kind;
	}
	if (strcmp(key, "by") == 0) {
		if (strcmp(val, "gp2adb") != 0 && strcmp(val, "operator") != 0) {
			snprintf(err, errsize, "unknown maker '%.40s'", val);
			return false;
		}
		o->by_gp2adb = val[0] == 'g';
		return *have_by = true;
	}
	if (strcmp(key, "time") == 0 || strcmp(key, "opened") == 0) {
		if (!parse_ll(val, 0, 1LL << 40, &num)) {
			snprintf(err, errsize, "bad %s '%.40s'", key, val);
			return false;
		}
		*(key[0] == 't' ? &o->time : &o->opened) = num;
		return true;
	}
	for (size_t i = 0; i < NINT; i++)
		if (strcmp(key, int_fields[i].key) == 0) {
			if (!parse_ll(val, 0, 100000000, &num)) {
				snprintf(err, errsize, "bad %s '%.40s'", key, val);
				return false;
			}
			*INT(o, &int_fields[i]) = (int)num;
			return true;
		}
	for (size_t i = 0; i < NSTR; i++)
		if (strcmp(key, str_fields[i].key) == 0) {
			char **slot = STR(o, &str_fields[i]);
			free(*slot);
			*slot = xstrdup(val);
			return true;
		}
	return true;        /* a newer version's key: ignored */
}

bool access_event_parse(const char *line, struct access_opening *o, char *err, size_t errsize)
{
	memset(o, 0, sizeof *o);
	int version = strncmp(line, "v2 ", 3) == 0 ? 2 : strncmp(line, "v1 ", 3) == 0 ? 1 : 0;
	if (!version) {
		snprintf(err, errsize, "not a gp2adb ledger line (expected \"v2 ...\")");
		return false;
	}
	size_t len = strlen(line);
	if (version == 2) {
		/* values are escaped: the last " sum=" is the checksum's */
		const char *sum = NULL;
		for (const char *s = strstr(line, " sum="); s; s = strstr(s + 1, " sum="))
			sum = s;
		char want[17];
		if (sum)
			snprintf(want, sizeof want, "%016llx", (unsigned long long)line_sum(line, (size_t)(sum - line)));
		if (!sum || strlen(sum + 5) != 16 || strcmp(sum + 5, want) != 0) {
			snprintf(err, errsize, "%s", sum ? "checksum mismatch (a damaged line)"
						 : "no checksum (a line cut short)");
			return false;
		}
		len = (size_t)(sum - line);
	}
	bool have_id = false, have_state = false, have_kind = false, have_by = false;
	const char *p = line + 3, *stop = line + len;
	while (p < stop) {
		while (p < stop && *p == ' ')
			p++;
		if (p >= stop)
			break;
		const char *end = memchr(p, ' ', (size_t)(stop - p));
		size_t n = end ? (size_t)(end - p) : (size_t)(stop - p);
		const char *eq = memchr(p, '=', n);
		if (!eq) {
			snprintf(err, errsize, "field without '=': %.*s", (int)(n > 40 ? 40 : n), p);
			goto bad;
		}
		char key[24];
		size_t kl = (size_t)(eq - p);
		snprintf(key, sizeof key, "%.*s", (int)(kl < sizeof key ? kl : 0), p);
		bool ok = true;
		char *val = unescape(eq + 1, n - kl - 1, &ok);
		if (!ok) {
			snprintf(err, errsize, "bad %%-escape in %s", key);
			free(val);
			goto bad;
		}
		ok = !key[0] || parse_field(o, key, val, &have_id, &have_state, &have_kind, &have_by, err, errsize);
		free(val);
		if (!ok)
			goto bad;
		p += n;
	}
	if (!have_id || !have_state || !have_kind) {
		snprintf(err, errsize, "missing %s", !have_id ? "id" : !have_state ? "state" : "kind");
		goto bad;
	}
	if (!have_by)       /* older ledgers: gp2adb made the pg_hba openings only */
		o->by_gp2adb = o->kind == ACCESS_PG_HBA;
	return true;
bad:
	access_opening_done(o);
	return false;
}

void access_opening_done(struct access_opening *o)
{
	for (size_t i = 0; i < NSTR; i++)
		free(*STR(o, &str_fields[i]));
	memset(o, 0, sizeof *o);
}

void access_opening_copy(struct access_opening *dst, const struct access_opening *src)
{
	*dst = *src;
	for (size_t i = 0; i < NSTR; i++) {
		char **slot = STR(dst, &str_fields[i]);
		*slot = *slot ? xstrdup(*slot) : NULL;
	}
}

/* --- the ledger in memory --- */

void access_ledger_init(struct access_ledger *l)
{
	memset(l, 0, sizeof *l);
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

static struct access_opening *add_opening(struct access_ledger *l, const struct access_opening *ev)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	struct access_opening *o = &l->v[l->n++];
	memset(o, 0, sizeof *o);
	o->id = ev->id;
	o->kind = ev->kind;
	o->by_gp2adb = ev->by_gp2adb;
	return o;
}

/* Each event carries the whole opening: what it holds replaces what was known. */
static void merge(struct access_opening *o, const struct access_opening *ev)
{
	o->state = ev->state;
	o->time = ev->time;
	o->by_gp2adb = ev->by_gp2adb;
	if (ev->opened)
		o->opened = ev->opened;
	for (size_t i = 0; i < NINT; i++)
		if (*INT(ev, &int_fields[i]))
			*INT(o, &int_fields[i]) = *INT(ev, &int_fields[i]);
	for (size_t i = 0; i < NSTR; i++) {
		const struct field *f = &str_fields[i];
		const char *v = *STR(ev, f);
		if (!v && strcmp(f->key, "note") != 0)   /* the note is the latest event's */
			continue;
		char *copy = v ? xstrdup(v) : NULL;     /* (ev may be a shallow copy of o) */
		free(*STR(o, f));
		*STR(o, f) = copy;
	}
}

bool access_ledger_apply(struct access_ledger *l, const struct access_opening *ev, char *err, size_t errsize)
{
	struct access_opening *o = access_ledger_find(l, ev->id);
	if (!o) {
		if (ev->state != ACCESS_INTENT) {
			snprintf(err, errsize, "opening %d starts as %s, not intent", ev->id,
				 access_state_name(ev->state));
			return false;
		}
		o = add_opening(l, ev);
		o->state = ACCESS_INTENT;
	} else if (o->kind != ev->kind) {
		snprintf(err, errsize, "opening %d changes kind from %s to %s", ev->id,
			 access_kind_name(o->kind), access_kind_name(ev->kind));
		return false;
	} else if (!access_transition_ok(o->state, ev->state)) {
		snprintf(err, errsize, "opening %d cannot go from %s to %s", ev->id,
			 access_state_name(o->state), access_state_name(ev->state));
		return false;
	}
	merge(o, ev);
	return true;
}

/* One line read back: applied, adopted (its earlier events are lost, but it
 * carries the whole opening: listing it is the safe side), or skipped. */
static void replay(struct access_ledger *l, const char *line, const char *file, int lineno)
{
	struct access_opening ev;
	char err[200];
	if (!access_event_parse(line, &ev, err, sizeof err)) {
		log_warn("%s:%d: skipping a damaged line: %s", file, lineno, err);
		l->damaged++;
		return;
	}
	if (!access_ledger_find(l, ev.id) && ev.state != ACCESS_INTENT) {
		log_warn("%s:%d: opening #%d has no earlier events (lost to damage?); listing it as %s",
			 file, lineno, ev.id, access_state_name(ev.state));
		merge(add_opening(l, &ev), &ev);
	} else if (!access_ledger_apply(l, &ev, err, sizeof err)) {
		log_warn("%s:%d: skipping an impossible event: %s", file, lineno, err);
		l->damaged++;
	}
	access_opening_done(&ev);
}

bool access_ledger_parse_bytes(struct access_ledger *l, const char *data, size_t len, const char *file)
{
	size_t before = l->damaged;
	int lineno = 0;
	size_t at = 0;
	while (at < len) {
		lineno++;
		const char *start = data + at;
		const char *nl = memchr(start, '\n', len - at);
		size_t n = nl ? (size_t)(nl - start) : len - at;
		at += n + (nl ? 1 : 0);
		if (memchr(start, '\0', n)) {
			size_t zeros = 0;
			while (zeros < n && start[zeros] == '\0')
				zeros++;
			log_warn("%s:%d: skipping %s", file, lineno, zeros == n
				 ? "a zero-filled stretch (left by a crash or a power loss)" : "a line holding NUL bytes");
			l->damaged++;
			continue;
		}
		char *line = xstrndup(start, n);
		if (!nl && strncmp(line, "v2 ", 3) != 0 && line[0] && line[0] != '#') {
			/* an older line without its end cannot be told whole */
			log_warn("%s:%d: ignoring an incomplete last line (a write cut short by a crash)", file, lineno);
			l->damaged++;
		} else if (line[0] && line[0] != '#') {
			replay(l, line, file, lineno);
		}
		free(line);
	}
	return l->damaged == before;
}

bool access_ledger_parse(struct access_ledger *l, const char *text, const char *file)
{
	return access_ledger_parse_bytes(l, text, strlen(text), file);
}

bool access_ledger_load(struct access_ledger *l, const struct journal *j)
{
	access_ledger_init(l);
	char *data = NULL;
	size_t len = 0;
	if (!journal_read(j, "ledger", &data, &len))
		return errno == ENOENT;
	char *path = journal_path(j, "ledger");
	access_ledger_parse_bytes(l, data, len, path);
	if (l->damaged)
		log_warn("%s: %zu damaged line%s skipped; every whole event was read", path, l->damaged,
			 l->damaged == 1 ? "" : "s");
	free(path);
	free(data);
	return true;
}

bool access_ledger_append(const struct journal *j, struct access_ledger *l, const struct access_opening *ev)
{
	char *line = access_event_format(ev);
	bool ok = journal_append_line(j, "ledger", line);
	free(line);
	if (!ok)
		return false;
	char err[200];
	if (!access_ledger_apply(l, ev, err, sizeof err)) {
		log_error("ledger: %s", err);
		return false;
	}
	return true;
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
		log_error("opening #%d is %s; it cannot become %s", o->id, access_state_name(o->state),
			  access_state_name(state));
		return false;
	}
	struct access_opening ev = *o;
	ev.state = state;
	ev.time = (long long)time(NULL);
	if (state == ACCESS_DONE && !ev.opened)
		ev.opened = ev.time;
	ev.note = (char *)note;
	if (!access_ledger_append(j, l, &ev))
		return false;
	o->state = state;
	o->time = ev.time;
	o->opened = ev.opened;
	return true;
}

/* --- where the ledger lives --- */

bool access_ledger_begin(const struct plan *p, struct journal *j, struct access_ledger *l)
{
	access_ledger_init(l);
	if (!journal_open_dir(j, p->state_dir, ACCESS_DIR, true))
		return false;
	bool pending = false;
	if (journal_lock(j, "ledger.lock", ACCESS_LOCK_WAIT_S) && access_ledger_load(l, j) &&
	    access_ledger_sync_older(p->state_dir, j, l, &pending))
		return true;
	access_ledger_done(l);
	journal_close(j);
	return false;
}

bool access_list(const struct plan *p, struct access_ledger *out)
{
	struct journal j;
	access_ledger_init(out);
	if (!journal_open_dir(&j, p->state_dir, ACCESS_DIR, false))
		return false;
	bool pending = false;
	bool ok = access_ledger_load(out, &j) && access_ledger_sync_older(p->state_dir, NULL, out, &pending);
	journal_close(&j);
	if (ok && pending) {
		/* an older ledger holds what this one lacks: copy it in, under the lock */
		access_ledger_done(out);
		ok = access_ledger_begin(p, &j, out);
		if (ok)
			journal_close(&j);
	}
	return ok;
}
