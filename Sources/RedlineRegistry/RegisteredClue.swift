import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// A column of a clue's life in registry_clues (beside `clue_id` and the check's `ClueColumn`s).
public enum LifecycleColumn: String, CaseIterable, Sendable {
    case status, result, kind
    case reboundOf = "rebound_of"
    case supersededBy = "superseded_by"
    case detections
    case firstExtract = "first_extract"
    case lastExtract = "last_extract"
    case firstDetected = "first_detected"
    case lastDetected = "last_detected"
    case openedAt = "opened_at"
    case updatedAt = "updated_at"
    case verifiedOn = "verified_on"
    case inspector
    case actualActivity = "actual_activity"
    case responsibleParty = "responsible_party"
    case rectification, photos, remarks
    /// What the registry noticed about the site: `grown` (扩大) when a detection outgrew it.
    case flags
    /// The campaign (绿盾2026) and the source (国家下发, 省级自查, 卫片执法) of the extract that
    /// first showed the site.
    case campaign, source
    /// The sign-off of a true problem: when it was rectified and closed (销号), who accepted it
    /// (验收人) and the document that did (文号).
    case rectifiedOn = "rectified_on"
    case closedOn = "closed_on"
    case approver
    case documentNo = "document_no"
    /// The deadline of each stage: the field check, the rectification, the acceptance.
    case verifyDue = "verify_due"
    case rectifyDue = "rectify_due"
    case acceptDue = "accept_due"
    /// The look-back campaign (回头看) that drew this clue and awaits its result.
    case lookback
    /// The day a look-back last found the site as it was left.
    case lookbackChecked = "lookback_checked"

    /// Columns that schema 1 had; the others came with schemas 2 and 3.
    static let schema1: [LifecycleColumn] = Array(allCases.prefix { $0 != .flags })

    /// The columns that hold a day.
    static let days: Set<LifecycleColumn> = [.firstDetected, .lastDetected, .verifiedOn, .rectifiedOn, .closedOn,
                                             .verifyDue, .rectifyDue, .acceptDue, .lookbackChecked]

    /// The column as an export writes it.
    var column: Column { Column(name: rawValue, kind: self == .detections ? .integer : .text) }
}

/// How a clue came into the registry.
public enum ClueOrigin: String, Sendable {
    /// A patch on a site the registry did not know.
    case new
    /// Activity again on a site that was rectified or closed.
    case rebound
}

/// What the field team wrote about a clue.
public struct FieldFindings: Sendable, Equatable {
    public var inspector = ""
    public var actualActivity = ""
    public var responsibleParty = ""
    public var rectification = ""
    public var photos = ""
    public var remarks = ""
}

/// The sign-off of a true problem (整改验收销号).
public struct SignOff: Sendable, Equatable {
    public var rectifiedOn: CalendarDay?
    public var closedOn: CalendarDay?
    /// Who accepted the rectification (验收人).
    public var approver = ""
    /// The document number of the acceptance or closure (文号).
    public var documentNo = ""
}

/// The deadline of each stage of a clue's life (nil: none set, as for clues from before deadlines).
public struct StageDeadlines: Sendable, Equatable {
    public var verify: CalendarDay?
    public var rectify: CalendarDay?
    public var accept: CalendarDay?

    public subscript(_ stage: ClueStatus.Stage) -> CalendarDay? {
        switch stage {
        case .verify: return verify
        case .rectify: return rectify
        case .accept: return accept
        }
    }
}

