import Foundation
import GDALKit
import Yams

/// One thing wrong (or doubtful) in a rules file, at a line.
public struct RulesProblem: Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public let isWarning: Bool

    public var description: String { isWarning ? "line \(line): warning: \(message)" : "line \(line): \(message)" }
}

extension RuleBook {
    /// The rules redline applies when no `--rules` file is given (`redline rules show` prints them).
    public static let builtIn: RuleBook = {
        let (book, problems) = parse(yaml: DefaultRules.yaml, source: "built-in rules")
        precondition(problems.allSatisfy(\.isWarning), "the built-in rules have errors: \(problems)")
        return book!
    }()

    /// The built-in rules as a file, comments and all.
    public static var builtInText: String { DefaultRules.yaml }

    /// Reads a rules file; any error stops here, before anything is checked or written.
    public static func load(path: String) throws -> RuleBook {
        let (book, problems) = parse(yaml: try readText(path), source: path)
        let errors = problems.filter { !$0.isWarning }
        if let first = errors.first { throw RedlineError.badRules(file: path, line: first.line, message: first.message,
                                                                  more: errors.count - 1) }
        return book!
    }

    /// A rules file's text: UTF-8 (with or without a byte-order mark), or else GB18030/GBK, as
    /// Notepad on a Chinese Windows saves it.
    public static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RedlineError.unreadableFile(path: path, reason: "no such file, or no permission to read it — check the path")
        }
        if let text = String(data: data, encoding: .utf8) { return text }
        if let text = TextEncoding.utf8(from: [UInt8](data), encoding: "GB18030") { return text }
        throw RedlineError.unreadableFile(path: path, reason: "it is neither UTF-8 nor GBK text — save the rules file as UTF-8")
    }

    /// Parses a rules file, collecting every problem with its line. The book is nil when any
    /// problem is an error: a file with errors is never half applied.
    public static func parse(yaml: String, source: String) -> (RuleBook?, [RulesProblem]) {
        var reader = RulesReader()
        let book = reader.read(yaml, source: source)
        let problems = reader.problems.sorted { ($0.line, $0.isWarning ? 1 : 0) < ($1.line, $1.isWarning ? 1 : 0) }
        return (problems.contains { !$0.isWarning } ? nil : book, problems)
    }
}

/// Walks the YAML tree of a rules file, checking every key and value.
private struct RulesReader {
    var problems: [RulesProblem] = []

    static let topKeys = ["version", "activity_types", "thresholds", "deadlines", "rules"]
    static let deadlineKeys = ["verdict", "severity", "verify_days", "rectify_days", "accept_days"]
    static let typeKeys = ["label_zh", "label_en", "values"]
    static let thresholdKeys = ["min_overlap_m2", "min_overlap_share"]
    static let ruleKeys = ["id", "kind", "zones", "activities", "verdict", "severity", "reason_zh", "reason_en", "source"]

    mutating func error(_ node: Node?, _ message: String) {
        problems.append(RulesProblem(line: node?.mark?.line ?? 1, message: message, isWarning: false))
    }

    mutating func warn(_ line: Int, _ message: String) {
        problems.append(RulesProblem(line: line, message: message, isWarning: true))
    }

