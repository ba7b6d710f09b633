/// Shared helpers for the test targets: temporary folders, fixture layers written through GDAL,
/// and independent reference formulas for ellipsoidal areas.
import Foundation
import GDALKit

/// A temporary folder removed when the value goes away.
public final class TemporaryFolder {
    public let url: URL

    public init(_ name: String = "redline-test") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A feature to write into a fixture layer: attribute values in field order and WKB.
public struct FixtureFeature: Sendable {
    public let values: [FieldValue]
    public let wkb: [UInt8]?

    public init(_ values: [FieldValue], wkb: [UInt8]?) {
        self.values = values
        self.wkb = wkb
    }
}

public enum Fixture {
    /// Writes one layer into a new dataset (or a new layer of an existing GeoPackage) and closes it.
    @discardableResult
    public static func write(_ path: String, driver: String = "GPKG", layer: String, crs: String?,
                             fields: [FieldDefinition], features: [FixtureFeature],
                             layerOptions: [String] = [], append: Bool = false,
                             geometry: GeometryType = .unknown) throws -> String {
        let dataset = append && FileManager.default.fileExists(atPath: path)
            ? try VectorDataset.open(path, update: true)
            : try VectorDataset.create(path, driver: driver)
        let created = try dataset.createLayer(layer, crs: crs, geometry: geometry, options: layerOptions)
        for field in fields { try created.createField(field.name, kind: field.kind) }
        for feature in features { try created.write(feature.values, wkb: feature.wkb) }
        try dataset.close()
        return path
    }

    /// 2D little-endian WKB of a polygon given as rings of (x, y) pairs.
    public static func polygon(_ rings: [[(Double, Double)]]) -> [UInt8] {
        var bytes: [UInt8] = [1]
        append(UInt32(3), to: &bytes)
        appendRings(rings, to: &bytes)
        return bytes
    }

    /// 2D WKB of a multi-polygon.
    public static func multiPolygon(_ polygons: [[[(Double, Double)]]]) -> [UInt8] {
        var bytes: [UInt8] = [1]
        append(UInt32(6), to: &bytes)
        append(UInt32(polygons.count), to: &bytes)
        for rings in polygons { bytes += polygon(rings) }
        return bytes
    }

    /// ISO WKB with Z (type 1003) of a polygon, every vertex at height `z`.
    public static func polygonZ(_ rings: [[(Double, Double)]], z: Double) -> [UInt8] {
        var bytes: [UInt8] = [1]
        append(UInt32(1003), to: &bytes)
        append(UInt32(rings.count), to: &bytes)
        for ring in rings {
            append(UInt32(ring.count + 1), to: &bytes)
            for (x, y) in ring + [ring[0]] {
                append(x, to: &bytes); append(y, to: &bytes); append(z, to: &bytes)
            }
        }
        return bytes
    }

    /// An axis-aligned rectangle ring.
    public static func box(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> [(Double, Double)] {
        [(minX, minY), (maxX, minY), (maxX, maxY), (minX, maxY)]
    }

    private static func appendRings(_ rings: [[(Double, Double)]], to bytes: inout [UInt8]) {
        append(UInt32(rings.count), to: &bytes)
        for ring in rings {
            append(UInt32(ring.count + 1), to: &bytes)
            for (x, y) in ring + [ring[0]] {
                append(x, to: &bytes); append(y, to: &bytes)
            }
        }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func append(_ value: Double, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }
}

/// Closed-form ellipsoidal areas, independent of the code under test.
public enum ReferenceArea {
    public static let grs80 = (a: 6_378_137.0, f: 1 / 298.257222101)

    /// Area between two parallels and two meridians (a latitude-longitude "rectangle") on an
    /// ellipsoid, from the authalic-latitude formula: A = Δλ · b²/2 · [q(φ2) − q(φ1)].
    public static func graticuleCell(lon1: Double, lat1: Double, lon2: Double, lat2: Double,
                                     a: Double = grs80.a, f: Double = grs80.f) -> Double {
        let e2 = f * (2 - f), e = e2.squareRoot(), b = a * (1 - f)
        func q(_ latitude: Double) -> Double {
            let s = sin(latitude * .pi / 180)
            return s / (1 - e2 * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e)
        }
        return abs((lon2 - lon1) * .pi / 180 * b * b / 2 * (q(lat2) - q(lat1)))
    }

    /// The surface area of the whole ellipsoid: 2πa²(1 + (1 − e²)/e · atanh e).
    public static func ellipsoidSurface(a: Double = grs80.a, f: Double = grs80.f) -> Double {
        let e2 = f * (2 - f), e = e2.squareRoot()
        return 2 * .pi * a * a * (1 + (1 - e2) / e * atanh(e))
    }
}

/// A small seeded generator (SplitMix64), so random test cases are the same on every run.
public struct SplitMix {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next value in 0..<1.
    public mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}

/// A field team's hand on a checklist spreadsheet: fills the first clue's 核查结果 and 核查日期
/// cells in the sheet XML, as Excel or WPS would save them (a shared or inline string, a date
/// serial), leaving every other part of the file as redline wrote it.
public enum ChecklistSheet {
    /// Fills row 2 (the first clue); returns its clue ID.
    public static func fill(_ path: String, result: String, excelDay: Int) throws -> String {
        let layer = try GDALConfiguration.with([("OGR_XLSX_HEADERS", "FORCE")]) { try VectorDataset.open(path).layer(at: 0) }
        let names = layer.fields.map(\.name)
        guard let resultColumn = names.firstIndex(where: { $0.hasPrefix("核查结果") }), let dateColumn = names.firstIndex(of: "核查日期"),
              let idColumn = names.firstIndex(of: "线索编号"), let id = try layer.nextFeature()?.text(idColumn) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(path): no checklist columns in \(names)"])
        }
        func cell(_ column: Int) -> String { letters(column) + "2" }
        try ZipArchive.rewrite(path, "xl/worksheets/sheet1.xml", [
            (#"<c r="\#(cell(resultColumn))" s="(\d+)"/>"#, #"<c r="\#(cell(resultColumn))" s="\1" t="inlineStr"><is><t>\#(result)</t></is></c>"#),
            (#"<c r="\#(cell(dateColumn))" s="(\d+)"/>"#, #"<c r="\#(cell(dateColumn))" s="\1"><v>\#(excelDay)</v></c>"#),
        ])
        return id
    }

    /// The A1-style letters of a 0-based column.
    public static func letters(_ column: Int) -> String {
        var letters = "", rest = column + 1
        while rest > 0 {
            letters = String(UnicodeScalar(UInt8(65 + (rest - 1) % 26))) + letters
            rest = (rest - 1) / 26
        }
        return letters
    }
}
