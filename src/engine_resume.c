/* engine_resume: what earlier runs of this migration left, and what each
 * table still needs.  The destination's markers are the truth; a table whose
 * markers cannot be trusted to describe the rows it holds is copied again
 * from its truncation (modes truncate and drop) or fails with the reason
 * (append and skip-existing, where rows already added cannot be told apart
 * from the others).  Never patched from two different states. */
#include "engine_priv.h"
#include "log.h"
#include "mem.h"
#include "progress.h"
#include "source_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool replaces(const struct engine *e)
{
	return e->plan->mode == MODE_TRUNCATE || e->plan->mode == MODE_DROP;
}

/* Whether the unit markers of a table (from any split) cover all of it. */
static bool marks_complete(const struct progress_marks *m, size_t m0, size_t nm)
{
	const char **ids = xcalloc(nm + 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = m0; i < m0 + nm; i++)
		if (strcmp(m->items[i].unit, PROGRESS_PREP_UNIT) != 0)
			ids[n++] = m->items[i].unit;
	bool complete = unit_ids_complete(ids, n);
	free(ids);
	return complete;
}

/* A fresh run (no --resume) in mode append or skip-existing must not lose
 * track of a table that an interrupted run left half copied: its markers
 * stay, and the table fails with the way to finish it. */
static char **partial_tables(struct engine *e, const struct progress_marks *marks)
{
	char **keep = NULL;
	if (replaces(e))
		return NULL;
	for (size_t i = 0; i < e->ntables; i++) {
		struct etable *et = &e->tables[i];
		size_t m0, nm = progress_marks_of(marks, et->t->qualified, &m0);
		if (nm == 0 || et->state != TABLE_QUEUED || marks_complete(marks, m0, nm))
			continue;
		size_t units = 0;
		for (size_t k = m0; k < m0 + nm; k++)
			units += strcmp(marks->items[k].unit, PROGRESS_PREP_UNIT) != 0;
		et->state = TABLE_FAILED;
		etable_set_error(et, "it was partly copied by an interrupted run of this migration (%zu units committed); "
			 "rerun with --resume (or --only-failed) to finish it, or in mode truncate to copy it again",
			 units);
		keep = strv_push(keep, et->t->qualified);
	}
	return keep;
}

bool engine_resume_marks(struct engine *e, PGconn *dst, const struct unit_spec *specs,
			 struct progress_marks *marks)
{
	(void)specs;
	struct db_error err;
	if (!progress_load(dst, e->migration_id, marks, &err))
		return false;
	if (e->opt.resume)
		return true;
	char **keep = partial_tables(e, marks);
	bool ok = progress_clear(dst, e->migration_id, keep, &err);
	progress_marks_free(marks);
	if (ok && keep)
		ok = progress_load(dst, e->migration_id, marks, &err);
	strv_free(keep);
	return ok;
}

/* Forget a table's markers: it is copied again from its truncation. */
static bool forget(struct engine *e, PGconn *dst, struct etable *et)
{
	struct db_error err;
	char *sql = progress_delete_table_sql(dst, e->migration_id, et->t->qualified);
	bool ok = db_exec(dst, sql, &err);
	free(sql);
	if (!ok)
		log_error("destination: forgetting the markers of %s: %s: %s", et->t->qualified, err.sqlstate,
			  err.message);
	return ok;
}

static bool unit_known(const struct unit_spec *specs, size_t first, size_t n, const char *id)
{
	for (size_t i = first; i < first + n; i++)
		if (strcmp(specs[i].id, id) == 0)
			return true;
	return false;
}

