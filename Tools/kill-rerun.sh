#!/usr/bin/env bash
# Crash safety of `redline run`: kills it with SIGKILL at random moments, reruns it, and checks
# that the registry and the outputs end exactly as one clean run leaves them. Rounds: each starts
# from an empty registry and kills runs until one finishes by itself, then compares.
#   Tools/kill-rerun.sh [KILLS=200] [WORKDIR]      (REDLINE=path/to/redline to use another build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kills=${1:-200}
work=${2:-$(mktemp -d /tmp/redline-kill-XXXXXX)}
redline=${REDLINE:-}
if [ -z "$redline" ]; then
  (cd "$root" && swift build -c release --product redline >&2)
  redline="$root/.build/release/redline"
fi
mkdir -p "$work"
/usr/bin/python3 "$root/Tools/make-week.py" "$work/inbox" >/dev/null
run() {  # registry out — exec, so that a background run's pid is redline's own
  exec "$redline" run --registry "$1" --inbox "$work/inbox" --out "$2" --protected "$root/Geodata/protected.gpkg" \
    --admin "$root/Geodata/counties.gpkg" --as-of 2026-11-29 --jobs 2 --settle-seconds 0 >/dev/null 2>"$work/last-run.log"
}
# A run that fails by itself (not killed) stops the script: say what it said.
trap 'echo "kill-rerun: stopped at line $LINENO; the last run said:" >&2; tail -5 "$work/last-run.log" >&2 2>/dev/null' ERR
outputs() {  # out: every extract's clues.csv, in order
  for file in "$1"/*/clues.csv; do echo "== $(basename "$(dirname "$file")")"; cat "$file"; done
}

start=$(date +%s%N)
(run "$work/clean.gpkg" "$work/clean-out")
clean_ms=$(( ($(date +%s%N) - start) / 1000000 ))
/usr/bin/python3 "$root/Tools/registry-dump.py" "$work/clean.gpkg" > "$work/clean.txt"
outputs "$work/clean-out" > "$work/clean-outputs.txt"

done_kills=0 rounds=0
while [ "$done_kills" -lt "$kills" ]; do
  rounds=$((rounds + 1))
  rm -rf "$work/dirty.gpkg"* "$work/dirty-out"
  while true; do
    run "$work/dirty.gpkg" "$work/dirty-out" &
    pid=$!
    sleep "$(( RANDOM * clean_ms / 32768 / 1000 )).$(printf '%03d' $(( RANDOM * clean_ms / 32768 % 1000 )))"
    if kill -9 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      done_kills=$((done_kills + 1))
      [ "$done_kills" -lt "$kills" ] && continue
      (run "$work/dirty.gpkg" "$work/dirty-out")   # the rerun after the last kill
    else
      wait "$pid"                                # it finished before the kill
    fi
    break
  done
  /usr/bin/python3 "$root/Tools/registry-dump.py" "$work/dirty.gpkg" > "$work/dirty.txt"
  outputs "$work/dirty-out" > "$work/dirty-outputs.txt"
  if ! diff -q "$work/clean.txt" "$work/dirty.txt" >/dev/null || ! diff -q "$work/clean-outputs.txt" "$work/dirty-outputs.txt" >/dev/null; then
    echo "kill-rerun: round $rounds after $done_kills kills: the registry or outputs differ from a clean run" >&2
    diff "$work/clean.txt" "$work/dirty.txt" | head -20 >&2 || true
    exit 1
  fi
done
echo "kill-rerun: $done_kills kills in $rounds rounds; every round ended identical to a clean run ($(wc -l < "$work/clean.txt") registry rows)"
