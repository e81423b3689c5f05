/* relay_xfer: transfers.  A writer's POST body is read whole into a chunk
 * only when the transfer has room for it (RELAY_QUEUE_BYTES, or the body
 * alone), queued, and acknowledged; each chunk goes, whole, to one reader
 * as one data block, so every reader's stream is whole rows.  Repeated
 * POSTs (the same X-GP-SEQ from the same segment, after a timeout) are
 * read and dropped.  The end of the data is the worker's word that the
 * source's statement succeeded (every POST of every segment has been
 * acknowledged by then); a failure on either side, or a reader gone
 * before its end, fails the transfer, and with it both statements. */
#include "relay_int.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rchunk *relay_chunk_get(struct relay *r, size_t len)
{
	for (struct rchunk **pp = &r->pool; *pp; pp = &(*pp)->next) {
		struct rchunk *k = *pp;
		if (k->cap < len)
			continue;
		*pp = k->next;
		r->pooled -= k->cap;
		k->next = NULL;
		k->len = len;
		k->rows = 0;
		return k;
	}
	size_t cap = (len + 65535) & ~(size_t)65535;    /* bodies of a size meet again */
	struct rchunk *k = malloc(sizeof *k + cap);
	if (!k)
		return NULL;
	k->next = NULL;
	k->cap = cap;
	k->len = len;
	k->rows = 0;
	return k;
}

void relay_chunk_put(struct relay *r, struct rchunk *k)
{
	if (!k)
		return;
	if (k->cap <= RELAY_POOL_BYTES / 8 && r->pooled + k->cap <= RELAY_POOL_BYTES) {
		k->next = r->pool;
		r->pool = k;
		r->pooled += k->cap;
	} else {
		free(k);
	}
}

static void set_failed(struct relay_xfer *x, enum relay_side side, const char *message)
{
	if (x->state == RELAY_FAILED)
		return;
	x->state = RELAY_FAILED;
	x->failed_by = side;
	snprintf(x->error, sizeof x->error, "%s", message);
	while (x->head) {
		struct rchunk *k = x->head;
		x->head = k->next;
		relay_chunk_put(x->r, k);
	}
	x->tail = NULL;
	x->queued = 0;
	log_debug("relay: transfer %s failed: %s", x->label, message);
}

static bool ensure_seg(struct relay_xfer *x, int segid)
{
	if (segid < 0 || segid >= 100000)
		return false;
	if (segid < x->nseg)
		return true;
	int n = segid + 16;
	x->seq = xrealloc(x->seq, (size_t)n * sizeof *x->seq);
	x->wseen = xrealloc(x->wseen, (size_t)n);
	x->wdone = xrealloc(x->wdone, (size_t)n);
	x->rseen = xrealloc(x->rseen, (size_t)n);
	for (int i = x->nseg; i < n; i++) {
		x->seq[i] = 0;
		x->wseen[i] = x->wdone[i] = x->rseen[i] = 0;
	}
	x->nseg = n;
	return true;
}

/* ---- the workers' side ---- */

struct relay_xfer *relay_xfer_open(struct relay *r, enum relay_kind kind, const char *label,
				   atomic_llong *bytes, atomic_llong *rows)
{
	struct relay_xfer *x = xcalloc(1, sizeof *x);
	if (!relay_token_new(x->wtoken) || !relay_token_new(x->rtoken)) {
		log_error("relay: no random bytes for a transfer's token (getrandom failed)");
		free(x);
		return NULL;
	}
	x->r = r;
	x->kind = kind;
	snprintf(x->label, sizeof x->label, "%s", label);
	x->bytes = bytes;
	x->rows = rows;
	x->state = RELAY_OPEN;
	pthread_mutex_lock(&r->lock);
	x->next = r->xfers;
	r->xfers = x;
	pthread_mutex_unlock(&r->lock);
	return x;
}

void relay_xfer_path(const struct relay_xfer *x, int n, char *buf, size_t size)
{
	if (n < 0)
		snprintf(buf, size, "/gp2adb/%s/w", x->wtoken);
	else
		snprintf(buf, size, "/gp2adb/%s/r%d", x->rtoken, n < 1 ? 1 : n);
}

