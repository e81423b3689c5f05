/* Inputs the fuzz targets (tests/fuzz/) found that broke a parser's
 * promise, each kept here as a unit test of the fixed behaviour.  The target
 * that found it is named above each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "config.h"
#include "flavor.h"
#include "install.h"
#include "mem.h"
#include "runlog.h"
#include "schema.h"
#include "sqllex.h"
#include "testutil.h"

/* fuzz_split: "\x02\x00" split into one statement of 2 bytes, and
 * schema_parse kept 1 of them (a C string stops at the NUL): a statement
 * cut short would have been applied as if whole.  SQL text cannot hold a
 * NUL byte, so a script with one is refused, naming its line. */
static void test_split_refuses_nul_byte(void **state)
{
	(void)state;
	static const char script[] = "CREATE TABLE t (a int);\nCREATE TABLE u (a\0 int);\n";
	struct sqlscript sc;
	assert_false(sqllex_split(script, sizeof script - 1, true, &sc));
	assert_string_equal(sc.error, "line 2: a NUL byte (0x00), which SQL text cannot hold");
	sqlscript_free(&sc);

	struct schema_items items;
	char err[200];
	assert_false(schema_parse("\x02\0", 2, &items, err, sizeof err));
	assert_string_equal(err, "line 1: a NUL byte (0x00), which SQL text cannot hold");
	schema_items_free(&items);
}

/* fuzz_cidr: "1::/+2" was a valid range (strtol takes a sign and leading
 * white space), and so was "10.0.0.0/\n8", which would have put a line break
 * into the pg_hba.conf line open-access appends. */
static void test_cidr_prefix_length_is_digits(void **state)
{
	(void)state;
	assert_false(access_cidr_valid("1::/+2"));
	assert_false(access_cidr_valid("10.0.0.0/\n8"));
	assert_false(access_cidr_valid("10.0.0.0/ 8"));
	assert_false(access_cidr_valid("10.0.0.0/-0"));
	assert_true(access_cidr_valid("10.0.0.0/8"));
	assert_true(access_cidr_valid("1::/128"));
}

/* fuzz_version: "PostgreSQL 9000900.0" overflowed int computing pg_num
 * (undefined behaviour).  A version part past 99999 is not a version. */
static void test_version_with_huge_numbers(void **state)
{
	(void)state;
	struct flavor f;
	assert_false(flavor_parse("PostgreSQL 9000900.0", &f));
	assert_false(flavor_parse("PostgreSQL 99999999999999999999.1", &f));
	assert_false(flavor_parse("PostgreSQL 9.4.26 (Greenplum Database 99999999999.1.0 build 1)", &f));
	assert_true(flavor_parse("PostgreSQL 12.12 (Greenplum Database 7.1.0 build commit:x)", &f));
	assert_int_equal(f.pg_num, 120012);
	assert_int_equal(f.gp_major, 7);
	/* A minor too large is not read: the major still is. */
	assert_true(flavor_parse("PostgreSQL 15.99999999999", &f));
	assert_int_equal(f.pg_major, 15);
	assert_int_equal(f.pg_minor, 0);
}

/* fuzz_split: "COPY public.t (a, b) FROM stdin;<more text>\n1\t\\N\n\\.\n":
 * the rows start on the next line, and what followed the ';' on its line was
 * dropped without a word (psql would have run it after the rows).  Such a
 * script is refused, naming the line; white space and comments there are
 * still fine. */
static void test_split_text_after_copy_from_stdin(void **state)
{
	(void)state;
	struct sqlscript sc;
	static const char bad[] = "SELECT 1;\nCOPY t (a) FROM stdin; SELECT 2;\n1\n\\.\n";
	assert_false(sqllex_split(bad, sizeof bad - 1, true, &sc));
	assert_string_equal(sc.error, "line 2: text after COPY ... FROM stdin; on its line "
			    "(the rows start on the next line)");
	sqlscript_free(&sc);

	static const char good[] = "COPY t (a) FROM stdin; /* rows: */ -- next\n1\n\\.\nSELECT 2;\n";
	assert_true(sqllex_split(good, sizeof good - 1, true, &sc));
	assert_int_equal(sc.n, 2);
	assert_true(sc.items[0].has_data);
	assert_int_equal(sc.items[0].data_end - sc.items[0].data_start, 2);
	sqlscript_free(&sc);
}

/* fuzz_version: "gpcopy-2111...111.3.2.tar.gz" read as version -1.3 (sscanf's
 * %d overflowing).  A version part past 99999 is not a version. */
static void test_gpcopy_version_with_huge_numbers(void **state)
{
	(void)state;
	int ma = 0, mi = 0;
	assert_false(install_parse_version("gpcopy-21111111111111111111111111.3.2.tar.gz", &ma, &mi));
	assert_false(install_parse_version("gpcopy-2.11111111111111111111.tar.gz", &ma, &mi));
	assert_true(install_parse_version("gpcopy-2.4.1.tar.gz", &ma, &mi));
	assert_int_equal(ma, 2);
	assert_int_equal(mi, 4);
}

/* fuzz_config: a string followed by a syntax error ("sslmode \"x\";", no
 * '=') makes libconfig 1.5 leak the string (suppressed in tests/lsan.supp);
 * the error still names the file and line and shows no password. */
