/* gp2adb oss against a real PostgreSQL source: the export runs for real
 * with server-side COPY TO files (the server writes them as postgres), the
 * generated scripts hold no AccessKey, and the import refuses a key file
 * others can read and never prints the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "testutil.h"

static const char SECRET[] = "TopSecretKeyValue42";

static char *copy_out(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COPY_OUT)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	char *all = xstrdup(""), *buf;
	int n;
	while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
		char *next = xasprintf("%s%.*s", all, n, buf);
		free(all);
		all = next;
		PQfreemem(buf);
	}
	PQclear(PQgetResult(c));
	return all;
}

static void test_export_runs_on_postgres(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "ossdb");
	PGconn *s = tu_connect(TU_SRC, "ossdb");
	tu_exec(s, "CREATE SCHEMA \"Odd Schema\";\n"
		   "CREATE TABLE \"Odd Schema\".\"T 1\" (id int, \"na,me\" text, doubled int GENERATED ALWAYS AS (id * 2) STORED);\n"
		   "INSERT INTO \"Odd Schema\".\"T 1\" (id, \"na,me\") VALUES (1, 'a,\"b\"'), (2, NULL), (3, ''), (4, E'line\\nbreak');\n"
		   "CREATE TABLE public.plain AS SELECT g AS n FROM generate_series(1, 1000) g;\n"
		   "CREATE TABLE public.parted (d date, v int) PARTITION BY RANGE (d);\n"
		   "CREATE TABLE public.parted_a PARTITION OF public.parted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
		   "INSERT INTO public.parted VALUES ('2024-05-05', 7);\n");
	char *dir = tu_tmpdir();
	/* the server process writes the files: give it the directory */
	char *exp = xasprintf("%s/export", dir);
	mkdir(exp, 0700);
	struct passwd *pw = getpwnam("postgres");
	if (pw && geteuid() == 0)
		assert_int_equal(chown(exp, pw->pw_uid, pw->pw_gid), 0);
	chmod(dir, 0755);
	char *conf = tu_write_config(dir, "ossdb", "ossdb", NULL);
	struct tu_run r;
	const char *args[] = { "-c", conf, "oss", "--export", "--oss-dir", exp, NULL };
	if (tu_run_gp2adb(&r, args) != 0)
		fail_msg("oss --export: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "ok      Odd Schema.T 1: 4 rows"));
	assert_non_null(strstr(r.out, "ok      public.plain: 1000 rows"));
	assert_non_null(strstr(r.out, "ok      public.parted_a: 1 rows"));
	assert_non_null(strstr(r.out, "oss export: 3 tables done, 0 failed"));
	tu_run_done(&r);
	/* the files hold exactly what COPY ... CSV gives, generated column left out */
	char *path = xasprintf("%s/Odd%%20Schema.T%%201.csv", exp);
	char *file = tu_read_file(path);
	assert_non_null(file);
	char *want = copy_out(s, "COPY \"Odd Schema\".\"T 1\" (id, \"na,me\") TO STDOUT WITH (FORMAT csv)");
	assert_string_equal(file, want);
	assert_non_null(strstr(file, "1,\"a,\"\"b\"\"\"\n2,\n3,\"\"\n"));
	free(want);
	free(file);
	free(path);
	path = xasprintf("%s/public.parted_a.csv", exp);
	file = tu_read_file(path);
	assert_string_equal(file, "2024-05-05,7\n");
	free(file);
	free(path);
	path = xasprintf("%s/public.parted.csv", exp);     /* the root holds no rows of its own */
	assert_int_not_equal(access(path, F_OK), 0);
	free(path);

	/* a missing directory is reported per table, and the exit says tables failed */
	const char *bad[] = { "-c", conf, "oss", "--export", "--oss-dir", "/nonexistent/dir", "--table", "public.plain", NULL };
	assert_int_equal(tu_run_gp2adb(&r, bad), 3);
	assert_non_null(strstr(r.out, "FAILED  public.plain: 58P01: could not open file"));
	tu_run_done(&r);
	PQfinish(s);
	free(conf);
	free(exp);
	free(dir);
}

