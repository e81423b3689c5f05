/* oss: the OSS foreign table path, for clusters that cannot reach each
 * other.  Per table, the source-side export to files (COPY ... ON SEGMENT on
 * Greenplum 5+, a writable gpfdist external table on 4.3, server-side COPY TO
 * a file on PostgreSQL) and the destination-side import (an oss_fdw foreign
 * table and INSERT ... SELECT).  The operator uploads the files with their
 * OSS tool in between.  Syntax: reference/greenplum.md 3.8, 3.9, 4.5. */
#ifndef GP2ADB_OSS_H
#define GP2ADB_OSS_H

#include <stdbool.h>

#include "catalog.h"
#include "flavor.h"
#include "strbuf.h"

#define OSS_SERVER "gp2adb_oss"         /* the foreign server, and the schema of the foreign tables */

struct oss_target {
	const char *endpoint, *bucket;
	const char *prefix;     /* files of a table go under <prefix>/<file name>/ in the bucket */
	const char *dir;        /* export directory on the source's hosts (NULL: Greenplum's
				 * <SEG_DATA_DIR>; required for PostgreSQL) */
	const char *gpfdist;    /* "host:port" of a gpfdist for Greenplum 4.3 (NULL: a placeholder) */
	bool truncate;          /* empty the destination table in the import's transaction */
};

/* The table's name in file and object names: schema.table, bytes other
 * than letters, digits and _ written %XX.  Caller frees. */
char *oss_file_name(const struct table *t);
/* The OSS directory of a table's files: <prefix>/<file name>/.  Caller frees. */
char *oss_object_dir(const struct table *t, const struct oss_target *o);

/* Append the export statements of one table that holds rows. */
void oss_export_sql(struct strbuf *out, const struct flavor *src, const struct table *t,
		    const struct oss_target *o);
/* Append the import statements of one table (one transaction). */
void oss_import_sql(struct strbuf *out, const struct table *t, const struct oss_target *o);
/* The AccessKey's way to the destination, shared by the generated script
 * and --import: in one transaction, the key file's lines go into a temporary
 * table as COPY data (COPY FROM STDIN, or psql's \copy reading the file),
 * and OSS_MAPPING makes the current user's mapping from them through a
 * variable and EXECUTE.  The key is in no statement's text, so neither
 * pg_stat_activity nor a log of statements (log_statement = all included)
 * shows it; an error names no key. */
extern const char OSS_EXTENSION[];      /* oss_fdw, unless a wrapper of that name exists */
extern const char OSS_KEYFILE_TABLE[];  /* the temporary table, dropped at commit */
extern const char OSS_KEYFILE_COPY[];   /* COPY ... FROM STDIN, one line per row */
extern const char OSS_KEYFILE_FORMAT[]; /* its WITH (...): no quoting, no escapes */
extern const char OSS_MAPPING[];

/* Append the oss_fdw server and the current user's mapping, written for
 * psql (-f): psql reads the AccessKey file itself (\copy), so neither the
 * script nor any statement holds the key.  keyfile should be absolute.
 * False (err set) for a path psql's \copy cannot take (a line break). */
bool oss_server_sql(struct strbuf *out, const struct oss_target *o, const char *keyfile, char *err,
		    unsigned long errsize);

/* Read an AccessKey file ("id = ..." and "key = ..." lines, # comments).
 * Refuses a file that is not the user's own or that group or others can
 * read, naming the mode and the chmod that fixes it, and values holding
 * control characters. */
bool oss_read_keyfile(const char *path, char **id, char **key, char *err, unsigned long errsize);

#endif
