/* gp2adb migrate: the whole chain without questions.  A table of stages,
 * each the same function its batch command runs; the first stage that fails
 * stops the chain and gives the exit code.  Completed stages are recorded in
 * <state_dir>/<id>/migrate.journal, so --resume starts where it stopped.
 * A chain that went through is not called done while an access opening is
 * outstanding in the ledger: exit 8, naming each and how to close it. */
#include "access.h"
#include "cluster.h"
#include "cmd.h"
#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "runlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int schema_pre(struct cli *cli) { return cmd_schema_section(cli, "pre-data"); }
static int schema_post(struct cli *cli) { return cmd_schema_section(cli, "post-data"); }
/* With several databases (cluster.h) the per-database stages run for each
 * in turn; copy runs them all at once on shared workers. */
static int each(struct cli *cli, const char *what, int (*fn)(struct cli *), bool create)
{
	return cluster_multi(&cli->plan) ? cmd_each_database(cli, what, fn, create) : fn(cli);
}
static int stage_check(struct cli *cli) { return each(cli, "check", cmd_check, false); }
static int stage_schema_pre(struct cli *cli) { return each(cli, "schema pre-data", schema_pre, true); }
static int stage_schema_post(struct cli *cli) { return each(cli, "schema post-data", schema_post, false); }
static int stage_validate(struct cli *cli) { return each(cli, "validate", cmd_validate, false); }
static int stage_analyze(struct cli *cli) { return each(cli, "analyze", cmd_analyze, false); }
static bool always(const struct plan *p) { (void)p; return true; }
static bool wants_validate(const struct plan *p) { return p->validate != VALIDATE_NONE; }
static bool wants_analyze(const struct plan *p) { return p->analyze; }
static bool wants_bizcheck(const struct plan *p) { return p->business_queries != NULL; }
static bool wants_roles(const struct plan *p) { return p->roles; }
/* migrate's --schema-file is the schema's, not a roles dump */
static int stage_roles(struct cli *cli)
{
	char *file = cli->schema_file;
	cli->schema_file = NULL;
	int rc = cmd_roles(cli);
	cli->schema_file = file;
	return rc;
}

static const struct stage {
	const char *name;
	int (*run)(struct cli *cli);
	bool (*wanted)(const struct plan *p);
	bool forceable;         /* --force goes on when it fails */
} stages[] = {
	{ "check", stage_check, always, true },
	{ "roles", stage_roles, wants_roles, false },
	{ "schema pre-data", stage_schema_pre, always, false },
	{ "copy", cmd_copy, always, false },
	{ "schema post-data", stage_schema_post, always, false },
	{ "validate", stage_validate, wants_validate, false },
	{ "analyze", stage_analyze, wants_analyze, false },
	{ "business check", cmd_bizcheck, wants_bizcheck, false },
};
#define NSTAGES (sizeof stages / sizeof stages[0])

enum outcome { NOT_RUN, DONE, DONE_BEFORE, FAILED, FORCED, NOT_WANTED };
static const char *const outcome_names[] = {
	"not run", "ok", "done before", "FAILED", "failed, going on (--force)", "not wanted",
};

/* The ledger's outstanding openings (NULL: it could not be read). */
static void open_access_json(struct json *j, const struct access_ledger *l)
{
	if (!l) {
		json_null(j, "open_access");
		return;
	}
	json_array_begin(j, "open_access");
	for (size_t i = 0; i < l->n; i++) {
		if (!access_outstanding(&l->v[i]))
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		access_describe(&l->v[i], &sb);
		json_object_begin(j, NULL);
		json_int(j, "id", l->v[i].id);
		json_string(j, "kind", access_kind_name(l->v[i].kind));
		json_string(j, "description", sb.data);
		json_string(j, "close_with", "gp2adb restore-access");
		json_object_end(j);
		strbuf_done(&sb);
	}
	json_array_end(j);
}

static void open_access_print(const struct plan *p, const struct access_ledger *l)
{
	if (!l) {
		printf("migrate: finished, but the access ledger under %s could not be read (see the error above):\n"
		       "  gp2adb cannot say that every opening is closed; 'gp2adb status' lists them\n", p->state_dir);
		return;
	}
	size_t n = access_ledger_outstanding(l);
	printf("migrate: finished, but %zu access opening%s still outstanding:\n", n, n == 1 ? " is" : "s are");
	for (size_t i = 0; i < l->n; i++) {
		if (!access_outstanding(&l->v[i]))
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		access_describe(&l->v[i], &sb);
		printf("  %s\n", sb.data);
		strbuf_done(&sb);
	}
	printf("migrate: close %s with 'gp2adb restore-access'; the migration is finished once nothing is open\n",
	       n == 1 ? "it" : "them");
}

