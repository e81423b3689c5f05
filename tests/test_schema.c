/* schema: classification into objects and sections, and the scan for what
 * breaks on the destination, on a Greenplum 4.3 style dump (no server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "schema.h"

static const char GP4_DUMP[] =
	"SET standard_conforming_strings = off;\n"
	"SET gp_default_storage_options = 'appendonly=false';\n"
	"CREATE TABLE public.sales (id integer NOT NULL, amt money, note text DEFAULT 'a\\'b;')\n"
	"  WITH (appendonly=true, compresstype=quicklz) DISTRIBUTED BY (amt);\n"
	"ALTER TABLE public.sales OWNER TO gpadmin;\n"
	"CREATE TABLE public.r (id integer PRIMARY KEY, lateral integer) DISTRIBUTED RANDOMLY;\n"
	"CREATE EXTERNAL TABLE public.ext (a text) LOCATION ('gphdfs://nn/x') FORMAT 'TEXT'\n"
	"  LOG ERRORS INTO public.errs SEGMENT REJECT LIMIT 10;\n"
	"CREATE FUNCTION public.f(x integer DEFAULT 1) RETURNS text LANGUAGE plpgsql AS $$\n"
	"BEGIN RETURN (SELECT string_agg(current_query) FROM pg_stat_activity WHERE procpid > x); END $$;\n"
	"CREATE FUNCTION public.py() RETURNS int LANGUAGE plpythonu AS 'return 1';\n"
	"ALTER FUNCTION public.f(x integer) OWNER TO etl;\n"
	"CREATE INDEX sales_idx ON public.sales USING btree (id);\n"
	"ALTER TABLE ONLY public.sales ADD CONSTRAINT sales_pkey PRIMARY KEY (id);\n"
	"ALTER TABLE ONLY public.r ADD CONSTRAINT r_fk FOREIGN KEY (id) REFERENCES public.sales(id);\n"
	"CREATE TRIGGER trg AFTER INSERT OR UPDATE OF id ON public.sales FOR EACH ROW EXECUTE PROCEDURE public.f();\n"
	"CREATE RULE \"r;1\" AS ON INSERT TO public.r DO INSTEAD (SELECT 1; SELECT 2);\n"
	"COMMENT ON INDEX public.sales_idx IS 'x';\n"
	"COMMENT ON COLUMN public.sales.id IS 'y';\n"
	"GRANT SELECT ON TABLE public.sales TO reporting, etl;\n"
	"REVOKE ALL ON SCHEMA public FROM PUBLIC;\n"
	"CREATE TABLESPACE t1 FILESPACE fs1;\n"
	"SET allow_system_table_mods = 'dml';\n"
	"CREATE TABLE public.sales (again int);\n";

/* The first item of an object ("<section> <kind> <name>", its key without
 * the digest of what the statement says). */
static const struct schema_item *find(const struct schema_items *it, const char *object)
{
	size_t n = strlen(object);
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].key && strncmp(it->v[i].key, object, n) == 0 && strncmp(it->v[i].key + n, " @", 2) == 0)
			return &it->v[i];
	fail_msg("no item for '%s'", object);
	return NULL;
}

static void test_classify(void **state)
{
	(void)state;
	struct schema_items it;
	char err[200];
	assert_true(schema_parse(GP4_DUMP, strlen(GP4_DUMP), &it, err, sizeof err));
	assert_int_equal(it.n, 21);
	assert_int_equal(it.v[0].role, ITEM_SESSION);
	/* the old-style string with \' is one statement */
	const struct schema_item *t = find(&it, "pre-data TABLE public.sales");
	assert_int_equal(t->line, 3);
	assert_string_equal(t->tag, "REL public.sales");
	assert_string_equal(find(&it, "pre-data OWNER public.sales")->target, "REL public.sales");
	assert_string_equal(find(&it, "pre-data EXTERNAL TABLE public.ext")->kind, "EXTERNAL TABLE");
	find(&it, "pre-data FUNCTION public.f(x integer)");
	assert_string_equal(find(&it, "pre-data OWNER public.f(x integer)")->target, "FUNC public.f(x integer)");
	const struct schema_item *idx = find(&it, "post-data INDEX public.sales_idx");
	assert_string_equal(idx->target, "REL public.sales");
	find(&it, "post-data CONSTRAINT sales_pkey on public.sales");
	find(&it, "post-data FK CONSTRAINT r_fk on public.r");
	find(&it, "post-data TRIGGER trg on public.sales");
	find(&it, "post-data RULE \"r;1\" on public.r");
	/* a comment on an index belongs with the index, in post-data */
	assert_string_equal(find(&it, "post-data COMMENT INDEX public.sales_idx")->target, "REL public.sales_idx");
	assert_string_equal(find(&it, "pre-data COMMENT COLUMN public.sales.id")->target, "REL public.sales");
	find(&it, "pre-data ACL TABLE public.sales");
	find(&it, "pre-data ACL SCHEMA public");
	/* two statements for one name: each is keyed by what it says */
	const struct schema_item *again = &it.v[it.n - 1];
	assert_string_equal(again->name, "public.sales");
	assert_string_not_equal(again->key, t->key);
	schema_items_free(&it);
}

