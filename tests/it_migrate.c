/* gp2adb migrate from sources holding pagila's schema with data of its own,
 * and a schema of awkward names and types with data, into empty
 * destinations: exit 0, pg_dump -s of both sides equal (after normalising
 * what must differ), every table's rows identical.  Needs the check, copy,
 * validate and analyze stages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "mem.h"
#include "testutil.h"

/* pagila's schema (see tests/fixture.h) with data of our own. */
static void load_pagila(PGconn *c)
{
	fx_load_pagila(c);
	/* data of our own, through the foreign keys */
	tu_exec(c,
		"SET session_replication_role = replica;\n"
		"INSERT INTO public.language (language_id, name) SELECT g, 'lang ' || g FROM generate_series(1, 6) g;\n"
		"INSERT INTO public.actor (actor_id, first_name, last_name) SELECT g, 'First' || g, E'O''Last\\\\' || g FROM generate_series(1, 200) g;\n"
		"INSERT INTO public.category (category_id, name) SELECT g, 'cat;' || g FROM generate_series(1, 16) g;\n"
		"INSERT INTO public.film (film_id, title, language_id, rental_duration, rental_rate, replacement_cost, fulltext)\n"
		"  SELECT g, 'Film ' || g, 1 + g % 6, 3, 4.99, 19.99, to_tsvector('film ' || g) FROM generate_series(1, 1000) g;\n"
		"INSERT INTO public.film_actor (actor_id, film_id) SELECT 1 + g % 200, g FROM generate_series(1, 1000) g;\n"
		"SET session_replication_role = origin;\n");
}

static void assert_same(const char *db)
{
	free(fx_assert_same_schema(db, db));
	PGconn *c = tu_connect(TU_SRC, db);
	PGresult *r = PQexec(c, "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
			       "WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'gp2adb') ORDER BY 1");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *t = PQgetvalue(r, i, 0);
		char *q = xasprintf("SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM %s x", t);
		char *sv = tu_value(c, q);
		PGconn *dc = tu_connect(TU_DST, db);
		char *dv = tu_value(dc, q);
		if (strcmp(sv, dv) != 0)
			fail_msg("table %s: rows differ", t);
		PQfinish(dc);
		free(sv);
		free(dv);
		free(q);
	}
	PQclear(r);
	PQfinish(c);
}

static void migrate_db(const char *db)
{
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, db, db, NULL);
	struct tu_run r;
	const char *args[] = { "-c", conf, "--plain", "--yes", "migrate", NULL };
	if (tu_run_gp2adb(&r, args) != 0) {
		fprintf(stderr, "migrate %s: exit %d\n--- out\n%s--- err\n%s", db, r.status, r.out, r.err);
		fail_msg("migrate %s: exit %d (its output is above)", db, r.status);
	}
	assert_non_null(strstr(r.out, "migrate: done"));
	tu_run_done(&r);
	/* nothing left to do: --resume runs no stage again */
	const char *again[] = { "-c", conf, "--plain", "--yes", "migrate", "--resume", NULL };
	assert_int_equal(tu_run_gp2adb(&r, again), 0);
	assert_null(strstr(r.out, "== copy =="));
	tu_run_done(&r);
	assert_same(db);
	free(conf);
	free(dir);
}

static void test_migrate_pagila(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "pagila");
	tu_createdb(TU_DST, "pagila");
	PGconn *c = tu_connect(TU_SRC, "pagila");
	load_pagila(c);
	PQfinish(c);
	migrate_db("pagila");
}

static void test_migrate_awkward(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "awkward");
	tu_createdb(TU_DST, "awkward");
	PGconn *c = tu_connect(TU_SRC, "awkward");
	char *sql = fx_read("awkward.sql");
	tu_exec(c, sql);
	free(sql);
	tu_exec(c, "INSERT INTO \"Weird Schema\".\"Order Items\" (\"select\", \"a\"\"b\", \"ünïcödé\", m, iv, r, ts, j, bits, mood, p, arr, pos)\n"
		   "SELECT g, E'x\\ty;' || g, g / 7.0, g, make_interval(days => g), int4range(g, g + 5),\n"
		   "       to_tsvector('word ' || g), jsonb_build_object('k', g), B'1011'::bit varying, 'it''s ok',\n"
		   "       ROW(g, 'b c')::\"Weird Schema\".pair, ARRAY['a', NULL, 'c'], 1 + g\n"
		   "FROM generate_series(1, 500) g;\n"
		   "INSERT INTO \"Weird Schema\".parent VALUES (1, 'p');\n"
		   "INSERT INTO \"Weird Schema\".child VALUES (2, 'c', 3);\n"
		   "INSERT INTO \"Weird Schema\".measure VALUES ('2024-03-03', 9);\n"
		   "INSERT INTO \"Weird Schema\".fk_child VALUES (5);\n"
		   /* the source's materialized view follows its data, as validate expects */
		   "REFRESH MATERIALIZED VIEW \"Weird Schema\".mv;\n");
	PQfinish(c);
	migrate_db("awkward");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_pagila),
		cmocka_unit_test(test_migrate_awkward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
