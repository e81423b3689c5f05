/* gp2adb roles on two real servers: the destination account is not a
 * superuser, as on ADB.  Roles, attributes, passwords, settings, comments
 * and memberships arrive; SUPERUSER is left out and reported with a remedy;
 * a role the destination already has is left alone; no password hash is
 * ever printed; a re-run changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "testutil.h"

static const char source_roles[] =
	"CREATE ROLE app_owner LOGIN PASSWORD 'secret1' CREATEDB;\n"
	"CREATE ROLE reader NOLOGIN;\n"
	"CREATE ROLE writer NOLOGIN IN ROLE reader;\n"
	"CREATE ROLE boss SUPERUSER LOGIN;\n"
	"CREATE ROLE \"odd Name\" LOGIN;\n"
	"ALTER ROLE app_owner SET search_path = app, public;\n"
	"COMMENT ON ROLE reader IS 'reads everything';\n"
	"CREATE ROLE shared_role LOGIN PASSWORD 'from the source';\n";

static void test_roles_as_a_privileged_account(void **state)
{
	(void)state;
	PGconn *s = tu_connect(TU_SRC, "postgres"), *d = tu_connect(TU_DST, "postgres");
	tu_exec(s, source_roles);
	tu_exec(d, "CREATE ROLE adbadmin LOGIN CREATEROLE CREATEDB;"
		   "CREATE ROLE shared_role LOGIN PASSWORD 'the destination''s';");
	char *before = tu_value(d, "SELECT rolpassword FROM pg_authid WHERE rolname = 'shared_role'");
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "postgres", "postgres", "");
	/* the destination account: the privileged, non-superuser one */
	char *text = tu_read_file(conf);
	char *fixed = xasprintf("%s", text);
	char *at = strstr(fixed, "destination = {");
	at = strstr(at, "user = \"postgres\"");
	memcpy(at, "user = \"adbadmin\"", strlen("user = \"adbadmin\""));
	tu_write_file(conf, fixed, 0600);
	struct tu_run r;
	const char *args[] = { "roles", "-c", conf, "--plain", NULL };
	int rc = tu_run_gp2adb(&r, args);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "rc=%d\n--- out\n%s--- err\n%s", rc, r.out, r.err);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(r.out, "boss                     adjusted: without SUPERUSER"));
	assert_non_null(strstr(r.out, "ADB gives no superuser"));
	assert_non_null(strstr(r.out, "shared_role              existed"));
	assert_non_null(strstr(r.out, "app_owner                created"));
	assert_null(strstr(r.out, "SCRAM-SHA-256$"));
	assert_null(strstr(r.err, "SCRAM-SHA-256$"));
	tu_run_done(&r);

	/* what arrived */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_roles WHERE rolname IN "
				     "('app_owner', 'reader', 'writer', 'boss', 'odd Name')"), 5);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_roles WHERE rolname = 'boss' AND NOT rolsuper "
				     "AND rolcanlogin"), 1);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_roles WHERE rolname = 'app_owner' AND rolcreatedb"), 1);
	char *src_pw = tu_value(s, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_owner'");
	char *dst_pw = tu_value(d, "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_owner'");
	assert_string_equal(src_pw, dst_pw);
	free(src_pw);
	free(dst_pw);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.roleid "
				     "JOIN pg_roles b ON b.oid = m.member WHERE a.rolname = 'reader' AND b.rolname = 'writer'"), 1);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
				     "WHERE r.rolname = 'app_owner' AND s.setconfig::text LIKE '%search_path=app, public%'"), 1);
	char *comment = tu_value(d, "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = 'reader'");
	assert_string_equal(comment, "reads everything");
	free(comment);
	/* the role the destination had keeps its own password */
	char *after = tu_value(d, "SELECT rolpassword FROM pg_authid WHERE rolname = 'shared_role'");
	assert_string_equal(before, after);
	free(after);
	free(before);

	/* a re-run finishes nothing twice and fails nothing */
	assert_int_equal(tu_run_gp2adb(&r, args), 0);
	assert_non_null(strstr(r.out, "app_owner                created: by an earlier run"));
	tu_run_done(&r);

	/* a setting only a superuser may give is named with the server's reason */
	tu_exec(s, "CREATE ROLE lonely; ALTER ROLE lonely SET log_min_duration_statement = 0;");
	assert_int_equal(tu_run_gp2adb(&r, args), 7);
	assert_non_null(strstr(r.out, "lonely"));
	assert_non_null(strstr(r.out, "FAILED"));
	tu_run_done(&r);
	free(text);
	free(fixed);
	free(conf);
	free(dir);
	PQfinish(s);
	PQfinish(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_as_a_privileged_account),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
