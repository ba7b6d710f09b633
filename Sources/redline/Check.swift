import ArgumentParser
import Foundation
import RedlineChecklists
import RedlineCore
import RedlineOutputs

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find every activity patch inside a protected area and write the clues.",
        discussion: HelpText.reflowed("""
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

        Suspicious input is refused or warned about, never passed over: see "What redline refuses"
        in the README. Warnings go to stderr and into summary.json; --strict makes them fatal.

        \(ExitStatus.table)
        """)
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

    @Option(help: "Progress on stderr: auto (a line on a terminal), lines (one per percent, for programs), off.")
    var progress: ProgressStyle = .auto

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
        try Reporting.run(check)
    }

    private func check() throws {
        let prepared = try options.prepare()
        let (boundaries, settings) = (prepared.boundaries, prepared.settings)
        let warnings = WarningLog()
        // Printed however the run ends: a warning may explain the error.
        defer { Reporting.printWarnings(warnings.all) }
        let activitySpecs = activities.map { SourceSpec(path: $0) }
        let activityLayers = try activitySpecs.flatMap {
            try SourceCatalog.layers(of: $0, assumedCRS: options.assumeCRS, encoding: options.encoding)
        }
        // The same layer twice (a file and its folder, say) would issue every clue twice.
        var seen: [String: String] = [:]
        for layer in activityLayers {
            let key = URL(fileURLWithPath: layer.spec.path).standardizedFileURL.resolvingSymlinksInPath().path + "|" + layer.layerName
            if let first = seen[key] {
                throw RedlineError.badOption("the activities \(first) and \(layer.label) are the same layer: its patches would "
                                             + "count twice — give it once")
            }
            seen[key] = layer.label
        }
        let inputs = activities + boundaries.paths + [options.rules].compactMap { $0 }
        try StagedFolder.refuse(inputs: inputs, inside: URL(fileURLWithPath: out), option: "--out")
        if let checklists { try StagedFolder.refuse(inputs: inputs, inside: URL(fileURLWithPath: checklists), option: "--checklists") }
        // Made first, so the inputs are hashed while the boundaries load.
        let outputs = try CheckOutputs(folder: URL(fileURLWithPath: out),
                                       run: prepared.record(of: activitySpecs, extra: ["formats": formats]),
                                       parallel: options.jobs > 1, formats: try OutputFormat.parse(formats).get())
        let progress = ProgressLine(enabled: !quiet && self.progress != .off, style: self.progress)
        let summary: CheckSummary
        // The checklists are written from the staged outputs and moved into place right after them:
        // a failure while writing them replaces neither.
        var staged: StagedBundles?
        do {
            let loaded = try boundaries.load(jobs: options.jobs, keepOutlines: checklists != nil, warnings: warnings)
            let (index, counties) = (loaded.index, loaded.counties)
            if let checklists {
                let bundleOptions = try bundle.options()
                outputs.beforeCommit = { folder in
                    staged = try ChecklistRun(checkFolder: folder, destination: URL(fileURLWithPath: checklists),
                                              options: bundleOptions).stage(index: index, admin: counties)
                }
            }
            let run = CheckRun(activityLayers: activityLayers, index: index, admin: counties, settings: settings,
                               fields: prepared.fields, jobs: options.jobs, warnings: warnings)
            run.progress = progress.show
            summary = try run.run(into: outputs)
        } catch {
            outputs.abandon()
            progress.clear()
            throw error
        }
        progress.clear()
        if let checklists, let staged {
            do {
                try staged.commit()
            } catch let error as RedlineError {
                throw RedlineError.checklistsFailed(out: out, checklists: checklists, cause: error)
            }
            if !quiet { print("checklists for \(staged.bundles.count) counties → \(checklists)") }
            Checklist.addWarnings(staged.bundles, into: warnings)
        }
        if !quiet {
            let skipped = summary.skipped.values.reduce(0, +)
            let verdicts = Verdict.allCases.compactMap { verdict in
                summary.perVerdict[verdict].map { "\($0) \(verdict.rawValue)" }
            }
            let counts = [verdicts.joined(separator: ", "), "\(summary.repaired) repaired, \(skipped) skipped"].filter { !$0.isEmpty }
            print("\(summary.clues) clues from \(summary.patchesRead) patches (\(counts.joined(separator: "; "))) → \(out)")
        }
    }
}

extension InvalidPolicy: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
