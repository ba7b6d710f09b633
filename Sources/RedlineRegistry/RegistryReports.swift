import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// Counts of the registry: by status, county, severity and age, and the overdue clues.
public struct StatusReport: Sendable {
    public var byStatus: [String: Int] = [:]
    public var byCounty: [String: Int] = [:]
    public var bySeverity: [String: Int] = [:]
    /// Open clues by days since issued: 0-6, 7-29, 30-89, 90+.
    public var ages: [String: Int] = [:]
    public var overdue: [Overdue] = []
    public var total = 0

    /// A clue past the deadline of the stage it is in.
    public struct Overdue: Sendable, Equatable {
        public let clue: String
        public let county: String
        public let status: ClueStatus
        public let stage: ClueStatus.Stage
        public let due: CalendarDay
        public let daysOver: Int
    }

    static let ageBuckets: [(String, ClosedRange<Int>)] = [("0-6", 0...6), ("7-29", 7...29), ("30-89", 30...89),
                                                          ("90+", 90...Int.max)]

    /// A clue is overdue when `today` is past the deadline of its stage (field check,
    /// rectification, acceptance). A clue issued before deadlines existed has none of its own: its
    /// field check is due `dueDays` after it was issued. A clue superseded by its rebound counts
    /// through the rebound.
    public init(registry: Registry, today: CalendarDay, dueDays: Int) throws {
        for clue in try registry.allClues() {
            total += 1
            byStatus[clue.status.rawValue, default: 0] += 1
            byCounty["\(clue[.countyCode]) \(clue[.countyName])".trimmingCharacters(in: .whitespaces), default: 0] += 1
            bySeverity[clue[.severity], default: 0] += 1
            if let entry = Self.overdue(clue, today: today, dueDays: dueDays) { overdue.append(entry) }
            guard clue.status.isOpen, let opened = clue.lifecycle.openedOn else { continue }
            let days = today.days(since: opened)
            if let bucket = Self.ageBuckets.first(where: { $0.1.contains(max(0, days)) }) { ages[bucket.0, default: 0] += 1 }
        }
        overdue.sort { ($0.daysOver, $1.clue) > ($1.daysOver, $0.clue) }
    }

    /// The clue's overdue stage on `today`, if any.
    static func overdue(_ clue: RegisteredClue, today: CalendarDay, dueDays: Int) -> Overdue? {
        let life = clue.lifecycle
        guard life.supersededBy == nil, let stage = life.status.stage else { return nil }
        let fallback = stage == .verify ? life.openedOn?.adding(days: dueDays) : nil
        guard let due = life.due[stage] ?? fallback, today > due else { return nil }
        return Overdue(clue: clue.clueID, county: clue[.countyCode], status: life.status, stage: stage, due: due,
                       daysOver: today.days(since: due))
    }
}

/// Writes registry clues as a check's outputs (clues.gpkg, clues.csv, clues.geojson and a
/// summary.json naming the boundaries of the last run), so `redline checklist` works on them.
public struct RegistryExport {
    public let registry: Registry
    /// Who dispatches, for the audit trail.
    public let actor: String

    public init(registry: Registry, actor: String = Actor.login()) {
        self.registry = registry
        self.actor = actor
    }

    /// With `dispatch`, the exported clues that are issued or reopened become dispatched (the
    /// export is what goes to the field).
    public func write(to destination: URL, status: Set<String>, counties: Set<String>, periods: Set<String>,
                      dispatch: Bool = false) throws -> Int {
        let all = try registry.allClues()
        // A county or period the registry has never seen is a typo, not "no clues": say what it has.
        for county in counties where !all.contains(where: { $0[.countyCode] == county || $0[.countyName] == county }) {
            throw RedlineError.unknownCounty(county, in: registry.displayLocation, among: all)
        }
        for period in periods where !all.contains(where: { $0[.period] == period }) {
            let known = Set(all.map { $0[.period] }).sorted()
            throw RedlineError.badOption("no clue of period “\(period)” in \(registry.displayLocation) — give a period it has: "
                                         + (known.isEmpty ? "it has none" : known.joined(separator: ", ")))
        }
        let selected = all.filter { clue in
            (status.isEmpty || status.contains(clue.status.rawValue))
                && (counties.isEmpty || counties.contains(clue[.countyCode]) || counties.contains(clue[.countyName]))
                && (periods.isEmpty || periods.contains(clue[.period]))
        }
        try write(selected, to: destination,
                  filters: ["status": status.sorted(), "county": counties.sorted(), "period": periods.sorted()])
        if dispatch { try markDispatched(selected, to: destination.lastPathComponent) }
        return selected.count
    }

    /// Writes `clues` as a check's outputs into `destination`, all or nothing; `filters` are
    /// what summary.json says chose them.
    func write(_ clues: [RegisteredClue], to destination: URL, filters: [String: [String]]) throws {
        let folder = try StagedFolder(destination: destination)
        let columns = ClueColumn.allCases.map(\.column) + LifecycleColumn.allCases.map(\.column)
        try ClueFiles.write(clues.map { clue in
            (clue.record.values + LifecycleColumn.allCases.map(clue.lifecycle.value), clue.wkb)
        }, columns: columns, crs: try registry.meta("crs") ?? "EPSG:4490", into: folder)
        try Self.rememberedRecord(in: registry)
            .exportSummaryJSON(exportOf: registry.displayLocation, clues: clues.count, filters: filters)
            .write(to: URL(fileURLWithPath: folder.path("summary.json")))
        // overlaps.csv of a check once written here would sit beside clues it does not describe.
        try folder.commit(ClueFiles.names + ["summary.json"], retiring: ["overlaps.csv"])
    }

