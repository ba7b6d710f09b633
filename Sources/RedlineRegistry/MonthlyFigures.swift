import Foundation
import RedlineCore
import RedlineOutputs

/// A month of the supervision cycle, as a report names it: 2026-11.
public struct ReportMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, text.allSatisfy({ $0 == "-" || ("0"..."9").contains($0) }),
              let year = Int(parts[0]), let month = Int(parts[1]),
              (2000...2100).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public var first: CalendarDay { CalendarDay(year: year, month: month, day: 1)! }
    public var last: CalendarDay { shifted(by: 1).first.adding(days: -1)! }

    public func shifted(by months: Int) -> ReportMonth {
        let index = year * 12 + (month - 1) + months
        return ReportMonth(year: index / 12, month: index % 12 + 1)
    }

    func contains(_ day: CalendarDay?) -> Bool { day.map { $0 >= first && $0 <= last } ?? false }

    public var description: String { String(format: "%04d-%02d", year, month) }
    public static func < (lhs: ReportMonth, rhs: ReportMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}

extension ClueLifecycle {
    /// The day a true problem was rectified and the day it was closed (销号): the sign-off's
    /// dates, or for a problem dealt with before sign-off dates were kept (schema 1), the day the
    /// registry last changed it. Nil for a clue found not true.
    var rectifiedDay: CalendarDay? {
        guard result != .notConfirmed else { return nil }
        return signOff.rectifiedOn ?? ([.rectified, .closed].contains(status) ? lastChanged : nil)
    }

    var closedDay: CalendarDay? {
        guard result != .notConfirmed else { return nil }
        return signOff.closedOn ?? (status == .closed ? lastChanged : nil)
    }

    private var lastChanged: CalendarDay? { CalendarDay(timestamp: updatedAt) }
}

/// Where a clue stood on a day, by the days its life records (核查日期, 整改完成日期, 销号日期):
/// the business dates a department reports by, not the day a file was imported.
public enum ReportStage: String, Sendable, CaseIterable {
    case awaitingCheck = "待核查"
    case rectifying = "整改中"
    case awaitingAcceptance = "已整改待验收"
    case closed = "已销号"
    case notTrue = "不属实"

    /// Nil when the clue was not yet issued on `day`.
    static func of(_ life: ClueLifecycle, on day: CalendarDay) -> ReportStage? {
        guard let opened = life.openedOn, opened <= day else { return nil }
        guard let verified = life.verifiedOn, verified <= day, let result = life.result else { return .awaitingCheck }
        if result == .notConfirmed { return .notTrue }
        if let closed = life.closedDay, closed <= day { return .closed }
        if let rectified = life.rectifiedDay, rectified <= day { return .awaitingAcceptance }
        return .rectifying
    }

    /// The registry status a clue at this stage has, for its deadline.
    var status: ClueStatus {
        switch self {
        case .awaitingCheck: return .dispatched
        case .rectifying: return .rectifying
        case .awaitingAcceptance: return .rectified
        case .closed, .notTrue: return .closed
        }
    }
}

/// What happened in a month: clues issued (found), checked in the field, found true, rectified and
/// closed, each a count and the area inside protection.
public enum ReportFlow: String, Sendable, CaseIterable {
    case found = "新发现"
    case verified = "已核查"
    case confirmed = "属实"
    case rectified = "已整改"
    case closed = "已销号"

    func happened(_ life: ClueLifecycle, in month: ReportMonth) -> Bool {
        switch self {
        case .found: return month.contains(life.openedOn)
        case .verified: return month.contains(life.verifiedOn)
        case .confirmed: return month.contains(life.verifiedOn) && life.result != nil && life.result != .notConfirmed
        case .rectified: return month.contains(life.rectifiedDay)
        case .closed: return month.contains(life.closedDay)
        }
    }
}

/// A count of clues and their area inside protection.
public struct Tally: Sendable, Equatable {
    public var clues = 0
    public var m2 = 0.0
    public var ha: Double { m2 / 10_000 }
    /// 亩: 10000/15 m².
    public var mu: Double { m2 * 15 / 10_000 }

