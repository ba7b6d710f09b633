#!/usr/bin/python3
"""Tests of the QGIS provider, headless: qgis_process runs every algorithm on Geodata/ with the real
redline and its results are compared with redline's own; PyQGIS checks memory layers, the styles,
progress, warnings, cancelling and a missing redline (with a stand-in binary where the real one
would be too quick to cancel).

    REDLINE=.build/debug/redline /usr/bin/python3 Tools/qgis/test_provider.py
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEODATA = os.path.join(ROOT, "Geodata")
REDLINE = os.path.abspath(os.environ.get("REDLINE", os.path.join(ROOT, ".build", "debug", "redline")))
HOME = tempfile.mkdtemp(prefix="redline-qgis-home-")
# A profile of its own: enabling the plugin must not touch the user's QGIS.
os.environ.update(HOME=HOME, XDG_RUNTIME_DIR=HOME, QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=HERE, REDLINE_BINARY=REDLINE)
# Debian's qgis_process wrapper passes an option 3.22 does not know; the binary itself works.
QGIS_PROCESS = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
PROTECTED = [f"{GEODATA}/protected.gpkg|layername=nature_reserve_zones", f"{GEODATA}/protected.gpkg|layername=red_lines"]


def qgis_process(*arguments, expect_ok=True):
    """qgis_process with --json; (exit status, parsed JSON or None, stderr)."""
    completed = subprocess.run([QGIS_PROCESS, "--json", *arguments], capture_output=True, text=True, timeout=600)
    try:
        parsed = json.loads(completed.stdout) if completed.stdout.strip() else None
    except ValueError:
        parsed = None
    if expect_ok and completed.returncode != 0:
        raise AssertionError(f"qgis_process {' '.join(arguments[:2])} failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return completed.returncode, parsed, completed.stderr + completed.stdout


def run(algorithm, **parameters):
    arguments = ["run", f"redline:{algorithm}", "--"]
    for key, value in parameters.items():
        for item in value if isinstance(value, list) else [value]:
            arguments.append(f"{key}={item}")
    return arguments


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as source:
        return list(csv.DictReader(source))


class QgisProcessTests(unittest.TestCase):
    """Every algorithm through qgis_process, as a nightly script or an analyst's batch would call it."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="redline-qgis-")
        status, _, said = qgis_process("plugins", "enable", "redline_provider", expect_ok=False)
        assert status == 0, said

    def test_01_the_provider_lists_its_algorithms(self):
        _, listed, _ = qgis_process("list")
        ids = {algorithm for provider in listed["providers"].values() for algorithm in provider["algorithms"]}
        self.assertTrue({"redline:check", "redline:checklist", "redline:nightly", "redline:verify_import", "redline:status",
                         "redline:report"} <= ids, sorted(i for i in ids if i.startswith("redline")))

    def test_02_check_gives_the_clues_redline_gives(self):
        out, direct = os.path.join(self.work, "check"), os.path.join(self.work, "direct")
        _, result, _ = qgis_process(*run("check", PATCHES=f"{GEODATA}/activities.gpkg", PROTECTED=PROTECTED,
                                         COUNTIES=f"{GEODATA}/counties.gpkg", OUTPUT=out))
        subprocess.run([REDLINE, "check", f"{GEODATA}/activities.gpkg", "--protected", f"{GEODATA}/protected.gpkg",
                        "--admin", f"{GEODATA}/counties.gpkg", "--out", direct, "--quiet"], check=True, capture_output=True)
        ours = {row["clue_id"]: row["overlap_m2"] for row in csv_rows(os.path.join(out, "clues.csv"))}
        theirs = {row["clue_id"]: row["overlap_m2"] for row in csv_rows(os.path.join(direct, "clues.csv"))}
        self.assertEqual(ours, theirs)
        self.assertEqual(result["results"]["CLUE_COUNT"], len(theirs))
        self.assertTrue(result["results"]["CLUES"].endswith("clues.gpkg|layername=clues"))
        self.assertIn("warning", json.dumps(result).lower(), "redline's warnings reach the Processing log")

    def test_03_field_pickers_and_options_reach_redline(self):
        out = os.path.join(self.work, "check-near")
        _, result, said = qgis_process(*run("check", PATCHES=f"{GEODATA}/activities.gpkg", PROTECTED=PROTECTED,
                                            ACTIVITY_ID="tbbh", PROTECTED_NAME="name", NEAR=500, FORMATS=1, OUTPUT=out))
        self.assertEqual(sorted(os.listdir(out)), ["clues.csv", "overlaps.csv", "summary.json"], said)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as source:
            settings = json.load(source)["settings"]
        self.assertEqual((settings.get("activity_id_field"), settings.get("protected_name_field"), settings.get("near_m")),
                         ("tbbh", "name", "500.0"), settings)
        self.assertNotIn("CLUES", result["results"], "no clues.gpkg, no layer to load")

    def test_04_a_bad_input_fails_with_redlines_message(self):
        rules = os.path.join(self.work, "bad-rules.yaml")
        with open(rules, "w", encoding="utf-8") as out:
            out.write("rules:\n  - id: x\n    when: {zone: nowhere}\n")
        status, _, said = qgis_process(*run("check", PATCHES=f"{GEODATA}/activities.gpkg", PROTECTED=PROTECTED, RULES=rules,
                                            OUTPUT=os.path.join(self.work, "bad")), expect_ok=False)
        self.assertNotEqual(status, 0)
        self.assertIn(rules, said, "redline's one-line error, naming the rules file")
        self.assertFalse(os.path.exists(os.path.join(self.work, "bad", "clues.csv")))

    def test_05_checklists_nightly_import_status_and_report(self):
        check = os.path.join(self.work, "check")
        if not os.path.exists(os.path.join(check, "clues.gpkg")):
            self.test_02_check_gives_the_clues_redline_gives()
        lists = os.path.join(self.work, "lists")
        qgis_process(*run("checklist", CHECK=check, OUTPUT=lists, DAY_STOPS=10))
        counties = [name for name in os.listdir(lists) if not name.startswith(".")]
        self.assertTrue(counties and all(os.path.exists(os.path.join(lists, c, "clues.xlsx")) for c in counties), counties)

        inbox, registry = os.path.join(self.work, "inbox"), os.path.join(self.work, "registry.gpkg")
        os.makedirs(inbox)
        shutil.copy(f"{GEODATA}/activities.gpkg", inbox)
        _, nightly, said = qgis_process(*run("nightly", REGISTRY=registry, INBOX=inbox, PROTECTED=PROTECTED,
                                             COUNTIES=f"{GEODATA}/counties.gpkg", SETTLE=0, OUTPUT=os.path.join(self.work, "night")))
        self.assertIn("extracts", json.loads(nightly["results"]["REPORT"]), said)
        _, status, _ = qgis_process(*run("status", REGISTRY=registry, AS_OF="2026-12-01"))
        exported = os.path.join(self.work, "export")
        subprocess.run([REDLINE, "export", "--registry", registry, "--out", exported], check=True, capture_output=True)
        registered = csv_rows(os.path.join(exported, "clues.csv"))
        self.assertEqual(status["results"]["TOTAL"], len(registered))
        first = registered[0]["clue_id"]
        results = os.path.join(self.work, "results.csv")
        with open(results, "w", encoding="utf-8") as out:
            out.write(f"线索编号,核查结果,核查日期\n{first},属实,2026-11-20\n")
        _, imported, _ = qgis_process(*run("verify_import", RESULTS=results, REGISTRY=registry))
        self.assertEqual((imported["results"]["APPLIED"], imported["results"]["REJECTED"]), (1, 0))
        with open(results, "w", encoding="utf-8") as out:
            out.write("线索编号,核查结果,核查日期\nNO-SUCH-CLUE,属实,2026-11-20\n")
        code, _, said = qgis_process(*run("verify_import", RESULTS=results, REGISTRY=registry), expect_ok=False)
        self.assertNotEqual(code, 0)
        self.assertIn("unknown clue ID NO-SUCH-CLUE", said)

        report = os.path.join(self.work, "report")
        _, made, said = qgis_process(*run("report", REGISTRY=registry, PERIOD="2026-11", OUTPUT=report))
        self.assertTrue(os.path.exists(os.path.join(report, "report.xlsx")), said)


