/* gp2adb: parse the command line, read the configuration, dispatch. */
#include "autoconfig.h"   /* autoconf: PACKAGE_VERSION */
#include "config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <string.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "cluster.h"
#include "cmd.h"
#include "exitcode.h"
#include "journal.h"
#include "log.h"
#include "ssh.h"

static const struct {
	const char *name;
	int (*run)(struct cli *cli);
} dispatch[] = {
	{ "wizard", cmd_wizard },
	{ "check", cmd_check },
	{ "roles", cmd_roles },
	{ "schema", cmd_schema },
	{ "copy", cmd_copy },
	{ "validate", cmd_validate },
	{ "backfill", cmd_backfill },
	{ "analyze", cmd_analyze },
	{ "migrate", cmd_migrate },
	{ "install-gpcopy", cmd_install_gpcopy },
	{ "open-access", cmd_open_access },
	{ "restore-access", cmd_restore_access },
	{ "status", cmd_status },
	{ "oss", cmd_oss },
};

/* On a terminal, without --plain or --json, these commands show the
 * wizard's live panes (ui/view.c, ui/copy_tty.c) and then the batch
 * command's summary. */
static const struct {
	const char *name;
	int (*run)(struct cli *cli);
} live[] = {
	{ "copy", ui_cmd_copy },
	{ "validate", cmd_validate_live },
	{ "install-gpcopy", cmd_install_gpcopy_live },
};

/* With several databases (cluster.h) these run once per database; copy
 * and the cluster-wide commands (roles, open-access, ...) run once. */
static const struct {
	const char *name;
	int (*run)(struct cli *cli);
	bool create;        /* create a database missing on the destination first */
} per_database[] = {
	{ "check", cmd_check, false },
	{ "schema", cmd_schema, true },
	{ "validate", cmd_validate, false },
	{ "analyze", cmd_analyze, false },
	{ "backfill", cmd_backfill, false },
};

static int run_command(struct cli *cli, const char *name)
{
	if (cluster_multi(&cli->plan))
		for (size_t i = 0; i < sizeof per_database / sizeof per_database[0]; i++)
			if (strcmp(per_database[i].name, name) == 0)
				return cmd_each_database(cli, name, per_database[i].run, per_database[i].create);
	if (!cli->plain && !cli->json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
			if (strcmp(live[i].name, name) == 0)
				return live[i].run(cli);
	for (size_t i = 0; i < sizeof dispatch / sizeof dispatch[0]; i++)
		if (strcmp(dispatch[i].name, name) == 0)
			return dispatch[i].run(cli);
	return cmd_not_implemented(name);
}

static int load_config(struct cli *cli)
{
	char err[600];
	char *path = cli->config_file ? strdup(cli->config_file) : config_default_path();
	if (!path)
		return EXIT_OK;   /* no file: defaults and the libpq environment */
	bool ok = config_load(&cli->plan, path, err, sizeof err);
	free(path);
	if (!ok) {
		fprintf(stderr, "gp2adb: %s\n", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Every command's messages, debug detail included, also go to
 * <state_dir>/<migration id>/gp2adb.log. */
static void open_log_file(const struct plan *p, const char *command)
{
	struct journal j;
	if (!journal_open(&j, p, true))
		return;     /* journal_open said why */
	char *path = journal_path(&j, "gp2adb.log");
	if (log_open_file(path))
		log_debug("gp2adb %s: %s (log %s)", PACKAGE_VERSION, command, path);
	else
		log_warn("cannot write the log file %s: %s", path, strerror(errno));
	free(path);
	journal_close(&j);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (!ssh_global_init())
		return EXIT_SSH;
	struct cli cli;
	int rc;
	if (!cli_parse(&cli, argc, argv)) {
		cli_done(&cli);
		return EXIT_USAGE;
	}
	if (cli.help || cli.version) {
		if (cli.help)
			cli_usage(stdout);
		else
			printf("gp2adb %s\n", PACKAGE_VERSION);
		cli_done(&cli);
		return EXIT_OK;
	}
	if (!PQisthreadsafe()) {
		fprintf(stderr, "gp2adb: this libpq is not thread-safe; gp2adb needs one that is\n");
		cli_done(&cli);
		return EXIT_USAGE;
	}
	log_set_console(cli.verbosity > 1 ? LOG_DEBUG : cli.verbosity < 0 ? LOG_WARN : LOG_INFO, false);
	rc = load_config(&cli);
	if (rc == EXIT_OK) {
		cli_apply(&cli);
		const char *name = cli.command;
		if (!name && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
			fprintf(stderr,
				"gp2adb: standard output is not a terminal, so the wizard cannot run.\n"
				"Use a batch command instead: gp2adb check | schema | copy | validate |\n"
				"analyze | migrate | status (see gp2adb --help).\n");
			rc = EXIT_USAGE;
		} else {
			open_log_file(&cli.plan, name ? name : "wizard");
			rc = run_command(&cli, name ? name : "wizard");
		}
	}
	log_close();
	cli_done(&cli);
	return rc;
}
