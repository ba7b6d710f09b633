#!/usr/bin/env bash
# Installs what redline needs on Debian 12 (bookworm) with Swift already installed: the GEOS,
# PROJ, GDAL, OpenSSL (SHA-256 fingerprints) and libxlsxwriter (formatted spreadsheets) development packages, GDAL's command-line tools (for the data generators), and the
# Python packages the independent cross-check uses, and PostgreSQL + PostGIS for the tests that
# read from a database (Tools/postgis.sh starts a throwaway cluster), and Chromium with CJK fonts and
# poppler to render the printable checklists (Tools/render-checklist.sh) and print the monthly report, and
# QGIS (qgis_process, PyQGIS) for the Processing provider's tests. Does nothing when all are present.
set -euo pipefail
packages=(pkg-config libgeos-dev libproj-dev proj-bin libgdal-dev libssl-dev libxlsxwriter-dev gdal-bin python3-gdal python3-shapely python3-pyproj
          postgresql-15 postgresql-15-postgis-3 chromium fonts-noto-cjk poppler-utils qgis python3-qgis qgis-providers)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
  echo "setup: swift is not on PATH — install the Swift 6 toolchain first" >&2
  exit 1
fi
