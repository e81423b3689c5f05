/* validate on real servers: a varied database loaded identically on both
 * sides matches at every level; one changed value, one deleted row and one
 * duplicated row are reported by exactly the levels that can see them, with
 * the keys named; missing and extra tables; deterministic sampling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "plan.h"
#include "testutil.h"
#include "validate.h"

/* The same SQL, data included, on both sides. */
static const char load_sql[] =
	"CREATE SCHEMA s;\n"
	"CREATE TABLE s.amounts (id int PRIMARY KEY, amount numeric(14,2), qty int, big bigint, small smallint,\n"
	"                        ratio float8, r4 float4, note text, day date, at timestamp, atz timestamptz);\n"
	"INSERT INTO s.amounts\n"
	"SELECT g, round((g * 12.34)::numeric, 2), g % 17, g::bigint * 1000000007, (g % 300)::smallint,\n"
	"       CASE WHEN g = 10 THEN 'NaN'::float8 WHEN g = 11 THEN 'Infinity' WHEN g = 12 THEN '-Infinity'\n"
	"            WHEN g % 13 = 0 THEN NULL ELSE g / 7.0 END,\n"
	"       (g / 3.0)::float4, CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END,\n"
	"       date '2024-01-01' + g, timestamp '2024-01-01 00:00:00' + g * interval '1 minute 1.5 second',\n"
	"       timestamptz '2024-01-01 00:00:00+08' + g * interval '1 hour'\n"
	"FROM generate_series(1, 3000) g;\n"
	"CREATE TABLE s.people (id int, region text, name text, born date, PRIMARY KEY (region, id));\n"
	"INSERT INTO s.people SELECT g, 'r' || (g % 4), 'name ' || g, date '1950-01-01' + g * 7 FROM generate_series(1, 800) g;\n"
	"CREATE TABLE s.nokey (v int, w text, x numeric);\n"
	"INSERT INTO s.nokey SELECT g % 10, 'w' || (g % 3), g * 0.5 FROM generate_series(1, 400) g;\n"
	"CREATE TABLE s.empty (id int PRIMARY KEY, v numeric, d date);\n"
	"CREATE TABLE s.sales (id bigint, d date, v numeric(10,2), f float8) PARTITION BY RANGE (d);\n"
	"CREATE TABLE s.sales_2024 PARTITION OF s.sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
	"CREATE TABLE s.sales_rest PARTITION OF s.sales DEFAULT;\n"
	"INSERT INTO s.sales SELECT g, date '2024-06-01' + g % 400, g % 1000 / 10.0, g * 0.1 FROM generate_series(1, 2000) g;\n"
	"CREATE TABLE s.parent (id int PRIMARY KEY, v int);\n"
	"CREATE TABLE s.child (extra text) INHERITS (s.parent);\n"
	"INSERT INTO s.parent SELECT g, g FROM generate_series(1, 50) g;\n"
	"INSERT INTO s.child SELECT g, g, 'c' FROM generate_series(51, 80) g;\n"
	"CREATE TABLE s.big (id int PRIMARY KEY, payload text, v float8);\n"
	"INSERT INTO s.big SELECT g, repeat(md5(g::text), 4), g * 1.25 FROM generate_series(1, 12000) g;\n"
	"ANALYZE;\n";

static void load(enum tu_side side, const char *db)
{
	tu_createdb(side, db);
	PGconn *c = tu_connect(side, db);
	tu_exec(c, load_sql);
	PQfinish(c);
}

static int setup(void **state)
{
	(void)state;
	load(TU_SRC, "v");
	load(TU_DST, "v");
	return 0;
}

static void run_validate(enum validate_level level, long long sample_above, struct validate_result *res)
{
	struct plan p;
	plan_init(&p);
	tu_endpoint(&p.source, TU_SRC, "v");
	tu_endpoint(&p.destination, TU_DST, "v");
	p.jobs = 3;
	p.validate = level;
	struct validate_options o;
	validate_options_from_plan(&o, &p);
	o.sample_above_bytes = sample_above;
	o.sample_percent = 10;
	char err[512];
	bool cf;
	struct validate_run *r = validate_start(&p, &o, err, sizeof err, &cf);
	if (!r)
		fail_msg("validate_start: %s", err);
	for (;;) {
		struct validate_snapshot s;
		validate_poll(r, 1000);
		validate_snapshot(r, &s);
		assert_true(s.tables_done <= s.tables_total);
		bool done = s.finished;
		validate_snapshot_free(&s);
		if (done)
			break;
	}
	validate_finish(r, res);
	plan_done(&p);
}

static const struct validate_table *find(const struct validate_result *res, const char *name)
{
	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->tables[i].name, name) == 0)
			return &res->tables[i];
	fail_msg("table %s not in the result", name);
	return NULL;
}

/* The names of the tables with a status, comma-separated, in result order. */
static char *names_with(const struct validate_result *res, enum validate_status st)
{
	char buf[1024] = "";
	for (size_t i = 0; i < res->n; i++)
		if (res->tables[i].status == st)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? "," : "", res->tables[i].name);
	return xstrdup(buf);
}

