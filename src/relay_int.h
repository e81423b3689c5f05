/* relay_int: what relay.c (server, connections), relay_xfer.c (transfers,
 * forwarding) and relay_http.c (the protocol's text) share.  Not a contract:
 * only relay*.c and the relay's unit test include it. */
#ifndef GP2ADB_RELAY_INT_H
#define GP2ADB_RELAY_INT_H

#include "relay.h"

#include <pthread.h>
#include <stdint.h>

#define RELAY_TOKEN_HEX 32          /* 128 bits from getrandom() */
#define RELAY_HEAD_MAX 16384        /* request line and headers */
#define RELAY_HEAD_TIMEOUT 30.0     /* seconds to send a complete request */
#define RELAY_IDLE_TIMEOUT 120.0    /* seconds a kept-alive writer connection may idle */

/* ---- relay_http.c: the protocol's text (pure functions) ---- */

struct relay_request {
	bool get, post;             /* the method (other methods: neither) */
	char path[512];
	int minor;                  /* HTTP/1.<minor> */
	long long content_length;   /* -1: none */
	bool chunked;               /* Transfer-Encoding: chunked (refused) */
	bool close;                 /* Connection: close, or HTTP/1.0 without keep-alive */
	bool expect_continue;       /* Expect: 100-continue */
	int proto;                  /* X-GP-PROTO; -1 none */
	long long seq;              /* X-GP-SEQ; 0 none */
	bool done;                  /* X-GP-DONE */
	int segid, segcount;        /* X-GP-SEGMENT-ID, -COUNT; -1 none */
	bool gp_session;            /* X-GP-XID, -CID and -SN present */
};

/* Parse a request head in buf[0..len).  Returns its length (through the
 * empty line) when complete, 0 when more is needed, -1 when malformed. */
int relay_http_parse(const char *buf, size_t len, struct relay_request *req);

enum relay_role { ROLE_NONE, ROLE_WRITER, ROLE_READER };
/* "/gp2adb/<token>/w" or "/gp2adb/<token>/r<n>": the token (RELAY_TOKEN_HEX
 * hex digits) and the role; false for any other path. */
bool relay_path_parse(const char *path, char token[RELAY_TOKEN_HEX + 1], enum relay_role *role);
/* A fresh token from getrandom(); false when the kernel gives no randomness. */
bool relay_token_new(char token[RELAY_TOKEN_HEX + 1]);
/* Compare two tokens in time independent of where they differ. */
bool relay_token_equal(const char *a, const char *b);
/* Protocol 1 block header: type ('D' data, 'E' error) and length, network order. */
void relay_block_header(char out[5], char type, uint32_t len);
/* Rows in TEXT-format data: its line ends (newlines inside values are escaped). */
long long relay_count_rows(const char *p, size_t n);
/* Responses (into buf; returns the length). */
size_t relay_http_get_ok(char *buf, size_t size);
size_t relay_http_post_ok(char *buf, size_t size, bool close);
size_t relay_http_continue(char *buf, size_t size);
/* An error: status code and a reason that Greenplum shows in its error
 * message (made one printable line). */
size_t relay_http_error(char *buf, size_t size, int code, const char *reason);

/* ---- the server's objects (relay.c, relay_xfer.c) ---- */

struct rchunk {
	struct rchunk *next;
	size_t cap;                     /* bytes data[] can hold */
	size_t len;
	long long rows;
	char data[];
};

enum rconn_state {
	C_HEAD,         /* reading a request head */
	C_BODY_WAIT,    /* a writer's body waits for room in the queue */
	C_BODY,         /* reading a writer's body into a chunk */
	C_DISCARD,      /* reading a body to drop (a repeated request, a probe) */
	C_RESPOND,      /* sending a response, then C_HEAD or close */
	C_READER,       /* a reader: data blocks until the end */
	C_LINGER,       /* all said and our side shut: waiting for the peer to close */
	C_CLOSED,
};

