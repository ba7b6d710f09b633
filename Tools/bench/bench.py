#!/usr/bin/env python3
"""Runs redline and the tools an analyst would pick instead on the same generated data, in one
run, checks that every tool finds the same overlaps, and prints a table of medians.

Two protection layouts (generate.py): "reserve", a giant 240k-vertex reserve among red lines,
and "redlines", thousands of moderate red-line polygons. Each has its own best shapely plan
(protection cut into pieces of 256 vertices, or the tree built over the patches), so ratios are
given against the fastest peer of each layout and size, not against one convenient peer.

Started by Tools/bench/run, which prepares the virtualenv, the PostGIS cluster and the release
build. Usage: bench.py --data DIR --pg 'PG:...' --redline PATH [--sizes 10000 100000] [--runs 3]
                       [--layouts reserve redlines] [--tools redline,redline-csv,shapely-subdivided,...]
"""
import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS_DIR = os.path.join(HERE, "peers")
# redline-cold cuts the boundaries itself (REDLINE_CACHE=off) where the others find them cut
# by an earlier run, as PostGIS's query finds them subdivided by its load; redline-csv writes
# only the CSV tables (what the PostGIS query writes); gdal-io is GDAL alone reading the
# activities and writing redline's files: the I/O floor, timed after redline.
ALL_TOOLS = ["redline", "redline-cold", "redline-j1", "redline-csv", "gdal-io", "shapely-subdivided", "shapely-inverted",
             "shapely", "geopandas", "duckdb", "postgis-load", "postgis-query"]
# The peers a user would run instead, whole: PostGIS as load + query, since each extract must be loaded.
PEERS = ["shapely-subdivided", "shapely-inverted", "shapely", "geopandas", "duckdb", "postgis"]
LABELS = {"shapely": "shapely, whole polygons (untuned)", "shapely-subdivided": "shapely, 256-vertex pieces",
          "shapely-inverted": "shapely, tree over the patches", "postgis": "PostGIS, load + query"}
LAYOUTS = {"reserve": "protection.gpkg", "redlines": "protection_redlines.gpkg"}


def timed(command, env=None):
    """Wall seconds and peak resident memory (MB) of a command, from GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        completed = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", report.name, *command],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-2000:]}")
        wall, peak_kb = report.read().split()[-2:]
        return float(wall), int(peak_kb) / 1024


def read_pairs(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return {(row["activity_id"], row["protected_id"]): float(row["overlap_m2"]) for row in csv.DictReader(handle)}


def agreement(reference, other):
    """Problems between two pair tables: missing or extra pairs (beyond the sliver threshold's
    blur) and areas differing by more than 0.1 % (or 1 m2)."""
    problems = []
    for pair, area in reference.items():
        if pair not in other:
            if area >= 2:
                problems.append(f"missing {pair} ({area:.2f} m2)")
        elif abs(other[pair] - area) > max(0.001 * area, 1.0):
            problems.append(f"{pair}: {other[pair]:.2f} vs {area:.2f} m2")
    problems += [f"extra {pair} ({area:.2f} m2)" for pair, area in other.items() if pair not in reference and area >= 2]
    return problems


def commands(args, activities, protection, out):
    redline = [args.redline, "check", activities, "--protected", protection, "--quiet"]
    python = lambda script, tool: [args.python, os.path.join(PEERS_DIR, script), activities, protection, out(tool) + ".csv"]
    return {
        "redline": redline + ["--out", out("redline")],
        "redline-cold": ["env", "REDLINE_CACHE=off", *redline, "--out", out("redline-cold")],
        "redline-j1": redline + ["--out", out("redline-j1"), "--jobs", "1"],
        "redline-csv": redline + ["--out", out("redline-csv"), "--formats", "csv"],
        "gdal-io": ["bash", os.path.join(PEERS_DIR, "gdal_io.sh"), activities, out("redline"), out("gdal-io")],
        "shapely-subdivided": python("shapely_subdivided.py", "shapely-subdivided"),
        "shapely-inverted": python("shapely_inverted.py", "shapely-inverted"),
        "shapely": python("shapely_check.py", "shapely"),
        "geopandas": python("geopandas_overlay.py", "geopandas"),
        "duckdb": python("duckdb_check.py", "duckdb"),
        "postgis-load": ["bash", os.path.join(PEERS_DIR, "postgis_load.sh"), args.pg, activities, protection],
        "postgis-query": ["bash", os.path.join(PEERS_DIR, "postgis_query.sh"), args.pg, out("postgis-query") + ".csv"],
    }


def pairs_file(tool, out):
    """Where a tool's overlap pairs are, or None for a tool that writes none of its own."""
    if tool in ("redline-j1", "redline-cold", "redline-csv"):
        return os.path.join(out(tool), "overlaps.csv")
    return None if tool in ("redline", "gdal-io", "postgis-load") else out(tool) + ".csv"


