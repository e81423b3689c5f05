/* gp2adb schema between the harness's two real servers: pagila's schema
 * and a schema of awkward names and types arrive whole (pg_dump -s of both
 * sides compare equal); a failing object is reported with its SQLSTATE while
 * the others are applied, and a re-run applies only what was not applied. */
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

static void assert_same_schema(const char *db)
{
	char *d = fx_assert_same_schema(db, db);
	assert_true(strlen(d) > 1000);
	free(d);
}

static int run(struct tu_run *r, const char *conf, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = { "-c", conf, a1, a2, a3, NULL };
	return tu_run_gp2adb(r, args);
}

static void test_pagila_schema_arrives_whole(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "pagila");
	tu_createdb(TU_DST, "pagila");
	PGconn *c = tu_connect(TU_SRC, "pagila");
	fx_load_pagila(c);
	PQfinish(c);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "pagila", "pagila", NULL);
	struct tu_run r;
	/* pre-data first, as migrate does: tables without their indexes and keys */
	if (run(&r, conf, "schema", "--section", "pre-data") != 0)
		fail_msg("schema pre-data: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "schema pre-data: "));
	assert_non_null(strstr(r.out, " 0 failed, 0 skipped"));
	tu_run_done(&r);
	c = tu_connect(TU_DST, "pagila");
	assert_true(tu_count(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") > 20);
	assert_int_equal(tu_count(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"), 0);
	assert_int_equal(tu_count(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"), 0);
	PQfinish(c);
	if (run(&r, conf, "schema", "--section", "post-data") != 0)
		fail_msg("schema post-data: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	assert_same_schema("pagila");
	free(conf);
	free(dir);
}

static void test_awkward_schema_arrives_whole(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "awkward");
	tu_createdb(TU_DST, "awkward");
	PGconn *c = tu_connect(TU_SRC, "awkward");
	char *sql = fx_read("awkward.sql");
	tu_exec(c, sql);
	free(sql);
	PQfinish(c);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "awkward", "awkward", NULL);
	struct tu_run r;
	if (run(&r, conf, "--json", "schema", NULL) != 0)
		fail_msg("schema: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "\"failed\": 0"));
	assert_non_null(strstr(r.out, "\"name\": \"\\\"Weird Schema\\\".\\\"f;n\\\"(x integer)\""));
	assert_non_null(strstr(r.out, "\"kind\": \"RULE\""));
	tu_run_done(&r);
	assert_same_schema("awkward");
	/* and the functions work there */
	c = tu_connect(TU_DST, "awkward");
	char *v = tu_value(c, "SELECT \"Weird Schema\".\"f;n\"(7) || \"Weird Schema\".atomic_add(2, 3)");
	assert_string_equal(v, "it's; $$ nested75");
	free(v);
	PQfinish(c);
	free(conf);
	free(dir);
}

/* In the JSON output, the object named `name`'s "result". */
static char *result_of(const char *json, const char *kind, const char *name)
{
	char *needle = xasprintf("\"kind\": \"%s\",\n      \"name\": \"%s\",", kind, name);
	const char *at = strstr(json, needle);
	free(needle);
	if (!at)
		return NULL;
	const char *res = strstr(at, "\"result\": \"");
	const char *end = res ? strchr(res + 11, '"') : NULL;
	return end ? xstrndup(res + 11, (size_t)(end - res - 11)) : NULL;
}

static void assert_result(const char *json, const char *kind, const char *name, const char *want)
{
	char *got = result_of(json, kind, name);
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s %s: result %s, want %s\n%s", kind, name, got ? got : "(missing)", want, json);
	free(got);
}

static void test_failure_reported_and_rerun_applies_only_it(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "fails");
	tu_createdb(TU_DST, "fails");
	PGconn *s = tu_connect(TU_SRC, "fails");
	tu_exec(s,
		"DROP ROLE IF EXISTS only_on_source;\n"
		"CREATE ROLE only_on_source;\n"
		"CREATE TABLE public.first (id int PRIMARY KEY);\n"
		"CREATE TABLE public.conflict (id int PRIMARY KEY, note text);\n"
		"CREATE TABLE public.last (id int REFERENCES public.first (id));\n"
		"CREATE TABLE public.owned (id int);\n"
		"ALTER TABLE public.owned OWNER TO only_on_source;\n");
	PQfinish(s);
	PGconn *d = tu_connect(TU_DST, "fails");
	tu_exec(d, "CREATE TABLE public.conflict (other int)");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "fails", "fails", NULL);
	struct tu_run r;
	assert_int_equal(run(&r, conf, "--json", "schema", NULL), 7);
	const char *o = r.out;
	assert_result(o, "TABLE", "public.conflict", "failed");
	assert_non_null(strstr(o, "\"sqlstate\": \"42P07\""));
	assert_non_null(strstr(o, "relation \\\"conflict\\\" already exists"));
	/* what belongs to the failed table is not tried; the rest is applied */
	assert_result(o, "OWNER", "public.conflict", "skipped");
	assert_result(o, "CONSTRAINT", "conflict_pkey on public.conflict", "skipped");
	assert_result(o, "TABLE", "public.first", "ok");
	assert_result(o, "TABLE", "public.last", "ok");
	assert_result(o, "FK CONSTRAINT", "last_id_fkey on public.last", "ok");
	/* the role that is missing on the destination is found before applying, and fails */
	assert_non_null(strstr(o, "\"id\": \"dst-missing-role\""));
	assert_non_null(strstr(o, "role only_on_source does not exist on the destination"));
	assert_result(o, "OWNER", "public.owned", "failed");
	tu_run_done(&r);
	/* plain output names the object, its line and the SQLSTATE */
	assert_int_equal(run(&r, conf, "schema", NULL, NULL), 7);
	assert_non_null(strstr(r.out, "FAILED          TABLE public.conflict (line "));
	assert_non_null(strstr(r.out, "42P07: relation \"conflict\" already exists"));
	assert_non_null(strstr(r.out, "warning: OWNER public.owned (line "));
	tu_run_done(&r);

	/* the operator fixes the destination; a re-run applies only what was not applied */
	tu_exec(d, "DROP TABLE public.conflict; CREATE ROLE only_on_source");
	if (run(&r, conf, "--json", "schema", NULL) != 0)
		fail_msg("rerun: exit %d\n%s\n%s", r.status, r.out, r.err);
	o = r.out;
	assert_non_null(strstr(o, "\"applied\": 4,"));
	assert_non_null(strstr(o, "\"failed\": 0,"));
	assert_result(o, "TABLE", "public.conflict", "ok");
	assert_result(o, "OWNER", "public.conflict", "ok");
	assert_result(o, "CONSTRAINT", "conflict_pkey on public.conflict", "ok");
	assert_result(o, "OWNER", "public.owned", "ok");
	assert_result(o, "TABLE", "public.first", "applied before");
	assert_result(o, "FK CONSTRAINT", "last_id_fkey on public.last", "applied before");
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM information_schema.columns "
				  "WHERE table_name = 'conflict' AND column_name = 'note'"), 1);
	PQfinish(d);
	/* the journal is the operator's alone */
	char *jpath = NULL;
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "find %s/state -name schema.journal -perm 0600 | head -1", dir);
		FILE *f = popen(cmd, "r");
		char line[500] = "";
		assert_non_null(fgets(line, sizeof line, f));
		pclose(f);
		jpath = xstrdup(line);
	}
	assert_non_null(strstr(jpath, "schema.journal"));
	free(jpath);
	d = tu_connect(TU_DST, "postgres");
	tu_exec(d, "DROP DATABASE fails WITH (FORCE)");
	tu_exec(d, "DROP ROLE only_on_source");
	PQfinish(d);
	s = tu_connect(TU_SRC, "postgres");
	tu_exec(s, "DROP DATABASE fails WITH (FORCE)");
	tu_exec(s, "DROP ROLE only_on_source");
	PQfinish(s);
	free(conf);
	free(dir);
}

