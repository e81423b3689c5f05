/* drop_deps: what a DROP TABLE ... CASCADE of the run's tables would take
 * on the destination, matched against the source's dump; the pending list
 * of what is to be recreated (gp2adb.drop_pending). */
#include "drop_deps.h"
#include "log.h"
#include "mem.h"
#include "schema_tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the drop of each root reaches through pg_depend, as the server
 * decides what CASCADE takes: objects that depend on a dropped one
 * (normally, automatically, internally, or as a partition), and the owner
 * of an object that is internal to it (a view for its rule); a column's
 * dependents only through that column.  Each object with the relation it
 * belongs to (a table for its index, constraint, rule, trigger, default,
 * row type, sequence), named as the destination names it.
 * (Greenplum runs WITH RECURSIVE only with gp_recursive_cte on, its default
 * from 6; the caller sets it there, as Greenplum's own pg_dump does.) */
/* The tables' names as the destination resolves them (PostgreSQL 9.6+ and
 * Greenplum 7 take to_regclass(text); 9.4 and 9.5, Greenplum 6, cstring). */
static const char RESOLVE_SQL[] = "SELECT to_regclass(r)::oid FROM unnest($1::text[]) AS r";
static const char RESOLVE_SQL_94[] = "SELECT to_regclass(r::cstring)::oid FROM unnest($1::text[]) AS r";

static const char DEPS_SQL[] =
	"WITH RECURSIVE doomed(root, classid, objid, objsubid) AS (\n"
	"    SELECT c.oid, 'pg_class'::regclass::oid, c.oid, 0\n"
	"    FROM pg_class c\n"
	"    WHERE c.oid = ANY ($1::oid[])\n"
	"  UNION\n"
	"    SELECT x.root,\n"
	"           CASE WHEN up THEN d.refclassid ELSE d.classid END,\n"
	"           CASE WHEN up THEN d.refobjid ELSE d.objid END,\n"
	"           CASE WHEN up THEN 0 ELSE d.objsubid END\n"
	"    FROM doomed x\n"
	"    JOIN (SELECT *, false AS up FROM pg_depend WHERE deptype IN ('n', 'a', 'i', 'P', 'S')\n"
	"          UNION ALL\n"
	"          SELECT *, true AS up FROM pg_depend WHERE deptype = 'i') d\n"
	"      ON (NOT d.up AND d.refclassid = x.classid AND d.refobjid = x.objid\n"
	"          AND (x.objsubid = 0 OR d.refobjsubid = x.objsubid))\n"
	"      OR (d.up AND d.classid = x.classid AND d.objid = x.objid)\n"
	"),\n"
	"owned1 AS (\n"
	"    SELECT x.*, c.relkind,\n"
	"           CASE WHEN c.relkind IN ('r', 'p', 'f', 'v', 'm') THEN x.objid\n"
	"                WHEN c.relkind IN ('i', 'I') THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = x.objid)\n"
	"                WHEN x.classid = 'pg_type'::regclass THEN\n"
	"                     (SELECT coalesce(nullif(t.typrelid, 0), nullif(e.typrelid, 0))\n"
	"                      FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem WHERE t.oid = x.objid)\n"
	"                WHEN x.classid = 'pg_constraint'::regclass THEN\n"
	"                     (SELECT nullif(k.conrelid, 0) FROM pg_constraint k WHERE k.oid = x.objid)\n"
	"                WHEN x.classid = 'pg_rewrite'::regclass THEN\n"
	"                     (SELECT w.ev_class FROM pg_rewrite w WHERE w.oid = x.objid)\n"
	"                WHEN x.classid = 'pg_trigger'::regclass THEN\n"
	"                     (SELECT g.tgrelid FROM pg_trigger g WHERE g.oid = x.objid)\n"
	"                WHEN x.classid = 'pg_attrdef'::regclass THEN\n"
	"                     (SELECT a.adrelid FROM pg_attrdef a WHERE a.oid = x.objid)\n"
	"                ELSE (SELECT d.refobjid FROM pg_depend d\n"
	"                      WHERE d.classid = x.classid AND d.objid = x.objid\n"
	"                        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1)\n"
	"           END AS owner1\n"
	"    FROM doomed x\n"
	"    LEFT JOIN pg_class c ON x.classid = 'pg_class'::regclass AND c.oid = x.objid\n"
	"),\n"
	/* what is not a table or view itself (a TOAST table, Greenplum's
	 * append-optimized auxiliary tables) belongs to the one it serves */
	"owned AS (\n"
	"    SELECT o.*,\n"
	"           CASE WHEN oc.relkind IN ('r', 'p', 'f', 'v', 'm') THEN o.owner1\n"
	"                ELSE (SELECT d.refobjid FROM pg_depend d\n"
	"                      WHERE d.classid = 'pg_class'::regclass AND d.objid = o.owner1\n"
	"                        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1)\n"
	"           END AS owner\n"
	"    FROM owned1 o\n"
	"    LEFT JOIN pg_class oc ON oc.oid = o.owner1\n"
	")\n"
	"SELECT DISTINCT ON (o.classid, o.objid, o.objsubid)\n"
	"       quote_ident(rn.nspname) || '.' || quote_ident(rc.relname) AS root,\n"
	"       CASE WHEN o.classid = 'pg_class'::regclass AND o.objsubid <> 0 THEN 'column'\n"
	"            WHEN o.relkind IN ('r', 'p') THEN 'table'\n"
	"            WHEN o.relkind = 'f' THEN 'foreign table'\n"
	"            WHEN o.relkind = 'v' THEN 'view'\n"
	"            WHEN o.relkind = 'm' THEN 'materialized view'\n"
	"            WHEN o.relkind IN ('i', 'I') THEN 'index'\n"
	"            WHEN o.classid = 'pg_constraint'::regclass AND oc.oid IS NOT NULL THEN\n"
	"                 CASE WHEN k.contype = 'f' THEN 'foreign key' ELSE 'constraint' END\n"
	"            WHEN o.classid = 'pg_rewrite'::regclass THEN 'rule'\n"
	"            WHEN o.classid = 'pg_trigger'::regclass THEN 'trigger'\n"
	"       END AS kind,\n"
	"       CASE WHEN o.classid = 'pg_class'::regclass AND o.relkind IS NOT NULL THEN\n"
	"                 quote_ident(cn.nspname) || '.' || quote_ident(c.relname)\n"
	"                 || CASE WHEN o.objsubid <> 0 THEN '.' || quote_ident(att.attname) ELSE '' END\n"
	"            WHEN o.classid = 'pg_constraint'::regclass AND oc.oid IS NOT NULL THEN\n"
	"                 quote_ident(k.conname) || ' on ' || quote_ident(onn.nspname) || '.' || quote_ident(oc.relname)\n"
	"            WHEN o.classid = 'pg_rewrite'::regclass THEN\n"
	"                 quote_ident(w.rulename) || ' on ' || quote_ident(onn.nspname) || '.' || quote_ident(oc.relname)\n"
	"            WHEN o.classid = 'pg_trigger'::regclass THEN\n"
	"                 quote_ident(tg.tgname) || ' on ' || quote_ident(onn.nspname) || '.' || quote_ident(oc.relname)\n"
	"            ELSE pg_describe_object(o.classid, o.objid, o.objsubid)\n"
	"       END AS name,\n"
	"       quote_ident(onn.nspname) || '.' || quote_ident(oc.relname) AS owner,\n"
	"       oc.relkind AS owner_kind\n"
	"FROM owned o\n"
	"JOIN pg_class rc ON rc.oid = o.root\n"
	"JOIN pg_namespace rn ON rn.oid = rc.relnamespace\n"
	"LEFT JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid\n"
	"LEFT JOIN pg_namespace cn ON cn.oid = c.relnamespace\n"
	"LEFT JOIN pg_attribute att ON o.classid = 'pg_class'::regclass AND att.attrelid = o.objid\n"
	"      AND att.attnum = o.objsubid\n"
	"LEFT JOIN pg_class oc ON oc.oid = o.owner\n"
	"LEFT JOIN pg_namespace onn ON onn.oid = oc.relnamespace\n"
	"LEFT JOIN pg_constraint k ON o.classid = 'pg_constraint'::regclass AND k.oid = o.objid\n"
	"LEFT JOIN pg_rewrite w ON o.classid = 'pg_rewrite'::regclass AND w.oid = o.objid\n"
	"LEFT JOIN pg_trigger tg ON o.classid = 'pg_trigger'::regclass AND tg.oid = o.objid\n"
	/* a part of another object (a view's rule, a foreign key's triggers, a
	 * table's row type) goes with it and is not named on its own */
	"WHERE NOT EXISTS (SELECT 1 FROM pg_depend i\n"
	"                  WHERE i.classid = o.classid AND i.objid = o.objid AND i.deptype = 'i')\n"
	"ORDER BY o.classid, o.objid, o.objsubid, rc.relname";

enum { COL_ROOT, COL_KIND, COL_NAME, COL_OWNER, COL_OWNER_KIND };

static const char PENDING_DDL[] =
	"CREATE SCHEMA IF NOT EXISTS gp2adb;\n"
	"CREATE TABLE IF NOT EXISTS gp2adb.drop_pending (\n"
	"    migration_id text NOT NULL,\n"
	"    object       text NOT NULL,\n"
	"    root         text NOT NULL,\n"
	"    position     int NOT NULL,\n"
	"    optional     boolean NOT NULL,\n"
	"    statement    text NOT NULL,\n"
	"    dropped_at   timestamptz NOT NULL DEFAULT now(),\n"
	"    PRIMARY KEY (migration_id, object, root, position)\n"
	")";

static const char PENDING_INSERT[] =
	"INSERT INTO gp2adb.drop_pending (migration_id, object, root, position, optional, statement)\n"
	"SELECT $1, $2, $3, $4::int, $5::boolean, $6\n"
	"WHERE NOT EXISTS (SELECT 1 FROM gp2adb.drop_pending\n"
	"                  WHERE migration_id = $1 AND object = $2 AND root = $3 AND position = $4::int)";

/* Each pending object's statements once (it may be recorded by the drops of
 * several tables), objects in the order of their first statement. */
static const char PENDING_LOAD[] =
	"SELECT p.object, p.root, p.position, p.optional, p.statement\n"
	"FROM (SELECT object, min(root) AS root, position, bool_or(optional) AS optional,\n"
	"             min(statement) AS statement\n"
	"      FROM gp2adb.drop_pending WHERE migration_id = $1\n"
	"      GROUP BY object, position) p\n"
	"JOIN (SELECT object, min(position) AS first\n"
	"      FROM gp2adb.drop_pending WHERE migration_id = $1\n"
	"      GROUP BY object) f ON f.object = p.object\n"
	"ORDER BY f.first, p.object, p.position";

static const char PENDING_FORGET[] =
	"DELETE FROM gp2adb.drop_pending WHERE migration_id = $1 AND object = $2";

bool drop_statement_optional(const char *kind)
{
	return strcmp(kind, "OWNER") == 0 || strcmp(kind, "ACL") == 0 || strcmp(kind, "COMMENT") == 0 ||
	       strcmp(kind, "SECURITY LABEL") == 0;
}

/* ---- matching the dump ---- */

/* The dump's items, their tags and targets as name keys, computed once. */
struct dump_index {
	const struct schema_items *ddl;
	char **tag, **target;   /* toks_name_key() of the name after "REL ", or NULL */
};

static char *rel_key(const char *tag)
{
	return tag && strncmp(tag, "REL ", 4) == 0 ? toks_name_key(tag + 4) : NULL;
}

static void dump_index_init(struct dump_index *x, const struct schema_items *ddl)
{
	x->ddl = ddl;
	x->tag = xcalloc(ddl->n + 1, sizeof *x->tag);
	x->target = xcalloc(ddl->n + 1, sizeof *x->target);
	for (size_t k = 0; k < ddl->n; k++) {
		if (ddl->v[k].role != ITEM_OBJECT)
			continue;
		x->tag[k] = rel_key(ddl->v[k].tag);
		x->target[k] = rel_key(ddl->v[k].target);
	}
}

static void dump_index_done(struct dump_index *x)
{
	for (size_t k = 0; k < x->ddl->n; k++) {
		free(x->tag[k]);
		free(x->target[k]);
	}
	free(x->tag);
	free(x->target);
}

static void push_item(struct drop_dep *d, size_t k)
{
	d->items = xrealloc(d->items, (d->nitems + 1) * sizeof *d->items);
	d->items[d->nitems++] = k;
}

static bool key_in(char **keys, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

/* A view or materialized view: its definition and all that attaches to it
 * or to what it defines (an index on it and the index's comment). */
static void match_relation(struct drop_dep *d, const struct dump_index *x, const char *name, const char *kind)
{
	char *want = toks_name_key(name);
	char **keys = NULL;
	size_t nkeys = 0;
	for (size_t k = 0; k < x->ddl->n; k++) {
		const struct schema_item *it = &x->ddl->v[k];
		bool defines = x->tag[k] && strcmp(x->tag[k], want) == 0 && strcmp(it->kind, kind) == 0;
		if (!defines && !(nkeys && x->target[k] && key_in(keys, nkeys, x->target[k])))
			continue;
		if (nkeys == 0 && !defines)
			continue;
		push_item(d, k);
		if (x->tag[k] && !key_in(keys, nkeys, x->tag[k])) {
			keys = xrealloc(keys, (nkeys + 1) * sizeof *keys);
			keys[nkeys++] = x->tag[k];
		}
	}
	free(keys);
	free(want);
}

/* A constraint, rule or trigger of a table outside the run ("name on
 * schema.table"), and its comment. */
static void match_attached(struct drop_dep *d, const struct dump_index *x, const char *name, const char *kind)
{
	const char *on = strstr(name, " on ");
	if (!on)
		return;
	char *obj = xstrndup(name, (size_t)(on - name));
	char *want_obj = toks_name_key(obj), *want_rel = toks_name_key(on + 4);
	char *comment_kind = xasprintf("%s ", strcmp(kind, "FK CONSTRAINT") == 0 ? "CONSTRAINT" : kind);
	for (size_t k = 0; k < x->ddl->n; k++) {
		const struct schema_item *it = &x->ddl->v[k];
		const char *iname = it->name;
		bool comment = strcmp(it->kind, "COMMENT") == 0 &&
			       strncmp(iname, comment_kind, strlen(comment_kind)) == 0;
		if (it->role != ITEM_OBJECT || (strcmp(it->kind, kind) != 0 && !comment))
			continue;
		if (comment)
			iname += strlen(comment_kind);
		const char *ion = strstr(iname, " on ");
		if (!ion)
			continue;
		char *iobj = xstrndup(iname, (size_t)(ion - iname));
		char *kobj = toks_name_key(iobj), *krel = toks_name_key(ion + 4);
		bool same = strcmp(kobj, want_obj) == 0 && strcmp(krel, want_rel) == 0;
		free(iobj);
		free(kobj);
		free(krel);
		if (same && (d->nitems || !comment))
			push_item(d, k);
	}
	free(comment_kind);
	free(want_obj);
	free(want_rel);
	free(obj);
}

/* Decide one object's fate.  false: it belongs to a table of the run (or to
 * a view that goes anyway) and is not listed. */
static bool classify(struct drop_dep *d, const char *kind, const char *name, const char *owner,
		     const char *owner_kind, size_t root_group, struct strmap *members, struct strmap *views,
		     const struct dump_index *x)
{
	char *okey = owner ? toks_name_key(owner) : NULL;
	size_t *group = okey ? strmap_at(members, okey, false) : NULL;
	bool self = kind && owner && strcmp(name, owner) == 0;
	bool viewish = owner_kind && (owner_kind[0] == 'v' || owner_kind[0] == 'm');
	bool goes_with_view = viewish && !self && strmap_at(views, okey, false);
	free(okey);
	if (group && !(self && *group != root_group))
		return false;
	if (goes_with_view)
		return false;
	if (group)
		d->lost = "a table of this run that the destination makes part of another, so dropping that "
			  "one would drop it";
	else if (self && (strcmp(kind, "table") == 0 || strcmp(kind, "foreign table") == 0))
		d->lost = "a table outside this run: its rows would go with it";
	else if (kind && strcmp(kind, "column") == 0)
		d->lost = "a column of a table outside this run: its values would go with it";
	else if (self && strcmp(kind, "view") == 0)
		match_relation(d, x, name, "VIEW");
	else if (self && strcmp(kind, "materialized view") == 0)
		match_relation(d, x, name, "MATERIALIZED VIEW");
	else if (kind && strcmp(kind, "foreign key") == 0)
		match_attached(d, x, name, "FK CONSTRAINT");
	else if (kind && strcmp(kind, "constraint") == 0)
		match_attached(d, x, name, "CONSTRAINT");
	else if (kind && strcmp(kind, "rule") == 0)
		match_attached(d, x, name, "RULE");
	else if (kind && strcmp(kind, "trigger") == 0)
		match_attached(d, x, name, "TRIGGER");
	else
		d->lost = "gp2adb does not recreate this kind of object";
	if (!d->lost && d->nitems == 0)
		d->lost = "the source does not define it";
	return true;
}

void drop_deps_session(PGconn *conn, const struct flavor *f)
{
	struct db_error err;
	if (f->mpp && !db_exec(conn, "SET gp_recursive_cte = on", &err))
		log_debug("destination: SET gp_recursive_cte: %s: %s", err.sqlstate, err.message);
}

bool drop_deps_find(PGconn *dst, char *const *roots, struct strmap *members, const struct schema_items *ddl,
		    struct drop_deps *out, struct db_error *err)
{
	memset(out, 0, sizeof *out);
	struct strbuf arr;
	strbuf_init(&arr);
	size_t nroots = 0;
	while (roots && roots[nroots])
		nroots++;
	strbuf_text_array(&arr, roots, nroots);
	const char *params[] = { arr.data };
	PGresult *r = db_query(dst, PQserverVersion(dst) >= 90600 ? RESOLVE_SQL : RESOLVE_SQL_94, 1, params, err);
	strbuf_done(&arr);
	if (!r)
		return false;
	struct strbuf oids;
	strbuf_init(&oids);
	strbuf_putc(&oids, '{');
	for (int i = 0; i < PQntuples(r); i++)
		if (!PQgetisnull(r, i, 0))
			strbuf_printf(&oids, "%s%s", oids.len > 1 ? "," : "", PQgetvalue(r, i, 0));
	strbuf_putc(&oids, '}');
	PQclear(r);
	params[0] = oids.data;
	r = db_query(dst, DEPS_SQL, 1, params, err);
	strbuf_done(&oids);
	if (!r)
		return false;
	int n = PQntuples(r);
	/* the views and materialized views that go: what is theirs goes with them */
	struct strmap views;
	strmap_init(&views, (size_t)n + 1);
	for (int i = 0; i < n; i++) {
		const char *kind = PQgetisnull(r, i, COL_KIND) ? "" : PQgetvalue(r, i, COL_KIND);
		if (strcmp(kind, "view") == 0 || strcmp(kind, "materialized view") == 0) {
			char *key = toks_name_key(PQgetvalue(r, i, COL_NAME));
			*strmap_at(&views, key, true) = 1;
			free(key);
		}
	}
	struct dump_index x;
	dump_index_init(&x, ddl);
	out->v = xcalloc((size_t)n + 1, sizeof *out->v);
	for (int i = 0; i < n; i++) {
		const char *kind = PQgetisnull(r, i, COL_KIND) ? NULL : PQgetvalue(r, i, COL_KIND);
		const char *name = PQgetvalue(r, i, COL_NAME);
		const char *owner = PQgetisnull(r, i, COL_OWNER) ? NULL : PQgetvalue(r, i, COL_OWNER);
		const char *owner_kind = PQgetisnull(r, i, COL_OWNER_KIND) ? NULL : PQgetvalue(r, i, COL_OWNER_KIND);
		char *rkey = toks_name_key(PQgetvalue(r, i, COL_ROOT));
		size_t *rg = strmap_at(members, rkey, false);
		size_t root_group = rg ? *rg : 0;
		const char *root = PQgetvalue(r, i, COL_ROOT);      /* as the caller wrote it */
		for (size_t k = 0; roots[k]; k++) {
			char *key = toks_name_key(roots[k]);
			bool same = strcmp(key, rkey) == 0;
			free(key);
			if (same) {
				root = roots[k];
				break;
			}
		}
		free(rkey);
		struct drop_dep *d = &out->v[out->n];
		if (!classify(d, kind, name, owner, owner_kind, root_group, members, &views, &x)) {
			free(d->items);
			memset(d, 0, sizeof *d);
			continue;
		}
		d->what = kind ? xasprintf("%s %s", kind, name) : xstrdup(name);
		d->root = xstrdup(root);
		out->n++;
	}
	dump_index_done(&x);
	strmap_done(&views);
	PQclear(r);
	return true;
}

void drop_deps_free(struct drop_deps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].what);
		free(d->v[i].root);
		free(d->v[i].items);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

size_t drop_deps_lost(const struct drop_deps *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].lost != NULL;
	return n;
}

