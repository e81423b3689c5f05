/* segpath: the segment path's setup.  Which tables take it (all with --path
 * segment; with auto, those of at least segment_path_min_mb when both ends
 * are Greenplum-family and every segment of both reaches the relay), the
 * relay itself, and the sweep of what a killed run left running. */
#include "segpath_int.h"
#include "engine_priv.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "relay.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Statements of this migration's segment path still running, other than
 * this session's; "pid<TAB>query".  The tag names their gp2adb. */
static const char TAGGED_SESSIONS[] =
	"SELECT pid, query FROM pg_stat_activity\n"
	"WHERE query LIKE $1 AND pid <> pg_backend_pid()";
static const char TAGGED_SESSIONS_PROCPID[] =
	"SELECT procpid, current_query FROM pg_stat_activity\n"
	"WHERE current_query LIKE $1 AND procpid <> pg_backend_pid()";

bool segpath_table(const struct engine *e, size_t table)
{
	/* the choice stays as made at setup (the relay itself stops after the workers) */
	return e->segpath && e->segpath->table && table < e->ntables && e->segpath->table[table];
}

/* A statement left by a run of this migration: end it when the gp2adb that
 * sent it is gone (a killed run's source statement keeps retrying its
 * POSTs for gpfdist_retry_timeout, 300 s by default). */
static void sweep_one(PGconn *conn, const char *side, const char *pid, const char *query, const char *me)
{
	const char *p = strstr(query, SEGPATH_TAG);
	char mid[32] = "", host[256] = "";
	long owner = 0;
	if (!p || sscanf(p + sizeof SEGPATH_TAG - 1, "%31s %255s %ld", mid, host, &owner) != 3)
		return;
	bool local = strcmp(host, me) == 0;
	if (local && owner > 0 && (kill((pid_t)owner, 0) == 0 || errno != ESRCH)) {
		log_warn("%s: another gp2adb (pid %ld) is copying this migration now (backend %s)", side, owner, pid);
		return;
	}
	if (!local) {
		log_warn("%s: backend %s runs a segment-path statement of gp2adb pid %ld on host %s; if that "
			 "gp2adb is gone, end it: SELECT pg_terminate_backend(%s)", side, pid, owner, host, pid);
		return;
	}
	const char *params[1] = { pid };
	struct db_error err;
	PGresult *r = db_query(conn, "SELECT pg_terminate_backend($1::int)", 1, params, &err);
	if (r)
		log_warn("%s: ended backend %s, left running by gp2adb pid %ld, which is gone", side, pid, owner);
	else
		log_warn("%s: backend %s was left running by gp2adb pid %ld, which is gone, and cannot be ended: "
			 "%s: %s", side, pid, owner, err.sqlstate, err.message);
	PQclear(r);
}

static void sweep(struct engine *e, PGconn *conn, const struct flavor *f, const char *side, const char *me)
{
	char *like = xasprintf("%%" SEGPATH_TAG "%s %%", e->migration_id);
	const char *params[1] = { like };
	struct db_error err;
	PGresult *r = db_query(conn, f->has_pid_column ? TAGGED_SESSIONS : TAGGED_SESSIONS_PROCPID, 1, params, &err);
	if (!r)
		log_warn("%s: cannot look for statements an earlier run left: %s: %s", side, err.sqlstate, err.message);
	for (int i = 0; r && i < PQntuples(r); i++)
		sweep_one(conn, side, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), me);
	PQclear(r);
	free(like);
}

/* Decide per table; false when none takes the segment path. */
static bool choose_tables(struct engine *e, struct segpath *sp, long long *bytes, size_t *n)
{
	const struct plan *p = e->plan;
	long long min = p->path == PATH_SEGMENT ? 0 : (long long)p->segment_path_min_mb << 20;
	sp->table = xcalloc(e->ntables + 1, sizeof *sp->table);
	*bytes = 0;
	*n = 0;
	for (size_t i = 0; i < e->ntables; i++) {
		const struct etable *et = &e->tables[i];
		if (et->state != TABLE_QUEUED || et->t->bytes < min)
			continue;
		sp->table[i] = true;
		*bytes += et->t->bytes;
		(*n)++;
	}
	return *n > 0;
}

