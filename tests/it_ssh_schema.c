/* gp2adb schema from a Greenplum source whose pg_dump runs on the master over
 * SSH.  The harness's source PostgreSQL answers version() like Greenplum 6
 * (schema gpcat first on the database's search_path); the sshd host 127.0.0.2
 * is the master (same filesystem), and its $GPHOME holds a greenplum_path.sh
 * and a bin/pg_dump that records how it was called, then runs the real
 * pg_dump without --gp-syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "mem.h"
#include "testutil.h"

#define DB "gpsrc"

static char *work, *gphome, *ssh_dir;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		fail_msg("out of memory");
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
	free(cmd);
}

static void expect_in(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("want \"%s\" in:\n%s", needle, text);
}

static char *gp_file(const char *name)
{
	char *path = xasprintf("%s/%s", gphome, name);
	char *text = access(path, F_OK) == 0 ? tu_read_file(path) : NULL;
	free(path);
	return text;
}

static void gp_clear(void)
{
	sh("rm -f %s/args %s/parent %s/passfile %s/passmode %s/passpath", gphome, gphome, gphome, gphome, gphome);
}

static int setup(void **state)
{
	(void)state;
	work = tu_tmpdir();
	ssh_dir = getenv("GP2ADB_TEST_SSH_DIR");
	if (!ssh_dir)
		fail_msg("GP2ADB_TEST_SSH_DIR is not set: run through tests/harness/run-test");
	gphome = xasprintf("%s/hosts/127.0.0.2/gphome", ssh_dir);

	/* The master's environment: its default socket directory is where the
	 * source listens (a real master's is /tmp). */
	char *text = xasprintf("PGHOST=%s; export PGHOST\nPATH=$GPHOME/bin:$PATH; export PATH\n",
			       getenv("GP2ADB_TEST_SRC_DATA"));
	char *path = xasprintf("%s/greenplum_path.sh", gphome);
	tu_write_file(path, text, 0644);
	free(path);
	free(text);
	path = xasprintf("%s/bin/pg_dump", gphome);
	tu_write_file(path,
		      "#!/bin/sh\n"
		      "# Greenplum's pg_dump, as far as the test needs: record the call, then run\n"
		      "# the real one without the Greenplum-only option.\n"
		      "printf '%s\\n' \"$@\" > \"$GPHOME/args\"\n"
		      "tr '\\0' ' ' < /proc/$PPID/cmdline > \"$GPHOME/parent\"\n"
		      "if [ -n \"${PGPASSFILE:-}\" ]; then\n"
		      "  stat -c %a \"$PGPASSFILE\" > \"$GPHOME/passmode\"\n"
		      "  cat \"$PGPASSFILE\" > \"$GPHOME/passfile\"\n"
		      "  printf '%s' \"$PGPASSFILE\" > \"$GPHOME/passpath\"\n"
		      "fi\n"
		      "n=$#; i=0\n"
		      "while [ $i -lt $n ]; do\n"
		      "  a=$1; shift; i=$((i + 1))\n"
		      "  case $a in --gp-syntax) ;; *) set -- \"$@\" \"$a\" ;; esac\n"
		      "done\n"
		      "exec \"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_dump\" \"$@\"\n",
		      0755);
	free(path);

	tu_createdb(TU_SRC, DB);
	tu_createdb(TU_DST, DB);
	PGconn *c = tu_connect(TU_SRC, DB);
	tu_exec(c,
		"CREATE SCHEMA gpcat;\n"
		"GRANT USAGE ON SCHEMA gpcat TO PUBLIC;\n"
		"CREATE FUNCTION gpcat.version() RETURNS text LANGUAGE sql AS\n"
		"$$ SELECT 'PostgreSQL 9.4.26 (Greenplum Database 6.25.0 build commit:a7ff2cf4a1 Open Source) "
		"on x86_64-unknown-linux-gnu, compiled by gcc 7.5.0, 64-bit'::text $$;\n"
		"ALTER DATABASE " DB " SET search_path = gpcat, pg_catalog, public;\n"
		"CREATE SCHEMA sales;\n"
		"CREATE TABLE sales.orders (id bigint PRIMARY KEY, customer text NOT NULL, "
		"  placed timestamptz DEFAULT now(), total numeric(12,2) CHECK (total >= 0));\n"
		"CREATE INDEX orders_customer ON sales.orders (customer);\n"
		"CREATE TABLE sales.lines (order_id bigint REFERENCES sales.orders, n int, sku text);\n"
		"CREATE SEQUENCE sales.invoice_no;\n"
		"CREATE VIEW sales.big AS SELECT id, total FROM sales.orders WHERE total > 1000;\n"
		"CREATE FUNCTION sales.tax(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT $1 * 0.2 $$;\n"
		"COMMENT ON TABLE sales.orders IS 'one row per order';\n"
		"CREATE ROLE lowpriv LOGIN;\n");
	PQfinish(c);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gp_clear();
	free(gphome);
	free(work);
	return 0;
}

