/* copytest: helpers shared by the copy integration tests. */
#include "copytest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "testutil.h"

double ct_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ct_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* count and a digest of the sorted row hashes */
static char *digest(PGconn *c, const char *table)
{
	char *sql = xasprintf("SELECT count(*) || ' ' || coalesce(md5(string_agg(h, ',' ORDER BY h)), '-')\n"
			      "FROM (SELECT md5(t::text) AS h FROM ONLY %s t) s", table);
	char *v = tu_value(c, sql);
	free(sql);
	return v;
}

void ct_assert_identical(const char *src_db, const char *dst_db, const char *const *tables)
{
	PGconn *s = tu_connect(TU_SRC, src_db), *d = tu_connect(TU_DST, dst_db);
	for (size_t i = 0; tables[i]; i++) {
		char *a = digest(s, tables[i]), *b = digest(d, tables[i]);
		if (strcmp(a, b) != 0)
			fail_msg("table %s differs: source %s, destination %s", tables[i], a, b);
		free(a);
		free(b);
	}
	PQfinish(s);
	PQfinish(d);
}

void ct_bg_start(struct ct_bg *b, const char *const *args)
{
	b->out = xasprintf("%s/bg.out", getenv("GP2ADB_TEST_DIR"));
	b->err = xasprintf("%s/bg.err", getenv("GP2ADB_TEST_DIR"));
	int o = open(b->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int e = open(b->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(o >= 0 && e >= 0);
	b->pid = tu_spawn_gp2adb(args, o, e);
	close(o);
	close(e);
	assert_true(b->pid > 0);
}

/* Exit status, or fails the test after `limit` seconds. */
int ct_bg_wait(struct ct_bg *b, double limit, char **out)
{
	double end = ct_now() + limit;
	int st = 0;
	for (;;) {
		pid_t r = waitpid(b->pid, &st, WNOHANG);
		if (r == b->pid)
			break;
		if (ct_now() > end) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, &st, 0);
			fail_msg("gp2adb did not finish within %.0f s", limit);
		}
		ct_pause_ms(50);
	}
	*out = tu_read_file(b->out);
	char *err = tu_read_file(b->err);
	if (getenv("GP2ADB_TEST_VERBOSE"))
		fprintf(stderr, "--- out\n%s--- err\n%s", *out, err);
	free(err);
	free(b->out);
	free(b->err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}


void ct_wait_counted(const char *src_db, const char *table, const char *what, long long at_least)
{
	PGconn *s = tu_connect(TU_SRC, src_db);
	char *sql = xasprintf("SELECT pg_stat_get_tuples_%s('%s'::regclass)", what, table);
	long long n = 0;
	for (int i = 0; i < 400 && (n = tu_count(s, sql)) < at_least; i++)
		ct_pause_ms(50);
	if (n < at_least)
		fail_msg("the source's statistics count %lld rows %s in %s after 20 s, not %lld", n, what, table,
			 at_least);
	free(sql);
	PQfinish(s);
}
