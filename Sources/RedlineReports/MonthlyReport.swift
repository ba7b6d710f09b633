import Foundation
import GEOSKit
import RedlineChecklists
import RedlineCore
import RedlineOutputs
import RedlineRegistry
import XLSXKit

/// A month's report: the figures, what they came from, and the overview map drawn from the
/// protected areas in force at the month's end.
public struct MonthlyReport {
    public let figures: MonthlyFigures
    /// The registry and the day the report was made, for its header.
    public let registry: String
    public let made: CalendarDay
    public let overviewMap: String

    public init(figures: MonthlyFigures, registry: String, made: CalendarDay, protected index: ProtectedIndex) throws {
        self.figures = figures
        self.registry = registry
        self.made = made
        overviewMap = try Self.overview(figures, index)
    }

    public var title: String {
        "生态保护红线和自然保护地人类活动问题线索月报（\(figures.month.year)年\(figures.month.month)月"
            + (figures.county.map { "，\($0)" } ?? "") + "）"
    }

    /// Colours of the stages on the map and in its legend: open ones warm, dealt-with ones cool.
    static func colour(_ stage: ReportStage) -> String {
        switch stage {
        case .awaitingCheck: return "#d7191c"
        case .rectifying: return "#f28e2b"
        case .awaitingAcceptance: return "#2b83ba"
        case .closed: return "#1a9641"
        case .notTrue: return "#999999"
        }
    }

    /// The protected areas in force at the month's end by zone, and every standing clue as a dot
    /// coloured by its stage; framed on the clues when the report is for one county.
    static func overview(_ figures: MonthlyFigures, _ index: ProtectedIndex) throws -> String {
        let geos = GEOSContext()
        let end = figures.end
        let inForce = index.areas.indices.filter { index.outlines.indices.contains($0) && index.areas[$0].isInForce(on: end, among: index.areas) }
        let outlines = try inForce.map { area in
            let geometry = try geos.geometry(wkb: index.outlines[area])
            return (area: area, geometry: geometry, envelope: try geometry.envelope())
        }
        var box: Envelope?
        func include(_ other: Envelope) { box = box.map { $0.union(other) } ?? other }
        for clue in figures.standing { include(Envelope(minX: clue.lon, minY: clue.lat, maxX: clue.lon, maxY: clue.lat)) }
        if figures.county == nil || box == nil { for outline in outlines { include(outline.envelope) } }
        let frame = box ?? Envelope(minX: 73, minY: 18, maxX: 135, maxY: 54)
        let pad = max(frame.width, frame.height) * 0.05 + 0.01
        var map = SVGMap(box: (frame.minX - pad, frame.minY - pad, frame.maxX + pad, frame.maxY + pad), width: 640, height: 420)
        let view = Envelope(minX: map.west, minY: map.south, maxX: map.east, maxY: map.north)
        let tolerance = (map.east - map.west) / map.width / 2
        for outline in outlines where outline.envelope.intersects(view) {
            let style = ZoneStyle.of(index.areas[outline.area].zone)
            map.polygon(try outline.geometry.simplified(tolerance: tolerance).polygonRings(), fill: style.fill, opacity: style.opacity,
                        stroke: style.stroke, strokeWidth: 0.8, dashed: style.dashed, cssClass: "protected")
        }
        for clue in figures.standing {
            map.dot(lon: clue.lon, lat: clue.lat, radius: 3.5, fill: colour(clue.stage), cssClass: "clue")
        }
        return map.svg(title: "线索分布总图", id: "overview")
    }

    // MARK: The page

    private func h(_ text: String) -> String { SafeText.html(text) }

