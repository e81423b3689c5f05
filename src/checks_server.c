/* Checks about the two servers: versions, segments, privileges,
 * connection capacity, and whether gpcopy can serve the destination. */
#include "preflight_int.h"
#include "catalog_sql.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Primary segments (content >= 0, role p): reference/greenplum.md 3.2. */
static const char SQL_SEGMENTS[] =
	"SELECT count(*) FROM gp_segment_configuration WHERE role = 'p' AND content >= 0";

static const char SQL_SOURCE_PRIVILEGES[] =
	"SELECT rolsuper FROM pg_roles WHERE rolname = current_user";

/* Tables the account cannot read: the copy would fail on them. */
static const char SQL_UNREADABLE_TABLES[] =
	"SELECT n.nspname, c.relname\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"WHERE c.relkind IN ('r', 'p') AND " CATALOG_USER_SCHEMAS "\n"
	"  AND NOT has_table_privilege(c.oid, 'SELECT')\n"
	"ORDER BY 1, 2";

/* ADB's privileged account is a member of rds_superuser (reference 4.6).
 * Plain Greenplum has no such role, and pg_has_role() with the role's name
 * errors there (42704) even behind a CASE: Greenplum 6's planner evaluates
 * the stable call while planning (EXPLAIN alone fails).  So ask about the
 * role found, by its oid, or about nothing. */
static const char SQL_DESTINATION_PRIVILEGES[] =
	"SELECT r.rolsuper,\n"
	"       EXISTS (SELECT 1 FROM pg_roles s\n"
	"               WHERE s.rolname = 'rds_superuser' AND pg_has_role(current_user, s.oid, 'MEMBER')),\n"
	"       has_database_privilege(current_database(), 'CREATE')\n"
	"FROM pg_roles r WHERE r.rolname = current_user";

static const char SQL_CONNECTIONS[] =
	"SELECT current_setting('max_connections')::int,\n"
	"       current_setting('superuser_reserved_connections')::int,\n"
	"       (SELECT count(*) FROM pg_stat_activity)";

static void describe(const struct flavor *f, const char *version, char *buf, size_t size)
{
	char d[160];
	flavor_describe(f, d, sizeof d);
	snprintf(buf, size, "%s\n%s", d, version ? version : "");
}

void check_versions(struct pf *pf)
{
	char d[800];
	describe(&pf->sf, pf->src_version, d, sizeof d);
	const struct flavor *s = &pf->sf;
	if (s->gp_major == 4)
		pf_add(pf, "version.source", SEV_WARN, "Greenplum 4.x source: its syntax is partly incompatible",
		       xasprintf("%s\nGreenplum 4.3 DDL and SQL use constructs that Greenplum 6 and ADB "
				 "reject (see syntax.gp4x). gpcopy needs 4.3.26 or later on the source.", d),
		       "Dump the schema with pg_dumpall -s -q --gp-syntax, apply it on the destination "
		       "(gp2adb schema) and fix the objects syntax.gp4x lists.", NULL);
	else if (s->gp_major == 5)
		pf_add(pf, "version.source", SEV_INFO, "Greenplum 5 source",
		       xasprintf("%s\nSome Greenplum 5 constructs changed in 6 (see syntax.gp4x); "
				 "gpcopy needs 5.9 or later.", d), NULL, NULL);
	else if (s->kind == FLAVOR_UNKNOWN)
		pf_add(pf, "version.source", SEV_FAIL, "Unrecognised source server", xstrdup(d),
		       "gp2adb migrates from PostgreSQL and Greenplum 4.3 to 7.", NULL);
	else
		pf_add(pf, "version.source", SEV_OK, "Source version", xstrdup(d), NULL, NULL);

	if (!pf->dst) {
		pf_add(pf, "version.destination", SEV_FAIL, "The destination could not be reached",
		       xstrdup("gp2adb could not connect to the destination from this machine, so its "
			       "checks did not run and gp2adb's engine cannot copy from here."),
		       "Check destination.host/port and the ADB whitelist for this machine's address, "
		       "or use a method that does not need this machine (see the advice).", NULL);
		return;
	}
	describe(&pf->df, pf->dst_version, d, sizeof d);
	const struct flavor *t = &pf->df;
	if (t->gp_major > 0 && s->gp_major > t->gp_major)
		pf_add(pf, "version.destination", SEV_FAIL, "The destination is older than the source",
		       xasprintf("%s\nA Greenplum %d schema cannot be moved back to Greenplum %d.", d,
				 s->gp_major, t->gp_major),
		       "Use an ADB instance of the same or a later major version.", NULL);
	else if (t->gp_major == 0 && t->kind == FLAVOR_POSTGRES)
		pf_add(pf, "version.destination", SEV_INFO, "The destination is PostgreSQL, not AnalyticDB",
		       xasprintf("%s\ngp2adb's engine can copy into it; gpcopy, gptransfer and "
				 "DISTRIBUTED clauses need Greenplum or ADB.", d), NULL, NULL);
	else
		pf_add(pf, "version.destination", SEV_OK, "Destination version", xstrdup(d), NULL, NULL);
}

