import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// One clue as a check wrote it into clues.gpkg.
public struct ChecklistClue: Sendable {
    /// Every column, by name.
    public let values: [String: String]
    /// The patch polygon, WKB in the check's frame (lon/lat).
    public let wkb: [UInt8]
    public let lon: Double
    public let lat: Double

    public subscript(_ column: ClueColumn) -> String { values[column.rawValue] ?? "" }
    /// One of the patch's own attribute columns, by name.
    public subscript(attribute name: String) -> String { values[name] ?? "" }
    public var clueID: String { self[.clueID] }
    public var countyCode: String { self[.countyCode] }
    public var detected: CalendarDay? { CalendarDay(text: self[.detectedOn]) }
    public var isNear: Bool { self[.placement] == "near" }
}

/// What a check left in its output folder, read back for the checklists.
public struct CheckResults: Sendable {
    public let folder: URL
    public let clues: [ChecklistClue]
    /// The patches' own attribute columns, in order.
    public let attributeNames: [String]
    /// What the check ran on and with (its summary.json).
    public let record: CheckRecord

    public static func read(_ folder: URL) throws -> CheckResults {
        let record = try CheckRecord.read(folder)
        let cluesPath = folder.appendingPathComponent("clues.gpkg").path

        guard FileManager.default.fileExists(atPath: cluesPath) else {
            throw RedlineError.unreadableFile(path: cluesPath, reason: "this check wrote no clues.gpkg — run redline check with --formats including gpkg")
        }
        let layer: VectorLayer
        do {
            guard let found = try VectorDataset.open(cluesPath).layer(named: "clues") else {
                throw RedlineError.noSuchLayer(source: cluesPath, layer: "clues", available: [])
            }
            layer = found
        } catch let error as RedlineError {
            throw error
        } catch {
            throw RedlineError.cannotOpen(source: cluesPath, reason: "\(error)")
        }
        let names = layer.fields.map(\.name)
        let clueColumns = Set(ClueTables.clueColumnNames)
        var clues: [ChecklistClue] = []
        while let feature = try layer.nextFeature() {
            guard case .polygonal(let wkb) = feature.geometry() else { continue }
            var values: [String: String] = [:]
            for (index, name) in names.enumerated() { values[name] = feature.text(index) ?? "" }
            clues.append(ChecklistClue(values: values, wkb: wkb, lon: Double(values[ClueColumn.centroidLon.rawValue] ?? "") ?? 0,
                                       lat: Double(values[ClueColumn.centroidLat.rawValue] ?? "") ?? 0))
        }
        return CheckResults(folder: folder, clues: clues, attributeNames: names.filter { !clueColumns.contains($0) },
                            record: record)
    }
}
