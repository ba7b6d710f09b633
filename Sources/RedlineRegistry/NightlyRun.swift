import Foundation
import GDALKit
import GEOSKit
import RedlineCore
import RedlineOutputs
import ThreadKit

/// One line of a run's log.
public struct LogEvent: Sendable {
    public let level: String
    public let event: String
    public let fields: [(String, String)]

    public init(_ level: String, _ event: String, _ fields: [(String, String)] = []) {
        self.level = level
        self.event = event
        self.fields = fields
    }
}

/// What became of one extract.
public struct ExtractOutcome: Sendable {
    public let file: String
    public let sha256: String
    /// processed, skipped (seen before), failed, quarantined (failed once too often, moved away),
    /// ignored (no extract: a folder, another format, a pipe; `error` says why).
    public var status: String
    public var patches = 0, clues = 0, newClues = 0, merged = 0, rebounds = 0
    public var error: String?
    /// Why a failed extract failed, as an exit status (bad input, or warnings under --strict).
    public var failure: ExitStatus?
    public var outputFolder: String?
    public var warnings: [RunWarning] = []
}

/// Options of `redline run`.
public struct NightlyOptions: Sendable {
    public var inbox: URL
    public var out: URL
    /// A new patch is the same site as a registered clue when their overlap covers at least this
    /// share of the smaller of the two.
    public var matchOverlap: Double
    /// A re-detection whose patch is larger than the clue's by more than this share has grown (扩大).
    public var growth: Double
    /// The campaign (绿盾2026) and source (国家下发, 省级自查, 卫片执法) of this run's extracts.
    public var campaign: String?
    public var source: String?
    public var jobs: Int
    public var actor: String
    /// An extract changed less than this many seconds ago may still be being copied: it waits.
    public var settleSeconds: Double
    /// After failing on this many runs, an extract is moved to OUT/quarantine/ with the reason.
    public var quarantineAfter: Int
    /// The day new clues are issued on, from which their field-check deadline runs: today, or the
    /// run's `--as-of` day when it replays past extracts (their clues are then recorded as opened
    /// that day, so the monthly report counts them in the month they belong to).
    public var today: CalendarDay

    public init(inbox: URL, out: URL, matchOverlap: Double = 0.5, growth: Double = 0.2, jobs: Int = 1, actor: String = Actor.login(),
                settleSeconds: Double = 60, quarantineAfter: Int = 3, campaign: String? = nil, source: String? = nil,
                today: CalendarDay = .today()) {
        self.today = today
        self.inbox = inbox
        self.out = out
        self.matchOverlap = matchOverlap
        self.growth = growth
        self.campaign = campaign
        self.source = source
        self.jobs = jobs
        self.actor = actor
        self.settleSeconds = settleSeconds
        self.quarantineAfter = quarantineAfter
    }
}

/// Checks every unprocessed extract of the inbox and merges its clues into the registry, one
/// transaction per extract. Outputs are written before the registry commits, so a run killed at
/// any moment leaves either nothing of an extract or all of it, and the next run redoes it the same way.
public final class NightlyRun {
    let registry: Registry
    let index: ProtectedIndex
    let admin: AdminIndex?
    let settings: CheckSettings
    let fields: ActivityFields
    let options: NightlyOptions
    /// What every extract is checked with; each extract's outputs record it with the extract as the source.
    let record: CheckRecord
    let log: (LogEvent) -> Void
    private let geos = GEOSContext()

    public init(registry: Registry, index: ProtectedIndex, admin: AdminIndex?, settings: CheckSettings,
                fields: ActivityFields, options: NightlyOptions, record: CheckRecord, log: @escaping (LogEvent) -> Void) {
        self.registry = registry
        self.index = index
        self.admin = admin
        self.settings = settings
        self.fields = fields
        self.options = options
        self.record = record
        self.log = log
    }

    static let extensions: Set<String> = ["gpkg", "shp", "geojson", "json", "fgb", "kml", "kmz", "zip", "sqlite", "gml"]

