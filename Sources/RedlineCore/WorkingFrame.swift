import GEOSKit
import PROJKit

/// The one geographic CRS in which the engine compares and measures everything: the geographic
/// base of the first protected layer's CRS, in lon/lat order, with its datum's ellipsoid.
public struct WorkingFrame: Sendable {
    public let crs: CRSDefinition
    public let crsName: String
    /// "EPSG:4490" when the CRS has an authority code; outputs prefer it to the full definition.
    public let crsIdentifier: String?
    public let geodesic: Geodesic

    /// Derives the frame from the CRS of the protection data.
    public init(basedOn definition: CRSDefinition) throws {
        let context = ProjContext()
        let source = try context.crs(definition)
        let base = try source.geographicBase()
        crs = try base.definition()
        crsName = base.name
        crsIdentifier = base.identifier
        geodesic = Geodesic(try base.ellipsoid())
    }
}

/// Brings WKB from the CRSs of a fixed list of layers into the working frame. Owns a PROJ
/// context, so it belongs to one thread; each layer's transformer is built on first use.
final class Reprojector {
    private let context = ProjContext()
    private let target: CoordinateSystem
    private let sources: [CRSDefinition]
    /// Per layer: not built yet, or built (nil when the layer is in the working CRS already).
    private var transformers: [Transformer??]
    private var geographic: [Bool?]
    private var areas: [Envelope??]

    init(frame: WorkingFrame, sources: [CRSDefinition]) throws {
        target = try context.crs(frame.crs)
        self.sources = sources
        transformers = Array(repeating: nil, count: sources.count)
        geographic = Array(repeating: nil, count: sources.count)
        areas = Array(repeating: nil, count: sources.count)
    }

    /// The area of use of the CRS of `layer`, in degrees, widened by 2° (data strays past a
    /// Gauss-Krüger zone's edge); nil when the CRS names none or it spans the globe.
    func areaOfUse(layer: Int) -> Envelope? {
        if let known = areas[layer] { return known }
        let area = (try? context.crs(sources[layer]))?.areaOfUse.flatMap { area -> Envelope? in
            guard area.east > area.west, area.east - area.west < 180 else { return nil }
            return Envelope(minX: area.west - 2, minY: area.south - 2, maxX: area.east + 2, maxY: area.north + 2)
        }
        areas[layer] = .some(area)
        return area
    }

    private func transformer(for layer: Int) throws -> Transformer? {
        if let built = transformers[layer] { return built }
        let sourceCRS = try context.crs(sources[layer])
        let made = sourceCRS.isEquivalent(to: target) ? nil : try context.transformer(from: sourceCRS, to: target)
        transformers[layer] = .some(made)
        return made
    }

    /// Whether the CRS of `layer` is geographic (its coordinates are degrees).
    func isGeographic(layer: Int) -> Bool {
        if let known = geographic[layer] { return known }
        let answer = (try? context.crs(sources[layer]))?.isGeographic ?? false
        geographic[layer] = answer
        return answer
    }

    /// Rewrites the coordinates of `wkb` from the CRS of `layer` into the working frame.
    func toWorkingFrame(_ wkb: inout [UInt8], fromLayer layer: Int) throws {
        guard let transformer = try transformer(for: layer) else { return }
        try WKB.rewrite(&wkb) { try transformer.transform(&$0) }
    }

    /// A box in the working frame holding everything inside `box` (in the CRS of `layer`), or nil
    /// when it spans more than a degree. Straight edges in a projected CRS bow in lon/lat by about
    /// w²·tan φ / 8R for an edge w long (25 m for 20 km at 45° N), so the transformed corners are
    /// widened by 2 % of the larger side: ten times that bow for boxes up to a degree.
    func workingBox(of box: Envelope, fromLayer layer: Int) throws -> Envelope? {
        guard let transformer = try transformer(for: layer) else { return box }
        var xy = [box.minX, box.minY, box.maxX, box.minY, box.maxX, box.maxY, box.minX, box.maxY]
        try transformer.transform(&xy)
        let corners = Envelope(covering: xy)
        let side = max(corners.width, corners.height)
        guard side <= 1 else { return nil }
        let margin = side * 0.02 + 1e-9
        return Envelope(minX: corners.minX - margin, minY: corners.minY - margin,
                        maxX: corners.maxX + margin, maxY: corners.maxY + margin)
    }

    /// Transforms interleaved x,y pairs from the CRS of `layer` into the working frame.
    func toWorkingFrame(_ xy: inout [Double], fromLayer layer: Int) throws {
        try transformer(for: layer)?.transform(&xy)
    }
}

/// Takes lon/lat in the working frame to WGS 84 lon/lat, as KML and GPX require. Owns a PROJ
/// context: one per thread.
public final class WGS84Converter {
    private let context = ProjContext()
    private let transformer: Transformer?

    public convenience init(frame: WorkingFrame) throws {
        try self.init(crs: frame.crs)
    }

    /// From lon/lat in the CRS `definition` (an EPSG code, WKT or PROJ string) names.
    public convenience init(crsText definition: String) throws {
        try self.init(crs: CRSDefinition(definition))
    }

    private init(crs: CRSDefinition) throws {
        let source = try context.crs(crs), target = try context.crs(.wgs84)
        transformer = source.isEquivalent(to: target) ? nil : try context.transformer(from: source, to: target)
    }

    /// Converts interleaved lon,lat pairs in place.
    public func convert(_ xy: inout [Double]) throws {
        try transformer?.transform(&xy)
    }

    /// Converts every coordinate of a WKB geometry.
    public func convert(wkb: [UInt8]) throws -> [UInt8] {
        guard let transformer else { return wkb }
        var copy = wkb
        try WKB.rewrite(&copy) { try transformer.transform(&$0) }
        return copy
    }
}
