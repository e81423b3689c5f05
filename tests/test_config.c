/* config: the loader's every error path, and a full file from DESIGN.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "mem.h"
#include "testutil.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_config.XXXXXX";
	dir = xstrdup(mkdtemp(tmpl));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	free(dir);
	return 0;
}

/* Load `text` written with `mode`; returns success, message in err. */
static bool load(const char *text, unsigned mode, struct plan *p, char *err, size_t n)
{
	char *path = xasprintf("%s/gp2adb.conf", dir);
	unlink(path);
	tu_write_file(path, text, mode);
	plan_init(p);
	bool ok = config_load(p, path, err, n);
	free(path);
	return ok;
}

static void expect_error(const char *text, unsigned mode, const char *needle1, const char *needle2)
{
	struct plan p;
	char err[600];
	bool ok = load(text, mode, &p, err, sizeof err);
	if (ok)
		fail_msg("expected an error containing '%s' for:\n%s", needle1, text);
	if (!strstr(err, needle1) || (needle2 && !strstr(err, needle2)))
		fail_msg("error '%s' lacks '%s' / '%s'", err, needle1, needle2 ? needle2 : "");
	plan_done(&p);
}

static void test_full_design_example(void **state)
{
	(void)state;
	const char *text =
		"source      = { host = \"mdw\"; port = 5432; user = \"gpadmin\"; dbname = \"warehouse\"; };\n"
		"destination = { host = \"gp-xxxx.gpdb.rds.aliyuncs.com\"; port = 5432; user = \"adbadmin\"; dbname = \"warehouse\"; mode = \"elastic\"; };\n"
		"ssh = { master = \"mdw\"; user = \"gpadmin\"; port = 22; identity = \"~/.ssh/id_ed25519\";\n"
		"        known_hosts = \"~/.ssh/known_hosts\"; gphome = \"/usr/local/greenplum-db\";\n"
		"        segment_hosts = [ \"sdw1\", \"sdw2\" ]; };\n"
		"migration = { databases = [ \"warehouse\" ]; include = [ \"public.*\" ]; exclude = [ \"public.tmp_*\" ];\n"
		"              jobs = 8; mode = \"append\"; format = \"text\"; split_threshold_mb = 512;\n"
		"              validate = \"checksum\"; analyze = false; retries = 3; retry_window_s = 600; };\n"
		"network = { source_reaches_destination = true; destination_reaches_source = false; };\n"
		"state_dir = \"~/.local/state/gp2adb\";\n";
	struct plan p;
	char err[600];
	setenv("HOME", "/home/op", 1);
	assert_true(load(text, 0644, &p, err, sizeof err));
	assert_string_equal(p.source.host, "mdw");
	assert_int_equal(p.source.port, 5432);
	assert_string_equal(p.destination.user, "adbadmin");
	assert_int_equal(p.instance_mode, INSTANCE_ELASTIC);
	assert_string_equal(p.ssh.identity, "/home/op/.ssh/id_ed25519");
	assert_string_equal(p.ssh.gphome, "/usr/local/greenplum-db");
	assert_int_equal(strv_len(p.ssh.segment_hosts), 2);
	assert_string_equal(p.ssh.segment_hosts[1], "sdw2");
	assert_int_equal(p.jobs, 8);
	assert_int_equal(p.mode, MODE_APPEND);
	assert_int_equal(p.format, FORMAT_TEXT);
	assert_int_equal(p.split_threshold_mb, 512);
	assert_int_equal(p.validate, VALIDATE_CHECKSUM);
	assert_false(p.analyze);
	assert_int_equal(p.retries, 3);
	assert_int_equal(p.retry_window_s, 600);
	assert_int_equal(p.source_reaches_destination, TRI_YES);
	assert_int_equal(p.destination_reaches_source, TRI_NO);
	assert_string_equal(p.state_dir, "/home/op/.local/state/gp2adb");
	assert_true(plan_selects(&p, "public", "orders"));
	assert_false(plan_selects(&p, "public", "tmp_x"));
	assert_false(plan_selects(&p, "sales", "orders"));
	assert_non_null(p.config_path);
	char id1[16], id2[16];
	plan_migration_id(&p, id1);
	assert_int_equal(strlen(id1), 13);
	assert_int_equal(id1[0], 'm');
	plan_migration_id(&p, id2);
	assert_string_equal(id1, id2);
	free(p.destination.dbname);
	p.destination.dbname = xstrdup("other");
	plan_migration_id(&p, id2);
	assert_string_not_equal(id1, id2);
	plan_done(&p);
}