struct rconn {
	int fd;
	char peer[64];
	enum rconn_state state;
	struct relay_xfer *x;           /* while attached to a transfer */
	struct rconn *xnext, *xprev;    /* in x's list */
	struct rconn *anext, *aprev;    /* in the relay's list of open connections */
	struct rconn *dnext;            /* in the relay's list of dead connections */
	double deadline;                /* monotonic; 0: none */
	uint32_t events;                /* registered with epoll */
	/* input: the request head, and whatever followed it */
	char in[RELAY_HEAD_MAX];
	size_t inlen;
	struct relay_request req;
	size_t headlen;                 /* of the request in in[] */
	/* a writer's body */
	long long body_left;
	struct rchunk *chunk;
	size_t chunk_got;
	bool reserved;                  /* chunk's bytes are counted in x->reserved */
	/* output: a response or a block header, then a chunk's data */
	char out[640];
	size_t outlen, outoff;
	struct rchunk *sending;
	size_t sent;
	bool close_after;               /* once the output is sent */
	bool ended;                     /* reader: got the end of data or an error */
	bool continue_sent;
};

struct relay_xfer {
	struct relay *r;
	struct relay_xfer *next;
	enum relay_kind kind;
	char label[160];
	char wtoken[RELAY_TOKEN_HEX + 1], rtoken[RELAY_TOKEN_HEX + 1];
	atomic_llong *bytes, *rows;
	enum relay_state state;
	enum relay_side failed_by;
	char error[256];
	bool closed;
	struct rconn *conns;            /* attached connections */
	struct rchunk *head, *tail;     /* the queue */
	size_t queued, reserved;
	/* per segment: writers' last sequence number, done; readers seen */
	long long *seq;
	unsigned char *wseen, *wdone, *rseen;
	int nseg;
	struct relay_counts counts;
};

struct relay {
	pthread_mutex_t lock;
	pthread_t thread;
	bool thread_started;
	int listen_fd, epoll_fd, wake_fd;
	int port;
	char address[80];
	size_t queue_bytes;
	atomic_bool stopping;
	struct relay_xfer *xfers;
	struct rconn *conns;            /* open connections */
	struct rconn *dead;             /* closed this round, freed at its end */
	struct rchunk *pool;            /* chunks to reuse */
	size_t pooled;                  /* their bytes, at most RELAY_POOL_BYTES */
	int nconns;
	atomic_long refused;
};

/* relay.c: connection plumbing the transfer logic uses (lock held). */
void relay_conn_want(struct relay *r, struct rconn *c, bool in, bool out);
void relay_conn_kill(struct relay *r, struct rconn *c);
/* Whether c has output not yet sent (a response, a block header, a block). */
bool relay_conn_pending(const struct rconn *c);
/* Queue a small response (or block header) for c and try to send it; the
 * connection then waits for what it needs (writability while output is
 * pending), so callers need not say. */
void relay_conn_send(struct relay *r, struct rconn *c, const char *buf, size_t len);
/* Refuse a request: log it, answer code, close. */
void relay_conn_refuse(struct relay *r, struct rconn *c, int code, const char *reason, const char *why);
/* All is sent: shut our side, and close once the peer has (or in a few
 * seconds), so it reads the last bytes rather than a reset. */
void relay_conn_linger(struct relay *r, struct rconn *c);
/* After a response on a kept-alive connection: read the next request. */
void relay_conn_resume_head(struct relay *r, struct rconn *c);
/* Wake the loop (a worker changed a transfer). */
void relay_wake(struct relay *r);
double relay_now(void);

/* Chunks, reused (lock held): a fresh megabyte is a fresh mapping, whose
 * page faults cost more than filling it.  The pool keeps at most
 * RELAY_POOL_BYTES.  NULL when memory is short. */
#define RELAY_POOL_BYTES (16u << 20)
struct rchunk *relay_chunk_get(struct relay *r, size_t len);
void relay_chunk_put(struct relay *r, struct rchunk *k);

/* relay_xfer.c: the protocol over a transfer (lock held). */
/* A complete request head arrived on c. */
void relay_xfer_request(struct relay *r, struct rconn *c);
/* A writer's body is complete in c->chunk. */
void relay_xfer_body_done(struct relay *r, struct rconn *c);
/* c's output drained: queue what comes next; true when something was. */
bool relay_xfer_sent_next(struct relay *r, struct rconn *c);
/* c went away (EOF, error, timeout) before it was done. */
void relay_xfer_conn_lost(struct relay *r, struct rconn *c);
/* Move every transfer forward: feed readers, let waiting writers in, end or
 * fail readers, drop closed transfers. */
void relay_xfer_pump_all(struct relay *r);
void relay_xfer_detach(struct rconn *c);

#endif
