/* gptest: helpers shared by the Greenplum tests (it_gp_*).  They run under
 * tests/harness/run-gp-test, which gives each test program two real
 * Greenplum 6 clusters: the source (3 primaries) and the destination
 * (4 primaries, standing in for ADB).  GP2ADB_TEST_SRC_PORT and
 * GP2ADB_TEST_DST_PORT are their masters, so testutil's tu_connect(),
 * tu_endpoint() and tu_write_config() reach them as they reach the
 * PostgreSQL servers of the other integration tests. */
#ifndef GP2ADB_GPTEST_H
#define GP2ADB_GPTEST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "testutil.h"

struct CMUnitTest;

/* Run the group; without Greenplum (GP2ADB_TEST_GP_SKIP set by the
 * harness) report every test as skipped, by name, and return 0.
 * GP2ADB_TEST_FILTER (a glob of test names) runs only some. */
int gpt_run(const char *group, const struct CMUnitTest *tests, size_t n, int (*setup)(void **));
#define GPT_RUN(tests) gpt_run(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]), NULL)
/* The same with a group setup, run once before the first test. */
#define GPT_RUN_SETUP(tests, setup) gpt_run(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]), setup)

/* CREATE DATABASE on a cluster, dropping it first (after ending its
 * sessions: Greenplum 6 has no DROP DATABASE ... WITH (FORCE)). */
void gpt_createdb(enum tu_side side, const char *dbname);
/* Run SQL on a database of a cluster (several statements allowed). */
void gpt_sql(enum tu_side side, const char *dbname, const char *sql);

/* tests/harness/gp COMMAND on a cluster ("restart", "stop", "start");
 * fails the test when it fails. */
void gpt_cluster(enum tu_side side, const char *command);
/* A value of the cluster's cluster.env ("NSEG", "SEG0_PORT", ...); new string. */
char *gpt_env(enum tu_side side, const char *key);
int gpt_segments(enum tu_side side);
/* A utility-mode connection to the primary with this content id. */
PGconn *gpt_connect_segment(enum tu_side side, int content, const char *dbname);

/* Count and an order-independent digest of a table's rows (all of them:
 * a partition root's digest covers its leaves); new string. */
char *gpt_digest(PGconn *conn, const char *table);
/* Fails the test unless each table has the same digest on both sides. */
void gpt_assert_identical(const char *src_db, const char *dst_db, const char *const *tables);

/* A gp2adb.conf for the two clusters in a fresh directory; `extra` is
 * appended verbatim.  *dir (if given) receives the directory. */
char *gpt_config(const char *src_db, const char *dst_db, const char *extra, char **dir);

/* The sample source schema "sales" (tests/gptest.c gpt_seed_sql): heap
 * tables DISTRIBUTED BY a key, RANDOMLY and REPLICATED; an append-optimized
 * row table with zlib and a column table with per-column encodings (zstd,
 * rle_type, zlib); a table partitioned two levels deep (RANGE by month, LIST
 * by region) with default partitions on both levels and heap, AO row and AO
 * column partitions; readable and writable gpfdist external tables; an
 * index, a view and a sequence (bigserial).  Its tables with rows: */
extern const char *const gpt_seed_tables[];
/* the root only, for digests of the partitioned table */
extern const char *const gpt_seed_roots[];
void gpt_seed(const char *dbname);

/* A source table's change fingerprint as gp2adb reads it (source_state.h);
 * NULL when there is none.  New string. */
char *gpt_fingerprint(const char *db, const char *table);
/* Wait (up to 15 s: a session reports its counts when it goes idle) until
 * the fingerprint differs from `before`; the new one.  `what` names the
 * write in the failure. */
char *gpt_wait_moved(const char *db, const char *table, const char *before, const char *what);

/* ct_bg_wait, keeping gp2adb's stderr too (*err, a new string). */
struct ct_bg;
int gpt_bg_wait(struct ct_bg *b, double limit, char **out, char **err);

/* Whether out contains needle; fails the test with both when it does not. */
void gpt_expect_text(const char *what, const char *out, const char *needle);

#endif
