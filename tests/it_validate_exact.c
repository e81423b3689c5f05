/* validate on real servers, floats: values that differ only in their 16th
 * or 17th significant digit (invisible with 15 digits, the only form every
 * server prints alike) are found by the checksum and by the aggregates;
 * NaN (whatever its bits), -0, infinities and NULL match themselves.  The
 * databases' own defaults print differently on the two sides (DateStyle,
 * IntervalStyle, TimeZone, bytea_output, extra_float_digits): the
 * validation sessions pin what they compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "plan.h"
#include "testutil.h"
#include "validate.h"

static const char table_sql[] =
	"CREATE TABLE m (id int PRIMARY KEY, x float8, y float4, xa float8[], note text, d date,\n"
	"                ts timestamptz, iv interval, b bytea);\n"
	"INSERT INTO m SELECT g, g / 7.0 + g * 1e-13, (g / 3.0)::float4, ARRAY[g / 11.0, -1 / (g + 0.3)],\n"
	"    'n' || g, date '2024-01-13' + g, timestamptz '2024-01-01 00:00:00+00' + g * interval '61 minutes',\n"
	"    g * interval '-1 day' + g * interval '1.5 seconds', decode(md5(g::text), 'hex')\n"
	"FROM generate_series(1, 2000) g;\n"
	"INSERT INTO m (id, x, y, xa) VALUES (2001, '-0', '-0', '{-0}'), (2002, 'Infinity', '-Infinity', '{Infinity}'),\n"
	"    (2003, '-Infinity', 'Infinity', NULL), (2004, NULL, NULL, '{NULL}');\n";

/* NaN on the source comes from arithmetic (sign bit set on x86-64), on the
 * destination from its text: the bits differ, the value does not. */
static const char nan_source[] =
	"INSERT INTO m (id, x, y) VALUES (2005, 'Infinity'::float8 - 'Infinity'::float8,\n"
	"    ('Infinity'::float8 - 'Infinity'::float8)::float4);\n";
static const char nan_destination[] = "INSERT INTO m (id, x, y) VALUES (2005, 'NaN', 'NaN');\n";

static const char defaults_source[] =
	"ALTER DATABASE vx SET extra_float_digits = 3;\n"
	"ALTER DATABASE vx SET DateStyle = 'SQL, DMY';\n"
	"ALTER DATABASE vx SET IntervalStyle = 'iso_8601';\n"
	"ALTER DATABASE vx SET TimeZone = 'Asia/Kathmandu';\n"
	"ALTER DATABASE vx SET bytea_output = 'hex';\n";
static const char defaults_destination[] =
	"ALTER DATABASE vx SET extra_float_digits = 0;\n"
	"ALTER DATABASE vx SET DateStyle = 'German';\n"
	"ALTER DATABASE vx SET IntervalStyle = 'sql_standard';\n"
	"ALTER DATABASE vx SET TimeZone = 'America/Caracas';\n";

static void load(enum tu_side side)
{
	tu_createdb(side, "vx");
	PGconn *c = tu_connect(side, "vx");
	tu_exec(c, table_sql);
	tu_exec(c, side == TU_SRC ? nan_source : nan_destination);
	tu_exec(c, side == TU_SRC ? defaults_source : defaults_destination);
	PQfinish(c);
}

static void run_validate(enum validate_level level, struct validate_result *res)
{
	struct plan p;
	plan_init(&p);
	tu_endpoint(&p.source, TU_SRC, "vx");
	tu_endpoint(&p.destination, TU_DST, "vx");
	p.jobs = 2;
	p.validate = level;
	struct validate_options o;
	validate_options_from_plan(&o, &p);
	char err[512];
	bool cf;
	struct validate_run *r = validate_start(&p, &o, err, sizeof err, &cf);
	if (!r)
		fail_msg("validate_start: %s", err);
	for (;;) {
		struct validate_snapshot s;
		validate_poll(r, 1000);
		validate_snapshot(r, &s);
		bool done = s.finished;
		validate_snapshot_free(&s);
		if (done)
			break;
	}
	validate_finish(r, res);
	plan_done(&p);
}

static const struct validate_table *table_m(const struct validate_result *res)
{
	assert_int_equal(res->n, 1);
	return &res->tables[0];
}

