#include "cmd.h"

int cmd_migrate(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("migrate");
}
