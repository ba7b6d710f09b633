"""redline's QGIS Processing provider: the redline command line as toolbox algorithms.

Install by copying this folder into QGIS's plugin folder (or pointing QGIS_PLUGINPATH at its
parent) and enabling the plugin; `qgis_process plugins enable redline_provider` does the same
for headless runs.
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import RedlinePlugin
    return RedlinePlugin()
