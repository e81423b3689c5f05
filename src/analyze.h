/* analyze: ANALYZE the copied tables on the destination, a few at a time,
 * smallest first and largest last, so that most tables have statistics early.
 * Partition roots: on Greenplum and ADB the leaves are analyzed in parallel
 * and each root last with ANALYZE ROOTPARTITION; on PostgreSQL, where
 * ANALYZE of a root also analyzes its partitions, the root replaces them. */
#ifndef GP2ADB_ANALYZE_H
#define GP2ADB_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

#define ANALYZE_LOAD_WARNING \
	"ANALYZE raises the CPU load of the destination coordinator while it runs."

struct analyze_item {
	char *qualified;
	long long bytes;
	bool root;              /* a partition root (ROOTPARTITION on Greenplum) */
	bool done, ok;
	double seconds;
	char error[512];
};

struct analyze_result {
	size_t n;
	struct analyze_item *items;     /* in the order they are analyzed */
	int failed;
	int jobs;
	double seconds;
};

/* Called (serialised) after each table. */
typedef void (*analyze_progress_fn)(const struct analyze_item *item, size_t done, size_t total, void *arg);

/* Analyze the tables the plan selects on the destination with `jobs`
 * connections.  false when it cannot connect or read the catalog (message in
 * err; *connect_failed for the former); true otherwise, even when some tables
 * failed (out->failed). */
bool analyze_run(const struct plan *p, int jobs, analyze_progress_fn fn, void *arg,
		 struct analyze_result *out, char *err, size_t errsize, bool *connect_failed);
void analyze_result_free(struct analyze_result *r);

#endif
