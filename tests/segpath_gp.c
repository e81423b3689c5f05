/* segpath_gp: the two Greenplum clusters of the it_gp_* tests (segpath_gp.h). */
#include "segpath_gp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"

static char *gp_dir;            /* holds the two clusters */
static const char *names[2] = { "src", "dst" };
static bool owned;
static void teardown(void);              /* made (and to be destroyed) by this program */
static int reaper_fd = -1;      /* its closing tells the reaper this program is gone */
static pid_t reaper_pid;
static char cluster_path[2][512];

static const char *harness_gp(void)
{
	static char path[512];
	const char *h = getenv("GP2ADB_HARNESS");
	const char *src = getenv("GP2ADB_SRCDIR");
	if (h)
		snprintf(path, sizeof path, "%s/gp", h);
	else
		snprintf(path, sizeof path, "%s/tests/harness/gp", src ? src : ".");
	return path;
}

/* Run tests/harness/gp with args; its stdout into *out (may be NULL).
 * Returns the exit status. */
static int run_gp(const char *cmd, const char *name, const char *nseg, char **out)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/bin/sh", "sh", harness_gp(), cmd, gp_dir, name, nseg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	while ((n = read(p[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (out)
		*out = xstrdup(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Destroys the clusters when this program ends, however it ends: it waits
 * on a pipe only this program holds open. */
static void start_reaper(void)
{
	int p[2];
	if (pipe(p) != 0)
		return;
	reaper_pid = fork();
	if (reaper_pid == 0) {
		close(p[1]);
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		char c;
		while (read(p[0], &c, 1) > 0)
			;
		if (access(gp_dir, F_OK) == 0) {
			(void)run_gp("destroy", names[TU_SRC], NULL, NULL);
			(void)run_gp("destroy", names[TU_DST], NULL, NULL);
			rmdir(gp_dir);
		}
		_exit(0);
	}
	close(p[0]);
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
	reaper_fd = p[1];
}

static char *env_value(const char *env, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = env; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == '=')
			return xstrndup(p + kl + 1, ll - kl - 1);
		p = nl ? nl + 1 : p + ll;
	}
	return NULL;
}

static char *cluster_env(enum tu_side side)
{
	char *path = xasprintf("%s/cluster.env", sgp_cluster(side));
	char *text = tu_read_file(path);
	free(path);
	return text;
}

static int env_int(enum tu_side side, const char *key)
{
	char *env = cluster_env(side);
	char *v = env_value(env, key);
	int n = v ? atoi(v) : -1;
	free(v);
	free(env);
	return n;
}

/* The runner's lock: one Greenplum test program at a time per build
 * directory (held until this program ends). */
static void take_lock(void)
{
	const char *dir = getenv("GP2ADB_BUILDDIR");
	char *path = xasprintf("%s/.gp-test.lock", dir && dir[0] ? dir : "/tmp");
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	free(path);
	if (fd >= 0)
		(void)flock(fd, LOCK_EX);
}

static void setup(void)
{
	const char *skip = getenv("GP2ADB_TEST_GP_SKIP");
	if (skip && skip[0]) {
		/* the runner has no Greenplum: it counts a skip, not an error */
		printf("1..0 # SKIP %s\n", skip);
		fflush(stdout);
		exit(0);
	}
	const char *given = getenv("GP2ADB_TEST_GP_DIR");
	if (given && given[0]) {
		gp_dir = xstrdup(given);
		if (getenv("GP2ADB_TEST_GP_SRC"))
			names[TU_SRC] = getenv("GP2ADB_TEST_GP_SRC");
		if (getenv("GP2ADB_TEST_GP_DST"))
			names[TU_DST] = getenv("GP2ADB_TEST_GP_DST");
	} else {
		if (!getenv("GP2ADB_TEST_GPHOME") || !getenv("GP2ADB_TEST_GPHOME")[0]) {
			printf("1..0 # SKIP GP2ADB_TEST_GPHOME is not set (the prefix of an installed Greenplum 6)\n");
			fflush(stdout);
			exit(77);
		}
		take_lock();
		char tmpl[] = "/tmp/gp2adb-gp.XXXXXX";
		if (!mkdtemp(tmpl)) {
			printf("Bail out! cannot make a directory for the Greenplum clusters\n");
			exit(99);
		}
		chmod(tmpl, 0755);
		gp_dir = xstrdup(tmpl);
		owned = true;
		start_reaper();
		/* both at once: each copies its template and starts its instances */
		pid_t a = fork();
		if (a == 0)
			_exit(run_gp("init", names[TU_SRC], "3", NULL));
		int rb = run_gp("init", names[TU_DST], "4", NULL);
		int st = 0;
		waitpid(a, &st, 0);
		if (rb != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("Bail out! cannot start the Greenplum clusters (tests/harness/gp init)\n");
			teardown();
			exit(99);
		}
	}
	snprintf(cluster_path[TU_SRC], sizeof cluster_path[0], "%s/%s", gp_dir, names[TU_SRC]);
	snprintf(cluster_path[TU_DST], sizeof cluster_path[1], "%s/%s", gp_dir, names[TU_DST]);
	for (int s = TU_SRC; s <= TU_DST; s++) {
		char port[16];
		snprintf(port, sizeof port, "%d", env_int((enum tu_side)s, "MASTER_PORT"));
		setenv(s == TU_SRC ? "GP2ADB_TEST_SRC_PORT" : "GP2ADB_TEST_DST_PORT", port, 1);
	}
}

static void teardown(void)
{
	if (owned && gp_dir) {
		(void)run_gp("destroy", names[TU_SRC], NULL, NULL);
		(void)run_gp("destroy", names[TU_DST], NULL, NULL);
		rmdir(gp_dir);
	}
	if (reaper_fd >= 0) {
		close(reaper_fd);
		reaper_fd = -1;
		waitpid(reaper_pid, NULL, 0);
	}
	free(gp_dir);
	gp_dir = NULL;
}

int sgp_run(const char *group, const struct CMUnitTest *tests, size_t n)
{
	setup();
	const char *filter = getenv("GP2ADB_TEST_FILTER");
	if (filter && filter[0])
		cmocka_set_test_filter(filter);
	int rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	teardown();
	return rc;
}

const char *sgp_cluster(enum tu_side side)
{
	return cluster_path[side];
}

void sgp_harness(const char *cmd, enum tu_side side)
{
	char *out = NULL;
	int rc = run_gp(cmd, names[side], NULL, &out);
	if (rc != 0)
		fail_msg("tests/harness/gp %s %s: exit %d: %s", cmd, sgp_cluster(side), rc, out ? out : "");
	free(out);
}

int sgp_segments(enum tu_side side)
{
	return env_int(side, "NSEG");
}

int sgp_segment_port(enum tu_side side, int content)
{
	char key[32];
	snprintf(key, sizeof key, "SEG%d_PORT", content);
	return env_int(side, key);
}

PGconn *sgp_connect_segment(enum tu_side side, int content, const char *dbname)
{
	char conninfo[320];
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=%s "
		 "application_name=gp2adb-test options='-c gp_session_role=utility'",
		 sgp_segment_port(side, content), dbname);
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", conninfo, PQerrorMessage(c));
	return c;
}

void sgp_createdb(enum tu_side side, const char *dbname)
{
	PGconn *c = tu_connect(side, "postgres");
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND pid <> pg_backend_pid()", dbname);
	tu_exec(c, sql);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\"", dbname);
	tu_exec(c, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", dbname);
	tu_exec(c, sql);
	PQfinish(c);
}
