#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"

int tu_port(enum tu_side side)
{
	const char *v = getenv(side == TU_SRC ? "GP2ADB_TEST_SRC_PORT" : "GP2ADB_TEST_DST_PORT");
	if (!v)
		fail_msg("GP2ADB_TEST_*_PORT is not set: run this test through tests/harness/run-test");
	return atoi(v);
}

void tu_endpoint(struct endpoint *ep, enum tu_side side, const char *dbname)
{
	memset(ep, 0, sizeof *ep);
	ep->host = xstrdup("127.0.0.1");
	ep->port = tu_port(side);
	ep->user = xstrdup("postgres");
	ep->dbname = xstrdup(dbname);
	ep->connect_timeout = 10;
}

PGconn *tu_connect(enum tu_side side, const char *dbname)
{
	char conninfo[256];
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=%s "
		 "application_name=gp2adb-test", tu_port(side), dbname);
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", conninfo, PQerrorMessage(c));
	return c;
}

void tu_exec(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("SQL failed: %s\n%.400s", PQerrorMessage(conn), sql);
	PQclear(r);
}

char *tu_value(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
		fail_msg("query failed or empty: %s\n%.400s", PQerrorMessage(conn), sql);
	char *v = PQgetisnull(r, 0, 0) ? NULL : xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

long long tu_count(PGconn *conn, const char *sql)
{
	char *v = tu_value(conn, sql);
	long long n = v ? atoll(v) : -1;
	free(v);
	return n;
}

void tu_createdb(enum tu_side side, const char *dbname)
{
	PGconn *c = tu_connect(side, "postgres");
	char sql[300];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", dbname);
	tu_exec(c, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", dbname);
	tu_exec(c, sql);
	PQfinish(c);
}

char *tu_tmpdir(void)
{
	const char *base = getenv("GP2ADB_TEST_DIR");
	char *tmpl = xasprintf("%s/tu.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		fail_msg("mkdtemp %s: %s", tmpl, strerror(errno));
	return tmpl;
}

void tu_write_file(const char *path, const char *content, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	size_t n = strlen(content);
	if (write(fd, content, n) != (ssize_t)n)
		fail_msg("write %s", path);
	fchmod(fd, mode);
	close(fd);
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = xstrdup("");
	else
		buf[len] = '\0';
	return buf;
}

char *tu_write_config(const char *dir, const char *src_db, const char *dst_db, const char *extra)
{
	char *path = xasprintf("%s/gp2adb.conf", dir);
	char *text = xasprintf(
		"source = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"%s\"; };\n"
		"destination = { host = \"127.0.0.1\"; port = %d; user = \"postgres\"; dbname = \"%s\"; };\n"
		"state_dir = \"%s/state\";\n%s",
		tu_port(TU_SRC), src_db, tu_port(TU_DST), dst_db, dir, extra ? extra : "");
	tu_write_file(path, text, 0600);
	free(text);
	return path;
}

static char *slurp_fd(int fd)
{
	struct strbuf_like { char *d; size_t len, cap; } b = { NULL, 0, 0 };
	char chunk[4096];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		if (b.len + (size_t)n + 1 > b.cap) {
			b.cap = (b.len + (size_t)n + 1) * 2;
			b.d = xrealloc(b.d, b.cap);
		}
		memcpy(b.d + b.len, chunk, (size_t)n);
		b.len += (size_t)n;
	}
	if (!b.d)
		return xstrdup("");
	b.d[b.len] = '\0';
	return b.d;
}

pid_t tu_spawn_gp2adb(const char *const *args, int out_fd, int err_fd)
{
	const char *bin = getenv("GP2ADB_BIN");
	if (!bin)
		bin = "./gp2adb";
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		size_t n = 0;
		while (args[n])
			n++;
		char **argv = xcalloc(n + 2, sizeof *argv);
		argv[0] = (char *)bin;
		for (size_t i = 0; i < n; i++)
			argv[i + 1] = (char *)args[i];
		execv(bin, argv);
		_exit(127);
	}
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	return pid;
}

int tu_run_gp2adb(struct tu_run *r, const char *const *args)
{
	char outp[] = "/tmp/tu-out.XXXXXX", errp[] = "/tmp/tu-err.XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	if (ofd < 0 || efd < 0)
		fail_msg("mkstemp");
	pid_t pid = tu_spawn_gp2adb(args, ofd, efd);
	int st = 0;
	waitpid(pid, &st, 0);
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	r->out = slurp_fd(ofd);
	r->err = slurp_fd(efd);
	close(ofd);
	close(efd);
	unlink(outp);
	unlink(errp);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r->status;
}

void tu_run_done(struct tu_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
