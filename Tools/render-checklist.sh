#!/usr/bin/env bash
# Renders a checklist.html as it prints: headless Chromium makes an A4 PDF, poppler turns each page
# into a PNG. Prints the page count. Needs Debian's chromium, fonts-noto-cjk and poppler-utils
# (Tools/setup.sh installs them).
#   Tools/render-checklist.sh CHECKLIST.html OUT_DIR [DPI]   → OUT_DIR/checklist.pdf, OUT_DIR/page-N.png
set -euo pipefail
html=$(realpath "$1")
out=$2
dpi=${3:-72}
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "render-checklist: no Chromium found — run Tools/setup.sh" >&2; exit 1; }
# --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --no-pdf-header-footer --run-all-compositor-stages-before-draw \
  --virtual-time-budget=5000 --print-to-pdf="$out/checklist.pdf" "file://$html" >/dev/null 2>&1
pdftoppm -png -r "$dpi" "$out/checklist.pdf" "$out/page"
pdfinfo "$out/checklist.pdf" | awk '/^Pages:/ {print $2}'
