import ArgumentParser
import Foundation
import RedlineChecklists
import RedlineCore
import RedlineOutputs

/// `redline checklist`: field bundles per county from a finished check.
struct Checklist: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write what each county's field team takes out: spreadsheet, KMZ, GPX and printable sheets.",
        discussion: HelpText.reflowed("""
        Reads the clues of a finished check (its --out folder) and writes, per county, a folder
        <code>-<name>/ holding clues.xlsx (one row per clue, then shaded columns for the team with a
        dropdown for the result, and a summary sheet), clues.kmz (boundaries by zone, each patch
        coloured by severity with a placemark, folders per reserve, icons inside),
        route.gpx (a waypoint per clue, per day a route and a track) and checklist.html (an index
        in visiting order, then one A4 page per clue with a detail map and a locator map; print it
        from a browser, or with Tools/render-checklist.sh). All files list the clues in one
        visiting order: a round trip from the county seat (or --start), nearest neighbour then 2-opt
        on geodesic distances, cut into days by --day-km and --day-stops (each day from the start and
        back; a route per day in the GPX and KMZ, the day in every file). The boundaries and counties
        are those the check used (summary.json).

        Example:
          redline check Geodata/activities.gpkg --protected Geodata/protected.gpkg --admin Geodata/counties.gpkg --out out
          redline checklist out --out out/checklists

        \(ExitStatus.table)
        """)
    )

    @Argument(help: "The output folder of a finished `redline check`.")
    var checkFolder: String

    @Option(help: "Where the county folders go (default: CHECK_FOLDER/checklists).")
    var out: String?

    @OptionGroup var bundle: BundleOptions

    @Option(name: .customLong("protected"), help: "Protected area source, instead of the check's own.")
    var protectedSources: [String] = []

    @Option(help: "County layer, instead of the check's own.")
    var admin: String?

    @Option(help: "Worker threads for loading the boundaries.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        try Reporting.run {
            let folder = URL(fileURLWithPath: checkFolder)
            let destination = URL(fileURLWithPath: out ?? folder.appendingPathComponent("checklists").path)
            let run = ChecklistRun(checkFolder: folder, destination: destination, options: try bundle.options())
            let results = try run.results()
            var boundaries = results.record.boundaries
            if !protectedSources.isEmpty { boundaries.protectedSources = protectedSources }
            if let admin { boundaries.admin = admin }
            guard !boundaries.protectedSources.isEmpty else {
                throw RedlineError.badOption("the check recorded no protected sources — pass --protected")
            }
            try StagedFolder.refuse(inputs: boundaries.paths + [folder.path], inside: destination, option: "--out")
            let warnings = WarningLog()
            defer { Reporting.printWarnings(warnings.all) }
            if protectedSources.isEmpty {
                for changed in results.record.changedBoundaries() {
                    warnings.add(code: "boundaries_changed", "\(changed) changed since the check read it — the checklists' maps "
                                 + "show it as it is now; rerun the check if the boundaries were updated", file: changed)
                }
            }
            let loaded = try boundaries.load(jobs: jobs, keepOutlines: true, warnings: warnings)
            let bundles = try run.write(index: loaded.index, admin: loaded.counties, results: results)
            Checklist.report(bundles, into: warnings)
        }
    }
}

extension Checklist {
    /// A line per bundle on stdout; clues too far for one day's budget as warnings.
    static func report(_ bundles: [CountyBundle], into warnings: WarningLog) {
        for bundle in bundles {
            let days = bundle.days > 1 ? " in \(bundle.days) days" : ""
            print("\(bundle.folder): \(bundle.clues) clues, round trip\(days) \(String(format: "%.1f", bundle.roundTripMetres / 1000)) km")
        }
        addWarnings(bundles, into: warnings)
    }

    static func addWarnings(_ bundles: [CountyBundle], into warnings: WarningLog) {
        for bundle in bundles { bundle.warnings.forEach(warnings.add) }
    }
}

/// Reads a check's results and writes the bundles.
struct ChecklistRun {
    let checkFolder: URL
    let destination: URL
    let options: ChecklistOptions

    func results() throws -> CheckResults { try CheckResults.read(checkFolder) }

    func write(index: ProtectedIndex, admin: AdminIndex?, results: CheckResults? = nil) throws -> [CountyBundle] {
        try ChecklistWriter(results: try results ?? self.results(), index: index, admin: admin, options: options)
            .write(into: destination)
    }

    func stage(index: ProtectedIndex, admin: AdminIndex?) throws -> StagedBundles {
        try ChecklistWriter(results: try results(), index: index, admin: admin, options: options).stage(into: destination)
    }
}

/// The options of the bundles, shared by `checklist` and `check --checklists`.
struct BundleOptions: ParsableArguments {
    @Option(help: "Language of the checklists' headers: zh or en.")
    var lang: ChecklistLanguage = .zh

    @Option(help: "Where every county's round trip starts, as lon,lat (default: the county seat).")
    var start: String?

    @Option(name: .customLong("image-root"), help: ArgumentHelp("A folder holding the images patches name (repeatable).",
                                                                discussion: "Paths in the data — relative, absolute or a Windows drive like D:\\影像\\a.tif — are looked for under each root, whole and then without their leading folders; the activity files' folders are roots too."))
    var imageRoots: [String] = []

    @Option(name: .customLong("day-km"), help: "Split each county's trip into days of at most this many kilometres, start to start.")
    var dayKm: Double?

    @Option(name: .customLong("day-stops"), help: "Split each county's trip into days of at most this many clues.")
    var dayStops: Int?

    func validate() throws {
        _ = try options()
        for root in imageRoots {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--image-root \(root) is not a folder")
            }
        }
    }

    func options() throws -> ChecklistOptions {
        if let dayKm, !(dayKm.isFinite && dayKm > 0 && dayKm <= 5000) {
            throw ValidationError("--day-km takes the kilometres of one day's trip, more than 0 and at most 5000 (got \(dayKm))")
        }
        if let dayStops, !(1...10_000).contains(dayStops) { throw ValidationError("--day-stops takes 1 to 10000 clues a day (got \(dayStops))") }
        let days = dayKm == nil && dayStops == nil ? nil : DayBudget(metres: dayKm.map { $0 * 1000 }, stops: dayStops)
        guard let start else { return ChecklistOptions(language: lang, days: days, imageRoots: imageRoots) }
        let parts = start.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lon = parts[0], let lat = parts[1], (-180...180).contains(lon), (-90...90).contains(lat)
        else { throw ValidationError("--start takes lon,lat in degrees, like 89.59,44.02") }
        return ChecklistOptions(language: lang, start: (lon, lat), days: days, imageRoots: imageRoots)
    }
}

extension ChecklistLanguage: ExpressibleByArgument {}
