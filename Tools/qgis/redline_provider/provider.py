"""The Processing provider: redline's algorithms and the one setting they need (where redline is)."""
import os
import shutil

from qgis.core import QgsProcessingException, QgsProcessingProvider

BINARY_SETTING = "REDLINE_BINARY"


def _config():
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
        return ProcessingConfig, Setting
    except ImportError:  # Processing's Python side is missing: the environment and PATH still work.
        return None, None


def redline_binary():
    """The redline executable: the provider setting, else $REDLINE_BINARY, else `redline` on PATH."""
    config, _ = _config()
    configured = (config.getSetting(BINARY_SETTING) if config else None) or os.environ.get(BINARY_SETTING) or ""
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        raise QgsProcessingException(
            f"redline is set to {configured}, which is not an executable file — fix it in Settings → Options → "
            "Processing → Providers → redline (or $REDLINE_BINARY)")
    found = shutil.which("redline")
    if found:
        return found
    raise QgsProcessingException(
        "redline was not found on PATH — install it (swift build -c release in the redline repository) and name "
        ".build/release/redline in Settings → Options → Processing → Providers → redline, or set $REDLINE_BINARY")


class RedlineProvider(QgsProcessingProvider):
    def id(self):
        return "redline"

    def name(self):
        return "redline"

    def longName(self):  # noqa: N802 (QGIS's name)
        return "redline — human activity in protected areas (人类活动图斑核查)"

    def load(self):
        config, setting = _config()
        if config:
            config.settingIcons[self.name()] = self.icon()
            config.addSetting(setting(self.name(), BINARY_SETTING, "redline executable (empty: redline on PATH)", "",
                                      valuetype=setting.FILE))
            config.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        config, _ = _config()
        if config:
            config.removeSetting(BINARY_SETTING)

    def loadAlgorithms(self):  # noqa: N802
        from .algorithms import ALGORITHMS
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
