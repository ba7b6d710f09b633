/// RedlineRegistry owns the history of every clue across nightly runs: a GeoPackage by default or
/// a PostgreSQL/PostGIS database, both through GDAL/OGR so they behave the same. It keeps each
/// clue's status and every change as an event, knows which extracts were processed (by content
/// hash), and is changed one transaction per extract or per verification file.
import DigestKit
import Foundation
import GDALKit
import GEOSKit
import RedlineCore
import RedlineOutputs

/// What a field team found.
public enum VerificationResult: String, Sendable, CaseIterable {
    case confirmed, notConfirmed = "not_confirmed", partly

    /// Reads 属实 / 不属实 / 部分属实 and English forms.
    public init?(text: String) {
        switch Zone.normalise(text) {
        case "属实", "confirmed", "true", "yes", "是": self = .confirmed
        case "不属实", "notconfirmed", "false", "no", "否", "nottrue": self = .notConfirmed
        case "部分属实", "partly", "partial", "partlytrue", "partiallytrue": self = .partly
        default: return nil
        }
    }

    /// As the ledgers write it.
    public var label: String {
        switch self {
        case .confirmed: "属实"
        case .notConfirmed: "不属实"
        case .partly: "部分属实"
        }
    }
}

/// A row of one of the registry's small tables (meta, events, extracts): its values by column.
public struct TableRow: Sendable {
    public let fid: Int64
    public let values: [String: String]
    public subscript(_ field: String) -> String { values[field] ?? "" }
}

/// An error of the registry itself (the data's errors are `RedlineError`s).
public enum RegistryError: Error, CustomStringConvertible {
    case locked(String)
    case frameMismatch(registry: String, run: String)
    /// The location holds no redline registry (or one this version cannot use); nothing was changed.
    case notARegistry(location: String, reason: String)
    case noSuchClue(location: String, clue: String)
    /// `run --as-of` is before a patch's detection: a run-wide option error, not the extract's fault.
    case issuedBeforeImagery(extract: String, patch: String, detected: String, asOf: String)

    public var description: String {
        switch self {
        case let .issuedBeforeImagery(extract, patch, detected, asOf):
            return "\(extract): patch \(patch) was detected on \(detected), after the day its clue would be issued (\(asOf), "
                + "--as-of) — give --as-of on or after the extract's detection dates"
        case let .noSuchClue(location, clue):
            return "\(location) holds no clue \(clue) — check the ID (redline export lists the registry's clues)"
        case let .notARegistry(location, reason):
            return "\(location) is not a redline registry: \(reason); it was left unchanged"
        case let .locked(location):
            return "another redline run holds the registry \(location) — wait for it to finish (or, if none runs, it died; just run again)"
        case let .frameMismatch(registry, run):
            return "the registry keeps clues in \(registry), but these boundaries give \(run) — use the same protected data as earlier runs"
        }
    }
}

/// The registry's tables, through OGR.
public final class Registry {
    /// The location as shown to people (PG: passwords masked).
    public let displayLocation: String
    let dataset: VectorDataset
    let isDatabase: Bool
    private var lockDescriptor: Int32 = -1

    static let registryColumns = ["clue_id"] + LifecycleColumn.allCases.map(\.rawValue)
    /// The check's clue columns kept with each clue (so exports look like a check's clues).
    static var checkColumns: [String] { ClueTables.clueColumnNames.filter { $0 != "clue_id" } }
    static let eventColumns = ["seq", "clue_id", "kind", "from_status", "to_status", "source", "actor", "detail", "at"]
    static let detectionColumns = ["clue_id", "extract", "activity_id", "detected_on", "patch_m2", "overlap_m2", "at"]
    static let extractColumns = ["sha256", "file_name", "processed_at", "patches", "clues", "new_clues", "merged", "rebounds",
                                 "campaign", "source"]
    static let campaignColumns = ["name", "kind", "created_at", "actor", "seed", "sample", "statuses", "stratify", "clues", "folder"]

