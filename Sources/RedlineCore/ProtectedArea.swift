import GDALKit
import GEOSKit
import PROJKit

/// A protected polygon: a nature reserve's functional zone, a whole reserve, or a red-line patch.
public struct ProtectedArea: Sendable {
    /// Position in the index; overlaps refer to areas by it.
    public let index: Int
    public let protectedID: String
    public let name: String
    public let kind: ProtectionKind
    public let zone: Zone
    /// The zone as the data wrote it ("" when the layer has no zone field).
    public let zoneText: String
    /// The layer it came from, "file:layer".
    public let layer: String
}

/// Field options for reading protected layers.
public struct ProtectedFields: Sendable {
    public var id: String?
    public var name: String?
    public var zone: String?
    public var kind: String?

    public init(id: String? = nil, name: String? = nil, zone: String? = nil, kind: String? = nil) {
        self.id = id; self.name = name; self.zone = zone; self.kind = kind
    }

    static let idDefaults = ["protected_id", "id", "code", "bh", "编号", "bsm", "标识码", "dm", "代码", "objectid"]
    static let nameDefaults = ["protected_name", "name", "mc", "名称", "保护区名称", "保护地名称", "bhqmc", "hxmc",
                               "红线名称", "reserve", "zh_name"]
    static let zoneDefaults = ["zone", "gnfq", "功能分区", "功能区", "分区", "zone_name", "fqmc", "fq"]
    static let kindDefaults = ["kind", "protection_kind", "type", "lx", "类型", "保护类型", "bhlx", "category"]
}

/// The protected areas, cut into pieces of bounded size for fast predicates, in the working frame.
/// Plain values only: each worker builds its own GEOS objects from the pieces' WKB.
public struct ProtectedIndex: Sendable {
    public struct Piece: Sendable {
        public let area: Int
        public let wkb: [UInt8]
        public let envelope: Envelope
    }

    public let frame: WorkingFrame
    public let areas: [ProtectedArea]
    public let pieces: [Piece]
    /// Features skipped while loading, by reason; and invalid ones repaired.
    public let skipped: [SkipReason: Int]
    public let repaired: Int
    /// Zone values the data carried that are not known zone names, with their counts.
    public let unknownZones: [String: Int]
    public let featuresRead: Int

    /// Largest number of vertices in one piece; larger polygons are cut, as PostGIS's ST_Subdivide does.
    public static let maxPieceVertices = 256

    /// Reads every protected layer into one index in the frame of the first layer's CRS. The
    /// features are read on this thread, their geometry prepared on `jobs` threads.
    public static func load(_ layers: [SourceLayer], fields: ProtectedFields, invalid: InvalidPolicy = .repair,
                            jobs: Int = 1) throws -> ProtectedIndex {
        guard let first = layers.first else { throw RedlineError.noProtectedAreas(sources: []) }
        let frame = try WorkingFrame(basedOn: first.crs)
        var catalogue = Catalogue()
        for (position, layer) in layers.enumerated() { try catalogue.read(layer, position: position, fields: fields) }
        let features = catalogue.features
        let prepared = try parallelMap(count: features.count, jobs: jobs, makeState: {
            try PieceCutter(frame: frame, layers: layers, invalid: invalid)
        }) { cutter, index in cutter.cut(features[index]) }

        var areas: [ProtectedArea] = [], pieces: [Piece] = []
        var skipped = catalogue.skipped, repaired = 0
        for (feature, outcome) in zip(features, prepared) {
            switch outcome {
            case .failed(let error):
                throw error
            case .skipped(let reason):
                skipped[reason, default: 0] += 1
            case .pieces(let cut, let wasRepaired):
                if wasRepaired { repaired += 1 }
                let index = areas.count
                areas.append(ProtectedArea(index: index, protectedID: feature.id, name: feature.name, kind: feature.kind,
                                           zone: feature.zone, zoneText: feature.zoneText,
                                           layer: layers[feature.layer].label))
                pieces += cut.map { Piece(area: index, wkb: $0.wkb, envelope: $0.envelope) }
            }
        }
        guard !areas.isEmpty else { throw RedlineError.noProtectedAreas(sources: layers.map(\.label)) }
        return ProtectedIndex(frame: frame, areas: areas, pieces: pieces, skipped: skipped, repaired: repaired,
                              unknownZones: catalogue.unknownZones, featuresRead: catalogue.featuresRead)
    }
}

/// A protected feature as read, before its geometry is prepared.
struct ProtectedFeature: Sendable {
    let layer: Int
    let id: String
    let label: String
    let name: String
    let kind: ProtectionKind
    let zone: Zone
    let zoneText: String
    let wkb: [UInt8]
}

/// Reads the protected layers' features and attributes (on the calling thread).
private struct Catalogue {
    var features: [ProtectedFeature] = []
    var skipped: [SkipReason: Int] = [:]
    var unknownZones: [String: Int] = [:]
    var featuresRead = 0

