/* engine_drop: mode drop, its setup.  Each selected table (a partition
 * root with all its partitions, an inheritance parent with its children: a
 * "group") is dropped on the destination and recreated from the source's
 * own definition before its first unit, and gets its indexes and
 * constraints back after its last one.  The definitions come from one schema
 * dump of the source, read at setup and classified by the schema module;
 * here each statement goes to its group.
 *
 * Exactly once: the drop, the new definition and the marker "drop" commit in
 * one destination transaction; the indexes and constraints with the marker
 * "post" (engine_drop_run.c).  --resume keeps a group whose drop marker and
 * every unit marker are committed (adding its post-data if the marker "post"
 * is missing) and redoes any other group from its drop
 * (engine_drop_finish.c).  What the drop would take besides the run's
 * tables is found before anything is dropped, refused unless
 * --drop-dependents, and recreated from the dump after the copy (drop_deps.c). */
#include "engine_priv.h"
#include "engine_drop.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "schema_tokens.h"

#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- setup: groups and their statements ---- */

struct name_entry {
	char *name;             /* "REL schema.name" */
	size_t group;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_entry *)a)->name, ((const struct name_entry *)b)->name);
}

struct names {
	void *root;
	struct name_entry **v;
	size_t n;
};

static void names_add(struct names *m, const char *rel, size_t group)
{
	struct name_entry *ent = xcalloc(1, sizeof *ent);
	ent->name = toks_name_key(rel);
	ent->group = group;
	struct name_entry **found = tsearch(ent, &m->root, name_cmp);
	if (!found || *found != ent) {
		free(ent->name);
		free(ent);
		return;
	}
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->v[m->n++] = ent;
}

/* tag: "REL schema.name"; SIZE_MAX when no group holds it. */
static size_t names_find(const struct names *m, const char *tag)
{
	if (!tag || strncmp(tag, "REL ", 4) != 0)
		return SIZE_MAX;
	struct name_entry key = { toks_name_key(tag + 4), 0 };
	struct name_entry **found = tfind(&key, &m->root, name_cmp);
	free(key.name);
	return found ? (*found)->group : SIZE_MAX;
}

static void names_free(struct names *m)
{
	for (size_t i = 0; i < m->n; i++) {
		tdelete(m->v[i], &m->root, name_cmp);
		free(m->v[i]->name);
		free(m->v[i]);
	}
	free(m->v);
}

static int oid_cmp(const void *a, const void *b)
{
	unsigned x = ((const struct table *)*(const struct table *const *)a)->oid;
	unsigned y = ((const struct table *)*(const struct table *const *)b)->oid;
	return x < y ? -1 : x > y;
}

/* The topmost ancestor of each catalog table among the catalog's tables:
 * dropping it (CASCADE) drops its partitions or inheritance children. */
static size_t *top_ancestors(const struct table_list *cat)
{
	const struct table **byoid = xcalloc(cat->n + 1, sizeof *byoid);
	for (size_t i = 0; i < cat->n; i++)
		byoid[i] = &cat->items[i];
	qsort(byoid, cat->n, sizeof *byoid, oid_cmp);
	size_t *top = xcalloc(cat->n + 1, sizeof *top);
	for (size_t i = 0; i < cat->n; i++) {
		const struct table *t = &cat->items[i];
		for (size_t depth = 0; t->parent_oid && depth < 64; depth++) {
			struct table key = { .oid = t->parent_oid };
			const struct table *kp = &key;
			const struct table **up = bsearch(&kp, byoid, cat->n, sizeof *byoid, oid_cmp);
			if (!up)
				break;
			t = *up;
		}
		top[i] = (size_t)(t - cat->items);
	}
	free(byoid);
	return top;
}

static void push_index(size_t **v, size_t *n, size_t x)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = x;
}

/* A primary key or unique constraint ("con on schema.table") brings an
 * index of the same name in the table's schema, which partitions' indexes
 * attach to (ALTER INDEX ... ATTACH PARTITION). */
