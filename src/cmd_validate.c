#include "cmd.h"

int cmd_validate(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("validate");
}
