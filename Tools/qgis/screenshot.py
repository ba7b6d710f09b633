#!/usr/bin/python3
"""Renders the README's picture of a styled result, headless with PyQGIS: the clues of a check on
Geodata/ (by severity, labelled) over the protection layers (by zone), with the provider's styles.
    /usr/bin/python3 Tools/qgis/screenshot.py CHECK_OUT docs/images/qgis-result.png
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle, QgsVectorLayer  # noqa: E402
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

application = QgsApplication([], False)
application.initQgis()
from redline_provider.algorithms import style_path, zone_field_of, zone_style  # noqa: E402

out, image = sys.argv[1], sys.argv[2]
geodata = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Geodata")
layers = []
for table, style in [("clues", "clues.qml"), ("overlaps", "overlaps.qml")]:
    layer = QgsVectorLayer(f"{out}/clues.gpkg|layername={table}", table, "ogr")
    assert layer.loadNamedStyle(style_path(style))[1]
    layers.append(layer)
for table in ["nature_reserve_zones", "red_lines"]:
    layer = QgsVectorLayer(f"{geodata}/protected.gpkg|layername={table}", table, "ogr")
    assert layer.loadNamedStyle(zone_style(style_path("protected.qml"), zone_field_of(layer)))[1]
    layers.append(layer)
settings = QgsMapSettings()
settings.setLayers(layers)
settings.setDestinationCrs(layers[2].crs())
extent = QgsRectangle(layers[2].extent())
extent.combineExtentWith(layers[0].extent())
extent.scale(1.05)
settings.setExtent(extent)
settings.setOutputSize(QSize(1000, 700))
settings.setBackgroundColor(QColor("#f7f7f2"))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(image, "png")
application.exitQgis()
