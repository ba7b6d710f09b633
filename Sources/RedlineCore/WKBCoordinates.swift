import Foundation
import GEOSKit

/// Edits the x,y coordinates of an ISO WKB geometry in place, so that a reprojection or an axis
/// swap costs one pass over the bytes and no GEOS or OGR object.
enum WKBCoordinates {
    struct Malformed: Error {}

    /// Byte offsets of every coordinate's x (y follows at +8), and whether it is little-endian.
    private struct Layout {
        var offsets: [Int] = []
        var littleEndian: [Bool] = []
    }

    /// Reads all x,y pairs, lets `body` change them, and writes them back.
    static func rewrite(_ wkb: inout [UInt8], _ body: (inout [Double]) throws -> Void) throws {
        let (layout, coordinates) = try read(wkb)
        var xy = coordinates
        try body(&xy)
        for (index, offset) in layout.offsets.enumerated() {
            write(&wkb, offset, xy[2 * index], layout.littleEndian[index])
            write(&wkb, offset + 8, xy[2 * index + 1], layout.littleEndian[index])
        }
    }

    /// The bounding box of the coordinates, or nil for malformed or empty WKB.
    static func envelope(of wkb: [UInt8]) -> Envelope? {
        guard let (_, xy) = try? read(wkb), xy.count >= 2 else { return nil }
        return Envelope(covering: xy)
    }

    private static func read(_ wkb: [UInt8]) throws -> (Layout, [Double]) {
        var layout = Layout()
        var cursor = 0
        try scan(wkb, &cursor, &layout)
        var xy = [Double](repeating: 0, count: layout.offsets.count * 2)
        for (index, offset) in layout.offsets.enumerated() {
            xy[2 * index] = read(wkb, offset, layout.littleEndian[index])
            xy[2 * index + 1] = read(wkb, offset + 8, layout.littleEndian[index])
        }
        return (layout, xy)
    }

    private static func scan(_ wkb: [UInt8], _ cursor: inout Int, _ layout: inout Layout) throws {
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

    private static func readUInt32(_ bytes: [UInt8], _ offset: Int, _ little: Bool) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 {
            let byte = UInt32(bytes[offset + (little ? index : 3 - index)])
            value |= byte << (8 * UInt32(index))
        }
        return value
    }

    private static func read(_ bytes: [UInt8], _ offset: Int, _ little: Bool) -> Double {
        var bits: UInt64 = 0
        for index in 0..<8 {
            bits |= UInt64(bytes[offset + (little ? index : 7 - index)]) << (8 * UInt64(index))
        }
        return Double(bitPattern: bits)
    }

    private static func write(_ bytes: inout [UInt8], _ offset: Int, _ value: Double, _ little: Bool) {
        let bits = value.bitPattern
        for index in 0..<8 {
            bytes[offset + (little ? index : 7 - index)] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(index)))
        }
    }
}

extension Envelope {
    /// The box of interleaved x,y pairs (at least one).
    init(covering xy: [Double]) {
        self.init(minX: xy[0], minY: xy[1], maxX: xy[0], maxY: xy[1])
        for index in stride(from: 2, to: xy.count - 1, by: 2) {
            minX = Swift.min(minX, xy[index]); maxX = Swift.max(maxX, xy[index])
            minY = Swift.min(minY, xy[index + 1]); maxY = Swift.max(maxY, xy[index + 1])
        }
    }
}
