/* gp2adb install-gpcopy on four real sshd hosts (tests/harness/sshd):
 * 127.0.0.2 is the master, 127.0.0.3-5 the segment hosts, each with its own
 * $GPHOME.  The segment hosts are discovered from gp_segment_configuration,
 * reproduced in its Greenplum shape on the source server. */
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
#include "testutil.h"

static char *ssh_dir, *work, *tarball, *conf;
static char gpcopy_sha[65], helper_sha[65];

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

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static char *make_tarball(const char *version)
{
	char *top = xasprintf("%s/tb/gpcopy-%s", work, version);
	sh("mkdir -p %s", top);
	char *p = xasprintf("%s/gpcopy", top);
	char *text = xasprintf("#!/bin/sh\necho \"gpcopy version %s\"\n", version);
	tu_write_file(p, text, 0644);
	free(p);
	free(text);
	p = xasprintf("%s/gpcopy_helper", top);
	text = xasprintf("#!/bin/sh\n# the helper\necho \"gpcopy_helper version %s\"\n", version);
	tu_write_file(p, text, 0644);
	free(p);
	free(text);
	char *tb = xasprintf("%s/gpcopy-%s.tar.gz", work, version);
	sh("tar -czf %s -C %s/tb gpcopy-%s", tb, work, version);
	free(top);
	return tb;
}

static int setup(void **state)
{
	(void)state;
	const char *d = getenv("GP2ADB_TEST_SSH_DIR");
	if (!d)
		fail_msg("GP2ADB_TEST_SSH_DIR is not set: run through tests/harness/run-test");
	ssh_dir = xstrdup(d);
	work = tu_tmpdir();
	tarball = make_tarball("2.3.2");
	char *p = xasprintf("%s/tb/gpcopy-2.3.2/gpcopy", work);
	sha_of(p, gpcopy_sha);
	free(p);
	p = xasprintf("%s/tb/gpcopy-2.3.2/gpcopy_helper", work);
	sha_of(p, helper_sha);
	free(p);

	/* gp_segment_configuration as Greenplum 6 has it: master, primaries, mirrors */
	tu_createdb(TU_SRC, "gpsrc");
	PGconn *c = tu_connect(TU_SRC, "gpsrc");
	tu_exec(c, "CREATE TABLE gp_segment_configuration (dbid int2, content int2, role char, "
		   "preferred_role char, mode char, status char, port int4, hostname text, address text, datadir text);"
		   "INSERT INTO gp_segment_configuration VALUES "
		   "(1, -1, 'p', 'p', 'n', 'u', 5432, 'mdw', '127.0.0.2', '/data/master/gpseg-1'),"
		   "(2, 0, 'p', 'p', 's', 'u', 6000, 'sdw1', '127.0.0.3', '/data/primary/gpseg0'),"
		   "(3, 1, 'p', 'p', 's', 'u', 6001, 'sdw1', '127.0.0.3', '/data/primary/gpseg1'),"
		   "(4, 2, 'p', 'p', 's', 'u', 6000, 'sdw2', '127.0.0.4', '/data/primary/gpseg2'),"
		   "(5, 3, 'p', 'p', 's', 'u', 6000, 'sdw3', '127.0.0.5', '/data/primary/gpseg3'),"
		   "(6, 0, 'm', 'm', 's', 'u', 7000, 'sdw9', '127.0.0.9', '/data/mirror/gpseg0')");
	PQfinish(c);
	char *extra = xasprintf("ssh = { master = \"127.0.0.2\"; user = \"root\"; port = %s;\n"
				"  identity = \"%s/client_key\"; known_hosts = \"%s/known_hosts\"; };\n",
				getenv("GP2ADB_TEST_SSH_PORT"), ssh_dir, ssh_dir);
	conf = tu_write_config(work, "gpsrc", "postgres", extra);
	free(extra);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ssh_dir);
	free(work);
	free(tarball);
	free(conf);
	return 0;
}

static int run_install(struct tu_run *r, const char *tb, const char *config)
{
	const char *args[] = { "-c", config, "install-gpcopy", "--tarball", tb, NULL };
	return tu_run_gp2adb(r, args);
}

static void assert_installed(const char *ip, const char *name, const char *want_sha)
{
	char *p = host_file(ip, name);
	struct stat st;
	if (stat(p, &st) != 0)
		fail_msg("%s is missing", p);
	assert_int_equal(st.st_mode & 0777, 0755);
	char sha[65];
	sha_of(p, sha);
	assert_string_equal(sha, want_sha);
	free(p);
}

static const char *const segs[] = { "127.0.0.3", "127.0.0.4", "127.0.0.5" };

