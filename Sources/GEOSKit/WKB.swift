import Foundation

/// The one place redline reads or writes WKB bytes itself: editing the x,y coordinates of ISO
/// WKB in place (a reprojection or an axis swap costs one pass over the bytes and no GEOS or OGR
/// object), its bounding box, and the few shapes built without GEOS. Little-endian 2D on output.
public enum WKB {
    public struct Malformed: Error {}

    /// Byte offsets of every coordinate's x (y follows at +8), and whether it is little-endian.
    private struct Layout {
        var offsets: [Int] = []
        var littleEndian: [Bool] = []
    }

    /// Reads all x,y pairs, lets `body` change them, and writes them back.
    public static func rewrite(_ wkb: inout [UInt8], _ body: (inout [Double]) throws -> Void) throws {
        let (layout, coordinates) = try read(wkb)
        var xy = coordinates
        try body(&xy)
        wkb.withUnsafeMutableBytes { bytes in
            for (index, offset) in layout.offsets.enumerated() {
                let little = layout.littleEndian[index]
                write(bytes, offset, xy[2 * index], little)
                write(bytes, offset + 8, xy[2 * index + 1], little)
            }
        }
    }

    /// The bounding box of the coordinates, or nil for malformed or empty WKB.
    public static func envelope(of wkb: [UInt8]) -> Envelope? {
        guard let (_, xy) = try? read(wkb), xy.count >= 2 else { return nil }
        return Envelope(covering: xy)
    }

    /// The planar area of polygonal WKB in its own units (shells less holes, as GEOS measures it),
    /// or nil for WKB that is not polygonal.
    public static func planarArea(of wkb: [UInt8]) -> Double? {
        guard let polygons = try? polygons(of: wkb) else { return nil }
        return polygons.reduce(0) { total, rings in
            total + rings.enumerated().reduce(0) { $0 + abs(signedArea(ofRing: $1.element)) * ($1.offset == 0 ? 1 : -1) }
        }
    }

    /// The shoelace area of a ring of interleaved x,y: positive when it runs counter-clockwise.
    /// Taken about the first point: products of raw longitudes (89°) would lose the digits of a
    /// small patch's area.
    public static func signedArea(ofRing ring: [Double]) -> Double {
        guard ring.count >= 6 else { return 0 }
        let x0 = ring[0], y0 = ring[1]
        var twice = 0.0
        var point = 2
        while point + 3 < ring.count {
            twice += (ring[point] - x0) * (ring[point + 3] - y0) - (ring[point + 2] - x0) * (ring[point + 1] - y0)
            point += 2
        }
        return twice / 2
    }

    /// The polygons of polygonal WKB (a polygon, a multi-polygon, or a collection of them), each
    /// as its rings of interleaved x,y (any z or m dropped), exterior ring first.
    public static func polygons(of wkb: [UInt8]) throws -> [[[Double]]] {
        try wkb.withUnsafeBytes { bytes in
            var cursor = 0, polygons: [[[Double]]] = []
            try collectPolygons(bytes, &cursor, into: &polygons)
            return polygons
        }
    }

    private static func collectPolygons(_ wkb: UnsafeRawBufferPointer, _ cursor: inout Int,
                                        into polygons: inout [[[Double]]]) throws {
        guard cursor + 9 <= wkb.count else { throw Malformed() }
        let little = wkb[cursor] == 1
        let rawType = readUInt32(wkb, cursor + 1, little)
        let count = Int(readUInt32(wkb, cursor + 5, little))
        cursor += 9
        let stride = 8 * (2 + ((rawType / 1000) == 1 || (rawType / 1000) == 2 ? 1 : (rawType / 1000) == 3 ? 2 : 0))
        switch rawType % 1000 {
        case 3:
            var rings: [[Double]] = []
            for _ in 0..<count {
                guard cursor + 4 <= wkb.count else { throw Malformed() }
                let points = Int(readUInt32(wkb, cursor, little))
                cursor += 4
                guard points >= 0, cursor + points * stride <= wkb.count else { throw Malformed() }
                var ring = [Double](repeating: 0, count: 2 * points)
                for point in 0..<points {
                    ring[2 * point] = read(wkb, cursor, little)
                    ring[2 * point + 1] = read(wkb, cursor + 8, little)
                    cursor += stride
                }
                rings.append(ring)
            }
            polygons.append(rings)
        case 6, 7:
            for _ in 0..<count { try collectPolygons(wkb, &cursor, into: &polygons) }
        default: throw Malformed()
        }
    }

