import Foundation
import GDALKit
import GEOSKit
import PROJKit

/// The settings of a check that the engine applies to each patch.
public struct CheckSettings: Sendable {
    public var rules: RuleBook
    /// `--min-overlap-m2` / `--min-overlap-share`: below a zone's own threshold in the rules file,
    /// above the file's default.
    public var threshold: OverlapThreshold
    public var invalid: InvalidPolicy
    /// Patches outside but within this many metres become near-boundary clues; 0 turns it off.
    public var nearM: Double
    /// Clues below this severity are left out (and counted).
    public var minSeverity: Severity
    /// The period of every clue (`2026Q3`); nil takes each patch's detection quarter.
    public var period: String?
    /// The day undated patches are judged on, and whose quarter they get; nil is today.
    public var asOf: CalendarDay?
    /// `--strict`: every warning fails the run.
    public var strict: Bool
    /// `--allow-far`: a layer lying mostly far from protection is warned about, not refused.
    public var allowFar: Bool

    public init(rules: RuleBook = .builtIn, threshold: OverlapThreshold = OverlapThreshold(),
                invalid: InvalidPolicy = .repair, nearM: Double = 0, minSeverity: Severity = .low,
                period: String? = nil, asOf: CalendarDay? = nil, strict: Bool = false, allowFar: Bool = false) {
        self.rules = rules
        self.threshold = threshold
        self.invalid = invalid
        self.nearM = nearM
        self.minSeverity = minSeverity
        self.period = period
        self.asOf = asOf
        self.strict = strict
        self.allowFar = allowFar
    }

    public init(minOverlapM2: Double, invalid: InvalidPolicy = .repair) {
        self.init(threshold: OverlapThreshold(minM2: minOverlapM2), invalid: invalid)
    }
}

/// What became of one patch.
public enum PatchOutcome: Sendable {
    /// It overlaps protection, or lies near it.
    case clue(Clue)
    /// It overlaps nothing (or only slivers below the threshold).
    case clear(repaired: Bool)
    /// A clue below `--min-severity`.
    case belowMinSeverity(Severity, repaired: Bool)
    /// Left out of the check, and why (the patch's activity ID, for the warning that names it).
    case skipped(SkipReason, activityID: String)
    /// A failure that stops the run (an invalid patch under `--invalid fail`, say).
    case failed(RedlineError)
}

/// Checks patches against the protected index (and the counties). Holds a GEOS context, a PROJ
/// context and the piece searches with what they have prepared: one per worker thread, never shared.
public final class OverlapEngine {
    private let index: ProtectedIndex
    private let admin: AdminIndex?
    private let layers: [SourceLayer]
    private let settings: CheckSettings
    private let geos = GEOSContext()
    private let reprojector: Reprojector
    private let measure: GeodesicMeasure
    private let protectedSearch: PieceSearch
    private let countySearch: PieceSearch?
    /// Per protected area: the smallest overlap (m², share of the patch) that counts.
    private let thresholds: [(minM2: Double, minShare: Double)]
    private let asOf: CalendarDay
    private let plausibleDays: ClosedRange<CalendarDay>
    private let region: ProtectionRegion
    /// Where this engine's patches lay, per layer: read once the run is over.
    private(set) var placements: PlacementTally
    /// Activity types and detection dates already read: a layer repeats a handful of values.
    private var activityTypes = BoundedMemo<String>()
    private var days = BoundedMemo<CalendarDay?>()

    public init(index: ProtectedIndex, admin: AdminIndex? = nil, activityLayers: [SourceLayer],
                settings: CheckSettings) throws {
        self.index = index
        self.admin = admin
        layers = activityLayers
        self.settings = settings
        reprojector = try Reprojector(frame: index.frame, sources: activityLayers.map(\.crs))
        measure = GeodesicMeasure(index.frame.geodesic)
        let geos = self.geos
        protectedSearch = try PieceSearch(pieces: index.pieces, geos: geos)
        countySearch = try admin.map { try PieceSearch(pieces: $0.pieces, geos: geos) }
        thresholds = index.areas.map { settings.rules.threshold(for: $0.zone, commandLine: settings.threshold) }
        asOf = settings.asOf ?? .today()
        plausibleDays = CalendarDay.plausibleDetections()
        region = ProtectionRegion(pieces: index.pieces, nearM: settings.nearM)
        placements = PlacementTally(layerCount: activityLayers.count)
    }