/// Where a clue is in its life, typed: status, result, detections, extracts, days and the team's findings.
public struct ClueLifecycle: Sendable, Equatable {
    public var status: ClueStatus
    public var result: VerificationResult?
    public var origin: ClueOrigin
    public var reboundOf: String?
    public var supersededBy: String?
    public var detections: Int
    /// SHA-256 of the extracts that first and last showed the site.
    public var firstExtract: String
    public var lastExtract: String
    public var firstDetected: CalendarDay?
    public var lastDetected: CalendarDay?
    /// ISO 8601 UTC timestamps.
    public var openedAt: String
    public var updatedAt: String
    public var verifiedOn: CalendarDay?
    public var findings: FieldFindings
    /// `grown` (扩大) and any later marks, in the order they came.
    public var flags: [String] = []
    public var campaign: String?
    public var source: String?
    public var signOff = SignOff()
    public var due = StageDeadlines()
    /// The look-back campaign awaiting this clue's result.
    public var lookback: String?
    public var lookbackChecked: CalendarDay?

    /// The local day the clue was issued on.
    public var openedOn: CalendarDay? { CalendarDay(timestamp: openedAt) }

    /// The stage this clue is in, its deadline, and how many days past it `today` is (nil when the
    /// clue is closed or its stage has no deadline; days ≤ 0 when not yet overdue).
    public func deadline(on today: CalendarDay) -> (stage: ClueStatus.Stage, due: CalendarDay, daysOver: Int)? {
        guard let stage = status.stage, let day = due[stage] else { return nil }
        return (stage, day, today.days(since: day))
    }

    /// A clue issued now from an extract.
    init(origin: ClueOrigin, reboundOf: String?, extract: String, detected: CalendarDay?, at now: String,
         campaign: String? = nil, source: String? = nil) {
        self.campaign = campaign
        self.source = source
        status = .issued
        self.origin = origin
        self.reboundOf = reboundOf
        detections = 1
        firstExtract = extract
        lastExtract = extract
        firstDetected = detected
        lastDetected = detected
        openedAt = now
        updatedAt = now
        findings = FieldFindings()
    }

    /// Reads the lifecycle of registry row `clueID`; a value its column cannot hold is refused by name.
    init(registry: String, clueID: String, text: (LifecycleColumn) -> String) throws {
        func bad(_ column: LifecycleColumn, _ value: String, _ expected: String) -> RegistryError {
            .notARegistry(location: registry, reason: "clue \(clueID) has \(column.rawValue) “\(value)”, not \(expected) "
                          + "— the registry was edited by hand; restore it from a backup")
        }
        func optional(_ column: LifecycleColumn) -> String? { text(column).isEmpty ? nil : text(column) }
        func parsed<T>(_ column: LifecycleColumn, _ expected: String, _ parse: (String) -> T?) throws -> T? {
            guard let value = optional(column) else { return nil }
            guard let result = parse(value) else { throw bad(column, value, expected) }
            return result
        }
        func day(_ column: LifecycleColumn) throws -> CalendarDay? { try parsed(column, "a date", CalendarDay.init(text:)) }
        let statuses = ClueStatus.allCases.map(\.rawValue).joined(separator: ", ")
        guard let status = try parsed(.status, "one of \(statuses)", ClueStatus.init(rawValue:)) else {
            throw bad(.status, "", "one of \(statuses)")
        }
        self.status = status
        result = try parsed(.result, "a verification result", VerificationResult.init(rawValue:))
        origin = try parsed(.kind, "new or rebound", ClueOrigin.init(rawValue:)) ?? .new
        reboundOf = optional(.reboundOf)
        supersededBy = optional(.supersededBy)
        detections = try parsed(.detections, "a whole number", { Int($0) }) ?? 1
        firstExtract = text(.firstExtract)
        lastExtract = text(.lastExtract)
        firstDetected = try day(.firstDetected)
        lastDetected = try day(.lastDetected)
        openedAt = Registry.isoTimestamp(text(.openedAt))
        updatedAt = Registry.isoTimestamp(text(.updatedAt))
        verifiedOn = try day(.verifiedOn)
        findings = FieldFindings(inspector: text(.inspector), actualActivity: text(.actualActivity),
                                 responsibleParty: text(.responsibleParty), rectification: text(.rectification),
                                 photos: text(.photos), remarks: text(.remarks))
        flags = text(.flags).split(separator: ",").map { String($0) }
        campaign = optional(.campaign)
        source = optional(.source)
        signOff = SignOff(rectifiedOn: try day(.rectifiedOn), closedOn: try day(.closedOn), approver: text(.approver),
                          documentNo: text(.documentNo))
        due = StageDeadlines(verify: try day(.verifyDue), rectify: try day(.rectifyDue), accept: try day(.acceptDue))
        lookback = optional(.lookback)
        lookbackChecked = try day(.lookbackChecked)
    }

