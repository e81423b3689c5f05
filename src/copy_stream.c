#include "copy_stream.h"
#include "clock.h"
#include "copy_rows.h"
#include "mem.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BATCH_BYTES (128 * 1024)
#define DRAIN_SECONDS 5.0

/* Fewer, larger hand-offs.  The source's server writes 8 KiB at a time; woken
 * for each, the loop would forward small messages and make three system calls
 * per 8 KiB, and the context switches cost more than the copying.  So a batch
 * that is not yet half full waits a little (HOLD_MS) for the next rows, and
 * once a unit has proved large (LOWAT_AFTER bytes) the source socket's
 * low-water mark makes poll() wake only when LOWAT_BYTES are waiting; a short
 * poll timeout picks up the tail of the stream.  Rows are never held longer
 * than HOLD_SECONDS, so the progress counters follow a slow source. */
#define FLUSH_BYTES (BATCH_BYTES / 2)
#define HOLD_MS 2
#define HOLD_SECONDS 0.2        /* a trickling source still shows progress */
#define LOWAT_BYTES (64 * 1024)
#define LOWAT_AFTER (1024 * 1024)
#define LOWAT_POLL_MS 5
#define IDLE_POLL_MS 200

void copy_stream_tune_socket(PGconn *conn)
{
	int fd = PQsocket(conn);
	int size = 4 * 1024 * 1024;
	if (fd < 0)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

static bool wait_readable(PGconn *conn, int ms)
{
	struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
	if (p.fd < 0)
		return false;
	return poll(&p, 1, ms) >= 0;
}

/* The socket's receive low-water mark (1 is the kernel's default). */
static void set_lowat(PGconn *conn, int bytes)
{
	int fd = PQsocket(conn);
	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes);
}

/* Drop the results of a finished command; false if the connection is left in
 * a COPY state (it then has to be closed). */
