/* The segment path under faults, on real Greenplum 6 clusters (a 3-primary
 * source, a 4-primary destination; tests/segpath_gp.h): the destination cluster
 * restarted mid-copy, a source segment's backend terminated mid-copy,
 * SIGINT then --resume, and a killed gp2adb then --resume.  Each ends with
 * identical rows (count and an order-independent checksum per table), and
 * nothing of gp2adb's left on either cluster: no session, no external
 * table, no listener.  The destination's "slow" table has a trigger that
 * sleeps now and then, so a copy lasts long enough to be interrupted; where
 * the source must be caught mid-stream, another session holds "slow" while
 * the fault is made (the source's segments then wait on the relay, which
 * waits on the destination).  gp2adb is told neither. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "copytest.h"
#include "segpath_gp.h"
#include "mem.h"
#include "testutil.h"

static const char table_sql[] =
	"CREATE TABLE slow (id int, v text) DISTRIBUTED BY (id);\n"
	"CREATE TABLE small1 (id int, v text) DISTRIBUTED BY (id);\n"
	"CREATE TABLE small2 (id int, v text) DISTRIBUTED RANDOMLY;\n";

static const char rows_sql[] =
	"INSERT INTO slow SELECT g, md5(g::text) || E'\\t' || md5((g * 3)::text) FROM generate_series(1, 500000) g;\n"
	"INSERT INTO small1 SELECT g, 's' FROM generate_series(1, 100) g;\n"
	"INSERT INTO small2 SELECT g, E'two\\nlines' FROM generate_series(1, 200) g;\n"
	"ANALYZE;\n";

/* A few seconds per pass over "slow" on the destination.  "slow" holds
 * about 40 MB of text, several times what the relay buffers, so the
 * source's segments are still sending (held back by the relay) while the
 * destination takes its time. */
static const char slow_sql[] =
	"CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN IF NEW.id % 1000 = 0 THEN PERFORM pg_sleep(0.02); END IF; RETURN NEW; END $$;\n"
	"CREATE TRIGGER slow_down BEFORE INSERT ON slow FOR EACH ROW EXECUTE PROCEDURE slow_down();\n";

static const char *const tables[] = { "slow", "small1", "small2", NULL };

static char *setup(const char *db, const char *migration)
{
	sgp_createdb(TU_SRC, db);
	sgp_createdb(TU_DST, db);
	PGconn *s = tu_connect(TU_SRC, db), *d = tu_connect(TU_DST, db);
	tu_exec(s, table_sql);
	tu_exec(s, rows_sql);
	tu_exec(d, table_sql);
	tu_exec(d, slow_sql);
	PQfinish(s);
	PQfinish(d);
	char *dir = tu_tmpdir();
	char *extra = xasprintf("migration = { path = \"segment\"; retries = 8; %s };\n", migration);
	char *conf = tu_write_config(dir, db, db, extra);
	free(extra);
	free(dir);
	return conf;
}

/* Wait until the destination runs gp2adb's INSERT into "slow" and has
 * taken some of its rows. */
static void wait_for_slow_copy(PGconn *d)
{
	double end = ct_now() + 60;
	while (ct_now() < end) {
		if (tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%'\n"
			     "AND state = 'active' AND query LIKE '%gp2adb segment path%INSERT INTO \"public\".\"slow\"%'") > 0) {
			ct_pause_ms(1500);
			return;
		}
		ct_pause_ms(50);
	}
	fail_msg("gp2adb's INSERT into slow never showed up on the destination");
}

static void assert_nothing_left(const char *db)
{
	for (int side = TU_SRC; side <= TU_DST; side++) {
		PGconn *c = tu_connect((enum tu_side)side, db);
		long long n = -1;
		for (int i = 0; i < 200 && n != 0; i++) {
			n = tu_count(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name <> 'gp2adb-test'\n"
				     "AND (application_name LIKE 'gp2adb%' OR query LIKE '%gp2adb segment path%')");
			if (n)
				ct_pause_ms(50);
		}
		if (n != 0) {
			char *who = tu_value(c, "SELECT string_agg(pid || ' ' || application_name || ' ' || state || ' ' ||\n"
					     "left(query, 80), '; ') FROM pg_stat_activity WHERE application_name <> 'gp2adb-test'\n"
					     "AND (application_name LIKE 'gp2adb%' OR query LIKE '%gp2adb segment path%')");
			fail_msg("%lld gp2adb sessions left on the %s: %s", n, side == TU_SRC ? "source" : "destination",
				 who ? who : "?");
		}
		assert_int_equal(tu_count(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'gp2adb\\_%'\n"
					  "AND relstorage = 'x'"), 0);
		PQfinish(c);
	}
}

