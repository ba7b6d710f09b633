#!/usr/bin/env bash
# Loads a benchmark's data into PostGIS and prepares it as a PostGIS expert would: activities
# reprojected to EPSG:4490 and made valid (GEOS's structure method, as redline), protection made valid and cut with ST_Subdivide(256),
# GiST indexes, ANALYZE. Usage: postgis_load.sh 'PG:...' ACTIVITIES.gpkg PROTECTION.gpkg
set -euo pipefail
pg=$1 activities=$2 protection=$3
conninfo=${pg#PG:}
ogr2ogr -f PostgreSQL "$pg" "$activities" patches -nln act -overwrite -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE \
  -t_srs EPSG:4490 -nlt PROMOTE_TO_MULTI --config PG_USE_COPY YES
ogr2ogr -f PostgreSQL "$pg" "$protection" -overwrite -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE \
  -nlt PROMOTE_TO_MULTI --config PG_USE_COPY YES
psql -q "$conninfo" <<'SQL'
DROP TABLE IF EXISTS act_valid, prot_sub;
CREATE TABLE act_valid AS SELECT tbbh, ST_CollectionExtract(ST_MakeValid(geom, 'method=structure keepcollapsed=false'), 3) AS geom FROM act;
CREATE INDEX ON act_valid USING gist (geom);
CREATE TABLE prot_sub AS
  SELECT protected_id, ST_Subdivide(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure keepcollapsed=false'), 3), 256) AS geom
  FROM (SELECT protected_id, geom FROM reserve_zones UNION ALL SELECT protected_id, geom FROM red_lines) s;
CREATE INDEX ON prot_sub USING gist (geom);
ANALYZE act_valid;
ANALYZE prot_sub;
SQL