void relay_xfer_writers_done(struct relay_xfer *x)
{
	pthread_mutex_lock(&x->r->lock);
	if (x->state == RELAY_OPEN)
		x->state = RELAY_WRITERS_DONE;
	pthread_mutex_unlock(&x->r->lock);
	relay_wake(x->r);
}

void relay_xfer_fail(struct relay_xfer *x, enum relay_side side, const char *message)
{
	pthread_mutex_lock(&x->r->lock);
	set_failed(x, side, message);
	pthread_mutex_unlock(&x->r->lock);
	relay_wake(x->r);
}

void relay_xfer_counts(struct relay_xfer *x, struct relay_counts *out)
{
	pthread_mutex_lock(&x->r->lock);
	*out = x->counts;
	out->state = x->state;
	out->failed_by = x->failed_by;
	snprintf(out->error, sizeof out->error, "%s", x->error);
	out->writers = out->readers = out->writers_done = 0;
	for (int i = 0; i < x->nseg; i++) {
		out->writers += x->wseen[i];
		out->readers += x->rseen[i];
		out->writers_done += x->wdone[i];
	}
	pthread_mutex_unlock(&x->r->lock);
}

int relay_xfer_segments(struct relay_xfer *x, bool writers, int *ids, int max)
{
	int n = 0;
	pthread_mutex_lock(&x->r->lock);
	for (int i = 0; i < x->nseg; i++) {
		if (!(writers ? x->wseen[i] : x->rseen[i]))
			continue;
		if (n < max)
			ids[n] = i;
		n++;
	}
	pthread_mutex_unlock(&x->r->lock);
	return n;
}

void relay_xfer_close(struct relay_xfer *x)
{
	struct relay *r = x->r;
	pthread_mutex_lock(&r->lock);
	x->closed = true;
	pthread_mutex_unlock(&r->lock);
	relay_wake(r);
}

/* ---- the loop's side (the relay's lock held) ---- */

static void attach(struct rconn *c, struct relay_xfer *x)
{
	if (c->x == x)
		return;
	relay_xfer_detach(c);
	c->x = x;
	c->xprev = NULL;
	c->xnext = x->conns;
	if (x->conns)
		x->conns->xprev = c;
	x->conns = c;
}

void relay_xfer_detach(struct rconn *c)
{
	struct relay_xfer *x = c->x;
	if (!x)
		return;
	if (c->reserved) {
		x->reserved -= c->chunk ? c->chunk->len : 0;
		c->reserved = false;
	}
	if (c->xprev)
		c->xprev->xnext = c->xnext;
	else
		x->conns = c->xnext;
	if (c->xnext)
		c->xnext->xprev = c->xprev;
	c->xnext = c->xprev = NULL;
	c->x = NULL;
}

static struct relay_xfer *find(struct relay *r, const char *token, bool *writer_token)
{
	for (struct relay_xfer *x = r->xfers; x; x = x->next) {
		if (x->closed)
			continue;
		if (relay_token_equal(x->wtoken, token)) {
			*writer_token = true;
			return x;
		}
		if (relay_token_equal(x->rtoken, token)) {
			*writer_token = false;
			return x;
		}
	}
	return NULL;
}

static void respond_ok(struct relay *r, struct rconn *c)
{
	char buf[128];
	c->close_after = c->req.close;
	c->state = C_RESPOND;
	relay_conn_send(r, c, buf, relay_http_post_ok(buf, sizeof buf, c->close_after));
}

static void respond_error(struct relay *r, struct rconn *c, int code, const char *reason)
{
	char buf[400];
	c->close_after = true;
	c->state = C_RESPOND;
	relay_conn_send(r, c, buf, relay_http_error(buf, sizeof buf, code, reason));
}

/* What follows the head in c->in: move up to max bytes of it to dst (NULL:
 * drop them); returns how many. */
static size_t take_leftover(struct rconn *c, char *dst, size_t max)
{
	size_t have = c->inlen - c->headlen;
	size_t n = have < max ? have : max;
	if (dst && n)
		memcpy(dst, c->in + c->headlen, n);
	memmove(c->in, c->in + c->headlen + n, have - n);
	c->inlen = have - n;
	c->headlen = 0;
	return n;
}

