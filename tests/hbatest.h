/* hbatest: the pg_hba fixture of the ssh access tests.  The harness's real
 * PostgreSQL source admits the role "mover" over TCP only once gp2adb has
 * opened pg_hba.conf for it; gp2adb edits that file over SSH through the
 * sshd hosts 127.0.0.2-5 (which share this machine's filesystem). */
#ifndef GP2ADB_HBATEST_H
#define GP2ADB_HBATEST_H

#include <stdbool.h>
#include <stddef.h>

#include "testutil.h"

struct hbatest {
	char *work;     /* a temp directory: configurations and state directories */
	char *data;     /* the source's data directory (also its socket directory) */
	char *hba;      /* <data>/pg_hba.conf */
	char *orig;     /* its restrictive bytes, as every restore must leave them */
};
extern struct hbatest ht;

/* Once per test program: the role mover, the restrictive pg_hba.conf, loaded. */
void ht_setup(void);
void ht_teardown(void);
/* Put the restrictive pg_hba.conf back (a regular file) and reload. */
void ht_reset(void);

/* A configuration variant.  Unset fields take the default: the source over
 * its socket directory as mover, ssh to 127.0.0.2 on the harness's port,
 * destination database postgres, state directory <work>/state. */
struct ht_conf {
	const char *src_host;
	const char *password;       /* a password key in the source section */
	const char *dst_db;
	const char *ssh_master;
	int ssh_port;
	const char *state;          /* under work */
};
/* Write <work>/<name>.conf; caller frees the path. */
char *ht_conf(const char *name, const struct ht_conf *c);

/* Whether mover can log in over TCP with its password (why: libpq's message). */
bool ht_admitted(char *why, size_t size);
/* Reload the server as the DBA would (pg_reload_conf) and wait until mover's
 * admission is `want` (up to 10 s); false if it never became so. */
bool ht_reload_and_wait(bool want);

/* gp2adb -c conf args...; fails the test when the exit status is not want. */
void ht_expect(struct tu_run *r, int want, const char *conf, const char *const *args);
/* The exact original bytes, owner and mode kept, and mover turned away. */
void ht_assert_restored(void);
/* Whether path is a symbolic link. */
bool ht_is_symlink(const char *path);

#endif
