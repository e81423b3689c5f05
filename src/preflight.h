/* preflight: checks before migrating -> findings (issue "Evaluate before
 * migrating").  The finding types are a contract with ui/ and report. */
#ifndef GP2ADB_PREFLIGHT_H
#define GP2ADB_PREFLIGHT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "flavor.h"
#include "plan.h"

enum severity { SEV_OK, SEV_INFO, SEV_WARN, SEV_FAIL };

struct finding {
	char *id;           /* "segments.count", "extensions.missing", ... */
	enum severity severity;
	char *title;        /* one line */
	char *detail;       /* may span lines */
	char *remedy;       /* what the operator should do; may be NULL for ok */
	char **objects;     /* NULL-terminated list of named objects, or NULL */
};

struct findings {
	struct finding *items;
	size_t n;
};

const char *severity_name(enum severity s);
void findings_add(struct findings *f, const char *id, enum severity sev, const char *title,
		  const char *detail, const char *remedy, char **objects /* taken */);
void findings_free(struct findings *f);
enum severity findings_worst(const struct findings *f);
/* The first finding with this id, or NULL. */
const struct finding *findings_find(const struct findings *f, const char *id);

/* What the checks learned that the method advisor needs (advisor.h). */
struct preflight_facts {
	struct flavor source, destination;  /* destination zeroed when unreachable */
	bool destination_reached;   /* gp2adb connected to it from where it runs */
	int source_segments;        /* primary segments; 0 when not MPP */
	int destination_segments;
	long long total_bytes;      /* data to move (size.total) */
	long long total_rows;
	double rate_bytes_per_s;    /* measured or the documented default */
	bool rate_measured;
	/* the engine's segment path (doc/segment-path.md), probed by the
	 * method.segment_path check when both ends are Greenplum-family */
	bool segment_path_probed, segment_path_ok;
	int segment_path_src_reached, segment_path_dst_reached;    /* primaries that reached the relay */
	long long segment_path_bytes;   /* on disk, of the tables that would take it */
	size_t segment_path_tables;
};

struct preflight_options {
	/* Seconds between the two samples of the statistics views for
	 * writes.active; the other checks run in between. */
	double writes_interval;
};
#define PREFLIGHT_WRITES_INTERVAL 3.0

/* "1.5 GB", "312 bytes" */
void preflight_bytes(char *buf, size_t size, long long bytes);

/* Run every check.  src must be connected; dst may be NULL when the
 * destination could not be reached (its checks are then skipped).
 * false only when the source cannot be read at all (err filled); a check
 * that cannot run becomes a finding saying why. */
bool preflight_run(const struct plan *p, PGconn *src, PGconn *dst,
		   const struct preflight_options *opt, struct findings *out,
		   struct preflight_facts *facts, char *err, size_t errsize);

#endif
