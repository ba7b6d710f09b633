#!/usr/bin/env python3
"""Deterministic synthetic data for the benchmark (seeded; same files every run).

Two protection layouts (EPSG:4490), each about 2 million vertices like a real province's layers:
protection.gpkg, a giant reserve:
  reserve_zones  one large Kalamaili-like reserve (core / buffer / experimental zones, the outer
                 zones with holes, enclaves cut out of the experimental zone) and four smaller
                 reserves with core and experimental zones;
  red_lines      several thousand fragmented red-line patches of ~250 vertices, some over reserves.
protection_redlines.gpkg, no giant polygon:
  reserve_zones  four moderate reserves (core and experimental zones of at most 12k vertices);
  red_lines      6,000 red-line polygons of 40 to 12,000 vertices.
activities_N.gpkg (EPSG:4539, CGCS2000 3-degree GK CM 90E, as change-detection extracts come):
  N patches of 5-40 vertices, 100 m2 to 50 ha, clustered like mining areas and strung along roads,
  with 0.1 % self-intersecting.

Usage: generate.py DIR N [N...]      (needs numpy, shapely 2, pyproj, pyogrio: Tools/bench/run
installs them into a virtualenv)
"""
import math
import os
import sys

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

REGION = (86.0, 43.5, 93.0, 47.5)  # lon/lat box the data fills
SEED = 20261129
KM_LON = 1 / (111.32 * math.cos(math.radians(45.5)))  # degrees of longitude per km here
KM_LAT = 1 / 110.6


def wobbly_ring(rng, cx, cy, rx_km, ry_km, vertices, roughness=0.05, harmonics=24):
    """A star-shaped closed ring: an ellipse whose radius wobbles with random harmonics."""
    theta = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radius = np.ones(vertices)
    for k in range(2, harmonics + 2):
        radius += roughness / math.sqrt(k) * rng.uniform(-1, 1) * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    x = cx + rx_km * KM_LON * radius * np.cos(theta)
    y = cy + ry_km * KM_LAT * radius * np.sin(theta)
    ring = np.column_stack([x, y])
    return np.vstack([ring, ring[:1]])


def scaled(ring, cx, cy, factor):
    return np.column_stack([cx + (ring[:, 0] - cx) * factor, cy + (ring[:, 1] - cy) * factor])


def polygon(shell, holes=()):
    return shapely.Polygon(shell, [h for h in holes])


def protection(rng):
    zones = []  # (id, name, kind, zone, geometry)
    # The large reserve: outline 240k vertices, buffer ring 120k, core 80k, enclaves in the
    # experimental zone.
    cx, cy = 89.3, 45.3
    outline = wobbly_ring(rng, cx, cy, 62, 75, 240_000, roughness=0.04)
    buffer_ring = scaled(wobbly_ring(rng, cx, cy, 62, 75, 120_000, roughness=0.015), cx, cy, 0.7)
    core = scaled(wobbly_ring(rng, cx, cy, 62, 75, 80_000, roughness=0.015), cx, cy, 0.4)
    enclaves = [wobbly_ring(rng, cx + 0.62 * math.cos(a), cy + 0.58 * math.sin(a), 4, 3, 2_000)
                for a in (0.3, 1.9, 3.6, 5.1)]
    name = "卡拉麦里（合成）"
    zones.append(("BIG-HX", name, "自然保护区", "核心区", polygon(core)))
    zones.append(("BIG-HC", name, "自然保护区", "缓冲区", polygon(buffer_ring, [core[::-1]])))
    zones.append(("BIG-SY", name, "自然保护区", "实验区", polygon(outline, [buffer_ring[::-1]] + [e[::-1] for e in enclaves])))
    # Four smaller reserves, 20k + 8k vertices each.
    for index, (rx, ry) in enumerate([(87.0, 44.3), (91.8, 46.6), (92.2, 44.2), (86.8, 46.9)]):
        outer = wobbly_ring(rng, rx, ry, 18, 14, 20_000, roughness=0.06)
        inner = scaled(wobbly_ring(rng, rx, ry, 18, 14, 8_000, roughness=0.02), rx, ry, 0.45)
        small = f"小保护区{index + 1}（合成）"
        zones.append((f"SR{index + 1}-HX", small, "自然保护区", "核心区", polygon(inner)))
        zones.append((f"SR{index + 1}-SY", small, "自然保护区", "实验区", polygon(outer, [inner[::-1]])))
    # Red lines: 5 000 patches of 250 vertices, radius 0.4-2.5 km; a quarter near the big reserve.
    red = []
    for index in range(5_000):
        if index % 4 == 0:
            angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 1.2)
            x, y = cx + distance * 0.85 * math.cos(angle), cy + distance * 0.7 * math.sin(angle)
        else:
            x, y = rng.uniform(REGION[0], REGION[2]), rng.uniform(REGION[1], REGION[3])
        r = rng.uniform(0.4, 2.5)
        ring = wobbly_ring(rng, x, y, r * rng.uniform(0.6, 1.4), r, 250, roughness=0.12, harmonics=10)
        red.append((f"HX-{index + 1:05d}", "生态保护红线（合成）", "生态保护红线", "", polygon(ring)))
    return zones, red


