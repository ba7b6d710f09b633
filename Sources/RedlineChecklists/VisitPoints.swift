import GEOSKit
import RedlineOutputs

/// A place on the ground, lon/lat degrees in the check's frame.
typealias GroundPoint = (lon: Double, lat: Double)

extension ChecklistWriter {
    /// Where a team walks to for a clue, one point per part of the patch, the largest part first:
    /// the part's centroid when it lies inside the part, else a point GEOS guarantees inside
    /// (PointOnSurface). A two-part or U-shaped patch is never given the empty ground between.
    func visitPoints(_ clue: ClueRow) throws -> [GroundPoint] {
        if let known = pointCache[clue.clueID] { return known }
        let parts = try geos.geometry(wkb: clue.polygon).parts.filter { !$0.isEmpty }
        let sized = try parts.map { (part: $0, area: try $0.area()) }.sorted { $0.area > $1.area }
        var points: [GroundPoint] = []
        for (part, _) in sized {
            let centroid = try part.centroid()
            let inside = try part.contains(centroid) ? centroid : try part.pointOnSurface()
            let (x, y) = try inside.pointCoordinates()
            points.append((x, y))
        }
        if points.isEmpty { points = [(clue.lon, clue.lat)] }
        pointCache[clue.clueID] = points
        return points
    }

    /// The point of the clue's largest part: the stop of the visiting order, the waypoint and the placemark.
    func point(_ clue: ClueRow) throws -> GroundPoint { try visitPoints(clue)[0] }
}