static void show(const char *what, const struct validate_table *t)
{
	fprintf(stderr, "# %s: status %d, differed %u, error '%s', note '%s'\n", what, t->status,
		t->differed, t->error, t->note ? t->note : "");
	for (size_t i = 0; t->details && t->details[i]; i++)
		fprintf(stderr, "#   %s\n", t->details[i]);
	for (size_t i = 0; t->diff_keys && t->diff_keys[i]; i++)
		fprintf(stderr, "#   key %s\n", t->diff_keys[i]);
}

/* Equal data, printed differently by each side's defaults: every level matches. */
static void test_equal_floats_match(void **state)
{
	(void)state;
	load(TU_SRC);
	load(TU_DST);
	enum validate_level levels[] = { VALIDATE_AGGREGATES, VALIDATE_CHECKSUM };
	for (int i = 0; i < 2; i++) {
		struct validate_result res;
		run_validate(levels[i], &res);
		const struct validate_table *t = table_m(&res);
		if (t->status != VALIDATE_MATCH) {
			show(plan_validate_name(levels[i]), t);
			fail_msg("level %s: table m does not match", plan_validate_name(levels[i]));
		}
		validate_result_free(&res);
	}
}

/* Change a column in the last bits of some rows on the destination: the
 * new values print alike with 15 digits, and each level must see them. */
static void expect_found(const char *update, const char *what, bool aggregates_too)
{
	load(TU_SRC);
	load(TU_DST);
	PGconn *d = tu_connect(TU_DST, "vx");
	tu_exec(d, "SET extra_float_digits = 0");
	tu_exec(d, "CREATE TABLE before AS SELECT id, x, y, xa, x::text AS xt, y::text AS yt, xa::text AS xat FROM m");
	tu_exec(d, update);
	/* the change is real (in the rows whose text stays the same), and
	 * invisible at 15 (6 for real) digits */
	assert_true(tu_count(d, "SELECT count(*) FROM m JOIN before b USING (id)\n"
			     "WHERE (m.x, m.y, m.xa) IS DISTINCT FROM (b.x, b.y, b.xa)") > 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM m JOIN before b USING (id)\n"
				  "WHERE (m.x::text, m.y::text, m.xa::text) IS DISTINCT FROM (b.xt, b.yt, b.xat)"), 0);
	tu_exec(d, "DROP TABLE before");
	PQfinish(d);

	struct validate_result res;
	run_validate(VALIDATE_CHECKSUM, &res);
	const struct validate_table *t = table_m(&res);
	if (t->status != VALIDATE_DIFFER || !(t->differed & VCHECK_CHECKSUM)) {
		show("checksum", t);
		fail_msg("%s: the checksum level did not see the change", what);
	}
	/* the drill-down names changed keys */
	assert_non_null(t->diff_keys);
	assert_non_null(strstr(t->diff_keys[0], "changed"));
	validate_result_free(&res);

	run_validate(VALIDATE_AGGREGATES, &res);
	t = table_m(&res);
	if (aggregates_too && (t->status != VALIDATE_DIFFER || !(t->differed & VCHECK_AGGREGATES))) {
		show("aggregates", t);
		fail_msg("%s: the aggregates level did not see the change", what);
	}
	validate_result_free(&res);
}

static void test_float8_last_digits(void **state)
{
	(void)state;
	/* x * (1 + 2^-52) is the next or the second next double: neither the
	 * minimum nor the maximum moves */
	expect_found("UPDATE m SET x = x * (1 + 2.220446049250313e-16)\n"
		     "WHERE id % 10 = 3 AND id < 1900 AND (x * (1 + 2.220446049250313e-16))::text = x::text",
		     "float8", true);
}

static void test_float4_last_digits(void **state)
{
	(void)state;
	expect_found("UPDATE m SET y = (y::float8 * (1 + 1.1920928955078125e-07))::float4\n"
		     "WHERE id IN (7, 700, 1300) AND ((y::float8 * (1 + 1.1920928955078125e-07))::float4)::text = y::text",
		     "float4", true);
}

static void test_float8_array_last_digits(void **state)
{
	(void)state;
	expect_found("UPDATE m SET xa[1] = xa[1] * (1 + 2.220446049250313e-16)\n"
		     "WHERE id = 77 AND (xa[1] * (1 + 2.220446049250313e-16))::text = xa[1]::text", "float8[]", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_floats_match),
		cmocka_unit_test(test_float8_last_digits),
		cmocka_unit_test(test_float4_last_digits),
		cmocka_unit_test(test_float8_array_last_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
