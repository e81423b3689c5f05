/* The per-database commands over a plan of several databases: each runs
 * once per database, with a heading, the others going on when one fails.
 * (copy runs its databases at once on shared workers: engine_group.c.) */
#include "cluster.h"
#include "cmd.h"
#include "db.h"
#include "exitcode.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the database exists on the destination (false also when the
 * destination cannot be asked: the command itself then says why). */
static bool on_destination(const struct plan *p, const char *db)
{
	struct plan view;
	cluster_plan_for(p, db, &view);
	struct db_error err;
	PGconn *c = db_connect(&view.destination, "destination", &err);
	bool ok = c != NULL;
	if (c)
		PQfinish(c);
	return ok;
}

int cmd_each_database(struct cli *cli, const char *what, int (*fn)(struct cli *cli), bool create)
{
	struct plan *p = &cli->plan;
	struct cluster_dbs dbs;
	char err[700];
	bool connect_failed;
	if (!cluster_databases(p, &dbs, &connect_failed, err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return connect_failed ? EXIT_CONNECT : EXIT_USAGE;
	}
	int rc = EXIT_OK;
	size_t failed = 0;
	struct plan saved = *p;
	for (size_t i = 0; i < dbs.n; i++) {
		const struct cluster_db *d = &dbs.v[i];
		if (!p->json)
			printf("%s== database %s (%zu of %zu) ==\n", i ? "\n" : "", d->name, i + 1, dbs.n);
		fflush(stdout);
		int code = EXIT_OK;
		if (!d->on_source) {
			fprintf(stderr, "gp2adb: database %s: the source has no such database; the others go on\n",
				d->name);
			code = EXIT_USAGE;
		} else if (create) {
			bool made;
			if (!cluster_ensure_database(p, d, &made, err, sizeof err)) {
				fprintf(stderr, "gp2adb: %s; the others go on\n", err);
				code = EXIT_USAGE;
			} else if (made && !p->json) {
				printf("database %s created on the destination\n", d->name);
			}
		}
		if (code == EXIT_OK) {
			struct plan view;
			cluster_plan_for(&saved, d->name, &view);
			/* a database not yet created on the destination is checked
			 * against the destination's maintenance database */
			if (!create && strcmp(what, "check") == 0 && !on_destination(&saved, d->name)) {
				view.destination.dbname = "postgres";
				if (!p->json)
					printf("database %s is not on the destination yet (the schema step creates it): "
					       "the destination is checked through its postgres database\n", d->name);
			}
			*p = view;
			code = fn(cli);
			*p = saved;
		}
		if (code != EXIT_OK) {
			failed++;
			log_warn("%s: database %s: exit %d", what, d->name, code);
			if (rc == EXIT_OK || code == EXIT_INTERRUPTED)
				rc = code;
		}
		if (code == EXIT_INTERRUPTED)
			break;
	}
	if (!p->json)
		printf("\n%s: %zu of %zu databases without a problem\n", what, dbs.n - failed, dbs.n);
	cluster_dbs_free(&dbs);
	return rc;
}