    private static func read(_ wkb: [UInt8]) throws -> (Layout, [Double]) {
        try wkb.withUnsafeBytes { bytes in
            var layout = Layout()
            // A polygon of n points takes 16 n bytes and a little more.
            layout.offsets.reserveCapacity(bytes.count / 16)
            layout.littleEndian.reserveCapacity(bytes.count / 16)
            var cursor = 0
            try scan(bytes, &cursor, &layout)
            var xy = [Double](repeating: 0, count: layout.offsets.count * 2)
            for (index, offset) in layout.offsets.enumerated() {
                xy[2 * index] = read(bytes, offset, layout.littleEndian[index])
                xy[2 * index + 1] = read(bytes, offset + 8, layout.littleEndian[index])
            }
            return (layout, xy)
        }
    }

    private static func scan(_ wkb: UnsafeRawBufferPointer, _ cursor: inout Int, _ layout: inout Layout) throws {
        guard cursor + 5 <= wkb.count else { throw Malformed() }
        let little = wkb[cursor] == 1
        cursor += 1
        let rawType = readUInt32(wkb, cursor, little)
        cursor += 4
        let base = rawType % 1000
        let dimensions = 2 + ((rawType / 1000) == 1 || (rawType / 1000) == 2 ? 1 : (rawType / 1000) == 3 ? 2 : 0)
        let stride = 8 * Int(dimensions)
        func points(_ count: Int) throws {
            guard count >= 0, cursor + count * stride <= wkb.count else { throw Malformed() }
            for _ in 0..<count {
                layout.offsets.append(cursor)
                layout.littleEndian.append(little)
                cursor += stride
            }
        }
        func count() throws -> Int {
            guard cursor + 4 <= wkb.count else { throw Malformed() }
            defer { cursor += 4 }
            return Int(readUInt32(wkb, cursor, little))
        }
        switch base {
        case 1: try points(1)
        case 2: try points(try count())
        case 3: for _ in 0..<(try count()) { try points(try count()) }
        case 4, 5, 6, 7: for _ in 0..<(try count()) { try scan(wkb, &cursor, &layout) }
        default: throw Malformed()
        }
    }

    public static func point(_ x: Double, _ y: Double) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHeader(type: 1, to: &bytes)
        append(x, to: &bytes)
        append(y, to: &bytes)
        return bytes
    }

    /// A line given as interleaved x,y.
    public static func lineString(_ line: [Double]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendLine(line, to: &bytes)
        return bytes
    }

    /// Lines given as interleaved x,y.
    public static func multiLineString(_ lines: [[Double]]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHeader(type: 5, count: lines.count, to: &bytes)
        for line in lines { appendLine(line, to: &bytes) }
        return bytes
    }

    private static func appendLine(_ line: [Double], to bytes: inout [UInt8]) {
        appendHeader(type: 2, count: line.count / 2, to: &bytes)
        for value in line { append(value, to: &bytes) }
    }

    /// A GeometryCollection of geometries given as WKB: its members' bytes one after the other.
    public static func collection(_ members: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHeader(type: 7, count: members.count, to: &bytes)
        for member in members { bytes += member }
        return bytes
    }

    /// Byte order (little-endian), type, and the count of points, rings or parts when given.
    static func appendHeader(type: UInt32, count: Int? = nil, to bytes: inout [UInt8]) {
        bytes.append(1)
        append(type, to: &bytes)
        if let count { append(UInt32(count), to: &bytes) }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func append(_ value: Double, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func readUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ little: Bool) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return little ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw)
    }

    private static func read(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ little: Bool) -> Double {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return Double(bitPattern: little ? UInt64(littleEndian: raw) : UInt64(bigEndian: raw))
    }

    private static func write(_ bytes: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: Double, _ little: Bool) {
        let bits = value.bitPattern
        bytes.storeBytes(of: little ? bits.littleEndian : bits.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}

extension Envelope {
    /// The box of interleaved x,y pairs (at least one).
    /// The box of interleaved x,y; a NaN coordinate makes it NaN (`isFinite` is false), never a
    /// box that silently leaves the point out.
    public init(covering xy: [Double]) {
        self.init(minX: xy[0], minY: xy[1], maxX: xy[0], maxY: xy[1])
        var sum = xy[0] + xy[1]
        for index in stride(from: 2, to: xy.count - 1, by: 2) {
            minX = Swift.min(minX, xy[index]); maxX = Swift.max(maxX, xy[index])
            minY = Swift.min(minY, xy[index + 1]); maxY = Swift.max(maxY, xy[index + 1])
            sum += xy[index] + xy[index + 1]
        }
        if sum.isNaN { (minX, minY, maxX, maxY) = (.nan, .nan, .nan, .nan) }
    }

    /// Whether every bound is a finite number (no NaN or infinite coordinate went into it).
    public var isFinite: Bool { minX.isFinite && minY.isFinite && maxX.isFinite && maxY.isFinite }
}
