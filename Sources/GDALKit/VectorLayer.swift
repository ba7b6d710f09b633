internal import CGDAL
import Foundation

/// A field of a layer's schema.
public struct FieldDefinition: Sendable, Equatable {
    public enum Kind: Sendable { case string, integer, real, date, dateTime, other }
    public let name: String
    public let kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// A value to write into a field.
public enum FieldValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case real(Double)
    case null
}

/// A layer of a dataset. It borrows its dataset's handle and keeps the dataset alive.
public final class VectorLayer {
    let handle: OGRLayerH
    public let dataset: VectorDataset

    init(handle: OGRLayerH, dataset: VectorDataset) {
        self.handle = handle
        self.dataset = dataset
    }

    public var name: String { String(cString: OGR_L_GetName(handle)) }

    /// False for attribute-only tables (a GeoPackage's non-spatial tables, a CSV without geometry).
    public var hasGeometry: Bool { OGR_L_GetGeomType(handle) != wkbNone }

    /// The number of features, or nil when counting would mean reading them all.
    public var cheapFeatureCount: Int? {
        let count = OGR_L_GetFeatureCount(handle, 0)
        return count < 0 ? nil : Int(count)
    }

    public var featureCount: Int { Int(OGR_L_GetFeatureCount(handle, 1)) }

    public var fields: [FieldDefinition] {
        let definition = OGR_L_GetLayerDefn(handle)
        return (0..<OGR_FD_GetFieldCount(definition)).map { index in
            let field = OGR_FD_GetFieldDefn(definition, index)
            let kind: FieldDefinition.Kind
            switch OGR_Fld_GetType(field) {
            case OFTString: kind = .string
            case OFTInteger, OFTInteger64: kind = .integer
            case OFTReal: kind = .real
            case OFTDate: kind = .date
            case OFTDateTime: kind = .dateTime
            default: kind = .other
            }
            return FieldDefinition(name: String(cString: OGR_Fld_GetNameRef(field)), kind: kind)
        }
    }

    /// The layer's CRS as WKT2 (2019), or nil when the source declares none.
    public var crsWKT: String? {
        guard let srs = OGR_L_GetSpatialRef(handle) else { return nil }
        var text: UnsafeMutablePointer<CChar>?
        let result = withStringList(["FORMAT=WKT2_2019"]) { OSRExportToWktEx(srs, &text, $0?.constList) }
        defer { VSIFree(text) }
        guard result == OGRERR_NONE, let text else { return nil }
        return String(cString: text)
    }

    public func metadataItem(_ key: String, domain: String? = nil) -> String? {
        GDALGetMetadataItem(handle, key, domain).map { String(cString: $0) }
    }

    public func resetReading() { OGR_L_ResetReading(handle) }

    /// The next feature, or nil at the end. Throws when the driver fails mid-layer.
    public func nextFeature() throws -> Feature? {
        CPLErrorReset()
        let feature = OGR_L_GetNextFeature(handle).map(Feature.init(handle:))
        // A driver may fail on a record and still hand out the feature, without its geometry (a
        // truncated .shp does): that is a failed read, not a patch without geometry.
        if CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal {
            throw GDALError.last("reading layer \(name) of \(dataset.path)" + (feature?.fid.map { " at feature \($0)" } ?? ""))
        }
        return feature
    }

    // MARK: Writing

    public func createField(_ name: String, kind: FieldDefinition.Kind, width: Int = 0, precision: Int = 0) throws {
        CPLErrorReset()
        let field = OGR_Fld_Create(name, kind.ogrType)
        defer { OGR_Fld_Destroy(field) }
        if width > 0 { OGR_Fld_SetWidth(field, Int32(width)) }
        if precision > 0 { OGR_Fld_SetPrecision(field, Int32(precision)) }
        // OGR_L_CreateField copies the definition.
        guard OGR_L_CreateField(handle, field, 1) == OGRERR_NONE else {
            throw GDALError.last("cannot create field \(name) in layer \(self.name)")
        }
    }

