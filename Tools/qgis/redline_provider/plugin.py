"""Registers the provider with QGIS, in the desktop and in qgis_process alike."""
from qgis.core import QgsApplication

from .provider import RedlineProvider


class RedlinePlugin:
    def __init__(self):
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        self.provider = RedlineProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
