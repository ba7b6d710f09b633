import Foundation
import GDALKit
import RedlineCore

/// Whether a clue's patch lies in protection or only near it.
public enum CluePlacement: String, Sendable {
    case inside, near
}

/// One clue as the check's tables hold it: every `ClueColumn`, typed. It is what clues.csv,
/// clues.gpkg and clues.geojson are written from, what the checklists read back from
/// clues.gpkg, and the check's part of a registry row — one definition for all of them.
public struct ClueRecord: Sendable, Equatable {
    public var clueID: String
    public var activityID: String
    public var sourceLayer: String
    /// 000000 when no county holds the clue.
    public var countyCode: String
    public var countyName: String?
    public var period: String
    public var detectedOn: CalendarDay?
    public var activityType: String
    public var activityTypeLabel: String
    /// The value in the data the activity type was read from.
    public var activityTypeInData: String?
    public var verdict: Verdict
    public var verdictLabel: String
    public var severity: Severity
    public var severityLabel: String
    public var ruleID: String
    public var reasonZh: String
    public var reasonEn: String
    public var placement: CluePlacement
    /// Geodesic metres to the nearest protected area, for a clue near it.
    public var distanceM: Double?
    public var overlapM2: Double
    public var overlapHa: Double
    public var overlapMu: Double
    public var patchM2: Double
    public var patchHa: Double
    public var shareInside: Double
    public var strictestZone: Zone
    public var strictestZoneLabel: String
    public var protectedIDs: [String]
    public var protectedNames: [String]
    public var centroidLon: Double
    public var centroidLat: Double
    /// Share of the clue in its county; nil without one.
    public var countyShare: Double?
    public var straddlesBorder: Bool
    public var otherCounties: [String]
    public var repaired: Bool

    /// The value of one column, as the writers take it (reals unrounded: each format rounds them
    /// to the column's decimals).
    public func value(_ column: ClueColumn) -> FieldValue {
        func text(_ value: String?) -> FieldValue { value.map(FieldValue.string) ?? .null }
        func list(_ values: [String]) -> FieldValue { .string(values.joined(separator: Self.separator)) }
        func flag(_ value: Bool) -> FieldValue { .integer(value ? 1 : 0) }
        switch column {
        case .clueID: return .string(clueID)
        case .activityID: return .string(activityID)
        case .sourceLayer: return .string(sourceLayer)
        case .countyCode: return .string(countyCode)
        case .countyName: return text(countyName)
        case .period: return .string(period)
        case .detectedOn: return text(detectedOn.map { "\($0)" })
        case .activityType: return .string(activityType)
        case .activityTypeLabel: return .string(activityTypeLabel)
        case .activityTypeInData: return text(activityTypeInData)
        case .verdict: return .string(verdict.rawValue)
        case .verdictLabel: return .string(verdictLabel)
        case .severity: return .string(severity.rawValue)
        case .severityLabel: return .string(severityLabel)
        case .ruleID: return .string(ruleID)
        case .reasonZh: return .string(reasonZh)
        case .reasonEn: return .string(reasonEn)
        case .placement: return .string(placement.rawValue)
        case .distanceM: return distanceM.map(FieldValue.real) ?? .null
        case .overlapM2: return .real(overlapM2)
        case .overlapHa: return .real(overlapHa)
        case .overlapMu: return .real(overlapMu)
        case .patchM2: return .real(patchM2)
        case .patchHa: return .real(patchHa)
        case .shareInside: return .real(shareInside)
        case .strictestZone: return .string(strictestZone.rawValue)
        case .strictestZoneLabel: return .string(strictestZoneLabel)
        case .protectedCount: return .integer(Int64(protectedIDs.count))
        case .protectedIDs: return list(protectedIDs)
        case .protectedNames: return list(protectedNames)
        case .centroidLon: return .real(centroidLon)
        case .centroidLat: return .real(centroidLat)
        case .countyShare: return countyShare.map(FieldValue.real) ?? .null
        case .straddlesBorder: return flag(straddlesBorder)
        case .otherCounties: return list(otherCounties)
        case .repaired: return flag(repaired)
        }
    }

    /// Every column's value, in column order.
    public var values: [FieldValue] { ClueColumn.allCases.map(value) }

    /// One column as clues.csv shows it: reals with the column's decimals, "" for none.
    public func text(_ column: ClueColumn) -> String {
        switch column.column.text(value(column)) {
        case .string(let text): return text
        case .null: return ""
        case .real(let number): return "\(number)"
        case .integer(let number): return String(number)
        }
    }

    /// One column as text (as clues.csv shows it), null where there is no value: how the registry
    /// keeps the check's columns.
    public func textValue(_ column: ClueColumn) -> FieldValue {
        value(column) == .null ? .null : .string(text(column))
    }

