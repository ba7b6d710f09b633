import Foundation
import GDALKit
import Testing
import TestSupport

/// The folder one hostile case works in: its fixtures, and an output folder holding an earlier
/// run's file, which a refused run must leave alone.
struct HostileBench {
    let folder: TemporaryFolder
    static let earlier = "earlier run\n"
    static let fields = [FieldDefinition(name: "tbbh", kind: .string), FieldDefinition(name: "类型", kind: .string),
                         FieldDefinition(name: "后时相", kind: .string)]

    init(_ name: String) throws {
        folder = TemporaryFolder("redline-hostile-\(name)")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data(Self.earlier.utf8).write(to: URL(fileURLWithPath: out + "/clues.csv"))
    }

    var out: String { folder.path("out") }

    /// Every file below the output folder, with its bytes.
    func outputs() -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: out)
        while let name = walker?.nextObject() as? String {
            files[name] = FileManager.default.contents(atPath: out + "/" + name) ?? Data()
        }
        return files
    }

    func path(_ name: String) -> String { folder.path(name) }

    /// A 0.004° × 0.003° mining patch with its south-west corner at x, y.
    static func patch(_ id: String, _ x: Double, _ y: Double, type: String = "采矿", date: String = "2026-11-01",
                      size: (Double, Double) = (0.004, 0.003)) -> FixtureFeature {
        FixtureFeature([.string(id), .string(type), .string(date)],
                       wkb: Fixture.polygon([Fixture.box(x, y, x + size.0, y + size.1)]))
    }

    /// A core-zone patch whose second vertex has the longitude `x`.
    static func vertex(_ id: String, _ x: Double) -> FixtureFeature {
        FixtureFeature([.string(id), .string("采矿"), .string("2026-11-01")],
                       wkb: Fixture.polygon([[(89.5, 45.3), (x, 45.3), (89.504, 45.303), (89.5, 45.303), (89.5, 45.3)]]))
    }

    /// Patches inside the bundled reserve's core zone, 0.01° apart.
    static func corePatches(_ count: Int, prefix: String = "P") -> [FixtureFeature] {
        (0..<count).map { patch("\(prefix)\($0)", 89.30 + Double($0) * 0.01, 45.30) }
    }

    @discardableResult
    func patches(_ name: String, crs: String = "EPSG:4490", _ features: [FixtureFeature]) throws -> String {
        try Fixture.write(path(name), layer: "patches", crs: crs, fields: Self.fields, features: features)
    }

    /// `redline check` of `activities` into `out`, against the bundled boundaries unless `extra` names others.
    func check(_ activities: String, _ extra: [String] = []) -> [String] {
        ["check", "--quiet", activities, "--out", out] + extra + (extra.contains("--protected") ? [] : Command.bundledBoundaries)
    }

    /// A shapefile of core-zone patches named `stem`, in `folder` (made if missing).
    @discardableResult
    func shapefile(_ stem: String, in folder: String = "", count: Int = 2, options: [String] = ["ENCODING=UTF-8"]) throws -> String {
        let directory = folder.isEmpty ? self.folder.url.path : path(folder)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try Fixture.write(directory + "/\(stem).shp", driver: "ESRI Shapefile", layer: stem, crs: "EPSG:4490",
                                 fields: Self.fields, features: Self.corePatches(count, prefix: stem), layerOptions: options)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: path(name)) }

    func ogr2ogr(_ arguments: [String]) throws {
        let result = try Command.run("/usr/bin/ogr2ogr", arguments)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["ogr2ogr": result.stderr]) }
    }
}

/// One hostile or unusual input, how it is made, and what redline must answer.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let name: String
    let status: Int32
    /// Words the error or warning lines must hold.
    let words: [String]
    /// A warning code summary.json must list (runs that succeed); nil: none may be listed.
    var warning: String?
    /// The clues a run that succeeds must find.
    var clues: Int?
    /// The overlap pairs a run that succeeds must find.
    var pairs: Int?
    /// How every clue ID of a run that succeeds must begin.
    var idPrefix: String?
    /// Makes the fixtures; returns redline's arguments.
    let make: @Sendable (HostileBench) throws -> [String]

    var testDescription: String { name }
}

