import ArgumentParser
import Foundation
import RedlineCore
import RedlineOutputs
import RedlineRegistry

/// How a run logs: one line per event on stderr, as text or JSON.
enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

struct RunLogger {
    let format: LogFormat

    func callAsFunction(_ event: LogEvent) {
        let line: String
        switch format {
        case .json:
            var object: [String: String] = ["ts": ISO8601DateFormatter().string(from: Date()), "level": event.level,
                                            "event": event.event]
            for (key, value) in event.fields { object[key] = value }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        case .text:
            // A file name or value from the data cannot start a forged line.
            line = "redline: \(event.level): \(event.event)" + event.fields.map { " \($0.0)=\(OneLine.escape($0.1))" }.joined()
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every new extract in an inbox and merge its clues into the registry (the nightly job).",
        discussion: HelpText.reflowed("""
        Each extract (a file in --inbox: .gpkg, .shp, .geojson, .fgb, .kml, .zip…) is known by the
        SHA-256 of its content: renaming it does not make it new, changing it does. For each new
        extract the clues are checked as `redline check` does, then merged into the registry in one
        transaction: a patch overlapping an open clue's patch (by at least --match-overlap of the
        smaller) is a re-detection of it; one on a rectified or closed site raises a rebound clue
        linked to the original (which is reopened); anything else is a new clue. The check's outputs
        for those clues go to OUT/<extract>-<hash>/, and a report of the whole run to
        OUT/run-report.json (and, kept, OUT/reports/run-<start>.json). Killed at any moment, a
        rerun gives the registry a clean run would.

        Only complete extracts are taken: regular files (never a FIFO or a device), shapefiles
        with their .shx and .dbf, unchanged for --settle-seconds; others wait for the next run. An
        extract that failed on --quarantine-after runs moves to OUT/quarantine/ with the reason.

        The registry is a GeoPackage (default) or PostgreSQL/PostGIS: --registry PG:"dbname=…"
        (credentials from PGPASSWORD or ~/.pgpass, never logged). A second run on the same
        registry stops at once with exit status 4.

        Warnings (as `redline check` gives them) are logged as `warning` events and listed per
        extract in the run report; under --strict an extract with warnings fails (status 5) and is
        retried next time.

        Exit status: 0 done (also when nothing was new); 2 some extracts could not be read (they
        stay unprocessed and are retried next time; the others were processed); 3 the registry or
        the outputs could not be written; 4 another run holds the registry; 5 under --strict, some
        extracts had warnings; 64 bad options.
        """)
    )

    @Option(help: "The clue registry: a .gpkg file (created if missing) or a PG: connection string.")
    var registry: String

    @Option(help: "Folder of imagery extracts to check.")
    var inbox: String

    @Option(help: "Output folder for each extract's clues and the run report.")
    var out: String = "out"

    @Option(help: "A patch repeats a registered clue when their overlap covers at least this share of the smaller.")
    var matchOverlap: Double = 0.5

    @Option(help: "Log lines on stderr: text or json.")
    var logFormat: LogFormat = .text

    @Option(help: "An extract changed less than this many seconds ago may still be copying: it waits for the next run.")
    var settleSeconds: Double = 60

    @Option(help: "An extract that failed on this many runs moves to OUT/quarantine/ with the reason.")
    var quarantineAfter: Int = 3

    @Option(help: "A re-detection larger than its clue by more than this share has grown (扩大): an event, and a rectified or closed site reopens.")
    var growth: Double = 0.2

    @OptionGroup var who: ActorOption

    @Option(help: "The campaign these extracts belong to (e.g. 绿盾2026), kept with each extract and each new clue.")
    var campaign: String?

    @Option(help: "Where these extracts come from (e.g. 国家下发, 省级自查, 卫片执法), kept with each extract and each new clue.")
    var source: String?

    @OptionGroup var options: CheckOptions

    func validate() throws {
        guard matchOverlap > 0 && matchOverlap <= 1 else { throw ValidationError("--match-overlap must be in (0, 1]") }
        try CheckOptions.requireNumber(growth, "--growth", in: 0.01...100)
        try ActorOption.requireName(campaign, "--campaign")
        try ActorOption.requireName(source, "--source")
        try CheckOptions.requireNumber(settleSeconds, "--settle-seconds", in: 0...86_400)
        guard quarantineAfter >= 1 else { throw ValidationError("--quarantine-after must be at least 1") }
    }

    func run() throws {
        let log = RunLogger(format: logFormat)
        let started = Date()
        var outcomes: [ExtractOutcome] = []
        var exit = ExitStatus.ok
        var failure: String?
        var opened: Registry?
        do {
            try StagedFolder.refuse(inputs: [out, registry], inside: URL(fileURLWithPath: inbox), option: "--inbox",
                                    because: "every file of which is read as an extract")
            let prepared = try options.prepare()
            // Before the registry is made: a run refused for its inbox must not leave one behind.
            _ = try NightlyRun.inboxNames(URL(fileURLWithPath: inbox))
            let store = try Registry.open(registry, create: true)
            opened = store
            try store.lock()
            log(LogEvent("info", "run_started", [("registry", store.displayLocation), ("inbox", inbox)]))
            let warnings = WarningLog()
            let loaded = try prepared.boundaries.load(jobs: options.jobs, warnings: warnings)
            for warning in warnings.all {
                log(LogEvent("warning", "boundary_warning", [("code", warning.code), ("message", warning.description)]))
            }
            if prepared.settings.strict, let first = warnings.all.first {
                throw RedlineError.stoppedByWarnings(count: warnings.all.count, first: first.description)
            }
            let record = prepared.record(of: [])
            try RegistryExport.remember(record, in: store)
            outcomes = try NightlyRun(registry: store, index: loaded.index, admin: loaded.counties, settings: prepared.settings,
                                      fields: prepared.fields,
                                      options: NightlyOptions(inbox: URL(fileURLWithPath: inbox), out: URL(fileURLWithPath: out),
                                                              matchOverlap: matchOverlap, growth: growth, jobs: options.jobs,
                                                              actor: who.actor, settleSeconds: settleSeconds,
                                                              quarantineAfter: quarantineAfter, campaign: campaign, source: source,
                                                              today: prepared.settings.asOf ?? .today()),
                                      record: record, log: { log($0) }).run()
            if let worst = outcomes.compactMap(\.failure).max(by: { $0.rawValue < $1.rawValue }) { exit = worst }
        } catch {
            opened?.removeIfNewAndEmpty()
            let (message, status) = Reporting.describe(error)
            // Anything unforeseen while writing the registry is still a write failure to a scheduler.
            exit = status == .unexpected ? .cannotWrite : status
            failure = message
        }
        if let failure { log(LogEvent("error", "run_failed", [("error", failure)])) }
        // A locked registry or refused options leave the last report alone: this run did nothing.
        if exit != .locked && exit != .usage {
            do {
                try NightlyReport(started: started, registry: SourceSpec(path: registry).displayPath, inbox: inbox, exit: exit,
                                  failure: failure, outcomes: outcomes).write(into: URL(fileURLWithPath: out))
            } catch {
                log(LogEvent("error", "report_failed", [("error", "\(error)")]))
                if exit == .ok { exit = .cannotWrite }
            }
        }
        log(LogEvent(exit == .ok ? "info" : "error", "run_finished", [
            ("exit", String(exit.rawValue)), ("processed", String(outcomes.filter { $0.status == "processed" }.count)),
            ("new", String(outcomes.map(\.newClues).reduce(0, +))), ("merged", String(outcomes.map(\.merged).reduce(0, +))),
            ("rebounds", String(outcomes.map(\.rebounds).reduce(0, +))),
        ]))
        if exit != .ok { throw ExitCode(exit.rawValue) }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take in the field teams' verification results.",
                                                    subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a returned checklist (XLSX, CSV or GeoJSON) to the registry.",
            discussion: HelpText.reflowed("""
            Reads the checklist's own columns, in Chinese or English: 线索编号 (Clue ID), 核查结果 (属实 /
            不属实 / 部分属实), 核查日期, 核查人, 实际活动, 责任主体, 整改措施, 照片编号, 备注, and optionally
            状态 (整改中 rectifying / 已整改 rectified / 已销号 closed), 整改期限, 整改完成日期, 销号日期,
            验收人 and 文号 for the sign-off. A true problem is closed only with its date rectified,
            an approver and a document number or photos. For a site a look-back (`redline
            lookback`) drew, a result alone is the look-back's: 不属实 keeps the site as it was
            left, 属实 or 部分属实 raises a rebound clue verified by that row. Every row is checked (unknown clue ID, a result that
            is none of the three, a missing or future date, a clue already closed, a step back, a
            不属实 after a true finding, one clue on rows that disagree…);
            the valid ones are applied in one transaction, each rejected one is listed with its row
            number and reason. Rows left blank are skipped. Importing the same file twice changes nothing.

            Exit status: 0 all filled rows applied or unchanged; 2 some rows rejected (the others
            applied, unless --dry-run); 3 the registry could not be written; 4 another run holds it;
            64 bad options. (The table of `redline check --help` holds for every subcommand.)
            """)
        )

        @Argument(help: "The returned file.")
        var file: String

        @Option(help: "The clue registry (.gpkg or PG: connection string).")
        var registry: String

        @Flag(help: "Check every row and report, change nothing.")
        var dryRun = false

        @OptionGroup var who: ActorOption

        func run() throws {
            try Reporting.run {
                let store = try Registry.open(registry)
                try store.lock()
                let report = try VerificationImport(registry: store, file: file, actor: who.actor).run(dryRun: dryRun)
                if !report.unreadColumns.isEmpty {
                    let names = report.unreadColumns.map { "“\($0)”" }.joined(separator: ", ")
                    FileHandle.standardError.write(Data(("redline: warning: \(file): column(s) \(names) not read — redline reads 核查结果, "
                        + "核查日期, 核查人, 状态, 整改期限, 整改完成日期, 销号日期, 验收人, 文号 and the checklist's other columns; "
                        + "rename a column to one of these if it holds that finding\n").utf8))
                }
                for rejected in report.rejected {
                    print("\(file): row \(rejected.row): \(rejected.clue.isEmpty ? "" : "\(rejected.clue): ")\(rejected.reason)")
                }
                for rebound in report.rebounds { print("\(rebound.of): the look-back found activity again → rebound clue \(rebound.clue)") }
                print("\(dryRun ? "would apply" : "applied") \(report.applied.count), unchanged \(report.unchanged), "
                      + "blank \(report.blank), rejected \(report.rejected.count)")
                if !report.rejected.isEmpty { throw ExitCode(ExitStatus.badInput.rawValue) }
            }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the registry's clues by status, county, severity and age; list overdue ones.",
        discussion: "\(ExitStatus.table)"
    )

    @Option(help: "The clue registry (.gpkg or PG: connection string).")
    var registry: String

    @Option(help: "For clues issued before deadlines existed (they have none of their own): days from issue to the field check.")
    var dueDays: Int = 30

    @Option(help: "The day to count overdue clues on, YYYY-MM-DD (default: today).")
    var asOf: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard dueDays >= 0 else { throw ValidationError("--due-days must not be negative") }
        _ = try CheckOptions.day(asOf, "--as-of")
    }

