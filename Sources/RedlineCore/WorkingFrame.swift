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

/// Brings WKB from any source CRS into the working frame. Owns a PROJ context, so it belongs to
/// one thread; transformers are built once per source CRS and reused.
final class Reprojector {
    private let context = ProjContext()
    private let target: CoordinateSystem
    /// nil marks a source CRS that is the working CRS already (no transformation needed).
    private var transformers: [CRSDefinition: Transformer?] = [:]

    init(frame: WorkingFrame) throws {
        target = try context.crs(frame.crs)
    }

    private func transformer(for source: CRSDefinition) throws -> Transformer? {
        if let cached = transformers[source] { return cached }
        let sourceCRS = try context.crs(source)
        let made = sourceCRS.isEquivalent(to: target) ? nil : try context.transformer(from: sourceCRS, to: target)
        transformers[source] = made
        return made
    }

    /// Rewrites the coordinates of `wkb` from `source` into the working frame.
    func toWorkingFrame(_ wkb: inout [UInt8], from source: CRSDefinition) throws {
        guard let transformer = try transformer(for: source) else { return }
        try WKBCoordinates.rewrite(&wkb) { try transformer.transform(&$0) }
    }

    /// Transforms interleaved x,y pairs from `source` into the working frame.
    func toWorkingFrame(_ xy: inout [Double], from source: CRSDefinition) throws {
        try transformer(for: source)?.transform(&xy)
    }
}
