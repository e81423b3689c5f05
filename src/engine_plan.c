/* engine_plan: what the engine copies.  Tables become units; the
 * destination's tables and column types are checked against the source's;
 * earlier runs' markers decide what is left (engine_resume.c). */
#include "engine_priv.h"
#include "copy_journal.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "session.h"
#include "source_state.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each destination table with its columns: "name\001typname\002..." in
 * column order (names and types as the catalog spells them). */
static const char DESTINATION_TABLES[] =
	"SELECT n.nspname, c.relname,\n"
	"       coalesce(string_agg(a.attname || chr(1) || t.typname, chr(2) ORDER BY a.attnum), '')\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped\n"
	"LEFT JOIN pg_type t ON t.oid = a.atttypid\n"
	"WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')\n"
	"GROUP BY n.nspname, c.relname";

struct dst_table {
	char *key;      /* "schema\001name" */
	char *cols;
};

static int dst_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dst_table *)a)->key, ((const struct dst_table *)b)->key);
}

static struct dst_table *destination_tables(PGconn *dst, size_t *n)
{
	struct db_error err;
	*n = 0;
	PGresult *r = db_query(dst, DESTINATION_TABLES, 0, NULL, &err);
	if (!r) {
		log_error("destination: listing tables: %s: %s", err.sqlstate, err.message);
		return NULL;
	}
	int rows = PQntuples(r);
	struct dst_table *v = xcalloc((size_t)rows + 1, sizeof *v);
	for (int i = 0; i < rows; i++) {
		v[i].key = xasprintf("%s\001%s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		v[i].cols = xstrdup(PQgetvalue(r, i, 2));
	}
	PQclear(r);
	qsort(v, (size_t)rows, sizeof *v, dst_cmp);
	*n = (size_t)rows;
	return v;
}

static void destination_tables_free(struct dst_table *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].key);
		free(v[i].cols);
	}
	free(v);
}

static const struct dst_table *destination_find(const struct dst_table *v, size_t n, const struct table *t)
{
	struct dst_table k = { .key = xasprintf("%s\001%s", t->schema, t->name) };
	const struct dst_table *found = bsearch(&k, v, n, sizeof *v, dst_cmp);
	free(k.key);
	return found;
}

/* The destination type of column `name`, from "name\001type\002...", into
 * out; false when the destination has no such column. */
