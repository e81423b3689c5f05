/* Version parsing: every example string of reference/greenplum.md 3.1,
 * forks included, and the capability table they lead to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "flavor.h"

struct example {
	const char *version;
	enum flavor_kind kind;
	int pg_major, pg_minor, gp_major, gp_minor;
	const char *fork;
};

static const struct example examples[] = {
	{ "PostgreSQL 8.2.15 (Greenplum Database 4.3.1.0 build 6) on x86_64-unknown-linux-gnu, "
	  "compiled by GCC gcc (GCC) 4.4.2 compiled on Jun 11 2014 17:23:40",
	  FLAVOR_GREENPLUM, 8, 2, 4, 3, "" },
	{ "PostgreSQL 8.3.23 (Greenplum Database 5.13.0 build 30403eb-oss) on x86_64-pc-linux-gnu, "
	  "compiled by GCC gcc (Ubuntu 5.4.0-6ubuntu1~16.04.10) 5.4.0 20160609, 64-bit compiled on Nov  7 2018 03:25:11",
	  FLAVOR_GREENPLUM, 8, 3, 5, 13, "" },
	{ "PostgreSQL 9.4.26 (Greenplum Database 6.25.0 build commit:a7ff2cf4 Open Source) on "
	  "x86_64-unknown-linux-gnu, compiled by gcc (Ubuntu 7.5.0-3ubuntu1~18.04) 7.5.0, 64-bit compiled on Jul 13 2023 13:46:16",
	  FLAVOR_GREENPLUM, 9, 4, 6, 25, "" },
	{ "PostgreSQL 12.12 (Greenplum Database 7.4.0 build commit:27de6dc6) on x86_64-pc-linux-gnu, "
	  "compiled by gcc (GCC) 8.5.0 20210514 (Red Hat 8.5.0-22), 64-bit compiled on Jan 31 2025 03:17:23 Bhuvnesh C.",
	  FLAVOR_GREENPLUM, 12, 12, 7, 4, "" },
	{ "PostgreSQL 8.2.15 (Greenplum Database 4.3.99.00 build dev) compiled on May 2 2020 09:35:15",
	  FLAVOR_ADB, 8, 2, 4, 3, "" },
	{ "PostgreSQL 9.4.24 (Greenplum Database 6.3.0 build dev) on x86_64-unknown-linux-gnu",
	  FLAVOR_ADB, 9, 4, 6, 3, "" },
	{ "PostgreSQL 9.4.26 (Greenplum Database 6.27.5-WHPG build commit:abc) on x86_64-pc-linux-gnu",
	  FLAVOR_GREENPLUM, 9, 4, 6, 27, "WHPG" },
	{ "PostgreSQL 12.12 (Greenplum Database 7.2.0_arenadata5 build commit:abc) on x86_64-pc-linux-gnu",
	  FLAVOR_GREENPLUM, 12, 12, 7, 2, "Arenadata" },
	{ "PostgreSQL 9.4.26 (Greenplum Database 6.22.2-mdb+dev build dev) on x86_64-pc-linux-gnu",
	  FLAVOR_GREENPLUM, 9, 4, 6, 22, "MDB" },
	{ "PostgreSQL 9.4.24 (Greenplum Database 6.20.0 build dev) (HashData Warehouse 3.13.8 build dev) on x86_64",
	  FLAVOR_GREENPLUM, 9, 4, 6, 20, "HashData" },
	{ "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
	  FLAVOR_POSTGRES, 15, 18, 0, 0, "" },
	{ "PostgreSQL 9.6.24 on x86_64-pc-linux-gnu, compiled by gcc 6.3.0, 64-bit",
	  FLAVOR_POSTGRES, 9, 6, 0, 0, "" },
	{ "PostgreSQL 16beta1 on x86_64-pc-linux-gnu", FLAVOR_POSTGRES, 16, 0, 0, 0, "" },
};

static void test_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
		const struct example *e = &examples[i];
		struct flavor f;
		assert_true(flavor_parse(e->version, &f));
		assert_int_equal(f.kind, e->kind);
		assert_int_equal(f.pg_major, e->pg_major);
		assert_int_equal(f.pg_minor, e->pg_minor);
		assert_int_equal(f.gp_major, e->gp_major);
		assert_int_equal(f.gp_minor, e->gp_minor);
		assert_string_equal(f.fork, e->fork);
	}
}

static void test_garbage(void **state)
{
	(void)state;
	struct flavor f;
	assert_false(flavor_parse(NULL, &f));
	assert_false(flavor_parse("", &f));
	assert_false(flavor_parse("MySQL 8.0.33", &f));
	assert_false(flavor_parse("PostgreSQL x.y", &f));
	assert_false(flavor_parse("PostgreSQL 9.4.26 (Greenplum Database dev)", &f));
}

static void test_capabilities(void **state)
{
	(void)state;
	struct flavor gp4, gp5, gp6, gp7, pg15, pg13;
	flavor_parse(examples[0].version, &gp4);
	flavor_parse(examples[1].version, &gp5);
	flavor_parse(examples[2].version, &gp6);
	flavor_parse(examples[3].version, &gp7);
	flavor_parse(examples[10].version, &pg15);
	flavor_parse("PostgreSQL 13.4 on x86_64", &pg13);

	assert_true(gp4.mpp && gp7.mpp);
	assert_false(pg15.mpp);
	assert_false(gp4.has_pg_extension);
	assert_true(gp5.has_pg_extension && gp6.has_pg_extension);
	assert_false(gp4.copy_on_segment);
	assert_true(gp5.copy_on_segment && gp7.copy_on_segment);
	assert_false(gp5.snapshot_export);
	assert_true(gp6.snapshot_export && pg15.snapshot_export);
	assert_true(gp6.classic_partitions && gp6.has_relstorage);
	assert_false(gp7.classic_partitions || gp7.has_relstorage);
	assert_true(gp7.native_partitions && gp7.has_relam_storage);
	assert_true(pg15.ctid_range_scan);
	assert_false(pg13.ctid_range_scan || gp7.ctid_range_scan);
	assert_true(gp6.has_abstime_types);
	assert_false(gp7.has_abstime_types);
	assert_false(gp4.has_pid_column);
	assert_true(gp6.has_pid_column);
}

static void test_describe_and_binary(void **state)
{
	(void)state;
	struct flavor a, b, c;
	char buf[160];
	flavor_parse(examples[2].version, &a);    /* GP6 */
	flavor_parse("PostgreSQL 9.4.24 (Greenplum Database 6.3.0 build dev) on x", &b);    /* ADB 6 */
	flavor_parse(examples[10].version, &c);   /* PG15 */
	flavor_describe(&a, buf, sizeof buf);
	assert_string_equal(buf, "Greenplum 6.25.0 (PostgreSQL 9.4)");
	flavor_describe(&b, buf, sizeof buf);
	assert_non_null(strstr(buf, "AnalyticDB"));
	flavor_describe(&c, buf, sizeof buf);
	assert_string_equal(buf, "PostgreSQL 15.18");
	assert_true(flavor_binary_compatible(&a, &b));
	assert_false(flavor_binary_compatible(&a, &c));
	assert_true(flavor_binary_compatible(&c, &c));
	/* format auto: binary into PostgreSQL, text into a coordinator that
	 * would parse every field of a binary row */
	assert_true(flavor_binary_preferred(&c, &c));
	assert_false(flavor_binary_preferred(&a, &a));
	assert_false(flavor_binary_preferred(&a, &b));

	struct flavor g;
	flavor_parse(examples[6].version, &g);
	assert_int_equal(g.kind, FLAVOR_GREENPLUM);
	flavor_mark_adb(&g);
	assert_int_equal(g.kind, FLAVOR_ADB);
	flavor_mark_adb(&c);    /* PostgreSQL never becomes ADB */
	assert_int_equal(c.kind, FLAVOR_POSTGRES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_describe_and_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
