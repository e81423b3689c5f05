/* testutil: shared helpers for cmocka tests.  Integration tests (it_*) run
 * under tests/harness/run-test, which starts a real source and destination
 * PostgreSQL server and exports GP2ADB_TEST_* variables. */
#ifndef GP2ADB_TESTUTIL_H
#define GP2ADB_TESTUTIL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan.h"

enum tu_side { TU_SRC, TU_DST };

/* Port of the harness server, from GP2ADB_TEST_{SRC,DST}_PORT (fails the test when unset). */
int tu_port(enum tu_side side);
/* Connect as postgres to dbname on the harness server; fails the test on error. */
PGconn *tu_connect(enum tu_side side, const char *dbname);
/* Run SQL (several statements allowed); fails the test on error. */
void tu_exec(PGconn *conn, const char *sql);
/* First column of the first row as a new string (NULL for SQL NULL). */
char *tu_value(PGconn *conn, const char *sql);
long long tu_count(PGconn *conn, const char *sql);
/* CREATE DATABASE on a harness server (dropping it first if it exists). */
void tu_createdb(enum tu_side side, const char *dbname);
/* Fill an endpoint for the harness server. */
void tu_endpoint(struct endpoint *ep, enum tu_side side, const char *dbname);

/* A fresh temp directory (removed by the harness for it_ tests). */
char *tu_tmpdir(void);
void tu_write_file(const char *path, const char *content, unsigned mode);
char *tu_read_file(const char *path);
/* Write a gp2adb.conf for the harness servers; `extra` is appended verbatim. */
char *tu_write_config(const char *dir, const char *src_db, const char *dst_db, const char *extra);

/* Run the built gp2adb ($GP2ADB_BIN) with args (NULL-terminated), stdin from
 * /dev/null; captures stdout and stderr.  Returns the exit status. */
struct tu_run {
	int status;
	char *out;
	char *err;
};
int tu_run_gp2adb(struct tu_run *r, const char *const *args);
/* Start $GP2ADB_BIN with args (stdin /dev/null, stdout and stderr to the
 * given descriptors) without waiting; returns its pid. */
pid_t tu_spawn_gp2adb(const char *const *args, int out_fd, int err_fd);
void tu_run_done(struct tu_run *r);

#endif
