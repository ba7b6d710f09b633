import GDALKit
import GEOSKit

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
    /// The activity type as the data wrote it (采矿, mining, …), if the layer has such a field.
    public let activityTypeText: String?
    /// The detection date as written, and the field it came from.
    public let detectedText: String?
    public let detectedField: String?
    /// Whether `activityID` is the data's own (not a feature number or a made-up `noid-`).
    public let hasOwnID: Bool

    public init(sequence: Int, layer: Int, fid: Int64?, activityID: String, attributes: [String?],
                geometry: FeatureGeometry, activityTypeText: String? = nil, detectedText: String? = nil,
                detectedField: String? = nil, hasOwnID: Bool = true) {
        self.hasOwnID = hasOwnID
        self.sequence = sequence
        self.layer = layer
        self.fid = fid
        self.activityID = activityID
        self.attributes = attributes
        self.geometry = geometry
        self.activityTypeText = activityTypeText
        self.detectedText = detectedText
        self.detectedField = detectedField
    }
}

/// Field options for reading activity layers.
public struct ActivityFields: Sendable {
    public var id: String?
    public var type: String?
    public var detected: String?

    public init(id: String? = nil, type: String? = nil, detected: String? = nil) {
        self.id = id
        self.type = type
        self.detected = detected
    }

    static let idDefaults = ["activity_id", "patch_id", "tbbh", "图斑编号", "id", "bsm", "标识码", "objectid"]
    static let typeDefaults = ["activity_type", "activity", "类型", "活动类型", "图斑类型", "hdlx", "tblx", "type", "lx",
                               "category", "class"]
    static let detectedDefaults = ["detected", "detected_on", "detection_date", "detect_date", "监测日期", "发现日期",
                                   "检测日期", "后时相", "hsx", "after_date", "image_date", "jcrq", "date"]
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

/// A feature's geometry after the invalid-geometry policy.
enum PolicyOutcome {
    /// Polygons, valid; `repaired` when MakeValid made them so.
    case usable(Geometry, repaired: Bool)
    case skipped(SkipReason)
    /// Invalid under `--invalid fail`, with GEOS's reason.
    case rejected(reason: String)
}

extension InvalidPolicy {
    /// Keeps the polygons of `geometry` and applies the policy if they are invalid.
    func apply(to geometry: Geometry) throws -> PolicyOutcome {
        let polygons = try geometry.polygonalPart()
        guard !polygons.isEmpty else { return .skipped(.notPolygon) }
        guard let reason = try polygons.invalidityReason() else { return .usable(polygons, repaired: false) }
        switch self {
        case .fail:
            return .rejected(reason: reason)
        case .skip:
            return .skipped(.invalid)
        case .repair:
            let fixed = try polygons.makeValid().polygonalPart()
            return fixed.isEmpty ? .skipped(.collapsed) : .usable(fixed, repaired: true)
        }
    }
}

/// Why a feature was left out of the check.
public enum SkipReason: String, Sendable, CaseIterable, Comparable {
    case missingGeometry = "missing_geometry"
    case emptyGeometry = "empty_geometry"
    case notPolygon = "not_polygon"
    case invalid = "invalid"
    case collapsed = "collapsed_on_repair"
    case untransformable = "outside_crs_domain"
    case nonFinite = "non_finite_coordinate"
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

    /// What it means, for the warning that names the features left out.
    var explanation: String {
        switch self {
        case .missingGeometry: "no geometry"
        case .emptyGeometry: "an empty geometry"
        case .notPolygon: "points or lines, not polygons"
        case .invalid: "an invalid polygon (--invalid skip)"
        case .collapsed: "a polygon that repair reduced to nothing"
        case .untransformable: "coordinates the layer's CRS cannot place on the earth"
        case .nonFinite: "a NaN or infinite coordinate"
        case .unreadable: "a geometry GEOS cannot read"
        }
    }
}
