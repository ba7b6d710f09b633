import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// A clue as a check wrote it into clues.gpkg: its record, the patch's own attributes and
/// polygon (WKB in the check's frame, lon/lat).
extension ClueRow {
    public var countyCode: String { record.countyCode }
    public var detected: CalendarDay? { record.detectedOn }
    public var isNear: Bool { record.placement == .near }
    public var lon: Double { record.centroidLon }
    public var lat: Double { record.centroidLat }
    /// The polygon; `CheckResults.read` refuses clues without one.
    var polygon: [UInt8] { wkb ?? [] }
}

/// What a check left in its output folder, read back for the checklists.
public struct CheckResults: Sendable {
    public let folder: URL
    public let clues: [ClueRow]
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
        let clues = try ClueRow.all(in: layer, table: "\(cluesPath) (layer clues)")
        if let bare = clues.first(where: { $0.wkb == nil }) {
            throw RedlineError.unreadableFile(path: cluesPath, reason: "clue \(bare.clueID) has no polygon "
                                              + "— the file was changed or damaged; rerun the check")
        }
        let clueColumns = Set(ClueTables.clueColumnNames)
        return CheckResults(folder: folder, clues: clues, attributeNames: layer.fields.map(\.name).filter { !clueColumns.contains($0) },
                            record: record)
    }
}
