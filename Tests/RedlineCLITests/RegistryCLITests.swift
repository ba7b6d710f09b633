import Foundation
import GDALKit
import RedlineCore
import Testing
import TestSupport

/// Nightly runs against a registry, as a scheduler and a county office would use them, on the
/// GeoPackage default and on a real PostGIS server.
@Suite(.serialized) struct RegistryCLITests {
    let geodata = Command.packageRoot.appendingPathComponent("Geodata")
    static let fields = [FieldDefinition(name: "tbbh", kind: .string), FieldDefinition(name: "类型", kind: .string),
                         FieldDefinition(name: "后时相", kind: .string)]

    /// A 0.004° × 0.003° patch (about 315 m × 333 m) with its south-west corner at lon, lat.
    static func patch(_ id: String, _ lon: Double, _ lat: Double, date: String) -> FixtureFeature {
        FixtureFeature([.string(id), .string("采矿"), .string(date)],
                       wkb: Fixture.polygon([Fixture.box(lon, lat, lon + 0.004, lat + 0.003)]))
    }

    func extract(_ path: String, _ features: [FixtureFeature]) throws {
        try Fixture.write(path, layer: "patches", crs: "EPSG:4490", fields: Self.fields, features: features)
    }

    func redline(_ arguments: [String]) throws -> CommandResult { try Command.run(Command.redline, arguments) }

