/* gp2adb status against the harness's two real servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "mem.h"
#include "testutil.h"

static void test_status_names_both_flavors(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *conf = tu_write_config(dir, "postgres", "postgres", NULL);
	struct tu_run r;
	const char *args[] = { "-c", conf, "status", NULL };
	int rc = tu_run_gp2adb(&r, args);
	if (rc != 0)
		fail_msg("status exit %d\nstdout:\n%s\nstderr:\n%s", rc, r.out, r.err);
	const char *src = strstr(r.out, "source");
	const char *dst = strstr(r.out, "destination");
	assert_non_null(src);
	assert_non_null(dst);
	/* both lines name the flavor and version */
	const char *first = strstr(src, "reachable: PostgreSQL ");
	assert_non_null(first);
	assert_true(first < dst);
	assert_non_null(strstr(dst, "reachable: PostgreSQL "));
	tu_run_done(&r);

	const char *jargs[] = { "-c", conf, "--json", "status", NULL };
	assert_int_equal(tu_run_gp2adb(&r, jargs), 0);
	assert_non_null(strstr(r.out, "\"source\": {"));
	assert_non_null(strstr(r.out, "\"flavor\": \"PostgreSQL\""));
	assert_non_null(strstr(r.out, "\"reachable\": true"));
	tu_run_done(&r);

	/* the log file of this migration: private, and naming the command */
	char *pattern = xasprintf("%s/state/m*/gp2adb.log", dir);
	glob_t g;
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	struct stat st;
	assert_int_equal(stat(g.gl_pathv[0], &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *log = tu_read_file(g.gl_pathv[0]);
	assert_non_null(strstr(log, "[debug] gp2adb "));
	assert_non_null(strstr(log, ": status (log "));
	free(log);
	globfree(&g);
	free(pattern);
	free(conf);
	free(dir);
}

static void test_status_unreachable_destination(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/down.conf", dir);
	char *text = xasprintf(
		"source = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"postgres\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = 1; user = \"postgres\"; dbname = \"postgres\";\n"
		"                password = \"never-shown\"; connect_timeout = 2; };\n",
		tu_port(TU_SRC));
	tu_write_file(path, text, 0600);
	struct tu_run r;
	const char *args[] = { "-c", path, "status", NULL };
	assert_int_equal(tu_run_gp2adb(&r, args), 5);
	assert_non_null(strstr(r.out, "NOT reachable"));
	assert_non_null(strstr(r.out, "password=****"));
	assert_null(strstr(r.out, "never-shown"));
	assert_null(strstr(r.err, "never-shown"));
	tu_run_done(&r);
	free(text);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names_both_flavors),
		cmocka_unit_test(test_status_unreachable_destination),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
