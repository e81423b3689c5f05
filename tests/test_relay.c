/* The relay (src/relay*.c): its protocol text, and the server itself over
 * real TCP connections on loopback, sent exactly what Greenplum 6 segments
 * send (url_curl.c): readers GET with X-GP-PROTO 1 and read blocks;
 * writers POST with X-GP-SEQ, repeat one after a timeout, end with
 * X-GP-DONE.  The segment-path tests (it_gp_segpath*) run it against real
 * clusters; here the edges are driven one by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "relay.h"
#include "relay_int.h"

/* ---- the protocol's text ---- */

static void test_parse_get(void **state)
{
	(void)state;
	static const char head[] =
		"GET /gp2adb/0123456789abcdef0123456789abcdef/r1 HTTP/1.1\r\n"
		"Host: 127.0.0.1:8080\r\nAccept: */*\r\n"
		"X-GP-XID: 1796030586-0000000005\r\nX-GP-CID: 7\r\nX-GP-SN: 1\r\n"
		"X-GP-SEGMENT-ID: 2\r\nX-GP-SEGMENT-COUNT: 4\r\nX-GP-LINE-DELIM-LENGTH: -1\r\n"
		"X-GP-PROTO: 1\r\nX-GP-CSVOPT: m0x 92q  0n0h0\r\n\r\nextra";
	struct relay_request q;
	int n = relay_http_parse(head, sizeof head - 1, &q);
	assert_int_equal(n, (int)(sizeof head - 1 - 5));
	assert_true(q.get);
	assert_false(q.post);
	assert_int_equal(q.proto, 1);
	assert_int_equal(q.segid, 2);
	assert_int_equal(q.segcount, 4);
	assert_true(q.gp_session);
	assert_false(q.close);
	char token[RELAY_TOKEN_HEX + 1];
	enum relay_role role;
	assert_true(relay_path_parse(q.path, token, &role));
	assert_int_equal(role, ROLE_READER);
	assert_string_equal(token, "0123456789abcdef0123456789abcdef");
	/* incomplete: no empty line yet */
	assert_int_equal(relay_http_parse(head, 60, &q), 0);
}

static void test_parse_post_and_bad(void **state)
{
	(void)state;
	static const char post[] = "POST /gp2adb/0123456789abcdef0123456789abcdef/w HTTP/1.0\r\n"
				   "Content-Length: 12\r\nX-GP-SEQ: 3\r\nX-GP-PROTO: 0\r\n"
				   "Expect: 100-continue\r\nX-GP-DONE: 1\r\n\r\n";
	struct relay_request q;
	assert_int_equal(relay_http_parse(post, sizeof post - 1, &q), (int)sizeof post - 1);
	assert_true(q.post);
	assert_int_equal(q.content_length, 12);
	assert_int_equal(q.seq, 3);
	assert_int_equal(q.proto, 0);
	assert_true(q.expect_continue);
	assert_true(q.done);
	assert_true(q.close);           /* HTTP/1.0 without keep-alive */
	assert_int_equal(relay_http_parse("GARBAGE\r\n\r\n", 11, &q), -1);
	assert_int_equal(relay_http_parse("GET / HTTP/2\r\n\r\n", 16, &q), -1);
	assert_int_equal(relay_http_parse("POST /x HTTP/1.1\r\nContent-Length: -3\r\n\r\n", 40, &q), -1);
	assert_int_equal(relay_http_parse("POST /x HTTP/1.1\r\nX-GP-SEQ: 0\r\n\r\n", 33, &q), -1);
	char token[RELAY_TOKEN_HEX + 1];
	enum relay_role role;
	assert_false(relay_path_parse("/gp2adb/0123456789abcdef0123456789abcdeF/w", token, &role));
	assert_false(relay_path_parse("/gp2adb/0123456789abcdef0123456789abcde/w", token, &role));
	assert_false(relay_path_parse("/gp2adb/0123456789abcdef0123456789abcdef/x", token, &role));
	assert_false(relay_path_parse("/gp2adb/0123456789abcdef0123456789abcdef/r0", token, &role));
	assert_false(relay_path_parse("/gpfdist/status", token, &role));
	assert_true(relay_path_parse("/gp2adb/0123456789abcdef0123456789abcdef/r12", token, &role));
}

