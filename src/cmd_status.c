/* gp2adb status: outstanding access openings first, then both endpoints,
 * their flavors and versions, reachability. */
#include "access.h"
#include "cmd.h"
#include "db.h"
#include "exitcode.h"
#include "json.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct endpoint_status {
	const char *role;
	char *where;            /* masked conninfo */
	bool reachable;
	struct flavor flavor;
	char *version;
	struct db_error err;
};

static void probe(struct endpoint_status *st, const char *role, const struct endpoint *ep)
{
	memset(st, 0, sizeof *st);
	st->role = role;
	st->where = db_endpoint_describe(ep);
	PGconn *conn = db_connect(ep, role, &st->err);
	if (!conn)
		return;
	st->reachable = db_flavor(conn, &st->flavor, &st->version, &st->err);
	PQfinish(conn);
}

static void openings_json(struct json *j, const struct access_ledger *l)
{
	json_array_begin(j, "openings");
	for (size_t i = 0; i < l->n; i++) {
		const struct access_opening *o = &l->v[i];
		if (!access_outstanding(o))
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		access_describe(o, &sb);
		json_object_begin(j, NULL);
		json_int(j, "id", o->id);
		json_string(j, "kind", access_kind_name(o->kind));
		json_string(j, "state", access_state_name(o->state));
		json_string(j, "made_by", access_made_by_gp2adb(o) ? "gp2adb" : "operator");
		json_string(j, "host", o->host);
		json_string(j, "path", o->path);
		json_string(j, "cidr", o->cidr);
		json_string(j, "migration", o->migration);
		json_string(j, "note", o->note);
		json_string(j, "description", sb.data);
		json_object_end(j);
		strbuf_done(&sb);
	}
	json_array_end(j);
}

static void openings_print(const struct access_ledger *l)
{
	size_t n = access_ledger_outstanding(l);
	if (n == 0) {
		printf("%-12s none outstanding\n", "access");
		return;
	}
	printf("%-12s %zu OPEN: close with 'gp2adb restore-access'\n", "access", n);
	for (size_t i = 0; i < l->n; i++) {
		if (!access_outstanding(&l->v[i]))
			continue;
		struct strbuf sb;
		strbuf_init(&sb);
		access_describe(&l->v[i], &sb);
		printf("%-12s %s\n", "", sb.data);
		strbuf_done(&sb);
		/* what the last attempt to close it found */
		const char *note = l->v[i].note;
		if (note && l->v[i].state == ACCESS_CLOSING)
			for (const char *line = note; *line;) {
				size_t len = strcspn(line, "\n");
				printf("%-12s   %.*s\n", "", (int)len, line);
				line += len + (line[len] == '\n');
			}
	}
}

int cmd_status(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct access_ledger ledger;
	bool ledger_ok = access_list(p, &ledger);
	if (!p->json) {
		if (ledger_ok) {
			openings_print(&ledger);
			if (ledger.damaged)
				printf("%-12s the ledger had %zu damaged line%s (see the warning above); every whole "
				       "event was read\n", "", ledger.damaged, ledger.damaged == 1 ? "" : "s");
		} else {
			printf("%-12s UNKNOWN: the access ledger cannot be read (see the error above)\n", "access");
		}
	}
	struct endpoint_status st[2];
	probe(&st[0], "source", &p->source);
	probe(&st[1], "destination", &p->destination);

	if (p->json) {
		struct strbuf sb;
		struct json j;
		json_document_begin(&j, &sb);
		if (ledger_ok)
			openings_json(&j, &ledger);
		else
			json_null(&j, "openings");
		for (int i = 0; i < 2; i++) {
			char desc[160];
			json_object_begin(&j, st[i].role);
			json_string(&j, "connection", st[i].where);
			json_bool(&j, "reachable", st[i].reachable);
			if (st[i].reachable) {
				flavor_describe(&st[i].flavor, desc, sizeof desc);
				json_string(&j, "flavor", flavor_kind_name(st[i].flavor.kind));
				json_string(&j, "description", desc);
				json_string(&j, "version", st[i].version);
			} else {
				json_string(&j, "sqlstate", st[i].err.sqlstate);
				json_string(&j, "error", st[i].err.message);
			}
			json_object_end(&j);
		}
		json_document_print(&j);
	} else {
		for (int i = 0; i < 2; i++) {
			char desc[160], etext[600];
			printf("%-12s %s\n", st[i].role, st[i].where);
			if (st[i].reachable) {
				flavor_describe(&st[i].flavor, desc, sizeof desc);
				printf("%-12s reachable: %s\n", "", desc);
				if (p->verbosity > 0)
					printf("%-12s %s\n", "", st[i].version);
			} else {
				printf("%-12s NOT reachable: %s\n", "", db_error_text(&st[i].err, etext, sizeof etext));
			}
		}
	}
	access_ledger_done(&ledger);
	bool ok = st[0].reachable && st[1].reachable;
	for (int i = 0; i < 2; i++) {
		free(st[i].where);
		free(st[i].version);
	}
	return ok ? EXIT_OK : EXIT_CONNECT;
}
