/* relay: the listening socket, the thread and the connections' bytes.
 * One epoll loop serves every connection; the transfers' logic
 * (relay_xfer.c) runs on it with the relay's lock held, and the workers'
 * calls (open, done, fail, close) take the same lock and wake the loop.
 * Sockets are non-blocking and level-triggered: a writer whose body waits
 * for room is simply not read, so the kernel's window pushes back on the
 * segment that sends it. */
#include "relay_int.h"
#include "clock.h"
#include "log.h"
#include "mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static char listen_tag, wake_tag;      /* epoll data for the two special descriptors */

double relay_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- listening ---- */

bool relay_address_parse(const char *s, bool port_required, char *host, size_t hsize, int *port)
{
	char h[256];
	if (port)
		*port = -1;
	if (!s || !*s)
		return false;
	const char *colon = strrchr(s, ':');
	bool bracket = s[0] == '[';
	if (bracket && (!strchr(s, ']') || (colon && colon < strchr(s, ']'))))
		colon = NULL;           /* "[::1]" without a port */
	if (!bracket && colon && strchr(s, ':') != colon)
		colon = NULL;           /* a bare IPv6 address: needs brackets with a port */
	if (!colon && port_required)
		return false;
	size_t hl = colon ? (size_t)(colon - s) : strlen(s);
	const char *hp = s;
	if (bracket) {
		const char *rb = strchr(s, ']');
		if (!rb || (colon && rb + 1 != colon) || (!colon && rb[1]))
			return false;
		hp = s + 1;
		hl = (size_t)(rb - s - 1);
	}
	if (hl >= sizeof h)
		return false;
	memcpy(h, hp, hl);
	h[hl] = '\0';
	for (const char *p = h; *p; p++)
		if (*p == ' ' || *p == '/' || *p == '@')
			return false;
	if (colon) {
		const char *p = colon + 1;
		if (!*p || strlen(p) > 5)
			return false;
		for (const char *q = p; *q; q++)
			if (*q < '0' || *q > '9')
				return false;
		if (atoi(p) > 65535)
			return false;
		if (port)
			*port = atoi(p);
	}
	if (!colon && !h[0])
		return false;
	if (host)
		snprintf(host, hsize, "%s", h);
	return true;
}

static int open_listener(const char *addr, char *bound, size_t bsize, int *port, char *err, size_t errsize)
{
	char host[256], portstr[16];
	int portnum;
	if (!relay_address_parse(addr, true, host, sizeof host, &portnum)) {
		snprintf(err, errsize, "relay address '%s' is not HOST:PORT (e.g. \"0.0.0.0:0\")", addr);
		return -1;
	}
	snprintf(portstr, sizeof portstr, "%d", portnum);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	const char *h = host[0] && strcmp(host, "*") != 0 ? host : NULL;
	int rc = getaddrinfo(h, portstr, &hints, &res);
	if (rc != 0) {
		snprintf(err, errsize, "relay address '%s': %s", addr, gai_strerror(rc));
		return -1;
	}
	int fd = -1, saved = 0;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		int on = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errsize, "relay: cannot listen on %s: %s", addr, strerror(saved));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char name[INET6_ADDRSTRLEN] = "?", serv[16] = "?";
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		(void)getnameinfo((struct sockaddr *)&ss, sl, name, sizeof name, serv, sizeof serv,
				  NI_NUMERICHOST | NI_NUMERICSERV);
	*port = atoi(serv);
	snprintf(bound, bsize, strchr(name, ':') ? "[%s]:%s" : "%s:%s", name, serv);
	return fd;
}

/* ---- connections ---- */

void relay_conn_want(struct relay *r, struct rconn *c, bool in, bool out)
{
	uint32_t ev = (in ? EPOLLIN | EPOLLRDHUP : 0) | (out ? EPOLLOUT : 0);
	if (c->state == C_CLOSED || ev == c->events)
		return;
	struct epoll_event e = { .events = ev, .data.ptr = c };
	(void)epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
	c->events = ev;
}

