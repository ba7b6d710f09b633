#!/usr/bin/env python3
"""The overlap check with shapely 2 over whole protection polygons (labelled untuned in the
bench): vectorised reading (pyogrio), an STRtree bulk query, prepared polygons, the
contains_properly shortcut, vectorised intersections, equal-area measuring (CGCS2000 Albers).
Usage: shapely_check.py ACTIVITIES.gpkg PROTECTION.gpkg OUT.csv"""
import sys

import shapely

from shapely_common import areas_m2, overlap_pieces, read_inputs, write_pairs


def main():
    activities, protection, out = sys.argv[1:4]
    ids, patches, pids, polys = read_inputs(activities, protection)
    shapely.prepare(polys)
    patch_index, poly_index = shapely.STRtree(polys).query(patches, predicate="intersects")
    areas = areas_m2(overlap_pieces(patches[patch_index], polys[poly_index]))
    write_pairs(out, ids[patch_index], pids[poly_index], areas)


if __name__ == "__main__":
    main()
