/* syntax.gp4x: function bodies, view definitions, external tables, storage
 * options and names that use constructs the destination rejects
 * (reference/greenplum.md 5).  A few bulk queries; the matching is
 * gp4x_scan's. */
#include "preflight_int.h"
#include "catalog_sql.h"
#include "gp4x_scan.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bodies of functions in procedural languages (C bodies are symbol names). */
static const char SQL_FUNCTION_BODIES[] =
	"SELECT n.nspname, p.proname, oidvectortypes(p.proargtypes), l.lanname, p.prosrc\n"
	"FROM pg_proc p\n"
	"JOIN pg_namespace n ON n.oid = p.pronamespace\n"
	"JOIN pg_language l ON l.oid = p.prolang\n"
	"WHERE l.lanname NOT IN ('c', 'internal') AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY 1, 2, 3";

static const char SQL_VIEW_DEFINITIONS[] =
	"SELECT n.nspname, c.relname, pg_get_viewdef(c.oid)\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"WHERE c.relkind IN ('v', 'm') AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY 1, 2";

/* Storage options (quicklz, oids=true) and WITH OIDS, before PostgreSQL 12. */
static const char SQL_STORAGE_OPTIONS_OLD[] =
	"SELECT n.nspname, c.relname,\n"
	"       coalesce(array_to_string(c.reloptions, ','), '')\n"
	"       || CASE WHEN c.relhasoids THEN ' WITH OIDS' ELSE '' END\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"WHERE c.relkind = 'r' AND (c.reloptions IS NOT NULL OR c.relhasoids)\n"
	"  AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY 1, 2";

static const char SQL_STORAGE_OPTIONS[] =
	"SELECT n.nspname, c.relname, array_to_string(c.reloptions, ',')\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"WHERE c.relkind IN ('r', 'p') AND c.reloptions IS NOT NULL AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY 1, 2";

/* External tables, Greenplum 4.3/5 (reference 3.6): a separate error table
 * (fmterrtbl other than the table itself) is LOG ERRORS INTO. */
static const char SQL_EXTERNAL_GP4[] =
	"SELECT n.nspname, c.relname,\n"
	"       coalesce(array_to_string(e.urilocation, ' '), '') || ' ' || coalesce(e.command, '')\n"
	"       || CASE WHEN coalesce(e.fmterrtbl, 0) NOT IN (0, e.reloid)\n"
	"               THEN ' LOG ERRORS INTO ' || e.fmterrtbl::regclass::text ELSE '' END\n"
	"FROM pg_exttable e\n"
	"JOIN pg_class c ON c.oid = e.reloid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"ORDER BY 1, 2";

/* Greenplum 6: no fmterrtbl. */
static const char SQL_EXTERNAL_GP6[] =
	"SELECT n.nspname, c.relname,\n"
	"       coalesce(array_to_string(e.urilocation, ' '), '') || ' ' || coalesce(e.command, '')\n"
	"FROM pg_exttable e\n"
	"JOIN pg_class c ON c.oid = e.reloid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"ORDER BY 1, 2";

/* Distribution keys of types Greenplum 6 refuses (reference 5.3), 4.3/5. */
static const char SQL_DISTKEY_TYPES_GP4[] =
	"SELECT n.nspname, c.relname, a.attname, t.typname\n"
	"FROM gp_distribution_policy p\n"
	"JOIN pg_class c ON c.oid = p.localoid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"JOIN pg_attribute a ON a.attrelid = p.localoid AND a.attnum = ANY (p.attrnums)\n"
	"JOIN pg_type t ON t.oid = a.atttypid\n"
	"WHERE t.typname IN ('money', 'abstime', 'reltime', 'tinterval', 'anyarray')\n"
	"ORDER BY 1, 2, 3";

struct scan {
	struct pf *pf;
	unsigned targets;
	char **objects;
	bool seen[64];                  /* rules met, by index in `rules` */
	const struct gp4x_rule *rules[64];
	size_t nrules;
};

static void note_rule(struct scan *sc, const struct gp4x_rule *r)
{
	for (size_t i = 0; i < sc->nrules; i++)
		if (sc->rules[i] == r)
			return;
	if (sc->nrules < 64)
		sc->rules[sc->nrules++] = r;
}

static void scan_text(struct scan *sc, const char *kind, const char *name, const char *text,
		      unsigned flags)
{
	const struct gp4x_rule *hits[32];
	size_t n = gp4x_scan(text, sc->targets | flags, hits, 32);
	if (!n)
		return;
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "%s %s:", kind, name);
	for (size_t i = 0; i < n; i++) {
		strbuf_printf(&sb, "%s %s", i ? "," : "", hits[i]->id);
		note_rule(sc, hits[i]);
	}
	sc->objects = strv_push(sc->objects, sb.data);
	strbuf_done(&sb);
}

