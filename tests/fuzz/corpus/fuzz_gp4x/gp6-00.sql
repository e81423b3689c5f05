-- Greenplum 6 catalog shapes on PostgreSQL (reference/greenplum.md 3.1-3.6),
-- in schema gpcat, first on the database's search_path (four primary segments).
CREATE SCHEMA gpcat;
SET search_path = gpcat, pg_catalog, public;

CREATE FUNCTION gpcat.version() RETURNS text LANGUAGE sql AS
$$ SELECT 'PostgreSQL 9.4.26 (Greenplum Database 6.25.0 build commit:a7ff2cf4a1 Open Source) on x86_64-unknown-linux-gnu, compiled by gcc (Ubuntu 7.5.0-3ubuntu1~18.04) 7.5.0, 64-bit compiled on Jul 13 2023 13:46:16'::text $$;

-- 3.2, 6 columns (datadir instead of replication_port/san_mounts); four primaries
CREATE TABLE gpcat.gp_segment_configuration (
    dbid int2, content int2, role "char", preferred_role "char", mode "char", status "char",
    port int4, hostname text, address text, datadir text);
INSERT INTO gpcat.gp_segment_configuration
SELECT 1, -1, 'p', 'p', 'n', 'u', 5432, 'mdw', 'mdw', '/data/master/gpseg-1'
UNION ALL
SELECT 2 + g, g, 'p', 'p', 's', 'u', 6000 + g, 'sdw' || (g / 2 + 1), 'sdw' || (g / 2 + 1), '/data/primary/gpseg' || g
FROM generate_series(0, 3) g
UNION ALL
SELECT 10 + g, g, 'm', 'm', 's', 'u', 7000 + g, 'sdw' || ((g + 1) % 2 + 1), 'sdw' || ((g + 1) % 2 + 1), '/data/mirror/gpseg' || g
FROM generate_series(0, 3) g;

-- 3.3, 6/7: policytype p (hash or random: empty distkey) or r (replicated)
CREATE TABLE gpcat.gp_distribution_policy (
    localoid oid, policytype "char", numsegments int4, distkey int2vector, distclass oidvector);
CREATE FUNCTION gpcat.pg_get_table_distributedby(rel oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p.policytype = 'r' THEN 'DISTRIBUTED REPLICATED'
                WHEN p.distkey::text = '' THEN 'DISTRIBUTED RANDOMLY'
                ELSE 'DISTRIBUTED BY (' ||
                     (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i)
                      FROM unnest(string_to_array(p.distkey::text, ' ')::int2[]) WITH ORDINALITY k(n, i)
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = rel AND a.attnum = k.n) || ')'
           END
    FROM gpcat.gp_distribution_policy p WHERE p.localoid = rel
$$;

-- 3.5
CREATE TABLE gpcat.pg_partition (
    parrelid oid, parkind "char", parlevel int2, paristemplate bool, parnatts int2,
    paratts int2vector, parclass oidvector, oid oid);
CREATE TABLE gpcat.pg_partition_rule (
    paroid oid, parchildrelid oid, parparentrule oid, parname name, parisdefault bool,
    parruleord int2, parrangestartincl bool, parrangeendincl bool, parrangestart text,
    parrangeend text, parrangeevery text, parlistvalues text, parreloptions text[]);
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

