import GDALKit
import GEOSKit
import PROJKit

/// A protected polygon: a nature reserve's functional zone, a whole reserve, or a red-line patch,
/// in one version of its boundary.
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
    /// The days this version was in force (both ends inclusive; open ends when the data has none).
    public let validity: ValidityPeriod
    /// Later versions of the same area (same layer and id) whose periods overlap this one's: on a
    /// day both cover, the later version is the one in force.
    public internal(set) var newerVersions: [Int] = []

    /// Whether this version is the one in force on `day`, among `areas` (the index's).
    public func isInForce(on day: CalendarDay, among areas: [ProtectedArea]) -> Bool {
        validity.contains(day) && !newerVersions.contains { areas[$0].validity.contains(day) }
    }
}

/// Field options for reading protected layers.
public struct ProtectedFields: Sendable, Equatable {
    public var id: String?
    public var name: String?
    public var zone: String?
    public var kind: String?
    public var validFrom: String?
    public var validTo: String?

    public init(id: String? = nil, name: String? = nil, zone: String? = nil, kind: String? = nil,
                validFrom: String? = nil, validTo: String? = nil) {
        self.id = id; self.name = name; self.zone = zone; self.kind = kind
        self.validFrom = validFrom; self.validTo = validTo
    }

    /// What a protected source may map with `|role=FIELD`.
    public static let roles = ["id", "name", "zone", "kind", "valid_from", "valid_to"]

    static let idDefaults = ["protected_id", "id", "code", "bh", "编号", "bsm", "标识码", "dm", "代码", "objectid"]
    static let nameDefaults = ["protected_name", "name", "mc", "名称", "保护区名称", "保护地名称", "bhqmc", "hxmc",
                               "红线名称", "reserve", "zh_name"]
    static let zoneDefaults = ["zone", "gnfq", "功能分区", "功能区", "分区", "zone_name", "fqmc", "fq"]
    static let kindDefaults = ["kind", "protection_kind", "type", "lx", "类型", "保护类型", "bhlx", "category"]
    static let validFromDefaults = ["valid_from", "valid_start", "effective_from", "start_date", "生效日期", "起始日期",
                                    "批复日期", "sxrq", "qsrq"]
    static let validToDefaults = ["valid_to", "valid_until", "valid_end", "effective_to", "end_date", "失效日期",
                                  "终止日期", "废止日期", "fzrq", "zzrq"]
}

/// The protected areas, cut into pieces of bounded size for fast predicates, in the working frame.
/// Plain values only: each worker builds its own GEOS objects from the pieces' WKB.
public struct ProtectedIndex: Sendable {
    public let frame: WorkingFrame
    public let areas: [ProtectedArea]
    public let pieces: [PolygonPiece]
    /// Features skipped while loading, by reason; and invalid ones repaired.
    public let skipped: [SkipReason: Int]
    public let repaired: Int
    /// Zone values the data carried that are not known zone names, with their counts.
    public let unknownZones: [String: Int]
    public let featuresRead: Int
    /// Whether any area carries a validity period: then each patch is judged by its date.
    public let isVersioned: Bool
    /// Each area's whole polygon (WKB in the frame), when loaded with `keepOutlines`; else empty.
    public let outlines: [[UInt8]]

