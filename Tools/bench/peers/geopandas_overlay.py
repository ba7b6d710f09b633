#!/usr/bin/env python3
"""The overlap check as most analysts write it with geopandas: read both layers, reproject,
make valid, overlay(how="intersection"), areas in an equal-area projection (CGCS2000 Albers).
Usage: geopandas_overlay.py ACTIVITIES.gpkg PROTECTION.gpkg OUT.csv"""
import sys

import geopandas as gpd
import pandas as pd

ALBERS = "+proj=aea +lat_0=0 +lon_0=90 +lat_1=40 +lat_2=50 +ellps=GRS80 +units=m +no_defs"


def main():
    activities, protection, out = sys.argv[1:4]
    patches = gpd.read_file(activities, layer="patches", engine="pyogrio", columns=["tbbh"]).to_crs(4490)
    patches["geometry"] = patches.geometry.make_valid(method="structure", keep_collapsed=False)
    protected = pd.concat([gpd.read_file(protection, layer=layer, engine="pyogrio", columns=["protected_id"])
                           for layer in ("reserve_zones", "red_lines")], ignore_index=True)
    protected["geometry"] = protected.geometry.make_valid(method="structure", keep_collapsed=False)
    pieces = gpd.overlay(patches, protected, how="intersection", keep_geom_type=True)
    pieces["overlap_m2"] = pieces.to_crs(ALBERS).area
    result = pieces.groupby(["tbbh", "protected_id"], as_index=False)["overlap_m2"].sum()
    result = result[result.overlap_m2 >= 1.0].rename(columns={"tbbh": "activity_id"})
    result.to_csv(out, index=False, float_format="%.2f")


if __name__ == "__main__":
    main()
