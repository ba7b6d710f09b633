import Foundation
import GDALKit
import RedlineCore

/// A column of an output table. Reals carry their number of decimals, so every format writes the
/// same fixed figures and reruns compare byte for byte.
struct Column {
    enum Kind { case text, integer, real(decimals: Int) }
    let name: String
    let kind: Kind

    /// The value as fixed text: reals with the column's decimals, integers in digits, text as it is.
    func text(_ value: FieldValue) -> FieldValue {
        switch (kind, value) {
        case (.real(let decimals), .real(let number)): return .string(TableWriter.fixed(number, decimals))
        case (_, .integer(let number)): return .string(String(number))
        default: return value
        }
    }
}

/// The columns of clues.csv / the `clues` layer, in their order: one definition for the
/// writers and for every reader (the checklists, the registry).
public enum ClueColumn: String, CaseIterable, Sendable {
    case clueID = "clue_id"
    case activityID = "activity_id"
    case sourceLayer = "source_layer"
    case countyCode = "county_code"
    case countyName = "county_name"
    case period = "period"
    case detectedOn = "detected_on"
    case activityType = "activity_type"
    case activityTypeLabel = "activity_type_label"
    case activityTypeInData = "activity_type_in_data"
    case verdict = "verdict"
    case verdictLabel = "verdict_label"
    case severity = "severity"
    case severityLabel = "severity_label"
    case ruleID = "rule_id"
    case reasonZh = "reason_zh"
    case reasonEn = "reason_en"
    case placement = "placement"
    case distanceM = "distance_m"
    case overlapM2 = "overlap_m2"
    case overlapHa = "overlap_ha"
    case overlapMu = "overlap_mu"
    case patchM2 = "patch_m2"
    case patchHa = "patch_ha"
    case shareInside = "share_inside"
    case strictestZone = "strictest_zone"
    case strictestZoneLabel = "strictest_zone_label"
    case protectedCount = "protected_count"
    case protectedIDs = "protected_ids"
    case protectedNames = "protected_names"
    case centroidLon = "centroid_lon"
    case centroidLat = "centroid_lat"
    case countyShare = "county_share"
    case straddlesBorder = "straddles_border"
    case otherCounties = "other_counties"
    case repaired = "repaired"

    var kind: Column.Kind {
        switch self {
        case .distanceM: .real(decimals: 1)
        case .overlapM2, .overlapMu, .patchM2: .real(decimals: 2)
        case .overlapHa, .patchHa, .shareInside, .countyShare: .real(decimals: 4)
        case .protectedCount, .straddlesBorder, .repaired: .integer
        case .centroidLon, .centroidLat: .real(decimals: 7)
        default: .text
        }
    }
}

/// The columns of clues.csv / the `clues` layer, and of overlaps.csv / the `overlaps` layer,
/// and how a clue fills them.
public struct ClueTables {
    let plan: CheckPlan
    /// The union of the activity layers' attribute names, in first-seen order.
    let attributeColumns: [String]
    /// For each activity layer, the attribute column each of its fields goes to.
    private let attributeSlots: [[Int]]

    static let clueColumns: [Column] = ClueColumn.allCases.map { Column(name: $0.rawValue, kind: $0.kind) }

    static let overlapColumns: [Column] = [
        Column(name: "clue_id", kind: .text), Column(name: "activity_id", kind: .text),
        Column(name: "source_layer", kind: .text),
        Column(name: "protected_id", kind: .text), Column(name: "protected_name", kind: .text),
        Column(name: "kind", kind: .text), Column(name: "zone", kind: .text), Column(name: "zone_label", kind: .text),
        Column(name: "zone_in_data", kind: .text), Column(name: "protected_layer", kind: .text),
        Column(name: "valid_from", kind: .text), Column(name: "valid_to", kind: .text),
        Column(name: "verdict", kind: .text), Column(name: "severity", kind: .text), Column(name: "rule_id", kind: .text),
        Column(name: "overlap_m2", kind: .real(decimals: 2)), Column(name: "overlap_ha", kind: .real(decimals: 4)),
        Column(name: "overlap_mu", kind: .real(decimals: 2)), Column(name: "share_of_patch", kind: .real(decimals: 4)),
    ]

    /// The names of the clue columns, before the patches' own attributes.
    public static var clueColumnNames: [String] { clueColumns.map(\.name) }

    public init(plan: CheckPlan) {
        self.plan = plan
        let reserved = Set(Self.clueColumns.map { $0.name.lowercased() })
        var columns: [String] = []
        var slotByKey: [String: Int] = [:]
        attributeSlots = plan.activityLayers.map { layer in
            layer.fields.map { field in
                let key = field.name.lowercased()
                if let slot = slotByKey[key] { return slot }
                slotByKey[key] = columns.count
                columns.append(reserved.contains(key) ? "attr_\(field.name)" : field.name)
                return columns.count - 1
            }
        }
        attributeColumns = columns
    }

    var clueSchema: [Column] { Self.clueColumns + attributeColumns.map { Column(name: $0, kind: .text) } }