    /// Reads every protected layer into one index in the frame of the first layer's CRS. The
    /// features are read on this thread, their geometry prepared on `jobs` threads.
    public static func load(_ layers: [SourceLayer], fields: ProtectedFields, invalid: InvalidPolicy = .repair,
                            jobs: Int = 1, keepOutlines: Bool = false, cache: PieceCache? = nil,
                            warnings: WarningLog = WarningLog()) throws -> ProtectedIndex {
        guard let first = layers.first else { throw RedlineError.noProtectedAreas(sources: []) }
        let frame = try WorkingFrame(basedOn: first.crs)
        var catalogue = Catalogue()
        for (position, layer) in layers.enumerated() { try catalogue.read(layer, position: position, fields: fields) }
        try catalogue.dissolveDuplicates(labels: layers.map(\.label), warnings: warnings)
        catalogue.warnAboutKindsAndZones(warnings)
        let features = catalogue.features
        let outcomes = try PieceCutter.cutAll(features.map { PolygonFeature(layer: $0.layer, name: $0.id, wkb: $0.wkb) },
                                              frame: frame, layers: layers, invalid: invalid, jobs: jobs,
                                              keepWhole: keepOutlines, cache: cache)
        var areas: [ProtectedArea] = [], pieces: [PolygonPiece] = [], outlines: [[UInt8]] = []
        var skipped = catalogue.skipped, repaired = 0
        var repairedIDs: [String] = [], skippedIDs: [String] = []
        for (feature, outcome) in zip(features, outcomes) {
            switch outcome {
            case .failed(let error):
                throw error
            case .skipped(let reason):
                skipped[reason, default: 0] += 1
                skippedIDs.append("\(feature.id) (\(reason.rawValue))")
            case .pieces(let cut, let wasRepaired, let whole):
                if wasRepaired {
                    repaired += 1
                    repairedIDs.append(feature.id)
                }
                if let whole { outlines.append(whole) }
                let index = areas.count
                areas.append(ProtectedArea(index: index, protectedID: feature.id, name: feature.name, kind: feature.kind,
                                           zone: feature.zone, zoneText: feature.zoneText,
                                           layer: layers[feature.layer].label, validity: feature.validity))
                pieces += cut.map { PolygonPiece(owner: index, wkb: $0.wkb, envelope: $0.envelope) }
            }
        }
        guard !areas.isEmpty else { throw RedlineError.noProtectedAreas(sources: layers.map(\.label)) }
        // A boundary mended or dropped changes what every patch is checked against: name it.
        if !repairedIDs.isEmpty {
            warnings.add(code: "protected_repaired", "\(repairedIDs.count) protected feature(s) had invalid polygons and were "
                         + "repaired (made valid) before the check: \(repairedIDs.prefix(5).joined(separator: ", ")) — the repaired "
                         + "shapes are what patches were checked against; fix the boundary data")
        }
        if !skippedIDs.isEmpty {
            warnings.add(code: "protected_skipped", "\(skippedIDs.count) protected feature(s) were left out: "
                         + "\(skippedIDs.prefix(5).joined(separator: ", ")) — no patch was checked against them; fix the boundary data")
        }
        linkVersions(&areas)
        return ProtectedIndex(frame: frame, areas: areas, pieces: pieces, skipped: skipped, repaired: repaired,
                              unknownZones: catalogue.unknownZones, featuresRead: catalogue.featuresRead,
                              isVersioned: areas.contains { $0.validity != .always }, outlines: outlines)
    }

    /// Versions are the features of one layer sharing an id; each learns the later ones that
    /// overlap it in time, so that on a day two cover (one ends the day the next begins) the later
    /// wins. A feature without dates counts as starting at the beginning of time: where the data
    /// leaves the current boundary undated, a dated old version still wins on its own days.
    private static func linkVersions(_ areas: inout [ProtectedArea]) {
        guard areas.contains(where: { $0.validity != .always }) else { return }
        let groups = Dictionary(grouping: areas.indices) { "\(areas[$0].layer)\u{1F}\(areas[$0].protectedID)" }
        for members in groups.values where members.count > 1 {
            for member in members {
                let mine = areas[member].validity
                areas[member].newerVersions = members.filter { other in
                    let theirs = areas[other].validity
                    let later = (theirs.from ?? .distantPast) > (mine.from ?? .distantPast)
                    let overlapping = (theirs.from ?? .distantPast) <= (mine.to ?? .distantFuture)
                        && (mine.from ?? .distantPast) <= (theirs.to ?? .distantFuture)
                    return other != member && later && overlapping
                }
            }
        }
    }
}

extension CalendarDay {
    static let distantPast = CalendarDay(year: 1, month: 1, day: 1)!
    static let distantFuture = CalendarDay(year: 9999, month: 12, day: 31)!
}

