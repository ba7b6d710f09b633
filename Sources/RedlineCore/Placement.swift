import GEOSKit
import PROJKit

/// The region a patch must lie in to possibly meet protection: the protected layers' box, widened
/// by `--near` and a few kilometres of slack. A patch outside it can never become a clue, so a
/// layer lying mostly outside is either checked against the wrong boundaries or carries a wrong
/// CRS label: a wrong Gauss-Krüger zone moves patches 3° of longitude, degrees read as metres put
/// them off the coast of Africa.
struct ProtectionRegion: Sendable {
    let box: Envelope

    init(pieces: [PolygonPiece], nearM: Double) {
        let extent = pieces.dropFirst().reduce(pieces.first?.envelope ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)) {
            $0.union($1.envelope)
        }
        let margin = 0.05 + nearM / 100_000
        box = Envelope(minX: extent.minX - margin, minY: extent.minY - margin,
                       maxX: extent.maxX + margin, maxY: extent.maxY + margin)
    }

    func contains(_ other: Envelope) -> Bool { box.intersects(other) }
}

/// Where a patch lies against the protection region: the check of its layer's CRS label.
enum Placement {
    case inRegion
    case far
    /// Far, but with x and y exchanged it would lie in the region: written lat,lon.
    case farButSwappedIn
    /// Its box could not be told cheaply (over a degree wide, say).
    case unknown
}

/// Per activity layer, how many patches lay where: kept by each engine, merged at the end.
struct PlacementTally: Sendable {
    struct Layer: Sendable {
        var inRegion = 0, far = 0, swapped = 0
        /// The first few swapped patches (by input position), to name in the error.
        var swappedExamples: [(sequence: Int, id: String)] = []
        /// The native boxes of the first far patches, to find the CRS they fit.
        var farBoxes: [(sequence: Int, box: Envelope)] = []
        /// Patches lying outside their CRS's area of use: a feature written in another CRS, a
        /// mistyped or sign-flipped coordinate, a zone number before the easting.
        var outsideAreaOfUse = NamedPatches()
        /// Patches spanning more than `oversizedDegrees`: no human-activity patch is that big, but
        /// one mistyped or sign-flipped vertex makes one so.
        var oversized = NamedPatches()
    }

    /// A count of patches, with the first few (by input position) to name.
    struct NamedPatches: Sendable {
        var count = 0
        var examples: [(sequence: Int, id: String)] = []
        var named: String { examples.map(\.id).joined(separator: ", ") }

        mutating func note(sequence: Int, id: String) {
            count += 1
            if examples.count < PlacementTally.examples { examples.append((sequence, id)) }
        }

        mutating func merge(_ other: NamedPatches) {
            count += other.count
            examples = Array((examples + other.examples).sorted { $0.sequence < $1.sequence }.prefix(PlacementTally.examples))
        }
    }

    static let oversizedDegrees = 1.0

    static let examples = 5, samples = 64
    private(set) var layers: [Layer]

    init(layerCount: Int) { layers = Array(repeating: Layer(), count: layerCount) }

    mutating func record(_ placement: Placement, layer: Int, sequence: Int, id: String, native: Envelope?) {
        switch placement {
        case .inRegion:
            layers[layer].inRegion += 1
        case .far:
            layers[layer].far += 1
            if let native, layers[layer].farBoxes.count < Self.samples { layers[layer].farBoxes.append((sequence, native)) }
        case .farButSwappedIn:
            layers[layer].swapped += 1
            if layers[layer].swappedExamples.count < Self.examples { layers[layer].swappedExamples.append((sequence, id)) }
        case .unknown:
            break
        }
    }

    mutating func noteOutsideAreaOfUse(layer: Int, sequence: Int, id: String) {
        layers[layer].outsideAreaOfUse.note(sequence: sequence, id: id)
    }

    mutating func noteOversized(layer: Int, sequence: Int, id: String) {
        layers[layer].oversized.note(sequence: sequence, id: id)
    }

    /// Adds another engine's counts; examples and samples stay the first by input position, so the
    /// result does not depend on how the patches were shared among threads.
    mutating func merge(_ other: PlacementTally) {
        for index in layers.indices {
            let theirs = other.layers[index]
            layers[index].inRegion += theirs.inRegion
            layers[index].far += theirs.far
            layers[index].swapped += theirs.swapped
            layers[index].swappedExamples = Array((layers[index].swappedExamples + theirs.swappedExamples)
                .sorted { $0.sequence < $1.sequence }.prefix(Self.examples))
            layers[index].farBoxes = Array((layers[index].farBoxes + theirs.farBoxes)
                .sorted { $0.sequence < $1.sequence }.prefix(Self.samples))
            layers[index].outsideAreaOfUse.merge(theirs.outsideAreaOfUse)
            layers[index].oversized.merge(theirs.oversized)
        }
    }
}

/// Judges each activity layer's placement once every patch is read: a layer written lat,lon (whole
/// or in part), or whose CRS label puts most patches far from every protected area, stops the run
/// with the likely cause — it must never pass as "no clues".
struct PlacementJudge {
    let layers: [SourceLayer]
    let frame: WorkingFrame
    let region: ProtectionRegion
    let allowFar: Bool
    let warnings: WarningLog

