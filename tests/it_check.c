/* gp2adb check against the harness's PostgreSQL servers: each risk on the
 * source produces its finding, a clean source produces no warning, and the
 * command's exit codes and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "mem.h"
#include "preflight.h"
#include "findings_tu.h"
#include "testutil.h"

static const char risky_sql[] =
	"CREATE EXTENSION hstore;\n"
	"CREATE SCHEMA s;\n"
	"CREATE TABLE s.keyed (id int PRIMARY KEY, attrs hstore, note text);\n"
	"INSERT INTO s.keyed SELECT g, 'a=>1', repeat('x', 50) FROM generate_series(1, 5000) g;\n"
	"CREATE TABLE s.sales (id bigint, d date, v float8) PARTITION BY RANGE (d);\n"
	"CREATE TABLE s.sales_2025 PARTITION OF s.sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
	"CREATE TABLE s.sales_rest PARTITION OF s.sales DEFAULT;\n"
	"CREATE TABLE s.parent (id int PRIMARY KEY, kind text);\n"
	"CREATE TABLE s.child (extra int) INHERITS (s.parent);\n"
	"CREATE TABLE s.nokey (v text);\n"
	"CREATE TABLE s.busy (n int);\n"
	"ANALYZE;\n";

/* A session that writes to s.busy until told to stop (bounded). */
struct writer {
	pthread_t thread;
	atomic_bool stop;
	atomic_int rows;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	PGconn *c = tu_connect(TU_SRC, "risky");
	for (int i = 0; i < 3000 && !atomic_load(&w->stop); i++) {
		PGresult *r = PQexec(c, "INSERT INTO s.busy SELECT 1 FROM pg_sleep(0.01)");
		PQclear(r);
		atomic_fetch_add(&w->rows, 1);
	}
	PQfinish(c);
	return NULL;
}

static void test_risky_source(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "risky");
	tu_createdb(TU_DST, "risky");
	PGconn *src = tu_connect(TU_SRC, "risky");
	tu_exec(src, risky_sql);
	PGconn *dst = tu_connect(TU_DST, "risky");

	struct writer w = { .stop = false, .rows = 0 };
	assert_int_equal(pthread_create(&w.thread, NULL, writer_main, &w), 0);
	while (atomic_load(&w.rows) < 3)   /* the writer is under way */
		sched_yield();

	struct plan p;
	plan_init(&p);
	struct findings f = { 0 };
	struct preflight_facts facts;
	struct preflight_options opt = { 1.5 };
	char err[300];
	bool ok = preflight_run(&p, src, dst, &opt, &f, &facts, err, sizeof err);
	atomic_store(&w.stop, true);
	pthread_join(w.thread, NULL);
	assert_true(ok);

	const struct finding *x = ftu_expect(&f, "extensions.missing", SEV_WARN);
	assert_true(ftu_has_object(x, "hstore"));
	assert_false(ftu_has_object(x, "plpgsql"));
	x = ftu_expect(&f, "partitions.leaves", SEV_INFO);
	assert_true(ftu_has_object(x, "\"s\".\"sales_2025\""));
	assert_true(ftu_has_object(x, "\"s\".\"sales_rest\""));
	assert_non_null(strstr(x->detail, "\"s\".\"sales\": 2 leaves"));
	x = ftu_expect(&f, "inheritance.children", SEV_INFO);
	assert_true(ftu_has_object(x, "\"s\".\"child\""));
	assert_non_null(strstr(x->detail, "\"s\".\"parent\": 1 children"));
	x = ftu_expect(&f, "tables.no_key", SEV_INFO);
	assert_true(ftu_has_object(x, "\"s\".\"nokey\""));
	assert_false(ftu_has_object(x, "\"s\".\"keyed\""));
	x = ftu_expect(&f, "writes.active", SEV_WARN);
	assert_true(ftu_has_object(x, "\"s\".\"busy\"") || ftu_has_object(x, "INSERT INTO s.busy"));
	ftu_expect(&f, "version.source", SEV_OK);
	ftu_expect(&f, "version.destination", SEV_INFO);
	ftu_expect(&f, "privileges.source", SEV_OK);
	ftu_expect(&f, "privileges.destination", SEV_OK);
	ftu_expect(&f, "connections.capacity", SEV_OK);
	ftu_expect(&f, "tables.external", SEV_OK);
	ftu_expect(&f, "libraries.custom", SEV_OK);
	ftu_expect(&f, "types.removed", SEV_OK);
	ftu_expect(&f, "syntax.gp4x", SEV_OK);
	ftu_expect(&f, "method.gpcopy", SEV_INFO);
	ftu_expect(&f, "segments.count", SEV_INFO);
	x = ftu_expect(&f, "size.total", SEV_INFO);
	assert_true(ftu_has_object(x, "\"s\".\"keyed\""));
	assert_true(facts.total_bytes > 0);
	assert_true(facts.rate_measured);      /* s.keyed has 5000 analysed rows */
	assert_true(facts.rate_bytes_per_s > 0);
	assert_true(facts.destination_reached);

	struct advice a;
	advisor_advise(&p, &facts, &f, true, &a);
	assert_int_equal(a.recommended, METHOD_ENGINE);
	assert_false(a.options[METHOD_GPCOPY].usable);
	advisor_free(&a);
	findings_free(&f);
	plan_done(&p);
	PQfinish(src);
	PQfinish(dst);
}

/* Wait until the statistics collector has seen the setup's writes, so they
 * do not look like a writer during the check. */
static void settle_stats(PGconn *c, const char *table, long long rows)
{
	char *sql = xasprintf("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = '%s'::regclass", table);
	for (int i = 0; i < 400 && tu_count(c, sql) < rows; i++)
		tu_exec(c, "SELECT pg_stat_force_next_flush(); SELECT pg_sleep(0.025)");
	assert_true(tu_count(c, sql) >= rows);
	free(sql);
}

