"""Builds what issue 16's merge target needs: a registry already holding about a million clues,
and a next-night extract that re-detects most of the sites of a first one.

    registry_at_scale.py REGISTRY.gpkg CLUES ACTIVITIES.gpkg NEXT.gpkg

REGISTRY.gpkg is a registry after one `redline run` over ACTIVITIES.gpkg (its clues are the
sites of that extract). Its clue table is grown to CLUES rows with copies of those sites, each
copy displaced as a whole by a seeded random offset of up to half a degree, numbered in
earlier quarters, so the registry is as dense over the same region as a province's years
of clues. NEXT.gpkg is ACTIVITIES.gpkg with every patch moved by 5 m: new bytes (a new extract),
mostly the same sites. Both in place; seeded, so every run builds the same files.
Merging NEXT.gpkg (`redline run --registry REGISTRY.gpkg --inbox DIR-WITH-NEXT ...`) is then
timed against `redline check NEXT.gpkg ...` (README, Performance).
"""
import sys

import numpy as np
import pyogrio
import shapely

SEED = 20261206


def earlier(clue_id, quarters):
    """The same clue numbered `quarters` quarters back (000000-2026Q4-000123 → 000000-2014Q3-000123):
    a registry of years holds its clues under their own quarters, so this night's numbering meets
    only this quarter's IDs."""
    county, quarter, number = clue_id.split("-")
    index = int(quarter[:4]) * 4 + int(quarter[5]) - 1 - quarters
    return f"{county}-{index // 4}Q{index % 4 + 1}-{number}"


def grow(registry, target):
    clues = pyogrio.read_dataframe(registry, layer="registry_clues")
    rng = np.random.default_rng(SEED)
    copies = max(0, -(-target // len(clues)) - 1)
    held = len(clues)
    for k in range(1, copies + 1):
        copy = clues.copy()
        dx, dy = rng.uniform(-0.5, 0.5, 2)
        copy["geometry"] = shapely.transform(copy.geometry.values, lambda xy, dx=dx, dy=dy: xy + (dx, dy))
        copy["clue_id"] = copy["clue_id"].map(lambda clue, k=k: earlier(clue, k))
        if len(clues) * (k + 1) > target:
            copy = copy.iloc[: target - len(clues) * k]
        pyogrio.write_dataframe(copy, registry, layer="registry_clues", append=True, promote_to_multi=True)
        held += len(copy)
    print(f"registry_at_scale: {registry} holds {held} clues ({copies} displaced copies of {len(clues)} sites)",
          file=sys.stderr)


def next_night(activities, out):
    patches = pyogrio.read_dataframe(activities)
    patches["geometry"] = shapely.transform(patches.geometry.values, lambda xy: xy + (5.0, 5.0))
    pyogrio.write_dataframe(patches, out, layer=pyogrio.list_layers(activities)[0][0])


if __name__ == "__main__":
    grow(sys.argv[1], int(sys.argv[2]))
    next_night(sys.argv[3], sys.argv[4])
