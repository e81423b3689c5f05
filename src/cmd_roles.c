/* gp2adb roles: the source's roles, memberships and resource queues or
 * groups, applied on the destination before any database's schema. */
#include "cmd.h"
#include "db.h"
#include "exitcode.h"
#include "globals.h"
#include "journal.h"
#include "json.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *outcome_name(enum global_outcome o)
{
	switch (o) {
	case GLOBAL_CREATED: return "created";
	case GLOBAL_EXISTED: return "existed";
	case GLOBAL_ADJUSTED: return "adjusted";
	case GLOBAL_FAILED: return "FAILED";
	}
	return "?";
}

static void print_report(const struct plan *p, const struct global_report *r)
{
	if (p->json) {
		struct strbuf sb;
		struct json j;
		json_document_begin(&j, &sb);
		json_int(&j, "created", (long long)r->created);
		json_int(&j, "existed", (long long)r->existed);
		json_int(&j, "adjusted", (long long)r->adjusted);
		json_int(&j, "failed", (long long)r->failed);
		json_int(&j, "statements_failed", (long long)r->statements_failed);
		json_array_begin(&j, "objects");
		for (size_t i = 0; i < r->n; i++) {
			json_object_begin(&j, NULL);
			json_string(&j, "kind", r->v[i].what);
			json_string(&j, "name", r->v[i].role);
			json_string(&j, "outcome", outcome_name(r->v[i].outcome));
			json_string(&j, "note", r->v[i].note);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_document_print(&j);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct global_result *g = &r->v[i];
		printf("  %-14s %-24s %s%s%s\n", g->what, g->role, outcome_name(g->outcome), g->note ? ": " : "",
		       g->note ? g->note : "");
	}
	printf("roles: %zu created, %zu existed and left as they are, %zu adjusted, %zu failed\n", r->created,
	       r->existed, r->adjusted, r->failed);
}

/* The dump (or --schema-file), saved in the migration's directory (0600: it
 * holds password hashes). */
static char *read_globals(const struct cli *cli, struct journal *j, int *code)
{
	const struct plan *p = &cli->plan;
	char *sql = NULL;
	char err[1024];
	if (cli->schema_file) {
		size_t len;
		if (!journal_slurp(cli->schema_file, &sql, &len)) {
			fprintf(stderr, "gp2adb: %s: cannot read it: %s\n", cli->schema_file, strerror(errno));
			*code = EXIT_USAGE;
			return NULL;
		}
		return sql;
	}
	if (!globals_dump(p, &sql, code, err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return NULL;
	}
	(void)journal_write_atomic(j, "globals.sql", sql, strlen(sql));
	return sql;
}

int cmd_roles(struct cli *cli)
{
	const struct plan *p = &cli->plan;
	struct journal j;
	if (!journal_open(&j, p, true))
		return EXIT_USAGE;
	int code = EXIT_USAGE;
	char *sql = read_globals(cli, &j, &code);
	if (!sql) {
		journal_close(&j);
		return code;
	}
	struct global_items items;
	char err[300];
	if (!globals_parse(sql, strlen(sql), &items, err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s: %s\n", cli->schema_file ? cli->schema_file : "the roles dump", err);
		mem_wipe_free(sql);
		journal_close(&j);
		return EXIT_USAGE;
	}
	mem_wipe_free(sql);
	struct db_error dberr;
	PGconn *dst = db_connect(&p->destination, "destination", &dberr);
	if (!dst) {
		char *where = db_endpoint_describe(&p->destination);
		fprintf(stderr, "gp2adb: cannot connect to the destination (%s): %s\n", where, dberr.message);
		free(where);
		globals_items_free(&items);
		journal_close(&j);
		return EXIT_CONNECT;
	}
	char *created = journal_path(&j, "roles-created.list");
	struct global_report r;
	bool ok = globals_apply(dst, &items, created, &r);
	PQfinish(dst);
	free(created);
	print_report(p, &r);
	int rc = !ok ? EXIT_CONNECT : r.failed || r.statements_failed ? EXIT_SCHEMA_FAILED : EXIT_OK;
	if (!ok)
		fprintf(stderr, "gp2adb: the destination connection was lost while applying roles; run it again\n");
	globals_report_free(&r);
	globals_items_free(&items);
	journal_close(&j);
	return rc;
}