def moderate_protection(rng):
    """The second layout: thousands of moderate polygons, none over 12k vertices."""
    zones = []
    for index, (rx, ry) in enumerate([(87.2, 44.4), (91.6, 46.5), (92.0, 44.3), (89.5, 45.6)]):
        outer = wobbly_ring(rng, rx, ry, 16, 12, 8_000, roughness=0.06)
        inner = scaled(wobbly_ring(rng, rx, ry, 16, 12, 4_000, roughness=0.02), rx, ry, 0.45)
        name = f"保护区{index + 1}（合成）"
        zones.append((f"MR{index + 1}-HX", name, "自然保护区", "核心区", polygon(inner)))
        zones.append((f"MR{index + 1}-SY", name, "自然保护区", "实验区", polygon(outer, [inner[::-1]])))
    vertices = np.clip(rng.lognormal(math.log(220), 0.9, 6_000), 40, 12_000).astype(int)
    red = []
    for index, n in enumerate(vertices):
        x, y = rng.uniform(REGION[0], REGION[2]), rng.uniform(REGION[1], REGION[3])
        r = 0.22 * n ** 0.3 * rng.uniform(0.7, 1.3)
        ring = wobbly_ring(rng, x, y, r * rng.uniform(0.6, 1.4), r, int(n), roughness=0.12, harmonics=10)
        red.append((f"RL-{index + 1:05d}", "生态保护红线（合成）", "生态保护红线", "", polygon(ring)))
    return zones, red