/// A protected feature as read, before its geometry is prepared.
struct ProtectedFeature: Sendable {
    let layer: Int
    let id: String
    let name: String
    let kind: ProtectionKind
    let zone: Zone
    let zoneText: String
    let validity: ValidityPeriod
    let wkb: [UInt8]
}

/// Reads the protected layers' features and attributes (on the calling thread).
private struct Catalogue {
    var features: [ProtectedFeature] = []
    var skipped: [SkipReason: Int] = [:]
    var unknownZones: [String: Int] = [:]
    var featuresRead = 0
    /// Protection kinds neither the data nor the layer's name told, with their counts.
    var unknownKinds: [String: Int] = [:]
    /// Layers of nature reserves without a zone field: every polygon in them counts as unzoned.
    var reservesWithoutZones: [String] = []

    mutating func read(_ source: SourceLayer, position: Int, fields: ProtectedFields) throws {
        try source.spec.checkFields(allowed: ProtectedFields.roles, option: "--protected")
        let idField = try source.resolveField(role: "id", option: "--protected-id", requested: fields.id,
                                              defaults: ProtectedFields.idDefaults)
        let nameField = try source.resolveField(role: "name", option: "--protected-name", requested: fields.name,
                                                defaults: ProtectedFields.nameDefaults)
        let zoneField = try source.resolveField(role: "zone", option: "--protected-zone", requested: fields.zone,
                                                defaults: ProtectedFields.zoneDefaults)
        let kindField = try source.resolveField(role: "kind", option: "--protected-kind", requested: fields.kind,
                                                defaults: ProtectedFields.kindDefaults)
        let fromField = try source.resolveField(role: "valid_from", option: "--valid-from", requested: fields.validFrom,
                                                defaults: ProtectedFields.validFromDefaults)
        let toField = try source.resolveField(role: "valid_to", option: "--valid-to", requested: fields.validTo,
                                              defaults: ProtectedFields.validToDefaults)
        let layer = try source.open()
        let layerKind = ProtectionKind(dataValue: source.layerName)
        while let feature = try source.next(from: layer) {
            featuresRead += 1
            let geometry = feature.geometry()
            guard case .polygonal(let wkb) = geometry else {
                skipped[SkipReason(geometry), default: 0] += 1
                continue
            }
            // Names and zones end up in KML, spreadsheets and logs: no control characters there.
            func text(_ field: Int?) -> String? { field.flatMap(feature.text).map { DataText.withoutControls($0) ?? $0 } }
            let id = text(idField) ?? feature.fid.map(String.init) ?? "\(featuresRead)"
            let from = try source.day(of: feature, field: fromField, featureName: id)
            let to = try source.day(of: feature, field: toField, featureName: id)
            if let from, let to, to < from {
                throw RedlineError.badValidity(layer: source.label, feature: id, from: "\(from)", to: "\(to)")
            }
            let zoneText = text(zoneField)?.trimmingCharacters(in: .whitespaces) ?? ""
            var kind = ProtectionKind(dataValue: kindField.flatMap(feature.text))
            if case .other("") = kind { kind = layerKind }
            if case .other(let text) = kind { unknownKinds[text.isEmpty ? source.layerName : text, default: 0] += 1 }
            if kind == .natureReserve, zoneField == nil, reservesWithoutZones.last != source.label {
                reservesWithoutZones.append(source.label)
            }
            features.append(ProtectedFeature(layer: position, id: id, name: text(nameField) ?? source.layerName,
                                             kind: kind, zone: resolveZone(zoneText, kind: kind, hasField: zoneField != nil), zoneText: zoneText,
                                             validity: ValidityPeriod(from: from, to: to), wkb: wkb))
        }
    }

    /// Kinds no rule knows and reserves without zones judge every patch there by the mildest,
    /// catch-all rules: said aloud, never passed over.
    func warnAboutKindsAndZones(_ warnings: WarningLog) {
        if !unknownKinds.isEmpty {
            let listed = WarningLog.listed(unknownKinds, first: 6)
            warnings.add(code: "unknown_protection_kind",
                         "protected features whose kind is neither nature reserve nor red line: \(listed) — they are judged by "
                         + "the catch-all rules; name the kind field with --protected-kind, or give the layer a telling name")
        }
        for layer in reservesWithoutZones {
            warnings.add(code: "reserve_without_zones",
                         "\(layer): nature-reserve polygons but no zone field found — every one counts as unzoned, not as a "
                         + "core or buffer zone; name the field with --protected-zone", file: layer)
        }
    }

