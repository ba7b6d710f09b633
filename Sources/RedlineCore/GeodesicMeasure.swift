import GEOSKit
import PROJKit

/// Ellipsoidal areas of GEOS geometries whose coordinates are lon/lat degrees.
public struct GeodesicMeasure: Sendable {
    public let geodesic: Geodesic

    public init(_ geodesic: Geodesic) { self.geodesic = geodesic }

    /// Square metres enclosed by the polygons of `geometry` (holes subtracted), with geodesic edges.
    public func area(of geometry: Geometry) throws -> Double {
        var total = 0.0
        try geometry.forEachPolygon { shell, holes in
            total += geodesic.polygonArea(shell: shell, holes: holes)
        }
        return total
    }
}

/// Square metres in one mu (亩): 2000/3 m², exactly.
public let squareMetresPerMu = 2000.0 / 3.0
