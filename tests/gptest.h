/* gptest: the two real Greenplum clusters of the it_gp_* tests.
 *
 * Without GP2ADB_TEST_GPHOME (an installed Greenplum 6) the program prints a
 * TAP skip plan and exits 77.  When GP2ADB_TEST_GP_DIR names a directory
 * holding clusters "src" and "dst" made and started by tests/harness/gp,
 * those are used; otherwise the program makes its own there (a 3-primary
 * source and a 4-primary destination, in a directory of its own under
 * /tmp) and destroys them when it ends, even when it dies.  Either way the
 * two masters then stand in GP2ADB_TEST_SRC_PORT and GP2ADB_TEST_DST_PORT,
 * so testutil's and copytest's helpers talk to them. */
#ifndef GP2ADB_GPTEST_H
#define GP2ADB_GPTEST_H

#include <libpq-fe.h>

#include "testutil.h"

/* Call first in main(); returns only when the clusters are up. */
void gt_setup(void);
/* Call last: destroys the clusters this program made. */
void gt_teardown(void);
/* A cluster's directory (DIR/NAME of tests/harness/gp). */
const char *gt_cluster(enum tu_side side);
/* Run tests/harness/gp CMD on a cluster (restart, start, status...); fails the test on error. */
void gt_harness(const char *cmd, enum tu_side side);
/* A primary's port (content 0..n-1), from cluster.env. */
int gt_segment_port(enum tu_side side, int content);
int gt_segments(enum tu_side side);
/* CREATE DATABASE on a cluster, dropping it first (Greenplum 6 has no
 * DROP DATABASE ... WITH (FORCE): the database's sessions are ended). */
void gt_createdb(enum tu_side side, const char *dbname);
/* A utility-mode connection to a primary. */
PGconn *gt_connect_segment(enum tu_side side, int content, const char *dbname);

#endif