static void test_tokens_and_rows(void **state)
{
	(void)state;
	char a[RELAY_TOKEN_HEX + 1], b[RELAY_TOKEN_HEX + 1];
	assert_true(relay_token_new(a));
	assert_true(relay_token_new(b));
	assert_int_equal(strlen(a), RELAY_TOKEN_HEX);
	assert_string_not_equal(a, b);
	assert_true(relay_token_equal(a, a));
	assert_false(relay_token_equal(a, b));
	/* TEXT format escapes a newline inside a value as the two bytes \n */
	static const char text[] = "1\tfirst\\nline\n2\t\\N\n3\tx\n";
	assert_int_equal(relay_count_rows(text, sizeof text - 1), 3);
	char h[5];
	relay_block_header(h, 'D', 258);
	assert_int_equal(h[0], 'D');
	assert_int_equal((unsigned char)h[3], 1);
	assert_int_equal((unsigned char)h[4], 2);
}

/* ---- the server ---- */

static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		assert_true(w > 0);
		p += w;
		len -= (size_t)w;
	}
}

/* Read exactly n bytes (fails after 10 s); false at EOF first. */
static bool recv_n(int fd, char *buf, size_t n, int timeout_ms)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, timeout_ms) != 1)
			return false;
		ssize_t r = recv(fd, buf + got, n - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* A response head (through the empty line) into buf; its status code. */
static int recv_head(int fd, char *buf, size_t size, int timeout_ms)
{
	size_t len = 0;
	while (len + 1 < size) {
		if (!recv_n(fd, buf + len, 1, timeout_ms))
			return -1;
		len++;
		buf[len] = '\0';
		if (len >= 4 && strcmp(buf + len - 4, "\r\n\r\n") == 0)
			break;
	}
	int code = -1;
	(void)sscanf(buf, "HTTP/1.%*d %d", &code);
	return code;
}

static int reader(int port, const char *path, int segid, int proto)
{
	int fd = dial(port);
	char *req = xasprintf("GET %s HTTP/1.1\r\nHost: x\r\nX-GP-XID: 1-0000000001\r\nX-GP-CID: 1\r\nX-GP-SN: 1\r\n"
			      "X-GP-SEGMENT-ID: %d\r\nX-GP-SEGMENT-COUNT: 4\r\nX-GP-PROTO: %d\r\n\r\n",
			      path, segid, proto);
	send_all(fd, req, strlen(req));
	free(req);
	return fd;
}

/* One block: its type, and its data into a new string. */
static char read_block(int fd, char **data)
{
	char h[5];
	*data = NULL;
	if (!recv_n(fd, h, 5, 10000))
		return 0;
	uint32_t len;
	memcpy(&len, h + 1, 4);
	len = ntohl(len);
	*data = xcalloc(len + 1, 1);
	if (len && !recv_n(fd, *data, len, 10000))
		return 0;
	return h[0];
}

static void post(int fd, const char *path, int segid, long long seq, bool done, const char *body)
{
	char *req = xasprintf("POST %s HTTP/1.1\r\nHost: x\r\nX-GP-XID: 9-0000000001\r\nX-GP-CID: 1\r\nX-GP-SN: 1\r\n"
			      "X-GP-SEGMENT-ID: %d\r\nX-GP-SEGMENT-COUNT: 3\r\nX-GP-PROTO: 0\r\nX-GP-SEQ: %lld\r\n%s"
			      "Content-Type: text/xml\r\nContent-Length: %zu\r\n\r\n",
			      path, segid, seq, done ? "X-GP-DONE: 1\r\n" : "", strlen(body));
	send_all(fd, req, strlen(req));
	send_all(fd, body, strlen(body));
	free(req);
}

static struct relay *start(size_t queue)
{
	char err[200];
	struct relay_options o = { "127.0.0.1:0", queue };
	struct relay *r = relay_start(&o, err, sizeof err);
	if (!r)
		fail_msg("relay_start: %s", err);
	assert_true(relay_port(r) > 0);
	return r;
}

static void test_refusals(void **state)
{
	(void)state;
	struct relay *r = start(0);
	int port = relay_port(r);
	atomic_llong bytes = 0, rows = 0;
	struct relay_xfer *x = relay_xfer_open(r, RELAY_COPY, "t", &bytes, &rows);
	char rpath[128], wpath[128], head[1024];
	relay_xfer_path(x, 1, rpath, sizeof rpath);
	relay_xfer_path(x, -1, wpath, sizeof wpath);

	/* a token nobody issued */
	int fd = reader(port, "/gp2adb/00000000000000000000000000000000/r1", 0, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 404);
	close(fd);
	/* the readers' token used to write, the writers' to read */
	fd = dial(port);
	char *wrong = xasprintf("/gp2adb/%.32s/w", rpath + 8);
	post(fd, wrong, 0, 1, false, "");
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 403);
	close(fd);
	free(wrong);
	wrong = xasprintf("/gp2adb/%.32s/r1", wpath + 8);
	fd = reader(port, wrong, 0, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 403);
	close(fd);
	free(wrong);
	/* protocol 0 cannot carry an error: refused */
	fd = reader(port, rpath, 0, 0);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 400);
	close(fd);
	/* another method; not HTTP at all; gpfdist's status page */
	fd = dial(port);
	send_all(fd, "PUT /x HTTP/1.1\r\n\r\n", 19);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 404);
	close(fd);
	fd = dial(port);
	char *put = xasprintf("DELETE %s HTTP/1.1\r\n\r\n", rpath);
	send_all(fd, put, strlen(put));
	free(put);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 405);
	close(fd);
	fd = dial(port);
	send_all(fd, "\x16\x03\x01 hello\r\n\r\n", 13);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 400);
	close(fd);
	fd = reader(port, "/gpfdist/status", 0, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 404);
	close(fd);
	assert_int_equal(relay_refused(r), 8);
	/* a closed transfer's tokens are refused too */
	relay_xfer_close(x);
	fd = reader(port, rpath, 0, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 404);
	close(fd);
	relay_stop(r);
}