/* Repeated statements of one object (grants, here) are journalled by what
 * they say, not by where they stand: a re-dump that puts a new grant before
 * the old ones gets it applied, never taken for one that was applied. */
static void test_rerun_keys_statements_by_content(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "grants");
	tu_createdb(TU_DST, "grants");
	PGconn *s = tu_connect(TU_SRC, "grants"), *d = tu_connect(TU_DST, "grants");
	tu_exec(s, "CREATE ROLE k_alice; CREATE ROLE k_bob; CREATE ROLE k_carol;\n"
		   "CREATE TABLE public.t (id int);\n"
		   "GRANT SELECT ON public.t TO k_alice; GRANT SELECT ON public.t TO k_bob;");
	tu_exec(d, "CREATE ROLE k_alice; CREATE ROLE k_carol;");      /* k_bob is missing */
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "grants", "grants", NULL);
	struct tu_run r;
	assert_int_equal(run(&r, conf, "--json", "schema", NULL), 7);
	assert_non_null(strstr(r.out, "role \\\"k_bob\\\" does not exist"));
	assert_non_null(strstr(r.out, "\"failed\": 1,"));
	tu_run_done(&r);

	/* the source gains a grant that its dump writes before the others */
	tu_exec(s, "REVOKE ALL ON public.t FROM k_alice, k_bob;\n"
		   "GRANT INSERT ON public.t TO k_carol; GRANT SELECT ON public.t TO k_alice;\n"
		   "GRANT SELECT ON public.t TO k_bob;");
	tu_exec(d, "CREATE ROLE k_bob");
	if (run(&r, conf, "--json", "schema", NULL) != 0)
		fail_msg("rerun: exit %d\n%s\n%s", r.status, r.out, r.err);
	/* the new grant and the one that failed are applied; the rest was applied before */
	assert_non_null(strstr(r.out, "\"applied\": 2,"));
	assert_non_null(strstr(r.out, "\"failed\": 0,"));
	tu_run_done(&r);
	char *dump = NULL;
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "find %s/state -name schema.sql | head -1", dir);
		FILE *f = popen(cmd, "r");
		char line[500] = "";
		assert_non_null(fgets(line, sizeof line, f));
		pclose(f);
		line[strcspn(line, "\n")] = '\0';
		dump = tu_read_file(line);
	}
	const char *carol = strstr(dump, "TO k_carol;"), *alice = strstr(dump, "TO k_alice;");
	assert_true(carol && alice && carol < alice);  /* the statements did shift */
	free(dump);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM information_schema.role_table_grants "
				  "WHERE table_name = 't' AND grantee LIKE 'k\\_%'"), 3);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM information_schema.role_table_grants "
				  "WHERE table_name = 't' AND grantee = 'k_carol' AND privilege_type = 'INSERT'"), 1);

	/* a definition that changed on the source is not "applied before": it
	 * fails on the old one, and says why */
	tu_exec(s, "ALTER TABLE public.t ADD COLUMN note text");
	assert_int_equal(run(&r, conf, "--json", "schema", NULL), 7);
	assert_result(r.out, "TABLE", "public.t", "failed");
	assert_non_null(strstr(r.out, "an earlier run applied another definition of it"));
	assert_result(r.out, "ACL", "TABLE public.t", "applied before");
	tu_run_done(&r);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

