#!/usr/bin/env python3
"""Independent check of redline's overlaps.csv: recomputes every (patch, protected area) overlap
with OGR (reading), pyproj (reprojection to lon/lat), shapely (intersection) and pyproj's Geod
(geodesic area, GeographicLib), then compares pair by pair.

Boundary versions: a protected feature with valid_from / valid_to dates counts for a patch only
when the patch's detection date (后时相 or detected) falls in them, both ends included; where two
versions of one id both do, the one that starts later.

Usage: crosscheck.py OUT_DIR --activities SRC [SRC...] --protected SRC [SRC...]
           [--activity-id FIELD] [--protected-id FIELD] [--min-overlap-m2 1]
Exit 0 when the pair sets agree and every area is within 0.1 % or 1 m²; 1 otherwise.
Needs Debian's python3-gdal, python3-shapely and python3-pyproj.
"""
import argparse
import csv
import datetime
import sys
import warnings

from osgeo import ogr, osr
from pyproj import CRS, Geod, Transformer
from shapely import wkb as shapely_wkb
from shapely.ops import transform as shapely_transform
from shapely.strtree import STRtree
from shapely.validation import make_valid

ogr.UseExceptions()
# Debian 12 has shapely 1.8, whose STRtree warns about the 2.0 API we do not use.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*STRtree.*")
ID_DEFAULTS = ["activity_id", "patch_id", "tbbh", "图斑编号", "id", "bsm", "标识码", "objectid"]
PROTECTED_ID_DEFAULTS = ["protected_id", "id", "code", "bh", "编号", "bsm", "标识码", "dm", "代码", "objectid"]
DATE_FIELDS = ["detected", "后时相"]


def day(value):
    """A date from an OGR field value ('2026/09/20' or '2026-09-20'), or None."""
    if value in (None, ""):
        return None
    return datetime.date(*[int(part) for part in str(value).replace("/", "-").split(" ")[0].split("-")])


def polygonal(geom):
    if geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    from shapely.ops import unary_union
    return unary_union(parts)


def read(path, id_field, defaults, target):
    """Yields (id, shapely geometry in target lon/lat, fields) for every polygonal feature of every layer."""
    source = ogr.Open(path)
    for layer in source:
        names = [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
        lowered = {n.lower(): n for n in names}
        wanted = [id_field] if id_field else defaults
        field = next((lowered[w.lower()] for w in wanted if w.lower() in lowered), None)
        srs = layer.GetSpatialRef()
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        transformer = Transformer.from_crs(CRS.from_wkt(srs.ExportToWkt()), target, always_xy=True)
        for feature in layer:
            geometry = feature.GetGeometryRef()
            if geometry is None or geometry.IsEmpty():
                continue
            geometry = geometry.Clone()
            geometry.FlattenTo2D()
            shape = polygonal(shapely_wkb.loads(bytes(geometry.ExportToIsoWkb())))
            if shape is None:
                continue
            shape = shapely_transform(transformer.transform, shape)
            if not shape.is_valid:
                shape = polygonal(make_valid(shape))
                if shape is None:
                    continue
            fid = feature.GetField(field) if field else feature.GetFID()
            yield str(fid), shape, {name.lower(): feature.GetField(name) for name in names}


def geodesic_area(geod, shape):
    return abs(geod.geometry_area_perimeter(shape)[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--activities", nargs="+", required=True)
    parser.add_argument("--protected", nargs="+", required=True)
    parser.add_argument("--activity-id")
    parser.add_argument("--protected-id")
    parser.add_argument("--min-overlap-m2", type=float, default=1.0)
    args = parser.parse_args()

    target = CRS.from_epsg(4490)
    geod = Geod(ellps="GRS80")
    protected = [p for path in args.protected for p in read(path, args.protected_id, PROTECTED_ID_DEFAULTS, target)]
    tree = STRtree([shape for _, shape, _ in protected])
    index_of = {id(shape): i for i, (_, shape, _) in enumerate(protected)}
    periods = [(day(fields.get("valid_from")), day(fields.get("valid_to"))) for _, _, fields in protected]

    def in_force(position, when):
        start, end = periods[position]
        return (start is None or start <= when) and (end is None or when <= end)

    def version_on(position, when):
        """Whether this feature is the version of its id in force on `when`."""
        if periods[position] == (None, None):
            return True
        if not in_force(position, when):
            return False
        rivals = [p for p, (pid, _, _) in enumerate(protected)
                  if pid == protected[position][0] and periods[p] != (None, None) and in_force(p, when)]
        return max(rivals, key=lambda p: periods[p][0] or datetime.date.min) == position

    expected = {}
    for path in args.activities:
        for activity_id, patch, fields in read(path, args.activity_id, ID_DEFAULTS, target):
            when = next((day(fields[f.lower()]) for f in DATE_FIELDS if fields.get(f.lower())), datetime.date.today())
            for candidate in tree.query(patch):
                position = candidate if isinstance(candidate, int) else index_of[id(candidate)]
                if not version_on(position, when):
                    continue
                protected_id, area_shape, _ = protected[position]
                inside = polygonal(area_shape.intersection(patch))
                if inside is None:
                    continue
                area = geodesic_area(geod, inside)
                if area > 0:
                    expected[(activity_id, protected_id)] = area

    with open(f"{args.out}/overlaps.csv", newline="", encoding="utf-8-sig") as handle:
        measured = {(row["activity_id"], row["protected_id"]): float(row["overlap_m2"]) for row in csv.DictReader(handle)}

    threshold = args.min_overlap_m2
    problems, compared, worst = [], 0, 0.0
    for pair, area in expected.items():
        if pair not in measured:
            # Pairs right at the sliver threshold may fall either side of it.
            if area >= threshold * 1.5 + 0.5:
                problems.append(f"missing pair {pair}: independent {area:.2f} m²")
            continue
        compared += 1
        difference = abs(measured[pair] - area)
        worst = max(worst, difference / area if area else 0)
        if difference > max(0.001 * area, 1.0):
            problems.append(f"pair {pair}: redline {measured[pair]:.2f} m², independent {area:.2f} m²")
    for pair, area in measured.items():
        if pair not in expected:
            problems.append(f"extra pair {pair}: redline {area:.2f} m², independent finds none")
    print(f"crosscheck: {compared} pairs compared, largest relative difference {worst:.2e}, "
          f"{len(problems)} problems")
    for problem in problems[:20]:
        print("  " + problem)
    return 1 if problems or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
