#!/usr/bin/python3
"""Renders the README's pictures headless with PyQGIS: the Processing toolbox with redline's
algorithms beside the Check algorithm's dialog on Geodata/'s layers, and the styled result — the
clues of a check on Geodata/ (by severity, labelled) over the protection layers (by zone).
    /usr/bin/python3 Tools/qgis/screenshot.py CHECK_OUT docs/images/qgis-toolbox.png docs/images/qgis-result.png
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, "/usr/share/qgis/python/plugins")  # Processing's own GUI, as Debian installs it
from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject,  # noqa: E402
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage, QPainter  # noqa: E402

application = QgsApplication([], True)
application.initQgis()
from processing.core.Processing import Processing  # noqa: E402
from qgis.gui import QgsProcessingToolboxTreeView  # noqa: E402

from redline_provider.algorithms import style_path, zone_field_of, zone_style  # noqa: E402
from redline_provider.provider import RedlineProvider  # noqa: E402

out, toolbox_image, image = sys.argv[1], sys.argv[2], sys.argv[3]
geodata = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Geodata")

# The toolbox, redline's provider open, and the Check dialog as an analyst fills it in.
Processing.initialize()
provider = RedlineProvider()
QgsApplication.processingRegistry().addProvider(provider)
project = QgsProject.instance()
inputs = {}
for key, source, name in [("PATCHES", "activities.gpkg", "activities"),
                          ("PROTECTED", "protected.gpkg|layername=nature_reserve_zones", "nature_reserve_zones"),
                          ("PROTECTED", "protected.gpkg|layername=red_lines", "red_lines"),
                          ("COUNTIES", "counties.gpkg", "counties")]:
    layer = QgsVectorLayer(f"{geodata}/{source}", name, "ogr")
    project.addMapLayer(layer)
    inputs[key] = inputs.get(key, []) + [layer.id()] if key == "PROTECTED" else layer.id()
tree = QgsProcessingToolboxTreeView(None, QgsApplication.processingRegistry())
tree.setHeaderHidden(True)
tree.resize(400, 700)
model = tree.model()
for row in range(model.rowCount()):
    index = model.index(row, 0)
    # Only redline's provider, open: the other providers' groups are QGIS's, not ours.
    tree.setRowHidden(row, index.parent(), index.data() != "redline")
    if index.data() == "redline":
        tree.setExpanded(index, True)
        for child in range(model.rowCount(index)):
            tree.setExpanded(model.index(child, 0, index), True)
        tree.setCurrentIndex(model.index(0, 0, model.index(0, 0, index)))
tree.show()
from processing.gui.AlgorithmDialog import AlgorithmDialog  # noqa: E402 (needs Processing initialised)
dialog = AlgorithmDialog(QgsApplication.processingRegistry().algorithmById("redline:check").create(), False, None)
dialog.setParameters(inputs)
dialog.resize(900, 700)
dialog.show()
application.processEvents()
left, right = tree.grab(), dialog.grab()
picture = QImage(left.width() + right.width() + 12, max(left.height(), right.height()), QImage.Format_RGB32)
picture.fill(QColor("#d8d8d8"))
painter = QPainter(picture)
painter.drawPixmap(0, 0, left)
painter.drawPixmap(left.width() + 12, 0, right)
painter.end()
picture.save(toolbox_image, "png")

# The styled result.
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
