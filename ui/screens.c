/* The wizard's screens, in the order the operator walks them. */
#include "screens.h"

const struct screen wizard_screens[SCR_COUNT] = {
	{ SCR_WELCOME, "Welcome", NULL,
	  "What gp2adb will do, step by step.  Access openings left by earlier runs "
	  "(whitelist entries, pg_hba lines, grants) are listed first, in red: close them "
	  "before starting again.\n\nThe marks on the top line are the steps: * here, + done, "
	  "- skipped, x not available in this build, ! failed or cancelled, . to come.",
	  0, welcome_enter, welcome_draw, NULL, NULL, NULL, NULL, NULL },
	{ SCR_CONNECTIONS, "Connections", "e edit  t test",
	  "The source (Greenplum or PostgreSQL) and the destination (ADB), prefilled from the "
	  "configuration.  e edits the selected field (Enter keeps, Esc drops the change), "
	  "t tests both connections live.  Passwords come from ~/.pgpass or PGPASSFILE and are "
	  "never shown.  Next needs both connections tested and reachable.",
	  2, NULL, connections_draw, connections_key, connections_validate, NULL, NULL, NULL },
	{ SCR_DATABASES, "Databases", "Space tick  a all/none",
	  "The source's databases (all but postgres, template0 and template1) with their sizes.  "
	  "Space ticks or unticks the selected one, a ticks all or none.  The plan's "
	  "migration.databases comes ticked, or the connection's own database when it names none.  "
	  "With several ticked, the roles are copied first (migration.roles), then every later "
	  "step (schema, copy, validation, backfill, ANALYZE) runs over each ticked database; a "
	  "database the source lacks or the destination cannot create is named with the reason and "
	  "the others go on.",
	  0, databases_enter, databases_draw, databases_key, databases_validate, databases_apply, NULL, NULL },
	{ SCR_EVALUATION, "Evaluation", "a accept  r rerun",
	  "The checks of gp2adb check, with what to do about each.  A failing check must be "
	  "resolved (fix it, then r to rerun the checks) or accepted explicitly with a, "
	  "knowing the risk.  Tab moves to the detail pane to scroll it.",
	  2, evaluation_enter, evaluation_draw, evaluation_key, evaluation_validate, NULL, evaluation_tick,
	  NULL },
	{ SCR_METHOD, "Method", "Space choose  p path",
	  "How the data will move: the advisor's recommendation first, then the alternatives "
	  "and the conditions under which each applies.  Space chooses another usable method.  "
	  "p switches the engine's data path: auto (large tables segment to segment through "
	  "gp2adb's relay when every segment of both clusters reaches it), segment (every table), "
	  "coordinator (every row through the two coordinators).",
	  0, method_enter, method_draw, method_key, NULL, NULL, NULL, NULL },
	{ SCR_WHITELIST, "Whitelist", "e type the entry  a already allowed",
	  "ADB accepts connections only from its whitelist.  Type the entry you added in the "
	  "console (e), so that gp2adb records it in its access ledger and reminds you to remove "
	  "it.  If this host was already allowed before the migration, press a instead.",
	  0, NULL, whitelist_draw, whitelist_key, whitelist_validate, whitelist_apply, NULL, NULL },
	{ SCR_INSTALL, "gpcopy installation", "e tarball  s start",
	  "The gpcopy tarball you downloaded (gpcopy-2.x.y.tar.gz): e types its path, Enter "
	  "checks that it holds gpcopy and gpcopy_helper.  Then gpcopy and gpcopy_helper are "
	  "copied to the Greenplum master and every segment host over SSH and verified there.  "
	  "s starts; each host shows its state as it goes.",
	  0, install_enter, install_draw, install_key, install_validate, NULL, install_tick, NULL },
	{ SCR_SCHEMA, "Schema", "a apply  k keep existing",
	  "The objects gp2adb will create on the destination, and what the scan of the dump "
	  "found.  a applies them object by object and shows each result; k keeps the schema "
	  "that is already on the destination.",
	  2, schema_enter, schema_draw, schema_key, schema_validate, NULL, schema_tick, NULL },
	{ SCR_REVIEW, "Review", NULL,
	  "Everything that happens next, before the copy starts.  Next asks once more, then "
	  "starts the copy.  Esc goes back to change anything.",
	  0, review_enter, review_draw, NULL, NULL, review_apply, NULL,
	  "Start the copy now?  Destination tables are written as the review says. (y/n)" },
	{ SCR_MIGRATION, "Migration", "p pause  c cancel  i inspect",
	  "The copy, live.  The header has the totals; each running table has its progress by "
	  "bytes, rows, rate, the last minute's rate as a sparkline, its ETA and retries.  p "
	  "pauses and resumes, c cancels (after asking; a cancelled copy resumes with gp2adb copy "
	  "--resume), i or Enter shows the selected table in full.  Tab moves to the log pane.",
	  2, migration_enter, migration_draw, migration_key, migration_validate, NULL, migration_tick,
	  NULL },
	{ SCR_VALIDATION, "Validation", NULL,
	  "Source and destination compared table by table (row counts, then aggregates or "
	  "checksums as the plan says).  Differences are shown in red with what differs.",
	  0, validation_enter, validation_draw, validation_key, validation_validate, NULL,
	  validation_tick, NULL },
	{ SCR_BIZCHECK, "Business check", "e queries file  r run",
	  "The application's own queries (gp2adb validate --queries FILE) on both sides: e types "
	  "the file (migration.business_queries by default), Enter or r runs it.  Each query's "
	  "result is compared (as a multiset, in order when it ends with ORDER BY, floats within "
	  "a tolerance) and timed on both sides; a query that fails on a side is shown with its "
	  "error.  Enter without a file goes on.",
	  0, bizcheck_enter, bizcheck_draw, bizcheck_key, bizcheck_validate, NULL, bizcheck_tick, NULL },
	{ SCR_BACKFILL, "Backfill", "b backfill",
	  "Tables written on the source since their copy (gp2adb backfill), found by their change "
	  "fingerprints (or row counts).  Each is brought up to date with the rows beyond its "
	  "ever-increasing column, or copied again whole.  b backfills them (after asking) with the "
	  "same live panes as the copy, then validates what was backfilled.  When nothing changed "
	  "there is nothing to do.",
	  0, backfill_enter, backfill_draw, backfill_key, backfill_validate, NULL, backfill_tick, NULL },
	{ SCR_ANALYZE, "ANALYZE", NULL,
	  "ANALYZE on the destination, so that its planner has statistics for the new tables.",
	  0, analyze_enter, analyze_draw, NULL, analyze_validate, NULL, analyze_tick, NULL },
	{ SCR_ACCESS, "Access restoration", "r restore  y closed",
	  "Every access control opened for the migration.  Openings gp2adb made itself are undone "
	  "and verified with r; the ones you made in the cloud console you close there and "
	  "confirm here with y.  The migration is not finished while any is open.",
	  0, access_enter, access_draw, access_key, access_validate, NULL, NULL, NULL },
	{ SCR_SUMMARY, "Summary", "Up/Down scroll",
	  "Totals, timings, failed tables with the command that retries them, and the report.  "
	  "Enter or q leaves; the summary is printed again on the terminal.",
	  0, summary_enter, summary_draw, summary_key, NULL, NULL, NULL, NULL },
};
