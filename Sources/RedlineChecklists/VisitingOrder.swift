import PROJKit

/// A short round trip through the clues of one county: from a start point, nearest neighbour
/// first, then improved by 2-opt, on geodesic distances. The start is visited first and last.
public struct VisitingOrder: Sendable {
    /// Indices of the stops, in visiting order.
    public let order: [Int]
    /// Geodesic metres from the previous stop (the start for the first) to each stop, in order.
    public let legs: [Double]
    /// From the last stop back to the start.
    public let returnLeg: Double

    public var total: Double { legs.reduce(0, +) + returnLeg }

    /// Above this many stops the 2-opt passes stop early (each is quadratic).
    static let twoOptPassLimit = 60

    public init(start: (lon: Double, lat: Double), stops: [(lon: Double, lat: Double)], geodesic: Geodesic) {
        let points = [start] + stops
        let count = points.count
        func distance(_ a: Int, _ b: Int) -> Double {
            geodesic.distance(lon1: points[a].lon, lat1: points[a].lat, lon2: points[b].lon, lat2: points[b].lat)
        }
        var matrix = [Double](repeating: 0, count: count * count)
        for a in 0..<count {
            for b in (a + 1)..<max(a + 1, count) {
                let d = distance(a, b)
                matrix[a * count + b] = d
                matrix[b * count + a] = d
            }
        }
        let d = { (a: Int, b: Int) in matrix[a * count + b] }

        // Nearest neighbour from the start; ties go to the lower index, so the order is stable.
        var tour = [0]
        var left = Set(1..<count)
        while !left.isEmpty {
            let here = tour.last!
            let next = left.min { (d(here, $0), $0) < (d(here, $1), $1) }!
            tour.append(next)
            left.remove(next)
        }
        // 2-opt on the closed tour, the start fixed in front: reverse tour[i...j] when that shortens it.
        var improved = true, passes = 0
        while improved && passes < Self.twoOptPassLimit && count > 3 {
            improved = false
            passes += 1
            for i in 1..<(count - 1) {
                for j in (i + 1)..<count {
                    let a = tour[i - 1], b = tour[i], c = tour[j], e = tour[(j + 1) % count]
                    if d(a, c) + d(b, e) < d(a, b) + d(c, e) - 1e-6 {
                        tour[i...j].reverse()
                        improved = true
                    }
                }
            }
        }
        order = tour.dropFirst().map { $0 - 1 }
        legs = zip([0] + tour.dropFirst().dropLast(), tour.dropFirst()).map { d($0, $1) }
        returnLeg = tour.count > 1 ? d(tour.last!, 0) : 0
    }
}
