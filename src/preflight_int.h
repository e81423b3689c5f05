/* preflight_int: what the check files (checks_*.c) share with preflight.c.
 * Not a public contract: only preflight.c and checks_*.c include it. */
#ifndef GP2ADB_PREFLIGHT_INT_H
#define GP2ADB_PREFLIGHT_INT_H

#include "catalog.h"
#include "db.h"
#include "preflight.h"
#include "strbuf.h"

struct writes_sample;

struct pf {
	const struct plan *plan;
	PGconn *src, *dst;              /* dst NULL: destination unreachable */
	struct flavor sf, df;
	char *src_version, *dst_version;
	struct table_list tables;       /* the source tables the plan selects */
	struct findings *out;
	struct preflight_facts *facts;
	struct writes_sample *writes;   /* first sample of writes.active */
	double writes_started;          /* monotonic seconds of that sample */
};

/* Whether a relation of this name resolves through search_path (probe a
 * catalog before relying on it: reference/greenplum.md 3.11). */
bool pf_visible(PGconn *conn, const char *relname);
/* Run a catalog query for check `id`; on error adds a warn finding saying
 * the check could not run (with the server's message) and returns NULL. */
PGresult *pf_query(struct pf *pf, PGconn *conn, const char *id, const char *sql);
/* findings_add with a detail built by the caller (taken). */
void pf_add(struct pf *pf, const char *id, enum severity sev, const char *title,
	    char *detail, const char *remedy, char **objects);
/* Append "a, b, c ... and N more" of a string vector to sb (at most max). */
void pf_list(struct strbuf *sb, char *const *v, size_t max);
/* The Greenplum 4.x syntax rule targets for this source and destination. */
unsigned pf_syntax_targets(const struct pf *pf);

/* checks_server.c */
void check_versions(struct pf *pf);
void check_segments(struct pf *pf);
void check_privileges(struct pf *pf);
void check_connections(struct pf *pf);
void check_method_gpcopy(struct pf *pf);
/* checks_encoding.c */
void check_encoding(struct pf *pf);
/* checks_objects.c */
void check_extensions(struct pf *pf);
void check_libraries(struct pf *pf);
void check_types_removed(struct pf *pf);
/* checks_syntax.c */
void check_syntax(struct pf *pf);
/* checks_tables.c */
void check_partitions(struct pf *pf);
void check_inheritance(struct pf *pf);
void check_external(struct pf *pf);
void check_no_key(struct pf *pf);
void check_size(struct pf *pf);
/* checks_segpath.c: whether the segments of both clusters reach gp2adb's
 * relay (a probe through external tables), and which tables would take
 * the segment path. */
void check_segment_path(struct pf *pf);
/* checks_writes.c: the first sample, then (after the other checks and at
 * least `interval` seconds later) the second and the finding. */
void writes_begin(struct pf *pf);
void writes_end(struct pf *pf, double interval);

#endif
