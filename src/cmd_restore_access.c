#include "cmd.h"

int cmd_restore_access(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("restore-access");
}