    func run() throws {
        try Reporting.run {
            let today = try CheckOptions.day(asOf, "--as-of") ?? .today()
            let report = try StatusReport(registry: try Registry.open(registry, readOnly: true), today: today, dueDays: dueDays)
            if json {
                let object: [String: Any] = [
                    "total": report.total, "by_status": report.byStatus, "by_county": report.byCounty,
                    "by_severity": report.bySeverity, "open_by_age_days": report.ages, "due_days": dueDays,
                    "as_of": "\(today)",
                    "overdue": report.overdue.map { ["clue_id": $0.clue, "county_code": $0.county, "status": $0.status.rawValue,
                                                     "stage": $0.stage.rawValue, "due": "\($0.due)", "days_overdue": $0.daysOver] },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            func table(_ title: String, _ counts: [String: Int]) {
                print(title)
                for (key, count) in counts.sorted(by: { $0.key < $1.key }) { print("  \(key.isEmpty ? "-" : key)\t\(count)") }
            }
            print("clues: \(report.total)")
            table("by status:", report.byStatus)
            table("by county:", report.byCounty)
            table("by severity:", report.bySeverity)
            table("open, by days since issued:", report.ages)
            print("overdue on \(today): \(report.overdue.count)")
            for entry in report.overdue {
                print("  \(entry.clue)\t\(entry.status.rawValue)\t\(entry.stage.rawValue) due \(entry.due)\t\(entry.daysOver) days over")
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write registry clues (by status, county, period) as a check's outputs; `redline checklist` takes them.",
        discussion: HelpText.reflowed("""
        Example: redline export --registry registry.gpkg --status issued --county 652325 --out export && redline checklist export

        With --dispatch the registry is changed: the export waits up to --wait seconds for a run
        holding it, then stops with status 4 before writing anything.

        \(ExitStatus.table)
        """)
    )

    @Option(help: "The clue registry (.gpkg or PG: connection string).")
    var registry: String

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Only clues with this status (repeat for several).")
    var status: [String] = []

    @Option(help: "Only clues of this county code (repeat for several).")
    var county: [String] = []

    @Option(help: "Only clues of this period, e.g. 2026Q3 (repeat for several).")
    var period: [String] = []

    @Flag(help: "Mark the exported issued or reopened clues as dispatched (sent to the field).")
    var dispatch = false

    @Option(help: "With --dispatch, how many seconds to wait for a run holding the registry.")
    var wait: Double = 30

    @OptionGroup var who: ActorOption

    func validate() throws {
        try CheckOptions.requireNumber(wait, "--wait", in: 0...86_400)
        let known = Set(ClueStatus.allCases.map(\.rawValue))
        for value in status where !known.contains(value) {
            throw ValidationError("unknown status \(value) (use \(ClueStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() throws {
        try Reporting.run {
            let store = try Registry.open(registry, readOnly: !dispatch)
            // Marking clues dispatched writes to the registry: wait for a run holding it, or stop
            // before anything is exported.
            if dispatch { try store.lock(wait: wait) }
            let count = try RegistryExport(registry: store, actor: who.actor)
                .write(to: URL(fileURLWithPath: out), status: Set(status), counties: Set(county), periods: Set(period),
                       dispatch: dispatch)
            print("\(count) clues → \(out)")
        }
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print everything that happened to one clue: who, when, from which extract or file, what changed.",
        discussion: HelpText.reflowed("""
        Example: redline history 652325-2026Q3-004217 --registry registry.gpkg

        \(ExitStatus.table)
        """)
    )

    @Argument(help: "The clue ID.")
    var clueID: String

    @Option(help: "The clue registry (.gpkg or PG: connection string).")
    var registry: String

    @Flag(help: "Print JSON instead of lines.")
    var json = false

    func run() throws {
        try Reporting.run {
            let store = try Registry.open(registry, readOnly: true)
            let id = clueID.trimmingCharacters(in: .whitespaces)
            guard let history = try ClueHistory.of(id, in: store) else {
                throw RegistryError.noSuchClue(location: store.displayLocation, clue: id)
            }
            if json {
                FileHandle.standardOutput.write(try history.json())
                print()
            } else {
                history.lines.forEach { print($0) }
            }
        }
    }
}

/// `--actor` of every command that writes the registry: who its events name.
struct ActorOption: ParsableArguments {
    @Option(help: "Who the registry's events name (default: your login name); a verification row's 核查人 stays its inspector.")
    var actor: String = Actor.login()

    func validate() throws { try Self.requireName(actor, "--actor") }

    /// A name for the audit trail: not blank, on one line, no control characters.
    static func requireName(_ value: String?, _ option: String) throws {
        guard let value else { return }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty,
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw ValidationError("\(option) takes a name on one line") }
    }
}
