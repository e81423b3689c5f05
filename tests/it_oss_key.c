/* The OSS AccessKey on its way to the destination, against the harness's real
 * PostgreSQL destination with every statement logged (log_statement = all):
 * the generated oss_server.sql, run by a real psql, and gp2adb oss --import
 * read a key file whose path holds quotes, $(...), backticks and the like,
 * create the user mapping with the key, and no statement the server logs (or
 * shows in pg_stat_activity) holds it.
 *
 * Alibaba's oss_fdw cannot run here.  Its stand-in is a foreign-data wrapper
 * of the same name without a handler: it keeps the server's and the user
 * mapping's options as the real one does (that is what is tested); reading
 * OSS through it is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "oss.h"
#include "testutil.h"

static const char SECRET[] = "KeyS3cretValue/+=42";
static char *dir, *keydir, *keyfile, *conf, *server_log;

static int setup(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "osskey");
	tu_createdb(TU_DST, "osskey");
	PGconn *s = tu_connect(TU_SRC, "osskey");
	tu_exec(s, "CREATE TABLE public.t (a int, b text)");
	PQfinish(s);
	PGconn *d = tu_connect(TU_DST, "osskey");
	tu_exec(d, "CREATE TABLE public.t (a int, b text);\n"
		   "CREATE FOREIGN DATA WRAPPER oss_fdw;\n");     /* the stand-in */
	tu_exec(d, "ALTER SYSTEM SET log_statement = 'all'");
	tu_exec(d, "SELECT pg_reload_conf()");
	PQfinish(d);
	dir = tu_tmpdir();
	conf = tu_write_config(dir, "osskey", "osskey", NULL);
	keydir = xasprintf("%s/it's $(touch PWNED) `touch PWNED` ;\"a\\b :oss_id", dir);
	assert_int_equal(mkdir(keydir, 0700), 0);
	keyfile = xasprintf("%s/oss key", keydir);
	char *text = xasprintf("# OSS AccessKey\nid = LTAIexampleId\nkey = %s\n", SECRET);
	tu_write_file(keyfile, text, 0600);
	free(text);
	server_log = xasprintf("%s/server.log", getenv("GP2ADB_TEST_DST_DATA"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PGconn *d = tu_connect(TU_DST, "osskey");
	tu_exec(d, "ALTER SYSTEM RESET log_statement");
	tu_exec(d, "SELECT pg_reload_conf()");
	PQfinish(d);
	free(dir);
	free(keydir);
	free(keyfile);
	free(conf);
	free(server_log);
	return 0;
}

static size_t log_size(void)
{
	struct stat st;
	assert_int_equal(stat(server_log, &st), 0);
	return (size_t)st.st_size;
}

/* What the server logged since byte `from`. */
static char *log_since(size_t from)
{
	char *all = tu_read_file(server_log);
	assert_non_null(all);
	char *tail = xstrdup(strlen(all) >= from ? all + from : "");
	free(all);
	return tail;
}

/* No statement the server logged since `from` holds the key, and no shell
 * ran what the key file's path says. */
static void assert_log_clean(size_t from)
{
	char *logged = log_since(from);
	/* the logging is on: the server's creation is there, so the key's absence means something */
	if (!strstr(logged, "CREATE SERVER gp2adb_oss"))
		fail_msg("the server log does not show the statements:\n%s", logged);
	if (strstr(logged, SECRET))
		fail_msg("the AccessKey is in the server log:\n%s", logged);
	free(logged);
	assert_int_not_equal(access("PWNED", F_OK), 0);
	char *pwned = xasprintf("%s/PWNED", dir);
	assert_int_not_equal(access(pwned, F_OK), 0);
	free(pwned);
}

/* The user mapping holds the key file's id and key. */
static void assert_mapping(void)
{
	PGconn *d = tu_connect(TU_DST, "osskey");
	char *opts = tu_value(d, "SELECT array_to_string(umoptions, ' ') FROM pg_user_mappings "
			      "WHERE srvname = 'gp2adb_oss' AND usename = current_user");
	char *want = xasprintf("key=%s", SECRET);
	if (!opts || !strstr(opts, "id=LTAIexampleId") || !strstr(opts, want))
		fail_msg("the user mapping's options are '%s'", opts ? opts : "(none)");
	free(want);
	free(opts);
	PQfinish(d);
}

static void drop_server(void)
{
	PGconn *d = tu_connect(TU_DST, "osskey");
	tu_exec(d, "DROP SERVER IF EXISTS gp2adb_oss CASCADE");
	PQfinish(d);
}

static void test_generated_script_reads_a_hostile_key_path(void **state)
{
	(void)state;
	drop_server();
	char *out = xasprintf("%s/gen", dir);
	struct tu_run r;
	const char *gen[] = { "-c", conf, "oss", "--generate", out, "--oss-endpoint", "oss-x.aliyuncs.com",
			      "--oss-bucket", "bkt", "--oss-keyfile", keyfile, NULL };
	if (tu_run_gp2adb(&r, gen) != 0)
		fail_msg("oss --generate: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	char *script = xasprintf("%s/oss_server.sql", out);
	char *text = tu_read_file(script);
	assert_null(strstr(text, SECRET));
	free(text);
	size_t from = log_size();
	char *cmd = xasprintf("cd %s && psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p %d -U postgres -d osskey "
			      "-f gen/oss_server.sql >psql.out 2>&1", dir, tu_port(TU_DST));
	int rc = system(cmd);
	if (rc != 0) {
		char *po = xasprintf("%s/psql.out", dir);
		char *msg = tu_read_file(po);
		fail_msg("psql -f oss_server.sql: status %d\n%s", rc, msg ? msg : "");
	}
	assert_log_clean(from);
	assert_mapping();
	free(cmd);
	free(script);
	free(out);
}

static void test_import_keeps_the_key_out_of_statements(void **state)
{
	(void)state;
	drop_server();
	size_t from = log_size();
	struct tu_run r;
	const char *imp[] = { "-c", conf, "oss", "--import", "--oss-endpoint", "oss-x.aliyuncs.com",
			      "--oss-bucket", "bkt", "--oss-keyfile", keyfile, NULL };
	int rc = tu_run_gp2adb(&r, imp);
	assert_log_clean(from);
	assert_null(strstr(r.out, SECRET));
	assert_null(strstr(r.err, SECRET));
	/* the mapping is made; the table's import fails: the stand-in cannot read OSS */
	if (rc != 3 || !strstr(r.out, "FAILED  public.t"))
		fail_msg("oss --import: exit %d\n%s\n%s", r.status, r.out, r.err);
	tu_run_done(&r);
	assert_mapping();
}

/* When making the mapping fails (here: it exists already), the error the
 * client gets and the server logs names the failure, not the key. */
static void test_a_failed_mapping_names_no_key(void **state)
{
	(void)state;
	size_t from = log_size();
	PGconn *d = tu_connect(TU_DST, "osskey");
	tu_exec(d, "BEGIN");
	tu_exec(d, OSS_KEYFILE_TABLE);
	PGresult *r = PQexec(d, OSS_KEYFILE_COPY);
	assert_int_equal(PQresultStatus(r), PGRES_COPY_IN);
	PQclear(r);
	char *lines = xasprintf("id = LTAIexampleId\nkey = %s\n", SECRET);
	assert_int_equal(PQputCopyData(d, lines, (int)strlen(lines)), 1);
	assert_int_equal(PQputCopyEnd(d, NULL), 1);
	while ((r = PQgetResult(d)))
		PQclear(r);
	free(lines);
	r = PQexec(d, OSS_MAPPING);
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	const char *msg = PQresultErrorMessage(r);
	if (!strstr(msg, "creating the user mapping of gp2adb_oss") || strstr(msg, SECRET))
		fail_msg("the error: %s", msg);
	const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT);
	assert_true(!ctx || !strstr(ctx, SECRET));
	PQclear(r);
	tu_exec(d, "ROLLBACK");
	PQfinish(d);
	char *logged = log_since(from);
	if (!strstr(logged, "creating the user mapping of gp2adb_oss") || strstr(logged, SECRET))
		fail_msg("the server log:\n%s", logged);
	free(logged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_script_reads_a_hostile_key_path),
		cmocka_unit_test(test_import_keeps_the_key_out_of_statements),
		cmocka_unit_test(test_a_failed_mapping_names_no_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
