import Foundation
import GDALKit
import RedlineCore
import Testing
import TestSupport

/// `redline report` on a registry made by nightly runs and field results: the workbook's figures
/// against SQL on the registry, the page printed by headless Chromium with its fonts embedded and
/// nothing fetched, and what happens without Chromium or with a bad period or county.
@Suite struct ReportCLITests {
    func redline(_ arguments: [String], environment: [String] = []) throws -> CommandResult {
        try Command.run("/usr/bin/env", environment + [Command.redline] + arguments)
    }

    /// Three mining patches in Kalamaili issued on 2026-11-03; A found true on the 10th and
    /// rectified on the 20th, B not true on the 12th, C unchecked.
    func registry(in folder: TemporaryFolder) throws -> (registry: String, ids: [String: String]) {
        let registry = folder.path("registry.gpkg"), inbox = folder.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let fields = [FieldDefinition(name: "tbbh", kind: .string), FieldDefinition(name: "类型", kind: .string),
                      FieldDefinition(name: "后时相", kind: .string)]
        try Fixture.write("\(inbox)/day1.gpkg", layer: "patches", crs: "EPSG:4490", fields: fields, features: [
            ("A", 89.300), ("B", 89.310), ("C", 89.320),
        ].map { FixtureFeature([.string($0.0), .string("采矿"), .string("2026-11-01")],
                               wkb: Fixture.polygon([Fixture.box($0.1, 45.3, $0.1 + 0.004, 45.303)])) })
        let run = try redline(["run", "--registry", registry, "--inbox", inbox, "--out", folder.path("out"), "--settle-seconds", "0",
                               "--as-of", "2026-11-03"] + Command.bundledBoundaries)
        try #require(run.status == 0, "\(run.stderr)")
        let export = try redline(["export", "--registry", registry, "--out", folder.path("export")])
        try #require(export.status == 0, "\(export.stderr)")
        let layer = try VectorDataset.open(folder.path("export/clues.csv")).layer(at: 0)
        var ids: [String: String] = [:]
        let idField = try #require(layer.fields.firstIndex { $0.name == "clue_id" })
        let patchField = try #require(layer.fields.firstIndex { $0.name == "activity_id" })
        while let feature = try layer.nextFeature() { ids[feature.text(patchField) ?? ""] = feature.text(idField) }
        let results = folder.path("results.csv")
        try Data("""
            线索编号,核查结果,核查日期,状态,整改完成日期
            \(ids["A"]!),属实,2026-11-10,已整改,2026-11-20
            \(ids["B"]!),不属实,2026-11-12,,

            """.utf8).write(to: URL(fileURLWithPath: results))
        let imported = try redline(["verify", "import", results, "--registry", registry])
        try #require(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        return (registry, ids)
    }

    /// Rows of one sheet of the workbook, every cell as text (GDAL's XLSX driver, no header row).
    func sheet(_ workbook: String, _ name: String) throws -> [[String]] {
        let result = try Command.run("/usr/bin/env", ["ogr2ogr", "--config", "OGR_XLSX_HEADERS", "DISABLE", "--config",
                                                      "OGR_XLSX_FIELD_TYPES", "STRING", "-f", "CSV", "/vsistdout/", workbook, name])
        try #require(result.status == 0, "\(result.stderr)")
        // No cell of these sheets holds a comma; GDAL quotes the numbers it read as text.
        return result.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
    }

