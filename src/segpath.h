/* segpath: the COPY engine's segment path (doc/segment-path.md).  When both
 * ends are Greenplum-family, a unit's rows go from the source's segments
 * through gp2adb's relay (relay.h) to the destination's segments, with
 * neither coordinator carrying them.  The engine's units, markers, retries,
 * cancel and counters are the coordinator path's; only the runner of a
 * unit differs (engine_worker.c chooses it per table). */
#ifndef GP2ADB_SEGPATH_H
#define GP2ADB_SEGPATH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "copy_stream.h"
#include "db.h"
#include "flavor.h"
#include "plan.h"

struct engine;
struct worker;
struct eunit;
struct etable;
struct relay;

/* ---- the engine's hooks (segpath.c, segpath_unit.c) ---- */

/* After the units are planned and before the snapshot: decide which tables
 * take the segment path (migration.path, segment_path_min_mb), start the
 * relay, probe that every segment of both clusters reaches it, and end
 * what a killed run left running.  false: the copy cannot start as asked
 * (--path segment and the segment path is not possible; logged, exit code set). */
bool segpath_setup(struct engine *e, PGconn *dst);
/* Whether table `table` (engine.tables index) takes the segment path. */
bool segpath_table(const struct engine *e, size_t table);
/* One attempt at a unit on the segment path; the worker's connections are
 * open.  The same contract as the coordinator path's: COPY_DONE means its
 * rows and marker are committed in one destination transaction. */
enum copy_outcome segpath_unit_once(struct worker *w, struct eunit *u, struct etable *et, bool again,
				    struct db_error *err);
/* Stop the relay (idempotent): after the workers. */
void segpath_stop(struct engine *e);
void segpath_free(struct engine *e);

/* ---- the probe (segpath_probe.c), for the engine and for gp2adb check ---- */

/* Whether a flavor can take part: a Greenplum 5+ source; a Greenplum or
 * ADB destination.  why: a sentence when not. */
bool segpath_flavors_ok(const struct flavor *src, const struct flavor *dst, char *why, size_t size);

struct segpath_probe {
	bool ok;                /* every primary fetched the probe */
	int segments;           /* primaries of the cluster */
	int reached;            /* primaries that fetched it */
	char address[128];      /* what the segments were told: "host:port" */
	char error[600];        /* why not */
};
/* The address the segments of the cluster behind conn are told:
 * relay_advertise when set (its port, or the relay's), else the relay's
 * listening host when it is a specific one, else this host's address on
 * the connection to that cluster's coordinator. */
void segpath_address(const struct plan *p, PGconn *conn, const struct relay *r, char *buf, size_t size);
/* Read a probe URL through a readable external table on every primary of
 * the cluster behind conn (a temporary table, in a transaction rolled
 * back); writable: also check that a writable one may be created.  conn
 * must not be in a transaction. */
void segpath_probe_run(struct relay *r, PGconn *conn, const char *address, bool writable,
		       struct segpath_probe *out);
/* Probe both clusters with a relay of the plan's own; the relay is stopped
 * again.  false only when the relay cannot start (the reason in err). */
bool segpath_probe_both(const struct plan *p, PGconn *src, PGconn *dst, struct segpath_probe *s,
			struct segpath_probe *d, char *err, size_t errsize);
/* Mask the tokens of relay URLs in a message (errors quote the URL). */
void segpath_mask_tokens(char *msg);

#endif
