/* copy_journal: the failed-tables list survives any table name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy_journal.h"
#include "mem.h"
#include "testutil.h"

static void remove_dir(char *dir)
{
	char *path = xasprintf("%s/copy-failed.list", dir);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void test_names_with_newlines_round_trip(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *const names[] = { "\"public\".\"a\nb\"", "\"s\".\"back\\slash\\n\"", "\"s\".\"cr\r\"",
				"\"s\".\"plain\"", "\"s\".\"\"", NULL };
	assert_true(copy_journal_write_failed(dir, names));
	char **back = NULL;
	assert_true(copy_journal_read_failed(dir, &back));
	assert_non_null(back);
	size_t n = 0;
	for (; back[n]; n++)
		assert_string_equal(back[n], names[n]);
	assert_int_equal(n, 5);
	strv_free(back);
	/* none failed: an empty list, not an absent one */
	assert_true(copy_journal_write_failed(dir, NULL));
	assert_true(copy_journal_read_failed(dir, &back));
	assert_null(back);
	remove_dir(dir);
}

/* A list written by an earlier version (one name a line, no header) still reads. */
static void test_reads_the_old_format(void **state)
{
	(void)state;
	char *dir = tu_tmpdir();
	char *path = xasprintf("%s/copy-failed.list", dir);
	tu_write_file(path, "\"public\".\"x\"\n\"public\".\"y\\\\n\"\n", 0600);
	char **back = NULL;
	assert_true(copy_journal_read_failed(dir, &back));
	assert_string_equal(back[0], "\"public\".\"x\"");
	assert_string_equal(back[1], "\"public\".\"y\\\\n\"");
	assert_null(back[2]);
	strv_free(back);
	free(path);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_with_newlines_round_trip),
		cmocka_unit_test(test_reads_the_old_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
