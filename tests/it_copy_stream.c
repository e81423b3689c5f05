/* copy_stream against the harness servers, below the engine: a stream of
 * several MiB from a source that pauses now and then arrives whole and
 * leaves the source socket as libpq expects it (no receive low-water mark), a source that pauses still shows its
 * rows in the progress counters before it ends, and a cancel in the middle
 * of a large stream leaves both connections usable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "copy_stream.h"
#include "copytest.h"
#include "mem.h"
#include "testutil.h"

#define BIG_ROWS 60000          /* about 7 MiB in binary */

static const char *const tables[] = { "t", NULL };

static int group_setup(void **state)
{
	(void)state;
	tu_createdb(TU_SRC, "cs");
	tu_createdb(TU_DST, "cs");
	PGconn *s = tu_connect(TU_SRC, "cs"), *d = tu_connect(TU_DST, "cs");
	tu_exec(s, "CREATE TABLE t (id int, v text);"
		   "INSERT INTO t SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 60000) g;");
	/* On the destination every 5,000th row naps, so a stream lasts long
	 * enough to be cancelled in the middle. */
	tu_exec(d, "CREATE TABLE t (id int, v text);"
		   "CREATE TABLE nap (id int, v text);"
		   "CREATE FUNCTION nap() RETURNS trigger LANGUAGE plpgsql AS $$"
		   " BEGIN IF NEW.id % 5000 = 0 THEN PERFORM pg_sleep(0.1); END IF; RETURN NEW; END $$;"
		   "CREATE TRIGGER nap BEFORE INSERT ON nap FOR EACH ROW EXECUTE FUNCTION nap();");
	PQfinish(s);
	PQfinish(d);
	return 0;
}

struct run {
	PGconn *src, *dst;
	struct copy_stream cs;
	atomic_llong bytes, rows;
	atomic_bool cancel;
	enum copy_outcome out;
	long long nrows;
	struct db_error err;
	bool src_side;
};

static void run_init(struct run *r, const char *src_sql, const char *dst_sql)
{
	memset(r, 0, sizeof *r);
	r->src = tu_connect(TU_SRC, "cs");
	r->dst = tu_connect(TU_DST, "cs");
	copy_stream_tune_socket(r->src);
	copy_stream_tune_socket(r->dst);
	atomic_init(&r->bytes, 0);
	atomic_init(&r->rows, 0);
	atomic_init(&r->cancel, false);
	r->cs = (struct copy_stream){ .src = r->src, .dst = r->dst, .src_sql = src_sql, .dst_sql = dst_sql,
				      .binary = strstr(src_sql, "FORMAT binary") != NULL,
				      .bytes = &r->bytes, .rows = &r->rows, .cancel = &r->cancel };
}

static void *run_main(void *arg)
{
	struct run *r = arg;
	r->out = copy_stream_run(&r->cs, &r->nrows, &r->err, &r->src_side);
	return NULL;
}

static int rcvlowat(PGconn *conn)
{
	int v = -1;
	socklen_t len = sizeof v;
	assert_int_equal(getsockopt(PQsocket(conn), SOL_SOCKET, SO_RCVLOWAT, &v, &len), 0);
	return v;
}

static void run_done(struct run *r)
{
	PQfinish(r->src);
	PQfinish(r->dst);
}

static void test_large_stream(void **state)
{
	(void)state;
	struct run r;
	/* The source pauses 10 ms every 3,000 rows, so the reader runs dry
	 * after its first MiB and waits on the socket's low-water mark. */
	run_init(&r,
		 "COPY (SELECT t.id, t.v FROM t, LATERAL (SELECT pg_sleep(CASE WHEN t.id % 3000 = 0"
		 " THEN 0.01 ELSE 0 END)) s) TO STDOUT (FORMAT binary)",
		 "BEGIN;\nCOPY t FROM STDIN (FORMAT binary)");
	run_main(&r);
	assert_int_equal(r.out, COPY_DONE);
	assert_int_equal(r.nrows, BIG_ROWS);
	assert_int_equal(atomic_load(&r.rows), BIG_ROWS);
	assert_true(atomic_load(&r.bytes) > 6 * 1024 * 1024);
	/* libpq's own waits poll this socket: it must wake on any byte again */
	assert_int_equal(rcvlowat(r.src), 1);
	char *one = tu_value(r.src, "SELECT 1");
	assert_string_equal(one, "1");
	free(one);
	tu_exec(r.dst, "COMMIT");
	run_done(&r);
	ct_assert_identical("cs", "cs", tables);
}

static void test_paused_source_shows_progress(void **state)
{
	(void)state;
	struct run r;
	/* 40 rows of 1 kB, then the source sleeps 1.5 s before the last row. */
	run_init(&r,
		 "COPY (SELECT g, repeat('x', 1000) FROM generate_series(1, 40) g"
		 " UNION ALL SELECT 41, repeat('y', 1000) FROM pg_sleep(1.5)) TO STDOUT",
		 "BEGIN;\nCREATE TEMP TABLE p (id int, v text);\nCOPY p FROM STDIN");
	pthread_t th;
	double t0 = ct_now();
	assert_int_equal(pthread_create(&th, NULL, run_main, &r), 0);
	ct_pause_ms(900);
	long long seen = atomic_load(&r.bytes);
	double when = ct_now() - t0;
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.out, COPY_DONE);
	assert_int_equal(r.nrows, 41);
	/* Most of the first 40 rows reached the destination during the pause
	 * (the source's server keeps the last few kB until it flushes). */
	assert_true(when < 1.4);
	if (seen < 20 * 1000)
		fail_msg("after %.2f s only %lld bytes were handed on", when, seen);
	char *n = tu_value(r.dst, "SELECT count(*) FROM p");
	assert_string_equal(n, "41");
	free(n);
	tu_exec(r.dst, "ROLLBACK");
	run_done(&r);
}

static void test_cancel_mid_stream(void **state)
{
	(void)state;
	struct run r;
	run_init(&r, "COPY t TO STDOUT (FORMAT binary)", "BEGIN;\nCOPY nap FROM STDIN (FORMAT binary)");
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, run_main, &r), 0);
	double t0 = ct_now();
	while (atomic_load(&r.bytes) < 2 * 1024 * 1024 && ct_now() - t0 < 20)
		ct_pause_ms(10);
	atomic_store(&r.cancel, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.out, COPY_CANCELLED);
	assert_string_equal(r.err.sqlstate, "57014");
	assert_true(ct_now() - t0 < 10);
	assert_int_equal(rcvlowat(r.src), 1);
	assert_int_equal(PQtransactionStatus(r.src), PQTRANS_IDLE);
	char *one = tu_value(r.src, "SELECT 1");
	assert_string_equal(one, "1");
	free(one);
	/* the destination's COPY failed inside its transaction: nothing kept */
	assert_int_equal(PQtransactionStatus(r.dst), PQTRANS_INERROR);
	tu_exec(r.dst, "ROLLBACK");
	assert_int_equal(tu_count(r.dst, "SELECT count(*) FROM nap"), 0);
	run_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_stream),
		cmocka_unit_test(test_paused_source_shows_progress),
		cmocka_unit_test(test_cancel_mid_stream),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