static bool has_key(const struct validate_table *t, const char *text)
{
	for (size_t i = 0; t->diff_keys && t->diff_keys[i]; i++)
		if (strcmp(t->diff_keys[i], text) == 0)
			return true;
	return false;
}

static void test_all_levels_match(void **state)
{
	(void)state;
	for (enum validate_level l = VALIDATE_COUNT; l <= VALIDATE_CHECKSUM; l++) {
		struct validate_result res;
		run_validate(l, 0, &res);
		/* leaves, not the partition root; parent and child separately */
		assert_int_equal(res.n, 9);
		for (size_t i = 0; i < res.n; i++)
			if (res.tables[i].status != VALIDATE_MATCH)
				fail_msg("level %d: %s is %s (%s)", (int)l, res.tables[i].qualified,
					 validate_status_name(res.tables[i].status),
					 res.tables[i].details ? res.tables[i].details[0] : res.tables[i].error);
		assert_int_equal(find(&res, "parent")->src_rows, 50);    /* ONLY */
		assert_int_equal(find(&res, "empty")->dst_rows, 0);
		validate_result_free(&res);
	}
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "v", "v", NULL);
	const char *args[] = { "-c", conf, "validate", "--level", "checksum", NULL };
	struct tu_run run;
	assert_int_equal(tu_run_gp2adb(&run, args), 0);
	assert_non_null(strstr(run.out, "summary: 9 match, 0 differ, 0 missing, 0 extra, 0 error"));
	/* the report is saved in the state directory, private */
	char *saved = strstr(run.out, "report saved: ");
	assert_non_null(saved);
	char path[1024];
	assert_int_equal(sscanf(saved, "report saved: %1023s", path), 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *text = tu_read_file(path);
	assert_non_null(strstr(text, "\"s\".\"sales_2024\""));
	free(text);
	strcpy(strstr(path, ".txt"), ".json");
	text = tu_read_file(path);
	assert_non_null(strstr(text, "\"status\": \"match\""));
	free(text);
	*strrchr(path, '/') = '\0';
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	tu_run_done(&run);
	free(conf);
	free(dir);
}

static void test_differences(void **state)
{
	(void)state;
	PGconn *d = tu_connect(TU_DST, "v");
	tu_exec(d, "UPDATE s.amounts SET amount = amount + 0.01 WHERE id = 1234;\n"
		   "DELETE FROM s.people WHERE id = 7 AND region = 'r3';\n"
		   "INSERT INTO s.nokey SELECT * FROM s.nokey WHERE v = 3 LIMIT 1;\n");
	PQfinish(d);

	static const char *const expect[] = {
		[VALIDATE_COUNT] = "nokey,people",
		[VALIDATE_AGGREGATES] = "amounts,nokey,people",
		[VALIDATE_CHECKSUM] = "amounts,nokey,people",
	};
	PGconn *src = tu_connect(TU_SRC, "v");
	char *sum = tu_value(src, "SELECT sum(amount) FROM s.amounts");
	PQfinish(src);
	char want_sum[128];
	snprintf(want_sum, sizeof want_sum, "sum(amount): %s <> %s", sum, sum);
	/* the destination's sum is 0.01 more: ...x.y0 -> ...x.y1 */
	want_sum[strlen(want_sum) - 1] = '1';
	free(sum);
	for (enum validate_level l = VALIDATE_COUNT; l <= VALIDATE_CHECKSUM; l++) {
		struct validate_result res;
		run_validate(l, 0, &res);
		char *differ = names_with(&res, VALIDATE_DIFFER);
		assert_string_equal(differ, expect[l]);
		assert_int_equal(res.matched, 9 - res.differ);
		free(differ);
		assert_int_equal(res.errors + res.missing + res.extra, 0);
		const struct validate_table *people = find(&res, "people");
		assert_int_equal(people->src_rows, 800);
		assert_int_equal(people->dst_rows, 799);
		assert_true(has_key(people, "(r3,7) missing on destination"));
		assert_non_null(find(&res, "nokey")->note);   /* no key: nothing to name */
		if (l >= VALIDATE_AGGREGATES) {
			const struct validate_table *a = find(&res, "amounts");
			assert_true(a->differed & VCHECK_AGGREGATES);
			assert_false(a->differed & VCHECK_COUNT);
			assert_string_equal(a->details[0], want_sum);
			assert_true(has_key(a, "(1234) changed"));
			assert_null(a->diff_keys[1]);
		}
		if (l == VALIDATE_CHECKSUM)
			assert_true(find(&res, "amounts")->differed & VCHECK_CHECKSUM);
		validate_result_free(&res);
	}

	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "v", "v", NULL);
	const char *args[] = { "-c", conf, "validate", "--level", "count", "--json", NULL };
	struct tu_run run;
	assert_int_equal(tu_run_gp2adb(&run, args), 4);
	assert_non_null(strstr(run.out, "\"differ\": 2"));
	assert_non_null(strstr(run.out, "\"(r3,7) missing on destination\""));
	tu_run_done(&run);
	const char *one[] = { "-c", conf, "validate", "--table", "s.sales*", NULL };
	assert_int_equal(tu_run_gp2adb(&run, one), 0);
	assert_non_null(strstr(run.out, "summary: 2 match, 0 differ"));
	tu_run_done(&run);
	free(conf);
	free(dir);

	/* put the destination back for the tests that follow */
	d = tu_connect(TU_DST, "v");
	tu_exec(d, "UPDATE s.amounts SET amount = amount - 0.01 WHERE id = 1234;\n"
		   "INSERT INTO s.people VALUES (7, 'r3', 'name 7', date '1950-01-01' + 49);\n"
		   "DELETE FROM s.nokey WHERE ctid = (SELECT max(ctid) FROM s.nokey);\n");
	PQfinish(d);
}

