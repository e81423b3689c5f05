#include "ssh_stream.h"
#include "ssh_priv.h"
#include "mem.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct ssh_stream {
	struct ssh_session *s;
	LIBSSH2_CHANNEL *ch;
	char marker[48];
	struct strbuf out, err;     /* received, not yet handed out */
	size_t out_off, err_off;
	bool input_closed, eof, got_status;
	int status;
};

static const char *session_error(LIBSSH2_SESSION *sess)
{
	char *msg = NULL;
	libssh2_session_last_error(sess, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A peer that vanished without closing (a host down, a cable pulled) is
 * noticed within minutes, not hours: the command may stay silent that long. */
static void keep_alive(struct ssh_session *s)
{
	int on = 1, idle = 30, intvl = 10, cnt = 6;
	setsockopt(s->sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	setsockopt(s->sock, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(s->sock, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(s->sock, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	libssh2_keepalive_config(s->sess, 1, 20);
}

struct ssh_stream *ssh_stream_start(struct ssh_session *s, const char *cmd, const void *in, size_t inlen,
				    char *err, size_t errsize)
{
	libssh2_session_set_blocking(s->sess, 1);
	LIBSSH2_CHANNEL *ch = libssh2_channel_open_session(s->sess);
	if (!ch) {
		snprintf(err, errsize, "%s: cannot open an ssh channel: %s", s->host, session_error(s->sess));
		return NULL;
	}
	struct ssh_stream *st = xcalloc(1, sizeof *st);
	st->s = s;
	st->ch = ch;
	st->status = -1;
	strbuf_init(&st->out);
	strbuf_init(&st->err);
	s->nonce++;
	snprintf(st->marker, sizeof st->marker, "__GP2ADB_RC_%lx=", s->nonce);
	char *quoted = ssh_shell_quote(cmd);
	char *wrapped = xasprintf("sh -c %s; printf '\\n%s%%d\\n' $?", quoted, st->marker);
	free(quoted);
	bool ok = libssh2_channel_exec(ch, wrapped) == 0;
	free(wrapped);
	if (!ok)
		snprintf(err, errsize, "%s: cannot run a command: %s", s->host, session_error(s->sess));
	const char *p = in;
	while (ok && inlen > 0) {
		ssize_t n = libssh2_channel_write(ch, p, inlen);
		if (n < 0) {
			snprintf(err, errsize, "%s: sending data failed: %s", s->host, session_error(s->sess));
			ok = false;
			break;
		}
		p += n;
		inlen -= (size_t)n;
	}
	if (!ok) {
		ssh_stream_free(st);
		return NULL;
	}
	keep_alive(s);
	libssh2_session_set_blocking(s->sess, 0);
	return st;
}

/* The next complete line of buf from *off into line; false when none. */
static bool pop(struct strbuf *buf, size_t *off, struct strbuf *line)
{
	for (;;) {
		if (*off >= buf->len)
			return false;
		char *start = buf->data + *off;
		char *nl = memchr(start, '\n', buf->len - *off);
		if (!nl)
			return false;
		size_t n = (size_t)(nl - start);
		*off += n + 1;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		strbuf_reset(line);
		strbuf_add(line, start, n);
		return true;
	}
}

static void compact(struct strbuf *buf, size_t *off)
{
	if (*off == 0)
		return;
	memmove(buf->data, buf->data + *off, buf->len - *off);
	buf->len -= *off;
	buf->data[buf->len] = '\0';
	*off = 0;
}

static bool pop_any(struct ssh_stream *st, struct strbuf *line, bool *is_stderr)
{
	while (pop(&st->out, &st->out_off, line)) {
		size_t m = strlen(st->marker);
		if (line->len > m && strncmp(line->data, st->marker, m) == 0) {
			st->status = atoi(line->data + m);
			st->got_status = true;
			continue;
		}
		*is_stderr = false;
		return true;
	}
	compact(&st->out, &st->out_off);
	if (pop(&st->err, &st->err_off, line)) {
		*is_stderr = true;
		return true;
	}
	compact(&st->err, &st->err_off);
	return false;
}

enum ssh_stream_next ssh_stream_next(struct ssh_stream *st, struct strbuf *line, bool *is_stderr, int wait_ms,
				     char *err, size_t errsize)
{
	double deadline = now_s() + wait_ms / 1000.0;
	char buf[16384];
	for (;;) {
		if (pop_any(st, line, is_stderr))
			return SSH_STREAM_LINE;
		if (st->eof) {
			/* a last line without its newline */
			if (st->out.len > st->out_off || st->err.len > st->err_off) {
				strbuf_add(&st->out, "\n", 1);
				strbuf_add(&st->err, "\n", 1);
				continue;
			}
			if (st->got_status)
				return SSH_STREAM_ENDED;
			snprintf(err, errsize, "%s: the command ended without reporting its exit status "
				 "(connection closed or killed)", st->s->host);
			return SSH_STREAM_FAILED;
		}
		ssize_t a = libssh2_channel_read(st->ch, buf, sizeof buf);
		if (a > 0)
			strbuf_add(&st->out, buf, (size_t)a);
		ssize_t b = libssh2_channel_read_stderr(st->ch, buf, sizeof buf);
		if (b > 0)
			strbuf_add(&st->err, buf, (size_t)b);
		if ((a < 0 && a != LIBSSH2_ERROR_EAGAIN) || (b < 0 && b != LIBSSH2_ERROR_EAGAIN)) {
			snprintf(err, errsize, "%s: reading the command's output failed: %s", st->s->host,
				 session_error(st->s->sess));
			return SSH_STREAM_FAILED;
		}
		if (a > 0 || b > 0)
			continue;
		if (libssh2_channel_eof(st->ch)) {
			st->eof = true;
			continue;
		}
		int next_ka;
		libssh2_keepalive_send(st->s->sess, &next_ka);   /* EAGAIN: it goes out later */
		double left = deadline - now_s();
		if (left <= 0)
			return SSH_STREAM_IDLE;
		int dir = libssh2_session_block_directions(st->s->sess);
		struct pollfd p = { .fd = st->s->sock, .events = POLLIN };
		if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			p.events |= POLLOUT;
		int ms = (int)(left * 1000) + 1;
		if (ms > 1000)
			ms = 1000;
		if (poll(&p, 1, ms) < 0) {
			snprintf(err, errsize, "%s: waiting for the command's output failed", st->s->host);
			return SSH_STREAM_FAILED;
		}
	}
}

void ssh_stream_close_input(struct ssh_stream *st)
{
	if (st->input_closed)
		return;
	st->input_closed = true;
	/* non-blocking: retry EAGAIN a bounded number of times */
	for (int i = 0; i < 1000; i++) {
		int rc = libssh2_channel_send_eof(st->ch);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			return;
		struct pollfd p = { .fd = st->s->sock, .events = POLLIN | POLLOUT };
		poll(&p, 1, 10);
	}
}

int ssh_stream_status(const struct ssh_stream *st)
{
	return st->status;
}

void ssh_stream_free(struct ssh_stream *st)
{
	if (!st)
		return;
	libssh2_session_set_blocking(st->s->sess, 1);
	if (!st->input_closed)
		libssh2_channel_send_eof(st->ch);
	libssh2_channel_close(st->ch);
	libssh2_channel_wait_closed(st->ch);
	libssh2_channel_free(st->ch);
	strbuf_done(&st->out);
	strbuf_done(&st->err);
	free(st);
}
