import ArgumentParser
import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// The options that say what to check against and how: shared by `check` and `run`.
struct CheckOptions: ParsableArguments {
    @Option(name: .customLong("protected"), help: "Protected area source (red lines, reserves and their zones); required, repeat for several.")
    var protectedSources: [String] = []

    @Option(help: "Field holding the activity patch id.")
    var activityID: String?

    @Option(help: "Field holding the protected area id.")
    var protectedID: String?

    @Option(help: "Field holding the protected area name.")
    var protectedName: String?

    @Option(help: "Field holding the functional zone (核心区, 缓冲区, 实验区, 核心保护区, 一般控制区...).")
    var protectedZone: String?

    @Option(help: "Field holding the kind of protection (自然保护区, 生态保护红线...).")
    var protectedKind: String?

    @Option(help: "Field holding the activity type (采矿, 光伏, 道路...).")
    var activityType: String?

    @Option(help: "Field holding the detection date (YYYY-MM-DD).")
    var detected: String?

    @Option(help: "Field holding the day a protected feature came into force.")
    var validFrom: String?

    @Option(help: "Field holding the last day a protected feature was in force.")
    var validTo: String?

    @Option(help: "Rules file (YAML; default: the built-in rules, see `redline rules show`).")
    var rules: String?

    @Option(help: "County layer, to route each clue to its county (e.g. Geodata/counties.gpkg with the bundled data).")
    var admin: String?

    @Option(help: "Field of the county layer holding the county code.")
    var adminCode: String?

    @Option(help: "Field of the county layer holding the county name.")
    var adminName: String?

    // Numbers are parsed unconditionally, so that `--near -5` is refused as negative, not as a missing value.
    @Option(parsing: .unconditional, help: "Also report patches outside but within this many metres of a protected area (geodesic).")
    var near: Double = 0

    @Option(parsing: .unconditional,
            help: "Drop patch/area pairs smaller than this many square metres (default 1; a zone's value in the rules file wins).")
    var minOverlapM2: Double?

    @Option(parsing: .unconditional, help: "Drop patch/area pairs covering less than this share (0-1) of the patch.")
    var minOverlapShare: Double?

    @Option(help: "Leave out clues below this severity: low, medium or high.")
    var minSeverity: Severity = .low

    @Option(help: "Period for every clue ID, e.g. 2026Q3 (default: each patch's detection quarter).")
    var period: String?

    @Option(help: "Day to judge patches without a detection date on, and for `run` the day their clues are issued (YYYY-MM-DD; default today).")
    var asOf: String?

    @Option(help: "CRS for layers that declare none, e.g. EPSG:4490 or EPSG:4539.")
    var assumeCRS: String?

    @Option(help: "Text encoding of shapefile attributes when the file does not say (e.g. CP936).")
    var encoding: String?

    @Option(help: "Invalid patches: repair (GEOS MakeValid), skip, or fail.")
    var invalid: InvalidPolicy = .repair

    @Option(parsing: .unconditional, help: "Worker threads, 1 to \(Self.maxJobs) (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Treat every warning as a failure (exit 5, nothing written): for jobs that must not pass doubtful input.")
    var strict = false

    @Flag(help: "Go on when most patches of a layer lie far from every protected area (it is still warned about).")
    var allowFar = false

    /// More threads than this help no machine redline runs on, and creating them can fail.
    static let maxJobs = 256

    func validate() throws {
        guard (1...Self.maxJobs).contains(jobs) else { throw ValidationError("--jobs must be between 1 and \(Self.maxJobs)") }
        try Self.requireNumber(minOverlapM2, "--min-overlap-m2", in: 0...Double.greatestFiniteMagnitude)
        try Self.requireNumber(minOverlapShare, "--min-overlap-share", in: 0...1)
        try Self.requireNumber(near, "--near", in: 0...1_000_000)
        if let period, period.wholeMatch(of: /(19|20)[0-9]{2}(Q[1-4]|H[12]|M(0[1-9]|1[0-2]))?/) == nil {
            throw ValidationError("--period takes a year with its quarter, half or month, like 2026Q3, 2026H2 or 2026M11")
        }
        if let asOf {
            guard let day = CalendarDay(text: asOf) else { throw ValidationError("--as-of takes a date like 2026-09-30") }
            let plausible = CalendarDay.plausibleDetections()
            guard plausible.contains(day) else {
                throw ValidationError("--as-of \(asOf) is outside \(plausible.lowerBound)…\(plausible.upperBound), "
                                      + "the days satellite change detection can be from")
            }
        }
        if let encoding, TextEncoding.utf8(from: Array("A".utf8), encoding: encoding) == nil {
            throw ValidationError("--encoding \(encoding) is no text encoding iconv knows — try CP936, GB18030 or UTF-8")
        }
        if let assumeCRS {
            do {
                _ = try CRSCheck.usable(assumeCRS)
            } catch {
                throw ValidationError("--assume-crs \(assumeCRS): \(error)")
            }
        }
    }

