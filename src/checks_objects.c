/* Checks about objects the destination must provide: extensions, custom
 * libraries and C functions, and column types it removed. */
#include "preflight_int.h"
#include "catalog_sql.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_EXTENSIONS[] =
	"SELECT extname, extversion FROM pg_extension ORDER BY extname";

static const char SQL_AVAILABLE_EXTENSIONS[] =
	"SELECT name FROM pg_available_extensions";

/* ADB's CREATE LIBRARY catalog (reference 3.11); its columns differ between
 * products, so the caller picks "name" by column name. */
static const char SQL_LIBRARIES[] =
	"SELECT * FROM pg_library";

/* Functions in C or another untrusted language, outside extensions (those
 * are extensions.missing's business).  oidvectortypes() exists on 8.2. */
static const char SQL_UNTRUSTED_FUNCTIONS[] =
	"SELECT n.nspname, p.proname, oidvectortypes(p.proargtypes) AS args, l.lanname,\n"
	"       coalesce(p.probin, '') AS probin\n"
	"FROM pg_proc p\n"
	"JOIN pg_namespace n ON n.oid = p.pronamespace\n"
	"JOIN pg_language l ON l.oid = p.prolang\n"
	"WHERE NOT l.lanpltrusted AND l.lanname <> 'internal' AND " CATALOG_USER_SCHEMAS "\n"
	"  AND NOT EXISTS (SELECT 1 FROM pg_depend d\n"
	"                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid\n"
	"                    AND d.deptype = 'e')\n"
	"ORDER BY 1, 2, 3";

static const char SQL_LANGUAGES[] =
	"SELECT lanname FROM pg_language";

/* Extensions that come with the server, not with the user's schema. */
static bool builtin_extension(const char *name)
{
	static const char *const builtin[] = { "plpgsql", "gp_toolkit", "gp_exttable_fdw", NULL };
	for (int i = 0; builtin[i]; i++)
		if (strcmp(name, builtin[i]) == 0)
			return true;
	return false;
}

static bool result_has(PGresult *res, int col, const char *value)
{
	for (int r = 0; res && r < PQntuples(res); r++)
		if (strcmp(PQgetvalue(res, r, col), value) == 0)
			return true;
	return false;
}

void check_extensions(struct pf *pf)
{
	const char *id = "extensions.missing";
	if (!pf->sf.has_pg_extension || !pf_visible(pf->src, "pg_extension")) {
		pf_add(pf, id, SEV_INFO, "The source has no extension catalog",
		       xstrdup("Greenplum 4.3 installs contrib modules with scripts, not CREATE EXTENSION: "
			       "see libraries.custom for the C functions they left behind."), NULL, NULL);
		return;
	}
	if (!pf->dst)
		return;
	PGresult *src = pf_query(pf, pf->src, id, SQL_EXTENSIONS);
	if (!src)
		return;
	PGresult *dst = pf_query(pf, pf->dst, id, SQL_EXTENSIONS);
	PGresult *avail = dst && pf_visible(pf->dst, "pg_available_extensions")
		? pf_query(pf, pf->dst, id, SQL_AVAILABLE_EXTENSIONS) : NULL;
	if (!dst) {
		PQclear(src);
		return;
	}
	char **objects = NULL;
	struct strbuf creatable, absent;
	strbuf_init(&creatable);
	strbuf_init(&absent);
	for (int r = 0; r < PQntuples(src); r++) {
		const char *name = PQgetvalue(src, r, 0);
		if (builtin_extension(name) || result_has(dst, 0, name))
			continue;
		objects = strv_push(objects, name);
		if (avail && result_has(avail, 0, name))
			strbuf_printf(&creatable, "%s%s", creatable.len ? ", " : "", name);
		else
			strbuf_printf(&absent, "%s%s", absent.len ? ", " : "", name);
	}
	if (!objects)
		pf_add(pf, id, SEV_OK, "Every source extension is installed on the destination",
		       xasprintf("%d extensions checked.", PQntuples(src)), NULL, NULL);
	else if (absent.len)
		pf_add(pf, id, SEV_FAIL, "Source extensions the destination does not offer",
		       xasprintf("Not available on the destination: %s.%s%s%s", absent.data,
				 creatable.len ? "\nAvailable but not installed: " : "", creatable.data,
				 creatable.len ? "." : ""),
		       "Objects that use them will fail to create. Find a replacement (e.g. orafunc -> "
		       "orafce) or open a ticket to have them installed on ADB.", objects);
	else
		pf_add(pf, id, SEV_WARN, "Source extensions not installed on the destination",
		       xasprintf("Available but not installed: %s.", creatable.data),
		       "Create them on the destination before the schema (CREATE EXTENSION name); on ADB "
		       "6.3.8.9 and later this takes a support ticket.", objects);
	strbuf_done(&creatable);
	strbuf_done(&absent);
	PQclear(src);
	PQclear(dst);
	PQclear(avail);
}

