/* relay: gp2adb's own server of gpfdist's HTTP protocol, for the segment
 * path (doc/segment-path.md).  One listening socket served by one thread.
 * A transfer is one unit's rows: the source's segments POST them to its
 * writer URL (a writable external table), the destination's segments GET
 * them from its reader URLs (a readable external table), and the relay
 * hands each POST body, whole, to one reader, in bounded memory: while the
 * queue is full it stops reading the writers' bodies.  Each transfer's URLs
 * carry unguessable tokens; any other request is refused and logged.
 * Nothing is written to disk. */
#ifndef GP2ADB_RELAY_H
#define GP2ADB_RELAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* What a transfer may hold in memory (bodies queued or being read), unless
 * one body is larger: then that body alone. */
#define RELAY_QUEUE_BYTES (8u << 20)
/* The largest POST body accepted: a row of a text COPY cannot be larger. */
#define RELAY_MAX_BODY (1100u << 20)
#define RELAY_MAX_CONNECTIONS 4096

struct relay;

/* Check (and split) "host:port" (port 0-65535; "[v6]:port" too), or just
 * "host" when the port is optional.  host may be NULL; *port is -1 when
 * none was given. */
bool relay_address_parse(const char *s, bool port_required, char *host, size_t hsize, int *port);

struct relay_options {
	const char *listen;         /* "host:port", "0.0.0.0:0" when NULL */
	size_t queue_bytes;         /* per transfer; 0: RELAY_QUEUE_BYTES */
};

/* Bind and start serving.  NULL with a message in err when the address is
 * bad or cannot be bound. */
struct relay *relay_start(const struct relay_options *o, char *err, size_t errsize);
/* The port actually bound (the one given, or the kernel's choice for 0). */
int relay_port(const struct relay *r);
/* "host:port" as bound. */
const char *relay_listen_address(const struct relay *r);
/* Requests refused so far (wrong token, method, path; malformed). */
long relay_refused(const struct relay *r);
/* Close the listener and every connection, stop the thread, free.  Open
 * transfers must have been closed. */
void relay_stop(struct relay *r);

enum relay_kind {
	RELAY_COPY,     /* writers' bodies go to the readers */
	RELAY_PROBE,    /* each reader gets one line, its segment id; bodies are counted and dropped */
};
/* Who ended a transfer with an error. */
enum relay_side { RELAY_NOBODY, RELAY_SOURCE, RELAY_DESTINATION, RELAY_WORKER };
enum relay_state { RELAY_OPEN, RELAY_WRITERS_DONE, RELAY_FAILED };

struct relay_xfer;

/* A new transfer.  bytes and rows (may be NULL) are added to as the readers
 * are sent the data; they must outlive the transfer.  label names it in the
 * log ("public.orders unit all"). */
struct relay_xfer *relay_xfer_open(struct relay *r, enum relay_kind kind, const char *label,
				   atomic_llong *bytes, atomic_llong *rows);
/* The path of the writers' URL (n < 0) or of reader URL n (n >= 1), as
 * "/gp2adb/<token>/w" or "/gp2adb/<token>/r<n>".  Writers and readers have
 * tokens of their own. */
void relay_xfer_path(const struct relay_xfer *x, int n, char *buf, size_t size);
/* The source's statement succeeded: every row has been received.  Once the
 * queue is empty each reader gets the end of the data. */
void relay_xfer_writers_done(struct relay_xfer *x);
/* End the transfer with an error: readers get it as an error block (or see
 * their connection closed mid-block), writers as HTTP 500, so both sides'
 * statements fail.  The first failure wins. */
void relay_xfer_fail(struct relay_xfer *x, enum relay_side side, const char *message);

struct relay_counts {
	enum relay_state state;
	enum relay_side failed_by;
	char error[256];
	long long rows_in, bytes_in;    /* accepted from writers */
	long long rows, bytes;          /* sent to readers */
	int writers, readers;           /* distinct segments seen on each side */
	int writers_done;               /* writers that said X-GP-DONE */
	int readers_ended;              /* readers sent the end of the data */
	long long duplicates;           /* writer requests repeated (same X-GP-SEQ), ignored */
};
void relay_xfer_counts(struct relay_xfer *x, struct relay_counts *out);
/* The segment ids seen as readers (writers: false) or writers, ascending,
 * at most max; returns how many were seen. */
int relay_xfer_segments(struct relay_xfer *x, bool writers, int *ids, int max);
/* Forget the transfer: its connections are closed and its tokens refused
 * from now on; the counters are no longer touched. */
void relay_xfer_close(struct relay_xfer *x);

#endif
