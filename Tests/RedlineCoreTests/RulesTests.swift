import Foundation
import RedlineCore
import Testing
import TestSupport

@Suite struct RulesTests {
    let book = RuleBook.builtIn

    /// Every path through the built-in rules, written out from the regulations (not from the file):
    /// kind, zone, activity → the rule that must fire, its verdict and severity.
    static let builtInPaths: [(ProtectionKind, Zone, String, String, Verdict, Severity)] = [
        (.natureReserve, .core, "research", "NR-CORE-RESEARCH", .needsApproval, .medium),
        (.natureReserve, .coreProtection, "research", "NR-CORE-RESEARCH", .needsApproval, .medium),
        (.natureReserve, .core, "settlement", "NR-CORE-ANY", .prohibited, .high),
        (.natureReserve, .coreProtection, "unknown", "NR-CORE-ANY", .prohibited, .high),
        (.natureReserve, .experimental, "mining", "NR-MINING", .prohibited, .high),
        (.natureReserve, .generalControl, "mining", "NR-MINING", .prohibited, .high),
        (.natureReserve, .buffer, "research", "NR-BUFFER-RESEARCH", .needsApproval, .low),
        (.natureReserve, .buffer, "tourism", "NR-BUFFER-ANY", .prohibited, .high),
        (.natureReserve, .experimental, "energy", "NR-EXP-POLLUTING", .prohibited, .high),
        (.natureReserve, .experimental, "agriculture", "NR-EXP-RECLAMATION", .prohibited, .medium),
        (.natureReserve, .experimental, "research", "NR-EXP-RESEARCH", .permittedLimited, .low),
        (.natureReserve, .experimental, "tourism", "NR-EXP-ANY", .needsApproval, .medium),
        (.natureReserve, .generalControl, "industrial", "NR-GC-DEVELOPMENT", .prohibited, .high),
        (.natureReserve, .generalControl, "settlement", "NR-GC-LIMITED", .permittedLimited, .low),
        (.natureReserve, .generalControl, "transport", "NR-GC-ANY", .needsApproval, .medium),
        (.natureReserve, .unzoned, "energy", "NR-UNZONED-DEVELOPMENT", .prohibited, .high),
        (.natureReserve, .unzoned, "water", "NR-UNZONED-ANY", .needsApproval, .medium),
        (.redLine, .redLine, "mining", "RL-DEVELOPMENT", .prohibited, .high),
        (.redLine, .redLine, "agriculture", "RL-RESIDENTS", .permittedLimited, .low),
        (.redLine, .redLine, "grazing", "RL-RESIDENTS", .permittedLimited, .low),
        (.redLine, .redLine, "stewardship", "RL-STEWARDSHIP", .permittedLimited, .low),
        (.redLine, .redLine, "research", "RL-STEWARDSHIP", .permittedLimited, .low),
        (.redLine, .redLine, "archaeology", "RL-ARCHAEOLOGY", .permittedLimited, .low),
        (.redLine, .redLine, "forestry", "RL-FORESTRY", .permittedLimited, .low),
        (.redLine, .redLine, "tourism", "RL-TOURISM", .permittedLimited, .low),
        (.redLine, .redLine, "telecom", "RL-INFRASTRUCTURE", .needsApproval, .medium),
        (.redLine, .redLine, "exploration", "RL-EXPLORATION", .needsApproval, .medium),
        (.redLine, .redLine, "restoration", "RL-RESTORATION", .permittedLimited, .low),
        (.redLine, .redLine, "border", "RL-BORDER", .permittedLimited, .low),
        (.natureReserve, .core, "stewardship", "NR-CORE-RESEARCH", .needsApproval, .medium),
        (.natureReserve, .core, "restoration", "NR-CORE-ANY", .prohibited, .high),
        (.natureReserve, .experimental, "restoration", "NR-EXP-RESEARCH", .permittedLimited, .low),
        (.natureReserve, .experimental, "exploration", "NR-EXP-ANY", .needsApproval, .medium),
        (.natureReserve, .generalControl, "border", "NR-GC-LIMITED", .permittedLimited, .low),
        (.natureReserve, .generalControl, "telecom", "NR-GC-ANY", .needsApproval, .medium),
        (.redLine, .redLine, "water", "RL-INFRASTRUCTURE", .needsApproval, .medium),
        (.redLine, .redLine, "breeding", "RL-ANY", .needsApproval, .medium),
        (.other("森林公园"), .unzoned, "mining", "OTHER-ANY", .needsApproval, .medium),
    ]