/* Each materialized view gets a REFRESH at the end of post-data, in the
 * order the views are created (a view over another comes after it); one the
 * script refreshes itself keeps its own statement. */
static void test_refreshes(void **state)
{
	(void)state;
	static const char dump[] =
		"CREATE MATERIALIZED VIEW public.m1 AS SELECT 1 AS x WITH NO DATA;\n"
		"CREATE MATERIALIZED VIEW public.\"M 2\" AS SELECT x FROM public.m1 WITH NO DATA;\n"
		"CREATE MATERIALIZED VIEW public.m3 AS SELECT 3 AS x WITH NO DATA;\n"
		"CREATE INDEX m1_x ON public.m1 (x);\n"
		"REFRESH MATERIALIZED VIEW CONCURRENTLY public.m3;\n";
	struct schema_items it;
	char err[200];
	assert_true(schema_parse(dump, strlen(dump), &it, err, sizeof err));
	assert_int_equal(it.n, 7);
	const struct schema_item *own = &it.v[4], *r1 = &it.v[5], *r2 = &it.v[6];
	assert_string_equal(own->kind, "REFRESH");
	assert_string_equal(own->name, "public.m3");
	assert_string_equal(r1->sql, "REFRESH MATERIALIZED VIEW public.m1;");
	assert_string_equal(r2->sql, "REFRESH MATERIALIZED VIEW public.\"M 2\";");
	assert_int_equal(r1->section, SECTION_POST);
	assert_string_equal(r1->kind, "REFRESH");
	assert_string_equal(r1->target, "REL public.m1");
	assert_int_equal(r2->line, 2);
	assert_non_null(strstr(r2->key, "post-data REFRESH public.\"M 2\" @"));
	schema_items_free(&it);
}

static const char *key_of(const struct schema_items *it, const char *sql_start)
{
	for (size_t i = 0; i < it->n; i++)
		if (strncmp(it->v[i].sql, sql_start, strlen(sql_start)) == 0)
			return it->v[i].key;
	fail_msg("no statement '%s'", sql_start);
	return NULL;
}

/* Journal keys follow what a statement says, not where it stands: a re-dump
 * that inserts a grant before the others keys the old ones as before and the
 * new one afresh; spacing, comments and keyword case do not matter;
 * identical statements of one object are numbered. */
static void test_keys_by_content(void **state)
{
	(void)state;
	static const char first[] =
		"CREATE TABLE public.t (id int);\n"
		"GRANT SELECT ON TABLE public.t TO alice;\n"
		"GRANT SELECT ON TABLE public.t TO bob;\n"
		"COMMENT ON TABLE public.t IS 'x';\n"
		"COMMENT ON TABLE public.t IS 'x';\n";
	static const char second[] =
		"CREATE TABLE public.t (id int);\n"
		"GRANT INSERT ON TABLE public.t TO carol;\n"
		"grant   select on table public.t\n  to alice; -- the same grant\n"
		"GRANT SELECT ON TABLE public.t TO bob;\n"
		"COMMENT ON TABLE public.t IS 'x';\n";
	struct schema_items a, b;
	char err[200];
	assert_true(schema_parse(first, strlen(first), &a, err, sizeof err));
	assert_true(schema_parse(second, strlen(second), &b, err, sizeof err));
	assert_string_equal(key_of(&a, "GRANT SELECT ON TABLE public.t TO alice"),
			    key_of(&b, "grant   select"));
	assert_string_equal(key_of(&a, "GRANT SELECT ON TABLE public.t TO bob"),
			    key_of(&b, "GRANT SELECT ON TABLE public.t TO bob"));
	const char *carol = key_of(&b, "GRANT INSERT");
	for (size_t i = 0; i < a.n; i++)
		assert_string_not_equal(a.v[i].key, carol);
	assert_non_null(strstr(carol, "pre-data ACL TABLE public.t @"));
	/* the same comment twice: the second is numbered */
	assert_string_equal(a.v[3].key, b.v[4].key);
	assert_string_not_equal(a.v[3].key, a.v[4].key);
	assert_string_equal(a.v[4].key + strlen(a.v[3].key), "#2");
	/* a different comment is another statement */
	static const char third[] = "COMMENT ON TABLE public.t IS 'y';\n";
	struct schema_items c;
	assert_true(schema_parse(third, strlen(third), &c, err, sizeof err));
	assert_string_not_equal(c.v[0].key, a.v[3].key);
	schema_items_free(&a);
	schema_items_free(&b);
	schema_items_free(&c);
}

