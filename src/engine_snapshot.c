/* Snapshot lifetime, shared by the engine and anything that fakes one. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

void engine_snapshot_free(struct engine_snapshot *s)
{
	free(s->tables);
	memset(s, 0, sizeof *s);
}
