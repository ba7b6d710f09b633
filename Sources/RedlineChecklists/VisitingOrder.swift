import Foundation
import PROJKit

/// A short round trip through the clues of one county: from a start point, nearest neighbour
/// first, then improved by 2-opt. The start is visited first and last; legs are geodesic.
///
/// Up to `exactLimit` stops the tour is built on geodesic distances. Beyond (a county with
/// thousands of clues), it is built on distances in lon/lat scaled by cos(latitude) — the same
/// order to a fraction of a percent at county scale, without a quadratic number of geodesic
/// problems — and 2-opt only tries reversals of up to `windowLimit` stops.
public struct VisitingOrder: Sendable {
    /// Indices of the stops, in visiting order.
    public let order: [Int]
    /// Geodesic metres from the previous stop (the start for the first) to each stop, in order.
    public let legs: [Double]
    /// From the last stop back to the start.
    public let returnLeg: Double

    public var total: Double { legs.reduce(0, +) + returnLeg }

    static let twoOptPassLimit = 60
    static let exactLimit = 1000
    static let windowLimit = 60

    public init(start: (lon: Double, lat: Double), stops: [(lon: Double, lat: Double)], geodesic: Geodesic) {
        let points = [start] + stops
        let count = points.count
        let geodesicDistance = { (a: Int, b: Int) in
            geodesic.distance(lon1: points[a].lon, lat1: points[a].lat, lon2: points[b].lon, lat2: points[b].lat)
        }
        let d: (Int, Int) -> Double
        let window: Int
        if count <= Self.exactLimit {
            var matrix = [Double](repeating: 0, count: count * count)
            for a in 0..<count {
                for b in (a + 1)..<max(a + 1, count) {
                    let distance = geodesicDistance(a, b)
                    matrix[a * count + b] = distance
                    matrix[b * count + a] = distance
                }
            }
            d = { matrix[$0 * count + $1] }
            window = count
        } else {
            let scale = cos(points.map(\.lat).reduce(0, +) / Double(count) * .pi / 180)
            let x = points.map { $0.lon * scale }, y = points.map(\.lat)
            d = { a, b in ((x[a] - x[b]) * (x[a] - x[b]) + (y[a] - y[b]) * (y[a] - y[b])).squareRoot() }
            window = Self.windowLimit
        }

        // Nearest neighbour from the start; ties go to the lower index, so the order is stable.
        var tour = [0]
        var visited = [Bool](repeating: false, count: count)
        visited[0] = true
        for _ in 1..<max(count, 1) {
            let here = tour.last!
            var best = -1, bestDistance = Double.infinity
            for candidate in 1..<count where !visited[candidate] {
                let distance = d(here, candidate)
                if distance < bestDistance { (best, bestDistance) = (candidate, distance) }
            }
            tour.append(best)
            visited[best] = true
        }
        // 2-opt on the closed tour, the start fixed in front: reverse tour[i...j] when that shortens it.
        var improved = true, passes = 0
        while improved && passes < Self.twoOptPassLimit && count > 3 {
            improved = false
            passes += 1
            for i in 1..<(count - 1) {
                for j in (i + 1)..<min(count, i + window) {
                    let a = tour[i - 1], b = tour[i], c = tour[j], e = tour[(j + 1) % count]
                    if d(a, c) + d(b, e) < d(a, b) + d(c, e) - 1e-9 {
                        tour[i...j].reverse()
                        improved = true
                    }
                }
            }
        }
        order = tour.dropFirst().map { $0 - 1 }
        legs = zip([0] + tour.dropFirst().dropLast(), tour.dropFirst()).map { geodesicDistance($0, $1) }
        returnLeg = tour.count > 1 ? geodesicDistance(tour.last!, 0) : 0
    }
}