void drop_deps_describe(const struct drop_deps *d, struct strbuf *sb)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct drop_dep *x = &d->v[i];
		if (x->lost)
			strbuf_printf(sb, "  %s: lost: %s (it goes with %s)\n", x->what, x->lost, x->root);
		else
			strbuf_printf(sb, "  %s (it goes with %s): recreated from the source's definition after "
				      "the copy\n", x->what, x->root);
	}
}

/* ---- gp2adb.drop_pending ---- */

bool drop_pending_ensure(PGconn *dst, struct db_error *err)
{
	PGresult *r = db_query(dst, "SELECT to_regclass('gp2adb.drop_pending') IS NOT NULL", 0, NULL, err);
	if (!r)
		return false;
	bool exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (exists || db_exec(dst, PENDING_DDL, err))
		return true;
	log_error("destination: cannot create gp2adb.drop_pending: %s: %s", err->sqlstate, err->message);
	return false;
}

bool drop_pending_count(PGconn *conn, const char *migration_id, size_t *n, struct db_error *err)
{
	const char *params[] = { migration_id };
	PGresult *r = db_query(conn, "SELECT count(DISTINCT object) FROM gp2adb.drop_pending WHERE migration_id = $1",
			       1, params, err);
	if (!r)
		return false;
	*n = (size_t)strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return true;
}

