/* The segment path on real Greenplum 6 clusters (a 3-primary source, a
 * 4-primary destination; tests/segpath_gp.h): every copy mode, split units,
 * auto's threshold, the probe, the relay refusing strangers, a failing
 * table and --only-failed, validation afterwards, and nothing left behind
 * on either cluster.  Rows are compared per table by count and an
 * order-independent checksum on both sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytest.h"
#include "segpath_gp.h"
#include "log.h"
#include "mem.h"
#include "relay.h"
#include "segpath.h"
#include "testutil.h"

static const char warehouse_sql[] =
	"CREATE SCHEMA dw;\n"
	"CREATE TABLE dw.orders (id bigint, customer int, placed timestamptz, amount numeric(12,2),\n"
	"  note text, tags text[]) DISTRIBUTED BY (id);\n"
	"INSERT INTO dw.orders SELECT g, g % 1000, '2024-01-01'::timestamptz + g * interval '1 minute',\n"
	"  (g % 10000) / 100.0,\n"
	"  CASE g % 7 WHEN 0 THEN NULL WHEN 1 THEN E'line one\\nline two' WHEN 2 THEN E'tab\\there'\n"
	"    WHEN 3 THEN E'back\\\\slash' WHEN 4 THEN 'ünïcødé ✓' WHEN 5 THEN '' ELSE 'plain ' || g END,\n"
	"  ARRAY['a' || g % 3, 'b \"q\"']\n"
	"FROM generate_series(1, 120000) g;\n"
	"CREATE TABLE dw.events (id int, kind text, payload text)\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zstd, compresslevel=1) DISTRIBUTED BY (id);\n"
	"INSERT INTO dw.events SELECT g, 'k' || g % 5, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)\n"
	"  FROM generate_series(1, 40000) g;\n"
	"CREATE TABLE dw.clicks (id int, url text) WITH (appendonly=true) DISTRIBUTED RANDOMLY;\n"
	"INSERT INTO dw.clicks SELECT g, 'https://example.com/' || g FROM generate_series(1, 20000) g;\n"
	"CREATE TABLE dw.regions (id int, name text) DISTRIBUTED REPLICATED;\n"
	"INSERT INTO dw.regions SELECT g, 'region ' || g FROM generate_series(1, 50) g;\n"
	"CREATE TABLE dw.sales (id int, day date, amount numeric) DISTRIBUTED BY (id)\n"
	"  PARTITION BY RANGE (day) (START ('2024-01-01') END ('2024-04-01') EVERY (INTERVAL '1 month'));\n"
	"INSERT INTO dw.sales SELECT g, '2024-01-01'::date + (g % 90), g FROM generate_series(1, 9000) g;\n"
	"CREATE TABLE dw.empty (id int, v text) DISTRIBUTED BY (id);\n"
	"CREATE TABLE dw.\"Mixed Case\" (id int, \"Select\" text) DISTRIBUTED BY (id);\n"
	"INSERT INTO dw.\"Mixed Case\" SELECT g, 'x' || g FROM generate_series(1, 300) g;\n"
	"ANALYZE;\n";

static const char *const tables[] = {
	"dw.orders", "dw.events", "dw.clicks", "dw.regions", "dw.sales_1_prt_1", "dw.sales_1_prt_2",
	"dw.sales_1_prt_3", "dw.empty", "dw.\"Mixed Case\"", NULL,
};

/* A database with the warehouse on the source and its schema (made by
 * gp2adb schema) on the destination; the config's path. */