static int count_segments(struct pf *pf, PGconn *c, const struct flavor *f)
{
	if (!f->mpp || !pf_visible(c, "gp_segment_configuration"))
		return 0;
	PGresult *res = pf_query(pf, c, "segments.count", SQL_SEGMENTS);
	int n = res ? atoi(PQgetvalue(res, 0, 0)) : -1;
	PQclear(res);
	return n;
}

void check_segments(struct pf *pf)
{
	int s = count_segments(pf, pf->src, &pf->sf);
	int d = pf->dst ? count_segments(pf, pf->dst, &pf->df) : 0;
	if (s < 0 || d < 0)
		return;   /* pf_query said why */
	pf->facts->source_segments = s;
	pf->facts->destination_segments = d;
	if (s == 0 || d == 0) {
		char sd[64], dd[64];
		snprintf(sd, sizeof sd, s ? "%d primary segments" : "not MPP (one server)", s);
		snprintf(dd, sizeof dd, "%s", !pf->dst ? "not reached" : d ? "MPP" : "not MPP (one server)");
		pf_add(pf, "segments.count", SEV_INFO, "Segment counts do not apply",
		       xasprintf("source: %s; destination: %s.", sd, dd), NULL, NULL);
		return;
	}
	if (d < s)
		pf_add(pf, "segments.count", SEV_FAIL, "The destination has fewer segments than the source",
		       xasprintf("source: %d primary segments; destination: %d. The vendor procedure "
				 "requires at least as many destination nodes as source segments.", s, d),
		       "Scale the ADB instance out to at least as many segments before migrating.", NULL);
	else if (d == s)
		pf_add(pf, "segments.count", SEV_INFO, "Same number of segments on both sides",
		       xasprintf("%d primary segments each: the best case for gpcopy's segment-to-segment "
				 "copy.", s), NULL, NULL);
	else
		pf_add(pf, "segments.count", SEV_OK, "The destination has more segments than the source",
		       xasprintf("source: %d primary segments; destination: %d. Rows are redistributed "
				 "on load.", s, d), NULL, NULL);
}

void check_privileges(struct pf *pf)
{
	PGresult *res = pf_query(pf, pf->src, "privileges.source", SQL_SOURCE_PRIVILEGES);
	if (res) {
		bool super = PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		char **unreadable = NULL;
		res = pf_query(pf, pf->src, "privileges.source", SQL_UNREADABLE_TABLES);
		if (res) {
			for (int r = 0; r < PQntuples(res); r++)
				if (!pf->plan || plan_selects(pf->plan, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1))) {
					char *q = db_qualify(pf->src, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
					unreadable = strv_push(unreadable, q);
					free(q);
				}
			PQclear(res);
		}
		if (unreadable)
			pf_add(pf, "privileges.source", SEV_FAIL, "The source account cannot read some tables",
			       xasprintf("%zu selected tables lack SELECT for %s.", strv_len(unreadable),
					 PQuser(pf->src)),
			       "GRANT SELECT on them to the migration account, or connect as a superuser.",
			       unreadable);
		else if (!super)
			pf_add(pf, "privileges.source", SEV_WARN, "The source account is not a superuser",
			       xasprintf("%s can read every selected table, so gp2adb's engine can copy; "
					 "gpcopy and gptransfer need a superuser on the source.", PQuser(pf->src)),
			       "For gpcopy, connect as a superuser (gpadmin).", NULL);
		else
			pf_add(pf, "privileges.source", SEV_OK, "The source account is a superuser",
			       xasprintf("%s", PQuser(pf->src)), NULL, NULL);
	}
	if (!pf->dst)
		return;
	res = pf_query(pf, pf->dst, "privileges.destination", SQL_DESTINATION_PRIVILEGES);
	if (!res)
		return;
	bool super = PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
	bool rds = PQntuples(res) > 0 && PQgetvalue(res, 0, 1)[0] == 't';
	bool create = PQntuples(res) > 0 && PQgetvalue(res, 0, 2)[0] == 't';
	PQclear(res);
	const char *user = PQuser(pf->dst);
	if (super || rds)
		pf_add(pf, "privileges.destination", SEV_OK,
		       super ? "The destination account is a superuser" : "The destination account is privileged (rds_superuser)",
		       xasprintf("%s", user), NULL, NULL);
	else if (!create)
		pf_add(pf, "privileges.destination", SEV_FAIL, "The destination account cannot create schemas",
		       xasprintf("%s is neither a superuser nor a member of rds_superuser and lacks CREATE "
				 "on the database.", user),
		       "Use ADB's privileged account (created in the console, or WITH RDS_SUPERUSER).", NULL);
	else
		pf_add(pf, "privileges.destination", SEV_WARN, "The destination account is not privileged",
		       xasprintf("%s is neither a superuser nor a member of rds_superuser: it cannot create "
				 "extensions or give tables to their original owners.", user),
		       "Use ADB's privileged account (created in the console, or WITH RDS_SUPERUSER).", NULL);
}

