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
/* Append the oss_fdw server and the current user's mapping, written for
 * psql: the AccessKey is read from keyfile by psql when the script runs, so
 * the file holds no secret. */
void oss_server_sql(struct strbuf *out, const struct oss_target *o, const char *keyfile);

/* Read an AccessKey file ("id = ..." and "key = ..." lines, # comments).
 * Refuses a file that is not the user's own or that group or others can
 * read, naming the mode and the chmod that fixes it. */
bool oss_read_keyfile(const char *path, char **id, char **key, char *err, unsigned long errsize);

#endif
