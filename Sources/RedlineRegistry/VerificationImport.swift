import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// What an import did: rows applied, rows already applied (unchanged), rows left blank, and
/// every rejected row with its number and reason.
public struct ImportReport: Sendable {
    public var applied: [String] = []
    public var unchanged = 0
    public var blank = 0
    public var rejected: [(row: Int, clue: String, reason: String)] = []
    /// Rebound clues a look-back's rows raised: the site's old clue and its new one.
    public var rebounds: [(of: String, clue: String)] = []
    /// Columns that look like findings (完成日期, 核查结论, 整改状态) but are none redline reads:
    /// what the team wrote there is not taken in.
    public var unreadColumns: [String] = []
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

    /// Column roles and the header names (normalised) that fill them. A header takes the first
    /// role one of whose names begins it, so the longer English names come before "date" and
    /// "rectification".
    static let headers: [(role: String, names: [String])] = [
        ("clue", ["线索编号", "clueid", "clue"]), ("result", ["核查结果", "result"]),
        ("deadline", ["整改期限", "rectificationdeadline", "rectifyby", "deadline"]),
        ("rectifiedOn", ["整改完成日期", "整改日期", "daterectified", "rectifiedon"]),
        ("closedOn", ["销号日期", "dateclosed", "closedon"]),
        ("approver", ["验收人", "审批人", "approver", "acceptedby"]),
        ("document", ["文号", "验收文号", "销号文号", "documentno", "documentnumber", "document"]),
        ("date", ["核查日期", "datechecked", "date", "verifiedon"]),
        ("inspector", ["核查人", "inspector"]), ("actual", ["实际活动", "actualactivity"]),
        ("responsible", ["责任主体", "responsibleparty"]), ("rectification", ["整改措施", "rectificationmeasure", "rectification"]),
        ("photos", ["照片编号", "photonumbers", "photos"]), ("remarks", ["备注", "remarks"]), ("status", ["状态", "处理状态", "status"]),
    ]

    /// The roles that make a row say something (the others are findings that go with them).
    static let decisive = ["result", "status", "deadline", "rectifiedOn", "closedOn"]

    /// One accepted row: the clue as read and its life after the row.
    struct Change {
        let clue: RegisteredClue
        let lifecycle: ClueLifecycle
        /// The spreadsheet row it came from, and who checked on the ground.
        let row: Int
        let inspector: String
        var kind = Kind.finding

        enum Kind {
            /// A result or stage of the clue itself.
            case finding
            /// A look-back found the site as it was left.
            case lookbackPassed(campaign: String)
            /// A look-back found the problem back: a rebound clue, verified by this row's finding.
            case rebound(campaign: String, finding: Finding)
        }
    }

    /// What one row comes to.
    enum RowOutcome {
        case blank, unchanged, rejected(String), change(Change)
    }

    /// What a row says the team found, read and checked on its own (before the clue is looked at).
    struct Finding {
        let result: VerificationResult
        let date: CalendarDay
        /// 整改中 / 已整改 / 已销号 / 已核查 when the row states it.
        let stated: ClueStatus?
        let findings: FieldFindings
        /// The sign-off the row gives (dates, approver, document number), and its 整改期限.
        let signOff: SignOff
        let deadline: CalendarDay?
        /// Whether the row gives 核查结果 itself (or keeps the clue's).
        let resultGiven: Bool
    }

    struct Row {
        let number: Int
        let values: [String: String]
        /// A cell the import reads holds a formula whose value was never saved (GDAL reads it as empty).
        var unsavedFormula = false
        subscript(_ role: String) -> String { values[role]?.trimmingCharacters(in: .whitespaces) ?? "" }
    }

    /// The rows, and the columns that look like findings but are not read.
    func readRows() throws -> (rows: [Row], unread: [String]) {
        // The first row of a returned sheet is its header even when every cell below is text; the
        // drivers read that setting when the layer is first used.
        try GDALConfiguration.with([("OGR_XLSX_HEADERS", "FORCE"), ("OGR_ODS_HEADERS", "FORCE")]) { try readRowsAsConfigured() }
    }

    /// Words of a header that holds a finding; a column named so that redline does not read it
    /// (and that is no clue column of the checklist) is named in a warning.
    static let findingWords = ["结果", "结论", "状态", "完成", "销号", "验收", "期限", "日期", "result", "status", "date", "rectif",
                               "closed", "verif"]
    static let clueColumnNames = Set(ClueColumn.allCases.flatMap { [Zone.normalise($0.rawValue), Zone.normalise($0.labelZH)] })