    /// Lists (protected IDs and names, other counties) are kept in one text column, joined so.
    static let separator = "; "

    /// Reads a record from a table's text values (clues.gpkg, a registry row): `text` gives a
    /// column's value, nil or "" for none. A value that is not what its column holds is refused
    /// naming the table, the clue and the column: a damaged row must not become a milder clue.
    public init(table: String, text: (ClueColumn) -> String?) throws {
        let clueID = text(.clueID) ?? ""
        func bad(_ column: ClueColumn, _ value: String) -> RedlineError {
            .unreadableFile(path: table, reason: "clue \(clueID.isEmpty ? "(no id)" : clueID): \(column.rawValue) "
                            + "“\(value)” is not \(column.expected) — the file was changed or damaged; rerun the check that made it")
        }
        func string(_ column: ClueColumn) -> String { text(column) ?? "" }
        func optional(_ column: ClueColumn) -> String? { text(column).flatMap { $0.isEmpty ? nil : $0 } }
        func parsed<T>(_ column: ClueColumn, _ parse: (String) -> T?) throws -> T? {
            guard let value = optional(column) else { return nil }
            guard let result = parse(value) else { throw bad(column, value) }
            return result
        }
        func required<T>(_ column: ClueColumn, _ parse: (String) -> T?) throws -> T {
            guard let result = try parsed(column, parse) else { throw bad(column, "") }
            return result
        }
        func number(_ column: ClueColumn) throws -> Double { try required(column, Self.finite) }
        func list(_ column: ClueColumn) -> [String] {
            string(column).components(separatedBy: Self.separator).filter { !$0.isEmpty }
        }
        func flag(_ column: ClueColumn) throws -> Bool { try parsed(column, Self.flag) ?? false }

        self.clueID = clueID
        activityID = string(.activityID)
        sourceLayer = string(.sourceLayer)
        countyCode = string(.countyCode)
        countyName = optional(.countyName)
        period = string(.period)
        detectedOn = try parsed(.detectedOn, CalendarDay.init(text:))
        activityType = string(.activityType)
        activityTypeLabel = string(.activityTypeLabel)
        activityTypeInData = optional(.activityTypeInData)
        verdict = try required(.verdict, Verdict.init(rawValue:))
        verdictLabel = string(.verdictLabel)
        severity = try required(.severity, Severity.init(rawValue:))
        severityLabel = string(.severityLabel)
        ruleID = string(.ruleID)
        reasonZh = string(.reasonZh)
        reasonEn = string(.reasonEn)
        placement = try required(.placement, CluePlacement.init(rawValue:))
        distanceM = try parsed(.distanceM, Self.finite)
        overlapM2 = try number(.overlapM2)
        overlapHa = try number(.overlapHa)
        overlapMu = try number(.overlapMu)
        patchM2 = try number(.patchM2)
        patchHa = try number(.patchHa)
        shareInside = try number(.shareInside)
        strictestZone = try required(.strictestZone, Zone.init(rawValue:))
        strictestZoneLabel = string(.strictestZoneLabel)
        protectedIDs = list(.protectedIDs)
        protectedNames = list(.protectedNames)
        centroidLon = try number(.centroidLon)
        centroidLat = try number(.centroidLat)
        countyShare = try parsed(.countyShare, Self.finite)
        straddlesBorder = try flag(.straddlesBorder)
        otherCounties = list(.otherCounties)
        repaired = try flag(.repaired)
    }

    init(clueID: String, activityID: String, sourceLayer: String, countyCode: String, countyName: String?, period: String,
         detectedOn: CalendarDay?, activityType: String, activityTypeLabel: String, activityTypeInData: String?,
         judgement: Judgement, placement: CluePlacement, distanceM: Double?, overlapM2: Double, patchM2: Double,
         strictestZone: Zone, protectedIDs: [String], protectedNames: [String], centroidLon: Double, centroidLat: Double,
         county: CountyAssignment?, repaired: Bool) {
        self.clueID = clueID
        self.activityID = activityID
        self.sourceLayer = sourceLayer
        self.countyCode = countyCode
        self.countyName = countyName
        self.period = period
        self.detectedOn = detectedOn
        self.activityType = activityType
        self.activityTypeLabel = activityTypeLabel
        self.activityTypeInData = activityTypeInData
        verdict = judgement.verdict
        verdictLabel = judgement.verdict.label
        severity = judgement.severity
        severityLabel = judgement.severity.label
        ruleID = judgement.ruleID
        reasonZh = judgement.reasonZH
        reasonEn = judgement.reasonEN
        self.placement = placement
        self.distanceM = distanceM
        self.overlapM2 = overlapM2
        overlapHa = overlapM2 / 10_000
        overlapMu = overlapM2 / squareMetresPerMu
        self.patchM2 = patchM2
        patchHa = patchM2 / 10_000
        shareInside = patchM2 > 0 ? min(1, overlapM2 / patchM2) : 0
        self.strictestZone = strictestZone
        strictestZoneLabel = strictestZone.label
        self.protectedIDs = protectedIDs
        self.protectedNames = protectedNames
        self.centroidLon = centroidLon
        self.centroidLat = centroidLat
        countyShare = county?.share
        straddlesBorder = county?.straddles == true
        otherCounties = county?.others ?? []
        self.repaired = repaired
    }

