/* schema_scan: what in the source's DDL will break on the destination.
 * Greenplum 4.x/5 syntax and objects that 6/7 reject (reference/greenplum.md
 * 5) and what ADB's privileged account may not do (4.6).  Each finding names
 * the object, the line in the dump, the problem and the fix. */
#include "schema.h"
#include "schema_tokens.h"
#include "mem.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const struct schema_items *items;
	const struct schema_dest *dst;
	struct schema_findings *out;
	const struct schema_item *it;   /* the item being scanned */
	char **reported;        /* "id|subject" already reported once */
	char **random_tables;   /* tables DISTRIBUTED RANDOMLY */
};

static void add(struct scan *sc, const char *id, const char *subject, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* One finding per (id, subject), where the subject defaults to the object:
 * a missing role is named once, not per grant. */
static void add(struct scan *sc, const char *id, const char *subject, const char *fix, const char *fmt, ...)
{
	char *once = xasprintf("%s|%s", id, subject ? subject : sc->it->key);
	for (size_t i = 0; sc->reported && sc->reported[i]; i++) {
		if (strcmp(sc->reported[i], once) == 0) {
			free(once);
			return;
		}
	}
	sc->reported = strv_push(sc->reported, once);
	free(once);
	struct schema_findings *f = sc->out;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	struct schema_finding *x = &f->v[f->n++];
	va_list ap;
	va_start(ap, fmt);
	char buf[600];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	x->id = id;
	x->object = xasprintf("%s %s", sc->it->kind, sc->it->name);
	x->line = sc->it->line;
	x->problem = xstrdup(buf);
	x->fix = xstrdup(fix);
}

static bool kw_seq(const struct toks *tl, size_t i, const char *a, const char *b, const char *c)
{
	return toks_kw(tl, i, a) && (!b || toks_kw(tl, i + 1, b)) && (!c || toks_kw(tl, i + 2, c));
}

/* Words and strings of Greenplum 4.x that 6 and ADB no longer accept. */
static void scan_words(struct scan *sc, const struct toks *tl, bool in_body)
{
	char w[64];
	bool activity = false;
	for (size_t i = 0; i < tl->n; i++)
		if (toks_kw(tl, i, "pg_stat_activity"))
			activity = true;
	const struct flavor *df = sc->dst ? &sc->dst->flavor : NULL;
	bool dst_v7 = df && (df->gp_major >= 7 || (df->gp_major == 0 && df->pg_major >= 12));
	for (size_t i = 0; i < tl->n; i++) {
		const struct sqltok *t = &tl->t[i];
		if (t->kind == TOK_STRING || t->kind == TOK_DOLLAR) {
			char *text = sqltok_text(tl->s, t);
			if (strstr(text, "gphdfs://"))
				add(sc, "gp4-gphdfs", NULL, "read and write HDFS through PXF (pxf://...) instead",
				    "uses the gphdfs:// protocol, which Greenplum 6 removed");
			if (t->kind == TOK_DOLLAR || (in_body && t->kind == TOK_STRING)) {
				struct toks body;
				toks_build(&body, text, strlen(text), true);
				if (!in_body)
					scan_words(sc, &body, true);
				toks_done(&body);
			}
			free(text);
			continue;
		}
		toks_word(tl, i, w, sizeof w);
		if (!w[0])
			continue;
		char per_word[400];        /* once per object and word */
		snprintf(per_word, sizeof per_word, "%s|%s", sc->it->key, w);
		if (kw_seq(tl, i, "log", "errors", "into"))
			add(sc, "gp4-log-errors-into", NULL,
			    "write LOG ERRORS [SEGMENT REJECT LIMIT n] without INTO and read the errors with gp_read_error_log()",
			    "LOG ERRORS INTO <error table> is not supported since Greenplum 5");
		else if (activity && (strcmp(w, "procpid") == 0 || strcmp(w, "current_query") == 0))
			add(sc, "gp4-stat-activity", per_word, "use pg_stat_activity.pid, and state plus query",
			    "reads pg_stat_activity.%s, which Greenplum 6 renamed", w);
		else if (strcmp(w, "reltoastidxid") == 0 || strcmp(w, "attrnums") == 0 ||
			 strcmp(w, "pg_filespace") == 0 || strcmp(w, "pg_filespace_entry") == 0 ||
			 strcmp(w, "__gp_localid") == 0 || strcmp(w, "__gp_masterid") == 0)
			add(sc, "gp4-catalog", per_word,
			    "rewrite against the Greenplum 6 catalog (gp_distribution_policy.distkey; filespaces are gone)",
			    "references %s, which Greenplum 6 removed", w);
		else if (dst_v7 && (strcmp(w, "pg_partitions") == 0 || strcmp(w, "relstorage") == 0 ||
				    strcmp(w, "proisagg") == 0 || strcmp(w, "proiswindow") == 0))
			add(sc, "v7-catalog", NULL, "rewrite against the version 7 catalog (prokind, pg_partitioned_table, pg_am)",
			    "references %s, which the destination's catalog no longer has", w);
		else if ((strcmp(w, "string_agg") == 0 || strcmp(w, "to_timestamp") == 0) && toks_op(tl, i + 1, '(')) {
			size_t j = i + 1;
			char *args = toks_parens(tl, &j, false);
			int depth = 0, commas = 0;
			for (char *p = args; *p; p++) {
				depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
				commas += depth == 1 && *p == ',';
			}
			free(args);
			if (commas == 0 && strcmp(w, "string_agg") == 0)
				add(sc, "gp4-string-agg", NULL, "pass the delimiter: string_agg(expr, '')",
				    "calls string_agg() with one argument, which Greenplum 6 removed");
			else if (commas == 0)
				add(sc, "gp4-to-timestamp", NULL, "give the format: to_timestamp(text, 'YYYYMMDDHH24MISS')",
				    "calls to_timestamp() without a format, which fails on Greenplum 6");
		} else if (strcmp(w, "filespace") == 0) {
			add(sc, "gp4-filespace", NULL, "drop the FILESPACE clause: Greenplum 6 and ADB have no filespaces",
			    "uses FILESPACE, which Greenplum 6 removed");
		} else if (strcmp(w, "orafunc") == 0 || strcmp(w, "feature_extractor") == 0 || strcmp(w, "varbitx") == 0) {
			add(sc, "gp4-extension", w,
			    strcmp(w, "orafunc") == 0 ? "use the orafce extension instead" : "remove it or find a replacement",
			    "uses %s, which is not available on Greenplum 6 or ADB", w);
		} else if (strcmp(w, "quicklz") == 0) {
			add(sc, "quicklz", NULL, "use compresstype=zstd (or zlib)",
			    "uses compresstype=quicklz, which open-source Greenplum 6 and version 7 do not have");
		} else if (dst_v7 && strcmp(w, "oids") == 0 && (toks_kw(tl, i - 1, "with") || toks_op(tl, i + 1, '='))) {
			add(sc, "v7-oids", NULL, "drop WITH (OIDS): tables with OIDs are gone since PostgreSQL 12",
			    "creates a table WITH OIDS");
		} else if (df && !df->has_abstime_types &&
			   (strcmp(w, "abstime") == 0 || strcmp(w, "reltime") == 0 || strcmp(w, "tinterval") == 0)) {
			add(sc, "v7-abstime", NULL, "use timestamp with time zone or interval instead",
			    "uses the type %s, which the destination does not have", w);
		}
	}
}

/* A CREATE TABLE's column definitions: "name type" pairs at depth 1. */
static void scan_create_table(struct scan *sc, const struct toks *tl)
{
	size_t open = 0;
	while (open < tl->n && !toks_op(tl, open, '('))
		open++;
	char **cols = NULL;     /* "name\ttype" */
	int depth = 0;
	bool at_col = false;
	for (size_t i = open; i < tl->n; i++) {
		if (toks_op(tl, i, '(')) {
			if (++depth == 1)
				at_col = true;
			continue;
		}
		if (toks_op(tl, i, ')')) {
			if (--depth == 0)
				break;
			continue;
		}
		if (depth == 1 && toks_op(tl, i, ',')) {
			at_col = true;
			continue;
		}
		if (!at_col || depth != 1)
			continue;
		at_col = false;
		static const char *const not_cols[] = { "constraint", "primary", "unique", "check", "foreign",
			"exclude", "like", NULL };
		bool col = tl->t[i].kind == TOK_QIDENT || tl->t[i].kind == TOK_WORD;
		for (int k = 0; col && not_cols[k]; k++)
			if (toks_kw(tl, i, not_cols[k]))
				col = false;
		if (!col)
			continue;
		char *name = sqltok_text(tl->s, &tl->t[i]);
		char type[64];
		toks_word(tl, i + 1, type, sizeof type);
		char *pair = xasprintf("%s\t%s", name, type);
		cols = strv_push(cols, pair);
		free(pair);
		static const char *const reserved6[] = { "collation", "concurrently", "lateral", "reindex",
			"variadic", NULL };
		for (int k = 0; reserved6[k] && tl->t[i].kind == TOK_WORD; k++)
			if (strcmp(name, reserved6[k]) == 0)
				add(sc, "gp4-keyword", NULL, "quote the column name (\"name\") here and in every query",
				    "column %s is a reserved word in Greenplum 6", name);
		if (strcmp(type, "unknown") == 0)
			add(sc, "gp4-unknown-type", NULL, "give the column a real type (text)",
			    "column %s has type unknown, which Greenplum 6 does not allow", name);
		free(name);
	}
	size_t d = toks_find_kw(tl, 0, "distributed");
	if (d < tl->n && toks_kw(tl, d + 1, "randomly")) {
		sc->random_tables = strv_push(sc->random_tables, sc->it->name);
		/* a PRIMARY KEY or UNIQUE inside the column list */
		for (size_t i = open; i < d; i++) {
			if (toks_kw(tl, i, "primary") || toks_kw(tl, i, "unique")) {
				add(sc, "gp-random-unique", NULL,
				    "distribute the table by the key's columns (DISTRIBUTED BY (...)) or drop the key",
				    "a DISTRIBUTED RANDOMLY table cannot have a primary key or unique constraint");
				break;
			}
		}
	} else if (d < tl->n && toks_kw(tl, d + 1, "by")) {
		size_t j = d + 2;
		char *keys = toks_parens(tl, &j, false);
		for (size_t c = 0; cols && cols[c]; c++) {
			char *tab = strchr(cols[c], '\t');
			*tab = '\0';
			static const char *const bad[] = { "money", "abstime", "reltime", "tinterval", "anyarray", NULL };
			for (int k = 0; bad[k]; k++) {
				char *q = xasprintf("(%s", cols[c]), *m = xasprintf(" %s", cols[c]);
				bool in_key = strstr(keys, q) || strstr(keys, m);
				if (in_key && strcmp(tab + 1, bad[k]) == 0)
					add(sc, "gp4-distkey-type", NULL, "distribute by another column or cast the column",
					    "distribution key column %s has type %s, which Greenplum 6 does not allow",
					    cols[c], bad[k]);
				free(q);
				free(m);
			}
		}
		free(keys);
	}
	strv_free(cols);
}

/* ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY|UNIQUE on a table created
 * DISTRIBUTED RANDOMLY earlier in the dump. */
static void scan_constraint(struct scan *sc, const struct toks *tl)
{
	if (toks_find_kw(tl, 0, "primary") == tl->n && toks_find_kw(tl, 0, "unique") == tl->n)
		return;
	const char *on = strstr(sc->it->name, " on ");
	if (on && strv_contains(sc->random_tables, on + 4))
		add(sc, "gp-random-unique", NULL,
		    "distribute the table by the key's columns (DISTRIBUTED BY (...)) or drop the key",
		    "a DISTRIBUTED RANDOMLY table cannot have a primary key or unique constraint");
}

static const char *const untrusted[] = { "c", "internal", "plpythonu", "plpython2u", "plpython3u",
	"plperlu", "pltclu", "plr", "plsh", NULL };

/* What the destination account may not do (4.6), and roles it lacks. */
static void scan_destination(struct scan *sc, const struct toks *tl)
{
	const struct schema_dest *d = sc->dst;
	char w[64];
	for (size_t i = 0; i + 1 < tl->n; i++) {
		/* roles named by OWNER TO, GRANT ... TO, REVOKE ... FROM, AUTHORIZATION, FOR ROLE */
		bool names_role = (toks_kw(tl, i, "owner") && toks_kw(tl, i + 1, "to") && (i += 1, true)) ||
				  (toks_kw(tl, i, "to") && toks_kw(tl, 0, "grant")) ||
				  (toks_kw(tl, i, "from") && toks_kw(tl, 0, "revoke")) ||
				  toks_kw(tl, i, "authorization") ||
				  (toks_kw(tl, i, "for") && (toks_kw(tl, i + 1, "role") || toks_kw(tl, i + 1, "user")) && (i += 1, true));
		for (size_t j = i + 1; names_role && j < tl->n; j += 2) {
			if (tl->t[j].kind != TOK_WORD && tl->t[j].kind != TOK_QIDENT)
				break;
			char *role = sqltok_text(tl->s, &tl->t[j]);
			if (strcmp(role, "public") && strcmp(role, "current_user") && strcmp(role, "session_user") &&
			    strcmp(role, "current_role") && !strv_contains(d->roles, role)) {
				char fix[200];
				snprintf(fix, sizeof fix, "create the role on the destination first (CREATE ROLE %.60s;) "
					 "or change the owner and grants to an existing role", role);
				add(sc, "dst-missing-role", role, fix,
				    "role %s does not exist on the destination", role);
			}
			free(role);
			if (!toks_op(tl, j + 1, ','))
				break;
		}
	}
	if (d->superuser)
		return;
	const char *k = sc->it->kind;
	if (strcmp(k, "FUNCTION") == 0 || strcmp(k, "PROCEDURE") == 0 || strcmp(k, "LANGUAGE") == 0) {
		size_t l = toks_find_kw(tl, 0, "language");
		char *lang = l + 1 < tl->n ? sqltok_text(tl->s, &tl->t[l + 1]) : NULL;
		if (lang && strv_contains((char **)untrusted, lang))
			add(sc, "dst-untrusted-language", NULL,
			    "rewrite it in a trusted language (plpgsql, sql) or ask the provider to create it",
			    "language %s needs a superuser, and the destination account is not one", lang);
		free(lang);
	}
	for (size_t i = 0; i < tl->n; i++) {
		toks_word(tl, i, w, sizeof w);
		if ((strcmp(w, "superuser") == 0 && (toks_kw(tl, 0, "alter") || toks_kw(tl, 0, "create")) &&
		     (toks_kw(tl, 1, "role") || toks_kw(tl, 1, "user"))))
			add(sc, "dst-superuser-role", NULL, "drop SUPERUSER: on ADB use a privileged account (RDS_SUPERUSER)",
			    "makes a role SUPERUSER, which the destination does not allow");
		if (strcmp(w, "set") == 0 && i + 1 < tl->n) {
			size_t j = i + 1;
			if (toks_kw(tl, j, "session") || toks_kw(tl, j, "local"))
				j++;
			char name[64];
			toks_word(tl, j, name, sizeof name);
			if (name[0] && strv_contains(d->su_settings, name))
				add(sc, "dst-superuser-setting", name, "remove the setting, or ask the provider to set it",
				    "sets %s, which only a superuser may change", name);
		}
	}
	if (strncmp(k, "EXTERNAL", 8) == 0 && (toks_find_kw(tl, 0, "execute") < tl->n))
		add(sc, "dst-external-execute", NULL, "load the data another way (gp2adb copy, OSS)",
		    "an EXECUTE external table runs commands on the server, which needs a superuser");
}

void schema_scan(const struct schema_items *items, const struct schema_dest *dst,
		 struct schema_findings *out)
{
	memset(out, 0, sizeof *out);
	struct scan sc = { .items = items, .dst = dst, .out = out };
	for (size_t k = 0; k < items->n; k++) {
		const struct schema_item *it = &items->v[k];
		sc.it = it;
		struct toks tl;
		toks_build(&tl, it->sql, strlen(it->sql), it->std_strings);
		if (it->role == ITEM_SESSION) {
			if (toks_kw(&tl, 1, "allow_system_table_mods"))
				add(&sc, "gp4-system-table-mods", NULL, "remove it: the setting is a boolean now and needs a superuser",
				    "sets allow_system_table_mods");
			char name[64];
			toks_word(&tl, 1, name, sizeof name);
			if (dst && name[0] && toks_kw(&tl, 0, "set") && !strchr(name, '.') && !strv_contains(dst->settings, name))
				add(&sc, "dst-unknown-setting", name, "nothing to do: gp2adb goes on without it",
				    "the destination does not know the setting %s", name);
			if (dst)
				scan_destination(&sc, &tl);
			toks_done(&tl);
			continue;
		}
		if (it->role != ITEM_OBJECT) {
			toks_done(&tl);
			continue;
		}
		scan_words(&sc, &tl, false);
		if (strcmp(it->kind, "TABLE") == 0 || strncmp(it->kind, "EXTERNAL", 8) == 0)
			scan_create_table(&sc, &tl);
		if (strcmp(it->kind, "CONSTRAINT") == 0)
			scan_constraint(&sc, &tl);
		if (strcmp(it->kind, "RESOURCE QUEUE") == 0)
			add(&sc, "gp-resource-queue", NULL, "leave resource management to ADB: drop the statement",
			    "resource queues are not migrated; the destination manages resources itself");
		if (dst)
			scan_destination(&sc, &tl);
		toks_done(&tl);
	}
	strv_free(sc.reported);
	strv_free(sc.random_tables);
}

void schema_findings_free(struct schema_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].object);
		free(f->v[i].problem);
		free(f->v[i].fix);
	}
	free(f->v);
	memset(f, 0, sizeof *f);
}
