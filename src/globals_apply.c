/* globals_apply: applying the source's roles, memberships and resource
 * queues/groups on the destination, as its account can. */
#include "globals.h"
#include "db.h"
#include "journal.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct apply {
	PGconn *dst;
	int dst_version;
	char **existing;        /* roles on the destination before this run */
	char **managed;         /* roles gp2adb created (this run or an earlier one) */
	const char *created_file;
	struct global_report *r;
};

static bool in(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static struct global_result *result_for(struct apply *a, const char *name, const char *what)
{
	for (size_t i = 0; i < a->r->n; i++)
		if (strcmp(a->r->v[i].role, name) == 0 && strcmp(a->r->v[i].what, what) == 0)
			return &a->r->v[i];
	a->r->v = xrealloc(a->r->v, (a->r->n + 1) * sizeof *a->r->v);
	struct global_result *g = &a->r->v[a->r->n++];
	memset(g, 0, sizeof *g);
	g->role = xstrdup(name);
	g->what = xstrdup(what);
	g->outcome = GLOBAL_CREATED;
	return g;
}

static void note(struct global_result *g, enum global_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct global_result *g, enum global_outcome o, const char *fmt, ...)
{
	char text[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (o > g->outcome)
		g->outcome = o;
	char *joined = g->note ? xasprintf("%s; %s", g->note, text) : xstrdup(text);
	free(g->note);
	g->note = joined;
}

static bool load_roles(PGconn *dst, char ***out)
{
	struct db_error err;
	PGresult *r = db_query(dst, "SELECT rolname FROM pg_roles", 0, NULL, &err);
	if (!r) {
		log_error("destination: listing roles: %s: %s", err.sqlstate, err.message);
		return false;
	}
	for (int i = 0; i < PQntuples(r); i++)
		*out = strv_push(*out, PQgetvalue(r, i, 0));
	PQclear(r);
	return true;
}

/* The roles gp2adb created: one name a line, %-escaped ('%', newline). */
static char **load_created(const char *path)
{
	char **v = NULL, *text = NULL;
	size_t len;
	if (!journal_slurp(path, &text, &len))
		return NULL;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *w = line;
		for (char *c = line; *c; c++) {
			unsigned x;
			if (*c == '%' && sscanf(c + 1, "%2x", &x) == 1) {
				*w++ = (char)x;
				c += 2;
			} else {
				*w++ = *c;
			}
		}
		*w = '\0';
		if (*line)
			v = strv_push(v, line);
	}
	free(text);
	return v;
}

static bool remember_created(const char *path, const char *role)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (const char *c = role; *c; c++) {
		if (*c == '%' || *c == '\n' || *c == '\r')
			strbuf_printf(&sb, "%%%02x", (unsigned char)*c);
		else
			strbuf_putc(&sb, *c);
	}
	strbuf_putc(&sb, '\n');
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	bool ok = fd >= 0 && write(fd, sb.data, sb.len) == (ssize_t)sb.len && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		log_error("cannot record the created role in %s: %s", path, strerror(errno));
	strbuf_done(&sb);
	return ok;
}

/* Run one statement; false with err (the connection lost: *lost). */
static bool run(struct apply *a, const char *sql, struct db_error *err, bool *lost)
{
	bool ok = db_exec(a->dst, sql, err);
	*lost = !ok && PQstatus(a->dst) == CONNECTION_BAD;
	return ok;
}

/* A SCRAM hash means nothing to a server before PostgreSQL 10 (Greenplum 6,
 * ADB 6): it would become the password itself.  Drop the PASSWORD clause. */
static char *without_unreadable_password(struct apply *a, const char *sql, bool *dropped)
{
	*dropped = false;
	const char *p = strstr(sql, "'SCRAM-SHA-256$");
	if (!p || a->dst_version >= 100000)
		return xstrdup(sql);
	const char *kw = p;
	while (kw > sql && strncasecmp(kw, "PASSWORD", 8) != 0)
		kw--;
	const char *end = strchr(p + 1, '\'');
	if (kw == sql || !end)
		return xstrdup(sql);
	*dropped = true;
	return xasprintf("%.*s%s", (int)(kw - sql), sql, end + 1);
}

