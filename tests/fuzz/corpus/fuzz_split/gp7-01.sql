CREATE SCHEMA dw;
CREATE TABLE dw.sales (id bigint, d date, v numeric) PARTITION BY RANGE (d);
CREATE TABLE dw.sales_1_prt_2024 PARTITION OF dw.sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') USING ao_column;
CREATE TABLE dw.sales_1_prt_2025 PARTITION OF dw.sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') USING ao_row;
INSERT INTO dw.sales SELECT g, '2024-03-01'::date + (g % 600), g FROM generate_series(1, 1000) g;
CREATE TABLE dw.dim (id int PRIMARY KEY, name text);
CREATE FOREIGN TABLE dw.ext_in (line text) SERVER gp_exttable_server
    OPTIONS (location_uris 'gpfdist://etl1:8081/in/*.txt', format 'text', execute_on 'ALL_SEGMENTS');
INSERT INTO gpcat.gp_distribution_policy VALUES
    ('dw.sales'::regclass, 'p', 2, '1', '10027'),
    ('dw.sales_1_prt_2024'::regclass, 'p', 2, '1', '10027'),
    ('dw.sales_1_prt_2025'::regclass, 'p', 2, '1', '10027'),
    ('dw.dim'::regclass, 'p', 2, '', '');
ANALYZE;


