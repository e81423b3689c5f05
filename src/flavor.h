/* flavor: what kind of server answered version(), and what it can do.
 * Facts and example strings: reference/greenplum.md 3.1, 3.4-3.8, 4.1. */
#ifndef GP2ADB_FLAVOR_H
#define GP2ADB_FLAVOR_H

#include <stdbool.h>

enum flavor_kind { FLAVOR_UNKNOWN, FLAVOR_POSTGRES, FLAVOR_GREENPLUM, FLAVOR_ADB };

struct flavor {
	enum flavor_kind kind;
	int pg_major, pg_minor;     /* 8.2 -> 8, 2; 15.4 -> 15, 4 */
	int pg_num;                 /* PG_VERSION_NUM style: 80215, 90426, 150004 */
	int gp_major, gp_minor, gp_patch;   /* 0 when not Greenplum */
	char gp_version[32];        /* as written: "6.25.0", "7.2.0_arenadata5" */
	char fork[32];              /* "", "WHPG", "Arenadata", "HashData", "MDB" */

	/* capabilities, filled by flavor_parse */
	bool mpp;                   /* has segments (Greenplum, ADB) */
	bool binary_copy;           /* COPY ... (FORMAT binary) */
	bool copy_query_to;         /* COPY (SELECT ...) TO STDOUT */
	bool copy_on_segment;       /* COPY ... ON SEGMENT (GP5+) */
	bool snapshot_export;       /* pg_export_snapshot() usable by workers */
	bool has_pg_extension;      /* pg_extension catalog (not GP4.3) */
	bool classic_partitions;    /* pg_partition / pg_partition_rule (GP4.3-6) */
	bool native_partitions;     /* pg_partitioned_table (PG10+, GP7) */
	bool has_relstorage;        /* pg_class.relstorage (GP4.3-6) */
	bool has_relam_storage;     /* pg_class.relam -> pg_am (GP7, PG12+) */
	bool has_generated_columns; /* pg_attribute.attgenerated (PG12+) */
	bool has_identity_columns;  /* pg_attribute.attidentity (PG10+) */
	bool ctid_range_scan;       /* TID range scans: WHERE ctid >= '(b,0)' (PG14+) */
	bool has_pid_column;        /* pg_stat_activity.pid, not procpid (PG9.2+, GP6+) */
	bool has_abstime_types;     /* abstime/reltime/tinterval exist (before PG12/GP7) */
};

/* Parse a version() string.  false when it is not recognised at all. */
bool flavor_parse(const char *version, struct flavor *out);
/* Mark a Greenplum server as ADB (the caller probed for rds_superuser). */
void flavor_mark_adb(struct flavor *f);
/* Heuristic from the version alone: Greenplum 4.3.99.x or "6.3.0 build dev". */
bool flavor_version_looks_like_adb(const char *version);
/* "PostgreSQL 15.4", "Greenplum 6.25.0", "AnalyticDB (Greenplum 6.3.0)" */
void flavor_describe(const struct flavor *f, char *buf, unsigned long size);
const char *flavor_kind_name(enum flavor_kind k);
/* Whether binary COPY output of `src` can be read by `dst`:
 * the same PostgreSQL major family on both sides. */
bool flavor_binary_compatible(const struct flavor *src, const struct flavor *dst);
/* Whether format auto copies in binary: where it is compatible and the
 * destination has no segments.  A Greenplum or ADB coordinator routes a
 * text line to its segment after reading only the fields up to the
 * distribution key, but reads every field of a binary row (Greenplum 6's
 * COPY FROM): binary doubled the destination master's CPU. */
bool flavor_binary_preferred(const struct flavor *src, const struct flavor *dst);

#endif
