-- tests/harness/warehouse.sql: a sample data warehouse for the sandbox, the
-- benchmarks and the tests.  Run by tests/harness/seed-warehouse with the psql
-- variable "scale" (1 gives about 300 MB on disk; 0.001 a few hundred kB).
--
-- It holds what a real source holds and what a migration tool gets wrong:
--   dw.lineitem          the large fact table (identity, generated and dropped columns)
--   dw.orders            declarative range partitions, two levels, with a default partition
--   dw.events            an inheritance parent with rows of its own and two children
--   dw.types_zoo         every common type with its edge values (NaN, Infinity, '\N',
--                        backslashes, bytea with zero bytes, json, arrays, BC dates, toast)
--   dw.audit_log         no primary key, duplicate rows
--   dw.returns_pending   an empty table
--   "Odd Names".*        reserved words, spaces, quotes, dots, mixed case, unicode
--   sequences            standalone, serial, identity; advanced past their start
-- Row counts scale with :scale; the edge values are the same at every scale.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
SET synchronous_commit = off;

-- Row counts at this scale (each at least a handful, so every table holds rows).
SELECT greatest(50, round(1200000 * :scale))::bigint AS n_lineitem,
       greatest(40, round(300000 * :scale))::bigint AS n_orders,
       greatest(20, round(60000 * :scale))::bigint AS n_customer,
       greatest(10, round(5000 * :scale))::bigint AS n_supplier,
       greatest(20, round(80000 * :scale))::bigint AS n_part,
       greatest(20, round(120000 * :scale))::bigint AS n_inventory,
       greatest(12, round(90000 * :scale))::bigint AS n_events,
       greatest(10, round(20000 * :scale))::bigint AS n_zoo,
       greatest(10, round(40000 * :scale))::bigint AS n_audit,
       greatest(10, round(50000 * :scale))::bigint AS n_shipments,
       greatest(10, round(30000 * :scale))::bigint AS n_import,
       greatest(10, round(5000 * :scale))::bigint AS n_odd
\gset

DROP SCHEMA IF EXISTS dw, staging, "Odd Names" CASCADE;
CREATE SCHEMA dw;
CREATE SCHEMA staging;
CREATE SCHEMA "Odd Names";
COMMENT ON SCHEMA dw IS 'sample warehouse: dimensions, facts, partitions';

-- Dimensions -----------------------------------------------------------------

CREATE TABLE dw.region (
    region_id   int PRIMARY KEY,
    name        text NOT NULL,
    comment     text
);
INSERT INTO dw.region VALUES
    (0, 'AFRICA', 'lar deposits'), (1, 'AMERICA', 'hs use ironic'),
    (2, 'ASIA', 'ges. thinly even'), (3, 'EUROPE', 'ly final courts'),
    (4, 'MIDDLE EAST', 'uickly special');

CREATE TABLE dw.nation (
    nation_id   int PRIMARY KEY,
    name        text NOT NULL,
    region_id   int NOT NULL REFERENCES dw.region,
    comment     text
);
INSERT INTO dw.nation
SELECT i, 'NATION ' || i, i % 5, md5(i::text)
FROM generate_series(0, 24) AS i;

CREATE TABLE dw.customer (
    customer_id  int PRIMARY KEY,
    name         text NOT NULL,
    address      text,
    nation_id    int NOT NULL REFERENCES dw.nation,
    phone        text,
    balance      numeric(12,2),
    segment      text,
    signed_up    timestamptz,
    comment      text
);
INSERT INTO dw.customer
SELECT i,
       'Customer#' || lpad(i::text, 9, '0'),
       substr(md5('a' || i), 1, 8 + i % 17),
       i % 25,
       (10 + i % 25) || '-' || (100 + i % 900) || '-' || (1000 + i % 9000),
       ((i::bigint * 7919) % 1099999) / 100.0 - 999.99,
       (ARRAY['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY'])[1 + i % 5],
       timestamptz '2015-01-01' + (i % 3000) * interval '1 day' + (i % 86400) * interval '1 second',
       substr(md5('c' || i) || md5('d' || i), 1, 20 + i % 40)
