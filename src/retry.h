/* retry: when a unit of work that failed on a transient fault is tried
 * again, and when it fails for good.  Two kinds of failure count apart:
 *   - an attempt that reached the servers and failed while working (a
 *     connection lost mid-stream, a deadlock): `tries` of them at most, with
 *     exponential backoff (0.5 s, 1 s, 2 s ... 8 s);
 *   - a server that cannot be reached or is not ready (refused, shutting
 *     down, starting up, failed over): waited for, with a try every 2 s, up
 *     to `window` seconds from when it went away (an ADB coordinator restart
 *     or failover takes minutes).  A window of 0 counts these as tries.
 * Pure: the caller says what happened and when; no clock, no sleeping. */
#ifndef GP2ADB_RETRY_H
#define GP2ADB_RETRY_H

#include <stdbool.h>

struct retry {
	int max_tries;          /* attempts that may fail while working */
	double window;          /* seconds a server may stay away */
	int failed;             /* attempts that failed while working */
	double away_since;      /* when the server went away; 0: it is there */
};

void retry_init(struct retry *r, int max_tries, double window_s);

enum retry_verdict {
	RETRY_AGAIN,            /* try again after *delay */
	RETRY_WAIT,             /* the server is away: try again after *delay */
	RETRY_GIVE_UP,
};

/* After a failed attempt at `now` (seconds, monotonic): transient says the
 * fault may pass; reached says the attempt got as far as working (else the
 * server was away or not ready). */
enum retry_verdict retry_next(struct retry *r, bool transient, bool reached, double now, double *delay);

/* Seconds the server has been away (0 when it is there). */
double retry_away_for(const struct retry *r, double now);

#endif
