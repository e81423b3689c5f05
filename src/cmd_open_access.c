#include "cmd.h"

int cmd_open_access(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("open-access");
}