/* ct_bg_wait, showing gp2adb's log when it does not end in time. */
static int bg_wait(struct ct_bg *b, double limit, char **out)
{
	double end = ct_now() + limit;
	while (ct_now() < end && kill(b->pid, 0) == 0) {
		int st;
		if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
			/* reaped here: its status and output */
			*out = tu_read_file(b->out);
			free(b->out);
			free(b->err);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		ct_pause_ms(50);
	}
	char *log = tu_read_file(b->err);
	fprintf(stderr, "--- gp2adb's log so far\n%s", log);
	free(log);
	return ct_bg_wait(b, 1, out);
}

/* A number of a table's entry in copy --json output. */
static int table_field(const char *out, const char *table, const char *field)
{
	char *key = xasprintf("\"table\": \"\\\"public\\\".\\\"%s\\\"\"", table);
	const char *p = strstr(out, key);
	free(key);
	if (!p)
		fail_msg("no table %s in:\n%s", table, out);
	char *f = xasprintf("\"%s\": ", field);
	const char *r = strstr(p, f);
	int v = r && r < strchr(p, '}') ? atoi(r + strlen(f)) : -1;
	free(f);
	return v;
}

static void test_destination_restarted(void **state)
{
	(void)state;
	char *conf = setup("f1", "jobs = 2;");
	PGconn *d = tu_connect(TU_DST, "f1");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--json", NULL };
	ct_bg_start(&b, args);
	wait_for_slow_copy(d);
	PQfinish(d);
	sgp_harness("restart", TU_DST);
	char *out;
	assert_int_equal(bg_wait(&b, 180, &out), 0);
	assert_true(table_field(out, "slow", "retries") >= 1);
	free(out);
	ct_assert_identical("f1", "f1", tables);
	assert_nothing_left("f1");
	free(conf);
}

/* The destination's "slow" held in SHARE mode by another session: gp2adb's
 * INSERT into it waits (mode append, so nothing else of the unit needs the
 * lock), and the source's segments fill the relay and wait, mid-stream,
 * until the returned session commits. */
static PGconn *hold_slow(const char *db)
{
	PGconn *lock = tu_connect(TU_DST, db);
	tu_exec(lock, "BEGIN; LOCK TABLE slow IN SHARE MODE");
	return lock;
}

/* gp2adb's INSERT into slow waits for the lock, and the source sends. */
static void wait_for_blocked_copy(const char *db)
{
	PGconn *s = tu_connect(TU_SRC, db), *d = tu_connect(TU_DST, db);
	double end = ct_now() + 60;
	while (ct_now() < end) {
		if (tu_count(d, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%'\n"
			     "AND waiting AND query LIKE '%gp2adb segment path%INSERT INTO \"public\".\"slow\"%'") > 0 &&
		    tu_count(s, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gp2adb-w%'\n"
			     "AND state = 'active' AND query LIKE '%gp2adb segment path%INSERT INTO pg_temp%slow%'") > 0) {
			ct_pause_ms(1000);
			PQfinish(s);
			PQfinish(d);
			return;
		}
		ct_pause_ms(50);
	}
	fail_msg("gp2adb's INSERTs for slow never showed up (waiting on the destination, running on the source)");
}

static void test_source_segment_terminated(void **state)
{
	(void)state;
	char *conf = setup("f2", "jobs = 2; mode = \"append\";");
	PGconn *lock = hold_slow("f2");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--json", NULL };
	ct_bg_start(&b, args);
	wait_for_blocked_copy("f2");
	/* the backend on source primary 1 that runs gp2adb's INSERT (its slice) */
	PGconn *seg = sgp_connect_segment(TU_SRC, 1, "f2");
	assert_int_equal(tu_count(seg, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity\n"
				  "WHERE state = 'active' AND query LIKE '%gp2adb segment path%INSERT INTO pg_temp%slow%'\n"
				  "AND pid <> pg_backend_pid()"), 1);
	PQfinish(seg);
	ct_pause_ms(500);
	tu_exec(lock, "COMMIT");
	PQfinish(lock);
	char *out;
	assert_int_equal(bg_wait(&b, 180, &out), 0);
	assert_true(table_field(out, "slow", "retries") >= 1);
	free(out);
	ct_assert_identical("f2", "f2", tables);
	assert_nothing_left("f2");
	free(conf);
}

