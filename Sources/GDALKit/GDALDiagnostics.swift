internal import CGDAL
import Foundation

/// GDAL's warnings (CE_Warning: a truncated record, a field value that did not fit, a bad
/// code page), kept instead of printed so that the caller can report them as its own, naming the
/// file. Errors are not kept here: they stay GDAL's "last error" and become thrown `GDALError`s.
public enum GDALDiagnostics {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pending: [String] = []
    /// More than this many pending warnings are counted, not kept: a driver may warn per feature.
    private static let limit = 200
    nonisolated(unsafe) private static var dropped = 0

    /// The handler installed with `CPLSetErrorHandler`: GDAL calls it on the thread that erred.
    /// The last error is recorded by GDAL itself before the handler runs.
    static let handler: CPLErrorHandler = { level, _, message in
        guard level == CE_Warning, let message else { return }
        let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !isNoise(text) else { return }
        lock.lock()
        defer { lock.unlock() }
        if pending.count < limit { pending.append(text) } else { dropped += 1 }
    }

    /// GDAL 3.6 knows GeoPackage up to 1.3 and warns on every 1.4 file (what GDAL ≥ 3.7, and so
    /// current QGIS, writes), though 1.4 changed nothing it reads: a warning on every input would
    /// fail each `--strict` run and teach people to ignore warnings. Later versions still warn.
    static func isNoise(_ text: String) -> Bool {
        text.hasPrefix("This version of GeoPackage user_version=") && text.contains(", v1.4.")
    }

    /// The warnings GDAL gave since the last call, in order, repeated ones once with their count
    /// ("… (×12)"); the pending list is emptied.
    public static func takeWarnings() -> [String] {
        GDAL.register()
        lock.lock()
        let taken = pending, more = dropped
        pending = []
        dropped = 0
        lock.unlock()
        var counts: [String: Int] = [:], order: [String] = []
        for message in taken {
            if counts[message] == nil { order.append(message) }
            counts[message, default: 0] += 1
        }
        var result = order.map { counts[$0]! > 1 ? "\($0) (×\(counts[$0]!))" : $0 }
        if more > 0 { result.append("and \(more) more GDAL warnings") }
        return result
    }
}
