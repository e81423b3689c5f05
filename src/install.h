/* install: gpcopy and gpcopy_helper onto the Greenplum master and every
 * segment host over SSH (reference/greenplum.md 1.1): gpcopy and gpcopy_helper
 * into $GPHOME/bin on the master, gpcopy_helper on each segment host, mode
 * 755.  Hosts run in parallel, one SSH session per thread; a host that
 * already holds the same checksum and mode is left as it is. */
#ifndef GP2ADB_INSTALL_H
#define GP2ADB_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "ssh.h"

struct install_file {
	const char *name;           /* "gpcopy", "gpcopy_helper" */
	char *data;
	size_t len;
	char sha[65];
};

struct install_tarball {
	struct install_file gpcopy, helper;
	int major, minor;           /* from the file name; 0 when it says none */
};

/* Unpack the tarball (tar -xzf into a temporary directory) and read both
 * binaries, wherever they sit inside it. */
bool install_tarball_read(struct install_tarball *t, const char *path);
void install_tarball_done(struct install_tarball *t);
/* gpcopy 2.4 and later require SSL on the destination. */
bool install_needs_ssl(int major, int minor);
/* "gpcopy version 2.4.1" -> 2, 4; false when no version is found. */
bool install_parse_version(const char *text, int *major, int *minor);

enum install_state { INSTALL_PENDING, INSTALL_RUNNING, INSTALL_INSTALLED, INSTALL_UNCHANGED, INSTALL_FAILED };
const char *install_state_name(enum install_state s);

struct install_host {
	char *host;
	bool master;                /* gets gpcopy too */
	enum install_state state;
	char step[80];              /* what it is doing now */
	char gphome[512];
	char version[160];          /* first line of `gpcopy --version` (or the helper's) */
	char error[1024];
	struct ssh_hostkey hostkey; /* what the host presented (for the wizard) */
};

/* Segment hosts: ssh.segment_hosts when set, else discovered on the source
 * from gp_segment_configuration.  *hosts is a new string vector (may be empty). */
bool install_segment_hosts(const struct plan *p, char ***hosts);
/* The host list: the master first, then each segment host not the master. */
struct install_host *install_hosts_new(const char *master, char *const *segments, size_t *n);
void install_hosts_free(struct install_host *h, size_t n);

/* Install on every host, `jobs` at a time.  progress (may be NULL) is called
 * under a lock whenever a host changes step or state.  true when no host failed. */
bool install_run(const struct plan *p, const struct install_tarball *t, struct install_host *hosts, size_t n,
		 int jobs, void (*progress)(const struct install_host *h, void *arg), void *arg);

#endif