    func clueRow(_ clue: Clue) -> [FieldValue] {
        let areas = (clue.nearBoundary.map { [$0.area] } ?? clue.overlaps.map(\.area)).map { plan.index.areas[$0] }
        let judgement = clue.judgement
        let county = clue.county
        var row: [FieldValue] = [
            .string(clue.clueID), .string(clue.patch.activityID), .string(plan.activityLayers[clue.patch.layer].label),
            .string(clue.countyCode), county.map { .string($0.county.name) } ?? .null,
            .string(clue.period), clue.detectedOn.map { .string("\($0)") } ?? .null,
            .string(clue.activityType), .string(plan.settings.rules.label(ofActivity: clue.activityType)),
            clue.patch.activityTypeText.map(FieldValue.string) ?? .null,
            .string(judgement.verdict.rawValue), .string(judgement.verdict.label),
            .string(judgement.severity.rawValue), .string(judgement.severity.label),
            .string(judgement.ruleID), .string(judgement.reasonZH), .string(judgement.reasonEN),
            .string(clue.nearBoundary == nil ? "inside" : "near"), clue.nearBoundary.map { .real($0.distanceM) } ?? .null,
            .real(clue.overlapM2), .real(clue.overlapHectares), .real(clue.overlapMu),
            .real(clue.patchAreaM2), .real(clue.patchAreaM2 / 10_000), .real(clue.share),
            .string(clue.strictestZone.rawValue), .string(clue.strictestZone.label),
            .integer(Int64(areas.count)), .string(areas.map(\.protectedID).joined(separator: "; ")),
            .string(uniqueInOrder(areas.map(\.name)).joined(separator: "; ")),
            .real(clue.centroidLon), .real(clue.centroidLat),
            county.map { .real($0.share) } ?? .null, .integer(county?.straddles == true ? 1 : 0),
            .string(county?.others.joined(separator: "; ") ?? ""),
            .integer(clue.repaired ? 1 : 0),
        ]
        var attributes = [FieldValue](repeating: .null, count: attributeColumns.count)
        for (field, value) in clue.patch.attributes.enumerated() {
            if let value { attributes[attributeSlots[clue.patch.layer][field]] = .string(value) }
        }
        row += attributes
        return row
    }

    /// The clue columns (not the patch's attributes) by name, as clues.csv writes them.
    public func clueTextRow(_ clue: Clue) -> [(String, FieldValue)] {
        zip(Self.clueColumns, clueRow(clue)).map { ($0.name, $0.text($1)) }
    }

    func overlapRows(_ clue: Clue) -> [(row: [FieldValue], wkb: [UInt8])] {
        clue.overlaps.map { overlap in
            let area = plan.index.areas[overlap.area]
            let row: [FieldValue] = [
                .string(clue.clueID), .string(clue.patch.activityID), .string(plan.activityLayers[clue.patch.layer].label),
                .string(area.protectedID), .string(area.name), .string(area.kind.description),
                .string(area.zone.rawValue), .string(area.zone.label), .string(area.zoneText), .string(area.layer),
                area.validity.from.map { .string("\($0)") } ?? .null, area.validity.to.map { .string("\($0)") } ?? .null,
                .string(overlap.judgement.verdict.rawValue), .string(overlap.judgement.severity.rawValue),
                .string(overlap.judgement.ruleID),
                .real(overlap.overlapM2), .real(overlap.overlapM2 / 10_000), .real(overlap.overlapM2 / squareMetresPerMu),
                .real(clue.patchAreaM2 > 0 ? min(1, overlap.overlapM2 / clue.patchAreaM2) : 0),
            ]
            return (row, overlap.wkb)
        }
    }

    private func uniqueInOrder(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// A layer being written, with its columns: rounds reals to their decimals, and for text-only
/// formats (CSV) writes every value as fixed text.
final class TableWriter {
    let layer: VectorLayer
    let columns: [Column]
    let allText: Bool
    let geometry: Bool

    init(dataset: VectorDataset, name: String, columns: [Column], crs: String?, geometry: Bool, allText: Bool,
         options: [String] = []) throws {
        layer = try dataset.createLayer(name, crs: geometry ? crs : nil,
                                        geometry: geometry ? .multiPolygon : .none, options: options)
        self.columns = columns
        self.allText = allText
        self.geometry = geometry
        for column in columns {
            switch (column.kind, allText) {
            case (.text, _), (_, true): try layer.createField(column.name, kind: .string)
            case (.integer, false): try layer.createField(column.name, kind: .integer)
            case (.real(let decimals), false): try layer.createField(column.name, kind: .real, width: 24, precision: decimals)
            }
        }
    }

    func write(_ row: [FieldValue], wkb: [UInt8]? = nil) throws {
        let values = zip(columns, row).map { column, value -> FieldValue in
            guard allText else {
                guard case .real(let decimals) = column.kind, case .real(let number) = value else { return value }
                return .real(Self.round(number, decimals))
            }
            // Text for a spreadsheet must not start a formula.
            if case .string(let text) = value { return .string(SafeText.cell(text)) }
            return column.text(value)
        }
        try layer.write(values, wkb: geometry ? wkb : nil, promoteToMulti: geometry)
    }

    static func round(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }

    /// `value` with exactly `decimals` digits after the point, rounded as `round` rounds (so the
    /// CSV and the GeoPackage show the same figure). Integer arithmetic: printf-style formatting
    /// was a visible share of writing a large CSV.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        let scale = pow(10, Double(decimals))
        let scaled = (abs(value) * scale).rounded()
        guard scaled.isFinite, scaled < 9e15 else { return String(format: "%.\(decimals)f", round(value, decimals)) }
        let units = UInt64(scaled), divisor = UInt64(scale)
        let sign = value < 0 && units > 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(units) }
        let fraction = String(units % divisor)
        return sign + String(units / divisor) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
