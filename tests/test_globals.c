/* globals: classifying pg_dumpall --globals-only output; what a
 * non-superuser cannot apply; passwords never shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "globals.h"

static const char pg15_dump[] =
	"--\n-- PostgreSQL database cluster dump\n--\n\n"
	"SET default_transaction_read_only = off;\n\n"
	"SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n"
	"--\n-- Roles\n--\n\n"
	"CREATE ROLE app_owner;\n"
	"ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS "
	"PASSWORD 'SCRAM-SHA-256$4096:abc$def:ghi';\n"
	"CREATE ROLE \"odd \"\"name\";\n"
	"ALTER ROLE \"odd \"\"name\" WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;\n"
	"COMMENT ON ROLE app_owner IS 'owns; the app';\n\n"
	"--\n-- User Configurations\n--\n\n"
	"ALTER ROLE app_owner SET search_path TO 'app', 'public';\n"
	"ALTER ROLE app_owner IN DATABASE shop SET work_mem TO '64MB';\n\n"
	"--\n-- Role memberships\n--\n\n"
	"GRANT reader TO app_owner GRANTED BY postgres;\n\n"
	"--\n-- PostgreSQL database cluster dump complete\n--\n\n";

static const char gp6_dump[] =
	"CREATE RESOURCE QUEUE etl WITH (ACTIVE_STATEMENTS=5);\n"
	"ALTER RESOURCE GROUP admin_group SET CPU_RATE_LIMIT 10;\n"
	"CREATE RESOURCE GROUP rg_etl WITH (CONCURRENCY=5, CPU_RATE_LIMIT=20, MEMORY_LIMIT=10);\n"
	"CREATE ROLE loader;\n"
	"ALTER ROLE loader WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN RESOURCE QUEUE etl "
	"RESOURCE GROUP rg_etl PASSWORD 'md5d41d8cd98f00b204e9800998ecf8427e';\n"
	"CREATE TABLESPACE fast OWNER loader LOCATION '/data/fast';\n";

static void test_classify_pg15(void **state)
{
	(void)state;
	struct global_items it;
	char err[200];
	assert_true(globals_parse(pg15_dump, strlen(pg15_dump), &it, err, sizeof err));
	assert_int_equal(it.n, 11);
	assert_int_equal(it.v[0].kind, GLOBAL_SESSION);
	assert_int_equal(it.v[3].kind, GLOBAL_ROLE);
	assert_string_equal(it.v[3].role, "app_owner");
	assert_int_equal(it.v[4].kind, GLOBAL_ROLE_ATTRS);
	assert_string_equal(it.v[4].role, "app_owner");
	assert_int_equal(it.v[5].kind, GLOBAL_ROLE);
	assert_string_equal(it.v[5].role, "odd \"name");
	assert_int_equal(it.v[7].kind, GLOBAL_COMMENT);
	assert_int_equal(it.v[8].kind, GLOBAL_ROLE_SETTING);
	assert_int_equal(it.v[9].kind, GLOBAL_ROLE_SETTING);
	assert_int_equal(it.v[10].kind, GLOBAL_MEMBERSHIP);
	assert_string_equal(it.v[10].role, "app_owner");
	assert_int_equal(it.v[10].line, 31);
	globals_items_free(&it);
}

static void test_classify_gp6(void **state)
{
	(void)state;
	struct global_items it;
	char err[200];
	assert_true(globals_parse(gp6_dump, strlen(gp6_dump), &it, err, sizeof err));
	assert_int_equal(it.n, 6);
	assert_int_equal(it.v[0].kind, GLOBAL_RESOURCE);
	assert_string_equal(it.v[0].role, "etl");
	assert_int_equal(it.v[1].kind, GLOBAL_RESOURCE);
	assert_int_equal(it.v[2].kind, GLOBAL_RESOURCE);
	assert_string_equal(it.v[2].role, "rg_etl");
	assert_int_equal(it.v[4].kind, GLOBAL_ROLE_ATTRS);
	assert_int_equal(it.v[5].kind, GLOBAL_TABLESPACE);
	assert_string_equal(it.v[5].role, "fast");
	globals_items_free(&it);
	assert_false(globals_parse("CREATE ROLE 'x", 14, &it, err, sizeof err));
	assert_non_null(strstr(err, "line 1"));
}

static void test_strip_what_needs_a_superuser(void **state)
{
	(void)state;
	char *dropped;
	char *s = globals_strip_attrs("ALTER ROLE \"odd \"\"name\" WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN "
				      "REPLICATION BYPASSRLS;", &dropped);
	assert_string_equal(s, "ALTER ROLE \"odd \"\"name\" WITH  INHERIT CREATEROLE CREATEDB LOGIN  ;");
	assert_string_equal(dropped, "SUPERUSER, REPLICATION, BYPASSRLS");
	free(s);
	free(dropped);
	/* the NO forms go silently; the role name is never touched */
	s = globals_strip_attrs("ALTER ROLE superuser WITH NOSUPERUSER LOGIN NOREPLICATION PASSWORD 'x';", &dropped);
	assert_string_equal(s, "ALTER ROLE superuser WITH  LOGIN  PASSWORD 'x';");
	assert_string_equal(dropped, "");
	free(s);
	free(dropped);
	s = globals_strip_attrs("ALTER ROLE loader WITH LOGIN RESOURCE QUEUE etl RESOURCE GROUP rg_etl;", &dropped);
	assert_string_equal(s, "ALTER ROLE loader WITH LOGIN      ;");
	assert_string_equal(dropped, "RESOURCE ..., RESOURCE ...");
	free(s);
	free(dropped);
}

static void test_passwords_masked(void **state)
{
	(void)state;
	char *m = globals_masked("ALTER ROLE a WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc$def:ghi' VALID UNTIL "
				 "'infinity';");
	assert_string_equal(m, "ALTER ROLE a WITH LOGIN PASSWORD '****' VALID UNTIL 'infinity';");
	free(m);
	m = globals_masked("GRANT reader TO writer;");
	assert_string_equal(m, "GRANT reader TO writer;");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_pg15),
		cmocka_unit_test(test_classify_gp6),
		cmocka_unit_test(test_strip_what_needs_a_superuser),
		cmocka_unit_test(test_passwords_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