void relay_conn_kill(struct relay *r, struct rconn *c)
{
	if (c->state == C_CLOSED)
		return;
	relay_xfer_detach(c);
	(void)epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->state = C_CLOSED;
	relay_chunk_put(r, c->chunk);
	c->chunk = NULL;
	relay_chunk_put(r, c->sending);
	c->sending = NULL;
	/* off the list of open ones, onto the dead list (freed after this round) */
	if (c->aprev)
		c->aprev->anext = c->anext;
	else
		r->conns = c->anext;
	if (c->anext)
		c->anext->aprev = c->aprev;
	c->anext = c->aprev = NULL;
	c->dnext = r->dead;
	r->dead = c;
	r->nconns--;
}

bool relay_conn_pending(const struct rconn *c)
{
	return c->outoff < c->outlen || (c->sending && c->sent < c->sending->len);
}

/* Send what is queued: out[], then the chunk.  1 all sent, 0 blocked
 * (EPOLLOUT wanted), -1 the connection failed (it is lost). */
static int conn_flush(struct relay *r, struct rconn *c)
{
	while (c->outoff < c->outlen || (c->sending && c->sent < c->sending->len)) {
		struct iovec iov[2];
		int n = 0;
		if (c->outoff < c->outlen)
			iov[n++] = (struct iovec){ c->out + c->outoff, c->outlen - c->outoff };
		if (c->sending && c->sent < c->sending->len)
			iov[n++] = (struct iovec){ c->sending->data + c->sent, c->sending->len - c->sent };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			relay_conn_want(r, c, c->state == C_READER, true);
			return 0;
		}
		if (w <= 0) {
			relay_xfer_conn_lost(r, c);
			return -1;
		}
		size_t left = (size_t)w;
		size_t o = c->outlen - c->outoff;
		if (left >= o) {
			c->outoff = c->outlen = 0;
			left -= o;
			c->sent += left;
		} else {
			c->outoff += left;
		}
	}
	return 1;
}

/* Send, and keep the transfer's logic feeding the connection while the
 * socket takes it (at most a few rounds, so one fast reader does not starve
 * the others). */
static void conn_drive_out(struct relay *r, struct rconn *c)
{
	for (int i = 0; i < 8 && c->state != C_CLOSED; i++) {
		if (conn_flush(r, c) != 1)
			return;
		if (!relay_xfer_sent_next(r, c))
			break;
	}
	if (c->state == C_CLOSED)
		return;
	relay_conn_want(r, c, c->state == C_HEAD || c->state == C_BODY || c->state == C_DISCARD ||
			c->state == C_READER || c->state == C_LINGER, relay_conn_pending(c));
}

