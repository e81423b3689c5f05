#include "cmd.h"

int cmd_copy(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("copy");
}