    mutating func read(_ yaml: String, source: String) -> RuleBook? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            problems.append(Self.syntaxProblem(error))
            return nil
        }
        guard let root, let top = root.mapping else {
            error(root, "a rules file is a mapping with the keys \(Self.topKeys.joined(separator: ", "))")
            return nil
        }
        var types = RuleBook.inheritedActivityTypes(present: top["activity_types"] != nil)
        var thresholds: (OverlapThreshold, [Zone: OverlapThreshold]) = (OverlapThreshold(), [:])
        var rulesNode: Node?
        var deadlines = RuleBook.inheritedDeadlines(present: top["deadlines"] != nil)
        for (key, value) in top {
            switch key.string {
            case "version":
                if value.string != "1" { error(value, "unsupported version “\(value.string ?? "?")” — this redline reads version 1") }
            case "activity_types": types = readActivityTypes(value)
            case "thresholds": thresholds = readThresholds(value)
            case "deadlines": deadlines = readDeadlines(value)
            case "rules": rulesNode = value
            default: unknownKey(key, expected: Self.topKeys)
            }
        }
        guard let rulesNode else {
            error(root, "no “rules:” list — a rules file needs at least one rule")
            return nil
        }
        // The types alone, to resolve the names the rules give for them.
        let typesOnly = RuleBook(source: source, activityTypes: types, rules: [], defaultThreshold: thresholds.0,
                                 zoneThresholds: thresholds.1)
        let rules = readRules(rulesNode, book: typesOnly)
        let book = RuleBook(source: source, activityTypes: types, rules: rules, defaultThreshold: thresholds.0,
                            zoneThresholds: thresholds.1, deadlineRules: deadlines)
        if !problems.contains(where: { !$0.isWarning }) { reviewCoverage(book) }
        return book
    }

    static func syntaxProblem(_ error: Error) -> RulesProblem {
        var line = 1, message = "\(error)"
        if let yaml = error as? YamlError {
            switch yaml {
            case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                (line, message) = (mark.line, "YAML syntax: \(problem)")
            case let .duplicatedKeysInMapping(duplicates, context):
                (line, message) = (context.mark.line, "the key “\(duplicates.joined(separator: "”, “"))” appears twice in one mapping")
            default:
                break
            }
        }
        return RulesProblem(line: line, message: message, isWarning: false)
    }

    mutating func unknownKey(_ key: Node, expected: [String]) {
        let name = key.string ?? "?"
        let hint = expected.first { $0.hasPrefix(name.prefix(3)) }.map { " — did you mean “\($0)”?" } ?? ""
        error(key, "unknown key “\(name)” (expected one of: \(expected.joined(separator: ", ")))\(hint)")
    }

    mutating func text(_ node: Node, _ what: String) -> String? {
        guard let scalar = node.scalar, !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty else {
            error(node, "\(what) must be a non-empty text")
            return nil
        }
        return scalar.string.trimmingCharacters(in: .whitespaces)
    }

    /// A scalar or a list of scalars.
    mutating func list(_ node: Node, _ what: String) -> [Node] {
        if node.scalar != nil { return [node] }
        if let sequence = node.sequence, !sequence.isEmpty, sequence.allSatisfy({ $0.scalar != nil }) {
            return Array(sequence)
        }
        error(node, "\(what) must be a value or a list of values")
        return []
    }

    mutating func readActivityTypes(_ node: Node) -> [ActivityTypeDefinition] {
        guard let mapping = node.mapping, !mapping.isEmpty else {
            error(node, "activity_types must map each type's id to its label_zh, label_en and values")
            return []
        }
        var types: [ActivityTypeDefinition] = []
        var claimed: [String: String] = [:]
        for (key, value) in mapping {
            guard let id = key.string, Self.isIdentifier(id) else {
                error(key, "an activity type id is letters, digits and _ (like mining or solar_farm)")
                continue
            }
            if id == RuleBook.unknownActivity {
                error(key, "“unknown” is built in (the type of values no type lists); pick another id")
                continue
            }
            guard let fields = value.mapping else {
                error(value, "activity type “\(id)” needs label_zh, label_en and values")
                continue
            }
            var labelZH: String?, labelEN: String?, values: [String] = []
            for (field, content) in fields {
                switch field.string {
                case "label_zh": labelZH = text(content, "label_zh")
                case "label_en": labelEN = text(content, "label_en")
                case "values":
                    for item in list(content, "values") {
                        let valueText = item.string ?? ""
                        let key = Zone.normalise(valueText)
                        if let owner = claimed[key], owner != id {
                            error(item, "the value “\(valueText)” is listed under both “\(owner)” and “\(id)”")
                        }
                        claimed[key] = id
                        values.append(valueText)
                    }
                default: unknownKey(field, expected: Self.typeKeys)
                }
            }
            if labelZH == nil || labelEN == nil {
                if fields["label_zh"] == nil || fields["label_en"] == nil {
                    error(key, "activity type “\(id)” needs both label_zh and label_en")
                }
                continue
            }
            types.append(ActivityTypeDefinition(id: id, labelZH: labelZH!, labelEN: labelEN!, values: values))
        }
        return types
    }

    mutating func readThresholds(_ node: Node) -> (OverlapThreshold, [Zone: OverlapThreshold]) {
        var fallback = OverlapThreshold(), zones: [Zone: OverlapThreshold] = [:]
        guard let mapping = node.mapping else {
            error(node, "thresholds must map “default” or a zone name to min_overlap_m2 / min_overlap_share")
            return (fallback, zones)
        }
        for (key, value) in mapping {
            let name = key.string ?? ""
            let zone = name == "default" ? nil : Self.zone(named: name)
            if name != "default" && zone == nil {
                error(key, "unknown zone “\(name)” in thresholds (use default or one of: \(Self.zoneNames))")
                continue
            }
            guard let fields = value.mapping else {
                error(value, "thresholds for “\(name)” must be a mapping of min_overlap_m2 / min_overlap_share")
                continue
            }
            var threshold = OverlapThreshold()
            for (field, content) in fields {
                switch field.string {
                case "min_overlap_m2":
                    threshold.minM2 = number(content, "min_overlap_m2", in: 0...Double.greatestFiniteMagnitude,
                                             rangeText: "0 or more square metres")
                case "min_overlap_share":
                    threshold.minShare = number(content, "min_overlap_share", in: 0...1, rangeText: "between 0 and 1")
                default: unknownKey(field, expected: Self.thresholdKeys)
                }
            }
            if let zone { zones[zone] = threshold } else { fallback = threshold }
        }
        return (fallback, zones)
    }

    mutating func readDeadlines(_ node: Node) -> [DeadlineRule] {
        guard let sequence = node.sequence, !sequence.isEmpty else {
            error(node, "deadlines must be a list, each entry “- verdict: … severity: … verify_days: … rectify_days: … accept_days: …”")
            return []
        }
        var entries: [DeadlineRule] = []
        for item in sequence {
            guard let fields = item.mapping else {
                error(item, "each deadline entry is a mapping of \(Self.deadlineKeys.joined(separator: ", "))")
                continue
            }
            var verdicts: Set<Verdict>?, severities: Set<Severity>?
            var days: [String: Int] = [:]
            for (key, value) in fields {
                switch key.string {
                case "verdict": verdicts = anyOr(value, "verdict") { name in Verdict.allCases.first { $0.rawValue == name } }
                case "severity": severities = anyOr(value, "severity") { Severity(rawValue: $0) }
                case "verify_days", "rectify_days", "accept_days":
                    let name = key.string!
                    if let count = number(value, name, in: 1...3650, rangeText: "a whole number of days from 1 to 3650") {
                        if count == count.rounded() { days[name] = Int(count) } else { error(value, "\(name) must be a whole number of days") }
                    }
                default: unknownKey(key, expected: Self.deadlineKeys)
                }
            }
            let missing = ["verify_days", "rectify_days", "accept_days"].filter { fields[$0] == nil }
            if !missing.isEmpty { error(item, "a deadline entry needs \(missing.joined(separator: ", "))") }
            guard let verify = days["verify_days"], let rectify = days["rectify_days"], let accept = days["accept_days"] else { continue }
            entries.append(DeadlineRule(line: item.mark?.line ?? 0, verdicts: verdicts, severities: severities,
                                        deadlines: Deadlines(verifyDays: verify, rectifyDays: rectify, acceptDays: accept)))
        }
        let uncovered = Verdict.allCases.flatMap { verdict in Severity.allCases.map { (verdict, $0) } }
            .filter { pair in !entries.contains { $0.matches(verdict: pair.0, severity: pair.1) } }
        if !uncovered.isEmpty, problems.allSatisfy(\.isWarning) {
            warn(node.mark?.line ?? 1, "no deadline entry covers \(uncovered.map { "\($0.0.rawValue)/\($0.1.rawValue)" }.prefix(4).joined(separator: ", "))"
                 + "\(uncovered.count > 4 ? "…" : ""); such clues take the built-in deadlines — end the list with verdict: any, severity: any")
        }
        return entries
    }

    mutating func number(_ node: Node, _ what: String, in range: ClosedRange<Double>, rangeText: String) -> Double? {
        guard let text = node.scalar?.string, let value = Double(text), value.isFinite else {
            error(node, "\(what) must be a number, not “\(node.string ?? "a list")”")
            return nil
        }
        guard range.contains(value) else {
            error(node, "\(what) must be \(rangeText), not \(text)")
            return nil
        }
        return value
    }

    mutating func readRules(_ node: Node, book: RuleBook) -> [Rule] {
        guard let sequence = node.sequence, !sequence.isEmpty else {
            error(node, "rules must be a list of rules, each starting with “- id:”")
            return []
        }
        var rules: [Rule] = []
        var seen: [String: Int] = [:]
        for item in sequence {
            guard let rule = readRule(item, book: book) else { continue }
            if let earlier = seen[rule.id] {
                error(item.mapping?["id"] ?? item, "rule id “\(rule.id)” is already used on line \(earlier)")
                continue
            }
            seen[rule.id] = rule.line
            rules.append(rule)
        }
        return rules
    }

    mutating func readRule(_ node: Node, book: RuleBook) -> Rule? {
        guard let fields = node.mapping else {
            error(node, "each rule is a mapping: id, kind, zones, activities, verdict, severity, reason_zh, reason_en")
            return nil
        }
        let before = problems.count
        var id: String?, kinds: Set<String>?, zones: Set<Zone>?, activities: Set<String>?
        var verdict: Verdict?, severity: Severity?, reasonZH: String?, reasonEN: String?
        for (key, value) in fields {
            switch key.string {
            case "id":
                id = text(value, "id")
                if let given = id, !Self.isIdentifier(given, allowing: "-.") {
                    error(value, "rule id “\(given)” may hold letters, digits, _, - and . only")
                }
            case "kind": kinds = anyOr(value, "kind") { Self.kind(named: $0) }
            case "zones": zones = anyOr(value, "zones") { Self.zone(named: $0) }
            case "activities": activities = anyOr(value, "activities") { name in
                name == RuleBook.unknownActivity ? name : book.exactActivityType(of: name)
            }
            case "verdict":
                let given = value.string ?? ""
                verdict = Verdict.ruled.first { $0.rawValue == given }
                if verdict == nil {
                    error(value, "unknown verdict “\(given)” (use \(Verdict.ruled.map(\.rawValue).joined(separator: ", ")))")
                }
            case "severity":
                let given = value.string ?? ""
                severity = Severity(rawValue: given)
                if severity == nil { error(value, "unknown severity “\(given)” (use high, medium or low)") }
            case "reason_zh": reasonZH = text(value, "reason_zh")
            case "reason_en": reasonEN = text(value, "reason_en")
            case "source": _ = text(value, "source")
            default: unknownKey(key, expected: Self.ruleKeys)
            }
        }
        for (required, present) in [("id", fields["id"]), ("verdict", fields["verdict"]), ("severity", fields["severity"]),
                                    ("reason_zh", fields["reason_zh"]), ("reason_en", fields["reason_en"])]
        where present == nil {
            error(node, "rule\(id.map { " “\($0)”" } ?? "") has no \(required)")
        }
        guard problems.count == before, let id, let verdict, let severity, let reasonZH, let reasonEN else { return nil }
        return Rule(id: id, line: node.mark?.line ?? 0, kinds: kinds, zones: zones, activities: activities,
                    judgement: Judgement(verdict: verdict, severity: severity, ruleID: id, reasonZH: reasonZH,
                                         reasonEN: reasonEN))
    }

    /// "any", or a value or list of values each resolved by `resolve` (nil: unknown, an error).
    mutating func anyOr<T: Hashable>(_ node: Node, _ what: String, _ resolve: (String) -> T?) -> Set<T>? {
        let items = list(node, what)
        if items.contains(where: { $0.string == "any" }) { return nil }
        var result = Set<T>()
        for item in items {
            let name = item.string ?? ""
            if let resolved = resolve(name) {
                result.insert(resolved)
            } else {
                let noun = ["kind": "kind", "zones": "zone", "verdict": "verdict", "severity": "severity"][what] ?? "activity type"
                error(item, "unknown \(noun) “\(name)” in \(what) (use any or: \(choices(what)))")
            }
        }
        return result
    }

    private func choices(_ what: String) -> String {
        switch what {
        case "kind": return "nature_reserve, red_line, other"
        case "zones": return Self.zoneNames
        case "verdict": return Verdict.allCases.map(\.rawValue).joined(separator: ", ")
        case "severity": return "high, medium, low"
        default: return "the ids under activity_types, unknown"
        }
    }

    /// Flags rules that can never fire and cases no rule covers.
    mutating func reviewCoverage(_ book: RuleBook) {
        let activities = book.activityTypes.map(\.id) + [RuleBook.unknownActivity]
        var covered = Set<String>()
        var uncovered: [String] = []
        var firing = Set<String>()
        for (kind, zones) in RuleBook.zonesByKind {
            for zone in zones {
                for activity in activities {
                    let key = "\(kind)/\(zone.rawValue)/\(activity)"
                    if let rule = book.rules.first(where: { $0.matches(kind: kind, zone: zone, activity: activity) }) {
                        firing.insert(rule.id)
                        covered.insert(key)
                    } else {
                        uncovered.append(key)
                    }
                }
            }
        }
        for rule in book.rules where !firing.contains(rule.id) {
            warn(rule.line, "rule “\(rule.id)” never applies: rules above it already decide every case it names")
        }
        if !uncovered.isEmpty {
            let shown = uncovered.prefix(6).joined(separator: ", ")
            warn(1, "no rule covers \(uncovered.count) case(s) (kind/zone/activity), e.g. \(shown); such patches get "
                 + "needs_approval / medium (rule “no-rule”) — end the list with a catch-all rule to decide them")
        }
    }

    static var zoneNames: String { Zone.allCases.map(\.rawValue).joined(separator: ", ") }

    static func zone(named name: String) -> Zone? {
        Zone(rawValue: name) ?? Zone(dataValue: name)
    }

    static func kind(named name: String) -> String? {
        if name == "other" { return name }
        let kind = ProtectionKind(dataValue: name)
        if case .other = kind { return nil }
        return RuleBook.kindKey(kind)
    }

    static func isIdentifier(_ text: String, allowing extra: String = "") -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                || extra.unicodeScalars.contains($0)
        }
    }
}

private extension RuleBook {
    /// A file without activity_types uses the built-in ones; with them, only its own.
    static func inheritedActivityTypes(present: Bool) -> [ActivityTypeDefinition] {
        present ? [] : builtIn.activityTypes
    }

    /// A file without deadlines uses the built-in ones (read while the built-in rules themselves
    /// are parsed: those have their own list).
    static func inheritedDeadlines(present: Bool) -> [DeadlineRule] {
        present ? [] : builtIn.deadlineRules
    }
}