static void report(const struct plan *p, const enum outcome *out, const int *codes, int rc, size_t stopped,
		   const struct access_ledger *ledger)
{
	if (p->json) {
		struct strbuf sb;
		struct json j;
		json_document_begin(&j, &sb);
		json_string(&j, "command", "migrate");
		json_int(&j, "exit", rc);
		json_array_begin(&j, "stages");
		for (size_t i = 0; i < NSTAGES; i++) {
			json_object_begin(&j, NULL);
			json_string(&j, "stage", stages[i].name);
			json_string(&j, "result", outcome_names[out[i]]);
			if (out[i] == FAILED || out[i] == FORCED)
				json_int(&j, "exit", codes[i]);
			json_object_end(&j);
		}
		json_array_end(&j);
		if (rc == EXIT_OK || rc == EXIT_ACCESS_OPEN)
			open_access_json(&j, ledger);
		json_document_print(&j);
		return;
	}
	printf("\nmigrate:\n");
	for (size_t i = 0; i < NSTAGES; i++) {
		if (out[i] == FAILED || out[i] == FORCED)
			printf("  %-17s %s (exit %d)\n", stages[i].name, outcome_names[out[i]], codes[i]);
		else
			printf("  %-17s %s\n", stages[i].name, outcome_names[out[i]]);
	}
	if (rc == EXIT_OK)
		printf("migrate: done\n");
	else if (rc == EXIT_ACCESS_OPEN)
		open_access_print(p, ledger);
	else if (rc == EXIT_INTERRUPTED)
		printf("migrate: interrupted in %s; run gp2adb migrate --resume to go on\n", stages[stopped].name);
	else
		printf("migrate: stopped at %s (exit %d); fix what it reports and run gp2adb migrate --resume\n",
		       stages[stopped].name, rc);
}

int cmd_migrate(struct cli *cli)
{
	struct plan *p = &cli->plan;
	char err[600];
	struct runlog journal;
	if (!runlog_open(&journal, p, "migrate.journal", err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return EXIT_USAGE;
	}
	if (!cli->resume) {
		/* a new run: forget what earlier runs applied */
		struct runlog schema;
		bool ok = runlog_clear(&journal);
		if (ok && runlog_open(&schema, p, "schema.journal", err, sizeof err)) {
			ok = runlog_clear(&schema);
			runlog_close(&schema);
		} else if (ok) {
			fprintf(stderr, "gp2adb: %s\n", err);
			ok = false;
		}
		if (!ok) {
			runlog_close(&journal);
			return EXIT_USAGE;
		}
	}
	enum outcome out[NSTAGES] = { NOT_RUN };
	int codes[NSTAGES] = { 0 };
	int rc = EXIT_OK;
	size_t stopped = 0;
	for (size_t i = 0; i < NSTAGES; i++) {
		const struct stage *s = &stages[i];
		const struct runlog_entry *prev = runlog_get(&journal, s->name);
		if (!s->wanted(p)) {
			out[i] = NOT_WANTED;
			continue;
		}
		if (cli->resume && prev && strcmp(prev->status, "ok") == 0) {
			out[i] = DONE_BEFORE;
			continue;
		}
		if (!p->json)
			printf("== %s ==\n", s->name);
		fflush(stdout);
		log_info("migrate: %s", s->name);
		codes[i] = s->run(cli);
		fflush(stdout);
		if (codes[i] == EXIT_OK) {
			out[i] = DONE;
			runlog_put(&journal, s->name, "ok", "");
			continue;
		}
		char detail[16];
		snprintf(detail, sizeof detail, "exit %d", codes[i]);
		runlog_put(&journal, s->name, "failed", detail);
		if (s->forceable && cli->force && codes[i] != EXIT_INTERRUPTED) {
			out[i] = FORCED;
			continue;
		}
		out[i] = FAILED;
		rc = codes[i];
		stopped = i;
		break;
	}
	/* finished only once nothing is open */
	struct access_ledger ledger;
	bool ledger_ok = true;
	access_ledger_init(&ledger);
	if (rc == EXIT_OK) {
		ledger_ok = access_list(p, &ledger);
		if (!ledger_ok || access_ledger_outstanding(&ledger) > 0)
			rc = EXIT_ACCESS_OPEN;
	}
	report(p, out, codes, rc, stopped, ledger_ok ? &ledger : NULL);
	access_ledger_done(&ledger);
	runlog_close(&journal);
	return rc;
}