    public func check(_ patch: ActivityPatch) -> PatchOutcome {
        do {
            return try evaluate(patch)
        } catch let error as RedlineError {
            return .failed(error)
        } catch {
            return .failed(.geometryFailure(layer: layers[patch.layer].label, feature: patch.activityID,
                                            reason: "\(error)"))
        }
    }

    private func evaluate(_ patch: ActivityPatch) throws -> PatchOutcome {
        let detected = try detectionDay(patch)
        guard case .polygonal(let wkb) = patch.geometry else { return .skipped(SkipReason(patch.geometry), activityID: patch.activityID) }
        let native = WKB.envelope(of: wkb)
        // A NaN or infinite vertex: no area or placement of it means anything (repair would drop it, halving the patch).
        if let native, !native.isFinite { return .skipped(.nonFinite, activityID: patch.activityID) }
        let box = try place(patch, native: native)
        // On the layer's own box (a transformed box that wide is given up on): degrees, or metres
        // at about 111 km a degree.
        let limit = PlacementTally.oversizedDegrees * (reprojector.isGeographic(layer: patch.layer) ? 1 : 111_000)
        if let native, native.width > limit || native.height > limit {
            placements.noteOversized(layer: patch.layer, sequence: patch.sequence, id: patch.activityID)
        }
        // Most patches lie far from any protection, and their box alone tells so: no reprojection,
        // parsing or validation for them. `--invalid fail` still looks at every patch.
        let lookup = settings.invalid == .fail ? BoxLookup.notTried : box.map(boxLookup) ?? .notTried
        if case .noCandidates = lookup { return .clear(repaired: false) }
        let geometry: Geometry, repaired: Bool
        switch try usableGeometry(patch, wkb: wkb) {
        case .usable(let usable, let wasRepaired): (geometry, repaired) = (usable, wasRepaired)
        case .outcome(let outcome): return outcome
        }
        let day = detected ?? asOf
        var area = LazyArea(geometry: geometry, measure: measure)
        let activity = activityType(patch.activityTypeText)
        let finding: Finding
        if let inside = try inside(geometry, lookup: lookup, on: day, area: &area, activity: activity) {
            finding = inside
        } else if settings.nearM > 0, let near = try nearestArea(to: geometry, on: day) {
            finding = .near(near)
        } else {
            return .clear(repaired: repaired)
        }
        guard finding.judgement.severity >= settings.minSeverity else {
            return .belowMinSeverity(finding.judgement.severity, repaired: repaired)
        }
        let patchArea = try area.value()
        // The county of the part inside protection (of the whole patch when near, or wholly inside).
        let county: CountyAssignment?
        if case .inside(let inside, _) = finding, let region = inside.region {
            county = try assignCounty(region, regionArea: inside.overlapM2)
        } else {
            county = try assignCounty(geometry, regionArea: patchArea)
        }
        let centroid = try geometry.centroid().pointCoordinates()
        return .clue(Clue(
            clueID: "", patch: patch, activityType: activity, detectedOn: detected,
            period: settings.period ?? day.quarter, patchAreaM2: patchArea, overlapM2: finding.overlapM2,
            strictestZone: finding.strictestZone(index.areas), centroidLon: centroid.x, centroidLat: centroid.y,
            patchWKB: try geometry.wkb(), overlaps: finding.overlaps, repaired: repaired, judgement: finding.judgement,
            nearBoundary: finding.near, county: county))
    }

