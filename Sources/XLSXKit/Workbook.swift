/// XLSXKit owns what redline does with libxlsxwriter: formatted spreadsheets that people open in
/// Excel or WPS (bold frozen headers, fitted column widths, filters, dropdowns and date checks,
/// a print setup). A `Workbook` owns its C handle; its sheets and formats live inside it and never
/// leave this module. Reading spreadsheets stays with GDAL.
internal import CXLSX
import Foundation

/// An error libxlsxwriter reported, naming what failed.
public struct XLSXError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let message: String
    public var description: String { "\(operation): \(message)" }

    init(_ operation: String, _ code: lxw_error) {
        self.operation = operation
        message = String(cString: lxw_strerror(code))
    }

    init(_ operation: String, message: String) {
        self.operation = operation
        self.message = message
    }
}

/// What a cell holds.
public enum Cell: Sendable, Equatable {
    case text(String)
    case number(Double)
    /// A calendar day, stored as Excel stores dates (a serial number shown through a date format).
    case date(year: Int, month: Int, day: Int)
    case empty
}

/// How a cell looks. Equal formats share one entry in the workbook.
public struct CellFormat: Hashable, Sendable {
    public var bold = false
    public var wrap = false
    public var alignTop = false
    public var border = false
    /// Background colour as 0xRRGGBB.
    public var fill: UInt32?
    /// An Excel number format such as "0.00" or "yyyy-mm-dd".
    public var numberFormat: String?

    public init(bold: Bool = false, wrap: Bool = false, alignTop: Bool = false, border: Bool = false, fill: UInt32? = nil,
                numberFormat: String? = nil) {
        self.bold = bold
        self.wrap = wrap
        self.alignTop = alignTop
        self.border = border
        self.fill = fill
        self.numberFormat = numberFormat
    }

    /// A fixed-decimals number format: 0, 0.0, 0.00…
    public static func decimals(_ count: Int) -> String { count > 0 ? "0." + String(repeating: "0", count: count) : "0" }
}

/// A check on what may be typed into cells, shown in Excel and WPS as a dropdown or a refusal.
public enum Validation: Sendable {
    /// One of the given values, offered as a dropdown (Excel caps the list at 255 characters).
    case list([String])
    /// A calendar day from `from` to `to`, inclusive.
    case dateBetween(from: Day, to: DateLimit)

    public typealias Day = (year: Int, month: Int, day: Int)

    /// The last day a date check allows.
    public enum DateLimit: Sendable {
        case day(Day)
        /// The day the sheet is filled in (Excel's TODAY()): no finding dated in the future.
        case today
    }
}

/// An .xlsx file being written. Nothing is on disk until `close()`, which writes it whole; a
/// workbook dropped without `close()` writes nothing.
public final class Workbook {
    private var handle: UnsafeMutablePointer<lxw_workbook>?
    private var formats: [CellFormat: UnsafeMutablePointer<lxw_format>] = [:]
    public let path: String

    public init(path: String) throws {
        self.path = path
        guard let created = path.withCString({ workbook_new($0) }) else {
            throw XLSXError("create \(path)", message: "libxlsxwriter could not start a workbook (out of memory or no temporary folder)")
        }
        handle = created
    }

    deinit {
        if let handle { lxw_workbook_free(handle) }
    }

    /// A new sheet; Excel allows 31 characters and none of []:*?/\ in its name.
    public func addSheet(_ name: String) throws -> Worksheet {
        let workbook = try open("add sheet \(name)")
        let cleaned = String(name.filter { !"[]:*?/\\".contains($0) }.prefix(31))
        guard let sheet = cleaned.withCString({ workbook_add_worksheet(workbook, $0) }) else {
            throw XLSXError("add sheet \(name)", message: "refused (a sheet of that name exists?)")
        }
        return Worksheet(workbook: self, handle: sheet)
    }

    /// Sets the document's title and author as Excel shows them under File › Info.
    public func setProperties(title: String, author: String) throws {
        let workbook = try open("set properties")
        try title.withCString { title in
            try author.withCString { author in
                var properties = lxw_doc_properties()
                properties.title = UnsafeMutablePointer(mutating: title)
                properties.author = UnsafeMutablePointer(mutating: author)
                let code = workbook_set_properties(workbook, &properties)
                guard code == LXW_NO_ERROR else { throw XLSXError("set properties", code) }
            }
        }
    }

    /// Writes the file and frees the workbook; afterwards every call throws.
    public func close() throws {
        let workbook = try open("close \(path)")
        handle = nil
        formats = [:]
        // workbook_close frees the workbook whatever it returns.
        let code = workbook_close(workbook)
        guard code == LXW_NO_ERROR else { throw XLSXError("write \(path)", code) }
    }

    func open(_ operation: String) throws -> UnsafeMutablePointer<lxw_workbook> {
        guard let handle else { throw XLSXError(operation, message: "the workbook is already closed") }
        return handle
    }

