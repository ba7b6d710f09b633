#!/usr/bin/env python3
"""Prints a registry (GeoPackage or PG:) as sorted text lines without its clock times, so two
registries can be compared with diff. Needs Debian's python3-gdal.
Usage: /usr/bin/python3 Tools/registry-dump.py REGISTRY"""
import sys

from osgeo import ogr

ogr.UseExceptions()
CLOCK = {"opened_at", "updated_at", "at", "processed_at"}


def main():
    source = ogr.Open(sys.argv[1])
    lines = []
    for name in ("registry_clues", "registry_detections", "registry_events", "registry_extracts", "registry_meta"):
        layer = source.GetLayerByName(name)
        if layer is None:
            continue
        definition = layer.GetLayerDefn()
        fields = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
        for feature in layer:
            values = [f"{field}={feature.GetField(field)}" for field in fields if field not in CLOCK]
            geometry = feature.GetGeometryRef()
            if geometry is not None:
                values.append("geom=" + geometry.ExportToIsoWkt())
            lines.append(name + " " + " ".join(values))
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
