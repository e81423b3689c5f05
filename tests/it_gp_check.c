/* gp2adb check on real Greenplum 6 catalogs: a source with 3 primaries and a
 * destination with 4 (tests/harness/run-gp-test).  Every finding that reads
 * Greenplum's own catalogs: segments, partitions two levels deep with
 * defaults, external tables, writers on the source, privileges on both sides
 * (a plain Greenplum destination has no rds_superuser role). */
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
#include "gptest.h"

static void run_checks(PGconn *src, PGconn *dst, struct findings *f, struct preflight_facts *facts,
		       double writes_interval)
{
	struct plan p;
	plan_init(&p);
	struct preflight_options opt = { writes_interval };
	char err[300] = "";
	memset(f, 0, sizeof *f);
	if (!preflight_run(&p, src, dst, &opt, f, facts, err, sizeof err))
		fail_msg("preflight_run: %s", err);
	plan_done(&p);
}

/* A session that writes to sales.busy until told to stop (bounded). */
struct writer {
	pthread_t thread;
	atomic_bool stop;
	atomic_int rows;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	PGconn *c = tu_connect(TU_SRC, "gpcheck");
	for (int i = 0; i < 2000 && !atomic_load(&w->stop); i++) {
		PGresult *r = PQexec(c, "INSERT INTO sales.busy SELECT 1 FROM pg_sleep(0.02)");
		PQclear(r);
		atomic_fetch_add(&w->rows, 1);
	}
	PQfinish(c);
	return NULL;
}

static int group_setup(void **state)
{
	(void)state;
	gpt_seed("gpcheck");
	gpt_sql(TU_SRC, "gpcheck", "CREATE TABLE sales.busy (n int) DISTRIBUTED RANDOMLY");
	gpt_createdb(TU_DST, "gpcheck");
	return 0;
}

static void test_findings_on_greenplum(void **state)
{
	(void)state;
	PGconn *src = tu_connect(TU_SRC, "gpcheck"), *dst = tu_connect(TU_DST, "gpcheck");

	struct writer w = { .stop = false, .rows = 0 };
	assert_int_equal(pthread_create(&w.thread, NULL, writer_main, &w), 0);
	while (atomic_load(&w.rows) < 3)   /* the writer is under way */
		sched_yield();
	struct findings f;
	struct preflight_facts facts;
	run_checks(src, dst, &f, &facts, 1.5);
	atomic_store(&w.stop, true);
	pthread_join(w.thread, NULL);

	assert_int_equal(facts.source.kind, FLAVOR_GREENPLUM);
	assert_int_equal(facts.source.gp_major, 6);
	assert_int_equal(facts.source_segments, 3);
	assert_int_equal(facts.destination_segments, 4);
	ftu_expect(&f, "version.source", SEV_OK);
	ftu_expect(&f, "version.destination", SEV_OK);
	const struct finding *x = ftu_expect(&f, "segments.count", SEV_OK);
	assert_non_null(strstr(x->detail, "source: 3 primary segments; destination: 4"));

	/* two levels, the default partition and the default subpartition */
	x = ftu_expect(&f, "partitions.leaves", SEV_INFO);
	assert_non_null(strstr(x->detail, "\"sales\".\"sales\": 12 leaves"));
	assert_true(ftu_has_object(x, "\"sales\".\"sales_1_prt_jan_2_prt_east\""));
	assert_true(ftu_has_object(x, "\"sales\".\"sales_1_prt_outlying_2_prt_other_regions\""));
	assert_false(ftu_has_object(x, "\"sales\".\"sales_1_prt_jan\""));    /* a middle level holds no rows */

	x = ftu_expect(&f, "tables.external", SEV_WARN);
	assert_true(ftu_has_object(x, "\"sales\".\"ext_orders\""));
	assert_true(ftu_has_object(x, "\"sales\".\"ext_out\""));
	assert_false(ftu_has_object(x, "\"sales\".\"orders\""));

	x = ftu_expect(&f, "writes.active", SEV_WARN);
	assert_true(ftu_has_object(x, "\"sales\".\"busy\"") || ftu_has_object(x, "INSERT INTO sales.busy"));

	x = ftu_expect(&f, "tables.no_key", SEV_INFO);
	assert_true(ftu_has_object(x, "\"sales\".\"events\""));
	assert_false(ftu_has_object(x, "\"sales\".\"customers\""));
	ftu_expect(&f, "privileges.source", SEV_OK);
	/* a superuser on a Greenplum destination without rds_superuser */
	x = ftu_expect(&f, "privileges.destination", SEV_OK);
	assert_non_null(strstr(x->title, "superuser"));
	ftu_expect(&f, "connections.capacity", SEV_OK);
	ftu_expect(&f, "method.gpcopy", SEV_OK);
	ftu_expect(&f, "syntax.gp4x", SEV_OK);
	ftu_expect(&f, "extensions.missing", SEV_OK);
	x = ftu_expect(&f, "size.total", SEV_INFO);
	assert_true(ftu_has_object(x, "\"sales\".\"lineitem\""));
	assert_true(facts.total_rows >= 122000);

	struct advice a;
	struct plan p;
	plan_init(&p);
	advisor_advise(&p, &facts, &f, true, &a);
	assert_true(a.options[METHOD_GPCOPY].usable);     /* Greenplum on both sides */
	assert_true(a.options[METHOD_ENGINE].usable);
	advisor_free(&a);
	plan_done(&p);
	findings_free(&f);
	PQfinish(src);
	PQfinish(dst);
}

