import Foundation
import GDALKit
import Testing
import TestSupport

/// Runs the built `redline` binary on the bundled Geodata, as a user would.
@Suite(.serialized) struct CLITests {
    let geodata = Command.packageRoot.appendingPathComponent("Geodata")

    /// `redline check`, against the bundled boundaries unless the arguments name others.
    func check(_ arguments: [String]) throws -> CommandResult {
        let boundaries = arguments.contains("--protected") ? [] : Command.bundledBoundaries
        return try Command.run(Command.redline, ["check", "--quiet"] + arguments + boundaries)
    }

    func rows(_ file: String) throws -> [[String: String]] {
        let layer = try VectorDataset.open(file).layer(at: 0)
        var rows: [[String: String]] = []
        while let feature = try layer.nextFeature() {
            var row: [String: String] = [:]
            for (index, field) in layer.fields.enumerated() { row[field.name] = feature.text(index) }
            rows.append(row)
        }
        return rows
    }

    @Test func checksTheBundledGeodataEndToEnd() throws {
        let out = TemporaryFolder("redline-cli")
        let result = try check([geodata.appendingPathComponent("activities.gpkg").path, "--out", out.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.url.path).sorted()
        #expect(files == ["clues.csv", "clues.geojson", "clues.gpkg", "overlaps.csv", "summary.json"])

        let clues = try rows(out.path("clues.csv"))
        let byID = Dictionary(uniqueKeysWithValues: clues.map { ($0["activity_id"]!, $0) })
        #expect(byID["KL-0001"]?["strictest_zone"] == "core")
        #expect(byID["KL-0001"]?["share_inside"] == "1.0000")
        #expect(byID["KL-0002"]?["protected_count"] == "2")
        #expect(byID["KL-0004"]?["strictest_zone"] == "experimental")
        #expect(byID["KL-0005"].map { Double($0["share_inside"]!)! }.map { $0 > 0.3 && $0 < 0.7 } == true)
        #expect(byID["KL-0007"]?["overlap_m2"] == byID["KL-0007"]?["patch_m2"])
        #expect(byID["KL-0009"]?["repaired"] == "1")
        #expect(byID["KL-0008"]?["strictest_zone"] == "red_line")
        #expect(byID["KL-0001"]?["类型"] == "采矿")
        for absent in ["KL-0006", "KL-0011", "KL-0012", "KL-0013", "KL-0014"] { #expect(byID[absent] == nil, "\(absent)") }

        let overlaps = try rows(out.path("overlaps.csv"))
        #expect(overlaps.filter { $0["activity_id"] == "KL-0007" }.map { $0["kind"]! }.sorted() == ["nature_reserve", "red_line"])
        #expect(try rows(out.path("clues.geojson")).count == clues.count)
        let gpkg = try VectorDataset.open(out.path("clues.gpkg"))
        #expect(try gpkg.layer(named: "clues")?.featureCount == clues.count)
        #expect(try gpkg.layer(named: "overlaps")?.featureCount == overlaps.count)
        #expect(try gpkg.executeSQL("SELECT count(*) FROM rtree_clues_geom") == ["\(clues.count)"], "the spatial index holds every clue")
        #expect(try gpkg.executeSQL("SELECT count(*) FROM rtree_overlaps_geom") == ["\(overlaps.count)"])

        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path("summary.json")))) as! [String: Any]
        #expect(summary["clues"] as? Int == clues.count)
        let activities = summary["activities"] as! [String: Any]
        #expect(activities["features_read"] as? Int == 68)
        #expect((activities["skipped"] as! [String: Int])["missing_geometry"] == 1)
        #expect(activities["repaired"] as? Int == 1)
        let reserves = summary["by_reserve"] as! [[String: Any]]
        let kalamaili = try #require(reserves.first { ($0["name"] as? String)?.hasPrefix("卡拉麦里") == true })
        let zoneRows = overlaps.filter { $0["protected_name"] == kalamaili["name"] as? String }
        #expect(kalamaili["pairs"] as? Int == zoneRows.count)
        let zoneSum = zoneRows.map { Double($0["overlap_m2"]!)! }.reduce(0, +)
        #expect(abs((kalamaili["overlap_m2"] as! Double) - zoneSum) < 0.01 * Double(zoneRows.count))
        let inputs = (summary["inputs"] as! [String: [[String: Any]]])["activities"]!
        #expect((inputs[0]["sha256"] as? String)?.count == 64)
    }

    /// A clue ID names the patch, not the file it came in: renaming the file or its layer, or
    /// exporting it to another format, keeps every ID.
    @Test func clueIDsSurviveRenamedFilesLayersAndFormats() throws {
        let folder = TemporaryFolder("redline-ids")
        let source = geodata.appendingPathComponent("activities.gpkg").path
        let copies = [("day1.gpkg", ["-nln", "day1"]), ("day1_final.gpkg", ["-nln", "patches_final"]),
                      ("day1.geojson", ["-f", "GeoJSON", "-lco", "RFC7946=NO"]),
                      ("day1_rfc.geojson", ["-f", "GeoJSON", "-lco", "RFC7946=YES"])]  // WGS 84, 7 decimals
        var idsByCopy: [[String: String]] = []
        for (name, options) in copies {
            #expect(try Command.run("/usr/bin/ogr2ogr", options + [folder.path(name), source]).status == 0)
            let out = folder.path("out-\(name)")
            let result = try Command.run(Command.redline, ["check", "--quiet", folder.path(name), "--out", out] + Command.bundledBoundaries)
            #expect(result.status == 0, "\(result.stderr)")
            let clues = try rows(out + "/clues.csv")
            idsByCopy.append(Dictionary(uniqueKeysWithValues: clues.map { ($0["activity_id"]!, $0["clue_id"]!) }))
        }
        #expect(idsByCopy[0].count > 10)
        #expect(idsByCopy.allSatisfy { $0 == idsByCopy[0] }, "the same patches keep their IDs")

        // Without an ID field the feature numbers differ between formats (GeoPackage counts from
        // 1, GeoJSON from 0); the clue IDs do not, and the run says the IDs are feature numbers.
        var withoutField: [Set<String>] = []
        for (name, options) in [("noid.gpkg", [String]()), ("noid.geojson", ["-f", "GeoJSON"])] {
            #expect(try Command.run("/usr/bin/ogr2ogr", options + [folder.path(name), source, "-sql",
                                                                    "SELECT 类型, geom FROM patches"]).status == 0)
            let out = folder.path("out-\(name)")
            let result = try Command.run(Command.redline, ["check", folder.path(name), "--out", out] + Command.bundledBoundaries)
            #expect(result.status == 0 && result.stderr.contains("has no ID field"), "\(result.stderr)")
            withoutField.append(Set(try rows(out + "/clues.csv").map { $0["clue_id"]! }))
        }
        #expect(withoutField[0].count > 10 && withoutField[0] == withoutField[1], "\(withoutField)")
    }

    /// A reserve layer keeping its ID in bhqbh and a red-line layer keeping it in hxbh are read
    /// in one run, each through its own mapping; a mapped field that is missing is named.
    @Test func eachSourceCarriesItsOwnFieldNames() throws {
        let folder = TemporaryFolder("redline-mapping")
        let protected = geodata.appendingPathComponent("protected.gpkg").path
        #expect(try Command.run("/usr/bin/ogr2ogr", [folder.path("reserves.gpkg"), protected, "-nln", "reserves", "-sql",
                                                      "SELECT protected_id AS bhqbh, name AS bhqmc, kind, zone AS gnfq_2020, valid_from, valid_to, geom "
                                                      + "FROM nature_reserve_zones"]).status == 0)
        #expect(try Command.run("/usr/bin/ogr2ogr", [folder.path("redlines.gpkg"), protected, "-nln", "redlines", "-sql",
                                                      "SELECT protected_id AS hxbh, name AS hxmc_full, kind, geom FROM red_lines"]).status == 0)
        let activities = geodata.appendingPathComponent("activities.gpkg").path
        func check(_ sources: [String], out: String) throws -> CommandResult {
            try Command.run(Command.redline, ["check", "--quiet", activities, "--out", folder.path(out)]
                            + sources.flatMap { ["--protected", $0] } + ["--admin", geodata.appendingPathComponent("counties.gpkg").path])
        }
        let reference = try check([protected], out: "reference")
        #expect(reference.status == 0, "\(reference.stderr)")
        let mapped = try check([folder.path("reserves.gpkg") + "|id=bhqbh|name=bhqmc|zone=gnfq_2020",
                                folder.path("redlines.gpkg") + "|layername=redlines|id=hxbh|name=hxmc_full"], out: "mapped")
        #expect(mapped.status == 0, "\(mapped.stderr)")
        func byPatch(_ out: String) throws -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: try rows(folder.path(out) + "/clues.csv").map {
                ($0["activity_id"]!, [$0["protected_ids"]!, $0["protected_names"]!, $0["strictest_zone"]!, $0["verdict"]!])
            })
        }
        #expect(try byPatch("mapped") == byPatch("reference"), "the same clues, IDs, names and zones")
        let summary = try String(contentsOf: URL(fileURLWithPath: folder.path("mapped/summary.json")), encoding: .utf8)
        #expect(summary.contains("reserves.gpkg|id=bhqbh|name=bhqmc|zone=gnfq_2020"), "the mapping is recorded with the source")

        let missing = try check([folder.path("reserves.gpkg") + "|id=bhqbh|zone=gnfq"], out: "missing")
        #expect(missing.status == 2 && missing.stderr.contains("reserves.gpkg:reserves") && missing.stderr.contains("gnfq")
                && missing.stderr.contains("gnfq_2020"), "names the layer, the field and the fields it has: \(missing.stderr)")
        let twice = try check([folder.path("reserves.gpkg") + "|id=bhqbh|id=bhqmc"], out: "twice")
        #expect(twice.status == 64 && twice.stderr.contains("|id= is given twice"), "\(twice.stderr)")
        let unknown = try check([folder.path("reserves.gpkg") + "|colour=red"], out: "unknown")
        #expect(unknown.status != 0 && unknown.stderr.contains("|colour=") && unknown.stderr.contains("|zone="), "\(unknown.stderr)")
    }

    @Test func formatsPickTheClueFilesAndLeaveNoStaleOnes() throws {
        let out = TemporaryFolder("redline-formats")
        let activities = geodata.appendingPathComponent("activities.gpkg").path
        #expect(try check([activities, "--out", out.url.path]).status == 0)
        let allCSV = try String(contentsOfFile: out.path("clues.csv"), encoding: .utf8)

        let csvOnly = try check([activities, "--out", out.url.path, "--formats", "csv"])
        #expect(csvOnly.status == 0, "\(csvOnly.stderr)")
        // The GeoPackage and GeoJSON of the first run are gone: they would pass for this run's.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.url.path).sorted()
                == ["clues.csv", "overlaps.csv", "summary.json"])
        #expect(try String(contentsOfFile: out.path("clues.csv"), encoding: .utf8) == allCSV)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path("summary.json")))) as! [String: Any]
        #expect((summary["settings"] as? [String: String])?["formats"] == "csv")

        let unknown = try check([activities, "--out", out.url.path, "--formats", "csv,kml"])
        #expect(unknown.status == 64 && unknown.stderr.contains("“kml”"))
        let none = try check([activities, "--out", out.url.path, "--formats", " , "])
        #expect(none.status == 64 && none.stderr.contains("name at least one of csv, gpkg, geojson"))
        let noGeoPackage = try check([activities, "--out", out.url.path, "--formats", "geojson",
                                      "--checklists", out.path("sheets")])
        #expect(noGeoPackage.status == 64 && noGeoPackage.stderr.contains("add gpkg to --formats"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.url.path).count == 3)
    }

    /// Boundaries on Pulkovo 1942 (EPSG:4284), whose datum sits some 45 m off WGS 84 here: the
    /// GeoPackage keeps the frame's coordinates, the GeoJSON carries WGS 84 ones, as PROJ's cs2cs
    /// (an independent program) transforms them.
    @Test func geoJSONIsInWGS84WhateverTheFrame() throws {
        let folder = TemporaryFolder("redline-datum")
        let fields = [FieldDefinition(name: "id", kind: .string), FieldDefinition(name: "zone", kind: .string)]
        let protected = try Fixture.write(folder.path("protected.gpkg"), layer: "zones", crs: "EPSG:4284", fields: fields,
                                          features: [FixtureFeature([.string("R"), .string("核心区")],
                                                                    wkb: Fixture.polygon([Fixture.box(89.9, 44.9, 90.1, 45.1)]))])
        let activities = try Fixture.write(folder.path("patches.gpkg"), layer: "patches", crs: "EPSG:4284", fields: fields,
                                           features: [FixtureFeature([.string("P"), .null],
                                                                     wkb: Fixture.polygon([Fixture.box(90.0, 45.0, 90.004, 45.003)]))])
        let result = try check([activities, "--protected", protected, "--out", folder.path("out")])
        #expect(result.status == 0, "\(result.stderr)")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("out/clues.geojson"))))
        let features = try #require((json as? [String: Any])?["features"] as? [[String: Any]])
        let geometry = try #require(features.first?["geometry"] as? [String: Any])
        // A polygon's or a multi-polygon's first ring; its first vertex is (90.0, 45.0) in the frame.
        var coordinates: Any? = geometry["coordinates"]
        while let nested = coordinates as? [Any], !(nested.first is Double) { coordinates = nested.first }
        let vertex = try #require(coordinates as? [Double])
        let reference = try Command.run("/bin/sh", ["-c", "echo '45.0 90.0' | cs2cs -f %.9f EPSG:4284 EPSG:4326"])
        let latLon = reference.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        #expect(abs(latLon[0] - 45.0) > 1e-4, "the datum shift this test relies on")
        #expect(abs(vertex[0] - latLon[1]) < 2e-7 && abs(vertex[1] - latLon[0]) < 2e-7, "\(vertex) vs \(latLon)")
    }

    /// REDLINE_CACHE names the folder of cut boundaries, or turns it off; without it the cache is
    /// under XDG_CACHE_HOME. A run from the cache writes the same clues as one that cut the
    /// boundaries.
    @Test func theBoundaryCacheFollowsREDLINE_CACHE() throws {
        let folder = TemporaryFolder("redline-cli-cache")
        let activities = geodata.appendingPathComponent("activities.gpkg").path
        func run(_ cache: String?, _ out: String) throws -> CommandResult {
            // Run inside the temporary folder, so a cache taken for a relative path would show.
            try Command.run("/usr/bin/env", ["-u", "REDLINE_CACHE", "XDG_CACHE_HOME=\(folder.path("xdg"))"]
                            + (cache.map { ["REDLINE_CACHE=\($0)"] } ?? [])
                            + [Command.redline, "check", "--quiet", activities, "--out", folder.path(out)] + Command.bundledBoundaries,
                            in: folder.url)
        }
        func entries(_ path: String) -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".pieces") }.count
        }
        #expect(try run("off", "plain").status == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path("off")) && !FileManager.default.fileExists(atPath: folder.path("xdg")))
        #expect(try run(folder.path("cache"), "cold").status == 0)
        // One entry for the protected areas, one for the counties.
        #expect(entries(folder.path("cache")) == 2 && entries(folder.path("xdg/redline")) == 0)
        #expect(try run(folder.path("cache"), "warm").status == 0)
        #expect(try run(nil, "default").status == 0)
        #expect(entries(folder.path("xdg/redline")) == 2)
        for file in ["clues.csv", "overlaps.csv"] {
            let plain = try String(contentsOfFile: folder.path("plain/\(file)"), encoding: .utf8)
            for run in ["cold", "warm", "default"] {
                #expect(try String(contentsOfFile: folder.path("\(run)/\(file)"), encoding: .utf8) == plain, "\(run)")
            }
        }
    }

    /// The demo of the README: boundary versions, counties, rules and IDs on the bundled data.
    @Test func demoShowsVersionsCountiesVerdictsAndIDs() throws {
        let out = TemporaryFolder("redline-demo")
        let result = try check([geodata.appendingPathComponent("activities.gpkg").path, "--near", "2000", "--out", out.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        let byID = Dictionary(uniqueKeysWithValues: try rows(out.path("clues.csv")).map { ($0["activity_id"]!, $0) })
        // The coal pit in the notch: inside on the original boundary's last day, outside while the
        // cut-back boundary was in force, inside again after the restoration.
        #expect(byID["KL-0061"]?["clue_id"]?.hasPrefix("652325-2018Q2-") == true)
        #expect(byID["KL-0062"] == nil && byID["KL-0063"] == nil)
        #expect(byID["KL-0064"]?["rule_id"] == "NR-MINING" && byID["KL-0064"]?["period"] == "2026Q3")
        #expect(byID["KL-0065"]?["straddles_border"] == "1" && byID["KL-0065"]?["county_code"] == "652325")
        #expect(byID["KL-0001"]?["county_name"] == "富蕴县" && byID["KL-0001"]?["verdict"] == "prohibited")
        #expect(byID["KL-0067"]?["rule_id"] == "NR-CORE-RESEARCH")
        #expect(byID["KL-0066"]?["activity_type"] == "unknown")
        #expect(byID["KL-0053"]?["placement"] == "near" && byID["KL-0053"]?["severity"] == "low")
        #expect(result.stderr.contains("挖掘作业"), "unknown activity values are reported")
        let overlaps = try rows(out.path("overlaps.csv"))
        #expect(overlaps.first { $0["activity_id"] == "KL-0061" }?["valid_to"] == "2018-06-30")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path("summary.json")))) as! [String: Any]
        #expect((summary["counties"] as! [String: Any])["loaded"] as? Int == 6)
        #expect((summary["unknown_activity_type_values"] as! [String: Int]) == ["挖掘作业": 1])
    }

    static let badRules = """
    version: 1
    rules:
      - id: R1
        kind: red_line
        zones: any
        activities: [mining]
        verdict: forbidden
        severity: high
        reason_zh: 禁止
        reason_en: Banned
      - id: R2
        kind: reserve_park
        zones: any
        activities: any
        verdict: prohibited
        severity: high
        reason_zh: 禁止
    """

    @Test func rulesCheckListsEveryErrorWithItsLine() throws {
        let folder = TemporaryFolder("redline-rules")
        try Data(Self.badRules.utf8).write(to: URL(fileURLWithPath: folder.path("bad.yaml")))
        let result = try Command.run(Command.redline, ["rules", "check", folder.path("bad.yaml")])
        #expect(result.status == 2)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix(folder.path("bad.yaml") + ":7: unknown verdict “forbidden”") })
        #expect(lines.contains { $0.hasPrefix(folder.path("bad.yaml") + ":12: unknown kind “reserve_park”") })
        #expect(lines.contains { $0.hasPrefix(folder.path("bad.yaml") + ":11: rule “R2” has no reason_en") })

        let shown = try Command.run(Command.redline, ["rules", "show"])
        try Data(shown.stdout.utf8).write(to: URL(fileURLWithPath: folder.path("default.yaml")))
        let good = try Command.run(Command.redline, ["rules", "check", folder.path("default.yaml")])
        #expect(good.status == 0 && good.stdout.contains("OK — 26 rules, 19 activity types"), "\(good.stdout)")
    }

    /// Notepad on a Chinese Windows saves GBK with CRLF line ends; such a file must work as it is.
    @Test func aRulesFileSavedAsGBKWithCRLFIsRead() throws {
        let folder = TemporaryFolder("redline-rules")
        let shown = try Command.run(Command.redline, ["rules", "show"]).stdout
            .replacingOccurrences(of: "severity: medium", with: "severity: high")
        try Data(shown.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: URL(fileURLWithPath: folder.path("utf8.yaml")))
        let recoded = try Command.run("/bin/sh", ["-c", "iconv -f UTF-8 -t GB18030 '\(folder.path("utf8.yaml"))' > '\(folder.path("gbk.yaml"))'"])
        #expect(recoded.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.path("gbk.yaml")))
        #expect(String(data: bytes, encoding: .utf8) == nil, "the fixture must really be GBK")
        #expect(try Command.run(Command.redline, ["rules", "check", folder.path("gbk.yaml")]).status == 0)
        let result = try check([geodata.appendingPathComponent("activities.gpkg").path, "--rules", folder.path("gbk.yaml"),
                                "--out", folder.path("out")])
        #expect(result.status == 0, "\(result.stderr)")
        let byID = Dictionary(uniqueKeysWithValues: try rows(folder.path("out/clues.csv")).map { ($0["activity_id"]!, $0) })
        #expect(byID["KL-0067"]?["severity"] == "high", "the edited rule applies")
        #expect(byID["KL-0067"]?["reason_zh"]?.hasPrefix("核心区禁止进入") == true, "Chinese reasons survive the recoding")
    }

    @Test func aBadRulesFileStopsTheCheckBeforeAnythingIsWritten() throws {
        let folder = TemporaryFolder("redline-rules")
        try Data(Self.badRules.utf8).write(to: URL(fileURLWithPath: folder.path("bad.yaml")))
        let result = try check([geodata.appendingPathComponent("activities.gpkg").path, "--rules", folder.path("bad.yaml"),
                                "--out", folder.path("out")])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("bad.yaml:7: unknown verdict") && result.stderr.contains("2 more problems"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("out")))
    }

    @Test func overlapsAgreeWithAnIndependentShapelyAndGeodComputation() throws {
        let out = TemporaryFolder("redline-cross")
        let activities = geodata.appendingPathComponent("activities.gpkg").path
        let protected = geodata.appendingPathComponent("protected.gpkg").path
        #expect(try check([activities, "--protected", protected, "--out", out.url.path]).status == 0)
        let result = try Command.run("/usr/bin/python3", [Command.packageRoot.appendingPathComponent("Tools/crosscheck.py").path,
                                                          out.url.path, "--activities", activities, "--protected", protected])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("0 problems"))
    }

    @Test func oneWorkerAndManyWriteTheSameBytes() throws {
        let one = TemporaryFolder("redline-j1"), many = TemporaryFolder("redline-j3")
        let activities = geodata.appendingPathComponent("activities.gpkg").path
        #expect(try check([activities, "--jobs", "1", "--out", one.url.path]).status == 0)
        #expect(try check([activities, "--jobs", "3", "--out", many.url.path]).status == 0)
        for file in ["clues.csv", "overlaps.csv", "clues.geojson"] {
            let a = FileManager.default.contents(atPath: one.path(file)), b = FileManager.default.contents(atPath: many.path(file))
            #expect(a != nil && a == b, "\(file) differs between --jobs 1 and --jobs 3")
        }
    }

    @Test func badInputIsOneLineAndLeavesEarlierOutputsAlone() throws {
        let out = TemporaryFolder("redline-bad")
        try Data("earlier run\n".utf8).write(to: URL(fileURLWithPath: out.path("clues.csv")))
        let result = try check(["/no/such/patches.gpkg", "--out", out.url.path])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("/no/such/patches.gpkg") == true)
        #expect(String(decoding: FileManager.default.contents(atPath: out.path("clues.csv"))!, as: UTF8.self) == "earlier run\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.url.path) == ["clues.csv"])
    }

    @Test func unwritableOutputFolderIsExitThreeWithOneLine() throws {
        let folder = TemporaryFolder("redline-blocked")
        try Data("a file where the folder should go".utf8).write(to: URL(fileURLWithPath: folder.path("blocker")))
        let result = try check([geodata.appendingPathComponent("activities.gpkg").path, "--out", folder.path("blocker/out")])
        #expect(result.status == 3)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("blocker/out"))
    }

    /// kill -9 in the middle of writing: the folder keeps what it had (no half-written file
    /// that looks whole), and the next run clears the abandoned staging folder.
    /// Killed outright, a run leaves its staging folder to the next run; stopped by SIGTERM or
    /// Ctrl-C, it removes the folder itself. Either way the earlier outputs stay as they were.
    @Test(arguments: [SIGKILL, SIGTERM, SIGINT])
    func killedRunLeavesEarlierOutputsAndTheNextRunCleansUp(signal: Int32) throws {
        let folder = TemporaryFolder("redline-kill")
        var features: [FixtureFeature] = []
        for index in 0..<60_000 {
            let lon = 88.6 + Double(index % 300) * 0.005, lat = 44.7 + Double(index / 300) * 0.006
            features.append(FixtureFeature([.string("K\(index)")], wkb: Fixture.polygon([Fixture.box(lon, lat, lon + 0.002, lat + 0.002)])))
        }
        let activities = try Fixture.write(folder.path("many.gpkg"), layer: "many", crs: "EPSG:4490",
                                           fields: [FieldDefinition(name: "id", kind: .string)], features: features)
        let out = folder.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("earlier run\n".utf8).write(to: URL(fileURLWithPath: out + "/clues.csv"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Command.redline)
        process.arguments = ["check", "--quiet", activities, "--out", out] + Command.bundledBoundaries
        process.currentDirectoryURL = Command.packageRoot
        try process.run()
        // Wait until it is writing into its staging folder, then kill it outright.
        var staging: [String] = []
        for _ in 0..<400 where staging.isEmpty {
            usleep(25_000)
            staging = (try FileManager.default.contentsOfDirectory(atPath: out)).filter { $0.hasPrefix(".redline-staging-") }
        }
        usleep(300_000)
        #expect(process.isRunning, "the run ended before it could be killed; give it more patches")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal)
        let left = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(left.filter { !$0.hasPrefix(".") } == ["clues.csv"])
        #expect(signal == SIGKILL || left == ["clues.csv"], "\(left)")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/clues.csv")), as: UTF8.self) == "earlier run\n")

        let rerun = try check([geodata.appendingPathComponent("activities.gpkg").path, "--out", out])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(after == ["clues.csv", "clues.geojson", "clues.gpkg", "overlaps.csv", "summary.json"])
    }

    @Test func unknownFieldNamesTheLayerAndListsItsFields() throws {
        let out = TemporaryFolder("redline-field")
        let result = try check([geodata.appendingPathComponent("activities.gpkg").path, "--activity-id", "nope",
                                "--out", out.path("results")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("has no field “nope”"))
        #expect(result.stderr.contains("tbbh"))
        // A failed first run leaves no output folder behind.
        #expect(!FileManager.default.fileExists(atPath: out.path("results")))
    }

    /// The same check with every layer read from a real PostGIS server (a throwaway cluster on a
    /// unix socket, started by Tools/postgis.sh) gives the same clues as from the GeoPackages.
    /// GDAL repeats the connection string in its errors: the password must not come with it.
    @Test func aConnectionPasswordIsNeverPrinted() throws {
        let folder = TemporaryFolder("redline-password")
        let result = try Command.run(Command.redline, ["check", geodata.appendingPathComponent("activities.gpkg").path, "--out",
                                                       folder.path("out"), "--protected",
                                                       "PG:dbname=x host=/nonexistent user=u password=topsecret"])
        #expect(result.status == 2 && result.stderr.contains("password=***"), "\(result.stderr)")
        #expect(!result.stderr.contains("topsecret") && !result.stdout.contains("topsecret"))
    }

    @Test func readsActivitiesAndBoundariesFromPostGIS() throws {
        let cluster = TemporaryFolder("redline-pg")
        let script = Command.packageRoot.appendingPathComponent("Tools/postgis.sh").path
        let started = try Command.run("/bin/bash", [script, "start", cluster.path("pg")])
        #expect(started.status == 0, "\(started.stderr)")
        let connection = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? Command.run("/bin/bash", [script, "stop", cluster.path("pg")]) }
        for file in ["activities.gpkg", "protected.gpkg"] {
            let loaded = try Command.run("/usr/bin/ogr2ogr", ["-f", "PostgreSQL", connection,
                                                              geodata.appendingPathComponent(file).path])
            #expect(loaded.status == 0, "\(loaded.stderr)")
        }
        let fromDatabase = TemporaryFolder("redline-pg-out"), fromFiles = TemporaryFolder("redline-file-out")
        let result = try check(["\(connection)|layername=patches", "--protected", "\(connection)|layername=nature_reserve_zones",
                                "--protected", "\(connection)|layername=red_lines", "--out", fromDatabase.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try check([geodata.appendingPathComponent("activities.gpkg").path, "--out", fromFiles.url.path]).status == 0)
        func figures(_ folder: TemporaryFolder) throws -> [String] {
            try rows(folder.path("clues.csv")).map { "\($0["clue_id"]!) \($0["activity_id"]!) \($0["overlap_m2"]!) \($0["strictest_zone"]!)" }
        }
        let database = try figures(fromDatabase)
        #expect(!database.isEmpty)
        #expect(database.map { $0.split(separator: " ").dropFirst().joined() } == (try figures(fromFiles)).map { $0.split(separator: " ").dropFirst().joined() })
    }

    @Test func helpShowsAWorkedExample() throws {
        let result = try Command.run(Command.redline, ["check", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("redline check Geodata/activities.gpkg"))
    }

    /// Discussions are reflowed before ArgumentParser wraps them: no paragraph is cut into short
    /// lines where the source happened to break (every line but a paragraph's last is nearly full).
    @Test(arguments: ["check", "run", "checklist", "export"])
    func helpParagraphsAreNotRagged(subcommand: String) throws {
        let result = try Command.run(Command.redline, [subcommand, "--help"])
        #expect(result.status == 0)
        let discussion = result.stdout.components(separatedBy: "\nOPTIONS:")[0]
        let lines = discussion.components(separatedBy: "\n")
        for (index, line) in lines.enumerated().dropLast() where !line.isEmpty && !line.hasPrefix(" ") {
            let next = lines[index + 1]
            guard !next.isEmpty, !next.hasPrefix(" "), !next.hasPrefix("- "), !line.hasSuffix(":") else { continue }
            // The next word would have fitted on this line: the break was the source's, not the wrap's.
            let firstWord = next.split(separator: " ").first.map(String.init) ?? ""
            #expect(line.count + 1 + firstWord.count >= 80, "\(subcommand) --help: “\(line)” / “\(next)”")
        }
    }
}
