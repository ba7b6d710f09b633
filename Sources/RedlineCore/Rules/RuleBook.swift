/// What the rules say about an activity in a protected place.
public enum Verdict: String, Sendable, CaseIterable {
    case prohibited
    case needsApproval = "needs_approval"
    case permittedLimited = "permitted_limited"
    /// Outside, but within `--near` metres of a protected polygon: not judged by a rule.
    case nearBoundary = "near_boundary"

    /// Higher is worse.
    var rank: Int {
        switch self {
        case .prohibited: return 3
        case .needsApproval: return 2
        case .nearBoundary: return 1
        case .permittedLimited: return 0
        }
    }

    public var label: String {
        switch self {
        case .prohibited: return "禁止"
        case .needsApproval: return "需审批"
        case .permittedLimited: return "有限允许"
        case .nearBoundary: return "临近边界"
        }
    }

    /// The verdicts a rules file may give.
    static let ruled: [Verdict] = [.prohibited, .needsApproval, .permittedLimited]
}

public enum Severity: String, Sendable, CaseIterable, Comparable {
    case low, medium, high

    public var label: String {
        switch self {
        case .low: return "低"
        case .medium: return "中"
        case .high: return "高"
        }
    }

    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The rule that fired for one patch in one protected area, and what it says.
public struct Judgement: Sendable, Equatable {
    public let verdict: Verdict
    public let severity: Severity
    public let ruleID: String
    public let reasonZH: String
    public let reasonEN: String

    /// Whether this is worse than `other`: higher severity first, then the harder verdict.
    func isWorse(than other: Judgement) -> Bool {
        (severity.rank, verdict.rank) > (other.severity.rank, other.verdict.rank)
    }

    /// What a patch gets when no rule matches: a person must judge it.
    static let unruled = Judgement(verdict: .needsApproval, severity: .medium, ruleID: "no-rule",
                                   reasonZH: "规则文件中没有适用于此情形的规则，需人工判定。",
                                   reasonEN: "No rule in the rules file covers this case; judge it by hand.")

    static func near(distanceM: Double) -> Judgement {
        let metres = Int(distanceM.rounded())
        return Judgement(verdict: .nearBoundary, severity: .low, ruleID: "near-boundary",
                         reasonZH: "图斑位于保护边界外 \(metres) 米处，需关注是否向内扩展。",
                         reasonEN: "The patch lies \(metres) m outside the protection boundary; watch for it spreading inside.")
    }
}

/// A canonical activity type and the values real data writes for it.
public struct ActivityTypeDefinition: Sendable {
    public let id: String
    public let labelZH: String
    public let labelEN: String
    public let values: [String]
}

/// Smallest overlap that counts, by area and by share of the patch; nil leaves it to the next level.
public struct OverlapThreshold: Sendable, Equatable {
    public var minM2: Double?
    public var minShare: Double?

    public init(minM2: Double? = nil, minShare: Double? = nil) {
        self.minM2 = minM2
        self.minShare = minShare
    }

    /// This, with gaps filled from `fallback`.
    func over(_ fallback: OverlapThreshold) -> OverlapThreshold {
        OverlapThreshold(minM2: minM2 ?? fallback.minM2, minShare: minShare ?? fallback.minShare)
    }
}

/// One rule: where it applies (kinds, zones, activity types; nil means any) and what it says.
public struct Rule: Sendable {
    public let id: String
    /// Line of the rule in its file (0 for rules made in code).
    public let line: Int
    /// "nature_reserve", "red_line", "other".
    public let kinds: Set<String>?
    public let zones: Set<Zone>?
    public let activities: Set<String>?
    public let judgement: Judgement

    func matches(kind: String, zone: Zone, activity: String) -> Bool {
        (kinds?.contains(kind) ?? true) && (zones?.contains(zone) ?? true) && (activities?.contains(activity) ?? true)
    }
}

/// How many days each stage of a clue's life may take: the field check from its issue, the
/// rectification from a true finding, the acceptance (验收) from the rectification.
public struct Deadlines: Sendable, Equatable {
    public let verifyDays: Int
    public let rectifyDays: Int
    public let acceptDays: Int

    public init(verifyDays: Int, rectifyDays: Int, acceptDays: Int) {
        self.verifyDays = verifyDays
        self.rectifyDays = rectifyDays
        self.acceptDays = acceptDays
    }
}

/// One entry of a rules file's `deadlines`: for which verdicts and severities (nil: any).
public struct DeadlineRule: Sendable {
    public let line: Int
    public let verdicts: Set<Verdict>?
    public let severities: Set<Severity>?
    public let deadlines: Deadlines

    public init(line: Int = 0, verdicts: Set<Verdict>?, severities: Set<Severity>?, deadlines: Deadlines) {
        self.line = line
        self.verdicts = verdicts
        self.severities = severities
        self.deadlines = deadlines
    }

    public func matches(verdict: Verdict, severity: Severity) -> Bool {
        (verdicts?.contains(verdict) ?? true) && (severities?.contains(severity) ?? true)
    }
}

/// The rules a check applies: activity types and how data values map to them, verdict rules read
/// top to bottom (the first that matches decides), and overlap thresholds per zone.
public struct RuleBook: Sendable {
    /// The type a patch gets when its value maps to no type, or it has none.
    public static let unknownActivity = "unknown"

