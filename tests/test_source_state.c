/* source_state: reading what changed between two fingerprints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "source_state.h"

static void test_only_inserts(void **state)
{
	(void)state;
	const char *then = "16384:5000:0:0:1700000000.5";
	assert_true(source_state_only_inserts(then, "16384:5100:0:0:1700000000.5"));
	assert_true(source_state_only_inserts(then, then));
	/* an update, a delete, a new file (TRUNCATE, VACUUM FULL), a reset */
	assert_false(source_state_only_inserts(then, "16384:5100:1:0:1700000000.5"));
	assert_false(source_state_only_inserts(then, "16384:5100:0:3:1700000000.5"));
	assert_false(source_state_only_inserts(then, "16999:5100:0:0:1700000000.5"));
	assert_false(source_state_only_inserts(then, "16384:5100:0:0:1700000999.5"));
	assert_false(source_state_only_inserts(then, "16384:10:0:0:1700000000.5"));
	/* no reset time recorded ('-') on both: comparable */
	assert_true(source_state_only_inserts("1:1:0:0:-", "1:2:0:0:-"));
	/* not a fingerprint: cannot tell */
	assert_false(source_state_only_inserts(NULL, then));
	assert_false(source_state_only_inserts("garbage", then));
	assert_false(source_state_only_inserts(then, "1:2:3"));
}

/* Greenplum 6: one part per primary (source_state.h) */
static void test_only_inserts_greenplum6(void **state)
{
	(void)state;
	/* a heap, then an AO column table, on three primaries */
	const char *heap = "0=16411:36:0:1:-:-:1796030545.3 1=16411:21:0:0:-:-:1796030545.3 2=16411:33:2:0:-:-:1796030545.4";
	assert_true(source_state_only_inserts(heap,
		"0=16411:40:0:1:-:-:1796030545.3 1=16411:21:0:0:-:-:1796030545.3 2=16411:35:2:0:-:-:1796030545.4"));
	assert_true(source_state_only_inserts(heap, heap));
	/* an update on primary 2, a delete on 0, a new file (TRUNCATE) on 1, a reset on 2 */
	assert_false(source_state_only_inserts(heap,
		"0=16411:36:0:1:-:-:1796030545.3 1=16411:21:0:0:-:-:1796030545.3 2=16411:33:3:0:-:-:1796030545.4"));
	assert_false(source_state_only_inserts(heap,
		"0=16411:36:0:2:-:-:1796030545.3 1=16411:21:0:0:-:-:1796030545.3 2=16411:33:2:0:-:-:1796030545.4"));
	assert_false(source_state_only_inserts(heap,
		"0=16411:36:0:1:-:-:1796030545.3 1=16412:21:0:0:-:-:1796030545.3 2=16411:33:2:0:-:-:1796030545.4"));
	assert_false(source_state_only_inserts(heap,
		"0=16411:36:0:1:-:-:1796030545.3 1=16411:21:0:0:-:-:1796030545.3 2=16411:33:2:0:-:-:1796039999.0"));
	/* a primary missing, or one more */
	assert_false(source_state_only_inserts(heap, "0=16411:36:0:1:-:-:1796030545.3 1=16411:21:0:0:-:-:1796030545.3"));
	assert_false(source_state_only_inserts("0=1:0:0:0:-:-:-", heap));
	const char *ao = "0=16417:0:0:0:12/1:0:1.5 1=16417:0:0:0:7/1:0:1.5";
	/* more rows appended: more rows and modifications, nothing hidden */
	assert_true(source_state_only_inserts(ao, "0=16417:0:0:0:24/2:0:1.5 1=16417:0:0:0:14/2:0:1.5"));
	/* empty before (no segment files): then appended */
	assert_true(source_state_only_inserts("0=16417:0:0:0:-:-:1.5 1=16417:0:0:0:-:-:1.5", ao));
	/* an UPDATE or DELETE hides rows in the visibility map */
	assert_false(source_state_only_inserts(ao, "0=16417:0:0:0:13/2:1:1.5 1=16417:0:0:0:7/1:0:1.5"));
	assert_false(source_state_only_inserts(ao, "0=16417:0:0:0:12/1:1:1.5 1=16417:0:0:0:7/1:0:1.5"));
	/* one kind against the other: cannot tell */
	assert_false(source_state_only_inserts(ao, "16384:5100:0:0:1700000000.5"));
	assert_false(source_state_only_inserts("0=garbage", ao));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_inserts),
		cmocka_unit_test(test_only_inserts_greenplum6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
