@testable import RedlineRegistry
import Foundation
import Testing
import TestSupport

/// Detections and events added in a transaction are held and written at its commit (on
/// PostgreSQL through COPY): all of them, in the order given, or none after a rollback; outside
/// a transaction an event is written at once.
@Suite struct RegistryTransactionTests {
    @Test(arguments: ["gpkg", "pg"]) func heldRowsLandAtTheCommitOnly(_ kind: String) throws {
        let folder = TemporaryFolder("redline-held-rows")
        let (location, stop) = try RegistryFixture.location(kind, in: folder)
        defer { stop() }
        let registry = try Registry.open(location, create: true)
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
    }
}