    mutating func read(_ source: SourceLayer, position: Int, fields: ProtectedFields) throws {
        let idField = try source.resolveField(option: "--protected-id", requested: fields.id,
                                              defaults: ProtectedFields.idDefaults)
        let nameField = try source.resolveField(option: "--protected-name", requested: fields.name,
                                                defaults: ProtectedFields.nameDefaults)
        let zoneField = try source.resolveField(option: "--protected-zone", requested: fields.zone,
                                                defaults: ProtectedFields.zoneDefaults)
        let kindField = try source.resolveField(option: "--protected-kind", requested: fields.kind,
                                                defaults: ProtectedFields.kindDefaults)
        let layer = try source.open()
        let layerKind = ProtectionKind(dataValue: source.layerName)
        while true {
            let next: Feature?
            do {
                next = try layer.nextFeature()
            } catch {
                throw RedlineError.readFailed(layer: source.label, reason: "\(error)")
            }
            guard let feature = next else { return }
            featuresRead += 1
            let geometry = feature.geometry()
            guard case .polygonal(let wkb) = geometry else {
                skipped[SkipReason(geometry), default: 0] += 1
                continue
            }
            let id = idField.flatMap(feature.text) ?? feature.fid.map(String.init) ?? "\(featuresRead)"
            let zoneText = zoneField.flatMap(feature.text)?.trimmingCharacters(in: .whitespaces) ?? ""
            var kind = ProtectionKind(dataValue: kindField.flatMap(feature.text))
            if case .other("") = kind { kind = layerKind }
            features.append(ProtectedFeature(layer: position, id: id, label: "\(source.label) #\(id)",
                                             name: nameField.flatMap(feature.text) ?? source.layerName, kind: kind,
                                             zone: resolveZone(zoneText, kind: kind), zoneText: zoneText, wkb: wkb))
        }
    }

    private mutating func resolveZone(_ text: String, kind: ProtectionKind) -> Zone {
        if text.isEmpty { return kind == .redLine ? .redLine : .unzoned }
        if let zone = Zone(dataValue: text) { return zone }
        unknownZones[text, default: 0] += 1
        return .unzoned
    }
}

/// Brings one protected feature into the working frame, makes it valid and cuts it into pieces.
/// Holds a GEOS and a PROJ context: one per thread.
private final class PieceCutter {
    enum Outcome: Sendable {
        case pieces([(wkb: [UInt8], envelope: Envelope)], repaired: Bool)
        case skipped(SkipReason)
        case failed(RedlineError)
    }

    private let geos = GEOSContext()
    private let reprojector: Reprojector
    private let layers: [SourceLayer]
    private let invalid: InvalidPolicy

    init(frame: WorkingFrame, layers: [SourceLayer], invalid: InvalidPolicy) throws {
        reprojector = try Reprojector(frame: frame, sources: layers.map(\.crs))
        self.layers = layers
        self.invalid = invalid
    }

    func cut(_ feature: ProtectedFeature) -> Outcome {
        do {
            var wkb = feature.wkb
            do {
                try reprojector.toWorkingFrame(&wkb, fromLayer: feature.layer)
            } catch {
                return .failed(.badCRS(layer: layers[feature.layer].label, reason: "feature \(feature.label): \(error)"))
            }
            let geometry: Geometry, repaired: Bool
            switch try invalid.apply(to: try geos.geometry(wkb: wkb)) {
            case .usable(let usable, let wasRepaired):
                (geometry, repaired) = (usable, wasRepaired)
            case .skipped(let reason):
                return .skipped(reason)
            case .rejected(let reason):
                return .failed(.invalidGeometry(layer: layers[feature.layer].label, feature: feature.id, reason: reason))
            }
            let pieces = try subdivide(geometry)
            guard !pieces.isEmpty else { return .skipped(.collapsed) }
            return .pieces(try pieces.map { (try $0.wkb(), $0.envelope) }, repaired: repaired)
        } catch {
            return .failed(.geometryFailure(layer: layers[feature.layer].label, feature: feature.id, reason: "\(error)"))
        }
    }

    /// Cuts a polygon in halves along its longer side until every piece has at most
    /// `maxPieceVertices` vertices.
    private func subdivide(_ geometry: Geometry, depth: Int = 0) throws -> [Geometry] {
        // Parts of a multi-polygon lie apart; one envelope around them all would match too much.
        if geometry.kind == .multiPolygon {
            return try geometry.parts.flatMap { try subdivide($0, depth: depth) }
        }
        if geometry.coordinateCount <= ProtectedIndex.maxPieceVertices || depth >= 40 {
            if try geometry.isValid() { return [geometry] }
            let fixed = try geometry.makeValid().polygonalPart()
            return fixed.isEmpty ? [] : [fixed]
        }
        let box = geometry.envelope
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