static void reader_end(struct relay *r, struct rconn *c, char type, const char *msg)
{
	char buf[400];
	size_t len = strlen(msg);
	if (len > sizeof buf - 5)
		len = sizeof buf - 5;
	relay_block_header(buf, type, (uint32_t)len);
	memcpy(buf + 5, msg, len);
	c->ended = true;
	c->close_after = true;
	relay_conn_send(r, c, buf, len + 5);
}

/* A writer's body: read it when there is room, or wait. */
static void start_body(struct relay *r, struct rconn *c)
{
	struct relay_xfer *x = c->x;
	size_t len = (size_t)c->req.content_length;
	size_t used = x->queued + x->reserved;
	if (x->kind == RELAY_COPY && used > 0 && used + len > r->queue_bytes) {
		c->state = C_BODY_WAIT;
		relay_conn_want(r, c, false, false);
		return;
	}
	struct rchunk *k = relay_chunk_get(r, len);
	if (!k) {
		set_failed(x, RELAY_WORKER, "the relay ran out of memory");
		respond_error(r, c, 500, "gp2adb relay: out of memory");
		return;
	}
	c->chunk = k;
	c->reserved = true;
	x->reserved += len;
	c->chunk_got = take_leftover(c, k->data, len);
	c->body_left = (long long)(len - c->chunk_got);
	c->state = C_BODY;
	if (c->body_left == 0) {
		relay_xfer_body_done(r, c);
		return;
	}
	if (c->req.expect_continue && !c->continue_sent) {
		char buf[64];
		c->continue_sent = true;
		relay_conn_send(r, c, buf, relay_http_continue(buf, sizeof buf));
	}
	relay_conn_want(r, c, true, relay_conn_pending(c));
}

static void writer_request(struct relay *r, struct rconn *c, struct relay_xfer *x)
{
	const struct relay_request *q = &c->req;
	char why[160];
	if (q->proto > 0 || q->segid < 0 || !ensure_seg(x, q->segid)) {
		relay_conn_refuse(r, c, 400, "bad request", "a writer without X-GP-PROTO 0 and X-GP-SEGMENT-ID");
		return;
	}
	if (q->content_length < 0) {
		relay_conn_refuse(r, c, 411, "length required", "a POST without Content-Length");
		return;
	}
	if ((unsigned long long)q->content_length > RELAY_MAX_BODY) {
		relay_conn_refuse(r, c, 413, "body too large", "a POST body larger than the relay takes");
		return;
	}
	attach(c, x);
	x->wseen[q->segid] = 1;
	c->continue_sent = false;
	if (x->state == RELAY_FAILED) {
		char reason[300];
		snprintf(reason, sizeof reason, "gp2adb relay: %s", x->error);
		respond_error(r, c, 500, reason);
		return;
	}
	if (q->done) {
		x->wdone[q->segid] = 1;
		c->body_left = q->content_length;
		c->body_left -= (long long)take_leftover(c, NULL, (size_t)c->body_left);
		c->state = C_DISCARD;
		if (c->body_left == 0)
			relay_xfer_body_done(r, c);
		return;
	}
	long long expected = x->seq[q->segid] + 1;
	bool repeated = q->seq > 0 && q->seq < expected;
	if (q->seq > expected) {
		snprintf(why, sizeof why, "segment %d skipped from request %lld to %lld", q->segid,
			 expected - 1, q->seq);
		set_failed(x, RELAY_SOURCE, why);
		respond_error(r, c, 400, why);
		return;
	}
	if (!repeated && q->content_length > 0 && x->state == RELAY_WRITERS_DONE) {
		set_failed(x, RELAY_SOURCE, "rows arrived after the source's statement ended");
		respond_error(r, c, 409, "gp2adb relay: rows after the end");
		return;
	}
	if (repeated || q->content_length == 0) {
		x->counts.duplicates += repeated;
		if (!repeated && q->seq > 0)
			x->seq[q->segid] = q->seq;
		c->body_left = q->content_length;
		c->body_left -= (long long)take_leftover(c, NULL, (size_t)c->body_left);
		c->state = C_DISCARD;
		if (c->body_left == 0)
			relay_xfer_body_done(r, c);
		return;
	}
	start_body(r, c);
}