static void test_config_syntax_error_after_string(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/gp2adb.conf", dir);
	tu_write_file(path, "source = { password = \"S3cret-Pw9\";\n  sslmode \"require\"; };\n", 0600);
	struct plan p;
	plan_init(&p);
	char err[512];
	assert_false(config_load(&p, path, err, sizeof err));
	char *want = xasprintf("%s:2: syntax error", path);
	assert_string_equal(err, want);
	assert_null(strstr(err, "S3cret"));
	plan_done(&p);
	free(want);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* fuzz_config: a string value spanning lines ("skip-ent<newline>...") was
 * echoed as it was in the error, which is one line ("file:line: message",
 * the line where the value starts).  Control characters are shown escaped. */
static void test_config_error_shows_value_on_one_line(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/gp2adb.conf", dir);
	tu_write_file(path, "migration = { mode = \"skip\n\texisting\x01\"; };\n"
		      "source = { sslmode = \"re\nquire\"; };\n", 0600);
	struct plan p;
	plan_init(&p);
	char err[512];
	assert_false(config_load(&p, path, err, sizeof err));
	char *want = xasprintf("%s:3: sslmode 're\\nquire' is not one of disable, allow, prefer, require, "
			       "verify-ca, verify-full", path);
	assert_string_equal(err, want);
	plan_done(&p);
	free(want);

	tu_write_file(path, "migration = { mode = \"skip\n\texisting\x01\"; };\n", 0600);
	plan_init(&p);
	assert_false(config_load(&p, path, err, sizeof err));
	want = xasprintf("%s:1: 'mode' is \"skip\\n\\texisting\\x01\"; it must be one of \"truncate\", "
			 "\"append\", \"skip-existing\" or \"drop\"", path);
	assert_string_equal(err, want);
	plan_done(&p);
	free(want);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* fuzz_config again: the checks added since (the adb group, source_encoding,
 * backfill_keys, the database list) echoed their values raw; a
 * whitelist_group spanning lines made a multi-line error. */
static void test_config_later_keys_show_values_on_one_line(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/gp2adb.conf", dir);
	static const char *const files[] = {
		"adb = { instance_id = \"gp-x\"; whitelist_group = \"gp\nx\"; };\n",
		"adb = { instance_id = \"gp\tx\"; };\n",
		"migration = { source_encoding = \"NO\nSUCH\"; };\n",
		"migration = { backfill_keys = [ \"a\nb\" ]; };\n",
		"migration = { databases = [ \"a\nb\", \"a\nb\" ]; };\n",
		"adb = { instance_id = \"gp-x\"; region = \"cn\nx\"; access_key_file = \"/k\"; };\n",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		tu_write_file(path, files[i], 0600);
		struct plan p;
		plan_init(&p);
		char err[700];
		if (config_load(&p, path, err, sizeof err))
			fail_msg("file %zu loaded: %s", i, files[i]);
		if (strchr(err, '\n') || strchr(err, '\t') || strncmp(err, path, strlen(path)) != 0)
			fail_msg("file %zu: error not one line naming the file: %s", i, err);
		plan_done(&p);
	}
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* fuzz_runlog: a run log whose last line was cut short by a crash
 * ("pre TABLE y<TAB>fai"), then appended to by the next run: the new record
 * ran on from the torn line, so "pre TABLE z ok" was lost (and a re-run
 * would apply z again).  The torn line is dropped when the log is opened. */
static void test_runlog_append_after_torn_line(void **state)
{
	(void)state;
	struct plan p;
	plan_init(&p);
	free(p.state_dir);
	p.state_dir = tu_tmpdir();
	struct runlog rl;
	char err[300];
	assert_true(runlog_open(&rl, &p, "schema.log", err, sizeof err));
	char *path = xstrdup(rl.path);
	runlog_close(&rl);
	tu_write_file(path, "pre TABLE x\tok\t\npre TABLE y\tfai", 0600);

	assert_true(runlog_open(&rl, &p, "schema.log", err, sizeof err));
	assert_int_equal(rl.n, 1);
	assert_true(runlog_put(&rl, "pre TABLE z", "ok", ""));
	runlog_close(&rl);

	assert_true(runlog_open(&rl, &p, "schema.log", err, sizeof err));
	assert_int_equal(rl.n, 2);
	assert_non_null(runlog_get(&rl, "pre TABLE x"));
	const struct runlog_entry *z = runlog_get(&rl, "pre TABLE z");
	assert_non_null(z);
	assert_string_equal(z->status, "ok");
	assert_null(runlog_get(&rl, "pre TABLE y"));
	runlog_close(&rl);
	char *text = tu_read_file(path);
	assert_string_equal(text, "pre TABLE x\tok\t\npre TABLE z\tok\t\n");
	free(text);

	char *cmd = xasprintf("rm -rf '%s'", p.state_dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
	plan_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_refuses_nul_byte),
		cmocka_unit_test(test_cidr_prefix_length_is_digits),
		cmocka_unit_test(test_version_with_huge_numbers),
		cmocka_unit_test(test_split_text_after_copy_from_stdin),
		cmocka_unit_test(test_gpcopy_version_with_huge_numbers),
		cmocka_unit_test(test_config_syntax_error_after_string),
		cmocka_unit_test(test_config_error_shows_value_on_one_line),
		cmocka_unit_test(test_config_later_keys_show_values_on_one_line),
		cmocka_unit_test(test_runlog_append_after_torn_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
