/// GDALKit owns everything redline does with GDAL/OGR: opening and creating vector datasets in any
/// format GDAL has a driver for, reading features (attributes as text, geometry as 2D ISO WKB) and
/// writing them. A dataset owns its handle and closes it with `close()` (which reports errors);
/// a layer borrows its dataset and keeps it alive; a feature owns its handle.
internal import CGDAL
import Foundation

/// An error GDAL reported, naming what failed and carrying `CPLGetLastErrorMsg`.
public struct GDALError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let message: String
    public var description: String { message.isEmpty ? operation : "\(operation): \(message)" }

    /// The last error GDAL recorded on this thread, then cleared.
    static func last(_ operation: String) -> GDALError {
        let message = String(cString: CPLGetLastErrorMsg()).trimmingCharacters(in: .whitespacesAndNewlines)
        CPLErrorReset()
        return GDALError(operation: operation, message: message)
    }
}

public enum GDAL {
    private static let registered: Bool = {
        GDALAllRegister()
        // Errors reach the caller as thrown GDALErrors; warnings are kept for the caller to report.
        CPLSetErrorHandler(GDALDiagnostics.handler)
        return true
    }()

    /// Registers every driver once; every entry point calls it.
    static func register() { _ = registered }
}

/// Runs `body` with a NULL-terminated C string list (`char **`), freed afterwards.
func withStringList<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws -> T) rethrows -> T {
    if strings.isEmpty { return try body(nil) }
    var list: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for item in list { free(item) } }
    return try list.withUnsafeMutableBufferPointer { try body($0.baseAddress) }
}

extension UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    /// The same list typed as `const char * const *`, as some GDAL functions declare it.
    var constList: UnsafePointer<UnsafePointer<CChar>?> {
        UnsafeRawPointer(self).assumingMemoryBound(to: UnsafePointer<CChar>?.self)
    }
}

/// A vector dataset opened or created through GDAL.
public final class VectorDataset {
    private var handle: GDALDatasetH?
    /// The path or connection string it was opened with.
    public let path: String

    private init(handle: GDALDatasetH, path: String) {
        self.handle = handle
        self.path = path
    }

