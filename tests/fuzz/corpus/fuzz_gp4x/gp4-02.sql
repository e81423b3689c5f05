CREATE TABLE sales.load_errors (cmdtime timestamptz, relname text, errmsg text);
CREATE TABLE sales.ext_load (a int, b text);
INSERT INTO gpcat.pg_exttable VALUES ('sales.ext_load'::regclass, '{gpfdist://etl1:8081/load/*.csv}',
    '{ALL_SEGMENTS}', 'c', 'delimiter '','' null '''' escape ''"'' quote ''"''', '{}', NULL,
    10, 'r', 'sales.load_errors'::regclass, '6', false);

CREATE TABLE sales.events (id int, "lateral" int, at abstime);
CREATE TABLE sales.prices (p money, id int);
CREATE TABLE sales.clicks (id int, url text);

INSERT INTO gpcat.gp_distribution_policy VALUES
    ('sales.customers'::regclass, '{1}'), ('sales.orders'::regclass, '{1}'),
    ('sales.orders_1_prt_2024'::regclass, '{1}'), ('sales.orders_1_prt_2025'::regclass, '{1}'),
    ('sales.events'::regclass, '{1}'), ('sales.prices'::regclass, '{1}'),
    ('sales.clicks'::regclass, NULL), ('sales.load_errors'::regclass, NULL);

CREATE FUNCTION sales.active_sessions() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM pg_stat_activity WHERE current_query <> '<IDLE>');
END $$;
CREATE FUNCTION sales.url_list() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT string_agg(url) FROM sales.clicks);  -- 4.x one-argument form
END $$;
CREATE FUNCTION sales.clean() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
ANALYZE;