    private func readRowsAsConfigured() throws -> (rows: [Row], unread: [String]) {
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
        // The sheet with a clue ID column: a team may add a sheet of notes before the checklist's own.
        let sheets = try (0..<dataset.layerCount).map { try dataset.layer(at: $0) }
        let clueNames = Self.headers.first { $0.role == "clue" }!.names.map(Zone.normalise)
        let position = sheets.firstIndex { sheet in
            sheet.fields.contains { field in clueNames.contains { Zone.normalise(field.name).hasPrefix($0) } }
        } ?? 0
        let layer = sheets[position]
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
        // Without a result, status or date column every row would read as blank: a renamed header, not an empty file.
        guard roles.values.contains(where: Self.decisive.contains) else {
            throw RedlineError.noSuchField(layer: file, option: "verify import",
                                           field: "核查结果 (result), 状态 (status), 整改期限, 整改完成日期 or 销号日期",
                                           available: layer.fields.map(\.name))
        }
        let unread = names.indices.filter { index in
            roles[index] == nil && !Self.clueColumnNames.contains(names[index])
                && Self.findingWords.contains { names[index].contains($0) }
        }.map { layer.fields[$0].name }
        // Spreadsheet rows count from the header (row 1); GDAL numbers XLSX features by sheet row.
        let spreadsheet = lower.hasSuffix(".xlsx") || lower.hasSuffix(".ods")
        let csv = lower.hasSuffix(".csv")
        let unsaved = lower.hasSuffix(".xlsx") ? UnsavedFormulas.cells(inXLSX: file, sheet: position) : [:]
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
        return (rows, unread)
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
        let (rows, unread) = try readRows()
        report.unreadColumns = unread
        // One clue on rows that disagree: which finding is right is not ours to guess, so none applies.
        let byClue = Dictionary(grouping: rows.filter { !SafeID.strip($0["clue"]).isEmpty }, by: { SafeID.strip($0["clue"]) })
        func finding(_ row: Row) -> [String] { Self.headers.map(\.role).filter { $0 != "clue" }.map { row[$0] } }
        let disagreeing = byClue.filter { _, rows in rows.contains { finding($0) != finding(rows[0]) } }.mapValues { $0.map(\.number) }
        for row in rows {
            let id = SafeID.strip(row["clue"])
            if let numbers = disagreeing[id] {
                report.rejected.append((row.number, id, "clue \(id) is on rows \(numbers.map(String.init).joined(separator: ", ")) with "
                                        + "different findings — keep the row that is right and remove the others"))
                continue
            }
            switch try outcome(of: row, id: id, seen: &seen) {
            case .blank: report.blank += 1
            case .unchanged: report.unchanged += 1
            case .rejected(let reason): report.rejected.append((row.number, id, reason))
            case .change(let change):
                changes.append(change)
                report.applied.append(id)
            }
        }
        if !dryRun && !changes.isEmpty { report.rebounds = try apply(changes) }
        return report
    }

    private func outcome(of row: Row, id: String, seen: inout [String: Int]) throws -> RowOutcome {
        if row.unsavedFormula {
            return .rejected("a cell holds a formula whose value was never saved — open the file in Excel or LibreOffice "
                             + "and save it, or type the values")
        }
        let empty = Self.decisive.allSatisfy { row[$0].isEmpty }
        if id.isEmpty && empty { return .blank }
        guard !id.isEmpty else { return .rejected("no clue ID") }
        if let earlier = seen[id] { return .rejected("clue \(id) already appears on row \(earlier)") }
        seen[id] = row.number
        guard let clue = try registry.clue(id) else { return .rejected("unknown clue ID \(id)") }
        if empty {
            // Findings without a result would be lost without a word: the team meant something.
            let findings = [("date", "核查日期"), ("inspector", "核查人"), ("actual", "实际活动"), ("responsible", "责任主体"),
                            ("rectification", "整改措施"), ("photos", "照片编号"), ("remarks", "备注"), ("approver", "验收人"),
                            ("document", "文号")]
            let written = findings.filter { !row[$0.0].isEmpty }.map(\.1)
            guard written.isEmpty else {
                return .rejected("no 核查结果 (result), though the row has \(written.joined(separator: ", ")) — "
                                 + "choose 属实, 不属实 or 部分属实, or clear the row")
            }
            return .blank
        }
        switch finding(in: row, earlier: clue.lifecycle) {
        case .failure(let refusal): return .rejected(refusal.reason)
        case .success(let finding): return try outcome(of: finding, for: clue, row: row.number)
        }
    }

