/* unit planning and picking: splits, stable ids, largest first, preparation gating. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct flavor pg(int major)
{
	struct flavor f;
	memset(&f, 0, sizeof f);
	f.kind = FLAVOR_POSTGRES;
	f.pg_major = major;
	f.ctid_range_scan = major >= 14;
	return f;
}

static struct table tbl(long long bytes, char storage)
{
	struct table t;
	memset(&t, 0, sizeof t);
	t.bytes = bytes;
	t.storage = storage;
	return t;
}

#define MB (1024LL * 1024)

static void test_small_table_is_one_unit(void **state)
{
	(void)state;
	struct flavor f = pg(15);
	struct unit_split s;
	unit_split_for(&s, &f, 100, 0);
	struct table t = tbl(99 * MB, 'h');
	struct unit_spec *u = NULL;
	size_t n = 0;
	unit_plan_table(&t, 7, &s, &u, &n);
	assert_int_equal(n, 1);
	assert_string_equal(u[0].id, "all");
	assert_null(u[0].predicate);
	assert_int_equal(u[0].table, 7);
	unit_specs_free(u, n);
}

static void test_ctid_ranges_cover_everything(void **state)
{
	(void)state;
	struct flavor f = pg(15);
	struct unit_split s;
	unit_split_for(&s, &f, 100, 0);
	struct table t = tbl(250 * MB, 'h');
	struct unit_spec *u = NULL;
	size_t n = 0;
	unit_plan_table(&t, 0, &s, &u, &n);
	assert_int_equal(n, 3);
	long long blocks = 100 * MB / 8192;   /* 12800 */
	assert_string_equal(u[0].id, "b0-12800");
	assert_string_equal(u[0].predicate, "ctid >= '(0,0)'::tid AND ctid < '(12800,0)'::tid");
	assert_string_equal(u[1].id, "b12800-25600");
	/* the last range is open: rows past a stale size estimate are still read */
	assert_string_equal(u[2].id, "b25600-");
	assert_string_equal(u[2].predicate, "ctid >= '(25600,0)'::tid");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(u[i].count, 3);
		assert_int_equal(u[i].index, (int)i);
		assert_true(u[i].bytes_est > 80 * MB);
	}
	(void)blocks;
	/* the same table planned again gives the same ids (resume relies on it) */
	struct unit_spec *again = NULL;
	size_t m = 0;
	unit_plan_table(&t, 0, &s, &again, &m);
	assert_int_equal(m, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(again[i].id, u[i].id);
	unit_specs_free(again, m);
	unit_specs_free(u, n);
}

static void test_no_split_without_tid_range_scans(void **state)
{
	(void)state;
	struct flavor f = pg(13);
	struct unit_split s;
	unit_split_for(&s, &f, 100, 0);
	struct table t = tbl(900 * MB, 'h');
	struct unit_spec *u = NULL;
	size_t n = 0;
	unit_plan_table(&t, 0, &s, &u, &n);
	assert_int_equal(n, 1);
	unit_specs_free(u, n);
	/* a threshold of 0 never splits */
	f = pg(15);
	unit_split_for(&s, &f, 0, 0);
	u = NULL;
	n = 0;
	unit_plan_table(&t, 0, &s, &u, &n);
	assert_int_equal(n, 1);
	unit_specs_free(u, n);
}

static void test_greenplum_segment_groups(void **state)
{
	(void)state;
	struct flavor f;
	memset(&f, 0, sizeof f);
	f.kind = FLAVOR_GREENPLUM;
	f.mpp = true;
	f.pg_major = 9;
	struct unit_split s;
	unit_split_for(&s, &f, 100, 4);
	/* 10 pieces wanted, only 4 segments: 4 groups */
	struct table t = tbl(1000 * MB, 'a');
	struct unit_spec *u = NULL;
	size_t n = 0;
	unit_plan_table(&t, 0, &s, &u, &n);
	assert_int_equal(n, 4);
	assert_string_equal(u[0].id, "s0%4");
	assert_string_equal(u[0].predicate, "gp_segment_id % 4 = 0");
	assert_string_equal(u[3].predicate, "gp_segment_id % 4 = 3");
	unit_specs_free(u, n);
	/* 2 pieces wanted: 2 groups of segments */
	t = tbl(150 * MB, 'h');
	u = NULL;
	n = 0;
	unit_plan_table(&t, 0, &s, &u, &n);
	assert_int_equal(n, 2);
	assert_string_equal(u[1].predicate, "gp_segment_id % 2 = 1");
	unit_specs_free(u, n);
}

/* A replicated table holds every row on every segment: gp_segment_id is
 * hidden (42703) and splitting by it would read each row N times.  One unit,
 * and the size of one copy. */
static void test_greenplum_replicated_is_one_unit(void **state)
{
	(void)state;
	struct flavor f;
	memset(&f, 0, sizeof f);
	f.kind = FLAVOR_GREENPLUM;
	f.mpp = true;
	f.gp_major = 6;
	struct unit_split s;
	unit_split_for(&s, &f, 100, 4);
	struct table t = tbl(4000 * MB, 'h');
	t.distribution = "DISTRIBUTED REPLICATED";
	struct unit_spec *u = NULL;
	size_t n = 0;
	unit_plan_table(&t, 0, &s, &u, &n);
	assert_int_equal(n, 1);
	assert_string_equal(u[0].id, "all");
	assert_null(u[0].predicate);
	assert_int_equal(u[0].bytes_est, 1000 * MB);
	unit_specs_free(u, n);
}

