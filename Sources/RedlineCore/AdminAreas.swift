import GDALKit
import GEOSKit

/// A county (or any administrative unit) whose field team receives the clues inside it.
public struct County: Sendable {
    public let index: Int
    /// The administrative division code (行政区划代码), e.g. 652325.
    public let code: String
    public let name: String
    /// The county seat (lon, lat in the frame) when the layer gives it: where field trips start.
    public let seat: (lon: Double, lat: Double)?
}

/// Field options for reading the county layer.
public struct AdminFields: Sendable, Equatable {
    public var code: String?
    public var name: String?

    public init(code: String? = nil, name: String? = nil) {
        self.code = code
        self.name = name
    }

    static let codeDefaults = ["county_code", "code", "xzqdm", "行政区代码", "行政区划代码", "xzqhdm", "adcode", "qhdm",
                               "dm", "代码"]
    static let nameDefaults = ["county_name", "name", "xzqmc", "行政区名称", "行政区划名称", "县名", "qhmc", "mc", "名称"]
    static let seatLonDefaults = ["seat_lon", "seat_x", "驻地经度", "政府驻地经度", "zdjd"]
    static let seatLatDefaults = ["seat_lat", "seat_y", "驻地纬度", "政府驻地纬度", "zdwd"]
}

/// The counties, cut into pieces like the protected areas, in the working frame.
public struct AdminIndex: Sendable {
    public let counties: [County]
    public let pieces: [PolygonPiece]
    public let skipped: [SkipReason: Int]
    /// Each county's whole polygon (WKB in the frame), when loaded with `keepOutlines`; else empty.
    public let outlines: [[UInt8]]

    /// A county's whole polygon, if the outlines were kept.
    public func outline(of county: County) -> [UInt8]? {
        outlines.indices.contains(county.index) ? outlines[county.index] : nil
    }

    /// Reads the county layers. Seats are read in degrees from `seat_lon`/`seat_lat` (or the
    /// usual Chinese names) when the layer has them. A county without a code is left out and
    /// warned about: its clues would get IDs starting "-" and a folder with no name.
    public static func load(_ layers: [SourceLayer], fields: AdminFields, frame: WorkingFrame, jobs: Int = 1,
                            keepOutlines: Bool = false, cache: PieceCache? = nil,
                            warnings: WarningLog = WarningLog()) throws -> AdminIndex {
        var features: [PolygonFeature] = [], skipped: [SkipReason: Int] = [:]
        var names: [(code: String, name: String, seat: (lon: Double, lat: Double)?)] = []
        for (position, source) in layers.enumerated() {
            try source.spec.checkFields(allowed: ["code", "name", "seat_lon", "seat_lat"], option: "--admin")
            guard let codeField = try source.resolveField(role: "code", option: "--admin-code", requested: fields.code,
                                                          defaults: AdminFields.codeDefaults) else {
                throw RedlineError.noSuchField(layer: source.label, option: "--admin-code",
                                               field: AdminFields.codeDefaults.joined(separator: "/"),
                                               available: source.fields.map(\.name))
            }
            let nameField = try source.resolveField(role: "name", option: "--admin-name", requested: fields.name,
                                                    defaults: AdminFields.nameDefaults)
            let seatFields = (try source.resolveField(role: "seat_lon", option: "", requested: nil, defaults: AdminFields.seatLonDefaults),
                              try source.resolveField(role: "seat_lat", option: "", requested: nil, defaults: AdminFields.seatLatDefaults))
            let layer = try source.open()
            var codeless: [String] = []
            while let feature = try source.next(from: layer) {
                let geometry = feature.geometry()
                guard case .polygonal(let wkb) = geometry else {
                    skipped[SkipReason(geometry), default: 0] += 1
                    continue
                }
                let code = feature.text(codeField)?.trimmingCharacters(in: .whitespaces) ?? ""
                guard !code.isEmpty else {
                    let name = nameField.flatMap(feature.text).map { " \($0)" } ?? ""
                    codeless.append("\(feature.fid.map(String.init) ?? "?")\(name)")
                    continue
                }
                features.append(PolygonFeature(layer: position, name: code, wkb: wkb))
                let seat = seatFields.0.flatMap(feature.text).flatMap(Double.init).flatMap { lon in
                    seatFields.1.flatMap(feature.text).flatMap(Double.init).map { (lon: lon, lat: $0) }
                }
                names.append((code, nameField.flatMap(feature.text) ?? "", seat))
            }
            if !codeless.isEmpty {
                warnings.add(code: "county_without_code",
                             "\(source.label): \(codeless.count) feature(s) have no \(source.fields[codeField].name) (feature "
                             + "\(codeless.prefix(3).joined(separator: ", "))) — left out, so clues there count as outside every "
                             + "county (\(ClueNumbering.noCounty)); fill in their codes", file: source.label,
                             feature: codeless.prefix(3).joined(separator: ","))
            }
        }
        // Counties are never dropped for being invalid: a clue must always find its county.
        let outcomes = try PieceCutter.cutAll(features, frame: frame, layers: layers, invalid: .repair, jobs: jobs,
                                              keepWhole: keepOutlines, cache: cache)
        var counties: [County] = [], pieces: [PolygonPiece] = [], outlines: [[UInt8]] = []
        for (entry, outcome) in zip(names, outcomes) {
            switch outcome {
            case .failed(let error):
                throw error
            case .skipped(let reason):
                skipped[reason, default: 0] += 1
            case .pieces(let cut, _, let whole):
                if let whole { outlines.append(whole) }
                let index = counties.count
                counties.append(County(index: index, code: entry.code, name: entry.name, seat: entry.seat))
                pieces += cut.map { PolygonPiece(owner: index, wkb: $0.wkb, envelope: $0.envelope) }
            }
        }
        return AdminIndex(counties: counties, pieces: pieces, skipped: skipped, outlines: outlines)
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
