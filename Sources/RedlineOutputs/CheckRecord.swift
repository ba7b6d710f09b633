import Foundation
import RedlineCore

/// What a check was run on and with — its inputs, its boundaries, its settings — written into
/// summary.json in one place and read back from it in one place, by the checklists, the registry
/// and its exports. (The figures beside it in summary.json are the check's `CheckSummary`.)
public struct CheckRecord: Sendable, Equatable {
    public var toolVersion: String
    public var activitySources: [SourceSpec]
    public var boundaries: BoundarySources
    /// The other settings as text (rules, near_m, as_of, formats…), by their summary.json names.
    public var settings: [String: String]
    /// The SHA-256 of each input file as the check read it, by path (when read back from summary.json).
    public var fingerprints: [String: String] = [:]

    public init(toolVersion: String, activitySources: [SourceSpec], boundaries: BoundarySources, settings: [String: String]) {
        self.toolVersion = toolVersion
        self.activitySources = activitySources
        self.boundaries = boundaries
        self.settings = settings
    }

    /// Every setting as summary.json lists it: the boundaries' and the others.
    public var allSettings: [String: String] { settings.merging(boundaries.recorded) { $1 } }

    /// The day undated patches were judged on (`--as-of`, or the day of the check).
    public var asOf: CalendarDay? { settings["as_of"].flatMap { CalendarDay(text: $0) } }

    static let fileName = "summary.json"

    /// The record in the summary.json of `folder`: a finished check's, or a registry export's.
    public static func read(_ folder: URL) throws -> CheckRecord {
        // A check killed while it moved its files into place is finished first: never read half of each run.
        StagedFolder.removeAbandoned(in: folder)
        let path = folder.appendingPathComponent(fileName).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RedlineError.unreadableFile(path: path, reason: "no summary.json of a finished check — run redline check "
                                              + "with --out \(folder.path) first")
        }
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RedlineError.unreadableFile(path: path, reason: "it is not the JSON a check writes (damaged or edited) — "
                                              + "run redline check with --out \(folder.path) again")
        }
        let settings = document["settings"] as? [String: String] ?? [:]
        let inputs = document["inputs"] as? [String: Any] ?? [:]
        func sources(_ key: String) -> [String] {
            (inputs[key] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
        }
        let tool = document["tool"] as? [String: Any] ?? [:]
        var record = CheckRecord(toolVersion: tool["version"] as? String ?? "",
                                 activitySources: sources("activities").map { SourceSpec(path: $0) },
                                 boundaries: BoundarySources(recorded: settings, protectedSources: sources("protected")),
                                 settings: settings)
        for entry in (inputs["activities"] as? [[String: Any]] ?? []) + (inputs["protected"] as? [[String: Any]] ?? []) {
            if let source = entry["source"] as? String, let digest = entry["sha256"] as? String {
                record.fingerprints[SourceSpec(path: source).path] = digest
            }
        }
        return record
    }

    /// The protected sources whose files differ now from what the check read.
    public func changedBoundaries() -> [String] {
        boundaries.protectedSpecs.filter { spec in
            fingerprints[spec.path].map { $0 != Fingerprint.ofSource(spec.path) } ?? false
        }.map(\.displayPath)
    }

    /// The record's part of summary.json: tool, settings, inputs (with each file's SHA-256 when known).
    func document(fingerprints: [String: String] = [:]) -> [String: JSONValue] {
        func describe(_ spec: SourceSpec) -> JSONValue {
            var entry: [String: JSONValue] = ["source": .string(spec.description)]
            if let digest = fingerprints[spec.path] { entry["sha256"] = .string(digest) }
            return .object(entry)
        }
        return [
            "tool": ["name": "redline", "version": .string(toolVersion)],
            "settings": .object(allSettings.mapValues(JSONValue.string)),
            "inputs": [
                "activities": .array(activitySources.map(describe)),
                "protected": .array(boundaries.protectedSpecs.map(describe)),
            ],
        ]
    }

    /// summary.json of clues exported from a registry: the record of the boundaries they were
    /// checked against, where they came from, how many, and the filters that chose them.
    public func exportSummaryJSON(exportOf registry: String, clues: Int, filters: [String: [String]]) -> Data {
        var document = self.document()
        document["tool"] = ["name": "redline", "version": .string(toolVersion), "export_of": .string(registry)]
        document["clues"] = .int(clues)
        document["filters"] = .object(filters.mapValues { .array($0.map(JSONValue.string)) })
        var text = ""
        JSONValue.object(document).write(to: &text, indent: "")
        return Data((text + "\n").utf8)
    }
}
