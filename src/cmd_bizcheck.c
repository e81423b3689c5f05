/* gp2adb validate --queries FILE (and migrate's "business check" stage):
 * the application's own queries on both sides. */
#include "bizcheck.h"
#include "cmd.h"
#include "exitcode.h"
#include "journal.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void save(const struct plan *p, const char *text, const char *json)
{
	struct journal j;
	if (!journal_open(&j, p, true))
		return;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *txt = xasprintf("business-check-%s.txt", stamp), *js = xasprintf("business-check-%s.json", stamp);
	if (journal_write_atomic(&j, txt, text, strlen(text)) && journal_write_atomic(&j, js, json, strlen(json))) {
		char *path = journal_path(&j, txt);
		fprintf(p->json ? stderr : stdout, "report saved: %s\n", path);
		free(path);
	}
	free(txt);
	free(js);
	journal_close(&j);
}

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
	if (!bizcheck_run(p, &l, &r)) {
		fprintf(stderr, "gp2adb: business check: %s\n", r.error);
		int rc = r.connect_failed ? EXIT_CONNECT : EXIT_USAGE;
		bizcheck_report_free(&r);
		bizcheck_list_free(&l);
		return rc;
	}
	char *text = bizcheck_report_text(&r, p->business_queries);
	char *json = bizcheck_report_json(&r, p->business_queries);
	fputs(p->json ? json : text, stdout);
	save(p, text, json);
	free(text);
	free(json);
	/* differences in the results are validation differences; a query that
	 * could not run on a side is an error in the check itself */
	int rc = r.differ ? EXIT_DIFFERENCES : r.errors ? EXIT_USAGE : EXIT_OK;
	if (r.errors && !r.differ)
		fprintf(stderr, "gp2adb: %zu business queries could not run on both sides; see above\n", r.errors);
	bizcheck_report_free(&r);
	bizcheck_list_free(&l);
	return rc;
}
