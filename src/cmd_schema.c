/* gp2adb schema: dump the source's DDL (or read --schema-file), scan it,
 * and apply one section object by object on the destination, with each
 * object's result in <state_dir>/<id>/schema.journal. */
#include "cmd.h"
#include "journal.h"
#include "db.h"
#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "runlog.h"
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_findings(const struct schema_findings *f, bool quiet)
{
	for (size_t i = 0; i < f->n && !quiet; i++)
		printf("warning: %s (line %d): %s\n         fix: %s\n", f->v[i].object, f->v[i].line,
		       f->v[i].problem, f->v[i].fix);
}

static void print_results(const struct schema_items *items, const struct item_result *res, int verbosity)
{
	for (size_t k = 0; k < items->n; k++) {
		const struct schema_item *it = &items->v[k];
		const struct item_result *r = &res[k];
		switch (r->state) {
		case STATE_NOT_RUN:
			break;
		case STATE_OK:
		case STATE_DONE_BEFORE:
			if (verbosity > 0)
				printf("  %-15s %s %s\n", schema_state_name(r->state), it->kind, it->name);
			break;
		case STATE_FAILED:
			printf("  %-15s %s %s (line %d): %s: %s\n", "FAILED", it->kind, it->name, it->line,
			       r->sqlstate, r->message);
			break;
		case STATE_SKIPPED:
			printf("  %-15s %s %s: %s\n", "skipped", it->kind, it->name, r->message);
			break;
		}
	}
}

static void print_json(const struct schema_items *items, const struct item_result *res,
		       const struct schema_findings *f, const struct schema_totals *t,
		       enum schema_section sec, const char *journal)
{
	struct strbuf sb;
	struct json j;
	json_document_begin(&j, &sb);
	json_string(&j, "section", schema_section_name(sec));
	json_string(&j, "journal", journal);
	json_int(&j, "applied", (long long)t->ok);
	json_int(&j, "applied_before", (long long)t->done_before);
	json_int(&j, "failed", (long long)t->failed);
	json_int(&j, "skipped", (long long)t->skipped);
	json_array_begin(&j, "findings");
	for (size_t i = 0; i < f->n; i++) {
		json_object_begin(&j, NULL);
		json_string(&j, "id", f->v[i].id);
		json_string(&j, "object", f->v[i].object);
		json_int(&j, "line", f->v[i].line);
		json_string(&j, "problem", f->v[i].problem);
		json_string(&j, "fix", f->v[i].fix);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "objects");
	for (size_t k = 0; k < items->n; k++) {
		if (res[k].state == STATE_NOT_RUN)
			continue;
		const struct schema_item *it = &items->v[k];
		json_object_begin(&j, NULL);
		json_string(&j, "kind", it->kind);
		json_string(&j, "name", it->name);
		json_string(&j, "section", schema_section_name(it->section));
		json_int(&j, "line", it->line);
		json_string(&j, "result", schema_state_name(res[k].state));
		if (res[k].state == STATE_FAILED)
			json_string(&j, "sqlstate", res[k].sqlstate);
		if (res[k].message)
			json_string(&j, "message", res[k].message);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_document_print(&j);
}

int cmd_schema_section(struct cli *cli, const char *section)
{
	struct plan *p = &cli->plan;
	enum schema_section sec = SECTION_ALL;
	if (section && !schema_section_parse(section, &sec)) {
		fprintf(stderr, "gp2adb: unknown schema section '%s'\n", section);
		return EXIT_USAGE;
	}
	char err[1024];
	struct schema_load sl;
	PGconn *dst;
	int code;
	if (!schema_load(p, cli->schema_file, &sl, &dst, &code, err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return code;
	}
	const struct schema_items *items = &sl.items;
	struct runlog journal;
	if (!runlog_open(&journal, p, "schema.journal", err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		schema_load_done(&sl);
		PQfinish(dst);
		return EXIT_USAGE;
	}
	if (!p->json)
		print_findings(&sl.findings, p->verbosity < 0);

	struct item_result *res = xcalloc(items->n ? items->n : 1, sizeof *res);
	struct schema_totals t;
	bool conn_ok = schema_apply(dst, items, sec, &journal, res, &t);
	if (p->json) {
		print_json(items, res, &sl.findings, &t, sec, journal.path);
	} else {
		print_results(items, res, p->verbosity);
		printf("schema %s: %zu applied, %zu failed, %zu skipped, %zu applied before; journal %s\n",
		       schema_section_name(sec), t.ok, t.failed, t.skipped, t.done_before, journal.path);
		if (t.failed + t.skipped > 0)
			printf("Fix the failures above and run the same command again: only what was not "
			       "applied is tried.\n");
	}
	int rc = !conn_ok ? EXIT_CONNECT : t.failed + t.skipped > 0 ? EXIT_SCHEMA_FAILED : EXIT_OK;
	for (size_t k = 0; k < items->n; k++)
		free(res[k].message);
	free(res);
	runlog_close(&journal);
	schema_load_done(&sl);
	PQfinish(dst);
	return rc;
}

int cmd_schema(struct cli *cli)
{
	return cmd_schema_section(cli, cli->section ? cli->section : "all");
}
