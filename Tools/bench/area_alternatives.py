"""Measures a cheaper ellipsoidal area against GeographicLib's geodesic polygon area (what
redline uses) on every overlap polygon of a check and on slivers, for issue 16's question: is
there an exact-enough alternative to one geodesic inverse problem per edge?

The candidate: the exact equal-area mapping to the authalic sphere (authalic latitude), then the
spherical excess of great-circle edges — a few trigonometric calls per vertex instead of an
iterative inverse problem per edge. It is kept only if it stays within 1e-7 relative (or 1 mm²)
of GeographicLib on the same rings.

    Tools/bench/.venv/bin/python Tools/bench/area_alternatives.py OUT/clues.gpkg

Measured on the 100k reserve layout (2026-12-03): 26,991 overlaps, worst relative difference
1.4e-5, 1,636 beyond both bounds — slivers along boundaries, whose long edges bend differently
as geodesics on the ellipsoid and as great circles on the authalic sphere. Rejected; redline
keeps GeographicLib.
"""
import math
import sys

import numpy as np
import pyogrio
import shapely
from pyproj import Geod

A, F = 6378137.0, 1 / 298.257222101  # GRS 1980 (CGCS2000)
E2 = F * (2 - F)
E = math.sqrt(E2)
GEOD = Geod(a=A, f=F)


def q(sin_lat):
    return (1 - E2) * (sin_lat / (1 - E2 * sin_lat * sin_lat) + np.arctanh(E * sin_lat) / E)


QP = q(1.0)
RQ2 = A * A * QP / 2  # the authalic radius, squared


def authalic_ring(lon, lat):
    lam = np.radians(lon)
    xi = np.arcsin(np.clip(q(np.sin(np.radians(lat))) / QP, -1, 1))
    t = np.tan(xi / 2)
    excess = 2 * np.arctan2(np.tan(np.diff(lam) / 2) * (t[:-1] + t[1:]), 1 + t[:-1] * t[1:])
    return abs(excess.sum()) * RQ2


def authalic_area(geometry):
    total = 0.0
    for polygon in getattr(geometry, "geoms", [geometry]):
        total += authalic_ring(*np.asarray(polygon.exterior.coords).T)
        total -= sum(authalic_ring(*np.asarray(hole.coords).T) for hole in polygon.interiors)
    return total


def geodesic_area(geometry):
    return abs(GEOD.geometry_area_perimeter(geometry)[0])


def compare(label, geometries):
    worst_relative = worst_absolute = 0.0
    beyond = count = 0
    for geometry in geometries:
        reference, candidate = geodesic_area(geometry), authalic_area(geometry)
        difference = abs(reference - candidate)
        relative = difference / reference if reference > 0 else 0.0
        worst_relative, worst_absolute = max(worst_relative, relative), max(worst_absolute, difference)
        beyond += relative > 1e-7 and difference > 1e-6
        count += 1
    print(f"{label}: {count} polygons, worst relative {worst_relative:.2e}, worst absolute {worst_absolute:.2e} m², "
          f"beyond 1e-7 and 1 mm²: {beyond}")
    return beyond


def main():
    beyond = 0
    if len(sys.argv) > 1:
        beyond += compare("overlaps", pyogrio.read_dataframe(sys.argv[1], layer="overlaps").geometry)
    slivers = [shapely.box(89, 45, 89 + w, 45 + h) for w, h in [(1e-7, 0.01), (0.05, 1e-7), (0.02, 1e-6), (1e-6, 0.02)]]
    slivers.append(shapely.Polygon([(89, 45), (89.02, 45.001), (89.005, 45.015)]))
    beyond += compare("slivers and a 2 km triangle", slivers)
    print("the candidate is", "rejected" if beyond else "within bounds")


if __name__ == "__main__":
    main()
