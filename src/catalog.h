/* catalog: what is in a database, per flavor, in bulk queries (a few per
 * database, never one per table).  Tables with their kind (partition root or
 * leaf, inheritance parent or child, external), size, columns and key;
 * sequences.  Facts: reference/greenplum.md 3.3-3.6. */
#ifndef GP2ADB_CATALOG_H
#define GP2ADB_CATALOG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "flavor.h"
#include "plan.h"

enum table_kind {
	TABLE_PLAIN,            /* an ordinary table */
	TABLE_PARTITION_ROOT,   /* holds no rows itself: its leaves are copied */
	TABLE_PARTITION_MID,    /* an intermediate partition level (no rows) */
	TABLE_PARTITION_LEAF,
	TABLE_INHERIT_PARENT,   /* has inheritance children: copied with ONLY */
	TABLE_INHERIT_CHILD,
	TABLE_EXTERNAL,         /* Greenplum external table: definition only */
	TABLE_FOREIGN,          /* foreign table: definition only */
	TABLE_MATVIEW,          /* materialized view (catalog_matviews): validated, not copied */
};

struct column {
	char *name;
	char *type;             /* format_type(): "numeric(12,2)", "text[]" */
	char *typname;          /* base type name: "numeric", "_text", "abstime" */
	char category;          /* pg_type.typcategory: N numeric, D date/time, S string, A array... */
	int attnum;
	bool generated;         /* GENERATED ALWAYS AS (...) STORED: never copied */
	bool identity;          /* GENERATED ... AS IDENTITY */
	bool not_null;
	bool binary_unsafe;     /* binary COPY would carry a local type oid (arrays of
				 * user types, composites) or the type has no binary I/O */
};

struct table {
	unsigned oid;
	char *schema, *name;
	char *qualified;        /* "schema"."name", quoted */
	enum table_kind kind;
	unsigned parent_oid;    /* partition or inheritance parent, 0 if none */
	char *root;             /* qualified name of the partition root (leaves), or NULL */
	char storage;           /* h heap, a AO row, c AO column, x external, f foreign, v view */
	long long bytes;        /* on-disk size of the table itself (no indexes) */
	long long rows_est;     /* planner estimate (reltuples); -1 if never analysed */
	long long pages;
	char *distribution;     /* Greenplum: "DISTRIBUTED BY (a)" / "RANDOMLY" / "REPLICATED"; else NULL */
	struct column *cols;
	size_t ncols;
	char **key;             /* primary key (or unique not-null index) columns, NULL if none */
	bool unpopulated;       /* a materialized view never refreshed (no contents to read) */
};

struct table_list {
	struct table *items;
	size_t n;
};

struct sequence {
	char *schema, *name;
	char *qualified;
	char *owner_table;      /* qualified table owning it (OWNED BY), or NULL */
};

struct sequence_list {
	struct sequence *items;
	size_t n;
};

/* Every user table of the database that the plan's include/exclude patterns
 * select (a leaf is selected when it or its root matches), sorted by schema
 * and name.  p may be NULL: everything. */
bool catalog_tables(PGconn *conn, const struct flavor *f, const struct plan *p,
		    struct table_list *out, struct db_error *err);
void catalog_tables_free(struct table_list *l);
const struct table *catalog_find(const struct table_list *l, const char *schema, const char *name);
/* Whether a table holds rows of its own that are copied (not a root, not external). */
bool catalog_has_data(const struct table *t);
const char *catalog_kind_name(enum table_kind k);

/* The materialized views the plan selects, as tables of kind TABLE_MATVIEW
 * (none before PostgreSQL 9.3 or Greenplum 6), sorted by schema and name. */
bool catalog_matviews(PGconn *conn, const struct flavor *f, const struct plan *p,
		      struct table_list *out, struct db_error *err);

bool catalog_sequences(PGconn *conn, const struct flavor *f, const struct plan *p,
		       struct sequence_list *out, struct db_error *err);
void catalog_sequences_free(struct sequence_list *l);

#endif
