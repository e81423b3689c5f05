/* validate_int: what the run (validate.c) and the per-table checks
 * (validate_table.c) share.  Not a contract outside the validate module. */
#ifndef GP2ADB_VALIDATE_INT_H
#define GP2ADB_VALIDATE_INT_H

#include <libpq-fe.h>
#include <pthread.h>

#include "catalog.h"
#include "flavor.h"
#include "validate.h"

struct validate_run;

struct vtask {
	struct validate_table *res;     /* the result slot (names filled) */
	const struct table *src, *dst;
	double started_at;
	unsigned long done_seq;
};

struct vworker {
	struct validate_run *run;
	int id;
	PGconn *conn[2];                /* source, destination: this worker's own */
	PGcancel *cancel[2];
	pthread_t thread;
	bool started;
};

struct vrun_shared {
	const struct validate_options *opt;
	struct flavor flavor[2];
	bool same_encoding;             /* md5 of text is comparable */
	char encodings[160];
};

/* Check one table on the worker's connections into *out (a fresh struct). */
void vtable_check(struct vworker *w, const struct vrun_shared *sh, const struct vtask *t,
		  struct validate_table *out);
void vtable_free(struct validate_table *t);

#endif
