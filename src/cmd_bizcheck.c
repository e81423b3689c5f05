/* gp2adb validate --queries FILE (and migrate's "business check" stage):
 * the application's own queries on both sides. */
#include "bizcheck.h"
#include "cluster.h"
#include "cmd.h"
#include "exitcode.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_bizcheck(struct cli *cli)
{
	const struct plan *p = &cli->plan;
	if (!p->business_queries) {
		fprintf(stderr, "gp2adb: no business queries: give --queries FILE or migration.business_queries\n");
		return EXIT_USAGE;
	}
	struct bizquery_list l;
	char err[600];
	if (!bizcheck_load(p->business_queries, &l, err, sizeof err)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return EXIT_USAGE;
	}
	struct bizreport r;
	struct cluster_dbs dbs = { 0 };
	bool ran;
	if (cluster_multi(p)) {
		/* each database runs the queries of no database and those naming it */
		bool connect_failed;
		memset(&r, 0, sizeof r);
		ran = cluster_databases(p, &dbs, &connect_failed, r.error, sizeof r.error);
		r.connect_failed = connect_failed;
		for (size_t i = 0; ran && i < dbs.n; i++) {
			if (!dbs.v[i].on_source)
				continue;
			struct plan view;
			cluster_plan_for(p, dbs.v[i].name, &view);
			ran = bizcheck_append(&view, &l, &r);
		}
	} else {
		ran = bizcheck_run(p, &l, &r);
	}
	if (!ran) {
		fprintf(stderr, "gp2adb: business check: %s\n", r.error);
		int rc = r.connect_failed ? EXIT_CONNECT : EXIT_USAGE;
		bizcheck_report_free(&r);
		bizcheck_list_free(&l);
		cluster_dbs_free(&dbs);
		return rc;
	}
	char *text = bizcheck_report_text(&r, p->business_queries);
	char *json = bizcheck_report_json(&r, p->business_queries);
	fputs(p->json ? json : text, stdout);
	char *saved = bizcheck_report_save(p, text, json);
	if (saved)
		fprintf(p->json ? stderr : stdout, "report saved: %s\n", saved);
	free(saved);
	free(text);
	free(json);
	/* differences in the results are validation differences; a query that
	 * could not run on a side is an error in the check itself */
	int rc = r.differ ? EXIT_DIFFERENCES : r.errors ? EXIT_USAGE : EXIT_OK;
	if (r.errors && !r.differ)
		fprintf(stderr, "gp2adb: %zu business queries could not run on both sides; see above\n", r.errors);
	bizcheck_report_free(&r);
	bizcheck_list_free(&l);
	cluster_dbs_free(&dbs);
	return rc;
}
