/* pgproxy: see pgproxy.h.  The protocol is PostgreSQL's v3 frontend/backend
 * protocol: an untyped startup message (or an SSL/GSS request, answered
 * 'N', or a cancel request, passed on), then typed messages of a byte and
 * a 32-bit length.  Only the client's 'Q' (simple query) messages are read;
 * everything the server sends passes untouched. */
#include "pgproxy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem.h"

#define MAX_CONNS 128

struct pgproxy {
	int listen_fd, port, upstream_port;
	int stop_pipe[2];
	pthread_t acceptor;
	pthread_mutex_t lock;
	pthread_t threads[MAX_CONNS];
	int nthreads;
	int refusals;
};

struct conn {
	struct pgproxy *p;
	int client, server;
};

static bool write_all(int fd, const void *buf, size_t n)
{
	const char *b = buf;
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t n)
{
	char *b = buf;
	while (n > 0) {
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		b += r;
		n -= (size_t)r;
	}
	return true;
}

static uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* Whether the query sets extra_float_digits to 3 ("= 3", "TO 3", "= '3'"). */
static bool sets_three(const char *q, size_t n)
{
	static const char name[] = "extra_float_digits";
	size_t k = sizeof name - 1;
	for (size_t i = 0; i + k <= n; i++) {
		if (strncasecmp(q + i, name, k) != 0)
			continue;
		size_t j = i + k;
		while (j < n && isspace((unsigned char)q[j]))
			j++;
		if (j < n && q[j] == '=')
			j++;
		else if (j + 1 < n && strncasecmp(q + j, "to", 2) == 0)
			j += 2;
		else
			continue;
		while (j < n && isspace((unsigned char)q[j]))
			j++;
		if (j < n && q[j] == '\'')
			j++;
		if (j < n && q[j] == '3' && (j + 1 >= n || !isdigit((unsigned char)q[j + 1])))
			return true;
	}
	return false;
}

/* The error an 8.x server gives, then ReadyForQuery (idle: the implicit
 * transaction of the query string was rolled back). */
static bool refuse(int client)
{
	static const char *const fields[] = {
		"SERROR", "VERROR", "C22023",
		"M3 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 2)",
	};
	unsigned char msg[512];
	size_t n = 5;
	msg[0] = 'E';
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		size_t len = strlen(fields[i]) + 1;
		memcpy(msg + n, fields[i], len);
		n += len;
	}
	msg[n++] = '\0';
	put32(msg + 1, (uint32_t)(n - 1));
	unsigned char ready[6] = { 'Z', 0, 0, 0, 5, 'I' };
	return write_all(client, msg, n) && write_all(client, ready, sizeof ready);
}

/* The startup phase: false when the connection is done (cancel, error). */
static bool startup(struct conn *c)
{
	for (;;) {
		unsigned char head[8];
		if (!read_all(c->client, head, sizeof head))
			return false;
		uint32_t len = get32(head), code = get32(head + 4);
		if (len < 8 || len > 10000)
			return false;
		if (code == 80877103 || code == 80877104) {     /* SSLRequest, GSSENCRequest */
			if (!write_all(c->client, "N", 1))
				return false;
			continue;
		}
		unsigned char *rest = xmalloc(len);
		memcpy(rest, head, 8);
		bool ok = read_all(c->client, rest + 8, len - 8) && write_all(c->server, rest, len);
		free(rest);
		return ok && code != 80877102;                  /* CancelRequest: passed on, done */
	}
}

static void relay(struct conn *c)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	struct pollfd pfd[3] = {
		{ c->client, POLLIN, 0 }, { c->server, POLLIN, 0 }, { c->p->stop_pipe[0], POLLIN, 0 },
	};
	for (;;) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents)
			break;
		if (pfd[1].revents) {
			unsigned char chunk[65536];
			ssize_t r = read(c->server, chunk, sizeof chunk);
			if (r <= 0 || !write_all(c->client, chunk, (size_t)r))
				break;
		}
		if (pfd[0].revents) {
			if (cap - len < 65536) {
				cap = (len + 65536) * 2;
				buf = xrealloc(buf, cap);
			}
			ssize_t r = read(c->client, buf + len, cap - len);
			if (r <= 0)
				break;
			len += (size_t)r;
			size_t at = 0;
			bool ok = true;
			while (ok && len - at >= 5) {
				size_t mlen = 1 + get32(buf + at + 1);
				if (len - at < mlen)
					break;
				if (buf[at] == 'Q' && sets_three((const char *)buf + at + 5, mlen - 5)) {
					pthread_mutex_lock(&c->p->lock);
					c->p->refusals++;
					pthread_mutex_unlock(&c->p->lock);
					ok = refuse(c->client);
				} else {
					ok = write_all(c->server, buf + at, mlen);
				}
				at += mlen;
			}
			if (!ok)
				break;
			memmove(buf, buf + at, len - at);
			len -= at;
		}
	}
	free(buf);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	if (startup(c))
		relay(c);
	close(c->client);
	close(c->server);
	free(c);
	return NULL;
}

static int connect_upstream(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static void *acceptor_main(void *arg)
{
	struct pgproxy *p = arg;
	struct pollfd pfd[2] = { { p->listen_fd, POLLIN, 0 }, { p->stop_pipe[0], POLLIN, 0 } };
	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!pfd[0].revents)
			continue;
		int client = accept(p->listen_fd, NULL, NULL);
		if (client < 0)
			continue;
		int server = connect_upstream(p->upstream_port);
		pthread_mutex_lock(&p->lock);
		bool room = p->nthreads < MAX_CONNS;
		pthread_mutex_unlock(&p->lock);
		if (server < 0 || !room) {
			close(client);
			if (server >= 0)
				close(server);
			continue;
		}
		struct conn *c = xcalloc(1, sizeof *c);
		*c = (struct conn){ p, client, server };
		pthread_mutex_lock(&p->lock);
		if (pthread_create(&p->threads[p->nthreads], NULL, conn_main, c) == 0)
			p->nthreads++;
		else {
			close(client);
			close(server);
			free(c);
		}
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

struct pgproxy *pgproxy_start(int upstream_port)
{
	struct pgproxy *p = xcalloc(1, sizeof *p);
	p->upstream_port = upstream_port;
	pthread_mutex_init(&p->lock, NULL);
	if (pipe(p->stop_pipe) != 0)
		fail_msg("pgproxy: pipe: %s", strerror(errno));
	p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(p->listen_fd, 64) != 0 || getsockname(p->listen_fd, (struct sockaddr *)&a, &alen) != 0)
		fail_msg("pgproxy: cannot listen on 127.0.0.1: %s", strerror(errno));
	p->port = ntohs(a.sin_port);
	if (pthread_create(&p->acceptor, NULL, acceptor_main, p) != 0)
		fail_msg("pgproxy: cannot start its thread");
	return p;
}

int pgproxy_port(const struct pgproxy *p)
{
	return p->port;
}

int pgproxy_refusals(struct pgproxy *p)
{
	pthread_mutex_lock(&p->lock);
	int n = p->refusals;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void pgproxy_stop(struct pgproxy *p)
{
	if (write(p->stop_pipe[1], "x", 1) != 1)
		fail_msg("pgproxy: cannot stop");
	pthread_join(p->acceptor, NULL);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	close(p->listen_fd);
	close(p->stop_pipe[0]);
	close(p->stop_pipe[1]);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