FROM generate_series(1, :n_customer) AS i;

CREATE TABLE dw.supplier (
    supplier_id  int PRIMARY KEY,
    name         text NOT NULL,
    nation_id    int NOT NULL REFERENCES dw.nation,
    balance      numeric(12,2),
    comment      text
);
INSERT INTO dw.supplier
SELECT i, 'Supplier#' || lpad(i::text, 9, '0'), i % 25,
       ((i::bigint * 104729) % 1099999) / 100.0 - 999.99, md5('s' || i)
FROM generate_series(1, :n_supplier) AS i;

CREATE TABLE dw.part (
    part_id      int PRIMARY KEY,
    name         text NOT NULL,
    brand        text,
    type         text,
    size         int,
    container    text,
    retail_price numeric(12,2),
    comment      text
);
INSERT INTO dw.part
SELECT i,
       substr(md5('p' || i), 1, 6) || ' ' || substr(md5('q' || i), 1, 7),
       'Brand#' || (1 + i % 5) || (1 + i % 7),
       (ARRAY['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'])[1 + i % 6] || ' BRUSHED TIN',
       1 + i % 50,
       (ARRAY['SM CASE', 'LG BOX', 'MED PACK', 'JUMBO JAR', 'WRAP BAG'])[1 + i % 5],
       (90000 + (i / 10) % 20001 + 100 * (i % 1000)) / 100.0,
       substr(md5('r' || i), 1, 5 + i % 20)
FROM generate_series(1, :n_part) AS i;

CREATE TABLE dw.dim_date (
    date_key     int PRIMARY KEY,
    day          date NOT NULL UNIQUE,
    year         smallint NOT NULL,
    quarter      smallint NOT NULL,
    month        smallint NOT NULL,
    day_name     text NOT NULL,
    is_weekend   boolean NOT NULL
);
INSERT INTO dw.dim_date
SELECT to_char(d, 'YYYYMMDD')::int, d, extract(year FROM d), extract(quarter FROM d),
       extract(month FROM d), to_char(d, 'FMDay'), extract(isodow FROM d) >= 6
FROM generate_series(date '2018-01-01', date '2025-12-31', interval '1 day') AS g(t),
     LATERAL (SELECT t::date AS d) AS x;

CREATE TABLE dw.dim_store (
    store_id     int PRIMARY KEY,
    name         text NOT NULL,
    city         text,
    opened       date,
    floor_m2     real
);
INSERT INTO dw.dim_store
SELECT i, 'Store ' || i,
       (ARRAY['Hangzhou', 'Beijing', 'Shanghai', 'Shenzhen', 'Chengdu', 'Wuhan'])[1 + i % 6],
       date '2000-01-01' + i * 37, 200 + (i * 13 % 1800)
FROM generate_series(1, 200) AS i;

CREATE TABLE dw.dim_channel (
    channel_id   smallint PRIMARY KEY,
    name         text NOT NULL UNIQUE
);
INSERT INTO dw.dim_channel VALUES
    (1, 'store'), (2, 'web'), (3, 'mobile'), (4, 'phone'), (5, 'partner'), (6, 'marketplace');

CREATE TABLE dw.dim_promo (
    promo_id     int PRIMARY KEY,
    code         text NOT NULL UNIQUE,
    discount     numeric(4,2) NOT NULL CHECK (discount BETWEEN 0 AND 1),
    valid        daterange
);
INSERT INTO dw.dim_promo
SELECT i, 'PROMO-' || upper(substr(md5('promo' || i), 1, 6)), (i % 40) / 100.0,
       daterange(date '2019-01-01' + i * 3, date '2019-01-01' + i * 3 + 30)
FROM generate_series(1, 500) AS i;

