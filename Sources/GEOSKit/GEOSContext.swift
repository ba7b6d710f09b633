/// GEOSKit owns everything redline does with the GEOS C API: contexts, geometries, prepared
/// geometries and STR trees. Every C handle belongs to one Swift object that frees it in `deinit`;
/// nothing here is `Sendable`, so a context and the geometries made with it stay on the worker that
/// made them. Geometry crosses threads only as WKB bytes.
internal import CGEOS

/// An error GEOS reported, with its own message and the operation that failed.
public struct GEOSError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let message: String
    public var description: String {
        message.isEmpty ? "GEOS \(operation) failed" : "GEOS \(operation) failed: \(message)"
    }
}

/// Receives GEOS's error messages for one context; GEOS calls back with a C string.
final class MessageSink {
    var lastError = ""
}

/// A re-entrant GEOS context (`GEOS_init_r`). One per thread; never share one between threads.
public final class GEOSContext {
    /// The GEOS library's version, e.g. "3.11.1-CAPI-1.17.1".
    public static var libraryVersion: String { String(cString: GEOSversion()) }

    let handle: GEOSContextHandle_t
    private let sink = MessageSink()
    private var wkbReader: OpaquePointer?
    private var wkbWriter: OpaquePointer?

    public init() {
        // Only out of memory makes GEOS fail here; nothing could go on without a context.
        guard let created = GEOS_init_r() else { fatalError("GEOS could not create a context (out of memory)") }
        handle = created
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userData in
            guard let message, let userData else { return }
            Unmanaged<MessageSink>.fromOpaque(userData).takeUnretainedValue().lastError = String(cString: message)
        }, sinkPointer)
    }

    deinit {
        if let wkbReader { GEOSWKBReader_destroy_r(handle, wkbReader) }
        if let wkbWriter { GEOSWKBWriter_destroy_r(handle, wkbWriter) }
        GEOS_finish_r(handle)
    }

    func error(_ operation: String) -> GEOSError {
        let error = GEOSError(operation: operation, message: sink.lastError)
        sink.lastError = ""
        return error
    }

    /// Wraps a geometry GEOS just created (returns NULL on exception); the caller owns it.
    func own(_ pointer: OpaquePointer?, _ operation: String) throws -> Geometry {
        guard let pointer else { throw error(operation) }
        return Geometry(owned: pointer, context: self)
    }

    /// Runs a GEOS predicate, which returns 1 for true, 0 for false and 2 on exception.
    func predicate(_ operation: String, _ result: CChar) throws -> Bool {
        switch result {
        case 1: return true
        case 0: return false
        default: throw error(operation)
        }
    }

    /// Runs a GEOS getter, which returns 0 on exception and 1 on success.
    func check(_ operation: String, _ result: Int32) throws {
        if result == 0 { throw error(operation) }
    }

    func reader() throws -> OpaquePointer {
        if let wkbReader { return wkbReader }
        guard let created = GEOSWKBReader_create_r(handle) else { throw error("creating a WKB reader") }
        wkbReader = created
        return created
    }

    func writer() throws -> OpaquePointer {
        if let wkbWriter { return wkbWriter }
        guard let created = GEOSWKBWriter_create_r(handle) else { throw error("creating a WKB writer") }
        GEOSWKBWriter_setOutputDimension_r(handle, created, 2)
        GEOSWKBWriter_setByteOrder_r(handle, created, Int32(GEOS_WKB_NDR.rawValue))
        wkbWriter = created
        return created
    }

    /// Parses ISO or extended WKB into a geometry owned by this context.
    public func geometry(wkb: [UInt8]) throws -> Geometry {
        try wkb.withUnsafeBufferPointer { bytes in
            try own(GEOSWKBReader_read_r(handle, try reader(), bytes.baseAddress, bytes.count), "WKB read")
        }
    }

    /// Parses well-known text ("POLYGON ((0 0, 1 0, 1 1, 0 0))").
    public func geometry(wkt: String) throws -> Geometry {
        guard let reader = GEOSWKTReader_create_r(handle) else { throw error("WKT reader") }
        defer { GEOSWKTReader_destroy_r(handle, reader) }
        return try own(GEOSWKTReader_read_r(handle, reader, wkt), "WKT read")
    }

    /// A polygon from flat x,y coordinate arrays: the shell, then any holes. Rings are closed
    /// here if the caller left them open.
    public func polygon(shell: [Double], holes: [[Double]] = []) throws -> Geometry {
        let shellRing = try linearRing(shell)
        var holeRings: [OpaquePointer?] = []
        do {
            for hole in holes { holeRings.append(try linearRing(hole)) }
        } catch {
            GEOSGeom_destroy_r(handle, shellRing)
            for ring in holeRings { GEOSGeom_destroy_r(handle, ring) }
            throw error
        }
        // GEOSGeom_createPolygon_r takes ownership of the shell and the holes.
        return try holeRings.withUnsafeMutableBufferPointer { buffer in
            try own(GEOSGeom_createPolygon_r(handle, shellRing, buffer.baseAddress, UInt32(buffer.count)), "create polygon")
        }
    }

    /// An axis-aligned rectangle polygon.
    public func rectangle(_ envelope: Envelope) throws -> Geometry {
        try own(GEOSGeom_createRectangle_r(handle, envelope.minX, envelope.minY, envelope.maxX, envelope.maxY),
                "create rectangle")
    }

    /// A multi-polygon (or an empty one) that takes the given polygons; they are copied, not moved.
    public func multiPolygon(_ polygons: [Geometry]) throws -> Geometry {
        var clones: [OpaquePointer?] = []
        for polygon in polygons {
            guard let clone = GEOSGeom_clone_r(handle, polygon.handle) else {
                for made in clones { GEOSGeom_destroy_r(handle, made) }
                throw error("clone")
            }
            clones.append(clone)
        }
        // GEOSGeom_createCollection_r takes ownership of the members (not of the array).
        return try clones.withUnsafeMutableBufferPointer { buffer in
            try own(GEOSGeom_createCollection_r(handle, Int32(GEOS_MULTIPOLYGON.rawValue),
                                                buffer.baseAddress, UInt32(buffer.count)), "create multipolygon")
        }
    }

    /// A ring from flat x,y pairs; the caller owns the returned handle.
    private func linearRing(_ xy: [Double]) throws -> OpaquePointer {
        var coordinates = xy
        let count = coordinates.count / 2
        if count > 0, coordinates[0] != coordinates[2 * count - 2] || coordinates[1] != coordinates[2 * count - 1] {
            coordinates.append(coordinates[0])
            coordinates.append(coordinates[1])
        }
        let sequence = coordinates.withUnsafeBufferPointer { buffer in
            GEOSCoordSeq_copyFromBuffer_r(handle, buffer.baseAddress, UInt32(buffer.count / 2), 0, 0)
        }
        guard let sequence else { throw error("coordinate sequence") }
        // GEOSGeom_createLinearRing_r takes ownership of the sequence.
        guard let ring = GEOSGeom_createLinearRing_r(handle, sequence) else { throw error("create ring") }
        return ring
    }
}

/// An axis-aligned bounding box.
public struct Envelope: Sendable, Equatable, Hashable {
    public var minX, minY, maxX, maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }

    public func intersects(_ other: Envelope) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    /// The area the two boxes share (0 when they do not meet).
    public func overlapArea(with other: Envelope) -> Double {
        Swift.max(0, Swift.min(maxX, other.maxX) - Swift.max(minX, other.minX))
            * Swift.max(0, Swift.min(maxY, other.maxY) - Swift.max(minY, other.minY))
    }

    public func union(_ other: Envelope) -> Envelope {
        Envelope(minX: Swift.min(minX, other.minX), minY: Swift.min(minY, other.minY),
                 maxX: Swift.max(maxX, other.maxX), maxY: Swift.max(maxY, other.maxY))
    }

    /// The same box with x and y exchanged: where lat,lon data written as lon,lat would lie.
    public var swapped: Envelope { Envelope(minX: minY, minY: minX, maxX: maxY, maxY: maxX) }
}
