import GEOSKit
import Testing

/// Property tests with a fixed, printed seed: the index and prepared predicates must agree with
/// brute force.
@Suite struct IndexTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    func randomSquares(_ count: Int, seed: UInt64, in context: GEOSContext) throws -> [Geometry] {
        var random = SplitMix(state: seed)
        return try (0..<count).map { _ in
            let x = random.next() * 100, y = random.next() * 100, size = 0.5 + random.next() * 5
            return try context.rectangle(Envelope(minX: x, minY: y, maxX: x + size, maxY: y + size))
        }
    }

    @Test(arguments: [UInt64(1), 42, 2026])
    func strTreeQueryEqualsBruteForce(seed: UInt64) throws {
        let context = GEOSContext()
        let items = try randomSquares(400, seed: seed, in: context)
        let probes = try randomSquares(100, seed: seed &+ 7, in: context)
        let tree = try STRTree(context: context)
        for (index, item) in items.enumerated() { tree.insert(index, envelope: item) }
        var found: [Int] = []
        for probe in probes {
            tree.query(probe, into: &found)
            let expected = items.indices.filter { items[$0].envelope.intersects(probe.envelope) }
            #expect(found == expected, "seed \(seed)")
        }
    }

    @Test(arguments: [UInt64(3), 99])
    func preparedPredicatesEqualPlainOnes(seed: UInt64) throws {
        let context = GEOSContext()
        let shapes = try randomSquares(60, seed: seed, in: context)
        let big = try context.geometry(wkt: "POLYGON ((10 10, 90 10, 90 90, 50 60, 10 90, 10 10))")
        let prepared = try PreparedGeometry(big)
        for shape in shapes {
            #expect(try prepared.intersects(shape) == (try big.intersects(shape)), "seed \(seed)")
            let inside = try prepared.containsProperly(shape)
            if inside {
                // Wholly inside: the intersection is the shape itself.
                #expect(try big.intersection(shape).envelope == shape.envelope, "seed \(seed)")
            }
        }
    }
}
