/* bizcheck_report: the business check's report, as text and as JSON. */
#include "bizcheck.h"
#include "journal.h"
#include "json.h"
#include "mem.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *status_name(enum bizstatus s)
{
	switch (s) {
	case BIZ_MATCH: return "match";
	case BIZ_DIFFERS: return "differs";
	case BIZ_ERROR: return "error";
	}
	return "?";
}

static void side_time(struct strbuf *sb, const struct bizside *s)
{
	if (s->rows < 0)
		strbuf_printf(sb, " %11s", "failed");
	else
		strbuf_printf(sb, " %9.2f s", s->seconds);
}

/* Whether the results come from more than one database. */
static bool several(const struct bizreport *r)
{
	for (size_t i = 1; i < r->n; i++) {
		const char *a = r->items[0].database, *b = r->items[i].database;
		if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
			return true;
	}
	return false;
}

char *bizcheck_report_text(const struct bizreport *r, const char *file)
{
	bool dbs = several(r);
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_printf(&sb, "Business check: %zu queries from %s, run on both sides (read only)\n", r->n, file);
	strbuf_printf(&sb, "  %-32s %-8s %11s %11s %9s\n", "query", "result", "source", "destination", "rows");
	for (size_t i = 0; i < r->n; i++) {
		const struct bizresult *x = &r->items[i];
		char label[96];
		snprintf(label, sizeof label, "%s%s%s", dbs && x->database ? x->database : "",
			 dbs && x->database ? ": " : "", x->q->name);
		strbuf_printf(&sb, "  %-32.32s %-8s", label, x->status == BIZ_MATCH ? "match"
			      : x->status == BIZ_DIFFERS ? "DIFFERS" : "ERROR");
		side_time(&sb, &x->src);
		side_time(&sb, &x->dst);
		strbuf_printf(&sb, " %9lld\n", x->src.rows >= 0 ? x->src.rows : x->dst.rows);
		if (x->status == BIZ_DIFFERS)
			strbuf_printf(&sb, "      %s\n", x->detail);
		if (x->status == BIZ_ERROR)
			strbuf_printf(&sb, "      %s (the query could not run: not a difference in the data)\n", x->detail);
		if (x->slower)
			strbuf_printf(&sb, "      %.1fx slower on the destination: worth a look before cut-over\n",
				      x->src.seconds > 0 ? x->dst.seconds / x->src.seconds : 0);
	}
	strbuf_printf(&sb, "%zu match, %zu differ, %zu could not run", r->match, r->differ, r->errors);
	if (r->slower)
		strbuf_printf(&sb, "; %zu much slower on the destination", r->slower);
	strbuf_puts(&sb, "\n");
	return strbuf_finish(&sb);
}

char *bizcheck_report_json(const struct bizreport *r, const char *file)
{
	struct strbuf sb;
	strbuf_init(&sb);
	struct json j;
	json_init(&j, &sb, true);
	json_object_begin(&j, NULL);
	json_string(&j, "file", file);
	json_int(&j, "queries", (long long)r->n);
	json_int(&j, "match", (long long)r->match);
	json_int(&j, "differ", (long long)r->differ);
	json_int(&j, "errors", (long long)r->errors);
	json_int(&j, "slower", (long long)r->slower);
	json_array_begin(&j, "results");
	for (size_t i = 0; i < r->n; i++) {
		const struct bizresult *x = &r->items[i];
		json_object_begin(&j, NULL);
		json_string(&j, "name", x->q->name);
		json_string(&j, "database", x->database);
		json_int(&j, "line", x->q->line);
		json_string(&j, "status", status_name(x->status));
		json_bool(&j, "ordered", x->q->ordered);
		const struct bizside *sides[2] = { &x->src, &x->dst };
		const char *keys[2] = { "source", "destination" };
		for (int k = 0; k < 2; k++) {
			json_object_begin(&j, keys[k]);
			if (sides[k]->rows >= 0) {
				json_double(&j, "seconds", sides[k]->seconds);
				json_int(&j, "rows", sides[k]->rows);
			} else {
				json_string(&j, "error", sides[k]->error);
			}
			json_object_end(&j);
		}
		json_string(&j, "detail", x->status == BIZ_MATCH ? NULL : x->detail);
		json_bool(&j, "slower", x->slower);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	strbuf_puts(&sb, "\n");
	return strbuf_finish(&sb);
}

char *bizcheck_report_save(const struct plan *p, const char *text, const char *json)
{
	struct journal j;
	if (!journal_open(&j, p, true))
		return NULL;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *tn = xasprintf("business-check-%s.txt", stamp), *jn = xasprintf("business-check-%s.json", stamp);
	char *path = NULL;
	if (journal_write_atomic(&j, tn, text, strlen(text)) && journal_write_atomic(&j, jn, json, strlen(json)))
		path = journal_path(&j, tn);
	free(tn);
	free(jn);
	journal_close(&j);
	return path;
}
