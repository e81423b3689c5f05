/* backfill: which tables changed since their copy, and how to bring them up
 * to date (backfill.h). */
#include "backfill.h"
#include "catalog.h"
#include "db.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "source_state.h"
#include "strbuf.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool backfill_changed(const struct backfill_table *t)
{
	return t->change == BACKFILL_CHANGED || t->change == BACKFILL_REWRITTEN || t->change == BACKFILL_COUNTS_DIFFER;
}

const char *backfill_key_for(const struct plan *p, const char *schema, const char *table)
{
	size_t ls = strlen(schema), lt = strlen(table);
	for (size_t i = 0; p->backfill_keys && p->backfill_keys[i]; i++) {
		const char *k = p->backfill_keys[i];
		if (strncmp(k, schema, ls) == 0 && k[ls] == '.' && strncmp(k + ls + 1, table, lt) == 0 &&
		    k[ls + 1 + lt] == ':')
			return k + ls + 1 + lt + 1;
	}
	return NULL;
}

static const struct column *column_named(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* An ever-increasing column: configured, or a one-column integer key fed by
 * an identity or a sequence the table owns. */
static const struct column *increasing_column(const struct plan *p, const struct table *t,
					      const struct sequence_list *seqs, const char **why)
{
	const char *configured = backfill_key_for(p, t->schema, t->name);
	if (configured) {
		*why = "migration.backfill_keys";
		return column_named(t, configured);
	}
	if (!t->key || !t->key[0] || t->key[1])
		return NULL;
	const struct column *c = column_named(t, t->key[0]);
	if (!c || !c->typname)
		return NULL;
	bool integer = !strcmp(c->typname, "int2") || !strcmp(c->typname, "int4") || !strcmp(c->typname, "int8");
	if (integer && c->identity) {
		*why = "its key is an identity column";
		return c;
	}
	for (size_t i = 0; integer && i < seqs->n; i++) {
		if (seqs->items[i].owner_table && strcmp(seqs->items[i].owner_table, t->qualified) == 0) {
			*why = "its key is fed by a sequence";
			return c;
		}
	}
	return NULL;
}

static char *glob_escaped(const char *schema, const char *name)
{
	struct strbuf sb;
	strbuf_init(&sb);
	const char *parts[2] = { schema, name };
	for (int k = 0; k < 2; k++) {
		if (k)
			strbuf_putc(&sb, '.');
		for (const char *c = parts[k]; *c; c++) {
			if (strchr("*?[\\", *c))
				strbuf_putc(&sb, '\\');
			strbuf_putc(&sb, *c);
		}
	}
	return strbuf_finish(&sb);
}

static long long count_rows(PGconn *c, const char *qualified)
{
	char *sql = xasprintf("SELECT count(*) FROM ONLY %s", qualified);
	PGresult *r = db_query(c, sql, 0, NULL, NULL);
	free(sql);
	long long n = r ? atoll(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return n;
}

/* The last fingerprint gp2adb committed for a table, over both marker sets. */
static const char *last_state(const struct progress_marks *m1, const struct progress_marks *m2, const char *table,
			      bool *any)
{
	const struct progress_marks *sets[2] = { m1, m2 };
	const struct progress_mark *best = NULL;
	*any = false;
	for (int s = 0; s < 2; s++) {
		size_t first, n = progress_marks_of(sets[s], table, &first);
		for (size_t i = first; i < first + n; i++) {
			const struct progress_mark *mk = &sets[s]->items[i];
			if (strcmp(mk->unit, PROGRESS_PREP_UNIT) == 0)
				continue;
			*any = true;
			if (!best || mk->committed_at > best->committed_at)
				best = mk;
		}
	}
	return best ? best->source_state : NULL;
}

static bool load_marks(PGconn *dst, const char *id, struct progress_marks *out, struct db_error *err)
{
	memset(out, 0, sizeof *out);
	PGresult *r = db_query(dst, "SELECT to_regclass('gp2adb.copy_progress') IS NOT NULL", 0, NULL, err);
	if (!r)
		return false;
	bool exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return !exists || progress_load(dst, id, out, err);
}

/* How one changed table is brought up to date. */
static void plan_table(const struct plan *p, PGconn *src, PGconn *dst, const struct table *t,
		       const struct sequence_list *seqs, struct backfill_table *b)
{
	const char *why = NULL;
	const struct column *c = increasing_column(p, t, seqs, &why);
	if (backfill_key_for(p, t->schema, t->name) && !c)
		log_warn("table %s: migration.backfill_keys names %s, which it does not have: copying it whole",
			 t->qualified, backfill_key_for(p, t->schema, t->name));
	if (!c)
		return;
	char *col = db_quote_ident(dst, c->name);
	char *sql = xasprintf("SELECT max(%s)::text FROM ONLY %s", col, t->qualified);
	PGresult *r = db_query(dst, sql, 0, NULL, NULL);
	free(sql);
	if (r && !PQgetisnull(r, 0, 0)) {
		b->column = xstrdup(c->name);
		b->why_column = xstrdup(why);
		b->hwm = xstrdup(PQgetvalue(r, 0, 0));
		char *lit = db_quote_literal(src, b->hwm);
		char *scol = db_quote_ident(src, c->name);
		b->predicate = xasprintf("%s > %s::%s", scol, lit, c->type);
		free(scol);
		free(lit);
		char hex[65];
		char *seed = xasprintf("%s\001%s", c->name, b->hwm);
		journal_sha256_hex(seed, strlen(seed), hex);
		free(seed);
		/* unique to this run: a rerun with nothing new commits another marker */
		b->unit_id = xasprintf("bf-%.16s-%lld", hex, (long long)time(NULL));
	}
	PQclear(r);
	free(col);
}

bool backfill_plan(const struct plan *p, struct backfill_plan *out, int *code, char *err, size_t errsize)
{
	memset(out, 0, sizeof *out);
	*code = EXIT_CONNECT;
	struct db_error e;
	struct flavor sf;
	PGconn *src = db_connect(&p->source, "source", &e), *dst = NULL;
	if (!src || !db_flavor(src, &sf, NULL, &e)) {
		snprintf(err, errsize, "source: %s", e.message);
		goto fail;
	}
	dst = db_connect(&p->destination, "destination", &e);
	if (!dst) {
		snprintf(err, errsize, "destination: %s", e.message);
		goto fail;
	}
	*code = EXIT_USAGE;
	struct table_list cat = { 0 };
	struct sequence_list seqs = { 0 };
	if (!catalog_tables(src, &sf, p, &cat, &e) || !catalog_sequences(src, &sf, p, &seqs, &e)) {
		snprintf(err, errsize, "source: reading the catalog: %s: %s", e.sqlstate, e.message);
		catalog_tables_free(&cat);
		goto fail;
	}
	char id[16];
	plan_migration_id(p, id);
	char *bf_id = xasprintf("%s%s", id, BACKFILL_SUFFIX);
	struct progress_marks copied = { 0 }, backfilled = { 0 };
	bool ok = load_marks(dst, id, &copied, &e) && load_marks(dst, bf_id, &backfilled, &e);
	free(bf_id);
	unsigned *oids = xcalloc(cat.n + 1, sizeof *oids);
	char **now = xcalloc(cat.n + 1, sizeof *now);
	for (size_t i = 0; i < cat.n; i++)
		oids[i] = cat.items[i].oid;
	ok = ok && source_state_read(src, &sf, oids, cat.n, now, &e);
	if (!ok)
		snprintf(err, errsize, "reading the change markers: %s: %s", e.sqlstate, e.message);
	out->v = xcalloc(cat.n + 1, sizeof *out->v);
	for (size_t i = 0; ok && i < cat.n; i++) {
		const struct table *t = &cat.items[i];
		if (!catalog_has_data(t))
			continue;
		struct backfill_table *b = &out->v[out->n++];
		b->qualified = xstrdup(t->qualified);
		b->pattern = glob_escaped(t->schema, t->name);
		b->src_rows = b->dst_rows = -1;
		bool any;
		const char *then = last_state(&copied, &backfilled, t->qualified, &any);
		if (any && then && now[i]) {
			out->fingerprints = true;
			b->change = strcmp(then, now[i]) == 0 ? BACKFILL_UNCHANGED
				    : source_state_only_inserts(then, now[i]) ? BACKFILL_CHANGED : BACKFILL_REWRITTEN;
		} else {
			b->src_rows = count_rows(src, t->qualified);
			b->dst_rows = count_rows(dst, t->qualified);
			bool differ = b->src_rows != b->dst_rows;
			b->change = differ ? BACKFILL_COUNTS_DIFFER : any ? BACKFILL_UNCHANGED : BACKFILL_NOT_COPIED;
		}
		if (backfill_changed(b)) {
			out->changed++;
			/* rows updated or deleted: only a whole copy brings them */
			if (b->change != BACKFILL_REWRITTEN)
				plan_table(p, src, dst, t, &seqs, b);
			if (!b->unit_id)
				b->unit_id = xstrdup("bf-all");
		}
	}
	for (size_t i = 0; i < cat.n; i++)
		free(now[i]);
	free(now);
	free(oids);
	progress_marks_free(&copied);
	progress_marks_free(&backfilled);
	catalog_tables_free(&cat);
	catalog_sequences_free(&seqs);
	PQfinish(src);
	PQfinish(dst);
	if (!ok)
		backfill_plan_free(out);
	return ok;
fail:
	if (src)
		PQfinish(src);
	if (dst)
		PQfinish(dst);
	return false;
}

struct engine_backfill_unit *backfill_units(const struct backfill_plan *b, bool whole, size_t *n)
{
	struct engine_backfill_unit *u = xcalloc(b->n + 1, sizeof *u);
	*n = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct backfill_table *t = &b->v[i];
		if (!backfill_changed(t))
			continue;
		u[*n].table = t->qualified;
		u[*n].predicate = whole ? NULL : t->predicate;
		u[*n].unit_id = whole || !t->predicate ? "bf-all" : t->unit_id;
		(*n)++;
	}
	return u;
}

void backfill_plan_free(struct backfill_plan *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].qualified);
		free(b->v[i].pattern);
		free(b->v[i].column);
		free(b->v[i].why_column);
		free(b->v[i].hwm);
		free(b->v[i].predicate);
		free(b->v[i].unit_id);
	}
	free(b->v);
	memset(b, 0, sizeof *b);
}

bool backfill_validate_changed(const struct plan *p, const struct backfill_plan *b, struct validate_result *res,
		       char ***differ, char *err, size_t errsize, bool *connect_failed)
{
	struct plan view = *p;
	view.include = NULL;
	view.exclude = NULL;
	for (size_t i = 0; i < b->n; i++)
		if (backfill_changed(&b->v[i]))
			view.include = strv_push(view.include, b->v[i].pattern);
	if (view.validate == VALIDATE_NONE)
		view.validate = VALIDATE_AGGREGATES;
	struct validate_options o;
	validate_options_from_plan(&o, &view);
	struct validate_run *run = validate_start(&view, &o, err, errsize, connect_failed);
	strv_free(view.include);
	if (!run)
		return false;
	validate_finish(run, res);
	for (size_t i = 0; i < res->n; i++)
		if (res->tables[i].status != VALIDATE_MATCH)
			*differ = strv_push(*differ, res->tables[i].qualified);
	return true;
}
