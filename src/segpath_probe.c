/* segpath_probe: whether the segments of a cluster reach gp2adb's relay.
 * A temporary readable external table on the cluster names a probe URL of
 * the relay; a count over it makes every primary fetch it, and the relay
 * answers each with its segment id.  The table lives in a transaction that
 * is rolled back: nothing is left on either cluster. */
#include "segpath.h"
#include "log.h"
#include "mem.h"
#include "relay.h"
#include "strbuf.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Seconds the probe's query may take: a filtered port makes the segments
 * wait for their connection attempt to time out. */
#define PROBE_TIMEOUT "60s"

bool segpath_flavors_ok(const struct flavor *src, const struct flavor *dst, char *why, size_t size)
{
	char a[160], b[160];
	flavor_describe(src, a, sizeof a);
	flavor_describe(dst, b, sizeof b);
	if (src->kind != FLAVOR_GREENPLUM || src->gp_major < 5) {
		snprintf(why, size, "the segment path needs a Greenplum 5, 6 or 7 source; the source is %s", a);
		return false;
	}
	if (dst->kind != FLAVOR_GREENPLUM && dst->kind != FLAVOR_ADB) {
		snprintf(why, size, "the segment path needs a Greenplum or AnalyticDB destination; the destination is %s", b);
		return false;
	}
	why[0] = '\0';
	return true;
}

void segpath_mask_tokens(char *msg)
{
	static const char key[] = "/gp2adb/";
	for (char *p = msg; (p = strstr(p, key)) != NULL;) {
		char *t = p + sizeof key - 1;
		size_t n = strspn(t, "0123456789abcdef");
		if (n >= 32) {
			memcpy(t + 6, "...", 3);
			memmove(t + 9, t + n, strlen(t + n) + 1);
		}
		p = t;
	}
}

static bool wildcard(const char *host)
{
	return !host[0] || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || strcmp(host, "*") == 0;
}