/* privileges.destination probes for rds_superuser rather than naming it:
 * an account that is neither a superuser nor privileged is told so. */
static void test_destination_account_not_privileged(void **state)
{
	(void)state;
	gpt_createdb(TU_SRC, "gpcheck_priv");
	gpt_createdb(TU_DST, "gpcheck_priv");
	gpt_sql(TU_DST, "gpcheck_priv",
		"DROP ROLE IF EXISTS loader; DROP ROLE IF EXISTS reader;\n"
		"CREATE ROLE loader LOGIN; CREATE ROLE reader LOGIN;\n"
		"GRANT CREATE ON DATABASE gpcheck_priv TO loader;\n"
		"REVOKE CREATE ON DATABASE gpcheck_priv FROM PUBLIC");
	PGconn *src = tu_connect(TU_SRC, "gpcheck_priv");
	const char *users[] = { "loader", "reader" };
	enum severity want[] = { SEV_WARN, SEV_FAIL };
	for (int i = 0; i < 2; i++) {
		char *conninfo = xasprintf("host=127.0.0.1 port=%d user=%s dbname=gpcheck_priv", tu_port(TU_DST),
					   users[i]);
		PGconn *dst = PQconnectdb(conninfo);
		if (PQstatus(dst) != CONNECTION_OK)
			fail_msg("%s: %s", conninfo, PQerrorMessage(dst));
		struct findings f;
		struct preflight_facts facts;
		run_checks(src, dst, &f, &facts, 0.2);
		const struct finding *x = ftu_expect(&f, "privileges.destination", want[i]);
		assert_non_null(strstr(x->detail, users[i]));
		assert_null(strstr(x->detail, "does not exist"));
		findings_free(&f);
		PQfinish(dst);
		free(conninfo);
	}
	PQfinish(src);
}

/* The clusters the other way round: a destination with fewer segments
 * than the source is blocking. */
static void test_fewer_destination_segments(void **state)
{
	(void)state;
	gpt_createdb(TU_DST, "gpcheck_rev");
	gpt_createdb(TU_SRC, "gpcheck_rev");
	PGconn *four = tu_connect(TU_DST, "gpcheck_rev"), *three = tu_connect(TU_SRC, "gpcheck_rev");
	struct findings f;
	struct preflight_facts facts;
	run_checks(four, three, &f, &facts, 0.2);
	const struct finding *x = ftu_expect(&f, "segments.count", SEV_FAIL);
	assert_non_null(strstr(x->detail, "source: 4 primary segments; destination: 3"));
	assert_int_equal(findings_worst(&f), SEV_FAIL);
	findings_free(&f);
	PQfinish(four);
	PQfinish(three);
}

/* The command itself: exit 0 with warnings, nothing that could not run. */
static void test_check_command(void **state)
{
	(void)state;
	char *conf = gpt_config("gpcheck", "gpcheck", NULL, NULL);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--json", "check", NULL });
	if (rc != 0)
		fail_msg("exit %d\n%s\n%s", rc, r.out, r.err);
	assert_null(strstr(r.out, "could not run"));
	assert_null(strstr(r.err, "does not exist"));
	assert_non_null(strstr(r.out, "\"id\": \"partitions.leaves\""));
	assert_non_null(strstr(r.out, "\"recommended\": "));
	tu_run_done(&r);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_on_greenplum),
		cmocka_unit_test(test_destination_account_not_privileged),
		cmocka_unit_test(test_fewer_destination_segments),
		cmocka_unit_test(test_check_command),
	};
	return GPT_RUN_SETUP(tests, group_setup);
}
