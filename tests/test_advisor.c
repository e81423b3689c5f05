/* The method advisor's decision table, without servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "advisor.h"

#define GP5 "PostgreSQL 8.3.23 (Greenplum Database 5.13.0 build 30403eb-oss) on x86_64-pc-linux-gnu"
#define GP6 "PostgreSQL 9.4.26 (Greenplum Database 6.25.0 build commit:a7ff2cf4 Open Source) on x86_64"
#define GP7 "PostgreSQL 12.12 (Greenplum Database 7.4.0 build commit:27de6dc6) on x86_64-pc-linux-gnu"
#define PG15 "PostgreSQL 15.4 on x86_64-pc-linux-gnu, compiled by gcc"
#define TB (1024LL * 1024 * 1024 * 1024)

struct row {
	const char *src, *dst;      /* version() strings; dst NULL: not reached */
	enum instance_mode mode;
	enum tristate s2d, d2s;
	bool source_local;
	long long bytes;
	enum method expect;
	bool engine, gpcopy, gptransfer, oss;   /* expected usability */
};

static void run_row(const struct row *r, struct advice *a, struct plan *p)
{
	struct preflight_facts facts;
	memset(&facts, 0, sizeof facts);
	assert_true(flavor_parse(r->src, &facts.source));
	if (r->dst) {
		assert_true(flavor_parse(r->dst, &facts.destination));
		facts.destination_reached = true;
	}
	facts.total_bytes = r->bytes;
	plan_init(p);
	p->instance_mode = r->mode;
	p->source_reaches_destination = r->s2d;
	p->destination_reaches_source = r->d2s;
	advisor_advise(p, &facts, NULL, r->source_local, a);
}

static void test_decision_table(void **state)
{
	(void)state;
	static const struct row rows[] = {
		/* PostgreSQL to PostgreSQL, reached: only the engine applies */
		{ PG15, PG15, INSTANCE_UNKNOWN, TRI_UNKNOWN, TRI_UNKNOWN, false, 1000, METHOD_ENGINE,
		  true, false, false, false },
		/* Greenplum 6 to ADB 6, small: the engine even though gpcopy would do */
		{ GP6, GP6, INSTANCE_CLASSIC, TRI_YES, TRI_NO, false, 1000, METHOD_ENGINE,
		  true, true, false, true },
		/* large: gpcopy, segment to segment */
		{ GP6, GP6, INSTANCE_CLASSIC, TRI_YES, TRI_NO, false, 2 * TB, METHOD_GPCOPY,
		  true, true, false, true },
		/* large but elastic V7: gpcopy unsupported, the engine */
		{ GP6, GP7, INSTANCE_ELASTIC, TRI_YES, TRI_NO, false, 2 * TB, METHOD_ENGINE,
		  true, false, false, true },
		/* elastic V6 is fine for gpcopy */
		{ GP6, GP6, INSTANCE_ELASTIC, TRI_YES, TRI_NO, false, 2 * TB, METHOD_GPCOPY,
		  true, true, false, true },
		/* not reached from here, the source reaches it: gpcopy */
		{ GP6, NULL, INSTANCE_CLASSIC, TRI_YES, TRI_NO, false, 1000, METHOD_GPCOPY,
		  false, true, false, true },
		/* Greenplum 5, only the destination reaches the source: gptransfer */
		{ GP5, NULL, INSTANCE_CLASSIC, TRI_NO, TRI_YES, false, 1000, METHOD_GPTRANSFER,
		  false, false, true, true },
		/* Greenplum 6 has no gptransfer: OSS */
		{ GP6, NULL, INSTANCE_CLASSIC, TRI_NO, TRI_YES, false, 1000, METHOD_OSS,
		  false, false, false, true },
		/* Serverless, the source reaches it, this machine does not: OSS */
		{ GP6, NULL, INSTANCE_SERVERLESS, TRI_YES, TRI_NO, false, 1000, METHOD_OSS,
		  false, false, false, true },
		/* nobody reaches anybody */
		{ GP6, NULL, INSTANCE_UNKNOWN, TRI_NO, TRI_NO, false, 1000, METHOD_OSS,
		  false, false, false, true },
		/* running on the source master and reaching the destination tests
		 * source -> destination although the operator said nothing */
		{ GP6, GP6, INSTANCE_CLASSIC, TRI_UNKNOWN, TRI_UNKNOWN, true, 2 * TB, METHOD_GPCOPY,
		  true, true, false, true },
		/* the same with unknown network from elsewhere: gpcopy cannot be promised */
		{ GP6, GP6, INSTANCE_CLASSIC, TRI_UNKNOWN, TRI_UNKNOWN, false, 2 * TB, METHOD_ENGINE,
		  true, false, false, true },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct advice a;
		struct plan p;
		run_row(&rows[i], &a, &p);
		print_message("row %zu: %s (%s)\n", i, advisor_method_name(a.recommended), a.reason);
		assert_int_equal(a.recommended, rows[i].expect);
		assert_int_equal(a.options[METHOD_ENGINE].usable, rows[i].engine);
		assert_int_equal(a.options[METHOD_GPCOPY].usable, rows[i].gpcopy);
		assert_int_equal(a.options[METHOD_GPTRANSFER].usable, rows[i].gptransfer);
		assert_int_equal(a.options[METHOD_OSS].usable, rows[i].oss);
		for (int m = 0; m < METHOD_COUNT; m++) {
			assert_int_equal(a.options[m].method, m);
			assert_non_null(a.options[m].condition);
		}
		assert_non_null(a.reason);
		advisor_free(&a);
		plan_done(&p);
	}
}