    /// The names in the inbox folder; an error naming it when there is no such folder.
    public static func inboxNames(_ inbox: URL) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: inbox.path) else {
            throw RedlineError.cannotOpen(source: inbox.path, reason: "no such inbox folder")
        }
        return names
    }

    /// The extracts in the inbox, by name.
    public static func extracts(in inbox: URL) throws -> [URL] {
        let names = try inboxNames(inbox)
        return names.filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted().map { inbox.appendingPathComponent($0) }
            .filter { isRegularFile($0) }
    }

    /// What the inbox holds that is no extract, and why: a FileGDB folder, a MapInfo table or a
    /// subfolder dropped in the inbox would otherwise be passed over every night without a word.
    /// Hidden files and a shapefile's sidecars are not named.
    public static func ignored(in inbox: URL) throws -> [(name: String, reason: String)] {
        let names = try inboxNames(inbox)
        let shapefiles = Set(names.filter { ($0 as NSString).pathExtension.lowercased() == "shp" }
            .map { ($0 as NSString).deletingPathExtension.lowercased() })
        let extracts = names.map { $0.lowercased() }.filter { extensions.contains(($0 as NSString).pathExtension) }
        let taken = extensions.sorted().map { "." + $0 }.joined(separator: " ")
        return names.sorted().compactMap { name in
            let url = inbox.appendingPathComponent(name), suffix = (name as NSString).pathExtension.lowercased()
            guard !name.hasPrefix("."), !shapefiles.contains((name as NSString).deletingPathExtension.lowercased()) else { return nil }
            // What GIS software keeps beside an extract (day.gpkg-wal, day.shp.xml, day.gpkg.aux.xml) is part of it.
            let lower = name.lowercased()
            if extracts.contains(where: { lower != $0 && lower.hasPrefix($0) }) { return nil }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
                return (name, suffix == "gdb"
                        ? "a FileGDB folder: the inbox takes files — zip the folder, or export it to a GeoPackage (ogr2ogr -f GPKG)"
                        : "a folder: the inbox does not look into folders — move its extracts into the inbox")
            }
            if extensions.contains(suffix) {
                return isRegularFile(url) ? nil : (name, "not a regular file (a pipe, a device or a dangling link): never opened")
            }
            return (name, "not a kind of extract the inbox takes (\(taken)) — convert it, e.g. ogr2ogr -f GPKG")
        }
    }

    /// Only regular files (or links to them) are extracts: reading a FIFO or a device would hang
    /// the nightly job, and a dangling link is nothing yet.
    static func isRegularFile(_ url: URL) -> Bool {
        let type = (try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path))?[.type]
        return (type as? FileAttributeType) == .typeRegular
    }


    public func run() throws -> [ExtractOutcome] {
        let frameCRS = index.frame.crsIdentifier ?? index.frame.crs.text
        if let kept = try registry.meta("crs"), kept != frameCRS {
            throw RegistryError.frameMismatch(registry: kept, run: frameCRS)
        }
        var outcomes: [ExtractOutcome] = []
        for (name, reason) in try Self.ignored(in: options.inbox) {
            log(LogEvent("warning", "extract_ignored", [("file", name), ("reason", reason)]))
            var ignored = ExtractOutcome(file: name, sha256: "", status: "ignored")
            ignored.error = reason
            outcomes.append(ignored)
        }
        for file in try Self.extracts(in: options.inbox) {
            // A copy into the inbox may be under way: such an extract waits for the next run.
            let missing = SourceCatalog.missingSidecars(ofShapefile: file.path)
            guard missing.isEmpty else {
                log(LogEvent("warning", "extract_waiting", [("file", file.lastPathComponent),
                                                            ("reason", "no \(missing.joined(separator: ", ")) yet")]))
                continue
            }
            let age = Self.secondsSinceChange(file)
            guard age >= options.settleSeconds else {
                log(LogEvent("info", "extract_waiting", [("file", file.lastPathComponent),
                                                         ("reason", "changed \(Int(age)) s ago, may still be copying")]))
                continue
            }
            guard let sha = try digest(of: file) else { continue }
            if try registry.isProcessed(sha256: sha) {
                log(LogEvent("info", "extract_skipped", [("file", file.lastPathComponent), ("sha256", sha), ("reason", "processed before")]))
                outcomes.append(ExtractOutcome(file: file.lastPathComponent, sha256: sha, status: "skipped"))
                continue
            }
            do {
                let outcome = try process(file, sha: sha, crs: frameCRS)
                log(LogEvent("info", "extract_processed", [("file", outcome.file), ("sha256", sha), ("clues", String(outcome.clues)),
                                                            ("new", String(outcome.newClues)), ("merged", String(outcome.merged)),
                                                            ("rebounds", String(outcome.rebounds))]))
                outcomes.append(outcome)
            } catch let error as RedlineError where error.isInputError {
                registry.rollback()
                log(LogEvent("error", "extract_failed", [("file", file.lastPathComponent), ("sha256", sha), ("error", "\(error)")]))
                var failed = ExtractOutcome(file: file.lastPathComponent, sha256: sha, status: "failed")
                failed.error = "\(error)"
                failed.failure = error.exitStatus
                if try noteFailure(of: file, sha: sha, error: "\(error)") { failed.status = "quarantined" }
                outcomes.append(failed)
            } catch {
                registry.rollback()
                throw error
            }
        }
        return outcomes
    }

    /// Counts the runs an extract failed on; at `quarantineAfter` it moves (with its shapefile
    /// sidecars) to OUT/quarantine/, beside a note of the reason, so it stops failing every night.
    /// Returns whether it was moved.
    private func noteFailure(of file: URL, sha: String, error: String) throws -> Bool {
        let key = "failures:" + sha
        let failures = (try registry.meta(key).flatMap { Int($0) } ?? 0) + 1
        try registry.setMeta(key, String(failures))
        guard failures >= options.quarantineAfter else { return false }
        let quarantine = options.out.appendingPathComponent("quarantine")
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: quarantine, withIntermediateDirectories: true)
            // An earlier extract of the same name quarantined before stays: this one takes its hash as a prefix.
            let members = Self.members(of: file)
            func free(_ prefix: String) -> Bool {
                !members.contains { manager.fileExists(atPath: quarantine.appendingPathComponent(prefix + $0.lastPathComponent).path) }
            }
            var prefix = "", attempt = 1
            while !free(prefix) {
                prefix = attempt == 1 ? "\(sha.prefix(8))-" : "\(sha.prefix(8))-\(attempt)-"
                attempt += 1
            }
            for member in members {
                try manager.moveItem(at: member, to: quarantine.appendingPathComponent(prefix + member.lastPathComponent))
            }
            try Data("\(file.lastPathComponent) failed on \(failures) runs; the last error:\n\(error)\n".utf8)
                .write(to: quarantine.appendingPathComponent(prefix + file.lastPathComponent + ".reason.txt"), options: .atomic)
        } catch {
            throw RedlineError.outputFailed(path: quarantine.path, reason: "\(error)")
        }
        log(LogEvent("error", "extract_quarantined", [("file", file.lastPathComponent), ("sha256", sha), ("failures", String(failures)),
                                                      ("to", quarantine.path)]))
        return true
    }

    /// The file and, for a shapefile, every file beside it with the same name.
    static func members(of file: URL) -> [URL] {
        guard file.pathExtension.lowercased() == "shp" else { return [file] }
        let folder = file.deletingLastPathComponent()
        let stem = file.deletingPathExtension().lastPathComponent.lowercased()
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { ($0 as NSString).deletingPathExtension.lowercased() == stem }
            .map { folder.appendingPathComponent($0) }
    }

    /// Seconds since the file (or any of its shapefile sidecars) last changed.
    static func secondsSinceChange(_ file: URL) -> Double {
        let latest = members(of: file).compactMap {
            (try? FileManager.default.attributesOfItem(atPath: $0.path))?[.modificationDate] as? Date
        }.max() ?? .distantPast
        return Date().timeIntervalSince(latest)
    }

    /// The extract's SHA-256, reused from an earlier night while the file's size and modification
    /// time stay the same: an inbox keeps months of extracts, and hashing them all every night
    /// would read gigabytes for nothing. A renamed file is hashed anew (and found processed).
    private func digest(of file: URL) throws -> String? {
        guard let signature = Fingerprint.signature(ofSource: file.path) else { return nil }
        let key = "digest:" + file.lastPathComponent
        if let kept = try registry.meta(key), kept.hasPrefix(signature + " ") {
            return String(kept.dropFirst(signature.count + 1))
        }
        guard let sha = Fingerprint.ofSource(file.path) else { return nil }
        try registry.setMeta(key, signature + " " + sha)
        return sha
    }

    private func process(_ file: URL, sha: String, crs: String) throws -> ExtractOutcome {
        let layers = try SourceCatalog.layers(of: SourceSpec(path: file.path))
        let collector = ClueCollector()
        let warnings = WarningLog()
        defer {
            for warning in warnings.all {
                log(LogEvent("warning", "extract_warning", [("file", file.lastPathComponent), ("code", warning.code),
                                                            ("message", warning.description)]))
            }
        }
        let summary = try CheckRun(activityLayers: layers, index: index, admin: admin, settings: settings, fields: fields,
                                   jobs: options.jobs, warnings: warnings).run(into: collector)
        var outcome = ExtractOutcome(file: file.lastPathComponent, sha256: sha, status: "processed")
        outcome.warnings = summary.warnings
        outcome.patches = summary.patchesRead
        outcome.clues = collector.clues.count

        // Clues are issued on options.today (--as-of): one issued before its imagery was taken would
        // count in a month before the patch existed, with a deadline already past.
        if let early = collector.clues.first(where: { $0.detectedOn.map { $0 > options.today } ?? false }), let detected = early.detectedOn {
            // Not the extract's fault: it must not count towards its quarantine.
            throw RegistryError.issuedBeforeImagery(extract: file.lastPathComponent, patch: early.patch.activityID,
                                                    detected: "\(detected)", asOf: "\(options.today)")
        }
        let plan = CheckPlan(activityLayers: layers, index: index, admin: admin, settings: settings)
        let tables = ClueTables(plan: plan)
        try registry.begin()
        try registry.setMeta("crs", crs)
        try DeadlinePolicy.keep(settings.rules, in: registry)
        let clueLayer = try registry.clues(crs: crs)
        var merge = try Merge(registry: registry, clues: collector.clues, threshold: options.matchOverlap, jobs: options.jobs)
        // The outputs are written as the clues merge (with --jobs, each file on a thread of its own
        // beside the registry's writes), and finished before the commit: if the run dies in
        // between, the next run redoes this extract against the same registry and writes the same files.
        let folderName = SafeText.fileName("\(file.deletingPathExtension().lastPathComponent)-\(sha.prefix(8))", fallback: String(sha.prefix(16)))
        let folder = options.out.appendingPathComponent(folderName)
        var record = self.record
        record.activitySources = [SourceSpec(path: file.path)]
        let outputs = try CheckOutputs(folder: folder, run: record, parallel: options.jobs > 1)
        do {
            try outputs.begin(plan)
            try registry.batchingUpdates {
                for (index, clue) in collector.clues.enumerated() {
                    let (decision, registered) = try register(clue, at: index, in: clueLayer, sha: sha, tables: tables, merge: &merge)
                    switch decision {
                    case .new: outcome.newClues += 1
                    case .merged: outcome.merged += 1
                    case .rebound: outcome.rebounds += 1
                    }
                    try outputs.accept(clue.withID(registered))
                }
            }
            try outputs.finish(summary)
        } catch {
            outputs.abandon()
            throw error
        }
        outcome.outputFolder = folder.path

        try registry.extracts().write(named: [
            ("sha256", .string(sha)), ("file_name", .string(file.lastPathComponent)), ("processed_at", .string(Registry.timestamp())),
            ("patches", .integer(Int64(outcome.patches))), ("clues", .integer(Int64(outcome.clues))),
            ("new_clues", .integer(Int64(outcome.newClues))), ("merged", .integer(Int64(outcome.merged))),
            ("rebounds", .integer(Int64(outcome.rebounds))),
            ("campaign", options.campaign.map(FieldValue.string) ?? .null), ("source", options.source.map(FieldValue.string) ?? .null),
        ])
        try registry.commit()
        return outcome
    }

    enum Decision { case new, merged, rebound }

    /// What the merge of one extract keeps in memory: the registry's open sites around its clues
    /// and the clue IDs its numbering could meet, each read once, and kept up to date as clues are added.
    struct Merge {
        var sites: SiteIndex
        var takenIDs: Set<String>
        let threshold: Double
        /// The sites read from the registry; those after them are this extract's new clues.
        let registered: Range<Int>
        /// Each clue's best match among the registered sites, found on several threads before the
        /// merge (the overlays are most of its work); `.failed` for a clue whose search threw.
        private let found: [Found]

        enum Found: Sendable { case none, match(position: Int, share: Double), failed }

        init(registry: Registry, clues: [Clue], threshold: Double, jobs: Int) throws {
            let sites = try registry.openSites(meeting: clues.compactMap { WKB.envelope(of: $0.patchWKB) })
            let registered = 0..<sites.sites.count
            found = try parallelMap(count: clues.count, jobs: jobs, makeState: { GEOSContext() }) { geos, index in
                do {
                    return try sites.bestMatch(for: clues[index].patchWKB, threshold: threshold, at: registered, geos: geos)
                        .map { Found.match(position: $0.site.position, share: $0.share) } ?? Found.none
                } catch {
                    // Searched again in the merge, where the error stops the extract with its context.
                    return .failed
                }
            }
            self.sites = sites
            self.registered = registered
            self.threshold = threshold
            takenIDs = try registry.takenIDs(near: clues.map(\.clueID))
            try registry.holdClues(fids: found.compactMap { if case .match(let position, _) = $0 { sites.sites[position].fid } else { nil } })
        }

        /// The open site the clue at `index` re-detects: its best registered site (searched again
        /// when a rebound earlier in the extract closed it) or a site this extract added, whichever
        /// matches better.
        func site(for clue: Clue, at index: Int, geos: GEOSContext) throws -> SiteIndex.Site? {
            let registeredBest: SiteIndex.Match?
            switch found[index] {
            case .none: registeredBest = nil
            case .match(let position, let share) where sites.sites[position].open:
                registeredBest = SiteIndex.Match(site: sites.sites[position], share: share)
            case .match, .failed:
                registeredBest = try sites.bestMatch(for: clue.patchWKB, threshold: threshold, at: registered, geos: geos)
            }
            let added = try sites.bestMatch(for: clue.patchWKB, threshold: threshold, at: registered.upperBound..<sites.sites.count, geos: geos)
            if let added, added.isBetter(than: registeredBest) { return added.site }
            return registeredBest?.site
        }
    }

    /// Merges a clue into the registry: a re-detection of an open clue, a rebound on a rectified or
    /// closed site, or a new clue. Returns what happened and the registry's ID for it.
    private func register(_ clue: Clue, at index: Int, in layer: VectorLayer, sha: String, tables: ClueTables,
                          merge: inout Merge) throws -> (Decision, String) {
        guard let site = try merge.site(for: clue, at: index, geos: geos), let held = try registry.clueToChange(fid: site.fid) else {
            let id = Registry.freeID(clue.clueID, taken: &merge.takenIDs)
            try insert(clue, id: id, origin: .new, reboundOf: nil, sha: sha, in: layer, tables: tables, sites: &merge.sites)
            return (.new, id)
        }
        let match = held.clue
        // The site was dealt with on the latest of the team's finding, the rectification and the closure.
        let grown = clue.patchAreaM2 > match.record.patchM2 * (1 + options.growth)
        let life = match.lifecycle
        let seen = match.status.redetection(result: match.result, detected: clue.detectedOn,
                                            dealtWithOn: [life.verifiedOn, life.signOff.rectifiedOn, life.signOff.closedOn].compactMap { $0 }.max(),
                                            grown: grown)
        guard seen == .merged else {
            let id = Registry.freeID(clue.clueID, taken: &merge.takenIDs)
            try insert(clue, id: id, origin: .rebound, reboundOf: match.clueID, sha: sha, in: layer, tables: tables, sites: &merge.sites,
                       grownRebound: grown)
            merge.sites.close(fid: match.fid)
            var reopened = match.lifecycle
            reopened.status = .reopened
            if grown { reopened.flag("grown") }
            reopened.supersededBy = id
            // The imagery answered the look-back before the field team did.
            reopened.lookback = nil
            reopened.updatedAt = Registry.timestamp()
            try registry.update(held, lifecycle: reopened)
            try registry.addEvent(clue: match.clueID, kind: "rebound", from: match.status.rawValue, to: ClueStatus.reopened.rawValue,
                                  source: sha, actor: options.actor, detail: grown ? "\(id); \(growthText(match, clue))" : id)
            return (.rebound, id)
        }
        var merged = match.lifecycle
        merged.detections += 1
        if grown { merged.flag("grown") }
        merged.lastExtract = sha
        merged.lastDetected = [merged.lastDetected, clue.detectedOn].compactMap { $0 }.max()
        // Older imagery arriving late moves the first detection back: a field check dated between the two is valid.
        merged.firstDetected = [merged.firstDetected, clue.detectedOn].compactMap { $0 }.min()
        merged.updatedAt = Registry.timestamp()
        // The clue shows its latest detection (outline and figures), never with a milder
        // judgement than before; older imagery arriving late only adds to the detections.
        let latest = match.lifecycle.lastDetected.map { last in clue.detectedOn.map { $0 >= last } ?? true } ?? true
        let escalated = clue.judgement.severity > match.record.severity
        let record = tables.record(clue)
        if latest {
            try registry.update(held, lifecycle: merged, record: match.record.remeasured(as: record), wkb: clue.patchWKB)
        } else {
            try registry.update(held, lifecycle: merged, record: escalated ? match.record.judged(as: record) : nil)
        }
        try registry.addDetection(clue: match.clueID, extract: sha, record: record, wkb: clue.patchWKB)
        try registry.addEvent(clue: match.clueID, kind: escalated ? "escalated" : "redetected", from: nil, to: nil,
                              source: sha, actor: options.actor,
                              detail: escalated ? "\(clue.patch.activityID): \(match.record.severity.rawValue) → \(clue.judgement.severity.rawValue)"
                                  : clue.patch.activityID)
        if grown {
            try registry.addEvent(clue: match.clueID, kind: "grown", from: nil, to: nil, source: sha, actor: options.actor,
                                  detail: growthText(match, clue))
        }
        return (.merged, match.clueID)
    }

    /// "P123: 13.90 ha → 125.00 ha (+799%)"
    private func growthText(_ match: RegisteredClue, _ clue: Clue) -> String {
        let before = match.record.patchM2, after = clue.patchAreaM2
        return String(format: "%@: %.2f ha → %.2f ha (+%.0f%%)", clue.patch.activityID, before / 10_000, after / 10_000,
                      before > 0 ? (after / before - 1) * 100 : 0)
    }

    private func insert(_ clue: Clue, id: String, origin: ClueOrigin, reboundOf: String?, sha: String, in layer: VectorLayer,
                        tables: ClueTables, sites: inout SiteIndex, grownRebound: Bool = false) throws {
        let record = tables.record(clue.withID(id))
        var lifecycle = ClueLifecycle(origin: origin, reboundOf: reboundOf, extract: sha, detected: clue.detectedOn,
                                      at: options.today == .today() ? Registry.timestamp() : options.today.startTimestamp,
                                      campaign: options.campaign, source: options.source)
        if grownRebound { lifecycle.flag("grown") }
        lifecycle.due.verify = options.today.adding(days: settings.rules.deadlines(verdict: record.verdict,
                                                                                   severity: record.severity).verifyDays)
        let fid = try registry.insert(record, lifecycle: lifecycle, wkb: clue.patchWKB)
        sites.add(fid: fid, clueID: id, wkb: clue.patchWKB)
        try registry.addDetection(clue: id, extract: sha, record: record, wkb: clue.patchWKB)
        try registry.addEvent(clue: id, kind: origin == .rebound ? "rebound_issued" : "issued", from: nil,
                              to: ClueStatus.issued.rawValue, source: sha, actor: options.actor, detail: reboundOf ?? "")
    }
}