    /// Opens any vector source GDAL reads: a file, a folder of shapefiles or a `PG:` connection string.
    /// `options` are the driver's open options ("ENCODING=CP936").
    public static func open(_ path: String, update: Bool = false, options: [String] = []) throws -> VectorDataset {
        GDAL.register()
        CPLErrorReset()
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_VERBOSE_ERROR) | UInt32(update ? GDAL_OF_UPDATE : GDAL_OF_READONLY)
        let opened = withStringList(options) { GDALOpenEx(path, flags, nil, $0?.constList, nil) }
        guard let opened else { throw GDALError.last("cannot open \(path) as vector data") }
        return VectorDataset(handle: opened, path: path)
    }

    /// Creates a new dataset with driver `driver` ("GPKG", "GeoJSON", "CSV", "ESRI Shapefile"...).
    public static func create(_ path: String, driver: String, options: [String] = []) throws -> VectorDataset {
        GDAL.register()
        CPLErrorReset()
        guard let driverHandle = GDALGetDriverByName(driver) else {
            throw GDALError(operation: "cannot create \(path)", message: "GDAL has no \(driver) driver")
        }
        let created = withStringList(options) { GDALCreate(driverHandle, path, 0, 0, 0, GDT_Unknown, $0) }
        guard let created else { throw GDALError.last("cannot create \(path) with the \(driver) driver") }
        return VectorDataset(handle: created, path: path)
    }

    deinit {
        if let handle { GDALClose(handle) }
    }

    var open: GDALDatasetH {
        get throws {
            guard let handle else { throw GDALError(operation: "\(path) is already closed", message: "") }
            return handle
        }
    }

    /// Flushes and closes the dataset. GDALClose returns nothing in GDAL 3.6, so a failure shows
    /// only as an error recorded during the close.
    public func close() throws {
        guard let handle else { return }
        self.handle = nil
        CPLErrorReset()
        GDALClose(handle)
        if CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal {
            throw GDALError.last("closing \(path) failed")
        }
    }

    /// The name of the driver that opened it, e.g. "ESRI Shapefile".
    public var driverName: String {
        guard let handle, let driver = GDALGetDatasetDriver(handle) else { return "" }
        return String(cString: GDALGetDriverShortName(driver))
    }

    public var layerCount: Int {
        guard let handle else { return 0 }
        return Int(GDALDatasetGetLayerCount(handle))
    }

    public func layer(at index: Int) throws -> VectorLayer {
        CPLErrorReset()
        guard let layer = GDALDatasetGetLayer(try open, Int32(index)) else {
            throw GDALError.last("\(path) has no layer \(index)")
        }
        return VectorLayer(handle: layer, dataset: self)
    }

    public func layer(named name: String) throws -> VectorLayer? {
        guard let layer = GDALDatasetGetLayerByName(try open, name) else { return nil }
        return VectorLayer(handle: layer, dataset: self)
    }

    public var layers: [VectorLayer] {
        get throws { try (0..<layerCount).map { try layer(at: $0) } }
    }

    /// Creates a layer. `crs` is any text GDAL's `OSRSetFromUserInput` takes ("EPSG:4490", WKT, PROJJSON);
    /// coordinates are written in traditional GIS order (x = lon).
    public func createLayer(_ name: String, crs: String?, geometry: GeometryType, options: [String] = []) throws -> VectorLayer {
        CPLErrorReset()
        let dataset = try open
        var srs: OGRSpatialReferenceH?
        if let crs {
            srs = OSRNewSpatialReference(nil)
            guard OSRSetFromUserInput(srs, crs) == OGRERR_NONE else {
                OSRRelease(srs)
                throw GDALError.last("cannot read the CRS \(crs.prefix(60)) for layer \(name)")
            }
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER)
        }
        // GDALDatasetCreateLayer clones the spatial reference; we release ours.
        defer { if let srs { OSRRelease(srs) } }
        CPLErrorReset()
        let layer = withStringList(options) { GDALDatasetCreateLayer(dataset, name, srs, geometry.ogrType, $0) }
        guard let layer else { throw GDALError.last("cannot create layer \(name) in \(path)") }
        return VectorLayer(handle: layer, dataset: self)
    }

    /// Deletes the layer called `name`.
    public func deleteLayer(named name: String) throws {
        let dataset = try open
        guard let index = try layers.firstIndex(where: { $0.name == name }) else { return }
        CPLErrorReset()
        guard GDALDatasetDeleteLayer(dataset, Int32(index)) == OGRERR_NONE else { throw GDALError.last("cannot delete layer \(name) of \(path)") }
    }

    /// Starts a transaction where the driver supports one (GeoPackage, PostgreSQL); a no-op elsewhere.
    public func beginTransaction() throws {
        CPLErrorReset()
        let result = GDALDatasetStartTransaction(try open, 0)
        if result != OGRERR_NONE && result != OGRERR_UNSUPPORTED_OPERATION {
            throw GDALError.last("cannot start a transaction in \(path)")
        }
    }

    /// Drops what the open transaction wrote.
    public func rollbackTransaction() throws {
        CPLErrorReset()
        let result = GDALDatasetRollbackTransaction(try open)
        if result != OGRERR_NONE && result != OGRERR_UNSUPPORTED_OPERATION {
            throw GDALError.last("cannot roll back in \(path)")
        }
    }

    /// Runs an SQL statement in the driver's own dialect (SQLite for GeoPackage, PostgreSQL for
    /// PG:) and returns the first column of each result row as text.
    @discardableResult
    public func executeSQL(_ sql: String) throws -> [String?] {
        let dataset = try open
        CPLErrorReset()
        let result = GDALDatasetExecuteSQL(dataset, sql, nil, nil)
        if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("SQL failed in \(path)") }
        guard let result else { return [] }
        defer { GDALDatasetReleaseResultSet(dataset, result) }
        var values: [String?] = []
        while let feature = OGR_L_GetNextFeature(result) {
            values.append(OGR_F_IsFieldSetAndNotNull(feature, 0) != 0 ? String(cString: OGR_F_GetFieldAsString(feature, 0)) : nil)
            OGR_F_Destroy(feature)
        }
        return values
    }

    /// Runs an SQL query in the driver's own dialect and hands each result row to `body`, geometry
    /// and all; the result set is released before this returns.
    public func forEachResult(of sql: String, _ body: (Feature) throws -> Void) throws {
        let dataset = try open
        CPLErrorReset()
        let result = GDALDatasetExecuteSQL(dataset, sql, nil, nil)
        if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("SQL failed in \(path)") }
        guard let result else { return }
        defer { GDALDatasetReleaseResultSet(dataset, result) }
        while let feature = OGR_L_GetNextFeature(result) {
            try body(Feature(handle: feature))
        }
        if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("SQL failed in \(path)") }
    }

    public func commitTransaction() throws {
        CPLErrorReset()
        let result = GDALDatasetCommitTransaction(try open)
        // GDAL 3.6's PostgreSQL driver ends a pending COPY inside the commit without returning
        // its failure (the server then rolls the transaction back): the error is only posted.
        if (result != OGRERR_NONE && result != OGRERR_UNSUPPORTED_OPERATION) || CPLGetLastErrorType() == CE_Failure {
            throw GDALError.last("cannot commit to \(path)")
        }
    }
}

/// The geometry types redline writes.
public enum GeometryType: Sendable {
    case unknown, point, lineString, multiLineString, polygon, multiPolygon, none

    var ogrType: OGRwkbGeometryType {
        switch self {
        case .unknown: return wkbUnknown
        case .point: return wkbPoint
        case .lineString: return wkbLineString
        case .multiLineString: return wkbMultiLineString
        case .polygon: return wkbPolygon
        case .multiPolygon: return wkbMultiPolygon
        case .none: return wkbNone
        }
    }
}

/// Paths inside GDAL's virtual file systems (/vsizip/…), which FileManager cannot list.
public enum VirtualFolder {
    /// Every file and folder below `path`, relative to it; nil when it is not a folder GDAL can list.
    public static func recursiveListing(_ path: String) -> [String]? {
        GDAL.register()
        guard let list = VSIReadDirRecursive(path) else { return nil }
        defer { CSLDestroy(list) }
        var names: [String] = []
        var index = 0
        while let entry = list[index] {
            names.append(String(cString: entry))
            index += 1
        }
        return names
    }

    /// The bytes of a file GDAL can reach (/vsizip/book.xlsx/xl/workbook.xml), or nil.
    public static func contents(of path: String, limit: Int = 256 << 20) -> [UInt8]? {
        GDAL.register()
        var buffer: UnsafeMutablePointer<GByte>?
        var size: vsi_l_offset = 0
        guard VSIIngestFile(nil, path, &buffer, &size, GIntBig(limit)) != 0, let buffer else { return nil }
        defer { VSIFree(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
