#include "cmd.h"

int cmd_wizard(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("wizard");
}