def bench_one(args, tools, work, layout, size):
    """Rows (layout, size, tool, wall s, peak MB, agreement) for one layout and size."""
    activities = os.path.join(args.data, f"activities_{size}.gpkg")
    out = lambda tool: os.path.join(work, f"{layout}-{tool}-{size}")
    runnable = commands(args, activities, os.path.join(args.data, LAYOUTS[layout]), out)
    # PostGIS's query needs its load first (each load replaces the tables); gdal-io copies redline's files.
    order = [tool for tool in ALL_TOOLS if tool in tools]
    if "postgis-query" in order and "postgis-load" not in order:
        timed(runnable["postgis-load"])
    if "gdal-io" in order and "redline" not in order:
        timed(runnable["redline"])
    # Round by round, every tool once per round: this machine's speed drifts over minutes, and
    # the ratios should not depend on which tool ran while it was slow.
    samples = {tool: [] for tool in order}
    for _ in range(args.runs):
        for tool in order:
            samples[tool].append(timed(runnable[tool]))
            print(f"bench: {layout} {size} {tool}: {samples[tool][-1][0]:.2f} s, {samples[tool][-1][1]:.0f} MB",
                  file=sys.stderr)
    if "postgis-load" in samples and "postgis-query" in samples:
        samples["postgis"] = [(load[0] + query[0], max(load[1], query[1]))
                              for load, query in zip(samples["postgis-load"], samples["postgis-query"])]
    reference = read_pairs(os.path.join(out("redline"), "overlaps.csv")) if "redline" in samples else None
    rows = []
    for tool, runs in samples.items():
        wall, peak = statistics.median(s[0] for s in runs), max(s[1] for s in runs)
        path = pairs_file("postgis-query" if tool == "postgis" else tool, out)
        agree = "—"
        if reference is not None and path and os.path.exists(path):
            problems = agreement(reference, read_pairs(path))
            agree = "yes" if not problems else f"NO ({len(problems)}: {problems[0]})"
        elif tool == "redline" and reference is not None:
            agree = f"{len(reference)} pairs"
        rows.append((layout, size, tool, wall, peak, agree))
    return rows


def report(args, rows):
    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"medians of {args.runs} interleaved runs; peak memory is the largest of them (for PostGIS, the psql client's).\n")
    walls = {(layout, size, tool): wall for layout, size, tool, wall, _, _ in rows}
    print("| layout | patches | tool | wall s | peak MB | × redline | same overlaps |")
    print("| --- | ---: | --- | ---: | ---: | ---: | --- |")
    for layout, size, tool, wall, peak, agree in rows:
        redline = walls.get((layout, size, "redline"))
        ratio = f"{wall / redline:.2f}" if redline else "—"
        print(f"| {layout} | {size:,} | {LABELS.get(tool, tool)} | {wall:.2f} | {peak:.0f} | {ratio} | {agree} |")
    # The targets, per layout and size, against the fastest peer that ran.
    for layout, size in sorted({(layout, size) for layout, size, *_ in rows}):
        wall = lambda tool: walls.get((layout, size, tool))
        notes = []
        peers = [(wall(tool), tool) for tool in PEERS if wall(tool) is not None]
        if peers and wall("redline"):
            best, peer = min(peers)
            notes.append(f"fastest peer {LABELS.get(peer, peer)} {best:.2f} s: redline (all outputs) is "
                         f"{best / wall('redline'):.2f}x faster (target 3)")
            if wall("redline-csv"):
                notes.append(f"--formats csv {best / wall('redline-csv'):.2f}x (target 5); all outputs cost "
                             f"{wall('redline') / wall('redline-csv'):.2f}x the CSV-only run (target <= 1.3)")
        if wall("redline") and wall("redline-j1"):
            notes.append(f"--jobs {os.cpu_count()} is {wall('redline-j1') / wall('redline'):.2f}x --jobs 1 (target 1.8)")
        if wall("redline") and wall("gdal-io"):
            notes.append(f"GDAL alone reading and writing the same files takes {wall('gdal-io'):.2f} s")
        if notes:
            print(f"\n{layout}, {size:,}: " + "; ".join(notes) + ".")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--pg", required=True)
    parser.add_argument("--redline", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default=",".join(ALL_TOOLS))
    parser.add_argument("--layouts", nargs="+", choices=list(LAYOUTS), default=list(LAYOUTS))
    args = parser.parse_args()
    tools = args.tools.split(",")
    unknown = [tool for tool in tools if tool not in ALL_TOOLS]
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(unknown)}: choose from {', '.join(ALL_TOOLS)}")
    subprocess.run([args.python, os.path.join(HERE, "generate.py"), args.data, *map(str, args.sizes)], check=True)
    work = tempfile.mkdtemp(prefix="redline-bench-")
    rows = []
    try:
        for layout in args.layouts:
            for size in args.sizes:
                rows += bench_one(args, tools, work, layout, size)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(args, rows)


if __name__ == "__main__":
    main()