    /// Reading skips these fields (nil or empty: reads all): a scan that needs two columns of
    /// sixty need not decode the rest.
    public func setIgnoredFields(_ names: [String]?) throws {
        CPLErrorReset()
        var pointers = (names ?? []).map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                OGR_L_SetIgnoredFields(handle, names?.isEmpty == false ? $0 : nil)
            }
        }
        guard result == OGRERR_NONE else { throw GDALError.last("cannot skip fields of layer \(name)") }
    }

    /// The name of the geometry column, where the driver has one (GeoPackage, PostGIS).
    public var geometryColumn: String? {
        guard let name = OGR_L_GetGeometryColumn(handle), name.pointee != 0 else { return nil }
        return String(cString: name)
    }

    /// The feature with this FID, or nil when there is none.
    public func feature(fid: Int64) -> Feature? {
        OGR_L_GetFeature(handle, GIntBig(fid)).map(Feature.init(handle:))
    }

    /// Only features whose attributes match this OGR SQL WHERE clause are read (nil: all).
    public func setAttributeFilter(_ clause: String?) throws {
        CPLErrorReset()
        guard OGR_L_SetAttributeFilter(handle, clause) == OGRERR_NONE else {
            throw GDALError.last("bad attribute filter on layer \(name)")
        }
    }

    /// Only features whose geometry's box meets this box are read (nil: all).
    public func setSpatialFilter(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        OGR_L_SetSpatialFilterRect(handle, minX, minY, maxX, maxY)
    }

    public func clearSpatialFilter() { OGR_L_SetSpatialFilter(handle, nil) }

    /// Rewrites the named fields of feature `fid` (the others keep their values).
    /// Renames the layer (GeoPackage and PostgreSQL keep their metadata and indexes in step).
    public func rename(to newName: String) throws {
        CPLErrorReset()
        guard OGR_L_Rename(handle, newName) == OGRERR_NONE else { throw GDALError.last("cannot rename layer \(name) to \(newName)") }
    }

    /// Sets fields (and, with `wkb`, the geometry) of one feature.
    public func update(fid: Int64, _ values: [(String, FieldValue)], wkb: [UInt8]? = nil, promoteToMulti: Bool = false) throws {
        CPLErrorReset()
        guard let feature = self.feature(fid: fid) else {
            throw GDALError.last("layer \(name) has no feature \(fid)")
        }
        try update(feature, values, wkb: wkb, promoteToMulti: promoteToMulti)
    }

    /// Sets fields (and, with `wkb`, the geometry) of a feature read from this layer with all its
    /// fields, and writes it back without reading its row again; the feature then holds what
    /// the row holds. (A field skipped when it was read would be written empty.)
    public func update(_ row: Feature, _ values: [(String, FieldValue)], wkb: [UInt8]? = nil, promoteToMulti: Bool = false) throws {
        try change(row, values, wkb: wkb, promoteToMulti: promoteToMulti)
        guard OGR_L_SetFeature(handle, row.handle) == OGRERR_NONE else {
            throw GDALError.last("cannot update feature \(row.fid ?? -1) of layer \(name)")
        }
    }

    /// Sets fields (and the geometry) of a feature of this layer in memory only, for a caller
    /// that writes the row itself.
    public func change(_ row: Feature, _ values: [(String, FieldValue)], wkb: [UInt8]? = nil, promoteToMulti: Bool = false) throws {
        CPLErrorReset()
        let feature = row.handle
        let definition = OGR_L_GetLayerDefn(handle)
        for (field, value) in values {
            let index = OGR_FD_GetFieldIndex(definition, field)
            guard index >= 0 else { throw GDALError(operation: "updating layer \(name)", message: "no field \(field)") }
            switch value {
            case .string(let text): OGR_F_SetFieldString(feature, index, text)
            case .integer(let number): OGR_F_SetFieldInteger64(feature, index, number)
            case .real(let number): OGR_F_SetFieldDouble(feature, index, number)
            case .null: OGR_F_SetFieldNull(feature, index)
            }
        }
        if let wkb { OGR_F_SetGeometryDirectly(feature, try geometry(wkb, promoteToMulti: promoteToMulti)) }
    }

    /// Writes one feature with values given by field name, for drivers whose layers come with
    /// fields of their own (GPX's waypoints have ele, time, name, desc…). Unknown names are an error.
    @discardableResult
    public func write(named values: [(String, FieldValue)], wkb: [UInt8]? = nil, promoteToMulti: Bool = false) throws -> Int64 {
        let definition = OGR_L_GetLayerDefn(handle)
        var row = [FieldValue](repeating: .null, count: Int(OGR_FD_GetFieldCount(definition)))
        for (name, value) in values {
            let index = Int(OGR_FD_GetFieldIndex(definition, name))
            guard index >= 0 else { throw GDALError(operation: "writing into layer \(self.name)", message: "no field \(name)") }
            row[index] = value
        }
        return try write(row, wkb: wkb, promoteToMulti: promoteToMulti)
    }

    /// A new OGR geometry read from WKB, for a feature to take over.
    private func geometry(_ wkb: [UInt8], promoteToMulti: Bool) throws -> OGRGeometryH {
        var geometry: OGRGeometryH?
        let parsed = wkb.withUnsafeBytes { OGR_G_CreateFromWkbEx($0.baseAddress, nil, &geometry, $0.count) }
        guard parsed == OGRERR_NONE, var geometry else {
            throw GDALError.last("cannot read a geometry to write into layer \(name)")
        }
        // OGR_G_ForceToMultiPolygon consumes its argument and returns the result.
        if promoteToMulti { geometry = OGR_G_ForceToMultiPolygon(geometry) }
        return geometry
    }

    /// Writes one feature: `values` in field order, geometry as WKB in the layer's CRS. With
    /// `promoteToMulti`, a polygon is written as a one-part multi-polygon, as a MultiPolygon
    /// layer of a GeoPackage requires.
    /// `style` is an OGR feature style string (`PEN(c:#FF0000,w:2px)`), which KML drivers turn
    /// into KML styles. Returns the new feature's FID.
    @discardableResult
    public func write(_ values: [FieldValue], wkb: [UInt8]? = nil, promoteToMulti: Bool = false,
                      style: String? = nil) throws -> Int64 {
        CPLErrorReset()
        guard let feature = OGR_F_Create(OGR_L_GetLayerDefn(handle)) else {
            throw GDALError.last("cannot create a feature in layer \(name)")
        }
        defer { OGR_F_Destroy(feature) }
        for (index, value) in values.enumerated() {
            let field = Int32(index)
            switch value {
            case .string(let text): OGR_F_SetFieldString(feature, field, text)
            case .integer(let number): OGR_F_SetFieldInteger64(feature, field, number)
            case .real(let number): OGR_F_SetFieldDouble(feature, field, number)
            case .null: OGR_F_SetFieldNull(feature, field)
            }
        }
        // OGR_F_SetGeometryDirectly takes ownership of the geometry.
        if let wkb { OGR_F_SetGeometryDirectly(feature, try geometry(wkb, promoteToMulti: promoteToMulti)) }
        if let style { OGR_F_SetStyleString(feature, style) }
        guard OGR_L_CreateFeature(handle, feature) == OGRERR_NONE else {
            throw GDALError.last("cannot write a feature into layer \(name) of \(dataset.path)")
        }
        return Int64(OGR_F_GetFID(feature))
    }
}

extension FieldDefinition.Kind {
    var ogrType: OGRFieldType {
        switch self {
        case .string, .other: return OFTString
        case .integer: return OFTInteger64
        case .real: return OFTReal
        case .date: return OFTDate
        case .dateTime: return OFTDateTime
        }
    }
}