    /// This record with the activity and judgement of `latest` (a worse detection of the same site).
    public func judged(as latest: ClueRecord) -> ClueRecord {
        var raised = self
        raised.activityType = latest.activityType
        raised.activityTypeLabel = latest.activityTypeLabel
        raised.activityTypeInData = latest.activityTypeInData
        raised.verdict = latest.verdict
        raised.verdictLabel = latest.verdictLabel
        raised.severity = latest.severity
        raised.severityLabel = latest.severityLabel
        raised.ruleID = latest.ruleID
        raised.reasonZh = latest.reasonZh
        raised.reasonEn = latest.reasonEn
        return raised
    }

    /// What the registry shows for a site detected again: the latest detection's figures, under
    /// this clue's ID, first patch ID and layer, county, period and first detection date, and
    /// never a milder judgement than this one.
    public func remeasured(as latest: ClueRecord) -> ClueRecord {
        var shown = latest.severity < severity ? latest.judged(as: self) : latest
        shown.clueID = clueID
        shown.activityID = activityID
        shown.sourceLayer = sourceLayer
        shown.countyCode = countyCode
        shown.countyName = countyName
        shown.period = period
        shown.detectedOn = detectedOn
        return shown
    }

    private static func finite(_ text: String) -> Double? { Double(text).flatMap { $0.isFinite ? $0 : nil } }

    private static func flag(_ text: String) -> Bool? {
        switch text {
        case "1": true
        case "0": false
        default: nil
        }
    }
}

extension ClueColumn {
    /// What a value of the column must be, for error messages.
    var expected: String {
        switch self {
        case .detectedOn: "a date (YYYY-MM-DD)"
        case .verdict: "one of " + Verdict.allCases.map(\.rawValue).joined(separator: ", ")
        case .severity: "one of " + Severity.allCases.map(\.rawValue).joined(separator: ", ")
        case .placement: "inside or near"
        case .strictestZone: "one of " + Zone.allCases.map(\.rawValue).joined(separator: ", ")
        case .straddlesBorder, .repaired: "0 or 1"
        default: "a number"
        }
    }
}

/// One row of a table holding clues, as read back: the clue's record, the row's other columns
/// by name (the patch's attributes in clues.gpkg, the lifecycle in the registry) and its polygon.
public struct ClueRow: Sendable {
    public let record: ClueRecord
    public let others: [String: String]
    /// The patch polygon, WKB in the table's CRS.
    public let wkb: [UInt8]?
    public let fid: Int64

    public var clueID: String { record.clueID }
    /// One clue column as clues.csv shows it.
    public subscript(_ column: ClueColumn) -> String { record.text(column) }
    /// One of the other columns, "" when absent or null.
    public subscript(other name: String) -> String { others[name] ?? "" }

    /// One feature of a table whose fields are `names` (every clue column among them).
    public init(_ feature: Feature, names: [String], table: String) throws {
        var values: [String: String] = [:]
        for (index, name) in names.enumerated() { values[name] = feature.text(index) ?? "" }
        record = try ClueRecord(table: table) { values[$0.rawValue] }
        others = values.filter { ClueColumn(rawValue: $0.key) == nil }
        if case .polygonal(let bytes) = feature.geometry() { wkb = bytes } else { wkb = nil }
        fid = feature.fid ?? -1
    }

    /// Every row of a table that holds the clue columns (a check's `clues` layer, the registry's
    /// clues). A table lacking clue columns is refused naming them: it is not a check's, or from
    /// a version this one cannot read.
    public static func all(in layer: VectorLayer, table: String) throws -> [ClueRow] {
        let names = layer.fields.map(\.name)
        let present = Set(names)
        let missing = ClueColumn.allCases.map(\.rawValue).filter { !present.contains($0) }
        guard missing.isEmpty else {
            throw RedlineError.unreadableFile(path: table, reason: "it lacks the clue column(s) \(missing.joined(separator: ", ")) "
                                              + "— rerun the check with this redline version")
        }
        layer.resetReading()
        var rows: [ClueRow] = []
        while let feature = try layer.nextFeature() { rows.append(try ClueRow(feature, names: names, table: table)) }
        return rows
    }
}
