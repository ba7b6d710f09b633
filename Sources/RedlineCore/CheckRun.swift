import Foundation
import GDALKit
import GEOSKit
import ThreadKit

/// Where the results of a check go, in input order and one call at a time: on the thread that
/// called `CheckRun.run` with one job, on the writer thread with several.
public protocol ClueSink: AnyObject {
    func begin(_ plan: CheckPlan) throws
    func accept(_ clue: Clue) throws
    func finish(_ summary: CheckSummary) throws
}

/// What a sink needs to know before the first clue: the inputs, the protected areas, the rules.
public struct CheckPlan: Sendable {
    public let activityLayers: [SourceLayer]
    public let index: ProtectedIndex
    public let admin: AdminIndex?
    public let settings: CheckSettings

    public init(activityLayers: [SourceLayer], index: ProtectedIndex, admin: AdminIndex?, settings: CheckSettings) {
        self.activityLayers = activityLayers
        self.index = index
        self.admin = admin
        self.settings = settings
    }
}

/// How far a check has got, for a progress line.
public struct CheckProgress: Sendable {
    public let patchesChecked: Int
    /// The total when the drivers could tell it cheaply.
    public let expectedTotal: Int?
    public let clues: Int
    public let elapsed: Double
}

/// One check: streams the activity patches of every layer through the overlap engine and hands
/// the clues to a sink in input order — the same output whatever the number of jobs. With one
/// job everything runs on the calling thread; with N, the calling thread reads, N worker
/// threads (each with its own `OverlapEngine`) check, and one thread writes: reading and
/// writing take less than a core, so N checkers keep N cores busy. At most a few
/// batches are in flight, so memory does not grow with the number of patches.
public final class CheckRun {
    public let activityLayers: [SourceLayer]
    public let index: ProtectedIndex
    public let admin: AdminIndex?
    public let settings: CheckSettings
    public let fields: ActivityFields
    public let jobs: Int
    /// Where the run's warnings go (the boundaries' loading may have added some already).
    public let warnings: WarningLog
    public var batchSize = 256
    public var progress: (@Sendable (CheckProgress) -> Void)?

    public init(activityLayers: [SourceLayer], index: ProtectedIndex, admin: AdminIndex? = nil,
                settings: CheckSettings, fields: ActivityFields = ActivityFields(), jobs: Int,
                warnings: WarningLog = WarningLog()) {
        self.activityLayers = activityLayers
        self.index = index
        self.admin = admin
        self.settings = settings
        self.fields = fields
        self.jobs = max(1, jobs)
        self.warnings = warnings
    }

    public func run(into sink: ClueSink) throws -> CheckSummary {
        let started = Date()
        let resolved = try activityLayers.map { layer in
            ResolvedFields(
                id: try layer.resolveField(option: "--activity-id", requested: fields.id, defaults: ActivityFields.idDefaults),
                type: try layer.resolveField(option: "--activity-type", requested: fields.type,
                                             defaults: ActivityFields.typeDefaults),
                detected: try layer.resolveField(option: "--detected", requested: fields.detected,
                                                 defaults: ActivityFields.detectedDefaults))
        }
        let reader = PatchReader(layers: activityLayers, fields: resolved, batchSize: batchSize, warnings: warnings)
        try sink.begin(CheckPlan(activityLayers: activityLayers, index: index, admin: admin, settings: settings))
        let delivery = Delivery(sink: sink, layers: activityLayers, progress: progress, started: started,
                                expected: activityLayers.reduce(Optional(0)) { total, layer in
                                    total.flatMap { sum in layer.featureCountHint.map { sum + $0 } }
                                })
        var placements = PlacementTally(layerCount: activityLayers.count)
        if jobs == 1 {
            let engine = try OverlapEngine(index: index, admin: admin, activityLayers: activityLayers, settings: settings)
            while let batch = try reader.next() { try delivery.deliver(batch.map(engine.check)) }
            placements = engine.placements
        } else {
            placements = try runThreaded(reader: reader, delivery: delivery)
        }
        try PlacementJudge(layers: activityLayers, frame: index.frame, region: ProtectionRegion(pieces: index.pieces, nearM: settings.nearM),
                           allowFar: settings.allowFar, warnings: warnings).judge(placements)
        delivery.tally.warn(into: warnings, index: index, settings: settings)
        let found = warnings.all
        if settings.strict, let first = found.first {
            throw RedlineError.stoppedByWarnings(count: found.count, first: first.description)
        }
        let summary = delivery.tally.summary(index: index, admin: admin, layers: activityLayers,
                                             readPerLayer: reader.readPerLayer, numbering: delivery.numbering,
                                             elapsed: Date().timeIntervalSince(started), warnings: found)
        try sink.finish(summary)
        return summary
    }

