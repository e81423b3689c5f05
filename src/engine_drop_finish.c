/* engine_drop_finish: mode drop before the workers (what --resume keeps,
 * what the drops would take besides the run's tables) and after them
 * (indexes a resumed run still owes, foreign keys, what the drops took). */
#include "engine_drop.h"
#include "drop_deps.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "schema_tokens.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- before the workers ---- */

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

/* The tables of this run, by name key, valued with their group + 1. */
static void members_init(struct engine *e)
{
	size_t n = 0;
	for (size_t g = 0; g < e->ngroups; g++)
		for (size_t i = 0; e->groups[g].ntables && e->groups[g].members[i]; i++)
			n++;
	strmap_init(&e->drop_members, n);
	for (size_t g = 0; g < e->ngroups; g++) {
		for (size_t i = 0; e->groups[g].ntables && e->groups[g].members[i]; i++) {
			char *key = toks_name_key(e->groups[g].members[i]);
			*strmap_at(&e->drop_members, key, true) = g + 1;
			free(key);
		}
	}
}

/* Before anything is dropped: what the drops would take besides the run's
 * tables.  Refused unless --drop-dependents, each object named with what
 * becomes of it. */
static bool check_dependents(struct engine *e, PGconn *dst)
{
	struct db_error err;
	members_init(e);
	if (!drop_pending_ensure(dst, &err))
		return false;
	char **roots = NULL;
	for (size_t g = 0; g < e->ngroups; g++)
		if (e->groups[g].ntables && !e->groups[g].error[0] && e->gprep[g] == PREP_NEEDED)
			roots = strv_push(roots, e->groups[g].root->qualified);
	if (!roots)
		return true;
	drop_deps_session(dst, &e->df);
	struct drop_deps deps;
	bool ok = drop_deps_find(dst, roots, &e->drop_members, &e->ddl, &deps, &err);
	strv_free(roots);
	if (!ok) {
		log_error("destination: reading what depends on the tables to drop: %s: %s", err.sqlstate, err.message);
		return false;
	}
	if (deps.n) {
		struct strbuf sb;
		strbuf_init(&sb);
		drop_deps_describe(&deps, &sb);
		size_t lost = drop_deps_lost(&deps);
		if (!e->opt.drop_dependents) {
			log_error("mode drop refused: dropping the tables with CASCADE would also drop %zu other object%s "
				  "on the destination:\n%sNothing was dropped.  Run again with --drop-dependents to drop "
				  "them and recreate, after the copy, what the source defines%s; or leave these tables "
				  "out of the run, or use another mode.", deps.n, deps.n == 1 ? "" : "s", sb.data,
				  lost ? " (what it does not define is lost)" : "");
			ok = false;
		} else {
			log_warn("mode drop, --drop-dependents: dropping the tables also drops %zu other object%s on the "
				 "destination:\n%s", deps.n, deps.n == 1 ? "" : "s", sb.data);
		}
		strbuf_done(&sb);
	}
	drop_deps_free(&deps);
	return ok;
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
	return check_dependents(e, dst);
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

/* Fail every table of a group, saying why (after the workers). */
static void group_failed(struct engine *e, struct dgroup *g, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void group_failed(struct engine *e, struct dgroup *g, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < g->ntables; i++) {
		struct etable *et = &e->tables[g->tables[i]];
		et->state = TABLE_FAILED;
		etable_set_error(et, "%s", text);
	}
	pthread_mutex_unlock(&e->lock);
}

/* The foreign keys of the run's tables, once their tables are copied (the
 * one they reference may be outside the run).  One that cannot be added
 * fails its table.  A key of a table outside the run that a drop took is
 * recreated with what else the drops took. */
static void add_foreign_keys(struct engine *e, struct worker *w)
{
	size_t added = 0;
	for (size_t f = 0; f < e->nfks; f++) {
		const struct dfk *fk = &e->fks[f];
		const struct schema_item *it = &e->ddl.v[fk->item];
		bool child_in = fk->child != SIZE_MAX && e->groups[fk->child].ntables > 0;
		bool ref_in = fk->ref != SIZE_MAX && e->groups[fk->ref].ntables > 0;
		if (!child_in)
			continue;
		if (!group_copied(e, fk->child) || (ref_in && !group_copied(e, fk->ref))) {
			log_warn("foreign key %s not added yet: %s was not copied completely in this run "
				 "(copy --resume adds it)", it->name,
				 group_copied(e, fk->child) ? fk->ref_name : "its table");
			continue;
		}
		struct db_error err;
		if (!engine_drop_connect(w, &err) || !db_exec(w->ddl, it->sql, &err)) {
			if (strcmp(err.sqlstate, "42710") == 0)
				continue;       /* added by an earlier run */
			log_error("foreign key %s not added: %s: %s", it->name, err.sqlstate, err.message);
			group_failed(e, &e->groups[fk->child], "foreign key %.100s not added: %.5s: %.300s", it->name,
				     err.sqlstate, err.message);
			engine_drop_close(w);
			continue;
		}
		added++;
	}
	if (added)
		log_info("mode drop: %zu foreign keys added", added);
}

/* What the drops took besides the run's tables (this run's and earlier
 * ones', from gp2adb.drop_pending), once every table of the run is copied.
 * One that cannot be recreated fails the tables whose drop took it; when
 * none of them is in this run, EXIT_COPY_FAILED. */
static int recreate_pending(struct engine *e, struct worker *w)
{
	struct db_error err;
	bool any_failed = false;
	for (size_t i = 0; i < e->ntables; i++)
		any_failed |= e->tables[i].state == TABLE_FAILED;
	if (!engine_drop_connect(w, &err)) {
		log_error("destination: cannot connect to recreate what the drops took: %s", err.message);
		return EXIT_COPY_FAILED;
	}
	if (any_failed) {
		size_t n = 0;
		if (drop_pending_count(w->ddl, e->migration_id, &n, &err) && n)
			log_warn("mode drop: %zu object%s that the drops took (listed above) wait in gp2adb.drop_pending "
				 "until every table is copied; the copy that retries the failed tables recreates them",
				 n, n == 1 ? "" : "s");
		return EXIT_OK;
	}
	struct drop_pending_failure *failed;
	size_t nfailed, optional = 0;
	if (!drop_pending_recreate(w->ddl, e->migration_id, &failed, &nfailed, &optional, &err))
		return EXIT_COPY_FAILED;
	e->drop_optional_failed += optional;
	int rc = EXIT_OK;
	for (size_t f = 0; f < nfailed; f++) {
		char *key = toks_name_key(failed[f].root);
		size_t *g = strmap_at(&e->drop_members, key, false);
		free(key);
		if (g)
			group_failed(e, &e->groups[*g - 1], "%.200s, which went with it, was not recreated: %.290s",
				     failed[f].what, failed[f].text);
		else
			rc = EXIT_COPY_FAILED;
	}
	drop_pending_failures_free(failed, nfailed);
	return rc;
}

int engine_drop_finish(struct engine *e)
{
	if (e->plan->mode != MODE_DROP || !e->gprep)
		return EXIT_OK;
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
		group_failed(e, dg, "recreating its indexes and constraints: %.*s", 400, text);
	}
	add_foreign_keys(e, &w);
	int rc = recreate_pending(e, &w);
	engine_drop_close(&w);
	pthread_mutex_destroy(&w.cancel_lock);
	if (rc == EXIT_OK && e->drop_optional_failed) {
		log_error("mode drop: %zu owner, grant or comment statement%s of the source's definitions could not be "
			  "applied on the destination (see the warnings above); the data is copied",
			  e->drop_optional_failed, e->drop_optional_failed == 1 ? "" : "s");
		rc = EXIT_SCHEMA_FAILED;
	}
	return rc;
}
