internal import CGEOS

/// The kinds of geometry GEOS distinguishes (`GEOSGeomTypes`).
public enum GeometryKind: Int32, Sendable {
    case point = 0, lineString, linearRing, polygon, multiPoint, multiLineString, multiPolygon, geometryCollection
}

/// A GEOS geometry. An owned geometry is destroyed in `deinit`; a part borrowed from a collection
/// keeps its parent alive and frees nothing.
public final class Geometry {
    public let context: GEOSContext
    let handle: OpaquePointer
    private let parent: Geometry?

    init(owned handle: OpaquePointer, context: GEOSContext) {
        self.handle = handle
        self.context = context
        parent = nil
    }

    private init(borrowed handle: OpaquePointer, parent: Geometry) {
        self.handle = handle
        context = parent.context
        self.parent = parent
    }

    deinit {
        if parent == nil { GEOSGeom_destroy_r(context.handle, handle) }
    }

    private var ctx: GEOSContextHandle_t { context.handle }

    public var kind: GeometryKind {
        // GEOSGeomTypeId_r returns -1 on exception; an existing handle always has a type.
        GeometryKind(rawValue: GEOSGeomTypeId_r(ctx, handle)) ?? .geometryCollection
    }

    /// GEOSisEmpty_r returns 2 on exception.
    public var isEmpty: Bool { GEOSisEmpty_r(ctx, handle) == 1 }

    public var isPolygonal: Bool { kind == .polygon || kind == .multiPolygon }

    public var coordinateCount: Int { Int(GEOSGetNumCoordinates_r(ctx, handle)) }

    /// The bounding box; an error for an empty geometry, which has none (a NaN box would match
    /// nothing and hide the fault).
    public func envelope() throws -> Envelope {
        var box = Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
        guard GEOSGeom_getExtent_r(ctx, handle, &box.minX, &box.minY, &box.maxX, &box.maxY) != 0 else {
            throw context.error("bounding box of an empty or broken geometry")
        }
        return box
    }

    /// Number of parts of a collection; 1 for a single geometry.
    public var partCount: Int { Int(GEOSGetNumGeometries_r(ctx, handle)) }

    /// Part `index` of a collection (or the geometry itself), borrowed from this one.
    public func part(_ index: Int) -> Geometry {
        Geometry(borrowed: GEOSGetGeometryN_r(ctx, handle, Int32(index)), parent: self)
    }

    /// The parts of a collection, or the geometry itself.
    public var parts: [Geometry] { (0..<partCount).map(part) }

