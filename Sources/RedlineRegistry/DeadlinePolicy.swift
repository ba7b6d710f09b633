import Foundation
import RedlineCore
import RedlineOutputs

/// The deadlines a registry gives its clues: the rules file's `deadlines` of the last run, kept
/// in registry_meta so that an import (which reads no rules file) sets a true clue's rectification
/// and acceptance deadlines the way the run set its field-check deadline.
struct DeadlinePolicy {
    let rules: [DeadlineRule]

    static let metaKey = "deadlines"

    /// The registry's policy; the built-in rules' when no run has kept one.
    static func stored(in registry: Registry) throws -> DeadlinePolicy {
        guard let text = try registry.meta(metaKey) else { return DeadlinePolicy(rules: RuleBook.builtIn.deadlineRules) }
        guard let entries = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw RegistryError.notARegistry(location: registry.displayLocation, reason: "its kept deadlines are not readable "
                                             + "— run `redline run` again to keep the rules file's")
        }
        return DeadlinePolicy(rules: entries.compactMap { entry in
            guard let verify = entry["verify_days"] as? Int, let rectify = entry["rectify_days"] as? Int,
                  let accept = entry["accept_days"] as? Int else { return nil }
            return DeadlineRule(verdicts: (entry["verdicts"] as? [String]).map { Set($0.compactMap(Verdict.init(rawValue:))) },
                                severities: (entry["severities"] as? [String]).map { Set($0.compactMap(Severity.init(rawValue:))) },
                                deadlines: Deadlines(verifyDays: verify, rectifyDays: rectify, acceptDays: accept))
        })
    }

    /// Keeps `book`'s deadlines as the registry's policy.
    static func keep(_ book: RuleBook, in registry: Registry) throws {
        let entries: [[String: Any]] = book.deadlineRules.map { rule in
            var entry: [String: Any] = ["verify_days": rule.deadlines.verifyDays, "rectify_days": rule.deadlines.rectifyDays,
                                        "accept_days": rule.deadlines.acceptDays]
            if let verdicts = rule.verdicts { entry["verdicts"] = verdicts.map(\.rawValue).sorted() }
            if let severities = rule.severities { entry["severities"] = severities.map(\.rawValue).sorted() }
            return entry
        }
        try registry.setMeta(metaKey, String(decoding: try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]),
                                             as: UTF8.self))
    }

    /// The deadlines of a clue judged so.
    func deadlines(of record: ClueRecord) -> Deadlines {
        rules.first { $0.matches(verdict: record.verdict, severity: record.severity) }?.deadlines
            ?? RuleBook.builtIn.deadlines(verdict: record.verdict, severity: record.severity)
    }
}