/* Two writers, one repeating a request; two readers; the end of the data. */
static void test_forwarding(void **state)
{
	(void)state;
	struct relay *r = start(0);
	int port = relay_port(r);
	atomic_llong bytes = 0, rows = 0;
	struct relay_xfer *x = relay_xfer_open(r, RELAY_COPY, "t", &bytes, &rows);
	char rpath[128], wpath[128], head[1024];
	relay_xfer_path(x, 1, rpath, sizeof rpath);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	int r0 = reader(port, rpath, 0, 1), r1 = reader(port, rpath, 1, 1);
	assert_int_equal(recv_head(r0, head, sizeof head, 5000), 200);
	assert_non_null(strstr(head, "X-GP-PROTO: 1\r\n"));
	assert_int_equal(recv_head(r1, head, sizeof head, 5000), 200);

	int w0 = dial(port), w1 = dial(port);
	post(w0, wpath, 0, 1, false, "");                   /* the open */
	assert_int_equal(recv_head(w0, head, sizeof head, 5000), 200);
	post(w0, wpath, 0, 2, false, "1\ta\n2\tb\n");
	assert_int_equal(recv_head(w0, head, sizeof head, 5000), 200);
	post(w0, wpath, 0, 2, false, "1\ta\n2\tb\n");       /* repeated after a "timeout" */
	assert_int_equal(recv_head(w0, head, sizeof head, 5000), 200);
	post(w1, wpath, 2, 1, false, "");
	assert_int_equal(recv_head(w1, head, sizeof head, 5000), 200);
	post(w1, wpath, 2, 2, false, "3\tc\\nd\n");
	assert_int_equal(recv_head(w1, head, sizeof head, 5000), 200);
	post(w0, wpath, 0, 2, true, "");
	assert_int_equal(recv_head(w0, head, sizeof head, 5000), 200);
	post(w1, wpath, 2, 2, true, "");
	assert_int_equal(recv_head(w1, head, sizeof head, 5000), 200);
	close(w0);
	close(w1);
	relay_xfer_writers_done(x);

	/* each reader: whole blocks, then the end */
	long long got_rows = 0;
	for (int i = 0; i < 2; i++) {
		int fd = i == 0 ? r0 : r1;
		for (;;) {
			char *data;
			char t = read_block(fd, &data);
			assert_int_equal(t, 'D');
			size_t len = strlen(data);
			free(data);
			if (len == 0)
				break;
			assert_true(len == 8 || len == 7);
			got_rows += len == 8 ? 2 : 1;
		}
		char c;
		assert_false(recv_n(fd, &c, 1, 5000));      /* then closed */
		close(fd);
	}
	assert_int_equal(got_rows, 3);
	struct relay_counts k;
	relay_xfer_counts(x, &k);
	assert_int_equal(k.rows_in, 3);
	assert_int_equal(k.rows, 3);
	assert_int_equal(k.bytes, 15);
	assert_int_equal(k.duplicates, 1);
	assert_int_equal(k.writers, 2);
	assert_int_equal(k.writers_done, 2);
	assert_int_equal(k.readers, 2);
	assert_int_equal(k.readers_ended, 2);
	assert_int_equal(atomic_load(&rows), 3);
	assert_int_equal(atomic_load(&bytes), 15);
	int ids[4];
	assert_int_equal(relay_xfer_segments(x, true, ids, 4), 2);
	assert_int_equal(ids[1], 2);
	relay_xfer_close(x);
	relay_stop(r);
}

