/* gp2adb analyze: ANALYZE the copied tables on the destination. */
#include "analyze.h"
#include "cmd.h"
#include "exitcode.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>

static void progress(const struct analyze_item *it, size_t done, size_t total, void *arg)
{
	(void)arg;
	if (it->ok)
		printf("[%zu/%zu] analyzed %s%s (%.1f MB) in %.1f s\n", done, total, it->qualified,
		       it->root ? " (partition root)" : "", (double)it->bytes / 1048576.0, it->seconds);
	else
		printf("[%zu/%zu] FAILED   %s: %s\n", done, total, it->qualified, it->error);
	fflush(stdout);
}

int cmd_analyze(struct cli *cli)
{
	struct plan *p = &cli->plan;
	bool lines = !p->json && p->verbosity >= 0;
	if (!p->json)
		printf("%s\nanalyzing on the destination with %d connection%s, smallest tables first\n",
		       ANALYZE_LOAD_WARNING, p->jobs, p->jobs == 1 ? "" : "s");
	fflush(stdout);
	struct analyze_result res;
	char err[1024];
	bool connect_failed;
	if (!analyze_run(p, p->jobs, lines ? progress : NULL, NULL, &res, err, sizeof err, &connect_failed)) {
		fprintf(stderr, "gp2adb: %s\n", err);
		analyze_result_free(&res);
		return connect_failed ? EXIT_CONNECT : EXIT_USAGE;
	}
	if (p->json) {
		struct strbuf sb;
		struct json j;
		json_document_begin(&j, &sb);
		json_string(&j, "warning", ANALYZE_LOAD_WARNING);
		json_int(&j, "tables", (long long)res.n);
		json_int(&j, "failed", res.failed);
		json_int(&j, "jobs", res.jobs);
		json_double(&j, "seconds", res.seconds);
		json_array_begin(&j, "items");
		for (size_t i = 0; i < res.n; i++) {
			json_object_begin(&j, NULL);
			json_string(&j, "table", res.items[i].qualified);
			json_bool(&j, "partition_root", res.items[i].root);
			json_int(&j, "bytes", res.items[i].bytes);
			json_bool(&j, "ok", res.items[i].ok);
			json_double(&j, "seconds", res.items[i].seconds);
			json_string(&j, "error", res.items[i].ok ? NULL : res.items[i].error);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_document_print(&j);
	} else {
		printf("analyze: %zu tables in %.1f s on %d connection%s, %d failed\n", res.n - (size_t)res.failed,
		       res.seconds, res.jobs, res.jobs == 1 ? "" : "s", res.failed);
		for (size_t i = 0; i < res.n; i++)
			if (!res.items[i].ok)
				printf("  failed: %s: %s\n", res.items[i].qualified, res.items[i].error);
	}
	int rc = res.failed ? EXIT_COPY_FAILED : EXIT_OK;
	analyze_result_free(&res);
	return rc;
}
