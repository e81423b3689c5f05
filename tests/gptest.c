/* gptest: helpers shared by the Greenplum tests (see gptest.h). */
#include "gptest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "copytest.h"
#include "mem.h"
#include "source_state.h"

int gpt_run(const char *group, const struct CMUnitTest *tests, size_t n, int (*setup)(void **))
{
	const char *skip = getenv("GP2ADB_TEST_GP_SKIP");
	if (skip && skip[0]) {
		/* TAP: each test skipped by name, so the count is each test's */
		printf("1..%zu\n", n);
		for (size_t i = 0; i < n; i++)
			printf("ok %zu - %s # SKIP %s\n", i + 1, tests[i].name, skip);
		fflush(stdout);
		return 0;
	}
	/* GP2ADB_TEST_FILTER=test_name (a glob) runs only those tests */
	const char *filter = getenv("GP2ADB_TEST_FILTER");
	if (filter && filter[0])
		cmocka_set_test_filter(filter);
	return _cmocka_run_group_tests(group, tests, n, setup, NULL);
}

void gpt_sql(enum tu_side side, const char *dbname, const char *sql)
{
	PGconn *c = tu_connect(side, dbname);
	tu_exec(c, sql);
	PQfinish(c);
}

void gpt_createdb(enum tu_side side, const char *dbname)
{
	PGconn *c = tu_connect(side, "postgres");
	char *lit = PQescapeLiteral(c, dbname, strlen(dbname));
	char *id = PQescapeIdentifier(c, dbname, strlen(dbname));
	char *sql = xasprintf("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity\n"
			      "WHERE datname = %s AND pid <> pg_backend_pid()", lit);
	for (int i = 0; i < 100; i++) {
		if (tu_count(c, sql) == 0)
			break;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	free(sql);
	sql = xasprintf("DROP DATABASE IF EXISTS %s", id);
	tu_exec(c, sql);
	free(sql);
	sql = xasprintf("CREATE DATABASE %s", id);
	tu_exec(c, sql);
	free(sql);
	PQfreemem(lit);
	PQfreemem(id);
	PQfinish(c);
}

static const char *side_name(enum tu_side side)
{
	const char *v = getenv(side == TU_SRC ? "GP2ADB_TEST_GP_SRC" : "GP2ADB_TEST_GP_DST");
	if (!v)
		fail_msg("GP2ADB_TEST_GP_SRC/DST is not set: run through tests/harness/run-gp-test");
	return v;
}

void gpt_cluster(enum tu_side side, const char *command)
{
	const char *harness = getenv("GP2ADB_HARNESS"), *dir = getenv("GP2ADB_TEST_GP_DIR");
	if (!harness || !dir)
		fail_msg("GP2ADB_HARNESS or GP2ADB_TEST_GP_DIR is not set: run through tests/harness/run-gp-test");
	char *cmd = xasprintf("'%s/gp' %s '%s' '%s' >/dev/null", harness, command, dir, side_name(side));
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("failed: %s", cmd);
	free(cmd);
}

char *gpt_env(enum tu_side side, const char *key)
{
	const char *path = getenv(side == TU_SRC ? "GP2ADB_TEST_GP_SRC_ENV" : "GP2ADB_TEST_GP_DST_ENV");
	if (!path)
		fail_msg("GP2ADB_TEST_GP_*_ENV is not set: run through tests/harness/run-gp-test");
	char *text = tu_read_file(path);
	if (!text)
		fail_msg("cannot read %s", path);
	size_t klen = strlen(key);
	char *value = NULL;
	for (char *line = strtok(text, "\n"); line && !value; line = strtok(NULL, "\n"))
		if (strncmp(line, key, klen) == 0 && line[klen] == '=')
			value = xstrdup(line + klen + 1);
	free(text);
	if (!value)
		fail_msg("%s has no %s", path, key);
	return value;
}

int gpt_segments(enum tu_side side)
{
	char *v = gpt_env(side, "NSEG");
	int n = atoi(v);
	free(v);
	return n;
}

PGconn *gpt_connect_segment(enum tu_side side, int content, const char *dbname)
{
	char key[32];
	snprintf(key, sizeof key, "SEG%d_PORT", content);
	char *port = gpt_env(side, key);
	char *conninfo = xasprintf("host=127.0.0.1 port=%s user=postgres dbname=%s "
				   "application_name=gp2adb-test options='-c gp_session_role=utility'", port, dbname);
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", conninfo, PQerrorMessage(c));
	free(conninfo);
	free(port);
	return c;
}

char *gpt_digest(PGconn *conn, const char *table)
{
	char *sql = xasprintf("SELECT count(*) || ' ' || coalesce(md5(string_agg(h, ',' ORDER BY h)), '-')\n"
			      "FROM (SELECT md5(t::text) AS h FROM %s t) s", table);
	char *v = tu_value(conn, sql);
	free(sql);
	return v;
}

void gpt_assert_identical(const char *src_db, const char *dst_db, const char *const *tables)
{
	PGconn *s = tu_connect(TU_SRC, src_db), *d = tu_connect(TU_DST, dst_db);
	for (size_t i = 0; tables[i]; i++) {
		char *a = gpt_digest(s, tables[i]), *b = gpt_digest(d, tables[i]);
		if (strcmp(a, b) != 0)
			fail_msg("table %s differs: source %s, destination %s", tables[i], a, b);
		free(a);
		free(b);
	}
	PQfinish(s);
	PQfinish(d);
}

char *gpt_config(const char *src_db, const char *dst_db, const char *extra, char **dir)
{
	char *d = tu_tmpdir();
	char *path = tu_write_config(d, src_db, dst_db, extra);
	if (dir)
		*dir = d;
	else
		free(d);
	return path;
}

void gpt_expect_text(const char *what, const char *out, const char *needle)
{
	if (!out || !strstr(out, needle))
		fail_msg("%s lacks \"%s\":\n%s", what, needle, out ? out : "(nothing)");
}

static const char gpt_seed_sql[] =
	"CREATE SCHEMA sales;\n"
	"CREATE TABLE sales.customers (id int PRIMARY KEY, name text NOT NULL, region text, created date)\n"
	"  DISTRIBUTED BY (id);\n"
	"CREATE TABLE sales.events (at timestamp, kind text, payload text) DISTRIBUTED RANDOMLY;\n"
	"CREATE TABLE sales.regions (code text, name text) DISTRIBUTED REPLICATED;\n"
	"CREATE TABLE sales.orders (id bigserial, customer int, amount numeric(12,2), placed date)\n"
	"  WITH (appendonly=true, compresstype=zlib, compresslevel=5) DISTRIBUTED BY (id);\n"
	"CREATE TABLE sales.lineitem (\n"
	"  order_id bigint ENCODING (compresstype=zstd, compresslevel=3),\n"
	"  line int ENCODING (compresstype=rle_type),\n"
	"  qty int, price numeric(10,2),\n"
	"  note text ENCODING (compresstype=zlib, compresslevel=1))\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zstd, compresslevel=1)\n"
	"  DISTRIBUTED BY (order_id, line);\n"
	"CREATE TABLE sales.sales (id int, region text, sold date, amount numeric(12,2))\n"
	"  WITH (appendonly=true, orientation=column, compresstype=zlib, compresslevel=1)\n"
	"  DISTRIBUTED BY (id)\n"
	"  PARTITION BY RANGE (sold) SUBPARTITION BY LIST (region)\n"
	"  SUBPARTITION TEMPLATE (SUBPARTITION east VALUES ('east'), SUBPARTITION west VALUES ('west'),\n"
	"                         DEFAULT SUBPARTITION other_regions)\n"
	"  (PARTITION jan START (date '2024-01-01') END (date '2024-02-01') WITH (appendonly=false),\n"
	"   PARTITION feb START (date '2024-02-01') END (date '2024-03-01'),\n"
	"   PARTITION mar START (date '2024-03-01') END (date '2024-04-01')\n"
	"     WITH (appendonly=true, orientation=row, compresstype=zstd, compresslevel=2),\n"
	"   DEFAULT PARTITION outlying);\n"
	"CREATE INDEX customers_region ON sales.customers (region);\n"
	"CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE amount > 900;\n"
	"CREATE EXTERNAL TABLE sales.ext_orders (id int, note text)\n"
	"  LOCATION ('gpfdist://127.0.0.1:8081/orders*.txt') FORMAT 'TEXT' (DELIMITER '|');\n"
	"CREATE WRITABLE EXTERNAL TABLE sales.ext_out (id int, note text)\n"
	"  LOCATION ('gpfdist://127.0.0.1:8082/out.txt') FORMAT 'CSV' DISTRIBUTED BY (id);\n"
	"INSERT INTO sales.regions VALUES ('east', 'East'), ('west', 'West'), ('north', 'North');\n"
	"INSERT INTO sales.customers\n"
	"  SELECT g, 'customer ' || g, (ARRAY['east','west','north'])[1 + g % 3], date '2020-01-01' + g % 1000\n"
	"  FROM generate_series(1, 2000) g;\n"
	"INSERT INTO sales.orders (customer, amount, placed)\n"
	"  SELECT 1 + g % 2000, (g % 100000) / 100.0, date '2023-01-01' + g % 700 FROM generate_series(1, 20000) g;\n"
	"INSERT INTO sales.lineitem\n"
	"  SELECT 1 + g / 3, g % 3, 1 + g % 7, (g % 5000) / 10.0,\n"
	"         CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g % 97 END\n"
	"  FROM generate_series(1, 60000) g;\n"
	"INSERT INTO sales.events\n"
	"  SELECT timestamp '2024-01-01' + g * interval '1 minute', 'kind' || g % 5, repeat('p', g % 40)\n"
	"  FROM generate_series(1, 10000) g;\n"
	"INSERT INTO sales.sales\n"
	"  SELECT g, (ARRAY['east','west','north'])[1 + g % 3], date '2023-12-01' + g % 150, (g % 10000) / 10.0\n"
	"  FROM generate_series(1, 30000) g;\n"
	"ANALYZE;\n";

const char *const gpt_seed_tables[] = {
	"sales.customers", "sales.events", "sales.regions", "sales.orders", "sales.lineitem",
	"sales.sales_1_prt_jan_2_prt_east", "sales.sales_1_prt_jan_2_prt_west",
	"sales.sales_1_prt_jan_2_prt_other_regions", "sales.sales_1_prt_feb_2_prt_east",
	"sales.sales_1_prt_feb_2_prt_west", "sales.sales_1_prt_feb_2_prt_other_regions",
	"sales.sales_1_prt_mar_2_prt_east", "sales.sales_1_prt_mar_2_prt_west",
	"sales.sales_1_prt_mar_2_prt_other_regions", "sales.sales_1_prt_outlying_2_prt_east",
	"sales.sales_1_prt_outlying_2_prt_west", "sales.sales_1_prt_outlying_2_prt_other_regions",
	NULL
};

const char *const gpt_seed_roots[] = { "sales.sales", NULL };

void gpt_seed(const char *dbname)
{
	gpt_createdb(TU_SRC, dbname);
	gpt_sql(TU_SRC, dbname, gpt_seed_sql);
}

int gpt_bg_wait(struct ct_bg *b, double limit, char **out, char **err)
{
	char *errpath = xstrdup(b->err);
	int rc = ct_bg_wait(b, limit, out);
	*err = tu_read_file(errpath);
	if (!*err)
		*err = xstrdup("");
	free(errpath);
	return rc;
}

/* The fingerprint of a table as gp2adb reads it; NULL when there is none. */
char *gpt_fingerprint(const char *db, const char *table)
{
	PGconn *c = tu_connect(TU_SRC, db);
	struct flavor f;
	struct db_error err;
	assert_true(db_flavor(c, &f, NULL, &err));
	char *sql = xasprintf("SELECT '%s'::regclass::oid", table);
	unsigned oid = (unsigned)tu_count(c, sql);
	free(sql);
	char *out = NULL;
	if (!source_state_read(c, &f, &oid, 1, &out, &err))
		fail_msg("source_state_read %s: %s: %s", table, err.sqlstate, err.message);
	PQfinish(c);
	return out;
}

/* Wait (up to 15 s: a session reports its counts when it goes idle) until
 * the fingerprint differs from `before`. */
char *gpt_wait_moved(const char *db, const char *table, const char *before, const char *what)
{
	double end = ct_now() + 15;
	for (;;) {
		char *now = gpt_fingerprint(db, table);
		if (!now)
			fail_msg("%s: no fingerprint after %s", table, what);
		if (strcmp(now, before) != 0)
			return now;
		free(now);
		if (ct_now() > end)
			fail_msg("%s: the fingerprint did not move after %s: %s", table, what, before);
		ct_pause_ms(200);
	}
}