    /// The workbook's format for `format`, made on first use.
    func format(_ format: CellFormat?) throws -> UnsafeMutablePointer<lxw_format>? {
        guard let format, format != CellFormat() else { return nil }
        if let made = formats[format] { return made }
        guard let made = workbook_add_format(try open("add format")) else {
            throw XLSXError("add format", message: "out of memory")
        }
        if format.bold { format_set_bold(made) }
        if format.wrap { format_set_text_wrap(made) }
        if format.alignTop { format_set_align(made, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue)) }
        if format.border { format_set_border(made, UInt8(LXW_BORDER_THIN.rawValue)) }
        if let fill = format.fill {
            format_set_pattern(made, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(made, lxw_color_t(fill))
        }
        if let numberFormat = format.numberFormat { numberFormat.withCString { format_set_num_format(made, $0) } }
        formats[format] = made
        return made
    }
}

/// One sheet of a workbook; it keeps its workbook alive, and fails once the workbook is closed.
public final class Worksheet {
    private let workbook: Workbook
    private let handle: UnsafeMutablePointer<lxw_worksheet>
    /// Excel's limit on the characters of one cell.
    public static let maximumTextLength = 32_767
    /// Excel's last row and column (0-based).
    public static let lastRow = 1_048_575, lastColumn = 16_383

    init(workbook: Workbook, handle: UnsafeMutablePointer<lxw_worksheet>) {
        self.workbook = workbook
        self.handle = handle
    }

    /// Writes one cell (row and column count from 0). Text beyond Excel's limit is cut, with a marker.
    public func write(_ cell: Cell, row: Int, column: Int, format: CellFormat? = nil) throws {
        try checkOpen("write cell")
        let place = try Self.cell(row, column)
        let style = try workbook.format(format)
        let code: lxw_error
        switch cell {
        case .text(let text):
            code = Self.fitting(text).withCString { worksheet_write_string(handle, place.row, place.column, $0, style) }
        case .number(let number):
            guard number.isFinite else {
                throw XLSXError("write cell \(Self.reference(row, column))", message: "\(number) is not a number Excel can hold")
            }
            code = worksheet_write_number(handle, place.row, place.column, number, style)
        case let .date(year, month, day):
            var datetime = Self.datetime((year, month, day))
            code = worksheet_write_datetime(handle, place.row, place.column, &datetime, style)
        case .empty:
            // A blank cell is only stored when it carries a format.
            guard style != nil else { return }
            code = worksheet_write_blank(handle, place.row, place.column, style)
        }
        guard code == LXW_NO_ERROR else { throw XLSXError("write cell \(Self.reference(row, column))", code) }
    }

    /// Sets the width (in characters of the default font) and the default format of columns.
    public func setColumns(_ columns: ClosedRange<Int>, width: Double, format: CellFormat? = nil) throws {
        try checkOpen("set columns")
        let first = try Self.cell(0, columns.lowerBound), last = try Self.cell(0, columns.upperBound)
        let code = worksheet_set_column(handle, first.column, last.column, width, try workbook.format(format))
        guard code == LXW_NO_ERROR else { throw XLSXError("set columns", code) }
    }

    /// Keeps the first `rows` rows and `columns` columns in view when scrolling.
    public func freeze(rows: Int, columns: Int = 0) throws {
        try checkOpen("freeze panes")
        let place = try Self.cell(rows, columns)
        worksheet_freeze_panes(handle, place.row, place.column)
    }

    /// Filter buttons on the first row of the range.
    public func autofilter(rows: ClosedRange<Int>, columns: ClosedRange<Int>) throws {
        try checkOpen("autofilter")
        let first = try Self.cell(rows.lowerBound, columns.lowerBound), last = try Self.cell(rows.upperBound, columns.upperBound)
        let code = worksheet_autofilter(handle, first.row, first.column, last.row, last.column)
        guard code == LXW_NO_ERROR else { throw XLSXError("autofilter", code) }
    }

