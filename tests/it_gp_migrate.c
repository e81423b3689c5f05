/* gp2adb migrate end to end between real Greenplum 6 clusters: check,
 * schema with Greenplum's pg_dump, copy, validate, analyze, into an empty
 * destination: exit 0, every table's rows identical, the partitioned
 * table's root and leaves in place with their storage, the indexes after
 * the data; a second run with --resume has nothing left to do.  A
 * destination with fewer segments than the source stops it before anything
 * is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "gptest.h"

static char *gphome_conf(const char *src_db, const char *dst_db)
{
	char *extra = xasprintf("ssh = { gphome = \"%s\"; };\nmigration = { jobs = 3; };\n",
				getenv("GP2ADB_TEST_GPHOME"));
	char *conf = gpt_config(src_db, dst_db, extra, NULL);
	free(extra);
	return conf;
}

static void test_migrate_end_to_end(void **state)
{
	(void)state;
	gpt_seed("gpmig");
	gpt_createdb(TU_DST, "gpmig");
	char *conf = gphome_conf("gpmig", "gpmig");
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "--yes", "migrate", NULL });
	if (rc != 0)
		fail_msg("migrate: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("migrate's output", r.out, "== copy ==");
	gpt_expect_text("migrate's output", r.out, "== validate ==");
	gpt_expect_text("migrate's output", r.out, "== analyze ==");
	gpt_expect_text("migrate's output", r.out, "migrate: done");
	tu_run_done(&r);
	gpt_assert_identical("gpmig", "gpmig", gpt_seed_tables);
	gpt_assert_identical("gpmig", "gpmig", gpt_seed_roots);

	PGconn *s = tu_connect(TU_SRC, "gpmig"), *d = tu_connect(TU_DST, "gpmig");
	static const char layout[] =
		"SELECT string_agg(c.relname || ':' || c.relstorage || ':' || coalesce(pg_get_table_distributedby(c.oid), ''),\n"
		"                  ' ' ORDER BY c.relname)\n"
		"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
		"WHERE n.nspname = 'sales' AND c.relkind IN ('r', 'i', 'v', 'S')";
	char *a = tu_value(s, layout), *b = tu_value(d, layout);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* the sequence carried on, the indexes made, the statistics gathered */
	assert_true(tu_count(d, "SELECT last_value FROM sales.orders_id_seq") >= 20000);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'sales'"), 2);
	assert_true(tu_count(d, "SELECT count(*) FROM pg_stats WHERE schemaname = 'sales' AND tablename = 'lineitem'") >= 5);
	PQfinish(s);
	PQfinish(d);

	rc = tu_run_gp2adb(&r, (const char *[]){ "-c", conf, "--plain", "--yes", "migrate", "--resume", NULL });
	if (rc != 0)
		fail_msg("migrate --resume: exit %d\n%s\n%s", rc, r.out, r.err);
	assert_null(strstr(r.out, "== copy =="));
	tu_run_done(&r);
	free(conf);
}

/* From the 4-primary cluster to the 3-primary one: blocking, nothing made. */
static void test_fewer_segments_stop_it(void **state)
{
	(void)state;
	gpt_createdb(TU_DST, "gpmig_rev");
	gpt_sql(TU_DST, "gpmig_rev", "CREATE TABLE t (id int) DISTRIBUTED BY (id); INSERT INTO t VALUES (1)");
	gpt_createdb(TU_SRC, "gpmig_rev");
	/* the configuration the other way round */
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf("source = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"gpmig_rev\"; };\n"
			       "destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"gpmig_rev\"; };\n"
			       "ssh = { gphome = \"%s\"; };\nstate_dir = \"%s/state\";\n",
			       tu_port(TU_DST), tu_port(TU_SRC), getenv("GP2ADB_TEST_GPHOME"), dir);
	tu_write_file(path, text, 0600);
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, (const char *[]){ "-c", path, "--plain", "--yes", "migrate", NULL });
	if (rc != 2)
		fail_msg("migrate: exit %d, expected 2\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("migrate's output", r.out, "segments.count");
	tu_run_done(&r);
	PGconn *c = tu_connect(TU_SRC, "gpmig_rev");
	assert_int_equal(tu_count(c, "SELECT count(*) FROM pg_class WHERE relname = 't'"), 0);
	PQfinish(c);
	free(text);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_end_to_end),
		cmocka_unit_test(test_fewer_segments_stop_it),
	};
	return GPT_RUN(tests);
}
