/* advisor: which migration method to use, and why (reference/greenplum.md 4.7). */
#ifndef GP2ADB_ADVISOR_H
#define GP2ADB_ADVISOR_H

#include <stdbool.h>

#include "plan.h"
#include "preflight.h"

enum method { METHOD_ENGINE, METHOD_GPCOPY, METHOD_GPTRANSFER, METHOD_OSS, METHOD_COUNT };

struct method_option {
	enum method method;
	bool usable;
	char *condition;    /* when this method applies / why it does not */
};

struct advice {
	enum method recommended;
	char *reason;
	struct method_option options[METHOD_COUNT];
	/* the network as the advisor used it: said by the operator or tested */
	enum tristate source_reaches_destination;
	enum tristate destination_reaches_source;
	bool source_reaches_destination_tested;
	/* the engine's data path for its large tables: PATH_SEGMENT when the
	 * method.segment_path probe found every segment of both clusters
	 * reaching gp2adb's relay, else PATH_COORDINATOR; why, in a sentence */
	enum copy_path engine_path;
	char *path_reason;
};

/* Above this much data the coordinator is the funnel: a segment-parallel
 * method is preferred where one is usable. */
#define ADVISOR_LARGE_BYTES (1024LL * 1024 * 1024 * 1024)

const char *advisor_method_name(enum method m);
/* Decide from the plan's network and instance mode, the facts the checks
 * measured and the findings.  `source_is_local`: gp2adb runs on the source
 * master, so its own connection to the destination tests that direction. */
void advisor_advise(const struct plan *p, const struct preflight_facts *facts,
		    const struct findings *f, bool source_is_local, struct advice *out);
void advisor_free(struct advice *a);
/* Whether an endpoint's host is this machine (socket, loopback, hostname). */
bool advisor_host_is_local(const char *host);

#endif