def activities(rng, count):
    """count patches: 60 % in mining clusters, 25 % along roads, 15 % anywhere."""
    clusters = np.column_stack([rng.uniform(REGION[0], REGION[2], 300), rng.uniform(REGION[1], REGION[3], 300)])
    roads = [(rng.uniform(REGION[0], REGION[2]), rng.uniform(REGION[1], REGION[3]), rng.uniform(0, np.pi))
             for _ in range(120)]
    kind = rng.uniform(size=count)
    centres = np.empty((count, 2))
    clustered = kind < 0.6
    along = (kind >= 0.6) & (kind < 0.85)
    anywhere = kind >= 0.85
    pick = rng.integers(0, len(clusters), clustered.sum())
    centres[clustered] = clusters[pick] + rng.normal(0, 1, (clustered.sum(), 2)) * [4 * KM_LON, 4 * KM_LAT]
    road_pick = rng.integers(0, len(roads), along.sum())
    offset = rng.uniform(-60, 60, along.sum())
    road = np.array([roads[i] for i in road_pick])
    centres[along, 0] = road[:, 0] + offset * np.cos(road[:, 2]) * KM_LON + rng.normal(0, 0.05, along.sum()) * KM_LON
    centres[along, 1] = road[:, 1] + offset * np.sin(road[:, 2]) * KM_LAT + rng.normal(0, 0.05, along.sum()) * KM_LAT
    centres[anywhere] = np.column_stack([rng.uniform(REGION[0], REGION[2], anywhere.sum()),
                                         rng.uniform(REGION[1], REGION[3], anywhere.sum())])
    # Areas log-uniform between 100 m2 and 50 ha; 5-40 vertices each.
    area_m2 = np.exp(rng.uniform(math.log(100), math.log(500_000), count))
    vertices = rng.integers(5, 41, count)
    radius_km = np.sqrt(area_m2 / math.pi) / 1000
    rings, offsets = [], [0]
    for index in range(count):
        n = vertices[index]
        theta = np.sort(rng.uniform(0, 2 * np.pi, n))
        r = radius_km[index] * rng.uniform(0.7, 1.3, n)
        x = centres[index, 0] + r * np.cos(theta) * KM_LON
        y = centres[index, 1] + r * np.sin(theta) * KM_LAT
        ring = np.column_stack([x, y])
        if index % 1000 == 999 and n >= 4:  # 0.1 % invalid: two vertices swapped, a bow-tie
            ring[[0, 1]] = ring[[1, 0]]
        rings.append(np.vstack([ring, ring[:1]]))
        offsets.append(offsets[-1] + n + 1)
    coords = np.vstack(rings)
    index = np.repeat(np.arange(count), vertices + 1)
    geometries = shapely.polygons(shapely.linearrings(coords, indices=index))
    to_gk = Transformer.from_crs("EPSG:4490", "EPSG:4539", always_xy=True)
    geometries = shapely.transform(geometries, lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1])))
    types = np.array(["采矿", "工矿", "光伏", "道路", "居民点", "农业开发", "旅游设施", "养殖"], dtype=object)
    return geometries, types[rng.integers(0, len(types), count)]


def write(path, layer, crs, geometries, fields):
    names = list(fields)
    pyogrio.raw.write(path, geometry=shapely.to_wkb(geometries), field_data=[np.asarray(fields[n], dtype=object) for n in names],
                      fields=names, layer=layer, driver="GPKG", crs=crs, geometry_type="Polygon",
                      append=os.path.exists(path), encoding="UTF-8")


def write_protection(target, layout):
    if os.path.exists(target):
        return
    zones, red = layout(np.random.default_rng(SEED))
    partial = target.replace(".gpkg", ".partial.gpkg")
    if os.path.exists(partial):
        os.remove(partial)
    for layer, rows in (("reserve_zones", zones), ("red_lines", red)):
        write(partial, layer, "EPSG:4490", [r[4] for r in rows],
              {"protected_id": [r[0] for r in rows], "name": [r[1] for r in rows], "kind": [r[2] for r in rows],
               "zone": [r[3] for r in rows]})
    os.replace(partial, target)
    vertices = sum(shapely.get_num_coordinates(r[4]) for r in zones + red)
    largest = max(shapely.get_num_coordinates(r[4]) for r in zones + red)
    print(f"generate: {target}: {len(zones)} reserve zones, {len(red)} red-line patches, {vertices} vertices "
          f"(largest polygon {largest})")


def main():
    folder, counts = sys.argv[1], [int(n) for n in sys.argv[2:]]
    os.makedirs(folder, exist_ok=True)
    write_protection(os.path.join(folder, "protection.gpkg"), protection)
    write_protection(os.path.join(folder, "protection_redlines.gpkg"), moderate_protection)
    for count in counts:
        target = os.path.join(folder, f"activities_{count}.gpkg")
        if os.path.exists(target):
            continue
        geometries, types = activities(np.random.default_rng(SEED + count), count)
        partial = target.replace(".gpkg", ".partial.gpkg")
        if os.path.exists(partial):
            os.remove(partial)
        write(partial, "patches", "EPSG:4539", geometries,
              {"tbbh": [f"P{n:07d}" for n in range(count)], "类型": types})
        os.replace(partial, target)
        print(f"generate: {target}: {count} patches")


if __name__ == "__main__":
    main()