    public let source: String
    public let activityTypes: [ActivityTypeDefinition]
    public let rules: [Rule]
    public let defaultThreshold: OverlapThreshold
    public let zoneThresholds: [Zone: OverlapThreshold]
    /// Read top to bottom; the first entry matching a clue's verdict and severity gives its deadlines.
    public let deadlineRules: [DeadlineRule]
    private let valueIndex: [String: String]
    /// Aliases of two or more characters, longest first, for values that contain one ("露天采矿").
    private let containedAliases: [(alias: String, type: String)]
    /// Each type's place in the list: the first listed wins a value that names several.
    private let typeRank: [String: Int]

    init(source: String, activityTypes: [ActivityTypeDefinition], rules: [Rule], defaultThreshold: OverlapThreshold,
         zoneThresholds: [Zone: OverlapThreshold], deadlineRules: [DeadlineRule] = []) {
        self.source = source
        self.deadlineRules = deadlineRules
        self.activityTypes = activityTypes
        self.rules = rules
        self.defaultThreshold = defaultThreshold
        self.zoneThresholds = zoneThresholds
        var index: [String: String] = [:]
        for type in activityTypes {
            index[Zone.normalise(type.id)] = type.id
            for value in type.values { index[Zone.normalise(value)] = type.id }
        }
        valueIndex = index
        typeRank = Dictionary(activityTypes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        containedAliases = index.filter { $0.key.count >= 2 }.map { ($0.key, $0.value) }
            .sorted { ($0.alias.count, $0.alias) > ($1.alias.count, $1.alias) }
    }

    /// The words of a value, lowercased: split at anything but letters and digits, at a lower- to
    /// upper-case step (MiningArea) and between letters and digits (Mine01).
    static func englishWords(_ text: String) -> [String] {
        var words: [String] = [], word = ""
        var last: Character?
        for character in text {
            guard character.isLetter || character.isNumber else {
                if !word.isEmpty { words.append(word.lowercased()) }
                (word, last) = ("", nil)
                continue
            }
            if let last, !word.isEmpty, (last.isLowercase && character.isUppercase) || (last.isNumber != character.isNumber) {
                words.append(word.lowercased())
                word = ""
            }
            word.append(character)
            last = character
        }
        if !word.isEmpty { words.append(word.lowercased()) }
        return words
    }

    /// The type whose id or one of whose values is `text` (case, spaces, `_` and `-` aside).
    func exactActivityType(of text: String) -> String? { valueIndex[Zone.normalise(text)] }

    /// The activity type a data value maps to: an exact value (case, spaces, `_` and `-` aside),
    /// else, of the types whose values it contains, the one listed first — the built-in list
    /// runs from the strictest to the most lenient, so 以生态修复名义采矿 (mining in the name of
    /// restoration) is mining: a violation must never read as a permitted activity. Nil when it
    /// contains none.
    ///
    /// A Latin-script value (mine, dam, wind) is an English word: it is found as a whole word or
    /// run of words, plural allowed, never inside another word (undetermined is no mine, window
    /// no wind farm); Chinese values are found anywhere in the text.
    public func activityType(of text: String) -> String? {
        let key = Zone.normalise(text)
        guard !key.isEmpty else { return nil }
        if let exact = exactActivityType(of: text) { return exact }
        let words = Self.englishWords(text)
        func mentions(_ alias: String) -> Bool {
            guard alias.unicodeScalars.allSatisfy({ $0.isASCII }) else { return key.contains(alias) }
            for start in words.indices {
                var run = ""
                for word in words[start..<min(start + 4, words.count)] {
                    run += word
                    if run == alias || run == alias + "s" || run == alias + "es" { return true }
                }
            }
            return false
        }
        return containedAliases.filter { mentions($0.alias) }.min { typeRank[$0.type]! < typeRank[$1.type]! }?.type
    }


    public func label(ofActivity id: String) -> String {
        activityTypes.first { $0.id == id }?.labelZH ?? "未知类型"
    }

    /// The deadlines of a clue with this verdict and severity: the first entry that matches, else
    /// (a file whose list has no catch-all) the built-in rules' own.
    public func deadlines(verdict: Verdict, severity: Severity) -> Deadlines {
        deadlineRules.first { $0.matches(verdict: verdict, severity: severity) }?.deadlines
            ?? RuleBook.builtIn.deadlines(verdict: verdict, severity: severity)
    }

    /// The first rule matching, or `Judgement.unruled`.
    public func judge(kind: ProtectionKind, zone: Zone, activity: String) -> Judgement {
        let kindKey = Self.kindKey(kind)
        return rules.first { $0.matches(kind: kindKey, zone: zone, activity: activity) }?.judgement ?? .unruled
    }

    /// The threshold for overlaps in `zone`: the zone's own, else the command line's, else the
    /// file's default, else 1 m² and no share.
    public func threshold(for zone: Zone, commandLine: OverlapThreshold) -> (minM2: Double, minShare: Double) {
        let merged = (zoneThresholds[zone] ?? OverlapThreshold()).over(commandLine).over(defaultThreshold)
        return (merged.minM2 ?? 1, merged.minShare ?? 0)
    }

    static func kindKey(_ kind: ProtectionKind) -> String {
        switch kind {
        case .natureReserve: return "nature_reserve"
        case .redLine: return "red_line"
        case .other: return "other"
        }
    }

    /// The zones each kind of protected feature can carry, for checking a file's coverage.
    static let zonesByKind: [(kind: String, zones: [Zone])] = [
        ("nature_reserve", [.core, .coreProtection, .buffer, .generalControl, .experimental, .unzoned]),
        ("red_line", [.redLine]),
        ("other", Zone.allCases),
    ]
}
