internal import CPROJ

/// A coordinate reference system (a PROJ `PJ`), destroyed in `deinit`.
public final class CoordinateSystem {
    let handle: OpaquePointer
    let context: ProjContext

    init(owned handle: OpaquePointer, context: ProjContext) {
        self.handle = handle
        self.context = context
    }

    deinit { proj_destroy(handle) }

    var isCRS: Bool {
        switch proj_get_type(handle) {
        case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_GEOCENTRIC_CRS, PJ_TYPE_PROJECTED_CRS,
             PJ_TYPE_COMPOUND_CRS, PJ_TYPE_BOUND_CRS, PJ_TYPE_GEODETIC_CRS, PJ_TYPE_CRS, PJ_TYPE_OTHER_CRS,
             PJ_TYPE_ENGINEERING_CRS, PJ_TYPE_VERTICAL_CRS, PJ_TYPE_TEMPORAL_CRS:
            return true
        default:
            return false
        }
    }

    public var name: String { proj_get_name(handle).map { String(cString: $0) } ?? "unnamed CRS" }

    /// The name of its geodetic datum or datum ensemble ("Beijing 1954", "China 2000"), if it has one.
    public var datumName: String? {
        guard let datum = proj_crs_get_datum_forced(context.handle, handle) else { return nil }
        defer { proj_destroy(datum) }
        return proj_get_name(datum).map { String(cString: $0) }
    }

    /// A local engineering CRS (WKT LOCAL_CS, "unknown" in many .prj files): its coordinates are
    /// tied to no place on Earth, so nothing can be brought from it into a geographic frame.
    public var isEngineering: Bool { proj_get_type(handle) == PJ_TYPE_ENGINEERING_CRS }

    /// Geographic, or compound (EPSG:4326+5773) or bound to a datum shift over a geographic CRS:
    /// its x and y are degrees either way.
    public var isGeographic: Bool {
        switch proj_get_type(handle) {
        case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS:
            return true
        case PJ_TYPE_COMPOUND_CRS:
            guard let horizontal = proj_crs_get_sub_crs(context.handle, handle, 0) else { return false }
            return CoordinateSystem(owned: horizontal, context: context).isGeographic
        case PJ_TYPE_BOUND_CRS:
            guard let base = proj_get_source_crs(context.handle, handle) else { return false }
            return CoordinateSystem(owned: base, context: context).isGeographic
        default:
            return false
        }
    }

    /// "EPSG:4539" when the CRS carries an identifier, else nil.
    public var identifier: String? {
        guard let authority = proj_get_id_auth_name(handle, 0), let code = proj_get_id_code(handle, 0) else { return nil }
        return "\(String(cString: authority)):\(String(cString: code))"
    }

    /// The CRS as PROJJSON, which carries everything needed to rebuild it on another thread.
    public func definition() throws -> CRSDefinition {
        guard let json = proj_as_projjson(context.handle, handle, nil) else { throw context.error("exporting \(name)") }
        return CRSDefinition(String(cString: json))
    }

    /// The 2D geographic CRS this CRS is based on (CGCS2000 for a CGCS2000 Gauss-Krüger zone).
    public func geographicBase() throws -> CoordinateSystem {
        guard let geodetic = proj_crs_get_geodetic_crs(context.handle, handle) else {
            throw context.error("finding the geographic CRS of \(name)")
        }
        let base = CoordinateSystem(owned: geodetic, context: context)
        guard proj_get_type(geodetic) == PJ_TYPE_GEOGRAPHIC_3D_CRS else { return base }
        guard let flat = proj_crs_demote_to_2D(context.handle, nil, geodetic) else {
            throw context.error("reducing \(base.name) to 2D")
        }
        return CoordinateSystem(owned: flat, context: context)
    }

    /// The ellipsoid of the CRS's datum.
    public func ellipsoid() throws -> Ellipsoid {
        guard let ellipsoid = proj_get_ellipsoid(context.handle, handle) else {
            throw context.error("finding the ellipsoid of \(name)")
        }
        defer { proj_destroy(ellipsoid) }
        var semiMajor = 0.0, semiMinor = 0.0, inverseFlattening = 0.0
        var computed: Int32 = 0
        guard proj_ellipsoid_get_parameters(context.handle, ellipsoid, &semiMajor, &semiMinor, &computed,
                                            &inverseFlattening) == 1 else {
            throw context.error("reading the ellipsoid of \(name)")
        }
        let name = proj_get_name(ellipsoid).map { String(cString: $0) } ?? "ellipsoid"
        return Ellipsoid(name: name, semiMajorAxis: semiMajor,
                         flattening: inverseFlattening == 0 ? 0 : 1 / inverseFlattening)
    }

    /// Where the CRS is meant to be used, in degrees (west, south, east, north), when it says.
    public var areaOfUse: (west: Double, south: Double, east: Double, north: Double)? {
        var west = 0.0, south = 0.0, east = 0.0, north = 0.0
        guard proj_get_area_of_use(context.handle, handle, &west, &south, &east, &north, nil) == 1,
              west > -1000, south > -1000 else { return nil }
        return (west, south, east, north)
    }

    /// Same CRS up to the axis order of a geographic CRS (EPSG:4326 lat/lon vs OGC:CRS84 lon/lat).
    public func isEquivalent(to other: CoordinateSystem) -> Bool {
        proj_is_equivalent_to(handle, other.handle, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS) == 1
    }
}

/// A transformation between two CRSs in traditional GIS order (x = lon/easting).
public final class Transformer {
    let handle: OpaquePointer
    let context: ProjContext
    public let description: String
    /// Whether PROJ found no published transformation between the datums and fell back to a
    /// "ballpark" offset (no shift at all), whose error is unknown.
    public let usesBallpark: Bool

    init(owned handle: OpaquePointer, context: ProjContext, description: String) {
        self.handle = handle
        self.context = context
        self.description = description
        usesBallpark = proj_coordoperation_has_ballpark_transformation(context.handle, handle) != 0
    }

    deinit { proj_destroy(handle) }

    /// Transforms interleaved x,y pairs in place with one `proj_trans_generic` call.
    /// Throws when PROJ fails or any point cannot be transformed (it comes back infinite).
    public func transform(_ xy: inout [Double]) throws {
        let count = xy.count / 2
        guard count > 0 else { return }
        proj_errno_reset(handle)
        let stride = 2 * MemoryLayout<Double>.stride
        xy.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            _ = proj_trans_generic(handle, PJ_FWD, base, stride, count, base + 1, stride, count, nil, 0, 0, nil, 0, 0)
        }
        let code = proj_errno(handle)
        if code != 0 || xy.contains(where: { !$0.isFinite }) {
            let message = code == 0 ? "a coordinate fell outside the area \(description) can handle"
                : (proj_context_errno_string(context.handle, code).map { String(cString: $0) } ?? "error \(code)")
            proj_errno_reset(handle)
            throw PROJError(operation: "transforming \(description)", message: message)
        }
    }
}