/* A configuration in its own directory (so its own state). */
static char *write_conf(const char *name, const char *src_extra, const char *ssh_extra, const char *known_hosts)
{
	char *dir = xasprintf("%s/%s", work, name);
	sh("mkdir -p %s", dir);
	char *kh = known_hosts ? xstrdup(known_hosts) : xasprintf("%s/known_hosts", ssh_dir);
	char *conf = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf(
		"source = { host = \"127.0.0.1\"; port = %d; dbname = \"" DB "\"; %s };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"" DB "\"; };\n"
		"ssh = { master = \"127.0.0.2\"; user = \"root\"; port = %s;\n"
		"  identity = \"%s/client_key\"; known_hosts = \"%s\"; %s };\n"
		"state_dir = \"%s/state\";\n",
		tu_port(TU_SRC), src_extra, tu_port(TU_DST), getenv("GP2ADB_TEST_SSH_PORT"), ssh_dir, kh,
		ssh_extra, dir);
	tu_write_file(conf, text, 0600);
	free(text);
	free(kh);
	free(dir);
	return conf;
}

static int run(struct tu_run *r, const char *conf)
{
	const char *args[] = { "-c", conf, "schema", NULL };
	return tu_run_gp2adb(r, args);
}

static void test_dump_runs_on_the_master(void **state)
{
	(void)state;
	gp_clear();
	char *conf = write_conf("plain", "user = \"postgres\";", "", NULL);
	struct tu_run r;
	if (run(&r, conf) != 0)
		fail_msg("schema: exit %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
	tu_run_done(&r);

	/* Greenplum's pg_dump ran on the master: schema only, Greenplum syntax,
	 * the master's local socket (no -h), the source's port and user, and the
	 * database last (before 8.4, -d meant --inserts). */
	char *args = gp_file("args");
	assert_non_null(args);
	char *want = xasprintf("-s\n--gp-syntax\n-p\n%d\n-U\npostgres\n" DB "\n", tu_port(TU_SRC));
	assert_string_equal(args, want);
	free(want);
	free(args);
	char *pf = gp_file("passfile");
	assert_null(pf);    /* no password configured: none handed over */

	/* what was applied on the destination is the source's schema */
	char *d = fx_assert_same_schema(DB, DB);
	assert_non_null(strstr(d, "CREATE TABLE sales.orders"));
	assert_non_null(strstr(d, "CREATE INDEX orders_customer"));
	assert_non_null(strstr(d, "FOREIGN KEY (order_id) REFERENCES sales.orders(id)"));
	free(d);

	/* the dump is kept in the state directory */
	char *saved = xasprintf("sh -c 'grep -l \"CREATE TABLE sales.orders\" %s/plain/state/*/schema.sql'", work);
	sh("%s >/dev/null", saved);
	free(saved);
	free(conf);
}

/* The source password reaches the master's pg_dump in a 0600 pgpass file
 * that is gone afterwards, never in a command line or on the screen. */
static void test_password_goes_in_a_private_passfile(void **state)
{
	(void)state;
	gp_clear();
	tu_createdb(TU_DST, DB);
	char *conf = write_conf("password", "user = \"postgres\"; password = \"s3:cr\\\\et-pw\";", "", NULL);
	struct tu_run r;
	if (run(&r, conf) != 0)
		fail_msg("schema: exit %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
	assert_null(strstr(r.out, "s3:cr"));
	assert_null(strstr(r.err, "s3:cr"));
	tu_run_done(&r);

	char *mode = gp_file("passmode"), *content = gp_file("passfile"), *where = gp_file("passpath");
	assert_non_null(mode);
	assert_string_equal(mode, "600\n");
	assert_string_equal(content, "*:*:*:postgres:s3\\:cr\\\\et-pw\n");
	assert_true(access(where, F_OK) != 0);     /* removed once pg_dump finished */
	char *args = gp_file("args"), *parent = gp_file("parent");
	assert_null(strstr(args, "cr\\"));
	assert_non_null(strstr(parent, "--gp-syntax"));   /* the shell that ran pg_dump... */
	assert_null(strstr(parent, "et-pw"));             /* ...had no password in its command line */
	free(args);
	free(parent);
	free(mode);
	free(content);
	free(where);
	free(conf);
}

/* pg_dump failing on the master (a role that may not read schema sales):
 * exit 6, the host and pg_dump's own words. */
static void test_failing_remote_dump_names_host_and_error(void **state)
{
	(void)state;
	gp_clear();
	char *conf = write_conf("lowpriv", "user = \"lowpriv\";", "", NULL);
	struct tu_run r;
	int rc = run(&r, conf);
	if (rc != 6)
		fail_msg("schema: exit %d, want 6\nstdout:\n%s\nstderr:\n%s", rc, r.out, r.err);
	expect_in(r.err, "127.0.0.2: pg_dump -s --gp-syntax " DB " failed on the master (exit 1)");
	expect_in(r.err, "permission denied for schema sales");
	tu_run_done(&r);
	char *args = gp_file("args");
	assert_non_null(strstr(args, "-U\nlowpriv\n"));
	free(args);
	free(conf);

	/* no Greenplum where ssh.gphome says */
	gp_clear();
	conf = write_conf("nogphome", "user = \"postgres\";", "gphome = \"/nonexistent/gp\";", NULL);
	rc = run(&r, conf);
	if (rc != 6)
		fail_msg("schema: exit %d, want 6\nstdout:\n%s\nstderr:\n%s", rc, r.out, r.err);
	expect_in(r.err, "127.0.0.2: ");
	expect_in(r.err, "no greenplum_path.sh in GPHOME (/nonexistent/gp): set ssh.gphome");
	tu_run_done(&r);
	assert_null(gp_file("args"));
	free(conf);
}

/* A master presenting another key than known_hosts holds: refused, nothing run. */
static void test_host_key_mismatch_runs_nothing(void **state)
{
	(void)state;
	gp_clear();
	char *kh = xasprintf("%s/known_hosts.changed", work);
	const char *port = getenv("GP2ADB_TEST_SSH_PORT");
	sh("ssh-keygen -q -t ed25519 -N '' -f %s/other_key && grep -v '^\\[127.0.0.2\\]' %s/known_hosts > %s && "
	   "echo \"[127.0.0.2]:%s $(cut -d' ' -f1-2 %s/other_key.pub)\" >> %s",
	   work, ssh_dir, kh, port, work, kh);
	char *conf = write_conf("mismatch", "user = \"postgres\";", "", kh);
	struct tu_run r;
	int rc = run(&r, conf);
	if (rc != 6)
		fail_msg("schema: exit %d, want 6\nstdout:\n%s\nstderr:\n%s", rc, r.out, r.err);
	expect_in(r.err, "127.0.0.2: HOST KEY MISMATCH, refused");
	tu_run_done(&r);
	assert_null(gp_file("args"));
	free(conf);
	free(kh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_runs_on_the_master),
		cmocka_unit_test(test_password_goes_in_a_private_passfile),
		cmocka_unit_test(test_failing_remote_dump_names_host_and_error),
		cmocka_unit_test(test_host_key_mismatch_runs_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
