import Foundation
import GDALKit
@testable import RedlineOutputs
import Testing
import TestSupport

/// The streamed CSV against GDAL's CSV driver with the options the check used to give it, byte
/// for byte, and read back by GDAL.
@Suite struct CSVWriterTests {
    static let columns = [Column(name: "id", kind: .text), Column(name: "说明", kind: .text), Column(name: "n", kind: .integer),
                          Column(name: "m2", kind: .real(decimals: 2))]
    static let rows: [[FieldValue]] = [
        [.string("a"), .string("卡拉麦里, 核心区"), .integer(1), .real(1234.567)],
        [.string("b"), .string("他说\"停\""), .integer(-2), .real(-5)],
        [.string("c"), .string("两行\n第二行"), .null, .null],
        [.string("d"), .string("a;b\tc"), .integer(0), .real(0.004)],
        [.string("e"), .string("=SUM(A1:A9)"), .integer(3), .real(0)],
        [.string("f"), .string("-5"), .integer(4), .real(1e-9)],
        [.string(" g "), .string(""), .integer(5), .real(123_456_789.125)],
    ]

    /// GDAL's driver given every value as the text the check gave it.
    func gdalReference(_ path: String) throws {
        let dataset = try VectorDataset.create(path, driver: "CSV")
        let layer = try dataset.createLayer("t", crs: nil, geometry: .none,
                                            options: ["LINEFORMAT=LF", "STRING_QUOTING=IF_NEEDED", "WRITE_BOM=YES"])
        for column in Self.columns { try layer.createField(column.name, kind: .string) }
        for row in Self.rows {
            try layer.write(zip(Self.columns, row).map { column, value in
                if case .string(let text) = value { return .string(SafeText.cell(text)) }
                return column.text(value)
            })
        }
        try dataset.close()
    }

    @Test func theFileIsTheOneGDALsDriverWrites() throws {
        let folder = TemporaryFolder("redline-csv")
        try gdalReference(folder.path("gdal.csv"))
        let writer = try CSVWriter(path: folder.path("ours.csv"), columns: Self.columns)
        for row in Self.rows { try writer.write(row) }
        try writer.finish()
        let gdal = try Data(contentsOf: folder.url.appendingPathComponent("gdal.csv"))
        let ours = try Data(contentsOf: folder.url.appendingPathComponent("ours.csv"))
        #expect(ours == gdal, "\(String(decoding: ours, as: UTF8.self))")

        let layer = try VectorDataset.open(folder.path("ours.csv")).layer(at: 0)
        #expect(layer.fields.map(\.name) == Self.columns.map(\.name))
        var read: [[String?]] = []
        while let feature = try layer.nextFeature() { read.append((0..<4).map { feature.text($0) }) }
        #expect(read.map { $0[1] ?? "" } == ["卡拉麦里, 核心区", "他说\"停\"", "两行\n第二行", "a;b\tc", "'=SUM(A1:A9)", "'-5", ""])
        #expect(read.map { $0[3] ?? "" } == ["1234.57", "-5.00", "", "0.00", "0.00", "0.00", "123456789.13"])
    }
}
