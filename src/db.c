#include "db.h"
#include "log.h"
#include "mem.h"
#include "session.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum db_retry db_classify(const char *sqlstate, bool conn_bad)
{
	if (conn_bad)
		return DB_RETRY_YES;
	if (!sqlstate || !sqlstate[0])
		return DB_RETRY_NO;
	static const char *const transient[] = {
		"57P01", /* admin_shutdown (pg_terminate_backend, fast shutdown) */
		"57P02", /* crash_shutdown */
		"57P03", /* cannot_connect_now */
		"40001", /* serialization_failure */
		"40P01", /* deadlock_detected */
		"53300", /* too_many_connections */
		"58M01", /* Greenplum gp_interconnection_error: a segment's backend or
			  * the interconnect failed ("MPP detected 1 segment failures,
			  * system is reconnected", "failed to acquire resources on one
			  * or more segments"); the session is reset */
	};
	if (strncmp(sqlstate, "08", 2) == 0)
		return DB_RETRY_YES;
	for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
		if (strcmp(sqlstate, transient[i]) == 0)
			return DB_RETRY_YES;
	return DB_RETRY_NO;
}

static void one_line(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
	size_t n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
	for (char *p = dst; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

void db_error_set(struct db_error *err, PGconn *conn, const PGresult *res)
{
	if (!err)
		return;
	memset(err, 0, sizeof *err);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	if (!msg && res)
		msg = PQresultErrorMessage(res);
	if ((!msg || !msg[0]) && conn)
		msg = PQerrorMessage(conn);
	snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state ? state : "");
	one_line(err->message, sizeof err->message, msg && msg[0] ? msg : "unknown error");
	/* a data error says where: "(COPY t, line 2, column c: ...)" */
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	if (state && strncmp(state, "22", 2) == 0 && context && context[0]) {
		size_t n = strlen(err->message), line = strcspn(context, "\n");
		snprintf(err->message + n, sizeof err->message - n, " (%.*s)", (int)(line < 160 ? line : 160), context);
	}
	one_line(err->detail, sizeof err->detail, detail);
	bool bad = conn && PQstatus(conn) == CONNECTION_BAD;
	err->retry = db_classify(err->sqlstate, bad);
}

const char *db_error_text(const struct db_error *err, char *buf, unsigned long size)
{
	if (err->sqlstate[0])
		snprintf(buf, size, "%s: %s", err->sqlstate, err->message);
	else
		snprintf(buf, size, "%s", err->message);
	return buf;
}

/* Keywords and values for PQconnectdbParams; values borrowed from ep. */
struct conn_params {
	const char *keys[16];
	const char *vals[16];
	int n;
	char port[16], timeout[16], appname[96];
};

static void params_add(struct conn_params *cp, const char *k, const char *v)
{
	if (!v || !v[0])
		return;
	cp->keys[cp->n] = k;
	cp->vals[cp->n] = v;
	cp->n++;
}

static void params_build(struct conn_params *cp, const struct endpoint *ep, const char *role,
			 bool with_password)
{
	memset(cp, 0, sizeof *cp);
	params_add(cp, "host", ep->host);
	if (ep->port > 0) {
		snprintf(cp->port, sizeof cp->port, "%d", ep->port);
		params_add(cp, "port", cp->port);
	}
	params_add(cp, "user", ep->user);
	params_add(cp, "dbname", ep->dbname);
	if (with_password)
		params_add(cp, "password", ep->password);
	else if (ep->password)
		params_add(cp, "password", "****");
	params_add(cp, "sslmode", ep->sslmode);
	snprintf(cp->timeout, sizeof cp->timeout, "%d", ep->connect_timeout > 0 ? ep->connect_timeout : 10);
	params_add(cp, "connect_timeout", cp->timeout);
	params_add(cp, "keepalives", "1");
	params_add(cp, "keepalives_idle", "30");
	params_add(cp, "keepalives_interval", "10");
	params_add(cp, "keepalives_count", "3");
	/* covers a peer that vanishes while we send (a stalled COPY FROM) */
	params_add(cp, "tcp_user_timeout", "120000");
	snprintf(cp->appname, sizeof cp->appname, "gp2adb%s%s", role ? "-" : "", role ? role : "");
	params_add(cp, "application_name", cp->appname);
	cp->keys[cp->n] = NULL;
	cp->vals[cp->n] = NULL;
}

char *db_endpoint_describe(const struct endpoint *ep)
{
	struct conn_params cp;
	struct strbuf sb;
	params_build(&cp, ep, NULL, false);
	strbuf_init(&sb);
	for (int i = 0; i < cp.n; i++) {
		const char *k = cp.keys[i];
		if (strcmp(k, "host") && strcmp(k, "port") && strcmp(k, "user") &&
		    strcmp(k, "dbname") && strcmp(k, "password") && strcmp(k, "sslmode"))
			continue;
		strbuf_printf(&sb, "%s%s=%s", sb.len ? " " : "", k, cp.vals[i]);
	}
	if (sb.len == 0)
		strbuf_puts(&sb, "(libpq defaults)");
	return strbuf_finish(&sb);
}

char *db_conninfo_masked(const char *conninfo)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
	if (!opts) {
		PQfreemem(errmsg);
		return xstrdup("(unparsable connection string)");
	}
	struct strbuf sb;
	strbuf_init(&sb);
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		/* libpq marks secrets with dispchar "*" */
		bool secret = o->dispchar && o->dispchar[0] == '*';
		strbuf_printf(&sb, "%s%s=%s", sb.len ? " " : "", o->keyword, secret ? "****" : o->val);
	}
	PQconninfoFree(opts);
	return strbuf_finish(&sb);
}