/* Free connection slots on one server, or -1 when it could not be read. */
static int free_slots(struct pf *pf, PGconn *c, int *max)
{
	PGresult *res = pf_query(pf, c, "connections.capacity", SQL_CONNECTIONS);
	if (!res)
		return -1;
	*max = atoi(PQgetvalue(res, 0, 0));
	int n = *max - atoi(PQgetvalue(res, 0, 1)) - atoi(PQgetvalue(res, 0, 2));
	PQclear(res);
	return n;
}

void check_connections(struct pf *pf)
{
	int jobs = pf->plan && pf->plan->jobs > 0 ? pf->plan->jobs : 4;
	/* The engine: one connection per worker on each side, plus the
	 * coordinator's own.  gpcopy: 2 x jobs + 1 (reference 1.2). */
	int engine = jobs + 1, gpcopy = 2 * jobs + 1;
	int smax = 0, dmax = 0;
	int sfree = free_slots(pf, pf->src, &smax);
	int dfree = pf->dst ? free_slots(pf, pf->dst, &dmax) : -2;
	if (sfree == -1 || dfree == -1)
		return;
	char dd[96] = "destination: not reached";
	if (dfree >= -1)
		snprintf(dd, sizeof dd, "destination: max_connections %d, %d free", dmax, dfree);
	int least = dfree >= -1 && dfree < sfree ? dfree : sfree;
	char *detail = xasprintf("source: max_connections %d, %d free; %s. With %d jobs gp2adb's "
				 "engine opens %d connections per side, gpcopy %d.",
				 smax, sfree, dd, jobs, engine, gpcopy);
	if (least < engine)
		pf_add(pf, "connections.capacity", SEV_FAIL, "Not enough free connections for the planned jobs",
		       detail, "Lower migration.jobs (--jobs) or raise max_connections.", NULL);
	else if (least < gpcopy)
		pf_add(pf, "connections.capacity", SEV_WARN, "Not enough free connections for gpcopy",
		       detail, "For gpcopy, lower --jobs or raise max_connections on both clusters.", NULL);
	else
		pf_add(pf, "connections.capacity", SEV_OK, "Enough free connections", detail, NULL, NULL);
}

void check_method_gpcopy(struct pf *pf)
{
	enum instance_mode m = pf->plan ? pf->plan->instance_mode : INSTANCE_UNKNOWN;
	int dmajor = pf->df.gp_major;
	bool v7 = dmajor >= 7;
	const char *id = "method.gpcopy";
	if (m == INSTANCE_SERVERLESS || (m == INSTANCE_ELASTIC && v7)) {
		pf_add(pf, id, SEV_WARN, "gpcopy cannot be used for this ADB instance",
		       xasprintf("destination.mode is %s%s: Alibaba does not support gpcopy into ADB "
				 "elastic storage V7 or Serverless instances.", plan_instance_mode_name(m),
				 m == INSTANCE_ELASTIC ? " on version 7" : ""),
		       "Use gp2adb's engine, or OSS foreign tables when neither side reaches the other.",
		       NULL);
		return;
	}
	if (pf->sf.gp_major == 0) {
		pf_add(pf, id, SEV_INFO, "gpcopy does not apply: the source is not Greenplum",
		       xstrdup("gpcopy copies between Greenplum clusters only."), NULL, NULL);
		return;
	}
	if (pf->dst && dmajor == 0) {
		pf_add(pf, id, SEV_INFO, "gpcopy does not apply: the destination is not Greenplum or ADB",
		       xstrdup("gpcopy copies between Greenplum clusters only."), NULL, NULL);
		return;
	}
	const struct flavor *s = &pf->sf;
	bool old = (s->gp_major == 4 && (s->gp_minor < 3 || (s->gp_minor == 3 && s->gp_patch < 26))) ||
		   (s->gp_major == 5 && s->gp_minor < 9);
	if (old) {
		pf_add(pf, id, SEV_INFO, "gpcopy needs a newer source release",
		       xasprintf("Greenplum %s: gpcopy supports 4.3.26+ and 5.9+ sources.", s->gp_version),
		       "Upgrade the source to the latest 4.3/5 release, or use another method.", NULL);
		return;
	}
	if (m == INSTANCE_UNKNOWN && v7)
		pf_add(pf, id, SEV_INFO, "gpcopy may not serve this ADB 7 instance",
		       xstrdup("The destination runs version 7 and destination.mode is not set: gpcopy is "
			       "not supported for elastic storage V7 or Serverless instances."),
		       "Set destination.mode to classic, elastic or serverless in the configuration.", NULL);
	else
		pf_add(pf, id, SEV_OK, "gpcopy can be used for this destination",
		       xasprintf("destination.mode: %s.", plan_instance_mode_name(m)), NULL, NULL);
}