    /// A date column of the row: nil when empty, a refusal when it is no date or in the future.
    private func day(_ row: Row, _ role: String, _ label: String) -> Result<CalendarDay?, ClueStatus.Refusal> {
        guard !row[role].isEmpty else { return .success(nil) }
        guard let date = CalendarDay(text: row[role]) else { return .failure(.init("\(label) “\(row[role])” is not a date (YYYY-MM-DD)")) }
        // Excel's day zero: what a cell holding #VALUE! or a zero reads as.
        if date <= CalendarDay(year: 1899, month: 12, day: 31)! {
            return .failure(.init("\(label) reads as \(date), Excel's day zero — the cell holds an error (#VALUE!) or 0; type the date"))
        }
        // A deadline lies ahead; a day something was done cannot.
        guard role == "deadline" || date <= today else { return .failure(.init("\(label) \(date) is in the future")) }
        return .success(date)
    }

    /// The row's finding, or why it is none. A row without a result (a stage, a deadline) keeps the
    /// clue's result and, without a date, the day of its last finding.
    private func finding(in row: Row, earlier: ClueLifecycle) -> Result<Finding, ClueStatus.Refusal> {
        var result = earlier.result
        if !row["result"].isEmpty {
            guard let given = VerificationResult(text: row["result"]) else {
                return .failure(.init("result “\(row["result"])” is not 属实, 不属实 or 部分属实 (confirmed, not confirmed, partly)"))
            }
            result = given
        }
        let checked: CalendarDay?, deadline: CalendarDay?, rectifiedOn: CalendarDay?, closedOn: CalendarDay?
        switch (day(row, "date", "核查日期 (date checked)"), day(row, "deadline", "整改期限 (rectification deadline)"),
                day(row, "rectifiedOn", "整改完成日期 (date rectified)"), day(row, "closedOn", "销号日期 (date closed)")) {
        case let (.success(a), .success(b), .success(c), .success(d)): (checked, deadline, rectifiedOn, closedOn) = (a, b, c, d)
        case let (.failure(refusal), _, _, _), let (_, .failure(refusal), _, _), let (_, _, .failure(refusal), _),
             let (_, _, _, .failure(refusal)):
            return .failure(refusal)
        }
        guard let date = checked ?? (row["result"].isEmpty ? earlier.verifiedOn : nil) else {
            return .failure(.init("no 核查日期 (date checked)"))
        }
        guard let result else { return .failure(.init("a status without a result: give 核查结果 first")) }
        var stated: ClueStatus?
        if !row["status"].isEmpty {
            switch Zone.normalise(row["status"]) {
            case "整改中", "正在整改", "rectifying": stated = .rectifying
            case "已整改", "整改完成", "待验收", "已整改待验收", "rectified": stated = .rectified
            case "已销号", "销号", "closed": stated = .closed
            case "已核查", "verified": stated = .verified
            default: return .failure(.init("status “\(row["status"])” is not 整改中 (rectifying), 已整改 (rectified) or 已销号 (closed)"))
            }
        }
        // A date of rectification says the site was rectified: its stage follows, so that the
        // registry's status and the reports agree on it (a look-back's row is the look-back's).
        if rectifiedOn != nil && result != .notConfirmed && earlier.lookback == nil {
            if stated == nil { stated = .rectified }
            if let given = stated, [.verified, .rectifying].contains(given) {
                return .failure(.init("整改完成日期 (date rectified) given, but 状态 is “\(row["status"])” — set 状态 to 已整改 "
                                      + "(rectified), or clear the date"))
            }
        }
        let findings = FieldFindings(inspector: row["inspector"], actualActivity: row["actual"], responsibleParty: row["responsible"],
                                     rectification: row["rectification"], photos: row["photos"], remarks: row["remarks"])
        let signOff = SignOff(rectifiedOn: rectifiedOn, closedOn: closedOn, approver: row["approver"], documentNo: row["document"])
        return .success(Finding(result: result, date: date, stated: stated, findings: findings, signOff: signOff, deadline: deadline,
                                resultGiven: !row["result"].isEmpty))
    }

