import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs
@testable import RedlineRegistry
import Testing
import TestSupport

/// The figures of a monthly report, each checked against an independent SQL query (Python's
/// sqlite3 on the registry's GeoPackage) and a few against the fixture worked out by hand.
@Suite struct MonthlyFiguresTests {
    struct Site {
        let id: String
        let county: String
        var activity = "mining"
        var severity = "high"
        var reserve = "卡拉麦里"
        var zone = "core"
        let m2: Double
        let opened: String
        var verified = "", result = "", rectified = "", closed = "", status = "issued", supersededBy = ""
        var verifyDue = "", rectifyDue = "", acceptDue = ""
        var updated = ""
    }

    /// November 2026 in two counties: a mining site rectified and past its acceptance deadline, a
    /// new one past its check deadline, one found not true, one closed whose rebound came in
    /// November, a red-line site found, checked, rectified and closed in November, one a year
    /// old and far past its rectification deadline, one closed before sign-off dates were kept,
    /// and one issued after the month. Times are midday UTC, so that the story holds in any zone
    /// within ±11 h; the SQL reference reads each time's local day (SQLite's 'localtime') too.
    static let sites: [Site] = [
        Site(id: "K01", county: "652301", m2: 120_000, opened: "2026-09-05T12:00:00Z", verified: "2026-10-10", result: "confirmed",
             rectified: "2026-11-20", status: "rectified", acceptDue: "2026-11-25"),
        Site(id: "K02", county: "652301", m2: 50_000, opened: "2026-11-03T12:00:00Z", status: "dispatched", verifyDue: "2026-11-20"),
        Site(id: "K03", county: "652301", activity: "building", severity: "medium", zone: "experimental", m2: 3_000,
             opened: "2026-10-01T12:00:00Z", verified: "2026-11-05", result: "not_confirmed", status: "closed"),
        Site(id: "K04", county: "652325", m2: 80_000, opened: "2026-06-01T12:00:00Z", verified: "2026-07-01", result: "confirmed",
             rectified: "2026-08-01", closed: "2026-09-01", status: "reopened", supersededBy: "K05"),
        Site(id: "K05", county: "652325", m2: 90_000, opened: "2026-11-12T12:00:00Z", verified: "2026-11-15", result: "confirmed",
             status: "verified", rectifyDue: "2027-02-13"),
        Site(id: "K06", county: "652325", activity: "solar", severity: "low", reserve: "生态保护红线", zone: "red_line", m2: 20_000,
             opened: "2026-11-28T12:00:00Z", verified: "2026-11-29", result: "partly", rectified: "2026-11-30", closed: "2026-11-30",
             status: "closed"),
        Site(id: "K07", county: "652301", m2: 7_500, opened: "2025-11-15T12:00:00Z", verified: "2025-12-10", result: "confirmed",
             status: "rectifying", rectifyDue: "2026-03-10"),
        Site(id: "K08", county: "652301", activity: "road", severity: "medium", m2: 4_000, opened: "2026-02-02T12:00:00Z",
             verified: "2026-03-01", result: "confirmed", status: "closed", updated: "2026-05-06T12:00:00Z"),
        Site(id: "K09", county: "652325", m2: 60_000, opened: "2026-12-01T12:00:00Z", status: "issued"),
    ]

    static func registry(in folder: TemporaryFolder) throws -> Registry {
        let registry = try Registry.open(folder.path("registry.gpkg"), create: true)
        let layer = try registry.clues(crs: "EPSG:4490")
        for (index, site) in sites.enumerated() {
            let fields: [ClueColumn: String] = [
                .countyName: site.county == "652301" ? "昌吉市" : "吉木萨尔县", .activityType: site.activity, .severity: site.severity,
                .strictestZone: site.zone, .protectedNames: site.reserve, .overlapM2: "\(site.m2)",
            ]
            try RegistryFixture.writeClue(site.id, x: 89.3 + Double(index) * 0.01, county: site.county, fields: fields, into: layer,
                                          lifecycle: [
                ("status", site.status), ("result", site.result), ("opened_at", site.opened),
                ("updated_at", site.updated.isEmpty ? site.opened : site.updated), ("verified_on", site.verified),
                ("rectified_on", site.rectified), ("closed_on", site.closed), ("superseded_by", site.supersededBy),
                ("verify_due", site.verifyDue), ("rectify_due", site.rectifyDue), ("accept_due", site.acceptDue),
            ].map { ($0.0, FieldValue.string($0.1)) })
        }
        return registry
    }

