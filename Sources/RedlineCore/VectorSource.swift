import Foundation
import GDALKit
import PROJKit

/// Where features come from: a file, a folder or a `PG:` connection string, and optionally one
/// layer of it. `path|layername=NAME` (QGIS's notation) picks a layer too.
public struct SourceSpec: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let layer: String?

    public init(path: String, layer: String? = nil) {
        var path = path, layer = layer
        if layer == nil, let bar = path.range(of: "|layername=") {
            layer = String(path[bar.upperBound...])
            path = String(path[..<bar.lowerBound])
        }
        // A zipped shapefile (or any zipped vector files) opens through GDAL's /vsizip/.
        if path.lowercased().hasSuffix(".zip"), !path.hasPrefix("/vsi") { path = "/vsizip/" + path }
        self.path = path
        self.layer = layer
    }

    public var description: String { layer.map { "\(displayPath)|layername=\($0)" } ?? displayPath }

    /// The path as shown to people: a PG: connection string loses its password.
    public var displayPath: String {
        guard path.hasPrefix("PG:") else { return path }
        return path.replacingOccurrences(of: #"password\s*=\s*('[^']*'|\S+)"#, with: "password=***",
                                         options: .regularExpression)
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

    /// Resolves a field option: the one asked for (which must exist), else the first of the
    /// usual names that the layer has, else nil.
    public func resolveField(option: String, requested: String?, defaults: [String]) throws -> Int? {
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
        let dataset = try open(spec, options: encoding.map { ["ENCODING=\($0)"] } ?? [])
        let options = try encoding.map { ["ENCODING=\($0)"] } ?? textEncodingOptions(dataset)
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

    private static func open(_ spec: SourceSpec, options: [String]) throws -> VectorDataset {
        do {
            return try VectorDataset.open(spec.path, options: options)
        } catch {
            throw RedlineError.cannotOpen(source: spec.displayPath, reason: "\(error)")
        }
    }

    /// Shapefiles from Chinese agencies are often GBK without a `.cpg` and with no code page in the
    /// DBF; GDAL then passes their bytes through untouched. When it has nothing to go by and the
    /// text is not valid UTF-8, read it as CP936 (GBK).
    static func textEncodingOptions(_ dataset: VectorDataset) throws -> [String] {
        guard dataset.driverName == "ESRI Shapefile" else { return [] }
        for layer in try dataset.layers {
            let declared = layer.metadataItem("SOURCE_ENCODING", domain: "SHAPEFILE") ?? ""
            guard declared.isEmpty else { continue }
            // Field names come through String(cString:), which turns bad UTF-8 into U+FFFD.
            let garbledNames = layer.fields.contains { $0.name.contains("\u{FFFD}") }
            if try garbledNames || !looksLikeUTF8(layer) {
                return ["ENCODING=CP936"]
            }
        }
        return []
    }

    /// Reads the string fields of up to `sample` features and checks their bytes are UTF-8.
    private static func looksLikeUTF8(_ layer: VectorLayer, sample: Int = 2000) throws -> Bool {
        let stringFields = layer.fields.indices.filter { layer.fields[$0].kind == .string }
        guard !stringFields.isEmpty else { return true }
        defer { layer.resetReading() }
        var seen = 0
        while seen < sample, let feature = try layer.nextFeature() {
            seen += 1
            for index in stringFields {
                if let bytes = feature.rawBytes(index), String(validating: bytes, as: UTF8.self) == nil {
                    return false
                }
            }
        }
        return true
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
