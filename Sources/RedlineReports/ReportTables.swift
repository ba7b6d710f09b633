/// RedlineReports owns what a provincial department hands upward each month: report.html (tables,
/// SVG charts and an overview map, self-contained), report.pdf (the HTML printed by headless
/// Chromium) and report.xlsx (the same tables through libxlsxwriter), from a registry's
/// `MonthlyFigures`. The tables are built once and rendered twice, so the page and the workbook
/// cannot disagree.
import Foundation
import RedlineCore
import RedlineRegistry

/// One table of the report, as both the HTML page and the workbook show it.
public struct ReportTable: Sendable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case count(Int)
        case hectares(Double)
        case mu(Double)
        /// A share from 0 to 1; nil shows as a dash (nothing to divide by).
        case percent(Double?)
        case day(CalendarDay)

        /// As the page prints it.
        var shown: String {
            switch self {
            case .text(let text): return text
            case .count(let count): return String(count)
            case .hectares(let value), .mu(let value): return String(format: "%.2f", value)
            case .percent(let share): return share.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
            case .day(let day): return "\(day)"
            }
        }

        var isNumber: Bool { if case .text = self { false } else { true } }
    }

    /// The worksheet's name (at most 31 characters, as Excel allows).
    public let sheet: String
    public let title: String
    public let header: [String]
    public var rows: [[Value]]
    /// A last row of totals, set apart.
    public var totals: [Value]?
    /// A line under the table: what the figures mean.
    public var note: String?
}

/// The tables of a month's figures.
extension MonthlyFigures {
    static let flowsShown: [ReportFlow] = ReportFlow.allCases

    public var tables: [ReportTable] {
        [overviewTable, countyTable, reserveZoneTable, activityTable, severityTable, rateTable, overdueTable, trendTable,
         miningTable, standingTable]
    }

    var reserveZoneTable: ReportTable { breakdown("保护地功能区", "各保护地、功能区", first: "保护地 功能区", byReserveZone) }
    var activityTable: ReportTable { breakdown("活动类型", "各活动类型", first: "活动类型", byActivity) }
    var severityTable: ReportTable { breakdown("严重程度", "各严重程度", first: "严重程度", bySeverity) }

    var overviewTable: ReportTable {
        ReportTable(sheet: "本月概况", title: "\(month) 本月概况", header: ["环节", "图斑数", "面积（公顷）", "面积（亩）"],
                    rows: ReportFlow.allCases.map { flow in
                        let tally = flows[flow] ?? Tally()
                        return [.text(flow.rawValue), .count(tally.clues), .hectares(tally.ha), .mu(tally.mu)]
                    },
                    note: "面积为图斑位于保护范围内部分的椭球面积。新发现按下发日期、已核查和属实按核查日期、"
                        + "已整改和已销号按整改完成和销号日期计入当月。")
    }

    var countyTable: ReportTable {
        let stages = ReportStage.allCases
        var table = ReportTable(sheet: "各县状态", title: "各县（市、区）线索状态（截至 \(end)）",
                                header: ["县（市、区）"] + stages.map(\.rawValue) + ["合计", "面积（公顷）"], rows: [])
        var sum = Array(repeating: 0, count: stages.count), all = Tally()
        for (county, byStage) in byCounty.sorted(by: { $0.key < $1.key }) {
            let counts = stages.map { byStage[$0]?.clues ?? 0 }
            let tally = byStage.values.reduce(into: Tally()) { $0.add($1) }
            table.rows.append([.text(county)] + counts.map(ReportTable.Value.count) + [.count(tally.clues), .hectares(tally.ha)])
            sum = zip(sum, counts).map(+)
            all.add(tally)
        }
        table.totals = [.text("合计")] + sum.map(ReportTable.Value.count) + [.count(all.clues), .hectares(all.ha)]
        table.note = "被回头看复发线索取代的原线索，自复发线索下发之日起由复发线索计数。"
        return table
    }

    func breakdown(_ sheet: String, _ title: String, first: String, _ groups: [String: [ReportFlow: Tally]],
                   note: String? = nil) -> ReportTable {
        let header = [first] + ReportFlow.allCases.flatMap { [$0.rawValue, "\($0.rawValue)（公顷）"] }
        let rows: [[ReportTable.Value]] = groups.sorted(by: { $0.key < $1.key }).map { name, byFlow in
            [.text(name)] + ReportFlow.allCases.flatMap { flow -> [ReportTable.Value] in
                let tally = byFlow[flow] ?? Tally()
                return [.count(tally.clues), .hectares(tally.ha)]
            }
        }
        return ReportTable(sheet: sheet, title: "\(title)（\(month)）", header: header, rows: rows, note: note)
    }

    var rateTable: ReportTable {
        ReportTable(sheet: "整改率", title: "整改率（截至 \(end)）", header: ["属实问题", "已整改（含已销号）", "整改率"],
                    rows: [[.count(trueProblems), .count(rectifiedProblems), .percent(rectificationRate)]],
                    note: "属实问题：截至月末核查属实或部分属实的线索；已整改：其中已整改待验收或已销号的。")
    }

    var overdueTable: ReportTable {
        let standingCounty = Dictionary(standing.map { ($0.clueID, $0.county) }, uniquingKeysWith: { first, _ in first })
        return ReportTable(sheet: "逾期清单", title: "逾期线索（截至 \(end)）", header: ["线索编号", "县（市、区）", "逾期环节", "期限", "逾期天数"],
                           rows: overdue.map { late in
                               let county = standingCounty[late.clue] ?? late.county
                               return [.text(late.clue), .text(county), .text(late.stage.label), .day(late.due), .count(late.daysOver)]
                           },
                           note: overdue.isEmpty ? "截至月末没有逾期线索。" : "期限为各线索本环节的期限（核查、整改、验收销号）。")
    }

    var trendTable: ReportTable {
        ReportTable(sheet: "近12个月", title: "近 12 个月趋势", header: ["月份"] + ReportFlow.allCases.map(\.rawValue),
                    rows: trend.map { entry in
                        [.text("\(entry.month)")] + ReportFlow.allCases.map { .count(entry.flows[$0]?.clues ?? 0) }
                    })
    }

    var miningTable: ReportTable {
        ReportTable(sheet: "开采类线索", title: "各保护地未整改的开采类线索（各月末）",
                    header: ["保护地"] + trend.map { "\($0.month)" },
                    rows: openMining.sorted(by: { $0.key < $1.key }).map { reserve, counts in
                        [.text(reserve)] + counts.map(ReportTable.Value.count)
                    },
                    note: "待核查或整改中的开采类（mining）线索。月末为 0 即该月末保护地内没有未整改的开采活动线索。")
    }

    var standingTable: ReportTable {
        ReportTable(sheet: "线索明细", title: "线索明细（截至 \(end)）",
                    header: ["线索编号", "县（市、区）", "活动类型", "状态", "面积（公顷）", "经度", "纬度"],
                    rows: standing.map {
                        [.text($0.clueID), .text($0.county), .text($0.activity), .text($0.stage.rawValue), .hectares($0.m2 / 10_000),
                         .text(String(format: "%.6f", $0.lon)), .text(String(format: "%.6f", $0.lat))]
                    })
    }
}
