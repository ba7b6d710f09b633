@testable import RedlineRegistry
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
}