static void test_install_master_and_segments(void **state)
{
	(void)state;
	struct tu_run r;
	int rc = run_install(&r, tarball, conf);
	if (rc != 0)
		fail_msg("install exit %d\n%s\n%s", rc, r.out, r.err);
	assert_installed("127.0.0.2", "gpcopy", gpcopy_sha);
	assert_installed("127.0.0.2", "gpcopy_helper", helper_sha);
	for (int i = 0; i < 3; i++) {
		assert_installed(segs[i], "gpcopy_helper", helper_sha);
		char *p = host_file(segs[i], "gpcopy");
		assert_int_equal(access(p, F_OK), -1);          /* gpcopy itself: master only */
		free(p);
	}
	/* the summary names each host with its verified --version; the mirror host is not touched */
	assert_non_null(strstr(r.out, "127.0.0.2            master   installed  gpcopy version 2.3.2"));
	assert_non_null(strstr(r.out, "127.0.0.5            segment  installed  gpcopy_helper version 2.3.2"));
	assert_null(strstr(r.out, "127.0.0.9"));
	assert_null(strstr(r.err, "SSL"));
	tu_run_done(&r);

	/* a second run changes nothing: same inode, same mtime */
	struct stat before[4], after[4];
	char *paths[4] = { host_file("127.0.0.2", "gpcopy"), host_file(segs[0], "gpcopy_helper"),
			   host_file(segs[1], "gpcopy_helper"), host_file(segs[2], "gpcopy_helper") };
	for (int i = 0; i < 4; i++)
		assert_int_equal(stat(paths[i], &before[i]), 0);
	assert_int_equal(run_install(&r, tarball, conf), 0);
	assert_null(strstr(r.out, " installed "));
	assert_non_null(strstr(r.out, "127.0.0.4            segment  unchanged"));
	tu_run_done(&r);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(stat(paths[i], &after[i]), 0);
		assert_int_equal(before[i].st_ino, after[i].st_ino);
		assert_int_equal(before[i].st_mtim.tv_nsec, after[i].st_mtim.tv_nsec);
		free(paths[i]);
	}
}

static void test_unwritable_host_fails_alone(void **state)
{
	(void)state;
	/* a new version to install; sdw2's bin is not a writable directory */
	char *tb = make_tarball("2.4.1");
	char *bin = xasprintf("%s/hosts/127.0.0.4/gphome/bin", ssh_dir);
	sh("rm -rf %s && echo 'not a directory' > %s", bin, bin);
	struct tu_run r;
	assert_int_equal(run_install(&r, tb, conf), 6);
	assert_non_null(strstr(r.out, "127.0.0.4            segment  FAILED"));
	assert_non_null(strstr(r.err, "1 of 4 hosts failed: 127.0.0.4."));
	assert_non_null(strstr(r.err, "SSL"));            /* 2.4+ warns about SSL */
	assert_non_null(strstr(r.out, "127.0.0.3            segment  installed  gpcopy_helper version 2.4.1"));
	assert_non_null(strstr(r.out, "127.0.0.5            segment  installed"));
	assert_non_null(strstr(r.out, "127.0.0.2            master   installed  gpcopy version 2.4.1"));
	tu_run_done(&r);

	/* fixed, the rerun installs on that host only */
	sh("rm -f %s && mkdir %s", bin, bin);
	assert_int_equal(run_install(&r, tb, conf), 0);
	assert_non_null(strstr(r.out, "127.0.0.4            segment  installed"));
	assert_non_null(strstr(r.out, "127.0.0.3            segment  unchanged"));
	assert_non_null(strstr(r.out, "127.0.0.2            master   unchanged"));
	tu_run_done(&r);
	char *p = xasprintf("%s/tb/gpcopy-2.4.1/gpcopy_helper", work);
	char sha[65];
	sha_of(p, sha);
	assert_installed("127.0.0.4", "gpcopy_helper", sha);
	free(p);
	free(bin);
	free(tb);
}