    /// Checks on `jobs` threads; returns where their patches lay, merged.
    private func runThreaded(reader: PatchReader, delivery: Delivery) throws -> PlacementTally {
        let queue = BatchQueue(limit: jobs * 4)
        let index = self.index, admin = self.admin, layers = activityLayers, settings = self.settings
        let placements = Locked(PlacementTally(layerCount: layers.count))
        var threads = (0..<jobs).map { _ in
            JoinableThread {
                let engine: OverlapEngine
                do {
                    engine = try OverlapEngine(index: index, admin: admin, activityLayers: layers, settings: settings)
                } catch {
                    queue.fail(error)
                    return
                }
                while let (sequence, batch) = queue.take() { queue.complete(sequence, batch.map(engine.check)) }
                placements.update { $0.merge(engine.placements) }
            }
        }
        threads.append(JoinableThread {
            while let outcomes = queue.nextInOrder() {
                do {
                    try delivery.deliver(outcomes)
                } catch {
                    queue.fail(error)
                }
            }
        })
        defer {
            queue.close()
            for thread in threads { thread.join() }
        }
        do {
            while let batch = try reader.next() { try queue.submit(batch) }
        } catch {
            queue.fail(error)
            throw queue.failure ?? error
        }
        queue.finishInput()
        threads.last?.join()
        if let failure = queue.failure { throw failure }
        queue.close()
        for thread in threads { thread.join() }
        return placements.value
    }
}

/// The fields of one activity layer that the check reads, if it has them.
struct ResolvedFields {
    let id: Int?
    let type: Int?
    let detected: Int?
}

/// Reads the activity layers one after the other into batches of patches, cleaning their text
/// and giving patches without an ID one made from their geometry; what it had to mend is warned
/// about per layer. Used by the calling thread only.
final class PatchReader {
    private let layers: [SourceLayer]
    private let fields: [ResolvedFields]
    private let batchSize: Int
    private let warnings: WarningLog
    private var layerIndex = 0
    private var open: VectorLayer?
    private var read = 0
    private(set) var readPerLayer: [Int]
    /// What the current layer needed mending, reported when it ends.
    private var mended = LayerMending()

    init(layers: [SourceLayer], fields: [ResolvedFields], batchSize: Int, warnings: WarningLog) {
        self.layers = layers
        self.fields = fields
        self.batchSize = max(1, batchSize)
        self.warnings = warnings
        readPerLayer = Array(repeating: 0, count: layers.count)
    }

