-- The oss_fdw server and the user mapping of the current user.  Run it with
-- psql -v ON_ERROR_STOP=1 -f oss_server.sql.  psql reads the AccessKey file itself
-- (\copy) and sends its lines as COPY data: the key is neither in this file nor
-- in the text of any statement (pg_stat_activity, the server log).  The key file
-- has lines "id = ..." and "key = ...".
DO $gp2adb$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper WHERE fdwname = 'oss_fdw') THEN
    CREATE EXTENSION oss_fdw;
  END IF;
END
$gp2adb$;
CREATE SCHEMA IF NOT EXISTS gp2adb_oss;
CREATE SERVER gp2adb_oss FOREIGN DATA WRAPPER oss_fdw
  OPTIONS (endpoint 'oss-cn-hangzhou-internal.aliyuncs.com', bucket 'mig');
BEGIN;
CREATE TEMPORARY TABLE gp2adb_oss_keyfile (line text) ON COMMIT DROP;
\copy pg_temp.gp2adb_oss_keyfile (line) FROM '/home/op/it''s .oss-key' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
DO $gp2adb$
DECLARE
  key_id text;
  key_secret text;
BEGIN
  SELECT max(substring(line FROM '^[[:space:]]*id[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$')),
         max(substring(line FROM '^[[:space:]]*key[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$'))
    INTO key_id, key_secret
    FROM pg_temp.gp2adb_oss_keyfile;
  IF key_id IS NULL OR key_secret IS NULL THEN
    RAISE EXCEPTION 'the AccessKey file needs both "id = ..." and "key = ..." lines';
  END IF;
  BEGIN
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER gp2adb_oss OPTIONS (id %L, key %L)',
                   key_id, key_secret);
  EXCEPTION WHEN OTHERS THEN
    -- re-raised without the statement, which holds the key
    RAISE EXCEPTION 'creating the user mapping of gp2adb_oss: %', SQLERRM USING ERRCODE = SQLSTATE;
  END;
END
$gp2adb$;
COMMIT;

-- export (source)
-- sales.Orders%202024
COPY "sales"."Orders 2024" ("id", "Customer Name", "amount", "it's")
  TO '<SEG_DATA_DIR>/gp2adb_sales.Orders%202024_<SEGID>.csv'
  WITH (FORMAT csv, ENCODING 'UTF8') ON SEGMENT;

-- import (destination)
-- sales.Orders%202024 from oss://mig/wh/sales.Orders%202024/
BEGIN;
CREATE FOREIGN TABLE gp2adb_oss."sales.Orders%202024" ("id" bigint, "Customer Name" text, "amount" numeric(12,2), "it's" date)
  SERVER gp2adb_oss
  OPTIONS (dir 'wh/sales.Orders%202024/', format 'csv', encoding 'utf8');
TRUNCATE "sales"."Orders 2024";
INSERT INTO "sales"."Orders 2024" ("id", "Customer Name", "amount", "it's")
  SELECT "id", "Customer Name", "amount", "it's" FROM gp2adb_oss."sales.Orders%202024";
DROP FOREIGN TABLE gp2adb_oss."sales.Orders%202024";
COMMIT;
