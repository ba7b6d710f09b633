import Foundation
import GDALKit
import GEOSKit
@testable import RedlineOutputs
import Testing
import TestSupport

/// The streamed GeoJSON against GDAL's own GeoJSON driver (the reference it replaces) with the
/// options the check used to give it, byte for byte, and read back by GDAL.
@Suite struct GeoJSONWriterTests {
    static let columns = [Column(name: "id", kind: .text), Column(name: "名称", kind: .text), Column(name: "n", kind: .integer),
                          Column(name: "m2", kind: .real(decimals: 2)), Column(name: "share", kind: .real(decimals: 4)),
                          Column(name: "lon", kind: .real(decimals: 7))]
    /// A clockwise shell with a counter-clockwise hole (both the wrong way for RFC 7946).
    static let backwards = Fixture.polygon([[(89, 45), (89, 45.1), (89.1, 45.1), (89.1, 45), (89, 45)],
                                            [(89.02, 45.02), (89.05, 45.02), (89.05, 45.05), (89.02, 45.05), (89.02, 45.02)]])
    static let twoParts = Fixture.multiPolygon([[Fixture.box(88.000000049, 44.5, 88.1, 44.6)],
                                                [Fixture.box(-0.00000001, 0, 0.3, 0.123456789)]])
    static let rows: [([FieldValue], [UInt8]?)] = [
        ([.string("a"), .string("卡拉麦里 \"核心\" \\ 区\n第二行\t/"), .integer(42), .real(1234.5678), .real(1), .real(89.123456789)],
         backwards),
        ([.string("b"), .null, .integer(-7), .real(0.000001), .real(0.99994), .null], twoParts),
        ([.string("c"), .string(""), .null, .real(123_456_789_012.345), .real(0), .real(-0.0000000001)], nil),
        ([.string("d"), .string("x"), .integer(0), .real(0), .real(0.5), .real(90)], Fixture.polygon([Fixture.box(89, 45, 89.3, 45.7)])),
    ]

    /// GDAL's driver, given the rows as the check gave them (reals already at their decimals).
    func gdalReference(_ path: String, rows: [([FieldValue], [UInt8]?)]) throws {
        let dataset = try VectorDataset.create(path, driver: "GeoJSON")
        let layer = try dataset.createLayer("clues", crs: "EPSG:4490", geometry: .multiPolygon,
                                            options: ["RFC7946=YES", "COORDINATE_PRECISION=7", "SIGNIFICANT_FIGURES=15",
                                                      "WRITE_NAME=NO"])
        for column in Self.columns {
            switch column.kind {
            case .text: try layer.createField(column.name, kind: .string)
            case .integer: try layer.createField(column.name, kind: .integer)
            case .real(let decimals): try layer.createField(column.name, kind: .real, width: 24, precision: decimals)
            }
        }
        for (values, wkb) in rows {
            let rounded = zip(Self.columns, values).map { column, value -> FieldValue in
                guard case .real(let decimals) = column.kind, case .real(let number) = value else { return value }
                return .real(TableWriter.round(number, decimals))
            }
            try layer.write(rounded, wkb: wkb, promoteToMulti: wkb != nil)
        }
        try dataset.close()
    }

    func streamed(_ path: String, rows: [([FieldValue], [UInt8]?)]) throws {
        let writer = try GeoJSONWriter(path: path, columns: Self.columns, crs: "EPSG:4490")
        for (values, wkb) in rows { try writer.write(values, wkb: wkb) }
        try writer.finish()
    }

    @Test(arguments: [0, 1, 4])
    func theFileIsTheOneGDALsDriverWrites(rowCount: Int) throws {
        let folder = TemporaryFolder("redline-geojson")
        try gdalReference(folder.path("gdal.geojson"), rows: Array(Self.rows.prefix(rowCount)))
        try streamed(folder.path("ours.geojson"), rows: Array(Self.rows.prefix(rowCount)))
        // GDAL keeps the sign of a coordinate that rounds to zero (-0.0); we write 0.0, as the CSV does.
        let gdal = try String(contentsOfFile: folder.path("gdal.geojson"), encoding: .utf8)
            .replacingOccurrences(of: "[ -0.0,", with: "[ 0.0,")
        let ours = try String(contentsOfFile: folder.path("ours.geojson"), encoding: .utf8)
        #expect(ours == gdal)
    }

    @Test func gdalReadsItBackWithRFC7946Rings() throws {
        let folder = TemporaryFolder("redline-geojson-read")
        try streamed(folder.path("ours.geojson"), rows: Self.rows)
        let layer = try VectorDataset.open(folder.path("ours.geojson")).layer(at: 0)
        #expect(layer.fields.map(\.name) == Self.columns.map(\.name))
        let first = try #require(try layer.nextFeature())
        #expect(first.text(1) == "卡拉麦里 \"核心\" \\ 区\n第二行\t/")
        #expect(first.text(2) == "42" && Double(first.text(3) ?? "") == 1234.57 && Double(first.text(5) ?? "") == 89.1234568)
        guard case .polygonal(let wkb) = first.geometry() else { Issue.record("no polygon"); return }
        let rings = try WKB.polygons(of: wkb)[0]
        #expect(rings.count == 2)
        #expect(signedArea(rings[0]) > 0 && signedArea(rings[1]) < 0, "shell counter-clockwise, hole clockwise")
        let second = try #require(try layer.nextFeature())
        #expect(second.text(1) == nil && second.text(2) == "-7")
        guard case .polygonal(let parts) = second.geometry() else { Issue.record("no polygon"); return }
        #expect(try WKB.polygons(of: parts).count == 2)
        let third = try #require(try layer.nextFeature())
        if case .polygonal = third.geometry() { Issue.record("a row without geometry got one") }
    }

    private func signedArea(_ ring: [Double]) -> Double {
        var twice = 0.0
        for point in stride(from: 0, to: ring.count - 2, by: 2) {
            let cross: Double = ring[point] * ring[point + 3] - ring[point + 2] * ring[point + 1]
            twice += cross
        }
        return twice / 2
    }
}
