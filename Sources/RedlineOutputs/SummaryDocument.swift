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
                [
                    "protected_id": total.protectedID, "name": total.name, "kind": total.kind.description,
                    "zone": total.zone.rawValue, "zone_in_data": total.zoneText, "layer": total.layer,
                    "pairs": total.pairs, "overlap_m2": rounded(total.overlapM2, 2),
                ] as [String: Any]
            },
            "by_reserve": byReserve(),
            "by_strictest_zone": summary.perZone.map { total in
                ["zone": total.zone.rawValue, "label": total.zone.label, "clues": total.clues,
                 "overlap_m2": rounded(total.overlapM2, 2)] as [String: Any]
            },
            "note": "by_protected_area and by_reserve sum pair areas, so a patch inside a red line and a reserve "
                + "counts in both; overlap_m2_total and by_strictest_zone count each place once",
        ]
    }

    /// Pair areas summed per named protected area (a reserve's zones together): zones of one
    /// reserve do not overlap, so this is the area inside that reserve.
    private func byReserve() -> [[String: Any]] {
        var totals: [String: (kind: String, pairs: Int, m2: Double)] = [:]
        for area in summary.perArea {
            let key = area.name
            totals[key, default: (area.kind.description, 0, 0)].pairs += area.pairs
            totals[key, default: (area.kind.description, 0, 0)].m2 += area.overlapM2
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
