#include "catalog.h"
#include "catalog_sql.h"
#include "log.h"
#include "mem.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

const char *catalog_kind_name(enum table_kind k)
{
	static const char *const names[] = {
		"table", "partitioned table", "partition (intermediate)", "partition",
		"inheritance parent", "inheritance child", "external table", "foreign table",
		"materialized view",
	};
	return names[k];
}

bool catalog_has_data(const struct table *t)
{
	switch (t->kind) {
	case TABLE_PLAIN:
	case TABLE_PARTITION_LEAF:
	case TABLE_INHERIT_PARENT:
	case TABLE_INHERIT_CHILD:
		return true;
	default:
		return false;
	}
}

static const char *tables_sql(const struct flavor *f)
{
	if (f->gp_major >= 7)
		return CATALOG_TABLES_GP7;
	if (f->gp_major == 6)
		return CATALOG_TABLES_GP6;
	if (f->gp_major > 0)
		return CATALOG_TABLES_GP4;
	return f->pg_major >= 10 ? CATALOG_TABLES_PG10 : CATALOG_TABLES_PG9;
}

static const char *columns_sql(const struct flavor *f)
{
	if (f->has_generated_columns)
		return CATALOG_COLUMNS_PG12;
	if (f->has_identity_columns && f->gp_major == 0)
		return CATALOG_COLUMNS_PG10;
	return CATALOG_COLUMNS_OLD;
}

/* typcategory for servers that lack it (Greenplum 4.3 is PostgreSQL 8.2). */
static char category_from_typname(const char *t)
{
	static const char *const numeric[] = { "int2", "int4", "int8", "float4", "float8", "numeric", "money", NULL };
	static const char *const datetime[] = { "date", "timestamp", "timestamptz", "time", "timetz", "abstime", NULL };
	if (t[0] == '_')
		return 'A';
	for (int i = 0; numeric[i]; i++)
		if (strcmp(t, numeric[i]) == 0)
			return 'N';
	for (int i = 0; datetime[i]; i++)
		if (strcmp(t, datetime[i]) == 0)
			return 'D';
	if (strcmp(t, "interval") == 0 || strcmp(t, "reltime") == 0 || strcmp(t, "tinterval") == 0)
		return 'T';
	if (strcmp(t, "bool") == 0)
		return 'B';
	if (strcmp(t, "text") == 0 || strcmp(t, "varchar") == 0 || strcmp(t, "bpchar") == 0 || strcmp(t, "name") == 0)
		return 'S';
	return 'U';
}


/* An oid -> index map (open addressing) for catalogs with thousands of tables. */
struct oid_map {
	unsigned *keys;
	size_t *vals;
	size_t cap;
};

static void oid_map_init(struct oid_map *m, size_t n)
{
	m->cap = 16;
	while (m->cap < n * 2 + 1)
		m->cap *= 2;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xcalloc(m->cap, sizeof *m->vals);
}

static void oid_map_put(struct oid_map *m, unsigned oid, size_t idx)
{
	size_t h = (oid * 2654435761u) & (m->cap - 1);
	while (m->keys[h] && m->keys[h] != oid)
		h = (h + 1) & (m->cap - 1);
	m->keys[h] = oid;
	m->vals[h] = idx;
}

static bool oid_map_get(const struct oid_map *m, unsigned oid, size_t *idx)
{
	size_t h = (oid * 2654435761u) & (m->cap - 1);
	while (m->keys[h]) {
		if (m->keys[h] == oid) {
			*idx = m->vals[h];
			return true;
		}
		h = (h + 1) & (m->cap - 1);
	}
	return false;
}

static void oid_map_done(struct oid_map *m)
{
	free(m->keys);
	free(m->vals);
}

static void table_free(struct table *t)
{
	free(t->schema);
	free(t->name);
	free(t->qualified);
	free(t->root);
	free(t->distribution);
	for (size_t c = 0; c < t->ncols; c++) {
		free(t->cols[c].name);
		free(t->cols[c].type);
		free(t->cols[c].typname);
	}
	free(t->cols);
	strv_free(t->key);
}

