/* gp2adb status: both endpoints, their flavors and versions, reachability.
 * (Outstanding access openings are listed first once the ledger exists.) */
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

int cmd_status(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct endpoint_status st[2];
	probe(&st[0], "source", &p->source);
	probe(&st[1], "destination", &p->destination);

	if (p->json) {
		struct strbuf sb;
		struct json j;
		strbuf_init(&sb);
		json_init(&j, &sb, true);
		json_object_begin(&j, NULL);
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
		json_object_end(&j);
		printf("%s\n", sb.data);
		strbuf_done(&sb);
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
	bool ok = st[0].reachable && st[1].reachable;
	for (int i = 0; i < 2; i++) {
		free(st[i].where);
		free(st[i].version);
	}
	return ok ? EXIT_OK : EXIT_CONNECT;
}