/// Keeps a check's clues in memory (one extract's).
final class ClueCollector: ClueSink {
    var clues: [Clue] = []
    func begin(_ plan: CheckPlan) throws {}
    func accept(_ clue: Clue) throws { clues.append(clue) }
    func finish(_ summary: CheckSummary) throws {}
}

/// The report of one nightly run: OUT/run-report.json (the latest, for a quick look) and
/// OUT/reports/run-<start>.json (one per run, kept), each written whole or not at all.
public struct NightlyReport {
    public let started: Date
    public let registry: String
    public let inbox: String
    public let exit: ExitStatus
    public let failure: String?
    public let outcomes: [ExtractOutcome]

    public init(started: Date, registry: String, inbox: String, exit: ExitStatus, failure: String?, outcomes: [ExtractOutcome]) {
        self.started = started
        self.registry = registry
        self.inbox = inbox
        self.exit = exit
        self.failure = failure
        self.outcomes = outcomes
    }

    public func write(into folder: URL) throws {
        let report: [String: Any] = [
            "started": ISO8601DateFormatter().string(from: started), "finished": ISO8601DateFormatter().string(from: Date()),
            "registry": registry, "inbox": inbox, "exit_status": Int(exit.rawValue),
            "error": failure.map { $0 as Any } ?? NSNull(),
            "extracts": outcomes.map { outcome -> [String: Any] in
                ["file": outcome.file, "sha256": outcome.sha256, "status": outcome.status, "patches": outcome.patches,
                 "clues": outcome.clues, "new_clues": outcome.newClues, "merged": outcome.merged, "rebounds": outcome.rebounds,
                 "error": outcome.error.map { $0 as Any } ?? NSNull(), "outputs": outcome.outputFolder.map { $0 as Any } ?? NSNull(),
                 "warnings": outcome.warnings.map { ["code": $0.code, "message": $0.message, "file": $0.file ?? "",
                                                     "feature": $0.feature ?? ""] }]
            },
        ]
        let history = folder.appendingPathComponent("reports")
        do {
            try FileManager.default.createDirectory(at: history, withIntermediateDirectories: true)
            let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            let stamp = ISO8601DateFormatter.string(from: started, timeZone: TimeZone(identifier: "UTC")!,
                                                    formatOptions: [.withYear, .withMonth, .withDay, .withTime,
                                                                    .withFractionalSeconds, .withTimeZone])
            try data.write(to: history.appendingPathComponent("run-\(stamp).json"), options: .atomic)
            try data.write(to: folder.appendingPathComponent("run-report.json"), options: .atomic)
        } catch {
            throw RedlineError.outputFailed(path: folder.appendingPathComponent("run-report.json").path, reason: "\(error)")
        }
    }
}
