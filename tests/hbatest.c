#include "hbatest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

struct hbatest ht;

static const char restrictive_hba[] =
	"# test: the operator's box may connect; nobody else over TCP\n"
	"local   all   all                    trust\n"
	"host    all   postgres  127.0.0.1/32  trust";     /* no final newline, on purpose */

bool ht_admitted(char *why, size_t size)
{
	char ci[200];
	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d user=mover password=mover-pw dbname=postgres "
		 "connect_timeout=5", tu_port(TU_SRC));
	PGconn *c = PQconnectdb(ci);
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (why)
		snprintf(why, size, "%s", PQerrorMessage(c));
	PQfinish(c);
	return ok;
}

bool ht_reload_and_wait(bool want)
{
	PGconn *c = tu_connect(TU_SRC, "postgres");
	tu_exec(c, "SELECT pg_reload_conf()");
	PQfinish(c);
	/* the postmaster reloads asynchronously */
	for (int i = 0; i < 200; i++) {
		if (ht_admitted(NULL, 0) == want)
			return true;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return false;
}

void ht_reset(void)
{
	unlink(ht.hba);
	tu_write_file(ht.hba, restrictive_hba, 0600);
	char *cmd = xasprintf("chown postgres %s", ht.hba);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_true(ht_reload_and_wait(false));
	char why[300];
	assert_false(ht_admitted(why, sizeof why));
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
}

void ht_setup(void)
{
	ht.work = tu_tmpdir();
	ht.data = xstrdup(getenv("GP2ADB_TEST_SRC_DATA"));
	ht.hba = xasprintf("%s/pg_hba.conf", ht.data);
	PGconn *c = tu_connect(TU_SRC, "postgres");
	tu_exec(c, "CREATE ROLE mover SUPERUSER LOGIN PASSWORD 'mover-pw'");
	PQfinish(c);
	ht_reset();
	ht.orig = tu_read_file(ht.hba);
}

void ht_teardown(void)
{
	free(ht.work);
	free(ht.data);
	free(ht.hba);
	free(ht.orig);
	memset(&ht, 0, sizeof ht);
}

char *ht_conf(const char *name, const struct ht_conf *c)
{
	static const struct ht_conf none;
	if (!c)
		c = &none;
	const char *ssh = getenv("GP2ADB_TEST_SSH_DIR");
	char *pw = c->password ? xasprintf(" password = \"%s\";", c->password) : xstrdup("");
	char port[16];
	if (c->ssh_port)
		snprintf(port, sizeof port, "%d", c->ssh_port);
	else
		snprintf(port, sizeof port, "%s", getenv("GP2ADB_TEST_SSH_PORT"));
	char *path = xasprintf("%s/%s.conf", ht.work, name);
	char *text = xasprintf(
		"source = { host = \"%s\"; port = %d; user = \"mover\"; dbname = \"postgres\";%s };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"%s\"; };\n"
		"ssh = { master = \"%s\"; user = \"root\"; port = %s;\n"
		"  identity = \"%s/client_key\"; known_hosts = \"%s/known_hosts\"; };\n"
		"state_dir = \"%s/%s\";\n",
		c->src_host ? c->src_host : ht.data, tu_port(TU_SRC), pw, tu_port(TU_DST),
		c->dst_db ? c->dst_db : "postgres", c->ssh_master ? c->ssh_master : "127.0.0.2", port,
		ssh, ssh, ht.work, c->state ? c->state : "state");
	tu_write_file(path, text, 0600);
	free(text);
	free(pw);
	return path;
}

void ht_expect(struct tu_run *r, int want, const char *conf, const char *const *args)
{
	const char *argv[16] = { "-c", conf };
	size_t n = 2;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int rc = tu_run_gp2adb(r, argv);
	if (rc != want) {
		char cmd[300] = "";
		for (size_t i = 2; i < n; i++)
			snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", argv[i]);
		fail_msg("gp2adb%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", cmd, rc, want, r->out, r->err);
	}
}

void ht_assert_restored(void)
{
	char *now = tu_read_file(ht.hba);
	assert_non_null(now);
	assert_string_equal(now, ht.orig);
	free(now);
	struct stat st;
	assert_int_equal(stat(ht.hba, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char why[300];
	if (ht_admitted(why, sizeof why))
		fail_msg("mover is still admitted: the server did not drop gp2adb's rule");
	assert_non_null(strstr(why, "no pg_hba.conf entry"));
}

bool ht_is_symlink(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}
