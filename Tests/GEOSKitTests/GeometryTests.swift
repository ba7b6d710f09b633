import GEOSKit
import Testing
import TestSupport

@Suite struct GeometryTests {
    let context = GEOSContext()

    /// A box over a NaN or infinite coordinate says so, wherever in the ring the bad number is:
    /// it never leaves the point out and passes for a small box.
    @Test func aBoxOverANonFiniteCoordinateIsNotFinite() {
        #expect(Envelope(covering: [1, 2, 3, 4, 0, 1]).isFinite)
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(!Envelope(covering: [bad, 2, 3, 4]).isFinite, "\(bad) first")
            #expect(!Envelope(covering: [1, 2, 3, bad, 5, 6]).isFinite, "\(bad) later")
        }
    }

    @Test func wkbRoundTripKeepsTheShape() throws {
        let square = try context.geometry(wkt: "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))")
        let again = try context.geometry(wkb: try square.wkb())
        #expect(again.kind == .polygon)
        #expect(again.coordinateCount == 10)
        #expect(try again.polygonRings().count == 2)
        #expect(try again.envelope() == Envelope(minX: 0, minY: 0, maxX: 4, maxY: 4))
    }

    /// An empty geometry has no box: an error, not a NaN box that would silently match nothing.
    @Test func anEmptyGeometryHasNoEnvelope() throws {
        #expect(throws: GEOSError.self) { try context.geometry(wkt: "POLYGON EMPTY").envelope() }
    }

    /// Polygons are laid out from their coordinate buffers, not by GEOS's writer: the bytes must
    /// be the ISO WKB that TestSupport builds by the book, Z dropped, parts and holes in order.
    @Test func polygonWKBIsByTheBook() throws {
        // TestSupport closes the rings itself.
        let shell = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
        let hole = [(1.0, 1.0), (1.0, 2.5), (2.0, 2.0)]
        let far = [(10.0, 10.0), (11.25, 10.0), (11.0, 11.0)]
        #expect(try context.geometry(wkt: "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 2.5, 2 2, 1 1))").wkb()
                == Fixture.polygon([shell, hole]))
        #expect(try context.geometry(wkt: "POLYGON Z ((0 0 7, 4 0 7, 4 4 7, 0 4 7, 0 0 7))").wkb() == Fixture.polygon([shell]))
        #expect(try context.geometry(wkt: "MULTIPOLYGON (((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 2.5, 2 2, 1 1)), ((10 10, 11.25 10, 11 11, 10 10)))").wkb()
                == Fixture.multiPolygon([[shell, hole], [far]]))
        // Empty and other geometries still go through GEOS's writer.
        #expect(try context.geometry(wkt: "POLYGON EMPTY").wkb() == [1, 3, 0, 0, 0, 0, 0, 0, 0])
        let point = try context.geometry(wkb: try context.geometry(wkt: "POINT (1.5 2)").wkb())
        #expect(try point.kind == .point && point.envelope() == Envelope(minX: 1.5, minY: 2, maxX: 1.5, maxY: 2))
    }

    @Test func garbageWKBIsAnErrorWithGEOSMessage() {
        #expect(throws: GEOSError.self) { try context.geometry(wkb: [1, 3, 0, 0, 0, 9]) }
        do {
            _ = try context.geometry(wkb: [1, 99, 0, 0, 0])
            Issue.record("expected an error")
        } catch let error as GEOSError {
            #expect(!error.message.isEmpty)
            #expect(error.description.contains("WKB read"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func intersectionOfTwoSquaresIsTheirCommonSquare() throws {
        let a = try context.geometry(wkt: "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0))")
        let b = try context.geometry(wkt: "POLYGON ((2 2, 6 2, 6 6, 2 6, 2 2))")
        let common = try a.intersection(b)
        #expect(try common.envelope() == Envelope(minX: 2, minY: 2, maxX: 4, maxY: 4))
        #expect(try common.polygonRings().first?.count == 10)
    }

    @Test func touchingSquaresIntersectOnlyInALine() throws {
        let a = try context.geometry(wkt: "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))")
        let b = try context.geometry(wkt: "POLYGON ((1 0, 2 0, 2 1, 1 1, 1 0))")
        #expect(try a.intersects(b))
        let line = try a.intersection(b)
        #expect(!line.isPolygonal)
        #expect(try line.polygonalPart().isEmpty)
    }

    @Test func bowTieIsInvalidAndRepairsIntoTwoTriangles() throws {
        let bowTie = try context.geometry(wkt: "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
        #expect(try bowTie.isValid() == false)
        let reason = try #require(try bowTie.invalidityReason())
        #expect(reason.contains("Self-intersection"))
        let fixed = try bowTie.makeValid().polygonalPart()
        #expect(try fixed.isValid())
        #expect(fixed.kind == .multiPolygon)
        #expect(fixed.partCount == 2)
    }

    @Test func borrowedPartOutlivesItsParentVariable() throws {
        var parent: Geometry? = try context.geometry(wkt: "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")
        let second = parent!.part(1)
        parent = nil
        #expect(try second.envelope() == Envelope(minX: 5, minY: 5, maxX: 6, maxY: 6))
        #expect(try second.wkb().count > 0)
    }

    @Test func polygonalPartDropsLinesAndPoints() throws {
        let mixed = try context.geometry(wkt: "GEOMETRYCOLLECTION (POINT (0 0), LINESTRING (0 0, 1 1), POLYGON ((0 0, 1 0, 1 1, 0 0)))")
        let polygons = try mixed.polygonalPart()
        #expect(polygons.kind == .polygon)
    }

    @Test func buildsPolygonsFromCoordinateArraysClosingRings() throws {
        let polygon = try context.polygon(shell: [0, 0, 3, 0, 3, 3, 0, 3], holes: [[1, 1, 2, 1, 2, 2, 1, 2]])
        let rings = try polygon.polygonRings()
        #expect(rings.map(\.count) == [10, 10])
        #expect(try polygon.isValid())
    }

    @Test func clipByRectangleKeepsOnlyTheInside() throws {
        let square = try context.geometry(wkt: "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0))")
        let clipped = try square.clip(to: Envelope(minX: 1, minY: -1, maxX: 2, maxY: 5))
        #expect(try clipped.envelope() == Envelope(minX: 1, minY: 0, maxX: 2, maxY: 4))
    }
}
