#include "gpcopy.h"
#include "mem.h"
#include "ssh.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gpcopy_jobs(int wanted, int src_free, int dst_free, bool *capped)
{
	int jobs = wanted < 1 ? 1 : wanted;
	*capped = false;
	const int free_slots[2] = { src_free, dst_free };
	for (int i = 0; i < 2; i++) {
		if (free_slots[i] < 0)
			continue;
		int fit = (free_slots[i] - 1) / 2;      /* 2n+1 <= free */
		if (fit < jobs) {
			jobs = fit;
			*capped = true;
		}
	}
	return jobs < 1 ? 1 : jobs;
}

static const char FREE_CONNECTIONS_SQL[] =
	"SELECT current_setting('max_connections')::int\n"
	"     - current_setting('superuser_reserved_connections')::int\n"
	"     - (SELECT count(*) FROM pg_stat_activity)::int";

bool gpcopy_free_connections(PGconn *conn, int *free_slots, struct db_error *err)
{
	PGresult *r = db_query(conn, FREE_CONNECTIONS_SQL, 0, NULL, err);
	if (!r)
		return false;
	*free_slots = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return true;
}

static char **push_int(char **v, const char *flag, int n)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%d", n);
	v = strv_push(v, flag);
	return strv_push(v, buf);
}

static char **push_opt(char **v, const char *flag, const char *value)
{
	if (!value || !*value)
		return v;
	v = strv_push(v, flag);
	return strv_push(v, value);
}

char **gpcopy_argv(const char *gpcopy, const struct gpcopy_target *t)
{
	static const char *const modes[] = {
		[MODE_TRUNCATE] = "--truncate", [MODE_APPEND] = "--append",
		[MODE_SKIP_EXISTING] = "--skip-existing", [MODE_DROP] = "--drop",
	};
	char **v = strv_push(NULL, gpcopy);
	if (t->full) {
		v = strv_push(v, "--full");
	} else if (t->table_file) {
		v = push_opt(v, "--include-table-file", t->table_file);
	} else {
		v = push_opt(v, "--dbname", t->source_db);
		if (t->dest_db && t->source_db && strcmp(t->dest_db, t->source_db) != 0)
			v = push_opt(v, "--dest-dbname", t->dest_db);
	}
	v = strv_push(v, modes[t->mode]);
	v = push_int(v, "--jobs", t->jobs);
	v = push_opt(v, "--validate", "count");
	v = push_opt(v, "--source-host", t->source_host);
	if (t->source_port > 0)
		v = push_int(v, "--source-port", t->source_port);
	v = push_opt(v, "--source-user", t->source_user);
	v = push_opt(v, "--dest-host", t->dest_host);
	if (t->dest_port > 0)
		v = push_int(v, "--dest-port", t->dest_port);
	v = push_opt(v, "--dest-user", t->dest_user);
	return v;
}

static bool shell_plain(const char *s)
{
	if (!*s)
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-_./=:,@%+", *c))
			return false;
	return true;
}

char *gpcopy_command_text(char *const *argv, const char *raw)
{
	struct strbuf sb;
	strbuf_init(&sb);
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			strbuf_puts(&sb, " ");
		if ((raw && strcmp(argv[i], raw) == 0) || shell_plain(argv[i])) {
			strbuf_puts(&sb, argv[i]);
		} else {
			char *q = ssh_shell_quote(argv[i]);
			strbuf_puts(&sb, q);
			free(q);
		}
	}
	return strbuf_finish(&sb);
}

/* ---- log lines ---- */

/* "YYYYMMDD:HH:MM:SS <program>...-[LEVEL]:-" (reference/greenplum.md 1.6:
 * ^\d{8}:[\d:]+\s+\S+-\[[A-Z]+\]:-); the message after it, or NULL. */
static const char *log_prefix(const char *s, char *level, size_t levelsize)
{
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return NULL;
	const char *p = s + 8;
	if (*p != ':')
		return NULL;
	while (*p == ':' || isdigit((unsigned char)*p))
		p++;
	if (!isspace((unsigned char)*p))
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	const char *open = strstr(p, "-[");
	if (!open || memchr(p, ' ', (size_t)(open - p)))
		return NULL;
	const char *lv = open + 2, *close = strchr(lv, ']');
	if (!close || close == lv || strncmp(close, "]:-", 3) != 0)
		return NULL;
	for (const char *c = lv; c < close; c++)
		if (!isupper((unsigned char)*c))
			return NULL;
	snprintf(level, levelsize, "%.*s", (int)(close - lv), lv);
	return close + 3;
}