static void reader_request(struct relay *r, struct rconn *c, struct relay_xfer *x)
{
	const struct relay_request *q = &c->req;
	if (q->proto != 1) {
		/* protocol 0 cannot tell an error from the end of the data */
		relay_conn_refuse(r, c, 400, "gp2adb relay needs X-GP-PROTO 1",
				  "a reader without X-GP-PROTO 1");
		return;
	}
	if (q->segid < 0 || !ensure_seg(x, q->segid)) {
		relay_conn_refuse(r, c, 400, "bad request", "a reader without X-GP-SEGMENT-ID");
		return;
	}
	attach(c, x);
	x->rseen[q->segid] = 1;
	take_leftover(c, NULL, c->inlen - c->headlen);
	c->state = C_READER;
	char buf[128];
	relay_conn_send(r, c, buf, relay_http_get_ok(buf, sizeof buf));
	if (c->state == C_CLOSED)
		return;
	if (x->kind == RELAY_PROBE) {
		char line[32], block[64];
		int n = snprintf(line, sizeof line, "%d\n", q->segid);
		relay_block_header(block, 'D', (uint32_t)n);
		memcpy(block + 5, line, (size_t)n);
		relay_block_header(block + 5 + n, 'D', 0);
		c->ended = true;
		c->close_after = true;
		x->counts.rows++;
		x->counts.readers_ended++;
		relay_conn_send(r, c, block, (size_t)n + 10);
	}
	/* relay_conn_send left c waiting for what it needs: its first block
	 * may be on its way already */
}

void relay_xfer_request(struct relay *r, struct rconn *c)
{
	const struct relay_request *q = &c->req;
	char token[RELAY_TOKEN_HEX + 1];
	enum relay_role role;
	if (!relay_path_parse(q->path, token, &role)) {
		relay_conn_refuse(r, c, 404, "not found", "no such path");
		return;
	}
	if (!q->get && !q->post) {
		relay_conn_refuse(r, c, 405, "method not allowed", "a method other than GET and POST");
		return;
	}
	bool writer_token = false;
	struct relay_xfer *x = find(r, token, &writer_token);
	if (!x) {
		relay_conn_refuse(r, c, 404, "not found", "no open transfer has this token");
		return;
	}
	if (writer_token != (role == ROLE_WRITER) || (q->post != writer_token)) {
		relay_conn_refuse(r, c, 403, "forbidden", writer_token ? "a writer's token used to read"
									: "a reader's token used to write");
		return;
	}
	if (q->chunked) {
		relay_conn_refuse(r, c, 501, "chunked bodies not supported", "a chunked body");
		return;
	}
	if (q->post)
		writer_request(r, c, x);
	else
		reader_request(r, c, x);
}

void relay_xfer_body_done(struct relay *r, struct rconn *c)
{
	struct relay_xfer *x = c->x;
	if (c->state == C_DISCARD) {
		respond_ok(r, c);
		return;
	}
	struct rchunk *k = c->chunk;
	c->chunk = NULL;
	if (c->reserved) {
		x->reserved -= k->len;
		c->reserved = false;
	}
	if (x->state == RELAY_FAILED) {
		relay_chunk_put(r, k);
		char reason[300];
		snprintf(reason, sizeof reason, "gp2adb relay: %s", x->error);
		respond_error(r, c, 500, reason);
		return;
	}
	if (k->len > 0 && k->data[k->len - 1] != '\n') {
		relay_chunk_put(r, k);
		set_failed(x, RELAY_SOURCE, "a source segment sent data that does not end at a row's end");
		respond_error(r, c, 400, "gp2adb relay: partial row");
		return;
	}
	k->rows = relay_count_rows(k->data, k->len);
	x->counts.rows_in += k->rows;
	x->counts.bytes_in += (long long)k->len;
	if (c->req.seq > 0)
		x->seq[c->req.segid] = c->req.seq;
	if (x->kind == RELAY_PROBE) {
		relay_chunk_put(r, k);
	} else {
		if (x->tail)
			x->tail->next = k;
		else
			x->head = k;
		x->tail = k;
		x->queued += k->len;
	}
	respond_ok(r, c);
}

