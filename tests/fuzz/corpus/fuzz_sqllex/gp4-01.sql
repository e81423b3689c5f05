-- 3.6, 4.3/5 columns
CREATE TABLE gpcat.pg_exttable (
    reloid oid, urilocation text[], execlocation text[], fmttype "char", fmtopts text,
    options text[], command text, rejectlimit int, rejectlimittype "char", fmterrtbl oid,
    encoding text, writable bool);

-- 3.4: pg_class with relstorage ('x' for external tables, 'h' heap otherwise
-- unless gpcat.storage says 'a'/'c'), and 8.2's relhasoids
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

-- 8.2's pg_stat_activity: procpid and current_query
CREATE VIEW gpcat.pg_stat_activity AS
SELECT datid, datname, pid AS procpid, usesysid, usename,
       CASE WHEN state = 'idle' THEN '<IDLE>' ELSE query END AS current_query,
       wait_event IS NOT NULL AS waiting, query_start, backend_start, client_addr, client_port,
       application_name
FROM pg_catalog.pg_stat_activity;

-- ADB 4.3's CREATE LIBRARY catalog (3.11); stock Greenplum has none, which
-- is why preflight probes for it
CREATE TABLE gpcat.pg_library (name name, lanname name);
INSERT INTO gpcat.pg_library VALUES ('udf_jar', 'java');

-- a type 4.3 has and PostgreSQL 12+ removed (same name, as a domain)
CREATE DOMAIN gpcat.abstime AS timestamptz;

-- the user's warehouse
CREATE SCHEMA sales;
CREATE TABLE sales.customers (id int PRIMARY KEY, name text);
CREATE TABLE sales.orders (id int, d date, amount numeric(12,2));
CREATE TABLE sales.orders_1_prt_2024 (CHECK (d < '2025-01-01')) INHERITS (sales.orders);
CREATE TABLE sales.orders_1_prt_2025 (CHECK (d >= '2025-01-01')) INHERITS (sales.orders);
INSERT INTO gpcat.pg_partition VALUES ('sales.orders'::regclass, 'r', 0, false, 1, '2', '0', 9001);
INSERT INTO gpcat.pg_partition_rule VALUES
    (9001, 'sales.orders_1_prt_2024'::regclass, 0, '2024', false, 1, true, false,
     '2024-01-01', '2025-01-01', NULL, NULL, NULL),
    (9001, 'sales.orders_1_prt_2025'::regclass, 0, '2025', false, 2, true, false,
     '2025-01-01', '2026-01-01', NULL, NULL, NULL);
INSERT INTO sales.orders_1_prt_2024 SELECT g, '2024-06-01', g FROM generate_series(1, 500) g;
INSERT INTO sales.orders_1_prt_2025 SELECT g, '2025-06-01', g FROM generate_series(501, 800) g;
INSERT INTO gpcat.storage VALUES ('sales.orders_1_prt_2024'::regclass, 'c'),
                                 ('sales.orders_1_prt_2025'::regclass, 'a');