    /// ISO WKB, little-endian, 2D. Polygons and multi-polygons, what the engine ships between
    /// threads by the million, are laid out here straight from their coordinate buffers: GEOS
    /// 3.11's writer streams each ordinate through a C++ stream, some 500 instructions a vertex.
    /// Anything else, and empty geometries, go through GEOS's writer.
    public func wkb() throws -> [UInt8] {
        guard isPolygonal, !isEmpty else { return try writtenByGEOS() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(9 + 16 * coordinateCount + 64 * partCount)
        let isMulti = kind == .multiPolygon
        if isMulti { WKB.appendHeader(type: 6, count: partCount, to: &bytes) }
        for polygon in isMulti ? parts : [self] { try appendPolygonWKB(of: polygon.handle, to: &bytes) }
        return bytes
    }

    private func appendPolygonWKB(of polygon: OpaquePointer, to bytes: inout [UInt8]) throws {
        let rings = try rings(of: polygon)
        WKB.appendHeader(type: 3, count: rings.count, to: &bytes)
        for ring in rings {
            let xy = try coordinates(ofRing: ring)
            WKB.append(UInt32(xy.count / 2), to: &bytes)
            xy.map { $0.bitPattern.littleEndian }.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
    }

    private func writtenByGEOS() throws -> [UInt8] {
        var size = 0
        // GEOSWKBWriter_write_r returns a buffer the caller frees with GEOSFree_r, NULL on exception.
        guard let buffer = GEOSWKBWriter_write_r(ctx, try context.writer(), handle, &size) else {
            throw context.error("WKB write")
        }
        defer { GEOSFree_r(ctx, buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: size))
    }

    public func clone() throws -> Geometry {
        try context.own(GEOSGeom_clone_r(ctx, handle), "clone")
    }

    // MARK: Validity

    public func isValid() throws -> Bool {
        try context.predicate("isValid", GEOSisValid_r(ctx, handle))
    }

    /// Why the geometry is invalid (e.g. "Self-intersection at 1 2"), or nil when it is valid.
    public func invalidityReason() throws -> String? {
        var reason: UnsafeMutablePointer<CChar>?
        var location: OpaquePointer?
        // GEOSisValidDetail_r returns 1 when valid, 0 when invalid, 2 on exception; the caller
        // frees the reason with GEOSFree_r and the location with GEOSGeom_destroy_r.
        let result = GEOSisValidDetail_r(ctx, handle, 0, &reason, &location)
        defer {
            if let reason { GEOSFree_r(ctx, reason) }
            if let location { GEOSGeom_destroy_r(ctx, location) }
        }
        if try context.predicate("isValidDetail", result) { return nil }
        return reason.map { String(cString: $0) } ?? "invalid geometry"
    }

    /// A valid geometry covering the same area, by GEOS's "structure" method, which keeps polygons
    /// polygons (a bow-tie becomes two triangles) and drops collapsed parts.
    public func makeValid() throws -> Geometry {
        guard let params = GEOSMakeValidParams_create_r(ctx) else { throw context.error("MakeValid params") }
        defer { GEOSMakeValidParams_destroy_r(ctx, params) }
        GEOSMakeValidParams_setMethod_r(ctx, params, GEOS_MAKE_VALID_STRUCTURE)
        GEOSMakeValidParams_setKeepCollapsed_r(ctx, params, 0)
        return try context.own(GEOSMakeValidWithParams_r(ctx, handle, params), "MakeValid")
    }

    /// Only the polygons of this geometry (a collection's lines and points dropped), as a polygon
    /// or multi-polygon; `self` when it already is one.
    public func polygonalPart() throws -> Geometry {
        if isPolygonal { return self }
        var polygons: [Geometry] = []
        collectPolygons(into: &polygons)
        return polygons.count == 1 ? try polygons[0].clone() : try context.multiPolygon(polygons)
    }

    private func collectPolygons(into polygons: inout [Geometry]) {
        switch kind {
        case .polygon: polygons.append(self)
        case .multiPolygon, .geometryCollection: for part in parts { part.collectPolygons(into: &polygons) }
        default: break
        }
    }

    // MARK: Operations (each returns a new geometry the caller owns)

    public func intersection(_ other: Geometry) throws -> Geometry {
        try context.own(GEOSIntersection_r(ctx, handle, other.handle), "intersection")
    }

    /// The intersection computed on a grid of `gridSize` units: slower, but it survives the
    /// robustness failures ("TopologyException") that nearly coincident edges can cause.
    public func intersection(_ other: Geometry, gridSize: Double) throws -> Geometry {
        try context.own(GEOSIntersectionPrec_r(ctx, handle, other.handle, gridSize), "intersection on a grid")
    }

    public func unaryUnion() throws -> Geometry {
        try context.own(GEOSUnaryUnion_r(ctx, handle), "unary union")
    }

    /// Fast clip by an axis-aligned rectangle (the result may need `makeValid`).
    public func clip(to box: Envelope) throws -> Geometry {
        try context.own(GEOSClipByRect_r(ctx, handle, box.minX, box.minY, box.maxX, box.maxY), "clip by rectangle")
    }

    /// The geometry with vertices closer than `tolerance` to the line through their neighbours
    /// dropped (Douglas-Peucker, keeping polygons valid): for drawing at a given scale.
    public func simplified(tolerance: Double) throws -> Geometry {
        try context.own(GEOSTopologyPreserveSimplify_r(ctx, handle, tolerance), "simplify")
    }

    /// Planar area, in the square units of the coordinates (for ratios; geodesic areas are PROJ's).
    public func area() throws -> Double {
        var value = 0.0
        try context.check("area", GEOSArea_r(ctx, handle, &value))
        return value
    }

    public func centroid() throws -> Geometry {
        try context.own(GEOSGetCentroid_r(ctx, handle), "centroid")
    }

    /// A point guaranteed to lie inside the geometry (GEOS's interior point).
    public func pointOnSurface() throws -> Geometry {
        try context.own(GEOSPointOnSurface_r(ctx, handle), "point on surface")
    }

    public func contains(_ other: Geometry) throws -> Bool {
        try context.predicate("contains", GEOSContains_r(ctx, handle, other.handle))
    }

    /// The x and y of a point.
    public func pointCoordinates() throws -> (x: Double, y: Double) {
        var x = 0.0, y = 0.0
        // GEOSGeomGetX_r / GEOSGeomGetY_r return 0 on exception.
        try context.check("point x", GEOSGeomGetX_r(ctx, handle, &x))
        try context.check("point y", GEOSGeomGetY_r(ctx, handle, &y))
        return (x, y)
    }

    public func intersects(_ other: Geometry) throws -> Bool {
        try context.predicate("intersects", GEOSIntersects_r(ctx, handle, other.handle))
    }

    /// The closest pair of points of this geometry and `other`, planar (GEOS measures in the
    /// coordinates as given): the point on this one first.
    public func nearestPoints(to other: Geometry) throws -> (x1: Double, y1: Double, x2: Double, y2: Double) {
        guard let sequence = GEOSNearestPoints_r(ctx, handle, other.handle) else { throw context.error("nearest points") }
        defer { GEOSCoordSeq_destroy_r(ctx, sequence) }
        var xy = [Double](repeating: 0, count: 4)
        try xy.withUnsafeMutableBufferPointer { pointer in
            try context.check("copy nearest points", GEOSCoordSeq_copyToBuffer_r(ctx, sequence, pointer.baseAddress, 0, 0))
        }
        return (xy[0], xy[1], xy[2], xy[3])
    }

    /// Same point set, whatever the vertex order, ring orientation or multi-wrapping.
    public func equalsTopologically(_ other: Geometry) throws -> Bool {
        try context.predicate("equals", GEOSEquals_r(ctx, handle, other.handle))
    }


    // MARK: Rings and coordinates

    /// The rings of every polygon in this geometry as flat x,y arrays: for each polygon its shell,
    /// then its holes. Rings are closed (first point repeated last), as GEOS stores them.
    public func polygonRings() throws -> [[Double]] {
        var polygons: [Geometry] = []
        collectPolygons(into: &polygons)
        return try polygons.flatMap { try rings(of: $0.handle).map(coordinates(ofRing:)) }
    }

    /// A polygon's shell, then its holes: pointers owned by the polygon.
    private func rings(of polygon: OpaquePointer) throws -> [OpaquePointer] {
        guard let shell = GEOSGetExteriorRing_r(ctx, polygon) else { throw context.error("exterior ring") }
        return try [shell] + (0..<max(GEOSGetNumInteriorRings_r(ctx, polygon), 0)).map { index in
            guard let hole = GEOSGetInteriorRingN_r(ctx, polygon, index) else { throw context.error("interior ring") }
            return hole
        }
    }

    /// Calls `body` with each polygon's rings: shell first, holes after.
    public func forEachPolygon(_ body: (_ shell: [Double], _ holes: [[Double]]) throws -> Void) throws {
        var polygons: [Geometry] = []
        collectPolygons(into: &polygons)
        for polygon in polygons {
            let rings = try polygon.polygonRings()
            guard let shell = rings.first else { continue }
            try body(shell, Array(rings.dropFirst()))
        }
    }

    private func coordinates(ofRing ring: OpaquePointer) throws -> [Double] {
        // GEOSGeom_getCoordSeq_r returns a sequence owned by the ring.
        guard let sequence = GEOSGeom_getCoordSeq_r(ctx, ring) else { throw context.error("coordinate sequence") }
        var size: UInt32 = 0
        try context.check("sequence size", GEOSCoordSeq_getSize_r(ctx, sequence, &size))
        var buffer = [Double](repeating: 0, count: Int(size) * 2)
        try buffer.withUnsafeMutableBufferPointer { pointer in
            try context.check("copy coordinates",
                              GEOSCoordSeq_copyToBuffer_r(ctx, sequence, pointer.baseAddress, 0, 0))
        }
        return buffer
    }
}