/* The segment path cannot be used: an error with --path segment, the
 * coordinator path for every table with auto. */
static bool not_usable(struct engine *e, int code, const char *why)
{
	if (e->plan->path == PATH_SEGMENT) {
		log_error("--path segment: %s", why);
		return engine_setup_fail(e, code);
	}
	log_warn("segment path not usable: %s; every table goes through the coordinators", why);
	segpath_free(e);
	return true;
}

bool segpath_setup(struct engine *e, PGconn *dst)
{
	const struct plan *p = e->plan;
	char why[700];
	if (p->path == PATH_COORDINATOR)
		return true;
	if (!segpath_flavors_ok(&e->sf, &e->df, why, sizeof why)) {
		if (p->path == PATH_SEGMENT)
			return not_usable(e, EXIT_USAGE, why);
		log_debug("coordinator path: %s", why);
		return true;
	}
	if (p->format == FORMAT_BINARY)
		return not_usable(e, EXIT_USAGE, "it moves rows as text, and --format binary was asked for");
	struct segpath *sp = e->segpath = xcalloc(1, sizeof *sp);
	long long bytes;
	size_t ntables;
	if (!choose_tables(e, sp, &bytes, &ntables)) {
		segpath_free(e);
		return true;
	}
	struct relay_options o = { p->relay_listen, 0 };
	sp->relay = relay_start(&o, why, sizeof why);
	if (!sp->relay)
		return not_usable(e, EXIT_USAGE, why);
	segpath_address(p, e->coord, sp->relay, sp->src_address, sizeof sp->src_address);
	segpath_address(p, dst, sp->relay, sp->dst_address, sizeof sp->dst_address);
	struct segpath_probe ps, pd;
	segpath_probe_run(sp->relay, e->coord, sp->src_address, true, &ps);
	if (!ps.ok) {
		snprintf(why, sizeof why, "source: %s", ps.error);
		return not_usable(e, EXIT_CONNECT, why);
	}
	segpath_probe_run(sp->relay, dst, sp->dst_address, false, &pd);
	if (!pd.ok) {
		snprintf(why, sizeof why, "destination: %s", pd.error);
		return not_usable(e, EXIT_CONNECT, why);
	}
	sp->src_segments = ps.segments;
	sp->dst_segments = pd.segments;
	PGresult *r = db_query(dst, "SHOW gp_external_max_segs", 0, NULL, NULL);
	int max_segs = r ? atoi(PQgetvalue(r, 0, 0)) : 64;
	PQclear(r);
	sp->dst_urls = (pd.segments + (max_segs > 0 ? max_segs : 64) - 1) / (max_segs > 0 ? max_segs : 64);
	r = db_query(e->coord, "SHOW server_encoding", 0, NULL, NULL);
	snprintf(sp->encoding, sizeof sp->encoding, "%s", r ? PQgetvalue(r, 0, 0) : "UTF8");
	PQclear(r);

	char me[256] = "localhost";
	(void)gethostname(me, sizeof me);
	me[sizeof me - 1] = '\0';
	for (char *c = me; *c; c++)
		if (*c == ' ' || *c == '*' || *c == '/')
			*c = '_';
	snprintf(sp->tag, sizeof sp->tag, SEGPATH_TAG "%s %s %ld */", e->migration_id, me, (long)getpid());
	sweep(e, e->coord, &e->sf, "source", me);
	sweep(e, dst, &e->df, "destination", me);

	char size[32];
	snprintf(size, sizeof size, "%.1f MB", (double)bytes / 1048576.0);
	log_info("segment path: %zu of %zu tables (%s on disk) move segment to segment through the relay "
		 "(source's %d segments told %s, destination's %d told %s); the others through the coordinators",
		 ntables, e->ntables, size, ps.segments, sp->src_address, pd.segments, sp->dst_address);
	return true;
}

void segpath_stop(struct engine *e)
{
	if (e->segpath && e->segpath->relay) {
		relay_stop(e->segpath->relay);
		e->segpath->relay = NULL;
	}
}

void segpath_free(struct engine *e)
{
	if (!e->segpath)
		return;
	segpath_stop(e);
	free(e->segpath->table);
	free(e->segpath);
	e->segpath = NULL;
}