CREATE TABLE dw.dim_currency (
    code         char(3) PRIMARY KEY,
    name         text NOT NULL,
    minor_units  smallint NOT NULL
);
INSERT INTO dw.dim_currency VALUES
    ('CNY', 'Renminbi', 2), ('USD', 'US Dollar', 2), ('EUR', 'Euro', 2), ('JPY', 'Yen', 0),
    ('GBP', 'Pound Sterling', 2), ('HKD', 'Hong Kong Dollar', 2), ('SGD', 'Singapore Dollar', 2),
    ('KRW', 'Won', 0), ('CHF', 'Swiss Franc', 2), ('KWD', 'Kuwaiti Dinar', 3);

CREATE TABLE dw.fx_rate (
    currency     char(3) NOT NULL REFERENCES dw.dim_currency,
    day          date NOT NULL,
    rate         double precision NOT NULL,
    PRIMARY KEY (currency, day)
);
INSERT INTO dw.fx_rate
SELECT c.code, d::date, 1 + (abs(hashtext(c.code || d::text)) % 100000) / 12345.0
FROM dw.dim_currency AS c,
     generate_series(date '2019-01-01', date '2024-12-31', interval '1 day') AS d;

-- The fact table ---------------------------------------------------------------
-- legacy_flag is dropped after the load, so every tuple still carries it on disk;
-- net_amount is generated; line_id is an identity column.

CREATE TABLE dw.lineitem (
    line_id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    order_id     bigint NOT NULL,
    line_no      int NOT NULL,
    part_id      int NOT NULL,
    supplier_id  int NOT NULL,
    quantity     numeric(12,2) NOT NULL,
    unit_price   numeric(12,2) NOT NULL,
    discount     numeric(4,2) NOT NULL,
    tax          numeric(4,2) NOT NULL,
    legacy_flag  char(1),
    net_amount   numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price * (1 - discount), 2)) STORED,
    return_flag  char(1) NOT NULL,
    line_status  char(1) NOT NULL,
    ship_date    date NOT NULL,
    commit_date  date NOT NULL,
    receipt_date date NOT NULL,
    ship_mode    text NOT NULL,
    ship_instruct text NOT NULL,
    comment      text
);
COMMENT ON TABLE dw.lineitem IS 'fact table: one row per order line';
INSERT INTO dw.lineitem (order_id, line_no, part_id, supplier_id, quantity, unit_price,
                         discount, tax, legacy_flag, return_flag, line_status, ship_date,
                         commit_date, receipt_date, ship_mode, ship_instruct, comment)
SELECT 1 + (i - 1) / 4,
       1 + (i - 1) % 4,
       1 + (i * 2654435761) % :n_part,
       1 + (i::bigint * 40503) % :n_supplier,
       1 + (i * 31) % 50,
       (100 + (i::bigint * 7919) % 200000) / 100.0,
       ((i * 13) % 11) / 100.0,
       ((i * 17) % 9) / 100.0,
       CASE WHEN i % 3 = 0 THEN 'Y' ELSE 'N' END,
       (ARRAY['A', 'N', 'R'])[1 + i % 3],
       (ARRAY['F', 'O'])[1 + i % 2],
       date '2019-01-02' + (i * 37 % 2190),
       date '2019-01-02' + (i * 37 % 2190) + (i % 30) - 15,
       date '2019-01-02' + (i * 37 % 2190) + 1 + i % 30,
       (ARRAY['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'])[1 + i % 7],
       (ARRAY['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'])[1 + i % 4],
       substr(md5(i::text), 1 + i % 7, 10 + i % 23)
FROM generate_series(1, :n_lineitem) AS i;
ALTER TABLE dw.lineitem DROP COLUMN legacy_flag;

-- Range partitions, two levels, and a default partition -------------------------

