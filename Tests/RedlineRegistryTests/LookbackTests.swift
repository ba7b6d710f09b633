import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs
@testable import RedlineRegistry
import Testing
import TestSupport

/// Look-back campaigns (回头看) on a registry of sites in known states: who is eligible, how many
/// each stratum gives, that the draw follows its seed, and what the field results do.
@Suite struct LookbackTests {
    struct Site {
        let id: String
        let status: ClueStatus
        let county: String
        var result = "confirmed"
        var supersededBy = ""
    }

    /// Ten sites dealt with in 652301, three in 652325, and four that may not be drawn: a site
    /// found not true, an open one, one superseded by its rebound, a rectified one of 652302 whose
    /// look-back is pending.
    static let sites: [Site] = (1...10).map { Site(id: String(format: "A%02d", $0), status: $0 % 3 == 0 ? .closed : .rectified, county: "652301") }
        + (1...3).map { Site(id: "B\($0)", status: .rectified, county: "652325") }
        + [Site(id: "X1", status: .closed, county: "652301", result: "not_confirmed"), Site(id: "X2", status: .verified, county: "652301"),
           Site(id: "X3", status: .rectified, county: "652325", supersededBy: "X4"), Site(id: "X5", status: .rectified, county: "652302")]

    func registry(in folder: TemporaryFolder) throws -> Registry {
        let registry = try Registry.open(folder.path("registry.gpkg"), create: true)
        let layer = try registry.clues(crs: "EPSG:4490")
        for (index, site) in Self.sites.enumerated() {
            let x = 89.3 + Double(index) * 0.01
            try RegistryFixture.writeClue(site.id, x: x, county: site.county, into: layer, lifecycle: [
                ("status", .string(site.status.rawValue)), ("first_detected", .string("2026-08-01")), ("verified_on", .string("2026-09-01")),
                ("rectified_on", .string(site.status == .verified ? "" : "2026-10-01")), ("result", .string(site.result)),
                ("superseded_by", .string(site.supersededBy)), ("lookback", .string(site.id == "X5" ? "earlier" : "")),
            ])
        }
        return registry
    }