    func html(_ table: ReportTable) -> String {
        var out = "<section class=\"table\"><h2>\(h(table.title))</h2>\n<table>\n<thead><tr>"
        out += table.header.map { "<th>\(h($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        func row(_ values: [ReportTable.Value], cssClass: String? = nil) -> String {
            "<tr\(cssClass.map { " class=\"\($0)\"" } ?? "")>"
                + values.map { "<td\($0.isNumber ? " class=\"n\"" : "")>\(h($0.shown))</td>" }.joined() + "</tr>\n"
        }
        if table.rows.isEmpty { out += "<tr><td colspan=\"\(table.header.count)\" class=\"none\">无</td></tr>\n" }
        for values in table.rows { out += row(values) }
        if let totals = table.totals { out += row(totals, cssClass: "totals") }
        out += "</tbody></table>\n"
        if let note = table.note { out += "<p class=\"note\">\(h(note))</p>\n" }
        return out + "</section>\n"
    }

    var trendChart: Chart {
        let colours = ["#d7191c", "#f28e2b", "#fdae61", "#2b83ba", "#1a9641"]
        return Chart(title: "近 12 个月趋势", categories: figures.trend.map { "\($0.month)" },
                     series: ReportFlow.allCases.enumerated().map { number, flow in
                         Chart.Series(name: flow.rawValue, colour: colours[number], values: figures.trend.map { $0.flows[flow]?.clues ?? 0 })
                     }, kind: .bars)
    }

    var miningChart: Chart {
        Chart(title: "未整改的开采类线索", categories: figures.trend.map { "\($0.month)" },
              series: figures.openMining.sorted(by: { $0.key < $1.key }).enumerated().map { number, entry in
                  Chart.Series(name: entry.key, colour: Chart.palette[number % Chart.palette.count], values: entry.value)
              }, kind: .lines)
    }

    /// A chart with its legend under it.
    private func figure(_ chart: Chart) -> String { chart.svg() + "<p>\(chart.legend())</p>" }

    /// Per reserve with mining clues in the year: whether any is still open at the month's end.
    var miningVerdicts: [String] {
        figures.openMining.sorted(by: { $0.key < $1.key }).map { reserve, counts in
            let now = counts.last ?? 0
            return now == 0
                ? "\(reserve)：截至 \(figures.end)，保护地内没有待核查或整改中的开采类线索。"
                : "\(reserve)：截至 \(figures.end)，仍有 \(now) 条开采类线索待核查或整改中，开采活动尚未全部退出。"
        }
    }

    public func html() -> String {
        let legend = ReportStage.allCases.map {
            "<span class=\"key\"><i style=\"background:\(Self.colour($0))\"></i>\(h($0.rawValue))</span>"
        }.joined() + [Zone.core, .buffer, .experimental, .redLine].map {
            let style = ZoneStyle.of($0)
            return "<span class=\"key\"><i style=\"background:\(style.fill);opacity:\(style.opacity + 0.2)\"></i>\(h($0.label))</span>"
        }.joined()
        let rate = figures.rectificationRate.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
        let found = figures.flows[.found] ?? Tally()
        return """
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>\(h(title))</title>
        <style>
        @page { size: A4 landscape; margin: 12mm; }
        body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif; font-size: 10pt; color: #222; margin: 0; }
        h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 12pt 0 4pt; }
        .meta { color: #555; margin: 0 0 8pt; } .lead { font-size: 11pt; }
        table { border-collapse: collapse; margin: 0 0 4pt; } th, td { border: 1px solid #999; padding: 2pt 5pt; }
        th { background: #e8eef4; font-weight: bold; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.totals td { font-weight: bold; background: #f4f4f4; } td.none { color: #777; text-align: center; }
        .note { color: #555; font-size: 8.5pt; margin: 0 0 6pt; } section { break-inside: avoid; }
        svg.map { width: 640px; max-width: 100%; } svg.chart { width: 720px; max-width: 100%; }
        .key { display: inline-block; margin-right: 10pt; } .key i { display: inline-block; width: 10pt; height: 10pt; margin-right: 3pt; vertical-align: -1pt; }
        .verdict { font-weight: bold; } .page { break-before: page; }
        .columns { display: flex; gap: 18pt; align-items: flex-start; } .columns svg.map { width: 560px; }
        </style></head>
        <body>
        <h1>\(h(title))</h1>
        <p class="meta">统计期：\(figures.month.first) 至 \(figures.month.last)　·　线索库：\(h(registry))　·　生成日期：\(made)　·　redline</p>
        <p class="lead">本月新发现线索 \(found.clues) 条，涉及保护范围面积 \(String(format: "%.2f", found.ha)) 公顷（\(String(format: "%.2f", found.mu)) 亩）；\
        截至月末属实问题 \(figures.trueProblems) 个，已整改 \(figures.rectifiedProblems) 个，整改率 \(rate)；逾期线索 \(figures.overdue.count) 条。</p>
        <div class="columns"><div>
        \(html(figures.overviewTable))
        \(html(figures.rateTable))
        </div><section><h2>线索分布总图（截至 \(figures.end)）</h2>
        \(overviewMap)<p>\(legend)</p></section></div>
        \(html(figures.countyTable))
        <div class="page"></div>
        \(html(figures.reserveZoneTable))
        \(html(figures.activityTable))
        \(html(figures.severityTable))
        \(html(figures.overdueTable))
        <div class="page"></div>
        <section><h2>近 12 个月趋势</h2>\(figure(trendChart))</section>
        \(html(figures.trendTable))
        <section><h2>开采类线索是否全部退出</h2>
        \(figures.openMining.isEmpty ? "<p>近 12 个月没有开采类线索。</p>" : figure(miningChart) + miningVerdicts.map { "<p class=\"verdict\">\(h($0))</p>" }.joined(separator: "\n"))
        </section>
        \(html(figures.miningTable))
        </body></html>

        """
    }

    // MARK: The workbook

    /// Every table on a sheet of its own: bold shaded header frozen, widths to the contents,
    /// numbers as numbers (areas to two decimals, the rate as a percentage, deadlines as dates).
    public func writeWorkbook(to path: String) throws {
        let book = try Workbook(path: path)
        try book.setProperties(title: title, author: "redline")
        let header = CellFormat(bold: true, wrap: true, border: true, fill: 0xE8EEF4)
        let formats: [String: CellFormat] = [
            "text": CellFormat(border: true), "count": CellFormat(border: true, numberFormat: "0"),
            "area": CellFormat(border: true, numberFormat: CellFormat.decimals(2)),
            "percent": CellFormat(border: true, numberFormat: "0.0%"), "day": CellFormat(border: true, numberFormat: "yyyy-mm-dd"),
        ]
        for table in figures.tables {
            let sheet = try book.addSheet(table.sheet)
            try sheet.write(.text(table.title), row: 0, column: 0, format: CellFormat(bold: true))
            for (column, name) in table.header.enumerated() { try sheet.write(.text(name), row: 1, column: column, format: header) }
            let rows = table.rows + (table.totals.map { [$0] } ?? [])
            for (offset, values) in rows.enumerated() {
                for (column, value) in values.enumerated() {
                    let (cell, kind): (Cell, String) = switch value {
                    case .text(let text): (.text(SafeText.spreadsheetCell(text)), "text")
                    case .count(let count): (.number(Double(count)), "count")
                    case .hectares(let number), .mu(let number): (.number(number), "area")
                    case .percent(let share): (share.map(Cell.number) ?? .text("—"), "percent")
                    case .day(let day): (.date(year: day.year, month: day.month, day: day.day), "day")
                    }
                    var format = formats[kind]!
                    if offset == table.rows.count { format.bold = true }
                    try sheet.write(cell, row: offset + 2, column: column, format: format)
                }
            }
            if let note = table.note { try sheet.write(.text(note), row: rows.count + 3, column: 0) }
            for column in table.header.indices {
                let texts = [table.header[column]] + rows.compactMap { $0.indices.contains(column) ? $0[column].shown : nil }
                try sheet.setColumns(column...column, width: DisplayWidth.column(fitting: texts, minimum: 8, maximum: 40))
            }
            try sheet.freeze(rows: 2, columns: 1)
            if !table.rows.isEmpty { try sheet.autofilter(rows: 1...(table.rows.count + 1), columns: 0...(table.header.count - 1)) }
            try sheet.printSetup(landscape: true, fitToWidth: true, headerRows: 2)
        }
        try book.close()
    }
}