    private init(dataset: VectorDataset, displayLocation: String, isDatabase: Bool) {
        self.dataset = dataset
        self.displayLocation = displayLocation
        self.isDatabase = isDatabase
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    /// The schema this version reads and writes, kept in registry_meta under `schema`. Schema 2
    /// typed the columns (numbers, dates, times) and kept clue_id unique; schema 3 adds each
    /// clue's sign-off, stage deadlines and look-back. A registry of an earlier schema (or from
    /// before the marker) is read as it is and migrated the first time a command takes it for writing.
    static let schema = "redline-registry/3"
    static let earlierSchemas: Set<String> = ["redline-registry/1", "redline-registry/2"]

    /// The type of each column of the registry's tables; the rest are text.
    static func kind(of column: String) -> FieldDefinition.Kind {
        switch column {
        case "seq", "patches", "clues", "new_clues", "merged", "rebounds", LifecycleColumn.detections.rawValue: return .integer
        case _ where LifecycleColumn(rawValue: column).map(LifecycleColumn.days.contains) == true: return .date
        case LifecycleColumn.openedAt.rawValue, LifecycleColumn.updatedAt.rawValue, "at", "processed_at", "created_at": return .dateTime
        default:
            // The clue columns (detected_on, patch_m2… of registry_clues and registry_detections) by their own kind.
            guard let column = ClueColumn(rawValue: column) else { return .string }
            if column == .detectedOn { return .date }
            if column.decimals != nil { return .real }
            if case .integer = column.column.kind { return .integer }
            return .string
        }
    }

    /// A date-time as the registry reports it, ISO 8601 UTC (2026-12-03T01:52:00Z), whether its
    /// column is text (schema 1) or a date-time GDAL gives as 2026/12/03 01:52:00+00.
    static func isoTimestamp(_ text: String) -> String {
        guard text.count >= 19, text.contains("/") || text.contains(" ") else { return text }
        let date = text.prefix(10).replacingOccurrences(of: "/", with: "-")
        let time = text.dropFirst(11).prefix(8)
        return "\(date)T\(time)Z"
    }

    /// Opens the registry at `location` (a .gpkg path or a PG: connection string). Only with
    /// `create` (the nightly run) is a new one made: a mistyped path must not become an empty
    /// registry reporting "0 clues". A GeoPackage holding other data, a registry of another
    /// schema, or one missing its columns is refused unchanged. `readOnly` is for commands that
    /// only read (status, history, report): they work on a registry they may not write.
    public static func open(_ location: String, create: Bool = false, readOnly: Bool = false) throws -> Registry {
        let spec = SourceSpec(path: location)
        let isDatabase = spec.isDatabase
        let exists = isDatabase || FileManager.default.fileExists(atPath: location)
        guard exists || create else {
            throw RegistryError.notARegistry(location: spec.displayPath, reason: "there is no such file — check the path "
                                             + "(only `redline run` creates a registry)")
        }
        if !exists { try createFile(location, displayLocation: spec.displayPath) }
        var dataset: VectorDataset
        do {
            dataset = try VectorDataset.open(location, update: !readOnly)
            // A registry whose first run put nothing in yet lacks tables a reader would create
            // (empty) on first use: that takes a registry it may write, as before.
            let tables = ["registry_clues", "registry_events", "registry_extracts", "registry_campaigns", "registry_detections"]
            if readOnly, try tables.contains(where: { try dataset.layer(named: $0) == nil }) {
                dataset = try VectorDataset.open(location, update: true)
            }
        } catch {
            throw RedlineError.registryUnavailable(location: spec.displayPath, reason: "\(error)")
        }
        let registry = Registry(dataset: dataset, displayLocation: spec.displayPath, isDatabase: isDatabase)
        registry.isNew = !exists
        try registry.checkSchema(create: create)
        return registry
    }

    /// Whether `open` made this GeoPackage just now.
    public private(set) var isNew = false

    /// Removes a registry this run created and put nothing in: a run refused before its first
    /// extract leaves no empty registry behind that later commands would take for a real one.
    public func removeIfNewAndEmpty() {
        guard isNew, !isDatabase, (try? allClues().isEmpty) == true, (try? Self.rows(try extracts()).isEmpty) == true else { return }
        try? dataset.close()
        // The lock file goes only when this process holds it: another may be waiting on it.
        for suffix in ["", "-wal", "-shm", "-journal"] + (lockDescriptor >= 0 ? [".lock"] : []) {
            try? FileManager.default.removeItem(atPath: dataset.path + suffix)
        }
    }

    /// A new GeoPackage registry, made under a temporary name and renamed into place once it holds
    /// its schema marker: a run killed while creating it leaves no half-made file at `location`.
    private static func createFile(_ location: String, displayLocation: String) throws {
        // Ending in .gpkg: GDAL warns about any other extension, and a --strict run would stop on it.
        let temporary = location + ".creating-\(getpid()).gpkg"
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            let dataset = try VectorDataset.create(temporary, driver: "GPKG")
            let registry = Registry(dataset: dataset, displayLocation: displayLocation, isDatabase: false)
            try registry.setMeta("schema", schema)
            try dataset.close()
            guard rename(temporary, location) == 0 else {
                throw RedlineError.outputFailed(path: location, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw RedlineError.registryUnavailable(location: displayLocation, reason: "\(error)")
        }
    }

    /// Refuses what is not a registry of this schema; marks a new one. (Registries made before the
    /// marker have none, and are read as this schema.)
    private func checkSchema(create: Bool) throws {
        let names = try dataset.layers.map(\.name)
        let ours = names.filter { $0.hasPrefix("registry_") }
        if ours.isEmpty {
            // A database is shared with other tables; a GeoPackage of other data is someone's file.
            let foreign = isDatabase ? [] : names
            guard create, foreign.isEmpty else {
                throw RegistryError.notARegistry(location: displayLocation, reason: foreign.isEmpty
                    ? "it holds no registry tables — check the path (only `redline run` creates a registry)"
                    : "it holds other data (\(foreign.prefix(4).joined(separator: ", "))) — give the registry a file of its own")
            }
            try setMeta("schema", Self.schema)
            return
        }
        let marked = try meta("schema")
        if let marked, marked != Self.schema, !Self.earlierSchemas.contains(marked) {
            throw RegistryError.notARegistry(location: displayLocation, reason: "its schema is \(marked), this redline reads "
                                             + "\(Self.schema) — use the redline version that made it")
        }
        needsMigration = marked != Self.schema
        if let clues = try dataset.layer(named: "registry_clues") {
            let present = Set(clues.fields.map { $0.name.lowercased() })
            // Earlier schemas lack the later columns; migration adds them.
            let required = needsMigration ? ["clue_id"] + LifecycleColumn.schema1.map(\.rawValue) : Self.registryColumns
            let missing = (required + Self.checkColumns).filter { !present.contains($0) }
            guard missing.isEmpty else {
                throw RegistryError.notARegistry(location: displayLocation, reason: "registry_clues lacks the column(s) "
                                                 + "\(missing.joined(separator: ", ")) — restore it from a backup")
            }
        }
    }

    /// Set by `open` when the registry is of an earlier schema; `lock` migrates it.
    private var needsMigration = false

    /// Brings an earlier registry to this schema in place, in one transaction: each table lacking
    /// a column, or whose columns are not of this schema's types, is rebuilt with them (rows, values and outlines
    /// copied), clue_id gets its unique index, and the marker says 2. A failure leaves it as it was.
    private func migrate() throws {
        let tables: [(name: String, columns: [String])] = [("registry_clues", Self.registryColumns + Self.checkColumns),
                                                            ("registry_events", Self.eventColumns),
                                                            ("registry_extracts", Self.extractColumns),
                                                            ("registry_detections", Self.detectionColumns)]
        try begin()
        do {
            for (name, columns) in tables {
                guard let old = try dataset.layer(named: name) else { continue }
                let kinds = Dictionary(old.fields.map { ($0.name.lowercased(), $0.kind) }, uniquingKeysWith: { first, _ in first })
                guard columns.contains(where: { column in kinds[column].map { !Self.sameKind($0, Self.kind(of: column)) } ?? true })
                else { continue }
                try rebuild(old, as: name, columns: columns)
            }
            let duplicated = try dataset.executeSQL("SELECT clue_id FROM registry_clues GROUP BY clue_id HAVING COUNT(*) > 1")
            if let clue = duplicated.first ?? nil {
                throw RegistryError.notARegistry(location: displayLocation, reason: "clue \(clue) appears twice in registry_clues "
                                                 + "— restore it from a backup")
            }
            if try dataset.layer(named: "registry_clues") != nil {
                try dataset.executeSQL("CREATE UNIQUE INDEX IF NOT EXISTS registry_clues_clue_id ON registry_clues (clue_id)")
            }
            try setMeta("schema", Self.schema)
            try commit()
        } catch {
            rollback()
            throw RedlineError.registryUnavailable(location: displayLocation, reason: "could not bring it to \(Self.schema) "
                                                   + "(\(error)); it was left unchanged")
        }
        needsMigration = false
        opened = [:]
    }

    private static func sameKind(_ present: FieldDefinition.Kind, _ wanted: FieldDefinition.Kind) -> Bool {
        switch (present, wanted) {
        case (.string, .string), (.integer, .integer), (.real, .real), (.date, .date), (.dateTime, .dateTime): return true
        default: return false
        }
    }

    /// `old` copied into a new table of this schema's columns and types, which then takes its name.
    private func rebuild(_ old: VectorLayer, as name: String, columns: [String]) throws {
        let hasGeometry = old.hasGeometry
        let crs = old.crsWKT
        let staging = try createTable(name + "_migrating", columns: columns, geometry: hasGeometry, crs: { crs })
        let names = old.fields.map(\.name)
        old.resetReading()
        while let feature = try old.nextFeature() {
            var values: [(String, FieldValue)] = []
            for (index, field) in names.enumerated() where columns.contains(field.lowercased()) {
                let text = feature.text(index) ?? ""
                values.append((field.lowercased(), text.isEmpty ? .null : .string(Self.kind(of: field.lowercased()) == .dateTime
                                                                                  ? Self.isoTimestamp(text) : text)))
            }
            var wkb: [UInt8]?
            if case .polygonal(let polygon) = feature.geometry() { wkb = polygon }
            try staging.write(named: values, wkb: wkb, promoteToMulti: wkb != nil)
        }
        try dataset.deleteLayer(named: name)
        try staging.rename(to: name)
    }

    /// Takes the registry for this process: a lock file beside a GeoPackage, an advisory lock in
    /// PostgreSQL. Both go with the process, so a killed run never leaves the registry locked.
    /// Waits up to `wait` seconds for another holder to finish.
    public func lock(wait: Double = 0) throws {
        let deadline = Date().addingTimeInterval(wait)
        while true {
            if try tryLock() {
                if needsMigration { try migrate() }
                return
            }
            guard Date() < deadline else { throw RegistryError.locked(displayLocation) }
            usleep(200_000)
        }
    }

    private func tryLock() throws -> Bool {
        if isDatabase {
            let granted = try dataset.executeSQL("SELECT pg_try_advisory_lock(7406531, 1)")
            return granted.first == "t" || granted.first == "1"
        }
        let descriptor = Foundation.open(dataset.path + ".lock", O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else {
            throw RedlineError.outputFailed(path: dataset.path + ".lock", reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return false
        }
        lockDescriptor = descriptor
        return true
    }

    // MARK: Tables

    /// The tables opened so far: looking one up (and, for the clues, reading the CRS it would be
    /// made in) for every clue of an extract cost a query each.
    private var opened: [String: VectorLayer] = [:]

    /// The table, opened or created; `crs` is read only when a geometry table must be created.
    func table(_ name: String, columns: [String], geometry: Bool = false,
               crs: () throws -> String? = { nil }) throws -> VectorLayer {
        if let open = opened[name] { return open }
        let layer = try dataset.layer(named: name) ?? createTable(name, columns: columns, geometry: geometry, crs: crs)
        opened[name] = layer
        return layer
    }

    /// A new table with this schema's column types.
    private func createTable(_ name: String, columns: [String], geometry: Bool, crs: () throws -> String?) throws -> VectorLayer {
        let layer = try dataset.createLayer(name, crs: geometry ? try crs() : nil, geometry: geometry ? .multiPolygon : .none,
                                            options: isDatabase ? ["GEOMETRY_NAME=geom", "FID=fid"] : [])
        for column in columns { try layer.createField(column, kind: Self.kind(of: column)) }
        if name == "registry_clues" {
            try dataset.executeSQL("CREATE UNIQUE INDEX IF NOT EXISTS registry_clues_clue_id ON registry_clues (clue_id)")
        }
        return layer
    }

    func clues(crs: String? = nil) throws -> VectorLayer {
        try table("registry_clues", columns: Self.registryColumns + Self.checkColumns,
                  geometry: true, crs: { try crs ?? self.meta("crs") ?? "EPSG:4490" })
    }

    func events() throws -> VectorLayer { try table("registry_events", columns: Self.eventColumns) }
    func extracts() throws -> VectorLayer {
        try table("registry_extracts", columns: Self.extractColumns)
    }
    /// Look-back campaigns: name, who drew them when, with which seed, sample and strata.
    func campaigns() throws -> VectorLayer { try table("registry_campaigns", columns: Self.campaignColumns) }
    func metaTable() throws -> VectorLayer { try table("registry_meta", columns: ["key", "value"]) }

    public func begin() throws {
        try dataset.beginTransaction()
        inTransaction = true
    }

    /// Writes the transaction's held detections and events, then commits.
    public func commit() throws {
        try write(pending)
        pending = []
        try dataset.commitTransaction()
        inTransaction = false
        inHand = [:]
    }

    /// Drops the open transaction, and what was cached from it (the next event number, tables it
    /// may have created, clue rows read ahead).
    public func rollback() {
        try? dataset.rollbackTransaction()
        nextSeq = nil
        opened = [:]
        inHand = [:]
        pending = []
        inTransaction = false
    }

    /// A detection or event row waiting for its transaction's commit.
    private struct PendingRow {
        let events: Bool
        let values: [(String, FieldValue)]
        let wkb: [UInt8]?
    }

    private var inTransaction = false
    /// Detections and events of the open transaction, written together at its commit: on
    /// PostgreSQL through COPY, not an INSERT round trip each (two of a merged clue's three).
    private var pending: [PendingRow] = []

    private func add(_ row: PendingRow) throws {
        if inTransaction { pending.append(row) } else { try write([row]) }
    }

    private func write(_ rows: [PendingRow]) throws {
        guard !rows.isEmpty else { return }
        // A table at a time, each in its own order: switching tables ends a COPY.
        try GDALConfiguration.with(isDatabase ? [("PG_USE_COPY", "YES")] : []) {
            for events in [false, true] {
                let group = rows.filter { $0.events == events }
                guard !group.isEmpty else { continue }
                let table = try events ? self.events() : detections()
                for row in group { try table.write(named: row.values, wkb: row.wkb, promoteToMulti: true) }
            }
        }
        // Any statement ends the last COPY, and its failure (a row the server refused) is thrown
        // here rather than lost in the commit.
        if isDatabase { try dataset.executeSQL("SELECT 1") }
    }

    // MARK: Reading

    /// Runs `read` on the layer with the filters set, and clears them after.
    private static func filtered<T>(_ layer: VectorLayer, filter: String?, box: Envelope?,
                                    _ read: () throws -> T) throws -> T {
        try layer.setAttributeFilter(filter)
        if let box { layer.setSpatialFilter(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY) } else { layer.clearSpatialFilter() }
        defer {
            try? layer.setAttributeFilter(nil)
            layer.clearSpatialFilter()
        }
        layer.resetReading()
        return try read()
    }

    static func rows(_ layer: VectorLayer, filter: String? = nil) throws -> [TableRow] {
        try filtered(layer, filter: filter, box: nil) {
            let names = layer.fields.map(\.name)
            var rows: [TableRow] = []
            while let feature = try layer.nextFeature() {
                var values: [String: String] = [:]
                for (index, name) in names.enumerated() { values[name] = feature.text(index) ?? "" }
                rows.append(TableRow(fid: feature.fid ?? -1, values: values))
            }
            return rows
        }
    }

    /// The clues matching the filters, sorted by ID.
    func clueRows(filter: String? = nil, box: Envelope? = nil) throws -> [RegisteredClue] {
        let layer = try clues()
        return try Self.filtered(layer, filter: filter, box: box) {
            try ClueRow.all(in: layer, table: "registry_clues of \(displayLocation)")
                .map { try RegisteredClue($0, registry: displayLocation) }
        }.sorted { $0.clueID < $1.clueID }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    public func clue(_ id: String) throws -> RegisteredClue? {
        try clueRows(filter: "clue_id = \(Self.quoted(id))").first
    }

    public func allClues() throws -> [RegisteredClue] { try clueRows() }

    /// A clue as read, with the row it was read from: `update` rewrites that row without
    /// reading it again (the second read cost a nightly merge as much as the first).
    struct ClueInHand {
        let clue: RegisteredClue
        fileprivate let row: Feature
    }

    /// Clue rows read ahead by `holdClues`, by FID, each changed in place by `update` (so it holds
    /// what its row holds) until the transaction ends.
    private var inHand: [Int64: Feature] = [:]

    /// Reads the rows of these clues, a few hundred a query: on PostgreSQL a row read one by one
    /// costs a cursor's round trips each.
    func holdClues(fids: some Sequence<Int64>) throws {
        let layer = try clues()
        let wanted = Array(Set(fids).subtracting(inHand.keys)).sorted()
        for start in stride(from: 0, to: wanted.count, by: 500) {
            let list = wanted[start..<min(start + 500, wanted.count)].map(String.init).joined(separator: ", ")
            try Self.filtered(layer, filter: "fid IN (\(list))", box: nil) {
                while let feature = try layer.nextFeature() {
                    if let fid = feature.fid { inHand[fid] = feature }
                }
            }
        }
    }

    /// The clue with this FID, to be changed by `update`.
    func clueToChange(fid: Int64) throws -> ClueInHand? {
        let layer = try clues()
        guard let feature = inHand[fid] ?? layer.feature(fid: fid) else { return nil }
        // Kept: under `batchingUpdates` the row in the table may not hold its changes yet.
        if deferred != nil { inHand[fid] = feature }
        return ClueInHand(clue: try RegisteredClue(ClueRow(feature, names: layer.fields.map(\.name), table: "registry_clues of \(displayLocation)"),
                                                   registry: displayLocation), row: feature)
    }

    /// The open sites (clues not superseded) whose boxes meet any of `boxes`, outlines and IDs
    /// only: one join of the boxes with the clue table's spatial index, so a registry of a million
    /// clues is read only where the extract has clues (one box around them all read most of it).
    func openSites(meeting boxes: [Envelope]) throws -> SiteIndex {
        let layer = try clues()
        var index = SiteIndex()
        let finite = boxes.filter { [$0.minX, $0.minY, $0.maxX, $0.maxY].allSatisfy(\.isFinite) }
        guard !finite.isEmpty else { return index }
        let open = "(c.superseded_by IS NULL OR c.superseded_by = '')"
        let sql: String
        if isDatabase {
            guard let srid = try geometrySRID() else { return index }
            try fillBoxes(finite, create: "CREATE TEMP TABLE IF NOT EXISTS redline_boxes (minx float8, miny float8, maxx float8, maxy float8)")
            try dataset.executeSQL("ANALYZE redline_boxes")
            // Driven from the boxes, each site once: as `fid IN (…)` the planner, expecting
            // a hundred sites a box, hashed the whole clue table (2.7 s at 1M clues, 1.0 s so).
            sql = """
                SELECT DISTINCT ON (c.fid) CAST(c.fid AS TEXT) AS site_fid, c.clue_id AS site_id, c.geom FROM redline_boxes b \
                JOIN registry_clues c ON c.geom && ST_MakeEnvelope(b.minx, b.miny, b.maxx, b.maxy, \(srid)) WHERE \(open)
                """
        } else {
            let tree = "rtree_registry_clues_\(layer.geometryColumn ?? "geom")"
            guard try !dataset.executeSQL("SELECT name FROM sqlite_master WHERE name = '\(tree)'").isEmpty else {
                // A registry whose spatial index was dropped (by hand, or by another program) is read whole.
                return try allOpenSites(layer)
            }
            try fillBoxes(finite, create: "CREATE TEMP TABLE IF NOT EXISTS redline_boxes (minx REAL, miny REAL, maxx REAL, maxy REAL)")
            sql = """
                SELECT CAST(c.fid AS TEXT) AS site_fid, c.clue_id AS site_id, c.geom FROM registry_clues c WHERE \(open) AND c.fid IN (SELECT r.id FROM redline_boxes b, \
                "\(tree)" r WHERE r.minx <= b.maxx AND r.maxx >= b.minx AND r.miny <= b.maxy AND r.maxy >= b.miny)
                """
        }
        try dataset.forEachResult(of: sql) { feature in
            // The fid as text: a driver may take a selected key column for the result's own FID.
            guard case .polygonal(let wkb) = feature.geometry(), let fid = feature.text(named: "site_fid").flatMap({ Int64($0) }) else { return }
            index.add(fid: fid, clueID: feature.text(named: "site_id") ?? "", wkb: wkb)
        }
        return index
    }

    private func allOpenSites(_ layer: VectorLayer) throws -> SiteIndex {
        var index = SiteIndex()
        try Self.filtered(layer, filter: "superseded_by IS NULL OR superseded_by = ''", box: nil) {
            try Self.reading(layer, only: "clue_id") { id in
                while let feature = try layer.nextFeature() {
                    guard case .polygonal(let wkb) = feature.geometry(), let fid = feature.fid else { continue }
                    index.add(fid: fid, clueID: feature.text(id) ?? "", wkb: wkb)
                }
            }
        }
        return index
    }

    /// The session's box table, emptied and filled with `boxes`, a few hundred rows a statement.
    private func fillBoxes(_ boxes: [Envelope], create: String) throws {
        try dataset.executeSQL(create)
        try dataset.executeSQL("DELETE FROM redline_boxes")
        for start in stride(from: 0, to: boxes.count, by: 500) {
            let rows = boxes[start..<min(start + 500, boxes.count)].map { "(\($0.minX), \($0.minY), \($0.maxX), \($0.maxY))" }
            try dataset.executeSQL("INSERT INTO redline_boxes VALUES " + rows.joined(separator: ", "))
        }
    }

    /// The clue IDs that `freeID` could meet when numbering these: every ID of each one's family
    /// (the ID without its number), read by family rather than the whole registry's IDs.
    func takenIDs(near proposed: some Sequence<String>) throws -> Set<String> {
        let layer = try clues()
        var taken = Set<String>()
        for family in Set(proposed.map(Self.family(of:))).sorted() {
            let quoted = family.replacingOccurrences(of: "'", with: "''")
            // '!' escapes LIKE's wildcards: a backslash would itself need escaping on a PostgreSQL
            // server without standard_conforming_strings.
            let pattern = quoted.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%")
                .replacingOccurrences(of: "_", with: "!_")
            try Self.filtered(layer, filter: "clue_id = '\(quoted)' OR clue_id LIKE '\(pattern)-%' ESCAPE '!'", box: nil) {
                try Self.reading(layer, only: "clue_id", geometry: false) { id in
                    while let feature = try layer.nextFeature() { taken.insert(feature.text(id) ?? "") }
                }
            }
        }
        return taken
    }

    /// "652301-2026Q4-000123" → "652301-2026Q4"; an ID not ending in a number is its own family.
    static func family(of id: String) -> String {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count > 1, let last = parts.last, Int(last) != nil else { return id }
        return parts.dropLast().joined(separator: "-")
    }

    /// Runs `read` with every field of the layer but `field` (and the geometry, unless asked for)
    /// skipped, giving it that field's index.
    private static func reading<T>(_ layer: VectorLayer, only field: String, geometry: Bool = true, _ read: (Int) throws -> T) throws -> T {
        let all = layer.fields.map(\.name)
        guard let index = all.firstIndex(of: field) else {
            throw RedlineError.registryUnavailable(location: layer.name, reason: "it has no \(field) column")
        }
        try layer.setIgnoredFields(all.filter { $0 != field } + (geometry ? [] : ["OGR_GEOMETRY"]))
        defer { try? layer.setIgnoredFields(nil) }
        return try read(index)
    }

    /// Writes what changed of the clue's life since it was read, and of its record and outline when given.
    func update(_ clue: RegisteredClue, lifecycle: ClueLifecycle, record: ClueRecord? = nil, wkb: [UInt8]? = nil) throws {
        try clues().update(fid: clue.fid, Self.changes(of: clue, lifecycle: lifecycle, record: record), wkb: wkb, promoteToMulti: true)
    }

    /// The same for a clue in hand, its row written back as it was read (and then holding the
    /// change); under `batchingUpdates` on PostgreSQL, written when the batch ends.
    func update(_ held: ClueInHand, lifecycle: ClueLifecycle, record: ClueRecord? = nil, wkb: [UInt8]? = nil) throws {
        let changes = Self.changes(of: held.clue, lifecycle: lifecycle, record: record)
        guard !changes.isEmpty || wkb != nil else { return }
        guard deferred != nil, let fid = held.row.fid else {
            return try clues().update(held.row, changes, wkb: wkb, promoteToMulti: true)
        }
        try clues().change(held.row, changes, wkb: wkb, promoteToMulti: true)
        var row = deferred?.removeValue(forKey: fid) ?? DeferredUpdate()
        for (column, value) in changes {
            if let at = row.values.firstIndex(where: { $0.0 == column }) { row.values[at].1 = value } else { row.values.append((column, value)) }
        }
        row.wkb = wkb ?? row.wkb
        // In place: a copy of the batch per clue made the merge quadratic.
        deferred?[fid] = row
    }

    private struct DeferredUpdate {
        var values: [(String, FieldValue)] = []
        var wkb: [UInt8]?
    }

    /// Changes of clues in hand not yet written (PostgreSQL, inside `batchingUpdates`), by FID.
    private var deferred: [Int64: DeferredUpdate]?

    /// Runs `body`, whose changes to clues in hand are written at its end: on PostgreSQL as a few
    /// UPDATE … FROM (VALUES …) statements, where an UPDATE round trip per merged clue was half
    /// of a nightly merge. Only clues in hand may be read or changed inside.
    func batchingUpdates<T>(_ body: () throws -> T) throws -> T {
        guard isDatabase else { return try body() }
        deferred = [:]
        defer { deferred = nil }
        let result = try body()
        try writeDeferred()
        return result
    }

    private func writeDeferred() throws {
        guard let batch = deferred, !batch.isEmpty else { return }
        guard let srid = try geometrySRID() else {
            throw RedlineError.registryUnavailable(location: displayLocation, reason: "its registry_clues.geom column has no SRID")
        }
        let kinds = Dictionary(try clues().fields.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        // One statement per set of columns changed, a few hundred rows each.
        let groups = Dictionary(grouping: batch.sorted { $0.key < $1.key }) { $0.value.values.map(\.0).joined(separator: ",") + ($0.value.wkb == nil ? "" : ",geom") }
        for (_, rows) in groups.sorted(by: { $0.key < $1.key }) {
            let columns = rows[0].value.values.map(\.0), geometry = rows[0].value.wkb != nil
            let casts = columns.map { column -> String in
                let cast = switch kinds[column] {
                case .integer: "bigint"
                case .real: "double precision"
                case .date: "date"
                case .dateTime: "timestamptz"
                default: "text"
                }
                return "\"\(column)\" = v.\"\(column)\"::\(cast)"
            } + (geometry ? ["geom = ST_Multi(ST_SetSRID(ST_GeomFromWKB(decode(v.g, 'hex')), \(srid)))"] : [])
            let names = (["fid"] + columns.map { "\"\($0)\"" } + (geometry ? ["g"] : [])).joined(separator: ", ")
            for start in stride(from: 0, to: rows.count, by: 300) {
                let tuples = rows[start..<min(start + 300, rows.count)].map { fid, row -> String in
                    let values = row.values.map { Self.sqlLiteral($0.1) } + (row.wkb.map { ["'" + hexString($0) + "'"] } ?? [])
                    return "(" + ([String(fid)] + values).joined(separator: ", ") + ")"
                }
                try dataset.executeSQL("UPDATE registry_clues AS c SET \(casts.joined(separator: ", ")) FROM (VALUES \(tuples.joined(separator: ", "))) "
                                       + "AS v(\(names)) WHERE c.fid = v.fid")
            }
        }
    }

    /// A value as an SQL text literal (cast by the statement): quotes doubled, and with a
    /// backslash the E'' form, which means the same whatever standard_conforming_strings says.
    private static func sqlLiteral(_ value: FieldValue) -> String {
        let text: String
        switch value {
        case .null: return "NULL"
        case .string(let string): text = string
        case .integer(let number): text = String(number)
        case .real(let number): text = "\(number)"
        }
        let quoted = text.replacingOccurrences(of: "'", with: "''")
        return text.contains("\\") ? "E'" + quoted.replacingOccurrences(of: "\\", with: "\\\\") + "'" : "'" + quoted + "'"
    }

    /// The SRID of the clue table's outlines (PostGIS): the one its column declares, else that of
    /// an outline; the table is found on the search path, as every other statement finds it.
    private func geometrySRID() throws -> Int? {
        try dataset.executeSQL("""
            SELECT COALESCE(NULLIF(postgis_typmod_srid(a.atttypmod), 0), \
            (SELECT ST_SRID(geom) FROM registry_clues WHERE geom IS NOT NULL LIMIT 1)) \
            FROM pg_attribute a WHERE a.attrelid = 'registry_clues'::regclass AND a.attname = 'geom'
            """).first.flatMap { $0.flatMap { Int($0) } }
    }

    private static func changes(of clue: RegisteredClue, lifecycle: ClueLifecycle, record: ClueRecord?) -> [(String, FieldValue)] {
        let changedRecord = record.map { new in
            ClueColumn.allCases.filter { new.text($0) != clue.record.text($0) }.map { ($0.rawValue, new.textValue($0)) }
        } ?? []
        return lifecycle.changes(from: clue.lifecycle).map { ($0.rawValue, $1) } + changedRecord
    }

    /// Writes a new clue: its ID, life and record (the check's clue columns as text, as clues.csv
    /// has them) and outline. Returns its FID.
    func insert(_ record: ClueRecord, lifecycle: ClueLifecycle, wkb: [UInt8]?) throws -> Int64 {
        let values = [("clue_id", FieldValue.string(record.clueID))] + LifecycleColumn.allCases.map { ($0.rawValue, lifecycle.value($0)) }
            + ClueColumn.allCases.filter { $0 != .clueID }.map { ($0.rawValue, record.textValue($0)) }
        return try clues().write(named: values, wkb: wkb, promoteToMulti: true)
    }

    /// The check's ID, or the next number not yet taken; it is taken by this call.
    static func freeID(_ proposed: String, taken: inout Set<String>) -> String {
        var id = proposed
        defer { taken.insert(id) }
        while taken.contains(id) {
            let parts = id.split(separator: "-")
            // An ID without a number goes on to "-2" (itself checked: a registry may hold it already).
            guard let number = parts.last.flatMap({ Int($0) }) else {
                id += "-2"
                continue
            }
            let next = String(number % 999_999 + 1)
            id = parts.dropLast().joined(separator: "-") + "-" + String(repeating: "0", count: max(0, 6 - next.count)) + next
        }
        return id
    }

    /// Every detection of a site, each with its own outline and area (the clue shows the latest).
    func detections() throws -> VectorLayer {
        try table("registry_detections", columns: Self.detectionColumns, geometry: true, crs: { try self.meta("crs") ?? "EPSG:4490" })
    }

    /// Records one detection of a clue's site.
    func addDetection(clue: String, extract: String, record: ClueRecord, wkb: [UInt8]) throws {
        try add(PendingRow(events: false, values: [("clue_id", .string(clue)), ("extract", .string(extract)),
                                                   ("activity_id", .string(record.activityID)),
                                                   ("detected_on", record.detectedOn.map { .string("\($0)") } ?? .null),
                                                   ("patch_m2", record.textValue(.patchM2)), ("overlap_m2", record.textValue(.overlapM2)),
                                                   ("at", .string(Self.timestamp()))], wkb: wkb))
    }

    /// The detections of one clue, in the order they were recorded.
    public func detections(of clueID: String) throws -> [TableRow] {
        guard try dataset.layer(named: "registry_detections") != nil else { return [] }
        return try Self.rows(try detections(), filter: "clue_id = \(Self.quoted(clueID))").sorted { $0.fid < $1.fid }
    }

    /// The deadlines the registry gives its clues (those of the last run's rules).
    func deadlinePolicy() throws -> DeadlinePolicy {
        if let kept = policy { return kept }
        let read = try DeadlinePolicy.stored(in: self)
        policy = read
        return read
    }

    private var policy: DeadlinePolicy?

    public func isProcessed(sha256: String) throws -> Bool {
        !(try Self.rows(try extracts(), filter: "sha256 = \(Self.quoted(sha256))")).isEmpty
    }

    public func meta(_ key: String) throws -> String? {
        guard let layer = try dataset.layer(named: "registry_meta") else { return nil }
        return try Self.rows(layer, filter: "key = \(Self.quoted(key))").first?["value"]
    }

    func setMeta(_ key: String, _ value: String) throws {
        let layer = try metaTable()
        if let row = try Self.rows(layer, filter: "key = \(Self.quoted(key))").first {
            try layer.update(fid: row.fid, [("value", .string(value))])
        } else {
            try layer.write(named: [("key", .string(key)), ("value", .string(value))])
        }
    }

    // MARK: Writing (inside a transaction)

    private var nextSeq: Int?

    func addEvent(clue: String, kind: String, from: String?, to: String?, source: String, actor: String,
                  detail: String = "") throws {
        if nextSeq == nil {
            // The table made first (a new registry has none), then its highest seq read.
            _ = try events()
            let highest = try dataset.executeSQL("SELECT MAX(seq) FROM registry_events").first ?? nil
            nextSeq = (highest.flatMap { Int($0) } ?? 0) + 1
        }
        try add(PendingRow(events: true, values: [("seq", .integer(Int64(nextSeq!))), ("clue_id", .string(clue)), ("kind", .string(kind)),
                                                  ("from_status", from.map(FieldValue.string) ?? .null), ("to_status", to.map(FieldValue.string) ?? .null),
                                                  ("source", .string(source)), ("actor", .string(actor)), ("detail", .string(detail)),
                                                  ("at", .string(Self.timestamp()))], wkb: nil))
        nextSeq! += 1
    }

    /// Now, as ISO 8601 UTC to the second (2026-12-03T01:52:00Z). By hand: making an
    /// ISO8601DateFormatter for every row and event was a third of a large merge.
    /// (String(format:) was still a twentieth of a merge on PostgreSQL.)
    static func timestamp() -> String {
        var seconds = time_t(Date().timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2) + "T"
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "Z"
    }
}
