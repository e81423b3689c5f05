/* preflight: run the checks against both servers and collect findings.
 * Each check lives in a checks_*.c file by concept; this file orders them
 * and holds the helpers they share. */
#include "preflight.h"
#include "preflight_int.h"
#include "gp4x_scan.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pf_visible(PGconn *conn, const char *relname)
{
	const char *params[1] = { relname };
	PGresult *res = db_query(conn,
		"SELECT 1 FROM pg_class WHERE relname = $1 AND pg_table_is_visible(oid)",
		1, params, NULL);
	bool yes = res && PQntuples(res) > 0;
	PQclear(res);
	return yes;
}

void pf_add(struct pf *pf, const char *id, enum severity sev, const char *title,
	    char *detail, const char *remedy, char **objects)
{
	findings_add(pf->out, id, sev, title, detail ? detail : "", remedy, objects);
	free(detail);
}

PGresult *pf_query(struct pf *pf, PGconn *conn, const char *id, const char *sql)
{
	struct db_error err;
	PGresult *res = db_query(conn, sql, 0, NULL, &err);
	if (res)
		return res;
	char text[600];
	db_error_text(&err, text, sizeof text);
	log_warn("check %s could not read the %s catalog: %s", id,
		 conn == pf->src ? "source" : "destination", text);
	pf_add(pf, id, SEV_WARN, "This check could not run",
	       xasprintf("Reading the %s catalog failed: %s", conn == pf->src ? "source" : "destination", text),
	       "Check that the account can read the system catalogs, then run the check again.", NULL);
	return NULL;
}

void pf_list(struct strbuf *sb, char *const *v, size_t max)
{
	size_t n = strv_len(v);
	for (size_t i = 0; i < n && i < max; i++)
		strbuf_printf(sb, "%s%s", i ? ", " : "", v[i]);
	if (n > max)
		strbuf_printf(sb, " ... and %zu more", n - max);
}

void preflight_bytes(char *buf, size_t size, long long bytes)
{
	static const char *const units[] = { "bytes", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lld bytes", bytes);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
}

unsigned pf_syntax_targets(const struct pf *pf)
{
	unsigned t = 0;
	/* 4.3 and 5 sources meet the 6.x rules (reference 5); a destination on
	 * Greenplum 7 / PostgreSQL 12+ removes more, unless the source is
	 * already that new. */
	if (pf->sf.gp_major > 0 && pf->sf.gp_major < 6)
		t |= GP4X_TO_GP6;
	bool dst7 = pf->dst && (pf->df.gp_major >= 7 || (pf->df.gp_major == 0 && pf->df.pg_major >= 12));
	bool src7 = pf->sf.gp_major >= 7 || (pf->sf.gp_major == 0 && pf->sf.pg_major >= 12);
	if (dst7 && !src7)
		t |= GP4X_TO_GP7;
	return t;
}

bool preflight_run(const struct plan *p, PGconn *src, PGconn *dst,
		   const struct preflight_options *opt, struct findings *out,
		   struct preflight_facts *facts, char *err, size_t errsize)
{
	struct pf pf;
	struct db_error e;
	char text[600];
	memset(&pf, 0, sizeof pf);
	memset(facts, 0, sizeof *facts);
	pf.plan = p;
	pf.src = src;
	pf.dst = dst;
	pf.out = out;
	pf.facts = facts;

	if (!db_flavor(src, &pf.sf, &pf.src_version, &e)) {
		snprintf(err, errsize, "source: reading version(): %s", db_error_text(&e, text, sizeof text));
		free(pf.src_version);
		return false;
	}
	if (dst && !db_flavor(dst, &pf.df, &pf.dst_version, &e)) {
		log_warn("destination: reading version(): %s", db_error_text(&e, text, sizeof text));
		pf.dst = NULL;
	}
	facts->source = pf.sf;
	facts->destination = pf.df;
	facts->destination_reached = pf.dst != NULL;

	/* The first sample of the statistics views; the second is taken after
	 * the other checks, so the interval costs little extra time. */
	writes_begin(&pf);
	if (!catalog_tables(src, &pf.sf, p, &pf.tables, &e)) {
		snprintf(err, errsize, "source: reading the table list: %s", db_error_text(&e, text, sizeof text));
		writes_end(&pf, 0);
		free(pf.src_version);
		free(pf.dst_version);
		return false;
	}

	check_versions(&pf);
	check_segments(&pf);
	check_method_gpcopy(&pf);
	check_privileges(&pf);
	check_connections(&pf);
	check_encoding(&pf);
	check_extensions(&pf);
	check_libraries(&pf);
	check_partitions(&pf);
	check_inheritance(&pf);
	check_external(&pf);
	check_no_key(&pf);
	check_types_removed(&pf);
	check_syntax(&pf);
	check_size(&pf);
	check_segment_path(&pf);
	writes_end(&pf, opt ? opt->writes_interval : PREFLIGHT_WRITES_INTERVAL);

	catalog_tables_free(&pf.tables);
	free(pf.src_version);
	free(pf.dst_version);
	return true;
}
