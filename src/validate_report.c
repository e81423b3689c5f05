/* validate_report: the per-table table, its JSON, and saving both in the
 * migration's state directory. */
#include "validate.h"

#include "journal.h"
#include "json.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Lines of aggregate differences per table in the text report (the JSON
 * report has them all). */
#define REPORT_DETAILS 8

static void rows_text(char *buf, size_t size, long long n)
{
	if (n < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld", n);
}

char *validate_report_text(const struct validate_result *res)
{
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "validate: level %s, %zu tables, %d workers, %.1f s%s\n",
		      plan_validate_name(res->level), res->n, res->jobs,
		      res->finished_at - res->started_at, res->cancelled ? " (cancelled)" : "");
	strbuf_printf(&sb, "source       %s\n", res->source_desc ? res->source_desc : "?");
	strbuf_printf(&sb, "destination  %s\n\n", res->destination_desc ? res->destination_desc : "?");
	strbuf_printf(&sb, "%-8s %-40s %14s %14s  %s\n", "status", "table", "source rows", "dest rows", "differs in");
	for (size_t i = 0; i < res->n; i++) {
		const struct validate_table *t = &res->tables[i];
		char a[32], b[32], checks[64];
		rows_text(a, sizeof a, t->src_rows);
		rows_text(b, sizeof b, t->dst_rows);
		validate_checks_text(t->differed, checks, sizeof checks);
		strbuf_printf(&sb, "%-8s %-40s %14s %14s  %s\n", validate_status_name(t->status), t->qualified,
			      a, b, checks);
		if (t->sampled)
			strbuf_printf(&sb, "%9s sampled %d%% by %s: %lld / %lld rows\n", "", t->sample_percent,
				      t->key_desc ? "key" : "row text", t->sample_src_rows, t->sample_dst_rows);
		size_t nd = strv_len(t->details);
		for (size_t k = 0; k < nd && k < REPORT_DETAILS; k++)
			strbuf_printf(&sb, "%9s %s\n", "", t->details[k]);
		if (nd > REPORT_DETAILS)
			strbuf_printf(&sb, "%9s (%zu more differences: see the JSON report)\n", "", nd - REPORT_DETAILS);
		if (t->diff_keys) {
			strbuf_printf(&sb, "%9s differing keys %s:\n", "", t->key_desc ? t->key_desc : "");
			for (size_t k = 0; t->diff_keys[k]; k++)
				strbuf_printf(&sb, "%11s %s\n", "", t->diff_keys[k]);
			if (t->diff_keys_more)
				strbuf_printf(&sb, "%11s (more)\n", "");
		}
		if (t->status == VALIDATE_MISSING)
			strbuf_printf(&sb, "%9s only on the source\n", "");
		if (t->status == VALIDATE_EXTRA)
			strbuf_printf(&sb, "%9s only on the destination\n", "");
		if (t->note)
			strbuf_printf(&sb, "%9s note: %s\n", "", t->note);
		if (t->status == VALIDATE_ERROR)
			strbuf_printf(&sb, "%9s error: %s\n", "", t->error);
	}
	strbuf_printf(&sb, "\nsummary: %d match, %d differ, %d missing, %d extra, %d error\n",
		      res->matched, res->differ, res->missing, res->extra, res->errors);
	return strbuf_finish(&sb);
}

static void rows_json(struct json *j, const char *key, long long n)
{
	if (n < 0)
		json_null(j, key);
	else
		json_int(j, key, n);
}

char *validate_report_json(const struct validate_result *res)
{
	struct strbuf sb;
	struct json j;
	strbuf_init(&sb);
	json_init(&j, &sb, true);
	json_object_begin(&j, NULL);
	json_string(&j, "level", plan_validate_name(res->level));
	json_double(&j, "started_at", res->started_at);
	json_double(&j, "seconds", res->finished_at - res->started_at);
	json_int(&j, "jobs", res->jobs);
	json_bool(&j, "cancelled", res->cancelled);
	json_double(&j, "float_tolerance", VALIDATE_FLOAT_TOLERANCE);
	json_string(&j, "source", res->source_desc);
	json_string(&j, "destination", res->destination_desc);
	json_object_begin(&j, "summary");
	json_int(&j, "match", res->matched);
	json_int(&j, "differ", res->differ);
	json_int(&j, "missing", res->missing);
	json_int(&j, "extra", res->extra);
	json_int(&j, "error", res->errors);
	json_object_end(&j);
	json_array_begin(&j, "tables");
	for (size_t i = 0; i < res->n; i++) {
		const struct validate_table *t = &res->tables[i];
		static const char *const checks[] = { "count", "aggregates", "checksum", "columns" };
		json_object_begin(&j, NULL);
		json_string(&j, "schema", t->schema);
		json_string(&j, "name", t->name);
		json_string(&j, "table", t->qualified);
		json_string(&j, "status", validate_status_name(t->status));
		rows_json(&j, "source_rows", t->src_rows);
		rows_json(&j, "destination_rows", t->dst_rows);
		json_int(&j, "bytes", t->bytes);
		json_double(&j, "seconds", t->seconds);
		json_array_begin(&j, "differs_in");
		for (int k = 0; k < 4; k++)
			if (t->differed & (1u << k))
				json_string(&j, NULL, checks[k]);
		json_array_end(&j);
		json_array_begin(&j, "details");
		for (size_t k = 0; t->details && t->details[k]; k++)
			json_string(&j, NULL, t->details[k]);
		json_array_end(&j);
		if (t->sampled) {
			json_object_begin(&j, "sample");
			json_int(&j, "percent", t->sample_percent);
			json_string(&j, "by", t->key_desc ? "key" : "row text");
			json_int(&j, "source_rows", t->sample_src_rows);
			json_int(&j, "destination_rows", t->sample_dst_rows);
			json_object_end(&j);
		}
		json_string(&j, "key", t->key_desc);
		json_array_begin(&j, "differing_keys");
		for (size_t k = 0; t->diff_keys && t->diff_keys[k]; k++)
			json_string(&j, NULL, t->diff_keys[k]);
		json_array_end(&j);
		json_bool(&j, "more_differing_keys", t->diff_keys_more);
		json_string(&j, "note", t->note);
		json_string(&j, "error", t->status == VALIDATE_ERROR ? t->error : NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	strbuf_putc(&sb, '\n');
	return strbuf_finish(&sb);
}

bool validate_report_save(const struct plan *p, const struct validate_result *res, char **path_out)
{
	struct journal j;
	if (!journal_open(&j, p, true))
		return false;
	char stamp[32];
	time_t t = (time_t)res->started_at;
	struct tm tm;
	gmtime_r(&t, &tm);
	/* milliseconds too: two runs in one second keep both reports */
	size_t len = strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	snprintf(stamp + len, sizeof stamp - len, ".%03dZ",
		 (int)((res->started_at - (double)t) * 1000.0) % 1000);
	char *txt = xasprintf("validate-%s.txt", stamp), *js = xasprintf("validate-%s.json", stamp);
	char *text = validate_report_text(res), *json = validate_report_json(res);
	bool ok = journal_write_atomic(&j, txt, text, strlen(text)) &&
		  journal_write_atomic(&j, js, json, strlen(json));
	if (ok && path_out)
		*path_out = journal_path(&j, txt);
	free(text);
	free(json);
	free(txt);
	free(js);
	journal_close(&j);
	return ok;
}