    /// The first row a query gives, by SQL on the registry's GeoPackage (Python's sqlite3).
    func sql(_ registry: String, _ query: String) throws -> [String] {
        let result = try Command.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            print("|".join(str(v) for v in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()))
            """, registry, query])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "|")
    }

    @Test func theReportAgreesWithTheRegistryAndPrintsInChromium() throws {
        let folder = TemporaryFolder("redline-cli-report")
        let (registry, _) = try registry(in: folder)
        let out = folder.path("report")
        let made = try redline(["report", "--registry", registry, "--period", "2026-11", "--out", out])
        #expect(made.status == 0 && made.stdout.contains("2026-11: found 3"), "\(made.stdout)\(made.stderr)")
        for name in ["report.html", "report.pdf", "report.xlsx"] { #expect(FileManager.default.fileExists(atPath: "\(out)/\(name)"), "\(name)") }

        let overview = try sheet("\(out)/report.xlsx", "本月概况")
        func row(_ label: String) -> [String] { overview.first { $0.first == label } ?? [] }
        /// The row's count and hectares agree with the count and summed overlap of the clues SQL selects.
        func agrees(_ label: String, _ whereClause: String) throws -> Bool {
            let found = try sql(registry, "SELECT count(*), total(overlap_m2) / 10000 FROM registry_clues WHERE \(whereClause)")
            let shown = row(label)
            guard shown.count >= 4, let ha = Double(shown[2]), let mu = Double(shown[3]), let sqlHa = Double(found[1]) else { return false }
            return shown[1] == found[0] && abs(ha - sqlHa) < 1e-9 * max(1, sqlHa) && abs(mu - sqlHa * 15) < 1e-8 * max(1, mu)
        }
        #expect(try agrees("新发现", "substr(opened_at, 1, 7) = '2026-11'"), "\(overview)")
        #expect(try agrees("已核查", "substr(verified_on, 1, 7) = '2026-11'"))
        #expect(try agrees("属实", "substr(verified_on, 1, 7) = '2026-11' AND result <> 'not_confirmed'"))
        #expect(try agrees("已整改", "substr(rectified_on, 1, 7) = '2026-11'"))
        #expect(row("新发现").dropFirst().first == "3" && row("属实").dropFirst().first == "1", "A, B, C found; A true")
        let counties = try sheet("\(out)/report.xlsx", "各县状态")
        let totals = try #require(counties.first { $0.first == "合计" })
        #expect(totals[1...5].map { Int($0) } == [1, 0, 1, 0, 1], "C awaits its check, A is rectified, B not true: \(counties)")
        let mining = try sheet("\(out)/report.xlsx", "开采类线索")
        #expect(mining.contains { $0.first?.contains("卡拉麦里") == true && $0.last == "1" }, "C is the one mining clue open: \(mining)")

        let pages = try Command.run("/usr/bin/env", ["pdfinfo", "\(out)/report.pdf"])
        let count = pages.stdout.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.split(separator: " ").last ?? "") }
        #expect((count ?? 0) >= 2, "\(pages.stdout)\(pages.stderr)")
        let fonts = try Command.run("/usr/bin/env", ["pdffonts", "\(out)/report.pdf"])
        let fontRows = fonts.stdout.split(separator: "\n").dropFirst(2)
        #expect(!fontRows.isEmpty && fontRows.allSatisfy { $0.contains(" yes ") }, "every font embedded: \(fonts.stdout)")
        let text = try Command.run("/usr/bin/env", ["pdftotext", "\(out)/report.pdf", "-"])
        #expect(text.stdout.contains("本月概况") && text.stdout.contains("卡拉麦里") && text.stdout.contains("整改率"), "\(text.stdout.prefix(400))")

        let html = try String(contentsOfFile: "\(out)/report.html", encoding: .utf8)
        for outside in ["src=", "href=\"http", "url(http", "@import", "<link", "<script"] {
            #expect(!html.contains(outside), "the page fetches nothing: \(outside)")
        }
        #expect(html.contains("<svg") && html.contains("class=\"protected\"") && html.contains("class=\"clue\""), "the overview map")
    }

    @Test func withoutChromiumTheReportSaysSoAndLeavesNoOldPrint() throws {
        let folder = TemporaryFolder("redline-cli-report-nochrome")
        let (registry, _) = try registry(in: folder)
        let out = folder.path("report")
        let arguments = ["report", "--registry", registry, "--period", "2026-11", "--out", out]
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("last month's print".utf8).write(to: URL(fileURLWithPath: "\(out)/report.pdf"))
        let strict = try redline(arguments + ["--strict"], environment: ["PATH=/nonexistent"])
        #expect(strict.status == 5 && !FileManager.default.fileExists(atPath: "\(out)/report.html"), "\(strict.stderr)")
        let made = try redline(arguments, environment: ["PATH=/nonexistent"])
        #expect(made.status == 0 && made.stderr.contains("no Chromium found to print report.pdf"), "\(made.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(out)/report.html") && !FileManager.default.fileExists(atPath: "\(out)/report.pdf"),
                "an older report.pdf would pair last month's print with this month's page")

        let typo = try redline(arguments, environment: ["REDLINE_CHROMIUM=/usr/bin/chromiun"])
        #expect(typo.status == 64 && typo.stderr.contains("REDLINE_CHROMIUM names /usr/bin/chromiun"), "a browser asked for by name: \(typo.stderr)")

        // A "browser" that prints and leaves a helper running: the report does not wait for it, and it is gone.
        let script = folder.path("browser.sh"), marker = "redline-test-helper-\(UUID().uuidString.prefix(8))"
        try Data("""
            #!/bin/sh
            for a in "$@"; do case "$a" in --print-to-pdf=*) printf '%%PDF-1.4 fake' > "${a#--print-to-pdf=}";; esac; done
            sh -c 'exec -a \(marker) sleep 300' &
            exit 0