    /// The CRSs tried on far patches to name the one their coordinates fit: CGCS2000 degrees, then
    /// its Gauss-Krüger zones (3° with central meridian in the name, 3° with the zone number before
    /// the easting, 6° likewise), as Chinese agencies deliver them.
    static let candidateCodes = [4490] + Array(4534...4554) + Array(4513...4533) + Array(4502...4512) + Array(4491...4501)

    /// Datums a ballpark offset to CGCS2000 leaves right within a metre or so (all realise ITRF).
    static let modernDatums = ["World Geodetic System 1984", "China 2000", "China Geodetic Coordinate System 2000",
                               "International Terrestrial Reference Frame", "WGS 84"]

    /// A layer in an old datum (Beijing 1954, Xian 1980) that PROJ can bring to the boundaries' only
    /// by a zero "ballpark" shift: its patches may sit some 100 m off.
    func warnAboutBallparkShifts() {
        let context = ProjContext()
        guard let target = try? context.crs(frame.crs) else { return }
        for layer in layers {
            guard let source = try? context.crs(layer.crs), let datum = source.datumName,
                  !Self.modernDatums.contains(where: { datum.hasPrefix($0) }),
                  let transformer = try? context.transformer(from: source, to: target), transformer.usesBallpark else { continue }
            warnings.add(code: "ballpark_datum_shift",
                         "\(layer.label) is in the \(datum) datum, and PROJ knows no published shift from it to the boundaries' "
                         + "\(target.datumName ?? target.name): it uses a ballpark offset of zero, which for Beijing 1954 or Xian "
                         + "1980 can put patches some 100 m off — convert the extract to CGCS2000 with the province's published "
                         + "parameters first", file: layer.label)
        }
    }

    func judge(_ tally: PlacementTally) throws {
        warnAboutBallparkShifts()
        for (index, counts) in tally.layers.enumerated() {
            let label = layers[index].label
            if counts.swapped > 0 && counts.inRegion > 0 {
                throw RedlineError.mixedAxisOrder(layer: label, swapped: counts.swapped, total: counts.swapped + counts.inRegion + counts.far,
                                                  examples: counts.swappedExamples.map(\.id))
            }
            if counts.swapped > 0 && counts.swapped >= counts.far { throw RedlineError.axesSwapped(layer: label) }
            if counts.oversized.count > 0 {
                let named = counts.oversized.named
                warnings.add(code: "oversized_patch", "\(label): \(counts.oversized.count) patch(es) span more than "
                             + "\(Int(PlacementTally.oversizedDegrees))° (first: \(named)) — far larger than any human-activity patch; "
                             + "a mistyped or sign-flipped vertex makes one so, and its clue and area are then not to be trusted — "
                             + "check the feature's vertices", file: label, feature: named)
            }
            if counts.outsideAreaOfUse.count > 0 {
                let named = counts.outsideAreaOfUse.named
                warnings.add(code: "outside_crs_area", "\(label): \(counts.outsideAreaOfUse.count) patch(es) lie outside the area the "
                             + "layer's CRS is made for (first: \(named)) — a feature in another CRS, a mistyped or sign-flipped "
                             + "coordinate, or a zone number before the easting; whether found inside protection or not, their "
                             + "place and area are not to be trusted — fix the feature or its CRS and run again",
                             file: label, feature: named)
            }
            let placed = counts.inRegion + counts.far + counts.swapped
            guard placed > 0, Double(counts.far + counts.swapped) > Double(placed) / 2 else { continue }
            let share = Double(counts.far + counts.swapped) / Double(placed)
            let cause = likelyCause(counts.farBoxes.map(\.box), layer: layers[index])
            if allowFar {
                warnings.add(code: "far_from_protection", RedlineError.farFromProtection(
                    layer: label, share: share, cause: cause, canContinue: false).description, file: label)
            } else {
                throw RedlineError.farFromProtection(layer: label, share: share, cause: cause, canContinue: true)
            }
        }
    }

    /// What the far patches' coordinates fit, in words: another CRS that puts most of them in the region.
    private func likelyCause(_ boxes: [Envelope], layer: SourceLayer) -> String {
        let declared = (try? ProjContext().crs(layer.crs)).map { $0.identifier ?? $0.name } ?? layer.crs.summary
        guard !boxes.isEmpty else { return "its CRS (\(declared)) is probably wrong" }
        let candidates = Self.candidateCodes.map { CRSDefinition("EPSG:\($0)") }
        guard let reprojector = try? Reprojector(frame: frame, sources: candidates) else {
            return "its CRS (\(declared)) is probably wrong"
        }
        for (position, candidate) in candidates.enumerated() {
            let landed = boxes.filter { box in
                (try? reprojector.workingBox(of: box, fromLayer: position)).flatMap { $0 }.map(region.contains) ?? false
            }
            if landed.count * 2 > boxes.count {
                let name = (try? ProjContext().crs(candidate))?.name ?? candidate.text
                return "its coordinates fit \(candidate.text) (\(name)), not the declared \(declared): fix the layer's CRS (its .prj)"
            }
        }
        return "its CRS (\(declared)) is probably wrong, or the patches belong to another region than these boundaries"
    }
}