static const char *severity_of(const char *json, const char *id)
{
	static char sev[16];
	char *key = xasprintf("\"id\": \"%s\"", id);
	const char *p = strstr(json, key);
	free(key);
	if (!p)
		return "missing";
	p = strstr(p, "\"severity\": \"");
	if (!p)
		return "missing";
	p += strlen("\"severity\": \"");
	size_t n = strcspn(p, "\"");
	snprintf(sev, sizeof sev, "%.*s", (int)(n < 15 ? n : 15), p);
	return sev;
}

static void test_clean_source_command(void **state)
{
	(void)state;
	/* Clean: tables with keys, no extension beyond plpgsql, no partitions,
	 * nobody writing, superusers on both sides (the harness's postgres). */
	tu_createdb(TU_SRC, "clean");
	tu_createdb(TU_DST, "clean");
	PGconn *c = tu_connect(TU_SRC, "clean");
	tu_exec(c, "CREATE TABLE public.accounts (id int PRIMARY KEY, name text);\n"
		   "INSERT INTO public.accounts SELECT g, 'n' || g FROM generate_series(1, 2000) g;\n"
		   "ANALYZE;");
	settle_stats(c, "public.accounts", 2000);
	PQfinish(c);

	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "clean", "clean", NULL);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--json", "check", NULL });
	if (rc != 0)
		fail_msg("exit %d\n%s\n%s", rc, r.out, r.err);
	const char *ids[] = { "version.source", "version.destination", "segments.count",
			      "extensions.missing", "partitions.leaves", "inheritance.children",
			      "tables.external", "tables.no_key", "libraries.custom", "syntax.gp4x",
			      "types.removed", "writes.active", "privileges.source",
			      "privileges.destination", "connections.capacity", "size.total",
			      "method.gpcopy", NULL };
	for (int i = 0; ids[i]; i++) {
		const char *sev = severity_of(r.out, ids[i]);
		if (strcmp(sev, "ok") && strcmp(sev, "info"))
			fail_msg("%s: %s\n%s", ids[i], sev, r.out);
	}
	assert_null(strstr(r.out, "\"severity\": \"warn\""));
	assert_null(strstr(r.out, "\"severity\": \"fail\""));
	assert_non_null(strstr(r.out, "\"recommended\": \"engine\""));
	assert_non_null(strstr(r.out, "\"exit\": 0"));
	tu_run_done(&r);

	/* the text report: grouped, with the advice */
	rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "check", NULL });
	assert_int_equal(rc, 0);
	assert_non_null(strstr(r.out, "\nINFO\n"));
	assert_null(strstr(r.out, "\nFAIL\n"));
	assert_non_null(strstr(r.out, "METHOD  engine"));
	assert_non_null(strstr(r.out, "0 failed, 0 warnings"));
	tu_run_done(&r);
	free(conf);
	free(dir);
}

static void test_risky_command_text(void **state)
{
	(void)state;
	/* the risky database from the first test: warnings, still exit 0 */
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "risky", "risky", NULL);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "check", NULL });
	if (rc != 0)
		fail_msg("exit %d\n%s\n%s", rc, r.out, r.err);
	const char *warn = strstr(r.out, "\nWARN\n"), *info = strstr(r.out, "\nINFO\n");
	assert_non_null(warn);
	assert_non_null(info);
	assert_true(warn < info);     /* grouped by severity, worst first */
	assert_non_null(strstr(r.out, "extensions.missing"));
	assert_non_null(strstr(r.out, "remedy: Create them on the destination"));
	tu_run_done(&r);
	free(conf);
	free(dir);
}

static void test_unreachable(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	/* the destination on a port nobody listens on */
	char *extra = xasprintf("network = { destination_reaches_source = false; };\n");
	char *conf = tu_write_config(dir, "clean", "clean", extra);
	char *text = tu_read_file(conf);
	char *port = xasprintf("port = %d; user = \"postgres\"; dbname = \"clean\"; };\nstate_dir", tu_port(TU_DST));
	char *at = strstr(text, port);
	assert_non_null(at);
	char *fixed = xasprintf("%.*sport = 1; user = \"postgres\"; dbname = \"clean\"; };\nstate_dir%s",
				(int)(at - text), text, at + strlen(port));
	tu_write_file(conf, fixed, 0600);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--json", "check", NULL });
	assert_int_equal(rc, 5);
	assert_non_null(strstr(r.err, "cannot connect to the destination"));
	/* the source was still checked, and the advice knows this machine
	 * cannot reach the destination */
	assert_non_null(strstr(r.out, "\"reachable\": false"));
	assert_string_equal(severity_of(r.out, "version.destination"), "fail");
	assert_non_null(strstr(r.out, "\"recommended\": \"oss\""));
	tu_run_done(&r);

	/* an unreachable source: exit 5 at once */
	char *bad = xasprintf("source = { host = \"127.0.0.1\"; port = 1; user = \"postgres\"; dbname = \"x\"; };\n"
			      "destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"clean\"; };\n",
			      tu_port(TU_DST));
	tu_write_file(conf, bad, 0600);
	rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "check", NULL });
	assert_int_equal(rc, 5);
	assert_non_null(strstr(r.err, "cannot connect to the source"));
	tu_run_done(&r);
	free(bad);
	free(fixed);
	free(port);
	free(text);
	free(conf);
	free(extra);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_risky_source),
		cmocka_unit_test(test_clean_source_command),
		cmocka_unit_test(test_risky_command_text),
		cmocka_unit_test(test_unreachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