/* The journal is not taken on trust: a relation it says was applied but
 * that is gone from the destination is applied again, with what belongs to
 * it, instead of being reported as "applied before". */
static void test_rerun_redoes_what_is_gone(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "gone");
	tu_createdb(TU_DST, "gone");
	PGconn *s = tu_connect(TU_SRC, "gone"), *d = tu_connect(TU_DST, "gone");
	tu_exec(s, "CREATE TABLE public.kept (id int PRIMARY KEY);\n"
		   "CREATE TABLE public.lost (id int PRIMARY KEY, note text);\n"
		   "COMMENT ON TABLE public.lost IS 'it was here';\n"
		   "CREATE INDEX lost_note ON public.lost (note);\n"
		   "CREATE VIEW public.lost_view AS SELECT id FROM public.lost;");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "gone", "gone", NULL);
	struct tu_run r;
	if (run(&r, conf, "--json", "schema", NULL) != 0)
		fail_msg("first run: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	tu_exec(d, "DROP TABLE public.lost CASCADE");
	if (run(&r, conf, "--json", "schema", NULL) != 0)
		fail_msg("rerun: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_result(r.out, "TABLE", "public.lost", "ok");
	assert_result(r.out, "COMMENT", "TABLE public.lost", "ok");
	assert_result(r.out, "INDEX", "public.lost_note", "ok");
	assert_result(r.out, "VIEW", "public.lost_view", "ok");
	assert_result(r.out, "TABLE", "public.kept", "applied before");
	tu_run_done(&r);
	free(fx_assert_same_schema("gone", "gone"));
	/* names a Greenplum dump leaves unqualified, under its SET search_path */
	char *file = xasprintf("%s/gp.sql", dir);
	tu_write_file(file, "CREATE SCHEMA \"S 2\";\nSET search_path = \"S 2\", pg_catalog;\n"
		      "CREATE TABLE t2 (id int);\nSET search_path = public, pg_catalog;\nCREATE TABLE t3 (id int);\n",
		      0644);
	const char *from_file[] = { "-c", conf, "--json", "schema", "--schema-file", file, NULL };
	assert_int_equal(tu_run_gp2adb(&r, from_file), 0);
	tu_run_done(&r);
	tu_exec(d, "DROP TABLE \"S 2\".t2");
	assert_int_equal(tu_run_gp2adb(&r, from_file), 0);
	assert_result(r.out, "TABLE", "t2", "ok");
	assert_result(r.out, "TABLE", "t3", "applied before");
	tu_run_done(&r);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_tables WHERE schemaname = 'S 2' AND tablename = 't2'"), 1);
	free(file);
	PQfinish(s);
	PQfinish(d);
	free(conf);
	free(dir);
}

static void test_schema_file_and_bad_input(void **state)
{
	(void)state;
	tu_createdb(TU_DST, "fromfile");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "nosuchdb", "fromfile", NULL);
	char *file = xasprintf("%s/s.sql", dir);
	tu_write_file(file, "CREATE TABLE public.a (x int);\nCREATE FUNCTION public.f() RETURNS int\n"
		      "LANGUAGE sql AS $$ SELECT 1; $$;\nCREATE TABLE public.b (y text DEFAULT 'unterminated);\n", 0644);
	struct tu_run r;
	const char *args[] = { "-c", conf, "schema", "--schema-file", file, NULL };
	assert_int_equal(tu_run_gp2adb(&r, args), 1);
	assert_non_null(strstr(r.err, "s.sql: line 4: unterminated quoted string"));
	tu_run_done(&r);
	tu_write_file(file, "CREATE TABLE public.a (x int);\nCREATE FUNCTION public.f() RETURNS int\n"
		      "LANGUAGE sql AS $$ SELECT 1; $$;\n", 0644);
	assert_int_equal(tu_run_gp2adb(&r, args), 0);
	assert_non_null(strstr(r.out, "2 applied, 0 failed"));
	tu_run_done(&r);
	free(file);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pagila_schema_arrives_whole),
		cmocka_unit_test(test_awkward_schema_arrives_whole),
		cmocka_unit_test(test_failure_reported_and_rerun_applies_only_it),
		cmocka_unit_test(test_rerun_keys_statements_by_content),
		cmocka_unit_test(test_rerun_redoes_what_is_gone),
		cmocka_unit_test(test_schema_file_and_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
