import ArgumentParser
import Foundation
import RedlineChecklists
import RedlineCore
import RedlineOutputs

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find every activity patch inside a protected area and write the clues.",
        discussion: """
        Reads activity patches from any vector source GDAL opens (GeoPackage, Shapefile, GeoJSON,
        FlatGeobuf, FileGDB, KML, PG:"dbname=..."), all layers unless one is chosen with
        SOURCE|layername=NAME, and checks them against the protected areas. Layers in different
        coordinate systems are reprojected with PROJ; areas are geodesic square metres.

        Example (the bundled illustrative data):
          redline check Geodata/activities.gpkg --protected Geodata/protected.gpkg --out out/

        Writes into --out: overlaps.csv (one row per patch and protected area), clues.csv (one row
        per clue), clues.gpkg, clues.geojson and summary.json, all replaced together only when the
        run succeeds (--formats picks the clue files; the others are removed from --out).

        Each clue gets a verdict and severity from the rules (--rules FILE, else the built-in ones:
        `redline rules show`), judged against the boundary version in force on the patch's
        detection date, the county holding most of it (--admin), and an ID that stays the same
        on every run: county code - period - number, e.g. 652325-2026Q3-004217.

        Field options match names case-insensitively and accept Chinese names. Defaults tried in order:
          --activity-id     activity_id, patch_id, tbbh, 图斑编号, id, bsm, 标识码, objectid, else the feature id
          --protected-id    protected_id, id, code, bh, 编号, bsm, 标识码, dm, 代码, objectid, else the feature id
          --protected-name  protected_name, name, mc, 名称, 保护区名称, 保护地名称, bhqmc, hxmc, 红线名称
          --protected-zone  zone, gnfq, 功能分区, 功能区, 分区, zone_name, fqmc, fq
          --protected-kind  kind, protection_kind, type, lx, 类型, 保护类型, bhlx, category, else the layer name
          --valid-from      valid_from, valid_start, effective_from, start_date, 生效日期, 起始日期, 批复日期
          --valid-to        valid_to, valid_until, valid_end, effective_to, end_date, 失效日期, 终止日期, 废止日期
          --activity-type   activity_type, activity, 类型, 活动类型, 图斑类型, hdlx, tblx, type, lx, category, class
          --detected        detected, detected_on, detection_date, detect_date, 监测日期, 发现日期, 检测日期, 后时相, date
          --admin-code      county_code, code, xzqdm, 行政区代码, 行政区划代码, xzqhdm, adcode, qhdm, dm, 代码
          --admin-name      county_name, name, xzqmc, 行政区名称, 行政区划名称, 县名, qhmc, mc, 名称
        Boundary versions: a feature is in force from its valid-from day to its valid-to day, both
        included; where two versions of one id (same layer) both cover a day, the later one wins.

        Exit status: 0 success (with or without clues); 2 bad input (cannot open, no CRS, unknown field,
        lat/lon axes swapped, invalid geometry under --invalid fail, a bad date, a bad rules file);
        3 cannot write the outputs;
        64 bad command-line options.
        """
    )

    @Argument(help: "Activity patch sources (files, folders or PG: connection strings).")
    var activities: [String]

    @OptionGroup var options: CheckOptions

    @Option(help: "Output folder.")
    var out: String = "out"

    @Option(help: ArgumentHelp("Clue files to write, comma-separated: csv (overlaps.csv and clues.csv), gpkg, geojson.",
                               discussion: "summary.json is always written; --checklists needs gpkg."))
    var formats = "csv,gpkg,geojson"

    @Option(help: "Also write a field checklist bundle per county into this folder (see `redline checklist`).")
    var checklists: String?

    @OptionGroup var bundle: BundleOptions

    @Flag(help: "No progress line and no closing line (warnings still go to stderr).")
    var quiet = false

    mutating func validate() throws {
        switch OutputFormat.parse(formats) {
        case .failure(let problem):
            throw ValidationError("--formats: \(problem)")
        case .success(let chosen) where checklists != nil && !chosen.contains(.gpkg):
            throw ValidationError("--checklists reads clues.gpkg: add gpkg to --formats")
        case .success:
            break
        }
    }

    func run() throws {
        do {
            try check()
        } catch let error as RedlineError {
            FileHandle.standardError.write(Data("redline: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }

    private func check() throws {
        let prepared = try options.prepare()
        let (boundaries, settings, judgedOn) = (prepared.boundaries, prepared.settings, prepared.settings.asOf!)
        let activitySpecs = activities.map { SourceSpec(path: $0) }
        let activityLayers = try activitySpecs.flatMap {
            try SourceCatalog.layers(of: $0, assumedCRS: options.assumeCRS, encoding: options.encoding)
        }
        // Made first, so the inputs are hashed while the boundaries load.
        let outputs = try CheckOutputs(folder: URL(fileURLWithPath: out), run: RunDescription(
            toolVersion: Redline.version, activitySources: activitySpecs, protectedSources: boundaries.protectedSpecs,
            settings: prepared.recorded.merging(["formats": formats], uniquingKeysWith: { $1 })),
            parallel: options.jobs > 1, formats: try OutputFormat.parse(formats).get())
        let progress = ProgressLine(enabled: !quiet)
        let summary: CheckSummary, index: ProtectedIndex, counties: AdminIndex?
        do {
            (index, counties) = try boundaries.load(jobs: options.jobs, keepOutlines: checklists != nil)
            let run = CheckRun(activityLayers: activityLayers, index: index, admin: counties, settings: settings,
                               fields: prepared.fields, jobs: options.jobs)
            run.progress = progress.show
            summary = try run.run(into: outputs)
        } catch {
            outputs.abandon()
            progress.clear()
            throw error
        }
        progress.clear()
        if let checklists {
            let bundles = try ChecklistRun(checkFolder: URL(fileURLWithPath: out), destination: URL(fileURLWithPath: checklists),
                                           options: try bundle.options())
                .write(index: index, admin: counties)
            if !quiet { print("checklists for \(bundles.count) counties → \(checklists)") }
        }
        if !quiet {
            let skipped = summary.skipped.values.reduce(0, +)
            let verdicts = Verdict.allCases.compactMap { verdict in
                summary.perVerdict[verdict].map { "\($0) \(verdict.rawValue)" }
            }
            print("\(summary.clues) clues from \(summary.patchesRead) patches (\(verdicts.joined(separator: ", "))"
                  + "; \(summary.repaired) repaired, \(skipped) skipped) → \(out)")
        }
        warnAboutUnknownValues(summary, judgedOn: judgedOn)
    }

    /// Values no rule knows are reported, never silently dropped; so are clues without a date.
    private func warnAboutUnknownValues(_ summary: CheckSummary, judgedOn: CalendarDay) {
        func listed(_ counts: [String: Int]) -> String {
            counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(8)
                .map { "“\($0.key.isEmpty ? "(empty)" : $0.key)” ×\($0.value)" }.joined(separator: ", ")
        }
        if !summary.unknownActivityValues.isEmpty {
            let count = summary.unknownActivityValues.values.reduce(0, +)
            warn("\(count) clue(s) have an activity type no rule knows: \(listed(summary.unknownActivityValues)) — "
                 + "they are judged as “unknown”; add the values under activity_types in a rules file")
        }
        if summary.undated > 0 && options.period == nil {
            warn("\(summary.undated) clue(s) have no detection date: judged on the boundaries of \(judgedOn) and numbered "
                 + "in its quarter — name the date field with --detected, or fix the day with --as-of or --period")
        }
        if !summary.unknownZones.isEmpty {
            warn("protected features with unknown zone values, treated as unzoned: \(listed(summary.unknownZones)) — "
                 + "pass --protected-zone or fix the values")
        }
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("redline: warning: \(message)\n".utf8))
    }
}

extension InvalidPolicy: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

extension RedlineError {
    /// Bad input is 2, an unwritable output 3.
    var exitCode: Int32 {
        switch self {
        case .outputFailed, .registryUnavailable: return 3
        default: return 2
        }
    }
}

/// Finds the bundled sample data: ./Geodata, or the Geodata folder of the checkout holding the binary.
enum DefaultData {
    static func path(_ file: String) throws -> String {
        let name = "Geodata/" + file
        if FileManager.default.fileExists(atPath: name) { return name }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw RedlineError.badOption("no --protected source given and no \(name) found — pass --protected FILE")
    }
}
