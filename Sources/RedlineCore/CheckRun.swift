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

/// What a sink needs to know before the first clue: the inputs and the protected areas.
public struct CheckPlan: Sendable {
    public let activityLayers: [SourceLayer]
    public let index: ProtectedIndex
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
    public let settings: CheckSettings
    public let activityIDField: String?
    public let jobs: Int
    public var batchSize = 256
    public var progress: (@Sendable (CheckProgress) -> Void)?

    public init(activityLayers: [SourceLayer], index: ProtectedIndex, settings: CheckSettings,
                activityIDField: String?, jobs: Int) {
        self.activityLayers = activityLayers
        self.index = index
        self.settings = settings
        self.activityIDField = activityIDField
        self.jobs = max(1, jobs)
    }

    static let activityIDDefaults = ["activity_id", "patch_id", "tbbh", "图斑编号", "id", "bsm", "标识码", "objectid"]

    public func run(into sink: ClueSink) throws -> CheckSummary {
        let started = Date()
        let idFields = try activityLayers.map {
            try $0.resolveField(option: "--activity-id", requested: activityIDField, defaults: Self.activityIDDefaults)
        }
        let reader = PatchReader(layers: activityLayers, idFields: idFields, batchSize: batchSize)
        try sink.begin(CheckPlan(activityLayers: activityLayers, index: index))
        let delivery = Delivery(sink: sink, layerCount: activityLayers.count, progress: progress, started: started,
                                expected: activityLayers.reduce(Optional(0)) { total, layer in
                                    total.flatMap { sum in layer.featureCountHint.map { sum + $0 } }
                                })
        if jobs == 1 {
            let engine = try OverlapEngine(index: index, activityLayers: activityLayers, settings: settings)
            while let batch = try reader.next() { try delivery.deliver(batch.map(engine.check)) }
        } else {
            try runThreaded(reader: reader, delivery: delivery)
        }
        try checkAxisOrder(samples: reader.samples, cluesPerLayer: delivery.tally.cluesPerLayer)

        let summary = delivery.tally.summary(index: index, layers: activityLayers, readPerLayer: reader.readPerLayer,
                                             elapsed: Date().timeIntervalSince(started))
        try sink.finish(summary)
        return summary
    }

