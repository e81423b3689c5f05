-- Greenplum 7 catalog shapes on PostgreSQL (reference/greenplum.md 3.1-3.6),
-- in schema gpcat, first on the database's search_path.  Greenplum 7 is
-- PostgreSQL 12 based: native partitions, no relstorage (pg_am instead), and
-- external tables are foreign tables of server gp_exttable_server.
CREATE SCHEMA gpcat;
SET search_path = gpcat, pg_catalog, public;

CREATE FUNCTION gpcat.version() RETURNS text LANGUAGE sql AS
$$ SELECT 'PostgreSQL 12.12 (Greenplum Database 7.4.0 build commit:27de6dc6a2) on x86_64-pc-linux-gnu, compiled by gcc (GCC) 8.5.0 20210514 (Red Hat 8.5.0-22), 64-bit compiled on Jan 31 2025 03:17:23'::text $$;

-- 3.2, same columns as 6; two primaries (the segment count test needs fewer
-- than the Greenplum 6 fixture's four)
CREATE TABLE gpcat.gp_segment_configuration (
    dbid int2, content int2, role "char", preferred_role "char", mode "char", status "char",
    port int4, hostname text, address text, datadir text);
INSERT INTO gpcat.gp_segment_configuration VALUES
    (1, -1, 'p', 'p', 'n', 'u', 5432, 'cdw', 'cdw', '/data/coordinator/gpseg-1'),
    (2, 0, 'p', 'p', 's', 'u', 6000, 'sdw1', 'sdw1', '/data/primary/gpseg0'),
    (3, 1, 'p', 'p', 's', 'u', 6001, 'sdw1', 'sdw1', '/data/primary/gpseg1'),
    (4, 0, 'm', 'm', 's', 'u', 7000, 'sdw2', 'sdw2', '/data/mirror/gpseg0'),
    (5, 1, 'm', 'm', 's', 'u', 7001, 'sdw2', 'sdw2', '/data/mirror/gpseg1');

CREATE TABLE gpcat.gp_distribution_policy (
    localoid oid, policytype "char", numsegments int4, distkey int2vector, distclass oidvector);
CREATE FUNCTION gpcat.pg_get_table_distributedby(rel oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT CASE WHEN p.policytype = 'r' THEN 'DISTRIBUTED REPLICATED'
                    WHEN p.distkey::text = '' THEN 'DISTRIBUTED RANDOMLY'
                    ELSE 'DISTRIBUTED BY (' ||
                         (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i)
                          FROM unnest(string_to_array(p.distkey::text, ' ')::int2[]) WITH ORDINALITY k(n, i)
                          JOIN pg_catalog.pg_attribute a ON a.attrelid = rel AND a.attnum = k.n) || ')'
               END
        FROM gpcat.gp_distribution_policy p WHERE p.localoid = rel), '')
$$;

-- 3.4: the AO table access methods (here they store like heap)
CREATE ACCESS METHOD ao_row TYPE TABLE HANDLER heap_tableam_handler;
CREATE ACCESS METHOD ao_column TYPE TABLE HANDLER heap_tableam_handler;
-- 3.6: external tables are foreign tables of this server
CREATE FOREIGN DATA WRAPPER gp_exttable_fdw;
CREATE SERVER gp_exttable_server FOREIGN DATA WRAPPER gp_exttable_fdw;