    /// A patch's polygon in the working frame, ready to measure, or what became of the patch instead.
    private enum Usable {
        case usable(Geometry, repaired: Bool)
        case outcome(PatchOutcome)
    }

    private func usableGeometry(_ patch: ActivityPatch, wkb original: [UInt8]) throws -> Usable {
        var wkb = original
        do {
            try reprojector.toWorkingFrame(&wkb, fromLayer: patch.layer)
        } catch {
            return .outcome(.skipped(.untransformable, activityID: patch.activityID))
        }
        guard let parsed = try? geos.geometry(wkb: wkb) else { return .outcome(.skipped(.unreadable, activityID: patch.activityID)) }
        switch try settings.invalid.apply(to: parsed) {
        case .usable(let usable, let repaired): return .usable(usable, repaired: repaired)
        case .skipped(let reason): return .outcome(.skipped(reason, activityID: patch.activityID))
        case .rejected(let reason):
            return .outcome(.failed(.invalidGeometry(layer: layers[patch.layer].label, feature: patch.activityID, reason: reason)))
        }
    }

    /// What makes a patch a clue: its judged overlaps with protection, or the protected area it lies near.
    private enum Finding {
        case inside(Inside, judged: [Overlap])
        case near(NearBoundary)

        /// The worst judgement of the overlaps, or the near-boundary one.
        var judgement: Judgement {
            switch self {
            case .inside(_, let judged):
                judged.dropFirst().reduce(judged[0].judgement) { $1.judgement.isWorse(than: $0) ? $1.judgement : $0 }
            case .near(let near): .near(distanceM: near.distanceM)
            }
        }

        var overlaps: [Overlap] {
            if case .inside(_, let judged) = self { return judged }
            return []
        }

        var overlapM2: Double {
            if case .inside(let inside, _) = self { return inside.overlapM2 }
            return 0
        }

        var near: NearBoundary? {
            if case .near(let near) = self { return near }
            return nil
        }

        func strictestZone(_ areas: [ProtectedArea]) -> Zone {
            switch self {
            case .inside(_, let judged): judged.map { areas[$0.area].zone }.min()!
            case .near(let near): areas[near.area].zone
            }
        }
    }

    /// The patch's overlaps with protection in force on `day`, judged; nil when it overlaps
    /// nothing above the thresholds. The candidates of the patch's box stand when the box was
    /// queried without --near's widening: a repair stays inside the box.
    private func inside(_ geometry: Geometry, lookup: BoxLookup, on day: CalendarDay, area: inout LazyArea,
                        activity: String) throws -> Finding? {
        var candidates: [Int]
        if case .candidates(let found) = lookup, settings.nearM == 0 {
            candidates = found
        } else {
            candidates = protectedSearch.candidates(geometry)
        }
        candidates = inForce(candidates, on: day)
        guard !candidates.isEmpty else { return nil }
        let inside = try overlaps(of: geometry, with: candidates, area: &area)
        guard !inside.overlaps.isEmpty else { return nil }
        return .inside(inside, judged: inside.overlaps.map { overlap in
            let protected = index.areas[overlap.area]
            return Overlap(area: overlap.area, overlapM2: overlap.overlapM2, wkb: overlap.wkb,
                           judgement: settings.rules.judge(kind: protected.kind, zone: protected.zone, activity: activity))
        })
    }

