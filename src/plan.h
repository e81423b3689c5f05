/* plan: the one migration plan.  The config file, the command line and the
 * wizard's screens all edit this struct; every command reads it. */
#ifndef GP2ADB_PLAN_H
#define GP2ADB_PLAN_H

#include <stdbool.h>

enum copy_mode { MODE_TRUNCATE, MODE_APPEND, MODE_SKIP_EXISTING, MODE_DROP };
enum copy_format { FORMAT_AUTO, FORMAT_TEXT, FORMAT_BINARY };
enum validate_level { VALIDATE_NONE, VALIDATE_COUNT, VALIDATE_AGGREGATES, VALIDATE_CHECKSUM };
/* The engine's data path (doc/segment-path.md): through the two coordinators,
 * or segment to segment through gp2adb's relay; auto decides per table. */
enum copy_path { PATH_AUTO, PATH_COORDINATOR, PATH_SEGMENT };
/* ADB instance mode (reference/greenplum.md 4.2); UNKNOWN where not said. */
enum instance_mode { INSTANCE_UNKNOWN, INSTANCE_CLASSIC, INSTANCE_ELASTIC, INSTANCE_SERVERLESS };
/* What the operator says about the network; UNKNOWN lets gp2adb test or ask. */
enum tristate { TRI_UNKNOWN, TRI_NO, TRI_YES };

struct endpoint {
	char *host;         /* NULL: libpq default (PGHOST, socket) */
	int port;           /* 0: libpq default */
	char *user;
	char *dbname;
	char *password;     /* only from a file only its owner can read; never logged */
	char *sslmode;
	int connect_timeout;  /* seconds */
};

struct ssh_plan {
	char *master;
	char *user;
	int port;
	char *identity;     /* private key file; ~ expanded */
	char *known_hosts;
	char *gphome;       /* NULL: from the remote environment */
	char **segment_hosts;   /* NULL or empty: discovered from gp_segment_configuration */
	char *password;     /* optional, for password/keyboard-interactive auth */
};

/* The ADB OpenAPI (gp2adb.conf group "adb"): with an AccessKey file and the
 * instance id, gp2adb adds the migration's whitelist entry itself and removes
 * it at the end (access_whitelist.h). */
struct adb_plan {
	char *instance_id;          /* "gp-bp1..." */
	char *region;               /* "cn-hangzhou" */
	char *access_key_file;      /* ~ expanded; its owner's only; never logged */
	char *endpoint;             /* NULL: from the region */
	char *whitelist_group;      /* "gp2adb_migration" */
};

struct plan {
	char *config_path;          /* the file this plan was read from, or NULL */
	struct endpoint source;
	struct endpoint destination;
	struct ssh_plan ssh;
	struct adb_plan adb;

	enum instance_mode instance_mode;     /* destination.mode */
	enum tristate source_reaches_destination;   /* network.source_reaches_destination */
	enum tristate destination_reaches_source;   /* network.destination_reaches_source */

	char **databases;
	char **include;             /* schema.table patterns (shell globs) */
	char **exclude;
	int jobs;
	enum copy_mode mode;
	enum copy_format format;
	long split_threshold_mb;
	enum validate_level validate;
	long validate_sample_mb;    /* tables larger than this are validated on a sample; 0: never */
	int validate_sample_percent;
	bool analyze;
	bool roles;                 /* migrate: copy roles and resource queues/groups first */
	int retries;                /* tries per unit on a transient fault */
	int retry_window_s;         /* seconds a worker waits for a server that is away */
	char *source_encoding;      /* the real encoding of a SQL_ASCII source's text, or NULL */
	enum copy_path path;        /* migration.path */
	long segment_path_min_mb;   /* auto: smaller tables take the coordinator path */
	char *relay_listen;         /* migration.relay_listen "host:port"; NULL: "0.0.0.0:0" */
	char *relay_advertise;      /* migration.relay_advertise: the address segments are told; NULL: derived */
	char *state_dir;            /* ~ expanded */
	char *business_queries;     /* the application's queries for the business check, or NULL */
	char **backfill_keys;       /* "schema.table:column": the ever-increasing column for backfill */

	/* run-time switches from the command line */
	bool plain;
	bool json;
	bool yes;
	int verbosity;              /* -1 quiet, 0 normal, 1+ verbose */
};

void plan_init(struct plan *p);       /* defaults as in gp2adb.conf(5) */
void plan_done(struct plan *p);

const char *plan_mode_name(enum copy_mode m);
bool plan_mode_parse(const char *s, enum copy_mode *out);
const char *plan_format_name(enum copy_format f);
bool plan_format_parse(const char *s, enum copy_format *out);
const char *plan_validate_name(enum validate_level v);
bool plan_validate_parse(const char *s, enum validate_level *out);
const char *plan_instance_mode_name(enum instance_mode m);
const char *plan_path_name(enum copy_path p);
bool plan_path_parse(const char *s, enum copy_path *out);
bool plan_instance_mode_parse(const char *s, enum instance_mode *out);

/* A stable id for this migration: the same source and destination endpoints
 * and databases give the same id ("m" + 12 hex digits), so journals, the
 * ledger and the destination's progress markers of one migration meet. */
void plan_migration_id(const struct plan *p, char out[16]);

/* "~/x" -> "$HOME/x"; returns a new string. */
char *plan_expand_home(const char *path);

/* Whether schema.table is selected by include/exclude (shell globs on
 * "schema.table"; an empty include list selects everything). */
bool plan_selects(const struct plan *p, const char *schema, const char *table);

#endif
