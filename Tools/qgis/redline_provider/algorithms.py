"""redline's subcommands as Processing algorithms. Each builds redline's command line from its
parameters, runs it (runner.RedlineRun) and hands back what it wrote, loaded with the shipped styles."""
import hashlib
import json
import os
import re
import tempfile

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingContext, QgsProcessingException,
                       QgsProcessingLayerPostProcessorInterface, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingOutputVectorLayer, QgsProcessingParameterBoolean,
                       QgsProcessingParameterDistance, QgsProcessingParameterEnum, QgsProcessingParameterField,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber, QgsProcessingParameterString, QgsProcessingParameterVectorLayer)
from qgis.PyQt.QtCore import QCoreApplication

from .runner import LayerSources, RedlineRun

STYLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "styles")
FORMATS = ["gpkg", "csv", "geojson"]
# verify import's summary line: "applied 3, unchanged 1, …" (or "would apply 3, …" on a dry run).
APPLIED = re.compile(r"^(?:applied|would apply) (\d+),")
# The zone fields redline looks for, in its order (redline check --help, --protected-zone).
ZONE_FIELDS = ["zone", "gnfq", "功能分区", "功能区", "分区", "zone_name", "fqmc", "fq"]
# Post-processors must outlive processAlgorithm: QGIS holds them by pointer only.
_KEPT = []


def style_path(name):
    return os.path.join(STYLES, name)


class StyleLoader(QgsProcessingLayerPostProcessorInterface):
    """Loads a QML onto an output layer once QGIS has loaded it (a zone style is first pointed at
    the layer's own zone field)."""

    def __init__(self, qml, zone_field=None):
        super().__init__()
        self.qml = qml
        self.zone_field = zone_field

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS's name)
        message, ok = layer.loadNamedStyle(zone_style(self.qml, self.zone_field) if self.zone_field is not None else self.qml)
        if not ok:
            feedback.pushWarning(f"the style {self.qml} did not load onto {layer.name()}: {message}")
        layer.triggerRepaint()

    @classmethod
    def create(cls, qml, zone_field=None):
        loader = cls(qml, zone_field)
        _KEPT.append(loader)
        return loader


def zone_field_of(layer, chosen=""):
    """The layer's zone field as redline would take it: the one chosen, else the first of its defaults."""
    names = [field.name() for field in layer.fields()]
    if chosen and chosen in names:
        return chosen
    lowered = {name.lower(): name for name in names}
    return next((lowered[candidate.lower()] for candidate in ZONE_FIELDS if candidate.lower() in lowered), "")


def zone_style(qml, field):
    """protected.qml with its rules reading `field` (no field: every feature falls to the red-line rule)."""
    with open(qml, encoding="utf-8") as source:
        text = source.read()
    replacement = "&quot;" + field.replace('"', '""') + "&quot;" if field else "NULL"
    target = os.path.join(tempfile.gettempdir(), f"redline-protected-{hashlib.sha1(field.encode()).hexdigest()[:12]}.qml")
    with open(target, "w", encoding="utf-8") as out:
        out.write(text.replace("&quot;zone&quot;", replacement))
    return target


