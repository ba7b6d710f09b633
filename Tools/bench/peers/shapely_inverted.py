#!/usr/bin/env python3
"""The overlap check with shapely 2 the other way round, the best plan when protection is many
moderate polygons: the STRtree is built over the patches and queried once with every
protection polygon (the query prepares each polygon once), then contains_properly / intersection
per pair as in the other peers. Usage: shapely_inverted.py ACTIVITIES.gpkg PROTECTION.gpkg OUT.csv"""
import sys

import shapely

from shapely_common import areas_m2, overlap_pieces, read_inputs, write_pairs


def main():
    activities, protection, out = sys.argv[1:4]
    ids, patches, pids, polys = read_inputs(activities, protection)
    poly_index, patch_index = shapely.STRtree(patches).query(polys, predicate="intersects")
    shapely.prepare(polys)
    areas = areas_m2(overlap_pieces(patches[patch_index], polys[poly_index]))
    write_pairs(out, ids[patch_index], pids[poly_index], areas)


if __name__ == "__main__":
    main()