    public init(clues: Int = 0, m2: Double = 0) {
        self.clues = clues
        self.m2 = m2
    }

    public mutating func add(_ other: Tally) {
        clues += other.clues
        m2 += other.m2
    }

    mutating func add(_ clue: RegisteredClue) {
        clues += 1
        m2 += clue.record.overlapM2
    }
}

/// A clue as it stood at the month's end, for the report's map and list.
public struct StandingClue: Sendable, Equatable {
    public let clueID: String
    public let county: String
    public let activity: String
    public let stage: ReportStage
    public let m2: Double
    public let lon: Double
    public let lat: Double
}

/// The figures of a monthly report, from the registry's clues: flows in the month by reserve ×
/// zone, activity type and severity; where every clue stood at the month's end (or today, for the
/// month under way) by county; the rectification rate; the overdue clues on that day; the trend
/// over twelve months; and, per reserve, the mining clues still open at each month's end (has all
/// mining left?). A clue superseded by its rebound counts through the rebound, from the day the
/// rebound was issued. Days are local days (a timestamp of 17:30 UTC is the next day in Beijing).
public struct MonthlyFigures: Sendable {
    public let month: ReportMonth
    /// The county the report is for (its code, name, or "code name"), or nil for all.
    public let county: String?
    /// The day the stocks are taken on: the month's last day, or today while the month runs.
    public let end: CalendarDay
    /// Whether any clue of the registry, in any month, is of `county`.
    public private(set) var countyKnown = true
    /// Clues issued by `end` in the whole registry (for a period before the registry began).
    public private(set) var issuedByEnd = 0
    public var flows: [ReportFlow: Tally] = [:]
    public var byCounty: [String: [ReportStage: Tally]] = [:]
    /// By the protected areas a clue lies in (joined, so a clue counts once) and its strictest zone.
    public var byReserveZone: [String: [ReportFlow: Tally]] = [:]
    public var byActivity: [String: [ReportFlow: Tally]] = [:]
    public var bySeverity: [String: [ReportFlow: Tally]] = [:]
    /// True problems found by `end`, and those of them rectified by then.
    public var trueProblems = 0
    public var rectifiedProblems = 0
    public var overdue: [StatusReport.Overdue] = []
    /// Every clue issued by `end` that still stands for its site, in clue-ID order.
    public var standing: [StandingClue] = []
    /// The twelve months ending with this one, oldest first, with their flows.
    public var trend: [(month: ReportMonth, flows: [ReportFlow: Tally])] = []
    /// Per reserve, the mining clues awaiting a check or being rectified at each trend month's end.
    public var openMining: [String: [Int]] = [:]
    /// What in the registry the figures cannot vouch for, one line each (clues checked before
    /// they were issued: their flows fall in different months).
    public var doubts: [String] = []

    public var rectificationRate: Double? { trueProblems > 0 ? Double(rectifiedProblems) / Double(trueProblems) : nil }

