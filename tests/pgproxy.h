/* pgproxy: a stand-in for the one behaviour of PostgreSQL 8.2/8.3-based
 * servers (Greenplum 4.3 and 5) that the harness's PostgreSQL lacks: they
 * refuse SET extra_float_digits = 3 (their maximum is 2) with SQLSTATE
 * 22023.  The proxy listens on 127.0.0.1, passes every byte of every
 * connection to a real harness server, and answers a simple query that sets
 * extra_float_digits to 3 with that server's error, as one of those servers
 * would: the whole query string fails, so the other statements in it do not
 * take effect either.  Nothing else is changed. */
#ifndef GP2ADB_TEST_PGPROXY_H
#define GP2ADB_TEST_PGPROXY_H

struct pgproxy;

/* Listen on a free port of 127.0.0.1 in front of 127.0.0.1:upstream_port.
 * Fails the test when it cannot. */
struct pgproxy *pgproxy_start(int upstream_port);
int pgproxy_port(const struct pgproxy *p);
/* How many queries were refused so far. */
int pgproxy_refusals(struct pgproxy *p);
/* Close every connection and stop. */
void pgproxy_stop(struct pgproxy *p);

#endif
