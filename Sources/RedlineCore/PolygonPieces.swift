import GEOSKit
import PROJKit
import ThreadKit

/// A piece of a large polygon (a protected area, a county), small enough for fast predicates.
public struct PolygonPiece: Sendable {
    /// Index of the polygon it belongs to.
    public let owner: Int
    public let wkb: [UInt8]
    public let envelope: Envelope
}

/// A polygon feature as read, before it is brought into the frame and cut.
struct PolygonFeature: Sendable {
    /// Index of its layer among the layers being cut.
    let layer: Int
    /// How errors name it (its id).
    let name: String
    let wkb: [UInt8]
}

/// Brings polygon features into the working frame, makes them valid and cuts them into pieces of
/// at most `maxVertices` vertices, as PostGIS's ST_Subdivide does. Holds a GEOS and a PROJ
/// context: one per thread.
final class PieceCutter {
    enum Outcome: Sendable {
        /// The pieces, and the whole valid polygon when asked to keep it (for drawing maps).
        case pieces([(wkb: [UInt8], envelope: Envelope)], repaired: Bool, whole: [UInt8]?)
        case skipped(SkipReason)
        case failed(RedlineError)
    }

    static let maxVertices = 256

    private let geos = GEOSContext()
    private let reprojector: Reprojector
    private let layers: [SourceLayer]
    private let invalid: InvalidPolicy
    private let keepWhole: Bool

    init(frame: WorkingFrame, layers: [SourceLayer], invalid: InvalidPolicy, keepWhole: Bool) throws {
        reprojector = try Reprojector(frame: frame, sources: layers.map(\.crs))
        self.layers = layers
        self.invalid = invalid
        self.keepWhole = keepWhole
    }

    /// Cuts every feature on `jobs` threads, or takes the pieces of an earlier run from `cache`;
    /// the outcomes come back in feature order.
    static func cutAll(_ features: [PolygonFeature], frame: WorkingFrame, layers: [SourceLayer],
                       invalid: InvalidPolicy, jobs: Int, keepWhole: Bool = false,
                       cache: PieceCache? = nil) throws -> [Outcome] {
        let key = cache?.key(features, frame: frame, layers: layers, invalid: invalid, keepWhole: keepWhole)
        if let cache, let key, let stored = cache.load(key, count: features.count) { return stored }
        let outcomes = try parallelMap(count: features.count, jobs: jobs, makeState: {
            try PieceCutter(frame: frame, layers: layers, invalid: invalid, keepWhole: keepWhole)
        }) { cutter, index in cutter.cut(features[index]) }
        if let cache, let key { cache.store(key, outcomes) }
        return outcomes
    }

    func cut(_ feature: PolygonFeature) -> Outcome {
        let label = layers[feature.layer].label
        do {
            var wkb = feature.wkb
            do {
                try reprojector.toWorkingFrame(&wkb, fromLayer: feature.layer)
            } catch {
                return .failed(.badCRS(layer: label, reason: "feature \(feature.name): \(error)"))
            }
            let geometry: Geometry, repaired: Bool
            switch try invalid.apply(to: try geos.geometry(wkb: wkb)) {
            case .usable(let usable, let wasRepaired):
                (geometry, repaired) = (usable, wasRepaired)
            case .skipped(let reason):
                return .skipped(reason)
            case .rejected(let reason):
                return .failed(.invalidGeometry(layer: label, feature: feature.name, reason: reason))
            }
            let pieces = try subdivide(geometry)
            guard !pieces.isEmpty else { return .skipped(.collapsed) }
            return .pieces(try pieces.map { (try $0.wkb(), try $0.envelope()) }, repaired: repaired,
                           whole: keepWhole ? try geometry.wkb() : nil)
        } catch {
            return .failed(.geometryFailure(layer: label, feature: feature.name, reason: "\(error)"))
        }
    }

    /// Cuts a polygon in halves along its longer side until every piece has at most
    /// `maxVertices` vertices.
    private func subdivide(_ geometry: Geometry, depth: Int = 0) throws -> [Geometry] {
        // Parts of a multi-polygon lie apart; one envelope around them all would match too much.
        if geometry.kind == .multiPolygon {
            return try geometry.parts.flatMap { try subdivide($0, depth: depth) }
        }
        if geometry.coordinateCount <= Self.maxVertices || depth >= 40 {
            if try geometry.isValid() { return [geometry] }
            let fixed = try geometry.makeValid().polygonalPart()
            return fixed.isEmpty ? [] : [fixed]
        }
        let box = try geometry.envelope()
        let halves: [Envelope]
        if box.width >= box.height {
            let middle = (box.minX + box.maxX) / 2
            halves = [Envelope(minX: box.minX, minY: box.minY, maxX: middle, maxY: box.maxY),
                      Envelope(minX: middle, minY: box.minY, maxX: box.maxX, maxY: box.maxY)]
        } else {
            let middle = (box.minY + box.maxY) / 2
            halves = [Envelope(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: middle),
                      Envelope(minX: box.minX, minY: middle, maxX: box.maxX, maxY: box.maxY)]
        }
        var result: [Geometry] = []
        for half in halves {
            let clipped = try geometry.clip(to: half).polygonalPart()
            if clipped.isEmpty { continue }
            result += try subdivide(clipped, depth: depth + 1)
        }
        return result
    }
}

/// Finds the pieces a geometry may touch: an STR tree over the pieces' boxes, and the pieces
/// themselves parsed and prepared the first time they are a candidate (most never are). Owns
/// GEOS objects of its worker's context: one per worker, never shared.
final class PieceSearch {
    let pieces: [PolygonPiece]
    private let geos: GEOSContext
    private let tree: STRTree
    /// The pieces' bounding boxes as rectangles: what the tree indexes (it keeps pointers to them).
    private let boxes: [Geometry]
    private var prepared: [PreparedGeometry?]
    /// The prepared pieces in the order they were made, oldest first from `oldest`: beyond
    /// `preparedLimit` the oldest is dropped, so memory stays bounded however large the
    /// boundaries and however many patches come (patches arrive clustered, so few are rebuilt).
    private var preparedOrder: [Int] = []
    private var oldest = 0
    static let preparedLimit = 2048

    init(pieces: [PolygonPiece], geos: GEOSContext) throws {
        self.pieces = pieces
        self.geos = geos
        boxes = try pieces.map { try geos.rectangle($0.envelope) }
        prepared = Array(repeating: nil, count: pieces.count)
        tree = try STRTree(context: geos)
        for (position, box) in boxes.enumerated() { tree.insert(position, envelope: box) }
    }

    /// Pieces whose boxes meet the geometry's box.
    /// The pieces whose boxes meet the geometry's, in order.
    func candidates(_ geometry: Geometry) -> [Int] {
        var found: [Int] = []
        tree.query(geometry, into: &found)
        return found
    }

    func piece(_ position: Int) throws -> PreparedGeometry {
        if let ready = prepared[position] { return ready }
        let made = try PreparedGeometry(try geos.geometry(wkb: pieces[position].wkb))
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
}
