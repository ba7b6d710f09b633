import GDALKit

/// A human-activity patch from change detection, as read from its source: attributes as text,
/// geometry as WKB in the source's own CRS.
public struct ActivityPatch: Sendable {
    /// Position in the whole input (all sources, in order): fixes the order of every output.
    public let sequence: Int
    /// Index of its layer among the activity layers.
    public let layer: Int
    public let fid: Int64?
    public let activityID: String
    public let attributes: [String?]
    public let geometry: FeatureGeometry
}

/// What to do with a patch whose geometry is invalid (self-intersecting, say).
public enum InvalidPolicy: String, Sendable, CaseIterable {
    /// Repair with GEOS MakeValid and count it.
    case repair
    /// Leave it out and count it.
    case skip
    /// Stop the run with an error naming it.
    case fail
}

/// Why a feature was left out of the check.
public enum SkipReason: String, Sendable, CaseIterable, Comparable {
    case missingGeometry = "missing_geometry"
    case emptyGeometry = "empty_geometry"
    case notPolygon = "not_polygon"
    case invalid = "invalid"
    case collapsed = "collapsed_on_repair"
    case untransformable = "outside_crs_domain"
    case unreadable = "unreadable_geometry"

    init(_ geometry: FeatureGeometry) {
        switch geometry {
        case .missing: self = .missingGeometry
        case .empty: self = .emptyGeometry
        case .polygonal: self = .unreadable
        case .other: self = .notPolygon
        }
    }

    public static func < (lhs: SkipReason, rhs: SkipReason) -> Bool { lhs.rawValue < rhs.rawValue }
}
