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
};

const char *advisor_method_name(enum method m);

#endif
