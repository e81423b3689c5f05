#include "cli.h"
#include "mem.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const struct command cli_commands[] = {
	{ "wizard", "walk through the whole migration on a terminal (the default)" },
	{ "check", "evaluate risks before migrating and recommend a method" },
	{ "roles", "copy roles, memberships and resource queues or groups" },
	{ "schema", "dump, scan and apply the schema on the destination" },
	{ "copy", "copy table data with the multi-worker COPY engine" },
	{ "validate", "compare source and destination: counts, aggregates, checksums" },
	{ "backfill", "copy what was written on the source after its tables were copied" },
	{ "analyze", "ANALYZE the copied tables on the destination" },
	{ "migrate", "run check, roles, schema, copy, validate and analyze without questions" },
	{ "install-gpcopy", "install gpcopy on the Greenplum master and segment hosts" },
	{ "open-access", "open (or record) an access control for the migration" },
	{ "restore-access", "close every access control opened for the migration" },
	{ "status", "show both endpoints, their versions, and open access controls" },
	{ "oss", "export to files for OSS, and import them through OSS foreign tables" },
	{ NULL, NULL },
};

enum {
	OPT_JSON = 256, OPT_PLAIN, OPT_STATE_DIR, OPT_RESUME, OPT_ONLY_FAILED, OPT_FORCE,
	OPT_TARBALL, OPT_SECTION, OPT_PG_HBA, OPT_WHITELIST, OPT_TABLE, OPT_MODE, OPT_FORMAT,
	OPT_LEVEL, OPT_SCHEMA_FILE, OPT_GENERATE, OPT_EXPORT, OPT_IMPORT, OPT_OSS_DIR,
	OPT_OSS_ENDPOINT, OPT_OSS_BUCKET, OPT_OSS_PREFIX, OPT_OSS_KEYFILE, OPT_GPFDIST, OPT_QUERIES,
	OPT_DROP_DEPENDENTS, OPT_METHOD, OPT_FULL,
	OPT_PATH,
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "config", required_argument, NULL, 'c' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ "yes", no_argument, NULL, 'y' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "only-failed", no_argument, NULL, OPT_ONLY_FAILED },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "tarball", required_argument, NULL, OPT_TARBALL },
	{ "section", required_argument, NULL, OPT_SECTION },
	{ "pg-hba", required_argument, NULL, OPT_PG_HBA },
	{ "whitelist", required_argument, NULL, OPT_WHITELIST },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "schema-file", required_argument, NULL, OPT_SCHEMA_FILE },
	{ "generate", required_argument, NULL, OPT_GENERATE },
	{ "export", no_argument, NULL, OPT_EXPORT },
	{ "import", no_argument, NULL, OPT_IMPORT },
	{ "oss-dir", required_argument, NULL, OPT_OSS_DIR },
	{ "oss-endpoint", required_argument, NULL, OPT_OSS_ENDPOINT },
	{ "oss-bucket", required_argument, NULL, OPT_OSS_BUCKET },
	{ "oss-prefix", required_argument, NULL, OPT_OSS_PREFIX },
	{ "oss-keyfile", required_argument, NULL, OPT_OSS_KEYFILE },
	{ "gpfdist", required_argument, NULL, OPT_GPFDIST },
	{ "queries", required_argument, NULL, OPT_QUERIES },
	{ "drop-dependents", no_argument, NULL, OPT_DROP_DEPENDENTS },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "path", required_argument, NULL, OPT_PATH },
	{ NULL, 0, NULL, 0 },
};

/* Which commands accept a command-specific option (space-separated names). */
static const struct {
	int opt;
	const char *name;
	const char *commands;
} option_scope[] = {
	{ OPT_RESUME, "--resume", " copy migrate " },
	{ OPT_ONLY_FAILED, "--only-failed", " copy " },
	{ OPT_FORCE, "--force", " migrate " },
	{ OPT_TARBALL, "--tarball", " install-gpcopy wizard " },
	{ OPT_SECTION, "--section", " schema " },
	{ OPT_PG_HBA, "--pg-hba", " open-access " },
	{ OPT_WHITELIST, "--whitelist", " open-access " },
	{ OPT_TABLE, "--table", " copy validate analyze migrate check schema oss " },
	{ OPT_SCHEMA_FILE, "--schema-file", " schema migrate roles " },
	{ OPT_GENERATE, "--generate", " oss " },
	{ OPT_EXPORT, "--export", " oss " },
	{ OPT_IMPORT, "--import", " oss " },
	{ OPT_OSS_DIR, "--oss-dir", " oss " },
	{ OPT_OSS_ENDPOINT, "--oss-endpoint", " oss " },
	{ OPT_OSS_BUCKET, "--oss-bucket", " oss " },
	{ OPT_OSS_PREFIX, "--oss-prefix", " oss " },
	{ OPT_OSS_KEYFILE, "--oss-keyfile", " oss " },
	{ OPT_GPFDIST, "--gpfdist", " oss " },
	{ OPT_MODE, "--mode", " copy migrate " },
	{ OPT_DROP_DEPENDENTS, "--drop-dependents", " copy migrate " },
	{ OPT_FORMAT, "--format", " copy migrate " },
	{ OPT_PATH, "--path", " copy migrate " },
	{ OPT_LEVEL, "--level", " validate migrate " },
	{ OPT_QUERIES, "--queries", " validate migrate " },
	{ OPT_METHOD, "--method", " copy " },
	{ OPT_FULL, "--full", " copy " },
};