class PyQGISTests(unittest.TestCase):
    """The provider inside a QGIS application: memory layers, styles, progress, cancelling."""

    @classmethod
    def setUpClass(cls):
        from qgis.core import QgsApplication
        cls.application = QgsApplication([], False)
        cls.application.initQgis()
        sys.path.insert(0, "/usr/share/qgis/python/plugins")
        sys.path.insert(0, HERE)
        from processing.core.Processing import Processing
        Processing.initialize()
        from redline_provider.provider import RedlineProvider
        cls.provider = RedlineProvider()
        QgsApplication.processingRegistry().addProvider(cls.provider)
        cls.work = tempfile.mkdtemp(prefix="redline-pyqgis-")

    def run_algorithm(self, name, parameters, feedback=None):
        import processing
        from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        return processing.run(f"redline:{name}", parameters, context=context, feedback=feedback or QgsProcessingFeedback()), context

    def test_memory_layers_are_exported_for_redline(self):
        from qgis.core import QgsFeatureRequest, QgsVectorLayer
        patches = QgsVectorLayer(f"{GEODATA}/activities.gpkg", "patches", "ogr")
        memory = patches.materialize(QgsFeatureRequest())
        self.assertEqual(memory.providerType(), "memory")
        out = os.path.join(self.work, "memory")
        result, _ = self.run_algorithm("check", {"PATCHES": memory, "PROTECTED": PROTECTED, "OUTPUT": out, "FORMATS": [1]})
        direct = os.path.join(self.work, "direct")
        subprocess.run([REDLINE, "check", f"{GEODATA}/activities.gpkg", "--protected", f"{GEODATA}/protected.gpkg",
                        "--out", direct, "--quiet", "--formats", "csv"], check=True, capture_output=True)
        self.assertEqual(sorted(r["activity_id"] for r in csv_rows(os.path.join(out, "clues.csv"))),
                         sorted(r["activity_id"] for r in csv_rows(os.path.join(direct, "clues.csv"))))

    def test_the_styles_load_onto_the_outputs(self):
        from qgis.core import QgsVectorLayer
        from redline_provider.algorithms import style_path, zone_field_of, zone_style
        out = os.path.join(self.work, "styled")
        result, context = self.run_algorithm("check", {"PATCHES": f"{GEODATA}/activities.gpkg", "PROTECTED": PROTECTED, "OUTPUT": out})
        self.assertEqual(len(context.layersToLoadOnCompletion()), 4, "clues, overlaps and the two protection layers")
        clues = QgsVectorLayer(result["CLUES"], "clues", "ogr")
        message, ok = clues.loadNamedStyle(style_path("clues.qml"))
        self.assertTrue(ok, message)
        self.assertEqual(clues.renderer().type(), "categorizedSymbol")
        self.assertEqual(clues.renderer().classAttribute(), "severity")
        self.assertTrue(clues.labelsEnabled() and clues.labeling().settings().fieldName == "clue_id")
        severities = {feature["severity"] for feature in clues.getFeatures()}
        self.assertTrue(severities <= {c.value() for c in clues.renderer().categories()}, severities)
        overlaps = QgsVectorLayer(result["OVERLAPS"], "overlaps", "ogr")
        self.assertTrue(overlaps.loadNamedStyle(style_path("overlaps.qml"))[1])
        zones = {feature["zone"] for feature in overlaps.getFeatures()}
        self.assertTrue(zones <= {c.value() for c in overlaps.renderer().categories()}, zones)

        reserves = QgsVectorLayer(PROTECTED[0], "reserves", "ogr")
        field = zone_field_of(reserves)
        self.assertEqual(field, "zone")
        self.assertTrue(reserves.loadNamedStyle(zone_style(style_path("protected.qml"), field))[1])
        from qgis.core import QgsRenderContext
        render = QgsRenderContext()
        renderer = reserves.renderer().clone()
        renderer.startRender(render, reserves.fields())
        seen = set()
        for feature in reserves.getFeatures():
            render.expressionContext().setFeature(feature)
            labels = [symbol_rule.label() for symbol_rule in renderer.rootRule().children()
                      if symbol_rule.isFilterOK(feature, render)]
            seen.add((feature["zone"], labels[0] if labels else None))
        renderer.stopRender(render)
        self.assertEqual(dict(seen), {"核心区": "核心区", "缓冲区": "缓冲区", "实验区": "实验区"})

    def fake_redline(self, body):
        path = os.path.join(self.work, f"fake-{time.time_ns()}.sh")
        with open(path, "w", encoding="utf-8") as out:
            out.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def test_progress_warnings_and_cancelling(self):
        from qgis.core import QgsProcessingFeedback
        marker = os.path.join(self.work, "terminated")
        fake = self.fake_redline(f"""
echo 'progress: 50 of 100 patches, 3 clues' >&2
echo 'redline: warning: patches.gpkg: 2 patches far away' >&2
trap 'touch {marker}; exit 143' TERM
while :; do sleep 0.1; done
""")
        feedback = QgsProcessingFeedback()
        seen = {"progress": 0.0, "warnings": []}
        feedback.progressChanged.connect(lambda value: seen.__setitem__("progress", max(seen["progress"], value)))
        feedback.pushWarning = lambda text: seen["warnings"].append(text)
        threading.Timer(1.5, feedback.cancel).start()
        os.environ["REDLINE_BINARY"] = fake
        started = time.monotonic()
        try:
            with self.assertRaises(Exception) as raised:
                self.run_algorithm("check", {"PATCHES": f"{GEODATA}/activities.gpkg", "PROTECTED": PROTECTED,
                                             "OUTPUT": os.path.join(self.work, "cancelled")}, feedback)
        finally:
            os.environ["REDLINE_BINARY"] = REDLINE
        self.assertIn("cancelled", str(raised.exception))
        self.assertLess(time.monotonic() - started, 20)
        self.assertTrue(os.path.exists(marker), "redline got SIGTERM, which makes it remove what it staged")
        self.assertEqual(seen["progress"], 50.0)
        self.assertEqual(seen["warnings"], ["patches.gpkg: 2 patches far away"])

    def test_a_missing_redline_is_named(self):
        from qgis.core import QgsProcessingException
        from redline_provider.provider import redline_binary
        os.environ["REDLINE_BINARY"] = "/nonexistent/redline"
        try:
            with self.assertRaises(QgsProcessingException) as raised:
                redline_binary()
            self.assertIn("/nonexistent/redline, which is not an executable file", str(raised.exception))
            os.environ["REDLINE_BINARY"] = ""
            saved = os.environ["PATH"]
            os.environ["PATH"] = "/nonexistent"
            try:
                with self.assertRaises(QgsProcessingException) as raised:
                    redline_binary()
            finally:
                os.environ["PATH"] = saved
            self.assertIn("redline was not found on PATH", str(raised.exception))
        finally:
            os.environ["REDLINE_BINARY"] = REDLINE


if __name__ == "__main__":
    if not QGIS_PROCESS:
        sys.exit("test_provider: qgis_process not found — install qgis and python3-qgis (Tools/setup.sh does)")
    if not os.access(REDLINE, os.X_OK):
        sys.exit(f"test_provider: {REDLINE} is not built — swift build first, or set REDLINE")
    outcome = unittest.main(exit=False, verbosity=2).result
    shutil.rmtree(HOME, ignore_errors=True)
    sys.exit(0 if outcome.wasSuccessful() else 1)
