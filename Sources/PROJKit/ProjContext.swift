/// PROJKit owns everything redline does with PROJ: contexts, coordinate reference systems,
/// transformations and GeographicLib's geodesic routines (shipped inside libproj). A context and
/// the objects made in it stay on one thread; what crosses threads is a `CRSDefinition` (text)
/// from which each thread builds its own objects, and the plain-value `Geodesic`.
internal import CPROJ

/// An error PROJ reported, with PROJ's own message.
public struct PROJError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let message: String
    public var description: String {
        message.isEmpty ? "PROJ \(operation) failed" : "PROJ \(operation) failed: \(message)"
    }
}

/// A PROJ threading context (`PJ_CONTEXT`). One per thread; never share one between threads.
public final class ProjContext {
    /// The PROJ library's version, e.g. "9.1.1".
    public static var libraryVersion: String { proj_info().version.map { String(cString: $0) } ?? "unknown" }

    let handle: OpaquePointer

    public init() {
        handle = proj_context_create()
        // Errors come back to us through proj_context_errno; PROJ need not print them too.
        proj_log_level(handle, PJ_LOG_NONE)
    }

    deinit { proj_context_destroy(handle) }

    /// The error PROJ recorded for the last failed call in this context.
    func error(_ operation: String) -> PROJError {
        let code = proj_context_errno(handle)
        let message = code == 0 ? "" : (proj_context_errno_string(handle, code).map { String(cString: $0) } ?? "")
        return PROJError(operation: operation, message: message)
    }

    /// Parses a CRS from any text PROJ understands: "EPSG:4490", WKT 1 or 2, PROJJSON, a PROJ string.
    public func crs(_ definition: CRSDefinition) throws -> CoordinateSystem {
        guard let pj = proj_create(handle, definition.text) else {
            // PROJ says "Unknown error (code 4096)" for text it cannot parse at all.
            let said = error("").message
            let reason = said.isEmpty || said.hasPrefix("Unknown error") ? "PROJ does not recognise it as a CRS" : said
            throw PROJError(operation: "reading a CRS", message: "\(reason) in “\(definition.summary)” — give an EPSG code "
                            + "such as EPSG:4490, WKT or a PROJ string")
        }
        let crs = CoordinateSystem(owned: pj, context: self)
        guard crs.isCRS else {
            throw PROJError(operation: "reading a CRS", message: "“\(definition.summary)” is not a coordinate reference system")
        }
        return crs
    }

    /// A transformation from `source` to `target` with x = longitude / easting and y = latitude /
    /// northing whatever the CRS definitions say about axis order.
    public func transformer(from source: CoordinateSystem, to target: CoordinateSystem) throws -> Transformer {
        guard let raw = proj_create_crs_to_crs_from_pj(handle, source.handle, target.handle, nil, nil) else {
            throw error("creating a transformation from \(source.name) to \(target.name)")
        }
        defer { proj_destroy(raw) }
        guard let normalized = proj_normalize_for_visualization(handle, raw) else {
            throw error("normalising axis order from \(source.name) to \(target.name)")
        }
        return Transformer(owned: normalized, context: self, description: "\(source.name) → \(target.name)")
    }
}

/// A CRS as text, the form in which a CRS may cross threads.
public struct CRSDefinition: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public init(_ text: String) { self.text = text }

    public static let cgcs2000 = CRSDefinition("EPSG:4490")
    public static let wgs84 = CRSDefinition("EPSG:4326")

    /// The first line of the definition, short enough for an error message.
    public var summary: String {
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return firstLine.count > 80 ? String(firstLine.prefix(77)) + "..." : firstLine
    }
    public var description: String { summary }
}
