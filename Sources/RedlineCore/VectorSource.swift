import Foundation
import GDALKit
import PROJKit

/// Where features come from: a file, a folder or a `PG:` connection string, and optionally one
/// layer of it. `path|layername=NAME` (QGIS's notation) picks a layer too, and `|id=bhqbh`,
/// `|zone=gnfq`… name this source's own fields (a reserve layer and a red-line layer rarely
/// agree on them): a mapping here wins over the command line's field option.
public struct SourceSpec: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let layer: String?
    /// Field role (id, name, zone, type, detected, code, …) → this source's field for it.
    public let fields: [String: String]
    /// Roles the source string maps more than once (refused by `checkFields`).
    public private(set) var repeatedRoles: [String]

    public init(path: String, layer: String? = nil, fields: [String: String] = [:]) {
        var path = path, layer = layer, fields = fields, repeated: [String] = []
        // Options after the path, right to left: |key=value where key is a plain word.
        while let bar = path.range(of: "|", options: .backwards),
              let (key, value) = Self.option(String(path[bar.upperBound...])) {
            if key == "layername" {
                if layer == nil { layer = value }
            } else if let earlier = fields[key] {
                if earlier != value { repeated.append(key) }
            } else {
                fields[key] = value
            }
            path = String(path[..<bar.lowerBound])
        }
        repeatedRoles = repeated
        // A zipped shapefile (or any zipped vector files) opens through GDAL's /vsizip/.
        if path.lowercased().hasSuffix(".zip"), !path.hasPrefix("/vsi") { path = "/vsizip/" + path }
        self.path = path
        self.layer = layer
        self.fields = fields
    }

    private static func option(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let key = String(text[..<equals]).lowercased(), value = String(text[text.index(after: equals)...])
        guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }), !value.isEmpty else { return nil }
        return (key, value)
    }

    /// The same source with a mapping for each of its members (a folder's files).
    func member(_ path: String) -> SourceSpec {
        var member = SourceSpec(path: path, fields: fields)
        member.repeatedRoles = repeatedRoles
        return member
    }

    /// Refuses a mapping for a role this kind of source does not have, naming the ones it has.
    public func checkFields(allowed: [String], option: String) throws {
        if let twice = repeatedRoles.first {
            throw RedlineError.badOption("\(option) \(displayPath): |\(twice)= is given twice with different fields — keep one")
        }
        guard let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) else { return }
        throw RedlineError.badOption("\(option) \(displayPath): |\(unknown)= is not a field of this kind of source — "
                                     + "map \(allowed.map { "|\($0)=" }.joined(separator: ", ")) (or |layername=)")
    }

    public var description: String {
        (layer.map { "\(displayPath)|layername=\($0)" } ?? displayPath)
            + fields.sorted { $0.key < $1.key }.map { "|\($0.key)=\($0.value)" }.joined()
    }

    /// The path as shown to people: a PG: connection string loses its password.
    public var displayPath: String { path.hasPrefix("PG:") ? Self.maskingPasswords(path) : path }

    /// `text` with every `password=…` of a connection string (GDAL repeats them in its errors) as ***.
    public static func maskingPasswords(_ text: String) -> String {
        text.replacingOccurrences(of: #"password\s*=\s*('[^']*'|[^\s'"]+)"#, with: "password=***", options: [.regularExpression, .caseInsensitive])
    }

    public var isDatabase: Bool { path.hasPrefix("PG:") }
}

/// One layer of a source as the engine needs it: where it is, its CRS, its fields.
/// A plain value, so the reader thread can hand it to workers.
public struct SourceLayer: Sendable {
    public let spec: SourceSpec
    public let layerName: String
    /// Driver open options that make its text come out right ("ENCODING=CP936").
    public let openOptions: [String]
    public let crs: CRSDefinition
    public let fields: [FieldDefinition]
    /// The number of features if the driver knows it cheaply.
    public let featureCountHint: Int?

    /// "file.gpkg:layer" — how errors and reports name it.
    public var label: String { "\(spec.displayPath):\(layerName)" }

    /// Opens the dataset again (on the calling thread) and returns this layer of it.
    func open() throws -> VectorLayer {
        let dataset: VectorDataset
        do {
            dataset = try VectorDataset.open(spec.path, options: openOptions)
        } catch {
            throw RedlineError.cannotOpen(source: spec.displayPath, reason: "\(error)")
        }
        guard let layer = try dataset.layer(named: layerName) else {
            throw RedlineError.noSuchLayer(source: spec.displayPath, layer: layerName, available: [])
        }
        return layer
    }

