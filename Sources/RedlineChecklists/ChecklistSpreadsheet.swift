import Foundation
import RedlineCore
import RedlineOutputs
import XLSXKit

/// clues.xlsx: a county's clues in visiting order as a sheet the team filters, fills in and sends
/// back (`redline verify import` reads it), and a second sheet that sums the bundle up. The header
/// stays in view, IDs stay text, the columns to fill in are shaded, 核查结果 is a dropdown and
/// 核查日期 only takes a date from the earliest detection to the day it is typed.
struct ChecklistSpreadsheet {
    let writer: ChecklistWriter
    let county: CountyStops
    var labels: Labels { writer.labels }

    /// What one column shows for the clue at a position of the visiting order.
    private struct SheetColumn {
        let key: Labels.Key
        var decimals: Int?
        var value: (ClueRow, Int) -> Cell

        init(_ key: Labels.Key, decimals: Int? = nil, _ value: @escaping (ClueRow, Int) -> Cell) {
            self.key = key
            self.decimals = decimals
            self.value = value
        }
    }

    static let header = CellFormat(bold: true, wrap: true, alignTop: true, border: true, fill: 0xD9E1F2)
    static let toFill = CellFormat(border: true, fill: 0xFFF2CC)
    static let dayFormat = "yyyy-mm-dd"

    func write(to path: String) throws {
        let workbook = try Workbook(path: path)
        try workbook.setProperties(title: "\(county.code) \(county.name) \(labels(.checklistTitle))", author: "redline")
        try writeClues(into: try workbook.addSheet(labels.language == .zh ? "核查清单" : "checklist"))
        try writeSummary(into: try workbook.addSheet(labels(.summary)))
        try workbook.close()
    }

    private func columns() throws -> [SheetColumn] {
        let legs = county.plan.legs
        let points = try county.clues.map(writer.point)
        func text(_ value: String) -> Cell { value.isEmpty ? .empty : .text(SafeText.spreadsheetCell(value)) }
        func number(_ value: Double?) -> Cell { value.map(Cell.number) ?? .empty }
        return [
            SheetColumn(.order) { _, position in .number(Double(position + 1)) },
            SheetColumn(.clueID) { clue, _ in text(clue.clueID) },
            SheetColumn(.patchID) { clue, _ in text(clue[.activityID]) },
            SheetColumn(.activityType) { clue, _ in text(writer.activityLabel(clue)) },
            SheetColumn(.protectedArea) { clue, _ in text(clue[.protectedNames]) },
            SheetColumn(.zone) { clue, _ in text(writer.zoneLabel(clue)) },
            SheetColumn(.verdict) { clue, _ in text(writer.verdictLabel(clue)) },
            SheetColumn(.severity) { clue, _ in text(writer.severityLabel(clue)) },
            SheetColumn(.rule) { clue, _ in text(clue[.ruleID]) },
            SheetColumn(.patchM2, decimals: ClueColumn.patchM2.decimals) { clue, _ in .number(clue.record.patchM2) },
            SheetColumn(.overlapM2, decimals: ClueColumn.overlapM2.decimals) { clue, _ in .number(clue.record.overlapM2) },
            SheetColumn(.overlapHa, decimals: ClueColumn.overlapHa.decimals) { clue, _ in .number(clue.record.overlapHa) },
            SheetColumn(.overlapMu, decimals: ClueColumn.overlapMu.decimals) { clue, _ in .number(clue.record.overlapMu) },
            SheetColumn(.distanceM, decimals: ClueColumn.distanceM.decimals) { clue, _ in number(clue.record.distanceM) },
            SheetColumn(.lon, decimals: ClueColumn.centroidLon.decimals) { _, position in .number(points[position].lon) },
            SheetColumn(.lat, decimals: ClueColumn.centroidLat.decimals) { _, position in .number(points[position].lat) },
            SheetColumn(.lonDMS) { _, position in .text(ChecklistWriter.dms(points[position].lon, positive: "E", negative: "W")) },
            SheetColumn(.latDMS) { _, position in .text(ChecklistWriter.dms(points[position].lat, positive: "N", negative: "S")) },
            SheetColumn(.detected) { clue, _ in clue.detected.map { Cell.date(year: $0.year, month: $0.month, day: $0.day) } ?? .empty },
            SheetColumn(.imagery) { clue, _ in text(writer.imagery(clue).map { "\($0.name): \($0.value)" }.joined(separator: "; ")) },
            SheetColumn(.legKm, decimals: 1) { _, position in .number((legs[position] / 100).rounded() / 10) },
            SheetColumn(.day) { _, position in .text(labels.dayName(county.plan.day(of: position))) },
        ]
    }

