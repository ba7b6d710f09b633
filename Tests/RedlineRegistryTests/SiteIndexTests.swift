@testable import RedlineRegistry
import Foundation
import GDALKit
import GEOSKit
import Testing
import TestSupport

/// The merge's in-memory index of open sites: what a box meets, in clue ID order, with sites
/// added and closed as the merge goes, and sites far larger than a cell still found.
@Suite struct SiteIndexTests {
    func square(_ x: Double, _ y: Double, _ side: Double) -> [UInt8] { Fixture.polygon([Fixture.box(x, y, x + side, y + side)]) }

    @Test func aBoxFindsTheOpenSitesItMeetsInIDOrder() {
        var index = SiteIndex()
        index.add(fid: 1, clueID: "C-3", wkb: square(89.001, 45.001, 0.002))
        index.add(fid: 2, clueID: "C-1", wkb: square(89.002, 45.002, 0.002))
        index.add(fid: 3, clueID: "C-2", wkb: square(89.5, 45.5, 0.002))
        // A site spanning hundreds of cells (a large reclaimed field), listed apart.
        index.add(fid: 4, clueID: "C-0", wkb: square(88.0, 44.0, 2.0))
        let probe = Envelope(minX: 89.0025, minY: 45.0025, maxX: 89.0026, maxY: 45.0026)
        #expect(index.candidates(meeting: probe).map(\.clueID) == ["C-0", "C-1", "C-3"])
        // Touching the cell but not the box is no candidate.
        #expect(index.candidates(meeting: Envelope(minX: 89.005, minY: 45.005, maxX: 89.006, maxY: 45.006)).map(\.clueID) == ["C-0"])
        index.close(fid: 2)
        index.add(fid: 5, clueID: "C-9", wkb: square(89.0024, 45.0024, 0.0003))
        #expect(index.candidates(meeting: probe).map(\.clueID) == ["C-0", "C-3", "C-9"], "closed sites drop out, new ones come in")
        #expect(index.candidates(meeting: Envelope(minX: 80, minY: 40, maxX: 100, maxY: 50)).count == 4, "a box over many cells")
    }

    /// The best match is the largest share of the smaller area, not the largest box overlap; a
    /// site inside the patch shares all of itself; equal shares go to the lower clue ID; a site
    /// that only touches, or shares less than the threshold, is no match. Shares by hand, in
    /// units of u = 0.001°: the patch is the square [0, 1]².
    @Test func theBestMatchIsTheLargestShareOfTheSmaller() throws {
        let geos = GEOSContext()
        let u = 0.001, x0 = 89.0, y0 = 45.0
        func polygon(_ points: [(Double, Double)]) -> [UInt8] { Fixture.polygon([points.map { (x0 + $0 * u, y0 + $1 * u) }]) }
        let patch = polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
        // An L of arms 0.3 wide round the patch's south-west: area 1.2·0.3 + 0.3·0.9 = 0.63, its
        // box covers the patch; it shares [0,1]×[0,0.2] and [0,0.2]×[0.2,1]: 0.36, 0.36/0.63 = 0.571.
        let frame = polygon([(-0.1, -0.1), (1.1, -0.1), (1.1, 0.2), (0.2, 0.2), (0.2, 1.1), (-0.1, 1.1)])
        func shifted(_ dx: Double) -> [UInt8] { polygon([(dx, 0), (dx + 1, 0), (dx + 1, 1), (dx, 1)]) }
        func best(_ sites: [(String, [UInt8])], threshold: Double = 0.5) throws -> String? {
            var index = SiteIndex()
            for (fid, (id, wkb)) in sites.enumerated() { index.add(fid: Int64(fid + 1), clueID: id, wkb: wkb) }
            return try index.bestMatch(for: patch, threshold: threshold, at: 0..<index.sites.count, geos: geos)?.site.clueID
        }
        #expect(try best([("L", frame), ("S", shifted(0.35))]) == "S", "0.65 beats the L's 0.571, though its box overlaps less")
        #expect(try best([("L", frame), ("S", shifted(0.45))]) == "L", "0.571 beats 0.55")
        #expect(try best([("L", frame)], threshold: 0.6) == nil, "0.571 is under the threshold")
        let inside = polygon([(0.2, 0.2), (0.4, 0.2), (0.4, 0.4), (0.2, 0.4)])
        #expect(try best([("S", shifted(0.05)), ("I", inside)]) == "I", "a site inside the patch shares all of itself: 1 > 0.95")
        #expect(try best([("C-2", shifted(0.2)), ("C-1", shifted(-0.2))]) == "C-1", "equal shares: the lower ID")
        // A U open to the north (the notch [0.3,0.7]×[0.5,1] cut out) with a tab [1,1.2]×[0,1]:
        // area 1.2 − 0.2 = 1, sharing 0.8 with the patch like C-1's shifted square, but its box
        // covers the patch, so it is tried first; C-1, tried after it, still wins the tie.
        let notched = polygon([(0, 0), (1.2, 0), (1.2, 1), (0.7, 1), (0.7, 0.5), (0.3, 0.5), (0.3, 1), (0, 1)])
        #expect(try best([("C-2", notched), ("C-1", shifted(0.2))]) == "C-1", "a tie goes to the lower ID whatever the order tried")
        // Shares 0.8, 0.8 + 0.6e-9, 0.8 + 1.2e-9: all within 1e-9 of the highest only for the
        // last two, so the lowest of those wins, not a chain of near-ties down to X-1.
        #expect(try best([("X-1", shifted(0.2)), ("X-2", shifted(0.2 - 0.6e-9)), ("X-3", shifted(0.2 - 1.2e-9))]) == "X-2")
        #expect(try best([("T", shifted(1))], threshold: 1e-9) == nil, "touching is not overlapping")
        #expect(WKB.planarArea(of: frame).map { abs($0 / (0.63 * u * u) - 1) < 1e-9 } == true, "the shoelace keeps a small patch's digits at 89°")
    }