    /// The index of the field called `name`, ignoring case, or nil.
    public func fieldIndex(_ name: String) -> Int? {
        fields.firstIndex { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Resolves the field for a role: the source's own mapping (`|role=NAME`), else the command
    /// line's option, either of which must exist; else the first of the usual names that the
    /// layer has, else nil.
    public func resolveField(role: String, option: String, requested: String?, defaults: [String]) throws -> Int? {
        if let mapped = spec.fields[role] {
            guard let index = fieldIndex(mapped) else {
                throw RedlineError.noSuchField(layer: label, option: "|\(role)=", field: mapped, available: fields.map(\.name))
            }
            return index
        }
        if let requested {
            guard let index = fieldIndex(requested) else {
                throw RedlineError.noSuchField(layer: label, option: option, field: requested,
                                               available: fields.map(\.name))
            }
            return index
        }
        return defaults.lazy.compactMap(fieldIndex).first
    }
}

/// Opens sources and describes their layers.
public enum SourceCatalog {
    /// Every layer of `spec` (or the chosen one), with its CRS resolved. A layer that declares no
    /// CRS takes `assumedCRS`, or is an error.
    public static func layers(of spec: SourceSpec, assumedCRS: String? = nil,
                              encoding: String? = nil) throws -> [SourceLayer] {
        if spec.layer == nil, let members = try vectorFiles(in: spec) {
            return try members.flatMap { try layers(of: spec.member($0), assumedCRS: assumedCRS, encoding: encoding) }
        }
        try requireSidecars(spec)
        let dataset = try open(spec, options: [])
        let options: [String]
        do {
            // Only shapefiles take an encoding (other drivers warn about the option): text in a
            // GeoPackage, GeoJSON or PostGIS is UTF-8 by definition.
            let encodable = dataset.driverName == "ESRI Shapefile"
            options = try encodable ? encoding.map { ["ENCODING=\($0)"] } ?? textEncodingOptions(dataset, spec: spec) : []
        } catch let error as GDALError {
            throw RedlineError.readFailed(layer: spec.displayPath, reason: "\(error)")
        }
        let chosen: [VectorLayer]
        let all = try dataset.layers
        if let wanted = spec.layer {
            guard let layer = all.first(where: { $0.name == wanted }) ?? all.first(where: {
                $0.name.caseInsensitiveCompare(wanted) == .orderedSame
            }) else {
                throw RedlineError.noSuchLayer(source: spec.displayPath, layer: wanted, available: all.map(\.name))
            }
            chosen = [layer]
        } else {
            // Attribute-only tables hold no patches or boundaries; a layer asked for by name is
            // read even so, and its features count as skipped.
            chosen = all.filter(\.hasGeometry)
        }
        guard !chosen.isEmpty else { throw RedlineError.noLayers(source: spec.displayPath) }
        let reopened = options.isEmpty ? dataset : try open(spec, options: options)
        return try chosen.map { original in
            guard let layer = try reopened.layer(named: original.name) else {
                throw RedlineError.noSuchLayer(source: spec.displayPath, layer: original.name, available: [])
            }
            let label = "\(spec.displayPath):\(layer.name)"
            // The layer's own CRS wins; the assumed one only fills in where there is none.
            guard let crs = layer.crsWKT.map(CRSDefinition.init) ?? assumedCRS.map(CRSDefinition.init) else {
                throw RedlineError.missingCRS(layer: label)
            }
            do {
                try CRSCheck.usable(crs)
            } catch {
                throw RedlineError.badCRS(layer: label, reason: "\(error)")
            }
            return SourceLayer(spec: spec, layerName: layer.name, openOptions: options, crs: crs,
                               fields: layer.fields, featureCountHint: layer.cheapFeatureCount)
        }
    }

    /// What a folder or zip file holds that GDAL reads as vectors, each file its own source (a
    /// GeoPackage beside shapefiles, a shapefile in a subfolder of a zip); nil when `spec` is
    /// neither. A folder with none is an error: it names nothing to check.
    static func vectorFiles(in spec: SourceSpec) throws -> [String]? {
        guard !spec.isDatabase else { return nil }
        let names: [String]
        var isFolder: ObjCBool = false
        if spec.path.hasPrefix("/vsizip/") {
            guard let listed = VirtualFolder.recursiveListing(spec.path) else { return nil }
            names = listed
        } else if FileManager.default.fileExists(atPath: spec.path, isDirectory: &isFolder), isFolder.boolValue,
                  !spec.path.lowercased().hasSuffix(".gdb") {
            guard let walker = FileManager.default.enumerator(atPath: spec.path) else { return nil }
            var found: [String] = []
            while let name = walker.nextObject() as? String {
                // A FileGDB is a folder read whole; its insides are not sources.
                if name.lowercased().hasSuffix(".gdb") { walker.skipDescendants() }
                found.append(name)
            }
            names = found
        } else {
            return nil
        }
        let inZip = spec.path.hasPrefix("/vsizip/")
        let members = names.filter { name in
            let base = (name as NSString).lastPathComponent
            let suffix = (base as NSString).pathExtension.lowercased()
            // A zip inside a zip cannot be opened in place; a folder's own helper files are not data.
            return !base.hasPrefix(".") && !name.split(separator: "/").contains { $0.hasPrefix(".") }
                && vectorExtensions.contains(suffix) && !(inZip && suffix == "zip")
        }.sorted().map { (spec.path as NSString).appendingPathComponent($0) }
        guard !members.isEmpty else { throw RedlineError.noLayers(source: spec.displayPath) }
        return members
    }

    /// The file endings read from a folder; GDAL reads more, named one by one.
    static let vectorExtensions: Set<String> = ["shp", "gpkg", "geojson", "json", "fgb", "kml", "kmz", "gml", "sqlite",
                                                "gdb", "zip", "tab", "mif", "gpx"]

    /// A shapefile without its .shx or .dbf would be read with made-up IDs and no attributes.
    static func requireSidecars(_ spec: SourceSpec) throws {
        let missing = missingSidecars(ofShapefile: spec.path)
        guard missing.isEmpty else { throw RedlineError.missingSidecar(file: spec.displayPath, missing: missing) }
    }

    /// The .shx and .dbf a shapefile on disk lacks (any case); none for other files.
    public static func missingSidecars(ofShapefile path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        guard !path.hasPrefix("/vsi"), url.pathExtension.lowercased() == "shp" else { return [] }
        let stem = url.deletingPathExtension().lastPathComponent
        let present = Set(((try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? [])
            .map { $0.lowercased() })
        return ["shx", "dbf"].filter { !present.contains("\(stem.lowercased()).\($0)") }.map { "\(stem).\($0)" }
    }

    private static func open(_ spec: SourceSpec, options: [String]) throws -> VectorDataset {
        // A pipe or a device would be read until someone writes to it: the run would hang.
        if !spec.isDatabase && !spec.path.hasPrefix("/vsi"),
           let type = (try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: spec.path).resolvingSymlinksInPath().path))?[.type]
            as? FileAttributeType, type != .typeRegular && type != .typeDirectory {
            throw RedlineError.cannotOpen(source: spec.displayPath, reason: "it is a pipe or a device, not a file — reading it "
                                          + "could wait forever; give the file itself")
        }
        do {
            return try VectorDataset.open(spec.path, options: options)
        } catch {
            throw RedlineError.cannotOpen(source: spec.displayPath, reason: "\(error)")
        }
    }

    /// Shapefiles from Chinese agencies are often GBK without a `.cpg` and with no code page in the
    /// DBF; GDAL then passes their bytes through untouched. When it has nothing to go by and the
    /// text is not valid UTF-8, read it as CP936 (GBK). When a `.cpg` says UTF-8 and the text is
    /// not, the label is wrong: stop and say which encoding the bytes fit.
    static func textEncodingOptions(_ dataset: VectorDataset, spec: SourceSpec) throws -> [String] {
        guard dataset.driverName == "ESRI Shapefile" else { return [] }
        for layer in try dataset.layers {
            let declared = layer.metadataItem("SOURCE_ENCODING", domain: "SHAPEFILE") ?? ""
            let saysUTF8 = ["UTF-8", "UTF8"].contains(declared.uppercased())
            guard declared.isEmpty || saysUTF8 else { continue }
            // Field names come through String(cString:), which turns bad UTF-8 into U+FFFD.
            let garbledNames = layer.fields.contains { $0.name.contains("\u{FFFD}") }
            let offending = garbledNames ? nil : try firstNonUTF8(layer)
            guard garbledNames || offending != nil else { continue }
            guard saysUTF8 else { return ["ENCODING=CP936"] }
            let fitsGBK = offending.map { TextEncoding.utf8(from: $0, encoding: "CP936") != nil } ?? true
            throw RedlineError.undecodableText(layer: "\(spec.displayPath):\(layer.name)", declared: declared,
                                               suggestion: fitsGBK ? "CP936" : nil)
        }
        return []
    }

    /// The bytes of the first string value, among up to `sample` features, that is not UTF-8.
    private static func firstNonUTF8(_ layer: VectorLayer, sample: Int = 2000) throws -> [UInt8]? {
        let stringFields = layer.fields.indices.filter { layer.fields[$0].kind == .string }
        guard !stringFields.isEmpty else { return nil }
        defer { layer.resetReading() }
        var seen = 0
        while seen < sample, let feature = try layer.nextFeature() {
            seen += 1
            for index in stringFields {
                if let bytes = feature.rawBytes(index), String(validating: bytes, as: UTF8.self) == nil {
                    return bytes
                }
            }
        }
        return nil
    }
}

/// Whether a CRS can place data on the Earth at all.
public enum CRSCheck {
    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Throws unless PROJ reads `text` as a CRS tied to the Earth.
    public static func usable(_ text: String) throws { try usable(CRSDefinition(text)) }

    static func usable(_ definition: CRSDefinition) throws {
        let crs = try ProjContext().crs(definition)
        if crs.isEngineering {
            throw Unusable(description: "“\(crs.name)” is a local engineering CRS, tied to no place on Earth — "
                           + "give the layer its real CRS (a .prj file, or --assume-crs EPSG:…)")
        }
    }
}