/* Give reader c the next chunk, or the end; true when output was queued. */
static bool feed(struct relay *r, struct rconn *c)
{
	struct relay_xfer *x = c->x;
	(void)r;
	if (c->ended || c->sending || c->outoff < c->outlen)
		return false;
	if (x->state == RELAY_FAILED) {
		char msg[300];
		snprintf(msg, sizeof msg, "gp2adb relay: %s", x->error);
		reader_end(r, c, 'E', msg);
		return true;
	}
	if (x->head) {
		struct rchunk *k = x->head;
		x->head = k->next;
		if (!x->head)
			x->tail = NULL;
		x->queued -= k->len;
		k->next = NULL;
		relay_block_header(c->out, 'D', (uint32_t)k->len);
		c->outoff = 0;
		c->outlen = 5;
		c->sending = k;
		c->sent = 0;
		return true;
	}
	if (x->state == RELAY_WRITERS_DONE) {
		x->counts.readers_ended++;
		reader_end(r, c, 'D', "");
		return true;
	}
	return false;
}

bool relay_xfer_sent_next(struct relay *r, struct rconn *c)
{
	struct relay_xfer *x = c->x;
	if (c->state == C_RESPOND) {
		if (c->close_after) {
			relay_conn_linger(r, c);
			return false;
		}
		relay_xfer_detach(c);
		relay_conn_resume_head(r, c);
		return false;
	}
	if (c->state != C_READER)
		return false;
	if (c->sending) {
		struct rchunk *k = c->sending;
		c->sending = NULL;
		if (x && !x->closed) {
			x->counts.rows += k->rows;
			x->counts.bytes += (long long)k->len;
			if (x->bytes)
				atomic_fetch_add(x->bytes, (long long)k->len);
			if (x->rows)
				atomic_fetch_add(x->rows, k->rows);
		}
		relay_chunk_put(r, k);
	}
	if (c->ended) {
		relay_conn_linger(r, c);
		return false;
	}
	return x && feed(r, c);
}

void relay_xfer_conn_lost(struct relay *r, struct rconn *c)
{
	struct relay_xfer *x = c->x;
	if (x && c->state == C_READER && !c->ended && x->state != RELAY_FAILED) {
		char why[160];
		snprintf(why, sizeof why, "destination segment %d (%s) closed its connection before the end of the data",
			 c->req.segid, c->peer);
		set_failed(x, RELAY_DESTINATION, why);
	}
	relay_conn_kill(r, c);
}

static void xfer_free(struct relay *r, struct relay_xfer *x)
{
	while (x->conns)
		relay_conn_kill(r, x->conns);
	while (x->head) {
		struct rchunk *k = x->head;
		x->head = k->next;
		relay_chunk_put(r, k);
	}
	struct relay_xfer **pp = &r->xfers;
	while (*pp && *pp != x)
		pp = &(*pp)->next;
	if (*pp)
		*pp = x->next;
	free(x->seq);
	free(x->wseen);
	free(x->wdone);
	free(x->rseen);
	free(x);
}

static void pump(struct relay *r, struct relay_xfer *x)
{
	/* writers first: a failed transfer answers them; room lets one in */
	for (struct rconn *c = x->conns, *next; c; c = next) {
		next = c->xnext;
		if (x->state == RELAY_FAILED && (c->state == C_BODY_WAIT || c->state == C_BODY)) {
			char reason[300];
			snprintf(reason, sizeof reason, "gp2adb relay: %s", x->error);
			respond_error(r, c, 500, reason);
		} else if (c->state == C_BODY_WAIT) {
			start_body(r, c);
		}
	}
	for (struct rconn *c = x->conns, *next; c; c = next) {
		next = c->xnext;
		if (c->state != C_READER || c->ended || c->sending)
			continue;
		if (feed(r, c))
			relay_conn_send(r, c, "", 0);
	}
	if (x->state == RELAY_FAILED) {
		/* a reader in the middle of a block cannot be told: cut it off */
		for (struct rconn *c = x->conns, *next; c; c = next) {
			next = c->xnext;
			if (c->state == C_READER && c->sending)
				relay_conn_kill(r, c);
		}
	}
}

void relay_xfer_pump_all(struct relay *r)
{
	for (struct relay_xfer *x = r->xfers, *next; x; x = next) {
		next = x->next;
		if (x->closed)
			xfer_free(r, x);
		else
			pump(r, x);
	}
}