static void test_generate_and_import_keep_the_key_secret(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "ossgen");
	tu_createdb(TU_DST, "ossgen");
	PGconn *s = tu_connect(TU_SRC, "ossgen");
	tu_exec(s, "CREATE TABLE public.t (a int, b text)");
	PQfinish(s);
	PGconn *d = tu_connect(TU_DST, "ossgen");
	tu_exec(d, "CREATE TABLE public.t (a int, b text)");
	PQfinish(d);
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "ossgen", "ossgen", NULL);
	char *keyfile = xasprintf("%s/oss.key", dir);
	char *text = xasprintf("id = LTAIid\nkey = %s\n", SECRET);
	tu_write_file(keyfile, text, 0600);
	free(text);
	char *out = xasprintf("%s/gen", dir);
	struct tu_run r;
	const char *gen[] = { "-c", conf, "oss", "--generate", out, "--oss-endpoint", "oss-x.aliyuncs.com",
			      "--oss-bucket", "bkt", "--oss-keyfile", keyfile, NULL };
	if (tu_run_gp2adb(&r, gen) != 0)
		fail_msg("oss --generate: exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "wrote the export and import SQL of 1 tables"));
	tu_run_done(&r);
	static const char *const files[] = { "oss_server.sql", "upload.txt", "public.t/export.sql", "public.t/import.sql" };
	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s/%s", out, files[i]);
		char *content = tu_read_file(p);
		if (!content)
			fail_msg("missing %s", p);
		assert_null(strstr(content, SECRET));
		free(content);
		free(p);
	}
	/* psql runs export.sql with the server's defaults: it pins what changes the text */
	char *p = xasprintf("%s/public.t/export.sql", out);
	char *exp = tu_read_file(p);
	assert_non_null(strstr(exp, "SET extra_float_digits = 3;\n"));
	assert_non_null(strstr(exp, "SET DateStyle = 'ISO, MDY';\n"));
	assert_non_null(strstr(exp, "SET TimeZone = 'UTC';\n"));
	assert_true(strstr(exp, "SET DateStyle") < strstr(exp, "COPY "));
	free(exp);
	free(p);
	p = xasprintf("%s/public.t/import.sql", out);
	char *imp = tu_read_file(p);
	assert_non_null(strstr(imp, "INSERT INTO \"public\".\"t\" (\"a\", \"b\")\n  SELECT \"a\", \"b\" FROM gp2adb_oss.\"public.t\";"));
	free(imp);
	free(p);

	/* a key file others can read is refused, naming the mode and the fix */
	chmod(keyfile, 0644);
	const char *imp_args[] = { "-c", conf, "oss", "--import", "--oss-endpoint", "oss-x.aliyuncs.com",
				   "--oss-bucket", "bkt", "--oss-keyfile", keyfile, NULL };
	assert_int_equal(tu_run_gp2adb(&r, imp_args), 1);
	assert_non_null(strstr(r.err, "permissions are 0644"));
	assert_non_null(strstr(r.err, "chmod 600"));
	tu_run_done(&r);
	/* this destination has no oss_fdw: the import fails cleanly, the key stays unprinted */
	chmod(keyfile, 0600);
	assert_int_equal(tu_run_gp2adb(&r, imp_args), 3);
	assert_non_null(strstr(r.err, "oss_fdw"));
	assert_null(strstr(r.out, SECRET));
	assert_null(strstr(r.err, SECRET));
	tu_run_done(&r);
	const char *none[] = { "-c", conf, "oss", NULL };
	assert_int_equal(tu_run_gp2adb(&r, none), 1);
	assert_non_null(strstr(r.err, "oss needs --generate DIR, --export or --import"));
	tu_run_done(&r);
	free(out);
	free(keyfile);
	free(conf);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_runs_on_postgres),
		cmocka_unit_test(test_generate_and_import_keep_the_key_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
