import Foundation
import GDALKit

/// The fields of one activity layer that the check reads, if it has them.
struct ResolvedFields {
    let id: Int?
    let type: Int?
    let detected: Int?
}

/// Reads the activity layers one after the other into batches of patches, cleaning their text
/// and giving patches without an ID one made from their geometry; what it had to mend is warned
/// about per layer. Used by the calling thread only.
final class PatchReader {
    private let layers: [SourceLayer]
    private let fields: [ResolvedFields]
    private let batchSize: Int
    private let warnings: WarningLog
    private var layerIndex = 0
    private var open: VectorLayer?
    private var read = 0
    private(set) var readPerLayer: [Int]
    /// What the current layer needed mending, reported when it ends.
    private var mended = LayerMending()

    init(layers: [SourceLayer], fields: [ResolvedFields], batchSize: Int, warnings: WarningLog) {
        self.layers = layers
        self.fields = fields
        self.batchSize = max(1, batchSize)
        self.warnings = warnings
        readPerLayer = Array(repeating: 0, count: layers.count)
    }

    /// The next batch, or nil when every layer has been read.
    func next() throws -> [ActivityPatch]? {
        var batch: [ActivityPatch] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, layerIndex < layers.count {
            let source = layers[layerIndex]
            let layer = try open ?? source.open()
            open = layer
            guard let feature = try source.next(from: layer) else {
                try mended.report(into: warnings, layer: source, idField: fields[layerIndex].id.map { source.fields[$0].name },
                                  read: readPerLayer[layerIndex])
                warnings.collectGDALWarnings(file: source.label)
                mended = LayerMending()
                open = nil
                layerIndex += 1
                continue
            }
            let geometry = feature.geometry()
            let wanted = fields[layerIndex]
            let attributes = (0..<feature.fieldCount).map { index in
                feature.text(index).map { mended.clean($0, field: source.fields[index].name, feature: feature.fid) }
            }
            let (id, ownID) = activityID(wanted.id.flatMap { attributes[$0] }, hasField: wanted.id != nil, feature: feature,
                                         geometry: geometry)
            if case .polygonal = geometry {} else { mended.noteUnusable(SkipReason(geometry), id: id) }
            batch.append(ActivityPatch(sequence: read, layer: layerIndex, fid: feature.fid, activityID: id,
                                       attributes: attributes, geometry: geometry,
                                       activityTypeText: wanted.type.flatMap { attributes[$0] },
                                       detectedText: wanted.detected.flatMap { attributes[$0] },
                                       detectedField: wanted.detected.map { source.fields[$0].name },
                                       hasOwnID: ownID))
            read += 1
            readPerLayer[layerIndex] += 1
        }
        return batch.isEmpty ? nil : batch
    }

    /// The ID field's value; without an ID field, the feature id (or the input position). An ID
    /// field left empty gets an ID made from the geometry, so the patch keeps it on every run.
    /// Also says whether the ID is the data's own.
    private func activityID(_ given: String?, hasField: Bool, feature: Feature, geometry: FeatureGeometry) -> (String, Bool) {
        guard hasField else { return (feature.fid.map(String.init) ?? "\(read + 1)", false) }
        if let given, !given.allSatisfy(\.isWhitespace) { return (given, true) }
        let made: String
        if case .polygonal(let wkb) = geometry {
            let digest = StableID.fnv1a(bytes: wkb)
            made = "noid-" + String(repeating: "0", count: 16 - String(digest, radix: 16).count) + String(digest, radix: 16)
        } else {
            made = "noid-fid\(feature.fid.map(String.init) ?? "\(read + 1)")"
        }
        mended.emptyIDs.append(made)
        return (made, false)
    }
}

/// What one activity layer's features needed mending: empty IDs, control characters, text that
/// was not valid in its encoding.
struct LayerMending {
    var emptyIDs: [String] = []
    var controlCharacters = 0
    var controlExample: (field: String, feature: String)?
    var undecodable = 0
    var undecodableExample: (field: String, feature: String)?
    /// Patches without a polygon to check (missing, empty, a point or line), by reason.
    var unusable: [SkipReason: Int] = [:]
    var unusableExamples: [String] = []

    mutating func noteUnusable(_ reason: SkipReason, id: String) {
        unusable[reason, default: 0] += 1
        if unusableExamples.count < 3 { unusableExamples.append(id) }
    }

    /// `text` without control characters (tab, line feed and carriage return stay): they make XML
    /// ill-formed and forge lines in logs.
    mutating func clean(_ text: String, field: String, feature fid: Int64?) -> String {
        let found = DataText.findings(in: text)
        if found.contains(.replacement) {
            undecodable += 1
            if undecodableExample == nil { undecodableExample = (field, fid.map(String.init) ?? "?") }
        }
        guard found.contains(.controls) else { return text }
        let cleaned = DataText.stripped(text)
        controlCharacters += 1
        if controlExample == nil { controlExample = (field, fid.map(String.init) ?? "?") }
        return cleaned
    }

    /// Warns about what was mended; a layer none of whose features has a polygon is an error,
    /// since nothing in it was checked.
    func report(into warnings: WarningLog, layer: SourceLayer, idField: String?, read: Int) throws {
        let file = layer.label
        if read == 0 {
            warnings.add(code: "empty_layer", "\(file) holds no features — nothing in it was checked; if this extract should "
                         + "have patches, it was exported empty", file: file)
        }
        let unchecked = unusable.values.reduce(0, +)
        if unchecked > 0 {
            let reasons = unusable.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) ×\($0.value)" }.joined(separator: ", ")
            let message = "\(file): \(unchecked) of \(read) patch(es) have no polygon to check (\(reasons); first: "
                + "\(unusableExamples.joined(separator: ", "))) — fix their geometry, or they are never checked"
            guard unchecked < read else {
                // A layer of points or lines beside the patches (photos, tracks) is not the patch layer.
                if unusable.keys.allSatisfy({ $0 == .notPolygon }) {
                    throw RedlineError.badOption("\(file) holds no polygons (\(reasons)) — it is not a patch layer; choose "
                                                 + "the patch layer with \(layer.spec.displayPath)|layername=NAME")
                }
                throw RedlineError.readFailed(layer: file, reason: message)
            }
            warnings.add(code: "patches_without_polygon", message, file: file, feature: unusableExamples.joined(separator: ","))
        }
        if idField == nil && read > 0 {
            warnings.add(code: "no_activity_id_field", "\(file) has no ID field — activity IDs are feature numbers, which another "
                         + "format or export numbers differently; name the field with --activity-id or \(layer.spec.displayPath)|id=FIELD",
                         file: file)
        }
        if !emptyIDs.isEmpty {
            warnings.add(code: "empty_activity_id", "\(file): \(emptyIDs.count) patch(es) have an empty \(idField ?? "ID") — they got IDs "
                         + "made from their geometry (\(emptyIDs.prefix(3).joined(separator: ", "))); fill in the field to keep your own",
                         file: file, feature: emptyIDs.prefix(3).joined(separator: ","))
        }
        if let (field, feature) = controlExample {
            warnings.add(code: "control_characters", "\(file): \(controlCharacters) value(s) hold control characters (first in field "
                         + "\(field) of feature \(feature)) — they were removed from the outputs", file: file, feature: feature)
        }
        if let (field, feature) = undecodableExample {
            warnings.add(code: "undecodable_text", "\(file): \(undecodable) value(s) are not valid text in the file's encoding (first in field "
                         + "\(field) of feature \(feature)) — pass --encoding with the right one (CP936 for GBK)",
                         file: file, feature: feature)
        }
    }
}
