import Foundation

/// The protected areas and the county layer a check is run against, as its options name them. A
/// check records them in summary.json (`recorded`), so that `redline checklist` and the registry's
/// exports load the very same boundaries later.
public struct BoundarySources: Sendable, Equatable {
    public var protectedSources: [String]
    public var admin: String?
    public var fields: ProtectedFields
    public var adminFields: AdminFields
    public var assumeCRS: String?
    public var encoding: String?
    public var invalid: InvalidPolicy

    public init(protectedSources: [String], admin: String? = nil, fields: ProtectedFields = ProtectedFields(),
                adminFields: AdminFields = AdminFields(), assumeCRS: String? = nil, encoding: String? = nil,
                invalid: InvalidPolicy = .repair) {
        self.protectedSources = protectedSources
        self.admin = admin
        self.fields = fields
        self.adminFields = adminFields
        self.assumeCRS = assumeCRS
        self.encoding = encoding
        self.invalid = invalid
    }

    /// The settings as summary.json records them ("" for unset).
    public var recorded: [String: String] {
        ["admin": admin ?? "", "assume_crs": assumeCRS ?? "", "encoding": encoding ?? "", "invalid": invalid.rawValue,
         "protected_id_field": fields.id ?? "", "protected_name_field": fields.name ?? "",
         "protected_zone_field": fields.zone ?? "", "protected_kind_field": fields.kind ?? "",
         "valid_from_field": fields.validFrom ?? "", "valid_to_field": fields.validTo ?? "",
         "admin_code_field": adminFields.code ?? "", "admin_name_field": adminFields.name ?? ""]
    }

    /// The boundaries as `recorded` wrote them, with the protected sources listed beside.
    public init(recorded: [String: String], protectedSources: [String]) {
        func value(_ key: String) -> String? { recorded[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(protectedSources: protectedSources, admin: value("admin"),
                  fields: ProtectedFields(id: value("protected_id_field"), name: value("protected_name_field"),
                                          zone: value("protected_zone_field"), kind: value("protected_kind_field"),
                                          validFrom: value("valid_from_field"), validTo: value("valid_to_field")),
                  adminFields: AdminFields(code: value("admin_code_field"), name: value("admin_name_field")),
                  assumeCRS: value("assume_crs"), encoding: value("encoding"),
                  invalid: value("invalid").flatMap(InvalidPolicy.init) ?? .repair)
    }

    public var protectedSpecs: [SourceSpec] { protectedSources.map { SourceSpec(path: $0) } }

    /// Every file the boundaries are read from, to keep outputs from replacing them.
    public var paths: [String] { protectedSources + [admin].compactMap { $0 } }

    /// Loads both, cut into pieces (from the boundary cache the environment names, when it has
    /// them); what GDAL or the data gave cause to warn about goes into `warnings`.
    public func load(jobs: Int, keepOutlines: Bool = false, warnings: WarningLog) throws -> LoadedBoundaries {
        let layers = try protectedSpecs.flatMap { try SourceCatalog.layers(of: $0, assumedCRS: assumeCRS, encoding: encoding) }
        var cache = PieceCache.fromEnvironment()
        cache?.warnings = warnings
        let index = try ProtectedIndex.load(layers, fields: fields, invalid: invalid, jobs: jobs, keepOutlines: keepOutlines,
                                            cache: cache, warnings: warnings)
        warnings.collectGDALWarnings(file: protectedSources.joined(separator: ", "))
        let counties = try admin.map { path in
            let loaded = try AdminIndex.load(try SourceCatalog.layers(of: SourceSpec(path: path), assumedCRS: assumeCRS,
                                                                      encoding: encoding),
                                             fields: adminFields, frame: index.frame, jobs: jobs, keepOutlines: keepOutlines,
                                             cache: cache, warnings: warnings)
            warnings.collectGDALWarnings(file: path)
            return loaded
        }
        return LoadedBoundaries(index: index, counties: counties)
    }
}

/// The protected areas and counties of a check, loaded and cut.
public struct LoadedBoundaries: Sendable {
    public let index: ProtectedIndex
    public let counties: AdminIndex?
}