    @Test func builtInRulesParseWithoutProblems() {
        let (parsed, problems) = RuleBook.parse(yaml: RuleBook.builtInText, source: "built-in")
        #expect(parsed != nil)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The file docs/rules.md offers county analysts must work as printed.
    @Test func theDocumentedExampleFileIsValidAndDoesWhatItSays() throws {
        let doc = try String(contentsOf: Command.packageRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let block = try #require(doc.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let (parsed, problems) = RuleBook.parse(yaml: block, source: "docs/rules.md")
        let rules = try #require(parsed, "\(problems)")
        #expect(problems.isEmpty, "\(problems)")
        #expect(rules.judge(kind: .redLine, zone: .redLine, activity: "agriculture").ruleID == "RL-FARMLAND")
        #expect(rules.judge(kind: .natureReserve, zone: .coreProtection, activity: "research").ruleID == "CORE-ANYTHING")
        #expect(rules.judge(kind: .natureReserve, zone: .buffer, activity: "mining").ruleID == "EVERYTHING-ELSE")
        #expect(rules.threshold(for: .redLine, commandLine: OverlapThreshold()) == (50, 0))
    }

    @Test func everyBuiltInRuleFiresWhereTheRegulationsSay() {
        for (kind, zone, activity, rule, verdict, severity) in Self.builtInPaths {
            let judgement = book.judge(kind: kind, zone: zone, activity: activity)
            #expect(judgement.ruleID == rule && judgement.verdict == verdict && judgement.severity == severity,
                    "\(kind) / \(zone) / \(activity) gave \(judgement.ruleID)")
        }
        // Every rule in the file is on some path above.
        let covered = Set(Self.builtInPaths.map(\.3))
        #expect(Set(book.rules.map(\.id)) == covered)
    }

    @Test func dataValuesMapToActivityTypes() {
        #expect(book.activityType(of: "采矿") == "mining")
        #expect(book.activityType(of: " Solar ") == "energy")
        #expect(book.activityType(of: "WIND_FARM") == "energy")
        #expect(book.activityType(of: "露天采矿区") == "mining")   // contains 采矿
        #expect(book.activityType(of: "光伏电站") == "energy")     // exact value, not the shorter 光伏 only
        #expect(book.activityType(of: "工矿") == "industrial")
        #expect(book.activityType(of: "挖掘作业") == nil)
        // English values are words: found whole (plural too, or written as one), never inside another word.
        #expect(book.activityType(of: "open-pit mines") == "mining" && book.activityType(of: "Sand Mining Site") == "mining")
        #expect(book.activityType(of: "WindFarm") == "energy" && book.activityType(of: "wind farms") == "energy")
        #expect(book.activityType(of: "MiningArea") == "mining" && book.activityType(of: "Mine01") == "mining")
        for innocent in ["undetermined", "Examined site", "window", "hotelling", "master plan"] {
            #expect(book.activityType(of: innocent) == nil, "\(innocent)")
        }
        // The ten kinds of limited activity of 自然资发〔2022〕142号, as extracts word them.
        let wordings: [(String, String)] = [
            ("管护站", "stewardship"), ("巡护道路", "stewardship"), ("森林防火瞭望塔", "stewardship"), ("军事国防", "stewardship"),
            ("科研监测站", "research"), ("牧民放牧点", "grazing"), ("牲畜棚圈", "grazing"), ("耕地", "agriculture"),
            ("考古发掘现场", "archaeology"), ("古生物化石调查", "archaeology"), ("人工商品林抚育采伐", "forestry"),
            ("生物防火隔离带", "forestry"), ("科普宣教中心", "tourism"), ("通讯基站", "telecom"), ("Cell Tower", "telecom"),
            ("航道疏浚", "water"), ("地质调查钻孔", "exploration"), ("油气井场", "exploration"), ("矿山生态修复", "restoration"),
            ("生态修复", "restoration"), ("边境通视道清理", "border"), ("界桩", "border"),
        ]
        for (wording, type) in wordings { #expect(book.activityType(of: wording) == type, "\(wording)") }
        #expect(book.activityType(of: "露天采矿") == "mining", "mining stays mining")
        // A value naming a strict and a lenient activity is the strict one: a violation must never
        // read as a permitted activity (wordings a hostile sweep found).
        let strict: [(String, String)] = [
            ("以生态修复名义采矿", "mining"), ("矿山生态修复区内采矿", "mining"), ("光伏生态修复", "energy"), ("复绿工程配套采石场", "mining"),
            ("mine rehabilitation", "mining"), ("监测煤矿", "mining"), ("科研基地建设工厂", "industrial"), ("mining research", "mining"),
            ("quarry monitoring", "mining"), ("wind farm monitoring mast", "energy"), ("考古遗址旁采砂", "mining"),
            ("标本采集点采矿", "mining"), ("opencast mine reclamation", "mining"), ("河道疏浚采砂", "mining"),
            ("矿产资源勘查开采", "mining"), ("探矿采矿", "mining"), ("exploration and mining", "mining"),
            ("光伏科研示范基地", "energy"), ("科研光伏示范基地", "energy"), ("军事设施", "other"),
        ]
        for (wording, type) in strict { #expect(book.activityType(of: wording) == type, "\(wording)") }
        #expect(book.activityType(of: "fossil fuel plant") != "archaeology")
        // An exact value is what it says.
        #expect(book.activityType(of: "矿山生态修复") == "restoration")
        #expect(book.activityType(of: "") == nil)
    }

    @Test func aZonesOwnThresholdBeatsTheCommandLineWhichBeatsTheDefault() throws {
        let yaml = """
        version: 1
        thresholds:
          default: {min_overlap_m2: 5, min_overlap_share: 0.1}
          core: {min_overlap_m2: 0}
        rules:
          - {id: ALL, kind: any, zones: any, activities: any, verdict: prohibited, severity: high, reason_zh: 禁止, reason_en: Banned}
        """
        let (parsed, problems) = RuleBook.parse(yaml: yaml, source: "t.yaml")
        let rules = try #require(parsed, "\(problems)")
        #expect(rules.threshold(for: .core, commandLine: OverlapThreshold(minM2: 50)) == (0, 0.1))
        #expect(rules.threshold(for: .buffer, commandLine: OverlapThreshold(minM2: 50)) == (50, 0.1))
        #expect(rules.threshold(for: .buffer, commandLine: OverlapThreshold()) == (5, 0.1))
        #expect(RuleBook.builtIn.threshold(for: .redLine, commandLine: OverlapThreshold()) == (1, 0))
    }

    static let validRule = """
          - id: R1
            kind: red_line
            zones: any
            activities: [mining]
            verdict: prohibited
            severity: high
            reason_zh: 禁止
            reason_en: Banned
        """

    /// Each broken file, the line its error must name, and words the message must hold.
    static let broken: [(String, Int, String)] = [
        ("version: 1\nrules:\n  - id: R1\n    verdict: [prohibited\n", 5, "YAML syntax"),
        ("version: 2\nrules:\n\(validRule)", 1, "unsupported version"),
        ("version: 1\nrule:\n\(validRule)", 2, "unknown key “rule”"),
        ("version: 1\nrules:\n\(validRule.replacingOccurrences(of: "verdict: prohibited", with: "verdict: forbidden"))", 7,
         "unknown verdict “forbidden”"),
        ("version: 1\nrules:\n\(validRule.replacingOccurrences(of: "severity: high", with: "severity: urgent"))", 8,
         "unknown severity"),
        ("version: 1\nrules:\n\(validRule.replacingOccurrences(of: "zones: any", with: "zones: [核心区, 外围区]"))", 5,
         "unknown zone “外围区”"),
        ("version: 1\nrules:\n\(validRule.replacingOccurrences(of: "[mining]", with: "[mining, tunnelling]"))", 6,
         "unknown activity type “tunnelling”"),
        ("version: 1\nrules:\n\(validRule.replacingOccurrences(of: "\n    reason_en: Banned", with: ""))", 3,
         "has no reason_en"),
        ("version: 1\nrules:\n\(validRule)\n\(validRule)", 11, "already used on line 3"),
        ("version: 1\nrules:\n\(validRule.replacingOccurrences(of: "kind: red_line", with: "kinds: red_line"))", 4,
         "did you mean “kind”"),
        ("version: 1\nthresholds:\n  red_line: {min_overlap_share: 1.5}\nrules:\n\(validRule)", 3, "between 0 and 1"),
        ("version: 1\nactivity_types:\n  mining: {label_zh: 采矿, label_en: Mining, values: [采矿]}\n"
         + "  quarry: {label_zh: 采石, label_en: Quarry, values: [采矿]}\nrules:\n\(validRule)", 4, "listed under both"),
        ("version: 1\nrules:\n\(validRule)\nversion: 1\n", 1, "appears twice"),
        ("version: 1\ndeadlines:\n  - {verdict: banned, severity: any, verify_days: 30, rectify_days: 90, accept_days: 30}\nrules:\n\(validRule)",
         3, "unknown verdict “banned” in verdict"),
        ("version: 1\ndeadlines:\n  - {verdict: any, severity: any, verify_days: 30, rectify_days: 90}\nrules:\n\(validRule)",
         3, "needs accept_days"),
        ("version: 1\ndeadlines:\n  - {verdict: any, severity: any, verify_days: 7.5, rectify_days: 90, accept_days: 30}\nrules:\n\(validRule)",
         3, "whole number of days"),
        ("version: 1\ndeadlines:\n  - {verdict: any, severity: any, verify_days: 0, rectify_days: 90, accept_days: 30}\nrules:\n\(validRule)",
         3, "from 1 to 3650"),
        ("version: 1\ndeadlines: 30\nrules:\n\(validRule)", 2, "deadlines must be a list"),
    ]

    @Test(arguments: 0..<broken.count)
    func brokenFilesNameTheLineAndAreNeverUsed(case index: Int) {
        let (yaml, line, words) = Self.broken[index]
        let (parsed, problems) = RuleBook.parse(yaml: yaml, source: "bad.yaml")
        #expect(parsed == nil, "a file with errors must not be used")
        let errors = problems.filter { !$0.isWarning }
        #expect(errors.contains { $0.line == line && $0.message.contains(words) },
                "expected “\(words)” on line \(line), got \(errors)")
    }

    @Test func everyErrorOfAFileIsReportedNotJustTheFirst() {
        let yaml = "version: 1\nrules:\n\(Self.validRule.replacingOccurrences(of: "verdict: prohibited", with: "verdict: no").replacingOccurrences(of: "severity: high", with: "severity: huge"))"
        let (parsed, problems) = RuleBook.parse(yaml: yaml, source: "bad.yaml")
        #expect(parsed == nil)
        #expect(problems.map(\.line) == [7, 8])
    }

    @Test func unreachableRulesAndUncoveredCasesAreWarnings() throws {
        let yaml = """
        version: 1
        rules:
          - {id: RL, kind: red_line, zones: any, activities: any, verdict: prohibited, severity: high, reason_zh: 禁止, reason_en: Banned}
          - {id: RL-MINE, kind: red_line, zones: any, activities: [采矿], verdict: prohibited, severity: high, reason_zh: 禁止, reason_en: Banned}
        """
        let (parsed, problems) = RuleBook.parse(yaml: yaml, source: "w.yaml")
        let rules = try #require(parsed, "warnings alone must not stop a file")
        #expect(rules.rules.count == 2)
        #expect(problems.allSatisfy { $0.isWarning })
        #expect(problems.contains { $0.line == 4 && $0.message.contains("never applies") })
        #expect(problems.contains { $0.message.contains("no rule covers") })
        // The uncovered cases get the fallback, which a person must judge.
        #expect(rules.judge(kind: .natureReserve, zone: .core, activity: "mining").ruleID == "no-rule")
    }

    /// The first entry matching a clue's verdict and severity gives its deadlines; a file without
    /// the list keeps the built-in one, and one whose list leaves cases out is warned about.
    @Test func deadlinesComeFromTheFirstMatchingEntry() throws {
        #expect(book.deadlines(verdict: .prohibited, severity: .high) == Deadlines(verifyDays: 30, rectifyDays: 90, acceptDays: 30))
        #expect(book.deadlines(verdict: .prohibited, severity: .medium) == Deadlines(verifyDays: 30, rectifyDays: 120, acceptDays: 30))
        #expect(book.deadlines(verdict: .nearBoundary, severity: .low) == Deadlines(verifyDays: 60, rectifyDays: 180, acceptDays: 60))
        let own = """
        version: 1
        deadlines:
          - {verdict: [prohibited, needs_approval], severity: high, verify_days: 15, rectify_days: 45, accept_days: 10}
        rules:
        \(Self.validRule)
        """
        let (parsed, problems) = RuleBook.parse(yaml: own, source: "d.yaml")
        let rules = try #require(parsed)
        #expect(rules.deadlines(verdict: .needsApproval, severity: .high) == Deadlines(verifyDays: 15, rectifyDays: 45, acceptDays: 10))
        #expect(rules.deadlines(verdict: .needsApproval, severity: .low) == book.deadlines(verdict: .needsApproval, severity: .low),
                "a case the list leaves out takes the built-in deadlines")
        #expect(problems.contains { $0.isWarning && $0.line == 3 && $0.message.contains("no deadline entry covers") }, "\(problems)")
        let (plain, _) = RuleBook.parse(yaml: "version: 1\nrules:\n\(Self.validRule)", source: "p.yaml")
        #expect(try #require(plain).deadlineRules.count == book.deadlineRules.count)
    }

    /// Day arithmetic against Foundation's Gregorian calendar, over leap days and centuries.
    @Test func daysAddAndSubtractAsTheCalendarDoes() throws {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let start = try #require(CalendarDay(text: "1899-12-20"))
        let origin = utc.date(from: DateComponents(year: 1899, month: 12, day: 20))!
        for offset in stride(from: -800, through: 80_000, by: 37) {
            let parts = utc.dateComponents([.year, .month, .day], from: utc.date(byAdding: .day, value: offset, to: origin)!)
            let expected = CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)
            #expect(start.adding(days: offset) == expected, "\(offset)")
            #expect(expected.map { $0.days(since: start) } == offset)
        }
        #expect(CalendarDay(text: "2026-11-10")?.adding(days: 90) == CalendarDay(text: "2027-02-08"))
        #expect(CalendarDay(text: "2028-02-28")?.adding(days: 1) == CalendarDay(text: "2028-02-29"))
        #expect(CalendarDay(text: "9999-12-31")?.adding(days: 1) == nil)
    }