void catalog_tables_free(struct table_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		table_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static bool is_true(const char *v)
{
	return v && (v[0] == 't' || v[0] == '1');
}

/* Greenplum 4.3/5: "attnums:1,3" -> "DISTRIBUTED BY (a, c)"; "attnums:" -> RANDOMLY. */
static void resolve_attnums(PGconn *conn, struct table *t)
{
	if (!t->distribution || strncmp(t->distribution, "attnums:", 8) != 0)
		return;
	const char *list = t->distribution + 8;
	struct strbuf sb;
	strbuf_init(&sb);
	if (!*list) {
		strbuf_puts(&sb, "DISTRIBUTED RANDOMLY");
	} else {
		strbuf_puts(&sb, "DISTRIBUTED BY (");
		char *copy = xstrdup(list), *save = NULL;
		bool first = true;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int attnum = atoi(tok);
			const char *name = "?";
			for (size_t c = 0; c < t->ncols; c++)
				if (t->cols[c].attnum == attnum)
					name = t->cols[c].name;
			char *q = db_quote_ident(conn, name);
			strbuf_printf(&sb, "%s%s", first ? "" : ", ", q);
			free(q);
			first = false;
		}
		free(copy);
		strbuf_putc(&sb, ')');
	}
	free(t->distribution);
	t->distribution = strbuf_finish(&sb);
}

static enum table_kind kind_of(const char *relkind, bool ispartition, long nchildren,
			       unsigned parent, bool classic_root, char storage, const char *server)
{
	if (relkind[0] == 'm')
		return TABLE_MATVIEW;
	if (relkind[0] == 'f')
		return server && strcmp(server, "gp_exttable_server") == 0 ? TABLE_EXTERNAL : TABLE_FOREIGN;
	if (storage == 'x')
		return TABLE_EXTERNAL;
	if (storage == 'f')
		return TABLE_FOREIGN;
	if (relkind[0] == 'p')
		return ispartition ? TABLE_PARTITION_MID : TABLE_PARTITION_ROOT;
	if (classic_root)
		return TABLE_PARTITION_ROOT;
	if (ispartition)
		return nchildren > 0 ? TABLE_PARTITION_MID : TABLE_PARTITION_LEAF;
	if (nchildren > 0)
		return TABLE_INHERIT_PARENT;
	if (parent)
		return TABLE_INHERIT_CHILD;
	return TABLE_PLAIN;
}

static bool load_columns(PGconn *conn, const struct flavor *f, struct table *items,
			 const struct oid_map *map, struct db_error *err)
{
	PGresult *res = db_query(conn, columns_sql(f), 0, NULL, err);
	if (!res)
		return false;
	int n = PQntuples(res);
	for (int r = 0; r < n; r++) {
		size_t idx;
		if (!oid_map_get(map, (unsigned)strtoul(PQgetvalue(res, r, 0), NULL, 10), &idx))
			continue;
		struct table *t = &items[idx];
		t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
		struct column *c = &t->cols[t->ncols++];
		c->name = xstrdup(PQgetvalue(res, r, 1));
		c->type = xstrdup(PQgetvalue(res, r, 2));
		c->typname = xstrdup(PQgetvalue(res, r, 3));
		c->category = PQgetisnull(res, r, 4) ? category_from_typname(c->typname) : PQgetvalue(res, r, 4)[0];
		c->attnum = atoi(PQgetvalue(res, r, 5));
		c->generated = is_true(PQgetvalue(res, r, 6));
		c->identity = is_true(PQgetvalue(res, r, 7));
		c->not_null = is_true(PQgetvalue(res, r, 8));
		c->binary_unsafe = is_true(PQgetvalue(res, r, 9));
	}
	PQclear(res);
	return true;
}

/* The first usable key per table: the primary key, else a unique index on
 * NOT NULL columns. */