void check_libraries(struct pf *pf)
{
	const char *id = "libraries.custom";
	char **objects = NULL;
	struct strbuf detail;
	strbuf_init(&detail);

	if (pf_visible(pf->src, "pg_library")) {
		PGresult *res = pf_query(pf, pf->src, id, SQL_LIBRARIES);
		if (!res)
			goto out;
		int col = PQfnumber(res, "name");
		for (int r = 0; r < PQntuples(res); r++) {
			char *o = xasprintf("library %s", col >= 0 ? PQgetvalue(res, r, col) : "?");
			objects = strv_push(objects, o);
			free(o);
		}
		if (PQntuples(res) > 0)
			strbuf_printf(&detail, "%d libraries in pg_library (CREATE LIBRARY jars).\n", PQntuples(res));
		PQclear(res);
	}

	PGresult *fn = pf_query(pf, pf->src, id, SQL_UNTRUSTED_FUNCTIONS);
	if (!fn)
		goto out;
	PGresult *langs = pf->dst ? pf_query(pf, pf->dst, id, SQL_LANGUAGES) : NULL;
	char **libs = NULL, **missing_langs = NULL;
	for (int r = 0; r < PQntuples(fn); r++) {
		const char *lang = PQgetvalue(fn, r, 3), *bin = PQgetvalue(fn, r, 4);
		if (pf->plan && !plan_selects(pf->plan, PQgetvalue(fn, r, 0), PQgetvalue(fn, r, 1)))
			continue;
		char *q = db_qualify(pf->src, PQgetvalue(fn, r, 0), PQgetvalue(fn, r, 1));
		char *o = strcmp(lang, "c") == 0 && bin[0]
			? xasprintf("function %s(%s) [%s]", q, PQgetvalue(fn, r, 2), bin)
			: xasprintf("function %s(%s) [language %s]", q, PQgetvalue(fn, r, 2), lang);
		objects = strv_push(objects, o);
		free(o);
		free(q);
		if (strcmp(lang, "c") == 0 && bin[0]) {
			bool seen = false;
			for (size_t i = 0; libs && libs[i]; i++)
				seen |= strcmp(libs[i], bin) == 0;
			if (!seen)
				libs = strv_push(libs, bin);
		} else if (langs && !result_has(langs, 0, lang)) {
			bool seen = false;
			for (size_t i = 0; missing_langs && missing_langs[i]; i++)
				seen |= strcmp(missing_langs[i], lang) == 0;
			if (!seen)
				missing_langs = strv_push(missing_langs, lang);
		}
	}
	if (libs) {
		strbuf_puts(&detail, "Shared libraries the C functions load: ");
		pf_list(&detail, libs, 20);
		strbuf_puts(&detail, ".\n");
	}
	if (missing_langs) {
		strbuf_puts(&detail, "Languages the destination does not have: ");
		pf_list(&detail, missing_langs, 20);
		strbuf_puts(&detail, ".\n");
	}
	strv_free(libs);
	strv_free(missing_langs);
	PQclear(fn);
	PQclear(langs);
out:
	if (objects) {
		if (detail.len && detail.data[detail.len - 1] == '\n')
			detail.data[--detail.len] = '\0';
		pf_add(pf, id, SEV_WARN, "Custom libraries and untrusted-language functions",
		       strbuf_finish(&detail),
		       "Each needs its shared library or language on the destination; ADB grants no "
		       "superuser, so untrusted languages and custom C code need a support ticket or a "
		       "rewrite (e.g. in PL/pgSQL).", objects);
	} else {
		strbuf_done(&detail);
		pf_add(pf, id, SEV_OK, "No custom libraries or C functions",
		       xstrdup("No pg_library entries and no functions in C or untrusted languages outside "
			       "extensions."), NULL, NULL);
	}
}

void check_types_removed(struct pf *pf)
{
	const char *id = "types.removed";
	/* abstime, reltime, tinterval are gone from PostgreSQL 12 / Greenplum 7
	 * (reference 5, "Extra items if the target is ADB V7"). */
	if (!pf->dst || pf->df.has_abstime_types) {
		pf_add(pf, id, SEV_OK, "The destination keeps the old time types",
		       xstrdup(pf->dst ? "abstime, reltime and tinterval exist on the destination."
				       : "The destination was not reached."), NULL, NULL);
		return;
	}
	char **objects = NULL;
	for (size_t i = 0; i < pf->tables.n; i++) {
		const struct table *t = &pf->tables.items[i];
		for (size_t c = 0; c < t->ncols; c++) {
			const char *ty = t->cols[c].typname;
			if (ty[0] == '_')
				ty++;
			if (strcmp(ty, "abstime") && strcmp(ty, "reltime") && strcmp(ty, "tinterval"))
				continue;
			char *o = xasprintf("%s.%s (%s)", t->qualified, t->cols[c].name, t->cols[c].type);
			objects = strv_push(objects, o);
			free(o);
		}
	}
	if (objects)
		pf_add(pf, id, SEV_FAIL, "Columns of types the destination removed",
		       xasprintf("%zu columns use abstime, reltime or tinterval, which the destination "
				 "(PostgreSQL 12+ / Greenplum 7) no longer has.", strv_len(objects)),
		       "Change them on the source first (ALTER TABLE ... TYPE timestamptz / interval), "
		       "or create the tables on the destination with new types and copy with a cast.",
		       objects);
	else
		pf_add(pf, id, SEV_OK, "No columns of removed types",
		       xstrdup("No abstime, reltime or tinterval columns."), NULL, NULL);
}
