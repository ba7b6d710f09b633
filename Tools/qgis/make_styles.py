#!/usr/bin/env python3
"""Writes the provider's QML styles (Tools/qgis/redline_provider/styles/) with PyQGIS, in the
colours of redline's printed maps and KMZ: clues by severity with their IDs as labels, overlaps by
zone, protection layers by zone. Run after changing a colour:  /usr/bin/python3 Tools/qgis/make_styles.py (the Python PyQGIS is built for)
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsCategorizedSymbolRenderer, QgsFillSymbol, QgsPalLayerSettings,  # noqa: E402
                       QgsRendererCategory, QgsRuleBasedRenderer, QgsTextBufferSettings, QgsTextFormat,
                       QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QColor  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "redline_provider", "styles")

# As Sources/RedlineChecklists/SVGMap.swift draws them.
SEVERITY = [("high", "高", "#D7191C"), ("medium", "中", "#F28E2B"), ("low", "低", "#F6D743")]
ZONES = [("core", "核心区", "#b2182b", "#7f0f1e", False), ("core_protection", "核心保护区", "#b2182b", "#7f0f1e", False),
         ("buffer", "缓冲区", "#ef8a62", "#b35a36", False), ("general_control", "一般控制区", "#ef8a62", "#b35a36", False),
         ("experimental", "实验区", "#fddbc7", "#c7886a", False), ("red_line", "生态保护红线", "#1a9850", "#0f5f31", True),
         ("unzoned", "未分区", "#999999", "#555555", False)]
# The words redline reads as each zone (Sources/RedlineCore/Zone.swift), normalised the same way.
ZONE_WORDS = {"core": ["核心区", "核心", "core", "corezone", "cz"],
              "core_protection": ["核心保护区", "coreprotection", "coreprotectionzone", "coreprotectedzone"],
              "buffer": ["缓冲区", "缓冲", "buffer", "bufferzone", "bz"],
              "general_control": ["一般控制区", "一般控制", "generalcontrol", "generalcontrolzone"],
              "experimental": ["实验区", "实验", "试验区", "experimental", "experimentalzone", "experiment", "experimentzone", "ez"],
              "red_line": ["生态保护红线", "红线", "redline", "ecologicalredline", "ecoredline"]}


def fill(colour, stroke, opacity, dashed=False, width=0.4):
    symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": stroke, "outline_width": str(width),
                                         "outline_style": "dash" if dashed else "solid"})
    symbol.setOpacity(opacity)
    return symbol


def save(layer, name):
    message, ok = layer.saveNamedStyle(os.path.join(HERE, name))
    if not ok:
        sys.exit(f"make_styles: cannot write {name}: {message}")


def main():
    application = QgsApplication([], False)
    application.initQgis()
    os.makedirs(HERE, exist_ok=True)

    clues = QgsVectorLayer("MultiPolygon?crs=EPSG:4490&field=clue_id:string&field=severity:string", "clues", "memory")
    clues.setRenderer(QgsCategorizedSymbolRenderer("severity", [
        QgsRendererCategory(code, fill(colour, "#800000", 0.75, width=0.6), f"{label} {code}") for code, label, colour in SEVERITY]))
    text = QgsTextFormat()
    text.setSize(9)
    text.setColor(QColor("#202020"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1)
    text.setBuffer(buffer)
    labels = QgsPalLayerSettings()
    labels.fieldName = "clue_id"
    labels.setFormat(text)
    clues.setLabeling(QgsVectorLayerSimpleLabeling(labels))
    clues.setLabelsEnabled(True)
    save(clues, "clues.qml")

    overlaps = QgsVectorLayer("MultiPolygon?crs=EPSG:4490&field=zone:string", "overlaps", "memory")
    overlaps.setRenderer(QgsCategorizedSymbolRenderer("zone", [
        QgsRendererCategory(code, fill(colour, stroke, 0.7, dashed), label) for code, label, colour, stroke, dashed in ZONES]))
    save(overlaps, "overlaps.qml")

    protected = QgsVectorLayer("MultiPolygon?crs=EPSG:4490&field=zone:string", "protected", "memory")
    root = QgsRuleBasedRenderer.Rule(None)
    normalised = "lower(replace(replace(replace(coalesce(\"zone\", ''), ' ', ''), '_', ''), '-', ''))"
    for code, label, colour, stroke, dashed in ZONES:
        if code not in ZONE_WORDS:
            continue
        words = ", ".join(f"'{word}'" for word in ZONE_WORDS[code])
        root.appendChild(QgsRuleBasedRenderer.Rule(fill(colour, stroke, 0.35, dashed), 0, 0, f"{normalised} IN ({words})", label))
    # A layer with no zone redline knows is drawn as a red line: that is what such layers are.
    root.appendChild(QgsRuleBasedRenderer.Rule(fill("#1a9850", "#0f5f31", 0.35, True), 0, 0, "ELSE", "生态保护红线 / 其他"))
    protected.setRenderer(QgsRuleBasedRenderer(root))
    save(protected, "protected.qml")
    application.exitQgis()


if __name__ == "__main__":
    main()