static char *setup(const char *db, const char *migration)
{
	sgp_createdb(TU_SRC, db);
	sgp_createdb(TU_DST, db);
	PGconn *s = tu_connect(TU_SRC, db);
	tu_exec(s, warehouse_sql);
	PQfinish(s);
	char *dir = tu_tmpdir();
	char *extra = xasprintf("ssh = { gphome = \"%s\"; };\nmigration = { %s };\n", getenv("GP2ADB_TEST_GPHOME"),
				migration);
	char *conf = tu_write_config(dir, db, db, extra);
	free(extra);
	free(dir);
	const char *args[] = { "schema", "-c", conf, "--plain", NULL };
	struct tu_run r;
	if (tu_run_gp2adb(&r, args) != 0)
		fail_msg("gp2adb schema: %s%s", r.out, r.err);
	tu_run_done(&r);
	return conf;
}

/* No gp2adb session on either cluster, and no external table of its own
 * (the temporary ones end with their sessions; none is ever committed). */
static void assert_nothing_left(const char *db)
{
	for (int side = TU_SRC; side <= TU_DST; side++) {
		PGconn *c = tu_connect((enum tu_side)side, db);
		long long n = -1;
		for (int i = 0; i < 200 && n != 0; i++) {
			n = tu_count(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb%'\n"
				     "AND application_name <> 'gp2adb-test'");
			if (n)
				ct_pause_ms(50);
		}
		if (n != 0)
			fail_msg("%lld gp2adb sessions left on the %s", n, side == TU_SRC ? "source" : "destination");
		assert_int_equal(tu_count(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'gp2adb\\_%'\n"
					  "AND relstorage = 'x'"), 0);
		PQfinish(c);
	}
}

/* needle in haystack, or the test fails showing the haystack */
static void expect_in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* Relay URLs in messages show only the first characters of their tokens. */
static void assert_no_token(const char *text)
{
	for (const char *p = text; (p = strstr(p, "/gp2adb/")) != NULL; p++)
		if (strspn(p + 8, "0123456789abcdef") > 6)
			fail_msg("a relay token in: %s", text);
}

static int copy(const char *conf, const char *const *more, char **out, char **err)
{
	const char *args[16] = { "copy", "-c", conf, "--json", "-vv" };
	int n = 5;
	for (size_t i = 0; more && more[i]; i++)
		args[n++] = more[i];
	args[n] = NULL;
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "--- out\n%s--- err\n%s", r.out, r.err);
	*out = r.out;
	*err = r.err;
	return rc;
}

/* The table's JSON entry in copy --json output (points into out). */
static const char *table_json(const char *out, const char *table)
{
	char *key = xasprintf("\"table\": \"%s\"", table);
	const char *p = strstr(out, key);
	free(key);
	if (!p)
		fail_msg("no table %s in:\n%s", table, out);
	return p;
}

static void assert_path(const char *out, const char *table, const char *path)
{
	const char *t = table_json(out, table);
	const char *end = strchr(t, '}');
	char *want = xasprintf("\"path\": \"%s\"", path);
	const char *p = strstr(t, want);
	if (!p || p > end)
		fail_msg("table %s did not take the %s path:\n%.*s", table, path, (int)(end - t), t);
	free(want);
}

static void validate(const char *conf)
{
	const char *args[] = { "validate", "-c", conf, "--plain", "--level", "checksum", NULL };
	struct tu_run r;
	if (tu_run_gp2adb(&r, args) != 0)
		fail_msg("gp2adb validate: %s%s", r.out, r.err);
	tu_run_done(&r);
}

