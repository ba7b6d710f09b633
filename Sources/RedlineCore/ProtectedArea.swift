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

    /// Reads every protected layer into one index in the frame of the first layer's CRS.
    public static func load(_ layers: [SourceLayer], fields: ProtectedFields,
                            invalid: InvalidPolicy = .repair) throws -> ProtectedIndex {
        guard let first = layers.first else { throw RedlineError.noProtectedAreas(sources: []) }
        let frame = try WorkingFrame(basedOn: first.crs)
        let builder = try Builder(frame: frame, invalid: invalid, layers: layers)
        for (position, layer) in layers.enumerated() { try builder.add(layer, position: position, fields: fields) }
        guard !builder.areas.isEmpty else {
            throw RedlineError.noProtectedAreas(sources: layers.map(\.label))
        }
        return ProtectedIndex(frame: frame, areas: builder.areas, pieces: builder.pieces, skipped: builder.skipped,
                              repaired: builder.repaired, unknownZones: builder.unknownZones,
                              featuresRead: builder.featuresRead)
    }

    private final class Builder {
        let frame: WorkingFrame
        let invalid: InvalidPolicy
        let geos = GEOSContext()
        let reprojector: Reprojector
        var areas: [ProtectedArea] = []
        var pieces: [Piece] = []
        var skipped: [SkipReason: Int] = [:]
        var repaired = 0
        var unknownZones: [String: Int] = [:]
        var featuresRead = 0

        init(frame: WorkingFrame, invalid: InvalidPolicy, layers: [SourceLayer]) throws {
            self.frame = frame
            self.invalid = invalid
            reprojector = try Reprojector(frame: frame, sources: layers.map(\.crs))
        }

        func add(_ source: SourceLayer, position: Int, fields: ProtectedFields) throws {
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
            while let feature = try readNext(layer, source) {
                featuresRead += 1
                let featureID = idField.flatMap(feature.text) ?? feature.fid.map(String.init) ?? "\(featuresRead)"
                let featureLabel = "\(source.label) #\(featureID)"
                guard let geometry = try polygons(of: feature, source: source, position: position, label: featureLabel) else {
                    continue
                }
                let zoneText = zoneField.flatMap(feature.text)?.trimmingCharacters(in: .whitespaces) ?? ""
                var kind = ProtectionKind(dataValue: kindField.flatMap(feature.text))
                if case .other("") = kind { kind = layerKind }
                let zone = resolveZone(zoneText, kind: kind)
                let index = areas.count
                let area = ProtectedArea(
                    index: index, protectedID: featureID,
                    name: nameField.flatMap(feature.text) ?? source.layerName,
                    kind: kind, zone: zone, zoneText: zoneText, layer: source.label)
                areas.append(area)
                for piece in try subdivide(geometry) {
                    pieces.append(Piece(area: index, wkb: try piece.wkb()))
                }
            }
        }

        private func readNext(_ layer: VectorLayer, _ source: SourceLayer) throws -> Feature? {
            do {
                return try layer.nextFeature()
            } catch {
                throw RedlineError.readFailed(layer: source.label, reason: "\(error)")
            }
        }

        private func resolveZone(_ text: String, kind: ProtectionKind) -> Zone {
            if text.isEmpty { return kind == .redLine ? .redLine : .unzoned }
            if let zone = Zone(dataValue: text) { return zone }
            unknownZones[text, default: 0] += 1
            return .unzoned
        }

        /// The feature's polygons in the working frame, made valid; nil (and counted) when it has none.
        private func polygons(of feature: Feature, source: SourceLayer, position: Int, label: String) throws -> Geometry? {
            guard case .polygonal(var wkb) = feature.geometry() else {
                skipped[SkipReason(feature.geometry()), default: 0] += 1
                return nil
            }
            do {
                try reprojector.toWorkingFrame(&wkb, fromLayer: position)
            } catch {
                throw RedlineError.badCRS(layer: source.label, reason: "feature \(label): \(error)")
            }
            let geometry = try geos.geometry(wkb: wkb).polygonalPart()
            guard !geometry.isEmpty else {
                skipped[.notPolygon, default: 0] += 1
                return nil
            }
            if let reason = try geometry.invalidityReason() {
                switch invalid {
                case .fail: throw RedlineError.invalidGeometry(layer: source.label, feature: label, reason: reason)
                case .skip:
                    skipped[.invalid, default: 0] += 1
                    return nil
                case .repair:
                    repaired += 1
                    let fixed = try geometry.makeValid().polygonalPart()
                    if fixed.isEmpty {
                        skipped[.collapsed, default: 0] += 1
                        return nil
                    }
                    return fixed
                }
            }
            return geometry
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
}
