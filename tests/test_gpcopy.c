/* gpcopy's command line, its --jobs formula and the parser of its log lines
 * (the lines of reference/greenplum.md 1.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "gpcopy.h"
#include "mem.h"

static void test_jobs(void **state)
{
	(void)state;
	bool capped;
	/* 2n+1 connections: 9 free slots hold --jobs 4, 8 only 3 */
	assert_int_equal(gpcopy_jobs(4, 100, 9, &capped), 4);
	assert_false(capped);
	assert_int_equal(gpcopy_jobs(4, 100, 8, &capped), 3);
	assert_true(capped);
	assert_int_equal(gpcopy_jobs(16, 21, 500, &capped), 10);
	assert_true(capped);
	/* unknown (negative) leaves it as asked; never below 1 */
	assert_int_equal(gpcopy_jobs(6, -1, -1, &capped), 6);
	assert_false(capped);
	assert_int_equal(gpcopy_jobs(4, 2, 100, &capped), 1);
	assert_int_equal(gpcopy_jobs(0, 100, 100, &capped), 1);
}

static void test_argv(void **state)
{
	(void)state;
	struct gpcopy_target t = { .source_host = "mdw", .source_port = 5432, .source_user = "gpadmin",
				   .source_db = "warehouse", .dest_host = "gp-xx.aliyuncs.com", .dest_port = 3432,
				   .dest_user = "adb admin", .dest_db = "dw", .jobs = 6, .mode = MODE_DROP };
	char **v = gpcopy_argv("gpcopy", &t);
	char *text = gpcopy_command_text(v, NULL);
	assert_string_equal(text, "gpcopy --dbname warehouse --dest-dbname dw --drop --jobs 6 --validate count "
				  "--source-host mdw --source-port 5432 --source-user gpadmin "
				  "--dest-host gp-xx.aliyuncs.com --dest-port 3432 --dest-user 'adb admin'");
	free(text);
	strv_free(v);
	t.full = true;
	t.mode = MODE_SKIP_EXISTING;
	t.source_host = NULL;
	v = gpcopy_argv("gpcopy", &t);
	text = gpcopy_command_text(v, NULL);
	assert_non_null(strstr(text, "gpcopy --full --skip-existing --jobs 6"));
	assert_null(strstr(text, "--dbname"));
	assert_null(strstr(text, "--source-host"));
	free(text);
	strv_free(v);
	t.full = false;
	t.table_file = "\"$t\"";
	t.mode = MODE_APPEND;
	v = gpcopy_argv("gpcopy", &t);
	text = gpcopy_command_text(v, "\"$t\"");
	assert_non_null(strstr(text, "gpcopy --include-table-file \"$t\" --append"));
	assert_null(strstr(text, "--dest-dbname"));
	free(text);
	strv_free(v);
}

static void test_lines(void **state)
{
	(void)state;
	struct gpcopy_line l;
	gpcopy_parse_line("20240105:10:11:12 gpcopy:-[INFO]:-[Worker 2] Start copying table "
			  "\"adb\".\"dwh_stage\".\"t\" => \"adb\".\"dwh_stage\".\"t\"", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_START);
	assert_int_equal(l.worker, 2);
	assert_string_equal(l.db, "adb");
	assert_string_equal(l.schema, "dwh_stage");
	assert_string_equal(l.table, "t");
	gpcopy_parse_line("20240105:10:11:13 gpcopy:-[INFO]:-[Worker 2] [Progress: (0/1) DBs, (5/5216) tables done] "
			  "Finished copying table \"db\".\"My \"\"Schema\"\"\".\"a.b\" => \"db\".\"s\".\"t\"", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_FINISH);
	assert_string_equal(l.schema, "My \"Schema\"");
	assert_string_equal(l.table, "a.b");
	gpcopy_parse_line("20240105:10:11:14 gpcopy:-[ERROR]:-[Worker 1] Failed to copy table "
			  "\"adb\".\"dwh_stage\".\"s01_t_bal_1_prt_995\" => \"adb\".\"dwh_stage\".\"s01_t_bal_1_prt_995\"", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_FAIL);
	assert_string_equal(l.table, "s01_t_bal_1_prt_995");
	gpcopy_parse_line("20240105:10:11:14 gpcopy:-[ERROR]:-[Worker 2] Finished task 17 with error: ERROR: child "
			  "process exited with exit code 1", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_TASK_ERROR);
	gpcopy_parse_line("20240105:10:11:14 gpcopy:-[ERROR]:-ERROR: value \"70000\" is out of range for type "
			  "smallint (SQLSTATE 22003)", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_DETAIL);
	assert_int_equal(l.worker, -1);
	char e[200];
	gpcopy_error_text(l.message, e, sizeof e);
	assert_string_equal(e, "22003: value \"70000\" is out of range for type smallint");
	gpcopy_error_text("Finished task 17 with error: ERROR: child process exited with exit code 1", e, sizeof e);
	assert_string_equal(e, "child process exited with exit code 1");
	gpcopy_parse_line("20240105:10:12:00 gpcopy:-[INFO]:-\tDatabase adb: successfully copied 2129 tables, "
			  "skipped 0 tables, failed 2 tables", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_SUMMARY);
	assert_string_equal(l.summary_db, "adb");
	assert_int_equal(l.copied, 2129);
	assert_int_equal(l.failed, 2);
	/* the older gpstate-style prefix */
	gpcopy_parse_line("20190425:07:38:01 gpcopy:gpadmin:mdw:012345-[CRITICAL]:-Flag dbname must be set", &l);
	assert_true(l.logline);
	assert_string_equal(l.level, "CRITICAL");
	assert_int_equal(l.kind, GPCOPY_LINE_DETAIL);
	gpcopy_parse_line("20240105:10:12:01 gpcopy:-[INFO]:-gpcopy --include-table 'adb.s.t' --truncate", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_RETRY);
	assert_string_equal(l.message, "gpcopy --include-table 'adb.s.t' --truncate");
	/* not a log line: kept whole */
	gpcopy_parse_line("bash: gpcopy: command not found", &l);
	assert_false(l.logline);
	assert_int_equal(l.kind, GPCOPY_LINE_OTHER);
	assert_string_equal(l.message, "bash: gpcopy: command not found");
	gpcopy_parse_line("2024010:10:12:01 gpcopy:-[INFO]:-x", &l);
	assert_false(l.logline);
	gpcopy_parse_line("20240105:10:12:01 gpcopy:-[info]:-x", &l);
	assert_false(l.logline);
	/* a worker line naming no table whole is not a table event */
	gpcopy_parse_line("20240105:10:12:01 gpcopy:-[INFO]:-[Worker 3] Start copying table \"adb\".\"s", &l);
	assert_int_equal(l.kind, GPCOPY_LINE_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