static void test_modes(void **state)
{
	(void)state;
	char *conf = setup("sp1", "path = \"segment\"; jobs = 3; split_threshold_mb = 1;");
	char *out, *err;

	/* truncate (the default), with the largest table split by segment */
	assert_int_equal(copy(conf, NULL, &out, &err), 0);
	expect_in(err, "segment path: 9 of 9 tables");
	/* the relay saw the source's 3 segments write and the destination's 4 read */
	expect_in(err, "segment to segment (3 writers, 4 readers");
	assert_path(out, "\\\"dw\\\".\\\"orders\\\"", "segment");
	assert_non_null(strstr(table_json(out, "\\\"dw\\\".\\\"orders\\\""), "\"units\": 3"));
	assert_path(out, "\\\"dw\\\".\\\"regions\\\"", "segment");
	ct_assert_identical("sp1", "sp1", tables);
	validate(conf);
	assert_nothing_left("sp1");
	free(out);
	free(err);

	/* append: every row once more */
	const char *append[] = { "--mode", "append", NULL };
	assert_int_equal(copy(conf, append, &out, &err), 0);
	PGconn *d = tu_connect(TU_DST, "sp1");
	assert_int_equal(tu_count(d, "SELECT count(*) FROM dw.orders"), 240000);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM dw.regions"), 100);
	assert_int_equal(tu_count(d, "SELECT count(DISTINCT id) FROM dw.orders"), 120000);
	free(out);
	free(err);

	/* skip-existing: only the tables that are empty on the destination */
	tu_exec(d, "TRUNCATE dw.clicks; TRUNCATE dw.orders");
	const char *skip[] = { "--mode", "skip-existing", NULL };
	assert_int_equal(copy(conf, skip, &out, &err), 0);
	assert_non_null(strstr(table_json(out, "\\\"dw\\\".\\\"events\\\""), "\"state\": \"skipped\""));
	assert_int_equal(tu_count(d, "SELECT count(*) FROM dw.events"), 80000);
	const char *copied[] = { "dw.clicks", "dw.orders", NULL };
	ct_assert_identical("sp1", "sp1", copied);
	free(out);
	free(err);

	/* drop: recreated from the source's definitions, then copied */
	const char *drop[] = { "--mode", "drop", NULL };
	assert_int_equal(copy(conf, drop, &out, &err), 0);
	ct_assert_identical("sp1", "sp1", tables);
	validate(conf);
	assert_nothing_left("sp1");
	PQfinish(d);
	free(out);
	free(err);
	free(conf);
}

/* auto: the tables of at least segment_path_min_mb go segment to segment,
 * the others through the coordinators; coordinator: none. */
/* gp2adb check: the probe's finding and the advice's data path. */
static char *check_json(const char *conf)
{
	const char *args[] = { "check", "-c", conf, "--json", NULL };
	struct tu_run r;
	(void)tu_run_gp2adb(&r, args);
	char *out = r.out;
	r.out = NULL;
	tu_run_done(&r);
	return out;
}

static void test_auto(void **state)
{
	(void)state;
	char *conf = setup("sp2", "segment_path_min_mb = 1; jobs = 2;");
	char *out, *err;
	char *check = check_json(conf);
	const char *f = strstr(check, "\"id\": \"method.segment_path\"");
	if (!f)
		fail_msg("no method.segment_path finding in:\n%s", check);
	expect_in(f, "\"severity\": \"ok\"");
	expect_in(f, "The source's 3 primaries reached the relay");
	expect_in(f, "the destination's 4 at");
	expect_in(f, "2 tables of at least 1 MB");
	expect_in(check, "\"engine_path\": \"segment\"");
	free(check);
	assert_int_equal(copy(conf, NULL, &out, &err), 0);
	expect_in(err, "segment path: 2 of 9 tables");
	assert_path(out, "\\\"dw\\\".\\\"orders\\\"", "segment");
	assert_path(out, "\\\"dw\\\".\\\"events\\\"", "segment");
	assert_path(out, "\\\"dw\\\".\\\"clicks\\\"", "coordinator");
	ct_assert_identical("sp2", "sp2", tables);
	free(out);
	free(err);
	const char *coord[] = { "--path", "coordinator", NULL };
	assert_int_equal(copy(conf, coord, &out, &err), 0);
	assert_null(strstr(err, "relay"));
	assert_path(out, "\\\"dw\\\".\\\"orders\\\"", "coordinator");
	ct_assert_identical("sp2", "sp2", tables);
	assert_nothing_left("sp2");
	free(out);
	free(err);
	free(conf);
}

