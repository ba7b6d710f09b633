import Foundation
import RedlineCore

/// summary.json: what was read, what was found, from which inputs, by which version.
struct SummaryDocument {
    let summary: CheckSummary
    let run: RunDescription

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
            "by_strictest_zone": summary.perZone.map { total in
                ["zone": total.zone.rawValue, "label": total.zone.label, "clues": total.clues,
                 "overlap_m2": rounded(total.overlapM2, 2)] as [String: Any]
            },
            "note": "by_protected_area sums pair areas, so a patch inside two overlapping areas counts in both; "
                + "overlap_m2_total and by_strictest_zone count each place once",
        ]
    }

    private func describe(_ spec: SourceSpec) -> [String: Any] {
        var entry: [String: Any] = ["source": spec.description]
        if !spec.isDatabase, let digest = Fingerprint.ofSource(spec.path) { entry["sha256"] = digest }
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