static void test_changed_host_key_is_refused(void **state)
{
	(void)state;
	/* known_hosts holds another key for 127.0.0.3, as after a host was replaced (or an attack) */
	char *kh = xasprintf("%s/known_hosts.changed", work);
	char *other = xasprintf("%s/otherkey", work);
	const char *port = getenv("GP2ADB_TEST_SSH_PORT");
	sh("ssh-keygen -q -t ed25519 -N '' -f %s && grep -v '^\\[127.0.0.3\\]' %s/known_hosts > %s && "
	   "echo \"[127.0.0.3]:%s $(cut -d' ' -f1-2 %s.pub)\" >> %s", other, ssh_dir, kh, port, other, kh);
	char *extra = xasprintf("ssh = { master = \"127.0.0.2\"; user = \"root\"; port = %s;\n"
				"  identity = \"%s/client_key\"; known_hosts = \"%s\";\n"
				"  segment_hosts = [ \"127.0.0.3\" ]; };\n", port, ssh_dir, kh);
	char *dir = tu_tmpdir();
	char *c2 = tu_write_config(dir, "gpsrc", "postgres", extra);
	char *helper = host_file("127.0.0.3", "gpcopy_helper");
	unlink(helper);
	char *tb = make_tarball("2.3.3");

	struct tu_run r;
	assert_int_equal(run_install(&r, tb, c2), 6);
	assert_non_null(strstr(r.out, "127.0.0.3: HOST KEY MISMATCH, refused"));
	/* both fingerprints, as ssh-keygen prints them */
	char *cmd = xasprintf("ssh-keygen -lf %s.pub | cut -d' ' -f2; ssh-keygen -lf %s/hosts/127.0.0.3/host_key.pub | cut -d' ' -f2",
			      other, ssh_dir);
	FILE *f = popen(cmd, "r");
	char known[80] = "", presented[80] = "";
	assert_non_null(fgets(known, sizeof known, f));
	assert_non_null(fgets(presented, sizeof presented, f));
	pclose(f);
	known[strcspn(known, "\n")] = '\0';
	presented[strcspn(presented, "\n")] = '\0';
	assert_non_null(strstr(r.out, known));
	assert_non_null(strstr(r.out, presented));
	assert_non_null(strstr(r.out, "127.0.0.2            master   installed"));
	assert_non_null(strstr(r.err, "1 of 2 hosts failed: 127.0.0.3."));
	/* nothing written there */
	assert_int_equal(access(helper, F_OK), -1);
	char *hostbin = xasprintf("ls -A %s/hosts/127.0.0.3/gphome/bin | grep -q .", ssh_dir);
	assert_int_not_equal(system(hostbin), 0);
	tu_run_done(&r);
	free(hostbin);
	free(cmd);
	free(tb);
	free(helper);
	free(c2);
	free(dir);
	free(extra);
	free(other);
	free(kh);
}

/* The API the wizard uses: an unknown host shown by fingerprint and trusted
 * explicitly; exec with stdout, stderr and a reliable exit status. */
static void test_session_trust_and_exec(void **state)
{
	(void)state;
	char *kh = xasprintf("%s/known_hosts.partial", work);
	char *cmd = xasprintf("grep -v '^\\[127.0.0.5\\]' %s/known_hosts > %s", ssh_dir, kh);
	sh("%s", cmd);
	free(cmd);
	char *key = xasprintf("%s/client_key", ssh_dir);
	struct ssh_opts o = { .user = "root", .port = atoi(getenv("GP2ADB_TEST_SSH_PORT")),
			      .identity = key, .known_hosts = kh, .timeout_ms = 10000 };
	struct ssh_hostkey hk;
	char err[1024];
	assert_null(ssh_connect(&o, "127.0.0.5", &hk, err, sizeof err));
	assert_int_equal(hk.check, SSH_HOSTKEY_UNKNOWN);
	assert_string_equal(hk.type, "ssh-ed25519");
	cmd = xasprintf("ssh-keygen -lf %s/hosts/127.0.0.5/host_key.pub | cut -d' ' -f2", ssh_dir);
	FILE *f = popen(cmd, "r");
	char want[80] = "";
	assert_non_null(fgets(want, sizeof want, f));
	pclose(f);
	free(cmd);
	want[strcspn(want, "\n")] = '\0';
	assert_string_equal(hk.fingerprint, want);
	assert_non_null(strstr(err, want));
	assert_true(ssh_trust_hostkey(&o, "127.0.0.5", &hk, err, sizeof err));
	ssh_hostkey_done(&hk);

	struct ssh_session *s = ssh_connect(&o, "127.0.0.5", &hk, err, sizeof err);
	if (!s)
		fail_msg("after trusting: %s", err);
	assert_int_equal(hk.check, SSH_HOSTKEY_MATCH);
	ssh_hostkey_done(&hk);
	struct ssh_result r;
	ssh_result_init(&r);
	assert_true(ssh_exec(s, "echo out; echo err >&2; exit 3", NULL, 0, &r, err, sizeof err));
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out.data, "out\n");
	assert_string_equal(r.err.data, "err\n");
	assert_true(ssh_exec(s, "cat; printf tail", "from stdin\n", 11, &r, err, sizeof err));
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out.data, "from stdin\ntail");
	/* the shell around the command dies: no status arrives, and that is a failure */
	assert_false(ssh_exec(s, "kill -9 $PPID", NULL, 0, &r, err, sizeof err));
	assert_non_null(strstr(err, "without reporting its exit status"));
	ssh_result_done(&r);
	ssh_close(s);
	free(key);
	free(kh);
}

int main(void)
{
	ssh_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_master_and_segments),
		cmocka_unit_test(test_unwritable_host_fails_alone),
		cmocka_unit_test(test_changed_host_key_is_refused),
		cmocka_unit_test(test_session_trust_and_exec),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
