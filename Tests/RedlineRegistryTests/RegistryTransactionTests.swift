@testable import RedlineRegistry
import Foundation
import GEOSKit
import RedlineCore
import Testing
import TestSupport

/// Detections and events added in a transaction are held and written at its commit (on
/// PostgreSQL through COPY): all of them, in the order given, or none after a rollback; outside
/// a transaction an event is written at once.
@Suite struct RegistryTransactionTests {
    @Test(arguments: ["gpkg", "pg"]) func heldRowsLandAtTheCommitOnly(_ kind: String) throws {
        try RegistryFixture.withRegistry(kind, "redline-held-rows") { registry, _ in
            _ = try registry.clues(crs: "EPSG:4490")
            func events() throws -> [String] {
                try Registry.rows(try registry.events()).sorted { Int($0["seq"] ?? "") ?? 0 < Int($1["seq"] ?? "") ?? 0 }
                    .map { "\($0["seq"] ?? "") \($0["clue_id"] ?? "")" }
            }
            func addBoth(_ id: String) throws {
                try registry.addDetection(clue: id, extract: "x", record: try RegistryFixture.record(id, x: 89.3), wkb: RegistryFixture.box(89.3))
                try registry.addEvent(clue: id, kind: "redetected", from: nil, to: nil, source: "x", actor: "test")
            }

            try registry.addEvent(clue: "A", kind: "note", from: nil, to: nil, source: "x", actor: "test")
            #expect(try events() == ["1 A"], "no transaction: written at once")
            try registry.begin()
            for id in ["B1", "B2"] { try addBoth(id) }
            registry.rollback()
            #expect(try events() == ["1 A"] && (try registry.detections(of: "B1")).isEmpty, "rolled back: none of them")
            try registry.begin()
            for id in ["C1", "C2", "C3"] { try addBoth(id) }
            #expect(try events() == ["1 A"], "held until the commit")
            try registry.commit()
            #expect(try events() == ["1 A", "2 C1", "3 C2", "4 C3"])
            #expect(try ["C1", "C2", "C3"].map { try registry.detections(of: $0).count } == [1, 1, 1])
            guard kind == "pg" else { return }
            // A row the server refuses in the COPY at the commit fails the commit: nothing of the
            // transaction is kept, and the caller hears of it.
            try registry.dataset.executeSQL("ALTER TABLE registry_events ADD CONSTRAINT no_d2 CHECK (clue_id <> 'D2')")
            try registry.begin()
            for id in ["D1", "D2", "D3"] { try addBoth(id) }
            #expect(throws: (any Error).self) { try registry.commit() }
            registry.rollback()
            #expect(try events() == ["1 A", "2 C1", "3 C2", "4 C3"] && (try registry.detections(of: "D1")).isEmpty)
        }
    }
}

/// Changes to clues in hand inside `batchingUpdates` (written at its end as UPDATE … FROM
/// VALUES on PostgreSQL, at once on a GeoPackage) read back as written: quotes and backslashes
/// in text, dates, integers, timestamps, the outline, and two changes of one clue in a batch.
@Suite struct BatchedUpdateTests {
    @Test(arguments: ["gpkg", "pg"]) func batchedChangesReadBackAsWritten(_ kind: String) throws {
        try RegistryFixture.withRegistry(kind, "redline-batched") { registry, location in
            let layer = try registry.clues(crs: "EPSG:4490")
            for (id, x) in [("K1", 89.30), ("K2", 89.32)] {
                try RegistryFixture.writeClue(id, x: x, into: layer, lifecycle: [("status", .string("issued")), ("detections", .integer(1))])
            }
            let fids = try Registry.rows(layer).sorted { $0.fid < $1.fid }.map(\.fid)
            try registry.begin()
            try registry.batchingUpdates {
                for fid in fids {
                    let first = try #require(try registry.clueToChange(fid: fid))
                    var life = first.clue.lifecycle
                    life.detections += 1
                    life.lastDetected = CalendarDay(text: "2026-11-05")
                    life.flag("it's \\ back")
                    life.updatedAt = "2026-12-06T10:00:00Z"
                    life.campaign = "回头看2026Q4"
                    try registry.update(first, lifecycle: life, wkb: RegistryFixture.box(89.31))
                    let second = try #require(try registry.clueToChange(fid: fid))
                    #expect(second.clue.lifecycle.detections == 2, "the clue in hand holds the first change")
                    life = second.clue.lifecycle
                    life.detections += 1
                    life.supersededBy = "K9"
                    life.campaign = nil
                    try registry.update(second, lifecycle: life)
                }
            }
            try registry.commit()
            let reopened = try Registry.open(location)
            for fid in fids {
                let clue = try #require(try reopened.clueToChange(fid: fid)?.clue)
                #expect(clue.lifecycle.detections == 3 && clue.lifecycle.supersededBy == "K9" && clue.lifecycle.campaign == nil)
                #expect(clue.lifecycle.lastDetected == CalendarDay(text: "2026-11-05") && clue.lifecycle.flags == ["it's \\ back"])
                #expect(Registry.isoTimestamp(clue.lifecycle.updatedAt) == "2026-12-06T10:00:00Z")
                #expect(clue.wkb.flatMap(WKB.envelope(of:)) == WKB.envelope(of: RegistryFixture.box(89.31)), "the outline of the first change")
            }
        }
    }
}