bool drop_pending_record(PGconn *conn, const char *migration_id, const struct drop_deps *d,
			 const struct schema_items *ddl, struct db_error *err)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct drop_dep *x = &d->v[i];
		for (size_t k = 0; !x->lost && k < x->nitems; k++) {
			const struct schema_item *it = &ddl->v[x->items[k]];
			char pos[24];
			snprintf(pos, sizeof pos, "%zu", x->items[k]);
			const char *params[] = { migration_id, x->what, x->root, pos,
						 drop_statement_optional(it->kind) ? "true" : "false", it->sql };
			PGresult *r = db_query(conn, PENDING_INSERT, 6, params, err);
			if (!r)
				return false;
			PQclear(r);
		}
	}
	return true;
}

/* One object's statements [from, to) of r, in one transaction that forgets it. */
static bool recreate_one(PGconn *conn, const char *migration_id, PGresult *r, int from, int to,
			 size_t *optional_failed, struct db_error *err, const char **failed_sql)
{
	const char *what = PQgetvalue(r, from, 0);
	if (!db_exec(conn, "BEGIN", err))
		return false;
	for (int i = from; i < to; i++) {
		const char *sql = PQgetvalue(r, i, 4);
		bool optional = PQgetvalue(r, i, 3)[0] == 't';
		if (optional && !db_exec(conn, "SAVEPOINT gp2adb_optional", err))
			goto fail;
		if (db_exec(conn, sql, err)) {
			if (optional && !db_exec(conn, "RELEASE SAVEPOINT gp2adb_optional", err))
				goto fail;
			continue;
		}
		if (!optional || PQstatus(conn) != CONNECTION_OK) {
			*failed_sql = sql;
			goto fail;
		}
		log_warn("%s: not applied on the destination: %s: %s (%s)", what, err->sqlstate, err->message, sql);
		(*optional_failed)++;
		if (!db_exec(conn, "ROLLBACK TO SAVEPOINT gp2adb_optional", err))
			goto fail;
	}
	const char *params[] = { migration_id, what };
	PGresult *del = db_query(conn, PENDING_FORGET, 2, params, err);
	if (!del)
		goto fail;
	PQclear(del);
	if (db_exec(conn, "COMMIT", err))
		return true;
fail:
	(void)db_exec(conn, "ROLLBACK", NULL);
	return false;
}

