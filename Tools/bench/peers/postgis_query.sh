#!/usr/bin/env bash
# The overlap query on data prepared by postgis_load.sh: index join, ST_Within shortcut,
# ST_Intersection, geodesic area on the spheroid (geography). Usage: postgis_query.sh 'PG:...' OUT.csv
set -euo pipefail
pg=$1 out=$2
psql -q "${pg#PG:}" -c "\copy (
  SELECT a.tbbh AS activity_id, p.protected_id, round(sum(ST_Area(
           CASE WHEN ST_Within(a.geom, p.geom) THEN a.geom ELSE ST_Intersection(a.geom, p.geom) END::geography))::numeric, 2)
         AS overlap_m2
  FROM act_valid a JOIN prot_sub p ON ST_Intersects(a.geom, p.geom)
  GROUP BY 1, 2 HAVING sum(ST_Area(CASE WHEN ST_Within(a.geom, p.geom) THEN a.geom
                                        ELSE ST_Intersection(a.geom, p.geom) END::geography)) >= 1
) TO '$out' WITH (FORMAT csv, HEADER)"
