import GDALKit
import GEOSKit

/// A county (or any administrative unit) whose field team receives the clues inside it.
public struct County: Sendable {
    public let index: Int
    /// The administrative division code (行政区划代码), e.g. 652325.
    public let code: String
    public let name: String
}

/// Field options for reading the county layer.
public struct AdminFields: Sendable {
    public var code: String?
    public var name: String?

    public init(code: String? = nil, name: String? = nil) {
        self.code = code
        self.name = name
    }

    static let codeDefaults = ["county_code", "code", "xzqdm", "行政区代码", "行政区划代码", "xzqhdm", "adcode", "qhdm",
                               "dm", "代码"]
    static let nameDefaults = ["county_name", "name", "xzqmc", "行政区名称", "行政区划名称", "县名", "qhmc", "mc", "名称"]
}

/// The counties, cut into pieces like the protected areas, in the working frame.
public struct AdminIndex: Sendable {
    public let counties: [County]
    public let pieces: [PolygonPiece]
    public let skipped: [SkipReason: Int]

    public static func load(_ layers: [SourceLayer], fields: AdminFields, frame: WorkingFrame, jobs: Int = 1) throws -> AdminIndex {
        var features: [PolygonFeature] = [], names: [(code: String, name: String)] = [], skipped: [SkipReason: Int] = [:]
        for (position, source) in layers.enumerated() {
            guard let codeField = try source.resolveField(option: "--admin-code", requested: fields.code,
                                                          defaults: AdminFields.codeDefaults) else {
                throw RedlineError.noSuchField(layer: source.label, option: "--admin-code",
                                               field: AdminFields.codeDefaults.joined(separator: "/"),
                                               available: source.fields.map(\.name))
            }
            let nameField = try source.resolveField(option: "--admin-name", requested: fields.name,
                                                    defaults: AdminFields.nameDefaults)
            let layer = try source.open()
            while let feature = try source.next(from: layer) {
                let geometry = feature.geometry()
                guard case .polygonal(let wkb) = geometry else {
                    skipped[SkipReason(geometry), default: 0] += 1
                    continue
                }
                let code = feature.text(codeField)?.trimmingCharacters(in: .whitespaces) ?? ""
                features.append(PolygonFeature(layer: position, name: code, wkb: wkb))
                names.append((code, nameField.flatMap(feature.text) ?? ""))
            }
        }
        // Counties are never dropped for being invalid: a clue must always find its county.
        let outcomes = try PieceCutter.cutAll(features, frame: frame, layers: layers, invalid: .repair, jobs: jobs)
        var counties: [County] = [], pieces: [PolygonPiece] = []
        for (entry, outcome) in zip(names, outcomes) {
            switch outcome {
            case .failed(let error):
                throw error
            case .skipped(let reason):
                skipped[reason, default: 0] += 1
            case .pieces(let cut, _):
                let index = counties.count
                counties.append(County(index: index, code: entry.code, name: entry.name))
                pieces += cut.map { PolygonPiece(owner: index, wkb: $0.wkb, envelope: $0.envelope) }
            }
        }
        return AdminIndex(counties: counties, pieces: pieces, skipped: skipped)
    }
}

/// The county a clue goes to: the one holding most of its overlap (of the patch, for a clue near
/// the boundary); a tie goes to the lower code.
public struct CountyAssignment: Sendable {
    public let county: County
    /// Share of the overlap inside that county, 0...1.
    public let share: Double
    /// Codes of the other counties holding part of it (1 m² or more): the clue straddles a border.
    public let others: [String]

    public var straddles: Bool { !others.isEmpty }
}