/* Which sets of unit ids cover a whole table, whatever split made them. */
static void test_unit_ids_complete(void **state)
{
	(void)state;
	const char *all[] = { "all" };
	assert_true(unit_ids_complete(all, 1));
	assert_false(unit_ids_complete(all, 0));
	const char *ranges[] = { "b256-512", "b0-256", "b512-" };
	assert_true(unit_ids_complete(ranges, 3));
	assert_false(unit_ids_complete(ranges, 2));             /* no open end */
	const char *gap[] = { "b0-256", "b300-" };
	assert_false(unit_ids_complete(gap, 2));
	const char *from1[] = { "b1-" };
	assert_false(unit_ids_complete(from1, 1));
	const char *two_ends[] = { "b0-", "b0-10" };
	assert_false(unit_ids_complete(two_ends, 2));
	const char *segs[] = { "s1%3", "s0%3", "s2%3" };
	assert_true(unit_ids_complete(segs, 3));
	assert_false(unit_ids_complete(segs, 2));
	const char *mixed_n[] = { "s0%2", "s1%3" };
	assert_false(unit_ids_complete(mixed_n, 2));
	const char *dup[] = { "s0%2", "s0%2" };
	assert_false(unit_ids_complete(dup, 2));
	const char *junk[] = { "b0-x", "b" };
	assert_false(unit_ids_complete(junk, 1));
	assert_false(unit_ids_complete(junk + 1, 1));
}

static void test_sort_largest_first(void **state)
{
	(void)state;
	struct unit_spec u[4];
	memset(u, 0, sizeof u);
	u[0].table = 0; u[0].bytes_est = 10;
	u[1].table = 1; u[1].bytes_est = 500;
	u[2].table = 2; u[2].bytes_est = 10;
	u[3].table = 1; u[3].index = 1; u[3].bytes_est = 500;
	unit_sort(u, 4);
	assert_int_equal(u[0].table, 1);
	assert_int_equal(u[0].index, 0);
	assert_int_equal(u[1].table, 1);
	assert_int_equal(u[1].index, 1);
	assert_int_equal(u[2].table, 0);    /* ties: table order */
	assert_int_equal(u[3].table, 2);
}

static void test_pick_waits_for_preparation(void **state)
{
	(void)state;
	/* units 0-2 belong to split table 0 (prep needed), unit 3 to table 1 */
	size_t table_of[4] = { 0, 0, 0, 1 };
	enum unit_state st[4] = { UNIT_QUEUED, UNIT_QUEUED, UNIT_QUEUED, UNIT_QUEUED };
	enum prep_state prep[2] = { PREP_NEEDED, PREP_NONE };
	bool must = false;
	size_t first = 0;
	assert_int_equal(unit_pick(table_of, st, 4, prep, &first, &must), 0);
	assert_true(must);
	/* the first worker prepares table 0: the next one must not start its units */
	st[0] = UNIT_RUNNING;
	prep[0] = PREP_RUNNING;
	assert_int_equal(unit_pick(table_of, st, 4, prep, &first, &must), 3);
	assert_false(must);
	st[3] = UNIT_RUNNING;
	assert_int_equal(unit_pick(table_of, st, 4, prep, &first, &must), -1);
	assert_true(first < 4);     /* waiting, not finished */
	/* prepared: the rest of table 0 may run in parallel, unprepared */
	prep[0] = PREP_DONE;
	assert_int_equal(unit_pick(table_of, st, 4, prep, &first, &must), 1);
	assert_false(must);
	/* a failed preparation blocks its table's units */
	prep[0] = PREP_FAILED;
	assert_int_equal(unit_pick(table_of, st, 4, prep, &first, &must), -1);
}

/* Largest first through a cursor: the units that left the queue are passed
 * once, never looked at again (100,000 tables: a scan of every unit per pick
 * was quadratic), and a unit put back is found again once the cursor is
 * lowered to it. */
static void test_pick_cursor(void **state)
{
	(void)state;
	enum { N = 6 };
	size_t table_of[N] = { 0, 1, 2, 3, 4, 5 };
	enum unit_state st[N] = { UNIT_QUEUED, UNIT_QUEUED, UNIT_QUEUED, UNIT_QUEUED, UNIT_QUEUED, UNIT_QUEUED };
	enum prep_state prep[N] = { PREP_NONE, PREP_NONE, PREP_NONE, PREP_NONE, PREP_NONE, PREP_NONE };
	bool must = true;
	size_t first = 0;
	for (long k = 0; k < 4; k++) {
		assert_int_equal(unit_pick(table_of, st, N, prep, &first, &must), k);
		assert_false(must);
		st[k] = k % 2 ? UNIT_DONE : UNIT_RUNNING;
	}
	assert_int_equal(unit_pick(table_of, st, N, prep, &first, &must), 4);
	assert_int_equal(first, 4);
	/* before the cursor nothing is read: a state there is not looked at */
	st[1] = UNIT_QUEUED;
	assert_int_equal(unit_pick(table_of, st, N, prep, &first, &must), 4);
	/* put back (a cancelled unit): the caller lowers the cursor */
	first = 1;
	assert_int_equal(unit_pick(table_of, st, N, prep, &first, &must), 1);
	assert_int_equal(first, 1);
	st[1] = st[4] = st[5] = UNIT_DONE;
	assert_int_equal(unit_pick(table_of, st, N, prep, &first, &must), -1);
	assert_int_equal(first, N);     /* nothing queued at all */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_table_is_one_unit),
		cmocka_unit_test(test_ctid_ranges_cover_everything),
		cmocka_unit_test(test_no_split_without_tid_range_scans),
		cmocka_unit_test(test_greenplum_segment_groups),
		cmocka_unit_test(test_greenplum_replicated_is_one_unit),
		cmocka_unit_test(test_unit_ids_complete),
		cmocka_unit_test(test_sort_largest_first),
		cmocka_unit_test(test_pick_waits_for_preparation),
		cmocka_unit_test(test_pick_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
