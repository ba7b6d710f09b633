import Foundation
import GDALKit
import RedlineCore

/// What an import did: rows applied, rows already applied (unchanged), rows left blank, and
/// every rejected row with its number and reason.
public struct ImportReport: Sendable {
    public var applied: [String] = []
    public var unchanged = 0
    public var blank = 0
    public var rejected: [(row: Int, clue: String, reason: String)] = []
}

/// Reads the spreadsheet, CSV or GeoJSON a field team sends back (the checklist's own columns, in
/// Chinese or English), checks every row, and applies the valid ones in one transaction.
/// Importing the same file twice changes nothing.
public struct VerificationImport {
    let registry: Registry
    let file: String
    let today: CalendarDay

    /// Who imports the file: the audit trail's actor (the inspector of each row is a finding).
    let actor: String

    public init(registry: Registry, file: String, actor: String = Actor.login(), today: CalendarDay = .today()) {
        self.registry = registry
        self.file = file
        self.actor = actor
        self.today = today
    }

    /// Column roles and the header names (normalised) that fill them.
    static let headers: [(role: String, names: [String])] = [
        ("clue", ["线索编号", "clueid", "clue"]), ("result", ["核查结果", "result"]), ("date", ["核查日期", "datechecked", "date", "verifiedon"]),
        ("inspector", ["核查人", "inspector"]), ("actual", ["实际活动", "actualactivity"]),
        ("responsible", ["责任主体", "responsibleparty"]), ("rectification", ["整改措施", "rectificationmeasure", "rectification"]),
        ("photos", ["照片编号", "photonumbers", "photos"]), ("remarks", ["备注", "remarks"]), ("status", ["状态", "处理状态", "status"]),
    ]


    /// One accepted row: the clue as read and its life after the row.
    struct Change {
        let clue: RegisteredClue
        let lifecycle: ClueLifecycle
        /// The spreadsheet row it came from, and who checked on the ground.
        let row: Int
        let inspector: String
    }

    /// What one row comes to.
    enum RowOutcome {
        case blank, unchanged, rejected(String), change(Change)
    }

    /// What a row says the team found, read and checked on its own (before the clue is looked at).
    struct Finding {
        let result: VerificationResult
        let date: CalendarDay
        /// 已整改 / 已销号 / 已核查 when the row states it.
        let stated: ClueStatus?
        let findings: FieldFindings
    }

    struct Row {
        let number: Int
        let values: [String: String]
        /// A cell the import reads holds a formula whose value was never saved (GDAL reads it as empty).
        var unsavedFormula = false
        subscript(_ role: String) -> String { values[role]?.trimmingCharacters(in: .whitespaces) ?? "" }
    }

    func readRows() throws -> [Row] {
        // The first row of a returned sheet is its header even when every cell below is text; the
        // drivers read that setting when the layer is first used.
        try GDALConfiguration.with([("OGR_XLSX_HEADERS", "FORCE"), ("OGR_ODS_HEADERS", "FORCE")]) { try readRowsAsConfigured() }
    }

    private func readRowsAsConfigured() throws -> [Row] {
        let lower = file.lowercased()
        let copy = try Self.utf8CSV(file)
        defer { if let copy { try? FileManager.default.removeItem(atPath: copy) } }
        let dataset: VectorDataset
        do {
            dataset = try VectorDataset.open(copy ?? file)
        } catch let error as RedlineError {
            throw error
        } catch {
            throw RedlineError.cannotOpen(source: file, reason: "\(error)")
        }
        guard dataset.layerCount > 0 else { throw RedlineError.noLayers(source: file) }
        let layer = try dataset.layer(at: 0)
        let names = layer.fields.map { Zone.normalise($0.name) }
        var roles: [Int: String] = [:]
        for (index, name) in names.enumerated() {
            guard let role = Self.headers.first(where: { entry in entry.names.contains { name.hasPrefix(Zone.normalise($0)) } })?.role
            else { continue }
            // Two columns for one thing (核查结果 twice, Clue ID beside 线索编号) could disagree row by row.
            if let earlier = roles.first(where: { $0.value == role })?.key {
                throw RedlineError.unreadableFile(path: file, reason: "columns “\(layer.fields[earlier].name)” and "
                                                  + "“\(layer.fields[index].name)” both give \(role) — keep one of them")
            }
            roles[index] = role
        }
        guard roles.values.contains("clue") else {
            throw RedlineError.noSuchField(layer: file, option: "verify import", field: "线索编号 / Clue ID",
                                           available: layer.fields.map(\.name))
        }
        // Spreadsheet rows count from the header (row 1); GDAL numbers XLSX features by sheet row.
        let spreadsheet = lower.hasSuffix(".xlsx") || lower.hasSuffix(".ods")
        let csv = lower.hasSuffix(".csv")
        let unsaved = lower.hasSuffix(".xlsx") ? UnsavedFormulas.cells(inXLSX: file) : [:]
        var rows: [Row] = []
        var ordinal = 0
        while let feature = try layer.nextFeature() {
            ordinal += 1
            var values: [String: String] = [:]
            for (index, role) in roles { values[role] = feature.text(index) ?? "" }
            let number = spreadsheet ? Int(feature.fid ?? Int64(ordinal + 1)) : csv ? ordinal + 1 : ordinal
            let formulaColumns = unsaved[number] ?? []
            rows.append(Row(number: number, values: values, unsavedFormula: roles.keys.contains { formulaColumns.contains($0) }))
        }
        return rows
    }