bool engine_resume_table(struct engine *e, PGconn *dst, struct etable *et, const struct unit_spec *specs,
			 const struct progress_marks *marks, bool *unit_done)
{
	size_t first = et->spec0, nspecs = (size_t)et->nunits;
	size_t m0, nm = progress_marks_of(marks, et->t->qualified, &m0);
	bool replace = replaces(e);
	et->truncate = replace;
	et->prep = replace && nspecs > 1 ? PREP_NEEDED : PREP_NONE;
	if (nm == 0)
		return true;
	bool prep_marked = false, all_known = true, changed = false;
	size_t unit_marks = 0;
	for (size_t i = m0; i < m0 + nm; i++) {
		const struct progress_mark *m = &marks->items[i];
		if (strcmp(m->unit, PROGRESS_PREP_UNIT) == 0) {
			prep_marked = true;
			continue;
		}
		unit_marks++;
		all_known &= unit_known(specs, first, nspecs, m->unit);
		changed |= !m->source_state || !et->source_state || strcmp(m->source_state, et->source_state) != 0;
	}
	const char *why = NULL;
	if (!all_known)
		why = "its units changed since the interrupted run (split_threshold_mb or table size)";
	else if (unit_marks > 0 && unit_marks < nspecs && changed)
		why = et->source_state ? "it changed on the source since its first units were copied"
				       : "this source cannot tell whether it changed since its first units were copied";
	if (why && !replace) {
		et->state = TABLE_FAILED;
		etable_set_error(et, "%s, and the rows already copied cannot be told apart from the rest: "
			 "rerun in mode truncate, or empty it and rerun without --resume", why);
		return true;
	}
	if (why) {
		log_info("table %s: %s: copying it again from the start", et->t->qualified, why);
		return forget(e, dst, et);
	}
	/* unit markers without our truncation, or a truncation without its
	 * unit: what the table holds is not all ours */
	if (replace && ((nspecs > 1 && !prep_marked) || (nspecs == 1 && unit_marks == 0)))
		return forget(e, dst, et);
	et->truncate = false;
	if (et->prep == PREP_NEEDED)
		et->prep = PREP_DONE;
	for (size_t i = m0; i < m0 + nm; i++) {
		for (size_t u = first; u < first + nspecs; u++) {
			if (strcmp(specs[u].id, marks->items[i].unit) == 0) {
				unit_done[u] = true;
				et->rows_before += marks->items[i].rows;
				et->bytes_before += marks->items[i].bytes;
			}
		}
	}
	return true;
}

/* A table continued from an earlier run that turned out changed: copied
 * again from its truncation, or (append, skip-existing) failed. */
static bool redo_after_snapshot(struct engine *e, PGconn *dst, size_t ti)
{
	struct etable *et = &e->tables[ti];
	const char *why = "it changed on the source since its first units were copied";
	bool replace = replaces(e);
	if (replace) {
		log_info("table %s: %s: copying it again from the start", et->t->qualified, why);
		if (!forget(e, dst, et))
			return false;
	}
	for (size_t u = 0; u < e->nunits; u++) {
		if (e->units[u].spec.table != ti)
			continue;
		enum unit_state st = replace ? UNIT_QUEUED : UNIT_SKIPPED;
		if (e->units[u].state == UNIT_DONE || e->units[u].state == UNIT_QUEUED)
			e->units[u].state = e->ustate[u] = st;
	}
	et->rows_before = et->bytes_before = 0;
	et->units_done = 0;
	if (replace) {
		et->units_left = et->nunits;
		et->truncate = true;
		et->prep = et->nunits > 1 ? PREP_NEEDED : PREP_NONE;
		e->tprep[ti] = et->prep;
	} else {
		et->units_left = 0;
		et->state = TABLE_FAILED;
		etable_set_error(et, "%s, and the rows already copied cannot be told apart from the rest: "
			 "rerun in mode truncate, or empty it and rerun without --resume", why);
	}
	return true;
}

bool engine_resume_verify(struct engine *e, PGconn *dst)
{
	if (!e->opt.resume || e->plan->mode == MODE_DROP)
		return true;
	size_t n = 0;
	unsigned *oids = xcalloc(e->ntables + 1, sizeof *oids);
	size_t *which = xcalloc(e->ntables + 1, sizeof *which);
	for (size_t i = 0; i < e->ntables; i++) {
		const struct etable *et = &e->tables[i];
		if (et->state == TABLE_QUEUED && et->units_done > 0 && et->units_left > 0) {
			which[n] = i;
			oids[n++] = et->t->oid;
		}
	}
	char **now = xcalloc(n + 1, sizeof *now);
	struct db_error err;
	bool ok = source_state_read(e->coord, &e->sf, oids, n, now, &err);
	if (!ok)
		log_error("source: reading the tables' change counters: %s: %s", err.sqlstate, err.message);
	for (size_t k = 0; ok && k < n; k++) {
		const struct etable *et = &e->tables[which[k]];
		if (!now[k] || !et->source_state || strcmp(now[k], et->source_state) != 0)
			ok = redo_after_snapshot(e, dst, which[k]);
	}
	for (size_t k = 0; k < n; k++)
		free(now[k]);
	free(now);
	free(which);
	free(oids);
	return ok;
}
