import Foundation
import GDALKit
import RedlineCore
import Testing
import TestSupport

@Suite struct EngineTests {
    func close(_ value: Double?, _ reference: Double, relative: Double = 2e-5) -> Bool {
        guard let value else { return false }
        return abs(value - reference) <= max(relative * reference, 0.01)
    }

    @Test func insidePatchIsWhollyInTheCoreZone() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("a.gpkg", [EngineFixture.patch("A", 89.02, 45.01)])
        let clue = try #require(try fixture.run([path]).clue("A"))
        let reference = EngineFixture.cell(89.02, 45.01, 89.024, 45.014)
        #expect(close(clue.overlapM2, reference))
        #expect(close(clue.patchAreaM2, reference))
        #expect(clue.share == 1)
        #expect(clue.strictestZone == .core)
        #expect(clue.overlaps.count == 1)
        #expect(abs(clue.centroidLon - 89.022) < 1e-9 && abs(clue.centroidLat - 45.012) < 1e-9)
    }

    @Test func patchAcrossTwoZonesIsSplitAndTakesTheStricter() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("b.gpkg", [EngineFixture.patch("B", 89.098, 45.01)])
        let clue = try #require(try fixture.run([path]).clue("B"))
        #expect(clue.overlaps.count == 2)
        #expect(close(clue.overlaps[0].overlapM2, EngineFixture.cell(89.098, 45.01, 89.10, 45.014)))
        #expect(close(clue.overlaps[1].overlapM2, EngineFixture.cell(89.10, 45.01, 89.102, 45.014)))
        #expect(close(clue.overlapM2, EngineFixture.cell(89.098, 45.01, 89.102, 45.014)))
        #expect(clue.strictestZone == .core)
    }

    @Test func touchingAnEdgeOrSittingInAHoleIsNoClue() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("c.gpkg", [
            EngineFixture.patch("touch", 89.40, 45.01), EngineFixture.patch("hole", 89.31, 45.04),
            EngineFixture.patch("far", 88.0, 44.0),
        ])
        let sink = try fixture.run([path])
        #expect(sink.clues.isEmpty)
        #expect(sink.summary?.patchesRead == 3)
    }

    @Test func multipartPatchCountsOnlyItsPartInside() throws {
        let fixture = try EngineFixture()
        let wkb = Fixture.multiPolygon([[Fixture.box(89.21, 45.01, 89.214, 45.014)], [Fixture.box(89.50, 45.01, 89.504, 45.014)]])
        let path = try fixture.writeActivities("e.gpkg", [FixtureFeature([.string("E"), .string("工矿")], wkb: wkb)])
        let clue = try #require(try fixture.run([path]).clue("E"))
        let part = EngineFixture.cell(89.21, 45.01, 89.214, 45.014)
        #expect(close(clue.overlapM2, part))
        #expect(close(clue.patchAreaM2, part + EngineFixture.cell(89.50, 45.01, 89.504, 45.014)))
        #expect(abs(clue.share - 0.5) < 1e-3)
        #expect(clue.strictestZone == .experimental)
    }

    static let bowTie = FixtureFeature([.string("F"), .string("采矿")], wkb: Fixture.polygon([[
        (89.22, 45.02), (89.224, 45.024), (89.224, 45.02), (89.22, 45.024),
    ]]))

    @Test func bowTieIsRepairedIntoTwoTrianglesByDefault() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("f.gpkg", [Self.bowTie])
        let sink = try fixture.run([path])
        let clue = try #require(sink.clue("F"))
        #expect(clue.repaired)
        #expect(sink.summary?.repaired == 1)
        // Two triangles that meet at the centre: half the square, to within the curvature of the
        // diagonals.
        #expect(close(clue.overlapM2, EngineFixture.cell(89.22, 45.02, 89.224, 45.024) / 2, relative: 1e-3))
    }

    @Test func bowTieIsSkippedOrStopsTheRunWhenAskedTo() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("f.gpkg", [Self.bowTie, EngineFixture.patch("A", 89.02, 45.01)])
        let skipped = try fixture.run([path], settings: CheckSettings(invalid: .skip))
        #expect(skipped.clue("F") == nil && skipped.clue("A") != nil)
        #expect(skipped.summary?.skipped[.invalid] == 1)
        do {
            _ = try fixture.run([path], settings: CheckSettings(invalid: .fail))
            Issue.record("expected --invalid fail to stop the run")
        } catch let error as RedlineError {
            guard case .invalidGeometry(_, let feature, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(feature == "F")
            #expect(reason.contains("Self-intersection"))
            #expect(error.description.contains("f.gpkg"))
        }
    }

    /// A patch whose box is far from every protected piece is decided without being validated;
    /// under `--invalid fail` every patch is still validated.
    @Test func farInvalidPatchStopsOnlyAFailRun() throws {
        let fixture = try EngineFixture()
        let farBowTie = FixtureFeature([.string("FAR"), .string("采矿")], wkb: Fixture.polygon([[
            (88.0, 44.0), (88.004, 44.004), (88.004, 44.0), (88.0, 44.004),
        ]]))
        let path = try fixture.writeActivities("far.gpkg", [farBowTie, EngineFixture.patch("A", 89.02, 45.01)])
        let repaired = try fixture.run([path])
        #expect(repaired.clue("A") != nil && repaired.clue("FAR") == nil)
        #expect(repaired.summary?.repaired == 0 && repaired.summary?.patchesRead == 2)
        #expect(throws: RedlineError.self) { try fixture.run([path], settings: CheckSettings(invalid: .fail)) }
    }

    @Test func sliverBelowTheThresholdIsDroppedAndKeptWhenTheThresholdIsLower() throws {
        let fixture = try EngineFixture()
        // Reaches 1e-8° (0.8 mm) into the experimental zone over 0.0009° (100 m): about 0.08 m².
        let sliver = FixtureFeature([.string("G"), .string("居民点")],
                                    wkb: Fixture.polygon([Fixture.box(89.40 - 1e-8, 45.05, 89.404, 45.0509)]))
        let path = try fixture.writeActivities("g.gpkg", [sliver])
        #expect(try fixture.run([path]).clues.isEmpty)
        let kept = try #require(try fixture.run([path], settings: CheckSettings(minOverlapM2: 0.01)).clue("G"))
        let reference = EngineFixture.cell(89.40 - 1e-8, 45.05, 89.40, 45.0509)
        #expect(abs(kept.overlapM2 - reference) < 0.01)
    }

    @Test func redLineOverReserveIsTwoPairsButCountedOnce() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("h.gpkg", [EngineFixture.patch("H", 89.06, 45.06)])
        let clue = try #require(try fixture.run([path]).clue("H"))
        let reference = EngineFixture.cell(89.06, 45.06, 89.064, 45.064)
        #expect(clue.overlaps.count == 2)
        #expect(clue.overlaps.allSatisfy { close($0.overlapM2, reference) })
        #expect(close(clue.overlapM2, reference))
    }

    @Test func partlyOverlappingLayersAreUnitedNotSummed() throws {
        let fixture = try EngineFixture()
        // Half in the red line only (north of 45.10), half in both the core... straddling 45.10.
        let path = try fixture.writeActivities("h2.gpkg", [EngineFixture.patch("H2", 89.06, 45.098)])
        let clue = try #require(try fixture.run([path]).clue("H2"))
        #expect(clue.overlaps.count == 2)
        #expect(close(clue.overlapM2, EngineFixture.cell(89.06, 45.098, 89.064, 45.102)))
        let summed = clue.overlaps.map(\.overlapM2).reduce(0, +)
        #expect(summed > clue.overlapM2 * 1.4)
    }

    @Test func threeDimensionalPatchesMeasureLikeTheirFootprint() throws {
        let fixture = try EngineFixture()
        let z = FixtureFeature([.string("I"), .string("道路")],
                               wkb: Fixture.polygonZ([Fixture.box(89.03, 45.02, 89.034, 45.024)], z: 900))
        let path = try fixture.writeActivities("i.gpkg", [z])
        let clue = try #require(try fixture.run([path]).clue("I"))
        #expect(close(clue.overlapM2, EngineFixture.cell(89.03, 45.02, 89.034, 45.024)))
    }

    /// A 200 m square on the 90° E central meridian of CGCS2000 / 3-degree GK CM 90E (EPSG:4539) at
    /// 45° N (northing = the meridian arc, 4 984 944.378 m), where the scale factor is 1: its
    /// ellipsoidal area is 40 000 m².
    static func centralMeridianSquare(_ id: String) -> FixtureFeature {
        let northing = 4_984_944.378
        return FixtureFeature([.string(id), .string("采矿")],
                              wkb: Fixture.polygon([Fixture.box(499_900, northing - 100, 500_100, northing + 100)]))
    }

    @Test func projectedPatchesAreReprojectedBeforeMeasuring() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("cm.gpkg", crs: "EPSG:4539", [Self.centralMeridianSquare("CM")])
        let clue = try #require(try fixture.run([path]).clue("CM"))
        #expect(abs(clue.overlapM2 - 40_000) < 1)
        #expect(abs(clue.centroidLon - 90) < 1e-7 && abs(clue.centroidLat - 45) < 1e-7)
        // --assume-crs fills in a missing CRS only; it never overrides the one a layer declares.
        let assumed = try #require(try fixture.run([path], assumedCRS: "EPSG:4490").clue("CM"))
        #expect(assumed.overlapM2 == clue.overlapM2)
    }

    /// A 100 m strip along a grid line of EPSG:4539 across the 90° E meridian, with a vertex every
    /// kilometre: grid lines bow north towards the meridian (70 m over 30 km at 45° N), so the
    /// strip's middle reaches 33 m into the R-CM box while its corners stay 37 m south of it. The
    /// quick box test must not turn it away; nor one wider than a degree, which it does not judge.
    static func gridLineStrip(_ id: String, halfWidth: Double) -> FixtureFeature {
        let top = 4_984_944.378 - 0.0097 * 111_132.95, bottom = top - 100
        let xs = stride(from: 500_000 - halfWidth, through: 500_000 + halfWidth, by: 1_000).map { $0 }
        let ring = xs.map { ($0, top) } + xs.reversed().map { ($0, bottom) } + [(xs[0], top)]
        return FixtureFeature([.string(id), .string("道路")], wkb: Fixture.polygon([ring]))
    }

    @Test func stripsWhoseEdgesBowIntoAReserveAreFound() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("strip.gpkg", crs: "EPSG:4539", [
            Self.gridLineStrip("STRIP", halfWidth: 30_000), Self.gridLineStrip("WIDE", halfWidth: 80_000),
        ])
        let sink = try fixture.run([path])
        // Inside R-CM (89.99–90.01° E) the strip's top edge (vertices a kilometre apart) lies
        // within a decimetre of 44.9903° N: 33 m into the box.
        let inside = EngineFixture.cell(89.99, 44.99, 90.01, 44.9903)
        for id in ["STRIP", "WIDE"] {
            let clue = try #require(sink.clue(id), "\(id)")
            #expect(close(clue.overlapM2, inside, relative: 5e-3), "\(id): \(clue.overlapM2) vs \(inside)")
        }
    }

    @Test func latLonSwappedLayerFailsInsteadOfFindingNothing() throws {
        let fixture = try EngineFixture()
        let swapped = FixtureFeature([.string("S"), .string("采矿")],
                                     wkb: Fixture.polygon([Fixture.box(45.01, 89.02, 45.014, 89.024)]))
        let path = try fixture.writeActivities("swapped.gpkg", [swapped])
        #expect(throws: RedlineError.axesSwapped(layer: "\(path):swapped")) { try fixture.run([path]) }
    }

    @Test func metresUnderAGeographicCRSFailInsteadOfFindingNothing() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("mislabelled.gpkg", crs: "EPSG:4490", [Self.centralMeridianSquare("M")])
        do {
            _ = try fixture.run([path])
            Issue.record("expected the run to stop")
        } catch let error as RedlineError {
            guard case .notDegrees(let layer, let feature, let x, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(layer == "\(path):mislabelled" && feature == "M")
            #expect(x == 499_900)
            #expect(error.description.contains("look projected"))
        }
    }

    @Test func layerWithoutCRSNeedsAssumeCRS() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("nocrs.shp", crs: nil, driver: "ESRI Shapefile", options: ["ENCODING=UTF-8"],
                                               [EngineFixture.patch("A", 89.02, 45.01)])
        #expect(throws: RedlineError.missingCRS(layer: "\(path):nocrs")) {
            try SourceCatalog.layers(of: SourceSpec(path: path))
        }
        let sink = try fixture.run([path], assumedCRS: "EPSG:4490")
        #expect(sink.clue("A") != nil)
    }

    @Test func gbkShapefileWithoutCpgComesOutInChinese() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("gbk.shp", driver: "ESRI Shapefile", options: ["ENCODING=CP936"],
                                               [EngineFixture.patch("A", 89.02, 45.01)])
        try FileManager.default.removeItem(atPath: fixture.folder.path("gbk.cpg"))
        let layer = try #require(try SourceCatalog.layers(of: SourceSpec(path: path)).first)
        #expect(layer.fields.map(\.name) == ["tbbh", "类型"])
        let clue = try #require(try fixture.run([path]).clue("A"))
        #expect(clue.patch.attributes[1] == "采矿")
    }

    @Test func fieldNamesMatchWhateverTheCaseAndMayBeChinese() throws {
        let fixture = try EngineFixture()
        let fields = [FieldDefinition(name: "图斑编号", kind: .string), FieldDefinition(name: "TBBH_OLD", kind: .string)]
        let patch = FixtureFeature([.string("TB-001"), .string("old-7")],
                                   wkb: Fixture.polygon([Fixture.box(89.02, 45.01, 89.024, 45.014)]))
        let path = try fixture.writeActivities("cn.gpkg", fields: fields, [patch])
        // 图斑编号 is among the default id fields.
        #expect(try fixture.run([path]).clues.first?.patch.activityID == "TB-001")
        let layers = try SourceCatalog.layers(of: SourceSpec(path: path))
        let index = try ProtectedIndex.load(try SourceCatalog.layers(of: SourceSpec(path: fixture.protectedPath)),
                                            fields: ProtectedFields(name: "NAME", zone: "Zone"))
        #expect(index.areas.first?.name == "测试自然保护区")
        #expect(index.areas.first?.zone == .core)
        let run = CheckRun(activityLayers: layers, index: index, settings: CheckSettings(), fields: ActivityFields(id: "tbbh_old"), jobs: 1)
        let sink = CollectingSink()
        _ = try run.run(into: sink)
        #expect(sink.clues.first?.patch.activityID == "old-7")
        #expect(throws: RedlineError.noSuchField(layer: "\(path):cn", option: "--activity-id", field: "编号",
                                                 available: ["图斑编号", "TBBH_OLD"])) {
            try CheckRun(activityLayers: layers, index: index, settings: CheckSettings(), fields: ActivityFields(id: "编号"), jobs: 1)
                .run(into: CollectingSink())
        }
    }

    /// One activity ID on four patches of one county and period gives four clues with their own
    /// IDs; three are repeats, counted.
    @Test func repeatedActivityIDsStillGiveDistinctClueIDs() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("twice.gpkg", [EngineFixture.patch("A", 89.02, 45.01),
                                                              EngineFixture.patch("A", 89.03, 45.01),
                                                              EngineFixture.patch("A", 89.04, 45.01),
                                                              EngineFixture.patch("A", 89.04, 45.01)])
        let sink = try fixture.run([path])
        let ids = sink.clues.map(\.clueID)
        #expect(ids.count == 4 && Set(ids).count == 4)
        #expect(sink.summary?.repeatedActivityIDs == 3)
        #expect(try fixture.run([path]).clues.map(\.clueID) == ids)
    }

    @Test func attributeOnlyTablesAreLeftOutOfADataset() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("mixed.gpkg", [EngineFixture.patch("A", 89.02, 45.01)])
        try Fixture.write(path, layer: "metadata", crs: nil, fields: [FieldDefinition(name: "note", kind: .string)],
                          features: [FixtureFeature([.string("提取说明")], wkb: nil)], append: true, geometry: .none)
        let layers = try SourceCatalog.layers(of: SourceSpec(path: path))
        #expect(layers.map(\.layerName) == ["mixed"])
        #expect(try fixture.run([path]).clue("A") != nil)
    }

    @Test func zippedShapefilesOpenThroughVSIZip() throws {
        let fixture = try EngineFixture()
        let shapefile = try fixture.writeActivities("zipped.shp", driver: "ESRI Shapefile", options: ["ENCODING=UTF-8"],
                                                    [EngineFixture.patch("A", 89.02, 45.01)])
        let zip = fixture.folder.path("zipped.zip")
        let stem = (shapefile as NSString).deletingPathExtension
        let zipped = try Command.run("/usr/bin/python3", ["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                    z.write(sys.argv[2] + "." + ext, "zipped." + ext)
            """, zip, stem])
        #expect(zipped.status == 0, "\(zipped.stderr)")
        #expect(SourceSpec(path: zip).path == "/vsizip/" + zip)
        #expect(try fixture.run([zip]).clue("A") != nil)
        #expect(Fingerprint.ofSource(SourceSpec(path: zip).path)?.count == 64)
    }

    @Test func missingGeometryIsSkippedAndCounted() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("k.gpkg", [FixtureFeature([.string("K"), .string("采矿")], wkb: nil),
                                                          EngineFixture.patch("A", 89.02, 45.01)])
        let sink = try fixture.run([path])
        #expect(sink.summary?.skipped[.missingGeometry] == 1)
        #expect(sink.clues.map(\.patch.activityID) == ["A"])
    }

    @Test func resultsDoNotDependOnTheNumberOfWorkers() throws {
        let fixture = try EngineFixture()
        var features: [FixtureFeature] = []
        for row in 0..<12 {
            for column in 0..<12 {
                features.append(EngineFixture.patch("P\(row)-\(column)", 88.98 + Double(column) * 0.037,
                                                    44.99 + Double(row) * 0.0099, size: 0.006))
            }
        }
        let path = try fixture.writeActivities("grid.gpkg", features)
        let one = try fixture.run([path], jobs: 1, batchSize: 5)
        let three = try fixture.run([path], jobs: 3, batchSize: 2)
        #expect(!one.clues.isEmpty)
        #expect(one.clues.map(\.clueID) == three.clues.map(\.clueID))
        #expect(one.clues.map(\.overlapM2) == three.clues.map(\.overlapM2))
        #expect(one.clues.map { $0.overlaps.map(\.wkb) } == three.clues.map { $0.overlaps.map(\.wkb) })
        #expect(one.clues.map(\.patch.sequence) == one.clues.map(\.patch.sequence).sorted())
    }

    @Test func clueIDsAreStableAcrossRerunsAndReordering() throws {
        let fixture = try EngineFixture()
        let a = EngineFixture.patch("A", 89.02, 45.01), b = EngineFixture.patch("B", 89.098, 45.01)
        let first = try fixture.run([try fixture.writeActivities("x.gpkg", [a, b])])
        let second = try fixture.run([try fixture.writeActivities("y/x.gpkg", [b, a])])
        #expect(first.clue("A")?.clueID == second.clue("A")?.clueID)
        #expect(first.clue("B")?.clueID == second.clue("B")?.clueID)
        #expect(first.clue("A")?.clueID != first.clue("B")?.clueID)
    }
}