    /// A CSV that is not UTF-8 is GBK/GB18030 as Excel on a Chinese Windows saves it: a UTF-8 copy
    /// in a temporary file, for GDAL's CSV driver (which takes bytes as they are). Nil for a UTF-8
    /// CSV or another format.
    static func utf8CSV(_ file: String) throws -> String? {
        guard file.lowercased().hasSuffix(".csv"), let data = FileManager.default.contents(atPath: file),
              String(data: data, encoding: .utf8) == nil else { return nil }
        guard let text = TextEncoding.utf8(from: [UInt8](data), encoding: "GB18030") else {
            throw RedlineError.unreadableFile(path: file, reason: "it is neither UTF-8 nor GBK text — save it as CSV UTF-8")
        }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("redline-import-\(getpid())-"
                                                                                  + (file as NSString).lastPathComponent)
        try Data(text.utf8).write(to: copy)
        return copy.path
    }

    public func run(dryRun: Bool) throws -> ImportReport {
        var report = ImportReport()
        var seen: [String: Int] = [:]
        var changes: [Change] = []
        for row in try readRows() {
            let id = SafeID.strip(row["clue"])
            switch try outcome(of: row, id: id, seen: &seen) {
            case .blank: report.blank += 1
            case .unchanged: report.unchanged += 1
            case .rejected(let reason): report.rejected.append((row.number, id, reason))
            case .change(let change):
                changes.append(change)
                report.applied.append(id)
            }
        }
        if !dryRun && !changes.isEmpty { try apply(changes) }
        return report
    }

    private func outcome(of row: Row, id: String, seen: inout [String: Int]) throws -> RowOutcome {
        if row.unsavedFormula {
            return .rejected("a cell holds a formula whose value was never saved — open the file in Excel or LibreOffice "
                             + "and save it, or type the values")
        }
        let empty = row["result"].isEmpty && row["status"].isEmpty
        if id.isEmpty && empty { return .blank }
        guard !id.isEmpty else { return .rejected("no clue ID") }
        if let earlier = seen[id] { return .rejected("clue \(id) already appears on row \(earlier)") }
        seen[id] = row.number
        guard let clue = try registry.clue(id) else { return .rejected("unknown clue ID \(id)") }
        if empty {
            // Findings without a result would be lost without a word: the team meant something.
            let findings = [("date", "核查日期"), ("inspector", "核查人"), ("actual", "实际活动"), ("responsible", "责任主体"),
                            ("rectification", "整改措施"), ("photos", "照片编号"), ("remarks", "备注")]
            let written = findings.filter { !row[$0.0].isEmpty }.map(\.1)
            guard written.isEmpty else {
                return .rejected("no 核查结果 (result), though the row has \(written.joined(separator: ", ")) — "
                                 + "choose 属实, 不属实 or 部分属实, or clear the row")
            }
            return .blank
        }
        switch finding(in: row, earlierResult: clue.result) {
        case .failure(let refusal): return .rejected(refusal.reason)
        case .success(let finding): return outcome(of: finding, for: clue, row: row.number)
        }
    }

    /// The row's finding, or why it is none. A row giving only a status keeps the clue's result.
    private func finding(in row: Row, earlierResult: VerificationResult?) -> Result<Finding, ClueStatus.Refusal> {
        var result = earlierResult
        if !row["result"].isEmpty {
            guard let given = VerificationResult(text: row["result"]) else {
                return .failure(.init("result “\(row["result"])” is not 属实, 不属实 or 部分属实 (confirmed, not confirmed, partly)"))
            }
            result = given
        }
        guard !row["date"].isEmpty else { return .failure(.init("no 核查日期 (date checked)")) }
        guard let date = CalendarDay(text: row["date"]) else { return .failure(.init("“\(row["date"])” is not a date (YYYY-MM-DD)")) }
        guard date <= today else { return .failure(.init("date \(date) is in the future")) }
        guard let result else { return .failure(.init("a status without a result: give 核查结果 first")) }
        var stated: ClueStatus?
        if !row["status"].isEmpty {
            switch Zone.normalise(row["status"]) {
            case "已整改", "整改完成", "rectified": stated = .rectified
            case "已销号", "销号", "closed": stated = .closed
            case "已核查", "verified": stated = .verified
            default: return .failure(.init("status “\(row["status"])” is not 已整改 (rectified) or 已销号 (closed)"))
            }
        }
        let findings = FieldFindings(inspector: row["inspector"], actualActivity: row["actual"], responsibleParty: row["responsible"],
                                     rectification: row["rectification"], photos: row["photos"], remarks: row["remarks"])
        return .success(Finding(result: result, date: date, stated: stated, findings: findings))
    }

