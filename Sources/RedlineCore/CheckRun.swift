import Foundation
import GDALKit
import GEOSKit

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
    public var batchSize = 256
    public var progress: (@Sendable (CheckProgress) -> Void)?

    public init(activityLayers: [SourceLayer], index: ProtectedIndex, admin: AdminIndex? = nil,
                settings: CheckSettings, fields: ActivityFields = ActivityFields(), jobs: Int) {
        self.activityLayers = activityLayers
        self.index = index
        self.admin = admin
        self.settings = settings
        self.fields = fields
        self.jobs = max(1, jobs)
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
        let reader = PatchReader(layers: activityLayers, fields: resolved, batchSize: batchSize)
        try sink.begin(CheckPlan(activityLayers: activityLayers, index: index, admin: admin, settings: settings))
        let delivery = Delivery(sink: sink, layers: activityLayers, progress: progress, started: started,
                                expected: activityLayers.reduce(Optional(0)) { total, layer in
                                    total.flatMap { sum in layer.featureCountHint.map { sum + $0 } }
                                })
        if jobs == 1 {
            let engine = try OverlapEngine(index: index, admin: admin, activityLayers: activityLayers, settings: settings)
            while let batch = try reader.next() { try delivery.deliver(batch.map(engine.check)) }
        } else {
            try runThreaded(reader: reader, delivery: delivery)
        }
        try checkAxisOrder(samples: reader.samples, cluesPerLayer: delivery.tally.cluesPerLayer)

        let summary = delivery.tally.summary(index: index, admin: admin, layers: activityLayers,
                                             readPerLayer: reader.readPerLayer, numbering: delivery.numbering,
                                             elapsed: Date().timeIntervalSince(started))
        try sink.finish(summary)
        return summary
    }

    private func runThreaded(reader: PatchReader, delivery: Delivery) throws {
        let queue = BatchQueue(limit: jobs * 4)
        let index = self.index, admin = self.admin, layers = activityLayers, settings = self.settings
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
    }

    /// A layer that hit nothing because its coordinates are not what its CRS says — lat,lon written
    /// as lon,lat, or metres under a geographic CRS: fail rather than report no clues.
    private func checkAxisOrder(samples: [[Envelope]], cluesPerLayer: [Int]) throws {
        let silent = activityLayers.indices.filter { cluesPerLayer[$0] == 0 && !samples[$0].isEmpty }
        guard !silent.isEmpty else { return }
        let engine = try OverlapEngine(index: index, admin: admin, activityLayers: activityLayers, settings: settings)
        for layer in silent {
            if let box = engine.degreesOutOfRange(samples[layer], layer: layer) {
                throw RedlineError.notDegrees(layer: activityLayers[layer].label, x: box.minX, y: box.minY)
            }
            if engine.swappedBoxesHitProtection(samples[layer], layer: layer) {
                throw RedlineError.axesSwapped(layer: activityLayers[layer].label)
            }
        }
    }
}

/// The fields of one activity layer that the check reads, if it has them.
struct ResolvedFields {
    let id: Int?
    let type: Int?
    let detected: Int?
}

/// Reads the activity layers one after the other into batches of patches, keeping a few
/// envelopes per layer for the swapped-axes check. Used by the calling thread only.
final class PatchReader {
    /// Samples per layer kept for the swapped-axes check.
    static let axisSamples = 64

    private let layers: [SourceLayer]
    private let fields: [ResolvedFields]
    private let batchSize: Int
    private var layerIndex = 0
    private var open: VectorLayer?
    private var read = 0
    private(set) var readPerLayer: [Int]
    private(set) var samples: [[Envelope]]

    init(layers: [SourceLayer], fields: [ResolvedFields], batchSize: Int) {
        self.layers = layers
        self.fields = fields
        self.batchSize = max(1, batchSize)
        readPerLayer = Array(repeating: 0, count: layers.count)
        samples = Array(repeating: [], count: layers.count)
    }

    /// The next batch, or nil when every layer has been read.
    func next() throws -> [ActivityPatch]? {
        var batch: [ActivityPatch] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, layerIndex < layers.count {
            let source = layers[layerIndex]
            let layer = try open ?? source.open()
            open = layer
            let feature: Feature?
            do {
                feature = try layer.nextFeature()
            } catch {
                throw RedlineError.readFailed(layer: source.label, reason: "\(error)")
            }
            guard let feature else {
                open = nil
                layerIndex += 1
                continue
            }
            let geometry = feature.geometry()
            if samples[layerIndex].count < Self.axisSamples, case .polygonal(let wkb) = geometry,
               let box = WKBCoordinates.envelope(of: wkb) {
                samples[layerIndex].append(box)
            }
            let wanted = fields[layerIndex]
            let id = wanted.id.flatMap(feature.text) ?? feature.fid.map(String.init) ?? "\(read + 1)"
            batch.append(ActivityPatch(sequence: read, layer: layerIndex, fid: feature.fid, activityID: id,
                                       attributes: (0..<feature.fieldCount).map(feature.text), geometry: geometry,
                                       activityTypeText: wanted.type.flatMap(feature.text),
                                       detectedText: wanted.detected.flatMap(feature.text),
                                       detectedField: wanted.detected.map { source.fields[$0].name }))
            read += 1
            readPerLayer[layerIndex] += 1
        }
        return batch.isEmpty ? nil : batch
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

    /// The figures; `numbering` tells how many clues repeated an activity id or had their number taken.
    func summary(index: ProtectedIndex, admin: AdminIndex?, layers: [SourceLayer], readPerLayer: [Int],
                 numbering: ClueNumbering, elapsed: Double) -> CheckSummary {
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
            ellipsoid: index.frame.geodesic.ellipsoid.name)
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
}