CREATE TABLE dw.orders (
    order_id     bigint NOT NULL,
    customer_id  int NOT NULL,
    order_date   date NOT NULL,
    status       char(1) NOT NULL,
    total        numeric(14,2),
    priority     text,
    clerk        text,
    channel_id   smallint REFERENCES dw.dim_channel,
    note         text,
    PRIMARY KEY (order_id, order_date)
) PARTITION BY RANGE (order_date);
CREATE TABLE dw.orders_2019 PARTITION OF dw.orders FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');
CREATE TABLE dw.orders_2020 PARTITION OF dw.orders FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE dw.orders_2021 PARTITION OF dw.orders FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE dw.orders_2022 PARTITION OF dw.orders FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE dw.orders_2023 PARTITION OF dw.orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE dw.orders_2024 PARTITION OF dw.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
    PARTITION BY RANGE (order_date);
CREATE TABLE dw.orders_2024_h1 PARTITION OF dw.orders_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE dw.orders_2024_h2 PARTITION OF dw.orders_2024 FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
-- Rows from 2018 and 2025 have no partition of their own: they land here.
CREATE TABLE dw.orders_default PARTITION OF dw.orders DEFAULT;
INSERT INTO dw.orders
SELECT i,
       1 + (i * 7) % :n_customer,
       date '2018-07-01' + (i * 97 % 2557),
       (ARRAY['F', 'O', 'P'])[1 + i % 3],
       (i::bigint * 7919 % 50000000) / 100.0,
       (ARRAY['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'])[1 + i % 5],
       'Clerk#' || lpad((1 + i % 1000)::text, 9, '0'),
       1 + i % 6,
       CASE WHEN i % 10 = 0 THEN NULL ELSE substr(md5('o' || i), 1, 8 + i % 25) END
FROM generate_series(1, :n_orders) AS i;

-- Inheritance: a parent with rows of its own and two children -------------------

CREATE TABLE dw.events (
    event_id     bigint NOT NULL,
    at           timestamptz NOT NULL,
    kind         text NOT NULL,
    payload      jsonb
);
CREATE TABLE dw.events_web (
    url          text
) INHERITS (dw.events);
CREATE TABLE dw.events_mobile (
    device       text,
    app_version  int[]
) INHERITS (dw.events);
INSERT INTO dw.events
SELECT i, timestamptz '2023-01-01' + i * interval '17 seconds', 'legacy',
       jsonb_build_object('n', i, 'ok', i % 2 = 0)
FROM generate_series(1, :n_events / 3) AS i;
INSERT INTO dw.events_web
SELECT i, timestamptz '2023-01-01' + i * interval '13 seconds', 'pageview',
       jsonb_build_object('n', i, 'ref', 'https://example.com/?q=' || i, 'tags', jsonb_build_array('a', i % 7)),
       '/shop/item/' || (i % 5000)
FROM generate_series(:n_events / 3 + 1, 2 * (:n_events / 3)) AS i;
INSERT INTO dw.events_mobile
SELECT i, timestamptz '2023-01-01' + i * interval '11 seconds', 'tap',
       CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('n', i, 'screen', 'home') END,
       (ARRAY['android', 'ios', 'harmonyos'])[1 + i % 3],
       ARRAY[1 + i % 3, i % 10, i % 100]
FROM generate_series(2 * (:n_events / 3) + 1, :n_events) AS i;

-- Every common type and its edge values -----------------------------------------
-- obsolete is dropped; t_len is generated; id is GENERATED ALWAYS.

