import Foundation
import GDALKit
import RedlineCore
import ThreadKit

/// The clue files a check can write; summary.json is always written.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// overlaps.csv and clues.csv.
    case csv
    case gpkg
    case geojson

    public var fileNames: [String] {
        switch self {
        case .csv: ["overlaps.csv", "clues.csv"]
        case .gpkg: ["clues.gpkg"]
        case .geojson: ["clues.geojson"]
        }
    }

    /// The formats of a list such as "csv,gpkg"; an error names the first name that is none, or
    /// says the list names none.
    public static func parse(_ list: String) -> Result<Set<OutputFormat>, BadList> {
        var formats = Set<OutputFormat>()
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() })
            where !name.isEmpty {
            guard let format = OutputFormat(rawValue: name) else { return .failure(BadList(unknown: name)) }
            formats.insert(format)
        }
        return formats.isEmpty ? .failure(BadList(unknown: nil)) : .success(formats)
    }

    public struct BadList: Error, CustomStringConvertible {
        /// The first name that is no format; nil when the list names none.
        public let unknown: String?
        public var description: String {
            let choices = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            return unknown.map { "unknown output format “\($0)”: choose from \(choices)" } ?? "name at least one of \(choices)"
        }
    }
}

/// Writes the outputs of a check into a folder: overlaps.csv, clues.csv, clues.gpkg,
/// clues.geojson (those of the chosen formats) and summary.json, all staged and moved into
/// place together at the end; files of a format left out are removed from the folder, so
/// none from an earlier run passes for this one's. With `parallel`, each file is written by
/// its own thread (they are independent GDAL datasets); clues reach every file in the same
/// order either way.
public final class CheckOutputs: ClueSink {
    public static let fileNames = OutputFormat.allCases.flatMap(\.fileNames) + ["summary.json"]

    private let folder: StagedFolder
    private let run: CheckRecord
    private let parallel: Bool
    private let formats: Set<OutputFormat>
    private let fingerprints: FingerprintTask
    private var files: [OutputFile] = []
    private var lanes: [OutputLane] = []
    private var pending: [Clue] = []

    public init(folder: URL, run: CheckRecord, parallel: Bool = false,
                formats: Set<OutputFormat> = Set(OutputFormat.allCases)) throws {
        self.folder = try StagedFolder(destination: folder)
        self.run = run
        self.parallel = parallel
        self.formats = formats
        fingerprints = FingerprintTask(run.activitySources + run.boundaries.protectedSpecs)
    }

    public func begin(_ plan: CheckPlan) throws {
        try naming { try open(plan) }
    }

    private func open(_ plan: CheckPlan) throws {
        let tables = ClueTables(plan: plan)
        let crs = plan.index.frame.crsIdentifier ?? plan.index.frame.crs.text
        files = []
        if formats.contains(.csv) {
            files.append(try CSVFile(path: folder.path("overlaps.csv"), columns: ClueTables.overlapColumns,
                                     rows: { tables.overlapRows($0).map(\.row) }))
            files.append(try CSVFile(path: folder.path("clues.csv"), columns: tables.clueSchema, rows: { [tables.clueRow($0)] }))
        }
        if formats.contains(.gpkg) { files.append(try CluesGeoPackage(path: folder.path("clues.gpkg"), tables: tables, crs: crs)) }
        if formats.contains(.geojson) {
            files.append(try CluesGeoJSON(path: folder.path("clues.geojson"), tables: tables, crs: crs))
        }
        if parallel { lanes = files.map(OutputLane.init) }
    }

    public func accept(_ clue: Clue) throws {
        pending.append(clue)
        if pending.count >= 128 { try naming(flush) }
    }

    /// Output errors name the file by its name alone; people need the folder too.
    private func naming(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch RedlineError.outputFailed(let name, let reason) where !name.contains("/") {
            throw RedlineError.outputFailed(path: folder.destination.appendingPathComponent(name).path, reason: reason)
        }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        if parallel {
            for lane in lanes { try lane.send(pending) }
        } else {
            for file in files { try file.write(pending) }
        }
    }

