internal import CPROJ

/// An ellipsoid of revolution: semi-major axis in metres and flattening.
public struct Ellipsoid: Sendable, Equatable {
    public let name: String
    public let semiMajorAxis: Double
    public let flattening: Double

    public init(name: String, semiMajorAxis: Double, flattening: Double) {
        self.name = name
        self.semiMajorAxis = semiMajorAxis
        self.flattening = flattening
    }

    public static let grs80 = Ellipsoid(name: "GRS 1980", semiMajorAxis: 6_378_137, flattening: 1 / 298.257222101)
    public static let wgs84 = Ellipsoid(name: "WGS 84", semiMajorAxis: 6_378_137, flattening: 1 / 298.257223563)
}

/// Geodesic computations on an ellipsoid (GeographicLib's algorithms as shipped in PROJ).
/// A plain value: it holds only the ellipsoid's derived constants, so any thread may use it.
public struct Geodesic: @unchecked Sendable {
    private var geodesic = geod_geodesic()
    public let ellipsoid: Ellipsoid

    public init(_ ellipsoid: Ellipsoid) {
        self.ellipsoid = ellipsoid
        geod_init(&geodesic, ellipsoid.semiMajorAxis, ellipsoid.flattening)
    }

    /// The area in square metres enclosed by a ring of interleaved lon,lat degrees whose edges are
    /// geodesics. Always positive, whichever way the ring winds; a closing point equal to the
    /// first is ignored.
    public func ringArea(_ lonLat: [Double]) -> Double {
        var count = lonLat.count / 2
        if count > 1, lonLat[0] == lonLat[2 * count - 2], lonLat[1] == lonLat[2 * count - 1] { count -= 1 }
        guard count >= 3 else { return 0 }
        var polygon = geod_polygon()
        var area = 0.0, perimeter = 0.0
        withUnsafePointer(to: geodesic) { g in
            geod_polygon_init(&polygon, 0)
            for index in 0..<count {
                geod_polygon_addpoint(g, &polygon, lonLat[2 * index + 1], lonLat[2 * index])
            }
            // Reversed = 0, signed = 1: the sign tells the winding, which we discard.
            _ = geod_polygon_compute(g, &polygon, 0, 1, &area, &perimeter)
        }
        return abs(area)
    }

    /// The area of a polygon: its shell less its holes.
    public func polygonArea(shell: [Double], holes: [[Double]]) -> Double {
        max(0, ringArea(shell) - holes.reduce(0) { $0 + ringArea($1) })
    }

    /// The geodesic distance in metres between two lon,lat points.
    public func distance(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        withUnsafePointer(to: geodesic) { g in
            geod_inverse(g, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2)
        }
        return s12
    }
}
