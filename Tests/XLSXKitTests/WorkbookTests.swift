import Foundation
import GDALKit
import Testing
import TestSupport
@testable import XLSXKit

/// Workbooks read back by two independent readers: GDAL's XLSX driver for the values, Python's
/// zipfile for the sheet XML that carries the formatting.
@Suite struct WorkbookTests {
    func sample(_ folder: TemporaryFolder) throws -> String {
        let path = folder.path("sample.xlsx")
        let workbook = try Workbook(path: path)
        let sheet = try workbook.addSheet("核查清单")
        let header = CellFormat(bold: true, fill: 0xD9E1F2)
        for (column, name) in ["线索编号", "面积", "核查结果", "核查日期"].enumerated() {
            try sheet.write(.text(name), row: 0, column: column, format: header)
        }
        try sheet.write(.text("00123"), row: 1, column: 0)
        try sheet.write(.number(1234.5678), row: 1, column: 1, format: CellFormat(numberFormat: CellFormat.decimals(2)))
        try sheet.write(.text("属实"), row: 1, column: 2)
        try sheet.write(.date(year: 2026, month: 11, day: 20), row: 1, column: 3, format: CellFormat(numberFormat: "yyyy-mm-dd"))
        try sheet.setColumns(0...0, width: 18)
        try sheet.freeze(rows: 1)
        try sheet.autofilter(rows: 0...1, columns: 0...3)
        try sheet.validate(rows: 1...1, column: 2, .list(["属实", "不属实", "部分属实"]), prompt: "选择核查结果", refusal: "只能选择")
        try sheet.validate(rows: 1...1, column: 3, .dateBetween(from: (2020, 1, 1), to: .day((2099, 12, 31))), prompt: "日期",
                           refusal: "不是日期")
        try sheet.write(.text("不晚于今天"), row: 0, column: 4)
        try sheet.validate(rows: 1...1, column: 4, .dateBetween(from: (2026, 11, 1), to: .today), prompt: "", refusal: "")
        try sheet.setRow(0, height: 30)
        try sheet.printSetup(landscape: true, fitToWidth: true, headerRows: 1)
        try workbook.close()
        return path
    }

    @Test func valuesReadBackThroughGDAL() throws {
        let folder = TemporaryFolder("xlsxkit")
        let path = try sample(folder)
        let layer = try GDALConfiguration.with([("OGR_XLSX_HEADERS", "FORCE")]) { try VectorDataset.open(path).layer(at: 0) }
        #expect(layer.name == "核查清单")
        #expect(layer.fields.map(\.name) == ["线索编号", "面积", "核查结果", "核查日期", "不晚于今天"])
        let feature = try #require(try layer.nextFeature())
        #expect(feature.text(0) == "00123", "an ID stays text: its leading zeros survive")
        #expect(feature.text(1).flatMap(Double.init) == 1234.5678, "the number is stored whole; only its display is rounded")
        #expect(feature.text(2) == "属实")
        #expect(feature.text(3) == "2026/11/20", "a real date cell, which GDAL reads as a date")
    }

    @Test func theSheetCarriesItsFormatting() throws {
        let folder = TemporaryFolder("xlsxkit")
        let path = try sample(folder)
        let sheet = try ZipArchive.text(path, "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
        #expect(sheet.contains(#"<autoFilter ref="A1:D2"/>"#))
        #expect(sheet.contains(#"<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" "#
                               + #"error="只能选择" prompt="选择核查结果" sqref="C2">"#))
        #expect(sheet.contains("<formula1>\"属实,不属实,部分属实\"</formula1>"))
        #expect(sheet.contains(#"<dataValidation type="date" allowBlank="1" showInputMessage="1" showErrorMessage="1" "#
                               + #"error="不是日期" prompt="日期" sqref="D2">"#))
        // Excel's serial days: 2020-01-01 is 43831, 2099-12-31 is 73050.
        #expect(sheet.contains("<formula1>43831</formula1><formula2>73050</formula2>"))
        #expect(sheet.contains("<formula1>DATE(2026,11,1)</formula1><formula2>TODAY()</formula2>"), "no date after the day it is typed")
        #expect(sheet.contains(#"<row r="1" spans="1:5" ht="30" customHeight="1">"#))
        #expect(sheet.contains(#"<pageSetUpPr fitToPage="1"/>"#) && sheet.contains(#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>"#))
        #expect(sheet.contains("<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>"), "page N / M at the foot")
        #expect(sheet.contains(#"<col min="1" max="1" width="18.7109375" customWidth="1"/>"#))
        let workbook = try ZipArchive.text(path, "xl/workbook.xml")
        #expect(workbook.contains(#"<definedName name="_xlnm.Print_Titles" localSheetId="0">'核查清单'!$1:$1</definedName>"#))
        let styles = try ZipArchive.text(path, "xl/styles.xml")
        #expect(styles.contains("<b/>") && styles.contains(#"formatCode="yyyy-mm-dd""#))
    }

    @Test func aDroppedWorkbookWritesNothingAndAClosedOneRefusesMore() throws {
        let folder = TemporaryFolder("xlsxkit")
        let path = folder.path("dropped.xlsx")
        do {
            let workbook = try Workbook(path: path)
            try workbook.addSheet("a").write(.text("x"), row: 0, column: 0)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let workbook = try Workbook(path: path)
        let sheet = try workbook.addSheet("a")
        try workbook.close()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(throws: XLSXError.self) { try sheet.write(.text("late"), row: 1, column: 0) }
        #expect(throws: XLSXError.self) { try workbook.close() }
    }

    @Test func badCellsAreRefusedOrCutNotLost() throws {
        let folder = TemporaryFolder("xlsxkit")
        let workbook = try Workbook(path: folder.path("limits.xlsx"))
        let sheet = try workbook.addSheet("a")
        #expect(throws: XLSXError.self) { try sheet.write(.number(.nan), row: 0, column: 0) }
        #expect(throws: XLSXError.self) { try sheet.write(.text("x"), row: 1_048_576, column: 0) }
        #expect(throws: XLSXError.self) { try sheet.validate(rows: 0...0, column: 0, .list([String](repeating: "属实属实", count: 60)),
                                                           prompt: "", refusal: "") }
        let long = String(repeating: "长", count: 40_000)
        try sheet.write(.text(long), row: 0, column: 1)
        let cut = Worksheet.fitting(long)
        #expect(cut.unicodeScalars.count == Worksheet.maximumTextLength && cut.hasSuffix("…[cut]"))
        try workbook.close()
    }

    @Test func widthsCountChineseCharactersDouble() {
        #expect(DisplayWidth.of("KLML-001") == 8)
        #expect(DisplayWidth.of("卡拉麦里山有蹄类野生动物自然保护区") == 34)
        #expect(DisplayWidth.of("核查结果(属实/不属实/部分属实)") == 30, "ASCII brackets and slashes count one")
        #expect(DisplayWidth.column(fitting: ["短", "卡拉麦里\n两行"]) == 10)
        #expect(DisplayWidth.column(fitting: [String(repeating: "长", count: 100)]) == 60)
        #expect(DisplayWidth.column(fitting: []) == 6)
    }

    @Test func cellReferencesReadAsExcelWritesThem() {
        #expect(Worksheet.reference(0, 0) == "A1")
        #expect(Worksheet.reference(9, 25) == "Z10")
        #expect(Worksheet.reference(0, 26) == "AA1")
        #expect(Worksheet.reference(1, 16_383) == "XFD2")
    }
}
