import Foundation

/// Hands outcomes to the sink, numbering the clues, and keeps the tally. Used by one thread at
/// a time: the calling thread with one job, else the writer thread, whose end the caller waits
/// for before reading the tally.
final class Delivery: @unchecked Sendable {
    private let sink: ClueSink
    private let progress: (@Sendable (CheckProgress) -> Void)?
    private let started: Date
    private let expected: Int?
    private var lastReport = Date.distantPast
    private(set) var numbering = ClueNumbering()
    private(set) var tally: Tally

    init(sink: ClueSink, layers: [SourceLayer], progress: (@Sendable (CheckProgress) -> Void)?, started: Date,
         expected: Int?) {
        self.sink = sink
        self.progress = progress
        self.started = started
        self.expected = expected
        tally = Tally(layerCount: layers.count)
    }

    func deliver(_ outcomes: [PatchOutcome]) throws {
        for outcome in outcomes {
            if case .clue(var clue) = outcome {
                clue.clueID = numbering.assign(clue)
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
    /// The first few activity IDs left out for each reason, for the warning.
    var skippedIDs: [SkipReason: [String]] = [:]
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
        case .skipped(let reason, let id):
            skipped[reason, default: 0] += 1
            if skippedIDs[reason, default: []].count < 5 { skippedIDs[reason, default: []].append(id) }
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
        let listed = { (counts: [String: Int]) in WarningLog.listed(counts) }
        // Patches without a polygon the reader has named already, per layer.
        let named: Set<SkipReason> = [.missingGeometry, .emptyGeometry, .notPolygon]
        for (reason, count) in skipped.sorted(by: { $0.key < $1.key }) where !named.contains(reason) {
            let ids = skippedIDs[reason, default: []].map { $0.isEmpty ? "(no ID)" : $0 }.joined(separator: ", ")
            warnings.add(code: "skipped_patches",
                         "\(count) patch(es) left out of the check, with \(reason.explanation) (\(reason.rawValue)) — first: \(ids); "
                         + "they are in no clue list: fix them in the source and run again")
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
                         "protected features with unknown zone values, treated as unzoned (no core or buffer zone's stricter rules): "
                         + "\(listed(index.unknownZones)) — "
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
