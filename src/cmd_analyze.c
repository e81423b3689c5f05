#include "cmd.h"

int cmd_analyze(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("analyze");
}
