import Foundation
import RedlineCore

/// The protected areas and the county layer, as a check's options name them. A check records them
/// in summary.json, so that `redline checklist` loads the very same boundaries later.
struct Boundaries {
    var protectedSources: [String]
    var admin: String?
    var fields: ProtectedFields
    var adminFields: AdminFields
    var assumeCRS: String?
    var encoding: String?
    var invalid: InvalidPolicy

    /// What goes into summary.json's settings.
    var settings: [String: String] {
        ["admin": admin ?? "", "assume_crs": assumeCRS ?? "", "encoding": encoding ?? "", "invalid": invalid.rawValue,
         "protected_id_field": fields.id ?? "", "protected_name_field": fields.name ?? "",
         "protected_zone_field": fields.zone ?? "", "protected_kind_field": fields.kind ?? "",
         "valid_from_field": fields.validFrom ?? "", "valid_to_field": fields.validTo ?? "",
         "admin_code_field": adminFields.code ?? "", "admin_name_field": adminFields.name ?? ""]
    }

    var protectedSpecs: [SourceSpec] { protectedSources.map { SourceSpec(path: $0) } }

    /// Loads both; what GDAL warned about on the way goes into `warnings`.
    func load(jobs: Int, keepOutlines: Bool = false, warnings: WarningLog) throws -> (ProtectedIndex, AdminIndex?) {
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
        return (index, counties)
    }
}

extension Boundaries {
    /// The boundaries a finished check used, from its summary.json.
    init(recordedIn results: [String: String], protectedSources: [String]) {
        func value(_ key: String) -> String? { results[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(protectedSources: protectedSources, admin: value("admin"),
                  fields: ProtectedFields(id: value("protected_id_field"), name: value("protected_name_field"),
                                          zone: value("protected_zone_field"), kind: value("protected_kind_field"),
                                          validFrom: value("valid_from_field"), validTo: value("valid_to_field")),
                  adminFields: AdminFields(code: value("admin_code_field"), name: value("admin_name_field")),
                  assumeCRS: value("assume_crs"), encoding: value("encoding"),
                  invalid: value("invalid").flatMap(InvalidPolicy.init) ?? .repair)
    }
}
