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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_inserts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
