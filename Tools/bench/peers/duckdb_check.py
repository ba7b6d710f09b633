#!/usr/bin/env python3
"""The overlap check in DuckDB's spatial extension: ST_Read, ST_Transform, a spatial join on
ST_Intersects, ST_Intersection and ST_Area_Spheroid (geodesic, GeographicLib).
ST_MakeValid has no choice of method: self-intersecting patches are repaired by GEOS's
"linework" method, which drops doubly covered parts that the "structure" method (redline's)
keeps, so those few pairs differ.
Usage: duckdb_check.py ACTIVITIES.gpkg PROTECTION.gpkg OUT.csv"""
import glob
import os
import sys

import duckdb


def main():
    activities, protection, out = sys.argv[1:4]
    con = duckdb.connect()
    # The extension comes from PyPI (duckdb-ext-spatial): DuckDB cannot download it here.
    extension = glob.glob(os.path.join(os.path.dirname(duckdb.__file__), "..", "duckdb_ext", "extensions", "*",
                                       "*", "spatial.duckdb_extension"))[0]
    con.execute(f"LOAD '{extension}'")
    con.execute(f"""CREATE TABLE a AS SELECT tbbh, ST_MakeValid(ST_Transform(geom, 'EPSG:4539', 'EPSG:4490',
                    always_xy := true)) AS g FROM ST_Read('{activities}', layer := 'patches')""")
    con.execute(f"""CREATE TABLE p AS
                    SELECT protected_id, ST_MakeValid(geom) AS g FROM ST_Read('{protection}', layer := 'reserve_zones')
                    UNION ALL
                    SELECT protected_id, ST_MakeValid(geom) AS g FROM ST_Read('{protection}', layer := 'red_lines')""")
    con.execute(f"""COPY (
        SELECT activity_id, protected_id, round(m2, 2) AS overlap_m2 FROM (
            SELECT a.tbbh AS activity_id, p.protected_id,
                   ST_Area_Spheroid(ST_FlipCoordinates(ST_Intersection(a.g, p.g))) AS m2
            FROM a JOIN p ON ST_Intersects(a.g, p.g)) WHERE m2 >= 1
    ) TO '{out}' (HEADER, DELIMITER ',')""")


if __name__ == "__main__":
    main()
