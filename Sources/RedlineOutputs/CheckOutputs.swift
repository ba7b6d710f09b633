import Foundation
import GDALKit
import RedlineCore

/// Facts about the run that go into summary.json beside the figures.
public struct RunDescription: Sendable {
    public let toolVersion: String
    public let activitySources: [SourceSpec]
    public let protectedSources: [SourceSpec]
    public let settings: [String: String]

    public init(toolVersion: String, activitySources: [SourceSpec], protectedSources: [SourceSpec],
                settings: [String: String]) {
        self.toolVersion = toolVersion
        self.activitySources = activitySources
        self.protectedSources = protectedSources
        self.settings = settings
    }
}

/// Writes the outputs of a check into a folder: overlaps.csv, clues.csv, clues.gpkg,
/// clues.geojson and summary.json, all staged and moved into place together at the end.
public final class CheckOutputs: ClueSink {
    public static let fileNames = ["overlaps.csv", "clues.csv", "clues.gpkg", "clues.geojson", "summary.json"]

    private let folder: StagedFolder
    private let run: RunDescription
    private var tables: ClueTables?
    private var datasets: [VectorDataset] = []
    private var clueWriters: [TableWriter] = []
    private var overlapWriters: [TableWriter] = []
    private var geopackage: VectorDataset?
    private var sinceCommit = 0

    public init(folder: URL, run: RunDescription) throws {
        self.folder = try StagedFolder(destination: folder)
        self.run = run
    }

    public func begin(_ plan: CheckPlan) throws {
        let tables = ClueTables(plan: plan)
        self.tables = tables
        let crs = plan.index.frame.crsIdentifier ?? plan.index.frame.crs.text
        // The byte-order mark makes Excel read the CSV as UTF-8, so Chinese text opens right.
        let csvOptions = ["LINEFORMAT=LF", "STRING_QUOTING=IF_NEEDED", "WRITE_BOM=YES"]
        try guarded("overlaps.csv") {
            let csv = try create("overlaps.csv", driver: "CSV")
            overlapWriters.append(try TableWriter(dataset: csv, name: "overlaps", columns: ClueTables.overlapColumns,
                                                  crs: nil, geometry: false, allText: true, options: csvOptions))
        }
        try guarded("clues.csv") {
            let csv = try create("clues.csv", driver: "CSV")
            clueWriters.append(try TableWriter(dataset: csv, name: "clues", columns: tables.clueSchema,
                                               crs: nil, geometry: false, allText: true, options: csvOptions))
        }
        try guarded("clues.gpkg") {
            let gpkg = try create("clues.gpkg", driver: "GPKG")
            clueWriters.append(try TableWriter(dataset: gpkg, name: "clues", columns: tables.clueSchema,
                                               crs: crs, geometry: true, allText: false))
            overlapWriters.append(try TableWriter(dataset: gpkg, name: "overlaps", columns: ClueTables.overlapColumns,
                                                  crs: crs, geometry: true, allText: false))
            try gpkg.beginTransaction()
            geopackage = gpkg
        }
        try guarded("clues.geojson") {
            let geojson = try create("clues.geojson", driver: "GeoJSON")
            clueWriters.append(try TableWriter(
                dataset: geojson, name: "clues", columns: tables.clueSchema, crs: crs, geometry: true, allText: false,
                options: ["RFC7946=YES", "COORDINATE_PRECISION=7", "SIGNIFICANT_FIGURES=15", "WRITE_NAME=NO"]))
        }
    }

    public func accept(_ clue: Clue) throws {
        guard let tables else { return }
        let clueRow = tables.clueRow(clue)
        for writer in clueWriters {
            try guarded(writer.layer.dataset.path) { try writer.write(clueRow, wkb: clue.patchWKB) }
        }
        for (row, wkb) in tables.overlapRows(clue) {
            for writer in overlapWriters {
                try guarded(writer.layer.dataset.path) { try writer.write(row, wkb: wkb) }
            }
        }
        sinceCommit += 1
        // Bounded transactions keep the GeoPackage's journal small on big runs.
        if sinceCommit >= 20_000, let geopackage {
            try guarded("clues.gpkg") {
                try geopackage.commitTransaction()
                try geopackage.beginTransaction()
            }
            sinceCommit = 0
        }
    }

    public func finish(_ summary: CheckSummary) throws {
        try guarded("clues.gpkg") { try geopackage?.commitTransaction() }
        clueWriters = []
        overlapWriters = []
        for dataset in datasets {
            try guarded(dataset.path) { try dataset.close() }
        }
        datasets = []
        let summaryPath = folder.path("summary.json")
        try guarded(summaryPath) {
            let data = try SummaryDocument(summary: summary, run: run).json()
            try data.write(to: URL(fileURLWithPath: summaryPath))
        }
        // summary.json last: its presence says the rest is complete.
        try folder.commit(Self.fileNames)
    }

    /// Drops everything written so far; the destination keeps what it had.
    public func abandon() {
        clueWriters = []
        overlapWriters = []
        datasets = []
        folder.discard()
    }

    private func create(_ name: String, driver: String) throws -> VectorDataset {
        let dataset = try VectorDataset.create(folder.path(name), driver: driver)
        datasets.append(dataset)
        return dataset
    }

    private func guarded(_ path: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as RedlineError {
            throw error
        } catch {
            let name = (path as NSString).lastPathComponent
            throw RedlineError.outputFailed(path: folder.destination.appendingPathComponent(name).path,
                                            reason: "\(error)")
        }
    }
}