void relay_conn_send(struct relay *r, struct rconn *c, const char *buf, size_t len)
{
	if (c->state == C_CLOSED)
		return;
	if (c->outoff > 0 && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (len > sizeof c->out - c->outlen) {
		relay_conn_kill(r, c);
		return;
	}
	memcpy(c->out + c->outlen, buf, len);
	c->outlen += len;
	conn_drive_out(r, c);
}

void relay_conn_refuse(struct relay *r, struct rconn *c, int code, const char *reason, const char *why)
{
	long n = atomic_fetch_add(&r->refused, 1) + 1;
	/* the path without most of its token: enough to recognise it in the log */
	char path[96];
	snprintf(path, sizeof path, "%.24s%s", c->req.path, strlen(c->req.path) > 24 ? "..." : "");
	if (n <= 20 || n % 100 == 0)
		log_warn("relay: refused %s %s from %s: %s (HTTP %d)%s",
			 c->req.get ? "GET" : c->req.post ? "POST" : "a request", path, c->peer, why, code,
			 n == 20 ? "; further refusals are logged once per 100" : "");
	char buf[400];
	size_t len = relay_http_error(buf, sizeof buf, code, reason);
	c->close_after = true;
	c->state = C_RESPOND;
	relay_conn_send(r, c, buf, len);
}

/* Parse what is in c->in; hand a complete head to the transfers. */
static void conn_head(struct relay *r, struct rconn *c)
{
	int n = relay_http_parse(c->in, c->inlen, &c->req);
	if (n == 0) {
		if (c->inlen >= sizeof c->in)
			relay_conn_refuse(r, c, 431, "request head too large", "its head is larger than 16 kB");
		return;
	}
	if (n < 0) {
		relay_conn_refuse(r, c, 400, "bad request", "not an HTTP request it understands");
		return;
	}
	c->headlen = (size_t)n;
	c->deadline = 0;
	relay_xfer_request(r, c);
}

static void conn_read(struct relay *r, struct rconn *c)
{
	for (int rounds = 0; rounds < 16 && c->state != C_CLOSED; rounds++) {
		char scratch[65536];
		char *dst;
		size_t want;
		if (c->state == C_HEAD) {
			dst = c->in + c->inlen;
			want = sizeof c->in - c->inlen;
			if (want == 0)
				return;
		} else if (c->state == C_BODY) {
			dst = c->chunk->data + c->chunk_got;
			want = (size_t)c->body_left;
		} else if (c->state == C_DISCARD || c->state == C_READER || c->state == C_LINGER) {
			dst = scratch;
			want = c->state == C_DISCARD && (size_t)c->body_left < sizeof scratch ? (size_t)c->body_left
											      : sizeof scratch;
		} else {
			return;
		}
		ssize_t got = read(c->fd, dst, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (got <= 0) {
			relay_xfer_conn_lost(r, c);
			return;
		}
		if (c->state == C_HEAD) {
			c->inlen += (size_t)got;
			conn_head(r, c);
		} else if (c->state == C_BODY) {
			c->chunk_got += (size_t)got;
			c->body_left -= got;
			if (c->body_left == 0)
				relay_xfer_body_done(r, c);
		} else if (c->state == C_DISCARD) {
			c->body_left -= got;
			if (c->body_left == 0)
				relay_xfer_body_done(r, c);
		}
		/* C_READER: a reader sends nothing after its request; ignored */
	}
}

void relay_conn_linger(struct relay *r, struct rconn *c)
{
	relay_xfer_detach(c);
	(void)shutdown(c->fd, SHUT_WR);
	c->state = C_LINGER;
	c->deadline = relay_now() + 10;
	relay_conn_want(r, c, true, false);
}

void relay_conn_resume_head(struct relay *r, struct rconn *c)
{
	c->state = C_HEAD;
	c->deadline = relay_now() + (c->inlen ? RELAY_HEAD_TIMEOUT : RELAY_IDLE_TIMEOUT);
	memset(&c->req, 0, sizeof c->req);
	relay_conn_want(r, c, true, false);
	if (c->inlen)
		conn_head(r, c);
}

static void conn_accept(struct relay *r)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(r->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (r->nconns >= RELAY_MAX_CONNECTIONS) {
			close(fd);
			atomic_fetch_add(&r->refused, 1);
			continue;
		}
		int on = 1;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
		struct rconn *c = xcalloc(1, sizeof *c);
		c->fd = fd;
		char name[INET6_ADDRSTRLEN] = "?";
		(void)getnameinfo((struct sockaddr *)&ss, sl, name, sizeof name, NULL, 0, NI_NUMERICHOST);
		snprintf(c->peer, sizeof c->peer, "%s", name);
		c->state = C_HEAD;
		c->deadline = relay_now() + RELAY_HEAD_TIMEOUT;
		c->events = EPOLLIN | EPOLLRDHUP;
		struct epoll_event e = { .events = c->events, .data.ptr = c };
		if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &e) != 0) {
			close(fd);
			free(c);
			continue;
		}
		c->anext = r->conns;
		if (r->conns)
			r->conns->aprev = c;
		r->conns = c;
		r->nconns++;
	}
}

static void conn_event(struct relay *r, struct rconn *c, uint32_t ev)
{
	if (c->state == C_CLOSED)
		return;
	/* hang-ups are reported even while nothing is asked for */
	if ((ev & (EPOLLHUP | EPOLLERR)) && c->state == C_BODY_WAIT) {
		relay_xfer_conn_lost(r, c);
		return;
	}
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		conn_read(r, c);
	if (c->state != C_CLOSED && (ev & EPOLLOUT))
		conn_drive_out(r, c);
}

/* Close connections past their deadline.  Closing one may close others
 * (a transfer that fails), so the expired ones are listed first; closed
 * connections stay allocated until the end of the round. */
