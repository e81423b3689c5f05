/* gp2adb install-gpcopy with the segment hosts read from a real Greenplum
 * 6's gp_segment_configuration.  The harness's cluster has every instance
 * on 127.0.0.1, where run-gp-test starts an sshd host too; 127.0.0.2-5 are
 * further sshd hosts, each with its own $GPHOME.  The gpcopy tarball is a
 * stand-in (gpcopy is commercial): two scripts that print their version,
 * installed and run as the real ones would be.
 *   - a single-host cluster: the master host is the segment host, and gets
 *     gpcopy and gpcopy_helper once;
 *   - a master on another host (127.0.0.2): it gets both, the segment host
 *     127.0.0.1 gpcopy_helper alone; no other host is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "mem.h"
#include "ssh.h"
#include "gptest.h"

static char *ssh_dir, *work;

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static char *host_file(const char *ip, const char *name)
{
	return xasprintf("%s/hosts/%s/gphome/bin/%s", ssh_dir, ip, name);
}

static void sha_of(const char *path, char out[65])
{
	char *text = tu_read_file(path);
	if (!text)
		fail_msg("cannot read %s", path);
	journal_sha256_hex(text, strlen(text), out);
	free(text);
}

/* The stand-in tarball gpcopy-VERSION.tar.gz; the shas of its two files. */
static char *make_tarball(const char *version, char gpcopy_sha[65], char helper_sha[65])
{
	char *top = xasprintf("%s/tb/gpcopy-%s", work, version);
	char *cmd = xasprintf("mkdir -p %s", top);
	sh(cmd);
	free(cmd);
	const char *names[] = { "gpcopy", "gpcopy_helper" };
	char *shas[] = { gpcopy_sha, helper_sha };
	for (int i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", top, names[i]);
		char *text = xasprintf("#!/bin/sh\necho \"%s version %s\"\n", names[i], version);
		tu_write_file(p, text, 0644);
		sha_of(p, shas[i]);
		free(text);
		free(p);
	}
	char *tb = xasprintf("%s/gpcopy-%s.tar.gz", work, version);
	cmd = xasprintf("tar -czf %s -C %s/tb gpcopy-%s", tb, work, version);
	sh(cmd);
	free(cmd);
	free(top);
	return tb;
}

static int group_setup(void **state)
{
	(void)state;
	const char *d = getenv("GP2ADB_TEST_SSH_DIR");
	if (!d)
		fail_msg("GP2ADB_TEST_SSH_DIR is not set: run through tests/harness/run-gp-test");
	ssh_dir = xstrdup(d);
	work = tu_tmpdir();
	gpt_createdb(TU_SRC, "gpinst");
	return 0;
}

static char *config_for(const char *master)
{
	char *extra = xasprintf("ssh = { master = \"%s\"; user = \"root\"; port = %s;\n"
				"  identity = \"%s/client_key\"; known_hosts = \"%s/known_hosts\"; };\n",
				master, getenv("GP2ADB_TEST_SSH_PORT"), ssh_dir, ssh_dir);
	char *conf = gpt_config("gpinst", "postgres", extra, NULL);
	free(extra);
	return conf;
}

static void assert_installed(const char *ip, const char *name, const char *sha)
{
	char *p = host_file(ip, name);
	struct stat st;
	if (stat(p, &st) != 0)
		fail_msg("%s is missing", p);
	assert_int_equal(st.st_mode & 0777, 0755);
	char got[65];
	sha_of(p, got);
	assert_string_equal(got, sha);
	free(p);
}

static void assert_absent(const char *ip, const char *name)
{
	char *p = host_file(ip, name);
	if (access(p, F_OK) == 0)
		fail_msg("%s should not be there", p);
	free(p);
}

static int install(struct tu_run *r, const char *conf, const char *tb)
{
	return tu_run_gp2adb(r, (const char *[]){ "-c", conf, "install-gpcopy", "--tarball", tb, NULL });
}

static void test_single_host_cluster(void **state)
{
	(void)state;
	/* what the real catalog says */
	PGconn *c = tu_connect(TU_SRC, "gpinst");
	char *hosts = tu_value(c, "SELECT string_agg(DISTINCT address, ',') FROM gp_segment_configuration "
				  "WHERE role = 'p' AND content >= 0");
	assert_string_equal(hosts, "127.0.0.1");
	free(hosts);
	PQfinish(c);

	char gpcopy_sha[65], helper_sha[65];
	char *tb = make_tarball("2.3.2", gpcopy_sha, helper_sha);
	char *conf = config_for("127.0.0.1");
	struct tu_run r;
	int rc = install(&r, conf, tb);
	if (rc != 0)
		fail_msg("install-gpcopy: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("install-gpcopy's summary", r.out, "127.0.0.1            master   installed  gpcopy version 2.3.2");
	assert_null(strstr(r.out, "segment "));       /* one host: the master is the segment host */
	tu_run_done(&r);
	assert_installed("127.0.0.1", "gpcopy", gpcopy_sha);
	assert_installed("127.0.0.1", "gpcopy_helper", helper_sha);
	for (int i = 2; i <= 5; i++) {
		char ip[16];
		snprintf(ip, sizeof ip, "127.0.0.%d", i);
		assert_absent(ip, "gpcopy");
		assert_absent(ip, "gpcopy_helper");
	}
	free(conf);
	free(tb);
}

static void test_master_on_another_host(void **state)
{
	(void)state;
	char gpcopy_sha[65], helper_sha[65], old_gpcopy_sha[65];
	char *p = host_file("127.0.0.1", "gpcopy");
	sha_of(p, old_gpcopy_sha);
	free(p);
	char *tb = make_tarball("2.3.3", gpcopy_sha, helper_sha);
	char *conf = config_for("127.0.0.2");
	struct tu_run r;
	int rc = install(&r, conf, tb);
	if (rc != 0)
		fail_msg("install-gpcopy: exit %d\n%s\n%s", rc, r.out, r.err);
	gpt_expect_text("install-gpcopy's summary", r.out, "127.0.0.2            master   installed  gpcopy version 2.3.3");
	gpt_expect_text("install-gpcopy's summary", r.out,
			"127.0.0.1            segment  installed  gpcopy_helper version 2.3.3");
	tu_run_done(&r);
	assert_installed("127.0.0.2", "gpcopy", gpcopy_sha);
	assert_installed("127.0.0.2", "gpcopy_helper", helper_sha);
	assert_installed("127.0.0.1", "gpcopy_helper", helper_sha);
	/* gpcopy itself goes to the master only: 127.0.0.1 keeps the one it had */
	assert_installed("127.0.0.1", "gpcopy", old_gpcopy_sha);
	for (int i = 3; i <= 5; i++) {
		char ip[16];
		snprintf(ip, sizeof ip, "127.0.0.%d", i);
		assert_absent(ip, "gpcopy_helper");
	}
	free(conf);
	free(tb);
}

int main(void)
{
	ssh_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_host_cluster),
		cmocka_unit_test(test_master_on_another_host),
	};
	int rc = GPT_RUN_SETUP(tests, group_setup);
	free(ssh_dir);
	free(work);
	return rc;
}