    /// Adds a flag once.
    mutating func flag(_ name: String) { if !flags.contains(name) { flags.append(name) } }

    public func value(_ column: LifecycleColumn) -> FieldValue {
        func text(_ value: String?) -> FieldValue { value.map(FieldValue.string) ?? .null }
        // What the team did not write stays empty (null), as it was before any import.
        func note(_ value: String) -> FieldValue { value.isEmpty ? .null : .string(value) }
        switch column {
        case .status: return .string(status.rawValue)
        case .result: return text(result?.rawValue)
        case .kind: return .string(origin.rawValue)
        case .reboundOf: return text(reboundOf)
        case .supersededBy: return text(supersededBy)
        case .detections: return .integer(Int64(detections))
        case .firstExtract: return .string(firstExtract)
        case .lastExtract: return .string(lastExtract)
        case .firstDetected: return text(firstDetected.map { "\($0)" })
        case .lastDetected: return text(lastDetected.map { "\($0)" })
        case .openedAt: return .string(openedAt)
        case .updatedAt: return .string(updatedAt)
        case .verifiedOn: return text(verifiedOn.map { "\($0)" })
        case .inspector: return note(findings.inspector)
        case .actualActivity: return note(findings.actualActivity)
        case .responsibleParty: return note(findings.responsibleParty)
        case .rectification: return note(findings.rectification)
        case .photos: return note(findings.photos)
        case .remarks: return note(findings.remarks)
        case .flags: return flags.isEmpty ? .null : .string(flags.joined(separator: ","))
        case .campaign: return text(campaign)
        case .source: return text(source)
        case .rectifiedOn: return text(signOff.rectifiedOn.map { "\($0)" })
        case .closedOn: return text(signOff.closedOn.map { "\($0)" })
        case .approver: return note(signOff.approver)
        case .documentNo: return note(signOff.documentNo)
        case .verifyDue: return text(due.verify.map { "\($0)" })
        case .rectifyDue: return text(due.rectify.map { "\($0)" })
        case .acceptDue: return text(due.accept.map { "\($0)" })
        case .lookback: return text(lookback)
        case .lookbackChecked: return text(lookbackChecked.map { "\($0)" })
        }
    }

    /// The columns whose values differ from `other`'s, with this lifecycle's values: what an
    /// update writes.
    func changes(from other: ClueLifecycle) -> [(LifecycleColumn, FieldValue)] {
        LifecycleColumn.allCases.compactMap { column in
            let mine = value(column)
            return mine == other.value(column) ? nil : (column, mine)
        }
    }
}

/// One clue as the registry holds it: the check's record of its latest judgement, its life, and
/// the outline of its first detection.
public struct RegisteredClue: Sendable {
    public let fid: Int64
    public var record: ClueRecord
    public var lifecycle: ClueLifecycle
    public let wkb: [UInt8]?

    public var clueID: String { record.clueID }
    public var status: ClueStatus { lifecycle.status }
    public var result: VerificationResult? { lifecycle.result }
    /// One of the check's clue columns as clues.csv shows it.
    public subscript(_ column: ClueColumn) -> String { record.text(column) }

    init(_ row: ClueRow, registry: String) throws {
        fid = row.fid
        record = row.record
        wkb = row.wkb
        lifecycle = try ClueLifecycle(registry: registry, clueID: row.clueID) { row[other: $0.rawValue] }
    }
}