static char *rows_of(size_t bytes, char c)
{
	char *s = xmalloc(bytes + 1);
	memset(s, c, bytes);
	for (size_t i = 99; i < bytes; i += 100)
		s[i] = '\n';
	s[bytes - 1] = '\n';
	s[bytes] = '\0';
	return s;
}

/* With nobody reading, a second body is not read: it waits in the kernel
 * until a reader takes the first. */
static void test_backpressure(void **state)
{
	(void)state;
	struct relay *r = start(100 * 1000);
	int port = relay_port(r);
	struct relay_xfer *x = relay_xfer_open(r, RELAY_COPY, "t", NULL, NULL);
	char rpath[128], wpath[128], head[1024];
	relay_xfer_path(x, 1, rpath, sizeof rpath);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	char *a = rows_of(80 * 1000, 'a'), *b = rows_of(80 * 1000, 'b');
	int w0 = dial(port), w1 = dial(port);
	post(w0, wpath, 0, 1, false, "");
	assert_int_equal(recv_head(w0, head, sizeof head, 5000), 200);
	post(w1, wpath, 1, 1, false, "");
	assert_int_equal(recv_head(w1, head, sizeof head, 5000), 200);
	post(w0, wpath, 0, 2, false, a);
	assert_int_equal(recv_head(w0, head, sizeof head, 5000), 200);
	post(w1, wpath, 1, 2, false, b);
	assert_int_equal(recv_head(w1, head, sizeof head, 700), -1);    /* not answered */
	struct relay_counts k;
	relay_xfer_counts(x, &k);
	assert_int_equal(k.bytes_in, 80 * 1000);                        /* nor taken in */

	int fd = reader(port, rpath, 3, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 200);
	char *data;
	assert_int_equal(read_block(fd, &data), 'D');
	assert_string_equal(data, a);
	free(data);
	assert_int_equal(recv_head(w1, head, sizeof head, 5000), 200);  /* now it is */
	assert_int_equal(read_block(fd, &data), 'D');
	assert_string_equal(data, b);
	free(data);
	relay_xfer_writers_done(x);
	assert_int_equal(read_block(fd, &data), 'D');
	assert_string_equal(data, "");
	free(data);
	close(fd);
	close(w0);
	close(w1);
	free(a);
	free(b);
	relay_xfer_close(x);
	relay_stop(r);
}

/* A reader that comes when blocks larger than a socket's buffers are
 * already queued still gets all of them (its first block is sent while its
 * response head is). */
static void test_late_reader(void **state)
{
	(void)state;
	struct relay *r = start(0);
	int port = relay_port(r);
	struct relay_xfer *x = relay_xfer_open(r, RELAY_COPY, "t", NULL, NULL);
	char rpath[128], wpath[128], head[1024];
	relay_xfer_path(x, 1, rpath, sizeof rpath);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	char *body = rows_of(32 << 20, 'z');
	int w = dial(port);
	post(w, wpath, 0, 1, false, "");
	assert_int_equal(recv_head(w, head, sizeof head, 5000), 200);
	post(w, wpath, 0, 2, false, body);
	assert_int_equal(recv_head(w, head, sizeof head, 5000), 200);
	relay_xfer_writers_done(x);
	int fd = reader(port, rpath, 0, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 200);
	usleep(300 * 1000);     /* let the relay fill the socket and wait */
	char *data;
	assert_int_equal(read_block(fd, &data), 'D');
	assert_int_equal(strlen(data), 32 << 20);
	free(data);
	assert_int_equal(read_block(fd, &data), 'D');
	assert_string_equal(data, "");
	free(data);
	close(fd);
	close(w);
	free(body);
	relay_xfer_close(x);
	relay_stop(r);
}

/* A failure reaches both sides: the reader gets an error block, the next
 * POST an HTTP 500; the first failure is the one kept. */
