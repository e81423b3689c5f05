#include "cmd.h"

int cmd_schema(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("schema");
}