    private func writeClues(into sheet: Worksheet) throws {
        let columns = try self.columns()
        let clues = county.clues
        for (index, column) in columns.enumerated() {
            let format = Self.format(of: column)
            var texts: [String] = []
            for (position, clue) in clues.enumerated() {
                let cell = column.value(clue, position)
                try sheet.write(cell, row: position + 1, column: index, format: format)
                texts.append(Self.shown(cell, decimals: column.decimals))
            }
            try header(column.key, at: index, of: sheet, widestValue: texts)
        }
        let lastRow = max(1, clues.count)
        // The team's columns: shaded, typed as text so photo numbers such as 007 keep their zeros.
        for (offset, key) in Labels.fieldColumns.enumerated() {
            let index = columns.count + offset
            let format = key == .date ? CellFormat(border: true, fill: Self.toFill.fill, numberFormat: Self.dayFormat)
                : CellFormat(border: true, fill: Self.toFill.fill, numberFormat: "@")
            for row in 1...lastRow { try sheet.write(.empty, row: row, column: index, format: format) }
            try header(key, at: index, of: sheet, widestValue: [key == .date ? "2026-11-20" : "属实属实"])
            switch key {
            case .result:
                let choices = labels.language == .zh ? ["属实", "不属实", "部分属实"] : ["true", "not true", "partly true"]
                try sheet.validate(rows: 1...lastRow, column: index, .list(choices), prompt: labels(.resultPrompt),
                                   refusal: labels(.resultRefusal))
            case .date:
                let first = clues.compactMap(\.detected).min() ?? CalendarDay.plausibleDetections().lowerBound
                try sheet.validate(rows: 1...lastRow, column: index, .dateBetween(from: (first.year, first.month, first.day), to: .today),
                                   prompt: labels(.datePrompt), refusal: labels(.dateRefusal))
            default:
                break
            }
        }
        let lastColumn = columns.count + Labels.fieldColumns.count - 1
        try sheet.setRow(0, height: 45)
        try sheet.freeze(rows: 1, columns: 2)
        try sheet.autofilter(rows: 0...lastRow, columns: 0...lastColumn)
        try sheet.printSetup(landscape: true, fitToWidth: true, headerRows: 1)
    }

    /// A header cell, and its column's width fitted to the values (a long header wraps instead).
    private func header(_ key: Labels.Key, at column: Int, of sheet: Worksheet, widestValue values: [String]) throws {
        try sheet.write(.text(labels(key)), row: 0, column: column, format: Self.header)
        let width = max(DisplayWidth.column(fitting: values), min(DisplayWidth.column(fitting: [labels(key)]), 14))
        try sheet.setColumns(column...column, width: width)
    }

    private static func format(of column: SheetColumn) -> CellFormat {
        if column.key == .detected { return CellFormat(numberFormat: dayFormat) }
        return CellFormat(numberFormat: column.decimals.map(CellFormat.decimals) ?? "@")
    }

    /// The text a cell shows, for fitting its column.
    private static func shown(_ cell: Cell, decimals: Int?) -> String {
        switch cell {
        case .text(let text): return text
        case .number(let number): return String(format: "%.\(decimals ?? 0)f", number)
        case .date: return "2026-11-20"
        case .empty: return ""
        }
    }

    // MARK: Summary