void segpath_address(const struct plan *p, PGconn *conn, const struct relay *r, char *buf, size_t size)
{
	char host[256] = "";
	int port = -1;
	if (p->relay_advertise)
		(void)relay_address_parse(p->relay_advertise, false, host, sizeof host, &port);
	if (!host[0]) {
		char bound[256];
		int bport;
		if (relay_address_parse(relay_listen_address(r), true, bound, sizeof bound, &bport) && !wildcard(bound))
			snprintf(host, sizeof host, "%s", bound);
	}
	if (!host[0] && conn && PQsocket(conn) >= 0) {
		/* the address this host uses towards that cluster's coordinator */
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		if (getsockname(PQsocket(conn), (struct sockaddr *)&ss, &sl) == 0 &&
		    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
			(void)getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, NULL, 0, NI_NUMERICHOST);
	}
	if (!host[0] && gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "127.0.0.1");
	host[sizeof host - 1] = '\0';
	if (port < 0)
		port = relay_port(r);
	snprintf(buf, size, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

static long long scalar(PGconn *conn, const char *sql, long long dflt)
{
	PGresult *res = db_query(conn, sql, 0, NULL, NULL);
	long long v = res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? atoll(PQgetvalue(res, 0, 0)) : dflt;
	PQclear(res);
	return v;
}

static void probe_error(struct segpath_probe *out, const struct db_error *err, const char *address)
{
	char text[600];
	db_error_text(err, text, sizeof text);
	segpath_mask_tokens(text);
	if (strcmp(err->sqlstate, "42501") == 0)
		snprintf(out->error, sizeof out->error,
			 "%.300s; the user needs the privilege to create gpfdist external tables: ALTER ROLE ... "
			 "CREATEEXTTABLE (type = 'readable', protocol = 'gpfdist') CREATEEXTTABLE "
			 "(type = 'writable', protocol = 'gpfdist')", text);
	else if (strcmp(err->sqlstate, "57014") == 0)
		snprintf(out->error, sizeof out->error,
			 "%d of %d primary segments reached the relay at %.100s within " PROBE_TIMEOUT " (%.300s): is the "
			 "port open from every segment host?", out->reached, out->segments, address, text);
	else
		snprintf(out->error, sizeof out->error, "%d of %d primary segments reached the relay at %.100s: %.400s",
			 out->reached, out->segments, address, text);
}

void segpath_probe_run(struct relay *r, PGconn *conn, const char *address, bool writable,
		       struct segpath_probe *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->address, sizeof out->address, "%s", address);
	out->segments = (int)scalar(conn, "SELECT count(*) FROM gp_segment_configuration "
				    "WHERE content >= 0 AND role = 'p'", 0);
	if (out->segments <= 0) {
		snprintf(out->error, sizeof out->error, "cannot count the cluster's primary segments "
			 "(gp_segment_configuration)");
		return;
	}
	long long max_segs = scalar(conn, "SHOW gp_external_max_segs", 64);
	if (max_segs < 1)
		max_segs = 64;
	int nurl = (int)((out->segments + max_segs - 1) / max_segs);
	struct relay_xfer *x = relay_xfer_open(r, RELAY_PROBE, "probe", NULL, NULL);
	if (!x) {
		snprintf(out->error, sizeof out->error, "the relay could not make a token");
		return;
	}
	struct strbuf loc;
	strbuf_init(&loc);
	for (int i = 1; i <= nurl; i++) {
		char path[96];
		relay_xfer_path(x, i, path, sizeof path);
		strbuf_printf(&loc, "%s'gpfdist://%s%s'", i > 1 ? ", " : "", address, path);
	}
	char wpath[96];
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	unsigned id = (unsigned)getpid();
	char *sql = xasprintf("BEGIN;\n"
			      "SET LOCAL statement_timeout = '" PROBE_TIMEOUT "';\n"
			      "CREATE EXTERNAL TEMP TABLE \"gp2adb_probe_%u\" (seg int) LOCATION (%s) FORMAT 'TEXT'",
			      id, loc.data);
	char *count = xasprintf("SELECT count(DISTINCT seg) FROM pg_temp.\"gp2adb_probe_%u\"", id);
	char *wsql = xasprintf("CREATE WRITABLE EXTERNAL TEMP TABLE \"gp2adb_probe_w_%u\" (seg int) "
			       "LOCATION ('gpfdist://%s%s') FORMAT 'TEXT'", id, address, wpath);
	struct db_error err;
	memset(&err, 0, sizeof err);
	PGresult *res = NULL;
	bool ok = db_exec(conn, sql, &err) && (res = db_query(conn, count, 0, NULL, &err)) != NULL &&
		  (!writable || db_exec(conn, wsql, &err));
	out->reached = relay_xfer_segments(x, false, NULL, 0);
	if (ok) {
		out->ok = out->reached >= out->segments && atoi(PQgetvalue(res, 0, 0)) >= out->segments;
		if (!out->ok)
			snprintf(out->error, sizeof out->error, "%d of %d primary segments reached the relay at %s",
				 out->reached, out->segments, address);
	} else {
		probe_error(out, &err, address);
	}
	PQclear(res);
	(void)db_exec(conn, "ROLLBACK", NULL);
	relay_xfer_close(x);
	free(wsql);
	free(count);
	free(sql);
	strbuf_done(&loc);
}

bool segpath_probe_both(const struct plan *p, PGconn *src, PGconn *dst, struct segpath_probe *s,
			struct segpath_probe *d, char *err, size_t errsize)
{
	struct relay_options o = { p->relay_listen, 0 };
	struct relay *r = relay_start(&o, err, errsize);
	if (!r)
		return false;
	char a[128];
	segpath_address(p, src, r, a, sizeof a);
	segpath_probe_run(r, src, a, true, s);
	segpath_address(p, dst, r, a, sizeof a);
	segpath_probe_run(r, dst, a, false, d);
	relay_stop(r);
	return true;
}