    /// What the finding does to the clue: nothing (imported before), a move the status machine
    /// allows on dates that fit the clue's history, or a refusal.
    private func outcome(of finding: Finding, for clue: RegisteredClue, row: Int) -> RowOutcome {
        let target: ClueStatus
        switch ClueStatus.verified(result: finding.result, stated: finding.stated) {
        case .success(let status): target = status
        case .failure(let refusal): return .rejected(refusal.reason)
        }
        var after = clue.lifecycle
        after.status = target
        after.result = finding.result
        after.verifiedOn = finding.date
        after.findings = finding.findings
        if after.changes(from: clue.lifecycle).isEmpty { return .unchanged }
        if let refusal = clue.status.accepts(target) { return .rejected("clue \(clue.clueID) is \(refusal.reason)") }
        let date = finding.date
        if let detected = clue.lifecycle.firstDetected ?? clue.record.detectedOn, date < detected {
            return .rejected("date \(date) is before the clue's patch was detected (\(detected)) — check the date")
        }
        if let last = clue.lifecycle.verifiedOn, date < last {
            return .rejected("date \(date) is earlier than the clue's last verification (\(last)) — the later finding stands; "
                             + "fix the date if this one is newer")
        }
        after.updatedAt = Registry.timestamp()
        let inspector = finding.findings.inspector
        return .change(Change(clue: clue, lifecycle: after, row: row, inspector: inspector))
    }

    /// Applies the accepted rows in one transaction, each with its event.
    private func apply(_ changes: [Change]) throws {
        try registry.begin()
        do {
            let source = (file as NSString).lastPathComponent
            for change in changes {
                try registry.update(change.clue, lifecycle: change.lifecycle)
                let to = change.lifecycle.status.rawValue
                let detail = [change.lifecycle.result.map { "result \($0.rawValue)" }, "row \(change.row)",
                              change.inspector.isEmpty ? nil : "inspector \(change.inspector)"].compactMap { $0 }
                try registry.addEvent(clue: change.clue.clueID, kind: to, from: change.clue.status.rawValue, to: to, source: source,
                                      actor: actor, detail: detail.joined(separator: "; "))
            }
            try registry.commit()
        } catch {
            registry.rollback()
            throw RedlineError.outputFailed(path: registry.displayLocation, reason: "\(error)")
        }
    }
}

/// Clue IDs as a spreadsheet may return them: the apostrophe that kept a cell from being a
/// formula, surrounding spaces.
enum SafeID {
    static func strip(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("'") { value.removeFirst() }
        return value
    }
}

/// Formula cells of an XLSX file saved without their values (written by a script, never opened in
/// a spreadsheet program): GDAL reads them as empty, which would make a filled-in row look blank.
enum UnsavedFormulas {
    /// Per sheet row number, the 0-based columns of such cells on the first sheet.
    static func cells(inXLSX file: String) -> [Int: Set<Int>] {
        let root = "/vsizip/" + file
        guard let sheet = firstSheet(root), let bytes = VirtualFolder.contents(of: "\(root)/xl/\(sheet)") else { return [:] }
        let xml = String(decoding: bytes, as: UTF8.self)
        var found: [Int: Set<Int>] = [:]
        // Self-closing cells (<c r="A1"/>) hold nothing; attributes never hold a "/".
        let pattern = /<c\s+r="([A-Z]+)([0-9]+)"[^>\/]*>(.*?)<\/c>/.dotMatchesNewlines()
        for cell in xml.matches(of: pattern) {
            let (letters, digits, inside) = (cell.output.1, cell.output.2, cell.output.3)
            guard inside.contains("<f"), !inside.contains("<v"), let row = Int(digits) else { continue }
            var column = 0
            for scalar in letters.unicodeScalars { column = column * 26 + Int(scalar.value) - 64 }
            found[row, default: []].insert(column - 1)
        }
        return found
    }

    /// The first sheet's part, as workbook.xml orders the sheets (the one GDAL reads as layer 0).
    private static func firstSheet(_ root: String) -> String? {
        guard let workbook = VirtualFolder.contents(of: root + "/xl/workbook.xml"),
              let relations = VirtualFolder.contents(of: root + "/xl/_rels/workbook.xml.rels") else { return nil }
        let book = String(decoding: workbook, as: UTF8.self), links = String(decoding: relations, as: UTF8.self)
        guard let sheet = book.firstMatch(of: /<sheet\b[^>]*\br:id="([^"]+)"/) else { return nil }
        let id = String(sheet.output.1)
        for link in links.matches(of: /<Relationship\b[^>]*>/) {
            let tag = String(link.output)
            guard tag.contains("Id=\"\(id)\""), let target = tag.firstMatch(of: /Target="([^"]+)"/) else { continue }
            let path = String(target.output.1)
            return path.hasPrefix("/xl/") ? String(path.dropFirst(4)) : path
        }
        return nil
    }
}
