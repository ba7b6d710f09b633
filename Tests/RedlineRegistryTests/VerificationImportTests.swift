import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs
@testable import RedlineRegistry
import Testing
import TestSupport

/// A returned checklist against a registry of six clues in known states: every row's fate, and
/// only the valid ones applied, each with its event.
@Suite struct VerificationImportTests {
    /// clue id → (status, first detected, last verified)
    static let clues: [(String, ClueStatus, String, String)] = [
        ("C1", .issued, "2026-11-01", ""), ("C2", .closed, "2026-11-01", "2026-11-12"),
        ("C3", .rectified, "2026-11-01", "2026-11-15"), ("C4", .rectified, "2026-11-01", "2026-11-20"),
        ("C5", .issued, "2026-11-05", ""), ("C6", .dispatched, "2026-11-01", ""),
    ]

    func registry(in folder: TemporaryFolder) throws -> Registry {
        let registry = try Registry.open(folder.path("registry.gpkg"), create: true)
        let layer = try registry.clues(crs: "EPSG:4490")
        for (index, (id, status, detected, verified)) in Self.clues.enumerated() {
            let x = 89.3 + Double(index) * 0.01
            try RegistryFixture.writeClue(id, x: x, into: layer, lifecycle: [
                ("status", .string(status.rawValue)), ("first_detected", .string(detected)), ("verified_on", .string(verified)),
                ("result", .string(verified.isEmpty ? "" : "confirmed")),
            ])
        }
        return registry
    }