static void test_failure(void **state)
{
	(void)state;
	struct relay *r = start(0);
	int port = relay_port(r);
	struct relay_xfer *x = relay_xfer_open(r, RELAY_COPY, "t", NULL, NULL);
	char rpath[128], wpath[128], head[1024];
	relay_xfer_path(x, 2, rpath, sizeof rpath);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	int fd = reader(port, rpath, 0, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 200);
	relay_xfer_fail(x, RELAY_SOURCE, "source: 57P01: terminating connection");
	relay_xfer_fail(x, RELAY_DESTINATION, "second");
	char *data;
	assert_int_equal(read_block(fd, &data), 'E');
	assert_non_null(strstr(data, "57P01: terminating connection"));
	free(data);
	close(fd);
	int w = dial(port);
	post(w, wpath, 0, 2, false, "1\n");
	assert_int_equal(recv_head(w, head, sizeof head, 5000), 500);
	assert_non_null(strstr(head, "57P01"));
	close(w);
	struct relay_counts k;
	relay_xfer_counts(x, &k);
	assert_int_equal(k.state, RELAY_FAILED);
	assert_int_equal(k.failed_by, RELAY_SOURCE);
	relay_xfer_close(x);

	/* a reader gone before its end fails the transfer, by the destination */
	x = relay_xfer_open(r, RELAY_COPY, "t2", NULL, NULL);
	relay_xfer_path(x, 1, rpath, sizeof rpath);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	fd = reader(port, rpath, 1, 1);
	assert_int_equal(recv_head(fd, head, sizeof head, 5000), 200);
	close(fd);
	for (int i = 0; i < 200; i++) {
		relay_xfer_counts(x, &k);
		if (k.state == RELAY_FAILED)
			break;
		usleep(10000);
	}
	assert_int_equal(k.state, RELAY_FAILED);
	assert_int_equal(k.failed_by, RELAY_DESTINATION);
	relay_xfer_close(x);

	/* a skipped sequence number, or a body cut mid-row, fails it by the source */
	x = relay_xfer_open(r, RELAY_COPY, "t3", NULL, NULL);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	w = dial(port);
	post(w, wpath, 0, 1, false, "");
	assert_int_equal(recv_head(w, head, sizeof head, 5000), 200);
	post(w, wpath, 0, 3, false, "1\n");
	assert_int_equal(recv_head(w, head, sizeof head, 5000), 400);
	close(w);
	relay_xfer_counts(x, &k);
	assert_int_equal(k.failed_by, RELAY_SOURCE);
	relay_xfer_close(x);
	x = relay_xfer_open(r, RELAY_COPY, "t4", NULL, NULL);
	relay_xfer_path(x, -1, wpath, sizeof wpath);
	w = dial(port);
	post(w, wpath, 0, 2, false, "1\n2");
	assert_int_equal(recv_head(w, head, sizeof head, 5000), 400);
	close(w);
	relay_xfer_counts(x, &k);
	assert_int_equal(k.state, RELAY_FAILED);
	relay_xfer_close(x);
	relay_stop(r);
}

static void test_probe(void **state)
{
	(void)state;
	struct relay *r = start(0);
	int port = relay_port(r);
	struct relay_xfer *x = relay_xfer_open(r, RELAY_PROBE, "probe", NULL, NULL);
	char rpath[128], head[1024];
	relay_xfer_path(x, 1, rpath, sizeof rpath);
	for (int seg = 0; seg < 3; seg++) {
		int fd = reader(port, rpath, seg * 2, 1);
		assert_int_equal(recv_head(fd, head, sizeof head, 5000), 200);
		char *data;
		assert_int_equal(read_block(fd, &data), 'D');
		char want[8];
		snprintf(want, sizeof want, "%d\n", seg * 2);
		assert_string_equal(data, want);
		free(data);
		assert_int_equal(read_block(fd, &data), 'D');
		assert_string_equal(data, "");
		free(data);
		close(fd);
	}
	int ids[8];
	assert_int_equal(relay_xfer_segments(x, false, ids, 8), 3);
	assert_int_equal(ids[2], 4);
	relay_xfer_close(x);
	relay_stop(r);
	/* an address that is not HOST:PORT */
	char err[200];
	struct relay_options o = { "localhost", 0 };
	assert_null(relay_start(&o, err, sizeof err));
	assert_non_null(strstr(err, "HOST:PORT"));
}

int main(void)
{
	log_set_console(LOG_ERROR, true);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_get),
		cmocka_unit_test(test_parse_post_and_bad),
		cmocka_unit_test(test_tokens_and_rows),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_forwarding),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_late_reader),
		cmocka_unit_test(test_failure),
		cmocka_unit_test(test_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