/* Segments that cannot reach the relay: --path segment does not start (and
 * says which side and why), auto falls back to the coordinators. */
static void test_unreachable(void **state)
{
	(void)state;
	char *conf = setup("sp3", "relay_advertise = \"127.0.0.1:1\"; segment_path_min_mb = 1; jobs = 2;");
	char *out, *err;
	const char *seg[] = { "--path", "segment", NULL };
	assert_int_equal(copy(conf, seg, &out, &err), 5);
	expect_in(err, "--path segment: source: 0 of 3 primary segments reached the relay at 127.0.0.1:1");
	assert_no_token(err);
	free(out);
	free(err);
	char *check = check_json(conf);
	const char *f = strstr(check, "\"id\": \"method.segment_path\"");
	if (!f)
		fail_msg("no method.segment_path finding in:\n%s", check);
	expect_in(f, "\"severity\": \"warn\"");
	expect_in(f, "source: 0 of 3 primary segments reached the relay at 127.0.0.1:1");
	expect_in(check, "\"engine_path\": \"coordinator\"");
	assert_no_token(check);
	free(check);
	assert_int_equal(copy(conf, NULL, &out, &err), 0);
	expect_in(err, "segment path not usable: source: 0 of 3");
	assert_path(out, "\\\"dw\\\".\\\"orders\\\"", "coordinator");
	ct_assert_identical("sp3", "sp3", tables);
	assert_nothing_left("sp3");
	free(out);
	free(err);
	free(conf);
}

/* The relay on the real clusters: every primary of each reaches it; an
 * external table with a token it never issued is refused (and logged). */
static void test_probe_and_refusal(void **state)
{
	(void)state;
	sgp_createdb(TU_DST, "sp4");
	PGconn *s = tu_connect(TU_SRC, "postgres"), *d = tu_connect(TU_DST, "sp4");
	char err[300];
	struct relay_options o = { "127.0.0.1:0", 0 };
	struct relay *r = relay_start(&o, err, sizeof err);
	assert_non_null(r);
	char addr[64];
	snprintf(addr, sizeof addr, "127.0.0.1:%d", relay_port(r));
	struct segpath_probe ps, pd;
	segpath_probe_run(r, s, addr, true, &ps);
	segpath_probe_run(r, d, addr, false, &pd);
	if (!ps.ok || !pd.ok)
		fail_msg("probe: %s / %s", ps.error, pd.error);
	assert_int_equal(ps.reached, 3);
	assert_int_equal(pd.reached, 4);
	assert_int_equal(relay_refused(r), 0);

	char *sql = xasprintf("CREATE EXTERNAL TABLE stranger (v text)\n"
			      "LOCATION ('gpfdist://%s/gp2adb/0123456789abcdef0123456789abcdef/r1') FORMAT 'TEXT'", addr);
	tu_exec(d, sql);
	free(sql);
	PGresult *res = PQexec(d, "SELECT count(*) FROM stranger");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	assert_non_null(strstr(PQerrorMessage(d), "404"));
	PQclear(res);
	assert_true(relay_refused(r) >= 1);
	tu_exec(d, "DROP EXTERNAL TABLE stranger");
	relay_stop(r);
	PQfinish(s);
	PQfinish(d);
}

/* A data error on the destination fails that table alone, and stops the
 * source's statement; --only-failed then copies it. */