    /// The next batch, or nil when every layer has been read.
    func next() throws -> [ActivityPatch]? {
        var batch: [ActivityPatch] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, layerIndex < layers.count {
            let source = layers[layerIndex]
            let layer = try open ?? source.open()
            open = layer
            guard let feature = try source.next(from: layer) else {
                try mended.report(into: warnings, layer: source, idField: fields[layerIndex].id.map { source.fields[$0].name },
                                  read: readPerLayer[layerIndex])
                warnings.collectGDALWarnings(file: source.label)
                mended = LayerMending()
                open = nil
                layerIndex += 1
                continue
            }
            let geometry = feature.geometry()
            let wanted = fields[layerIndex]
            let attributes = (0..<feature.fieldCount).map { index in
                feature.text(index).map { mended.clean($0, field: source.fields[index].name, feature: feature.fid) }
            }
            let id = activityID(wanted.id.flatMap { attributes[$0] }, hasField: wanted.id != nil, feature: feature,
                                geometry: geometry)
            if case .polygonal = geometry {} else { mended.noteUnusable(SkipReason(geometry), id: id) }
            batch.append(ActivityPatch(sequence: read, layer: layerIndex, fid: feature.fid, activityID: id,
                                       attributes: attributes, geometry: geometry,
                                       activityTypeText: wanted.type.flatMap { attributes[$0] },
                                       detectedText: wanted.detected.flatMap { attributes[$0] },
                                       detectedField: wanted.detected.map { source.fields[$0].name }))
            read += 1
            readPerLayer[layerIndex] += 1
        }
        return batch.isEmpty ? nil : batch
    }

    /// The ID field's value; without an ID field, the feature id (or the input position). An ID
    /// field left empty gets an ID made from the geometry, so the patch keeps it on every run.
    private func activityID(_ given: String?, hasField: Bool, feature: Feature, geometry: FeatureGeometry) -> String {
        guard hasField else { return feature.fid.map(String.init) ?? "\(read + 1)" }
        if let given, !given.allSatisfy(\.isWhitespace) { return given }
        let made: String
        if case .polygonal(let wkb) = geometry {
            let digest = StableID.fnv1a(bytes: wkb)
            made = "noid-" + String(repeating: "0", count: 16 - String(digest, radix: 16).count) + String(digest, radix: 16)
        } else {
            made = "noid-fid\(feature.fid.map(String.init) ?? "\(read + 1)")"
        }
        mended.emptyIDs.append(made)
        return made
    }
}

/// What one activity layer's features needed mending: empty IDs, control characters, text that
/// was not valid in its encoding.
struct LayerMending {
    var emptyIDs: [String] = []
    var controlCharacters = 0
    var controlExample: (field: String, feature: String)?
    var undecodable = 0
    var undecodableExample: (field: String, feature: String)?
    /// Patches without a polygon to check (missing, empty, a point or line), by reason.
    var unusable: [SkipReason: Int] = [:]
    var unusableExamples: [String] = []

    mutating func noteUnusable(_ reason: SkipReason, id: String) {
        unusable[reason, default: 0] += 1
        if unusableExamples.count < 3 { unusableExamples.append(id) }
    }

    /// `text` without control characters (tab, line feed and carriage return stay): they make XML
    /// ill-formed and forge lines in logs.
    mutating func clean(_ text: String, field: String, feature fid: Int64?) -> String {
        // U+FFFD is what invalid bytes became when the text was decoded.
        if text.utf8.count >= 3, text.unicodeScalars.contains("\u{FFFD}") {
            undecodable += 1
            if undecodableExample == nil { undecodableExample = (field, fid.map(String.init) ?? "?") }
        }
        guard let cleaned = DataText.withoutControls(text) else { return text }
        controlCharacters += 1
        if controlExample == nil { controlExample = (field, fid.map(String.init) ?? "?") }
        return cleaned
    }

