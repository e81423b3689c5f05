/* The command line, driven through the built binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mem.h"
#include "testutil.h"

static void test_help_lists_every_command(void **state)
{
	(void)state;
	struct tu_run r;
	const char *args[] = { "--help", NULL };
	assert_int_equal(tu_run_gp2adb(&r, args), 0);
	int n = 0;
	for (const struct command *c = cli_commands; c->name; c++, n++) {
		char line[64];
		snprintf(line, sizeof line, "\n  %s ", c->name);
		if (!strstr(r.out, line))
			fail_msg("--help does not list '%s'", c->name);
	}
	assert_int_equal(n, 14);
	assert_non_null(strstr(r.out, "--state-dir"));
	assert_non_null(strstr(r.out, "Exit status"));
	assert_non_null(strstr(r.out, "--path PATH"));
	tu_run_done(&r);
}

static void test_version(void **state)
{
	(void)state;
	struct tu_run r;
	const char *args[] = { "--version", NULL };
	assert_int_equal(tu_run_gp2adb(&r, args), 0);
	assert_true(strncmp(r.out, "gp2adb ", 7) == 0);
	tu_run_done(&r);
}

static void expect_usage_error(const char *const *args, const char *needle)
{
	struct tu_run r;
	int rc = tu_run_gp2adb(&r, args);
	if (rc != 1 || !strstr(r.err, needle))
		fail_msg("exit %d, stderr '%s', expected 1 and '%s'", rc, r.err, needle);
	tu_run_done(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	const char *a1[] = { "frobnicate", NULL };
	expect_usage_error(a1, "unknown command 'frobnicate'");
	const char *a2[] = { "--frob", "status", NULL };
	expect_usage_error(a2, "unknown option '--frob'");
	const char *a3[] = { "check", "--resume", NULL };
	expect_usage_error(a3, "option --resume does not apply to 'check'");
	const char *a4[] = { "-j", "0", "status", NULL };
	expect_usage_error(a4, "--jobs takes a number from 1 to 64");
	const char *a5[] = { "copy", "--mode", "overwrite", NULL };
	expect_usage_error(a5, "--mode takes truncate");
	const char *p1[] = { "copy", "--path", "segments", NULL };
	expect_usage_error(p1, "--path takes auto, coordinator or segment, not 'segments'");
	const char *p2[] = { "validate", "--path", "segment", NULL };
	expect_usage_error(p2, "option --path does not apply to 'validate'");
	const char *a6[] = { "status", "extra", NULL };
	expect_usage_error(a6, "unexpected argument 'extra'");
	const char *a7[] = { "status", "--config", NULL };
	expect_usage_error(a7, "needs a value");
	const char *a9[] = { "validate", "--drop-dependents", NULL };
	expect_usage_error(a9, "option --drop-dependents does not apply to 'validate'");
	/* no command and stdout is not a terminal: explain, point to batch commands */
	char tmpl[] = "/tmp/test_cli.XXXXXX";
	char *d = mkdtemp(tmpl);
	char *empty = xasprintf("%s/empty.conf", d);
	tu_write_file(empty, "", 0600);
	const char *a8[] = { "-c", empty, NULL };
	expect_usage_error(a8, "not a terminal");
	unlink(empty);
	rmdir(d);
	free(empty);
}

static void test_config_errors_exit_1(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_cli.XXXXXX";
	char *d = mkdtemp(tmpl);
	char *bad = xasprintf("%s/bad.conf", d), *open = xasprintf("%s/open.conf", d);
	tu_write_file(bad, "source = { host = \"a\"; };\nmigration = { jobs = ; };\n", 0600);
	tu_write_file(open, "destination = { password = \"Pa55word-xyz\"; };\n", 0644);

	struct tu_run r;
	const char *a1[] = { "-c", bad, "status", NULL };
	assert_int_equal(tu_run_gp2adb(&r, a1), 1);
	char *where = xasprintf("%s:2:", bad);
	assert_non_null(strstr(r.err, where));
	free(where);
	tu_run_done(&r);

	const char *a2[] = { "-c", open, "status", NULL };
	assert_int_equal(tu_run_gp2adb(&r, a2), 1);
	assert_non_null(strstr(r.err, "permissions are 0644"));
	assert_null(strstr(r.err, "Pa55word-xyz"));
	assert_null(strstr(r.out, "Pa55word-xyz"));
	tu_run_done(&r);

	const char *a3[] = { "-c", "/nonexistent.conf", "status", NULL };
	assert_int_equal(tu_run_gp2adb(&r, a3), 1);
	assert_non_null(strstr(r.err, "/nonexistent.conf: cannot open"));
	tu_run_done(&r);

	unlink(bad);
	unlink(open);
	rmdir(d);
	free(bad);
	free(open);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_lists_every_command),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_config_errors_exit_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