static void test_only_failed(void **state)
{
	(void)state;
	char *conf = setup("sp5", "path = \"segment\"; jobs = 2;");
	PGconn *d = tu_connect(TU_DST, "sp5");
	tu_exec(d, "ALTER TABLE dw.events ADD CONSTRAINT short_kind CHECK (kind <> 'k3')");
	char *out, *err;
	double t0 = ct_now();
	assert_int_equal(copy(conf, NULL, &out, &err), 3);
	/* the source's statement was stopped, not waited for (15 s, then cancelled) */
	assert_true(ct_now() - t0 < 15);
	const char *ev = table_json(out, "\\\"dw\\\".\\\"events\\\"");
	assert_non_null(strstr(ev, "\"state\": \"failed\""));
	assert_non_null(strstr(ev, "23514"));
	assert_non_null(strstr(out, "gp2adb copy --only-failed"));
	assert_int_equal(tu_count(d, "SELECT count(*) FROM dw.events"), 0);     /* rolled back */
	assert_nothing_left("sp5");
	free(out);
	free(err);
	tu_exec(d, "ALTER TABLE dw.events DROP CONSTRAINT short_kind");
	const char *retry[] = { "--only-failed", NULL };
	assert_int_equal(copy(conf, retry, &out, &err), 0);
	assert_non_null(strstr(out, "\"tables_total\": 1"));
	ct_assert_identical("sp5", "sp5", tables);
	validate(conf);
	PQfinish(d);
	free(out);
	free(err);
	free(conf);
}

/* A number of a table's entry in copy --json output. */
static double table_number(const char *out, const char *table, const char *field)
{
	const char *t = table_json(out, table);
	char *key = xasprintf("\"%s\": ", field);
	const char *v = strstr(t, key);
	double d = v && v < strchr(t, '}') ? atof(v + strlen(key)) : -1;
	free(key);
	return d;
}

/* Tables copied in one unit each run side by side in mode truncate: the
 * one that takes long does not hold the others back (on Greenplum 6 a
 * DELETE locks its whole table until commit, and each such unit forgot
 * its table's markers with one), on either path. */
static void test_units_side_by_side(void **state)
{
	(void)state;
	sgp_createdb(TU_SRC, "sp6");
	sgp_createdb(TU_DST, "sp6");
	static const char ddl[] = "CREATE TABLE slow (id int, v text) DISTRIBUTED BY (id);\n"
				  "CREATE TABLE quick (id int, v text) DISTRIBUTED BY (id);\n";
	PGconn *s = tu_connect(TU_SRC, "sp6"), *d = tu_connect(TU_DST, "sp6");
	tu_exec(s, ddl);
	tu_exec(s, "INSERT INTO slow SELECT g, md5(g::text) FROM generate_series(1, 120000) g;\n"
		   "INSERT INTO quick SELECT g, 'q' FROM generate_series(1, 100) g; ANALYZE;");
	tu_exec(d, ddl);
	tu_exec(d, "CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$\n"
		   "BEGIN IF NEW.id % 100 = 0 THEN PERFORM pg_sleep(0.02); END IF; RETURN NEW; END $$;\n"
		   "CREATE TRIGGER slow_down BEFORE INSERT ON slow FOR EACH ROW EXECUTE PROCEDURE slow_down();");
	PQfinish(s);
	PQfinish(d);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "sp6", "sp6", "migration = { jobs = 2; };\n");
	free(dir);
	static const char *const paths[] = { "segment", "coordinator" };
	for (int i = 0; i < 2; i++) {
		const char *more[] = { "--path", paths[i], NULL };
		char *out, *err;
		assert_int_equal(copy(conf, more, &out, &err), 0);
		double slow = table_number(out, "\\\"public\\\".\\\"slow\\\"", "seconds");
		double quick = table_number(out, "\\\"public\\\".\\\"quick\\\"", "seconds");
		if (!(slow > 4 && quick < slow / 2))
			fail_msg("--path %s: quick took %.1f s beside slow's %.1f s", paths[i], quick, slow);
		free(out);
		free(err);
	}
	const char *both[] = { "slow", "quick", NULL };
	ct_assert_identical("sp6", "sp6", both);
	free(conf);
}

int main(void)
{
	log_set_console(LOG_ERROR, true);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_probe_and_refusal),
		cmocka_unit_test(test_only_failed),
		cmocka_unit_test(test_units_side_by_side),
	};
	return SGP_RUN(tests);
}
