import Foundation
import GDALKit
import GEOSKit
import RedlineCore
import Testing
import TestSupport

/// The cut boundaries kept between runs: the same pieces as a fresh cut, a new entry for changed
/// boundaries, a damaged entry ignored, the folder trimmed.
@Suite struct PieceCacheTests {
    func load(_ path: String, cache: PieceCache?, keepOutlines: Bool = false) throws -> ProtectedIndex {
        try ProtectedIndex.load(try SourceCatalog.layers(of: SourceSpec(path: path)), fields: ProtectedFields(),
                                keepOutlines: keepOutlines, cache: cache)
    }

    func entries(_ cache: PieceCache) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cache.folder.path).filter { $0.hasSuffix(".pieces") }.sorted()
    }

    func samePieces(_ a: ProtectedIndex, _ b: ProtectedIndex) -> Bool {
        a.pieces.count == b.pieces.count && a.areas.count == b.areas.count && a.repaired == b.repaired
            && zip(a.pieces, b.pieces).allSatisfy { $0.owner == $1.owner && $0.wkb == $1.wkb && $0.envelope == $1.envelope }
            && a.outlines == b.outlines
    }

    @Test func aSecondLoadTakesTheSamePiecesFromTheCache() throws {
        let fixture = try EngineFixture()
        let folder = TemporaryFolder("redline-cache")
        let cache = PieceCache(folder: folder.url.appendingPathComponent("cache"))
        let fresh = try load(fixture.protectedPath, cache: nil)
        let first = try load(fixture.protectedPath, cache: cache)
        let entry = cache.folder.appendingPathComponent(try #require(try entries(cache).first)).path
        #expect(try entries(cache).count == 1)
        // A hit reads the entry and marks it used (its date moves from 2001 to now); a miss would
        // write a new file in its place.
        let longAgo = Date(timeIntervalSinceReferenceDate: 0)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: entry)
        let written = try FileManager.default.attributesOfItem(atPath: entry)[.systemFileNumber] as? Int
        let second = try load(fixture.protectedPath, cache: cache)
        let after = try FileManager.default.attributesOfItem(atPath: entry)
        #expect((after[.modificationDate] as? Date).map { $0 > longAgo } == true)
        #expect(after[.systemFileNumber] as? Int == written)
        #expect(samePieces(fresh, first) && samePieces(fresh, second))
        // Outlines kept for checklists are another entry, with the outlines in it.
        let outlined = try load(fixture.protectedPath, cache: cache, keepOutlines: true)
        #expect(try entries(cache).count == 2)
        #expect(samePieces(try load(fixture.protectedPath, cache: nil, keepOutlines: true), outlined))
        #expect(samePieces(outlined, try load(fixture.protectedPath, cache: cache, keepOutlines: true)))
    }

    @Test func changedBoundariesMissAndADamagedEntryIsCutAgain() throws {
        let fixture = try EngineFixture()
        let folder = TemporaryFolder("redline-cache")
        var cache = PieceCache(folder: folder.url.appendingPathComponent("cache"))
        let original = try load(fixture.protectedPath, cache: cache)
        let entry = cache.folder.appendingPathComponent(try entries(cache)[0]).path

        // The same layer with one zone moved: a new entry, and the moved zone's pieces.
        let moved = folder.path("moved.gpkg")
        try Fixture.write(moved, layer: "zones", crs: "EPSG:4490", fields: EngineFixture.protectedFields, features: [
            FixtureFeature([.string("R-CORE"), .string("测试自然保护区"), .string("自然保护区"), .string("核心区")],
                           wkb: Fixture.polygon([Fixture.box(89.50, 45.00, 89.60, 45.10)])),
        ])
        let changed = try load(moved, cache: cache)
        #expect(try entries(cache).count == 2)
        #expect(changed.pieces.map(\.envelope) == [Envelope(minX: 89.50, minY: 45.00, maxX: 89.60, maxY: 45.10)])

        // A truncated entry is not trusted: the boundaries are cut again, to the same pieces.
        let data = try Data(contentsOf: URL(fileURLWithPath: entry))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: entry))
        #expect(samePieces(original, try load(fixture.protectedPath, cache: cache)))

        // One flipped byte inside a coordinate, the file's length unchanged: caught by the entry's
        // checksum, warned about, and cut again.
        var whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: entry)))
        whole[whole.count / 2] ^= 0x10
        try Data(whole).write(to: URL(fileURLWithPath: entry))
        let warnings = WarningLog()
        var watched = cache
        watched.warnings = warnings
        #expect(samePieces(original, try load(fixture.protectedPath, cache: watched)))
        #expect(warnings.all.map(\.code) == ["cache_entry_damaged"])
        #expect(samePieces(original, try load(fixture.protectedPath, cache: watched)) && warnings.all.count == 1,
                "rebuilt: the next load is a clean hit")

        // A temporary file left by a killed run goes; one of a live process stays.
        let killed = cache.folder.appendingPathComponent(".\(String(repeating: "0", count: 64)).999999999.tmp")
        let live = cache.folder.appendingPathComponent(".\(String(repeating: "1", count: 64)).\(getpid()).tmp")
        for file in [killed, live] { try Data([1]).write(to: file) }
        // Only the most recently used entries stay.
        cache.keep = 1
        _ = try load(moved, cache: cache)
        _ = try load(fixture.protectedPath, cache: cache, keepOutlines: true)
        #expect(try entries(cache).count == 1)
        #expect(!FileManager.default.fileExists(atPath: killed.path) && FileManager.default.fileExists(atPath: live.path))
    }
}