    /// A one-sheet XLSX, as a script writes one: 线索编号, 核查结果 as a formula with no saved value, 核查日期.
    static func sheetWithUnsavedFormula(_ path: String, id: String) throws {
        let parts: [(String, String)] = [
            ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
            ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="核查" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ("xl/worksheets/sheet1.xml", #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>线索编号</t></is></c><c r="B1" t="inlineStr"><is><t>核查结果</t></is></c><c r="C1" t="inlineStr"><is><t>核查日期</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>"# + id + #"</t></is></c><c r="B2" t="str"><f>IF(TRUE,"属实","")</f></c><c r="C2" t="inlineStr"><is><t>2026-11-22</t></is></c></row></sheetData></worksheet>"#),
        ]
        let folder = TemporaryFolder("redline-xlsx")
        for (name, text) in parts {
            let file = folder.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        let zipped = try Command.run("/usr/bin/env", ["python3", "-c", "import shutil; shutil.make_archive('\(path)', 'zip', '\(folder.url.path)')"])
        #expect(zipped.status == 0, "\(zipped.stderr)")
        try FileManager.default.moveItem(atPath: path + ".zip", toPath: path)
    }

    func rows(_ path: String) throws -> [[String: String]] {
        let layer = try VectorDataset.open(path).layer(at: 0)
        var rows: [[String: String]] = []
        while let feature = try layer.nextFeature() {
            var row: [String: String] = [:]
            for (index, field) in layer.fields.enumerated() { row[field.name] = feature.text(index) ?? "" }
            rows.append(row)
        }
        return rows
    }

    /// Every clue of the registry, by the patch id of its first detection.
    func registryClues(_ registry: String, _ folder: TemporaryFolder) throws -> [String: [String: String]] {
        let out = folder.path("dump-\(UUID().uuidString.prefix(6))")
        let exported = try redline(["export", "--registry", registry, "--out", out])
        #expect(exported.status == 0, "\(exported.stderr)")
        return Dictionary(uniqueKeysWithValues: try rows(out + "/clues.csv").map { ($0["activity_id"]!, $0) })
    }

    func weekOfRuns(registry: String, in folder: TemporaryFolder) throws {
        let inbox = folder.path("inbox"), out = folder.path("out")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        func run() throws -> CommandResult {
            try redline(["run", "--registry", registry, "--inbox", inbox, "--out", out, "--settle-seconds", "0", "--protected",
                         geodata.appendingPathComponent("protected.gpkg").path, "--admin",
                         geodata.appendingPathComponent("counties.gpkg").path, "--log-format", "json", "--actor", "nightly"])
        }
        // Day 1: a pit in the core zone (A), one in the buffer zone (B), one outside (no clue).
        try extract("\(inbox)/day1.gpkg", [Self.patch("A", 89.300, 45.300, date: "2026-11-01"),
                                           Self.patch("B", 89.450, 45.020, date: "2026-11-01"),
                                           Self.patch("C", 87.000, 44.000, date: "2026-11-01")])
        var result = try run()
        #expect(result.status == 0, "\(result.stderr)")
        var clues = try registryClues(registry, folder)
        #expect(Set(clues.keys) == ["A", "B"])
        #expect(clues["A"]?["status"] == "issued" && clues["A"]?["detections"] == "1")
        // Prohibited / high: the built-in rules give 30 days to the field check from the day of issue.
        #expect(clues["A"]?["verify_due"] == "\(CalendarDay.today().adding(days: 30)!)", "\(clues["A"] ?? [:])")
        let idA = try #require(clues["A"]?["clue_id"]), idB = try #require(clues["B"]?["clue_id"])

        // Day 2: A again, redrawn 5 m off with a new id (A2); a new site D. Day 1 renamed: not new.
        try extract("\(inbox)/day2.gpkg", [Self.patch("A2", 89.30005, 45.30004, date: "2026-11-02"),
                                           Self.patch("D", 89.600, 45.500, date: "2026-11-02")])
        try FileManager.default.moveItem(atPath: "\(inbox)/day1.gpkg", toPath: "\(inbox)/day1-renamed.gpkg")
        result = try run()
        #expect(result.status == 0, "\(result.stderr)")
        let logLines = result.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(logLines.contains { $0["event"] == "extract_skipped" && $0["file"] == "day1-renamed.gpkg" })
        #expect(logLines.contains { $0["event"] == "extract_processed" && $0["merged"] == "1" && $0["new"] == "1" })
        clues = try registryClues(registry, folder)
        #expect(Set(clues.keys) == ["A", "B", "D"], "A2 merged into A")
        #expect(clues["A"]?["detections"] == "2" && clues["A"]?["last_detected"] == "2026-11-02")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/run-report.json"))) as! [String: Any]
        #expect(report["exit_status"] as? Int == 0)
        #expect((report["extracts"] as! [[String: Any]]).map { $0["status"] as! String }.sorted() == ["processed", "skipped"])

        // The field team's results: A confirmed and rectified, B not true; three bad rows.
        let results = folder.path("results.csv")
        try Data("""
        线索编号,核查结果,核查日期,核查人,状态,备注
        \(idA),属实,2026-11-20,王明,已整改,已复绿
        \(idB),不属实,2026-11-21,王明,,耕地
        652325-2026Q4-999999,属实,2026-11-21,王明,,
        \(clues["D"]!["clue_id"]!),可能,2026-11-21,王明,,
        \(clues["D"]!["clue_id"]!),可能,2026-11-21,王明,,

        """.utf8).write(to: URL(fileURLWithPath: results))
        let dry = try redline(["verify", "import", results, "--registry", registry, "--dry-run"])
        #expect(dry.status == 2 && dry.stdout.contains("would apply 2"), "\(dry.stdout)\(dry.stderr)")
        #expect(try registryClues(registry, folder)["A"]?["status"] == "issued", "--dry-run changes nothing")
        let imported = try redline(["verify", "import", results, "--registry", registry, "--actor", "李科长"])
        #expect(imported.status == 2)
        #expect(imported.stdout.contains("row 4: 652325-2026Q4-999999: unknown clue ID"), "\(imported.stdout)")
        #expect(imported.stdout.contains("row 5: ") && imported.stdout.contains("“可能” is not 属实"))
        #expect(imported.stdout.contains("row 6: \(clues["D"]!["clue_id"]!): clue \(clues["D"]!["clue_id"]!) already appears on row 5"))
        #expect(imported.stdout.contains("applied 2"))
        clues = try registryClues(registry, folder)
        #expect(clues["A"]?["status"] == "rectified" && clues["A"]?["result"] == "confirmed" && clues["A"]?["inspector"] == "王明")
        #expect(clues["B"]?["status"] == "closed" && clues["B"]?["result"] == "not_confirmed")
        let again = try redline(["verify", "import", results, "--registry", registry])
        #expect(again.stdout.contains("applied 0, unchanged 2"), "importing twice changes nothing: \(again.stdout)")
        let future = folder.path("future.csv")
        try Data("线索编号,核查结果,核查日期\n\(clues["D"]!["clue_id"]!),属实,2099-01-01\n".utf8).write(to: URL(fileURLWithPath: future))
        let fromFuture = try redline(["verify", "import", future, "--registry", registry])
        #expect(fromFuture.status == 2 && fromFuture.stdout.contains("row 2: \(clues["D"]!["clue_id"]!): 核查日期 (date checked) 2099-01-01 is in the future"),
                "\(fromFuture.stdout)")
        // Dated before A's detection, and before its verification of 2026-11-20: both rejected, A unchanged.
        for (date, reason) in [("1900-01-01", "is before the clue's patch was detected (2026-11-01)"),
                               ("2026-11-19", "is earlier than the clue's last verification (2026-11-20)")] {
            let stale = folder.path("stale-\(date).csv")
            try Data("线索编号,核查结果,核查日期,状态\n\(idA),部分属实,\(date),已整改\n".utf8).write(to: URL(fileURLWithPath: stale))
            let fromStale = try redline(["verify", "import", stale, "--registry", registry])
            #expect(fromStale.status == 2 && fromStale.stdout.contains("row 2: \(idA): date \(date) \(reason)"), "\(fromStale.stdout)")
        }
        #expect(try registryClues(registry, folder)["A"]?["verified_on"] == "2026-11-20")
        // Saved by Excel on a Chinese Windows: GBK.
        let gbk = folder.path("results-gbk.csv")
        #expect(try Command.run("/bin/sh", ["-c", "iconv -f UTF-8 -t GB18030 '\(results)' > '\(gbk)'"]).status == 0)
        let fromGBK = try redline(["verify", "import", gbk, "--registry", registry, "--dry-run"])
        #expect(fromGBK.stdout.contains("row 4: 652325-2026Q4-999999") && fromGBK.stdout.contains("unchanged 2"), "\(fromGBK.stdout)")
        // The same rows as a spreadsheet (the checklist's own format): same rows, same numbers.
        let sheet = folder.path("results.xlsx")
        #expect(try Command.run("/usr/bin/ogr2ogr", ["-f", "XLSX", sheet, results]).status == 0)
        let fromSheet = try redline(["verify", "import", sheet, "--registry", registry])
        #expect(fromSheet.stdout.contains("row 4: 652325-2026Q4-999999") && fromSheet.stdout.contains("unchanged 2"),
                "\(fromSheet.stdout)")

        // A result typed as a formula by a script, its value never saved: rejected, not "blank".
        let formulas = folder.path("formulas.xlsx")
        try Self.sheetWithUnsavedFormula(formulas, id: clues["D"]!["clue_id"]!)
        let fromFormulas = try redline(["verify", "import", formulas, "--registry", registry])
        #expect(fromFormulas.status == 2 && fromFormulas.stdout.contains("row 2: \(clues["D"]!["clue_id"]!): a cell holds a formula")
                && fromFormulas.stdout.contains("blank 0"), "\(fromFormulas.stdout)")

