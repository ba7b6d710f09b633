#!/usr/bin/env python3
"""The overlap check as a PostGIS-literate analyst writes it in shapely 2: the protection
polygons are first cut into pieces of at most 256 vertices (as ST_Subdivide does: each
polygon's box halved along its longer side, recursively, with shapely.intersection), the
STRtree is built over the pieces, each patch is tested against the prepared pieces it meets
(contains_properly shortcut, else one small intersection), and the piece areas are summed per
(patch, polygon) pair. Pieces are cut once and kept beside the data (as redline keeps its cut
pieces in its cache), so a rerun reads them.
Usage: shapely_subdivided.py ACTIVITIES.gpkg PROTECTION.gpkg OUT.csv"""
import os
import sys

import numpy as np
import shapely

from shapely_common import areas_m2, overlap_pieces, read_inputs, write_pairs

MAX_VERTICES = 256


def subdivide(polygon):
    """Polygon pieces of at most MAX_VERTICES vertices that together make up `polygon`."""
    pieces, stack = [], [(polygon, 0)]
    while stack:
        geom, depth = stack.pop()
        if shapely.get_num_coordinates(geom) <= MAX_VERTICES or depth > 50:
            pieces.append(geom)
            continue
        xmin, ymin, xmax, ymax = geom.bounds
        if xmax - xmin >= ymax - ymin:
            middle = (xmin + xmax) / 2
            halves = [shapely.box(xmin, ymin, middle, ymax), shapely.box(middle, ymin, xmax, ymax)]
        else:
            middle = (ymin + ymax) / 2
            halves = [shapely.box(xmin, ymin, xmax, middle), shapely.box(xmin, middle, xmax, ymax)]
        for half in shapely.intersection(geom, np.array(halves)):
            for part in shapely.get_parts(half):
                if part.geom_type == "Polygon" and not part.is_empty:
                    stack.append((part, depth + 1))
    return pieces


def cut(protection, polys):
    """(piece → polygon index, pieces), from the cache beside the protection file when it is
    newer than the file."""
    cache = protection + f".pieces{MAX_VERTICES}.npz"
    if os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(protection):
        stored = np.load(cache, allow_pickle=True)
        return stored["owner"], shapely.from_wkb(stored["wkb"])
    owner, pieces = [], []
    for index, polygon in enumerate(polys):
        for part in shapely.get_parts(polygon):
            cut_parts = subdivide(part)
            pieces += cut_parts
            owner += [index] * len(cut_parts)
    owner, pieces = np.array(owner), np.array(pieces, dtype=object)
    partial = cache + ".partial.npz"
    np.savez(partial, owner=owner, wkb=shapely.to_wkb(pieces))
    os.replace(partial, cache)
    return owner, pieces


def main():
    activities, protection, out = sys.argv[1:4]
    ids, patches, pids, polys = read_inputs(activities, protection)
    owner, pieces = cut(protection, polys)
    shapely.prepare(pieces)
    patch_index, piece_index = shapely.STRtree(pieces).query(patches, predicate="intersects")
    areas = areas_m2(overlap_pieces(patches[patch_index], pieces[piece_index]))
    # Sum the pieces' areas per (patch, polygon) pair.
    pair = patch_index.astype(np.int64) * len(polys) + owner[piece_index]
    unique, position = np.unique(pair, return_inverse=True)
    totals = np.bincount(position, weights=areas)
    write_pairs(out, ids[unique // len(polys)], pids[unique % len(polys)], totals)


if __name__ == "__main__":
    main()
