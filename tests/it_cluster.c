/* Several databases in one migration: three databases (one with roles that
 * own objects and grants between them) into an empty destination, in one
 * run, interrupted once and resumed; then "all", and a listed database the
 * source does not have. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytest.h"
#include "fixture.h"
#include "mem.h"
#include "testutil.h"

static const char roles_sql[] =
	"CREATE ROLE app_owner LOGIN; CREATE ROLE reader NOLOGIN; CREATE ROLE clerk LOGIN IN ROLE reader;\n";

static const char shop_sql[] =
	"CREATE SCHEMA sales AUTHORIZATION app_owner;\n"
	"SET ROLE app_owner;\n"
	"CREATE TABLE sales.orders (id int PRIMARY KEY, customer text, total numeric(12,2));\n"
	"CREATE TABLE sales.items (order_id int REFERENCES sales.orders, sku text, qty int);\n"
	"CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 100;\n"
	"GRANT USAGE ON SCHEMA sales TO reader;\n"
	"GRANT SELECT ON sales.orders, sales.big_orders TO reader;\n"
	"GRANT INSERT ON sales.items TO clerk;\n"
	"RESET ROLE;\n"
	"INSERT INTO sales.orders SELECT g, 'c' || (g % 97), g * 1.5 FROM generate_series(1, 3000) g;\n"
	"INSERT INTO sales.items SELECT g % 3000 + 1, 'sku' || g, g % 7 FROM generate_series(1, 9000) g;\n";

static const char hr_sql[] =
	"CREATE TABLE staff (id serial PRIMARY KEY, name text, hired date);\n"
	"INSERT INTO staff (name, hired) SELECT 'n' || g, date '2020-01-01' + g FROM generate_series(1, 500) g;\n";

static const char logs_sql[] =
	"CREATE TABLE events (id int PRIMARY KEY, at timestamptz, payload text);\n"
	"INSERT INTO events SELECT g, timestamptz '2024-01-01' + g * interval '1 s', md5(g::text)\n"
	"  FROM generate_series(1, 40000) g;\n";

/* about 1.6 s per pass over "events" on the destination, so the copy can be
 * interrupted while it runs */
static const char slow_sql[] =
	"CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN IF NEW.id % 250 = 0 THEN PERFORM pg_sleep(0.01); END IF; RETURN NEW; END $$;\n"
	"CREATE TRIGGER slow_down BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_down();\n";

static const char *const shop_tables[] = { "sales.orders", "sales.items", NULL };
static const char *const hr_tables[] = { "staff", NULL };
static const char *const logs_tables[] = { "events", NULL };

/* A configuration naming databases, not one database. */
static char *write_config(const char *dir, const char *databases)
{
	char *path = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf(
		"source = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; };\n"
		"migration = { databases = [ %s ]; jobs = 3; };\n"
		"state_dir = \"%s/state\";\n", tu_port(TU_SRC), tu_port(TU_DST), databases, dir);
	tu_write_file(path, text, 0600);
	free(text);
	return path;
}

static int run(struct tu_run *r, const char *const *args)
{
	int rc = tu_run_gp2adb(r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r->out, r->err);
	return rc;
}

static void setup_sources(void)
{
	PGconn *s = tu_connect(TU_SRC, "postgres");
	tu_exec(s, roles_sql);
	PQfinish(s);
	const char *dbs[] = { "c_shop", "c_hr", "c_logs" };
	const char *sql[] = { shop_sql, hr_sql, logs_sql };
	for (int i = 0; i < 3; i++) {
		tu_createdb(TU_SRC, dbs[i]);
		s = tu_connect(TU_SRC, dbs[i]);
		tu_exec(s, sql[i]);
		tu_exec(s, "ANALYZE");
		PQfinish(s);
	}
}

static void wait_for_events_copy(PGconn *d)
{
	double end = ct_now() + 30;
	while (ct_now() < end) {
		if (tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%'\n"
			     "AND state = 'active' AND query LIKE '%COPY \"public\".\"events\"%FROM STDIN%'") > 0)
			return;
		ct_pause_ms(20);
	}
	fail_msg("gp2adb's COPY into events never showed up on the destination");
}