static void test_missing_extra(void **state)
{
	(void)state;
	PGconn *s = tu_connect(TU_SRC, "v"), *d = tu_connect(TU_DST, "v");
	tu_exec(s, "CREATE TABLE s.only_src (id int); INSERT INTO s.only_src VALUES (1);");
	tu_exec(d, "CREATE TABLE s.only_dst (id int);");
	struct validate_result res;
	run_validate(VALIDATE_COUNT, 0, &res);
	assert_int_equal(find(&res, "only_src")->status, VALIDATE_MISSING);
	assert_int_equal(find(&res, "only_dst")->status, VALIDATE_EXTRA);
	assert_int_equal(res.matched, 9);
	validate_result_free(&res);

	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "v", "v", NULL);
	const char *args[] = { "-c", conf, "validate", "--level", "count", NULL };
	struct tu_run run;
	assert_int_equal(tu_run_gp2adb(&run, args), 4);
	assert_non_null(strstr(run.out, "summary: 9 match, 0 differ, 1 missing, 1 extra, 0 error"));
	tu_run_done(&run);
	free(conf);
	free(dir);
	tu_exec(s, "DROP TABLE s.only_src;");
	tu_exec(d, "DROP TABLE s.only_dst;");
	PQfinish(s);
	PQfinish(d);
}

/* Tables above the threshold are checked on the same 10% of keys on both
 * sides: a change inside the sample is seen, one outside it is not. */
static void test_sampling(void **state)
{
	(void)state;
	PGconn *s = tu_connect(TU_SRC, "v");
	/* the same predicate the sample uses, to pick one key in and one out */
	char *in = tu_value(s, "SELECT min(id) FROM s.big WHERE int4(bit_in(textout('x' || "
			       "substr(md5(textin(record_out(ROW(id)))), 1, 4)), 0, 16)) < 6553");
	char *out = tu_value(s, "SELECT min(id) FROM s.big WHERE int4(bit_in(textout('x' || "
				"substr(md5(textin(record_out(ROW(id)))), 1, 4)), 0, 16)) >= 6553");
	long long big_bytes = tu_count(s, "SELECT pg_table_size('s.big')");
	PQfinish(s);

	struct validate_result res;
	run_validate(VALIDATE_AGGREGATES, big_bytes - 1, &res);
	const struct validate_table *t = find(&res, "big");
	assert_int_equal(t->status, VALIDATE_MATCH);
	assert_true(t->sampled);
	assert_int_equal(t->sample_percent, 10);
	assert_int_equal(t->src_rows, 12000);
	assert_int_equal(t->sample_src_rows, t->sample_dst_rows);
	assert_true(t->sample_src_rows > 900 && t->sample_src_rows < 1500);
	assert_false(find(&res, "amounts")->sampled);   /* smaller than the threshold */
	validate_result_free(&res);

	PGconn *d = tu_connect(TU_DST, "v");
	char *sql = xasprintf("UPDATE s.big SET v = v + 1 WHERE id = %s", out);
	tu_exec(d, sql);
	free(sql);
	run_validate(VALIDATE_AGGREGATES, big_bytes - 1, &res);
	assert_int_equal(find(&res, "big")->status, VALIDATE_MATCH);   /* outside the sample */
	validate_result_free(&res);

	sql = xasprintf("UPDATE s.big SET v = v + 1 WHERE id = %s", in);
	tu_exec(d, sql);
	free(sql);
	run_validate(VALIDATE_AGGREGATES, big_bytes - 1, &res);
	t = find(&res, "big");
	assert_int_equal(t->status, VALIDATE_DIFFER);
	char want[64];
	snprintf(want, sizeof want, "(%s) changed", in);
	assert_true(has_key(t, want));
	assert_int_equal(res.differ, 1);
	validate_result_free(&res);
	PQfinish(d);
	free(in);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_levels_match),
		cmocka_unit_test(test_differences),
		cmocka_unit_test(test_missing_extra),
		cmocka_unit_test(test_sampling),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