    /// What the finding does to the clue: nothing (imported before), a move the status machine
    /// allows on dates that fit the clue's history, or a refusal.
    private func outcome(of finding: Finding, for clue: RegisteredClue, row: Int) throws -> RowOutcome {
        if let outcome = lookbackOutcome(of: finding, for: clue, row: row) { return outcome }
        // A true problem stays one: a later 不属实 would close it without rectification or sign-off.
        if finding.resultGiven, finding.result == .notConfirmed, let earlier = clue.lifecycle.result, earlier != .notConfirmed {
            return .rejected("clue \(clue.clueID) was found \(earlier.label) on \(clue.lifecycle.verifiedOn.map { "\($0)" } ?? "an earlier check")"
                             + "; a 不属实 row cannot close a true problem — it closes as 已销号 once its rectification is accepted")
        }
        var target: ClueStatus
        switch ClueStatus.verified(result: finding.result, stated: finding.stated) {
        case .success(let status): target = status
        case .failure(let refusal): return .rejected(refusal.reason)
        }
        // A row giving neither result nor status (a 整改期限, say) keeps the clue where it is.
        if !finding.resultGiven && finding.stated == nil && clue.status != .closed { target = clue.status }
        let isTrue = finding.result != .notConfirmed
        var after = clue.lifecycle
        after.status = target
        after.result = finding.result
        after.verifiedOn = finding.date
        after.findings = finding.findings
        switch signOff(finding, clue: clue, target: target) {
        case .failure(let refusal): return .rejected(refusal.reason)
        case .success(let signOff): after.signOff = signOff
        }
        if isTrue {
            let policy = try registry.deadlinePolicy().deadlines(of: clue.record)
            if let deadline = finding.deadline, deadline < finding.date {
                return .rejected("整改期限 (rectification deadline) \(deadline) is before the finding of \(finding.date) — check the date")
            }
            after.due.rectify = finding.deadline ?? clue.lifecycle.due.rectify ?? finding.date.adding(days: policy.rectifyDays)
            if let rectified = after.signOff.rectifiedOn {
                after.due.accept = clue.lifecycle.due.accept ?? rectified.adding(days: policy.acceptDays)
            }
        } else if finding.deadline != nil {
            return .rejected("整改期限 (rectification deadline) given for a clue found not true (不属实) — clear it")
        }
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

    /// What a row does to a site a look-back (回头看) drew, or nil when it is an ordinary finding:
    /// a result without a status, for a rectified or closed clue awaiting a campaign. 不属实 says
    /// the site is as it was left; 属实 or 部分属实 that the problem is back, and raises a rebound
    /// clue with this row's finding, as new imagery would. The same row imported again changes nothing.
    private func lookbackOutcome(of finding: Finding, for clue: RegisteredClue, row: Int) -> RowOutcome? {
        let life = clue.lifecycle
        guard finding.resultGiven, finding.stated == nil else { return nil }
        let back = finding.result != .notConfirmed
        if life.lookback == nil, let checked = life.lookbackChecked, checked == finding.date, back == (life.supersededBy != nil) {
            return .unchanged
        }
        guard let campaign = life.lookback, LookbackPlan.statuses.contains(life.status) else { return nil }
        if finding.signOff.rectifiedOn != nil || finding.signOff.closedOn != nil {
            return .rejected("clue \(clue.clueID) awaits look-back \(campaign): give 核查结果 and the findings, "
                             + "not 整改完成日期 or 销号日期 — a problem found back is a new clue")
        }
        if !back && finding.deadline != nil {
            return .rejected("整改期限 (rectification deadline) given, but the look-back found nothing back (不属实) — clear it")
        }
        let dealtWith = [life.verifiedOn, life.signOff.rectifiedOn, life.signOff.closedOn].compactMap { $0 }.max()
        if let dealtWith, finding.date < dealtWith {
            return .rejected("核查日期 (date checked) \(finding.date) is before the site was dealt with (\(dealtWith)) — "
                             + "a look-back checks it afterwards; check the date")
        }
        var after = life
        after.lookback = nil
        after.lookbackChecked = finding.date
        after.updatedAt = Registry.timestamp()
        if back { after.status = .reopened }
        return .change(Change(clue: clue, lifecycle: after, row: row, inspector: finding.findings.inspector,
                              kind: back ? .rebound(campaign: campaign, finding: finding) : .lookbackPassed(campaign: campaign)))
    }

    /// The sign-off after the row: its dates, approver and document on top of the clue's, checked
    /// in order. A true problem is rectified before it is closed, and closed (销号) only by an
    /// approver (验收人) with evidence: a document number (文号) or photos.
    private func signOff(_ finding: Finding, clue: RegisteredClue, target: ClueStatus) -> Result<SignOff, ClueStatus.Refusal> {
        var signOff = clue.lifecycle.signOff
        let given = finding.signOff
        if !given.approver.isEmpty { signOff.approver = given.approver }
        if !given.documentNo.isEmpty { signOff.documentNo = given.documentNo }
        let isTrue = finding.result != .notConfirmed
        if isTrue && (target == .rectified || target == .closed) {
            // A 已整改 row with only its 核查日期 was rectified that day, as before sign-off existed.
            signOff.rectifiedOn = given.rectifiedOn ?? signOff.rectifiedOn ?? (target == .rectified ? finding.date : nil)
        } else if let rectified = given.rectifiedOn {
            guard isTrue else { return .failure(.init("整改完成日期 (date rectified) given for a clue found not true (不属实) — clear it")) }
            signOff.rectifiedOn = rectified
        }
        if target == .closed { signOff.closedOn = given.closedOn ?? signOff.closedOn ?? finding.date }
        else if given.closedOn != nil { return .failure(.init("销号日期 (date closed) given, but the status is not 已销号 (closed)")) }
        if isTrue && target == .closed {
            var missing: [String] = []
            if signOff.rectifiedOn == nil { missing.append("整改完成日期 (date rectified), or import its 已整改 row first") }
            if signOff.approver.isEmpty { missing.append("验收人 (approver)") }
            if signOff.documentNo.isEmpty && finding.findings.photos.isEmpty && clue.lifecycle.findings.photos.isEmpty {
                missing.append("文号 (document number) or 照片编号 (photos) as evidence")
            }
            guard missing.isEmpty else {
                return .failure(.init("a true problem is closed (销号) only after its rectification is accepted: give "
                                      + missing.joined(separator: "; ")))
            }
        }
        let detected = clue.lifecycle.firstDetected ?? clue.record.detectedOn
        if let rectified = signOff.rectifiedOn, let detected, rectified < detected {
            return .failure(.init("整改完成日期 (date rectified) \(rectified) is before the patch was detected (\(detected))"))
        }
        if let rectified = signOff.rectifiedOn, let closed = signOff.closedOn, closed < rectified {
            return .failure(.init("销号日期 (date closed) \(closed) is before 整改完成日期 (date rectified) \(rectified)"))
        }
        return .success(signOff)
    }

    /// Applies the accepted rows in one transaction, each with its event. Returns the rebound
    /// clues raised.
    private func apply(_ changes: [Change]) throws -> [(of: String, clue: String)] {
        var rebounds: [(of: String, clue: String)] = []
        try registry.begin()
        do {
            let source = (file as NSString).lastPathComponent
            var taken: Set<String>?
            for change in changes {
                switch change.kind {
                case .finding: break
                case .lookbackPassed(let campaign):
                    try registry.update(change.clue, lifecycle: change.lifecycle)
                    try registry.addEvent(clue: change.clue.clueID, kind: "lookback_passed", from: change.clue.status.rawValue,
                                          to: change.clue.status.rawValue, source: source, actor: actor,
                                          detail: "\(campaign); row \(change.row)" + (change.inspector.isEmpty ? "" : "; inspector \(change.inspector)"))
                    continue
                case let .rebound(campaign, finding):
                    if taken == nil {
                        taken = try registry.takenIDs(near: changes.compactMap { if case .rebound = $0.kind { $0.clue.clueID } else { nil } })
                    }
                    let id = try raiseRebound(of: change, campaign: campaign, finding: finding, source: source, taken: &taken!)
                    rebounds.append((change.clue.clueID, id))
                    continue
                }
                try registry.update(change.clue, lifecycle: change.lifecycle)
                let to = change.lifecycle.status.rawValue
                let life = change.lifecycle
                let detail = [life.result.map { "result \($0.rawValue)" }, "row \(change.row)",
                              change.inspector.isEmpty ? nil : "inspector \(change.inspector)",
                              life.due.rectify != change.clue.lifecycle.due.rectify ? life.due.rectify.map { "rectify by \($0)" } : nil,
                              life.signOff.approver != change.clue.lifecycle.signOff.approver ? "approver \(life.signOff.approver)" : nil,
                              life.signOff.documentNo != change.clue.lifecycle.signOff.documentNo ? "document \(life.signOff.documentNo)" : nil]
                    .compactMap { $0 }
                try registry.addEvent(clue: change.clue.clueID, kind: to, from: change.clue.status.rawValue, to: to, source: source,
                                      actor: actor, detail: detail.joined(separator: "; "))
            }
            try registry.commit()
        } catch {
            registry.rollback()
            throw RedlineError.outputFailed(path: registry.displayLocation, reason: "\(error)")
        }
        return rebounds
    }

    /// The rebound clue a look-back found on the ground: the old clue's site and judgement under a
    /// new ID, verified by the row, with its rectification deadline; the old clue is reopened and
    /// superseded by it, as a rebound in new imagery does.
    private func raiseRebound(of change: Change, campaign: String, finding: Finding, source: String,
                              taken: inout Set<String>) throws -> String {
        let old = change.clue
        let id = Registry.freeID(old.clueID, taken: &taken)
        var record = old.record
        record.clueID = id
        // Issued on the day the team found the activity back, so the report counts it in that
        // month, found and verified together, whenever the file is imported.
        var life = ClueLifecycle(origin: .rebound, reboundOf: old.clueID, extract: "", detected: finding.date,
                                 at: finding.date.startTimestamp, campaign: campaign, source: "回头看")
        life.updatedAt = Registry.timestamp()
        life.status = .verified
        life.result = finding.result
        life.verifiedOn = finding.date
        life.findings = finding.findings
        let rectifyDays = try registry.deadlinePolicy().deadlines(of: record).rectifyDays
        life.due.rectify = finding.deadline ?? finding.date.adding(days: rectifyDays)
        _ = try registry.insert(record, lifecycle: life, wkb: old.wkb)
        var superseded = change.lifecycle
        superseded.supersededBy = id
        try registry.update(old, lifecycle: superseded)
        let by = change.inspector.isEmpty ? "" : "; inspector \(change.inspector)"
        try registry.addEvent(clue: id, kind: "rebound_issued", from: nil, to: ClueStatus.verified.rawValue, source: source, actor: actor,
                              detail: "\(old.clueID); look-back \(campaign); result \(finding.result.rawValue); row \(change.row)\(by); "
                                  + "rectify by \(life.due.rectify.map { "\($0)" } ?? "-")")
        try registry.addEvent(clue: old.clueID, kind: "rebound", from: old.status.rawValue, to: ClueStatus.reopened.rawValue,
                              source: source, actor: actor, detail: "\(id); look-back \(campaign); row \(change.row)\(by)")
        return id
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
    static func cells(inXLSX file: String, sheet position: Int = 0) -> [Int: Set<Int>] {
        let root = "/vsizip/" + file
        guard let sheet = sheet(position, of: root), let bytes = VirtualFolder.contents(of: "\(root)/xl/\(sheet)") else { return [:] }
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

    /// The part of the sheet at `position`, as workbook.xml orders the sheets (GDAL's layer order).
    private static func sheet(_ position: Int, of root: String) -> String? {
        guard let workbook = VirtualFolder.contents(of: root + "/xl/workbook.xml"),
              let relations = VirtualFolder.contents(of: root + "/xl/_rels/workbook.xml.rels") else { return nil }
        let book = String(decoding: workbook, as: UTF8.self), links = String(decoding: relations, as: UTF8.self)
        let sheets = book.matches(of: /<sheet\b[^>]*\br:id="([^"]+)"/)
        guard sheets.indices.contains(position) else { return nil }
        let id = String(sheets[position].output.1)
        for link in links.matches(of: /<Relationship\b[^>]*>/) {
            let tag = String(link.output)
            guard tag.contains("Id=\"\(id)\""), let target = tag.firstMatch(of: /Target="([^"]+)"/) else { continue }
            let path = String(target.output.1)
            return path.hasPrefix("/xl/") ? String(path.dropFirst(4)) : path
        }
        return nil
    }
}