static bool apply_role_statement(struct apply *a, const struct global_item *it)
{
	struct db_error err;
	bool lost = false;
	const char *role = it->role ? it->role : "?";
	struct global_result *g = result_for(a, role, "role");
	if (in(a->existing, role) && !in(a->managed, role)) {
		if (it->kind == GLOBAL_ROLE)
			note(g, GLOBAL_EXISTED, "exists on the destination: left as it is");
		return true;
	}
	if (it->kind == GLOBAL_ROLE) {
		if (in(a->managed, role)) {
			note(g, GLOBAL_CREATED, "by an earlier run");
			return true;
		}
		if (run(a, it->sql, &err, &lost)) {
			a->managed = strv_push(a->managed, role);
			return remember_created(a->created_file, role);
		}
		note(g, GLOBAL_FAILED, "%s: %s", err.sqlstate, err.message);
		a->r->statements_failed++;
		return !lost;
	}
	bool pw_dropped = false;
	char *sql = without_unreadable_password(a, it->sql, &pw_dropped);
	if (pw_dropped)
		note(g, GLOBAL_ADJUSTED, "password not migrated: the source stores a SCRAM-SHA-256 hash, which "
		     "this destination cannot read; set it again with ALTER ROLE ... PASSWORD");
	bool ok = run(a, sql, &err, &lost);
	if (!ok && !lost && it->kind == GLOBAL_ROLE_ATTRS) {
		char *dropped = NULL;
		char *stripped = globals_strip_attrs(sql, &dropped);
		if (strcmp(stripped, sql) != 0 && run(a, stripped, &err, &lost) && (ok = true) && dropped[0]) {
			note(g, GLOBAL_ADJUSTED, "without %s: the destination account cannot grant %s (ADB gives no "
			     "superuser; grant the role the privileges it needs instead, or ask Alibaba Cloud support)",
			     dropped, strchr(dropped, ',') ? "them" : "it");
		}
		free(stripped);
		free(dropped);
	}
	if (!ok && !lost) {
		note(g, GLOBAL_FAILED, "%s%s%s", err.sqlstate, err.sqlstate[0] ? ": " : "", err.message);
		a->r->statements_failed++;
	}
	mem_wipe_free(sql);
	return !lost;
}

static bool apply_membership(struct apply *a, const struct global_item *it)
{
	struct db_error err;
	bool lost = false;
	if (run(a, it->sql, &err, &lost))
		return true;
	/* GRANTED BY another role needs that role or a superuser: grant as ourselves */
	const char *by = strcasestr(it->sql, " GRANTED BY ");
	if (!lost && by) {
		char *sql = xasprintf("%.*s", (int)(by - it->sql), it->sql);
		bool ok = run(a, sql, &err, &lost);
		free(sql);
		if (ok)
			return true;
	}
	if (!lost) {
		char *shown = globals_masked(it->sql);
		struct global_result *g = result_for(a, it->role ? it->role : "?", "role");
		note(g, GLOBAL_FAILED, "%s failed: %s: %s", shown, err.sqlstate, err.message);
		free(shown);
		a->r->statements_failed++;
	}
	return !lost;
}

static bool apply_resource(struct apply *a, const struct global_item *it)
{
	struct db_error err;
	bool lost = false;
	if (run(a, it->sql, &err, &lost) || lost)
		return !lost;
	const char *what = strcasestr(it->sql, "RESOURCE GROUP") ? "resource group" : "resource queue";
	bool on_role = strncasecmp(it->sql, "ALTER ROLE", 10) == 0;
	struct global_result *g = result_for(a, it->role ? it->role : "?", on_role ? "role" : what);
	if (strcmp(err.sqlstate, "42501") == 0 || strcmp(err.sqlstate, "0A000") == 0)
		note(g, GLOBAL_ADJUSTED, "%s not %s: %s (the destination manages workloads itself: set up "
		     "resource groups in the ADB console, or ask Alibaba Cloud support)", what,
		     on_role ? "assigned" : "created", err.message);
	else
		note(g, GLOBAL_FAILED, "%s: %s: %s", what, err.sqlstate, err.message);
	return true;
}

bool globals_apply(PGconn *dst, const struct global_items *items, const char *created_file,
		   struct global_report *report)
{
	memset(report, 0, sizeof *report);
	struct apply a = { .dst = dst, .dst_version = PQserverVersion(dst), .created_file = created_file,
			   .r = report };
	if (!load_roles(dst, &a.existing))
		return false;
	a.managed = load_created(created_file);
	bool ok = true;
	for (size_t i = 0; ok && i < items->n; i++) {
		const struct global_item *it = &items->v[i];
		switch (it->kind) {
		case GLOBAL_SESSION:
			(void)db_exec(dst, it->sql, NULL);
			break;
		case GLOBAL_ROLE:
		case GLOBAL_ROLE_ATTRS:
		case GLOBAL_ROLE_SETTING:
		case GLOBAL_COMMENT:
			ok = apply_role_statement(&a, it);
			break;
		case GLOBAL_MEMBERSHIP:
			ok = apply_membership(&a, it);
			break;
		case GLOBAL_RESOURCE:
			ok = apply_resource(&a, it);
			break;
		case GLOBAL_TABLESPACE:
			note(result_for(&a, it->role ? it->role : "?", "tablespace"), GLOBAL_ADJUSTED,
			     "not migrated: ADB has no user tablespaces; its tables go to the default");
			break;
		case GLOBAL_OTHER: {
			struct db_error err;
			bool lost = false;
			if (!run(&a, it->sql, &err, &lost) && !lost) {
				log_warn("globals, line %d: %s: %s", it->line, err.sqlstate, err.message);
				report->statements_failed++;
			}
			ok = !lost;
			break;
		}
		}
	}
	for (size_t i = 0; i < report->n; i++) {
		switch (report->v[i].outcome) {
		case GLOBAL_CREATED: report->created++; break;
		case GLOBAL_EXISTED: report->existed++; break;
		case GLOBAL_ADJUSTED: report->adjusted++; break;
		case GLOBAL_FAILED: report->failed++; break;
		}
	}
	strv_free(a.existing);
	strv_free(a.managed);
	return ok;
}

void globals_report_free(struct global_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].role);
		free(r->v[i].what);
		free(r->v[i].note);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