    /// `dueDays`: the days to verify a clue that has no deadline of its own, as `status --due-days`;
    /// `asOf`: today, for a month not yet over.
    public init(registry: Registry, month: ReportMonth, county: String? = nil, dueDays: Int = 30, asOf: CalendarDay = .today()) throws {
        self.month = month
        self.county = county
        end = min(month.last, asOf)
        let all = try registry.allClues()
        var opened: [String: CalendarDay] = [:]
        for clue in all {
            guard let day = clue.lifecycle.openedOn else {
                throw RedlineError.unreadableFile(path: registry.displayLocation, reason: "clue \(clue.clueID) has no issue time "
                    + "(opened_at “\(clue.lifecycle.openedAt)”) — the registry was edited by hand; give it the time the clue was issued")
            }
            guard clue.record.overlapM2.isFinite, clue.record.overlapM2 >= 0 else {
                throw RedlineError.unreadableFile(path: registry.displayLocation, reason: "clue \(clue.clueID) has an area inside "
                    + "protection of \(clue.record.overlapM2) m² — the registry was edited by hand; restore overlap_m2")
            }
            opened[clue.clueID] = day
            if day <= end { issuedByEnd += 1 }
        }
        func isOfCounty(_ clue: RegisteredClue) -> Bool {
            guard let county else { return true }
            let code = clue[.countyCode], name = clue[.countyName]
            return county == code || (!name.isEmpty && (county == name || county == "\(code) \(name)"))
        }
        let clues = all.filter(isOfCounty)
        countyKnown = county == nil || !clues.isEmpty
        let early = clues.filter { clue in clue.lifecycle.verifiedOn.map { $0 < opened[clue.clueID]! } ?? false }
        if let first = early.first {
            doubts.append("\(early.count) clue(s) checked before they were issued (first: \(first.clueID), checked "
                          + "\(first.lifecycle.verifiedOn!), issued \(opened[first.clueID]!)) — their flows fall in the months of each day")
        }
        /// Whether the clue stands for its site on `day` (not yet replaced by its rebound, which
        /// may lie in another county).
        func stands(_ clue: RegisteredClue, on day: CalendarDay) -> Bool {
            guard let successor = clue.lifecycle.supersededBy, let since = opened[successor] else { return true }
            return since > day
        }
        let months = (0..<12).map { month.shifted(by: $0 - 11) }
        trend = months.map { ($0, [:]) }
        for clue in clues {
            let life = clue.lifecycle
            for (index, trendMonth) in months.enumerated() {
                for flow in ReportFlow.allCases where flow.happened(life, in: trendMonth) { trend[index].flows[flow, default: Tally()].add(clue) }
                let monthEnd = min(trendMonth.last, end)
                if clue[.activityType] == "mining", stands(clue, on: monthEnd),
                   let stage = ReportStage.of(life, on: monthEnd), stage == .awaitingCheck || stage == .rectifying {
                    for reserve in clue.record.protectedNames { openMining[reserve, default: Array(repeating: 0, count: 12)][index] += 1 }
                }
            }
            let areas = clue.record.protectedNames.isEmpty ? "—" : clue.record.protectedNames.joined(separator: "、")
            for flow in ReportFlow.allCases where flow.happened(life, in: month) {
                flows[flow, default: Tally()].add(clue)
                byReserveZone["\(areas) \(Self.label(clue, .strictestZoneLabel, else: .strictestZone))", default: [:]][flow, default: Tally()].add(clue)
                byActivity[Self.label(clue, .activityTypeLabel, else: .activityType), default: [:]][flow, default: Tally()].add(clue)
                bySeverity[Self.label(clue, .severityLabel, else: .severity), default: [:]][flow, default: Tally()].add(clue)
            }
            guard stands(clue, on: end), let stage = ReportStage.of(life, on: end) else { continue }
            let countyName = "\(clue[.countyCode]) \(clue[.countyName])".trimmingCharacters(in: .whitespaces)
            byCounty[countyName, default: [:]][stage, default: Tally()].add(clue)
            standing.append(StandingClue(clueID: clue.clueID, county: countyName,
                                         activity: Self.label(clue, .activityTypeLabel, else: .activityType), stage: stage,
                                         m2: clue.record.overlapM2, lon: clue.record.centroidLon, lat: clue.record.centroidLat))
            if [.rectifying, .awaitingAcceptance, .closed].contains(stage) {
                trueProblems += 1
                if stage != .rectifying { rectifiedProblems += 1 }
            }
            var asAtEnd = clue
            asAtEnd.lifecycle.status = stage.status
            asAtEnd.lifecycle.supersededBy = nil
            if let late = StatusReport.overdue(asAtEnd, today: end, dueDays: dueDays) { overdue.append(late) }
        }
        overdue.sort { ($0.daysOver, $1.clue) > ($1.daysOver, $0.clue) }
        standing.sort { $0.clueID < $1.clueID }
    }

    /// A clue's label column, or its code where the label is empty (clues of older runs).
    static func label(_ clue: RegisteredClue, _ label: ClueColumn, else code: ClueColumn) -> String {
        let text = clue[label]
        return text.isEmpty ? clue[code] : text
    }
}