    /// Checks what is typed into the cells; `prompt` is shown when a cell is selected, `refusal`
    /// when a value is refused.
    public func validate(rows: ClosedRange<Int>, column: Int, _ validation: Validation, prompt: String, refusal: String) throws {
        try checkOpen("validation")
        let first = try Self.cell(rows.lowerBound, column), last = try Self.cell(rows.upperBound, column)
        var rule = lxw_data_validation()
        rule.ignore_blank = UInt8(LXW_VALIDATION_ON.rawValue)
        rule.show_input = UInt8(LXW_VALIDATION_ON.rawValue)
        rule.show_error = UInt8(LXW_VALIDATION_ON.rawValue)
        rule.error_type = UInt8(LXW_VALIDATION_ERROR_TYPE_STOP.rawValue)
        // C strings the rule points at, freed once libxlsxwriter has copied them.
        var owned: [UnsafeMutablePointer<CChar>?] = []
        defer { for string in owned { free(string) } }
        func copied(_ text: String) -> UnsafeMutablePointer<CChar>? {
            let copy = strdup(text)
            owned.append(copy)
            return copy
        }
        rule.input_message = copied(String(prompt.prefix(255)))
        rule.error_message = copied(String(refusal.prefix(255)))
        var list: [UnsafeMutablePointer<CChar>?] = []
        switch validation {
        case .list(let values):
            guard !values.isEmpty, values.joined(separator: ",").count <= 255 else {
                throw XLSXError("validation", message: "a dropdown needs 1 to 255 characters of values")
            }
            rule.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
            list = values.map(copied) + [nil]
        case let .dateBetween(from, to):
            rule.criteria = UInt8(LXW_VALIDATION_CRITERIA_BETWEEN.rawValue)
            switch to {
            case .day(let last):
                rule.validate = UInt8(LXW_VALIDATION_TYPE_DATE.rawValue)
                rule.minimum_datetime = Self.datetime(from)
                rule.maximum_datetime = Self.datetime(last)
            case .today:
                // A limit that moves needs formulas at both ends.
                rule.validate = UInt8(LXW_VALIDATION_TYPE_DATE_FORMULA.rawValue)
                rule.minimum_formula = copied("=DATE(\(from.year),\(from.month),\(from.day))")
                rule.maximum_formula = copied("=TODAY()")
            }
        }
        let code = list.withUnsafeMutableBufferPointer { values -> lxw_error in
            if !values.isEmpty { rule.value_list = values.baseAddress }
            return worksheet_data_validation_range(handle, first.row, first.column, last.row, last.column, &rule)
        }
        guard code == LXW_NO_ERROR else { throw XLSXError("validation", code) }
    }

    /// How the sheet prints: A4, landscape or not, the width fitted to one page, the first
    /// `headerRows` rows repeated on every page, and "page N of M" at the foot.
    public func printSetup(landscape: Bool, fitToWidth: Bool, headerRows: Int, footer: String = "&C&P / &N") throws {
        try checkOpen("print setup")
        if landscape { worksheet_set_landscape(handle) }
        // Paper 9 is A4 in Excel's numbering.
        worksheet_set_paper(handle, 9)
        if fitToWidth { worksheet_fit_to_pages(handle, 1, 0) }
        if headerRows > 0 {
            let last = try Self.cell(headerRows - 1, 0)
            let code = worksheet_repeat_rows(handle, 0, last.row)
            guard code == LXW_NO_ERROR else { throw XLSXError("print setup", code) }
        }
        let code = footer.withCString { worksheet_set_footer(handle, $0) }
        guard code == LXW_NO_ERROR else { throw XLSXError("print setup", code) }
    }

    /// Sets the height of a row in points (15 is one line of the default font).
    public func setRow(_ row: Int, height: Double) throws {
        try checkOpen("set row")
        let place = try Self.cell(row, 0)
        let code = worksheet_set_row(handle, place.row, height, nil)
        guard code == LXW_NO_ERROR else { throw XLSXError("set row", code) }
    }

    private func checkOpen(_ operation: String) throws { _ = try workbook.open(operation) }

    private static func datetime(_ day: Validation.Day) -> lxw_datetime {
        lxw_datetime(year: Int32(day.year), month: Int32(day.month), day: Int32(day.day), hour: 0, min: 0, sec: 0)
    }

    static func cell(_ row: Int, _ column: Int) throws -> (row: lxw_row_t, column: lxw_col_t) {
        guard (0...lastRow).contains(row), (0...lastColumn).contains(column) else {
            throw XLSXError("cell \(row + 1),\(column + 1)", message: "outside Excel's 1,048,576 rows × 16,384 columns")
        }
        return (lxw_row_t(row), lxw_col_t(column))
    }

    /// A1-style name of a cell, for messages.
    static func reference(_ row: Int, _ column: Int) -> String {
        var letters = "", rest = column + 1
        while rest > 0 {
            let digit = (rest - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + digit))) + letters
            rest = (rest - 1) / 26
        }
        return "\(letters)\(row + 1)"
    }

    /// `text` within Excel's cell limit (libxlsxwriter counts code points), cut with a marker.
    static func fitting(_ text: String) -> String {
        guard text.unicodeScalars.count > maximumTextLength else { return text }
        let marker = "…[cut]"
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(maximumTextLength - marker.unicodeScalars.count))
        return String(scalars) + marker
    }
}

/// How wide text shows in a spreadsheet column: CJK and full-width characters take two
/// character widths, the rest one.
public enum DisplayWidth {
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    /// A column width fitted to its widest line of text, with a little room, within 6…60.
    public static func column(fitting texts: [String], minimum: Int = 6, maximum: Int = 60) -> Double {
        let widest = texts.lazy.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
            .map { of(String($0)) }.max() ?? 0
        return Double(min(maximum, max(minimum, widest + 2)))
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
