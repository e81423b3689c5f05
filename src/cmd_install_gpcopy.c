#include "cmd.h"

int cmd_install_gpcopy(struct cli *cli)
{
	(void)cli;
	return cmd_not_implemented("install-gpcopy");
}