        // Day 3: activity again on the rectified site A (a rebound), and on B, found not true (a
        // repeat). A3b, also on A, meets it closed by A3's rebound: it re-detects the rebound.
        try extract("\(inbox)/day3.gpkg", [Self.patch("A3", 89.3001, 45.3001, date: "2026-11-25"),
                                           Self.patch("A3b", 89.30012, 45.30012, date: "2026-11-24"),
                                           Self.patch("B3", 89.45002, 45.02001, date: "2026-11-25")])
        result = try run()
        #expect(result.status == 0, "\(result.stderr)")
        clues = try registryClues(registry, folder)
        #expect(clues["A3"]?["kind"] == "rebound" && clues["A3"]?["rebound_of"] == idA && clues["A3"]?["status"] == "issued")
        #expect(clues["A"]?["status"] == "reopened" && clues["A"]?["superseded_by"] == clues["A3"]?["clue_id"])
        #expect(clues["A3b"] == nil && clues["A3"]?["detections"] == "2", "one rebound for both patches on A")
        #expect(clues["B3"] == nil && clues["B"]?["detections"] == "2", "a site found not true is no rebound")

        // A's history: who did what, when, from which extract or file.
        let history = try redline(["history", idA, "--registry", registry, "--json"])
        #expect(history.status == 0, "\(history.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as! [String: Any]
        let events = (document["events"] as! [[String: Any]]).map { event in
            ["kind", "to", "source", "actor", "detail"].map { event[$0] as? String ?? "" }
        }
        #expect(document["status"] as? String == "reopened")
        #expect(events.map { $0[0] } == ["issued", "redetected", "rectified", "rebound"], "\(events)")
        #expect(events.map { $0[2] } == ["day1.gpkg", "day2.gpkg", "results.csv", "day3.gpkg"], "extracts by file name, not SHA-256")
        #expect(events[0][3] == "nightly" && events[2][3] == "李科长", "the importer is the actor, not the inspector")
        #expect(events[2][4].contains("inspector 王明") && events[2][4].contains("row 2") && events[2][4].contains("confirmed"))
        let lines = try redline(["history", idA, "--registry", registry])
        #expect(lines.stdout.hasPrefix(idA) && lines.stdout.contains("superseded by") && lines.stdout.contains("by 李科长  from results.csv"),
                "\(lines.stdout)")
        let unknown = try redline(["history", "652325-2026Q4-000000", "--registry", registry])
        #expect(unknown.status == 2 && unknown.stderr.contains("holds no clue 652325-2026Q4-000000"), "\(unknown.stderr)")

        // Status and export feed the next field trip.
        let status = try redline(["status", "--registry", registry, "--json"])
        let counts = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        #expect(counts["total"] as? Int == 4)
        #expect((counts["by_status"] as! [String: Int]) == ["issued": 2, "closed": 1, "reopened": 1])
        let export = folder.path("export")
        // A county or period it never had is a typo, refused with what it has; nothing is written or dispatched.
        for (option, value) in [("--county", "652352"), ("--period", "2026Q5")] {
            let typo = try redline(["export", "--registry", registry, option, value, "--out", export, "--dispatch"])
            #expect(typo.status == 64 && typo.stderr.contains("“\(value)”") && typo.stderr.contains("it has:"), "\(typo.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: export))
        #expect(try redline(["export", "--registry", registry, "--status", "issued", "--out", export, "--dispatch"]).status == 0)
        #expect(Set(try rows(export + "/clues.csv").map { $0["activity_id"]! }) == ["D", "A3"])
        clues = try registryClues(registry, folder)
        #expect(clues["D"]?["status"] == "dispatched" && clues["A3"]?["status"] == "dispatched" && clues["B"]?["status"] == "closed")
        let bundles = try redline(["checklist", export, "--out", folder.path("bundles")])
        #expect(bundles.status == 0, "\(bundles.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("bundles")).count >= 1)

        // The team picks 属实 and types a date into the bundle's own spreadsheet; import reads it.
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path("bundles")).sorted().first)
        let teamSheet = folder.path("bundles/\(bundle)/clues.xlsx")
        let filled = try ChecklistSheet.fill(teamSheet, result: "属实", excelDay: 46354)  // 2026-11-28
        let fromTeam = try redline(["verify", "import", teamSheet, "--registry", registry])
        #expect(fromTeam.status == 0, "\(fromTeam.stdout)\(fromTeam.stderr)")
        let verified = try registryClues(registry, folder).values.first { $0["clue_id"] == filled }
        #expect(verified?["status"] == "verified" && verified?["result"] == "confirmed" && verified?["verified_on"] == "2026-11-28",
                "\(verified ?? [:])")
    }

    /// A pit seen again larger: every detection is kept, the clue shows the latest outline and
    /// area, growth beyond --growth is an event, and a site found not true reopens once it grows.
    @Test func aSiteThatGrowsIsRecordedAndReopensWhenDealtWith() throws {
        let folder = TemporaryFolder("redline-growth")
        let inbox = folder.path("inbox"), registry = folder.path("registry.gpkg")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        func pit(_ id: String, size: Double, date: String) -> FixtureFeature {
            FixtureFeature([.string(id), .string("采矿"), .string(date)],
                           wkb: Fixture.polygon([Fixture.box(89.300, 45.300, 89.300 + 0.004 * size, 45.300 + 0.003 * size)]))
        }
        func night(_ day: String, _ features: [FixtureFeature]) throws {
            try extract("\(inbox)/\(day).gpkg", features)
            let result = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0",
                                      "--growth", "0.5", "--campaign", "绿盾2026", "--source", "卫片执法"] + Command.bundledBoundaries)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try night("day1", [pit("G", size: 1, date: "2026-11-01")])
        var clue = try #require(try registryClues(registry, folder)["G"])
        let first = Double(clue["patch_m2"]!)!
        // 1.2 × 1.2 in each direction is 1.44 × the area: seen again, not grown beyond 50 %.
        try night("day2", [pit("G2", size: 1.2, date: "2026-11-05")])
        clue = try #require(try registryClues(registry, folder)["G"])
        #expect(abs(Double(clue["patch_m2"]!)! / first - 1.44) < 0.001, "the clue shows the latest area")
        var history = try redline(["history", clue["clue_id"]!, "--registry", registry]).stdout
        #expect(history.contains("redetected") && !history.contains("grown"), "\(history)")
        #expect(clue["flags"] == "" && clue["campaign"] == "绿盾2026" && clue["source"] == "卫片执法", "\(clue)")
        // 2 × 2: four times the first, 2.8 × the latest shown — grown.
        try night("day3", [pit("G3", size: 2, date: "2026-11-09")])
        clue = try #require(try registryClues(registry, folder)["G"])
        #expect(abs(Double(clue["patch_m2"]!)! / first - 4) < 0.001 && clue["detections"] == "3" && clue["flags"] == "grown")
        history = try redline(["history", clue["clue_id"]!, "--registry", registry]).stdout
        #expect(history.contains("  grown  ") && history.contains("G3: ") && history.contains("(+178%)"), "\(history)")
        let dataset = try VectorDataset.open(registry)
        #expect(try dataset.executeSQL("SELECT count(*) FROM registry_detections WHERE clue_id = '\(clue["clue_id"]!)'") == ["3"])
        #expect(try dataset.executeSQL("SELECT typeof(patch_m2) || ' ' || typeof(detections) FROM registry_clues") == ["real integer"],
                "a new registry is schema 2: numbers are numbers")

        // Found not true: the same site seen again stays merged, but grown it reopens.
        let results = folder.path("results.csv")
        try Data("线索编号,核查结果,核查日期\n\(clue["clue_id"]!),不属实,2026-11-20\n".utf8).write(to: URL(fileURLWithPath: results))
        #expect(try redline(["verify", "import", results, "--registry", registry]).status == 0)
        try night("day4", [pit("G4", size: 2, date: "2026-11-25")])
        #expect(try registryClues(registry, folder)["G"]?["status"] == "closed", "not true, not grown: still closed")
        try night("day5", [pit("G5", size: 3, date: "2026-11-28")])
        let clues = try registryClues(registry, folder)
        #expect(clues["G"]?["status"] == "reopened" && clues["G5"]?["kind"] == "rebound", "\(clues.mapValues { $0["status"] ?? "" })")

        let bad = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--growth", "nan"]
                              + Command.bundledBoundaries)
        #expect(bad.status == 64 && bad.stderr.contains("--growth"))
        for command in [["verify", "import", results, "--registry", registry], ["export", "--registry", registry, "--out", folder.path("x")]] {
            let blank = try redline(command + ["--actor", " "])
            #expect(blank.status == 64 && blank.stderr.contains("--actor takes a name"), "\(command[0]): \(blank.stderr)")
        }
    }

    /// Tests/Fixtures/registry-schema1.gpkg was made by the release before schema 2 (commit
    /// f69a386): two nights (sites A, B, D; A2 merged into A) and an import rectifying A. Reading
    /// it changes nothing; the first run migrates it in place, keeping every clue and event.
    func migratesASchema1Registry(_ registry: String, in folder: TemporaryFolder, columnType: (String, String) throws -> String,
                                  hasUniqueIndex: () throws -> Bool) throws {
        let before = try registryClues(registry, folder)
        #expect(Set(before.keys) == ["A", "B", "D"] && before["A"]?["status"] == "rectified", "read as schema 1: \(before.keys)")
        #expect(try columnType("registry_clues", "patch_m2").lowercased().contains("text")
                || (try columnType("registry_clues", "patch_m2")).lowercased().contains("char"), "still text before a write")
        let inbox = folder.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try extract("\(inbox)/day3.gpkg", [Self.patch("A3", 89.3001, 45.3001, date: "2026-11-25")])
        let run = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0"]
                              + Command.bundledBoundaries)
        #expect(run.status == 0, "\(run.stderr)")
        let after = try registryClues(registry, folder)
        #expect(after["A3"]?["kind"] == "rebound" && after["A"]?["status"] == "reopened", "the run works on the migrated registry")
        for site in ["B", "D"] {
            #expect(after[site]?.filter { before[site]?[$0.key] != nil } == before[site], "\(site) is kept as it was, value for value")
        }
        #expect(after["A"]?["verified_on"] == "2026-11-20" && after["A"]?["detections"] == "2" && after["A"]?["inspector"] == "王明")
        #expect(after["B"]?["flags"] == "" && after["B"]?["campaign"] == "", "schema 2's new columns start empty")
        for (table, column, type) in [("registry_clues", "patch_m2", ["real", "double"]), ("registry_clues", "detections", ["integer", "bigint"]),
                                      ("registry_clues", "detected_on", ["date"]), ("registry_clues", "opened_at", ["datetime", "timestamp"]),
                                      ("registry_events", "at", ["datetime", "timestamp"]), ("registry_extracts", "patches", ["integer", "bigint"]),
                                      ("registry_clues", "verify_due", ["date"]), ("registry_clues", "closed_on", ["date"])] {
            let found = try columnType(table, column).lowercased()
            #expect(type.contains { found.contains($0) }, "\(table).\(column) is \(found)")
        }
        #expect(try hasUniqueIndex(), "clue_id is unique")
        let history = try redline(["history", before["A"]!["clue_id"]!, "--registry", registry, "--json"])
        let events = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as! [String: Any])["events"] as! [[String: Any]]
        #expect(events.map { $0["kind"] as! String } == ["issued", "redetected", "rectified", "rebound"], "\(history.stdout)")
        #expect(events.allSatisfy { ($0["at"] as! String).hasSuffix("Z") && ($0["at"] as! String).contains("T") })
        let dump = try Command.run("/usr/bin/python3", [Command.packageRoot.appendingPathComponent("Tools/registry-dump.py").path, registry])
        #expect(dump.stdout.contains("registry_meta key=schema value=redline-registry/3"), "\(dump.stdout.suffix(400))")
    }

    @Test func aSchema1GeoPackageRegistryIsMigratedInPlace() throws {
        let folder = TemporaryFolder("redline-migrate")
        let registry = folder.path("registry.gpkg")
        try FileManager.default.copyItem(atPath: Command.packageRoot.appendingPathComponent("Tests/Fixtures/registry-schema1.gpkg").path,
                                         toPath: registry)
        func sql(_ query: String) throws -> [String?] { try VectorDataset.open(registry).executeSQL(query) }
        try migratesASchema1Registry(registry, in: folder, columnType: { table, column in
            // GeoPackage keeps the declared type in the table's SQL.
            let create = try sql("SELECT sql FROM sqlite_master WHERE name = '\(table)'").first.flatMap { $0 } ?? ""
            return create.components(separatedBy: "\"\(column)\" ").dropFirst().first?.components(separatedBy: ",").first ?? create
        }, hasUniqueIndex: {
            try sql("SELECT \"unique\" FROM pragma_index_list('registry_clues') WHERE name = 'registry_clues_clue_id'") == ["1"]
        })
    }

    @Test func aSchema1PostGISRegistryIsMigratedInPlace() throws {
        let cluster = TemporaryFolder("redline-migrate-pg")
        let script = Command.packageRoot.appendingPathComponent("Tools/postgis.sh").path
        let started = try Command.run("/bin/bash", [script, "start", cluster.path("pg")])
        #expect(started.status == 0, "\(started.stderr)")
        defer { _ = try? Command.run("/bin/bash", [script, "stop", cluster.path("pg")]) }
        let registry = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let loaded = try Command.run("/usr/bin/ogr2ogr", ["-f", "PostgreSQL", registry,
                                                          Command.packageRoot.appendingPathComponent("Tests/Fixtures/registry-schema1.gpkg").path,
                                                          "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        func sql(_ query: String) throws -> [String?] { try VectorDataset.open(registry).executeSQL(query) }
        try migratesASchema1Registry(registry, in: TemporaryFolder("redline-migrate-pg-run"), columnType: { table, column in
            try sql("SELECT data_type FROM information_schema.columns WHERE table_name = '\(table)' AND column_name = '\(column)'")
                .first.flatMap { $0 } ?? ""
        }, hasUniqueIndex: {
            try sql("SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_clues' AND indexname = 'registry_clues_clue_id'")
                .first.flatMap { $0 }?.contains("UNIQUE") == true
        })
    }

    @Test func aWeekOfNightlyRunsOnTheGeoPackageRegistry() throws {
        let folder = TemporaryFolder("redline-registry")
        try weekOfRuns(registry: folder.path("registry.gpkg"), in: folder)
    }

    @Test func theSameWeekOnAPostGISRegistry() throws {
        let cluster = TemporaryFolder("redline-registry-pg")
        let script = Command.packageRoot.appendingPathComponent("Tools/postgis.sh").path
        let started = try Command.run("/bin/bash", [script, "start", cluster.path("pg")])
        #expect(started.status == 0, "\(started.stderr)")
        defer { _ = try? Command.run("/bin/bash", [script, "stop", cluster.path("pg")]) }
        try weekOfRuns(registry: started.stdout.trimmingCharacters(in: .whitespacesAndNewlines), in: TemporaryFolder("redline-registry-pg-run"))
    }

    /// Tools/kill-rerun.sh with a few kills (the script itself was run with hundreds; see the README).
    @Test func runsKilledAtRandomMomentsConvergeToACleanRun() throws {
        let folder = TemporaryFolder("redline-kill")
        let result = try Command.run("/usr/bin/env", ["REDLINE=\(Command.redline)", "bash",
                                                      Command.packageRoot.appendingPathComponent("Tools/kill-rerun.sh").path,
                                                      "12", folder.path("work")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("12 kills"))
    }

    /// Only complete, settled, regular files are read; an extract failing run after run is moved
    /// aside with its reason, and each run keeps its own report.
    @Test func theInboxTakesOnlyCompleteFilesAndQuarantinesTheHopeless() throws {
        let folder = TemporaryFolder("redline-inbox")
        let inbox = folder.path("inbox"), out = folder.path("out")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        #expect(mkfifo("\(inbox)/pipe.geojson", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(inbox)/zero.gpkg", withDestinationPath: "/dev/zero")
        try Fixture.write("\(inbox)/half.shp", driver: "ESRI Shapefile", layer: "half", crs: "EPSG:4490",
                          fields: [FieldDefinition(name: "tbbh", kind: .string)],
                          features: [FixtureFeature([.string("H1")], wkb: Fixture.polygon([Fixture.box(89.3, 45.3, 89.31, 45.31)]))])
        try FileManager.default.removeItem(atPath: "\(inbox)/half.dbf")
        try Data(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"tbbh":"X"},"geometry":{"type":"Polygon","coordinates":"oops"}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: "\(inbox)/oops.geojson"))
        try Data("not json".utf8).write(to: URL(fileURLWithPath: "\(inbox)/evil\nredline: info: forged.geojson"))
        try extract("\(inbox)/noid.gpkg", [Self.patch("", 89.300, 45.300, date: "2026-11-01")])
        // What the inbox does not take is named each night: a FileGDB folder, a subfolder, a MapInfo table.
        for name in ["day6.gdb", "delivery"] { try FileManager.default.createDirectory(atPath: "\(inbox)/\(name)", withIntermediateDirectories: true) }
        try Data("!table".utf8).write(to: URL(fileURLWithPath: "\(inbox)/day5.tab"))
        try Data("<metadata/>".utf8).write(to: URL(fileURLWithPath: "\(inbox)/noid.gpkg.aux.xml"))
        func run(settle: String = "0") throws -> CommandResult {
            try redline(["run", "--registry", folder.path("registry.gpkg"), "--inbox", inbox, "--out", out, "--settle-seconds", settle,
                         "--quarantine-after", "2"] + Command.bundledBoundaries)
        }
        let fresh = try run(settle: "3600")
        #expect(fresh.status == 0 && fresh.stderr.contains("extract_waiting file=oops.geojson reason=changed"), "\(fresh.stderr)")
        #expect(fresh.stderr.contains("extract_waiting file=half.shp reason=no half.dbf yet"))
        // Never opened (reading them would hang the job), but named: nothing in the inbox is passed over without a word.
        #expect(fresh.stderr.contains("extract_ignored file=pipe.geojson reason=not a regular file")
                && fresh.stderr.contains("extract_ignored file=zero.gpkg"), "\(fresh.stderr)")
        let first = try run()
        #expect(first.status == 2 && first.stderr.contains("extract_failed file=oops.geojson"), "\(first.stderr)")
        for (name, reason) in [("day6.gdb", "a FileGDB folder"), ("delivery", "a folder"), ("day5.tab", "not a kind of extract")] {
            #expect(first.stderr.contains("warning: extract_ignored file=\(name) reason=\(reason)"), "\(name): \(first.stderr)")
        }
        #expect(!first.stderr.contains("file=half.dbf") && !first.stderr.contains("file=half.prj")
                && !first.stderr.contains("file=noid.gpkg.aux.xml"), "sidecars are no strangers")
        #expect(first.stderr.contains(#"file=evil\nredline: info: forged.geojson"#)
                && !first.stderr.split(separator: "\n").contains { $0.hasPrefix("redline: info: forged") }, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(inbox)/oops.geojson"), "one failure: retried next time")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/run-report.json"))) as? [String: Any]
        let noid = (report?["extracts"] as? [[String: Any]])?.first { $0["file"] as? String == "noid.gpkg" }
        #expect(noid?["status"] as? String == "processed"
                && (noid?["warnings"] as? [[String: Any]])?.contains { $0["code"] as? String == "empty_activity_id" } == true,
                "the run report lists each extract's warnings: \(String(describing: noid))")
        #expect(first.stderr.contains("extract_warning file=noid.gpkg code=empty_activity_id"))
        usleep(1_100_000)
        let second = try run()
        #expect(second.status == 2 && second.stderr.contains("extract_quarantined file=oops.geojson"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(inbox)/oops.geojson"))
        let reason = try String(contentsOfFile: "\(out)/quarantine/oops.geojson.reason.txt", encoding: .utf8)
        #expect(reason.contains("failed on 2 runs") && reason.contains("no polygon"), "\(reason)")
        let third = try run()
        #expect(third.status == 0, "\(third.stderr)")
        // Another broken oops.geojson, quarantined in turn: the first stays beside it.
        try Data(#"{"type":"FeatureCollection","features":[{"#.utf8).write(to: URL(fileURLWithPath: "\(inbox)/oops.geojson"))
        usleep(1_100_000)
        for _ in 0..<2 { _ = try run() }
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: "\(out)/quarantine")
        #expect(quarantined.contains("oops.geojson") && quarantined.contains { $0.hasSuffix("-oops.geojson") }, "\(quarantined)")
        let reports = try FileManager.default.contentsOfDirectory(atPath: "\(out)/reports").filter { $0.hasPrefix("run-") }
        #expect(reports.count >= 3, "one report per run: \(reports)")
    }

    /// Mining found where research was registered: the clue takes the worse verdict. Older imagery
    /// of a rectified site is the old problem, not a rebound.
    @Test func aWorseActivityRaisesTheClueAndOldImageryIsNoRebound() throws {
        let folder = TemporaryFolder("redline-escalate")
        let inbox = folder.path("inbox"), registry = folder.path("registry.gpkg")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        func run() throws -> CommandResult {
            try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0"]
                        + Command.bundledBoundaries)
        }
        func patch(_ id: String, _ type: String, date: String) -> FixtureFeature {
            FixtureFeature([.string(id), .string(type), .string(date)],
                           wkb: Fixture.polygon([Fixture.box(89.450, 45.020, 89.454, 45.023)]))
        }
        try extract("\(inbox)/day1.gpkg", [patch("X", "科研", date: "2026-11-01")])
        #expect(try run().status == 0)
        let before = try #require(try registryClues(registry, folder)["X"])
        try #require(before["severity"] != "high", "the first activity must be the milder one")
        try extract("\(inbox)/day2.gpkg", [patch("Y", "采矿", date: "2026-11-02")])
        #expect(try run().status == 0)
        let after = try #require(try registryClues(registry, folder)["X"])
        #expect(after["severity"] == "high" && after["verdict"] == "prohibited" && after["detections"] == "2", "\(after)")
        // Older imagery arriving late: the first detection moves back to it.
        try extract("\(inbox)/day0.gpkg", [patch("W", "采矿", date: "2026-10-28")])
        #expect(try run().status == 0)
        let late = try #require(try registryClues(registry, folder)["X"])
        #expect(late["first_detected"] == "2026-10-28" && late["last_detected"] == "2026-11-02" && late["detections"] == "3", "\(late)")

        let results = folder.path("results.csv")
        try Data("线索编号,核查结果,核查日期,状态\n\(after["clue_id"]!),属实,2026-11-20,已整改\n".utf8).write(to: URL(fileURLWithPath: results))
        #expect(try redline(["verify", "import", results, "--registry", registry]).status == 0)
        try extract("\(inbox)/day3.gpkg", [patch("Z", "采矿", date: "2026-11-15")])
        #expect(try run().status == 0)
        let clues = try registryClues(registry, folder)
        #expect(clues.count == 1 && clues["X"]?["status"] == "rectified", "imagery of 11-15 shows the site before its rectification")
    }

    @Test func aBrokenExtractIsReportedAndRetriedWhileTheOthersAreProcessed() throws {
        let folder = TemporaryFolder("redline-broken")
        let inbox = folder.path("inbox"), registry = folder.path("registry.gpkg")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try extract("\(inbox)/good.gpkg", [Self.patch("A", 89.300, 45.300, date: "2026-11-01")])
        try Data("not a vector file".utf8).write(to: URL(fileURLWithPath: "\(inbox)/broken.geojson"))
        let arguments = ["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0",
                         "--quarantine-after", "5", "--protected", geodata.appendingPathComponent("protected.gpkg").path]
        let first = try redline(arguments)
        #expect(first.status == 2, "\(first.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("out/run-report.json")))) as! [String: Any]
        let statuses = Dictionary(uniqueKeysWithValues: (report["extracts"] as! [[String: Any]]).map { ($0["file"] as! String, $0["status"] as! String) })
        #expect(statuses == ["broken.geojson": "failed", "good.gpkg": "processed"])
        let second = try redline(arguments)
        #expect(second.status == 2 && second.stderr.contains("broken.geojson"), "the broken extract is retried, not forgotten")
        #expect(second.stderr.contains("extract_skipped file=good.gpkg"))
        // Changed under the same name: a new extract.
        try FileManager.default.removeItem(atPath: "\(inbox)/good.gpkg")
        try extract("\(inbox)/good.gpkg", [Self.patch("E", 89.600, 45.500, date: "2026-11-02")])
        try FileManager.default.removeItem(atPath: "\(inbox)/broken.geojson")
        let third = try redline(arguments)
        #expect(third.status == 0 && third.stderr.contains("extract_processed file=good.gpkg"), "\(third.stderr)")
        #expect(try redline(["run", "--registry", "/nonexistent/folder/registry.gpkg", "--inbox", inbox, "--out",
                             folder.path("out2")] + Command.bundledBoundaries).status == 3)
    }

    /// A look-back campaign from the command line: drawn with a seed, turned into field bundles
    /// by `redline checklist`, and its result (activity back on the site) a rebound clue.
    @Test func aLookBackCampaignGoesToTheFieldAndComesBackAsARebound() throws {
        let folder = TemporaryFolder("redline-cli-lookback")
        let registry = folder.path("registry.gpkg"), inbox = folder.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try extract("\(inbox)/day1.gpkg", [Self.patch("A", 89.300, 45.300, date: "2026-11-01"),
                                           Self.patch("B", 89.310, 45.300, date: "2026-11-01")])
        let run = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0"]
                              + Command.bundledBoundaries)
        #expect(run.status == 0, "\(run.stderr)")
        let clues = try registryClues(registry, folder)
        let idA = try #require(clues["A"]?["clue_id"]), idB = try #require(clues["B"]?["clue_id"])
        let results = folder.path("results.csv")
        try Data("线索编号,核查结果,核查日期,状态\n\(idA),属实,2026-11-20,已整改\n\(idB),不属实,2026-11-20,\n".utf8)
            .write(to: URL(fileURLWithPath: results))
        #expect(try redline(["verify", "import", results, "--registry", registry]).status == 0)

        let draw = ["lookback", "--registry", registry, "--sample", "100%", "--stratify", "county", "--seed", "7"]
        let dry = try redline(draw + ["--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("would draw 1 of 1 sites, seed 7") && dry.stdout.contains(idA), "\(dry.stdout)\(dry.stderr)")
        #expect(try registryClues(registry, folder)["A"]?["lookback"] == "", "--dry-run changes nothing")
        let drawn = try redline(draw + ["--campaign", "回头看2026Q4", "--out", folder.path("lookback"), "--actor", "督察处"])
        #expect(drawn.status == 0 && drawn.stdout.contains("回头看2026Q4: drew 1 of 1 sites"), "\(drawn.stdout)\(drawn.stderr)")
        #expect(try rows(folder.path("lookback/clues.csv")).map { $0["clue_id"] } == [idA])
        let bundles = try redline(["checklist", folder.path("lookback"), "--out", folder.path("bundles")])
        #expect(bundles.status == 0, "\(bundles.stderr)")
        let again = try redline(draw + ["--campaign", "回头看2026Q4", "--out", folder.path("lookback2")])
        #expect(again.status == 64 && again.stderr.contains("already has a campaign"), "\(again.stderr)")
        let badSample = try redline(["lookback", "--registry", registry, "--sample", "0.2", "--dry-run"])
        #expect(badSample.status == 64 && badSample.stderr.contains("--sample takes a share like 20%"), "\(badSample.stderr)")

        let returned = folder.path("returned.csv")
        try Data("线索编号,核查结果,核查日期,实际活动\n\(idA),属实,2026-11-28,重新开采\n".utf8).write(to: URL(fileURLWithPath: returned))
        let imported = try redline(["verify", "import", returned, "--registry", registry])
        #expect(imported.status == 0 && imported.stdout.contains("\(idA): the look-back found activity again → rebound clue"),
                "\(imported.stdout)\(imported.stderr)")
        #expect(try redline(["export", "--registry", registry, "--out", folder.path("after")]).status == 0)
        let after = Dictionary(uniqueKeysWithValues: try rows(folder.path("after/clues.csv")).map { ($0["clue_id"]!, $0) })
        let rebound = try #require(after.values.first { $0["rebound_of"] == idA })
        #expect(rebound["status"] == "verified" && rebound["source"] == "回头看" && rebound["campaign"] == "回头看2026Q4")
        #expect(after[idA]?["status"] == "reopened" && after[idA]?["superseded_by"] == rebound["clue_id"])
        let history = try redline(["history", idA, "--registry", registry])
        #expect(history.stdout.contains("lookback_drawn") && history.stdout.contains("by 督察处  from 回头看2026Q4")
                && history.stdout.contains("rebound  rectified → reopened"), "\(history.stdout)")
    }

    /// Clues are issued on --as-of: a day before the imagery is refused, and the registry keeps nothing of it.
    @Test func cluesAreNotIssuedBeforeTheirImagery() throws {
        let folder = TemporaryFolder("redline-early")
        let inbox = folder.path("inbox"), registry = folder.path("registry.gpkg")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try extract("\(inbox)/day1.gpkg", [Self.patch("A", 89.300, 45.300, date: "2026-11-01")])
        let early = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0",
                                 "--as-of", "2025-06-01"] + Command.bundledBoundaries)
        #expect(early.status == 64 && early.stderr.contains("patch A was detected on 2026-11-01, after the day its clue would be issued"),
                "\(early.stderr)")
        let onTime = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0",
                                  "--as-of", "2026-11-01"] + Command.bundledBoundaries)
        #expect(onTime.status == 0, "\(onTime.stderr)")
        #expect(try registryClues(registry, folder)["A"]?["opened_at"]?.isEmpty == false)
    }

    /// An extract replaced by one of the same size with its old modification time (cp -p, rsync) is new.
    @Test func aReplacedExtractKeepingItsTimeIsSeenAsNew() throws {
        let folder = TemporaryFolder("redline-replaced")
        let inbox = folder.path("inbox"), registry = folder.path("registry.gpkg"), file = "\(inbox)/day.gpkg"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        func run() throws -> CommandResult {
            try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0"]
                        + Command.bundledBoundaries)
        }
        try extract(file, [Self.patch("A", 89.300, 45.300, date: "2026-11-01")])
        #expect(try run().status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int
        try extract(folder.path("other.gpkg"), [Self.patch("B", 89.310, 45.300, date: "2026-11-02")])
        try #require(try FileManager.default.attributesOfItem(atPath: folder.path("other.gpkg"))[.size] as? Int == size,
                     "GeoPackages of one feature are the same size")
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 0), timespec(tv_sec: 1_700_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, file, &times, 0) == 0)
        _ = try run()
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: folder.path("other.gpkg"), toPath: file)
        #expect(utimensat(AT_FDCWD, file, &times, 0) == 0)
        let result = try run()
        #expect(result.status == 0 && result.stderr.contains("extract_processed file=day.gpkg"), "\(result.stderr)")
        #expect(Set(try registryClues(registry, folder).keys) == ["A", "B"])
    }

    /// Commands that only read work on a registry this user may not write (a copy handed round, a
    /// share mounted read-only); as root, through the nobody account, since root may write anything.
    @Test func readingCommandsWorkOnARegistryThatMayNotBeWritten() throws {
        let folder = TemporaryFolder("redline-readonly")
        let inbox = folder.path("inbox"), registry = folder.path("registry.gpkg")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try extract("\(inbox)/day1.gpkg", [Self.patch("A", 89.300, 45.300, date: "2026-11-01")])
        #expect(try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0"]
                            + Command.bundledBoundaries).status == 0)
        let id = try #require(try registryClues(registry, folder)["A"]?["clue_id"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: registry))
        #expect(chmod(registry, 0o444) == 0 && chmod(folder.url.path, 0o555) == 0)
        defer { _ = chmod(folder.url.path, 0o755) }
        let asReader = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--", Command.redline] : [Command.redline]
        for arguments in [["status", "--registry", registry], ["history", id, "--registry", registry]] {
            let result = try Command.run(asReader[0], Array(asReader.dropFirst()) + arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: registry)) == bytes, "nothing written")
    }

    @Test func aSecondRunOnTheSameRegistryStopsAtOnce() throws {
        let folder = TemporaryFolder("redline-lock")
        try FileManager.default.createDirectory(atPath: folder.path("inbox"), withIntermediateDirectories: true)
        let registry = folder.path("registry.gpkg")
        // A --strict nightly job can make its registry: creating it raises no warning of its own.
        let made = try redline(["run", "--registry", registry, "--inbox", folder.path("inbox"), "--out", folder.path("out"), "--strict"]
                               + Command.bundledBoundaries)
        #expect(made.status == 0 && !made.stderr.contains("warning"), "\(made.stderr)")
        // Another run holds the lock (this process, here).
        let descriptor = open(registry + ".lock", O_CREAT | O_RDWR, 0o644)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        defer { close(descriptor) }
        let result = try redline(["run", "--registry", registry, "--inbox", folder.path("inbox"), "--out", folder.path("out")]
                                 + Command.bundledBoundaries)
        #expect(result.status == 4)
        #expect(result.stderr.contains("another redline run holds the registry"))
        // Dispatching changes the registry: it waits, then stops before writing anything.
        let export = try redline(["export", "--registry", registry, "--out", folder.path("export"), "--dispatch", "--wait", "1"])
        #expect(export.status == 4 && export.stderr.contains("another redline run holds the registry"), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("export")))
    }
}