    /// The patch's box in the working frame, nil when it cannot be told cheaply (malformed WKB, a
    /// box over a degree, a point PROJ cannot take); and where it lies, tallied for its layer.
    private func place(_ patch: ActivityPatch, native: Envelope?) throws -> Envelope? {
        // Written lat,lon, a latitude past 90 is a longitude: the swap check below names that.
        if let native, reprojector.isGeographic(layer: patch.layer),
           native.minX < -360 || native.maxX > 360 || native.minY < -90.001 || native.maxY > 90.001,
           farPlacement(native, layer: patch.layer) != .farButSwappedIn {
            let x = abs(native.minX) > 360 ? native.minX : native.maxX, y = abs(native.minY) > 90.001 ? native.minY : native.maxY
            throw RedlineError.notDegrees(layer: layers[patch.layer].label, feature: patch.activityID, x: x, y: y)
        }
        guard let native else {
            placements.record(.unknown, layer: patch.layer, sequence: patch.sequence, id: patch.activityID, native: nil)
            return nil
        }
        let box: Envelope?, placement: Placement
        do {
            box = try reprojector.workingBox(of: native, fromLayer: patch.layer)
            placement = box.map { region.contains($0) ? .inRegion : farPlacement(native, layer: patch.layer) } ?? .unknown
        } catch {
            (box, placement) = (nil, farPlacement(native, layer: patch.layer))
        }
        if placement != .inRegion, let area = reprojector.areaOfUse(layer: patch.layer) {
            // A box too wide to tell is judged by its centre; one PROJ cannot take at all lies outside.
            var centre = [(native.minX + native.maxX) / 2, (native.minY + native.maxY) / 2]
            let landed = box ?? ((try? reprojector.toWorkingFrame(&centre, fromLayer: patch.layer)) != nil && centre.allSatisfy(\.isFinite)
                ? Envelope(minX: centre[0], minY: centre[1], maxX: centre[0], maxY: centre[1]) : nil)
            if landed.map({ !area.intersects($0) }) ?? true {
                placements.noteOutsideAreaOfUse(layer: patch.layer, sequence: patch.sequence, id: patch.activityID)
            }
        }
        placements.record(placement, layer: patch.layer, sequence: patch.sequence, id: patch.activityID, native: native)
        return box
    }

    /// A far patch: would it lie in the region with x and y exchanged?
    private func farPlacement(_ native: Envelope, layer: Int) -> Placement {
        let swapped = try? reprojector.workingBox(of: native.swapped, fromLayer: layer)
        return swapped.flatMap { $0 }.map(region.contains) == true ? .farButSwappedIn : .far
    }

    /// What of a patch lies inside protection: per protected area above its thresholds, the area
    /// inside any of them counted once, and that region (nil when it is the whole patch).
    private struct Inside {
        struct AreaOverlap {
            let area: Int
            let overlapM2: Double
            let wkb: [UInt8]
        }

        let overlaps: [AreaOverlap]
        let overlapM2: Double
        let region: Geometry?

        static var none: Inside { Inside(overlaps: [], overlapM2: 0, region: nil) }
    }

    /// What a patch's box alone told about the protected pieces it may meet.
    private enum BoxLookup {
        case notTried, noCandidates
        case candidates([Int])
    }

    /// The protected pieces whose boxes meet `box` (the patch's, in the working frame, widened by `--near`).
    private func boxLookup(_ box: Envelope) -> BoxLookup {
        guard let probe = try? geos.rectangle(settings.nearM > 0 ? widened(box, byMetres: settings.nearM) : box) else {
            return .notTried
        }
        let found = protectedSearch.candidates(probe)
        return found.isEmpty ? .noCandidates : .candidates(found)
    }

    /// A patch's geodesic area, measured once, and only for a patch that meets protection or may
    /// be near it.
    private struct LazyArea {
        let geometry: Geometry
        let measure: GeodesicMeasure
        private var measured: Double?

        init(geometry: Geometry, measure: GeodesicMeasure) {
            self.geometry = geometry
            self.measure = measure
        }

        mutating func value() throws -> Double {
            if let measured { return measured }
            let value = try measure.area(of: geometry)
            measured = value
            return value
        }
    }

    /// `box` grown by at least `metres` on every side: a meridian degree is over 110.5 km, a
    /// parallel one cos(latitude) times 111.3 km.
    private func widened(_ box: Envelope, byMetres metres: Double) -> Envelope {
        let latitude = min(89.0, max(abs(box.minY), abs(box.maxY)))
        let dy = metres / 110_000 * 1.01
        let dx = min(360, metres / (111_000 * cos(latitude * .pi / 180)) * 1.01)
        return Envelope(minX: box.minX - dx, minY: box.minY - dy, maxX: box.maxX + dx, maxY: box.maxY + dy)
    }