void cli_usage(FILE *out)
{
	fprintf(out,
		"Usage: gp2adb [OPTION]... [COMMAND]\n"
		"Move a Greenplum cluster (4.3 to 7) or a PostgreSQL database into\n"
		"AnalyticDB for PostgreSQL, step by step.\n\n"
		"Commands:\n");
	for (const struct command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-16s %s\n", c->name, c->summary);
	fprintf(out,
		"\nOptions:\n"
		"  -c, --config FILE    configuration file (default ./gp2adb.conf, then\n"
		"                       $XDG_CONFIG_HOME/gp2adb/gp2adb.conf)\n"
		"  -j, --jobs N         parallel workers (1-64; default 4)\n"
		"      --json           print results as JSON\n"
		"      --plain          plain lines instead of the full-screen display\n"
		"  -y, --yes            answer yes to confirmations (batch use)\n"
		"  -v, --verbose        more detail (repeat for debug output)\n"
		"  -q, --quiet          only warnings and errors\n"
		"      --state-dir DIR  where journals, reports and logs go\n"
		"                       (default ~/.local/state/gp2adb)\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n"
		"\nCommand options:\n"
		"      --table PATTERN  only tables matching schema.table (glob; repeatable)\n"
		"      --mode MODE      copy: truncate, append, skip-existing or drop\n"
		"      --drop-dependents\n"
		"                       copy, migrate: in mode drop, also drop what depends\n"
		"                       on the tables (views, other tables' foreign keys),\n"
		"                       recreating after the copy what the source defines\n"
		"      --format FMT     copy: auto, text or binary\n"
		"      --method M       copy: engine (gp2adb's own, the default) or gpcopy\n"
		"                       (run on the Greenplum master over SSH; install it\n"
		"                       first with install-gpcopy)\n"
		"      --full           copy --method gpcopy: the whole cluster (gpcopy --full)\n"
		"      --path PATH      copy, migrate: auto, coordinator or segment: rows\n"
		"                       through the two coordinators, or segment to segment\n"
		"                       through gp2adb's relay (Greenplum to Greenplum or ADB)\n"
		"      --resume         copy, migrate: continue an interrupted run\n"
		"      --only-failed    copy: retry only the tables that failed last time\n"
		"      --level LEVEL    validate: count, aggregates or checksum\n"
		"      --queries FILE   validate: run the application's queries in FILE on\n"
		"                       both sides and compare (the business check);\n"
		"                       migrate: add it as the last stage\n"
		"      --section S      schema: pre-data, post-data or all\n"
		"      --schema-file F  schema, migrate: apply this DDL instead of dumping;\n"
		"                       roles: apply this pg_dumpall --globals-only output\n"
		"      --generate DIR   oss: write the export and import SQL per table\n"
		"      --export         oss: run the export on the source\n"
		"      --import         oss: run the import on the destination\n"
		"      --oss-dir DIR    oss: export directory on the source's hosts\n"
		"      --oss-endpoint E, --oss-bucket B, --oss-prefix P\n"
		"                       oss: where the exported files are in OSS\n"
		"      --oss-keyfile F  oss: AccessKey file (id = ..., key = ...; mode 0600)\n"
		"      --gpfdist H:P    oss: gpfdist for a Greenplum 4.3 export\n"
		"      --force          migrate: go on despite failed checks\n"
		"      --tarball FILE   install-gpcopy, wizard: the gpcopy tarball\n"
		"      --pg-hba CIDR    open-access: add a pg_hba.conf rule on the source master\n"
		"      --whitelist CIDR open-access: add an ADB whitelist entry through the OpenAPI\n"
		"                       (gp2adb.conf adb group), or record one you add yourself\n"
		"\nExit status: 0 success, 1 usage or configuration error, 2 blocking\n"
		"preflight problem, 3 tables failed to copy, 4 validation differences,\n"
		"5 could not connect, 6 ssh or host failure, 7 schema objects not applied,\n"
		"8 finished, but access openings are still outstanding (gp2adb restore-access\n"
		"closes them), 130 interrupted (resumable).\n"
		"\nSee gp2adb(1) and gp2adb.conf(5).\n");
}

const struct command *cli_find(const char *name)
{
	for (const struct command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

bool cli_parse(struct cli *cli, int argc, char **argv)
{
	memset(cli, 0, sizeof *cli);
	plan_init(&cli->plan);
	cli->mode_arg = cli->format_arg = cli->level_arg = cli->path_arg = -1;
	int seen[64] = { 0 };
	int nseen = 0;

	optind = 1;
	opterr = 0;
	int c;
	/* Options may come before or after the command (GNU permutation). */
	while ((c = getopt_long(argc, argv, ":hVc:j:yvq", long_options, NULL)) != -1) {
		switch (c) {
		case 'h': cli->help = true; break;
		case 'V': cli->version = true; break;
		case 'c': free(cli->config_file); cli->config_file = xstrdup(optarg); break;
		case 'j':
			if (!parse_int(optarg, 1, 64, &cli->jobs_arg)) {
				fprintf(stderr, "gp2adb: --jobs takes a number from 1 to 64, not '%s'\n", optarg);
				return false;
			}
			break;
		case OPT_JSON: cli->json = true; break;
		case OPT_PLAIN: cli->plain = true; break;
		case 'y': cli->yes = true; break;
		case 'v': cli->verbosity++; break;
		case 'q': cli->verbosity = -1; break;
		case OPT_STATE_DIR: free(cli->state_dir_arg); cli->state_dir_arg = xstrdup(optarg); break;
		case OPT_RESUME: cli->resume = true; break;
		case OPT_ONLY_FAILED: cli->only_failed = true; break;
		case OPT_FORCE: cli->force = true; break;
		case OPT_DROP_DEPENDENTS: cli->drop_dependents = true; break;
		case OPT_TARBALL: free(cli->tarball); cli->tarball = xstrdup(optarg); break;
		case OPT_SECTION:
			if (strcmp(optarg, "pre-data") && strcmp(optarg, "post-data") && strcmp(optarg, "all")) {
				fprintf(stderr, "gp2adb: --section takes pre-data, post-data or all, not '%s'\n", optarg);
				return false;
			}
			free(cli->section);
			cli->section = xstrdup(optarg);
			break;
		case OPT_SCHEMA_FILE: free(cli->schema_file); cli->schema_file = xstrdup(optarg); break;
		case OPT_GENERATE: free(cli->oss.generate); cli->oss.generate = xstrdup(optarg); break;
		case OPT_EXPORT: cli->oss.export = true; break;
		case OPT_IMPORT: cli->oss.import = true; break;
		case OPT_OSS_DIR: free(cli->oss.dir); cli->oss.dir = xstrdup(optarg); break;
		case OPT_OSS_ENDPOINT: free(cli->oss.endpoint); cli->oss.endpoint = xstrdup(optarg); break;
		case OPT_OSS_BUCKET: free(cli->oss.bucket); cli->oss.bucket = xstrdup(optarg); break;
		case OPT_OSS_PREFIX: free(cli->oss.prefix); cli->oss.prefix = xstrdup(optarg); break;
		case OPT_OSS_KEYFILE: free(cli->oss.keyfile); cli->oss.keyfile = xstrdup(optarg); break;
		case OPT_GPFDIST: free(cli->oss.gpfdist); cli->oss.gpfdist = xstrdup(optarg); break;
		case OPT_QUERIES: free(cli->queries); cli->queries = xstrdup(optarg); break;
		case OPT_PG_HBA: free(cli->pg_hba_cidr); cli->pg_hba_cidr = xstrdup(optarg); break;
		case OPT_WHITELIST: free(cli->whitelist_cidr); cli->whitelist_cidr = xstrdup(optarg); break;
		case OPT_TABLE: cli->tables = strv_push(cli->tables, optarg); break;
		case OPT_MODE: {
			enum copy_mode m;
			if (!plan_mode_parse(optarg, &m)) {
				fprintf(stderr, "gp2adb: --mode takes truncate, append, skip-existing or drop, not '%s'\n", optarg);
				return false;
			}
			cli->mode_arg = (int)m;
			break;
		}
		case OPT_METHOD:
			if (strcmp(optarg, "engine") == 0) {
				cli->method_gpcopy = false;
			} else if (strcmp(optarg, "gpcopy") == 0) {
				cli->method_gpcopy = true;
			} else {
				fprintf(stderr, "gp2adb: --method takes engine or gpcopy, not '%s'\n", optarg);
				return false;
			}
			break;
		case OPT_FULL: cli->full = true; break;
		case OPT_FORMAT: {
			enum copy_format f;
			if (!plan_format_parse(optarg, &f)) {
				fprintf(stderr, "gp2adb: --format takes auto, text or binary, not '%s'\n", optarg);
				return false;
			}
			cli->format_arg = (int)f;
			break;
		}
		case OPT_PATH: {
			enum copy_path pa;
			if (!plan_path_parse(optarg, &pa)) {
				fprintf(stderr, "gp2adb: --path takes auto, coordinator or segment, not '%s'\n", optarg);
				return false;
			}
			cli->path_arg = (int)pa;
			break;
		}
		case OPT_LEVEL: {
			enum validate_level v;
			if (!plan_validate_parse(optarg, &v) || v == VALIDATE_NONE) {
				fprintf(stderr, "gp2adb: --level takes count, aggregates or checksum, not '%s'\n", optarg);
				return false;
			}
			cli->level_arg = (int)v;
			break;
		}
		case ':':
			fprintf(stderr, "gp2adb: option '%s' needs a value (see gp2adb --help)\n", argv[optind - 1]);
			return false;
		default:
			fprintf(stderr, "gp2adb: unknown option '%s' (see gp2adb --help)\n", argv[optind - 1]);
			return false;
		}
		if (c >= 256 && nseen < 64)
			seen[nseen++] = c;
	}
	if (optind < argc) {
		cli->command = argv[optind++];
		if (!cli_find(cli->command)) {
			fprintf(stderr, "gp2adb: unknown command '%s' (see gp2adb --help)\n", cli->command);
			return false;
		}
	}
	for (; optind < argc; optind++)
		cli->args = strv_push(cli->args, argv[optind]);

	const char *cmd = cli->command ? cli->command : "wizard";
	for (int i = 0; i < nseen; i++) {
		for (size_t k = 0; k < sizeof option_scope / sizeof option_scope[0]; k++) {
			if (option_scope[k].opt != seen[i])
				continue;
			char key[40];
			snprintf(key, sizeof key, " %s ", cmd);
			if (!strstr(option_scope[k].commands, key)) {
				fprintf(stderr, "gp2adb: option %s does not apply to '%s'\n",
					option_scope[k].name, cmd);
				return false;
			}
		}
	}
	if (cli->full && !cli->method_gpcopy) {
		fprintf(stderr, "gp2adb: --full is gpcopy's: use it with --method gpcopy\n");
		return false;
	}
	if (cli->method_gpcopy && (cli->resume || cli->only_failed)) {
		fprintf(stderr, "gp2adb: --resume and --only-failed are the engine's; gpcopy retries its failed tables "
			"with the command its summary prints\n");
		return false;
	}
	if (strv_len(cli->args) > 0 && !cli->help) {
		fprintf(stderr, "gp2adb: unexpected argument '%s' after '%s'\n", cli->args[0], cmd);
		return false;
	}
	return true;
}

void cli_apply(struct cli *cli)
{
	struct plan *p = &cli->plan;
	if (cli->jobs_arg > 0)
		p->jobs = cli->jobs_arg;
	if (cli->state_dir_arg) {
		free(p->state_dir);
		p->state_dir = plan_expand_home(cli->state_dir_arg);
	}
	if (cli->mode_arg >= 0)
		p->mode = (enum copy_mode)cli->mode_arg;
	if (cli->format_arg >= 0)
		p->format = (enum copy_format)cli->format_arg;
	if (cli->level_arg >= 0)
		p->validate = (enum validate_level)cli->level_arg;
	if (cli->queries) {
		free(p->business_queries);
		p->business_queries = xstrdup(cli->queries);
	}
	if (cli->path_arg >= 0)
		p->path = (enum copy_path)cli->path_arg;
	if (cli->tables) {
		strv_free(p->include);
		p->include = strv_dup(cli->tables);
	}
	p->plain = cli->plain;
	p->json = cli->json;
	p->yes = cli->yes;
	p->verbosity = cli->verbosity;
}

void cli_done(struct cli *cli)
{
	plan_done(&cli->plan);
	free(cli->config_file);
	free(cli->tarball);
	free(cli->section);
	free(cli->schema_file);
	free(cli->oss.generate);
	free(cli->oss.dir);
	free(cli->oss.endpoint);
	free(cli->oss.bucket);
	free(cli->oss.prefix);
	free(cli->oss.keyfile);
	free(cli->oss.gpfdist);
	free(cli->pg_hba_cidr);
	free(cli->whitelist_cidr);
	free(cli->queries);
	free(cli->state_dir_arg);
	strv_free(cli->tables);
	strv_free(cli->args);
}
