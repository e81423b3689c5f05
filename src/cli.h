/* cli: the command line.  One table of commands and one of options; every
 * option says which commands accept it. */
#ifndef GP2ADB_CLI_H
#define GP2ADB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "plan.h"

struct cli {
	const char *command;        /* NULL: none given */
	char *config_file;          /* -c */
	struct plan plan;           /* defaults < config file < command line */

	/* options that only some commands take */
	bool resume;                /* copy, migrate */
	bool only_failed;           /* copy */
	bool force;                 /* migrate */
	bool drop_dependents;       /* copy, migrate --drop-dependents (mode drop) */
	bool method_gpcopy;         /* copy --method gpcopy */
	bool full;                  /* copy --method gpcopy --full */
	char *tarball;              /* install-gpcopy --tarball */
	char *section;              /* schema --section pre-data|post-data|all */
	char *schema_file;          /* schema, migrate --schema-file FILE */
	struct {
		char *generate;         /* --generate DIR */
		bool export, import;    /* --export, --import */
		char *dir;              /* --oss-dir: export files on the source's hosts */
		char *endpoint, *bucket, *prefix, *keyfile;
		char *gpfdist;          /* --gpfdist HOST:PORT (Greenplum 4.3) */
	} oss;
	char *pg_hba_cidr;          /* open-access --pg-hba */
	char *whitelist_cidr;       /* open-access --whitelist */
	char *queries;              /* validate, migrate --queries FILE */
	char **tables;              /* --table PATTERN (repeatable): overrides include */
	bool help, version;

	/* plan fields given on the command line, applied over the config file */
	int jobs_arg;               /* 0: not given */
	char *state_dir_arg;
	int mode_arg, format_arg, level_arg;    /* -1: not given */
	int path_arg;                           /* -1: not given */
	int verbosity;
	bool plain, json, yes;

	char **args;                /* operands after the command */
};

struct command {
	const char *name;
	const char *summary;        /* one line for --help */
};
/* (main.c binds each name to its cmd_ function: the core never calls the UI.) */

extern const struct command cli_commands[];

/* Parse argv.  false with a message on stderr (usage error). */
bool cli_parse(struct cli *cli, int argc, char **argv);
/* Apply command-line values over the plan (after the config was read). */
void cli_apply(struct cli *cli);
void cli_done(struct cli *cli);
void cli_usage(FILE *out);
const struct command *cli_find(const char *name);

#endif
