import Foundation
import GDALKit

/// Something suspicious about the input that did not stop the run: printed as one line on stderr,
/// listed in summary.json and run-report.json (so a nightly job can alert on it), and a failure
/// under `--strict`.
public struct RunWarning: Sendable, Equatable, CustomStringConvertible {
    /// A stable name a job can match on, e.g. `empty_activity_id`.
    public let code: String
    /// One sentence naming the file, the feature and what to do.
    public let message: String
    /// The source it concerns ("file.gpkg:layer"), when there is one.
    public let file: String?
    /// The feature(s) it concerns, as the data names them.
    public let feature: String?

    public init(code: String, message: String, file: String? = nil, feature: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.feature = feature
    }

    /// The message on one line, whatever the data put in it.
    public var description: String { OneLine.escape(message) }
}

/// The warnings of one run, from whichever thread finds them; in the order they were added.
public final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RunWarning] = []

    public init() {}

    public func add(_ warning: RunWarning) {
        lock.lock()
        defer { lock.unlock() }
        if !items.contains(warning) { items.append(warning) }
    }

    public func add(code: String, _ message: String, file: String? = nil, feature: String? = nil) {
        add(RunWarning(code: code, message: message, file: file, feature: feature))
    }

    public var all: [RunWarning] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    /// Counted values for a warning's message, most frequent first: “采矿” ×3, “(empty)” ×1.
    public static func listed(_ counts: [String: Int], first: Int = 8) -> String {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(first)
            .map { "“\($0.key.isEmpty ? "(empty)" : $0.key)” ×\($0.value)" }.joined(separator: ", ")
    }

    /// Turns the warnings GDAL gave since the last collection into warnings about `file`.
    public func collectGDALWarnings(file: String) {
        for message in GDALDiagnostics.takeWarnings() {
            add(code: "gdal_warning", "GDAL warned while reading \(file): \(message) — check that the file is complete "
                + "and opens cleanly in QGIS or ogrinfo", file: file)
        }
    }
}

/// Text values read from the data.
public enum DataText {
    /// `text` without C0/C1 control characters and DEL (tab, line feed and carriage return
    /// stay), or nil when it has none: they make XML ill-formed and forge lines in logs.
    public static func withoutControls(_ text: String) -> String? {
        findings(in: text).contains(.controls) ? stripped(text) : nil
    }

    /// What a value holds that needs care.
    public struct Findings: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let controls = Findings(rawValue: 1)
        /// U+FFFD: bytes that were not valid text in the encoding they were decoded with.
        public static let replacement = Findings(rawValue: 2)
    }

    /// One pass over the UTF-8 bytes: nearly every value is clean, and this costs no allocation.
    public static func findings(in text: String) -> Findings {
        var found: Findings = []
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        for byte in text.utf8 {
            if (byte < 0x20 && byte != 9 && byte != 10 && byte != 13) || byte == 0x7F
                || (previous == 0xC2 && (0x80..<0xA0).contains(byte)) {
                found.insert(.controls)
            }
            if beforePrevious == 0xEF && previous == 0xBF && byte == 0xBD { found.insert(.replacement) }
            (beforePrevious, previous) = (previous, byte)
        }
        return found
    }

    static func stripped(_ text: String) -> String {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let control = (value < 0x20 && value != 9 && value != 10 && value != 13) || (0x7F...0x9F).contains(value)
            if !control { cleaned.append(scalar) }
        }
        return String(cleaned)
    }
}

/// Text from the data made safe for one line of a terminal or a log: newlines, escape sequences
/// and other control characters cannot start a forged line or recolour the screen.
public enum OneLine {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += " "
            case _ where isControl(scalar): out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}