static void scan_query(struct scan *sc, const char *sql, const char *kind, int name_cols, int text_col,
		       unsigned flags)
{
	PGresult *res = pf_query(sc->pf, sc->pf->src, "syntax.gp4x", sql);
	const struct plan *p = sc->pf->plan;
	for (int r = 0; res && r < PQntuples(res); r++) {
		/* the plan's selection applies to functions and views by schema.name too */
		if (p && !plan_selects(p, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1)))
			continue;
		char *q = db_qualify(sc->pf->src, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		char *name = name_cols == 3 ? xasprintf("%s(%s)", q, PQgetvalue(res, r, 2)) : xstrdup(q);
		const char *text = PQgetvalue(res, r, text_col);
		if (name_cols == 3) {
			/* a function: its body, and its language (plpythonu) */
			char *both = xasprintf("%s\nLANGUAGE %s", text, PQgetvalue(res, r, 3));
			scan_text(sc, kind, name, both, flags);
			free(both);
		} else {
			scan_text(sc, kind, name, text, flags);
		}
		free(name);
		free(q);
	}
	PQclear(res);
}

/* Table and column names that became reserved words (reference 5.11). */
static void scan_names(struct scan *sc)
{
	static const struct gp4x_rule reserved = { "reserved_word",
		"a name that is a reserved word in Greenplum 6", "double-quote it everywhere", GP4X_TO_GP6 };
	for (size_t i = 0; i < sc->pf->tables.n; i++) {
		const struct table *t = &sc->pf->tables.items[i];
		if (gp4x_newly_reserved(t->name)) {
			char *o = xasprintf("table %s: reserved_word", t->qualified);
			sc->objects = strv_push(sc->objects, o);
			free(o);
			note_rule(sc, &reserved);
		}
		for (size_t c = 0; c < t->ncols; c++) {
			if (!gp4x_newly_reserved(t->cols[c].name))
				continue;
			char *o = xasprintf("column %s.%s: reserved_word", t->qualified, t->cols[c].name);
			sc->objects = strv_push(sc->objects, o);
			free(o);
			note_rule(sc, &reserved);
		}
	}
}

static void scan_distkeys(struct scan *sc)
{
	static const struct gp4x_rule distkey = { "distkey_type",
		"a distribution key of type money, abstime, reltime, tinterval or anyarray",
		"distribute by another column (ALTER TABLE ... SET DISTRIBUTED BY)", GP4X_TO_GP6 };
	if (!pf_visible(sc->pf->src, "gp_distribution_policy"))
		return;
	PGresult *res = pf_query(sc->pf, sc->pf->src, "syntax.gp4x", SQL_DISTKEY_TYPES_GP4);
	for (int r = 0; res && r < PQntuples(res); r++) {
		if (sc->pf->plan && !plan_selects(sc->pf->plan, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1)))
			continue;
		char *q = db_qualify(sc->pf->src, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		char *o = xasprintf("table %s: distkey_type (%s %s)", q, PQgetvalue(res, r, 2),
				    PQgetvalue(res, r, 3));
		sc->objects = strv_push(sc->objects, o);
		free(o);
		free(q);
		note_rule(sc, &distkey);
	}
	PQclear(res);
}

void check_syntax(struct pf *pf)
{
	const char *id = "syntax.gp4x";
	struct scan sc;
	memset(&sc, 0, sizeof sc);
	sc.pf = pf;
	sc.targets = pf_syntax_targets(pf);
	if (!sc.targets) {
		pf_add(pf, id, SEV_OK, "No Greenplum 4.x syntax to look for",
		       xstrdup("The source and destination versions share their syntax rules."), NULL, NULL);
		return;
	}
	size_t before = pf->out->n;
	scan_query(&sc, SQL_FUNCTION_BODIES, "function", 3, 4, 0);
	scan_query(&sc, SQL_VIEW_DEFINITIONS, "view", 2, 2, 0);
	scan_query(&sc, pf->sf.pg_major < 12 ? SQL_STORAGE_OPTIONS_OLD : SQL_STORAGE_OPTIONS,
		   "table", 2, 2, GP4X_NOT_SQL);
	if (pf->sf.has_relstorage && pf_visible(pf->src, "pg_exttable"))
		scan_query(&sc, pf->sf.gp_major < 6 ? SQL_EXTERNAL_GP4 : SQL_EXTERNAL_GP6,
			   "external table", 2, 2, GP4X_NOT_SQL);
	if (sc.targets & GP4X_TO_GP6) {
		scan_names(&sc);
		if (pf->sf.gp_major < 6)
			scan_distkeys(&sc);
	}
	if (!sc.objects && pf->out->n > before)
		return;   /* a query failed and said so: do not claim the source is clean */
	const char *to = (sc.targets & GP4X_TO_GP6) && (sc.targets & GP4X_TO_GP7) ? "Greenplum 6 and 7"
		       : (sc.targets & GP4X_TO_GP6) ? "Greenplum 6" : "Greenplum 7 / PostgreSQL 12";
	if (!sc.objects) {
		pf_add(pf, id, SEV_OK, "No incompatible syntax found",
		       xasprintf("Function bodies, views, storage options and names checked against the "
				 "rules for %s.", to), NULL, NULL);
		return;
	}
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "%zu objects use constructs rejected by %s:", strv_len(sc.objects), to);
	for (size_t i = 0; i < sc.nrules; i++)
		strbuf_printf(&sb, "\n  %s: %s -> %s", sc.rules[i]->id, sc.rules[i]->what, sc.rules[i]->fix);
	pf_add(pf, id, SEV_WARN, "Objects use syntax the destination rejects", strbuf_finish(&sb),
	       "Rewrite these objects on the source or fix them in the dumped DDL before applying it "
	       "(gp2adb schema reports each object that fails).", sc.objects);
}