    /// A registry timestamp's local day, against GNU date in this process's time zone (TZ is
    /// inherited), over offsets, fractions and midnights; and what is no timestamp.
    @Test func timestampsAreReadAsTheirLocalDay() throws {
        let stamps = ["2026-11-30T17:30:00Z", "2026-11-30T15:59:59.999Z", "2026-11-30T16:00:00Z", "2026-12-31T23:59:59Z",
                      "2026-11-30T23:30:00-05:00", "2026-12-01T01:00:00+0800", "2026-12-01T07:00:00+08", "2024-02-29 23:59:59", "2024-03-01T00:00:00",
                      "1999-12-31T23:00:00.5Z"]
        for stamp in stamps {
            let day = try Command.run("/usr/bin/env", ["date", "-d", stamp, "+%F"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(CalendarDay(timestamp: stamp) == CalendarDay(text: day), "\(stamp): date says \(day)")
        }
        #expect(CalendarDay(timestamp: "2026-11-30") == CalendarDay(text: "2026-11-30"))
        #expect(CalendarDay(timestamp: " 2026-11-30T17:30:00Z ") == CalendarDay(timestamp: "2026-11-30T17:30:00Z"))
        for bad in ["2026-11-30T25:00:00Z", "2026-11-31T10:00:00Z", "2026-11-30T10:00:00Q", "2026-11-30T10:00:00+8", "2026-11-30 10:00",
                    "2026-11-30T10:00:00Zjunk", "2026-11-30T10:00:00Z\n", "yesterday, noon"] {
            #expect(CalendarDay(timestamp: bad) == nil, "\(bad)")
        }
    }

    @Test func datesAreReadInTheFormsDataUses() {
        let day = CalendarDay(year: 2026, month: 9, day: 20)
        for text in ["2026-09-20", "2026/09/20", "2026/9/20", "2026.09.20", "20260920", "2026年9月20日",
                     "2026-09-20T10:30:00Z", "2026/09/20 10:30:00"] {
            #expect(CalendarDay(text: text) == day, "\(text)")
        }
        for text in ["2026-02-29", "2026-13-01", "20/09/2026", "next week", "2026-09"] {
            #expect(CalendarDay(text: text) == nil, "\(text)")
        }
        #expect(CalendarDay(text: "2024-02-29") != nil)
        #expect(CalendarDay(text: "2026-09-30")?.quarter == "2026Q3")
        #expect(CalendarDay(text: "2026-10-01")?.quarter == "2026Q4")
    }
}