    /// Warns about what was mended; a layer none of whose features has a polygon is an error,
    /// since nothing in it was checked.
    func report(into warnings: WarningLog, layer: SourceLayer, idField: String?, read: Int) throws {
        let file = layer.label
        let unchecked = unusable.values.reduce(0, +)
        if unchecked > 0 {
            let reasons = unusable.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) ×\($0.value)" }.joined(separator: ", ")
            let message = "\(file): \(unchecked) of \(read) patch(es) have no polygon to check (\(reasons); first: "
                + "\(unusableExamples.joined(separator: ", "))) — fix their geometry, or they are never checked"
            guard unchecked < read else { throw RedlineError.readFailed(layer: file, reason: message) }
            warnings.add(code: "patches_without_polygon", message, file: file, feature: unusableExamples.joined(separator: ","))
        }
        if !emptyIDs.isEmpty {
            warnings.add(code: "empty_activity_id", "\(file): \(emptyIDs.count) patch(es) have an empty \(idField ?? "ID") — they got IDs "
                         + "made from their geometry (\(emptyIDs.prefix(3).joined(separator: ", "))); fill in the field to keep your own",
                         file: file, feature: emptyIDs.prefix(3).joined(separator: ","))
        }
        if let (field, feature) = controlExample {
            warnings.add(code: "control_characters", "\(file): \(controlCharacters) value(s) hold control characters (first in field "
                         + "\(field) of feature \(feature)) — they were removed from the outputs", file: file, feature: feature)
        }
        if let (field, feature) = undecodableExample {
            warnings.add(code: "undecodable_text", "\(file): \(undecodable) value(s) are not valid text in the file's encoding (first in field "
                         + "\(field) of feature \(feature)) — pass --encoding with the right one (CP936 for GBK)",
                         file: file, feature: feature)
        }
    }
}

/// Hands outcomes to the sink, numbering the clues, and keeps the tally. Used by one thread at
/// a time: the calling thread with one job, else the writer thread, whose end the caller waits
/// for before reading the tally.
final class Delivery: @unchecked Sendable {
    private let sink: ClueSink
    private let layerNames: [String]
    private let progress: (@Sendable (CheckProgress) -> Void)?
    private let started: Date
    private let expected: Int?
    private var lastReport = Date.distantPast
    private(set) var numbering = ClueNumbering()
    private(set) var tally: Tally

    init(sink: ClueSink, layers: [SourceLayer], progress: (@Sendable (CheckProgress) -> Void)?, started: Date,
         expected: Int?) {
        self.sink = sink
        layerNames = layers.map(\.layerName)
        self.progress = progress
        self.started = started
        self.expected = expected
        tally = Tally(layerCount: layers.count)
    }

    func deliver(_ outcomes: [PatchOutcome]) throws {
        for outcome in outcomes {
            if case .clue(var clue) = outcome {
                clue.clueID = numbering.assign(clue, layerName: layerNames[clue.patch.layer])
                try sink.accept(clue)
            }
            try tally.add(outcome)
        }
        if let progress, Date().timeIntervalSince(lastReport) > 0.5 {
            lastReport = Date()
            progress(CheckProgress(patchesChecked: tally.checked, expectedTotal: expected, clues: tally.clues,
                                   elapsed: Date().timeIntervalSince(started)))
        }
    }
}

/// Counts kept while results stream past.
struct Tally {
    var checked = 0
    var clues = 0
    var pairs = 0
    var repaired = 0
    var cluesPerLayer: [Int]
    var skipped: [SkipReason: Int] = [:]
    var perArea: [Int: (pairs: Int, m2: Double)] = [:]
    var perZone: [Zone: (clues: Int, m2: Double)] = [:]
    var perVerdict: [Verdict: Int] = [:]
    var perSeverity: [Severity: Int] = [:]
    var perRule: [String: Int] = [:]
    var perActivityType: [String: Int] = [:]
    /// Activity type values on clues that map to no type ("" for none), with their counts.
    var unknownActivityValues: [String: Int] = [:]
    var perCounty: [String: (name: String, clues: Int, m2: Double)] = [:]
    var outsideCounties = 0
    var straddling = 0
    var nearBoundary = 0
    var undated = 0
    var belowMinSeverity: [Severity: Int] = [:]
    var totalOverlapM2 = 0.0

    init(layerCount: Int) {
        cluesPerLayer = Array(repeating: 0, count: layerCount)
    }

