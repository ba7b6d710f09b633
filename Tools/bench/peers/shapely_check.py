#!/usr/bin/env python3
"""The overlap check as a Python expert would write it with shapely 2: vectorised reading
(pyogrio), an STRtree bulk query, prepared protection polygons, the contains_properly shortcut,
vectorised intersections, and areas in an equal-area projection (CGCS2000 Albers).
Usage: shapely_check.py ACTIVITIES.gpkg PROTECTION.gpkg OUT.csv"""
import sys

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

ALBERS = "+proj=aea +lat_0=0 +lon_0=90 +lat_1=40 +lat_2=50 +ellps=GRS80 +units=m +no_defs"


def read(path, layer, id_field, to_4490):
    meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, columns=[id_field])
    geoms = shapely.from_wkb(wkb)
    if to_4490 is not None:
        geoms = shapely.transform(geoms, lambda x, y: to_4490.transform(x, y), interleaved=False)
    invalid = ~shapely.is_valid(geoms)
    # The same repair as redline's: GEOS's "structure" method, collapsed parts dropped.
    geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    return np.asarray(fields[0], dtype=object), geoms


def main():
    activities, protection, out = sys.argv[1:4]
    to_4490 = Transformer.from_crs("EPSG:4539", "EPSG:4490", always_xy=True)
    ids, patches = read(activities, "patches", "tbbh", to_4490)
    zones = [read(protection, layer, "protected_id", None) for layer in ("reserve_zones", "red_lines")]
    pids = np.concatenate([z[0] for z in zones])
    polys = np.concatenate([z[1] for z in zones])
    shapely.prepare(polys)
    tree = shapely.STRtree(polys)
    patch_index, poly_index = tree.query(patches, predicate="intersects")
    a, p = patches[patch_index], polys[poly_index]
    inside = shapely.contains_properly(p, a)
    pieces = np.empty(len(a), dtype=object)
    pieces[inside] = a[inside]
    pieces[~inside] = shapely.intersection(a[~inside], p[~inside])
    to_albers = Transformer.from_crs("EPSG:4490", ALBERS, always_xy=True)
    areas = shapely.area(shapely.transform(pieces, lambda x, y: to_albers.transform(x, y), interleaved=False))
    keep = areas >= 1.0
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("activity_id,protected_id,overlap_m2\n")
        for i, j, area in zip(patch_index[keep], poly_index[keep], areas[keep]):
            handle.write(f"{ids[i]},{pids[j]},{area:.2f}\n")


if __name__ == "__main__":
    main()
