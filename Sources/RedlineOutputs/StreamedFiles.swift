import Foundation
import GDALKit
import GEOSKit
import RedlineCore

/// A file written through a buffer of its own: bytes in, `write(2)` per megabyte. A failed write
/// (a full disk) is an error of the file, never a short file that looks whole.
final class StreamedFile {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushAt = 1 << 20

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RedlineError.outputFailed(path: path, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(Self.flushAt + 64 * 1024)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// `value` with `decimals` digits after the point, as `TableWriter.fixed` gives it, put
    /// straight into the buffer (a String per coordinate was a visible share of writing); with
    /// `trimmingZeros`, trailing zeros are cut but one decimal kept (89.0, 45.1234568).
    func append(fixed value: Double, decimals: Int, trimmingZeros: Bool = false) {
        let scaled = decimals < Self.powersOfTen.count ? (abs(value) * Self.powersOfTen[decimals]).rounded() : .infinity
        guard scaled.isFinite, scaled < 9e15 else {
            // Beyond integer arithmetic: the slow path, with its text trimmed the same way.
            var text = TableWriter.fixed(value, decimals)
            while trimmingZeros && text.contains(".") && text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
            return append(text)
        }
        var units = UInt64(scaled)
        if value < 0 && units > 0 { buffer.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { scratch in
            // Digits from the last; the fraction's are scratch[0..<decimals], and one before the point at least.
            var count = 0
            repeat {
                scratch[count] = UInt8(ascii: "0") + UInt8(units % 10)
                units /= 10
                count += 1
            } while units > 0 || count <= decimals
            for index in stride(from: count - 1, through: decimals, by: -1) { buffer.append(scratch[index]) }
            guard decimals > 0 else { return }
            var kept = decimals
            if trimmingZeros {
                while kept > 1 && scratch[decimals - kept] == UInt8(ascii: "0") { kept -= 1 }
            }
            buffer.append(UInt8(ascii: "."))
            for index in stride(from: decimals - 1, through: decimals - kept, by: -1) { buffer.append(scratch[index]) }
        }
    }

    private static let powersOfTen: [Double] = (0...15).map { pow(10, Double($0)) }
    func append(byte: UInt8) { buffer.append(byte) }

    /// Writes the buffer out once it is full.
    func flushIfFull() throws {
        if buffer.count >= Self.flushAt { try flush() }
    }

    func flush() throws {
        var written = 0
        try buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw RedlineError.outputFailed(path: path, reason: String(cString: strerror(errno)))
                }
                written += result
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes the file: it is complete when this returns.
    func finish() throws {
        try flush()
        let result = close(descriptor)
        descriptor = -1
        guard result == 0 else { throw RedlineError.outputFailed(path: path, reason: String(cString: strerror(errno))) }
    }
}

/// An RFC 7946 GeoJSON FeatureCollection streamed straight to its file: GDAL's driver built an
/// OGR feature per row and formatted every coordinate with printf, which made clues.geojson the
/// costliest of a check's files. The file is laid out as GDAL lays it out (one feature per line),
/// with WGS 84 lon/lat, shells counter-clockwise and holes clockwise, a one-part multi-polygon
/// written as a polygon, coordinates to 7 decimals without trailing zeros, reals at the
/// column's decimals; tests read it back with GDAL.
final class GeoJSONWriter {
    private let file: StreamedFile
    private let columns: [Column]
    /// `"name": ` of each column, escaped once.
    private let keys: [[UInt8]]
    private let converter: WGS84Converter
    private var written = 0

    init(path: String, columns: [Column], crs: String) throws {
        file = try StreamedFile(path: path)
        self.columns = columns
        keys = columns.map { Array(("\"" + Self.escaped($0.name) + "\": ").utf8) }
        converter = try WGS84Converter(crsText: crs)
        file.append("{\n\"type\": \"FeatureCollection\",\n\"features\": [\n")
    }

    /// One feature: `values` in column order, the polygon as WKB in the writer's CRS (nil: no geometry).
    func write(_ values: [FieldValue], wkb: [UInt8]?) throws {
        file.append(written == 0 ? "{ \"type\": \"Feature\", \"properties\": { " : ",\n{ \"type\": \"Feature\", \"properties\": { ")
        for (index, (column, value)) in zip(columns, values).enumerated() {
            if index > 0 { file.append(", ") }
            file.append(keys[index])
            property(value, column: column)
        }
        file.append(" }, \"geometry\": ")
        if let wkb { try geometry(wkb) } else { file.append("null") }
        file.append(" }")
        written += 1
        try file.flushIfFull()
    }

    func finish() throws {
        file.append("\n]\n}\n")
        try file.finish()
    }

    private func property(_ value: FieldValue, column: Column) {
        switch value {
        case .null: file.append("null")
        case .integer(let number): file.append(String(number))
        case .string(let text):
            file.append(byte: UInt8(ascii: "\""))
            file.append(Self.escaped(text))
            file.append(byte: UInt8(ascii: "\""))
        case .real(let number):
            guard number.isFinite else { file.append("null"); return }
            if case .real(let decimals) = column.kind {
                file.append(Self.number(TableWriter.round(number, decimals)))
            } else {
                file.append(Self.number(number))
            }
        }
    }

    /// A real as GDAL writes it with 15 significant figures: the shortest text that reads back
    /// the same (reals are rounded to their column's decimals first), with ".0" on whole numbers.
    static func number(_ value: Double) -> String { "\(value)" }

    private func geometry(_ wkb: [UInt8]) throws {
        var polygons = try WKB.polygons(of: wkb)
        for polygon in polygons.indices {
            for ring in polygons[polygon].indices {
                try converter.convert(&polygons[polygon][ring])
                // RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
                let counterClockwise = WKB.signedArea(ofRing: polygons[polygon][ring]) > 0
                if counterClockwise != (ring == 0) { Self.reverse(&polygons[polygon][ring]) }
            }
        }
        if polygons.count == 1 {
            file.append("{ \"type\": \"Polygon\", \"coordinates\": ")
            rings(polygons[0])
        } else {
            file.append("{ \"type\": \"MultiPolygon\", \"coordinates\": [ ")
            for (index, polygon) in polygons.enumerated() {
                if index > 0 { file.append(", ") }
                rings(polygon)
            }
            file.append(" ]")
        }
        file.append(" }")
    }

    private func rings(_ rings: [[Double]]) {
        file.append("[ ")
        for (index, ring) in rings.enumerated() {
            if index > 0 { file.append(", ") }
            file.append("[ ")
            for point in stride(from: 0, to: ring.count - 1, by: 2) {
                if point > 0 { file.append(", ") }
                file.append("[ ")
                coordinate(ring[point])
                file.append(", ")
                coordinate(ring[point + 1])
                file.append(" ]")
            }
            file.append(" ]")
        }
        file.append(" ]")
    }

    /// A coordinate to 7 decimals, trailing zeros cut but one decimal kept (89.0, 45.1234568).
    private func coordinate(_ value: Double) { file.append(fixed: value, decimals: 7, trimmingZeros: true) }

    private static func reverse(_ ring: inout [Double]) {
        var low = 0, high = ring.count - 2
        while low < high {
            ring.swapAt(low, high)
            ring.swapAt(low + 1, high + 1)
            low += 2
            high -= 2
        }
    }

    /// JSON string content: quotes, backslashes and control characters escaped; the rest as is.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A CSV table streamed straight to its file, as GDAL's CSV driver wrote it with the options the
/// check gave it (UTF-8 with a byte-order mark so Excel reads Chinese right, LF line ends, a value
/// quoted only when it holds `,` `;` `"` a tab or a line break): GDAL's driver copied every row
/// through an OGR feature. Every value is fixed text (reals at their column's decimals), and
/// text that could start a spreadsheet formula is neutralised. Tests compare it with GDAL's output.
final class CSVWriter {
    private let file: StreamedFile
    private let columns: [Column]

    init(path: String, columns: [Column]) throws {
        file = try StreamedFile(path: path)
        self.columns = columns
        file.append([0xEF, 0xBB, 0xBF])
        line(columns.map(\.name))
    }

    func write(_ values: [FieldValue]) throws {
        for (index, (column, value)) in zip(columns, values).enumerated() {
            if index > 0 { file.append(byte: UInt8(ascii: ",")) }
            switch (value, column.kind) {
            case (.real(let number), .real(let decimals)): file.append(fixed: number, decimals: decimals)
            // Text must not start a spreadsheet formula (figures may start with a minus).
            case (.string(let text), _): cell(SafeText.cell(text))
            case (.null, _): break
            case (.integer(let number), _): file.append(String(number))
            case (.real(let number), _): file.append("\(number)")
            }
        }
        file.append(byte: UInt8(ascii: "\n"))
        try file.flushIfFull()
    }

    func finish() throws { try file.finish() }

    private func line(_ cells: [String]) {
        for (index, text) in cells.enumerated() {
            if index > 0 { file.append(byte: UInt8(ascii: ",")) }
            cell(text)
        }
        file.append(byte: UInt8(ascii: "\n"))
    }

    private func cell(_ text: String) {
        guard text.utf8.contains(where: Self.needsQuotes) else { return file.append(text) }
        file.append(byte: UInt8(ascii: "\""))
        file.append(text.utf8.contains(UInt8(ascii: "\"")) ? text.replacingOccurrences(of: "\"", with: "\"\"") : text)
        file.append(byte: UInt8(ascii: "\""))
    }

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