static void add_constraint_index(struct names *m, const char *name, size_t group)
{
	const char *on = strstr(name, " on ");
	if (!on)
		return;
	char *table = xstrdup(on + 4);
	char *schema = toks_name_parent(table);
	char *con = xstrndup(name, (size_t)(on - name));
	char *idx = schema ? xasprintf("%s.%s", schema, con) : xstrdup(con);
	names_add(m, idx, group);
	free(idx);
	free(con);
	free(schema);
	free(table);
}

/* The table a FOREIGN KEY ... REFERENCES names, as written. */
static char *fk_references(const struct schema_item *it)
{
	struct toks tl;
	toks_build(&tl, it->sql, strlen(it->sql), it->std_strings);
	size_t i = toks_find_kw(&tl, 0, "references");
	char *name = NULL;
	if (i < tl.n) {
		i++;
		name = toks_name(&tl, &i);
	}
	toks_done(&tl);
	return name;
}

static bool has_definition(const struct engine *e, const struct dgroup *g, const char *member)
{
	char *want = toks_name_key(member);
	bool found = false;
	for (size_t k = 0; k < g->npre && !found; k++) {
		const struct schema_item *it = &e->ddl.v[g->pre[k]];
		if (strcmp(it->kind, "TABLE") != 0 || !it->tag || strncmp(it->tag, "REL ", 4) != 0)
			continue;
		char *have = toks_name_key(it->tag + 4);
		found = strcmp(have, want) == 0;
		free(have);
	}
	free(want);
	return found;
}

/* Never drop what cannot be recreated: each member needs its CREATE TABLE
 * (Greenplum before 7 writes the partitions inside the root's). */
static void check_definitions(struct engine *e, struct dgroup *g, const size_t *top)
{
	bool legacy_parts = e->sf.kind == FLAVOR_GREENPLUM && e->sf.gp_major < 7;
	for (size_t i = 0; i < e->cat.n && !g->error[0]; i++) {
		const struct table *t = &e->cat.items[i];
		if (&e->cat.items[top[i]] != g->root)
			continue;
		bool inner = t->kind == TABLE_PARTITION_LEAF || t->kind == TABLE_PARTITION_MID;
		if ((legacy_parts && inner) || has_definition(e, g, t->qualified))
			continue;
		snprintf(g->error, sizeof g->error,
			 "mode drop: the source's schema dump has no CREATE TABLE for %s, so %s is not dropped",
			 t->qualified, g->root->qualified);
	}
}

