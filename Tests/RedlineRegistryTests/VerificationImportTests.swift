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
            let record = try ClueRecord(table: "fixture") { column in
                switch column {
                case .clueID: id
                case .verdict: "prohibited"
                case .severity: "high"
                case .placement: "inside"
                case .strictestZone: "core"
                case .overlapM2, .overlapHa, .overlapMu, .patchM2, .patchHa, .shareInside: "1"
                case .centroidLon: "\(x)"
                case .centroidLat: "45.3"
                default: nil
                }
            }
            try layer.write(named: ClueColumn.allCases.map { ($0.rawValue, FieldValue.string(record.text($0))) } + [
                ("status", .string(status.rawValue)), ("first_detected", .string(detected)), ("verified_on", .string(verified)),
                ("result", .string(verified.isEmpty ? "" : "confirmed")),
            ],
                            wkb: Fixture.polygon([Fixture.box(x, 45.3, x + 0.004, 45.303)]), promoteToMulti: true)
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
        C1,不属实,2026-11-11,
        C9,属实,2026-11-10,
        C4,部分属实,2026-11-19,已整改
        C5,属实,2026-11-01,
        C6,不属实,2026-11-10,已整改
        ,,,
        C6,可能,2026-11-10,

        """.utf8).write(to: URL(fileURLWithPath: file))
        let report = try VerificationImport(registry: store, file: file, today: CalendarDay(text: "2026-12-01")!).run(dryRun: false)
        let reasons = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.row, $0.reason) })
        #expect(report.applied == ["C1"])
        #expect(report.blank == 1)
        #expect(reasons[3] == "clue C2 is already closed")
        #expect(reasons[4] == "clue C3 is already rectified; it cannot go back to verified")
        #expect(reasons[5] == "clue C1 already appears on row 2")
        #expect(reasons[6] == "unknown clue ID C9")
        #expect(reasons[7]?.hasPrefix("date 2026-11-19 is earlier than the clue's last verification (2026-11-20)") == true)
        #expect(reasons[8]?.hasPrefix("date 2026-11-01 is before the clue's patch was detected (2026-11-05)") == true)
        #expect(reasons[9] == "a clue found not true cannot be rectified")
        #expect(reasons[11] == "clue C6 already appears on row 9", "one row per clue, whatever it says")
        #expect(reasons.count == 8, "\(report.rejected)")
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
}