static void test_three_databases_interrupted_and_resumed(void **state)
{
	(void)state;
	setup_sources();
	char *dir = tu_tmpdir();
	char *conf = write_config(dir, "\"c_shop\", \"c_hr\", \"c_logs\"");
	struct tu_run r;
	/* roles, then each database's pre-data: the databases are created */
	const char *roles[] = { "roles", "-c", conf, "--plain", NULL };
	assert_int_equal(run(&r, roles), 0);
	tu_run_done(&r);
	const char *pre[] = { "schema", "-c", conf, "--plain", "--section", "pre-data", NULL };
	assert_int_equal(run(&r, pre), 0);
	assert_non_null(strstr(r.out, "== database c_logs (3 of 3) =="));
	assert_non_null(strstr(r.out, "database c_shop created on the destination"));
	tu_run_done(&r);

	/* the copy of all three, interrupted while the last database's big table loads */
	PGconn *d = tu_connect(TU_DST, "c_logs");
	tu_exec(d, slow_sql);
	struct ct_bg b;
	const char *copy[] = { "copy", "-c", conf, "--plain", NULL };
	ct_bg_start(&b, copy);
	wait_for_events_copy(d);
	kill(b.pid, SIGINT);
	char *out;
	assert_int_equal(ct_bg_wait(&b, 30, &out), 130);
	free(out);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM events"), 0);
	tu_exec(d, "DROP TRIGGER slow_down ON events; DROP FUNCTION slow_down()");
	PQfinish(d);

	/* migrate --resume finishes everything: copy resumed, post-data, validate, analyze */
	const char *resume[] = { "migrate", "-c", conf, "--plain", "--yes", "--resume", NULL };
	assert_int_equal(run(&r, resume), 0);
	assert_non_null(strstr(r.out, "\"c_logs\".\"public\".\"events\""));
	assert_non_null(strstr(r.out, "validate: 3 of 3 databases without a problem"));
	tu_run_done(&r);
	ct_assert_identical("c_shop", "c_shop", shop_tables);
	ct_assert_identical("c_hr", "c_hr", hr_tables);
	ct_assert_identical("c_logs", "c_logs", logs_tables);
	free(fx_assert_same_schema("c_shop", "c_shop"));
	free(fx_assert_same_schema("c_hr", "c_hr"));
	free(fx_assert_same_schema("c_logs", "c_logs"));

	/* the roles own their objects and hold their grants on the destination */
	d = tu_connect(TU_DST, "c_shop");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_tables WHERE schemaname = 'sales' AND tableowner = 'app_owner'"), 2);
	assert_int_equal(tu_count(d, "SELECT has_table_privilege('reader', 'sales.orders', 'SELECT')::int"), 1);
	assert_int_equal(tu_count(d, "SELECT has_table_privilege('clerk', 'sales.orders', 'SELECT')::int"), 1);
	assert_int_equal(tu_count(d, "SELECT has_table_privilege('clerk', 'sales.items', 'INSERT')::int"), 1);
	assert_int_equal(tu_count(d, "SELECT has_table_privilege('reader', 'sales.items', 'INSERT')::int"), 0);
	PQfinish(d);
	d = tu_connect(TU_DST, "c_hr");
	assert_int_equal(tu_count(d, "SELECT last_value FROM staff_id_seq"), 500);
	PQfinish(d);

	/* "all": every user database of the source (they are all copied now:
	 * skip-existing leaves each table alone) */
	free(conf);
	conf = write_config(dir, "\"all\"");
	const char *all[] = { "copy", "-c", conf, "--json", "--mode", "skip-existing", NULL };
	assert_int_equal(run(&r, all), 0);
	assert_non_null(strstr(r.out, "\"c_hr\\\".\\\"public\\\".\\\"staff\\\""));
	assert_non_null(strstr(r.out, "\"c_shop\\\".\\\"sales\\\".\\\"orders\\\""));
	assert_non_null(strstr(r.out, "\"tables_skipped\": 4"));
	tu_run_done(&r);

	/* a listed database the source lacks is named; the others go on */
	free(conf);
	conf = write_config(dir, "\"c_hr\", \"nosuch\"");
	const char *check[] = { "check", "-c", conf, "--plain", NULL };
	int rc = run(&r, check);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(r.err, "database nosuch: the source has no such database; the others go on"));
	assert_non_null(strstr(r.out, "== database c_hr (1 of 2) =="));
	tu_run_done(&r);
	assert_int_equal(run(&r, (const char *const[]){ "copy", "-c", conf, "--plain", NULL }), 1);
	assert_non_null(strstr(r.out, "nosuch"));
	assert_non_null(strstr(r.out, "staff"));
	tu_run_done(&r);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_databases_interrupted_and_resumed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
