#!/usr/bin/env bash
# The README's month of the supervision cycle on generated extracts: five nights of November, the
# field team's results, a look-back campaign on the rectified pit, two more nights (a rebound on
# it), the status, the overdue clues three months on, and November's report.
#   Tools/week-demo.sh [DIR=week]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-week}
redline=${REDLINE:-$root/.build/release/redline}
[ -x "$redline" ] || (cd "$root" && swift build -c release --product redline >&2)
rm -rf "$dir" && mkdir -p "$dir/inbox"
/usr/bin/python3 "$root/Tools/make-week.py" "$dir/arriving" >/dev/null
night() {
  cp "$dir/arriving/day$1.gpkg" "$dir/inbox/"
  echo "== night $1"
  "$redline" run --registry "$dir/registry.gpkg" --inbox "$dir/inbox" --out "$dir/out" --as-of "2026-11-0$1" \
    --protected "$root/Geodata/protected.gpkg" --admin "$root/Geodata/counties.gpkg" --settle-seconds 0 2>&1 \
    | grep -E "extract_processed|run_finished" || true
}
for day in 1 2 3 4 5; do night $day; done
"$redline" export --registry "$dir/registry.gpkg" --status issued --out "$dir/issued" --dispatch
"$redline" checklist "$dir/issued" --out "$dir/checklists"
/usr/bin/python3 "$root/Tools/fill-results.py" "$dir/issued/clues.csv" "$dir/results.csv"
echo "== field results"
"$redline" verify import "$dir/results.csv" --registry "$dir/registry.gpkg" || true
echo "== look-back campaign"
"$redline" lookback --registry "$dir/registry.gpkg" --sample 100% --seed 7 --campaign 回头看 --out "$dir/lookback"
"$redline" checklist "$dir/lookback" --out "$dir/lookback-checklists" | tail -1
for day in 6 7; do night $day; done
echo "== status"
"$redline" status --registry "$dir/registry.gpkg"
echo "== three months on: overdue by stage"
"$redline" status --registry "$dir/registry.gpkg" --as-of 2027-03-01 | sed -n '/^overdue/,$p' | head -4
echo "== November's report"
"$redline" report --registry "$dir/registry.gpkg" --period 2026-11 --out "$dir/report-2026-11"
