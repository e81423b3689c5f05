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
-- public.events_1_prt_p2023
COPY "public"."events_1_prt_p2023" ("day", "qty")
  TO '/data/export/public.events_1_prt_p2023_<SEGID>.csv'
  WITH (FORMAT csv, ENCODING 'UTF8') ON SEGMENT;
-- public.events_1_prt_p2024
COPY "public"."events_1_prt_p2024" ("day", "qty")
  TO '/data/export/public.events_1_prt_p2024_<SEGID>.csv'
  WITH (FORMAT csv, ENCODING 'UTF8') ON SEGMENT;

-- import (destination)
-- public.events_1_prt_p2023 from oss://mig/gp2adb/public.events_1_prt_p2023/
BEGIN;
CREATE FOREIGN TABLE gp2adb_oss."public.events_1_prt_p2023" ("day" date, "qty" integer)
  SERVER gp2adb_oss
  OPTIONS (dir 'gp2adb/public.events_1_prt_p2023/', format 'csv', encoding 'utf8');
INSERT INTO "public"."events_1_prt_p2023" ("day", "qty")
  SELECT "day", "qty" FROM gp2adb_oss."public.events_1_prt_p2023";
DROP FOREIGN TABLE gp2adb_oss."public.events_1_prt_p2023";
COMMIT;
-- public.events_1_prt_p2024 from oss://mig/gp2adb/public.events_1_prt_p2024/
BEGIN;
CREATE FOREIGN TABLE gp2adb_oss."public.events_1_prt_p2024" ("day" date, "qty" integer)
  SERVER gp2adb_oss
  OPTIONS (dir 'gp2adb/public.events_1_prt_p2024/', format 'csv', encoding 'utf8');
INSERT INTO "public"."events_1_prt_p2024" ("day", "qty")
  SELECT "day", "qty" FROM gp2adb_oss."public.events_1_prt_p2024";
DROP FOREIGN TABLE gp2adb_oss."public.events_1_prt_p2024";
COMMIT;