/* One name part at *p: "quoted ""like"" this" or plain; false when none. */
static bool name_part(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	if (*s == '"') {
		s++;
		for (;;) {
			if (!*s)
				return false;
			if (*s == '"') {
				if (s[1] != '"')
					break;
				s++;
			}
			if (n + 1 < size)
				out[n++] = *s;
			s++;
		}
		s++;
	} else {
		while (*s && *s != '.' && *s != ' ' && *s != '"') {
			if (n + 1 < size)
				out[n++] = *s;
			s++;
		}
		if (n == 0)
			return false;
	}
	out[n] = '\0';
	*p = s;
	return true;
}

/* "db"."schema"."table" at s into the line's name fields. */
static bool parse_name(const char *s, struct gpcopy_line *l)
{
	char *parts[3] = { l->db, l->schema, l->table };
	for (int i = 0; i < 3; i++) {
		if (i > 0) {
			if (*s != '.')
				return false;
			s++;
		}
		if (!name_part(&s, parts[i], sizeof l->db))
			return false;
	}
	return true;
}

static bool after(const char *msg, const char *marker, const char **rest)
{
	const char *at = strstr(msg, marker);
	if (!at)
		return false;
	*rest = at + strlen(marker);
	return true;
}

void gpcopy_parse_line(const char *text, struct gpcopy_line *l)
{
	memset(l, 0, sizeof *l);
	l->worker = -1;
	const char *msg = log_prefix(text, l->level, sizeof l->level);
	l->logline = msg != NULL;
	if (!msg) {
		snprintf(l->message, sizeof l->message, "%s", text);
		return;
	}
	int w, used = 0;
	if (sscanf(msg, "[Worker %d]%n", &w, &used) == 1 && used > 0) {
		l->worker = w;
		msg += used;
		while (*msg == ' ')
			msg++;
	}
	snprintf(l->message, sizeof l->message, "%s", msg);
	const char *rest;
	if (l->worker >= 0) {
		if (after(msg, "Start copying table ", &rest) && parse_name(rest, l))
			l->kind = GPCOPY_LINE_START;
		else if (after(msg, "Finished copying table ", &rest) && parse_name(rest, l))
			l->kind = GPCOPY_LINE_FINISH;
		else if (after(msg, "Failed to copy table ", &rest) && parse_name(rest, l))
			l->kind = GPCOPY_LINE_FAIL;
		else if (strncmp(msg, "Finished task ", 14) == 0 && strstr(msg, " with error: "))
			l->kind = GPCOPY_LINE_TASK_ERROR;
		return;
	}
	while (*msg == '\t' || *msg == ' ')
		msg++;
	char db[128];
	int copied, skipped, failed;
	if (sscanf(msg, "Database %127[^:]: successfully copied %d tables, skipped %d tables, failed %d tables",
		   db, &copied, &skipped, &failed) == 4) {
		l->kind = GPCOPY_LINE_SUMMARY;
		snprintf(l->summary_db, sizeof l->summary_db, "%s", db);
		l->copied = copied;
		l->skipped = skipped;
		l->failed = failed;
	} else if (strncmp(msg, "gpcopy ", 7) == 0) {
		l->kind = GPCOPY_LINE_RETRY;
		snprintf(l->message, sizeof l->message, "%s", msg);
	} else if (strcmp(l->level, "ERROR") == 0 || strcmp(l->level, "CRITICAL") == 0) {
		l->kind = GPCOPY_LINE_DETAIL;
	}
}

void gpcopy_error_text(const char *message, char *out, size_t size)
{
	const char *m = message;
	const char *with = strstr(m, " with error: ");
	if (with)
		m = with + 13;
	while (*m == ' ')
		m++;
	if (strncmp(m, "ERROR:", 6) == 0)
		m += 6;
	while (*m == ' ')
		m++;
	const char *st = strstr(m, "(SQLSTATE ");
	if (st && strlen(st) >= 16 && st[15] == ')') {
		size_t n = (size_t)(st - m);
		while (n > 0 && m[n - 1] == ' ')
			n--;
		snprintf(out, size, "%.5s: %.*s", st + 10, (int)n, m);
		return;
	}
	snprintf(out, size, "%s", m);
}
