import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs
@testable import RedlineRegistry
import TestSupport

/// Registry rows for tests: a prohibited, high-severity clue in a core zone on a small box at
/// (x, 45.3), with the clue columns in `fields` instead of those and the lifecycle columns given.
enum RegistryFixture {
    /// Runs `body` on a new registry and its location: a GeoPackage in a temporary folder
    /// ("gpkg"), or a database on a throwaway PostGIS cluster there ("pg"), stopped after.
    static func withRegistry(_ kind: String, _ name: String, _ body: (Registry, String) throws -> Void) throws {
        let folder = TemporaryFolder(name)
        var location = folder.path("registry.gpkg"), stop: () -> Void = {}
        if kind == "pg" {
            let script = Command.packageRoot.appendingPathComponent("Tools/postgis.sh").path
            let started = try Command.run("/bin/bash", [script, "start", folder.path("pg")])
            guard started.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: started.stderr]) }
            location = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            stop = { _ = try? Command.run("/bin/bash", [script, "stop", folder.path("pg")]) }
        }
        defer { stop() }
        try body(try Registry.open(location, create: true), location)
    }

    static func writeClue(_ id: String, x: Double, county: String? = nil, fields: [ClueColumn: String] = [:],
                          into layer: VectorLayer, lifecycle: [(String, FieldValue)]) throws {
        let record = try Self.record(id, x: x, county: county, fields: fields)
        try layer.write(named: ClueColumn.allCases.map { ($0.rawValue, FieldValue.string(record.text($0))) } + lifecycle,
                        wkb: box(x), promoteToMulti: true)
    }

    static func box(_ x: Double) -> [UInt8] { Fixture.polygon([Fixture.box(x, 45.3, x + 0.004, 45.303)]) }

    static func record(_ id: String, x: Double, county: String? = nil, fields: [ClueColumn: String] = [:]) throws -> ClueRecord {
        try ClueRecord(table: "fixture") { column in
            if let given = fields[column] { return given }
            return switch column {
            case .clueID: id
            case .countyCode: county
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
    }
}
