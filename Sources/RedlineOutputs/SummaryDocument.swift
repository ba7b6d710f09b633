import Foundation
import RedlineCore
import ThreadKit

/// summary.json: what was read, what was found, from which inputs, by which version.
struct SummaryDocument {
    let summary: CheckSummary
    let run: CheckRecord
    /// SHA-256 of each input file, by path.
    let fingerprints: [String: String]

    func json() -> Data {
        var text = ""
        document().write(to: &text, indent: "")
        text += "\n"
        return Data(text.utf8)
    }

    private func document() -> JSONValue {
        .object(run.document(fingerprints: fingerprints).merging(figures()) { $1 })
    }

    private func figures() -> [String: JSONValue] {
        [
            "elapsed_seconds": .double(rounded(summary.elapsedSeconds, 3)),
            "frame": ["crs": .string(summary.workingCRS), "ellipsoid": .string(summary.ellipsoid),
                      "areas": "geodesic square metres on the ellipsoid"],
            "activities": [
                "features_read": .int(summary.patchesRead),
                "layers": .array(summary.activityLayers.map {
                    ["layer": .string($0.layer), "features": .int($0.features), "clues": .int($0.clues)]
                }),
                "repaired": .int(summary.repaired),
                "skipped": counts(summary.skipped),
                "clues_with_repeated_activity_id": .int(summary.repeatedActivityIDs),
            ],
            "protected": [
                "features_read": .int(summary.protectedFeatures),
                "areas": .int(summary.protectedAreas),
                "pieces": .int(summary.protectedPieces),
                "repaired": .int(summary.protectedRepaired),
                "skipped": counts(summary.protectedSkipped),
                "unknown_zone_values": counts(summary.unknownZones),
            ],
            "clues": .int(summary.clues),
            "overlap_pairs": .int(summary.overlapPairs),
            "overlap_m2_total": .double(rounded(summary.totalOverlapM2, 2)),
            "by_protected_area": .array(summary.perArea.map { total in
                let area = total.area
                return [
                    "protected_id": .string(area.protectedID), "name": .string(area.name),
                    "kind": .string(area.kind.description), "zone": .string(area.zone.rawValue),
                    "zone_in_data": .string(area.zoneText), "layer": .string(area.layer),
                    "valid_from": area.validity.from.map { .string("\($0)") } ?? .null,
                    "valid_to": area.validity.to.map { .string("\($0)") } ?? .null,
                    "pairs": .int(total.pairs), "overlap_m2": .double(rounded(total.overlapM2, 2)),
                ]
            }),
            "by_verdict": counts(summary.perVerdict),
            "by_severity": counts(summary.perSeverity),
            "by_rule": counts(summary.perRule),
            "by_activity_type": counts(summary.perActivityType),
            "unknown_activity_type_values": counts(summary.unknownActivityValues),
            "below_min_severity": counts(summary.belowMinSeverity),
            "near_boundary_clues": .int(summary.nearBoundary),
            "undated_clues": .int(summary.undated),
            "warnings": .array(summary.warnings.map { warning in
                ["code": .string(warning.code), "message": .string(warning.message),
                 "file": warning.file.map(JSONValue.string) ?? .null, "feature": warning.feature.map(JSONValue.string) ?? .null]
            }),
            "counties": [
                "loaded": summary.countiesLoaded.map(JSONValue.int) ?? .null,
                "clues_outside_every_county": .int(summary.outsideCounties),
                "clues_straddling_a_border": .int(summary.straddling),
                "by_county": .array(summary.perCounty.map {
                    ["code": .string($0.code), "name": .string($0.name), "clues": .int($0.clues),
                     "overlap_m2": .double(rounded($0.overlapM2, 2))]
                }),
            ],
            "clue_ids": ["format": "county code - period - 6-digit number from the patch's layer and id",
                         "numbers_moved_by_collision": .int(summary.numberCollisions)],
            "by_reserve": .array(byReserve()),
            "by_strictest_zone": .array(summary.perZone.map { total in
                ["zone": .string(total.zone.rawValue), "label": .string(total.zone.label), "clues": .int(total.clues),
                 "overlap_m2": .double(rounded(total.overlapM2, 2))]
            }),
            "note": .string("by_reserve adds up every boundary version of a reserve that patches met; "
                + "by_protected_area and by_reserve sum pair areas, so a patch inside a red line and a reserve "
                + "counts in both; overlap_m2_total and by_strictest_zone count each place once"),
        ]
    }

