/* cmd: one function per command; each returns an exit code (exitcode.h).
 * A command's apply logic lives in its module; these only glue the plan to it. */
#ifndef GP2ADB_CMD_H
#define GP2ADB_CMD_H

#include "cli.h"

int cmd_wizard(struct cli *cli);
/* copy on a terminal: the live panes (ui/copy_tty.c) */
int ui_cmd_copy(struct cli *cli);
int cmd_check(struct cli *cli);
int cmd_schema(struct cli *cli);
int cmd_copy(struct cli *cli);
int cmd_validate(struct cli *cli);
int cmd_analyze(struct cli *cli);
int cmd_migrate(struct cli *cli);
int cmd_install_gpcopy(struct cli *cli);
int cmd_open_access(struct cli *cli);
int cmd_restore_access(struct cli *cli);
int cmd_status(struct cli *cli);
int cmd_oss(struct cli *cli);
/* gp2adb schema for one section ("pre-data", "post-data", "all"): migrate's stages. */
int cmd_schema_section(struct cli *cli, const char *section);

/* Ask "question [y/N]" on the terminal; true at once with -y, false
 * without a terminal.  (Defined in cmd_restore_access.c.) */
bool cmd_confirm(const char *question, bool yes);

/* For commands whose issue has not landed: says so, exits 1. */
int cmd_not_implemented(const char *name);

#endif