    /// The merge reads the registry's open sites by a join of the clues' boxes with the spatial
    /// index: sites under a box come back (with their fids and IDs), a site between the boxes,
    /// far ones and superseded ones do not — and without the index the same sites are found.
    @Test(arguments: ["gpkg", "pg"]) func theRegistryGivesTheOpenSitesUnderTheBoxesOnly(_ kind: String) throws {
        try RegistryFixture.withRegistry(kind, "redline-sites") { registry, _ in
            let layer = try registry.clues(crs: "EPSG:4490")
            // Boxes at x … x+0.004, 45.3 … 45.303.
            for (id, x, supersededBy) in [("S1", 89.30, ""), ("S2", 89.31, ""), ("S3", 89.32, ""), ("S4", 89.30, "S9"), ("S5", 91.0, "")] {
                try RegistryFixture.writeClue(id, x: x, into: layer, lifecycle: [("status", .string("issued")), ("superseded_by", .string(supersededBy))])
            }
            let boxes = [Envelope(minX: 89.302, minY: 45.301, maxX: 89.303, maxY: 45.302), Envelope(minX: 89.3235, minY: 45.30, maxX: 89.33, maxY: 45.31),
                         Envelope(minX: .nan, minY: 45, maxX: 90, maxY: 46)]
            let indexed = try registry.openSites(meeting: boxes)
            #expect(indexed.sites.map(\.clueID).sorted() == ["S1", "S3"], "S2 lies between the boxes, S4 is superseded, S5 is far")
            for site in indexed.sites {
                #expect(try registry.clueToChange(fid: site.fid)?.clue.clueID == site.clueID, "the fid read by the join is the clue's own")
            }
            guard kind == "gpkg" else { return }
            try registry.dataset.executeSQL("SELECT DisableSpatialIndex('registry_clues', 'geom')")
            let whole = try registry.openSites(meeting: boxes)
            #expect(whole.sites.map(\.clueID).sorted() == ["S1", "S2", "S3", "S5"], "without its spatial index every open site is read")
            #expect(Set(boxes.prefix(2).flatMap { whole.candidates(meeting: $0).map(\.clueID) }) == ["S1", "S3"], "and the boxes find the same")
        }
    }

    /// Numbering a clue meets only IDs of its own family (county and quarter), quotes and LIKE's
    /// wildcards in IDs taken literally; an ID without a number is a family of its own.
    @Test func clueIDsAreReadByFamily() throws {
        #expect(Registry.family(of: "652301-2026Q4-000123") == "652301-2026Q4")
        #expect(Registry.family(of: "X'7") == "X'7")
        let folder = TemporaryFolder("redline-ids")
        let registry = try Registry.open(folder.path("registry.gpkg"), create: true)
        let layer = try registry.clues(crs: "EPSG:4490")
        for (index, id) in ["652301-2026Q4-000001", "652301-2026Q4-000002", "652301-2026Q3-000001", "652301_2026Q4-000009",
                            "X'7", "X'7-2", "X'77", "X!'7-1"].enumerated() {
            try RegistryFixture.writeClue(id, x: 89 + Double(index) * 0.01, into: layer, lifecycle: [("status", .string("issued"))])
        }
        var taken = try registry.takenIDs(near: ["652301-2026Q4-000001", "X'7"])
        #expect(taken == ["652301-2026Q4-000001", "652301-2026Q4-000002", "X'7", "X'7-2"])
        #expect(Registry.freeID("652301-2026Q4-000001", taken: &taken) == "652301-2026Q4-000003")
        #expect(Registry.freeID("X'7", taken: &taken) == "X'7-000003", "numbered on from -2, padded as clue numbers are")
    }
}
