#!/usr/bin/env python3
"""Runs redline and the tools an analyst would pick instead on the same generated data, in one
run, checks that every tool finds the same overlaps, and prints a table of medians.

Started by Tools/bench/run, which prepares the virtualenv, the PostGIS cluster and the release
build. Usage: bench.py --data DIR --pg 'PG:...' --redline PATH [--sizes 10000 100000] [--runs 3]
                       [--tools redline,redline-cold,redline-j1,redline-csv,gdal-io,shapely,geopandas,duckdb,postgis-load,postgis-query]
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
# redline-cold cuts the boundaries itself (REDLINE_CACHE=off) where the others find them cut
# by an earlier run, as PostGIS's query finds them subdivided by its load; redline-csv writes
# only the CSV tables (what the PostGIS query writes); gdal-io is GDAL alone reading the
# activities and writing redline's files: the I/O floor, timed after redline.
ALL_TOOLS = ["redline", "redline-cold", "redline-j1", "redline-csv", "gdal-io", "shapely", "geopandas", "duckdb",
             "postgis-query", "postgis-load"]


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--pg", required=True)
    parser.add_argument("--redline", required=True)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default=",".join(ALL_TOOLS))
    args = parser.parse_args()
    tools = args.tools.split(",")
    protection = os.path.join(args.data, "protection.gpkg")
    subprocess.run([args.python, os.path.join(HERE, "generate.py"), args.data, *map(str, args.sizes)], check=True)
    work = tempfile.mkdtemp(prefix="redline-bench-")
    peers = os.path.join(HERE, "peers")
    rows = []
    try:
        for size in args.sizes:
            activities = os.path.join(args.data, f"activities_{size}.gpkg")
            out = lambda tool: os.path.join(work, f"{tool}-{size}")
            commands = {
                "redline": [args.redline, "check", activities, "--protected", protection, "--out", out("redline"), "--quiet"],
                "redline-cold": ["env", "REDLINE_CACHE=off", args.redline, "check", activities, "--protected", protection,
                                 "--out", out("redline-cold"), "--quiet"],
                "redline-j1": [args.redline, "check", activities, "--protected", protection, "--out", out("redline-j1"),
                               "--quiet", "--jobs", "1"],
                "redline-csv": [args.redline, "check", activities, "--protected", protection, "--out", out("redline-csv"),
                                "--quiet", "--formats", "csv"],
                "gdal-io": ["bash", os.path.join(peers, "gdal_io.sh"), activities, out("redline"), out("gdal-io")],
                "shapely": [args.python, os.path.join(peers, "shapely_check.py"), activities, protection, out("shapely") + ".csv"],
                "geopandas": [args.python, os.path.join(peers, "geopandas_overlay.py"), activities, protection,
                              out("geopandas") + ".csv"],
                "duckdb": [args.python, os.path.join(peers, "duckdb_check.py"), activities, protection, out("duckdb") + ".csv"],
                "postgis-load": ["bash", os.path.join(peers, "postgis_load.sh"), args.pg, activities, protection],
                "postgis-query": ["bash", os.path.join(peers, "postgis_query.sh"), args.pg, out("postgis-query") + ".csv"],
            }
            # PostGIS's query needs its load first; each loaded table is replaced by the next load.
            order = [t for t in ALL_TOOLS if t in tools and t != "postgis-query"]
            if "postgis-query" in tools:
                order.insert(order.index("postgis-load") + 1 if "postgis-load" in order else len(order), "postgis-query")
            if "postgis-query" in order and "postgis-load" not in order:
                timed(commands["postgis-load"])
            if "gdal-io" in order and "redline" not in order:
                timed(commands["redline"])
            # Round by round, every tool once per round: this machine's speed drifts over
            # minutes, and the ratios should not depend on which tool ran while it was slow.
            samples = {tool: [] for tool in order}
            for _ in range(args.runs):
                for tool in order:
                    samples[tool].append(timed(commands[tool]))
                    print(f"bench: {size} {tool}: {samples[tool][-1][0]:.2f} s, {samples[tool][-1][1]:.0f} MB",
                          file=sys.stderr)
            results = {tool: (statistics.median(s[0] for s in runs), max(s[1] for s in runs))
                       for tool, runs in samples.items()}
            reference = read_pairs(os.path.join(out("redline"), "overlaps.csv")) if "redline" in results else None
            for tool, (wall, peak) in results.items():
                csv_path = {"redline": None, "redline-j1": os.path.join(out("redline-j1"), "overlaps.csv"),
                            "redline-cold": os.path.join(out("redline-cold"), "overlaps.csv"),
                            "redline-csv": os.path.join(out("redline-csv"), "overlaps.csv"),
                            "gdal-io": None}.get(tool, out(tool) + ".csv")
                agree = "—"
                if reference is not None and csv_path and os.path.exists(csv_path):
                    problems = agreement(reference, read_pairs(csv_path))
                    agree = "yes" if not problems else f"NO ({len(problems)}: {problems[0]})"
                elif tool == "redline" and reference is not None:
                    agree = f"{len(reference)} pairs"
                ratio = wall / results["redline"][0] if "redline" in results else float("nan")
                rows.append((size, tool, wall, peak, ratio, agree))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"medians of {args.runs} runs; peak memory is the largest of them (for PostGIS, the psql client's).\n")
    print("| patches | tool | wall s | peak MB | × redline | same overlaps |")
    print("| ---: | --- | ---: | ---: | ---: | --- |")
    for size, tool, wall, peak, ratio, agree in rows:
        print(f"| {size:,} | {tool} | {wall:.2f} | {peak:.0f} | {ratio:.2f} | {agree} |")

    # The targets that are not a plain ratio to redline, per size.
    walls = {(size, tool): wall for size, tool, wall, _, _, _ in rows}
    for size in args.sizes:
        def has(*names):
            return all((size, name) in walls for name in names)
        notes = []
        if has("redline", "redline-j1"):
            notes.append(f"--jobs {os.cpu_count()} is {walls[size, 'redline-j1'] / walls[size, 'redline']:.2f}x --jobs 1")
        if has("redline", "gdal-io"):
            check = walls[size, "redline"] - walls[size, "gdal-io"]
            notes.append(f"the check beyond GDAL's I/O costs {check:.2f} s against {walls[size, 'gdal-io']:.2f} s of I/O")
        if has("redline-csv", "postgis-query"):
            notes.append(f"redline writing CSV only takes {walls[size, 'redline-csv']:.2f} s, "
                         f"the PostGIS query {walls[size, 'postgis-query']:.2f} s")
        if notes:
            print(f"\n{size:,}: " + "; ".join(notes) + ".")


if __name__ == "__main__":
    main()