/* The relay's port from "relay: listening on 0.0.0.0:PORT" in the log. */
static int relay_port_of(const char *log)
{
	const char *p = strstr(log, "relay: listening on ");
	if (!p)
		fail_msg("no relay in the log:\n%s", log);
	p = strchr(p + 20, ':');
	return p ? atoi(p + 1) : -1;
}

static bool port_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool open = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return open;
}

static void test_interrupt_then_resume(void **state)
{
	(void)state;
	char *conf = setup("f3", "jobs = 2; mode = \"append\";");
	PGconn *d = tu_connect(TU_DST, "f3"), *lock = hold_slow("f3");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--plain", NULL };
	ct_bg_start(&b, args);
	wait_for_blocked_copy("f3");
	/* let the other worker commit the small tables first */
	double end = ct_now() + 60;
	while (tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE table_name LIKE '%small%'") < 2 &&
	       ct_now() < end)
		ct_pause_ms(50);
	char *log = tu_read_file(b.err);
	int port = relay_port_of(log);
	if (!port_open(port))
		fail_msg("the relay (port %d) is not listening:\n%s", port, log);
	free(log);
	double t0 = ct_now();
	kill(b.pid, SIGINT);
	char *out;
	assert_int_equal(bg_wait(&b, 60, &out), 130);
	assert_true(ct_now() - t0 < 15);
	assert_non_null(strstr(out, "gp2adb copy --resume"));
	free(out);
	tu_exec(lock, "COMMIT");
	PQfinish(lock);
	/* no listener, no session, no external table */
	assert_false(port_open(port));
	assert_nothing_left("f3");
	/* the interrupted unit rolled back; the committed tables stayed */
	assert_int_equal(tu_count(d, "SELECT count(*) FROM slow"), 0);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM gp2adb.copy_progress WHERE table_name LIKE '%small%'"), 2);
	tu_exec(d, "INSERT INTO small1 VALUES (-1, 'resume must not redo a committed table')");

	const char *resume[] = { "copy", "-c", conf, "--json", "--resume", NULL };
	ct_bg_start(&b, resume);
	assert_int_equal(bg_wait(&b, 180, &out), 0);
	assert_non_null(strstr(out, "\"tables_failed\": 0"));
	assert_int_equal(table_field(out, "small1", "units_resumed"), 1);
	assert_int_equal(table_field(out, "slow", "units_resumed"), 0);
	free(out);
	assert_int_equal(tu_count(d, "SELECT count(*) FROM small1 WHERE id = -1"), 1);
	tu_exec(d, "DELETE FROM small1 WHERE id = -1");
	PQfinish(d);
	ct_assert_identical("f3", "f3", tables);
	assert_nothing_left("f3");
	free(conf);
}

/* A killed gp2adb leaves the source's statement retrying its POSTs (for
 * gpfdist_retry_timeout); the next run ends it before it starts. */
static void test_killed_then_resume(void **state)
{
	(void)state;
	char *conf = setup("f4", "jobs = 2; mode = \"append\";");
	PGconn *lock = hold_slow("f4"), *s = tu_connect(TU_SRC, "f4");
	struct ct_bg b;
	const char *args[] = { "copy", "-c", conf, "--plain", NULL };
	ct_bg_start(&b, args);
	wait_for_blocked_copy("f4");
	kill(b.pid, SIGKILL);
	char *out;
	assert_int_equal(bg_wait(&b, 20, &out), 128 + SIGKILL);
	free(out);
	ct_pause_ms(500);
	/* its source statement still runs, retrying its requests to a relay
	 * that is gone; the destination's waits for the lock */
	assert_int_equal(tu_count(s, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'\n"
				  "AND query LIKE '%gp2adb segment path%INSERT INTO pg_temp%slow%' AND pid <> pg_backend_pid()"), 1);
	tu_exec(lock, "COMMIT");
	PQfinish(lock);
	const char *resume[] = { "copy", "-c", conf, "--plain", "--resume", NULL };
	ct_bg_start(&b, resume);
	char *err_path = xstrdup(b.err);
	assert_int_equal(bg_wait(&b, 180, &out), 0);
	free(out);
	char *err = tu_read_file(err_path);
	free(err_path);
	if (!strstr(err, "source: ended backend"))
		fail_msg("the resumed run did not end the killed run's statement:\n%s", err);
	free(err);
	PQfinish(s);
	ct_assert_identical("f4", "f4", tables);
	assert_nothing_left("f4");
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destination_restarted),
		cmocka_unit_test(test_source_segment_terminated),
		cmocka_unit_test(test_interrupt_then_resume),
		cmocka_unit_test(test_killed_then_resume),
	};
	return SGP_RUN(tests);
}
