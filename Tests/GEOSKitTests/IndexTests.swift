import GEOSKit
import Testing
import TestSupport

/// Property tests with a fixed, printed seed: the index and prepared predicates must agree with
/// brute force.
@Suite struct IndexTests {
    func randomSquares(_ count: Int, seed: UInt64, in context: GEOSContext) throws -> [Geometry] {
        var random = SplitMix(seed: seed)
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
            let box = try probe.envelope()
            let expected = try items.indices.filter { try items[$0].envelope().intersects(box) }
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
                #expect(try big.intersection(shape).envelope() == shape.envelope(), "seed \(seed)")
            }
        }
    }
}
