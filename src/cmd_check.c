/* gp2adb check: run the preflight checks, print them grouped by severity
 * with remedies, then the method advice.  Exit 0 when nothing failed, 2 when
 * a check failed, 5 when a server could not be reached. */
#include "advisor.h"
#include "cmd.h"
#include "db.h"
#include "exitcode.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects shown per finding in the text report (all with -v, all in JSON). */
#define OBJECTS_SHOWN 10

/* Lines of text indented by 6, after `label` on the first line. */
static void print_indented(const char *label, const char *text)
{
	if (!text || !*text)
		return;
	bool first = true;
	int pad = label[0] ? (int)strlen(label) + 1 : 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		printf("      %-*s%.*s\n", pad, first ? label : "", (int)n, p);
		first = false;
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void print_text(const struct plan *p, const struct findings *f, const struct advice *a,
		       const char *src_where, const char *dst_where)
{
	static const char *const heads[] = { "OK", "INFO", "WARN", "FAIL" };
	int counts[4] = { 0 };
	printf("source       %s\ndestination  %s\n", src_where, dst_where);
	for (int sev = SEV_FAIL; sev >= SEV_OK; sev--) {
		for (size_t i = 0; i < f->n; i++) {
			const struct finding *x = &f->items[i];
			if ((int)x->severity != sev)
				continue;
			if (counts[sev]++ == 0)
				printf("\n%s\n", heads[sev]);
			printf("  %-4s  %-22s %s\n", heads[sev], x->id, x->title);
			if (sev == SEV_OK && p->verbosity <= 0)
				continue;
			print_indented("", x->detail);
			size_t n = strv_len(x->objects);
			size_t shown = p->verbosity > 0 ? n : (n < OBJECTS_SHOWN ? n : OBJECTS_SHOWN);
			for (size_t k = 0; k < shown; k++)
				printf("      - %s\n", x->objects[k]);
			if (shown < n)
				printf("      - ... and %zu more (-v or --json lists all)\n", n - shown);
			print_indented("remedy:", x->remedy);
		}
	}
	printf("\n%d failed, %d warnings, %d notes, %d passed\n", counts[SEV_FAIL], counts[SEV_WARN],
	       counts[SEV_INFO], counts[SEV_OK]);
	printf("\nMETHOD  %s\n", advisor_method_name(a->recommended));
	print_indented("", a->reason);
	if (a->path_reason)
		printf("      engine's data path: %s\n", a->path_reason);
	printf("      network: source reaches destination: %s%s; destination reaches source: %s\n",
	       a->source_reaches_destination == TRI_YES ? "yes" : a->source_reaches_destination == TRI_NO ? "no" : "unknown",
	       a->source_reaches_destination_tested ? " (tested)" : "",
	       a->destination_reaches_source == TRI_YES ? "yes" : a->destination_reaches_source == TRI_NO ? "no" : "unknown");
	for (int m = 0; m < METHOD_COUNT; m++)
		printf("  %-11s %-10s %s\n", advisor_method_name(a->options[m].method),
		       a->options[m].usable ? "usable" : "not usable", a->options[m].condition);
}

static const char *tri_name(enum tristate t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static void print_json(const struct findings *f, const struct advice *a, const struct preflight_facts *facts,
		       const char *src_where, const char *dst_where, int rc)
{
	struct strbuf sb;
	struct json j;
	char desc[160];
	json_document_begin(&j, &sb);
	json_object_begin(&j, "source");
	json_string(&j, "connection", src_where);
	flavor_describe(&facts->source, desc, sizeof desc);
	json_string(&j, "flavor", desc);
	json_int(&j, "segments", facts->source_segments);
	json_object_end(&j);
	json_object_begin(&j, "destination");
	json_string(&j, "connection", dst_where);
	json_bool(&j, "reachable", facts->destination_reached);
	if (facts->destination_reached) {
		flavor_describe(&facts->destination, desc, sizeof desc);
		json_string(&j, "flavor", desc);
		json_int(&j, "segments", facts->destination_segments);
	}
	json_object_end(&j);
	json_array_begin(&j, "findings");
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->items[i];
		json_object_begin(&j, NULL);
		json_string(&j, "id", x->id);
		json_string(&j, "severity", severity_name(x->severity));
		json_string(&j, "title", x->title);
		json_string(&j, "detail", x->detail);
		json_string(&j, "remedy", x->remedy);
		json_array_begin(&j, "objects");
		for (size_t k = 0; x->objects && x->objects[k]; k++)
			json_string(&j, NULL, x->objects[k]);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "size");
	json_int(&j, "bytes", facts->total_bytes);
	json_int(&j, "rows", facts->total_rows);
	json_double(&j, "rate_bytes_per_s", facts->rate_bytes_per_s);
	json_bool(&j, "rate_measured", facts->rate_measured);
	json_object_end(&j);
	json_object_begin(&j, "advice");
	json_string(&j, "recommended", advisor_method_name(a->recommended));
	json_string(&j, "reason", a->reason);
	json_string(&j, "engine_path", a->engine_path == PATH_SEGMENT ? "segment" : "coordinator");
	json_string(&j, "engine_path_reason", a->path_reason);
	json_object_begin(&j, "network");
	json_string(&j, "source_reaches_destination", tri_name(a->source_reaches_destination));
	json_bool(&j, "source_reaches_destination_tested", a->source_reaches_destination_tested);
	json_string(&j, "destination_reaches_source", tri_name(a->destination_reaches_source));
	json_bool(&j, "gp2adb_reaches_destination", facts->destination_reached);
	json_object_end(&j);
	json_array_begin(&j, "options");
	for (int m = 0; m < METHOD_COUNT; m++) {
		json_object_begin(&j, NULL);
		json_string(&j, "method", advisor_method_name(a->options[m].method));
		json_bool(&j, "usable", a->options[m].usable);
		json_string(&j, "condition", a->options[m].condition);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_int(&j, "exit", rc);
	json_document_print(&j);
}

int cmd_check(struct cli *cli)
{
	struct plan *p = &cli->plan;
	struct db_error err;
	char text[700];
	char *src_where = db_endpoint_describe(&p->source);
	char *dst_where = db_endpoint_describe(&p->destination);
	PGconn *src = db_connect(&p->source, "check", &err);
	if (!src) {
		fprintf(stderr, "gp2adb: cannot connect to the source (%s): %s\n", src_where,
			db_error_text(&err, text, sizeof text));
		free(src_where);
		free(dst_where);
		return EXIT_CONNECT;
	}
	PGconn *dst = db_connect(&p->destination, "check", &err);
	if (!dst)
		fprintf(stderr, "gp2adb: cannot connect to the destination (%s): %s\n", dst_where,
			db_error_text(&err, text, sizeof text));

	struct findings f = { 0 };
	struct preflight_facts facts;
	struct preflight_options opt = { PREFLIGHT_WRITES_INTERVAL };
	int rc;
	if (!preflight_run(p, src, dst, &opt, &f, &facts, text, sizeof text)) {
		fprintf(stderr, "gp2adb: %s\n", text);
		rc = PQstatus(src) == CONNECTION_OK ? EXIT_PREFLIGHT : EXIT_CONNECT;
	} else {
		struct advice a;
		advisor_advise(p, &facts, &f, advisor_host_is_local(p->source.host), &a);
		rc = !dst ? EXIT_CONNECT : findings_worst(&f) == SEV_FAIL ? EXIT_PREFLIGHT : EXIT_OK;
		if (p->json)
			print_json(&f, &a, &facts, src_where, dst_where, rc);
		else
			print_text(p, &f, &a, src_where, dst_where);
		advisor_free(&a);
	}
	findings_free(&f);
	PQfinish(src);
	if (dst)
		PQfinish(dst);
	free(src_where);
	free(dst_where);
	return rc;
}
