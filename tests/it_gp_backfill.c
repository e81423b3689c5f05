/* gp2adb backfill between real Greenplum 6 clusters: after a copy, rows are
 * inserted into an append-optimized table, updated in a heap table and
 * deleted from another.  Greenplum 6's change fingerprints (read on every
 * primary) tell which table changed and how: the table that only gained
 * rows gets just those beyond its ever-increasing column, the others are
 * copied again whole, the unchanged ones are left alone; everything ends
 * identical. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "gptest.h"

static char *conf;

static int group_setup(void **state)
{
	(void)state;
	gpt_seed("gpbf");
	gpt_createdb(TU_DST, "gpbf");
	char *extra = xasprintf("ssh = { gphome = \"%s\"; };\n"
				"migration = { backfill_keys = [ \"sales.orders:id\" ]; };\n",
				getenv("GP2ADB_TEST_GPHOME"));
	conf = gpt_config("gpbf", "gpbf", extra, NULL);
	free(extra);
	struct tu_run r;
	if (tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "schema", NULL }) != 0)
		fail_msg("schema: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	if (tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "copy", NULL }) != 0)
		fail_msg("copy: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	return 0;
}

/* The lines backfill prints for a table: its change, then what it does. */
static char *plan_of(const char *out, const char *table)
{
	char *key = xasprintf("  %s ", table);
	const char *at = strstr(out, key);
	if (!at)
		fail_msg("backfill says nothing of %s:\n%s", table, out);
	const char *end = strchr(at, '\n');
	end = end ? strchr(end + 1, '\n') : NULL;
	char *lines = end ? xstrndup(at, (size_t)(end - at)) : xstrdup(at);
	free(key);
	return lines;
}

static void test_backfill_after_writes(void **state)
{
	(void)state;
	struct {
		const char *table, *write;
	} writes[] = {
		{ "sales.orders", "INSERT INTO sales.orders (customer, amount, placed)\n"
				  "SELECT 1 + g % 2000, g / 100.0, date '2024-06-01' FROM generate_series(1, 300) g" },
		{ "sales.customers", "UPDATE sales.customers SET name = 'renamed' WHERE id = 5" },
		{ "sales.events", "DELETE FROM sales.events WHERE kind = 'kind3'" },
	};
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
		char *before = gpt_fingerprint("gpbf", writes[i].table);
		gpt_sql(TU_SRC, "gpbf", writes[i].write);
		free(gpt_wait_moved("gpbf", writes[i].table, before, writes[i].write));
		free(before);
	}
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "backfill", NULL });
	if (rc != 0)
		fail_msg("backfill: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("backfill's plan", r.out, "3 changed since their copy\n");   /* by fingerprints */
	char *p = plan_of(r.out, "\"sales\".\"orders\"");
	gpt_expect_text("orders", p, "rows were inserted");
	gpt_expect_text("orders", p, "copy the rows beyond id = 20000");
	free(p);
	p = plan_of(r.out, "\"sales\".\"customers\"");
	gpt_expect_text("customers", p, "rows were updated or deleted");
	gpt_expect_text("customers", p, "copy it again whole");
	free(p);
	p = plan_of(r.out, "\"sales\".\"events\"");
	gpt_expect_text("events", p, "copy it again whole");
	free(p);
	assert_null(strstr(r.out, "  \"sales\".\"lineitem\" "));
	tu_run_done(&r);
	gpt_assert_identical("gpbf", "gpbf", gpt_seed_tables);
	gpt_assert_identical("gpbf", "gpbf", gpt_seed_roots);

	/* nothing new: nothing to do */
	rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "backfill", NULL });
	if (rc != 0)
		fail_msg("backfill again: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("backfill's plan", r.out, "0 changed since their copy");
	tu_run_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backfill_after_writes),
	};
	int rc = GPT_RUN_SETUP(tests, group_setup);
	free(conf);
	return rc;
}
