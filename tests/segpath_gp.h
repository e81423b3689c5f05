/* segpath_gp: the two real Greenplum clusters of the segment path's tests
 * (it_gp_segpath*).
 *
 * Under tests/harness/run-gp-test (the Greenplum test runner, which sets
 * GP2ADB_TEST_GP_DIR, GP2ADB_TEST_GP_SRC and GP2ADB_TEST_GP_DST) the
 * clusters it made are used, and GP2ADB_TEST_GP_SKIP (set when there is no
 * Greenplum) makes the program report a skip and exit 0.  Run by itself,
 * the program skips with exit 77 without GP2ADB_TEST_GPHOME (an installed
 * Greenplum 6), and otherwise makes its own clusters with tests/harness/gp
 * (a 3-primary source "src", a 4-primary destination "dst", in a directory
 * of its own under /tmp), one program at a time per build directory (the
 * runner's lock), and destroys them when it ends, even when it dies.
 * Either way the two masters stand in GP2ADB_TEST_SRC_PORT and
 * GP2ADB_TEST_DST_PORT, so testutil's and copytest's helpers talk to them.
 * GP2ADB_TEST_FILTER (a glob of test names) runs only some tests. */
#ifndef GP2ADB_SEGPATH_GP_H
#define GP2ADB_SEGPATH_GP_H

#include <libpq-fe.h>
#include <stddef.h>

#include "testutil.h"

struct CMUnitTest;

/* Set up the clusters (or skip: this exits), run the tests, tear down. */
int sgp_run(const char *group, const struct CMUnitTest *tests, size_t n);
#define SGP_RUN(tests) sgp_run(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]))
/* A cluster's directory (DIR/NAME of tests/harness/gp). */
const char *sgp_cluster(enum tu_side side);
/* Run tests/harness/gp CMD on a cluster (restart, start, status...); fails the test on error. */
void sgp_harness(const char *cmd, enum tu_side side);
/* A primary's port (content 0..n-1), from cluster.env. */
int sgp_segment_port(enum tu_side side, int content);
int sgp_segments(enum tu_side side);
/* CREATE DATABASE on a cluster, dropping it first (Greenplum 6 has no
 * DROP DATABASE ... WITH (FORCE): the database's sessions are ended). */
void sgp_createdb(enum tu_side side, const char *dbname);
/* A utility-mode connection to a primary. */
PGconn *sgp_connect_segment(enum tu_side side, int content, const char *dbname);

#endif
