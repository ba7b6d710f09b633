import PROJKit
import Testing
import TestSupport

@Suite struct TransformTests {
    let context = ProjContext()

    /// On the central meridian a transverse Mercator northing is the meridian arc length; from the
    /// equator to 45° on GRS80 that is 4 984 944.378 m (the classic textbook figure), and the
    /// easting is the false easting.
    @Test func centralMeridianPointInCGCS2000GaussKruger() throws {
        let transformer = try context.transformer(from: try context.crs(.cgcs2000), to: try context.crs(CRSDefinition("EPSG:4539")))
        var xy = [90.0, 45.0]
        try transformer.transform(&xy)
        #expect(abs(xy[0] - 500_000) < 0.001)
        #expect(abs(xy[1] - 4_984_944.378) < 0.01)
    }

    @Test func zonePrefixedVariantAddsTheZoneNumber() throws {
        let transformer = try context.transformer(from: try context.crs(.cgcs2000), to: try context.crs(CRSDefinition("EPSG:4518")))
        var xy = [90.0, 45.0]
        try transformer.transform(&xy)
        #expect(abs(xy[0] - 30_500_000) < 0.001)
    }

    /// EPSG:4326 is latitude-first on paper; the transformer must still take and give lon,lat.
    @Test func geographicAxisOrderIsLongitudeFirst() throws {
        let transformer = try context.transformer(from: try context.crs(.wgs84), to: try context.crs(.cgcs2000))
        var xy = [89.5, 45.25]
        try transformer.transform(&xy)
        #expect(abs(xy[0] - 89.5) < 1e-9 && abs(xy[1] - 45.25) < 1e-9)
    }

    @Test func roundTripThroughAProjectionReturnsToStart() throws {
        let geographic = try context.crs(.cgcs2000), projected = try context.crs(CRSDefinition("EPSG:4539"))
        let forward = try context.transformer(from: geographic, to: projected)
        let back = try context.transformer(from: projected, to: geographic)
        let start = [88.6, 44.7, 89.3, 45.3, 90.1, 46.0]
        var xy = start
        try forward.transform(&xy)
        try back.transform(&xy)
        for (a, b) in zip(xy, start) { #expect(abs(a - b) < 1e-9) }
    }

    @Test func unknownCRSIsAnErrorWithPROJsMessage() {
        #expect(throws: PROJError.self) { try context.crs(CRSDefinition("EPSG:999999")) }
    }

    @Test func impossiblePointsAreReportedNotPassedOn() throws {
        let transformer = try context.transformer(from: try context.crs(.cgcs2000), to: try context.crs(CRSDefinition("EPSG:3857")))
        var xy = [10.0, 91.0]
        #expect(throws: PROJError.self) { try transformer.transform(&xy) }
    }

    @Test func geographicBaseOfAProjectedCRSAndItsEllipsoid() throws {
        let base = try context.crs(CRSDefinition("EPSG:4539")).geographicBase()
        #expect(base.isGeographic)
        #expect(base.identifier == "EPSG:4490")
        let ellipsoid = try base.ellipsoid()
        #expect(ellipsoid.semiMajorAxis == 6_378_137)
        #expect(abs(1 / ellipsoid.flattening - 298.257222101) < 1e-9)
    }
}

@Suite struct GeodesicTests {
    /// GeodSolve's documented example: JFK (40°38'23"N 73°46'44"W) to Singapore Changi
    /// (1°21'33"N 103°59'22"E) on WGS84 is 15 347 628 m.
    @Test func inverseDistanceMatchesGeographicLibExample() {
        let geodesic = Geodesic(.wgs84)
        let distance = geodesic.distance(lon1: -(73 + 46.0 / 60 + 44.0 / 3600), lat1: 40 + 38.0 / 60 + 23.0 / 3600,
                                         lon2: 103 + 59.0 / 60 + 22.0 / 3600, lat2: 1 + 21.0 / 60 + 33.0 / 3600)
        #expect(abs(distance - 15_347_628) < 1)
    }

    /// The triangle equator–equator–pole spanning 90° of longitude has geodesic edges (two
    /// meridians and the equator), so it is exactly one eighth of the ellipsoid.
    @Test func octantIsAnEighthOfTheEllipsoid() {
        let geodesic = Geodesic(.wgs84)
        let area = geodesic.ringArea([0, 0, 90, 0, 0, 90])
        let reference = ReferenceArea.ellipsoidSurface(a: 6_378_137, f: 1 / 298.257223563) / 8
        #expect(abs(area - reference) < 1)
        // GeographicLib's published total area of the WGS84 ellipsoid.
        #expect(abs(reference * 8 - 510_065_621_724_088.5) < 10)
    }

    @Test func smallCellMatchesTheAuthalicFormulaEitherWinding() {
        let geodesic = Geodesic(.grs80)
        let ring = [89.0, 45.0, 89.01, 45.0, 89.01, 45.01, 89.0, 45.01]
        let reversed = [89.0, 45.0, 89.0, 45.01, 89.01, 45.01, 89.01, 45.0]
        let reference = ReferenceArea.graticuleCell(lon1: 89, lat1: 45, lon2: 89.01, lat2: 45.01)
        #expect(abs(geodesic.ringArea(ring) - reference) / reference < 1e-5)
        #expect(abs(geodesic.ringArea(reversed) - reference) / reference < 1e-5)
    }

    @Test func holesAreSubtracted() {
        let geodesic = Geodesic(.grs80)
        let outer = ReferenceArea.graticuleCell(lon1: 89, lat1: 45, lon2: 89.02, lat2: 45.02)
        let inner = ReferenceArea.graticuleCell(lon1: 89.005, lat1: 45.005, lon2: 89.01, lat2: 45.01)
        let area = geodesic.polygonArea(shell: [89, 45, 89.02, 45, 89.02, 45.02, 89, 45.02],
                                        holes: [[89.005, 45.005, 89.01, 45.005, 89.01, 45.01, 89.005, 45.01]])
        #expect(abs(area - (outer - inner)) / (outer - inner) < 1e-5)
    }
}