    mutating func add(_ outcome: PatchOutcome) throws {
        checked += 1
        switch outcome {
        case .clue(let clue):
            count(clue)
        case .clear(let wasRepaired):
            if wasRepaired { repaired += 1 }
        case .belowMinSeverity(let severity, let wasRepaired):
            belowMinSeverity[severity, default: 0] += 1
            if wasRepaired { repaired += 1 }
        case .skipped(let reason):
            skipped[reason, default: 0] += 1
        case .failed(let error):
            throw error
        }
    }

    private mutating func count(_ clue: Clue) {
        clues += 1
        cluesPerLayer[clue.patch.layer] += 1
        pairs += clue.overlaps.count
        totalOverlapM2 += clue.overlapM2
        if clue.repaired { repaired += 1 }
        for overlap in clue.overlaps {
            perArea[overlap.area, default: (0, 0)].pairs += 1
            perArea[overlap.area, default: (0, 0)].m2 += overlap.overlapM2
        }
        if clue.nearBoundary == nil {
            perZone[clue.strictestZone, default: (0, 0)].clues += 1
            perZone[clue.strictestZone, default: (0, 0)].m2 += clue.overlapM2
        } else {
            nearBoundary += 1
        }
        perVerdict[clue.judgement.verdict, default: 0] += 1
        perSeverity[clue.judgement.severity, default: 0] += 1
        perRule[clue.judgement.ruleID, default: 0] += 1
        perActivityType[clue.activityType, default: 0] += 1
        if clue.activityType == RuleBook.unknownActivity {
            unknownActivityValues[clue.patch.activityTypeText ?? "", default: 0] += 1
        }
        if clue.detectedOn == nil { undated += 1 }
        if let county = clue.county {
            perCounty[county.county.code, default: (county.county.name, 0, 0)].clues += 1
            perCounty[county.county.code, default: (county.county.name, 0, 0)].m2 += clue.overlapM2
            if county.straddles { straddling += 1 }
        } else {
            outsideCounties += 1
        }
    }

    /// Values no rule knows are warned about, never silently dropped; so are clues without a date.
    func warn(into warnings: WarningLog, index: ProtectedIndex, settings: CheckSettings) {
        func listed(_ counts: [String: Int]) -> String {
            counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(8)
                .map { "“\($0.key.isEmpty ? "(empty)" : $0.key)” ×\($0.value)" }.joined(separator: ", ")
        }
        if !unknownActivityValues.isEmpty {
            warnings.add(code: "unknown_activity_type",
                         "\(unknownActivityValues.values.reduce(0, +)) clue(s) have an activity type no rule knows: "
                         + "\(listed(unknownActivityValues)) — they are judged as “unknown”; add the values under "
                         + "activity_types in a rules file")
        }
        if undated > 0 && settings.period == nil {
            let day = settings.asOf.map { "\($0)" } ?? "today"
            warnings.add(code: "undated_clues",
                         "\(undated) clue(s) have no detection date: judged on the boundaries of \(day) and numbered in its "
                         + "quarter — name the date field with --detected, or fix the day with --as-of or --period")
        }
        if !index.unknownZones.isEmpty {
            warnings.add(code: "unknown_zone",
                         "protected features with unknown zone values, treated as unzoned: \(listed(index.unknownZones)) — "
                         + "pass --protected-zone or fix the values")
        }
    }