static bool drain_results(PGconn *conn)
{
	PGresult *r;
	while ((r = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		PQclear(r);
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
			return false;
	}
	return true;
}

static void cancel_request(PGconn *conn)
{
	PGcancel *c = PQgetCancel(conn);
	if (c) {
		char errbuf[256];
		(void)PQcancel(c, errbuf, sizeof errbuf);
		PQfreeCancel(c);
	}
}

/* Read and drop a COPY OUT's remaining rows until it ends; bounded. */
static bool drain_copy_out(PGconn *conn, double deadline)
{
	for (;;) {
		char *buf = NULL;
		int len = PQgetCopyData(conn, &buf, 1);
		if (buf)
			PQfreemem(buf);
		if (len > 0)
			continue;
		if (len < 0)
			return drain_results(conn);
		if (clock_mono() > deadline || !wait_readable(conn, 100) || !PQconsumeInput(conn))
			return false;
	}
}

bool copy_stream_quiesce(PGconn *conn)
{
	if (!conn || PQstatus(conn) != CONNECTION_OK)
		return false;
	double deadline = clock_mono() + DRAIN_SECONDS;
	PGTransactionStatusType ts = PQtransactionStatus(conn);
	if (ts != PQTRANS_ACTIVE)
		return true;
	cancel_request(conn);
	PGresult *r;
	while ((r = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		PQclear(r);
		if (st == PGRES_COPY_OUT) {
			if (!drain_copy_out(conn, deadline))
				return false;
			break;
		}
		if (st == PGRES_COPY_IN) {
			if (PQputCopyEnd(conn, "cancelled by gp2adb") != 1)
				return false;
		}
		if (clock_mono() > deadline)
			return false;
	}
	return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_ACTIVE;
}

/* End a destination COPY IN with an error so the server rolls it back. */
static void abort_dst(PGconn *dst, const char *why)
{
	if (PQstatus(dst) != CONNECTION_OK)
		return;
	if (PQputCopyEnd(dst, why) == 1)
		(void)drain_results(dst);
}

static void abort_src(PGconn *src)
{
	if (PQstatus(src) != CONNECTION_OK)
		return;
	cancel_request(src);
	(void)drain_copy_out(src, clock_mono() + DRAIN_SECONDS);
}

/* The error of a failed side: its pending error result, or the connection's. */
static void side_error(PGconn *conn, struct db_error *err)
{
	PGresult *r = PQgetResult(conn);
	db_error_set(err, conn, r && PQresultStatus(r) == PGRES_FATAL_ERROR ? r : NULL);
	PQclear(r);
	if (r)
		(void)drain_results(conn);
}

static void set_cancelled(struct db_error *err)
{
	memset(err, 0, sizeof *err);
	snprintf(err->sqlstate, sizeof err->sqlstate, "57014");
	snprintf(err->message, sizeof err->message, "cancelled");
}

/* Rows gathered for one CopyData message: fewer, larger messages. */
struct batch {
	char *data;
	size_t len;
	long long rows;
};

/* Send what the batch holds; the progress counters follow. */
static bool batch_flush(struct batch *b, const struct copy_stream *cs)
{
	if (b->len > 0 && PQputCopyData(cs->dst, b->data, (int)b->len) != 1)
		return false;
	atomic_fetch_add_explicit(cs->bytes, (long long)b->len, memory_order_relaxed);
	atomic_fetch_add_explicit(cs->rows, b->rows, memory_order_relaxed);
	b->len = 0;
	b->rows = 0;
	return true;
}

/* Send the batch and push it out of libpq's buffer: the destination has
 * all of it while the source is dry. */
static bool hand_on(struct batch *b, const struct copy_stream *cs)
{
	return batch_flush(b, cs) && PQflush(cs->dst) >= 0;
}

enum copy_outcome copy_stream_run(const struct copy_stream *cs, long long *rows,
				  struct db_error *err, bool *src_side)
{
	PGconn *src = cs->src, *dst = cs->dst;
	*rows = 0;
	*src_side = false;
	memset(err, 0, sizeof *err);

	/* Destination first: its COPY starts at once and waits for data. */
	if (!PQsendQuery(dst, cs->dst_sql)) {
		db_error_set(err, dst, NULL);
		return COPY_FAILED;
	}
	for (;;) {
		PGresult *r = PQgetResult(dst);
		ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (st == PGRES_COPY_IN) {
			PQclear(r);
			break;
		}
		if (st != PGRES_COMMAND_OK) {
			db_error_set(err, dst, r);
			PQclear(r);
			if (r)
				(void)drain_results(dst);
			return COPY_FAILED;
		}
		PQclear(r);
	}

	PGresult *r = PQsendQuery(src, cs->src_sql) ? PQgetResult(src) : NULL;
	if (!r || PQresultStatus(r) != PGRES_COPY_OUT) {
		*src_side = true;
		db_error_set(err, src, r);
		PQclear(r);
		if (r)
			(void)drain_results(src);
		abort_dst(dst, "gp2adb: the source query failed");
		return atomic_load(cs->cancel) ? COPY_CANCELLED : COPY_FAILED;
	}
	PQclear(r);

	struct batch bt = { .data = xmalloc(BATCH_BYTES) };
	struct copy_rows counter;   /* a message may hold many rows (Greenplum) or part of one */
	copy_rows_init(&counter, cs->binary);
	enum copy_outcome out = COPY_DONE;
	bool src_failed = false, dst_failed = false, src_open = true;
	bool lowat = false, reread = false;
	long long received = 0;
	double held_since = 0;      /* when the batch's first row came */

	for (;;) {
		if (atomic_load_explicit(cs->cancel, memory_order_relaxed)) {
			out = COPY_CANCELLED;
			break;
		}
		char *buf = NULL;
		int len = PQgetCopyData(src, &buf, 1);
		if (len > 0) {
			bool ok = bt.len + (size_t)len <= BATCH_BYTES || batch_flush(&bt, cs);
			bt.rows += copy_rows_feed(&counter, buf, (size_t)len);
			received += len;
			reread = false;
			if (ok && (size_t)len >= BATCH_BYTES) {
				/* a large row goes as it is */
				ok = PQputCopyData(dst, buf, len) == 1;
				if (ok)
					atomic_fetch_add_explicit(cs->bytes, len, memory_order_relaxed);
			} else if (ok) {
				if (bt.len == 0)
					held_since = clock_mono();
				memcpy(bt.data + bt.len, buf, (size_t)len);
				bt.len += (size_t)len;
			}
			PQfreemem(buf);
			if (!ok) {
				dst_failed = true;
				break;
			}
			continue;
		}
		if (len == 0 && !reread) {
			/* What libpq holds is used up; the socket may have more already. */
			reread = true;
			if (!PQconsumeInput(src)) {
				src_failed = true;
				break;
			}
			continue;
		}
		if (len == 0) {
			/* The source is momentarily dry. */
			reread = false;
			if (!lowat && received >= LOWAT_AFTER) {
				set_lowat(src, LOWAT_BYTES);
				lowat = true;
			}
			int ms = lowat ? LOWAT_POLL_MS : IDLE_POLL_MS;
			if (bt.len >= FLUSH_BYTES || (bt.len > 0 && clock_mono() - held_since > HOLD_SECONDS)) {
				if (!hand_on(&bt, cs)) {
					dst_failed = true;
					break;
				}
			} else if (bt.len > 0) {
				ms = HOLD_MS;
			}
			struct pollfd p = { .fd = PQsocket(src), .events = POLLIN };
			int n = p.fd < 0 ? -1 : poll(&p, 1, ms);
			/* held long enough: hand the destination what we have */
			if (n == 0 && bt.len > 0 && !hand_on(&bt, cs)) {
				dst_failed = true;
				break;
			}
			if ((n < 0 && p.fd < 0) || !PQconsumeInput(src)) {
				src_failed = true;
				break;
			}
			continue;
		}
		src_open = false;
		if (len == -2)
			src_failed = true;
		break;
	}
	/* libpq's own waits on this connection know nothing of a low-water mark */
	if (lowat)
		set_lowat(src, 1);

	if (out == COPY_DONE && !src_failed && !dst_failed) {
		/* The source's COPY ended: its result carries the row count. */
		r = PQgetResult(src);
		if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
			*rows = atoll(PQcmdTuples(r));
			PQclear(r);
			(void)drain_results(src);
		} else {
			src_failed = true;
			db_error_set(err, src, r);
			PQclear(r);
			if (r)
				(void)drain_results(src);
		}
	}

	if (out == COPY_DONE && !src_failed && !dst_failed) {
		if (!batch_flush(&bt, cs))
			dst_failed = true;
		if (!dst_failed && PQputCopyEnd(dst, NULL) != 1)
			dst_failed = true;
		if (!dst_failed) {
			r = PQgetResult(dst);
			if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
				PQclear(r);
				(void)drain_results(dst);
			} else {
				db_error_set(err, dst, r);
				PQclear(r);
				if (r)
					(void)drain_results(dst);
				free(bt.data);
				return COPY_FAILED;
			}
		}
	}
	free(bt.data);
	if (out == COPY_DONE && !src_failed && !dst_failed)
		return COPY_DONE;

	if (dst_failed) {
		side_error(dst, err);
		if (src_open)
			abort_src(src);
	} else if (src_failed) {
		*src_side = true;
		if (!err->message[0])
			side_error(src, err);
		abort_dst(dst, "gp2adb: the source failed");
	} else {
		/* cancelled */
		set_cancelled(err);
		if (src_open)
			abort_src(src);
		abort_dst(dst, "gp2adb: cancelled by the operator");
	}
	/* An error caused by our own cancel request is the cancel. */
	if (atomic_load(cs->cancel))
		out = COPY_CANCELLED;
	return out == COPY_CANCELLED ? COPY_CANCELLED : COPY_FAILED;
}