static bool load_keys(PGconn *conn, struct table *items, const struct oid_map *map,
		      struct db_error *err)
{
	PGresult *res = db_query(conn, CATALOG_KEYS, 0, NULL, err);
	if (!res)
		return false;
	int n = PQntuples(res);
	for (int r = 0; r < n;) {
		const char *rel = PQgetvalue(res, r, 0), *ind = PQgetvalue(res, r, 1);
		int end = r;
		bool all_not_null = true, primary = is_true(PQgetvalue(res, r, 2));
		while (end < n && strcmp(PQgetvalue(res, end, 0), rel) == 0 &&
		       strcmp(PQgetvalue(res, end, 1), ind) == 0) {
			all_not_null &= is_true(PQgetvalue(res, end, 5));
			end++;
		}
		size_t idx;
		if (oid_map_get(map, (unsigned)strtoul(rel, NULL, 10), &idx) && !items[idx].key &&
		    (primary || all_not_null)) {
			for (int k = r; k < end; k++)
				items[idx].key = strv_push(items[idx].key, PQgetvalue(res, k, 4));
		}
		r = end;
	}
	PQclear(res);
	return true;
}

/* The relations sql lists (CATALOG_TABLES_* or CATALOG_MATVIEWS), with
 * their columns and keys, as the plan selects them. */
static bool load_relations(PGconn *conn, const struct flavor *f, const struct plan *p, const char *sql,
			   struct table_list *out, struct db_error *err)
{
	memset(out, 0, sizeof *out);
	PGresult *res = db_query(conn, sql, 0, NULL, err);
	if (!res) {
		log_error("reading the %s list: %s: %s", sql == CATALOG_MATVIEWS ? "materialized view" : "table",
			  err ? err->sqlstate : "", err ? err->message : "");
		return false;
	}
	int n = PQntuples(res);
	struct table *all = xcalloc((size_t)n + 1, sizeof *all);
	for (int r = 0; r < n; r++) {
		struct table *t = &all[r];
		t->oid = (unsigned)strtoul(PQgetvalue(res, r, 0), NULL, 10);
		t->schema = xstrdup(PQgetvalue(res, r, 1));
		t->name = xstrdup(PQgetvalue(res, r, 2));
		t->qualified = db_qualify(conn, t->schema, t->name);
		t->parent_oid = (unsigned)strtoul(PQgetvalue(res, r, 6), NULL, 10);
		t->bytes = atoll(PQgetvalue(res, r, 7));
		t->rows_est = atoll(PQgetvalue(res, r, 8));
		t->pages = atoll(PQgetvalue(res, r, 9));
		t->storage = PQgetvalue(res, r, 10)[0];
		const char *server = PQgetisnull(res, r, 11) ? NULL : PQgetvalue(res, r, 11);
		t->distribution = PQgetisnull(res, r, 12) ? NULL : xstrdup(PQgetvalue(res, r, 12));
		t->kind = kind_of(PQgetvalue(res, r, 3), is_true(PQgetvalue(res, r, 4)),
				  atol(PQgetvalue(res, r, 5)), t->parent_oid,
				  is_true(PQgetvalue(res, r, 13)), t->storage, server);
		if (t->rows_est < 0)
			t->rows_est = -1;
		t->unpopulated = PQnfields(res) > 14 && is_true(PQgetvalue(res, r, 14));
	}
	PQclear(res);

	struct oid_map map;
	oid_map_init(&map, (size_t)n);
	for (int r = 0; r < n; r++)
		oid_map_put(&map, all[r].oid, (size_t)r);

	/* Roots of partition leaves, for display and selection. */
	for (int r = 0; r < n; r++) {
		struct table *t = &all[r];
		if (t->kind != TABLE_PARTITION_LEAF && t->kind != TABLE_PARTITION_MID)
			continue;
		size_t idx;
		unsigned cur = t->parent_oid;
		const struct table *root = NULL;
		for (int depth = 0; cur && depth < 32 && oid_map_get(&map, cur, &idx); depth++) {
			root = &all[idx];
			cur = all[idx].parent_oid;
			if (root->kind == TABLE_PARTITION_ROOT)
				break;
		}
		if (root)
			t->root = xstrdup(root->qualified);
	}

