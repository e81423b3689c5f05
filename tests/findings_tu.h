/* findings_tu: assertions on preflight findings, shared by the check tests. */
#ifndef GP2ADB_FINDINGS_TU_H
#define GP2ADB_FINDINGS_TU_H

#include <stdbool.h>

#include "preflight.h"

/* The finding with this id; fails the test when it is missing or has
 * another severity (saying which, with its title and detail). */
const struct finding *ftu_expect(const struct findings *f, const char *id, enum severity sev);
/* Whether one of the finding's objects contains needle. */
bool ftu_has_object(const struct finding *x, const char *needle);

#endif