    /// The canonical type of a data value.
    private func activityType(_ text: String?) -> String {
        guard let text else { return RuleBook.unknownActivity }
        return activityTypes.value(for: text) { settings.rules.activityType(of: $0) ?? RuleBook.unknownActivity }
    }

    /// The patch's detection date, from its date field; an error names a value that is no date.
    private func detectionDay(_ patch: ActivityPatch) throws -> CalendarDay? {
        guard let text = patch.detectedText, !text.isEmpty else { return nil }
        let day = try days.value(for: text) { text in
            if let day = CalendarDay(text: text) { return day }
            if text.allSatisfy(\.isWhitespace) { return nil }
            throw RedlineError.badDate(layer: layers[patch.layer].label, feature: patch.activityID,
                                       field: patch.detectedField ?? "", value: text)
        }
        if let day, !plausibleDays.contains(day) {
            throw RedlineError.implausibleDate(layer: layers[patch.layer].label, feature: patch.activityID,
                                               field: patch.detectedField ?? "", value: text, plausible: plausibleDays)
        }
        return day
    }

    /// The candidates whose area is not a boundary version out of force on `day`.
    private func inForce(_ candidates: [Int], on day: CalendarDay) -> [Int] {
        guard index.isVersioned else { return candidates }
        return candidates.filter { index.areas[protectedSearch.pieces[$0].owner].isInForce(on: day, among: index.areas) }
    }

    /// The patch's overlaps with the candidate pieces, per protected area, above the thresholds;
    /// with the area inside any of them counted once and that region's geometry (nil when it is
    /// the whole patch).
    private func overlaps(of geometry: Geometry, with candidates: [Int], area: inout LazyArea) throws -> Inside {
        // Fragments of the patch inside each protected area, piece by piece.
        var fragments: [Int: [Geometry]] = [:]
        var areas: [Int: Double] = [:]
        var wholePatchInside = false
        for candidate in candidates {
            let piece = try protectedSearch.piece(candidate)
            guard try piece.intersects(geometry) else { continue }
            let owner = protectedSearch.pieces[candidate].owner
            if try piece.containsProperly(geometry) {
                // Wholly inside: the overlap is the patch itself, no overlay needed.
                fragments[owner, default: []].append(geometry)
                areas[owner, default: 0] += try area.value()
                wholePatchInside = true
                continue
            }
            let inside = try intersect(piece.base, geometry)
            guard !inside.isEmpty else { continue }
            fragments[owner, default: []].append(inside)
            areas[owner, default: 0] += try measure.area(of: inside)
        }

        guard !areas.isEmpty else { return .none }
        let patchArea = try area.value()
        var overlaps: [Inside.AreaOverlap] = []
        var shapes: [Geometry] = [], kept: [Geometry] = []
        for owner in areas.keys.sorted() {
            let m2 = min(areas[owner]!, patchArea)
            let (minM2, minShare) = thresholds[owner]
            guard m2 >= minM2, patchArea > 0, m2 / patchArea >= minShare else { continue }
            let parts = fragments[owner]!
            let shape = parts.count == 1 ? parts[0] : try geos.multiPolygon(parts).unaryUnion()
            overlaps.append(Inside.AreaOverlap(area: owner, overlapM2: m2, wkb: try shape.wkb()))
            shapes.append(shape)
            kept.append(contentsOf: parts)
        }
        if wholePatchInside && overlaps.contains(where: { $0.overlapM2 >= patchArea }) {
            return Inside(overlaps: overlaps, overlapM2: patchArea, region: nil)
        }
        if overlaps.count == 1 { return Inside(overlaps: overlaps, overlapM2: overlaps[0].overlapM2, region: shapes[0]) }
        guard !overlaps.isEmpty else { return .none }
        let union = try geos.multiPolygon(kept).unaryUnion()
        return Inside(overlaps: overlaps, overlapM2: min(patchArea, try measure.area(of: union)), region: union)
    }

