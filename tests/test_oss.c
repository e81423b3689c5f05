/* The OSS path's generated SQL, compared byte for byte with golden files:
 * a Greenplum 6 table and a partitioned one (exported leaf by leaf), built
 * from table descriptions directly; and the AccessKey file rules. */
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

static const char GP6[] = "PostgreSQL 9.4.26 (Greenplum Database 6.25.0 build commit:a7ff2cf4 Open Source) "
			  "on x86_64-unknown-linux-gnu, compiled by gcc (GCC) 6.4.0, 64-bit";

static struct column col(const char *name, const char *type, bool generated)
{
	return (struct column){ .name = (char *)name, .type = (char *)type, .generated = generated };
}

static void assert_golden(const char *name, const char *got)
{
	const char *src = getenv("GP2ADB_SRCDIR");
	char *path = xasprintf("%s/tests/golden/%s", src ? src : ".", name);
	char *want = tu_read_file(path);
	if (!want || strcmp(want, got) != 0) {
		char *actual = xasprintf("%s.actual", name);
		tu_write_file(actual, got, 0644);
		fail_msg("%s differs from the generated SQL (written to %s)", path, actual);
	}
	free(want);
	free(path);
}

static void render(struct strbuf *sb, const struct flavor *f, const struct table *tables, size_t n,
		   const struct oss_target *o)
{
	char err[200];
	assert_true(oss_server_sql(sb, o, "/home/op/it's .oss-key", err, sizeof err));
	strbuf_puts(sb, "\n-- export (source)\n");
	for (size_t i = 0; i < n; i++)
		if (catalog_has_data(&tables[i]))
			oss_export_sql(sb, f, &tables[i], o);
	strbuf_puts(sb, "\n-- import (destination)\n");
	for (size_t i = 0; i < n; i++)
		if (catalog_has_data(&tables[i]))
			oss_import_sql(sb, &tables[i], o);
}

static void test_gp6_table(void **state)
{
	(void)state;
	struct flavor f;
	assert_true(flavor_parse(GP6, &f));
	struct column cols[] = {
		col("id", "bigint", false), col("Customer Name", "text", false),
		col("amount", "numeric(12,2)", false), col("it's", "date", false),
	};
	struct table t = { .schema = "sales", .name = "Orders 2024", .kind = TABLE_PLAIN,
			   .cols = cols, .ncols = 4 };
	struct oss_target o = { .endpoint = "oss-cn-hangzhou-internal.aliyuncs.com", .bucket = "mig",
				.prefix = "wh/", .truncate = true };
	struct strbuf sb;
	strbuf_init(&sb);
	render(&sb, &f, &t, 1, &o);
	assert_golden("oss_gp6_table.sql", sb.data);
	strbuf_done(&sb);
}

static void test_gp6_partitioned(void **state)
{
	(void)state;
	struct flavor f;
	assert_true(flavor_parse(GP6, &f));
	struct column cols[] = { col("day", "date", false), col("qty", "integer", false),
				 col("double_qty", "integer", true) };
	struct table t[] = {
		{ .schema = "public", .name = "events", .kind = TABLE_PARTITION_ROOT, .cols = cols, .ncols = 3 },
		{ .schema = "public", .name = "events_1_prt_p2023", .kind = TABLE_PARTITION_LEAF,
		  .root = "\"public\".\"events\"", .cols = cols, .ncols = 3 },
		{ .schema = "public", .name = "events_1_prt_p2024", .kind = TABLE_PARTITION_LEAF,
		  .root = "\"public\".\"events\"", .cols = cols, .ncols = 3 },
	};
	struct oss_target o = { .endpoint = "oss-cn-hangzhou-internal.aliyuncs.com", .bucket = "mig",
				.dir = "/data/export", .truncate = false };
	struct strbuf sb;
	strbuf_init(&sb);
	render(&sb, &f, t, 3, &o);
	assert_golden("oss_gp6_partitioned.sql", sb.data);
	strbuf_done(&sb);
}

static void test_keyfile_rules(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_oss.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/key", dir);
	char err[400];
	char *id, *key;
	tu_write_file(path, "# OSS\nid = LTAIexample\n key=s3cr3t/+= \n", 0644);
	assert_false(oss_read_keyfile(path, &id, &key, err, sizeof err));
	assert_non_null(strstr(err, "permissions are 0644"));
	assert_non_null(strstr(err, "Run: chmod 600 "));
	assert_null(strstr(err, "s3cr3t"));
	chmod(path, 0600);
	assert_true(oss_read_keyfile(path, &id, &key, err, sizeof err));
	assert_string_equal(id, "LTAIexample");
	assert_string_equal(key, "s3cr3t/+=");
	free(id);
	free(key);
	tu_write_file(path, "id = x\nsecret = y\n", 0600);
	assert_false(oss_read_keyfile(path, &id, &key, err, sizeof err));
	assert_non_null(strstr(err, ":2: unknown name 'secret'"));
	tu_write_file(path, "id = x\n", 0600);
	assert_false(oss_read_keyfile(path, &id, &key, err, sizeof err));
	assert_non_null(strstr(err, "needs both"));
	/* the key travels as one line of COPY data: no control characters */
	tu_write_file(path, "id = x\nkey = a\x01b\n", 0600);
	assert_false(oss_read_keyfile(path, &id, &key, err, sizeof err));
	assert_non_null(strstr(err, "the key holds a control character"));
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gp6_table),
		cmocka_unit_test(test_gp6_partitioned),
		cmocka_unit_test(test_keyfile_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