static void expire(struct relay *r, double now)
{
	size_t n = 0;
	struct rconn **late = xcalloc((size_t)r->nconns + 1, sizeof *late);
	for (struct rconn *c = r->conns; c; c = c->anext)
		if (c->deadline > 0 && now > c->deadline &&
		    (c->state == C_HEAD || c->state == C_RESPOND || c->state == C_LINGER))
			late[n++] = c;
	for (size_t i = 0; i < n; i++) {
		struct rconn *c = late[i];
		if (c->state == C_CLOSED)
			continue;
		if ((c->inlen == 0 && c->state == C_HEAD) || c->state == C_LINGER)
			relay_conn_kill(r, c);      /* an idle kept-alive connection, or a lingering one */
		else
			relay_xfer_conn_lost(r, c);
	}
	free(late);
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	struct epoll_event ev[64];
	double last_expire = relay_now();
	while (!atomic_load(&r->stopping)) {
		int n = epoll_wait(r->epoll_fd, ev, 64, 500);
		pthread_mutex_lock(&r->lock);
		for (int i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;
			if (p == &listen_tag) {
				conn_accept(r);
			} else if (p == &wake_tag) {
				uint64_t v;
				while (read(r->wake_fd, &v, sizeof v) > 0)
					;
			} else {
				conn_event(r, p, ev[i].events);
			}
		}
		relay_xfer_pump_all(r);
		double now = relay_now();
		if (now - last_expire >= 1.0) {
			expire(r, now);
			last_expire = now;
		}
		while (r->dead) {
			struct rconn *c = r->dead;
			r->dead = c->dnext;
			free(c);
		}
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

void relay_wake(struct relay *r)
{
	uint64_t one = 1;
	ssize_t w = write(r->wake_fd, &one, sizeof one);
	(void)w;
}

struct relay *relay_start(const struct relay_options *o, char *err, size_t errsize)
{
	struct relay *r = xcalloc(1, sizeof *r);
	r->listen_fd = r->epoll_fd = r->wake_fd = -1;
	r->queue_bytes = o && o->queue_bytes ? o->queue_bytes : RELAY_QUEUE_BYTES;
	const char *addr = o && o->listen && o->listen[0] ? o->listen : "0.0.0.0:0";
	pthread_mutex_init(&r->lock, NULL);
	r->listen_fd = open_listener(addr, r->address, sizeof r->address, &r->port, err, errsize);
	if (r->listen_fd < 0)
		goto fail;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->epoll_fd < 0 || r->wake_fd < 0) {
		snprintf(err, errsize, "relay: epoll/eventfd: %s", strerror(errno));
		goto fail;
	}
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &listen_tag };
	struct epoll_event w = { .events = EPOLLIN, .data.ptr = &wake_tag };
	if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->listen_fd, &e) != 0 ||
	    epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->wake_fd, &w) != 0) {
		snprintf(err, errsize, "relay: epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	/* the thread takes no signals: the command's thread handles them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r->thread_started = pthread_create(&r->thread, NULL, relay_main, r) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r->thread_started) {
		snprintf(err, errsize, "relay: cannot start its thread");
		goto fail;
	}
	log_info("relay: listening on %s", r->address);
	return r;
fail:
	relay_stop(r);
	return NULL;
}

int relay_port(const struct relay *r)
{
	return r->port;
}

const char *relay_listen_address(const struct relay *r)
{
	return r->address;
}

long relay_refused(const struct relay *r)
{
	return atomic_load(&r->refused);
}

void relay_stop(struct relay *r)
{
	if (!r)
		return;
	if (r->thread_started) {
		atomic_store(&r->stopping, true);
		relay_wake(r);
		pthread_join(r->thread, NULL);
	}
	pthread_mutex_lock(&r->lock);
	while (r->xfers) {
		struct relay_xfer *x = r->xfers;
		if (!x->closed)
			log_warn("relay: transfer %s was still open when the relay stopped", x->label);
		x->closed = true;
		relay_xfer_pump_all(r);     /* kills its connections, frees it */
		if (r->xfers == x)
			break;
	}
	while (r->conns)
		relay_conn_kill(r, r->conns);
	while (r->dead) {
		struct rconn *c = r->dead;
		r->dead = c->dnext;
		free(c);
	}
	while (r->pool) {
		struct rchunk *k = r->pool;
		r->pool = k->next;
		free(k);
	}
	pthread_mutex_unlock(&r->lock);
	if (r->listen_fd >= 0) {
		close(r->listen_fd);
		if (r->thread_started)
			log_info("relay: stopped listening on %s", r->address);
	}
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
