internal import CGDAL

/// What a feature's geometry turned out to be once made linear and 2D.
public enum FeatureGeometry: Sendable, Equatable {
    /// The feature has no geometry at all.
    case missing
    /// It has one, but it is empty.
    case empty
    /// Polygons, or a collection that may hold some: 2D ISO WKB, little-endian.
    case polygonal(wkb: [UInt8])
    /// Points or lines: not an area; the name of the type is kept for reporting.
    case other(typeName: String)
}

/// A feature read from a layer; destroyed in `deinit`.
public final class Feature {
    let handle: OGRFeatureH

    init(handle: OGRFeatureH) { self.handle = handle }

    deinit { OGR_F_Destroy(handle) }

    /// The feature id, or nil when the driver has none.
    public var fid: Int64? {
        let fid = OGR_F_GetFID(handle)
        return fid == OGRNullFID ? nil : Int64(fid)
    }

    public var fieldCount: Int { Int(OGR_F_GetFieldCount(handle)) }

    /// Field `index` as text, or nil when unset or null.
    public func text(_ index: Int) -> String? {
        let field = Int32(index)
        guard OGR_F_IsFieldSetAndNotNull(handle, field) != 0 else { return nil }
        return String(cString: OGR_F_GetFieldAsString(handle, field))
    }

    /// The field called `name` as text, or nil when unset, null or missing.
    public func text(named name: String) -> String? {
        let index = OGR_F_GetFieldIndex(handle, name)
        return index < 0 ? nil : text(Int(index))
    }

    /// The raw bytes of a string field, before any check that they are valid UTF-8.
    public func rawBytes(_ index: Int) -> [UInt8]? {
        let field = Int32(index)
        guard OGR_F_IsFieldSetAndNotNull(handle, field) != 0, let text = OGR_F_GetFieldAsString(handle, field) else {
            return nil
        }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                                         count: strlen(text)))
    }

    /// The x,y of every vertex of the feature's geometry, whatever its type (points, lines,
    /// polygons, collections), in order; empty without a geometry.
    public func vertices() -> [(x: Double, y: Double)] {
        guard let geometry = OGR_F_GetGeometryRef(handle) else { return [] }
        var result: [(x: Double, y: Double)] = []
        func collect(_ part: OGRGeometryH) {
            let children = OGR_G_GetGeometryCount(part)
            if children > 0 {
                for index in 0..<children { if let child = OGR_G_GetGeometryRef(part, index) { collect(child) } }
                return
            }
            for index in 0..<OGR_G_GetPointCount(part) {
                result.append((OGR_G_GetX(part, index), OGR_G_GetY(part, index)))
            }
        }
        collect(geometry)
        return result
    }

    /// The feature's geometry: curves approximated by line segments, Z and M dropped, exported as WKB.
    public func geometry() -> FeatureGeometry {
        guard let original = OGR_F_GetGeometryRef(handle) else { return .missing }
        if OGR_G_IsEmpty(original) != 0 { return .empty }
        var geometry = original
        var linear: OGRGeometryH?
        // Any curve type, arcs or not: a CurvePolygon or MultiSurface of straight rings is still
        // not a Polygon to the switch below.
        if OGR_G_HasCurveGeometry(original, 0) != 0 {
            // OGR_G_GetLinearGeometry returns a new geometry that we own.
            linear = OGR_G_GetLinearGeometry(original, 0, nil)
            if let linear { geometry = linear }
        }
        defer { if let linear { OGR_G_DestroyGeometry(linear) } }
        switch OGR_GT_Flatten(OGR_G_GetGeometryType(geometry)) {
        case wkbPolygon, wkbMultiPolygon, wkbGeometryCollection:
            break
        default:
            return .other(typeName: String(cString: OGR_G_GetGeometryName(geometry)))
        }
        // Flattening changes the geometry the feature owns, which is ours alone.
        OGR_G_FlattenTo2D(geometry)
        var bytes = [UInt8](repeating: 0, count: Int(OGR_G_WkbSize(geometry)))
        let result = bytes.withUnsafeMutableBufferPointer { OGR_G_ExportToIsoWkb(geometry, wkbNDR, $0.baseAddress) }
        return result == OGRERR_NONE ? .polygonal(wkb: bytes) : .other(typeName: "unreadable geometry")
    }
}
