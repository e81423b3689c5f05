-- Greenplum 4.3 catalog shapes on PostgreSQL (reference/greenplum.md 3.1-3.6),
-- in schema gpcat; the database's search_path puts gpcat before pg_catalog so
-- unqualified catalog names resolve here, as they would on Greenplum 4.3.
-- Then a small "warehouse" in schema sales that uses 4.x constructs.
CREATE SCHEMA gpcat;
SET search_path = gpcat, pg_catalog, public;

CREATE FUNCTION gpcat.version() RETURNS text LANGUAGE sql AS
$$ SELECT 'PostgreSQL 8.2.15 (Greenplum Database 4.3.33.0 build 1) on x86_64-unknown-linux-gnu, compiled by GCC gcc (GCC) 4.4.2 compiled on Jun 11 2019 17:23:40'::text $$;

-- 3.2, 4.3/5 columns
CREATE TABLE gpcat.gp_segment_configuration (
    dbid int2, content int2, role "char", preferred_role "char", mode "char", status "char",
    port int4, hostname text, address text, replication_port int4, san_mounts int2vector);
INSERT INTO gpcat.gp_segment_configuration VALUES
    (1, -1, 'p', 'p', 's', 'u', 5432, 'mdw', 'mdw', NULL, NULL),
    (2, 0, 'p', 'p', 's', 'u', 40000, 'sdw1', 'sdw1', 41000, NULL),
    (3, 1, 'p', 'p', 's', 'u', 40001, 'sdw1', 'sdw1', 41001, NULL),
    (4, 2, 'p', 'p', 's', 'u', 40000, 'sdw2', 'sdw2', 41000, NULL),
    (5, 3, 'p', 'p', 's', 'u', 40001, 'sdw2', 'sdw2', 41001, NULL),
    (6, 0, 'm', 'm', 's', 'u', 50000, 'sdw2', 'sdw2', 51000, NULL),
    (7, 1, 'm', 'm', 's', 'u', 50001, 'sdw2', 'sdw2', 51001, NULL),
    (8, 2, 'm', 'm', 's', 'u', 50000, 'sdw1', 'sdw1', 51000, NULL),
    (9, 3, 'm', 'm', 's', 'u', 50001, 'sdw1', 'sdw1', 51001, NULL);

-- 3.3, 4.3/5: attrnums NULL means DISTRIBUTED RANDOMLY
CREATE TABLE gpcat.gp_distribution_policy (localoid oid, attrnums int2[]);

-- 3.5
CREATE TABLE gpcat.pg_partition (
    parrelid oid, parkind "char", parlevel int2, paristemplate bool, parnatts int2,
    paratts int2vector, parclass oidvector);
CREATE TABLE gpcat.pg_partition_rule (
    paroid oid, parchildrelid oid, parparentrule oid, parname name, parisdefault bool,
    parruleord int2, parrangestartincl bool, parrangeendincl bool, parrangestart text,
    parrangeend text, parrangeevery text, parlistvalues text, parreloptions text[]);
-- the fixture keys pg_partition rows by an explicit id (Greenplum uses the row oid)
ALTER TABLE gpcat.pg_partition ADD COLUMN oid oid;
CREATE VIEW gpcat.pg_partitions AS
SELECT pn.nspname AS schemaname, pc.relname AS tablename, cn.nspname AS partitionschemaname,
       cc.relname AS partitiontablename, r.parname AS partitionname,
       NULL::name AS parentpartitiontablename, NULL::name AS parentpartitionname,
       CASE p.parkind WHEN 'r' THEN 'range' ELSE 'list' END AS partitiontype,
       p.parlevel AS partitionlevel, r.parruleord AS partitionrank, r.parruleord AS partitionposition,
       r.parlistvalues AS partitionlistvalues, r.parrangestart AS partitionrangestart,
       r.parrangestartincl AS partitionstartinclusive, r.parrangeend AS partitionrangeend,
       r.parrangeendincl AS partitionendinclusive, r.parrangeevery AS partitioneveryclause,
       r.parisdefault AS partitionisdefault, NULL::text AS partitionboundary,
       NULL::name AS parenttablespace, NULL::name AS partitiontablespace
FROM gpcat.pg_partition p
JOIN gpcat.pg_partition_rule r ON r.paroid = p.oid
JOIN pg_catalog.pg_class pc ON pc.oid = p.parrelid
JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
JOIN pg_catalog.pg_class cc ON cc.oid = r.parchildrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace;