    @Test func everyRowIsAppliedOrRejectedWithItsReason() throws {
        let folder = TemporaryFolder("redline-verify-unit")
        let store = try registry(in: folder)
        let file = folder.path("results.csv")
        try Data("""
        线索编号,核查结果,核查日期,状态
        C1,属实,2026-11-10,
        C2,属实,2026-11-13,
        C3,属实,2026-11-21,
        C1,属实,2026-11-10,
        C9,属实,2026-11-10,
        C4,部分属实,2026-11-19,已整改
        C5,属实,2026-11-01,
        C6,不属实,2026-11-10,已整改
        ,,,
        C2,可能,2026-11-10,
        C2,不属实,2026-11-10,

        """.utf8).write(to: URL(fileURLWithPath: file))
        let report = try VerificationImport(registry: store, file: file, today: CalendarDay(text: "2026-12-01")!).run(dryRun: false)
        let reasons = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.row, $0.reason) })
        #expect(report.applied == ["C1"])
        #expect(report.blank == 1)
        #expect(reasons[3] == "clue C2 is on rows 3, 11, 12 with different findings — keep the row that is right and remove the others")
        #expect(reasons[4] == "clue C3 is already rectified; it cannot go back to verified")
        #expect(reasons[5] == "clue C1 already appears on row 2", "the same row again")
        #expect(reasons[6] == "unknown clue ID C9")
        #expect(reasons[7]?.hasPrefix("date 2026-11-19 is earlier than the clue's last verification (2026-11-20)") == true)
        #expect(reasons[8]?.hasPrefix("date 2026-11-01 is before the clue's patch was detected (2026-11-05)") == true)
        #expect(reasons[9] == "a clue found not true cannot be rectified")
        #expect(reasons[11] == reasons[3] && reasons[12] == reasons[3], "rows that disagree: none applies")
        #expect(reasons.count == 9, "\(report.rejected)")
        let after = Dictionary(uniqueKeysWithValues: try store.allClues().map { ($0.clueID, $0) })
        #expect(after["C1"]?.status == .verified && after["C1"]?.result == .confirmed && after["C1"]?.lifecycle.verifiedOn == CalendarDay(text: "2026-11-10"))
        #expect(after.filter { $0.key != "C1" }.allSatisfy { id, clue in
            clue.status == Self.clues.first { $0.0 == id }!.1
        }, "rejected rows change nothing")
        let events = try Registry.rows(try store.events())
        #expect(events.map { "\($0["clue_id"]) \($0["from_status"])→\($0["to_status"])" } == ["C1 issued→verified"])
    }

    /// A row the team filled in but gave no result is refused, not skipped as blank: its findings
    /// would be lost without a word. A row with nothing but the clue ID is blank.
    @Test func findingsWithoutAResultAreRefusedNotSkipped() throws {
        let folder = TemporaryFolder("redline-verify-unit")
        let store = try registry(in: folder)
        let file = folder.path("results.csv")
        try Data("线索编号,核查结果,核查日期,核查人,实际活动,备注\nC1,,2026-11-10,王明,露天采矿,已停工\nC5,,,,,\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        let report = try VerificationImport(registry: store, file: file, today: CalendarDay(text: "2026-12-01")!).run(dryRun: false)
        #expect(report.rejected.map(\.row) == [2] && report.blank == 1 && report.applied.isEmpty)
        #expect(report.rejected.first?.reason.hasPrefix("no 核查结果 (result), though the row has 核查日期, 核查人, 实际活动, 备注") == true,
                "\(report.rejected)")
    }

    @Test func twoColumnsForOneThingAreRefused() throws {
        let folder = TemporaryFolder("redline-verify-columns")
        let store = try registry(in: folder)
        let file = folder.path("twice.csv")
        try Data("线索编号,核查结果,核查日期,核查结果 2\nC1,属实,2026-11-10,不属实\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: RedlineError.self) { try VerificationImport(registry: store, file: file).run(dryRun: true) }
        #expect(try store.clue("C1")?.status == .issued)
    }

    @Test func aHandEditedStatusIsRefusedByNameNotReadAsIssued() throws {
        let folder = TemporaryFolder("redline-verify-damaged")
        let store = try registry(in: folder)
        let layer = try store.clues()
        let fid = try #require(try store.clue("C3")?.fid)
        try layer.update(fid: fid, [("status", .string("half-done"))])
        let error = try #require(throws: RegistryError.self) { try store.allClues() }
        #expect("\(error)".contains("clue C3 has status “half-done”"), "\(error)")
    }

    /// Imports `csv` as a returned checklist on 2026-12-01.
    func importing(_ csv: String, into store: Registry, in folder: TemporaryFolder, name: String = "results.csv") throws -> ImportReport {
        let file = folder.path(name)
        try Data(csv.utf8).write(to: URL(fileURLWithPath: file))
        return try VerificationImport(registry: store, file: file, actor: "analyst", today: CalendarDay(text: "2026-12-01")!).run(dryRun: false)
    }

    /// A true problem goes 属实 → 整改中 → 已整改 (待验收) → 已销号, each stage with its date and
    /// deadline (prohibited/high: 90 days to rectify, 30 to accept, counted by hand), and is closed
    /// only with an approver and evidence; a clue found not true closes at once.
    @Test func aTrueProblemIsClosedOnlyThroughItsSignOff() throws {
        let folder = TemporaryFolder("redline-verify-signoff")
        let store = try registry(in: folder)
        var report = try importing("线索编号,核查结果,核查日期\nC1,属实,2026-11-10\nC5,不属实,2026-11-10\n", into: store, in: folder)
        #expect(report.applied == ["C1", "C5"])
        var c1 = try #require(try store.clue("C1"))
        #expect(c1.status == .verified && c1.lifecycle.due.rectify == CalendarDay(text: "2027-02-08"))
        #expect(try store.clue("C5")?.status == .closed && (try store.clue("C5")?.lifecycle.signOff.closedOn) == CalendarDay(text: "2026-11-10"))

        report = try importing("线索编号,核查结果,核查日期,状态\nC1,属实,2026-11-20,已销号\n", into: store, in: folder, name: "early.csv")
        let reason = try #require(report.rejected.first?.reason)
        #expect(reason.contains("整改完成日期") && reason.contains("验收人") && reason.contains("文号"), "\(reason)")
        #expect(try store.clue("C1")?.status == .verified)

        report = try importing("Clue ID,Status,Date checked,Rectification deadline,Rectification measure\nC1,rectifying,2026-11-15,2026-12-31,拆除复绿\n",
                               into: store, in: folder, name: "plan.csv")
        #expect(report.applied == ["C1"], "\(report.rejected)")
        c1 = try #require(try store.clue("C1"))
        #expect(c1.status == .rectifying && c1.lifecycle.due.rectify == CalendarDay(text: "2026-12-31"), "the row's 整改期限 overrides")

        report = try importing("线索编号,核查结果,核查日期,状态,整改完成日期\nC1,属实,2026-11-26,已整改,2026-11-25\n", into: store, in: folder,
                               name: "done.csv")
        c1 = try #require(try store.clue("C1"))
        #expect(c1.status == .rectified && c1.lifecycle.signOff.rectifiedOn == CalendarDay(text: "2026-11-25"))
        #expect(c1.lifecycle.due.accept == CalendarDay(text: "2026-12-25"))

        report = try importing("线索编号,核查结果,核查日期,状态,销号日期,验收人,文号\nC1,属实,2026-11-30,已销号,2026-11-30,李华,昌环验〔2026〕12号\n",
                               into: store, in: folder, name: "closed.csv")
        #expect(report.applied == ["C1"], "\(report.rejected)")
        c1 = try #require(try store.clue("C1"))
        #expect(c1.status == .closed && c1.lifecycle.signOff == SignOff(rectifiedOn: CalendarDay(text: "2026-11-25"),
                                                                        closedOn: CalendarDay(text: "2026-11-30"),
                                                                        approver: "李华", documentNo: "昌环验〔2026〕12号"))
        let events = try Registry.rows(try store.events(), filter: "clue_id = 'C1'").sorted { $0.fid < $1.fid }
        #expect(events.map(\.values["to_status"]) == ["verified", "rectifying", "rectified", "closed"])
        #expect(events.last?["detail"].contains("approver 李华; document 昌环验〔2026〕12号") == true, "\(events.last?.values ?? [:])")
        #expect(events.allSatisfy { $0["actor"] == "analyst" })
    }

    /// A later 不属实 does not undo a true problem; a 整改完成日期 carries the clue to 已整改 (so
    /// status and the monthly report agree) unless 状态 says otherwise; a file whose result column
    /// is named otherwise is refused, and finding-like columns that are not read are named.
    @Test func aTrueProblemIsNotUndoneAndARectificationDateCarriesItsStage() throws {
        let folder = TemporaryFolder("redline-verify-consistent")
        let store = try registry(in: folder)
        var report = try importing("线索编号,核查结果,核查日期\nC3,不属实,2026-11-22\n", into: store, in: folder)
        #expect(report.applied.isEmpty)
        #expect(report.rejected.first?.reason == "clue C3 was found 属实 on 2026-11-15; a 不属实 row cannot close a true problem — "
                + "it closes as 已销号 once its rectification is accepted", "\(report.rejected)")
        #expect(try store.clue("C3")?.status == .rectified)

        report = try importing("线索编号,核查结果,核查日期,整改完成日期\nC1,属实,2026-11-10,2026-11-20\nC6,属实,2026-11-10,\n", into: store,
                               in: folder, name: "dated.csv")
        #expect(report.applied == ["C1", "C6"], "\(report.rejected)")
        let c1 = try #require(try store.clue("C1"))
        #expect(c1.status == .rectified && c1.lifecycle.signOff.rectifiedOn == CalendarDay(text: "2026-11-20"))
        #expect(try store.clue("C6")?.status == .verified)

        report = try importing("线索编号,核查结果,核查日期,状态,整改完成日期\nC5,属实,2026-11-10,整改中,2026-11-20\n", into: store, in: folder,
                               name: "contradicts.csv")
        #expect(report.rejected.first?.reason.hasPrefix("整改完成日期 (date rectified) given, but 状态 is “整改中”") == true, "\(report.rejected)")

        #expect(throws: RedlineError.self) { try importing("线索编号,核查结论\nC5,属实\n", into: store, in: folder, name: "renamed.csv") }
        report = try importing("线索编号,核查结果,核查日期,状态,完成日期,发现日期\nC5,属实,2026-11-10,已整改,2026-11-20,2026-11-05\n",
                               into: store, in: folder, name: "unread.csv")
        #expect(report.unreadColumns == ["完成日期"], "发现日期 is the checklist's own clue column")
        #expect(try store.clue("C5")?.lifecycle.signOff.rectifiedOn == CalendarDay(text: "2026-11-10"), "as documented, with a warning now")
    }

    /// A workbook whose first sheet is the team's notes: the checklist sheet is the one with the
    /// clue IDs. A date cell holding #VALUE! (read as Excel's day zero) is named as such.
    @Test func theChecklistSheetIsFoundAndExcelsDayZeroIsNoDate() throws {
        let folder = TemporaryFolder("redline-verify-sheets")
        let store = try registry(in: folder)
        let file = folder.path("returned.xlsx")
        let book = try VectorDataset.create(file, driver: "XLSX")
        let notes = try book.createLayer("说明", crs: nil, geometry: .none)
        try notes.createField("备注", kind: .string)
        try notes.write([.string("第二组核查")])
        let sheet = try book.createLayer("核查清单", crs: nil, geometry: .none)
        for name in ["线索编号", "核查结果", "核查日期"] { try sheet.createField(name, kind: .string) }
        try sheet.write([.string("C1"), .string("属实"), .string("2026-11-10")])
        try sheet.write([.string("C6"), .string("属实"), .string("1899-12-30")])
        try book.close()
        let report = try VerificationImport(registry: store, file: file, today: CalendarDay(text: "2026-12-01")!).run(dryRun: false)
        #expect(report.applied == ["C1"], "\(report.rejected)")
        #expect(report.rejected.first?.reason.contains("Excel's day zero") == true, "\(report.rejected)")
    }

    @Test func signOffDatesMustFollowEachOther() throws {
        let folder = TemporaryFolder("redline-verify-signoff-dates")
        let store = try registry(in: folder)
        let report = try importing("""
        线索编号,核查结果,核查日期,状态,整改完成日期,销号日期,验收人,文号
        C1,属实,2026-11-20,已销号,2026-11-18,2026-11-17,李华,文1
        C5,不属实,2026-11-20,,2026-11-18,,,
        C6,属实,2026-11-20,,,2026-11-17,,
        C4,部分属实,2026-12-20,已销号,,,李华,文2

        """, into: store, in: folder)
        let reasons = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.row, $0.reason) })
        #expect(reasons[2]?.contains("销号日期 (date closed) 2026-11-17 is before 整改完成日期 (date rectified) 2026-11-18") == true)
        #expect(reasons[3]?.contains("not true") == true)
        #expect(reasons[4]?.contains("the status is not 已销号") == true)
        #expect(reasons[5]?.contains("is in the future") == true)
        #expect(report.applied.isEmpty)
    }

    /// Overdue is per stage, against each clue's own deadline; a clue from before deadlines
    /// falls back to days since it was issued.
    @Test func overdueCountsEachStageAgainstItsOwnDeadline() throws {
        let folder = TemporaryFolder("redline-status-overdue")
        let store = try registry(in: folder)
        let layer = try store.clues()
        for (id, values) in [("C6", [("verify_due", "2026-12-01")]), ("C3", [("accept_due", "2026-12-10")]),
                             ("C1", [("verify_due", "2026-12-20")]), ("C5", [("opened_at", "2026-11-01T08:00:00Z")]),
                             ("C4", [("accept_due", "2026-12-10"), ("superseded_by", "C7")])] {
            let fid = try #require(try store.clue(id)?.fid)
            try layer.update(fid: fid, values.map { ($0.0, FieldValue.string($0.1)) })
        }
        let report = try StatusReport(registry: store, today: CalendarDay(text: "2026-12-15")!, dueDays: 30)
        #expect(report.overdue.map { "\($0.clue) \($0.stage.rawValue) \($0.due) \($0.daysOver)" }
                == ["C5 verify 2026-12-01 14", "C6 verify 2026-12-01 14", "C3 accept 2026-12-10 5"],
                "by days over, then ID; C4 is superseded by its rebound, C1 not yet due, C2 closed")
    }
}
