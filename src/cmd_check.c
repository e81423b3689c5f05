#include "cmd.h"

int cmd_check(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("check");
}
