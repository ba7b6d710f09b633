import Foundation
import GDALKit
import GEOSKit
import PROJKit

/// The settings of a check that the engine applies to each patch.
public struct CheckSettings: Sendable {
    public var minOverlapM2: Double = 1
    public var invalid: InvalidPolicy = .repair

    public init(minOverlapM2: Double = 1, invalid: InvalidPolicy = .repair) {
        self.minOverlapM2 = minOverlapM2
        self.invalid = invalid
    }
}

/// What became of one patch.
public enum PatchOutcome: Sendable {
    /// It overlaps protection.
    case clue(Clue)
    /// It overlaps nothing (or only slivers below the threshold).
    case clear(repaired: Bool)
    case skipped(SkipReason)
    /// A failure that stops the run (an invalid patch under `--invalid fail`, say).
    case failed(RedlineError)
}

/// Checks patches against the protected index. Holds a GEOS context, a PROJ context, an STR tree
/// over the pieces' boxes and the pieces it has prepared: one per worker thread, never shared.
public final class OverlapEngine {
    private let index: ProtectedIndex
    private let layers: [SourceLayer]
    private let layerKeys: [String]
    private let settings: CheckSettings
    private let geos = GEOSContext()
    private let reprojector: Reprojector
    private let measure: GeodesicMeasure
    /// Pieces, parsed from WKB and prepared the first time they are a candidate; most never are.
    private var prepared: [PreparedGeometry?]
    /// The prepared pieces in the order they were made, oldest first from `oldest`: beyond
    /// `preparedLimit` the oldest is dropped, so memory stays bounded however large the
    /// boundaries and however many patches come (patches arrive clustered, so few are rebuilt).
    private var preparedOrder: [Int] = []
    private var oldest = 0
    static let preparedLimit = 2048
    /// The pieces' bounding boxes as rectangles: what the tree indexes.
    private let boxes: [Geometry]
    private let tree: STRTree
    private var candidates: [Int] = []

    public init(index: ProtectedIndex, activityLayers: [SourceLayer], settings: CheckSettings) throws {
        self.index = index
        layers = activityLayers
        layerKeys = activityLayers.map { "\(($0.spec.path as NSString).lastPathComponent):\($0.layerName)" }
        self.settings = settings
        reprojector = try Reprojector(frame: index.frame, sources: activityLayers.map(\.crs))
        measure = GeodesicMeasure(index.frame.geodesic)
        let geos = self.geos
        boxes = try index.pieces.map { try geos.rectangle($0.envelope) }
        prepared = Array(repeating: nil, count: boxes.count)
        tree = try STRTree(context: geos)
        for (position, box) in boxes.enumerated() { tree.insert(position, envelope: box) }
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
        guard case .polygonal(var wkb) = patch.geometry else { return .skipped(SkipReason(patch.geometry)) }
        do {
            try reprojector.toWorkingFrame(&wkb, fromLayer: patch.layer)
        } catch {
            return .skipped(.untransformable)
        }
        guard let parsed = try? geos.geometry(wkb: wkb) else { return .skipped(.unreadable) }
        let geometry: Geometry, repaired: Bool
        switch try settings.invalid.apply(to: parsed) {
        case .usable(let usable, let wasRepaired):
            (geometry, repaired) = (usable, wasRepaired)
        case .skipped(let reason):
            return .skipped(reason)
        case .rejected(let reason):
            return .failed(.invalidGeometry(layer: layers[patch.layer].label, feature: patch.activityID, reason: reason))
        }
        tree.query(geometry, into: &candidates)
        if candidates.isEmpty { return .clear(repaired: repaired) }

        let patchArea = try measure.area(of: geometry)
        // Fragments of the patch inside each protected area, piece by piece.
        var fragments: [Int: [Geometry]] = [:]
        var areas: [Int: Double] = [:]
        var wholePatchInside = false
        for candidate in candidates {
            let piece = try preparedPiece(candidate)
            guard try piece.intersects(geometry) else { continue }
            let owner = index.pieces[candidate].area
            if try piece.containsProperly(geometry) {
                // Wholly inside: the overlap is the patch itself, no overlay needed.
                fragments[owner, default: []].append(geometry)
                areas[owner, default: 0] += patchArea
                wholePatchInside = true
                continue
            }
            let inside = try intersect(piece.base, geometry)
            guard !inside.isEmpty else { continue }
            fragments[owner, default: []].append(inside)
            areas[owner, default: 0] += try measure.area(of: inside)
        }

        var overlaps: [Overlap] = []
        var kept: [Geometry] = []
        for owner in areas.keys.sorted() where areas[owner]! >= settings.minOverlapM2 {
            let parts = fragments[owner]!
            let shape = parts.count == 1 ? parts[0] : try geos.multiPolygon(parts).unaryUnion()
            overlaps.append(Overlap(area: owner, overlapM2: min(areas[owner]!, patchArea), wkb: try shape.wkb()))
            kept.append(contentsOf: parts)
        }
        guard !overlaps.isEmpty else { return .clear(repaired: repaired) }

        let insideAny: Double
        if wholePatchInside && overlaps.contains(where: { $0.overlapM2 >= patchArea }) {
            insideAny = patchArea
        } else if overlaps.count == 1 {
            insideAny = overlaps[0].overlapM2
        } else {
            insideAny = min(patchArea, try measure.area(of: try geos.multiPolygon(kept).unaryUnion()))
        }
        let centroid = try geometry.centroid().pointCoordinates()
        return .clue(Clue(
            clueID: StableID.clueID(layerKey: layerKeys[patch.layer], activityID: patch.activityID),
            patch: patch, patchAreaM2: patchArea, overlapM2: insideAny,
            strictestZone: overlaps.map { index.areas[$0.area].zone }.min()!,
            centroidLon: centroid.x, centroidLat: centroid.y,
            patchWKB: try geometry.wkb(), overlaps: overlaps, repaired: repaired))
    }