static void test_defaults_and_databases(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	assert_true(load("migration = { databases = [ \"dw\" ]; };\n", 0600, &p, err, sizeof err));
	assert_int_equal(p.jobs, 4);
	assert_int_equal(p.mode, MODE_TRUNCATE);
	assert_int_equal(p.validate, VALIDATE_AGGREGATES);
	assert_true(p.analyze);
	assert_string_equal(p.source.dbname, "dw");
	assert_string_equal(p.destination.dbname, "dw");
	assert_true(plan_selects(&p, "any", "thing"));
	plan_done(&p);
	/* an empty file is a valid, all-defaults plan */
	assert_true(load("", 0600, &p, err, sizeof err));
	plan_done(&p);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	plan_init(&p);
	assert_false(config_load(&p, "/nonexistent/gp2adb.conf", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/gp2adb.conf: cannot open"));
	plan_done(&p);
}

static void test_not_regular_or_symlink(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	plan_init(&p);
	assert_false(config_load(&p, dir, err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
	char *target = xasprintf("%s/real.conf", dir), *link = xasprintf("%s/link.conf", dir);
	tu_write_file(target, "", 0600);
	assert_int_equal(symlink(target, link), 0);
	assert_false(config_load(&p, link, err, sizeof err));
	assert_non_null(strstr(err, "cannot open"));
	free(target);
	free(link);
	plan_done(&p);
}

static void test_syntax_error_line_2(void **state)
{
	(void)state;
	expect_error("source = { host = \"a\"; };\ndestination = { host = \"b\"; port = ; };\n", 0600,
		     "gp2adb.conf:2:", "syntax error");
}

static void test_password_mode_0644_refused(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	const char *text = "source = { host = \"mdw\"; password = \"Sup3rS3cret\"; };\n";
	assert_false(load(text, 0644, &p, err, sizeof err));
	assert_non_null(strstr(err, "permissions are 0644"));
	assert_non_null(strstr(err, "chmod 600"));
	assert_null(strstr(err, "Sup3rS3cret"));
	plan_done(&p);
	/* group-readable only is refused too; ssh password as well */
	expect_error("ssh = { password = \"x\"; };\n", 0640, "permissions are 0640", NULL);
	/* owner-only is accepted */
	assert_true(load(text, 0600, &p, err, sizeof err));
	assert_string_equal(p.source.password, "Sup3rS3cret");
	plan_done(&p);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_error("source = { host = \"a\"; };\nmigraton = { jobs = 2; };\n", 0600,
		     "gp2adb.conf:2: unknown key 'migraton'", "did you mean 'migration'?");
	expect_error("migration = {\n  jbos = 2;\n};\n", 0600,
		     "gp2adb.conf:2: unknown key 'jbos' in group 'migration'", "did you mean 'jobs'?");
	struct plan p;
	char err[600];
	assert_false(load("wholly_unrelated_setting = 1;\n", 0600, &p, err, sizeof err));
	assert_non_null(strstr(err, "unknown key 'wholly_unrelated_setting'"));
	assert_null(strstr(err, "did you mean"));
	plan_done(&p);
}

static void test_types_and_ranges(void **state)
{
	(void)state;
	expect_error("source = { port = \"5432\"; };\n", 0600, "'port' must be an integer from 1 to 65535", NULL);
	expect_error("source = { port = 70000; };\n", 0600, "'port' is 70000", "from 1 to 65535");
	expect_error("\nmigration = { jobs = 0; };\n", 0600, "gp2adb.conf:2: 'jobs' is 0", "from 1 to 64");
	expect_error("migration = { jobs = 65; };\n", 0600, "'jobs' is 65", NULL);
	expect_error("migration = { analyze = \"yes\"; };\n", 0600, "'analyze' must be true or false", NULL);
	expect_error("source = \"mdw\";\n", 0600, "'source' must be a group", NULL);
	expect_error("ssh = { segment_hosts = [ 1, 2 ]; };\n", 0600, "'segment_hosts' must be a list of strings", NULL);
	expect_error("state_dir = 5;\n", 0600, "'state_dir' must be a string", NULL);
	expect_error("migration = { split_threshold_mb = 0; };\n", 0600, "'split_threshold_mb' is 0", NULL);
	expect_error("migration = { retry_window_s = -1; };\n", 0600, "'retry_window_s' is -1", "from 0 to 86400");
}

static void test_enumerations(void **state)
{
	(void)state;
	expect_error("migration = { mode = \"overwrite\"; };\n", 0600,
		     "'mode' is \"overwrite\"", "truncate");
	expect_error("migration = { format = \"csv\"; };\n", 0600, "'format' is \"csv\"", NULL);
	expect_error("migration = { validate = \"md5xor\"; };\n", 0600, "'validate' is \"md5xor\"", NULL);
	expect_error("destination = { mode = \"v7\"; };\n", 0600, "'mode' is \"v7\"", "serverless");
	expect_error("source = {\n sslmode = \"always\"; };\n", 0600,
		     "gp2adb.conf:2: sslmode 'always'", "verify-full");
	expect_error("source = { dbname = \"a\"; };\nmigration = { databases = [ \"a\", \"b\" ]; };\n", 0600,
		     "gp2adb.conf:2: with several databases", "leave source.dbname and destination.dbname out");
	expect_error("migration = { databases = [ \"all\" ]; };\ndestination = { dbname = \"x\"; };\n", 0600,
		     "with several databases (or \"all\")", NULL);
	expect_error("migration = { databases = [ \"a\", \"b\", \"a\" ]; };\n", 0600,
		     "database \"a\" is listed twice", NULL);
	expect_error("migration = {\n backfill_keys = [ \"public.t:id\", \"orders\" ]; };\n", 0600,
		     "gp2adb.conf:2: backfill_keys entry \"orders\" is not schema.table:column", NULL);
}

static void test_several_databases(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	assert_true(load("migration = { databases = [ \"a\", \"b\" ]; };\n", 0600, &p, err, sizeof err));
	assert_null(p.source.dbname);
	assert_null(p.destination.dbname);
	assert_int_equal(strv_len(p.databases), 2);
	plan_done(&p);
	assert_true(load("migration = { databases = [ \"all\" ]; };\n", 0600, &p, err, sizeof err));
	assert_null(p.source.dbname);
	plan_done(&p);
}

static void test_source_encoding(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	/* any spelling PostgreSQL accepts, kept as its canonical name */
	assert_true(load("migration = { source_encoding = \"cp936\"; };\n", 0600, &p, err, sizeof err));
	assert_string_equal(p.source_encoding, "GBK");
	plan_done(&p);
	assert_true(load("migration = { source_encoding = \"utf-8\"; };\n", 0600, &p, err, sizeof err));
	assert_string_equal(p.source_encoding, "UTF8");
	plan_done(&p);
	assert_true(load("migration = { };\n", 0600, &p, err, sizeof err));
	assert_null(p.source_encoding);
	plan_done(&p);
	expect_error("migration = {\n source_encoding = \"klingon\"; };\n", 0600,
		     "gp2adb.conf:2: 'source_encoding' is \"klingon\"", "not a PostgreSQL encoding");
	expect_error("migration = { source_encoding = \"sql_ascii\"; };\n", 0600,
		     "'source_encoding' names the encoding", "UTF8");
}

/* The segment path's keys: the path, and the relay's addresses checked
 * when the file is read. */
static void test_segment_path_keys(void **state)
{
	(void)state;
	struct plan p;
	char err[600];
	assert_true(load("migration = { path = \"segment\"; segment_path_min_mb = 0;\n"
			 "  relay_listen = \"0.0.0.0:8099\"; relay_advertise = \"10.0.0.5\"; };\n", 0600, &p, err,
			 sizeof err));
	assert_int_equal(p.path, PATH_SEGMENT);
	assert_int_equal(p.segment_path_min_mb, 0);
	assert_string_equal(p.relay_listen, "0.0.0.0:8099");
	assert_string_equal(p.relay_advertise, "10.0.0.5");
	plan_done(&p);
	assert_true(load("migration = { relay_listen = \"[::]:0\"; relay_advertise = \"[fd00::5]:9000\"; };\n",
			 0600, &p, err, sizeof err));
	plan_done(&p);
	plan_init(&p);
	assert_int_equal(p.path, PATH_AUTO);
	assert_int_equal(p.segment_path_min_mb, 64);
	assert_null(p.relay_listen);
	plan_done(&p);
	expect_error("migration = { path = \"segments\"; };\n", 0600, "'path' is \"segments\"", "coordinator");
	expect_error("\nmigration = {\n relay_listen = \"0.0.0.0\"; };\n", 0600,
		     "gp2adb.conf:3: 'relay_listen' must be HOST:PORT", NULL);
	expect_error("migration = { relay_listen = \"h:70000\"; };\n", 0600, "'relay_listen' must be HOST:PORT", NULL);
	expect_error("migration = { relay_advertise = \"http://h\"; };\n", 0600, "'relay_advertise' must be HOST", NULL);
	expect_error("migration = { segment_path_min_mb = -1; };\n", 0600, "'segment_path_min_mb' is -1", NULL);
}

static void test_default_path(void **state)
{
	(void)state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	char *sub = xasprintf("%s/cwd", dir), *xdg = xasprintf("%s/xdg", dir);
	mkdir(sub, 0700);
	assert_int_equal(chdir(sub), 0);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	assert_null(config_default_path());
	char *xdgdir = xasprintf("%s/gp2adb", xdg), *xdgfile = xasprintf("%s/gp2adb/gp2adb.conf", xdg);
	mkdir(xdg, 0700);
	mkdir(xdgdir, 0700);
	tu_write_file(xdgfile, "", 0600);
	char *found = config_default_path();
	assert_string_equal(found, xdgfile);
	free(found);
	tu_write_file("gp2adb.conf", "", 0600);
	found = config_default_path();
	assert_string_equal(found, "gp2adb.conf");
	free(found);
	assert_int_equal(chdir(cwd), 0);
	free(sub); free(xdg); free(xdgdir); free(xdgfile);
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(config_distance("jobs", "jobs"), 0);
	assert_int_equal(config_distance("jbos", "jobs"), 2);
	assert_int_equal(config_distance("", "abc"), 3);
	assert_int_equal(config_distance("kitten", "sitting"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_design_example),
		cmocka_unit_test(test_defaults_and_databases),
		cmocka_unit_test(test_several_databases),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_regular_or_symlink),
		cmocka_unit_test(test_syntax_error_line_2),
		cmocka_unit_test(test_segment_path_keys),
		cmocka_unit_test(test_password_mode_0644_refused),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_types_and_ranges),
		cmocka_unit_test(test_enumerations),
		cmocka_unit_test(test_source_encoding),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_distance),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
