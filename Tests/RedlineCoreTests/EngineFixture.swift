import Foundation
import GDALKit
import RedlineCore
import TestSupport

/// Collects what a check hands to its sink.
final class CollectingSink: ClueSink {
    var clues: [Clue] = []
    var summary: CheckSummary?
    func begin(_ plan: CheckPlan) throws {}
    func accept(_ clue: Clue) throws { clues.append(clue) }
    func finish(_ summary: CheckSummary) throws { self.summary = summary }

    func clue(_ activityID: String) -> Clue? { clues.first { $0.patch.activityID == activityID } }
}

/// Hand-made protected areas in CGCS2000 geographic (EPSG:4490), each an axis-aligned box so
/// that overlap areas have closed-form references:
/// core 89.00–89.10 E, buffer 89.10–89.20 E, experimental 89.20–89.40 E with a hole, all
/// 45.00–45.10 N; a red line over the core/buffer seam; a box on the 90° E central meridian.
struct EngineFixture {
    let folder = TemporaryFolder("redline-engine")
    let protectedPath: String

    static let protectedFields = [FieldDefinition(name: "protected_id", kind: .string),
                                  FieldDefinition(name: "name", kind: .string),
                                  FieldDefinition(name: "kind", kind: .string),
                                  FieldDefinition(name: "zone", kind: .string)]
    static let activityFields = [FieldDefinition(name: "tbbh", kind: .string),
                                 FieldDefinition(name: "类型", kind: .string)]

    init() throws {
        protectedPath = folder.path("protected.gpkg")
        let reserve = "测试自然保护区"
        func zone(_ id: String, _ zone: String, _ rings: [[(Double, Double)]]) -> FixtureFeature {
            FixtureFeature([.string(id), .string(reserve), .string("自然保护区"), .string(zone)], wkb: Fixture.polygon(rings))
        }
        try Fixture.write(protectedPath, layer: "zones", crs: "EPSG:4490", fields: Self.protectedFields, features: [
            zone("R-CORE", "核心区", [Fixture.box(89.00, 45.00, 89.10, 45.10)]),
            zone("R-BUF", "缓冲区", [Fixture.box(89.10, 45.00, 89.20, 45.10)]),
            zone("R-EXP", "实验区", [Fixture.box(89.20, 45.00, 89.40, 45.10), Fixture.box(89.30, 45.03, 89.35, 45.07)]),
            zone("R-CM", "实验区", [Fixture.box(89.99, 44.99, 90.01, 45.01)]),
        ])
        try Fixture.write(protectedPath, layer: "red_lines", crs: "EPSG:4490", fields: Self.protectedFields, features: [
            FixtureFeature([.string("RL-1"), .string("测试红线"), .string("生态保护红线"), .null],
                           wkb: Fixture.polygon([Fixture.box(89.05, 45.05, 89.15, 45.15)])),
        ], append: true)
    }

    /// A 0.004° square patch with its south-west corner at (lon, lat).
    static func patch(_ id: String, _ lon: Double, _ lat: Double, size: Double = 0.004, type: String = "采矿") -> FixtureFeature {
        FixtureFeature([.string(id), .string(type)], wkb: Fixture.polygon([Fixture.box(lon, lat, lon + size, lat + size)]))
    }

    static func cell(_ lon: Double, _ lat: Double, _ lon2: Double, _ lat2: Double) -> Double {
        ReferenceArea.graticuleCell(lon1: lon, lat1: lat, lon2: lon2, lat2: lat2)
    }

    func writeActivities(_ name: String, crs: String? = "EPSG:4490", driver: String = "GPKG",
                         fields: [FieldDefinition] = activityFields, options: [String] = [],
                         _ features: [FixtureFeature]) throws -> String {
        try FileManager.default.createDirectory(atPath: (folder.path(name) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        return try Fixture.write(folder.path(name), driver: driver, layer: ((name as NSString).lastPathComponent as NSString).deletingPathExtension,
                          crs: crs, fields: fields, features: features, layerOptions: options)
    }

    func run(_ activityPaths: [String], settings: CheckSettings = CheckSettings(), jobs: Int = 2,
             batchSize: Int = 3, assumedCRS: String? = nil, protected: String? = nil,
             admin: String? = nil) throws -> CollectingSink {
        let index = try ProtectedIndex.load(try SourceCatalog.layers(of: SourceSpec(path: protected ?? protectedPath)),
                                            fields: ProtectedFields())
        let counties = try admin.map {
            try AdminIndex.load(try SourceCatalog.layers(of: SourceSpec(path: $0)), fields: AdminFields(), frame: index.frame)
        }
        let layers = try activityPaths.flatMap { try SourceCatalog.layers(of: SourceSpec(path: $0), assumedCRS: assumedCRS) }
        let run = CheckRun(activityLayers: layers, index: index, admin: counties, settings: settings, jobs: jobs)
        run.batchSize = batchSize
        let sink = CollectingSink()
        _ = try run.run(into: sink)
        return sink
    }
}