    private func writeSummary(into sheet: Worksheet) throws {
        var row = 0
        let title = "\(county.code) \(county.name) · \(labels(.checklistTitle))"
        try sheet.write(.text(title), row: row, column: 0, format: CellFormat(bold: true))
        row += 2
        let clues = county.clues
        try sheet.write(.text(labels(.start)), row: row, column: 0, format: Self.header)
        try sheet.write(.text(county.startIsSeat ? labels(.seat) : String(format: "%.6f, %.6f", county.start.lon, county.start.lat)),
                        row: row, column: 1)
        row += 1
        try sheet.write(.text(labels(.total)), row: row, column: 0, format: Self.header)
        try sheet.write(.number((county.plan.total / 100).rounded() / 10), row: row, column: 1,
                        format: CellFormat(numberFormat: CellFormat.decimals(1)))
        row += 2
        let kilometres = CellFormat(numberFormat: CellFormat.decimals(1))
        for (column, key) in [Labels.Key.byDay, .clueCount, .dayKm].enumerated() {
            try sheet.write(.text(labels(key)), row: row, column: column, format: Self.header)
        }
        row += 1
        for (index, day) in county.plan.days.enumerated() {
            try sheet.write(.text(labels.dayName(index)), row: row, column: 0)
            try sheet.write(.number(Double(day.stops.count)), row: row, column: 1)
            try sheet.write(.number((day.metres / 100).rounded() / 10), row: row, column: 2, format: kilometres)
            row += 1
        }
        row += 1
        // A clue inside two reserves counts under both, so only the zone and severity tables
        // (one group per clue) sum areas.
        let groupings: [(key: Labels.Key, groups: (ClueRow) -> [String], sumsArea: Bool)] = [
            (.byArea, { $0.record.protectedNames.isEmpty ? ["—"] : $0.record.protectedNames }, false),
            (.byZone, { [writer.zoneLabel($0)] }, true),
            (.bySeverity, { [writer.severityLabel($0)] }, true),
        ]
        var widest: [String] = [labels(.allClues)]
        for (key, groups, sumsArea) in groupings {
            try sheet.write(.text(labels(key)), row: row, column: 0, format: Self.header)
            try sheet.write(.text(labels(.clueCount)), row: row, column: 1, format: Self.header)
            if sumsArea { try sheet.write(.text(labels(.overlapHa)), row: row, column: 2, format: Self.header) }
            row += 1
            var counts: [String: (clues: Int, hectares: Double)] = [:]
            var order: [String] = []
            for clue in clues {
                for group in groups(clue) {
                    if counts[group] == nil { order.append(group) }
                    counts[group, default: (0, 0)].clues += 1
                    counts[group, default: (0, 0)].hectares += clue.record.overlapHa
                }
            }
            let hectares = CellFormat(numberFormat: CellFormat.decimals(4))
            for group in order.sorted(by: { (counts[$0]!.clues, $1) > (counts[$1]!.clues, $0) }) {
                try sheet.write(.text(SafeText.spreadsheetCell(group)), row: row, column: 0)
                try sheet.write(.number(Double(counts[group]!.clues)), row: row, column: 1)
                if sumsArea { try sheet.write(.number(counts[group]!.hectares), row: row, column: 2, format: hectares) }
                widest.append(group)
                row += 1
            }
            let total = CellFormat(bold: true)
            try sheet.write(.text(labels(.allClues)), row: row, column: 0, format: total)
            try sheet.write(.number(Double(clues.count)), row: row, column: 1, format: total)
            if sumsArea {
                try sheet.write(.number(clues.reduce(0) { $0 + $1.record.overlapHa }), row: row, column: 2,
                                format: CellFormat(bold: true, numberFormat: CellFormat.decimals(4)))
            }
            row += 2
        }
        try sheet.setColumns(0...0, width: DisplayWidth.column(fitting: widest))
        try sheet.setColumns(1...2, width: 16)
        try sheet.printSetup(landscape: false, fitToWidth: true, headerRows: 0)
    }
}