    /// The protected area in force nearest the patch, if within `nearM` geodesic metres. GEOS finds
    /// the closest pair of points in lon/lat scaled by cos(latitude) (locally true to shape);
    /// their distance is then measured on the ellipsoid.
    private func nearestArea(to geometry: Geometry, on day: CalendarDay) throws -> NearBoundary? {
        let box = try geometry.envelope()
        let candidates = inForce(protectedSearch.candidates(try geos.rectangle(widened(box, byMetres: settings.nearM))), on: day)
        guard !candidates.isEmpty else { return nil }
        let scale = cos((box.minY + box.maxY) / 2 * .pi / 180)
        let patch = try geos.geometry(wkb: try Self.scaled(try geometry.wkb(), by: scale))
        var best: NearBoundary?
        for candidate in candidates {
            let piece = try geos.geometry(wkb: try Self.scaled(protectedSearch.pieces[candidate].wkb, by: scale))
            let pair = try patch.nearestPoints(to: piece)
            let distance = index.frame.geodesic.distance(lon1: pair.x1 / scale, lat1: pair.y1,
                                                         lon2: pair.x2 / scale, lat2: pair.y2)
            let owner = protectedSearch.pieces[candidate].owner
            guard distance <= settings.nearM else { continue }
            if let current = best, (current.distanceM, current.area) <= (distance, owner) { continue }
            best = NearBoundary(area: owner, distanceM: distance)
        }
        return best
    }

    private static func scaled(_ wkb: [UInt8], by scale: Double) throws -> [UInt8] {
        var copy = wkb
        try WKB.rewrite(&copy) { xy in
            for position in stride(from: 0, to: xy.count, by: 2) { xy[position] *= scale }
        }
        return copy
    }

    /// The county holding most of `region`; a tie (within a millionth) goes to the lower code.
    private func assignCounty(_ region: Geometry, regionArea: Double) throws -> CountyAssignment? {
        guard let admin, let countySearch else { return nil }
        var shares: [Int: Double] = [:]
        for candidate in countySearch.candidates(region) {
            let piece = try countySearch.piece(candidate)
            guard try piece.intersects(region) else { continue }
            let owner = countySearch.pieces[candidate].owner
            if try piece.containsProperly(region) {
                shares[owner, default: 0] += regionArea
                continue
            }
            let part = try intersect(piece.base, region)
            if !part.isEmpty { shares[owner, default: 0] += try measure.area(of: part) }
        }
        guard let most = shares.values.max(), most > 0 else { return nil }
        let winner = shares.filter { $0.value >= most * (1 - 1e-6) }.map { admin.counties[$0.key] }
            .min { $0.code < $1.code }!
        let others = shares.filter { $0.key != winner.index && $0.value >= 1 }.map { admin.counties[$0.key].code }.sorted()
        return CountyAssignment(county: winner, share: regionArea > 0 ? min(1, shares[winner.index]! / regionArea) : 1,
                                others: others)
    }

    /// The polygonal intersection; on a robustness failure, once more on a 1e-9° grid (~0.1 mm).
    private func intersect(_ piece: Geometry, _ patch: Geometry) throws -> Geometry {
        do {
            return try piece.intersection(patch).polygonalPart()
        } catch {
            return try piece.intersection(patch, gridSize: 1e-9).polygonalPart()
        }
    }
}

/// Values made from text, remembered: beyond `limit` distinct texts (date-times, free text) it
/// forgets them all and starts again, so memory stays bounded.
struct BoundedMemo<Value> {
    private var values: [String: Value] = [:]
    static var limit: Int { 4096 }

    mutating func value(for text: String, _ make: (String) throws -> Value) rethrows -> Value {
        if let known = values[text] { return known }
        let made = try make(text)
        if values.count >= Self.limit { values.removeAll(keepingCapacity: true) }
        values[text] = made
        return made
    }
}