CREATE TABLE dw.types_zoo (
    id           int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label        text NOT NULL,
    n            numeric,
    n_scaled     numeric(20,6),
    f8           double precision,
    f4           real,
    i2           smallint,
    i8           bigint,
    b            boolean,
    t            text,
    vc           varchar(40),
    c            char(5),
    obsolete     text,
    bin          bytea,
    j            json,
    jb           jsonb,
    ia           int[],
    ta           text[],
    ts           timestamp,
    tstz         timestamptz,
    d            date,
    tm           time,
    iv           interval,
    u            uuid,
    ip           inet,
    t_len        int GENERATED ALWAYS AS (length(t)) STORED,
    big          text
);
INSERT INTO dw.types_zoo (label, n, n_scaled, f8, f4, i2, i8, b, t, vc, c, obsolete, bin, j, jb,
                          ia, ta, ts, tstz, d, tm, iv, u, ip, big) VALUES
    ('nan', 'NaN', 0, 'NaN', 'NaN', 0, 0, true, 'nan', 'nan', 'nan', 'x',
     '\x00'::bytea, '{"v": null}', '{"v": null}', '{}', '{}',
     '2000-01-01', '2000-01-01 00:00+00', '2000-01-01', '00:00', '0', '00000000-0000-0000-0000-000000000000',
     '0.0.0.0', NULL),
    ('infinities', 12345678901234567890.123456789, -99999999999999.999999, 'Infinity', '-Infinity',
     32767, 9223372036854775807, false, 'inf', 'inf', 'inf', 'x',
     '\x000102ff00'::bytea, '[1, 2.5, "x"]', '[1, 2.5, "x"]', '{2147483647,-2147483648}', '{"a","b"}',
     'infinity', '-infinity', 'infinity', '23:59:59.999999', '-178000000 years',
     'ffffffff-ffff-ffff-ffff-ffffffffffff', '::1', NULL),
    ('minus infinity', -0.000000000000000001, 0.000001, '-Infinity', 'Infinity', -32768,
     -9223372036854775808, NULL, 'minus', 'minus', 'minus', 'x',
     '\x00000000'::bytea, '{}', '{}', '{NULL,1}', '{NULL,"NULL",""}',
     '-infinity', 'infinity', '-infinity', '12:00', '1 mon -1 day +00:00:01',
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', NULL),
    ('null vs empty vs \N', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, 'x',
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ('empty string', 0, 0, 0, 0, 0, 0, false, '', '', '', 'x',
     ''::bytea, '""', '""', '{}', '{""}', '1970-01-01', '1970-01-01 00:00+00', '1970-01-01', '00:00', '0', NULL,
     NULL, ''),
    ('the string \N', 1, 1, -0.0, 1.17549435e-38, 1, 1, true, E'\\N', E'\\N', E'\\N', 'x',
     E'\\x5c4e'::bytea, '"\\N"', '"\\N"', '{1}', E'{"\\\\N"}', '2024-02-29 12:00', '2024-02-29 12:00+08',
     '2024-02-29', '12:00', '1 day', NULL, NULL, E'\\N'),
    ('backslashes', 2, 2, 1e308, 3.4e38, 2, 2, true, E'C:\\Program Files\\gp2adb\\new\\table',
     E'a\\b\\\\c', E'\\\\', 'x', E'\\x5c5c00'::bytea, '{"path": "C:\\\\tmp"}', '{"path": "C:\\\\tmp"}',
     '{2}', E'{"a\\\\b","c,d","e\\"f"}', '2024-01-01 00:00', '2024-01-01 00:00+00', '2024-01-01', '00:00',
     '1 second', NULL, NULL, E'\\\\\\\\'),
    ('control characters', 3, 3, 5e-324, 1.4e-45, 3, 3, false, E'tab\there\nnewline\rcr\x01soh',
     E'quote''s "double"', E'\t', 'x', E'\\x0a0d0900'::bytea, '{"s": "line\\nbreak\\ttab"}',
     '{"s": "line\\nbreak\\ttab"}', '{3}', E'{"new\\nline","tab\\there"}', '1999-12-31 23:59:59.999999',
     '1999-12-31 23:59:59.999999+14', '1999-12-31', '23:59:59', '-1 day', NULL, NULL, E'\x01\x02\x7f'),
    ('unicode', 4, 4, 3.141592653589793, 2.7182817, 4, 4, true, 'données été 客户 😀 ß', 'Ünïcödé',
     'é', 'x', convert_to('客户', 'UTF8'), '{"名字": "值"}', '{"名字": "值"}', '{4}', '{"客户","😀"}',
     '2024-06-30 08:00', '2024-06-30 08:00+08', '2024-06-30', '08:00', '1 year 2 mons 3 days',
     'c0ffee00-0000-4000-8000-000000000000', '2001:db8::1', NULL),
    ('ancient and far', 5, 5, -1e-308, -3.4e38, 5, 5, false, 'BC', 'BC', 'BC', 'x', '\xdeadbeef'::bytea,
     'null', 'null', '{{1,2},{3,4}}', '{{"a","b"},{"c","d"}}', '0044-03-15 12:00 BC',
     '0044-03-15 12:00+00 BC', '4713-01-01 BC', '00:00:00.000001', '1000000 hours',
     NULL, NULL, NULL),
    ('toasted', 6, 6, 6, 6, 6, 6, true, 'toast', 'toast', 'toast', 'x', NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     (SELECT string_agg(md5(k::text), '') FROM generate_series(1, 6000) AS k));
INSERT INTO dw.types_zoo (label, n, n_scaled, f8, f4, i2, i8, b, t, vc, c, obsolete, bin, j, jb,
                          ia, ta, ts, tstz, d, tm, iv, u, ip, big)
SELECT 'row ' || i,
       (i::bigint * 7919) / 997.0,
       (i::bigint * 104729 % 100000000) / 1000000.0,
       CASE WHEN i % 97 = 0 THEN 'NaN'::float8 ELSE (i * 31) / 7.0 END,
       (i % 1000) / 3.0,
       (i % 32000)::smallint,
       i::bigint * 1000003,
       CASE i % 3 WHEN 0 THEN true WHEN 1 THEN false END,
       CASE WHEN i % 50 = 0 THEN E'\\N' WHEN i % 51 = 0 THEN '' WHEN i % 52 = 0 THEN NULL
            ELSE 'text ' || i || E' \\ slash' END,
       substr(md5(i::text), 1, 1 + i % 40),
       lpad((i % 100000)::text, 5, '0'),
       'gone ' || i,
       decode(lpad(to_hex(i), 8, '0') || '00' || substr(md5(i::text), 1, 2 * (i % 16)), 'hex'),
       json_build_object('i', i, 'half', i / 2.0),
       jsonb_build_object('i', i, 'tags', jsonb_build_array(i % 3, 'x' || i % 5)),
       ARRAY[i, i * 2, i * 3],
       ARRAY['t' || i, NULL, E'back\\slash'],
       timestamp '2020-01-01' + i * interval '61 seconds',
       timestamptz '2020-01-01 00:00+08' + i * interval '3607 seconds',
       date '2020-01-01' + i % 3000,
       time '00:00' + i * interval '1 second',
       i * interval '1 minute 3 seconds',
       md5(i::text)::uuid,
       ('10.' || (i / 65536) % 256 || '.' || (i / 256) % 256 || '.' || i % 256)::inet,
       CASE WHEN i % 1000 = 0 THEN (SELECT string_agg(md5((i + k)::text), '') FROM generate_series(1, 300) AS k) END
FROM generate_series(1, :n_zoo) AS i;
ALTER TABLE dw.types_zoo DROP COLUMN obsolete;

-- No primary key, no unique index, duplicate rows --------------------------------

CREATE TABLE dw.audit_log (
    at           timestamptz NOT NULL,
    actor        text,
    action       text NOT NULL,
    detail       text
);
INSERT INTO dw.audit_log
SELECT timestamptz '2024-01-01' + (i / 2) * interval '1 minute',
       (ARRAY['etl', 'admin', 'report', NULL])[1 + (i / 2) % 4],
       (ARRAY['insert', 'update', 'delete', 'login'])[1 + (i / 2) % 4],
       'batch ' || (i / 2)
FROM generate_series(1, :n_audit) AS i;   -- i and i+1 share i/2: duplicate rows

-- An empty table -----------------------------------------------------------------

CREATE TABLE dw.returns_pending (
    return_id    bigserial PRIMARY KEY,
    line_id      bigint NOT NULL,
    reason       text,
    requested    timestamptz NOT NULL DEFAULT now()
);

-- More mid-size and small tables -------------------------------------------------

CREATE TABLE dw.inventory (
    part_id      int NOT NULL,
    store_id     int NOT NULL,
    on_hand      int NOT NULL,
    reorder_at   int,
    counted      timestamptz,
    PRIMARY KEY (part_id, store_id)
);
INSERT INTO dw.inventory
SELECT 1 + (i - 1) / 200, 1 + (i - 1) % 200, (i * 7) % 500, 20 + i % 30,
       timestamptz '2024-01-01' + (i % 1000) * interval '1 hour'
FROM generate_series(1, :n_inventory) AS i;

CREATE TABLE dw.shipments (
    shipment_id  bigint PRIMARY KEY,
    order_id     bigint NOT NULL,
    carrier      text NOT NULL,
    tracking     text,
    shipped      timestamptz,
    delivered    timestamptz,
    weight_kg    real,
    route        point[]
);
INSERT INTO dw.shipments
SELECT i, 1 + (i * 5) % :n_orders,
       (ARRAY['SF Express', 'ZTO', 'YTO', 'JD Logistics', 'EMS'])[1 + i % 5],
       upper(substr(md5('t' || i), 1, 14)),
       timestamptz '2022-01-01' + i * interval '7 minutes',
       CASE WHEN i % 9 = 0 THEN NULL ELSE timestamptz '2022-01-03' + i * interval '7 minutes' END,
       (i % 5000) / 100.0,
       ARRAY[point(i % 90, i % 180), point((i + 1) % 90, (i + 7) % 180)]
FROM generate_series(1, :n_shipments) AS i;

CREATE TABLE dw.store_sales_daily (
    store_id     int NOT NULL REFERENCES dw.dim_store,
    date_key     int NOT NULL REFERENCES dw.dim_date,
    channel_id   smallint NOT NULL REFERENCES dw.dim_channel,
    revenue      numeric(14,2) NOT NULL,
    units        int NOT NULL,
    PRIMARY KEY (store_id, date_key, channel_id)
);
INSERT INTO dw.store_sales_daily
SELECT s, to_char(d, 'YYYYMMDD')::int, c, (s * 31 + c * 7 + extract(doy FROM d)) * 10.5, s + c
FROM generate_series(1, greatest(2, round(200 * least(:scale, 1))::int)) AS s,
     generate_series(date '2024-01-01', date '2024-03-31', interval '1 day') AS d,
     generate_series(1, 3) AS c;

CREATE SEQUENCE dw.invoice_number_seq START 100000 INCREMENT 7;
SELECT setval('dw.invoice_number_seq', 4242424) AS invoice_number \gset

CREATE VIEW dw.monthly_revenue AS
SELECT date_trunc('month', ship_date)::date AS month, sum(net_amount) AS revenue, count(*) AS lines
FROM dw.lineitem
GROUP BY 1;

-- Staging: raw text as it comes from files ---------------------------------------

CREATE TABLE staging.load_batches (
    batch_id     serial PRIMARY KEY,
    source_file  text NOT NULL,
    loaded       timestamptz NOT NULL,
    rows_loaded  bigint
);
INSERT INTO staging.load_batches (source_file, loaded, rows_loaded)
SELECT E'D:\\exports\\batch_' || i || '.csv', timestamptz '2024-05-01' + i * interval '1 hour', i * 1000
FROM generate_series(1, 48) AS i;

CREATE TABLE staging.customer_import (
    import_id    bigint PRIMARY KEY,
    batch_id     int,
    raw_line     text,
    name         text,
    phone        text,
    note         text
);
INSERT INTO staging.customer_import
SELECT i, 1 + i % 48,
       i || E'\t"Customer ' || i || E'"\t\\N\t' || CASE WHEN i % 7 = 0 THEN E'line\nbreak' ELSE 'ok' END,
       CASE WHEN i % 11 = 0 THEN E'\\N' ELSE 'Customer ' || i END,
       CASE WHEN i % 13 = 0 THEN '' WHEN i % 17 = 0 THEN NULL ELSE '+86 ' || (13000000000 + i) END,
       CASE i % 4 WHEN 0 THEN E'C:\\temp\\' || i WHEN 1 THEN E'back\\\\slash' WHEN 2 THEN E'\\.' ELSE NULL END
FROM generate_series(1, :n_import) AS i;

CREATE TABLE staging.raw_events_copy (LIKE dw.events);
INSERT INTO staging.raw_events_copy SELECT * FROM ONLY dw.events LIMIT 100;

-- Awkward names ----------------------------------------------------------------

CREATE TABLE "Odd Names"."order" (
    id           int PRIMARY KEY,
    "select"     int,
    "from"       text,
    "Group"      text,
    "user"       text
);
INSERT INTO "Odd Names"."order"
SELECT i, i * 2, 'from ' || i, CASE WHEN i % 2 = 0 THEN 'Even' ELSE 'Odd' END, current_user
FROM generate_series(1, :n_odd) AS i;

CREATE TABLE "Odd Names"."select" (
    "table"      text PRIMARY KEY,
    "where"      boolean,
    "limit"      int
);
INSERT INTO "Odd Names"."select"
SELECT 'row ' || i, i % 2 = 0, i FROM generate_series(1, 100) AS i;

CREATE TABLE "Odd Names"."Sales Report 2024" (
    "Region Name"   text PRIMARY KEY,
    "Total $"       numeric(14,2),
    "Growth %"      double precision,
    "Last Updated"  timestamptz
);
INSERT INTO "Odd Names"."Sales Report 2024" VALUES
    ('North', 1234567.89, 0.12, '2024-12-31 23:59+08'),
    ('South', 7654321.00, -0.03, '2024-12-31 23:59+08'),
    ('East', 0, 'NaN', NULL),
    ('West', NULL, 'Infinity', '2024-01-01 00:00+00');

CREATE TABLE "Odd Names"."quote""d table" (
    "col ""x"""  int PRIMARY KEY,
    "it's"       text
);
INSERT INTO "Odd Names"."quote""d table"
SELECT i, 'it''s row ' || i FROM generate_series(1, 50) AS i;

CREATE TABLE "Odd Names"."dot.ted" (
    "a.b"        int PRIMARY KEY,
    "c d"        text
);
INSERT INTO "Odd Names"."dot.ted" SELECT i, 'c d ' || i FROM generate_series(1, 50) AS i;

CREATE TABLE "Odd Names"."données_été" (
    "prénom"     text NOT NULL,
    "café"       int,
    "naïve"      boolean
);
INSERT INTO "Odd Names"."données_été"
SELECT 'Zoé ' || i, i, i % 2 = 0 FROM generate_series(1, :n_odd) AS i;

CREATE TABLE "Odd Names"."客户" (
    "编号"        int PRIMARY KEY,
    "名字"        text,
    "城市"        text
);
INSERT INTO "Odd Names"."客户"
SELECT i, '客户 ' || i, (ARRAY['杭州', '北京', '上海'])[1 + i % 3] FROM generate_series(1, :n_odd) AS i;

CREATE TABLE dw."MixedCase" (
    "CamelCol"   int PRIMARY KEY,
    "lower"      text,
    "UPPER"      text
);
INSERT INTO dw."MixedCase" SELECT i, 'l' || i, 'U' || i FROM generate_series(1, 200) AS i;

CREATE SEQUENCE "Odd Names"."weird seq";
SELECT setval('"Odd Names"."weird seq"', 77) AS weird_seq \gset

-- Make the data look like an operator's: visible to all, hint bits set, statistics.
VACUUM (ANALYZE);