    /// Features of one layer with the same id, zone and validity are one area stored in parts:
    /// they become one feature, so that where parts overlap a patch's pairs and a reserve's total
    /// are not counted twice. Overlapping parts are warned about — the data has a fault.
    mutating func dissolveDuplicates(labels: [String], warnings: WarningLog) throws {
        let groups = Dictionary(grouping: features.indices) { index in
            let feature = features[index]
            return "\(feature.layer)\u{1F}\(feature.id)\u{1F}\(feature.zone.rawValue)\u{1F}\(feature.validity.from.map { "\($0)" } ?? "")"
                + "\u{1F}\(feature.validity.to.map { "\($0)" } ?? "")"
        }
        let repeated = groups.values.filter { $0.count > 1 }
        guard !repeated.isEmpty else { return }
        let geos = GEOSContext()
        var replaced: [Int: ProtectedFeature] = [:], dropped: Set<Int> = []
        var overlapping: [Int: [String]] = [:]
        for members in repeated {
            let parts = try geos.geometry(wkb: WKB.collection(members.map { features[$0].wkb })).makeValid()
            let merged = try parts.unaryUnion().polygonalPart()
            let separateArea = try members.reduce(0.0) { try $0 + geos.geometry(wkb: features[$1].wkb).makeValid().area() }
            let first = features[members[0]]
            if try merged.area() < separateArea * (1 - 1e-9) {
                overlapping[first.layer, default: []].append(first.id)
            }
            replaced[members[0]] = ProtectedFeature(layer: first.layer, id: first.id, name: first.name, kind: first.kind,
                                                    zone: first.zone, zoneText: first.zoneText, validity: first.validity,
                                                    wkb: try merged.wkb())
            dropped.formUnion(members.dropFirst())
        }
        features = features.indices.filter { !dropped.contains($0) }.map { replaced[$0] ?? features[$0] }
        for (layer, ids) in overlapping.sorted(by: { $0.key < $1.key }) {
            let named = ids.sorted().prefix(5).joined(separator: ", ")
            warnings.add(code: "overlapping_duplicate_ids",
                         "\(labels[layer]): \(ids.count) protected id(s) have several overlapping features with the same zone "
                         + "and validity (\(named)) — each was dissolved into one area so no overlap counts twice; fix the "
                         + "boundary data", file: labels[layer], feature: named)
        }
    }

    /// A reserve's empty zone cell, where the layer has a zone field, is counted as an unknown
    /// value: unzoned, a core-zone pit would be judged as outside any zone.
    private mutating func resolveZone(_ text: String, kind: ProtectionKind, hasField: Bool) -> Zone {
        if text.isEmpty {
            if kind == .natureReserve && hasField { unknownZones["(empty)", default: 0] += 1 }
            return kind == .redLine ? .redLine : .unzoned
        }
        if let zone = Zone(dataValue: text) { return zone }
        unknownZones[text, default: 0] += 1
        return .unzoned
    }
}

extension SourceLayer {
    /// The next feature of `layer` (this layer, opened), or nil at the end; read errors name the layer.
    func next(from layer: VectorLayer) throws -> Feature? {
        do {
            return try layer.nextFeature()
        } catch {
            throw RedlineError.readFailed(layer: label, reason: "\(error)")
        }
    }

    /// The date in a feature's field: nil when there is no such field or it is empty; an error
    /// naming the feature when it holds something that is not a date.
    func day(of feature: Feature, field: Int?, featureName: String) throws -> CalendarDay? {
        guard let field, let text = feature.text(field)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return nil
        }
        guard let day = CalendarDay(text: text) else {
            throw RedlineError.badDate(layer: label, feature: featureName, field: fields[field].name, value: text)
        }
        return day
    }
}