    /// SHA-256 of `text` by coreutils' sha256sum: a reference independent of DigestKit.
    static func sha256sum(_ text: String) throws -> String {
        let folder = TemporaryFolder("redline-lookback-hash")
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder.path("input")))
        let result = try Command.run("/usr/bin/env", ["sha256sum", folder.path("input")])
        return String(result.stdout.prefix(64))
    }

    static func plan(_ sample: LookbackPlan.Sample, seed: String = "s1", stratify: LookbackPlan.Strata? = .county,
                     campaign: String = "回头看2026Q4") -> LookbackPlan {
        LookbackPlan(campaign: campaign, sample: sample, statuses: [.rectified, .closed], stratify: stratify, seed: seed)
    }

    @Test func eachStratumGivesItsShareRoundedUpInTheSeedsOrder() throws {
        let folder = TemporaryFolder("redline-lookback-draw")
        let lookback = Lookback(registry: try registry(in: folder), actor: "analyst")
        let drawn = try lookback.draw(Self.plan(.share(0.2)))
        #expect(drawn.strata == [.init(name: "652301", eligible: 10, drawn: 2), .init(name: "652325", eligible: 3, drawn: 1)],
                "20% of 10 is 2; of 3, 0.6 rounds up to 1; X1-X5 are not eligible")
        // The two of 652301 and the one of 652325 with the smallest SHA-256 of seed␟ID.
        func expected(_ ids: [String], take: Int) throws -> [String] {
            try ids.map { ($0, try Self.sha256sum("s1\u{1f}" + $0)) }.sorted { $0.1 < $1.1 }.prefix(take).map(\.0)
        }
        let county1 = Self.sites.prefix(10).map(\.id), county2 = ["B1", "B2", "B3"]
        #expect(drawn.clues.map(\.clueID) == (try expected(county1, take: 2)) + (try expected(county2, take: 1)))

        #expect(try lookback.draw(Self.plan(.share(0.2))).clues.map(\.clueID) == drawn.clues.map(\.clueID), "same seed, same draw")
        let seeds = try (2...6).map { try lookback.draw(Self.plan(.share(0.2), seed: "s\($0)")).clues.map(\.clueID) }
        #expect(seeds.contains { $0 != drawn.clues.map(\.clueID) }, "another seed draws other sites")
        #expect(try lookback.draw(Self.plan(.count(5), stratify: nil)).clues.count == 5)
        #expect(try lookback.draw(Self.plan(.count(5))).strata.map(\.drawn) == [5, 3], "a count per stratum, at most its size")
        #expect(try lookback.draw(Self.plan(.share(1), stratify: nil)).clues.count == 13)
    }

    @Test func samplesAreReadAsASharePercentOrACount() {
        #expect(LookbackPlan.Sample(text: "20%") == .share(0.2))
        #expect(LookbackPlan.Sample(text: " 7 ") == .count(7))
        for bad in ["0.2", "0%", "150%", "-3", "0", "nan%", "abc", ""] { #expect(LookbackPlan.Sample(text: bad) == nil, "\(bad)") }
    }

    @Test func aCampaignIsRecordedWithItsCluesAndOutputsOrNotAtAll() throws {
        let folder = TemporaryFolder("redline-lookback-run")
        let store = try registry(in: folder)
        let lookback = Lookback(registry: store, actor: "王敏")
        let out = URL(fileURLWithPath: folder.path("campaign"))
        let drawn = try lookback.run(Self.plan(.share(0.2)), into: out)
        let ids = Set(drawn.clues.map(\.clueID))
        for id in ids { #expect(try store.clue(id)?.lifecycle.lookback == "回头看2026Q4") }
        let csv = try String(contentsOf: out.appendingPathComponent("clues.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 4 && csv.contains("回头看2026Q4"), "a header and the three drawn, marked")
        let campaign = try #require(try Registry.rows(try store.campaigns()).first)
        #expect(campaign["seed"] == "s1" && campaign["sample"] == "20%" && campaign["clues"] == "3" && campaign["actor"] == "王敏")
        let events = try Registry.rows(try store.events(), filter: "kind = 'lookback_drawn'")
        #expect(Set(events.map(\.values["clue_id"])) == ids.reduce(into: Set<String?>()) { $0.insert($1) })

        let again = #expect(throws: RedlineError.self) { try lookback.run(Self.plan(.share(0.2)), into: out) }
        #expect("\(again!)".contains("already has a campaign “回头看2026Q4”"))
        let next = try lookback.run(Self.plan(.share(1), campaign: "second"), into: URL(fileURLWithPath: folder.path("second")))
        #expect(Set(next.clues.map(\.clueID)).isDisjoint(with: ids) && next.clues.count == 10, "pending sites are not drawn twice")
        let none = #expect(throws: RedlineError.self) {
            try lookback.run(Self.plan(.share(1), campaign: "third"), into: URL(fileURLWithPath: folder.path("third")))
        }
        #expect("\(none!)".contains("no site is eligible"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("third")))
    }

    /// 不属实: the site stays as it was left; 属实: a rebound clue, verified by the row, due to be
    /// rectified 90 days later (prohibited/high, counted by hand: 2026-11-20 + 90 = 2027-02-18).
    @Test func fieldResultsPassASiteOrRaiseItsRebound() throws {
        let folder = TemporaryFolder("redline-lookback-import")
        let store = try registry(in: folder)
        _ = try Lookback(registry: store, actor: "analyst").run(Self.plan(.share(1), stratify: nil), into: URL(fileURLWithPath: folder.path("lb")))
        let file = folder.path("returned.csv")
        try Data("""
        线索编号,核查结果,核查日期,核查人,实际活动
        A01,不属实,2026-11-20,张伟,
        A03,属实,2026-11-20,张伟,采矿复工
        B1,部分属实,2026-09-15,张伟,
        B2,属实,2026-11-21,张伟,

        """.utf8).write(to: URL(fileURLWithPath: file))
        func run() throws -> ImportReport {
            try VerificationImport(registry: store, file: file, actor: "analyst", today: CalendarDay(text: "2026-12-01")!).run(dryRun: false)
        }
        let report = try run()
        #expect(report.applied == ["A01", "A03", "B2"])
        #expect(report.rejected.map(\.row) == [4] && report.rejected[0].reason.contains("before the site was dealt with (2026-10-01)"))
        let passed = try #require(try store.clue("A01"))
        #expect(passed.status == .rectified && passed.lifecycle.lookback == nil && passed.lifecycle.lookbackChecked == CalendarDay(text: "2026-11-20"))
        #expect(passed.result == .confirmed, "the site's own result stands")

        let old = try #require(try store.clue("A03"))
        let reboundID = try #require(old.lifecycle.supersededBy)
        #expect(old.status == .reopened && old.lifecycle.lookback == nil)
        let rebound = try #require(try store.clue(reboundID))
        #expect(rebound.status == .verified && rebound.lifecycle.origin == .rebound && rebound.lifecycle.reboundOf == "A03")
        #expect(rebound.lifecycle.due.rectify == CalendarDay(text: "2027-02-18"))
        #expect(rebound.lifecycle.findings.actualActivity == "采矿复工" && rebound.lifecycle.campaign == "回头看2026Q4")
        #expect(rebound.wkb == old.wkb)
        #expect(report.rebounds.map(\.of) == ["A03", "B2"] && !["A03", "B2"].contains(reboundID))
        let kinds = try Registry.rows(try store.events(), filter: "kind IN ('lookback_passed', 'rebound', 'rebound_issued')")
            .map { "\($0["clue_id"]) \($0["kind"])" }.sorted()
        #expect(kinds.count == 5 && kinds.contains("A01 lookback_passed") && kinds.contains("\(reboundID) rebound_issued"))

        let second = try run()
        #expect(second.applied.isEmpty && second.unchanged == 3, "the same file twice changes nothing: \(second.rejected)")
        #expect(try store.allClues().count == Self.sites.count + 2)
    }
}