bool engine_drop_setup(struct engine *e, int *code)
{
	char err[600];
	char *ddl = NULL;
	if (!schema_dump(e->plan, &e->sf, &ddl, code, err, sizeof err)) {
		log_error("mode drop needs the source's table definitions: %s", err);
		return false;
	}
	bool ok = schema_parse(ddl, strlen(ddl), &e->ddl, err, sizeof err);
	free(ddl);
	if (!ok) {
		log_error("mode drop: cannot read the source's schema dump: %s", err);
		return false;
	}
	char **unpopulated = NULL;
	struct db_error derr;
	if (!schema_unpopulated_matviews(e->coord, &e->sf, &unpopulated, &derr)) {
		log_error("source: reading its materialized views: %s: %s", derr.sqlstate, derr.message);
		return false;
	}
	schema_keep_unpopulated(&e->ddl, unpopulated);
	strv_free(unpopulated);
	/* groups: one per topmost ancestor of a table with data */
	size_t *top = top_ancestors(&e->cat);
	e->cat_group = xcalloc(e->cat.n + 1, sizeof *e->cat_group);
	size_t *group_of_top = xcalloc(e->cat.n + 1, sizeof *group_of_top);
	for (size_t i = 0; i < e->cat.n; i++)
		group_of_top[i] = SIZE_MAX;
	e->groups = xcalloc(e->cat.n + 1, sizeof *e->groups);
	for (size_t i = 0; i < e->cat.n; i++) {
		e->cat_group[i] = SIZE_MAX;
		if (!catalog_has_data(&e->cat.items[i]))
			continue;
		if (group_of_top[top[i]] == SIZE_MAX) {
			group_of_top[top[i]] = e->ngroups;
			e->groups[e->ngroups++].root = &e->cat.items[top[i]];
		}
	}
	struct names names = { 0 };
	for (size_t i = 0; i < e->cat.n; i++) {
		size_t g = group_of_top[top[i]];
		if (g == SIZE_MAX)
			continue;
		struct dgroup *dg = &e->groups[g];
		e->cat_group[i] = g;
		if (&e->cat.items[i] == dg->root)
			dg->members = strv_push(dg->members, dg->root->qualified);
		names_add(&names, e->cat.items[i].qualified, g);
	}
	for (size_t i = 0; i < e->cat.n; i++) {
		size_t g = e->cat_group[i];
		if (g != SIZE_MAX && &e->cat.items[i] != e->groups[g].root)
			e->groups[g].members = strv_push(e->groups[g].members, e->cat.items[i].qualified);
	}
	for (size_t g = 0; g < e->ngroups; g++) {
		size_t n = 0;
		while (e->groups[g].members[n])
			n++;
		e->groups[g].tables = xcalloc(n + 1, sizeof *e->groups[g].tables);
	}
	/* sequences owned by a member are dropped with it */
	for (size_t s = 0; s < e->seqs.n; s++) {
		const struct sequence *sq = &e->seqs.items[s];
		char *tag = sq->owner_table ? xasprintf("REL %s", sq->owner_table) : NULL;
		size_t g = names_find(&names, tag);
		free(tag);
		if (g == SIZE_MAX)
			continue;
		e->groups[g].seqs = strv_push(e->groups[g].seqs, sq->qualified);
		names_add(&names, sq->qualified, g);
	}
	/* each statement of the dump to its group: what defines a member or
	 * attaches to one (indexes join as they are defined) */
	size_t nstmt = 0;
	for (size_t k = 0; k < e->ddl.n; k++) {
		const struct schema_item *it = &e->ddl.v[k];
		if (it->role != ITEM_OBJECT)
			continue;
		size_t g = names_find(&names, it->tag);
		if (g == SIZE_MAX)
			g = names_find(&names, it->target);
		bool fk = strcmp(it->kind, "FK CONSTRAINT") == 0;
		char *ref = fk ? fk_references(it) : NULL;
		char *reftag = ref ? xasprintf("REL %s", ref) : NULL;
		size_t rg = names_find(&names, reftag);
		free(reftag);
		if (g == SIZE_MAX && strstr(it->kind, "ATTACH")) {
			char *tag = xasprintf("REL %s", it->name);     /* a partition of an unselected root */
			g = names_find(&names, tag);
			free(tag);
		}
		if (fk && (g != SIZE_MAX || rg != SIZE_MAX)) {
			e->fks = xrealloc(e->fks, (e->nfks + 1) * sizeof *e->fks);
			e->fks[e->nfks++] = (struct dfk){ .item = k, .child = g, .ref = rg, .ref_name = ref };
			continue;
		}
		free(ref);
		if (g == SIZE_MAX)
			continue;
		if (it->tag)
			names_add(&names, it->tag + 4, g);
		else if (strcmp(it->kind, "CONSTRAINT") == 0)
			add_constraint_index(&names, it->name, g);
		struct dgroup *dg = &e->groups[g];
		if (it->section == SECTION_POST)
			push_index(&dg->post, &dg->npost, k);
		else
			push_index(&dg->pre, &dg->npre, k);
		nstmt++;
	}
	for (size_t g = 0; g < e->ngroups; g++)
		check_definitions(e, &e->groups[g], top);
	e->gprep = xcalloc(e->ngroups + 1, sizeof *e->gprep);
	names_free(&names);
	free(group_of_top);
	free(top);
	log_info("mode drop: %zu tables are dropped and recreated from the source's definitions "
		 "(%zu statements of its schema dump)", e->ngroups, nstmt);
	return true;
}

void engine_drop_free(struct engine *e)
{
	for (size_t g = 0; g < e->ngroups; g++) {
		struct dgroup *dg = &e->groups[g];
		strv_free(dg->members);
		strv_free(dg->seqs);
		free(dg->pre);
		free(dg->post);
		free(dg->tables);
	}
	for (size_t f = 0; f < e->nfks; f++)
		free(e->fks[f].ref_name);
	free(e->fks);
	free(e->groups);
	free(e->cat_group);
	free(e->gprep);
	if (e->drop_members.keys)
		strmap_done(&e->drop_members);
	schema_items_free(&e->ddl);
}
