#!/usr/bin/env bash
# The I/O floor of a check: GDAL alone reading the activities and writing the files redline
# writes (copied from redline's own clues.gpkg, with redline's creation options), all at once
# as redline's writer threads do. Usage: gdal_io.sh ACTIVITIES.gpkg REDLINE_OUT DEST
set -euo pipefail
activities=$1 redline=$2 dest=$3
rm -rf "$dest" && mkdir -p "$dest"
csv=(-lco LINEFORMAT=LF -lco STRING_QUOTING=IF_NEEDED -lco WRITE_BOM=YES)
ogr2ogr -f Memory "$dest/read" "$activities" &
ogr2ogr -f CSV "$dest/overlaps.csv" "$redline/clues.gpkg" overlaps "${csv[@]}" &
ogr2ogr -f CSV "$dest/clues.csv" "$redline/clues.gpkg" clues "${csv[@]}" &
ogr2ogr -f GPKG "$dest/clues.gpkg" "$redline/clues.gpkg" &
ogr2ogr -f GeoJSON "$dest/clues.geojson" "$redline/clues.gpkg" clues \
  -lco RFC7946=YES -lco COORDINATE_PRECISION=7 -lco SIGNIFICANT_FIGURES=15 -lco WRITE_NAME=NO &
for job in $(jobs -p); do wait "$job"; done