static void test_conditions_say_why(void **state)
{
	(void)state;
	struct advice a;
	struct plan p;
	struct row r = { GP6, GP7, INSTANCE_SERVERLESS, TRI_YES, TRI_NO, false, 0, METHOD_ENGINE,
			 true, false, false, true };
	run_row(&r, &a, &p);
	assert_non_null(strstr(a.options[METHOD_GPCOPY].condition, "serverless"));
	assert_non_null(strstr(a.options[METHOD_GPTRANSFER].condition, "removed in Greenplum 6"));
	advisor_free(&a);
	plan_done(&p);

	struct row u = { GP6, GP6, INSTANCE_CLASSIC, TRI_UNKNOWN, TRI_NO, false, 0, METHOD_ENGINE,
			 true, false, false, true };
	run_row(&u, &a, &p);
	assert_non_null(strstr(a.options[METHOD_GPCOPY].condition, "source_reaches_destination is unknown"));
	assert_false(a.source_reaches_destination_tested);
	advisor_free(&a);
	plan_done(&p);

	/* a method.gpcopy warning (e.g. elastic V7 said by the finding) vetoes gpcopy */
	struct row g = { GP6, GP6, INSTANCE_CLASSIC, TRI_YES, TRI_NO, false, 2 * TB, METHOD_ENGINE,
			 true, false, false, true };
	struct preflight_facts facts;
	memset(&facts, 0, sizeof facts);
	assert_true(flavor_parse(g.src, &facts.source));
	assert_true(flavor_parse(g.dst, &facts.destination));
	facts.destination_reached = true;
	facts.total_bytes = g.bytes;
	struct findings f = { 0 };
	findings_add(&f, "method.gpcopy", SEV_WARN, "t", "d", "r", NULL);
	plan_init(&p);
	p.source_reaches_destination = TRI_YES;
	advisor_advise(&p, &facts, &f, false, &a);
	assert_false(a.options[METHOD_GPCOPY].usable);
	assert_int_equal(a.recommended, METHOD_ENGINE);
	advisor_free(&a);
	findings_free(&f);
	plan_done(&p);
}

/* The engine's segment path: when every segment of both clusters reached
 * the relay, large data stays with the engine (segment to segment) rather
 * than gpcopy; the path and why are said either way. */
static void test_segment_path(void **state)
{
	(void)state;
	struct preflight_facts facts;
	memset(&facts, 0, sizeof facts);
	assert_true(flavor_parse(GP6, &facts.source));
	assert_true(flavor_parse(GP6, &facts.destination));
	facts.destination_reached = true;
	facts.total_bytes = 2 * TB;
	facts.segment_path_probed = facts.segment_path_ok = true;
	facts.segment_path_tables = 12;
	facts.segment_path_bytes = 2 * TB - 1000;
	struct plan p;
	plan_init(&p);
	p.source_reaches_destination = TRI_YES;
	struct advice a;
	advisor_advise(&p, &facts, NULL, false, &a);
	assert_int_equal(a.recommended, METHOD_ENGINE);
	assert_int_equal(a.engine_path, PATH_SEGMENT);
	assert_non_null(strstr(a.path_reason, "segment to segment for 12 tables"));
	assert_non_null(strstr(a.options[METHOD_ENGINE].condition, "segment to segment"));
	assert_non_null(strstr(a.reason, "segment to segment"));
	advisor_free(&a);

	/* the segments cannot reach it: gpcopy for large data, as before */
	facts.segment_path_ok = false;
	advisor_advise(&p, &facts, NULL, false, &a);
	assert_int_equal(a.recommended, METHOD_GPCOPY);
	assert_int_equal(a.engine_path, PATH_COORDINATOR);
	assert_non_null(strstr(a.path_reason, "cannot reach gp2adb's relay"));
	advisor_free(&a);

	/* switched off */
	facts.segment_path_ok = true;
	p.path = PATH_COORDINATOR;
	facts.segment_path_probed = false;
	advisor_advise(&p, &facts, NULL, false, &a);
	assert_int_equal(a.engine_path, PATH_COORDINATOR);
	assert_non_null(strstr(a.path_reason, "migration.path is \"coordinator\""));
	advisor_free(&a);
	plan_done(&p);
}

static void test_host_is_local(void **state)
{
	(void)state;
	assert_true(advisor_host_is_local(NULL));
	assert_true(advisor_host_is_local("/var/run/postgresql"));
	assert_true(advisor_host_is_local("127.0.0.1"));
	assert_true(advisor_host_is_local("localhost"));
	assert_false(advisor_host_is_local("gp-xxxx.gpdb.rds.aliyuncs.com"));
	assert_false(advisor_host_is_local("10.1.2.3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_conditions_say_why),
		cmocka_unit_test(test_segment_path),
		cmocka_unit_test(test_host_is_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
