import GEOSKit

/// The registry's open sites (clues not superseded) around one extract, held in memory while the
/// extract merges: one read of the registry per extract instead of a spatial query (and an ID
/// lookup) per clue, which made a 100k-patch merge take minutes. A grid of cells rather than an
/// STR tree, because the merge adds sites (new clues) and retires them (rebounds) as it goes.
struct SiteIndex {
    struct Site {
        let fid: Int64
        let clueID: String
        /// The first detection's outline, WKB in the registry's frame.
        let wkb: [UInt8]
        let box: Envelope
        var open = true
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
        sites.append(Site(fid: fid, clueID: clueID, wkb: wkb, box: box))
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

    /// The open sites whose boxes meet `box`, in clue ID order (so ties go the same way every run).
    func candidates(meeting box: Envelope) -> [Site] {
        var found = Set(large)
        let range = Self.cells(of: box)
        if range.x.count * range.y.count <= Self.mostCells * 16 {
            for x in range.x {
                for y in range.y { found.formUnion(cells[Cell(x: x, y: y)] ?? []) }
            }
        } else {
            found = Set(sites.indices)
        }
        return found.map { sites[$0] }.filter { $0.open && $0.box.intersects(box) }.sorted { $0.clueID < $1.clueID }
    }

    private static func cells(of box: Envelope) -> (x: ClosedRange<Int>, y: ClosedRange<Int>) {
        func cell(_ value: Double) -> Int { Int((value / size).rounded(.down).clamped(to: -1e9...1e9)) }
        return (cell(box.minX)...max(cell(box.minX), cell(box.maxX)), cell(box.minY)...max(cell(box.minY), cell(box.maxY)))
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
