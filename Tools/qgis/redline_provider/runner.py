"""Running redline for an algorithm: its errors and warnings into the Processing log, its progress
lines into the progress bar, and cancelling as SIGTERM (redline then removes what it staged and
leaves its outputs as they were)."""
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading

from qgis.core import QgsProcessingException, QgsVectorFileWriter, QgsVectorLayer

from .provider import redline_binary

PROGRESS = re.compile(r"^progress: (\d+)(?: of (\d+))? patches")
WARNING_PREFIX = "redline: warning: "
ERROR_PREFIX = "redline: "


class RedlineRun:
    """One redline command. `lines` holds stdout's lines once it has finished, `status` its exit
    status; `echo_stdout=False` keeps stdout out of the log (for JSON the algorithm shows itself)."""

    def __init__(self, arguments, feedback, echo_stdout=True):
        self.arguments = [str(argument) for argument in arguments]
        self.feedback = feedback
        self.echo_stdout = echo_stdout
        self.lines = []
        self.errors = []
        self.warnings = []
        self.status = None

    def _read(self, stream, name, sink):
        for line in iter(stream.readline, ""):
            sink.put((name, line.rstrip("\n")))
        sink.put((name, None))

    def _take(self, name, line):
        if name == "stderr":
            match = PROGRESS.match(line)
            if match:
                done, total = int(match.group(1)), int(match.group(2) or 0)
                if total:
                    self.feedback.setProgress(100.0 * done / total)
                return
            if line.startswith(WARNING_PREFIX):
                self.warnings.append(line[len(WARNING_PREFIX):])
                self.feedback.pushWarning(line[len(WARNING_PREFIX):])
            elif line.startswith(ERROR_PREFIX):
                self.errors.append(line[len(ERROR_PREFIX):])
                self.feedback.reportError(line[len(ERROR_PREFIX):], False)
            elif line.strip():
                self.errors.append(line)
                self.feedback.reportError(line, False)
        else:
            self.lines.append(line)
            if self.echo_stdout:
                self.feedback.pushInfo(line)

    def run(self, check=True):
        """Runs redline to its end (or until cancelled); raises with redline's own message when it fails."""
        command = [redline_binary()] + self.arguments
        self.feedback.pushCommandInfo(" ".join(_quoted(part) for part in command))
        environment = dict(os.environ, LC_ALL=os.environ.get("LC_ALL", "C.UTF-8"))
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, encoding="utf-8", errors="replace", env=environment)
        sink = queue.Queue()
        readers = [threading.Thread(target=self._read, args=(process.stdout, "stdout", sink), daemon=True),
                   threading.Thread(target=self._read, args=(process.stderr, "stderr", sink), daemon=True)]
        for reader in readers:
            reader.start()
        open_streams, cancelled = 2, False
        while open_streams:
            try:
                name, line = sink.get(timeout=0.2)
            except queue.Empty:
                if self.feedback.isCanceled() and not cancelled:
                    cancelled = True
                    process.send_signal(signal.SIGTERM)
                continue
            if line is None:
                open_streams -= 1
            else:
                self._take(name, line)
        process.stdout.close()
        process.stderr.close()
        try:
            status = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            status = process.wait()
        self.status = status
        if cancelled:
            raise QgsProcessingException("cancelled: redline stopped, and its outputs are as they were before the run")
        if check and status != 0:
            # A bad option comes as ArgumentParser's "Error: …" then its usage; redline's own errors as one line.
            usage = [line for line in self.errors if line.startswith("Error: ")]
            message = (usage or self.errors or [f"redline exited with status {status}"])[-1 if not usage else 0]
            raise QgsProcessingException(message)
        return self


def _quoted(text):
    return text if re.fullmatch(r"[\w@%+=:,./|-]+", text) else "'" + text.replace("'", "'\\''") + "'"


class LayerSources:
    """Paths redline can open for QGIS layers: a file layer as its path (and layer name); anything
    else — a memory layer, a database table, a filtered or reprojected layer — exported to a
    temporary GeoPackage first, as QGIS shows it."""

    def __init__(self, context, feedback):
        self.context = context
        self.feedback = feedback
        self.folder = tempfile.TemporaryDirectory(prefix="redline-qgis-")
        self.count = 0

    def close(self):
        self.folder.cleanup()

    def path(self, layer):
        if not isinstance(layer, QgsVectorLayer):
            raise QgsProcessingException(f"{layer.name()} is not a vector layer")
        if layer.providerType() == "ogr":
            parts = layer.source().split("|")
            options = dict(part.split("=", 1) for part in parts[1:] if "=" in part)
            if os.path.isfile(parts[0]) and set(options) <= {"layername"}:
                return parts[0] + (f"|layername={options['layername']}" if "layername" in options else "")
        self.count += 1
        target = os.path.join(self.folder.name, f"layer{self.count}.gpkg")
        settings = QgsVectorFileWriter.SaveVectorOptions()
        settings.driverName = "GPKG"
        settings.layerName = re.sub(r"\W", "_", layer.name()) or f"layer{self.count}"
        settings.fileEncoding = "UTF-8"
        writer = getattr(QgsVectorFileWriter, "writeAsVectorFormatV3", None) or QgsVectorFileWriter.writeAsVectorFormatV2
        result = writer(layer, target, self.context.transformContext(), settings)
        if result[0] != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(f"cannot export {layer.name()} for redline: {result[1]}")
        self.feedback.pushInfo(f"{layer.name()} exported to {target} for redline")
        return f"{target}|layername={settings.layerName}"