    /// Pair areas summed per named protected area (a reserve's zones together): zones of one
    /// reserve do not overlap, so this is the area inside that reserve.
    private func byReserve() -> [JSONValue] {
        var totals: [String: (kind: String, pairs: Int, m2: Double)] = [:]
        for total in summary.perArea {
            let key = total.area.name
            totals[key, default: (total.area.kind.description, 0, 0)].pairs += total.pairs
            totals[key, default: (total.area.kind.description, 0, 0)].m2 += total.overlapM2
        }
        return totals.keys.sorted().map { name in
            ["name": .string(name), "kind": .string(totals[name]!.kind), "pairs": .int(totals[name]!.pairs),
             "overlap_m2": .double(rounded(totals[name]!.m2, 2))]
        }
    }

    private func counts<Key: RawRepresentable<String>>(_ table: [Key: Int]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: table.map { ($0.key.rawValue, .int($0.value)) }))
    }

    private func counts(_ table: [String: Int]) -> JSONValue {
        .object(table.mapValues(JSONValue.int))
    }

    private func rounded(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }
}

/// A JSON document in Swift's own types, written with sorted keys and two-space indents.
/// Foundation's encoders spent a third of a second on the summary of a check against thousands
/// of protected areas (JSONSerialization casting every value of a `[String: Any]`, JSONEncoder
/// boxing every one), at the very end of the run, after the workers have finished.
enum JSONValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(stringLiteral value: String) { self = .string(value) }

    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    func write(to text: inout String, indent: String) {
        switch self {
        case .string(let value): text += SafeText.json(value)
        case .int(let value): text += String(value)
        // JSON has no infinities or NaN.
        case .double(let value): text += value.isFinite ? "\(value)" : "null"
        case .null: text += "null"
        case .array(let values):
            guard !values.isEmpty else { text += "[]"; return }
            let inner = indent + "  "
            text += "["
            for (position, value) in values.enumerated() {
                text += (position == 0 ? "\n" : ",\n") + inner
                value.write(to: &text, indent: inner)
            }
            text += "\n" + indent + "]"
        case .object(let members):
            guard !members.isEmpty else { text += "{}"; return }
            let inner = indent + "  "
            text += "{"
            for (position, key) in members.keys.sorted().enumerated() {
                text += (position == 0 ? "\n" : ",\n") + inner
                text += SafeText.json(key)
                text += " : "
                members[key]!.write(to: &text, indent: inner)
            }
            text += "\n" + indent + "}"
        }
    }
}

/// Hashes the input files on a thread of its own while the check runs.
final class FingerprintTask: Sendable {
    private final class Digests: @unchecked Sendable {
        let lock = NSLock()
        var byPath: [String: String] = [:]
        var stopped = false
    }

    private let thread: JoinableThread
    private let digests = Digests()

    init(_ sources: [SourceSpec]) {
        let paths = Set(sources.filter { !$0.isDatabase }.map(\.path)).sorted()
        let digests = self.digests
        thread = JoinableThread {
            for path in paths {
                let stop = { digests.lock.withLock { digests.stopped } }
                guard let digest = Fingerprint.ofSource(path, stop: stop) else { continue }
                digests.lock.withLock { digests.byPath[path] = digest }
            }
        }
    }

    /// The digests, once all are computed.
    func results() -> [String: String] {
        thread.join()
        return digests.lock.withLock { digests.byPath }
    }

    /// Stops hashing and waits for the thread: a process must not exit while OpenSSL is in use
    /// on another thread, since its exit handler frees what that thread is using.
    func stop() {
        digests.lock.withLock { digests.stopped = true }
        thread.join()
    }
}
