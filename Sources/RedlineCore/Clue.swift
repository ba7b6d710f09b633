/// The part of one activity patch that lies in one protected area.
public struct Overlap: Sendable {
    /// Index of the protected area in `ProtectedIndex.areas`.
    public let area: Int
    /// Geodesic square metres of the patch inside that area.
    public let overlapM2: Double
    /// The overlap polygon(s), WKB in the working frame.
    public let wkb: [UInt8]
    /// What the rules say about this patch's activity in this area.
    public let judgement: Judgement
}

/// A patch outside every protected area but within `--near` metres of one.
public struct NearBoundary: Sendable {
    /// Index of the nearest protected area.
    public let area: Int
    /// Geodesic metres from the patch to it.
    public let distanceM: Double
}

/// A patch that overlaps protection, or lies near it: the lead a field team will go and verify.
public struct Clue: Sendable {
    /// Set by the delivery once the county and period are known: `652325-2026Q3-004217`.
    public internal(set) var clueID: String
    public let patch: ActivityPatch
    /// The canonical activity type (`RuleBook.activityTypes`), or "unknown".
    public let activityType: String
    public let detectedOn: CalendarDay?
    /// The period the clue belongs to, e.g. 2026Q3.
    public let period: String
    /// The patch's area in square metres (after any repair).
    public let patchAreaM2: Double
    /// The area of the patch inside any protected polygon, each place counted once even where a
    /// red line and a reserve overlap; 0 for a clue near the boundary.
    public let overlapM2: Double
    public let strictestZone: Zone
    public let centroidLon: Double
    public let centroidLat: Double
    /// The patch polygon, WKB in the working frame.
    public let patchWKB: [UInt8]
    /// One per protected area touched, in index order; none for a clue near the boundary.
    public let overlaps: [Overlap]
    public let repaired: Bool
    /// The worst judgement among the overlaps (or the near-boundary one).
    public let judgement: Judgement
    /// Set when the patch is outside but within `--near` metres.
    public let nearBoundary: NearBoundary?
    /// Nil without a county layer, or when the patch lies outside every county.
    public let county: CountyAssignment?

    /// Share of the patch inside protection, 0...1.
    public var share: Double { patchAreaM2 > 0 ? min(1, overlapM2 / patchAreaM2) : 0 }
    public var overlapHectares: Double { overlapM2 / 10_000 }
    public var overlapMu: Double { overlapM2 / squareMetresPerMu }
    /// The same clue under another ID (the registry's, when it merges or renumbers).
    public func withID(_ id: String) -> Clue {
        var copy = self
        copy.clueID = id
        return copy
    }

    /// The county code used in the clue ID: 000000 when no county holds the clue.
    public var countyCode: String { county?.county.code ?? ClueNumbering.noCounty }
}

/// Gives clues their IDs, `county-period-sequence` (652325-2026Q3-004217), as they are delivered.
///
/// The sequence is not a counter: it comes from a hash of what the patch is — its own activity id
/// — so the same patch gets the same number on every run, in any input order, whatever its file
/// or layer is called (a shapefile's layer name is its file name: day1.shp and day1_final.shp
/// must agree) and however a format rounds or reprojects its coordinates, and a new patch does
/// not renumber the others. (A grid cell of the centroid was tried beside the id, and the demo's
/// round coordinates sat on cell edges.) A patch without its own id (none in the data, or empty)
/// is known by its centroid, to 1e-6° (about 0.1 m): a feature number differs between formats.
/// The same id twice in one county and period is a repeat: counted, warned about, numbered in
/// input order. Two patches of one county and period whose hashes
/// meet take the next free numbers in input order — with six digits that is rare (about 1 in
/// 200 for 100 clues).
public struct ClueNumbering {
    static let noCounty = "000000"
    static let slots: UInt64 = 999_999

    private var taken: [String: Set<UInt64>] = [:]
    private var occurrences: [String: Int] = [:]
    /// Clues whose patch came again: the same activity id in one county and period.
    private(set) var repeatedActivityIDs = 0
    /// Clues whose number was taken by another's and moved on.
    private(set) var collisions = 0

    public init() {}

    public mutating func assign(_ clue: Clue) -> String {
        var key = clue.patch.hasOwnID ? clue.patch.activityID
            : "\u{1F}\(Self.micro(clue.centroidLon))\u{1F}\(Self.micro(clue.centroidLat))"
        let seen = occurrences[key, default: 0] + 1
        occurrences[key] = seen
        if seen > 1 {
            repeatedActivityIDs += 1
            key += "\u{1F}\(seen)"
        }
        let prefix = "\(clue.countyCode)-\(clue.period)"
        var number = StableID.fnv1a(key) % Self.slots + 1
        while taken[prefix, default: []].contains(number) {
            collisions += 1
            number = number % Self.slots + 1
        }
        taken[prefix, default: []].insert(number)
        let digits = String(number)
        return "\(prefix)-\(String(repeating: "0", count: 6 - digits.count))\(digits)"
    }
}

extension ClueNumbering {
    /// A coordinate in millionths of a degree: two patches a metre apart differ.
    static func micro(_ degrees: Double) -> Int64 { degrees.isFinite ? Int64((degrees * 1e6).rounded()) : 0 }
}

/// Stable identifiers derived from content, so reruns of the same input agree.
public enum StableID {
    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 { fnv1a(bytes: text.utf8) }

    /// 64-bit FNV-1a of the bytes.
    public static func fnv1a(bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
