-- 3.6, 6 columns: logerrors replaces fmterrtbl
CREATE TABLE gpcat.pg_exttable (
    reloid oid, urilocation text[], execlocation text[], fmttype "char", fmtopts text,
    options text[], command text, rejectlimit int, rejectlimittype "char", logerrors bool,
    encoding text, writable bool);

CREATE TABLE gpcat.storage (relid oid PRIMARY KEY, relstorage "char");
CREATE VIEW gpcat.pg_class AS
SELECT c.*,
       (CASE WHEN e.reloid IS NOT NULL THEN 'x'
             WHEN c.relkind = 'v' THEN 'v'
             ELSE coalesce(s.relstorage, 'h') END)::"char" AS relstorage,
       false AS relhasoids
FROM pg_catalog.pg_class c
LEFT JOIN gpcat.pg_exttable e ON e.reloid = c.oid
LEFT JOIN gpcat.storage s ON s.relid = c.oid;

-- the user's warehouse: a two-level partitioned table (years, then regions)
CREATE SCHEMA dw;
CREATE TABLE dw.facts (id bigint, y int, region text, v float8);
CREATE TABLE dw.facts_1_prt_y2024 () INHERITS (dw.facts);
CREATE TABLE dw.facts_1_prt_y2024_2_prt_east () INHERITS (dw.facts_1_prt_y2024);
CREATE TABLE dw.facts_1_prt_y2024_2_prt_west () INHERITS (dw.facts_1_prt_y2024);
CREATE TABLE dw.facts_1_prt_y2025 () INHERITS (dw.facts);
CREATE TABLE dw.facts_1_prt_y2025_2_prt_east () INHERITS (dw.facts_1_prt_y2025);
CREATE TABLE dw.facts_1_prt_y2025_2_prt_west () INHERITS (dw.facts_1_prt_y2025);
INSERT INTO gpcat.pg_partition VALUES
    ('dw.facts'::regclass, 'r', 0, false, 1, '2', '0', 9101),
    ('dw.facts'::regclass, 'l', 1, false, 1, '3', '0', 9102);
INSERT INTO gpcat.pg_partition_rule VALUES
    (9101, 'dw.facts_1_prt_y2024'::regclass, 0, 'y2024', false, 1, true, false, '2024', '2025', NULL, NULL, NULL),
    (9101, 'dw.facts_1_prt_y2025'::regclass, 0, 'y2025', false, 2, true, false, '2025', '2026', NULL, NULL, NULL),
    (9102, 'dw.facts_1_prt_y2024_2_prt_east'::regclass, 0, 'east', false, 1, NULL, NULL, NULL, NULL, NULL, '''east''', NULL),
    (9102, 'dw.facts_1_prt_y2024_2_prt_west'::regclass, 0, 'west', false, 2, NULL, NULL, NULL, NULL, NULL, '''west''', NULL),
    (9102, 'dw.facts_1_prt_y2025_2_prt_east'::regclass, 0, 'east', false, 1, NULL, NULL, NULL, NULL, NULL, '''east''', NULL),
    (9102, 'dw.facts_1_prt_y2025_2_prt_west'::regclass, 0, 'west', false, 2, NULL, NULL, NULL, NULL, NULL, '''west''', NULL);
INSERT INTO dw.facts_1_prt_y2024_2_prt_east SELECT g, 2024, 'east', g FROM generate_series(1, 300) g;
INSERT INTO dw.facts_1_prt_y2025_2_prt_west SELECT g, 2025, 'west', g FROM generate_series(1, 200) g;

CREATE TABLE dw.dim (id int PRIMARY KEY, name text);
CREATE TABLE dw.ext_hdfs (line text);
INSERT INTO gpcat.pg_exttable VALUES ('dw.ext_hdfs'::regclass, '{gphdfs://nn1:8020/logs/*.txt}',
    '{ALL_SEGMENTS}', 't', 'delimiter ''|''', '{}', NULL, NULL, NULL, false, '6', false);

