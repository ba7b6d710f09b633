import Foundation
@testable import GDALKit
import GEOSKit
import Testing
import TestSupport

@Suite struct GDALTests {
    let fields = [FieldDefinition(name: "编号", kind: .string), FieldDefinition(name: "area", kind: .real)]
    let square = Fixture.polygon([Fixture.box(89, 45, 89.01, 45.01)])

    func readBack(_ path: String, options: [String] = []) throws -> (names: [String], values: [String?], geometry: FeatureGeometry) {
        let layer = try VectorDataset.open(path, options: options).layer(at: 0)
        let feature = try #require(try layer.nextFeature())
        return (layer.fields.map(\.name), (0..<feature.fieldCount).map(feature.text), feature.geometry())
    }

    @Test(arguments: [("GPKG", "t.gpkg"), ("GeoJSON", "t.geojson"), ("FlatGeobuf", "t.fgb"), ("ESRI Shapefile", "t.shp"),
                      ("OpenFileGDB", "t.gdb")])
    func chineseTextAndGeometrySurviveARoundTrip(driver: String, file: String) throws {
        let folder = TemporaryFolder()
        // A shapefile is written as ISO-8859-1 unless told otherwise.
        let options = driver == "ESRI Shapefile" ? ["ENCODING=UTF-8"] : []
        let path = try Fixture.write(folder.path(file), driver: driver, layer: "t", crs: "EPSG:4490", fields: fields,
                                     features: [FixtureFeature([.string("卡拉麦里-核心区"), .real(12.5)], wkb: square)],
                                     layerOptions: options, geometry: .polygon)
        let back = try readBack(path)
        #expect(back.names == ["编号", "area"])
        #expect(back.values[0] == "卡拉麦里-核心区")
        #expect(Double(back.values[1] ?? "") == 12.5)
        guard case .polygonal(let wkb) = back.geometry else {
            Issue.record("expected a polygon from \(driver)")
            return
        }
        // Shapefile and FileGDB turn rings clockwise, FileGDB makes one-part multi-polygons and
        // snaps coordinates to its grid: the same shape all the same.
        let context = GEOSContext()
        let shape = try context.geometry(wkb: wkb), original = try context.geometry(wkb: square)
        if driver == "OpenFileGDB" {
            let a = try shape.envelope(), b = try original.envelope()
            let drift = [a.minX - b.minX, a.minY - b.minY, a.maxX - b.maxX, a.maxY - b.maxY].map(abs).max()!
            #expect(drift < 1e-7)
            #expect(shape.coordinateCount == original.coordinateCount)
        } else {
            #expect(try shape.equalsTopologically(original))
        }
    }

    @Test func kmlPlacemarksReadAsPolygonsWithTheirNames() throws {
        let folder = TemporaryFolder()
        let path = try Fixture.write(folder.path("t.kml"), driver: "KML", layer: "clues", crs: "EPSG:4326",
                                     fields: [FieldDefinition(name: "Name", kind: .string)],
                                     features: [FixtureFeature([.string("卡拉麦里")], wkb: square)])
        let layer = try VectorDataset.open(path).layer(at: 0)
        let feature = try #require(try layer.nextFeature())
        let nameField = try #require(layer.fields.firstIndex { $0.name.lowercased() == "name" })
        #expect(feature.text(nameField) == "卡拉麦里")
        guard case .polygonal = feature.geometry() else {
            Issue.record("expected a polygon from KML")
            return
        }
    }

    @Test func gbkShapefileReadsRightWithItsCpgAndRawWithout() throws {
        let folder = TemporaryFolder()
        let path = try Fixture.write(folder.path("gbk.shp"), driver: "ESRI Shapefile", layer: "gbk", crs: "EPSG:4490",
                                     fields: fields, features: [FixtureFeature([.string("核心区"), .real(1)], wkb: square)],
                                     layerOptions: ["ENCODING=CP936"])
        let dbf = try Data(contentsOf: URL(fileURLWithPath: folder.path("gbk.dbf")))
        // 核心区 in GBK is BA CB D0 C4 C7 F8; in UTF-8 it would be 9 bytes starting E6 A0 B8.
        #expect(dbf.range(of: Data([0xBA, 0xCB, 0xD0, 0xC4, 0xC7, 0xF8])) != nil)
        #expect(try readBack(path).values[0] == "核心区")
        try FileManager.default.removeItem(atPath: folder.path("gbk.cpg"))
        #expect(try readBack(path).values[0] != "核心区")
        #expect(try readBack(path, options: ["ENCODING=CP936"]).values[0] == "核心区")
    }

    @Test func zAndMissingAndNonPolygonGeometriesAreClassified() throws {
        let folder = TemporaryFolder()
        var point: [UInt8] = [1, 1, 0, 0, 0]
        withUnsafeBytes(of: (89.0).bitPattern.littleEndian) { point += $0 }
        withUnsafeBytes(of: (45.0).bitPattern.littleEndian) { point += $0 }
        let path = try Fixture.write(folder.path("mixed.gpkg"), layer: "mixed", crs: "EPSG:4490", fields: [], features: [
            FixtureFeature([], wkb: Fixture.polygonZ([Fixture.box(89, 45, 89.01, 45.01)], z: 812)),
            FixtureFeature([], wkb: nil),
            FixtureFeature([], wkb: point),
        ])
        let layer = try VectorDataset.open(path).layer(at: 0)
        let flattened = try #require(try layer.nextFeature()).geometry()
        #expect(flattened == .polygonal(wkb: square))
        #expect(try #require(try layer.nextFeature()).geometry() == .missing)
        #expect(try #require(try layer.nextFeature()).geometry() == .other(typeName: "POINT"))
        #expect(try layer.nextFeature() == nil)
    }

    /// GDAL 3.6's words on a GeoPackage 1.4 file, as it printed them for one pyogrio wrote.
    @Test func geoPackageOneFourIsNoWarningButLaterVersionsAre() {
        let message = { (hex: String, number: Int, version: String) in
            "This version of GeoPackage user_version=0x\(hex) (\(number), v\(version)) on 'data/a.gpkg' may only be partially supported"
        }
        #expect(GDALDiagnostics.isNoise(message("000028A0", 10400, "1.4.0")))
        #expect(GDALDiagnostics.isNoise(message("000028A1", 10401, "1.4.1")))
        #expect(!GDALDiagnostics.isNoise(message("00002904", 10500, "1.5.0")))
        #expect(!GDALDiagnostics.isNoise("GPKG: bad application_id 0x00000000 on 'x.gpkg'"))
    }

    @Test func openingAMissingFileNamesItAndCarriesGDALsMessage() {
        do {
            _ = try VectorDataset.open("/nonexistent/patches.gpkg")
            Issue.record("expected an error")
        } catch let error as GDALError {
            #expect(error.description.contains("/nonexistent/patches.gpkg"))
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func layerCRSIsExportedAndMissingOneIsNil() throws {
        let folder = TemporaryFolder()
        let with = try Fixture.write(folder.path("a.gpkg"), layer: "a", crs: "EPSG:4539", fields: [], features: [])
        let crs = try #require(try VectorDataset.open(with).layer(at: 0).crsWKT)
        #expect(crs.contains("3-degree Gauss-Kruger CM 90E"))
        let without = try Fixture.write(folder.path("b.shp"), driver: "ESRI Shapefile", layer: "b", crs: nil,
                                        fields: [], features: [FixtureFeature([], wkb: square)])
        #expect(try VectorDataset.open(without).layer(at: 0).crsWKT == nil)
    }
}