static bool has(const struct schema_findings *f, const char *id, const char *object, const char *text)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].id, id) == 0 && strcmp(f->v[i].object, object) == 0 &&
		    strstr(f->v[i].problem, text) && f->v[i].fix[0])
			return true;
	return false;
}

static void test_scan(void **state)
{
	(void)state;
	struct schema_items it;
	char err[200];
	assert_true(schema_parse(GP4_DUMP, strlen(GP4_DUMP), &it, err, sizeof err));
	char *roles[] = { "gpadmin", "reporting", NULL };
	char *settings[] = { "allow_system_table_mods", "standard_conforming_strings", NULL };
	char *su[] = { "allow_system_table_mods", NULL };
	struct schema_dest dst = { .superuser = false, .roles = roles, .settings = settings, .su_settings = su };
	assert_true(flavor_parse("PostgreSQL 12.12 (Greenplum Database 7.0.0 build commit:0a7a3566) on x86_64", &dst.flavor));
	struct schema_findings f;
	schema_scan(&it, &dst, &f);
	assert_true(has(&f, "gp4-distkey-type", "TABLE public.sales", "column amt has type money"));
	assert_true(has(&f, "quicklz", "TABLE public.sales", "quicklz"));
	assert_true(has(&f, "gp-random-unique", "TABLE public.r", "DISTRIBUTED RANDOMLY"));
	assert_true(has(&f, "gp4-keyword", "TABLE public.r", "column lateral is a reserved word"));
	assert_true(has(&f, "gp4-gphdfs", "EXTERNAL TABLE public.ext", "gphdfs"));
	assert_true(has(&f, "gp4-log-errors-into", "EXTERNAL TABLE public.ext", "LOG ERRORS INTO"));
	/* inside the function body */
	assert_true(has(&f, "gp4-string-agg", "FUNCTION public.f(x integer)", "one argument"));
	assert_true(has(&f, "gp4-stat-activity", "FUNCTION public.f(x integer)", "procpid"));
	assert_true(has(&f, "dst-untrusted-language", "FUNCTION public.py()", "plpythonu"));
	assert_true(has(&f, "dst-missing-role", "OWNER public.f(x integer)", "role etl does not exist"));
	assert_true(has(&f, "gp4-filespace", "TABLESPACE t1", "FILESPACE"));
	assert_true(has(&f, "dst-unknown-setting", "SET gp_default_storage_options = 'appendonly=false'", "gp_default_storage_options"));
	assert_true(has(&f, "dst-superuser-setting", "SET allow_system_table_mods = 'dml'", "only a superuser"));
	/* roles that exist, and PUBLIC, raise nothing; etl is named once */
	size_t etl = 0;
	for (size_t i = 0; i < f.n; i++) {
		assert_null(strstr(f.v[i].problem, "role gpadmin"));
		assert_null(strstr(f.v[i].problem, "role reporting"));
		assert_null(strstr(f.v[i].problem, "role public"));
		etl += strstr(f.v[i].problem, "role etl") != NULL;
	}
	assert_int_equal(etl, 1);
	schema_findings_free(&f);
	/* a superuser destination: no privilege findings */
	dst.superuser = true;
	schema_scan(&it, &dst, &f);
	assert_false(has(&f, "dst-untrusted-language", "FUNCTION public.py()", "plpythonu"));
	schema_findings_free(&f);
	schema_items_free(&it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_keys_by_content),
		cmocka_unit_test(test_refreshes),
		cmocka_unit_test(test_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