	bool ok = load_columns(conn, f, all, &map, err) && load_keys(conn, all, &map, err);
	if (ok && f->gp_major > 0 && f->gp_major < 6)
		for (int r = 0; r < n; r++)
			resolve_attnums(conn, &all[r]);

	/* Keep what the plan selects: a table by its own name, a partition also
	 * by its root's (selecting "public.sales" selects all its leaves).
	 * Decide for every table first; compacting moves entries. */
	bool *keep = xcalloc((size_t)n + 1, sizeof *keep);
	for (int r = 0; r < n; r++) {
		struct table *t = &all[r];
		bool sel = !p || plan_selects(p, t->schema, t->name);
		if (!sel && p && (t->kind == TABLE_PARTITION_LEAF || t->kind == TABLE_PARTITION_MID)) {
			size_t idx;
			unsigned cur = t->parent_oid;
			for (int depth = 0; !sel && cur && depth < 32 && oid_map_get(&map, cur, &idx); depth++) {
				sel = plan_selects(p, all[idx].schema, all[idx].name);
				cur = all[idx].parent_oid;
			}
		}
		keep[r] = sel && ok;
	}
	size_t kept = 0;
	for (int r = 0; r < n; r++) {
		if (keep[r])
			all[kept++] = all[r];
		else
			table_free(&all[r]);
	}
	free(keep);
	oid_map_done(&map);
	if (!ok) {
		free(all);
		log_error("reading columns and keys: %s: %s", err ? err->sqlstate : "", err ? err->message : "");
		return false;
	}
	out->items = all;
	out->n = kept;
	return true;
}

bool catalog_tables(PGconn *conn, const struct flavor *f, const struct plan *p,
		    struct table_list *out, struct db_error *err)
{
	return load_relations(conn, f, p, tables_sql(f), out, err);
}

bool catalog_matviews(PGconn *conn, const struct flavor *f, const struct plan *p,
		      struct table_list *out, struct db_error *err)
{
	memset(out, 0, sizeof *out);
	if (f->pg_num < 90300)  /* Greenplum 4.3 and 5 (8.2, 8.3) have none */
		return true;
	return load_relations(conn, f, p, CATALOG_MATVIEWS, out, err);
}

const struct table *catalog_find(const struct table_list *l, const char *schema, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].schema, schema) == 0 && strcmp(l->items[i].name, name) == 0)
			return &l->items[i];
	return NULL;
}

bool catalog_sequences(PGconn *conn, const struct flavor *f, const struct plan *p,
		       struct sequence_list *out, struct db_error *err)
{
	(void)f;
	memset(out, 0, sizeof *out);
	PGresult *res = db_query(conn, CATALOG_SEQUENCES, 0, NULL, err);
	if (!res)
		return false;
	int n = PQntuples(res);
	out->items = xcalloc((size_t)n + 1, sizeof *out->items);
	for (int r = 0; r < n; r++) {
		const char *schema = PQgetvalue(res, r, 0), *name = PQgetvalue(res, r, 1);
		bool owned = !PQgetisnull(res, r, 3);
		bool sel = !p || (owned ? plan_selects(p, PQgetvalue(res, r, 2), PQgetvalue(res, r, 3))
					: plan_selects(p, schema, name));
		/* a sequence owned by two columns appears twice: keep it once */
		if (!sel || (out->n > 0 && strcmp(out->items[out->n - 1].schema, schema) == 0 &&
			     strcmp(out->items[out->n - 1].name, name) == 0))
			continue;
		struct sequence *s = &out->items[out->n++];
		s->schema = xstrdup(schema);
		s->name = xstrdup(name);
		s->qualified = db_qualify(conn, schema, name);
		s->owner_table = owned ? db_qualify(conn, PQgetvalue(res, r, 2), PQgetvalue(res, r, 3)) : NULL;
	}
	PQclear(res);
	return true;
}

void catalog_sequences_free(struct sequence_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].schema);
		free(l->items[i].name);
		free(l->items[i].qualified);
		free(l->items[i].owner_table);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
