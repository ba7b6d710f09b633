#!/usr/bin/env python3
"""Writes a week of illustrative nightly imagery extracts (day1.gpkg … day7.gpkg) into an inbox,
from Geodata/activities.gpkg, for the walkthrough of `redline run` in the README and for
Tools/kill-rerun.sh. Deterministic: the same features every time (GeoPackages stamp their creation time, so not the same bytes).

- Every day re-detects most of the sites seen before, each shifted by a few metres and redrawn
  (new patch ids, as change detection gives them), so the registry must merge them.
- Days 2-7 add a few new sites.
- Day 6 redetects the coal pit KL-0001 site again: if the walkthrough marked its clue rectified
  (Tools/fill-results.py), that is a rebound.

Needs Debian's python3-gdal. Usage: /usr/bin/python3 Tools/make-week.py INBOX [Geodata/activities.gpkg]
"""
import os
import random
import sys

from osgeo import ogr, osr

ogr.UseExceptions()


def main():
    inbox = sys.argv[1]
    source = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "Geodata", "activities.gpkg")
    os.makedirs(inbox, exist_ok=True)
    base = ogr.Open(source)
    layer = base.GetLayer(0)
    srs = layer.GetSpatialRef()
    sites = []
    for feature in layer:
        geometry = feature.GetGeometryRef()
        if geometry is None:
            continue
        sites.append((feature.GetField("tbbh"), feature.GetField("类型"), geometry.Clone()))
    rng = random.Random(7)
    extra = []  # new sites appear over the week: copies of existing ones 3 km east
    for day in range(1, 8):
        path = os.path.join(inbox, f"day{day}.gpkg")
        if os.path.exists(path):
            os.remove(path)
        out = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        target = out.CreateLayer("patches", srs, ogr.wkbMultiPolygon)
        for name in ("tbbh", "类型", "后时相"):
            target.CreateField(ogr.FieldDefn(name, ogr.OFTString))
        if day > 1:
            _, kind, geometry = sites[(day * 7) % len(sites)]
            extra.append((f"NEW{day}", kind, translate(geometry, 3000, 0)))
        seen_today = [s for s in sites if rng.random() < 0.85] + extra
        if day == 6:
            seen_today.append(("REBOUND-KL-0001", "采矿", translate(sites[0][2], 15, 10)))
        for number, (tbbh, kind, geometry) in enumerate(seen_today):
            feature = ogr.Feature(target.GetLayerDefn())
            feature.SetField("tbbh", f"D{day}-{number:04d}")
            feature.SetField("类型", kind)
            feature.SetField("后时相", f"2026-11-{day:02d}")
            feature.SetGeometry(ogr.ForceToMultiPolygon(translate(geometry, rng.uniform(-5, 5), rng.uniform(-5, 5))))
            target.CreateFeature(feature)
        out = None
        print(path)


def translate(geometry, dx, dy):
    """A copy moved by dx, dy metres (the extracts are in a projected CRS)."""
    moved = ogr.CreateGeometryFromWkb(geometry.ExportToIsoWkb())
    for part in range(max(moved.GetGeometryCount(), 1)):
        polygon = moved.GetGeometryRef(part) if moved.GetGeometryType() in (ogr.wkbMultiPolygon, ogr.wkbMultiPolygon25D) else moved
        for ring_index in range(polygon.GetGeometryCount()):
            ring = polygon.GetGeometryRef(ring_index)
            for point in range(ring.GetPointCount()):
                x, y = ring.GetX(point), ring.GetY(point)
                ring.SetPoint_2D(point, x + dx, y + dy)
    return moved


if __name__ == "__main__":
    main()
