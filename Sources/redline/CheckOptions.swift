import ArgumentParser
import Foundation
import RedlineCore

/// The options that say what to check against and how: shared by `check` and `run`.
struct CheckOptions: ParsableArguments {
    @Option(name: .customLong("protected"), help: "Protected area source; repeat for several (default: Geodata/protected.gpkg).")
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

    @Option(help: "County layer, to route each clue to its county (default with the bundled data: Geodata/counties.gpkg).")
    var admin: String?

    @Option(help: "Field of the county layer holding the county code.")
    var adminCode: String?

    @Option(help: "Field of the county layer holding the county name.")
    var adminName: String?

    @Option(help: "Also report patches outside but within this many metres of a protected area (geodesic).")
    var near: Double = 0

    @Option(help: "Drop patch/area pairs smaller than this many square metres (default 1; a zone's value in the rules file wins).")
    var minOverlapM2: Double?

    @Option(help: "Drop patch/area pairs covering less than this share (0-1) of the patch.")
    var minOverlapShare: Double?

    @Option(help: "Leave out clues below this severity: low, medium or high.")
    var minSeverity: Severity = .low

    @Option(help: "Period for every clue ID, e.g. 2026Q3 (default: each patch's detection quarter).")
    var period: String?

    @Option(help: "Day to judge patches without a detection date on (YYYY-MM-DD; default today).")
    var asOf: String?

    @Option(help: "CRS for layers that declare none, e.g. EPSG:4490 or EPSG:4539.")
    var assumeCRS: String?

    @Option(help: "Text encoding of shapefile attributes when the file does not say (e.g. CP936).")
    var encoding: String?

    @Option(help: "Invalid patches: repair (GEOS MakeValid), skip, or fail.")
    var invalid: InvalidPolicy = .repair

    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let minOverlapM2, minOverlapM2 < 0 { throw ValidationError("--min-overlap-m2 must not be negative") }
        if let minOverlapShare, !(0...1).contains(minOverlapShare) {
            throw ValidationError("--min-overlap-share must be between 0 and 1")
        }
        guard near >= 0 else { throw ValidationError("--near must not be negative") }
        if let period, period.isEmpty || !period.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            throw ValidationError("--period takes letters and digits only, like 2026Q3")
        }
        if let asOf, CalendarDay(text: asOf) == nil { throw ValidationError("--as-of takes a date like 2026-09-30") }
    }

    /// What the options amount to, read once: rules, the day undated patches are judged on, the
    /// boundaries, the engine's settings, and all of it as text for summary.json.
    struct Prepared {
        let boundaries: Boundaries
        let settings: CheckSettings
        let fields: ActivityFields
        let recorded: [String: String]
    }

    func prepare() throws -> Prepared {
        let ruleBook = try rules.map(RuleBook.load) ?? .builtIn
        // Undated patches are judged on this day; it goes into summary.json so a rerun can repeat it.
        let judgedOn = asOf.flatMap { CalendarDay(text: $0) } ?? .today()
        // The bundled counties go with the bundled boundaries only.
        let boundaries = Boundaries(
            protectedSources: protectedSources.isEmpty ? [try DefaultData.path("protected.gpkg")] : protectedSources,
            admin: admin ?? (protectedSources.isEmpty ? try? DefaultData.path("counties.gpkg") : nil),
            fields: ProtectedFields(id: protectedID, name: protectedName, zone: protectedZone, kind: protectedKind,
                                    validFrom: validFrom, validTo: validTo),
            adminFields: AdminFields(code: adminCode, name: adminName), assumeCRS: assumeCRS, encoding: encoding,
            invalid: invalid)
        let settings = CheckSettings(rules: ruleBook, threshold: OverlapThreshold(minM2: minOverlapM2, minShare: minOverlapShare),
                                     invalid: invalid, nearM: near, minSeverity: minSeverity, period: period, asOf: judgedOn)
        let recorded = boundaries.settings.merging([
            "rules": ruleBook.source, "near_m": String(near), "min_overlap_m2": minOverlapM2.map { String($0) } ?? "",
            "min_overlap_share": minOverlapShare.map { String($0) } ?? "", "min_severity": minSeverity.rawValue,
            "period": period ?? "", "as_of": "\(judgedOn)", "jobs": String(jobs),
            "activity_id_field": activityID ?? "", "activity_type_field": activityType ?? "", "detected_field": detected ?? "",
        ]) { $1 }
        return Prepared(boundaries: boundaries, settings: settings,
                        fields: ActivityFields(id: activityID, type: activityType, detected: detected), recorded: recorded)
    }
}
