import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs
import Testing
import TestSupport

/// The clue record's one contract: what the writers put in clues.gpkg / .csv / .geojson is what
/// the reader gets back, rounded to each column's decimals (figures worked by hand below), and a
/// damaged table is refused by name instead of read as a milder clue.
@Suite struct ClueRecordTests {
    static let inside: [ClueColumn: String] = [
        .clueID: "652325-2026Q3-000042", .activityID: "KL-0042", .sourceLayer: "day1.gpkg:patches",
        .countyCode: "652325", .countyName: "奇台县", .period: "2026Q3", .detectedOn: "2026-09-20",
        .activityType: "mining", .activityTypeLabel: "采矿", .activityTypeInData: "露天采矿",
        .verdict: "prohibited", .verdictLabel: "禁止", .severity: "high", .severityLabel: "高", .ruleID: "R1",
        .reasonZh: "核心区禁止采矿", .reasonEn: "mining is prohibited in a core zone", .placement: "inside",
        .overlapM2: "1234.5678", .overlapHa: "0.12345678", .overlapMu: "1.8518517", .patchM2: "2000.004",
        .patchHa: "0.2000004", .shareInside: "0.61728", .strictestZone: "core", .strictestZoneLabel: "核心区",
        .protectedIDs: "KLML-core; HX-03", .protectedNames: "卡拉麦里; 红线03",
        .centroidLon: "89.123456789", .centroidLat: "45.000000049", .countyShare: "0.99994",
        .straddlesBorder: "1", .otherCounties: "652302", .repaired: "0",
    ]
    static let near: [ClueColumn: String] = [
        .clueID: "000000-2026Q3-000007", .activityID: "KL-0007", .sourceLayer: "day1.gpkg:patches",
        .countyCode: "000000", .period: "2026Q3", .activityType: "housing", .activityTypeLabel: "居民点",
        .verdict: "near_boundary", .verdictLabel: "临近边界", .severity: "low", .severityLabel: "低", .ruleID: "near",
        .placement: "near", .distanceM: "136.94", .overlapM2: "0", .overlapHa: "0", .overlapMu: "0",
        .patchM2: "50", .patchHa: "0.005", .shareInside: "0", .strictestZone: "experimental",
        .strictestZoneLabel: "实验区", .protectedIDs: "KLML-exp", .protectedNames: "卡拉麦里",
        .centroidLon: "88.5", .centroidLat: "45.5", .repaired: "1",
    ]

    func record(_ values: [ClueColumn: String]) throws -> ClueRecord {
        try ClueRecord(table: "fixture") { values[$0] }
    }

    @Test func theWrittenFilesReadBackAsTheRecordsRoundedToTheirColumns() throws {
        let folder = TemporaryFolder("redline-record")
        let staged = try StagedFolder(destination: folder.url.appendingPathComponent("out"))
        let records = [try record(Self.inside), try record(Self.near)]
        let columns = ClueColumn.allCases.map(\.column) + [Column(name: "note", kind: .text)]
        try ClueFiles.write(records.enumerated().map { index, record in
            (record.values + [.string("n\(index)")], Fixture.polygon([Fixture.box(89, 45, 89.01, 45.01)]))
        }, columns: columns, crs: "EPSG:4490", into: staged)
        try staged.commit(ClueFiles.names)
        let out = folder.url.appendingPathComponent("out")

        let dataset = try VectorDataset.open(out.appendingPathComponent("clues.gpkg").path)
        let rows = try ClueRow.all(in: try #require(try dataset.layer(named: "clues")), table: "clues.gpkg")
        #expect(rows.map(\.clueID) == records.map(\.clueID))
        #expect(rows.map { $0[other: "note"] } == ["n0", "n1"], "other columns come back by name")
        let first = rows[0].record
        #expect(first.overlapM2 == 1234.57 && first.overlapHa == 0.1235 && first.overlapMu == 1.85)
        #expect(first.patchM2 == 2000.0 && first.shareInside == 0.6173 && first.countyShare == 0.9999)
        #expect(first.centroidLon == 89.1234568 && first.centroidLat == 45.0000000)
        #expect(first.protectedIDs == ["KLML-core", "HX-03"] && first.otherCounties == ["652302"])
        #expect(first.verdict == .prohibited && first.severity == .high && first.strictestZone == .core)
        #expect(first.detectedOn == CalendarDay(text: "2026-09-20") && first.straddlesBorder && !first.repaired)
        #expect(first.distanceM == nil && first.placement == .inside)
        let second = rows[1].record
        #expect(second.countyName == nil && second.countyShare == nil && second.detectedOn == nil)
        #expect(second.distanceM == 136.9 && second.placement == .near && second.repaired && second.otherCounties.isEmpty)
        #expect(rows[0].wkb != nil)
        // The R-tree is built after the rows: it must hold every row and be registered.
        #expect(try dataset.executeSQL("SELECT count(*) FROM rtree_clues_geom") == ["2"])
        #expect(try dataset.executeSQL("SELECT extension_name FROM gpkg_extensions WHERE table_name = 'clues'") == ["gpkg_rtree_index"])

        let csv = try VectorDataset.open(out.appendingPathComponent("clues.csv").path).layer(at: 0)
        let names = csv.fields.map(\.name)
        #expect(names == columns.map(\.name))
        let line = try #require(try csv.nextFeature())
        func cell(_ column: ClueColumn) -> String? { line.text(names.firstIndex(of: column.rawValue)!) }
        #expect(cell(.overlapM2) == "1234.57" && cell(.overlapHa) == "0.1235" && cell(.centroidLon) == "89.1234568")
        #expect((cell(.distanceM) ?? "").isEmpty && cell(.protectedCount) == "2")

        let geojson = try VectorDataset.open(out.appendingPathComponent("clues.geojson").path).layer(at: 0)
        let json = try ClueRow.all(in: geojson, table: "clues.geojson")
        #expect(json.map(\.record) == rows.map(\.record), "GeoJSON and GeoPackage hold the same figures")
    }

    @Test(arguments: [(ClueColumn.verdict, "maybe"), (.overlapM2, "lots"), (.overlapM2, "nan"), (.detectedOn, "2026-13-01"),
                      (.repaired, "yes"), (.severity, "")])
    func aDamagedValueIsRefusedNamingTheClueAndTheColumn(column: ClueColumn, value: String) throws {
        var values = Self.inside
        values[column] = value
        let error = try #require(throws: RedlineError.self) { try record(values) }
        let message = "\(error)"
        #expect(message.contains("652325-2026Q3-000042") && message.contains(column.rawValue) && message.contains("“\(value)”"),
                "\(message)")
    }

    @Test func aTableWithoutTheClueColumnsIsRefusedNamingThem() throws {
        let folder = TemporaryFolder("redline-record-columns")
        let path = folder.path("other.gpkg")
        try Fixture.write(path, layer: "clues", crs: "EPSG:4490", fields: [FieldDefinition(name: "clue_id", kind: .string), FieldDefinition(name: "verdict", kind: .string)],
                          features: [FixtureFeature([.string("A"), .string("prohibited")], wkb: nil)])
        let layer = try #require(try VectorDataset.open(path).layer(named: "clues"))
        let error = try #require(throws: RedlineError.self) { try ClueRow.all(in: layer, table: path) }
        #expect("\(error)".contains("severity") && "\(error)".contains("placement") && !"\(error)".contains("verdict,"))
    }
}