    private func preparedPiece(_ position: Int) throws -> PreparedGeometry {
        if let ready = prepared[position] { return ready }
        let made = try PreparedGeometry(try geos.geometry(wkb: index.pieces[position].wkb))
        prepared[position] = made
        preparedOrder.append(position)
        if preparedOrder.count - oldest > Self.preparedLimit {
            prepared[preparedOrder[oldest]] = nil
            oldest += 1
            if oldest >= Self.preparedLimit {
                preparedOrder.removeFirst(oldest)
                oldest = 0
            }
        }
        return made
    }

    /// The polygonal intersection; on a robustness failure, once more on a 1e-9° grid (~0.1 mm).
    private func intersect(_ piece: Geometry, _ patch: Geometry) throws -> Geometry {
        do {
            return try piece.intersection(patch).polygonalPart()
        } catch {
            return try piece.intersection(patch, gridSize: 1e-9).polygonalPart()
        }
    }

    /// Whether the layer says its coordinates are degrees while some of `boxes` (in the layer's own
    /// CRS) lie far outside any longitude or latitude: metres under a geographic CRS.
    public func degreesOutOfRange(_ boxes: [Envelope], layer: Int) -> Envelope? {
        guard reprojector.isGeographic(layer: layer) else { return nil }
        return boxes.first { $0.minX < -360 || $0.maxX > 360 || $0.minY < -90.001 || $0.maxY > 90.001 }
    }

    /// Whether any of `boxes` (in the layer's own CRS), with x and y exchanged, would touch a
    /// protected area: the sign of lat,lon data read as lon,lat.
    public func swappedBoxesHitProtection(_ boxes: [Envelope], layer: Int) -> Bool {
        for box in boxes {
            let swapped = box.swapped
            var corners = [swapped.minX, swapped.minY, swapped.maxX, swapped.minY,
                           swapped.maxX, swapped.maxY, swapped.minX, swapped.maxY]
            guard (try? reprojector.toWorkingFrame(&corners, fromLayer: layer)) != nil,
                  let probe = try? geos.polygon(shell: corners) else { continue }
            tree.query(probe, into: &candidates)
            for candidate in candidates where (try? preparedPiece(candidate).intersects(probe)) == true {
                return true
            }
        }
        return false
    }
}
