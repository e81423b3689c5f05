/* cmd: one function per command; each returns an exit code (exitcode.h).
 * A command's apply logic lives in its module; these only glue the plan to it. */
#ifndef GP2ADB_CMD_H
#define GP2ADB_CMD_H

#include <stddef.h>

#include "cli.h"

int cmd_wizard(struct cli *cli);
/* copy on a terminal: the live panes (ui/copy_tty.c) */
int ui_cmd_copy(struct cli *cli);
int cmd_check(struct cli *cli);
int cmd_roles(struct cli *cli);
int cmd_backfill(struct cli *cli);
int cmd_schema(struct cli *cli);
int cmd_copy(struct cli *cli);
/* copy --method gpcopy (cmd_copy_gpcopy.c), and its loop under any view */
int cmd_copy_gpcopy(struct cli *cli);
struct gpcopy_run;
struct copy_view;
int gpcopy_view_drive(struct gpcopy_run *r, struct copy_view *view);
int cmd_validate(struct cli *cli);
int cmd_analyze(struct cli *cli);
int cmd_migrate(struct cli *cli);
int cmd_install_gpcopy(struct cli *cli);
int cmd_open_access(struct cli *cli);
int cmd_restore_access(struct cli *cli);
int cmd_status(struct cli *cli);
int cmd_oss(struct cli *cli);
/* The business check: the plan's business_queries on both sides (validate
 * --queries, and migrate's last stage). */
int cmd_bizcheck(struct cli *cli);
/* gp2adb schema for one section ("pre-data", "post-data", "all"): migrate's stages. */
int cmd_schema_section(struct cli *cli, const char *section);

/* How validate and install-gpcopy wait for their work.  The batch commands
 * print plain lines; on a terminal (and without --plain or --json) main.c
 * runs the *_live variants of ui/ (ui/view.c), which pass a watcher showing
 * the wizard's panes and then print the same final summary.  The core never
 * calls ui/.  (copy takes the same shape: a cmd_copy_live in ui/view.c passing
 * a curses struct copy_view, over ui_copy_view_run's panes, to the copy loop.) */
struct validate_run;
struct install_tarball;
struct install_host;
/* Wait until the validation ends, cancelling it on an interrupt; true when
 * progress lines were printed. */
typedef bool (*cmd_validate_watch_fn)(const struct plan *p, struct validate_run *run);
int cmd_validate_with(struct cli *cli, cmd_validate_watch_fn watch);
/* Install on the hosts (install_run); true when no host failed. */
typedef bool (*cmd_install_run_fn)(const struct plan *p, const struct install_tarball *t,
				   struct install_host *hosts, size_t n);
int cmd_install_gpcopy_with(struct cli *cli, cmd_install_run_fn run);
int cmd_validate_live(struct cli *cli);
int cmd_install_gpcopy_live(struct cli *cli);

/* Ask "question [y/N]" on the terminal; true at once with -y, false
 * without a terminal.  (Defined in cmd_restore_access.c.) */
bool cmd_confirm(const char *question, bool yes);

/* Run fn once per database of a plan of several (cluster.h), the plan's
 * endpoints naming each in turn; create: make a database missing on the
 * destination first.  The exit code of the first database that failed (an
 * interruption stops the loop). */
int cmd_each_database(struct cli *cli, const char *what, int (*fn)(struct cli *cli), bool create);

/* For commands whose issue has not landed: says so, exits 1. */
int cmd_not_implemented(const char *name);

#endif
