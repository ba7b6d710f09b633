#!/usr/bin/env python3
"""Plays the field team for the README walkthrough: from an export's clues.csv, writes the results
file a team would send back — the coal pit first seen as D1-0000 (site KL-0001) verified true and
rectified, the next clue found not true, and one row with a mistyped clue ID to show how a bad row
is rejected. Usage: python3 Tools/fill-results.py EXPORT/clues.csv RESULTS.csv"""
import csv
import sys


def main():
    with open(sys.argv[1], newline="", encoding="utf-8-sig") as handle:
        clues = list(csv.DictReader(handle))
    pit = next(row for row in clues if row["activity_id"] == "D1-0000")
    other = next(row for row in clues if row["clue_id"] != pit["clue_id"])
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["线索编号", "核查结果", "核查日期", "核查人", "整改措施", "状态", "备注"])
        out.writerow([pit["clue_id"], "属实", "2026-11-05", "王明", "拆除设备，回填复绿", "已整改", "采坑已回填"])
        out.writerow([other["clue_id"], "不属实", "2026-11-05", "王明", "", "", "为原有道路"])
        out.writerow([pit["clue_id"][:-1] + "X", "属实", "2026-11-05", "王明", "", "", "编号抄错"])


if __name__ == "__main__":
    main()
