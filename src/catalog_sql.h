/* catalog_sql: the catalog queries, one readable string per query and flavor,
 * each pasteable into psql.  Catalog names are unqualified on purpose: they
 * resolve through search_path as psql would resolve them. */
#ifndef GP2ADB_CATALOG_SQL_H
#define GP2ADB_CATALOG_SQL_H

#define CATALOG_USER_SCHEMAS \
	"n.nspname NOT IN ('pg_catalog', 'information_schema', 'gp_toolkit', 'gp2adb', 'pg_aoseg', 'pg_bitmapindex') " \
	"AND n.nspname !~ '^pg_(toast|temp)'"

/* PostgreSQL 10+ and Greenplum 7: native partitions, relispartition. */
static const char CATALOG_TABLES_PG10[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition,\n"
	"       coalesce(ch.n, 0) AS nchildren, coalesce(par.inhparent, 0) AS parent,\n"
	"       CASE WHEN c.relkind IN ('r', 'p') THEN pg_table_size(c.oid) ELSE 0 END AS bytes,\n"
	"       c.reltuples::bigint AS rows_est, c.relpages,\n"
	"       CASE WHEN c.relkind = 'f' THEN 'f' ELSE 'h' END AS storage,\n"
	"       fs.srvname AS server, NULL::text AS distribution, false AS classic_root\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN (SELECT inhparent, count(*) AS n FROM pg_inherits GROUP BY inhparent) ch\n"
	"       ON ch.inhparent = c.oid\n"
	"LEFT JOIN (SELECT inhrelid, min(inhparent::bigint) AS inhparent FROM pg_inherits GROUP BY inhrelid) par\n"
	"       ON par.inhrelid = c.oid\n"
	"LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid\n"
	"LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver\n"
	"WHERE c.relkind IN ('r', 'p', 'f') AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

/* Greenplum 7 adds the distribution policy and AO storage through pg_am. */
static const char CATALOG_TABLES_GP7[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition,\n"
	"       coalesce(ch.n, 0) AS nchildren, coalesce(par.inhparent, 0) AS parent,\n"
	"       CASE WHEN c.relkind IN ('r', 'p') THEN pg_table_size(c.oid) ELSE 0 END AS bytes,\n"
	"       c.reltuples::bigint AS rows_est, c.relpages,\n"
	"       CASE WHEN c.relkind = 'f' THEN 'f' WHEN am.amname = 'ao_row' THEN 'a'\n"
	"            WHEN am.amname = 'ao_column' THEN 'c' ELSE 'h' END AS storage,\n"
	"       fs.srvname AS server,\n"
	"       CASE WHEN c.relkind IN ('r', 'p') THEN pg_get_table_distributedby(c.oid) END AS distribution,\n"
	"       false AS classic_root\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN pg_am am ON am.oid = c.relam\n"
	"LEFT JOIN (SELECT inhparent, count(*) AS n FROM pg_inherits GROUP BY inhparent) ch\n"
	"       ON ch.inhparent = c.oid\n"
	"LEFT JOIN (SELECT inhrelid, min(inhparent::bigint) AS inhparent FROM pg_inherits GROUP BY inhrelid) par\n"
	"       ON par.inhrelid = c.oid\n"
	"LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid\n"
	"LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver\n"
	"WHERE c.relkind IN ('r', 'p', 'f') AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

/* Greenplum 6: classic partitions (pg_partition, pg_partition_rule; the
 * children are also in pg_inherits), relstorage, pg_get_table_distributedby. */
static const char CATALOG_TABLES_GP6[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind,\n"
	"       (c.oid IN (SELECT parchildrelid FROM pg_partition_rule)) AS relispartition,\n"
	"       coalesce(ch.n, 0) AS nchildren, coalesce(par.inhparent, 0) AS parent,\n"
	"       CASE WHEN c.relstorage IN ('h', 'a', 'c') THEN pg_relation_size(c.oid) ELSE 0 END AS bytes,\n"
	"       c.reltuples::bigint AS rows_est, c.relpages, c.relstorage AS storage,\n"
	"       NULL::text AS server,\n"
	"       CASE WHEN c.relstorage IN ('h', 'a', 'c') THEN pg_get_table_distributedby(c.oid) END AS distribution,\n"
	"       (c.oid IN (SELECT parrelid FROM pg_partition)) AS classic_root\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN (SELECT inhparent, count(*) AS n FROM pg_inherits GROUP BY inhparent) ch\n"
	"       ON ch.inhparent = c.oid\n"
	"LEFT JOIN (SELECT inhrelid, min(inhparent::bigint) AS inhparent FROM pg_inherits GROUP BY inhrelid) par\n"
	"       ON par.inhrelid = c.oid\n"
	"WHERE c.relkind = 'r' AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

/* Greenplum 4.3 and 5: as 6, but the policy is gp_distribution_policy.attrnums
 * (NULL: DISTRIBUTED RANDOMLY), turned into names by the caller. */
static const char CATALOG_TABLES_GP4[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind,\n"
	"       (c.oid IN (SELECT parchildrelid FROM pg_partition_rule)) AS relispartition,\n"
	"       coalesce(ch.n, 0) AS nchildren, coalesce(par.inhparent, 0) AS parent,\n"
	"       CASE WHEN c.relstorage IN ('h', 'a', 'c') THEN pg_relation_size(c.oid) ELSE 0 END AS bytes,\n"
	"       c.reltuples::bigint AS rows_est, c.relpages, c.relstorage AS storage,\n"
	"       NULL::text AS server,\n"
	"       CASE WHEN c.relstorage IN ('h', 'a', 'c') THEN\n"
	"            coalesce((SELECT 'attnums:' || array_to_string(p.attrnums, ',')\n"
	"                      FROM gp_distribution_policy p WHERE p.localoid = c.oid), 'attnums:') END AS distribution,\n"
	"       (c.oid IN (SELECT parrelid FROM pg_partition)) AS classic_root\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN (SELECT inhparent, count(*) AS n FROM pg_inherits GROUP BY inhparent) ch\n"
	"       ON ch.inhparent = c.oid\n"
	"LEFT JOIN (SELECT inhrelid, min(inhparent::bigint) AS inhparent FROM pg_inherits GROUP BY inhrelid) par\n"
	"       ON par.inhrelid = c.oid\n"
	"WHERE c.relkind = 'r' AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

/* PostgreSQL before 10: no native partitions. */
static const char CATALOG_TABLES_PG9[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, false AS relispartition,\n"
	"       coalesce(ch.n, 0) AS nchildren, coalesce(par.inhparent, 0) AS parent,\n"
	"       CASE WHEN c.relkind = 'r' THEN pg_relation_size(c.oid) ELSE 0 END AS bytes,\n"
	"       c.reltuples::bigint AS rows_est, c.relpages,\n"
	"       CASE WHEN c.relkind = 'f' THEN 'f' ELSE 'h' END AS storage,\n"
	"       NULL::text AS server, NULL::text AS distribution, false AS classic_root\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN (SELECT inhparent, count(*) AS n FROM pg_inherits GROUP BY inhparent) ch\n"
	"       ON ch.inhparent = c.oid\n"
	"LEFT JOIN (SELECT inhrelid, min(inhparent::bigint) AS inhparent FROM pg_inherits GROUP BY inhrelid) par\n"
	"       ON par.inhrelid = c.oid\n"
	"WHERE c.relkind IN ('r', 'f') AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

/* Materialized views (PostgreSQL 9.3+; Greenplum 6+, which is 9.4-based:
 * GPDB gpdb-doc/markdown/ref_guide/sql_commands/CREATE_MATERIALIZED_VIEW,
 * with DISTRIBUTED clauses), shaped as the table lists are: compared by
 * validate, never copied (the schema step refreshes them on the destination). */
static const char CATALOG_MATVIEWS[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, false AS relispartition,\n"
	"       0 AS nchildren, 0 AS parent, pg_relation_size(c.oid) AS bytes,\n"
	"       c.reltuples::bigint AS rows_est, c.relpages, 'h' AS storage,\n"
	"       NULL::text AS server, NULL::text AS distribution, false AS classic_root,\n"
	"       NOT c.relispopulated AS unpopulated\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"WHERE c.relkind = 'm' AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

/* Columns (of tables and materialized views), PostgreSQL 12+ / Greenplum 7:
 * generated and identity columns. */
static const char CATALOG_COLUMNS_PG12[] =
	"SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), t.typname,\n"
	"       t.typcategory, a.attnum, a.attgenerated <> '' AS generated,\n"
	"       a.attidentity <> '' AS identity, a.attnotnull,\n"
	"       (t.typtype = 'c' OR (t.typelem <> 0 AND t.typlen = -1 AND t.typelem >= 16384)\n"
	"        OR t.typsend::oid = 0 OR t.typreceive::oid = 0) AS binary_unsafe\n"
	"FROM pg_attribute a\n"
	"JOIN pg_class c ON c.oid = a.attrelid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"JOIN pg_type t ON t.oid = a.atttypid\n"
	"WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'm')\n"
	"  AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY a.attrelid, a.attnum";

/* Columns, PostgreSQL 10-11: identity columns, no generated ones. */
static const char CATALOG_COLUMNS_PG10[] =
	"SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), t.typname,\n"
	"       t.typcategory, a.attnum, false AS generated,\n"
	"       a.attidentity <> '' AS identity, a.attnotnull,\n"
	"       (t.typtype = 'c' OR (t.typelem <> 0 AND t.typlen = -1 AND t.typelem >= 16384)\n"
	"        OR t.typsend::oid = 0 OR t.typreceive::oid = 0) AS binary_unsafe\n"
	"FROM pg_attribute a\n"
	"JOIN pg_class c ON c.oid = a.attrelid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"JOIN pg_type t ON t.oid = a.atttypid\n"
	"WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'm')\n"
	"  AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY a.attrelid, a.attnum";

/* Columns, older servers (Greenplum 4.3-6, PostgreSQL 8.2-9.6); Greenplum
 * 4.3 (8.2) has no typcategory, so the caller derives it from typname. */
static const char CATALOG_COLUMNS_OLD[] =
	"SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), t.typname,\n"
	"       NULL AS typcategory, a.attnum, false AS generated, false AS identity, a.attnotnull,\n"
	"       (t.typtype = 'c' OR (t.typelem <> 0 AND t.typlen = -1 AND t.typelem >= 16384)\n"
	"        OR t.typsend::oid = 0 OR t.typreceive::oid = 0) AS binary_unsafe\n"
	"FROM pg_attribute a\n"
	"JOIN pg_class c ON c.oid = a.attrelid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"JOIN pg_type t ON t.oid = a.atttypid\n"
	"WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'f', 'm')\n"
	"  AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY a.attrelid, a.attnum";

/* Primary keys and unique indexes (plain columns, no expression, no
 * predicate), primary first; one row per key column in key order. */
static const char CATALOG_KEYS[] =
	"SELECT i.indrelid, i.indexrelid, i.indisprimary, k.n, a.attname, a.attnotnull\n"
	"FROM pg_index i\n"
	"JOIN pg_class c ON c.oid = i.indrelid\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"CROSS JOIN generate_series(0, 31) AS k(n)\n"
	"JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n]\n"
	"WHERE (i.indisprimary OR i.indisunique) AND i.indexprs IS NULL AND i.indpred IS NULL\n"
	"  AND k.n < i.indnatts AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY i.indrelid, i.indisprimary DESC, i.indexrelid, k.n";

/* Sequences and the table column that owns them (serial, identity). */
static const char CATALOG_SEQUENCES[] =
	"SELECT n.nspname, c.relname, tn.nspname AS table_schema, tc.relname AS table_name\n"
	"FROM pg_class c\n"
	"JOIN pg_namespace n ON n.oid = c.relnamespace\n"
	"LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass\n"
	"      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')\n"
	"LEFT JOIN pg_class tc ON tc.oid = d.refobjid\n"
	"LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace\n"
	"WHERE c.relkind = 'S' AND " CATALOG_USER_SCHEMAS "\n"
	"ORDER BY n.nspname, c.relname";

#endif