PGconn *db_connect(const struct endpoint *ep, const char *role, struct db_error *err)
{
	struct conn_params cp;
	params_build(&cp, ep, role, true);
	PGconn *conn = PQconnectdbParams(cp.keys, cp.vals, 0);
	if (!conn) {
		if (err) {
			memset(err, 0, sizeof *err);
			snprintf(err->message, sizeof err->message, "out of memory creating a connection");
		}
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		if (err) {
			memset(err, 0, sizeof *err);
			one_line(err->message, sizeof err->message, PQerrorMessage(conn));
			/* 08001: sqlclient_unable_to_establish_sqlconnection */
			snprintf(err->sqlstate, sizeof err->sqlstate, "08001");
			err->retry = DB_RETRY_YES;
			if (strstr(err->message, "password authentication failed") ||
			    strstr(err->message, "no password supplied") ||
			    strstr(err->message, "does not exist"))
				err->retry = DB_RETRY_NO;
		}
		PQfinish(conn);
		return NULL;
	}
	/* Predictable dates and exact floats whatever the server's defaults are;
	 * sessions that move or compare data pin more (session.h). */
	if (!session_pin(conn, SESSION_CATALOG, NULL, NULL, err)) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

bool db_exec(PGconn *conn, const char *sql, struct db_error *err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		db_error_set(err, conn, res);
	PQclear(res);
	return ok;
}

PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params,
		   struct db_error *err)
{
	PGresult *res = nparams > 0 ? PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)
				    : PQexec(conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_error_set(err, conn, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

bool db_flavor(PGconn *conn, struct flavor *out, char **version_text, struct db_error *err)
{
	PGresult *res = db_query(conn, "SELECT version()", 0, NULL, err);
	if (!res)
		return false;
	const char *v = PQgetvalue(res, 0, 0);
	bool ok = flavor_parse(v, out);
	if (version_text)
		*version_text = xstrdup(v);
	PQclear(res);
	if (!ok) {
		if (err) {
			memset(err, 0, sizeof *err);
			snprintf(err->message, sizeof err->message, "unrecognised server version: %.200s", v);
		}
		return false;
	}
	if (out->kind == FLAVOR_GREENPLUM) {
		/* ADB has the rds_superuser role; stock Greenplum does not (4.1, 4.6). */
		res = db_query(conn, "SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser'", 0, NULL, NULL);
		if (res && PQntuples(res) > 0)
			flavor_mark_adb(out);
		PQclear(res);
	}
	return true;
}

char *db_quote_ident(PGconn *conn, const char *ident)
{
	char *q = PQescapeIdentifier(conn, ident, strlen(ident));
	char *r = xstrdup(q ? q : "\"?\"");
	PQfreemem(q);
	return r;
}

char *db_quote_literal(PGconn *conn, const char *literal)
{
	char *q = PQescapeLiteral(conn, literal, strlen(literal));
	char *r = xstrdup(q ? q : "''");
	PQfreemem(q);
	return r;
}

char *db_qualify(PGconn *conn, const char *schema, const char *name)
{
	char *s = db_quote_ident(conn, schema);
	char *n = db_quote_ident(conn, name);
	char *r = xasprintf("%s.%s", s, n);
	free(s);
	free(n);
	return r;
}
