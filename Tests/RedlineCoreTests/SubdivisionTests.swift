import Foundation
import GDALKit
import GEOSKit
import PROJKit
@testable import RedlineCore
import Testing
import TestSupport

@Suite struct SubdivisionTests {
    /// A many-vertex protected polygon is cut into pieces; overlaps measured piece by piece must
    /// equal one overlay against the whole polygon.
    @Test func subdividedBoundaryGivesTheSameOverlapsAsTheWhole() throws {
        let folder = TemporaryFolder()
        var ring: [(Double, Double)] = []
        for step in 0..<3000 {
            let angle = Double(step) / 3000 * 2 * .pi
            // A wobbly circle, so pieces are not all alike.
            let radius = 0.2 + 0.01 * sin(angle * 37)
            ring.append((89.5 + radius * cos(angle), 45.5 + radius * sin(angle) * 0.7))
        }
        let protectedPath = try Fixture.write(folder.path("p.gpkg"), layer: "circle", crs: "EPSG:4490",
                                              fields: [FieldDefinition(name: "zone", kind: .string)],
                                              features: [FixtureFeature([.string("核心区")], wkb: Fixture.polygon([ring]))])
        var patches: [FixtureFeature] = []
        for index in 0..<40 {
            let lon = 89.25 + Double(index) * 0.0125, lat = 45.5 + 0.12 * sin(Double(index))
            patches.append(FixtureFeature([.string("P\(index)")],
                                          wkb: Fixture.polygon([Fixture.box(lon, lat, lon + 0.03, lat + 0.02)])))
        }
        let activityPath = try Fixture.write(folder.path("a.gpkg"), layer: "a", crs: "EPSG:4490",
                                             fields: [FieldDefinition(name: "id", kind: .string)], features: patches)
        let index = try ProtectedIndex.load(try SourceCatalog.layers(of: SourceSpec(path: protectedPath)), fields: ProtectedFields())
        #expect(index.pieces.count >= 3000 / PieceCutter.maxVertices)
        let run = CheckRun(activityLayers: try SourceCatalog.layers(of: SourceSpec(path: activityPath)), index: index,
                           settings: CheckSettings(minOverlapM2: 0), jobs: 2)
        final class Sink: ClueSink {
            var clues: [String: Double] = [:]
            func begin(_ plan: CheckPlan) throws {}
            func accept(_ clue: Clue) throws { clues[clue.patch.activityID] = clue.overlapM2 }
            func finish(_ summary: CheckSummary) throws {}
        }
        let sink = Sink()
        _ = try run.run(into: sink)

        let context = GEOSContext()
        let whole = try context.geometry(wkb: Fixture.polygon([ring]))
        let geodesic = Geodesic(.grs80)
        var compared = 0
        for (position, patch) in patches.enumerated() {
            let inside = try whole.intersection(try context.geometry(wkb: patch.wkb!)).polygonalPart()
            var reference = 0.0
            try inside.forEachPolygon { shell, holes in reference += geodesic.polygonArea(shell: shell, holes: holes) }
            let measured = sink.clues["P\(position)"] ?? 0
            // Cutting a patch edge where a piece ends puts a vertex on the straight lon/lat line,
            // a few centimetres off the geodesic the whole edge follows; over these 2 km patches
            // that moves the area by up to ~2e-5 of it, far inside the 0.1 % the engine promises.
            #expect(abs(measured - reference) <= max(5e-5 * reference, 0.01), "patch P\(position)")
            if reference > 0 { compared += 1 }
        }
        #expect(compared > 20)
    }
}

@Suite struct WKBAndHashTests {
    @Test func rewritingReachesEveryCoordinate() throws {
        var wkb = Fixture.multiPolygon([[Fixture.box(1, 2, 3, 4)], [Fixture.box(10, 20, 30, 40)]])
        try WKB.rewrite(&wkb) { xy in
            for index in stride(from: 0, to: xy.count, by: 2) { xy.swapAt(index, index + 1) }
        }
        #expect(wkb == Fixture.multiPolygon([[[(2, 1), (2, 3), (4, 3), (4, 1)]], [[(20, 10), (20, 30), (40, 30), (40, 10)]]]))
        #expect(WKB.envelope(of: wkb) == Envelope(minX: 2, minY: 1, maxX: 40, maxY: 30))
    }

    @Test func truncatedWKBIsRejected() {
        var wkb = Array(Fixture.polygon([Fixture.box(1, 2, 3, 4)]).dropLast(5))
        #expect(throws: WKB.Malformed.self) { try WKB.rewrite(&wkb) { _ in } }
    }

    @Test func zoneNamesFromRealDataAreRecognised() {
        #expect(Zone(dataValue: "核心区") == .core)
        #expect(Zone(dataValue: " Core Zone ") == .core)
        #expect(Zone(dataValue: "核心保护区") == .coreProtection)
        #expect(Zone(dataValue: "一般控制区") == .generalControl)
        #expect(Zone(dataValue: "experimental_zone") == .experimental)
        #expect(Zone(dataValue: "缓冲区") == .buffer)
        #expect(Zone(dataValue: "外围保护地带") == nil)
        #expect([Zone.experimental, .core, .buffer].min() == .core)
        #expect(ProtectionKind(dataValue: "生态保护红线") == .redLine)
        #expect(ProtectionKind(dataValue: "国家级自然保护区") == .natureReserve)
    }
}