    /// The same figures by SQL on the GeoPackage, as JSON (times as days in the process's zone, by
    /// the C library's localtime, as a person there names them): flows in the month, in all and by
    /// activity, severity and reserve × zone; stages at its end per county (a superseded clue
    /// stands until its successor was opened); overdue clues; and per month of the last twelve
    /// each flow's count and the mining clues open per reserve.
    static let sql = #"""
    import json, sqlite3, sys
    db = sqlite3.connect(sys.argv[1]); month = sys.argv[2]; county = sys.argv[3] or None
    db.execute("CREATE TEMP TABLE c AS SELECT clue_id, county_code, activity_type, severity, strictest_zone, protected_names, overlap_m2, "
        "date(opened_at, 'localtime') AS opened, NULLIF(verified_on, '') AS verified_on, NULLIF(result, '') AS result, "
        "CASE WHEN result IS NOT 'not_confirmed' THEN COALESCE(NULLIF(rectified_on, ''), "
        "  CASE WHEN status IN ('rectified', 'closed') THEN date(updated_at, 'localtime') END) END AS rectified_on, "
        "CASE WHEN result IS NOT 'not_confirmed' THEN COALESCE(NULLIF(closed_on, ''), "
        "  CASE WHEN status = 'closed' THEN date(updated_at, 'localtime') END) END AS closed_on, "
        "NULLIF(superseded_by, '') AS superseded_by, NULLIF(verify_due, '') AS verify_due, "
        "NULLIF(rectify_due, '') AS rectify_due, NULLIF(accept_due, '') AS accept_due "
        "FROM registry_clues WHERE ? IS NULL OR county_code = ?", (county, county))
    def month_end(m):
        return db.execute("SELECT date(? || '-01', '+1 month', '-1 day')", (m,)).fetchone()[0]
    def staged(end):
        return """SELECT c.*, CASE
            WHEN opened > :end THEN NULL
            WHEN verified_on IS NULL OR verified_on > :end OR result IS NULL THEN '待核查'
            WHEN result = 'not_confirmed' THEN '不属实'
            WHEN closed_on <= :end THEN '已销号'
            WHEN rectified_on <= :end THEN '已整改待验收'
            ELSE '整改中' END AS stage FROM c
            WHERE superseded_by IS NULL OR (SELECT n.opened FROM c n WHERE n.clue_id = c.superseded_by) > :end"""
    flow_where = [("新发现", "substr(opened, 1, 7) = :m"), ("已核查", "substr(verified_on, 1, 7) = :m"),
                  ("属实", "substr(verified_on, 1, 7) = :m AND result <> 'not_confirmed'"),
                  ("已整改", "substr(rectified_on, 1, 7) = :m"), ("已销号", "substr(closed_on, 1, 7) = :m")]
    flows, groups = {}, {"activity": {}, "severity": {}, "reserve_zone": {}}
    for name, where in flow_where:
        n, m2 = db.execute(f"SELECT count(*), total(overlap_m2) FROM c WHERE {where}", {"m": month}).fetchone()
        if n: flows[name] = [n, m2]
        for key, expr in [("activity", "activity_type"), ("severity", "severity"), ("reserve_zone", "replace(protected_names, '; ', '、') || ' ' || strictest_zone")]:
            for group, n, m2 in db.execute(f"SELECT {expr}, count(*), total(overlap_m2) FROM c WHERE {where} GROUP BY 1", {"m": month}):
                groups[key].setdefault(group, {})[name] = [n, m2]
    end = month_end(month)
    by_county = {}
    for code, stage, n, m2 in db.execute(f"SELECT county_code, stage, count(*), total(overlap_m2) FROM ({staged(end)}) "
                                         "WHERE stage IS NOT NULL GROUP BY 1, 2", {"end": end}):
        by_county.setdefault(code, {})[stage] = [n, m2]
    overdue = [list(row) for row in db.execute(f"""SELECT clue_id, due, CAST(julianday(:end) - julianday(due) AS INTEGER) FROM (
        SELECT clue_id, CASE stage WHEN '待核查' THEN COALESCE(verify_due, date(opened, '+30 days'))
            WHEN '整改中' THEN rectify_due WHEN '已整改待验收' THEN accept_due END AS due FROM ({staged(end)}))
        WHERE due < :end ORDER BY 3 DESC, 1""", {"end": end})]
    trend, mining = [], {}
    for back in range(11, -1, -1):
        m = db.execute("SELECT strftime('%Y-%m', ? || '-01', ?)", (month, f"-{back} months")).fetchone()[0]
        trend.append([db.execute(f"SELECT count(*) FROM c WHERE {where}", {"m": m}).fetchone()[0] for _, where in flow_where])
        for reserve, n in db.execute(f"SELECT protected_names, count(*) FROM ({staged(month_end(m))}) "
                                     "WHERE activity_type = 'mining' AND stage IN ('待核查', '整改中') GROUP BY 1", {"end": month_end(m)}):
            mining.setdefault(reserve, [0] * 12)[11 - back] = n
    true_problems, rectified = db.execute(f"SELECT count(*), total(stage <> '整改中') FROM ({staged(end)}) "
                                          "WHERE stage IN ('整改中', '已整改待验收', '已销号')", {"end": end}).fetchone()
    print(json.dumps({"flows": flows, "by_county": by_county, "overdue": overdue, "trend": trend, "mining": mining,
                      "true": true_problems, "rectified": int(rectified), **groups}, ensure_ascii=False))
    """#

    static func bySQL(_ registry: String, month: String, county: String = "") throws -> [String: Any] {
        let result = try Command.run("/usr/bin/env", ["python3", "-c", sql, registry, month, county])
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// The figures as the SQL's JSON shapes them.
    static func shaped(_ figures: MonthlyFigures) -> [String: Any] {
        func pair(_ tally: Tally) -> [Any] { [tally.clues, tally.m2] }
        var byCounty: [String: [String: [Any]]] = [:]
        for (county, stages) in figures.byCounty {
            byCounty[String(county.prefix(6))] = Dictionary(uniqueKeysWithValues: stages.map { ($0.key.rawValue, pair($0.value)) })
        }
        var mining: [String: [Int]] = [:]
        for (reserve, counts) in figures.openMining where counts.contains(where: { $0 > 0 }) { mining[reserve] = counts }
        func flows(_ byFlow: [ReportFlow: Tally]) -> [String: [Any]] {
            Dictionary(uniqueKeysWithValues: byFlow.map { ($0.key.rawValue, pair($0.value)) })
        }
        return ["flows": flows(figures.flows), "by_county": byCounty,
                "overdue": figures.overdue.map { [$0.clue, "\($0.due)", $0.daysOver] as [Any] },
                "trend": figures.trend.map { entry in ReportFlow.allCases.map { entry.flows[$0]?.clues ?? 0 } },
                "mining": mining, "true": figures.trueProblems, "rectified": figures.rectifiedProblems,
                "activity": figures.byActivity.mapValues(flows), "severity": figures.bySeverity.mapValues(flows),
                "reserve_zone": figures.byReserveZone.mapValues(flows)]
    }

    static func same(_ ours: [String: Any], _ theirs: [String: Any]) -> Bool {
        NSDictionary(dictionary: ours).isEqual(to: theirs)
    }

    @Test func everyFigureAgreesWithSQLOnTheRegistry() throws {
        let folder = TemporaryFolder("redline-monthly")
        let registry = try Self.registry(in: folder)
        for (month, county) in [("2026-11", ""), ("2026-11", "652325"), ("2026-10", ""), ("2026-08", ""), ("2027-01", "")] {
            let figures = try MonthlyFigures(registry: registry, month: try #require(ReportMonth(text: month)),
                                             county: county.isEmpty ? nil : county, asOf: try #require(CalendarDay(text: "2030-01-01")))
            let ours = Self.shaped(figures), theirs = try Self.bySQL(folder.path("registry.gpkg"), month: month, county: county)
            #expect(Self.same(ours, theirs), "\(month) \(county):\n ours  \(ours)\n SQL   \(theirs)")
        }
    }

    @Test func novemberAsWorkedOutByHand() throws {
        let folder = TemporaryFolder("redline-monthly-hand")
        let figures = try MonthlyFigures(registry: try Self.registry(in: folder), month: try #require(ReportMonth(text: "2026-11")))
        #expect(figures.flows[.found] == Tally(clues: 3, m2: 160_000), "K02, K05, K06")
        #expect(figures.flows[.verified] == Tally(clues: 3, m2: 113_000), "K03, K05, K06")
        #expect(figures.flows[.confirmed] == Tally(clues: 2, m2: 110_000), "K05, K06; K03 was not true")
        #expect(figures.flows[.closed]?.mu == 30, "K06's 20000 m² are 30 亩")
        #expect(figures.byCounty["652325 吉木萨尔县"] == [.rectifying: Tally(clues: 1, m2: 90_000), .closed: Tally(clues: 1, m2: 20_000)],
                "K04 is counted through its rebound K05")
        #expect(figures.byCounty["652301 昌吉市"]?[.closed] == Tally(clues: 1, m2: 4_000), "K08, closed before sign-off dates, on its last change")
        #expect((figures.trueProblems, figures.rectifiedProblems) == (5, 3), "K01, K05, K06, K07, K08; rectified K01, K06, K08")
        #expect(figures.overdue.map(\.clue) == ["K07", "K02", "K01"])
        #expect(figures.overdue.map(\.daysOver) == [265, 10, 5])
        #expect(figures.openMining["卡拉麦里"]?.suffix(4) == [1, 2, 2, 3],
                "Aug: K07 (K04 rectified); Sep, Oct: K01 found, K07; Nov: K02, K05, K07 (K01 rectified)")
        #expect(figures.bySeverity.keys.sorted() == ["high", "low", "medium"], "no labels in the fixture: the codes")
    }

    @Test func aMonthUnderWayIsCountedToToday() throws {
        let folder = TemporaryFolder("redline-monthly-today")
        let figures = try MonthlyFigures(registry: try Self.registry(in: folder), month: try #require(ReportMonth(text: "2026-11")),
                                         asOf: try #require(CalendarDay(text: "2026-11-22")))
        #expect(figures.end == CalendarDay(text: "2026-11-22"))
        #expect(figures.overdue.map(\.clue) == ["K07", "K02"] && figures.overdue.map(\.daysOver) == [257, 2],
                "K01's acceptance is due on the 25th: not yet over")
        #expect(!figures.standing.contains { $0.clueID == "K06" }, "K06 is issued on the 28th")
        #expect(figures.byCounty["652301 昌吉市"]?[.awaitingAcceptance]?.clues == 1, "K01 rectified on the 20th")
    }

    @Test func aClueWithoutAnIssueTimeIsRefusedByName() throws {
        let folder = TemporaryFolder("redline-monthly-unissued")
        let registry = try Self.registry(in: folder)
        _ = try registry.dataset.executeSQL("UPDATE registry_clues SET opened_at = NULL WHERE clue_id = 'K03'")
        let error = #expect(throws: RedlineError.self) { try MonthlyFigures(registry: registry, month: ReportMonth(text: "2026-11")!) }
        #expect(error.map { "\($0)".contains("clue K03 has no issue time") } == true, "\(String(describing: error))")
    }

    @Test func monthsAreReadAsYearDashMonth() throws {
        #expect(ReportMonth(text: "2026-11")?.last == CalendarDay(text: "2026-11-30"))
        #expect(ReportMonth(text: "2028-02")?.last == CalendarDay(text: "2028-02-29"))
        #expect(ReportMonth(text: "2026-01")?.shifted(by: -11).description == "2025-02")
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "2026-11-01", "", "1999-12", "2026-+1", "+026-11"] { #expect(ReportMonth(text: bad) == nil, "\(bad)") }
    }
}
