/* engine_drop: mode drop.  Each selected table (a partition root with all
 * its partitions, an inheritance parent with its children: a "group") is
 * dropped on the destination and recreated from the source's own definition
 * before its first unit, and gets its indexes and constraints back after its
 * last one.  The definitions come from one schema dump of the source, read
 * at setup and classified by the schema module.
 *
 * Exactly once: the drop, the new definition and the marker "drop" commit in
 * one destination transaction; the indexes and constraints with the marker
 * "post".  --resume keeps a group whose drop marker and every unit marker are
 * committed (adding its post-data if the marker "post" is missing) and redoes
 * any other group from its drop. */
#include "engine_priv.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "schema_tokens.h"

#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_DROP "drop"
#define MARK_POST "post"

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

/* A qualified name as a key: the catalog quotes every part, the dump only
 * what needs it; the parts unquoted and joined by \001 compare either way. */
static char *canon(const char *name)
{
	char *out = xcalloc(strlen(name) + 1, 1), *o = out;
	bool quoted = false;
	for (const char *p = name; *p; p++) {
		if (*p == '"' && quoted && p[1] == '"')
			*o++ = *p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '.' && !quoted)
			*o++ = '\001';
		else
			*o++ = *p;
	}
	return out;
}

static void names_add(struct names *m, const char *rel, size_t group)
{
	struct name_entry *ent = xcalloc(1, sizeof *ent);
	ent->name = canon(rel);
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
	struct name_entry key = { canon(tag + 4), 0 };
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
	char *want = canon(member);
	bool found = false;
	for (size_t k = 0; k < g->npre && !found; k++) {
		const struct schema_item *it = &e->ddl.v[g->pre[k]];
		if (strcmp(it->kind, "TABLE") != 0 || !it->tag || strncmp(it->tag, "REL ", 4) != 0)
			continue;
		char *have = canon(it->tag + 4);
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

/* ---- resume ---- */

static bool has_mark(const struct progress_marks *marks, const char *table, const char *unit)
{
	size_t m0, n = progress_marks_of(marks, table, &m0);
	for (size_t i = m0; i < m0 + n; i++)
		if (strcmp(marks->items[i].unit, unit) == 0)
			return true;
	return false;
}

/* Whether every unit of et is committed; then they are marked done. */
static bool table_committed(struct etable *et, const struct unit_spec *specs,
			    const struct progress_marks *marks, bool *unit_done, bool apply)
{
	size_t m0, nm = progress_marks_of(marks, et->t->qualified, &m0);
	int found = 0;
	for (size_t u = et->spec0; u < et->spec0 + (size_t)et->nunits; u++) {
		for (size_t i = m0; i < m0 + nm; i++) {
			if (strcmp(specs[u].id, marks->items[i].unit) != 0)
				continue;
			found++;
			if (apply) {
				unit_done[u] = true;
				et->rows_before += marks->items[i].rows;
				et->bytes_before += marks->items[i].bytes;
			}
		}
	}
	return found == et->nunits;
}

bool engine_drop_resume(struct engine *e, PGconn *dst, const struct progress_marks *marks, bool *unit_done,
			const struct unit_spec *specs)
{
	for (size_t g = 0; g < e->ngroups; g++) {
		struct dgroup *dg = &e->groups[g];
		if (dg->ntables == 0 || dg->error[0])
			continue;
		bool complete = e->opt.resume && has_mark(marks, dg->root->qualified, MARK_DROP);
		for (size_t i = 0; i < dg->ntables && complete; i++)
			complete = table_committed(&e->tables[dg->tables[i]], specs, marks, unit_done, false);
		if (complete) {
			for (size_t i = 0; i < dg->ntables; i++)
				table_committed(&e->tables[dg->tables[i]], specs, marks, unit_done, true);
			dg->post_done = has_mark(marks, dg->root->qualified, MARK_POST);
			dg->post_at_finish = !dg->post_done;
			e->gprep[g] = PREP_DONE;
			continue;
		}
		e->gprep[g] = PREP_NEEDED;
		/* redone from its drop: what an interrupted run committed no longer counts */
		bool stale = false;
		for (size_t i = 0; dg->members[i] && !stale; i++) {
			size_t m0;
			stale = progress_marks_of(marks, dg->members[i], &m0) > 0;
		}
		if (!stale)
			continue;
		struct db_error err;
		bool ok = db_exec(dst, "BEGIN", &err);
		for (size_t i = 0; ok && dg->members[i]; i++) {
			char *del = progress_delete_table_sql(dst, e->migration_id, dg->members[i]);
			ok = db_exec(dst, del, &err);
			free(del);
		}
		if (!ok || !db_exec(dst, "COMMIT", &err)) {
			log_error("destination: clearing the markers of %s: %s: %s", dg->root->qualified,
				  err.sqlstate, err.message);
			return false;
		}
	}
	return true;
}

/* ---- the destination session that drops and recreates ---- */

static void ddl_notice(void *arg, const PGresult *res)
{
	struct worker *w = arg;
	if (!w->notices)
		return;
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *text = detail ? detail : primary;
	if (text)
		strbuf_printf(w->notices, "%s\n", text);
}

void engine_drop_close(struct worker *w)
{
	pthread_mutex_lock(&w->cancel_lock);
	if (w->ddl_cancel)
		PQfreeCancel(w->ddl_cancel);
	w->ddl_cancel = NULL;
	pthread_mutex_unlock(&w->cancel_lock);
	if (w->ddl)
		PQfinish(w->ddl);
	w->ddl = NULL;
}

/* Open the session and replay the dump's session settings (search_path,
 * standard_conforming_strings, ...), so its statements mean what they say. */
static bool ddl_connect(struct worker *w, struct db_error *err)
{
	struct engine *e = w->e;
	if (w->ddl)
		return true;
	char role[16];
	snprintf(role, sizeof role, "w%d", w->id);
	w->ddl = db_connect(&e->plan->destination, role, err);
	if (!w->ddl)
		return false;
	for (size_t k = 0; k < e->ddl.n; k++) {
		const struct schema_item *it = &e->ddl.v[k];
		struct db_error serr;
		if (it->role == ITEM_SESSION && !db_exec(w->ddl, it->sql, &serr) && w->id <= 1)
			log_warn("mode drop: the destination does not take the source's session setting %s (%s: %s)",
				 it->name, serr.sqlstate, serr.message);
	}
	/* the dump quiets notices; the drop's "drop cascades to ..." must be heard */
	if (!db_exec(w->ddl, "SET client_min_messages = notice; SET statement_timeout = 0", err)) {
		engine_drop_close(w);
		return false;
	}
	PQsetNoticeReceiver(w->ddl, ddl_notice, w);
	pthread_mutex_lock(&w->cancel_lock);
	w->ddl_cancel = PQgetCancel(w->ddl);
	pthread_mutex_unlock(&w->cancel_lock);
	return true;
}

/* Owners, grants and comments may name what the destination lacks: they
 * are reported, not fatal.  Everything else is the table itself. */
static bool optional_kind(const char *kind)
{
	return strcmp(kind, "OWNER") == 0 || strcmp(kind, "ACL") == 0 || strcmp(kind, "COMMENT") == 0 ||
	       strcmp(kind, "SECURITY LABEL") == 0;
}

/* Run the statements inside the open transaction.  false with err naming
 * the statement that failed. */
static bool run_items(struct worker *w, const struct dgroup *g, const size_t *items, size_t n,
		      struct db_error *err)
{
	struct engine *e = w->e;
	for (size_t k = 0; k < n; k++) {
		const struct schema_item *it = &e->ddl.v[items[k]];
		bool opt = optional_kind(it->kind);
		if (opt && !db_exec(w->ddl, "SAVEPOINT gp2adb_optional", err))
			return false;
		if (db_exec(w->ddl, it->sql, err)) {
			if (opt && !db_exec(w->ddl, "RELEASE SAVEPOINT gp2adb_optional", err))
				return false;
			continue;
		}
		if (opt && PQstatus(w->ddl) == CONNECTION_OK) {
			log_warn("table %s: %s %s not applied on the destination: %s: %s", g->root->qualified,
				 it->kind, it->name, err->sqlstate, err->message);
			if (!db_exec(w->ddl, "ROLLBACK TO SAVEPOINT gp2adb_optional", err))
				return false;
			continue;
		}
		char msg[sizeof err->message];
		snprintf(msg, sizeof msg, "%s", err->message);
		snprintf(err->message, sizeof err->message, "%.40s %.120s (line %d of the source's schema dump): %.300s",
			 it->kind, it->name, it->line, msg);
		return false;
	}
	return true;
}

static void report_cascade(const struct dgroup *g, const char *notices)
{
	static const char prefix[] = "drop cascades to ";
	const char *p = notices;
	while (*p) {
		size_t len = strcspn(p, "\n");
		if (len > sizeof prefix - 1 && strncmp(p, prefix, sizeof prefix - 1) == 0 &&
		    strstr(p, " other objects") != p + len - strlen(" other objects")) {
			log_warn("table %s: DROP ... CASCADE also dropped %.*s on the destination", g->root->qualified,
				 (int)(len - (sizeof prefix - 1)), p + sizeof prefix - 1);
		} else if (len > 0 && strncmp(p, prefix, sizeof prefix - 1) != 0) {
			log_info("table %s: dropping it: %.*s", g->root->qualified, (int)len, p);
		}
		p += len + (p[len] == '\n');
	}
}

static bool finish_txn(struct worker *w, const struct dgroup *g, const char *mark, struct db_error *err)
{
	char *ins = progress_insert_sql(w->ddl, w->e->migration_id, g->root->qualified, mark, 0, 0);
	bool ok = db_exec(w->ddl, ins, err) && db_exec(w->ddl, "COMMIT", err);
	free(ins);
	return ok;
}

static bool prepare_once(struct worker *w, struct dgroup *g, struct db_error *err)
{
	struct engine *e = w->e;
	if (!ddl_connect(w, err))
		return false;
	bool found = false;
	if (!progress_has(w->ddl, e->migration_id, g->root->qualified, MARK_DROP, &found, err))
		return false;
	if (found)
		return true;    /* an earlier attempt committed it */
	if (!db_exec(w->ddl, "BEGIN", err))
		return false;
	struct strbuf notices;
	strbuf_init(&notices);
	char *sql = xasprintf("DROP TABLE IF EXISTS %s CASCADE", g->root->qualified);
	w->notices = &notices;
	bool ok = db_exec(w->ddl, sql, err);
	w->notices = NULL;
	free(sql);
	for (size_t i = 0; ok && g->seqs && g->seqs[i]; i++) {
		sql = xasprintf("DROP SEQUENCE IF EXISTS %s", g->seqs[i]);
		ok = db_exec(w->ddl, sql, err);
		free(sql);
	}
	ok = ok && run_items(w, g, g->pre, g->npre, err) && finish_txn(w, g, MARK_DROP, err);
	if (ok) {
		log_info("table %s: dropped on the destination and recreated from the source's definition",
			 g->root->qualified);
		report_cascade(g, notices.data ? notices.data : "");
	} else {
		(void)db_exec(w->ddl, "ROLLBACK", NULL);
	}
	strbuf_done(&notices);
	return ok;
}

static bool post_once(struct worker *w, struct dgroup *g, struct db_error *err)
{
	struct engine *e = w->e;
	if (!ddl_connect(w, err))
		return false;
	bool found = false;
	if (!progress_has(w->ddl, e->migration_id, g->root->qualified, MARK_POST, &found, err))
		return false;
	if (found)
		return true;
	bool ok = db_exec(w->ddl, "BEGIN", err) && run_items(w, g, g->post, g->npost, err) &&
		  finish_txn(w, g, MARK_POST, err);
	if (!ok)
		(void)db_exec(w->ddl, "ROLLBACK", NULL);
	else if (g->npost)
		log_info("table %s: %zu indexes, constraints and other post-data statements recreated",
			 g->root->qualified, g->npost);
	return ok;
}

/* Retried like a unit: on a fresh session, with backoff, on faults only. */
static bool with_retries(struct worker *w, struct dgroup *g, const char *what,
			 bool (*once)(struct worker *, struct dgroup *, struct db_error *), struct db_error *err)
{
	struct engine *e = w->e;
	for (int attempt = 1;; attempt++) {
		memset(err, 0, sizeof *err);
		if (once(w, g, err))
			return true;
		engine_drop_close(w);
		if (atomic_load(&e->cancel) || err->retry != DB_RETRY_YES || attempt >= e->plan->retries) {
			if (!atomic_load(&e->cancel))
				log_error("table %s: %s: %s%s%s", g->root->qualified, what, err->sqlstate,
					  err->sqlstate[0] ? ": " : "", err->message);
			return false;
		}
		log_warn("table %s: %s: %s: %s; retry %d of %d", g->root->qualified, what, err->sqlstate,
			 err->message, attempt, e->plan->retries - 1);
		for (int i = 0; i < 5 * attempt && !atomic_load(&e->cancel); i++) {
			struct timespec ts = { 0, 100 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
}

bool engine_drop_prepare(struct worker *w, struct dgroup *g, struct db_error *err)
{
	bool ok = with_retries(w, g, "dropping and recreating it", prepare_once, err);
	if (ok) {
		pthread_mutex_lock(&w->e->lock);
		g->dropped = true;
		pthread_mutex_unlock(&w->e->lock);
	}
	return ok;
}

bool engine_drop_post(struct worker *w, struct dgroup *g, struct db_error *err)
{
	bool ok = with_retries(w, g, "recreating its indexes and constraints", post_once, err);
	pthread_mutex_lock(&w->e->lock);
	g->post_done = ok;
	pthread_mutex_unlock(&w->e->lock);
	return ok;
}

/* ---- after the workers ---- */

static bool group_copied(const struct engine *e, size_t group)
{
	if (group == SIZE_MAX)
		return false;
	const struct dgroup *g = &e->groups[group];
	bool ok = g->ntables > 0 && g->post_done;
	for (size_t i = 0; i < g->ntables && ok; i++)
		ok = e->tables[g->tables[i]].state == TABLE_DONE;
	return ok;
}

static void add_foreign_keys(struct engine *e, struct worker *w)
{
	size_t added = 0;
	for (size_t f = 0; f < e->nfks; f++) {
		const struct dfk *fk = &e->fks[f];
		const struct schema_item *it = &e->ddl.v[fk->item];
		bool child_in = fk->child != SIZE_MAX && e->groups[fk->child].ntables > 0;
		bool ref_in = fk->ref != SIZE_MAX && e->groups[fk->ref].ntables > 0;
		if (!child_in && !(ref_in && e->groups[fk->ref].dropped))
			continue;       /* neither end touched by this run */
		if (!child_in || !ref_in) {
			log_warn("foreign key %s skipped: %s is not among the tables of this copy "
				 "(add it once both tables are copied: %s)", it->name,
				 child_in ? fk->ref_name : "its table", it->sql);
			continue;
		}
		if (!group_copied(e, fk->child) || !group_copied(e, fk->ref)) {
			log_warn("foreign key %s skipped: %s was not copied completely in this run "
				 "(copy --resume adds it)", it->name,
				 group_copied(e, fk->child) ? fk->ref_name : "its table");
			continue;
		}
		struct db_error err;
		if (!ddl_connect(w, &err) || !db_exec(w->ddl, it->sql, &err)) {
			if (strcmp(err.sqlstate, "42710") == 0)
				continue;       /* added by an earlier run */
			log_warn("foreign key %s not added: %s: %s", it->name, err.sqlstate, err.message);
			engine_drop_close(w);
			continue;
		}
		added++;
	}
	if (added)
		log_info("mode drop: %zu foreign keys added", added);
}

void engine_drop_finish(struct engine *e)
{
	if (e->plan->mode != MODE_DROP || !e->gprep)
		return;
	struct worker w = { .e = e, .id = 0 };
	pthread_mutex_init(&w.cancel_lock, NULL);
	/* groups a resumed run found copied but without their indexes */
	for (size_t g = 0; g < e->ngroups; g++) {
		struct dgroup *dg = &e->groups[g];
		if (!dg->post_at_finish || dg->post_done || dg->ntables == 0)
			continue;
		struct db_error err;
		if (engine_drop_post(&w, dg, &err))
			continue;
		char text[600];
		db_error_text(&err, text, sizeof text);
		pthread_mutex_lock(&e->lock);
		for (size_t i = 0; i < dg->ntables; i++) {
			struct etable *et = &e->tables[dg->tables[i]];
			et->state = TABLE_FAILED;
			snprintf(et->error, sizeof et->error, "recreating its indexes and constraints: %.*s", 400, text);
		}
		pthread_mutex_unlock(&e->lock);
	}
	add_foreign_keys(e, &w);
	engine_drop_close(&w);
	pthread_mutex_destroy(&w.cancel_lock);
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
	schema_items_free(&e->ddl);
}
