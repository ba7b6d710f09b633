#!/usr/bin/env python3
"""Writes the illustrative sample data in Geodata/ (NOT official boundaries).

Shapes are drawn by hand around the published extent of the Kalamaili Mountain Ungulate Nature
Reserve (about 88.5-90.1 E, 44.6-46.0 N): an outline of eleven points, a buffer zone and a core
zone obtained by shrinking the outline towards its centre, a few made-up red-line patches, and
activity patches placed to exercise every case the engine must handle (inside, crossing zones,
crossing the boundary, outside, invalid, multipart, sliver, red line over reserve).

The experimental zone has three boundary versions, after the reserve's history: the original
boundary (1982), the boundary cut back for the Zhundong coal field (a notch in the south, in force
from 2018-07-01) and the restored boundary (from 2024-07-01). Dates, notch and counties are
illustrative: the counties are rectangles with their real names and codes, not their borders.

Needs only the Python standard library and GDAL's ogr2ogr. Deterministic: same files every run.
Usage: python3 Tools/make-geodata.py [Geodata]
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile

CENTRE = (89.30, 45.30)
OUTLINE = [(88.55, 44.75), (88.90, 44.62), (89.40, 44.65), (89.90, 44.72), (90.08, 45.00), (90.05, 45.45),
           (89.85, 45.85), (89.40, 45.98), (88.95, 45.90), (88.62, 45.60), (88.50, 45.20)]
RESERVE = "卡拉麦里山有蹄类野生动物自然保护区"


def scaled(ring, factor):
    cx, cy = CENTRE
    return [(round(cx + (x - cx) * factor, 6), round(cy + (y - cy) * factor, 6)) for x, y in ring]


def closed(ring):
    return [list(p) for p in ring] + [list(ring[0])]


def square(lon, lat, size_m, rotate=0.0):
    """A square of side size_m metres centred on lon, lat (small-area approximation)."""
    dx = size_m / (111320 * math.cos(math.radians(lat))) / 2
    dy = size_m / 110540 / 2
    c, s = math.cos(rotate), math.sin(rotate)
    pts = [(-dx, -dy), (dx, -dy), (dx, dy), (-dx, dy)]
    return [(round(lon + x * c - y * s, 7), round(lat + x * s + y * c, 7)) for x, y in pts]


def on_edge(ring, index, t):
    (x1, y1), (x2, y2) = ring[index], ring[(index + 1) % len(ring)]
    return (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t)


def feature(props, coords, kind="Polygon"):
    return {"type": "Feature", "properties": props, "geometry": {"type": kind, "coordinates": coords}}


# The coal-field notch cut out of the southern experimental zone in the 2018 version: it leaves
# OUTLINE between points 1 and 2 and comes back between points 2 and 3, staying south of the buffer zone.
NOTCH = [(89.05, 44.6286), (89.05, 44.78), (89.75, 44.78), (89.75, 44.699)]
VERSIONS = [  # (valid_from, valid_to, label)
    ("1982-04-01", "2018-06-30", "1982年原始边界"),
    ("2018-07-01", "2024-06-30", "2018年调减边界（准东煤田）"),
    ("2024-07-01", None, "2024年恢复边界"),
]


def cut_back_outline():
    return OUTLINE[:2] + NOTCH + OUTLINE[3:]


def protected_zones():
    buffer_ring, core_ring = scaled(OUTLINE, 0.7), scaled(OUTLINE, 0.4)
    common = {"name": RESERVE, "kind": "自然保护区"}
    zones = [
        feature({"protected_id": "KLML-HX", **common, "zone": "核心区"}, [closed(core_ring)]),
        feature({"protected_id": "KLML-HC", **common, "zone": "缓冲区"}, [closed(buffer_ring), closed(core_ring)]),
    ]
    for valid_from, valid_to, label in VERSIONS:
        outline = cut_back_outline() if valid_from.startswith("2018") else OUTLINE
        zones.append(feature({"protected_id": "KLML-SY", **common, "zone": "实验区", "valid_from": valid_from,
                              "valid_to": valid_to, "boundary_version": label},
                             [closed(outline), closed(buffer_ring)]))
    return zones


def counties():
    """Illustrative rectangles carrying the real names and codes of the counties around the reserve,
    with their seats (for field routes)."""
    rows = [("652302", "阜康市", 87.0, 43.8, 88.6, 45.2, 87.98, 44.15),
            ("652327", "吉木萨尔县", 88.6, 43.8, 89.3, 45.2, 89.18, 44.00),
            ("652325", "奇台县", 89.3, 43.8, 91.0, 45.2, 89.59, 44.02),
            ("654323", "福海县", 87.0, 45.2, 88.9, 47.3, 87.49, 47.11),
            ("654322", "富蕴县", 88.9, 45.2, 90.0, 47.3, 89.52, 46.99),
            ("654325", "青河县", 90.0, 45.2, 91.0, 47.3, 90.38, 46.67)]
    return [feature({"county_code": code, "county_name": name, "seat_lon": sx, "seat_lat": sy},
                    [closed([(x1, y1), (x2, y1), (x2, y2), (x1, y2)])])
            for code, name, x1, y1, x2, y2, sx, sy in rows]


def red_lines():
    name = "准噶尔盆地东部荒漠生态保护红线"
    boxes = [("HX-652325-01", (89.80, 45.20, 90.40, 45.60)), ("HX-652325-02", (88.20, 44.30, 88.60, 44.52)),
             ("HX-652302-03", (87.60, 44.90, 87.90, 45.10))]
    out = []
    for code, (x1, y1, x2, y2) in boxes:
        ring = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]
        out.append(feature({"protected_id": code, "name": f"{name}（{code[-2:]}）", "kind": "生态保护红线"},
                           [closed(ring)]))
    return out


def activities():
    core, buffer_ring = scaled(OUTLINE, 0.4), scaled(OUTLINE, 0.7)
    cases = []

    def add(tbbh, kind, note, coords, geometry="Polygon", before="2025-09-15", after="2026-09-20"):
        cases.append(feature({"tbbh": tbbh, "类型": kind, "说明": note, "前时相": before,
                              "后时相": after}, coords, geometry))

    add("KL-0001", "采矿", "核心区内新增采坑", [closed(square(89.30, 45.30, 400))])
    lon, lat = on_edge(core, 3, 0.5)
    add("KL-0002", "工矿", "跨核心区与缓冲区", [closed(square(lon, lat, 600, 0.3))])
    lon, lat = on_edge(scaled(OUTLINE, 0.55), 6, 0.4)
    add("KL-0003", "道路", "缓冲区内道路", [closed(square(lon, lat, 250))])
    (ox, oy), (bx, by) = OUTLINE[1], buffer_ring[1]
    add("KL-0004", "采矿", "实验区内露天煤矿", [closed(square((ox + bx) / 2, (oy + by) / 2, 900))])
    lon, lat = on_edge(OUTLINE, 1, 0.5)
    add("KL-0005", "采矿", "跨保护区南界", [closed(square(lon, lat, 1200, 0.2))])
    add("KL-0006", "光伏", "保护区外光伏", [closed(square(88.30, 45.60, 800))])
    add("KL-0007", "工矿", "红线与保护区重叠处", [closed(square(89.95, 45.35, 500))])
    add("KL-0008", "采矿", "保护区外红线内采石", [closed(square(88.40, 44.40, 300))])
    x, y = 89.10, 44.95
    d = 0.004
    add("KL-0009", "采矿", "自相交图斑（蝴蝶形）", [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]])
    add("KL-0010", "工矿", "多部件图斑，一部分在内", [[closed(square(88.62, 45.05, 300))],
                                                  [closed(square(88.40, 45.05, 300))]], "MultiPolygon")
    # Beside red-line patch 03 (west edge at 87.6 E): one reaching 1e-7 degrees (8 mm) across it over
    # 100 m, well under a square metre; one sharing the edge exactly.
    add("KL-0011", "居民点", "红线外侧，越界不足1平方米", [closed([(87.596, 45.0), (87.6000001, 45.0),
                                                           (87.6000001, 45.0009), (87.596, 45.0009)])])
    add("KL-0012", "居民点", "与红线共边，无重叠", [closed([(87.596, 45.05), (87.6, 45.05), (87.6, 45.0509),
                                                          (87.596, 45.0509)])])
    add("KL-0013", "采矿", "缺少几何", None, None)
    add("KL-0014", "农业开发", "远离保护区", [closed(square(87.20, 44.50, 500))])

    rng = random.Random(2026)
    for n in range(15, 61):
        lon, lat = rng.uniform(88.2, 90.4), rng.uniform(44.4, 46.2)
        kind = rng.choice(["采矿", "工矿", "光伏", "道路", "居民点", "农业开发", "旅游设施", "养殖"])
        add(f"KL-{n:04d}", kind, "随机背景图斑", [closed(square(lon, lat, rng.uniform(80, 700), rng.uniform(0, 1.5)))])
    # One coal pit in the notch, seen in four periods: inside the original boundary on its last
    # day, outside the cut-back one from its first day, inside again once restored.
    pit = [closed(square(89.40, 44.70, 600))]
    add("KL-0061", "采矿", "准东煤田采坑（原始边界最后一天）", pit, before="2018-05-01", after="2018-06-30")
    add("KL-0062", "采矿", "准东煤田采坑（调减边界第一天）", pit, before="2018-05-01", after="2018-07-01")
    add("KL-0063", "采矿", "准东煤田采坑（调减期间）", pit, before="2021-06-01", after="2021-08-15")
    add("KL-0064", "采矿", "准东煤田采坑（恢复边界后仍在）", pit, before="2025-09-15", after="2026-09-20")
    add("KL-0065", "采矿", "跨吉木萨尔县与奇台县边界", [closed(square(89.30, 44.95, 800))])
    add("KL-0066", "挖掘作业", "类型值不在规则中", [closed(square(89.60, 45.60, 300))])
    add("KL-0067", "科研监测站", "核心区科研设施", [closed(square(89.20, 45.35, 60))])
    add("KL-0068", "solar", "英文类型值，红线内光伏", [closed(square(88.45, 44.45, 400))])
    return cases


def collection(features):
    for f in features:
        if f["geometry"] is not None and f["geometry"]["type"] is None:
            f["geometry"] = None
    return {"type": "FeatureCollection", "features": features}


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *args], check=True)


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Geodata")
    os.makedirs(target, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        def dump(name, features):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as out:
                json.dump(collection(features), out, ensure_ascii=False)
            return path

        protected = os.path.join(target, "protected.gpkg")
        activities_path = os.path.join(target, "activities.gpkg")
        for path in (protected, activities_path):
            if os.path.exists(path):
                os.remove(path)
        ogr2ogr("-f", "GPKG", "-a_srs", "EPSG:4490", "-nln", "nature_reserve_zones", protected,
                dump("zones.geojson", protected_zones()))
        ogr2ogr("-f", "GPKG", "-update", "-a_srs", "EPSG:4490", "-nln", "red_lines", protected,
                dump("redlines.geojson", red_lines()))
        counties_path = os.path.join(target, "counties.gpkg")
        if os.path.exists(counties_path):
            os.remove(counties_path)
        ogr2ogr("-f", "GPKG", "-a_srs", "EPSG:4490", "-nln", "counties", counties_path,
                dump("counties.geojson", counties()))
        # Activities come projected, as change-detection extracts usually do: CGCS2000 3-degree
        # Gauss-Kruger CM 90E, so every run exercises the reprojection.
        ogr2ogr("-f", "GPKG", "-s_srs", "EPSG:4490", "-t_srs", "EPSG:4539", "-nln", "patches", "-nlt", "PROMOTE_TO_MULTI",
                activities_path, dump("activities.geojson", activities()))


if __name__ == "__main__":
    main()
