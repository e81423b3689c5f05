/* gp2adb backfill: bring the copied tables up to date with writes made on
 * the source after their copy (backfill.h), then validate what was
 * backfilled. */
#include "backfill.h"
#include "cmd.h"
#include "copy_view.h"
#include "engine.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *change_text(const struct backfill_table *t)
{
	switch (t->change) {
	case BACKFILL_UNCHANGED: return "unchanged";
	case BACKFILL_CHANGED: return "changed since its copy: rows were inserted";
	case BACKFILL_REWRITTEN: return "changed since its copy: rows were updated or deleted (or it was rewritten)";
	case BACKFILL_COUNTS_DIFFER: return "changed: the row counts differ";
	case BACKFILL_NOT_COPIED: return "not copied by gp2adb (no marker); the row counts agree";
	}
	return "?";
}

static void print_plan(const struct plan *p, const struct backfill_plan *b)
{
	if (p->json)
		return;
	printf("backfill: %zu tables checked, %zu changed since their copy%s\n", b->n, b->changed,
	       b->fingerprints ? "" : " (by row counts: this source gives no change counters, so rows updated "
				       "in place cannot be seen; validate afterwards)");
	for (size_t i = 0; i < b->n; i++) {
		const struct backfill_table *t = &b->v[i];
		if (t->change == BACKFILL_UNCHANGED && p->verbosity < 1)
			continue;
		printf("  %-40s %s\n", t->qualified, change_text(t));
		if (!backfill_changed(t))
			continue;
		if (t->predicate)
			printf("  %-40s   copy the rows beyond %s = %s (%s)\n", "", t->column, t->hwm, t->why_column);
		else if (t->change == BACKFILL_REWRITTEN)
			printf("  %-40s   copy it again whole\n", "");
		else
			printf("  %-40s   copy it again whole (no ever-increasing column: name one in "
			       "migration.backfill_keys to copy only new rows)\n", "");
	}
	fflush(stdout);
}

/* One engine run over the units, shown like copy. */
static int run_units(const struct plan *p, const struct engine_backfill_unit *u, size_t n)
{
	struct plan view = *p;
	view.mode = MODE_APPEND;        /* the units say what is truncated */
	struct engine_options opt = { .backfill = u, .nbackfill = n, .migration_suffix = BACKFILL_SUFFIX };
	struct copy_view *v = p->json ? copy_view_json(stdout) : copy_view_plain(stdout, 5.0, p->verbosity < 0);
	struct engine *e = engine_new(&view, &opt);
	int rc = engine_start(e) ? copy_view_drive(e, v) : engine_exit_code(e);
	engine_free(e);
	v->free(v);
	return rc;
}

/* Validate the tables backfilled; the names of those that still differ. */
static int validate_tables(const struct plan *p, const struct backfill_plan *b, char ***differ)
{
	char err[1024];
	bool connect_failed;
	struct validate_result res;
	if (!backfill_validate_changed(p, b, &res, differ, err, sizeof err, &connect_failed)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return connect_failed ? EXIT_CONNECT : EXIT_DIFFERENCES;
	}
	if (!p->json) {
		char *t = validate_report_text(&res);
		printf("\n%s", t);
		free(t);
	}
	int rc = res.differ || res.missing || res.extra || res.errors ? EXIT_DIFFERENCES : EXIT_OK;
	validate_result_free(&res);
	return rc;
}

int cmd_backfill(struct cli *cli)
{
	const struct plan *p = &cli->plan;
	struct backfill_plan b;
	char err[1024];
	int code;
	if (!backfill_plan(p, &b, &code, err, sizeof err)) {
		fprintf(stderr, "gp2adb: backfill: %s\n", err);
		return code;
	}
	print_plan(p, &b);
	if (b.changed == 0) {
		if (!p->json)
			printf("nothing to backfill\n");
		backfill_plan_free(&b);
		return EXIT_OK;
	}
	size_t n;
	struct engine_backfill_unit *u = backfill_units(&b, false, &n);
	int rc = run_units(p, u, n);
	free(u);
	char **differ = NULL;
	if (rc == EXIT_OK)
		rc = validate_tables(p, &b, &differ);
	/* incremental tables that still differ: rows were updated or deleted,
	 * or a key value committed late; they are copied again whole */
	if (rc == EXIT_DIFFERENCES) {
		struct backfill_plan again = b;
		size_t redo = 0;
		for (size_t i = 0; i < b.n; i++) {
			struct backfill_table *t = &b.v[i];
			bool want = t->predicate && strv_contains(differ, t->qualified);
			if (!want && backfill_changed(t))
				t->change = BACKFILL_UNCHANGED;     /* not part of the second round */
			redo += want;
		}
		if (redo) {
			if (!p->json)
				printf("\n%zu backfilled table%s still differ%s: copying %s again whole\n", redo,
				       redo == 1 ? "" : "s", redo == 1 ? "s" : "", redo == 1 ? "it" : "them");
			u = backfill_units(&again, true, &n);
			rc = run_units(p, u, n);
			free(u);
			strv_free(differ);
			differ = NULL;
			if (rc == EXIT_OK)
				rc = validate_tables(p, &again, &differ);
		}
	}
	strv_free(differ);
	backfill_plan_free(&b);
	return rc;
}
