/* writes.active: is anyone writing to the source?  Two samples of the
 * statistics views, some seconds apart: the change counters of every table
 * (pg_stat_user_tables) and the other sessions running INSERT, UPDATE,
 * DELETE, COPY FROM or TRUNCATE (pg_stat_activity).  The copy is one-way,
 * so rows written after it read a table are lost. */
#include "preflight_int.h"
#include "clock.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char SQL_TABLE_CHANGES[] =
	"SELECT schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del, relid\n"
	"FROM pg_stat_user_tables\n"
	"ORDER BY relid";

/* PostgreSQL 9.2+ and Greenplum 6+. */
static const char SQL_WRITING_SESSIONS[] =
	"SELECT pid, usename, coalesce(application_name, ''),\n"
	"       substr(regexp_replace(query, E'\\\\s+', ' ', 'g'), 1, 100)\n"
	"FROM pg_stat_activity\n"
	"WHERE pid <> pg_backend_pid() AND datname = current_database() AND state <> 'idle'\n"
	"  AND query ~* E'^\\\\s*(insert|update|delete|truncate|merge|copy\\\\s.*\\\\sfrom)\\\\M'\n"
	"ORDER BY pid";

/* Greenplum 4.3/5 (PostgreSQL 8.2/8.3): procpid and current_query. */
static const char SQL_WRITING_SESSIONS_OLD[] =
	"SELECT procpid, usename, '',\n"
	"       substr(regexp_replace(current_query, E'\\\\s+', ' ', 'g'), 1, 100)\n"
	"FROM pg_stat_activity\n"
	"WHERE procpid <> pg_backend_pid() AND datname = current_database()\n"
	"  AND current_query ~* E'^\\\\s*(insert|update|delete|truncate|copy\\\\s.*\\\\sfrom)\\\\M'\n"
	"ORDER BY procpid";

struct writes_sample {
	PGresult *tables;       /* NULL when unreadable */
	char **sessions;        /* "pid 123 (user, app): INSERT ..." */
	bool ok;
};

static void sample(struct pf *pf, struct writes_sample *s)
{
	struct db_error err;
	s->tables = db_query(pf->src, SQL_TABLE_CHANGES, 0, NULL, &err);
	PGresult *res = db_query(pf->src, pf->sf.has_pid_column ? SQL_WRITING_SESSIONS
								 : SQL_WRITING_SESSIONS_OLD, 0, NULL, &err);
	s->ok = s->tables && res;
	for (int r = 0; res && r < PQntuples(res); r++) {
		char *o = xasprintf("session %s (%s%s%s): %s", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
				    PQgetvalue(res, r, 2)[0] ? ", " : "", PQgetvalue(res, r, 2),
				    PQgetvalue(res, r, 3));
		s->sessions = strv_push(s->sessions, o);
		free(o);
	}
	if (!s->ok) {
		char text[600];
		log_warn("writes.active: reading the statistics views: %s", db_error_text(&err, text, sizeof text));
	}
	PQclear(res);
}

static void sample_free(struct writes_sample *s)
{
	PQclear(s->tables);
	strv_free(s->sessions);
	free(s);
}

void writes_begin(struct pf *pf)
{
	pf->writes = xcalloc(1, sizeof *pf->writes);
	sample(pf, pf->writes);
	pf->writes_started = clock_mono();
}

static void sleep_until(double t)
{
	for (double now = clock_mono(); now < t; now = clock_mono()) {
		double left = t - now;
		struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

/* Tables whose change counter grew between the samples (both by relid). */
static char **changed_tables(struct pf *pf, PGresult *a, PGresult *b)
{
	char **out = NULL;
	int i = 0, na = PQntuples(a), nb = PQntuples(b);
	for (int j = 0; j < nb; j++) {
		const char *s = PQgetvalue(b, j, 0), *n = PQgetvalue(b, j, 1);
		unsigned long relid = strtoul(PQgetvalue(b, j, 3), NULL, 10);
		while (i < na && strtoul(PQgetvalue(a, i, 3), NULL, 10) < relid)
			i++;
		bool same = i < na && strtoul(PQgetvalue(a, i, 3), NULL, 10) == relid;
		long long before = same ? atoll(PQgetvalue(a, i, 2)) : 0;
		long long after = atoll(PQgetvalue(b, j, 2));
		if (after > before && (!pf->plan || plan_selects(pf->plan, s, n))) {
			char *q = db_qualify(pf->src, s, n);
			char *o = xasprintf("table %s: %lld rows changed", q, after - before);
			out = strv_push(out, o);
			free(o);
			free(q);
		}
	}
	return out;
}

void writes_end(struct pf *pf, double interval)
{
	struct writes_sample *first = pf->writes, second;
	memset(&second, 0, sizeof second);
	pf->writes = NULL;
	if (!first)
		return;
	if (interval <= 0 || !first->ok) {
		if (!first->ok)
			pf_add(pf, "writes.active", SEV_WARN, "This check could not run",
			       xstrdup("The statistics views pg_stat_user_tables and pg_stat_activity could not "
				       "be read (see the log)."),
			       "Make sure nothing writes to the source during the migration.", NULL);
		sample_free(first);
		return;
	}
	sleep_until(pf->writes_started + interval);
	sample(pf, &second);
	char **objects = second.ok ? changed_tables(pf, first->tables, second.tables) : NULL;
	/* sessions seen writing at either sample, once each */
	for (int k = 0; k < 2; k++) {
		char **v = k == 0 ? first->sessions : second.sessions;
		for (size_t i = 0; v && v[i]; i++) {
			bool seen = false;
			for (size_t j = 0; objects && objects[j]; j++)
				seen |= strcmp(objects[j], v[i]) == 0;
			if (!seen)
				objects = strv_push(objects, v[i]);
		}
	}
	char *how = xasprintf("Sampled pg_stat_user_tables and pg_stat_activity %.1f s apart.", interval);
	if (objects) {
		char *detail = xasprintf("%s Writes seen: %zu tables or sessions.%s", how, strv_len(objects),
					 pf->sf.snapshot_export ? ""
					 : " This source cannot export a snapshot, so tables copied at "
					   "different times will not match each other either.");
		pf_add(pf, "writes.active", SEV_WARN, "Sessions are writing to the source", detail,
		       "Pause the writers (applications, ETL, cron jobs) for the migration: the copy is "
		       "one-way and rows written after a table was copied are not moved.", objects);
	} else if (second.ok) {
		pf_add(pf, "writes.active", SEV_OK, "No writes seen on the source", xstrdup(how), NULL, NULL);
	} else {
		pf_add(pf, "writes.active", SEV_WARN, "This check could not run",
		       xstrdup("The second sample of the statistics views failed (see the log)."),
		       "Make sure nothing writes to the source during the migration.", NULL);
	}
	free(how);
	PQclear(second.tables);
	strv_free(second.sessions);
	sample_free(first);
}
