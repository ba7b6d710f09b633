import GEOSKit

/// The registry's open sites (clues not superseded) around one extract, held in memory while the
/// extract merges: one read of the registry per extract instead of a spatial query (and an ID
/// lookup) per clue, which made a 100k-patch merge take minutes. A grid of cells rather than an
/// STR tree, because the merge adds sites (new clues) and retires them (rebounds) as it goes.
struct SiteIndex {
    struct Site {
        let fid: Int64
        let clueID: String
        /// The outline the registry holds, WKB in the registry's frame.
        let wkb: [UInt8]
        let box: Envelope
        /// The outline's planar area in the frame's units (a bound for the match, before any
        /// overlay); nil for a collection with lines or points in it, measured by GEOS when met.
        let area: Double?
        /// Its place in `sites`.
        let position: Int
        var open = true
    }

    /// A site a patch overlaps by at least the match threshold, and by how much (of the smaller).
    struct Match {
        let site: Site
        let share: Double

        /// Shares this close are equal: coordinates of 89.xxxxxxx° carry about 1e-11 of a patch's width.
        static let tie = 1e-9

        /// The larger share; between equal shares, the lower clue ID (so ties go the same way every
        /// run). Two best matches of different sets of sites are compared by this.
        func isBetter(than other: Match?) -> Bool {
            guard let other else { return true }
            if share > other.share + Self.tie { return true }
            return share >= other.share - Self.tie && site.clueID < other.site.clueID
        }
    }

    private(set) var sites: [Site] = []
    private var cells: [Cell: [Int]] = [:]
    /// Sites spanning more cells than is worth listing, checked for every query.
    private var large: [Int] = []
    /// Degrees per cell: a few patch widths.
    private static let size = 0.02
    private static let mostCells = 64

    private struct Cell: Hashable {
        let x: Int, y: Int
    }

    mutating func add(fid: Int64, clueID: String, wkb: [UInt8]) {
        guard let box = WKB.envelope(of: wkb) else { return }
        let position = sites.count
        sites.append(Site(fid: fid, clueID: clueID, wkb: wkb, box: box, area: WKB.planarArea(of: wkb), position: position))
        let range = Self.cells(of: box)
        guard range.x.count * range.y.count <= Self.mostCells else { return large.append(position) }
        for x in range.x {
            for y in range.y { cells[Cell(x: x, y: y), default: []].append(position) }
        }
    }

    /// The site with this fid no longer takes re-detections (it was superseded by a rebound).
    mutating func close(fid: Int64) {
        for position in sites.indices where sites[position].fid == fid { sites[position].open = false }
    }

    /// The open sites whose boxes meet `box` (those at `positions` only), in clue ID order.
    func candidates(meeting box: Envelope, at positions: Range<Int> = 0..<Int.max) -> [Site] {
        var found = Set(large)
        let range = Self.cells(of: box)
        if range.x.count * range.y.count <= Self.mostCells * 16 {
            for x in range.x {
                for y in range.y { found.formUnion(cells[Cell(x: x, y: y)] ?? []) }
            }
        } else {
            found = Set(sites.indices)
        }
        return found.filter(positions.contains).map { sites[$0] }.filter { $0.open && $0.box.intersects(box) }.sorted { $0.clueID < $1.clueID }
    }

    /// The open site (of those at `positions`) a patch re-detects: the best match by `threshold`
    /// of the smaller area, measured in the frame's units (a ratio: the projection cancels at
    /// this scale).
    func bestMatch(for wkb: [UInt8], threshold: Double, at positions: Range<Int>, geos: GEOSContext) throws -> Match? {
        guard !positions.isEmpty, let box = WKB.envelope(of: wkb) else { return nil }
        func area(_ wkb: [UInt8], _ planar: Double?) throws -> Double { try planar ?? geos.geometry(wkb: wkb).area() }
        let patchArea = try area(wkb, WKB.planarArea(of: wkb))
        // The common part lies in both boxes, so their overlap bounds the share: candidates are
        // tried from the highest bound down, and the overlays stop once no bound can reach the
        // best share found. The slack covers rounding.
        let ranked = try candidates(meeting: box, at: positions).compactMap { site -> (site: Site, bound: Double, smaller: Double)? in
            let smaller = min(patchArea, try area(site.wkb, site.area))
            guard smaller > 0 else { return nil }
            let bound = box.overlapArea(with: site.box) / smaller * (1 + 1e-9)
            return bound >= threshold ? (site, bound, smaller) : nil
        }.sorted { $0.bound > $1.bound }
        var matches: [Match] = []
        var highest = -Double.infinity
        // Prepared once for the patch's candidates: the plain intersects test ran GEOS's old
        // relate graph for every pair.
        var prepared: PreparedGeometry?
        for (site, bound, smaller) in ranked {
            if bound < highest - Match.tie { break }
            let patch = try prepared ?? PreparedGeometry(try geos.geometry(wkb: wkb))
            prepared = patch
            let share = try Self.overlap(patch, site, geos: geos) / smaller
            guard share >= threshold else { continue }
            matches.append(Match(site: site, share: share))
            highest = max(highest, share)
        }
        // Of the shares equal to the highest, the lowest clue ID: the same whatever the order tried.
        return matches.filter { $0.share >= highest - Match.tie }.min { $0.site.clueID < $1.site.clueID }
    }

    /// The planar area the patch and the site share; no overlay when the site lies inside the patch.
    private static func overlap(_ patch: PreparedGeometry, _ site: Site, geos: GEOSContext) throws -> Double {
        let other = try geos.geometry(wkb: site.wkb)
        guard try patch.intersects(other) else { return 0 }
        if try patch.containsProperly(other) { return try site.area ?? other.area() }
        return try patch.base.intersection(other).area()
    }

    private static func cells(of box: Envelope) -> (x: ClosedRange<Int>, y: ClosedRange<Int>) {
        func cell(_ value: Double) -> Int { Int((value / size).rounded(.down).clamped(to: -1e9...1e9)) }
        return (cell(box.minX)...max(cell(box.minX), cell(box.maxX)), cell(box.minY)...max(cell(box.minY), cell(box.maxY)))
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
