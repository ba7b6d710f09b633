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

/// How much a field team covers in one day: kilometres from the start and back, and stops.
public struct DayBudget: Sendable, Equatable {
    public var metres: Double?
    public var stops: Int?

    public init(metres: Double? = nil, stops: Int? = nil) {
        self.metres = metres
        self.stops = stops
    }
}

/// The visiting order cut into days, each leaving the start and coming back to it ("route
/// first, cluster second", Beasley 1983). The cuts are chosen by dynamic programming over the
/// order: the fewest days within the budget, then the shortest distance. A clue farther than
/// the budget there and back cannot be reached within it: its day may take that unavoidable
/// round trip plus up to a budget of visits around it (the same pit seen twice, a cluster of pits
/// far off are one long day, not one day each), and its clues are listed in `overBudget`.
public struct DayPlan: Sendable {
    public struct Day: Sendable, Equatable {
        /// Positions in the visiting order.
        public let stops: Range<Int>
        /// Geodesic metres from the start, through the stops, back to the start.
        public let metres: Double
    }

    public let days: [Day]
    /// Geodesic metres to each stop from the one before it on the same day (from the start for
    /// the first stop of a day).
    public let legs: [Double]
    /// Positions of stops whose own round trip is longer than the day's distance budget.
    public let overBudget: [Int]

    public var total: Double { days.reduce(0) { $0 + $1.metres } }

    /// The day (from 0) of each stop, in visiting order.
    private let dayOfStop: [Int]

    /// The day (from 0) of the stop at `position` in the visiting order.
    public func day(of position: Int) -> Int { dayOfStop.indices.contains(position) ? dayOfStop[position] : 0 }

    /// `stops` are the stops in visiting order; without a budget the whole round trip is one day.
    public init(route: VisitingOrder, start: (lon: Double, lat: Double), stops: [(lon: Double, lat: Double)],
                geodesic: Geodesic, budget: DayBudget?) {
        let count = stops.count
        guard count > 0 else {
            (days, legs, overBudget, dayOfStop) = ([], [], [], [])
            return
        }
        let fromStart = stops.map { geodesic.distance(lon1: start.lon, lat1: start.lat, lon2: $0.lon, lat2: $0.lat) }
        // between[k] = metres walked from stop 0 to stop k along the order.
        var between = [0.0]
        for position in 1..<count { between.append(between[position - 1] + route.legs[position]) }
        let maxMetres = budget?.metres ?? .infinity, maxStops = budget?.stops ?? count
        func trip(_ first: Int, _ last: Int) -> Double { fromStart[first] + between[last] - between[first] + fromStart[last] }

        // best[j]: the fewest days, then metres, for the first j stops; cut[j]: where its last day starts.
        var best = [(days: Int, metres: Double)](repeating: (Int.max, .infinity), count: count + 1)
        var cut = [Int](repeating: 0, count: count + 1)
        best[0] = (0, 0)
        for end in 1...count {
            var first = end - 1
            var farthest = 0.0
            while first >= max(0, end - maxStops) {
                let metres = trip(first, end - 1)
                farthest = max(farthest, 2 * fromStart[first])
                // Within the budget — or, on a day that must go over it for a clue beyond it,
                // within the budget beyond that unavoidable round trip.
                let allowed = farthest > maxMetres ? farthest + maxMetres : maxMetres
                if metres <= allowed || first == end - 1, best[first].days != Int.max {
                    let candidate = (days: best[first].days + 1, metres: best[first].metres + metres)
                    if candidate.days < best[end].days || (candidate.days == best[end].days && candidate.metres < best[end].metres - 1e-6) {
                        best[end] = candidate
                        cut[end] = first
                    }
                }
                first -= 1
            }
        }
        var ranges: [Range<Int>] = []
        var end = count
        while end > 0 {
            ranges.insert(cut[end]..<end, at: 0)
            end = cut[end]
        }
        days = ranges.map { Day(stops: $0, metres: trip($0.lowerBound, $0.upperBound - 1)) }
        legs = (0..<count).map { position in ranges.contains { $0.lowerBound == position } ? fromStart[position] : route.legs[position] }
        overBudget = ranges.filter { trip($0.lowerBound, $0.upperBound - 1) > maxMetres }.flatMap { Array($0) }
        dayOfStop = ranges.enumerated().flatMap { day, range in range.map { _ in day } }
    }
}
