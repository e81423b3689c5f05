-- The oss_fdw server and the user mapping of the current user.  Run with psql:
-- psql reads the AccessKey from the key file when the script runs, so this
-- file holds no secret.  The key file has lines "id = ..." and "key = ...".
\set oss_id `sed -n 's/^[[:space:]]*id[[:space:]]*=[[:space:]]*//p' '/home/op/.oss-key'`
\set oss_key `sed -n 's/^[[:space:]]*key[[:space:]]*=[[:space:]]*//p' '/home/op/.oss-key'`
CREATE EXTENSION IF NOT EXISTS oss_fdw;
CREATE SCHEMA IF NOT EXISTS gp2adb_oss;
CREATE SERVER gp2adb_oss FOREIGN DATA WRAPPER oss_fdw
  OPTIONS (endpoint 'oss-cn-hangzhou-internal.aliyuncs.com', bucket 'mig');
CREATE USER MAPPING FOR CURRENT_USER SERVER gp2adb_oss
  OPTIONS (id :'oss_id', key :'oss_key');

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
