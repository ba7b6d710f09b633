/// The part of one activity patch that lies in one protected area.
public struct Overlap: Sendable {
    /// Index of the protected area in `ProtectedIndex.areas`.
    public let area: Int
    /// Geodesic square metres of the patch inside that area.
    public let overlapM2: Double
    /// The overlap polygon(s), WKB in the working frame.
    public let wkb: [UInt8]
}

/// A patch that overlaps protection: the lead a field team will go and verify.
public struct Clue: Sendable {
    /// Set by the engine from the patch's layer and id; the delivery makes it unique when the data
    /// repeats an activity id.
    public internal(set) var clueID: String
    public let patch: ActivityPatch
    /// The patch's area in square metres (after any repair).
    public let patchAreaM2: Double
    /// The area of the patch inside any protected polygon, each place counted once even where a
    /// red line and a reserve overlap.
    public let overlapM2: Double
    public let strictestZone: Zone
    public let centroidLon: Double
    public let centroidLat: Double
    /// The patch polygon, WKB in the working frame.
    public let patchWKB: [UInt8]
    /// One per protected area touched, in index order.
    public let overlaps: [Overlap]
    public let repaired: Bool

    /// Share of the patch inside protection, 0...1.
    public var share: Double { patchAreaM2 > 0 ? min(1, overlapM2 / patchAreaM2) : 0 }
    public var overlapHectares: Double { overlapM2 / 10_000 }
    public var overlapMu: Double { overlapM2 / squareMetresPerMu }
}

/// Stable, short identifiers derived from content, so reruns of the same input agree.
public enum StableID {
    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// "RL-" and 12 hex digits of the hash of the patch's layer ("file:layer", no folder) and its
    /// activity id.
    public static func clueID(layerKey: String, activityID: String) -> String {
        let hex = String(fnv1a("\(layerKey)\u{1F}\(activityID)") >> 16, radix: 16, uppercase: true)
        return "RL-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }
}