    /// The figures; `numbering` tells how many clues repeated an activity id or had their number taken.
    func summary(index: ProtectedIndex, admin: AdminIndex?, layers: [SourceLayer], readPerLayer: [Int],
                 numbering: ClueNumbering, elapsed: Double, warnings: [RunWarning]) -> CheckSummary {
        CheckSummary(
            activityLayers: layers.enumerated().map { CheckSummary.LayerCount(layer: $1.label, features: readPerLayer[$0],
                                                                             clues: cluesPerLayer[$0]) },
            patchesRead: readPerLayer.reduce(0, +), clues: clues, overlapPairs: pairs, repaired: repaired,
            repeatedActivityIDs: numbering.repeatedActivityIDs, numberCollisions: numbering.collisions,
            skipped: skipped, protectedFeatures: index.featuresRead, protectedAreas: index.areas.count,
            protectedPieces: index.pieces.count, protectedRepaired: index.repaired, protectedSkipped: index.skipped,
            unknownZones: index.unknownZones,
            perArea: perArea.keys.sorted().map { key in
                CheckSummary.AreaTotal(area: index.areas[key], pairs: perArea[key]!.pairs, overlapM2: perArea[key]!.m2)
            },
            perZone: perZone.keys.sorted().map { CheckSummary.ZoneTotal(zone: $0, clues: perZone[$0]!.clues,
                                                                        overlapM2: perZone[$0]!.m2) },
            perVerdict: perVerdict, perSeverity: perSeverity, perRule: perRule, perActivityType: perActivityType,
            unknownActivityValues: unknownActivityValues,
            perCounty: perCounty.keys.sorted().map {
                CheckSummary.CountyTotal(code: $0, name: perCounty[$0]!.name, clues: perCounty[$0]!.clues,
                                         overlapM2: perCounty[$0]!.m2)
            },
            countiesLoaded: admin?.counties.count, outsideCounties: outsideCounties, straddling: straddling,
            nearBoundary: nearBoundary, undated: undated, belowMinSeverity: belowMinSeverity,
            totalOverlapM2: totalOverlapM2, elapsedSeconds: elapsed, workingCRS: index.frame.crsName,
            ellipsoid: index.frame.geodesic.ellipsoid.name, warnings: warnings)
    }
}

/// Figures of a finished check.
public struct CheckSummary: Sendable {
    public struct LayerCount: Sendable { public let layer: String; public let features: Int; public let clues: Int }
    public struct AreaTotal: Sendable {
        public let area: ProtectedArea
        public let pairs: Int
        public let overlapM2: Double
    }
    public struct ZoneTotal: Sendable { public let zone: Zone; public let clues: Int; public let overlapM2: Double }
    public struct CountyTotal: Sendable {
        public let code: String, name: String
        public let clues: Int
        public let overlapM2: Double
    }

    public let activityLayers: [LayerCount]
    public let patchesRead: Int
    public let clues: Int
    public let overlapPairs: Int
    public let repaired: Int
    public let repeatedActivityIDs: Int
    /// Clues whose ID number was taken by another clue of their county and period.
    public let numberCollisions: Int
    public let skipped: [SkipReason: Int]
    public let protectedFeatures: Int
    public let protectedAreas: Int
    public let protectedPieces: Int
    public let protectedRepaired: Int
    public let protectedSkipped: [SkipReason: Int]
    public let unknownZones: [String: Int]
    /// Pair areas summed per protected area: a patch in two areas counts in both.
    public let perArea: [AreaTotal]
    /// Clues inside protection by the strictest zone they touch, with their (counted once) overlap areas.
    public let perZone: [ZoneTotal]
    public let perVerdict: [Verdict: Int]
    public let perSeverity: [Severity: Int]
    public let perRule: [String: Int]
    public let perActivityType: [String: Int]
    public let unknownActivityValues: [String: Int]
    public let perCounty: [CountyTotal]
    /// Counties in the --admin layer; nil without one.
    public let countiesLoaded: Int?
    public let outsideCounties: Int
    public let straddling: Int
    public let nearBoundary: Int
    /// Clues whose patch carried no detection date (judged on the --as-of day).
    public let undated: Int
    public let belowMinSeverity: [Severity: Int]
    public let totalOverlapM2: Double
    public let elapsedSeconds: Double
    public let workingCRS: String
    public let ellipsoid: String
    /// What the run warned about, in the order it was found.
    public let warnings: [RunWarning]
}