    public func finish(_ summary: CheckSummary) throws {
        var document = Data()
        try naming {
            try flush()
            // Made while the writer threads finish their files (a GeoPackage builds its spatial
            // index as it closes), not after.
            document = SummaryDocument(summary: summary, run: run, fingerprints: fingerprints.results()).json()
            if parallel {
                for lane in lanes { try lane.finish() }
            } else {
                for file in files { try file.close() }
            }
            lanes = []
            files = []
        }
        let summaryPath = folder.path("summary.json")
        do {
            try document.write(to: URL(fileURLWithPath: summaryPath))
        } catch {
            throw RedlineError.outputFailed(path: folder.destination.appendingPathComponent("summary.json").path,
                                            reason: "\(error)")
        }
        try beforeCommit?(folder.staging)
        // summary.json last: its presence says the rest is complete. Formats not written this time
        // go inside the same journaled commit.
        try folder.commit(OutputFormat.allCases.filter(formats.contains).flatMap(\.fileNames) + ["summary.json"],
                          retiring: OutputFormat.allCases.filter { !formats.contains($0) }.flatMap(\.fileNames))
    }

    /// Called with the staging folder once every file is complete there, before any is moved into
    /// place: what must go in with the outputs (the checklists) is made here; if it fails, nothing
    /// was replaced.
    public var beforeCommit: ((URL) throws -> Void)?

    /// Drops everything written so far; the destination keeps what it had.
    public func abandon() {
        fingerprints.stop()
        for lane in lanes { try? lane.finish() }
        lanes = []
        files = []
        folder.discard()
    }
}

/// One output file and how clues go into it.
protocol OutputFile: AnyObject {
    var name: String { get }
    /// Writes the clues.
    func append(_ clues: [Clue]) throws
    /// Completes the file.
    func complete() throws
}

extension OutputFile {
    func write(_ clues: [Clue]) throws {
        try guarded(name) { try append(clues) }
    }

    func close() throws {
        try guarded(name) { try complete() }
    }
}

/// Runs `body`, turning any error into an output error that names the file.
public func guarded<T>(_ name: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as RedlineError {
        throw error
    } catch {
        throw RedlineError.outputFailed(path: name, reason: "\(error)")
    }
}

/// A CSV table streamed by `CSVWriter`, one or more rows per clue.
final class CSVFile: OutputFile {
    let name: String
    private let writer: CSVWriter
    private let rows: (Clue) -> [[FieldValue]]

    init(path: String, columns: [Column], rows: @escaping (Clue) -> [[FieldValue]]) throws {
        name = (path as NSString).lastPathComponent
        self.rows = rows
        writer = try guarded(name) { try CSVWriter(path: path, columns: columns) }
    }

    func append(_ clues: [Clue]) throws {
        for clue in clues {
            for row in rows(clue) { try writer.write(row) }
        }
    }

    func complete() throws { try writer.finish() }
}

/// clues.gpkg: the patches and the overlap polygons, in transactions of bounded size.
final class CluesGeoPackage: OutputFile {
    let name = "clues.gpkg"
    let dataset: VectorDataset
    private let tables: ClueTables
    private let clueWriter: TableWriter
    private let overlapWriter: TableWriter
    private var sinceCommit = 0

    init(path: String, tables: ClueTables, crs: String) throws {
        self.tables = tables
        let created = try guarded(name) { try VectorDataset.create(path, driver: "GPKG") }
        dataset = created
        (clueWriter, overlapWriter) = try guarded(name) {
            let clues = try TableWriter(dataset: created, name: "clues", columns: tables.clueSchema, crs: crs)
            let overlaps = try TableWriter(dataset: created, name: "overlaps", columns: ClueTables.overlapColumns, crs: crs)
            try created.beginTransaction()
            return (clues, overlaps)
        }
    }

