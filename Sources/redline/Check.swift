import ArgumentParser
import Foundation
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
        per patch that overlaps), clues.gpkg, clues.geojson and summary.json, all replaced together
        only when the run succeeds.

        Field options match names case-insensitively and accept Chinese names. Defaults tried in order:
          --activity-id     activity_id, patch_id, tbbh, 图斑编号, id, bsm, 标识码, objectid, else the feature id
          --protected-id    protected_id, id, code, bh, 编号, bsm, 标识码, dm, 代码, objectid, else the feature id
          --protected-name  protected_name, name, mc, 名称, 保护区名称, 保护地名称, bhqmc, hxmc, 红线名称
          --protected-zone  zone, gnfq, 功能分区, 功能区, 分区, zone_name, fqmc, fq
          --protected-kind  kind, protection_kind, type, lx, 类型, 保护类型, bhlx, category, else the layer name

        Exit status: 0 success (with or without clues); 2 bad input (cannot open, no CRS, unknown field,
        lat/lon axes swapped, invalid geometry under --invalid fail); 3 cannot write the outputs;
        64 bad command-line options.
        """
    )

    @Argument(help: "Activity patch sources (files, folders or PG: connection strings).")
    var activities: [String]

    @Option(name: .customLong("protected"), help: "Protected area source; repeat for several (default: Geodata/protected.gpkg).")
    var protectedSources: [String] = []

    @Option(help: "Output folder.")
    var out: String = "out"

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

    @Option(help: "Drop patch/area pairs smaller than this many square metres (slivers).")
    var minOverlapM2: Double = 1

    @Option(help: "CRS for layers that declare none, e.g. EPSG:4490 or EPSG:4539.")
    var assumeCRS: String?

    @Option(help: "Text encoding of shapefile attributes when the file does not say (e.g. CP936).")
    var encoding: String?

    @Option(help: "Invalid patches: repair (GEOS MakeValid), skip, or fail.")
    var invalid: InvalidPolicy = .repair

    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress line and no closing line.")
    var quiet = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard minOverlapM2 >= 0 else { throw ValidationError("--min-overlap-m2 must not be negative") }
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
        let protectedSpecs = (protectedSources.isEmpty ? [try DefaultData.protected()] : protectedSources)
            .map { SourceSpec(path: $0) }
        let activitySpecs = activities.map { SourceSpec(path: $0) }
        let protectedLayers = try protectedSpecs.flatMap {
            try SourceCatalog.layers(of: $0, assumedCRS: assumeCRS, encoding: encoding)
        }
        let activityLayers = try activitySpecs.flatMap {
            try SourceCatalog.layers(of: $0, assumedCRS: assumeCRS, encoding: encoding)
        }
        let index = try ProtectedIndex.load(
            protectedLayers, fields: ProtectedFields(id: protectedID, name: protectedName, zone: protectedZone,
                                                     kind: protectedKind), invalid: invalid, jobs: jobs)
        let run = CheckRun(activityLayers: activityLayers, index: index,
                           settings: CheckSettings(minOverlapM2: minOverlapM2, invalid: invalid),
                           activityIDField: activityID, jobs: jobs)
        let progress = ProgressLine(enabled: !quiet)
        run.progress = progress.show
        let outputs = try CheckOutputs(folder: URL(fileURLWithPath: out), run: RunDescription(
            toolVersion: Redline.version, activitySources: activitySpecs, protectedSources: protectedSpecs,
            settings: ["min_overlap_m2": String(minOverlapM2), "invalid": invalid.rawValue,
                       "assume_crs": assumeCRS ?? "", "jobs": String(jobs)]), parallel: jobs > 1)
        let summary: CheckSummary
        do {
            summary = try run.run(into: outputs)
        } catch {
            outputs.abandon()
            progress.clear()
            throw error
        }
        progress.clear()
        if !quiet {
            let skipped = summary.skipped.values.reduce(0, +)
            print("\(summary.clues) clues from \(summary.patchesRead) patches (\(summary.repaired) repaired, "
                  + "\(skipped) skipped) → \(out)")
        }
    }
}

extension InvalidPolicy: ExpressibleByArgument {}

extension RedlineError {
    /// Bad input is 2, an unwritable output 3.
    var exitCode: Int32 {
        switch self {
        case .outputFailed: return 3
        default: return 2
        }
    }
}

/// Finds the bundled sample data: ./Geodata, or the Geodata folder of the checkout holding the binary.
enum DefaultData {
    static func protected() throws -> String {
        let name = "Geodata/protected.gpkg"
        if FileManager.default.fileExists(atPath: name) { return name }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw RedlineError.badOption("no --protected source given and no Geodata/protected.gpkg found — pass --protected FILE")
    }
}