    /// A date option's day (nil when not given), or a usage error naming the option.
    static func day(_ text: String?, _ option: String) throws -> CalendarDay? {
        guard let text else { return nil }
        guard let day = CalendarDay(text: text) else { throw ValidationError("\(option) takes a date like 2026-11-30, not “\(text)”") }
        return day
    }

    /// Refuses NaN, infinities and values outside `range`, naming the option.
    static func requireNumber(_ value: Double?, _ option: String, in range: ClosedRange<Double>) throws {
        guard let value else { return }
        guard value.isFinite else { throw ValidationError("\(option) must be a number, not \(value)") }
        guard range.contains(value) else {
            throw ValidationError(range.lowerBound == 0 && value < 0 ? "\(option) must not be negative"
                                  : "\(option) must be between \(range.lowerBound.formatted()) and \(range.upperBound.formatted())")
        }
    }

    /// The protected sources, which every check needs: there is no default, so that a check can never
    /// run against the illustrative sample boundaries by accident.
    func requiredProtectedSources() throws -> [String] {
        guard !protectedSources.isEmpty else {
            throw RedlineError.badOption("--protected is required: name the red-line and reserve layers to check against "
                                         + "(for the bundled illustrative data, --protected Geodata/protected.gpkg)")
        }
        if let twice = protectedSources.first(where: { source in protectedSources.filter { $0 == source }.count > 1 }) {
            throw RedlineError.badOption("--protected \(twice) is given twice: its areas would count twice — give it once")
        }
        return protectedSources
    }

    /// What the options amount to, read once: rules, the day undated patches are judged on, the
    /// boundaries, the engine's settings, and all of it as text for summary.json.
    struct Prepared {
        let boundaries: BoundarySources
        let settings: CheckSettings
        let fields: ActivityFields
        /// The settings beside the boundaries', as summary.json names them.
        let recorded: [String: String]

        /// What summary.json records of a check of `activities`; `extra` adds settings (formats).
        func record(of activities: [SourceSpec], extra: [String: String] = [:]) -> CheckRecord {
            CheckRecord(toolVersion: Redline.version, activitySources: activities, boundaries: boundaries,
                        settings: recorded.merging(extra) { $1 })
        }
    }

    func prepare() throws -> Prepared {
        let protectedSources = try requiredProtectedSources()
        let ruleBook = try rules.map(RuleBook.load) ?? .builtIn
        // Undated patches are judged on this day; it goes into summary.json so a rerun can repeat it.
        let judgedOn = asOf.flatMap { CalendarDay(text: $0) } ?? .today()
        let boundaries = BoundarySources(
            protectedSources: protectedSources, admin: admin,
            fields: ProtectedFields(id: protectedID, name: protectedName, zone: protectedZone, kind: protectedKind,
                                    validFrom: validFrom, validTo: validTo),
            adminFields: AdminFields(code: adminCode, name: adminName), assumeCRS: assumeCRS, encoding: encoding,
            invalid: invalid)
        let settings = CheckSettings(rules: ruleBook, threshold: OverlapThreshold(minM2: minOverlapM2, minShare: minOverlapShare),
                                     invalid: invalid, nearM: near, minSeverity: minSeverity, period: period, asOf: judgedOn,
                                     strict: strict, allowFar: allowFar)
        let thresholds: [String: String] = [
            "near_m": String(near), "min_overlap_m2": minOverlapM2.map { String($0) } ?? "",
            "min_overlap_share": minOverlapShare.map { String($0) } ?? "", "min_severity": minSeverity.rawValue,
        ]
        let run: [String: String] = [
            "rules": ruleBook.source, "period": period ?? "", "as_of": "\(judgedOn)", "jobs": String(jobs),
            "strict": String(strict), "allow_far": String(allowFar),
        ]
        let fieldNames: [String: String] = [
            "activity_id_field": activityID ?? "", "activity_type_field": activityType ?? "", "detected_field": detected ?? "",
        ]
        let recorded = thresholds.merging(run) { $1 }.merging(fieldNames) { $1 }
        return Prepared(boundaries: boundaries, settings: settings,
                        fields: ActivityFields(id: activityID, type: activityType, detected: detected), recorded: recorded)
    }
}