static bool destination_column(const char *cols, const char *name, char *out, size_t outsize)
{
	size_t len = strlen(name);
	for (const char *p = cols; p && *p;) {
		const char *sep = strchr(p, '\001');
		const char *end = strchr(p, '\002');
		if (!end)
			end = p + strlen(p);
		if (sep && sep < end && (size_t)(sep - p) == len && strncmp(p, name, len) == 0) {
			snprintf(out, outsize, "%.*s", (int)(end - sep - 1), sep + 1);
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

/* Compare the columns a table copies with the destination's: a missing
 * column fails the table (named); a different type makes a binary copy
 * text, so that the destination converts each value by its own input
 * rules instead of reading another type's bytes (timestamp read as
 * timestamptz would shift every value silently). */
static void check_columns(struct etable *et, const struct dst_table *d)
{
	const struct table *t = et->t;
	struct strbuf diff;
	strbuf_init(&diff);
	for (size_t i = 0; i < t->ncols; i++) {
		const struct column *c = &t->cols[i];
		if (c->generated)
			continue;
		char type[128];
		if (!destination_column(d->cols, c->name, type, sizeof type)) {
			et->state = TABLE_FAILED;
			etable_set_error(et, "the destination table has no column \"%s\" (%s on the source); "
				 "add it or rerun gp2adb schema", c->name, c->type);
			break;
		}
		if (strcmp(type, c->typname) != 0)
			strbuf_printf(&diff, "%s\"%s\" is %s on the source and %s on the destination",
				      diff.len ? "; " : "", c->name, c->typname, type);
	}
	if (et->state != TABLE_FAILED && diff.len) {
		if (et->binary) {
			et->binary = false;
			log_warn("table %s: %s: copying it as text, so the destination converts each value",
				 t->qualified, diff.data);
		} else {
			log_info("table %s: %s", t->qualified, diff.data);
		}
	}
	strbuf_done(&diff);
}

/* The SQL a table's units share: column lists, format, FREEZE. */
static void table_format(struct engine *e, struct etable *et)
{
	const struct table *t = et->t;
	const struct plan *p = e->plan;
	bool unsafe = false;
	for (size_t i = 0; i < t->ncols; i++)
		unsafe |= !t->cols[i].generated && t->cols[i].binary_unsafe;
	if (p->format == FORMAT_BINARY)
		et->binary = true;
	else if (p->format == FORMAT_TEXT)
		et->binary = false;
	else    /* binary COPY converts the text of only some types (encoding.h);
		 * a Greenplum or ADB coordinator loads text cheaper (flavor.h) */
		et->binary = flavor_binary_preferred(&e->sf, &e->df) && !unsafe && !encoding_converts(&e->enc);
}

static void table_sql(struct engine *e, struct etable *et)
{
	const struct table *t = et->t;
	struct strbuf cols, out;
	strbuf_init(&cols);
	strbuf_init(&out);
	/* A server before 9.0 prints real with 8 digits at most (extra_float_digits
	 * 2), one short of exact: read it as float8, exact with 17, which the
	 * destination rounds back to the same real. */
	bool widen = !et->binary && session_float_digits(e->sf.pg_num) < 3, widen_any = false;
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated)
			continue;
		char *q = db_quote_ident(e->coord, t->cols[i].name);
		const char *tn = t->cols[i].typname;
		const char *cast = !widen || !tn ? "" : strcmp(tn, "float4") == 0 ? "::float8"
				   : strcmp(tn, "_float4") == 0 ? "::float8[]" : "";
		strbuf_printf(&cols, "%s%s", cols.len ? ", " : "", q);
		strbuf_printf(&out, "%s%s%s", out.len ? ", " : "", q, cast);
		widen_any |= cast[0] != '\0';
		free(q);
	}
	et->select_sql = xasprintf("COPY (SELECT %s FROM ONLY %s", out.data, t->qualified);
	const char *fmt = et->binary ? "FORMAT binary" : "";
	char *list = cols.len ? xasprintf(" (%s)", cols.data) : xstrdup("");
	/* A whole table reads cheaper without the executor: COPY t (cols) TO
	 * reads only t itself, as ONLY does, and skips the same columns. */
	if (cols.len && !widen_any)
		et->table_out_sql = xasprintf("COPY %s%s", t->qualified, list);
	et->copy_in_sql = xasprintf("COPY %s%s FROM STDIN%s%s%s", t->qualified, list,
				    *fmt ? " (" : "", fmt, *fmt ? ")" : "");
	bool freeze_ok = e->df.kind == FLAVOR_POSTGRES && e->df.pg_num >= 90300;
	if (freeze_ok)
		et->copy_in_freeze_sql = xasprintf("COPY %s%s FROM STDIN (%s%sFREEZE)", t->qualified, list,
						   fmt, *fmt ? ", " : "");
	free(list);
	strbuf_done(&cols);
	strbuf_done(&out);
}

/* --only-failed: a table to retry.  In mode drop a group is dropped and
 * recreated as one, so a failed member brings back all of its group.
 * failed: the journal's tables as a map (a scan of the list per table was
 * quadratic when most of 100,000 tables failed). */
static bool retry_wanted(const struct engine *e, struct strmap *failed, size_t cat_index)
{
	const struct table *t = &e->cat.items[cat_index];
	if (e->plan->mode != MODE_DROP || e->cat_group[cat_index] == SIZE_MAX)
		return strmap_at(failed, t->qualified, false) != NULL;
	const struct dgroup *g = &e->groups[e->cat_group[cat_index]];
	for (size_t i = 0; g->members[i]; i++)
		if (strmap_at(failed, g->members[i], false))
			return true;
	return false;
}

static bool table_has_rows(PGconn *dst, const struct table *t, bool *has)
{
	struct db_error err;
	char *sql = xasprintf("SELECT EXISTS (SELECT 1 FROM ONLY %s)", t->qualified);
	PGresult *r = db_query(dst, sql, 0, NULL, &err);
	free(sql);
	if (!r) {
		log_error("destination table %s: %s: %s", t->qualified, err.sqlstate, err.message);
		return false;
	}
	*has = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return true;
}

static int eunit_cmp(const void *a, const void *b)
{
	return unit_compare(&((const struct eunit *)a)->spec, &((const struct eunit *)b)->spec);
}

/* The change fingerprints of the tables: a resume of a split table compares
 * them (only there can units read at two moments meet), and backfill asks
 * which tables changed since they were copied. */
static bool read_source_states(struct engine *e)
{
	unsigned *oids = xcalloc(e->ntables + 1, sizeof *oids);
	size_t *which = xcalloc(e->ntables + 1, sizeof *which);
	size_t n = 0;
	for (size_t i = 0; i < e->ntables; i++) {
		if (e->tables[i].state == TABLE_QUEUED) {
			which[n] = i;
			oids[n++] = e->tables[i].t->oid;
		}
	}
	char **states = xcalloc(n + 1, sizeof *states);
	struct db_error err;
	bool ok = source_state_read(e->coord, &e->sf, oids, n, states, &err);
	if (!ok)
		log_error("source: reading the tables' change counters: %s: %s", err.sqlstate, err.message);
	for (size_t k = 0; k < n; k++)
		e->tables[which[k]].source_state = states[k];
	free(states);
	free(which);
	free(oids);
	return ok;
}

static const struct engine_backfill_unit *backfill_of(const struct engine *e, const struct table *t)
{
	for (size_t i = 0; i < e->opt.nbackfill; i++)
		if (strcmp(e->opt.backfill[i].table, t->qualified) == 0)
			return &e->opt.backfill[i];
	return NULL;
}

static void backfill_unit(size_t table, const struct table *t, const struct engine_backfill_unit *bf,
			  struct unit_spec **specs, size_t *n)
{
	*specs = xrealloc(*specs, (*n + 1) * sizeof **specs);
	struct unit_spec *u = &(*specs)[(*n)++];
	memset(u, 0, sizeof *u);
	u->table = table;
	u->count = 1;
	u->bytes_est = t->bytes > 0 ? t->bytes : 0;
	snprintf(u->id, sizeof u->id, "%s", bf->unit_id);
	u->predicate = bf->predicate && *bf->predicate ? xstrdup(bf->predicate) : NULL;
}

/* Tables and units, before the snapshot is taken. */
static bool build_tables(struct engine *e, PGconn *dst, struct strmap *failed, struct unit_spec **specs,
			 size_t *nspecs)
{
	const struct plan *p = e->plan;
	size_t ndst;
	struct dst_table *dtabs = destination_tables(dst, &ndst);
	if (!dtabs)
		return false;
	bool drop = p->mode == MODE_DROP;
	struct unit_split split;
	unit_split_for(&split, &e->sf, p->split_threshold_mb, e->segments);
	e->tables = xcalloc(e->cat.n + 1, sizeof *e->tables);
	size_t skipped_defs = 0;
	for (size_t i = 0; i < e->cat.n; i++) {
		const struct table *t = &e->cat.items[i];
		if (!catalog_has_data(t)) {
			skipped_defs += t->kind == TABLE_EXTERNAL || t->kind == TABLE_FOREIGN;
			continue;
		}
		if (e->opt.only_failed && !retry_wanted(e, failed, i))
			continue;
		const struct engine_backfill_unit *bf = backfill_of(e, t);
		if (e->opt.backfill && !bf)
			continue;
		struct etable *et = &e->tables[e->ntables];
		et->t = t;
		et->state = TABLE_QUEUED;
		size_t first = *nspecs;
		et->spec0 = first;
		if (drop) {
			struct dgroup *g = &e->groups[e->cat_group[i]];
			et->group = e->cat_group[i];
			g->tables[g->ntables++] = e->ntables;
			if (g->error[0]) {
				et->state = TABLE_FAILED;
				etable_set_error(et, "%s", g->error);
			}
		}
		if (bf)
			backfill_unit(e->ntables, t, bf, specs, nspecs);
		else
			unit_plan_table(t, e->ntables, &split, specs, nspecs);
		et->nunits = (int)(*nspecs - first);
		e->ntables++;
		table_format(e, et);
		const struct dst_table *d = drop ? NULL : destination_find(dtabs, ndst, t);
		if (!drop && !d) {
			et->state = TABLE_FAILED;
			etable_set_error(et, "the destination has no table %s; run gp2adb schema first",
				 t->qualified);
		} else if (d) {
			check_columns(et, d);
		}
		table_sql(e, et);
	}
	if (skipped_defs)
		log_info("%zu external or foreign tables: definitions only, no data copied", skipped_defs);
	destination_tables_free(dtabs, ndst);
	return true;
}

bool engine_plan_units(struct engine *e, PGconn *dst)
{
	const struct plan *p = e->plan;
	char **failed = NULL;
	struct unit_spec *specs = NULL;
	size_t nspecs = 0;
	struct progress_marks marks = { 0 };
	bool *done = NULL;
	bool ok = false;
	if (e->opt.only_failed) {
		if (!copy_journal_read_failed(e->journal_dir, &failed))
			goto out;
		if (!failed)
			log_info("no tables failed in the last run: nothing to retry");
	}
	struct strmap failed_map;
	strmap_init(&failed_map, strv_len(failed));
	for (size_t i = 0; failed && failed[i]; i++)
		(void)strmap_at(&failed_map, failed[i], true);
	bool built = build_tables(e, dst, &failed_map, &specs, &nspecs);
	strmap_done(&failed_map);
	if (!built || !read_source_states(e))
		goto out;
	if (!e->opt.backfill && !engine_resume_marks(e, dst, specs, &marks))
		goto out;

	bool drop = p->mode == MODE_DROP;
	e->nunits = nspecs;
	e->units = xcalloc(nspecs + 1, sizeof *e->units);
	e->ustate = xcalloc(nspecs + 1, sizeof *e->ustate);
	e->tprep = xcalloc(e->ntables + 1, sizeof *e->tprep);
	done = xcalloc(nspecs + 1, sizeof *done);
	ok = true;
	if (drop)
		ok = engine_drop_resume(e, dst, &marks, done, specs);
	for (size_t i = 0; ok && !drop && i < e->ntables; i++) {
		struct etable *et = &e->tables[i];
		if (et->state == TABLE_FAILED)
			continue;
		if (e->opt.backfill) {
			/* a condition appends what is missing; none redoes the table */
			et->truncate = !backfill_of(e, et->t)->predicate;
			et->prep = PREP_NONE;
			continue;
		}
		ok = engine_resume_table(e, dst, et, specs, &marks, done);
		if (ok && p->mode == MODE_SKIP_EXISTING && et->state == TABLE_QUEUED && et->rows_before == 0) {
			bool has = false;
			if (!(ok = table_has_rows(dst, et->t, &has)))
				break;
			if (has)
				et->state = TABLE_SKIPPED;
		}
	}
	for (size_t u = 0; u < nspecs; u++) {
		struct etable *et = &e->tables[specs[u].table];
		e->units[u].spec = specs[u];
		e->units[u].state = et->state == TABLE_QUEUED ? (done[u] ? UNIT_DONE : UNIT_QUEUED) : UNIT_SKIPPED;
		if (e->units[u].state == UNIT_DONE)
			et->units_done++;
		else if (e->units[u].state == UNIT_QUEUED)
			et->units_left++;
	}
	for (size_t i = 0; i < e->ntables; i++) {
		struct etable *et = &e->tables[i];
		if (et->state == TABLE_QUEUED && et->units_left == 0)
			et->state = TABLE_DONE;
		e->tprep[i] = et->prep;
	}
	qsort(e->units, e->nunits, sizeof *e->units, eunit_cmp);
	e->utable = xcalloc(e->nunits + 1, sizeof *e->utable);
	e->ugroup = xcalloc(e->nunits + 1, sizeof *e->ugroup);
	for (size_t u = 0; u < e->nunits; u++) {
		e->ustate[u] = e->units[u].state;
		e->utable[u] = e->units[u].spec.table;
		e->ugroup[u] = drop ? e->tables[e->units[u].spec.table].group : 0;
	}
out:
	free(done);
	if (e->units)
		free(specs);    /* the predicates are the units' now */
	else
		unit_specs_free(specs, nspecs);
	strv_free(failed);
	progress_marks_free(&marks);
	return ok ? true : engine_setup_fail(e, EXIT_USAGE);
}
