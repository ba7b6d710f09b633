import Foundation
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
            try layer.spec.checkFields(allowed: ["id", "type", "detected"], option: "activities")
            return ResolvedFields(
                id: try layer.resolveField(role: "id", option: "--activity-id", requested: fields.id, defaults: ActivityFields.idDefaults),
                type: try layer.resolveField(role: "type", option: "--activity-type", requested: fields.type,
                                             defaults: ActivityFields.typeDefaults),
                detected: try layer.resolveField(role: "detected", option: "--detected", requested: fields.detected,
                                                 defaults: ActivityFields.detectedDefaults))
        }
        for (layer, fields) in zip(activityLayers, resolved) where fields.type == nil || fields.detected == nil {
            // Chinese names read in a wrong code page come out as Latin-1 letters or U+FFFD: the
            // fields redline looks for are there, under names it cannot read.
            let garbled = layer.fields.map(\.name).filter { name in
                name.unicodeScalars.contains { (0x80...0xFF).contains($0.value) || $0.value == 0xFFFD }
            }
            guard !garbled.isEmpty else { continue }
            warnings.add(code: "field_names_misdecoded",
                         "\(layer.label): field names such as \(garbled.prefix(3).map { "“\($0)”" }.joined(separator: ", ")) look like "
                         + "Chinese read in the wrong encoding, so the activity type or date field was not found — fix the "
                         + ".cpg file (936 for GBK) or pass --encoding CP936", file: layer.label)
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
        if delivery.numbering.repeatedActivityIDs > 0 {
            warnings.add(code: "repeated_activity_id", "\(delivery.numbering.repeatedActivityIDs) clue(s) repeat a patch "
                         + "(the same activity ID in one county and period) — each got its own clue ID; check the extract was not "
                         + "exported or given twice")
        }
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
