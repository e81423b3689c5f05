/* Materialized views between two real PostgreSQL servers.  The schema's
 * pre-data creates them empty (pg_dump -s writes WITH NO DATA); after the
 * copy, post-data refreshes each, one over another included, with a result
 * per view; validate compares them like tables.  A view whose refresh fails
 * is reported with its error and validate does not call it equal; a view
 * over a table the run leaves out is refreshed, and validate says it differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "testutil.h"

static const char source_sql[] =
	"CREATE TABLE public.sales (id int PRIMARY KEY, region text, amount numeric(10,2));\n"
	"INSERT INTO public.sales SELECT g, 'r' || (g % 5), g * 1.5 FROM generate_series(1, 2000) g;\n"
	/* populated while it could be: the change that follows breaks it */
	"CREATE MATERIALIZED VIEW public.ratio AS SELECT id, 100 / (amount - 1000.25) AS r FROM public.sales;\n"
	"UPDATE public.sales SET amount = 1000.25 WHERE id = 7;\n"
	"CREATE TABLE public.skipped (id int, v int);\n"
	"INSERT INTO public.skipped SELECT g, g FROM generate_series(1, 30) g;\n"
	"CREATE MATERIALIZED VIEW public.by_region AS\n"
	"    SELECT region, count(*) AS n, sum(amount) AS total FROM public.sales GROUP BY region;\n"
	"CREATE UNIQUE INDEX by_region_key ON public.by_region (region);\n"
	"CREATE VIEW public.big_regions AS SELECT region, total FROM public.by_region WHERE n > 100;\n"
	/* over a view over another materialized view: refreshed after it */
	"CREATE MATERIALIZED VIEW public.top AS SELECT region, total FROM public.big_regions\n"
	"    ORDER BY total DESC LIMIT 3;\n"
	"CREATE MATERIALIZED VIEW public.of_skipped AS SELECT sum(v) AS s FROM public.skipped;\n"
	/* never populated on the source: stays so */
	"CREATE MATERIALIZED VIEW public.never AS SELECT id FROM public.sales WITH NO DATA;\n"
	"ANALYZE;\n";

static int gp2adb(struct tu_run *r, const char *conf, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = { "-c", conf, a1, a2, a3, NULL };
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "%s %s: rc=%d\n--- out\n%s--- err\n%s", a1, a2 ? a2 : "", rc, r->out, r->err);
	return rc;
}

/* The JSON object that mentions `needle` (from its '{' to its '}'). */
static char *object_with(const char *json, const char *needle)
{
	const char *at = strstr(json, needle);
	if (!at)
		fail_msg("no '%s' in\n%s", needle, json);
	const char *open = at, *close = strchr(at, '}');
	while (open > json && *open != '{')
		open--;
	assert_non_null(close);
	return xstrndup(open, (size_t)(close - open + 1));
}

static void assert_object(const char *json, const char *needle, const char *want)
{
	char *o = object_with(json, needle);
	if (!strstr(o, want))
		fail_msg("'%s': want '%s' in\n%s", needle, want, o);
	free(o);
}

static void test_matviews_refreshed_and_validated(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "mv");
	tu_createdb(TU_DST, "mv");
	PGconn *s = tu_connect(TU_SRC, "mv"), *d = tu_connect(TU_DST, "mv");
	tu_exec(s, source_sql);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "mv", "mv", "migration = { exclude = [ \"public.skipped\" ]; };\n");
	struct tu_run r;
	if (gp2adb(&r, conf, "schema", "--section", "pre-data") != 0)
		fail_msg("pre-data: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_matviews WHERE NOT ispopulated"), 5);
	if (gp2adb(&r, conf, "copy", "--plain", NULL) != 0)
		fail_msg("copy: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);

	/* post-data refreshes each view: the one that cannot be refreshed fails with its error */
	assert_int_equal(gp2adb(&r, conf, "--json", "schema", "--section=post-data"), 7);
	assert_object(r.out, "\"name\": \"public.by_region\"", "\"result\": \"ok\"");
	assert_object(r.out, "\"name\": \"public.top\"", "\"result\": \"ok\"");
	assert_object(r.out, "\"name\": \"public.of_skipped\"", "\"result\": \"ok\"");
	assert_object(r.out, "\"name\": \"public.ratio\"", "\"result\": \"failed\"");
	assert_object(r.out, "\"name\": \"public.ratio\"", "\"sqlstate\": \"22012\"");
	assert_object(r.out, "\"name\": \"public.ratio\"", "\"kind\": \"REFRESH\"");
	assert_null(strstr(r.out, "\"name\": \"public.never\""));
	assert_non_null(strstr(r.err, "materialized view public.never is not populated on the source"));
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_matviews WHERE NOT ispopulated"), 2);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM public.top"), 3);
	char *want = tu_value(s, "SELECT string_agg(region || total, ',' ORDER BY region) FROM public.by_region");
	char *got = tu_value(d, "SELECT string_agg(region || total, ',' ORDER BY region) FROM public.by_region");
	assert_string_equal(got, want);
	free(want);
	free(got);

	/* validate compares them as it compares tables, and is not fooled */
	assert_int_equal(gp2adb(&r, conf, "--json", "validate", "--level=checksum"), 4);
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"by_region\\\"\"", "\"status\": \"match\"");
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"top\\\"\"", "\"status\": \"match\"");
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"sales\\\"\"", "\"status\": \"match\"");
	/* over a table the run left out: refreshed over nothing, so it differs */
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"of_skipped\\\"\"", "\"status\": \"differ\"");
	/* not refreshed: never a match */
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"ratio\\\"\"", "\"status\": \"differ\"");
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"ratio\\\"\"", "not populated on the destination");
	/* unpopulated on both sides */
	assert_object(r.out, "\"table\": \"\\\"public\\\".\\\"never\\\"\"", "\"status\": \"match\"");
	assert_null(strstr(r.out, "\"table\": \"\\\"public\\\".\\\"skipped\\\"\""));
	tu_run_done(&r);

	/* fixed on the source and the destination: a re-run refreshes again and all match */
	tu_exec(s, "UPDATE public.sales SET amount = 4 WHERE id = 7; REFRESH MATERIALIZED VIEW public.ratio;\n"
		   "REFRESH MATERIALIZED VIEW public.by_region; REFRESH MATERIALIZED VIEW public.top;\n"
		   "DROP MATERIALIZED VIEW public.of_skipped;");
	tu_exec(d, "UPDATE public.sales SET amount = 4 WHERE id = 7; DROP MATERIALIZED VIEW public.of_skipped;");
	if (gp2adb(&r, conf, "--json", "schema", "--section=post-data") != 0)
		fail_msg("post-data again: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_object(r.out, "\"name\": \"public.ratio\"", "\"result\": \"ok\"");
	tu_run_done(&r);
	if (gp2adb(&r, conf, "validate", "--level=checksum", NULL) != 0)
		fail_msg("validate again: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "5 match, 0 differ, 0 missing, 0 extra, 0 error"));
	tu_run_done(&r);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matviews_refreshed_and_validated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