            """.utf8).write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        let started = Date()
        let printed = try redline(arguments, environment: ["REDLINE_CHROMIUM=\(script)"])
        #expect(printed.status == 0 && Date().timeIntervalSince(started) < 60, "\(printed.stderr)")
        let helpers = try Command.run("/usr/bin/env", ["pgrep", "-f", marker])
        #expect(helpers.stdout.isEmpty, "the browser's process group is killed once it has printed: \(helpers.stdout)")
        let failing = folder.path("failing.sh")
        try Data("#!/bin/sh\necho 'ERROR: cannot print' >&2\nexit 3\n".utf8).write(to: URL(fileURLWithPath: failing))
        chmod(failing, 0o755)
        let failed = try redline(arguments, environment: ["REDLINE_CHROMIUM=\(failing)"])
        #expect(failed.status == 3 && failed.stderr.contains("exited with status 3") && failed.stderr.contains("ERROR: cannot print")
                && failed.stderr.contains("--no-pdf"), "\(failed.stderr)")
        #expect(try String(contentsOfFile: "\(out)/report.pdf", encoding: .utf8) == "%PDF-1.4 fake", "the failed run replaced nothing")
        let staging = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        #expect(staging.isEmpty, "no staging folder or browser profile left: \(staging)")

        let badPeriod = try redline(["report", "--registry", registry, "--period", "2026-13", "--out", out])
        #expect(badPeriod.status == 64 && badPeriod.stderr.contains("--period takes a month as YYYY-MM"), "\(badPeriod.stderr)")
        let future = try redline(["report", "--registry", registry, "--period", "2090-01", "--out", out])
        #expect(future.status == 64 && future.stderr.contains("has not begun"), "\(future.stderr)")
        let county = try redline(["report", "--registry", registry, "--period", "2026-11", "--county", "999999", "--out", out])
        #expect(county.status == 64 && county.stderr.contains("no clue of county “999999”"), "\(county.stderr)")
        let known = try sql(registry, "SELECT county_code FROM registry_clues LIMIT 1")[0]
        let quiet = try redline(["report", "--registry", registry, "--period", "2026-10", "--county", known, "--no-pdf", "--out",
                                 folder.path("quiet")])
        #expect(quiet.status == 0 && quiet.stdout.contains("found 0") && quiet.stderr.contains("is the period right?"),
                "a county with no clue in a month has a report of noughts: \(quiet.stdout)\(quiet.stderr)")
        let missing = try redline(["report", "--registry", folder.path("none.gpkg"), "--period", "2026-11", "--out", out])
        #expect(missing.status != 0 && missing.stderr.contains("none.gpkg"), "\(missing.stderr)")
    }
}
