import Foundation
import RedlineCore

/// summary.json: what was read, what was found, from which inputs, by which version.
struct SummaryDocument {
    let summary: CheckSummary
    let run: RunDescription
    /// SHA-256 of each input file, by path.
    let fingerprints: [String: String]

    func json() throws -> Data {
        try JSONSerialization.data(withJSONObject: document(),
                                   options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    private func document() -> [String: Any] {
        [
            "tool": ["name": "redline", "version": run.toolVersion],
            "elapsed_seconds": rounded(summary.elapsedSeconds, 3),
            "settings": run.settings,
            "inputs": [
                "activities": run.activitySources.map(describe),
                "protected": run.protectedSources.map(describe),
            ],
            "frame": ["crs": summary.workingCRS, "ellipsoid": summary.ellipsoid,
                      "areas": "geodesic square metres on the ellipsoid"],
            "activities": [
                "features_read": summary.patchesRead,
                "layers": summary.activityLayers.map { ["layer": $0.layer, "features": $0.features, "clues": $0.clues] },
                "repaired": summary.repaired,
                "skipped": counts(summary.skipped),
                "clues_with_repeated_activity_id": summary.repeatedActivityIDs,
            ],
            "protected": [
                "features_read": summary.protectedFeatures,
                "areas": summary.protectedAreas,
                "pieces": summary.protectedPieces,
                "repaired": summary.protectedRepaired,
                "skipped": counts(summary.protectedSkipped),
                "unknown_zone_values": summary.unknownZones,
            ],
            "clues": summary.clues,
            "overlap_pairs": summary.overlapPairs,
            "overlap_m2_total": rounded(summary.totalOverlapM2, 2),
            "by_protected_area": summary.perArea.map { total in
                let area = total.area
                return [
                    "protected_id": area.protectedID, "name": area.name, "kind": area.kind.description,
                    "zone": area.zone.rawValue, "zone_in_data": area.zoneText, "layer": area.layer,
                    "valid_from": area.validity.from.map { "\($0)" } ?? NSNull(),
                    "valid_to": area.validity.to.map { "\($0)" } ?? NSNull(),
                    "pairs": total.pairs, "overlap_m2": rounded(total.overlapM2, 2),
                ] as [String: Any]
            },
            "by_verdict": Dictionary(uniqueKeysWithValues: summary.perVerdict.map { ($0.key.rawValue, $0.value) }),
            "by_severity": Dictionary(uniqueKeysWithValues: summary.perSeverity.map { ($0.key.rawValue, $0.value) }),
            "by_rule": summary.perRule,
            "by_activity_type": summary.perActivityType,
            "unknown_activity_type_values": summary.unknownActivityValues,
            "below_min_severity": Dictionary(uniqueKeysWithValues: summary.belowMinSeverity.map {
                ($0.key.rawValue, $0.value)
            }),
            "near_boundary_clues": summary.nearBoundary,
            "undated_clues": summary.undated,
            "counties": [
                "loaded": summary.countiesLoaded.map { $0 as Any } ?? NSNull(),
                "clues_outside_every_county": summary.outsideCounties,
                "clues_straddling_a_border": summary.straddling,
                "by_county": summary.perCounty.map {
                    ["code": $0.code, "name": $0.name, "clues": $0.clues, "overlap_m2": rounded($0.overlapM2, 2)]
                        as [String: Any]
                },
            ] as [String: Any],
            "clue_ids": ["format": "county code - period - 6-digit number from the patch's layer and id",
                         "numbers_moved_by_collision": summary.numberCollisions],
            "by_reserve": byReserve(),
            "by_strictest_zone": summary.perZone.map { total in
                ["zone": total.zone.rawValue, "label": total.zone.label, "clues": total.clues,
                 "overlap_m2": rounded(total.overlapM2, 2)] as [String: Any]
            },
            "note": "by_reserve adds up every boundary version of a reserve that patches met; "
                + "by_protected_area and by_reserve sum pair areas, so a patch inside a red line and a reserve "
                + "counts in both; overlap_m2_total and by_strictest_zone count each place once",
        ]
    }

    /// Pair areas summed per named protected area (a reserve's zones together): zones of one
    /// reserve do not overlap, so this is the area inside that reserve.
    private func byReserve() -> [[String: Any]] {
        var totals: [String: (kind: String, pairs: Int, m2: Double)] = [:]
        for total in summary.perArea {
            let key = total.area.name
            totals[key, default: (total.area.kind.description, 0, 0)].pairs += total.pairs
            totals[key, default: (total.area.kind.description, 0, 0)].m2 += total.overlapM2
        }
        return totals.keys.sorted().map { name in
            ["name": name, "kind": totals[name]!.kind, "pairs": totals[name]!.pairs,
             "overlap_m2": rounded(totals[name]!.m2, 2)]
        }
    }

    private func describe(_ spec: SourceSpec) -> [String: Any] {
        var entry: [String: Any] = ["source": spec.description]
        if let digest = fingerprints[spec.path] { entry["sha256"] = digest }
        return entry
    }

    private func counts(_ table: [SkipReason: Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: table.map { ($0.key.rawValue, $0.value) })
    }

    private func rounded(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }
}

/// Hashes the input files on a thread of its own while the check runs.
final class FingerprintTask: Sendable {
    private final class Digests: @unchecked Sendable {
        let lock = NSLock()
        var byPath: [String: String] = [:]
    }

    private let thread: JoinableThread
    private let digests = Digests()

    init(_ sources: [SourceSpec]) {
        let paths = Set(sources.filter { !$0.isDatabase }.map(\.path)).sorted()
        let digests = self.digests
        thread = JoinableThread {
            for path in paths {
                guard let digest = Fingerprint.ofSource(path) else { continue }
                digests.lock.withLock { digests.byPath[path] = digest }
            }
        }
    }

    /// The digests, once all are computed.
    func results() -> [String: String] {
        thread.join()
        return digests.lock.withLock { digests.byPath }
    }
}