class RedlineAlgorithm(QgsProcessingAlgorithm):
    """What every redline algorithm shares: its name, group and help, and instances of itself."""
    NAME = ""
    DISPLAY = ""
    GROUP = ("check", "Check and field work")
    HELP = ""

    def tr(self, text):
        return QCoreApplication.translate("redline", text)

    def createInstance(self):  # noqa: N802 (QGIS's names below)
        return type(self)()

    def name(self):
        return self.NAME

    def displayName(self):
        return self.tr(self.DISPLAY)

    def group(self):
        return self.tr(self.GROUP[1])

    def groupId(self):
        return self.GROUP[0]

    def shortHelpString(self):
        return self.tr(self.HELP)

    def optional_text(self, parameters, name, context):
        value = self.parameterAsString(parameters, name, context) if parameters.get(name) not in (None, "") else ""
        return value.strip()

    def add_protection(self, label):
        """The protection layers and the optional counties, as check and run both take them."""
        self.addParameter(QgsProcessingParameterMultipleLayers("PROTECTED", self.tr(label), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterVectorLayer("COUNTIES", self.tr("Counties"), [QgsProcessing.TypeVectorPolygon],
                                                            optional=True))

    def protection_arguments(self, parameters, context, sources):
        """--protected for each protection layer and --admin for the counties, with the layers given."""
        protected = self.parameterAsLayerList(parameters, "PROTECTED", context)
        if not protected:
            raise QgsProcessingException("no protection layers given")
        arguments = [part for layer in protected for part in ("--protected", sources.path(layer))]
        counties = self.parameterAsVectorLayer(parameters, "COUNTIES", context)
        if counties is not None:
            arguments += ["--admin", sources.path(counties)]
        return arguments, protected


REGISTRY_GROUP = ("registry", "Clue registry")


class CheckAlgorithm(RedlineAlgorithm):
    NAME = "check"
    DISPLAY = "Check patches against protection"
    HELP = ("Finds the activity patches that fall inside or near ecological red lines and nature reserves, by "
            "functional zone, and writes the clues (clues.gpkg, clues.csv, clues.geojson, overlaps.csv, summary.json) "
            "into the output folder. Areas are ellipsoidal. Fields left empty are found by redline among its usual "
            "names (tbbh, 图斑编号, 类型, 功能分区, …). Layers that are not plain files — memory layers, database "
            "tables, filtered layers — are exported to a temporary GeoPackage first. The clues load styled by "
            "severity, the overlaps by zone, and the protection layers by zone as on the printed maps.")

    PATCH_FIELDS = [("ACTIVITY_ID", "--activity-id", "Patch ID field"), ("ACTIVITY_TYPE", "--activity-type", "Activity type field"),
                    ("DETECTED", "--detected", "Detection date field")]
    PROTECTED_FIELDS = [("PROTECTED_ID", "--protected-id", "Protected area ID field"),
                        ("PROTECTED_NAME", "--protected-name", "Protected area name field"),
                        ("PROTECTED_ZONE", "--protected-zone", "Functional zone field (功能分区)")]
    ADMIN_FIELDS = [("ADMIN_CODE", "--admin-code", "County code field"), ("ADMIN_NAME", "--admin-name", "County name field")]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer("PATCHES", self.tr("Activity patches (人类活动图斑)"),
                                                            [QgsProcessing.TypeVectorPolygon]))
        self.add_protection("Protection layers (red lines, reserves)")
        for key, _, label in self.PATCH_FIELDS:
            self.addParameter(QgsProcessingParameterField(key, self.tr(label + " (empty: redline finds it)"), None, "PATCHES",
                                                          optional=True))
        for key, _, label in self.PROTECTED_FIELDS:
            self.addParameter(QgsProcessingParameterString(key, self.tr(label + " (empty: redline finds it)"), optional=True))
        for key, _, label in self.ADMIN_FIELDS:
            self.addParameter(QgsProcessingParameterField(key, self.tr(label + " (empty: redline finds it)"), None, "COUNTIES",
                                                          optional=True))
        self.addParameter(QgsProcessingParameterFile("RULES", self.tr("Rules file (YAML; empty: the built-in rules)"),
                                                     extension="yaml", optional=True))
        near = QgsProcessingParameterDistance("NEAR", self.tr("Also report patches within this distance outside (m)"),
                                              optional=True, minValue=0)
        near.setDefaultUnit(0)  # metres, whatever the layer's CRS: redline measures on the ellipsoid
        self.addParameter(near)
        self.addParameter(QgsProcessingParameterString("AS_OF", self.tr("Judge undated patches as of (YYYY-MM-DD)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum("FORMATS", self.tr("Clue files"), FORMATS, allowMultiple=True,
                                                     defaultValue=[0, 1, 2]))
        self.addParameter(QgsProcessingParameterBoolean("LOAD_PROTECTED", self.tr("Add the protection layers styled by zone"),
                                                        defaultValue=True))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputVectorLayer("CLUES", self.tr("Clues"), QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputVectorLayer("OVERLAPS", self.tr("Overlaps by zone"), QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputNumber("CLUE_COUNT", self.tr("Clues")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        sources = LayerSources(context, feedback)
        try:
            patches = self.parameterAsVectorLayer(parameters, "PATCHES", context)
            if patches is None:
                raise QgsProcessingException("no activity patches given")
            protection, protected = self.protection_arguments(parameters, context, sources)
            arguments = ["check", sources.path(patches)] + protection
            for key, option, _ in self.PATCH_FIELDS + self.PROTECTED_FIELDS + self.ADMIN_FIELDS:
                value = self.optional_text(parameters, key, context)
                if value:
                    arguments += [option, value]
            rules = self.parameterAsFile(parameters, "RULES", context)
            if rules:
                arguments += ["--rules", rules]
            if parameters.get("NEAR") not in (None, ""):
                arguments += ["--near", repr(self.parameterAsDouble(parameters, "NEAR", context))]
            as_of = self.optional_text(parameters, "AS_OF", context)
            if as_of:
                arguments += ["--as-of", as_of]
            formats = [FORMATS[index] for index in self.parameterAsEnums(parameters, "FORMATS", context)] or FORMATS
            out = self.parameterAsString(parameters, "OUTPUT", context)
            arguments += ["--formats", ",".join(formats), "--out", out, "--progress", "lines"]
            RedlineRun(arguments, feedback).run()
        finally:
            sources.close()
        results = {"OUTPUT": out, "CLUE_COUNT": _summary(out).get("clues", 0)}
        if "gpkg" in formats:
            for key, table, style, label in [("CLUES", "clues", "clues.qml", "clues"),
                                             ("OVERLAPS", "overlaps", "overlaps.qml", "overlaps by zone")]:
                uri = f"{os.path.join(out, 'clues.gpkg')}|layername={table}"
                results[key] = uri
                details = QgsProcessingContext.LayerDetails(f"redline {label}", context.project(), key)
                details.setPostProcessor(StyleLoader.create(style_path(style)))
                context.addLayerToLoadOnCompletion(uri, details)
        if self.parameterAsBoolean(parameters, "LOAD_PROTECTED", context):
            zone = self.optional_text(parameters, "PROTECTED_ZONE", context)
            for layer in protected:
                details = QgsProcessingContext.LayerDetails(f"{layer.name()} (by zone)", context.project(), "PROTECTED")
                details.setPostProcessor(StyleLoader.create(style_path("protected.qml"), zone_field_of(layer, zone)))
                context.addLayerToLoadOnCompletion(layer.source(), details)
        return results


def _summary(out):
    try:
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as source:
            return json.load(source)
    except (OSError, ValueError):
        return {}


class ChecklistAlgorithm(RedlineAlgorithm):
    NAME = "checklist"
    DISPLAY = "Make field checklists"
    HELP = ("Writes what each county's field team takes out, from a finished check's output folder: per county a "
            "spreadsheet (clues.xlsx), a KMZ for phones, a GPX for GPS units and printable sheets with maps, all in one "
            "visiting order, optionally cut into days.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("CHECK", self.tr("Output folder of a finished check"),
                                                     behavior=QgsProcessingParameterFile.Folder))
        self.addParameter(QgsProcessingParameterEnum("LANG", self.tr("Language of the headers"), ["zh", "en"], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber("DAY_KM", self.tr("At most this many km a day"),
                                                       QgsProcessingParameterNumber.Double, optional=True, minValue=0.001))
        self.addParameter(QgsProcessingParameterNumber("DAY_STOPS", self.tr("At most this many clues a day"),
                                                       QgsProcessingParameterNumber.Integer, optional=True, minValue=1))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", self.tr("Checklists folder")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        out = self.parameterAsString(parameters, "OUTPUT", context)
        arguments = ["checklist", self.parameterAsFile(parameters, "CHECK", context), "--out", out,
                     "--lang", ["zh", "en"][self.parameterAsEnum(parameters, "LANG", context)]]
        if parameters.get("DAY_KM") not in (None, ""):
            arguments += ["--day-km", repr(self.parameterAsDouble(parameters, "DAY_KM", context))]
        if parameters.get("DAY_STOPS") not in (None, ""):
            arguments += ["--day-stops", str(self.parameterAsInt(parameters, "DAY_STOPS", context))]
        RedlineRun(arguments, feedback).run()
        return {"OUTPUT": out}


class RegistryAlgorithm(RedlineAlgorithm):
    GROUP = REGISTRY_GROUP

    def add_registry(self):
        self.addParameter(QgsProcessingParameterString("REGISTRY", self.tr("Clue registry (.gpkg, or PG: connection string)")))

    def registry(self, parameters, context):
        registry = self.parameterAsString(parameters, "REGISTRY", context).strip()
        if not registry:
            raise QgsProcessingException("no clue registry given")
        return registry


class NightlyAlgorithm(RegistryAlgorithm):
    NAME = "nightly"
    DISPLAY = "Nightly run on an inbox"
    HELP = ("Checks every extract in the inbox folder that the registry has not seen and merges its clues into the "
            "registry: re-detections are counted, activity again on a rectified site raises a rebound, anything else is "
            "a new clue. Each extract's outputs go to the output folder, with run-report.json.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_registry()
        self.addParameter(QgsProcessingParameterFile("INBOX", self.tr("Inbox folder of extracts"),
                                                     behavior=QgsProcessingParameterFile.Folder))
        self.add_protection("Protection layers")
        self.addParameter(QgsProcessingParameterString("CAMPAIGN", self.tr("Campaign (e.g. 绿盾2026)"), optional=True))
        self.addParameter(QgsProcessingParameterString("SOURCE", self.tr("Source (国家下发, 省级自查, 卫片执法)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber("SETTLE", self.tr("Seconds an extract must be unchanged before it is taken"),
                                                       QgsProcessingParameterNumber.Integer, defaultValue=60, minValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputString("REPORT", self.tr("Run report (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        sources = LayerSources(context, feedback)
        out = self.parameterAsString(parameters, "OUTPUT", context)
        try:
            arguments = ["run", "--registry", self.registry(parameters, context),
                         "--inbox", self.parameterAsFile(parameters, "INBOX", context), "--out", out,
                         "--settle-seconds", str(self.parameterAsInt(parameters, "SETTLE", context))]
            arguments += self.protection_arguments(parameters, context, sources)[0]
            for key, option in [("CAMPAIGN", "--campaign"), ("SOURCE", "--source")]:
                value = self.optional_text(parameters, key, context)
                if value:
                    arguments += [option, value]
            RedlineRun(arguments, feedback).run()
        finally:
            sources.close()
        report = ""
        try:
            with open(os.path.join(out, "run-report.json"), encoding="utf-8") as source:
                report = source.read()
        except OSError:
            pass
        return {"OUTPUT": out, "REPORT": report}


class VerifyImportAlgorithm(RegistryAlgorithm):
    NAME = "verify_import"
    DISPLAY = "Import verification results"
    HELP = ("Applies the field team's results (the checklist's spreadsheet, or a CSV or GeoJSON with its columns) to the "
            "registry. Every row is checked and the valid ones are applied in one transaction (none on a dry run); each rejected "
            "row is listed with its reason, and the algorithm then fails so that they are seen.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("RESULTS", self.tr("Results file (xlsx, csv, geojson)")))
        self.add_registry()
        self.addParameter(QgsProcessingParameterBoolean("DRY_RUN", self.tr("Only check the rows (change nothing)"),
                                                        defaultValue=False))
        self.addOutput(QgsProcessingOutputNumber("APPLIED", self.tr("Rows applied")))
        self.addOutput(QgsProcessingOutputNumber("REJECTED", self.tr("Rows rejected")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        arguments = ["verify", "import", self.parameterAsFile(parameters, "RESULTS", context),
                     "--registry", self.registry(parameters, context)]
        if self.parameterAsBoolean(parameters, "DRY_RUN", context):
            arguments.append("--dry-run")
        run = RedlineRun(arguments, feedback).run(check=False)
        rejected = [line for line in run.lines if ": row " in line]
        if run.status != 0:
            first = rejected[0] if rejected else (run.errors[-1] if run.errors else f"redline exited with status {run.status}")
            applied = "nothing applied: a dry run" if self.parameterAsBoolean(parameters, "DRY_RUN", context) else "the other rows applied"
            raise QgsProcessingException(f"{len(rejected)} row(s) rejected ({applied}) — first: {first}" if rejected else first)
        counts = next((match for match in map(APPLIED.match, run.lines) if match), None)
        applied = int(counts.group(1)) if counts else 0
        return {"APPLIED": applied, "REJECTED": len(rejected)}


class StatusAlgorithm(RegistryAlgorithm):
    NAME = "status"
    DISPLAY = "Registry status"
    HELP = "Counts the registry's clues by status, county, severity and age, and lists those past their deadline."

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_registry()
        self.addParameter(QgsProcessingParameterString("AS_OF", self.tr("Count overdue clues on (YYYY-MM-DD; empty: today)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", self.tr("Status (JSON)"), "JSON files (*.json)",
                                                                optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("TOTAL", self.tr("Clues")))
        self.addOutput(QgsProcessingOutputNumber("OVERDUE", self.tr("Overdue clues")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        arguments = ["status", "--registry", self.registry(parameters, context), "--json"]
        as_of = self.optional_text(parameters, "AS_OF", context)
        if as_of:
            arguments += ["--as-of", as_of]
        run = RedlineRun(arguments, feedback, echo_stdout=False).run()
        status = json.loads("\n".join(run.lines))
        for key in ["by_status", "by_county", "by_severity"]:
            feedback.pushInfo(f"{key}: " + ", ".join(f"{name or '-'} {count}" for name, count in sorted(status[key].items())))
        for late in status["overdue"]:
            feedback.pushInfo(f"overdue: {late['clue_id']} {late['stage']} due {late['due']} ({late['days_overdue']} days)")
        results = {"TOTAL": status["total"], "OVERDUE": len(status["overdue"])}
        target = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        if target:
            with open(target, "w", encoding="utf-8") as out:
                json.dump(status, out, ensure_ascii=False, indent=1)
            results["OUTPUT"] = target
        return results


class ReportAlgorithm(RegistryAlgorithm):
    NAME = "report"
    DISPLAY = "Monthly report"
    HELP = ("Writes the month's report (月报) from the registry: report.html, report.pdf (when Chromium is installed) and "
            "report.xlsx, with counts and areas by county, stage, reserve, zone, activity and severity, the "
            "rectification rate, overdue clues, a 12-month trend and an overview map.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_registry()
        self.addParameter(QgsProcessingParameterString("PERIOD", self.tr("Month (YYYY-MM)")))
        self.addParameter(QgsProcessingParameterString("COUNTY", self.tr("Only this county (code or name)"), optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", self.tr("Report folder")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        out = self.parameterAsString(parameters, "OUTPUT", context)
        arguments = ["report", "--registry", self.registry(parameters, context),
                     "--period", self.parameterAsString(parameters, "PERIOD", context).strip(), "--out", out]
        county = self.optional_text(parameters, "COUNTY", context)
        if county:
            arguments += ["--county", county]
        RedlineRun(arguments, feedback).run()
        return {"OUTPUT": out}


ALGORITHMS = [CheckAlgorithm, ChecklistAlgorithm, NightlyAlgorithm, VerifyImportAlgorithm, StatusAlgorithm, ReportAlgorithm]
