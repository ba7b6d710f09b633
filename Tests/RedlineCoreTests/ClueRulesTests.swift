import Foundation
import GDALKit
import RedlineCore
import Testing
import TestSupport

/// Verdicts, boundary versions, counties, near-boundary clues and clue IDs, on the engine fixture
/// (core 89.00–89.10 E, buffer 89.10–89.20 E, experimental 89.20–89.40 E, all 45.00–45.10 N).
@Suite struct ClueRulesTests {
    static let datedFields = EngineFixture.activityFields + [FieldDefinition(name: "detected", kind: .string)]

    static func dated(_ id: String, _ lon: Double, _ lat: Double, _ date: String) -> FixtureFeature {
        let box = Fixture.polygon([Fixture.box(lon, lat, lon + 0.004, lat + 0.004)])
        return FixtureFeature([.string(id), .string("采矿"), .string(date)], wkb: box)
    }

    @Test func verdictIsTheWorstOverTheZonesThePatchTouches() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("v.gpkg", [
            EngineFixture.patch("farm-exp", 89.25, 45.01, type: "耕地"),
            EngineFixture.patch("research-exp", 89.26, 45.01, type: "科研监测"),
            // Red line only (north of the reserve): residents' farming is a limited activity.
            EngineFixture.patch("farm-rl", 89.06, 45.12, type: "农田"),
            // Across the buffer (prohibited, high) and the red line (limited, low).
            EngineFixture.patch("farm-both", 89.12, 45.08, type: "农田"),
            EngineFixture.patch("odd", 89.27, 45.01, type: "挖掘作业"),
        ])
        let sink = try fixture.run([path])
        #expect(sink.clue("farm-exp")?.judgement.ruleID == "NR-EXP-RECLAMATION")
        let research = try #require(sink.clue("research-exp"))
        #expect(research.judgement.verdict == .permittedLimited, "limited activities are kept, marked")
        #expect(sink.clue("farm-rl")?.judgement.ruleID == "RL-RESIDENTS")
        let both = try #require(sink.clue("farm-both"))
        #expect(both.overlaps.map(\.judgement.ruleID).sorted() == ["NR-BUFFER-ANY", "RL-RESIDENTS"])
        #expect(both.judgement.ruleID == "NR-BUFFER-ANY" && both.judgement.severity == .high)
        let odd = try #require(sink.clue("odd"))
        #expect(odd.activityType == "unknown" && odd.judgement.ruleID == "NR-EXP-ANY")
        #expect(sink.summary?.unknownActivityValues == ["挖掘作业": 1])
    }

    @Test func minSeverityLeavesLowCluesOutAndCountsThem() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("s.gpkg", [EngineFixture.patch("limited", 89.26, 45.01, type: "科研监测"),
                                                          EngineFixture.patch("mine", 89.25, 45.01)])
        let sink = try fixture.run([path], settings: CheckSettings(minSeverity: .medium))
        #expect(sink.clues.map(\.patch.activityID) == ["mine"])
        #expect(sink.summary?.belowMinSeverity == [.low: 1])
    }

    @Test func minimumShareDropsPatchesMostlyOutside() throws {
        let fixture = try EngineFixture()
        // 0.004° wide, 0.0005° of it inside the experimental zone's east edge (89.40): 12.5 %.
        let path = try fixture.writeActivities("m.gpkg", [EngineFixture.patch("edge", 89.3995, 45.01)])
        #expect(try fixture.run([path]).clue("edge") != nil)
        #expect(try fixture.run([path], settings: CheckSettings(threshold: OverlapThreshold(minShare: 0.2))).clues.isEmpty)
        #expect(try fixture.run([path], settings: CheckSettings(threshold: OverlapThreshold(minShare: 0.1))).clues.count == 1)
    }

    /// Three versions of one reserve zone: the original (to 2018-06-30), cut back (2018-07-01 to
    /// 2024-07-01, ending the day the next begins) and restored (from 2024-07-01). The cut removes
    /// 89.00–89.05 E.
    func versionedProtected(_ fixture: EngineFixture) throws -> String {
        let path = fixture.folder.path("versions.gpkg")
        let fields = EngineFixture.protectedFields + [FieldDefinition(name: "valid_from", kind: .string),
                                                      FieldDefinition(name: "valid_to", kind: .string)]
        func version(_ west: Double, _ from: String?, _ to: String?) -> FixtureFeature {
            FixtureFeature([.string("V"), .string("版本保护区"), .string("自然保护区"), .string("实验区"),
                            from.map(FieldValue.string) ?? .null, to.map(FieldValue.string) ?? .null],
                           wkb: Fixture.polygon([Fixture.box(west, 45.00, 89.10, 45.10)]))
        }
        return try Fixture.write(path, layer: "zones", crs: "EPSG:4490", fields: fields, features: [
            version(89.00, "1982-04-01", "2018-06-30"),
            version(89.05, "2018-07-01", "2024-07-01"),
            version(89.00, "2024-07-01", nil),
        ])
    }

    @Test func eachPatchIsJudgedByTheVersionInForceOnItsDate() throws {
        let fixture = try EngineFixture()
        let protected = try versionedProtected(fixture)
        let path = try fixture.writeActivities("dated.gpkg", fields: Self.datedFields, [
            Self.dated("before-1982", 89.01, 45.01, "1982-03-31"),
            Self.dated("first-day", 89.01, 45.01, "1982-04-01"),
            Self.dated("last-day-original", 89.01, 45.01, "2018-06-30"),
            Self.dated("first-day-cut", 89.01, 45.01, "2018-07-01"),
            Self.dated("cut-but-inside", 89.06, 45.01, "2020-01-01"),
            Self.dated("handover-day", 89.01, 45.01, "2024-07-01"),
            Self.dated("restored", 89.01, 45.01, "2026/09/20"),
        ])
        let sink = try fixture.run([path], protected: protected)
        #expect(Set(sink.clues.map(\.patch.activityID))
                == ["first-day", "last-day-original", "cut-but-inside", "handover-day", "restored"])
        let periods = Dictionary(uniqueKeysWithValues: sink.clues.map { ($0.patch.activityID, $0.period) })
        #expect(periods["last-day-original"] == "2018Q2" && periods["restored"] == "2026Q3")
        #expect(sink.clue("handover-day")?.overlaps.count == 1, "one version in force on a handover day, not two")
    }

    @Test func anUndatedCurrentBoundaryGivesWayToADatedOldVersionOnItsDays() throws {
        let fixture = try EngineFixture()
        let fields = EngineFixture.protectedFields + [FieldDefinition(name: "valid_from", kind: .string),
                                                      FieldDefinition(name: "valid_to", kind: .string)]
        func version(_ west: Double, _ from: FieldValue, _ to: FieldValue) -> FixtureFeature {
            FixtureFeature([.string("V"), .string("版本保护区"), .string("自然保护区"), .string("实验区"), from, to],
                           wkb: Fixture.polygon([Fixture.box(west, 45.00, 89.10, 45.10)]))
        }
        let protected = try Fixture.write(fixture.folder.path("current.gpkg"), layer: "zones", crs: "EPSG:4490",
                                          fields: fields, features: [version(89.05, .null, .null),
                                                                     version(89.00, .string("1982-04-01"), .string("2018-06-30"))])
        let path = try fixture.writeActivities("d.gpkg", fields: Self.datedFields, [
            Self.dated("old-days", 89.01, 45.01, "2010-05-05"), Self.dated("now", 89.01, 45.01, "2026-05-05"),
            Self.dated("now-inside", 89.06, 45.01, "2026-05-05"), Self.dated("old-days-inside", 89.06, 45.01, "2010-05-05"),
        ])
        let sink = try fixture.run([path], protected: protected)
        #expect(Set(sink.clues.map(\.patch.activityID)) == ["old-days", "now-inside", "old-days-inside"])
        #expect(sink.clues.allSatisfy { $0.overlaps.count == 1 })
    }

    @Test func undatedPatchesAreJudgedOnTheAsOfDay() throws {
        let fixture = try EngineFixture()
        let protected = try versionedProtected(fixture)
        let path = try fixture.writeActivities("undated.gpkg", fields: Self.datedFields, [Self.dated("u", 89.01, 45.01, "")])
        let cut = CheckSettings(asOf: CalendarDay(year: 2020, month: 1, day: 1))
        #expect(try fixture.run([path], settings: cut, protected: protected).clues.isEmpty)
        let sink = try fixture.run([path], settings: CheckSettings(period: "2026Q4"), protected: protected)
        #expect(sink.clues.first?.period == "2026Q4" && sink.summary?.undated == 1)
    }

    @Test func aDateThatIsNoDateStopsTheRunNamingTheFeature() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("baddate.gpkg", fields: Self.datedFields, [Self.dated("X-9", 89.01, 45.01, "soon")])
        #expect {
            _ = try fixture.run([path])
        } throws: { error in
            "\(error)".contains("X-9") && "\(error)".contains("“soon”") && "\(error)".contains("YYYY-MM-DD")
        }
    }

    /// Two counties split at 89.02 E; a third far away.
    func counties(_ fixture: EngineFixture) throws -> String {
        let fields = [FieldDefinition(name: "county_code", kind: .string), FieldDefinition(name: "county_name", kind: .string)]
        func county(_ code: String, _ name: String, _ west: Double, _ east: Double) -> FixtureFeature {
            FixtureFeature([.string(code), .string(name)], wkb: Fixture.polygon([Fixture.box(west, 44.0, east, 46.0)]))
        }
        return try Fixture.write(fixture.folder.path("counties.gpkg"), layer: "counties", crs: "EPSG:4490", fields: fields,
                                 features: [county("652327", "西县", 88.0, 89.02), county("652325", "东县", 89.02, 89.5)])
    }

    @Test func theCountyHoldingMostOfTheOverlapGetsTheClue() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("c.gpkg", [
            EngineFixture.patch("east", 89.05, 45.01),
            EngineFixture.patch("mostly-west", 89.017, 45.01),   // 0.003° west, 0.001° east
            EngineFixture.patch("tie", 89.018, 45.02),           // 0.002° each side
            EngineFixture.patch("tie-north", 89.018, 45.03),
        ])
        let sink = try fixture.run([path], admin: try counties(fixture))
        #expect(sink.clue("east")?.county?.county.code == "652325" && sink.clue("east")?.county?.straddles == false)
        let west = try #require(sink.clue("mostly-west")?.county)
        #expect(west.county.code == "652327" && west.others == ["652325"])
        #expect(abs(west.share - 0.75) < 1e-6)
        // An exact tie goes to the lower code, whichever side is listed first.
        #expect(sink.clue("tie")?.county?.county.code == "652325" && sink.clue("tie")?.county?.straddles == true)
        #expect(sink.clue("tie")?.clueID.hasPrefix("652325-") == true)
        #expect(sink.summary?.straddling == 3)
    }

    @Test func patchesOutsideEveryCountyKeepTheirClueUnderCode000000() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("o.gpkg", [EngineFixture.patch("far", 89.995, 44.995)])
        let clue = try #require(try fixture.run([path], admin: try counties(fixture)).clue("far"))
        #expect(clue.county == nil && clue.clueID.hasPrefix("000000-"))
    }

    @Test func nearBoundaryDistanceIsGeodesic() throws {
        let fixture = try EngineFixture()
        let path = try fixture.writeActivities("n.gpkg", [
            // South of the core's south edge (45.00 N): 44.990–44.994 N.
            EngineFixture.patch("south", 89.02, 44.990),
            // South-west of the core's south-west corner (89.00, 45.00).
            EngineFixture.patch("corner", 88.990, 44.990),
            EngineFixture.patch("far", 88.95, 44.95),
        ])
        let sink = try fixture.run([path], settings: CheckSettings(nearM: 900))
        // References from PROJ's geod (GeographicLib), GRS80:
        //   echo "44.994 89.02 45.0 89.02" | geod +ellps=GRS80 -I +units=m   → 666.790
        //   echo "44.994 88.994 45.0 89.0" | geod +ellps=GRS80 -I +units=m   → 817.581
        let south = try #require(sink.clue("south")?.nearBoundary)
        #expect(abs(south.distanceM - 666.790) < 0.01)
        let corner = try #require(sink.clue("corner"))
        #expect(abs((corner.nearBoundary?.distanceM ?? 0) - 817.581) < 0.01)
        #expect(corner.judgement.verdict == .nearBoundary && corner.judgement.severity == .low && corner.overlapM2 == 0)
        #expect(sink.clue("far") == nil)
        #expect(try fixture.run([path], settings: CheckSettings(nearM: 700)).clue("corner") == nil)
    }

    /// 120 patches in one county and quarter.
    static func many(_ range: Range<Int>) -> [FixtureFeature] {
        range.map { n in EngineFixture.patch(String(format: "P-%03d", n), 89.201 + Double(n % 12) * 0.008,
                                             45.001 + Double(n / 12) * 0.009, size: 0.003) }
    }

    @Test func clueIDsSurviveReorderingAndAddedPatches() throws {
        let fixture = try EngineFixture()
        let base = try fixture.writeActivities("base.gpkg", Self.many(0..<100))
        let reversed = try fixture.writeActivities("reversed/base.gpkg", Self.many(0..<100).reversed())
        let grown = try fixture.writeActivities("grown/base.gpkg", Self.many(100..<120) + Self.many(0..<100))
        func ids(_ path: String) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try fixture.run([path]).clues.map { ($0.patch.activityID, $0.clueID) })
        }
        let first = try ids(base)
        #expect(first.count == 100 && Set(first.values).count == 100)
        #expect(first.values.allSatisfy { $0.range(of: #"^000000-\d{4}Q[1-4]-\d{6}$"#, options: .regularExpression) != nil })
        #expect(try ids(base) == first, "a rerun gives the same IDs")
        #expect(try ids(reversed) == first, "input order does not matter")
        let more = try ids(grown)
        #expect(more.count == 120)
        #expect(first.allSatisfy { more[$0.key] == $0.value }, "new patches do not renumber the others")
    }
}
