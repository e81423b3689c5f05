/* Helpers shared by the batch commands. */
#include "cmd.h"
#include "exitcode.h"

#include <stdio.h>

int cmd_not_implemented(const char *name)
{
	fprintf(stderr, "gp2adb: '%s' is not implemented yet\n", name);
	return EXIT_USAGE;
}