    private func runThreaded(reader: PatchReader, delivery: Delivery) throws {
        let queue = BatchQueue(limit: jobs * 4)
        let index = self.index, layers = activityLayers, settings = self.settings
        var threads = (0..<jobs).map { _ in
            JoinableThread {
                let engine: OverlapEngine
                do {
                    engine = try OverlapEngine(index: index, activityLayers: layers, settings: settings)
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
        let engine = try OverlapEngine(index: index, activityLayers: activityLayers, settings: settings)
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

/// Reads the activity layers one after the other into batches of patches, keeping a few
/// envelopes per layer for the swapped-axes check. Used by the calling thread only.
final class PatchReader {
    /// Samples per layer kept for the swapped-axes check.
    static let axisSamples = 64

    private let layers: [SourceLayer]
    private let idFields: [Int?]
    private let batchSize: Int
    private var layerIndex = 0
    private var open: VectorLayer?
    private var read = 0
    private(set) var readPerLayer: [Int]
    private(set) var samples: [[Envelope]]

    init(layers: [SourceLayer], idFields: [Int?], batchSize: Int) {
        self.layers = layers
        self.idFields = idFields
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
            let id = idFields[layerIndex].flatMap(feature.text) ?? feature.fid.map(String.init) ?? "\(read + 1)"
            batch.append(ActivityPatch(sequence: read, layer: layerIndex, fid: feature.fid, activityID: id,
                                       attributes: (0..<feature.fieldCount).map(feature.text), geometry: geometry))
            read += 1
            readPerLayer[layerIndex] += 1
        }
        return batch.isEmpty ? nil : batch
    }
}

/// Hands outcomes to the sink and keeps the tally. Used by one thread at a time: the calling
/// thread with one job, else the writer thread, whose end the caller waits for before reading
/// the tally.
final class Delivery: @unchecked Sendable {
    private let sink: ClueSink
    private let progress: (@Sendable (CheckProgress) -> Void)?
    private let started: Date
    private let expected: Int?
    private var lastReport = Date.distantPast
    /// How often each clue id has been handed out: data that repeats an activity id in a layer
    /// gets "-2", "-3"… on the repeats, in input order, so ids stay unique and stable.
    private var issuedIDs: [String: Int] = [:]
    private(set) var tally: Tally

    init(sink: ClueSink, layerCount: Int, progress: (@Sendable (CheckProgress) -> Void)?, started: Date, expected: Int?) {
        self.sink = sink
        self.progress = progress
        self.started = started
        self.expected = expected
        tally = Tally(layerCount: layerCount)
    }

    func deliver(_ outcomes: [PatchOutcome]) throws {
        for outcome in outcomes {
            if case .clue(var clue) = outcome {
                clue.clueID = uniqueID(clue.clueID)
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

    private func uniqueID(_ id: String) -> String {
        let count = issuedIDs[id, default: 0] + 1
        issuedIDs[id] = count
        guard count > 1 else { return id }
        tally.repeatedActivityIDs += 1
        return "\(id)-\(count)"
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
    var totalOverlapM2 = 0.0
    /// Clues whose patch repeated another's activity id in the same layer.
    var repeatedActivityIDs = 0

    init(layerCount: Int) {
        cluesPerLayer = Array(repeating: 0, count: layerCount)
    }

    mutating func add(_ outcome: PatchOutcome) throws {
        checked += 1
        switch outcome {
        case .clue(let clue):
            clues += 1
            cluesPerLayer[clue.patch.layer] += 1
            pairs += clue.overlaps.count
            totalOverlapM2 += clue.overlapM2
            if clue.repaired { repaired += 1 }
            for overlap in clue.overlaps {
                perArea[overlap.area, default: (0, 0)].pairs += 1
                perArea[overlap.area, default: (0, 0)].m2 += overlap.overlapM2
            }
            perZone[clue.strictestZone, default: (0, 0)].clues += 1
            perZone[clue.strictestZone, default: (0, 0)].m2 += clue.overlapM2
        case .clear(let wasRepaired):
            if wasRepaired { repaired += 1 }
        case .skipped(let reason):
            skipped[reason, default: 0] += 1
        case .failed(let error):
            throw error
        }
    }

    func summary(index: ProtectedIndex, layers: [SourceLayer], readPerLayer: [Int], elapsed: Double) -> CheckSummary {
        CheckSummary(
            activityLayers: layers.enumerated().map { CheckSummary.LayerCount(layer: $1.label, features: readPerLayer[$0],
                                                                             clues: cluesPerLayer[$0]) },
            patchesRead: readPerLayer.reduce(0, +), clues: clues, overlapPairs: pairs, repaired: repaired,
            repeatedActivityIDs: repeatedActivityIDs,
            skipped: skipped, protectedFeatures: index.featuresRead, protectedAreas: index.areas.count,
            protectedPieces: index.pieces.count, protectedRepaired: index.repaired, protectedSkipped: index.skipped,
            unknownZones: index.unknownZones,
            perArea: perArea.keys.sorted().map { key in
                let area = index.areas[key]
                return CheckSummary.AreaTotal(protectedID: area.protectedID, name: area.name, kind: area.kind,
                                              zone: area.zone, zoneText: area.zoneText, layer: area.layer,
                                              pairs: perArea[key]!.pairs, overlapM2: perArea[key]!.m2)
            },
            perZone: perZone.keys.sorted().map { CheckSummary.ZoneTotal(zone: $0, clues: perZone[$0]!.clues,
                                                                        overlapM2: perZone[$0]!.m2) },
            totalOverlapM2: totalOverlapM2, elapsedSeconds: elapsed, workingCRS: index.frame.crsName,
            ellipsoid: index.frame.geodesic.ellipsoid.name)
    }
}

/// Figures of a finished check.
public struct CheckSummary: Sendable {
    public struct LayerCount: Sendable { public let layer: String; public let features: Int; public let clues: Int }
    public struct AreaTotal: Sendable {
        public let protectedID: String, name: String, kind: ProtectionKind, zone: Zone, zoneText: String, layer: String
        public let pairs: Int
        public let overlapM2: Double
    }
    public struct ZoneTotal: Sendable { public let zone: Zone; public let clues: Int; public let overlapM2: Double }

    public let activityLayers: [LayerCount]
    public let patchesRead: Int
    public let clues: Int
    public let overlapPairs: Int
    public let repaired: Int
    public let repeatedActivityIDs: Int
    public let skipped: [SkipReason: Int]
    public let protectedFeatures: Int
    public let protectedAreas: Int
    public let protectedPieces: Int
    public let protectedRepaired: Int
    public let protectedSkipped: [SkipReason: Int]
    public let unknownZones: [String: Int]
    /// Pair areas summed per protected area: a patch in two areas counts in both.
    public let perArea: [AreaTotal]
    /// Clues by the strictest zone they touch, with their (counted once) overlap areas.
    public let perZone: [ZoneTotal]
    public let totalOverlapM2: Double
    public let elapsedSeconds: Double
    public let workingCRS: String
    public let ellipsoid: String
}