/* The start of a statement on one line, "..." when cut. */
static void excerpt(char *out, size_t size, const char *sql)
{
	size_t n = 0;
	bool space = false;
	const char *p = sql;
	for (; *p && n + 4 < size; p++) {
		bool ws = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
		if (ws && (space || n == 0))
			continue;
		space = ws;
		out[n++] = ws ? ' ' : *p;
	}
	out[n] = '\0';
	if (*p)
		strcat(out, "...");
}

bool drop_pending_recreate(PGconn *conn, const char *migration_id, struct drop_pending_failure **failed,
			   size_t *nfailed, size_t *optional_failed, struct db_error *err)
{
	*failed = NULL;
	*nfailed = 0;
	const char *params[] = { migration_id };
	PGresult *r = db_query(conn, PENDING_LOAD, 1, params, err);
	if (!r) {
		log_error("destination: reading gp2adb.drop_pending: %s: %s", err->sqlstate, err->message);
		return false;
	}
	int n = PQntuples(r);
	for (int from = 0, to; from < n; from = to) {
		for (to = from + 1; to < n && strcmp(PQgetvalue(r, to, 0), PQgetvalue(r, from, 0)) == 0; to++)
			;
		const char *what = PQgetvalue(r, from, 0), *root = PQgetvalue(r, from, 1);
		const char *sql = NULL;
		struct db_error e;
		memset(&e, 0, sizeof e);
		if (recreate_one(conn, migration_id, r, from, to, optional_failed, &e, &sql)) {
			log_info("%s: recreated from the source's definition (it had gone with %s)", what, root);
			continue;
		}
		*failed = xrealloc(*failed, (*nfailed + 1) * sizeof **failed);
		struct drop_pending_failure *f = &(*failed)[(*nfailed)++];
		f->what = xstrdup(what);
		f->root = xstrdup(root);
		char text[520], stmt[80] = "";
		db_error_text(&e, text, sizeof text);
		if (sql)
			excerpt(stmt, sizeof stmt, sql);
		snprintf(f->text, sizeof f->text, "%s%s%s%s", text, sql ? " (" : "", stmt, sql ? ")" : "");
		log_error("%s: not recreated: %s; it waits in gp2adb.drop_pending and the next copy of this "
			  "migration in mode drop tries again", what, f->text);
		if (PQstatus(conn) != CONNECTION_OK)
			break;
	}
	PQclear(r);
	return true;
}

void drop_pending_failures_free(struct drop_pending_failure *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].what);
		free(f[i].root);
	}
	free(f);
}