    private func markDispatched(_ clues: [RegisteredClue], to name: String) throws {
        try registry.begin()
        do {
            for clue in clues where clue.status.dispatched != clue.status {
                var dispatched = clue.lifecycle
                dispatched.status = clue.status.dispatched
                dispatched.updatedAt = Registry.timestamp()
                try registry.update(clue, lifecycle: dispatched)
                try registry.addEvent(clue: clue.clueID, kind: "dispatched", from: clue.status.rawValue,
                                      to: clue.status.dispatched.rawValue, source: name, actor: actor)
            }
            try registry.commit()
        } catch {
            registry.rollback()
            throw error
        }
    }

    /// Remembers what the run checked against, for exports and their checklists.
    public static func remember(_ record: CheckRecord, in registry: Registry) throws {
        let encode = { (object: Any) in
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        try registry.setMeta("settings", try encode(record.allSettings))
        try registry.setMeta("protected_sources", try encode(record.boundaries.protectedSources))
        try registry.setMeta("tool_version", record.toolVersion)
    }

    /// The record `remember` kept: the boundaries and settings of the registry's last run.
    public static func rememberedRecord(in registry: Registry) throws -> CheckRecord {
        func decoded<Value>(_ key: String, as: Value.Type) throws -> Value? {
            try registry.meta(key).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? Value }
        }
        let settings = try decoded("settings", as: [String: String].self) ?? [:]
        return CheckRecord(toolVersion: try registry.meta("tool_version") ?? "", activitySources: [],
                           boundaries: BoundarySources(recorded: settings,
                                                       protectedSources: try decoded("protected_sources", as: [String].self) ?? []),
                           settings: settings)
    }
}

/// Who a command acts for, as the registry's audit trail records it.
public enum Actor {
    /// The login name of the person at the terminal (or running the scheduled job).
    public static func login(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if getlogin_r(&buffer, buffer.count) == 0, buffer[0] != 0 { return String(cString: buffer) }
        for key in ["USER", "LOGNAME"] { if let name = environment[key], !name.isEmpty { return name } }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "unknown"
    }
}

/// Everything that happened to one clue: its events in order, each with who, when, from which
/// extract or file, and what changed.
public struct ClueHistory: Sendable {
    public struct Event: Sendable, Equatable {
        public let seq: Int
        public let at: String
        public let kind: String
        public let from: String
        public let to: String
        /// The extract's file name (the registry keeps its SHA-256) or the imported file.
        public let source: String
        public let actor: String
        public let detail: String
    }

    public let clue: RegisteredClue
    public let events: [Event]

    /// The clue's history, or nil when the registry has no such clue.
    public static func of(_ clueID: String, in registry: Registry) throws -> ClueHistory? {
        guard let clue = try registry.clue(clueID) else { return nil }
        let extracts = Dictionary(try Registry.rows(try registry.extracts()).map { ($0["sha256"], $0["file_name"]) },
                                  uniquingKeysWith: { first, _ in first })
        let events = try Registry.rows(try registry.events(), filter: "clue_id = \(Registry.quoted(clueID))").map { row in
            Event(seq: Int(row["seq"]) ?? 0, at: Registry.isoTimestamp(row["at"]), kind: row["kind"], from: row["from_status"], to: row["to_status"],
                  source: extracts[row["source"]] ?? row["source"], actor: row["actor"], detail: row["detail"])
        }.sorted { $0.seq < $1.seq }
        return ClueHistory(clue: clue, events: events)
    }

    /// One line per event, for a terminal.
    public var lines: [String] {
        let header = "\(clue.clueID)  \(clue.status.rawValue)  \(clue[.activityTypeLabel]) \(clue[.protectedNames]) "
            + "\(clue[.strictestZoneLabel])  \(clue[.countyCode]) \(clue[.countyName])"
            + (clue.lifecycle.reboundOf.map { "  rebound of \($0)" } ?? "")
            + (clue.lifecycle.supersededBy.map { "  superseded by \($0)" } ?? "")
        return [OneLine.escape(header)] + events.map { event in
            let change = event.from.isEmpty || event.from == event.to ? event.to : "\(event.from) → \(event.to)"
            return OneLine.escape("\(event.at)  \(event.kind)  \(change)  by \(event.actor)  from \(event.source)"
                                  + (event.detail.isEmpty ? "" : "  (\(event.detail))"))
        }
    }

    /// The history as JSON: the clue's ID and status, then its events.
    public func json() throws -> Data {
        let events = self.events.map { event -> [String: Any] in
            ["seq": event.seq, "at": event.at, "kind": event.kind, "from": event.from, "to": event.to, "source": event.source,
             "actor": event.actor, "detail": event.detail]
        }
        return try JSONSerialization.data(withJSONObject: ["clue_id": clue.clueID, "status": clue.status.rawValue, "events": events],
                                          options: [.prettyPrinted, .sortedKeys])
    }
}

extension RedlineError {
    /// A county given to a registry command (export, report) that none of its clues has, with the
    /// counties they do have: a typo must not read as "no clues".
    public static func unknownCounty(_ county: String, in location: String, among clues: [RegisteredClue]) -> RedlineError {
        let known = Set(clues.map { "\($0[.countyCode]) \($0[.countyName])".trimmingCharacters(in: .whitespaces) })
        return .badOption("no clue of county “\(county)” in \(location) — give a county code or name it has: "
                          + (known.isEmpty ? "it has none" : known.sorted().joined(separator: ", ")))
    }
}