@Suite(.serialized) struct HostileInputTests {
    static let geodata = Command.packageRoot.appendingPathComponent("Geodata")
    static let protected = geodata.appendingPathComponent("protected.gpkg").path

    static let cases: [HostileCase] = [
        // Defaults and options
        HostileCase(name: "no --protected", status: 64, words: ["--protected is required"]) { bench in
            ["check", "--quiet", try bench.patches("a.gpkg", HostileBench.corePatches(2)), "--out", bench.out]
        },
        HostileCase(name: "NaN overlap threshold", status: 64, words: ["--min-overlap-m2", "number"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--min-overlap-m2", "NaN"])
        },
        HostileCase(name: "NaN near distance", status: 64, words: ["--near", "number"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--near", "nan"])
        },
        HostileCase(name: "negative jobs in the space form", status: 64, words: ["--jobs"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--jobs", "-1"])
        },
        HostileCase(name: "a hundred thousand jobs", status: 64, words: ["--jobs", "256"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--jobs", "100000"])
        },
        HostileCase(name: "garbage --assume-crs, even unused", status: 64, words: ["--assume-crs", "garbage", "EPSG"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--assume-crs", "garbage"])
        },
        HostileCase(name: "unknown EPSG code", status: 64, words: ["EPSG:999999"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--assume-crs", "EPSG:999999"])
        },
        HostileCase(name: "--as-of in the Middle Ages", status: 64, words: ["--as-of", "1066-10-14"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--as-of", "1066-10-14"])
        },
        HostileCase(name: "status --due-days -1", status: 64, words: ["--due-days"]) { bench in
            ["status", "--registry", bench.path("registry.gpkg"), "--due-days", "-1"]
        },

        // Coordinates and CRS
        HostileCase(name: "degrees labelled Gauss-Krüger", status: 2, words: ["a.gpkg", "EPSG:4490", "--allow-far"]) { bench in
            bench.check(try bench.patches("a.gpkg", crs: "EPSG:4539", HostileBench.corePatches(6)))
        },
        HostileCase(name: "Gauss-Krüger labelled with the wrong zone", status: 2, words: ["wrong.gpkg", "EPSG:4539", "EPSG:4538"]) { bench in
            try bench.ogr2ogr(["-a_srs", "EPSG:4538", bench.path("wrong.gpkg"),
                               HostileInputTests.geodata.appendingPathComponent("activities.gpkg").path])
            return bench.check(bench.path("wrong.gpkg"))
        },
        HostileCase(name: "a .prj with LOCAL_CS", status: 2, words: ["local.shp", "engineering"]) { bench in
            try Fixture.write(bench.path("local.shp"), driver: "ESRI Shapefile", layer: "local", crs: nil,
                              fields: [FieldDefinition(name: "tbbh", kind: .string)],
                              features: [FixtureFeature([.string("L1")], wkb: Fixture.polygon([Fixture.box(1, 1, 2, 2)]))])
            try Data(#"LOCAL_CS["unknown",UNIT["metre",1]]"#.utf8).write(to: URL(fileURLWithPath: bench.path("local.prj")))
            return bench.check(bench.path("local.shp"))
        },
        HostileCase(name: "half the features written lat,lon", status: 2, words: ["mixed.gpkg", "lat,lon", "S0", "S1"]) { bench in
            let swapped = (0..<3).map { HostileBench.patch("S\($0)", 45.30, 89.30 + Double($0) * 0.01, size: (0.003, 0.004)) }
            return bench.check(try bench.patches("mixed.gpkg", HostileBench.corePatches(3) + swapped))
        },
        HostileCase(name: "lat,lon data whose latitudes pass 90", status: 2, words: ["swapped.gpkg", "lat,lon"]) { bench in
            try Fixture.write(bench.path("reserve.gpkg"), layer: "reserve", crs: "EPSG:4490",
                              fields: [FieldDefinition(name: "protected_id", kind: .string), FieldDefinition(name: "name", kind: .string),
                                       FieldDefinition(name: "zone", kind: .string)],
                              features: [FixtureFeature([.string("R1"), .string("某保护区"), .string("核心区")],
                                                        wkb: Fixture.polygon([Fixture.box(100, 30, 100.2, 30.2)]))])
            let swapped = (0..<4).map { HostileBench.patch("S\($0)", 30.05, 100.05 + Double($0) * 0.01, size: (0.003, 0.004)) }
            return bench.check(try bench.patches("swapped.gpkg", swapped), ["--protected", bench.path("reserve.gpkg")])
        },

        HostileCase(name: "metres in a WGS 84 layer", status: 2, words: ["w84.gpkg", "feature P0", "no longitude and latitude"]) { bench in
            let metres = (0..<3).map { HostileBench.patch("P\($0)", 444_893 + Double($0) * 500, 5_018_320, size: (300, 300)) }
            return bench.check(try bench.patches("w84.gpkg", crs: "EPSG:4326", metres))
        },
        HostileCase(name: "one mistyped longitude in a good layer", status: 2, words: ["typo.gpkg", "feature WRAP", "449"]) { bench in
            bench.check(try bench.patches("typo.gpkg", HostileBench.corePatches(4) + [HostileBench.patch("WRAP", 449.3, 45.3)]))
        },
        HostileCase(name: "one degree feature in a Gauss-Krüger layer", status: 0, words: ["gk.gpkg", "DEG", "outside the area"],
                    warning: "outside_crs_area", clues: 4) { bench in
            try bench.ogr2ogr(["-t_srs", "EPSG:4539", bench.path("gk.gpkg"), try bench.patches("core.gpkg", HostileBench.corePatches(4))])
            try bench.patches("deg.gpkg", crs: "EPSG:4539", [HostileBench.patch("DEG", 89.3, 45.3)])
            try bench.ogr2ogr(["-append", "-nln", "patches", bench.path("gk.gpkg"), bench.path("deg.gpkg")])
            return bench.check(bench.path("gk.gpkg"))
        },

        // A vertex no number: left out and named, never repaired into half the patch, never a crash.
        HostileCase(name: "a NaN vertex in a lon/lat patch", status: 0, words: ["NAN", "non_finite_coordinate"],
                    warning: "skipped_patches", clues: 2) { bench in
            bench.check(try bench.patches("nan.gpkg", HostileBench.corePatches(2) + [HostileBench.vertex("NAN", .nan)]))
        },
        HostileCase(name: "a sign-flipped vertex in a lon/lat patch", status: 0, words: ["FLIP", "span more than 1°"],
                    warning: "oversized_patch") { bench in
            bench.check(try bench.patches("flip.gpkg", HostileBench.corePatches(2) + [HostileBench.vertex("FLIP", -89.504)]))
        },
        HostileCase(name: "a 1e300 vertex in a lon/lat patch", status: 2, words: ["huge.gpkg", "feature HUGE", "1e+300"]) { bench in
            bench.check(try bench.patches("huge.gpkg", HostileBench.corePatches(2) + [HostileBench.vertex("HUGE", 1e300)]))
        },

        // Attributes and values
        HostileCase(name: "detection date in 1066", status: 2, words: ["old.gpkg", "P1", "1066-10-14", "后时相"]) { bench in
            bench.check(try bench.patches("old.gpkg", [HostileBench.patch("P0", 89.30, 45.30),
                                                       HostileBench.patch("P1", 89.31, 45.30, date: "1066-10-14")]))
        },
        HostileCase(name: "detection date in 2999", status: 2, words: ["future.gpkg", "P0", "2999-01-01"]) { bench in
            bench.check(try bench.patches("future.gpkg", [HostileBench.patch("P0", 89.30, 45.30, date: "2999-01-01")]))
        },
        HostileCase(name: "empty activity IDs", status: 0, words: ["empty", "noid-"], warning: "empty_activity_id") { bench in
            bench.check(try bench.patches("a.gpkg", [HostileBench.patch("", 89.30, 45.30), HostileBench.patch(" ", 89.31, 45.30)]))
        },
        HostileCase(name: "control characters in a type", status: 0, words: ["control characters", "类型"],
                    warning: "control_characters") { bench in
            bench.check(try bench.patches("a.gpkg", [HostileBench.patch("P0", 89.30, 45.30, type: "采矿\u{1}\u{1B}[31m\nforged")]))
        },
        HostileCase(name: "far patches with --allow-far", status: 0, words: ["outside the extent"], warning: "far_from_protection") { bench in
            bench.check(try bench.patches("far.gpkg", [HostileBench.patch("F0", 100, 30), HostileBench.patch("F1", 101, 30),
                                                       HostileBench.patch("P0", 89.30, 45.30)]), ["--allow-far"])
        },
        HostileCase(name: "a warning under --strict", status: 5, words: ["--strict", "empty"]) { bench in
            bench.check(try bench.patches("a.gpkg", [HostileBench.patch("", 89.30, 45.30)]), ["--strict"])
        },

        HostileCase(name: "a county without a code", status: 0, words: ["no county_code", "000000"],
                    warning: "county_without_code", clues: 1, idPrefix: "000000-") { bench in
            try Fixture.write(bench.path("counties.gpkg"), layer: "counties", crs: "EPSG:4490",
                              fields: [FieldDefinition(name: "county_code", kind: .string), FieldDefinition(name: "county_name", kind: .string)],
                              features: [FixtureFeature([.null, .string("无码县")], wkb: Fixture.polygon([Fixture.box(89, 45, 90, 46)]))])
            return ["check", "--quiet", try bench.patches("a.gpkg", HostileBench.corePatches(1)), "--out", bench.out,
                    "--protected", HostileInputTests.protected, "--admin", bench.path("counties.gpkg")]
        },
        HostileCase(name: "two overlapping features with one protected ID", status: 0, words: ["R1", "dissolved"],
                    warning: "overlapping_duplicate_ids", clues: 1, pairs: 1) { bench in
            let fields = [FieldDefinition(name: "protected_id", kind: .string), FieldDefinition(name: "name", kind: .string),
                          FieldDefinition(name: "zone", kind: .string)]
            let part = { (x: Double) in FixtureFeature([.string("R1"), .string("某保护区"), .string("核心区")],
                                                       wkb: Fixture.polygon([Fixture.box(x, 30, x + 0.2, 30.2)])) }
            try Fixture.write(bench.path("reserve.gpkg"), layer: "reserve", crs: "EPSG:4490", fields: fields,
                              features: [part(100), part(100.1)])
            return bench.check(try bench.patches("a.gpkg", [HostileBench.patch("P0", 100.15, 30.1)]),
                               ["--protected", bench.path("reserve.gpkg")])
        },

        // Outputs
        HostileCase(name: "an input inside --out", status: 64, words: ["clues.gpkg", "lies inside --out"]) { bench in
            ["check", "--quiet", try bench.patches("out/clues.gpkg", HostileBench.corePatches(2)), "--out", bench.out,
             "--formats", "csv"] + Command.bundledBoundaries
        },
        HostileCase(name: "a dangling symbolic link as --out", status: 3, words: ["symbolic link", "nowhere"]) { bench in
            try FileManager.default.createSymbolicLink(atPath: bench.path("link"), withDestinationPath: bench.path("nowhere"))
            return ["check", "--quiet", try bench.patches("a.gpkg", HostileBench.corePatches(2)), "--out", bench.path("link")]
                + Command.bundledBoundaries
        },
        HostileCase(name: "a folder where an output file goes", status: 3, words: ["clues.geojson", "in the way"]) { bench in
            try FileManager.default.createDirectory(atPath: bench.path("out/clues.geojson"), withIntermediateDirectories: true)
            try Data("an earlier gpkg".utf8).write(to: URL(fileURLWithPath: bench.path("out/clues.gpkg")))
            return bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)))
        },
        HostileCase(name: "a file as --out", status: 3, words: ["notes.txt", "not a folder"]) { bench in
            try Data("mine".utf8).write(to: URL(fileURLWithPath: bench.path("notes.txt")))
            return ["check", "--quiet", try bench.patches("a.gpkg", HostileBench.corePatches(2)), "--out", bench.path("notes.txt")]
                + Command.bundledBoundaries
        },
        HostileCase(name: "checklists that cannot be written", status: 3, words: ["afile", "nothing was replaced"]) { bench in
            try Data("a file".utf8).write(to: URL(fileURLWithPath: bench.path("afile")))
            return bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(2)), ["--checklists", bench.path("afile/lists")])
        },
        HostileCase(name: "a registry inside the inbox", status: 64, words: ["registry.gpkg", "--inbox"]) { bench in
            try FileManager.default.createDirectory(atPath: bench.path("inbox"), withIntermediateDirectories: true)
            return ["run", "--registry", bench.path("inbox/registry.gpkg"), "--inbox", bench.path("inbox"), "--out", bench.out]
                + Command.bundledBoundaries
        },
        HostileCase(name: "run with a missing inbox", status: 2, words: ["nowhere", "inbox"]) { bench in
            ["run", "--registry", bench.path("out/registry.gpkg"), "--inbox", bench.path("nowhere"), "--out", bench.path("reports")]
                + Command.bundledBoundaries
        },
        HostileCase(name: "run with boundaries that cannot be read", status: 2, words: ["missing.gpkg"]) { bench in
            try FileManager.default.createDirectory(atPath: bench.path("inbox"), withIntermediateDirectories: true)
            return ["run", "--registry", bench.path("out/registry.gpkg"), "--inbox", bench.path("inbox"), "--out", bench.path("reports"),
                    "--protected", bench.path("missing.gpkg")]
        },
        HostileCase(name: "the same --protected twice", status: 64, words: ["given twice"]) { bench in
            ["check", "--quiet", try bench.patches("a.gpkg", HostileBench.corePatches(2)), "--out", bench.out,
             "--protected", HostileInputTests.protected, "--protected", HostileInputTests.protected]
        },
        HostileCase(name: "a layer of points", status: 64, words: ["pts.gpkg", "no polygons", "layername="]) { bench in
            var point: [UInt8] = [1, 1, 0, 0, 0]
            withUnsafeBytes(of: (89.3).bitPattern.littleEndian) { point += $0 }
            withUnsafeBytes(of: (45.3).bitPattern.littleEndian) { point += $0 }
            try Fixture.write(bench.path("pts.gpkg"), layer: "photos", crs: "EPSG:4490", fields: [FieldDefinition(name: "tbbh", kind: .string)],
                              features: [FixtureFeature([.string("P1")], wkb: point)])
            return bench.check(bench.path("pts.gpkg"))
        },
        HostileCase(name: "a fifth quarter", status: 64, words: ["--period", "2026Q3"]) { bench in
            bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(1)), ["--period", "2026Q5"])
        },
        HostileCase(name: "an empty extract", status: 0, words: ["holds no features"], warning: "empty_layer", clues: 0) { bench in
            bench.check(try bench.patches("empty.gpkg", []))
        },
        HostileCase(name: "a reserve layer without a zone field", status: 0, words: ["no zone field"],
                    warning: "reserve_without_zones") { bench in
            try Fixture.write(bench.path("reserve.gpkg"), layer: "reserve", crs: "EPSG:4490",
                              fields: [FieldDefinition(name: "protected_id", kind: .string), FieldDefinition(name: "kind", kind: .string)],
                              features: [FixtureFeature([.string("R1"), .string("自然保护区")],
                                                        wkb: Fixture.polygon([Fixture.box(89.2, 45.2, 89.4, 45.4)]))])
            return bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(1)), ["--protected", bench.path("reserve.gpkg")])
        },
        HostileCase(name: "a reserve feature with an empty zone", status: 0, words: ["unknown zone values", "(empty)"],
                    warning: "unknown_zone", clues: 1) { bench in
            let fields = [FieldDefinition(name: "protected_id", kind: .string), FieldDefinition(name: "kind", kind: .string),
                          FieldDefinition(name: "zone", kind: .string)]
            let zone = { (id: String, zone: FieldValue, x: Double) in
                FixtureFeature([.string(id), .string("自然保护区"), zone], wkb: Fixture.polygon([Fixture.box(x, 45.2, x + 0.2, 45.4)]))
            }
            try Fixture.write(bench.path("reserve.gpkg"), layer: "reserve", crs: "EPSG:4490", fields: fields,
                              features: [zone("R1", .null, 89.2), zone("R2", .string("实验区"), 89.6)])
            return bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(1)), ["--protected", bench.path("reserve.gpkg")])
        },
        HostileCase(name: "a bow-tie reserve polygon", status: 0, words: ["BOW", "repaired"], warning: "protected_repaired") { bench in
            let fields = [FieldDefinition(name: "protected_id", kind: .string), FieldDefinition(name: "kind", kind: .string),
                          FieldDefinition(name: "zone", kind: .string)]
            let bowTie = Fixture.polygon([[(89.2, 45.2), (89.6, 45.6), (89.6, 45.2), (89.2, 45.6), (89.2, 45.2)]])
            try Fixture.write(bench.path("reserve.gpkg"), layer: "reserve", crs: "EPSG:4490", fields: fields,
                              features: [FixtureFeature([.string("BOW"), .string("自然保护区"), .string("核心区")], wkb: bowTie)])
            return bench.check(try bench.patches("a.gpkg", HostileBench.corePatches(1)), ["--protected", bench.path("reserve.gpkg")])
        },
        HostileCase(name: "a compound geographic CRS on projected coordinates", status: 2,
                    words: ["cmp.gpkg", "feature M0", "no longitude and latitude"]) { bench in
            let metres = (0..<2).map { HostileBench.patch("M\($0)", 444_893 + Double($0) * 500, 5_018_320, size: (300, 300)) }
            return bench.check(try bench.patches("cmp.gpkg", crs: "EPSG:4326+5773", metres))
        },
        HostileCase(name: "the same patches twice, as a file and its folder", status: 64, words: ["same layer", "count twice"]) { bench in
            let file = try bench.shapefile("dup", in: "extract")
            return bench.check(file, [bench.path("extract")] + Command.bundledBoundaries)
        },
        HostileCase(name: "patches in Beijing 1954 Gauss-Krüger", status: 0, words: ["Beijing 1954", "ballpark"],
                    warning: "ballpark_datum_shift") { bench in
            try bench.ogr2ogr(["-t_srs", "EPSG:4539", bench.path("cgcs.gpkg"), try bench.patches("core.gpkg", HostileBench.corePatches(2))])
            try bench.ogr2ogr(["-a_srs", "EPSG:2427", bench.path("bj54.gpkg"), bench.path("cgcs.gpkg")])
            return bench.check(bench.path("bj54.gpkg"))
        },
        HostileCase(name: "a pipe named as the patches", status: 2, words: ["fifo.gpkg", "pipe or a device"]) { bench in
            guard mkfifo(bench.path("fifo.gpkg"), 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
            return bench.check(bench.path("fifo.gpkg"))
        },
        HostileCase(name: "an unwritable --out for run", status: 3, words: ["afile"]) { bench in
            try Data("a file".utf8).write(to: URL(fileURLWithPath: bench.path("afile")))
            try FileManager.default.createDirectory(atPath: bench.path("inbox"), withIntermediateDirectories: true)
            try bench.patches("inbox/day1.gpkg", HostileBench.corePatches(1))
            return ["run", "--registry", bench.path("registry.gpkg"), "--inbox", bench.path("inbox"), "--out", bench.path("afile/out"),
                    "--settle-seconds", "0"] + Command.bundledBoundaries
        },
        HostileCase(name: "--out inside the inbox", status: 64, words: ["--inbox"]) { bench in
            ["run", "--registry", bench.path("registry.gpkg"), "--inbox", bench.folder.url.path, "--out", bench.out]
                + Command.bundledBoundaries
        },

        // Registry
        HostileCase(name: "status of a mistyped registry path", status: 2, words: ["regsitry.gpkg", "no such file"]) { bench in
            ["status", "--registry", bench.path("out/regsitry.gpkg")]
        },
        HostileCase(name: "a data GeoPackage as the registry", status: 2, words: ["data.gpkg", "other data", "patches"]) { bench in
            try FileManager.default.createDirectory(atPath: bench.path("inbox"), withIntermediateDirectories: true)
            return ["run", "--registry", try bench.patches("out/data.gpkg", HostileBench.corePatches(1)), "--inbox", bench.path("inbox"),
             "--out", bench.path("reports")] + Command.bundledBoundaries
        },
        HostileCase(name: "export from a data GeoPackage", status: 2, words: ["data.gpkg", "other data"]) { bench in
            ["export", "--registry", try bench.patches("out/data.gpkg", HostileBench.corePatches(1)), "--out", bench.path("export")]
        },
        HostileCase(name: "a registry missing its status column", status: 2, words: ["registry_clues", "status"]) { bench in
            let inbox = bench.path("inbox"), registry = bench.path("out/registry.gpkg")
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
            try bench.patches("inbox/day1.gpkg", HostileBench.corePatches(1))
            let made = try Command.run(Command.redline, ["run", "--registry", registry, "--inbox", inbox, "--out", bench.path("reports"),
                                                         "--settle-seconds", "0"]
                                       + Command.bundledBoundaries)
            #expect(made.status == 0, "\(made.stderr)")
            let dropped = try Command.run("/usr/bin/ogrinfo", [registry, "-sql", "ALTER TABLE registry_clues DROP COLUMN status"])
            #expect(dropped.status == 0, "\(dropped.stderr)")
            return ["status", "--registry", registry]
        },

        // Sources
        HostileCase(name: "a shapefile without its .dbf", status: 2, words: ["p.shp", "p.dbf", "missing"]) { bench in
            try bench.shapefile("p")
            try bench.remove("p.dbf")
            return bench.check(bench.path("p.shp"))
        },
        HostileCase(name: "a shapefile without its .shx", status: 2, words: ["p.shp", "p.shx"]) { bench in
            try bench.shapefile("p")
            try bench.remove("p.shx")
            return bench.check(bench.path("p.shp"))
        },
        HostileCase(name: "a .shp cut in half", status: 2, words: ["p.shp"]) { bench in
            try bench.shapefile("p", count: 6)
            let shp = try Data(contentsOf: URL(fileURLWithPath: bench.path("p.shp")))
            try shp.prefix(shp.count / 2).write(to: URL(fileURLWithPath: bench.path("p.shp")))
            return bench.check(bench.path("p.shp"))
        },
        HostileCase(name: "a junk bad.shp beside good ones in a folder", status: 2, words: ["bad.shp"]) { bench in
            try bench.shapefile("good", in: "inputs")
            try Data("not a shapefile".utf8).write(to: URL(fileURLWithPath: bench.path("inputs/bad.shp")))
            try Data().write(to: URL(fileURLWithPath: bench.path("inputs/bad.shx")))
            try Data().write(to: URL(fileURLWithPath: bench.path("inputs/bad.dbf")))
            return bench.check(bench.path("inputs"))
        },
        HostileCase(name: "a folder holding a GeoPackage and a shapefile", status: 0, words: [], clues: 5) { bench in
            try bench.shapefile("s", in: "inputs", count: 2)
            try bench.patches("inputs/g.gpkg", HostileBench.corePatches(3, prefix: "G"))
            return bench.check(bench.path("inputs"))
        },
        HostileCase(name: "a zip with the shapefile in a subfolder", status: 0, words: [], clues: 3) { bench in
            try bench.shapefile("z", in: "zipped/sub", count: 3)
            let zipped = try Command.run("/usr/bin/env", ["python3", "-c", """
                import shutil; shutil.make_archive('\(bench.path("patches"))', 'zip', '\(bench.path("zipped"))')
                """])
            #expect(zipped.status == 0, "\(zipped.stderr)")
            return bench.check(bench.path("patches.zip"))
        },
        HostileCase(name: "curve polygons", status: 0, words: [], clues: 2) { bench in
            try bench.ogr2ogr(["-nlt", "MULTISURFACE", bench.path("curved.gpkg"), try bench.patches("flat.gpkg", HostileBench.corePatches(2))])
            return bench.check(bench.path("curved.gpkg"))
        },
        HostileCase(name: "a GBK .dbf whose .cpg says UTF-8", status: 2, words: ["gbk.shp", "UTF-8", "--encoding CP936"]) { bench in
            try bench.shapefile("gbk", options: ["ENCODING=CP936"])
            try Data("UTF-8".utf8).write(to: URL(fileURLWithPath: bench.path("gbk.cpg")))
            return bench.check(bench.path("gbk.shp"))
        },
        HostileCase(name: "a GBK .dbf whose .cpg says LATIN1", status: 0, words: ["gbk.shp", "wrong encoding", "--encoding CP936"],
                    warning: "field_names_misdecoded") { bench in
            try bench.shapefile("gbk", options: ["ENCODING=CP936"])
            try Data("LATIN1".utf8).write(to: URL(fileURLWithPath: bench.path("gbk.cpg")))
            return bench.check(bench.path("gbk.shp"))
        },
    ]

    @Test(arguments: cases) func answersClearlyAndLosesNothing(_ hostile: HostileCase) throws {
        let bench = try HostileBench(hostile.name.filter(\.isLetter))
        let arguments = try hostile.make(bench)
        let before = bench.outputs()
        let result = try Command.run(Command.redline, arguments, in: bench.folder.url)
        #expect(result.status == hostile.status, "\(hostile.name): \(result.stderr)")
        for word in hostile.words {
            #expect(result.stderr.contains(word), "\(hostile.name): “\(word)” missing from: \(result.stderr)")
        }
        let lines = result.stderr.split(separator: "\n")
        // Only the data's own bytes could forge a line; every line is redline's (or the parser's).
        #expect(!result.stderr.contains("\u{1B}") && !lines.contains { $0.hasPrefix("forged") }, "\(result.stderr)")
        let errors = lines.filter { $0.hasPrefix("redline: ") && !$0.hasPrefix("redline: warning: ") }
        if hostile.status == 0 {
            #expect(errors.isEmpty, "\(result.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bench.out + "/summary.json")))
            let figures = summary as? [String: Any]
            let codes = (figures?["warnings"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
            if let warning = hostile.warning {
                #expect(codes?.contains(warning) == true, "\(hostile.name): warnings in summary.json: \(codes ?? [])")
            } else {
                #expect(codes == [], "\(hostile.name): \(result.stderr)")
            }
            if let clues = hostile.clues { #expect(figures?["clues"] as? Int == clues, "\(hostile.name)") }
            if let pairs = hostile.pairs { #expect(figures?["overlap_pairs"] as? Int == pairs, "\(hostile.name)") }
            if let prefix = hostile.idPrefix {
                let layer = try VectorDataset.open(bench.out + "/clues.csv").layer(at: 0)
                let column = try #require(layer.fields.firstIndex { $0.name == "clue_id" })
                while let feature = try layer.nextFeature() {
                    #expect(feature.text(column)?.hasPrefix(prefix) == true, "\(hostile.name): \(feature.text(column) ?? "")")
                }
            }
        } else {
            // `run` logs events, one line each; the others say what went wrong in one line.
            if hostile.status != 64 && arguments.first != "run" { #expect(errors.count == 1, "one line: \(result.stderr)") }
            let after = bench.outputs()
            #expect(after == before, "\(hostile.name): \(after.keys.sorted()) after, \(before.keys.sorted()) before")
        }
    }

    /// The patches without an ID get one from their geometry: the same on every run and in any order.
    @Test func patchesWithoutAnIDKeepTheirMadeIDAcrossRuns() throws {
        let bench = try HostileBench("noid")
        let a = HostileBench.patch("", 89.30, 45.30), b = HostileBench.patch("", 89.32, 45.30)
        func ids(_ features: [FixtureFeature], _ name: String) throws -> Set<String> {
            let out = bench.path("out-\(name)")
            let result = try Command.run(Command.redline, ["check", "--quiet", try bench.patches("\(name).gpkg", features),
                                                           "--out", out] + Command.bundledBoundaries)
            #expect(result.status == 0, "\(result.stderr)")
            let layer = try VectorDataset.open(out + "/clues.csv").layer(at: 0)
            let column = try #require(layer.fields.firstIndex { $0.name == "activity_id" })
            var found: Set<String> = []
            while let feature = try layer.nextFeature() { found.insert(feature.text(column) ?? "") }
            return found
        }
        let first = try ids([a, b], "first"), reordered = try ids([b, a], "second")
        #expect(first.count == 2 && first.allSatisfy { $0.hasPrefix("noid-") && $0.count == 21 })
        #expect(first == reordered)
    }
}
