import ArgumentParser
import Foundation
import RedlineCore
import RedlineOutputs
import RedlineRegistry
import RedlineReports

/// `redline report`: the month's report a department hands upward.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the monthly report (月报): report.html, report.pdf and report.xlsx from the registry.",
        discussion: HelpText.reflowed("""
        Example: redline report --registry registry.gpkg --period 2026-11 --out reports/2026-11

        The figures follow the days the clues' lives record, not the days files were imported:
        clues found (下发), checked in the field (核查) and found true, rectified (整改完成) and
        closed (销号) in the month, with counts and areas inside protection in hectares and 亩,
        by county and stage at the month's end, by reserve and zone, by activity type and by
        severity; the rectification rate; the clues past their own deadline on the month's last
        day; the trend over the last 12 months; an overview map over the protected areas in force
        at the month's end (the boundaries of the registry's last run, or --protected); and per
        reserve the mining clues still open at each month's end. A clue replaced by its rebound
        counts through the rebound from the day the rebound was issued.

        report.pdf is printed from report.html by headless Chromium (chromium on PATH, or
        REDLINE_CHROMIUM); without it a warning says so and the HTML prints the same from any
        browser. The three files are written together: a failed run leaves the folder as it was.

        \(ExitStatus.table)
        """)
    )

    @Option(help: "The clue registry (.gpkg or PG: connection string).")
    var registry: String

    @Option(help: "The month to report, YYYY-MM.")
    var period: String

    @Option(help: "Report one county only (its code or name).")
    var county: String?

    @Option(help: "Output folder for report.html, report.pdf and report.xlsx.")
    var out: String

    @Option(name: .customLong("protected"), help: "Protected area source for the map, instead of the registry's last run's.")
    var protectedSources: [String] = []

    @Option(help: "For clues issued before deadlines existed (they have none of their own): days from issue to the field check.")
    var dueDays: Int = 30

    @Flag(help: "Write no report.pdf (and remove an older one).")
    var noPDF = false

    @Option(help: "Worker threads for loading the boundaries.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Stop, writing nothing, if there is any warning.")
    var strict = false

    func validate() throws {
        _ = try month()
        guard dueDays >= 0 else { throw ValidationError("--due-days must not be negative") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func month() throws -> ReportMonth {
        guard let month = ReportMonth(text: period) else {
            throw ValidationError("--period takes a month as YYYY-MM (2026-11), not “\(period)”")
        }
        let today = CalendarDay.today()
        guard month.first <= today else {
            throw ValidationError("--period \(period) has not begun (today is \(today)) — give a month that has")
        }
        return month
    }

    func run() throws {
        try Reporting.run {
            let month = try month()
            let store = try Registry.open(registry, readOnly: true)
            let warnings = WarningLog()
            defer { Reporting.printWarnings(warnings.all) }
            let figures = try MonthlyFigures(registry: store, month: month, county: county, dueDays: dueDays)
            if let county, !figures.countyKnown {
                throw RedlineError.unknownCounty(county, in: store.displayLocation, among: try store.allClues())
            }
            if figures.end < month.last {
                warnings.add(code: "period_not_over", "\(month) is not over: its stocks and overdue clues are as of today, \(figures.end)")
            }
            if figures.issuedByEnd == 0 {
                warnings.add(code: "period_before_registry", "no clue in \(registry) was issued by \(figures.end): the report of "
                             + "\(month) is empty — is the period right?", file: registry)
            }
            for doubt in figures.doubts { warnings.add(code: "dates_out_of_order", doubt, file: registry) }
            var boundaries = try RegistryExport.rememberedRecord(in: store).boundaries
            if !protectedSources.isEmpty { boundaries.protectedSources = protectedSources }
            guard !boundaries.protectedSources.isEmpty else {
                throw RedlineError.badOption("\(registry) recorded no protected sources for the map — pass --protected")
            }
            boundaries.admin = nil
            let destination = URL(fileURLWithPath: out)
            try StagedFolder.refuse(inputs: boundaries.paths + [registry], inside: destination, option: "--out")
            let loaded: LoadedBoundaries
            do {
                loaded = try boundaries.load(jobs: jobs, keepOutlines: true, warnings: warnings)
            } catch RedlineError.cannotOpen(let source, let reason) where protectedSources.isEmpty {
                throw RedlineError.cannotOpen(source: source, reason: "\(reason) (the protected source of \(registry)'s last run, "
                                              + "for the map: pass --protected with where it is now)")
            }
            let missingBrowser = noPDF ? nil : try ReportWriter.missingBrowser(for: destination)
            if let missingBrowser { warnings.add(missingBrowser) }
            if strict, let first = warnings.all.first { throw RedlineError.stoppedByWarnings(count: warnings.all.count, first: first.description) }
            let report = try MonthlyReport(figures: figures, registry: SourceSpec.maskingPasswords(registry), made: .today(),
                                           protected: loaded.index)
            let written = try ReportWriter(report: report).write(into: destination, pdf: !noPDF && missingBrowser == nil)
            let found = figures.flows[.found] ?? Tally()
            let rate = figures.rectificationRate.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
            print("\(month)\(county.map { " \($0)" } ?? ""): found \(found.clues) (\(String(format: "%.2f", found.ha)) ha), "
                  + "verified \(figures.flows[.verified]?.clues ?? 0), rectified \(figures.flows[.rectified]?.clues ?? 0), "
                  + "closed \(figures.flows[.closed]?.clues ?? 0); rectification rate \(rate); overdue \(figures.overdue.count)")
            print("wrote " + written.map { destination.appendingPathComponent($0).path }.joined(separator: ", "))
        }
    }
}