    func append(_ clues: [Clue]) throws {
        for clue in clues {
            try clueWriter.write(tables.clueRow(clue), wkb: clue.patchWKB)
            for (row, wkb) in tables.overlapRows(clue) { try overlapWriter.write(row, wkb: wkb) }
        }
        sinceCommit += clues.count
        // Bounded transactions keep the GeoPackage's journal small on big runs.
        if sinceCommit >= 20_000 {
            try dataset.commitTransaction()
            try dataset.beginTransaction()
            sinceCommit = 0
        }
    }

    func complete() throws {
        try dataset.commitTransaction()
        try clueWriter.buildSpatialIndex()
        try overlapWriter.buildSpatialIndex()
        try dataset.close()
    }
}

/// clues.geojson, RFC 7946, streamed (`GeoJSONWriter`).
final class CluesGeoJSON: OutputFile {
    let name = "clues.geojson"
    private let tables: ClueTables
    private let writer: GeoJSONWriter

    init(path: String, tables: ClueTables, crs: String) throws {
        self.tables = tables
        writer = try guarded(name) { try GeoJSONWriter(path: path, columns: tables.clueSchema, crs: crs) }
    }

    func append(_ clues: [Clue]) throws {
        for clue in clues { try writer.write(tables.clueRow(clue), wkb: clue.patchWKB) }
    }

    func complete() throws { try writer.finish() }
}

/// A thread that writes one output file from a bounded queue of clue batches. The file is used
/// by this thread alone until `finish` has joined it.
final class OutputLane: @unchecked Sendable {
    private let channel = BoundedChannel<[Clue]>(capacity: 8)
    private let thread: JoinableThread
    private let failure = FailureBox()

    init(_ file: OutputFile) {
        let channel = self.channel, failure = self.failure
        nonisolated(unsafe) let file = file
        thread = JoinableThread {
            while let clues = channel.receive() {
                guard failure.error == nil else { continue }
                do {
                    try file.write(clues)
                } catch {
                    failure.error = error
                }
            }
            // Closing finishes the file (a GeoPackage builds its spatial index then): here too,
            // beside the other files, not one after the other.
            guard failure.error == nil else { return }
            do {
                try file.close()
            } catch {
                failure.error = error
            }
        }
    }

    func send(_ clues: [Clue]) throws {
        if let error = failure.error { throw error }
        channel.send(clues)
    }

    /// Waits until everything sent is written and the file closed; throws the first error the
    /// file met.
    func finish() throws {
        channel.close()
        thread.join()
        if let error = failure.error { throw error }
    }
}

/// The first error a lane met, read by the sending thread.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?

    var error: Error? {
        get { lock.withLock { stored } }
        set { lock.withLock { if stored == nil { stored = newValue } } }
    }
}

/// Rows of clue columns that are not a check's clues (a registry export) written as a check writes
/// its clues: clues.gpkg, clues.csv and clues.geojson through the same formats, options and figures,
/// so `redline checklist` reads them like a check's.
public enum ClueFiles {
    public static let names = ["clues.gpkg", "clues.csv", "clues.geojson"]

    /// Writes the rows (`values` in `columns` order, polygons in `crs`) into the staging folder.
    public static func write(_ rows: [(values: [FieldValue], wkb: [UInt8]?)], columns: [Column], crs: String,
                             into folder: StagedFolder) throws {
        try guarded(names[0]) {
            let dataset = try VectorDataset.create(folder.path(names[0]), driver: "GPKG")
            let writer = try TableWriter(dataset: dataset, name: "clues", columns: columns, crs: crs)
            try dataset.beginTransaction()
            for row in rows { try writer.write(row.values, wkb: row.wkb) }
            try dataset.commitTransaction()
            try writer.buildSpatialIndex()
            try dataset.close()
        }
        try guarded(names[1]) {
            let csv = try CSVWriter(path: folder.path(names[1]), columns: columns)
            for row in rows { try csv.write(row.values) }
            try csv.finish()
        }
        try guarded(names[2]) {
            let geojson = try GeoJSONWriter(path: folder.path(names[2]), columns: columns, crs: crs)
            for row in rows { try geojson.write(row.values, wkb: row.wkb) }
            try geojson.finish()
        }
    }
}
