import Foundation
import GDALKit
import GEOSKit
import Testing
import TestSupport

/// The field bundles, re-read with GDAL, rendered in Chromium, and fed hostile data.
@Suite(.serialized) struct ChecklistCLITests {
    let geodata = Command.packageRoot.appendingPathComponent("Geodata")

    struct Row { let values: [String: String]; let vertices: [(x: Double, y: Double)] }

    func rows(_ path: String, layer: String? = nil) throws -> [Row] {
        let dataset = try VectorDataset.open(path)
        var result: [Row] = []
        for index in 0..<dataset.layerCount {
            let open = try dataset.layer(at: index)
            if let layer, open.name != layer { continue }
            let fields = open.fields
            while let feature = try open.nextFeature() {
                var values: [String: String] = [:]
                for (position, field) in fields.enumerated() { values[field.name] = feature.text(position) ?? "" }
                result.append(Row(values: values, vertices: feature.vertices()))
            }
        }
        return result
    }

    /// Runs the demo check with bundles; returns the check folder.
    func demo(_ folder: TemporaryFolder, extra: [String] = []) throws -> URL {
        let out = folder.url.appendingPathComponent("out")
        let result = try Command.run(Command.redline, ["check", "--quiet", geodata.appendingPathComponent("activities.gpkg").path,
                                                       "--near", "2000", "--out", out.path,
                                                       "--checklists", out.appendingPathComponent("checklists").path]
                                       + Command.bundledBoundaries + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return out
    }

    @Test func everyCountyGetsABundleWhoseFilesAgreeWithTheClues() throws {
        let folder = TemporaryFolder("redline-checklists")
        let out = try demo(folder)
        let clues = try rows(out.appendingPathComponent("clues.csv").path)
        let byID = Dictionary(uniqueKeysWithValues: clues.map { ($0.values["clue_id"]!, $0.values) })
        let bundles = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checklists").path).sorted()
        #expect(bundles == ["652302-阜康市", "652325-奇台县", "652327-吉木萨尔县", "654322-富蕴县", "654323-福海县", "654325-青河县"])
        // Every file sends the team to one point inside the patch: its centroid where that lies
        // inside, else a point inside its largest part (the demo has both).
        let geos = GEOSContext()
        var patches: [String: Geometry] = [:]
        let gpkg = try #require(try VectorDataset.open(out.appendingPathComponent("clues.gpkg").path).layer(named: "clues"))
        while let feature = try gpkg.nextFeature() {
            if case .polygonal(let wkb) = feature.geometry() { patches[feature.text(0)!] = try geos.geometry(wkb: wkb) }
        }
        var movedOffTheCentroid = 0
        func expectInside(_ x: Double, _ y: Double, _ id: String) throws {
            let clue = byID[id]!, patch = try #require(patches[id])
            #expect(try patch.contains(try geos.geometry(wkt: "POINT (\(x) \(y))")), "\(id): \(x), \(y) lies in its patch")
            let centroid = try geos.geometry(wkt: "POINT (\(clue["centroid_lon"]!) \(clue["centroid_lat"]!))")
            if try patch.contains(centroid) {
                #expect(abs(x - Double(clue["centroid_lon"]!)!) < 1e-6 && abs(y - Double(clue["centroid_lat"]!)!) < 1e-6)
            } else {
                movedOffTheCentroid += 1
            }
        }
        var seen = 0
        for bundle in bundles {
            let path = out.appendingPathComponent("checklists").appendingPathComponent(bundle)
            let code = String(bundle.prefix(6))
            let expected = Set(clues.filter { $0.values["county_code"] == code }.map { $0.values["clue_id"]! })

            let sheet = try rows(path.appendingPathComponent("clues.xlsx").path, layer: "核查清单")
            #expect(sheet.map { $0.values["序号"] } == (1...sheet.count).map { String($0) })
            let visiting = sheet.map { $0.values["线索编号"]! }
            #expect(Set(visiting) == expected && visiting.count == expected.count, "\(bundle) spreadsheet")
            for row in sheet {
                try expectInside(Double(row.values["经度"]!)!, Double(row.values["纬度"]!)!, row.values["线索编号"]!)
                #expect(row.values["核查结果(属实/不属实/部分属实)"] == "", "left for the team")
            }

            let waypoints = try rows(path.appendingPathComponent("route.gpx").path, layer: "waypoints")
            #expect(waypoints.map { $0.values["name"]! } == visiting, "\(bundle): the GPX follows the same visiting order")
            // CGCS2000 and WGS 84 coincide to centimetres: PROJ's transformation between them is a no-op.
            for point in waypoints { try expectInside(point.vertices[0].x, point.vertices[0].y, point.values["name"]!) }
            let track = try rows(path.appendingPathComponent("route.gpx").path, layer: "tracks")
            #expect(track.count == 1 && track[0].vertices.count == visiting.count + 2, "start, every clue, start")

            let placemarks = try rows(path.appendingPathComponent("clues.kmz").path).filter { expected.contains($0.values["Name"] ?? "") }
            let points = placemarks.filter { $0.vertices.count == 1 }
            #expect(Set(points.map { $0.values["Name"]! }) == expected && points.count == expected.count, "\(bundle) KMZ")
            #expect(placemarks.count == 2 * expected.count, "a polygon and a placemark per clue")
            for point in points { try expectInside(point.vertices[0].x, point.vertices[0].y, point.values["Name"]!) }

            let html = try String(contentsOf: path.appendingPathComponent("checklist.html"), encoding: .utf8)
            let positions = visiting.map { html.range(of: ">\($0)</a>")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil } && positions.map { $0! } == positions.map { $0! }.sorted(),
                    "\(bundle): the index lists the clues in visiting order")
            #expect(html.components(separatedBy: "<section class=\"page clue\"").count - 1 == visiting.count)
            #expect(html.contains("background:#b2182b59;border-color:#7f0f1e") && html.contains(##"fill="#b2182b" fill-opacity="0.35""##)
                    || !html.contains(##"fill="#b2182b""##), "the legend's core swatch is the map's core fill at the map's opacity")
            seen += visiting.count
        }
        #expect(seen == clues.count, "every clue is in exactly one bundle")
        #expect(movedOffTheCentroid > 0, "the demo has patches whose centroid lies outside them")
    }

    /// The spreadsheet as a team works in it: header and IDs in view, a dropdown and a date
    /// check on the cells they fill, columns wide enough for reserve names, a summary sheet.
    @Test func theSpreadsheetIsOneATeamCanWorkIn() throws {
        let folder = TemporaryFolder("redline-checklists")
        let out = try demo(folder)
        let path = out.appendingPathComponent("checklists/652325-奇台县/clues.xlsx").path
        let clues = try rows(path, layer: "核查清单")
        let names = try GDALConfiguration.with([("OGR_XLSX_HEADERS", "FORCE")]) { try VectorDataset.open(path).layer(at: 0).fields.map(\.name) }
        func letter(_ name: String) throws -> String {
            ChecklistSheet.letters(try #require(names.firstIndex(of: name), "\(name) in \(names)"))
        }
        let last = clues.count + 1
        let xml = try ZipArchive.text(path, "xl/worksheets/sheet1.xml")
        #expect(xml.contains(#"<pane xSplit="2" ySplit="1" topLeftCell="C2" activePane="bottomRight" state="frozen"/>"#))
        #expect(xml.contains(#"<autoFilter ref="A1:\#(ChecklistSheet.letters(names.count - 1))\#(last)"/>"#))
        let result = try letter("核查结果(属实/不属实/部分属实)"), date = try letter("核查日期")
        #expect(xml.contains(#"sqref="\#(result)2:\#(result)\#(last)"><formula1>"属实,不属实,部分属实"</formula1>"#))
        #expect(xml.contains(#"<dataValidation type="date""#) && xml.contains(#"sqref="\#(date)2:\#(date)\#(last)"><formula1>DATE("#))
        #expect(xml.contains("<formula2>TODAY()</formula2>"))
        #expect(xml.contains(#"orientation="landscape""#) && xml.contains(#"<pageSetUpPr fitToPage="1"/>"#))
        let clueID = try letter("线索编号")
        for row in 2...last {
            #expect(xml.firstMatch(of: try Regex(#"<c r="\#(clueID)\#(row)"[^>]* t="s">"#)) != nil, "row \(row): a clue ID is a string cell")
        }
        // The reserve column is as wide as the longest reserve name (CJK counted double).
        let area = try #require(names.firstIndex(of: "保护地")) + 1
        let width = try #require(xml.firstMatch(of: try Regex(#"<col min="\#(area)" max="\#(area)" width="([0-9.]+)""#))
            .flatMap { Double($0.output[1].substring ?? "") })
        let longest = clues.map { $0.values["保护地"]!.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) } }.max()!
        #expect(width >= Double(longest), "width \(width) for names \(longest) wide")
        let workbook = try ZipArchive.text(path, "xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="核查清单""#) && workbook.contains(#"<sheet name="汇总""#))
        #expect(workbook.contains("_xlnm.Print_Titles"))

        let summary = try GDALConfiguration.with([("OGR_XLSX_HEADERS", "DISABLE")]) { try rows(path, layer: "汇总") }
        let totals = summary.filter { $0.values["Field1"] == "合计" }
        #expect(totals.count == 3 && totals.allSatisfy { $0.values["Field2"] == "\(clues.count)" }, "\(totals.map(\.values))")
        let bySeverity = Dictionary(grouping: clues, by: { $0.values["严重程度"]! }).mapValues(\.count)
        for (severity, count) in bySeverity {
            #expect(summary.contains { $0.values["Field1"] == severity && $0.values["Field2"] == "\(count)" }, "\(severity)")
        }
    }

    /// Phones open the KMZ offline and in mainland China: every icon it names is inside it,
    /// one per severity present, and placemarks are coloured by severity.
    @Test func theKMZCarriesItsOwnIconsStyledBySeverity() throws {
        let folder = TemporaryFolder("redline-checklists")
        let out = try demo(folder)
        let checklists = out.appendingPathComponent("checklists")
        let clues = try rows(out.appendingPathComponent("clues.csv").path)
        for bundle in try FileManager.default.contentsOfDirectory(atPath: checklists.path) {
            let kmz = checklists.appendingPathComponent(bundle).appendingPathComponent("clues.kmz").path
            let members = try ZipArchive.names(kmz)
            #expect(members.first == "doc.kml", "Google Earth reads the first KML")
            let kml = try ZipArchive.text(kmz, "doc.kml")
            let hrefs = Set(kml.matches(of: try Regex("<href>([^<]*)</href>")).compactMap { $0.output[1].substring.map(String.init) })
            let severities = Set(clues.filter { $0.values["county_code"] == String(bundle.prefix(6)) }.map { $0.values["severity"]! })
            #expect(hrefs == Set(severities.map { "files/clue-\($0).png" }), "\(bundle): \(hrefs)")
            #expect(hrefs.isSubset(of: Set(members)) && !kml.contains("http://maps.google.com"))
            for href in hrefs {
                let icon = try RasterImage.read("/vsizip/\(kmz)/\(href)", maxSide: 64)
                #expect(icon.width == 32 && icon.pixels[3] == 0 && icon.pixels[(16 * 32 + 16) * 4 + 3] == 255, "round, transparent corners")
            }
            if severities.contains("high") { #expect(kml.contains("ff1c19d7"), "high clues drawn red (KML writes aabbggrr)") }
        }
    }

    /// A trip split into days: every file shows the day, and the GPX has a route per day from the
    /// seat and back.
    @Test func aTripSplitIntoDaysShowsInEveryFile() throws {
        let folder = TemporaryFolder("redline-checklists")
        let out = try demo(folder)
        let result = try Command.run(Command.redline, ["checklist", out.path, "--out", folder.path("days"), "--day-stops", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("652325-奇台县: 8 clues, round trip in 3 days"), "\(result.stdout)")
        let bundle = folder.path("days/652325-奇台县")
        let sheet = try rows(bundle + "/clues.xlsx", layer: "核查清单")
        #expect(sheet.map { $0.values["日程"]! } == ["第1天", "第1天", "第1天", "第2天", "第2天", "第2天", "第3天", "第3天"])
        let routes = try rows(bundle + "/route.gpx", layer: "routes")
        #expect(routes.map { $0.values["name"]! } == ["652325 第1天", "652325 第2天", "652325 第3天"])
        #expect(routes.map { $0.vertices.count } == [5, 5, 4], "the seat, the day's clues, the seat")
        for route in routes { #expect(abs(route.vertices[0].x - 89.59) < 1e-9 && abs(route.vertices.last!.x - 89.59) < 1e-9) }
        #expect(try rows(bundle + "/route.gpx", layer: "tracks").count == 3)
        let html = try String(contentsOf: URL(fileURLWithPath: bundle + "/checklist.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<tr class=\"day\">").count - 1 == 3 && html.contains("<span class=\"day\">第3天</span>"))
        #expect(try ZipArchive.text(bundle + "/clues.kmz", "doc.kml").contains("第2天"))

        let bad = try Command.run(Command.redline, ["checklist", out.path, "--out", folder.path("bad"), "--day-km", "nan"])
        #expect(bad.status == 64 && bad.stderr.contains("--day-km"), "\(bad.stderr)")
    }

    /// A bundle with what overflowed pages before: two big images (a Windows path under
    /// --image-root, a path beside the activity file), a link, a missing image, a long note and a
    /// two-part patch. Chromium prints one page per clue with its ID and its field boxes.
    @Test func everyClueIsOnePageWithItsIDAndBoxesWhateverItCarries() throws {
        let folder = TemporaryFolder("redline-print")
        try FileManager.default.createDirectory(atPath: folder.path("imgroot/2026"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.path("data/images"), withIntermediateDirectories: true)
        let big = RasterImage(width: 2400, height: 1200, pixels: [UInt8](repeating: 180, count: 2400 * 1200 * 4))
        try big.write(folder.path("imgroot/2026/P1_before.png"), driver: "PNG")
        try big.write(folder.path("data/images/P1_after.jpg"), driver: "JPEG")
        let fields = ["tbbh", "类型", "说明", "前时相影像", "后时相影像", "影像链接", "航拍影像"].map { FieldDefinition(name: $0, kind: .string) }
        let note = String(repeating: "该图斑位于保护区实验区内，现场情况复杂，需要详细核实。", count: 120)
        let twoParts = Fixture.multiPolygon([[Fixture.box(89.30, 45.30, 89.302, 45.302)], [Fixture.box(89.310, 45.30, 89.312, 45.302)]])
        try Fixture.write(folder.path("data/patches.gpkg"), layer: "patches", crs: "EPSG:4490", fields: fields, features: [
            FixtureFeature([.string("P1"), .string("采矿"), .string(note), .string(#"D:\影像\2026\P1_before.png"#),
                            .string("images/P1_after.jpg"), .string("https://example.org/P1.jpg"), .string("/data/none/P1_air.png")],
                           wkb: twoParts),
            FixtureFeature([.string("P2"), .string("采矿"), .null, .null, .null, .null, .null],
                           wkb: Fixture.polygon([Fixture.box(89.40, 45.30, 89.402, 45.302)])),
        ])
        let out = folder.url.appendingPathComponent("out")
        let result = try Command.run(Command.redline, [
            "check", "--quiet", folder.path("data/patches.gpkg"), "--out", out.path, "--checklists", out.appendingPathComponent("cl").path,
            "--image-root", folder.path("imgroot"),
        ] + Command.bundledBoundaries)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("/data/none/P1_air.png") && result.stderr.contains("--image-root"), "\(result.stderr)")
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("cl").path).first)
        let path = out.appendingPathComponent("cl").appendingPathComponent(bundle).path
        let copied = try FileManager.default.contentsOfDirectory(atPath: path + "/images").sorted()
        #expect(copied.count == 2, "\(copied)")
        for file in copied {
            let image = try RasterImage.read(path + "/images/" + file, maxSide: 5000)
            #expect(image.width == 1000 && image.height == 500, "scaled down to 1000 px, its shape kept")
        }
        let html = try String(contentsOf: URL(fileURLWithPath: path + "/checklist.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<img src=\"images/").count - 1 == 2)
        #expect(html.contains(#"<a href="https://example.org/P1.jpg">"#), "a web image stays a link")
        #expect(html.contains("…（已截断）"), "the long note is cut on paper, saying so")
        #expect(html.contains("各部分位置"), "a two-part patch lists a point in each part")
        let waypoints = try rows(path + "/route.gpx", layer: "waypoints")
        let first = try #require(waypoints.first { $0.values["desc"]?.contains("采矿") == true && $0.vertices[0].x < 89.35 })
        let (x, y) = (first.vertices[0].x, first.vertices[0].y)
        #expect(((89.30...89.302).contains(x) || (89.310...89.312).contains(x)) && (45.30...45.302).contains(y),
                "the waypoint lies inside a part, not between them: \(x), \(y)")

        let rendered = try Command.run("/bin/bash", [Command.packageRoot.appendingPathComponent("Tools/render-checklist.sh").path,
                                                     path + "/checklist.html", folder.path("render")])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let pages = Int(rendered.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let sheet = try rows(path + "/clues.xlsx", layer: "核查清单")
        #expect(pages == 1 + sheet.count, "an index page and one page per clue, got \(pages)")
        for (position, row) in sheet.enumerated() {
            let text = try Command.run("/usr/bin/pdftotext", ["-f", "\(position + 2)", "-l", "\(position + 2)", "-layout",
                                                             folder.path("render/checklist.pdf"), "-"]).stdout
            #expect(text.contains(row.values["线索编号"]!) && text.contains("核查人签字") && text.contains("备注"),
                    "page \(position + 2) holds its clue ID and every box")
        }
    }

    @Test func theRoundTripStartsAtTheCountySeatOrTheGivenPoint() throws {
        let folder = TemporaryFolder("redline-checklists")
        let out = try demo(folder)
        let seat = try rows(out.appendingPathComponent("checklists/652325-奇台县/route.gpx").path, layer: "tracks")[0].vertices
        #expect(abs(seat[0].x - 89.59) < 1e-9 && abs(seat[0].y - 44.02) < 1e-9)
        #expect(abs(seat.last!.x - 89.59) < 1e-9)
        let given = try Command.run(Command.redline, ["checklist", out.path, "--out", folder.path("again"), "--start", "89.5,44.5",
                                                      "--lang", "en"])
        #expect(given.status == 0, "\(given.stderr)")
        let track = try rows(folder.path("again/652325-奇台县/route.gpx"), layer: "tracks")[0].vertices
        #expect(abs(track[0].x - 89.5) < 1e-9 && abs(track[0].y - 44.5) < 1e-9)
        let sheet = try rows(folder.path("again/652325-奇台县/clues.xlsx"), layer: "checklist")
        #expect(sheet.first?.values["Clue ID"] != nil, "--lang en gives English headers")
    }

    /// The printable sheets as Chromium prints them: an index page, then one page per clue, each
    /// with its map.
    @Test func printableSheetsRenderOnePagePerClueWithTheMap() throws {
        let folder = TemporaryFolder("redline-checklists")
        let out = try demo(folder)
        let html = out.appendingPathComponent("checklists/652325-奇台县/checklist.html").path
        let rendered = try Command.run("/bin/bash", [Command.packageRoot.appendingPathComponent("Tools/render-checklist.sh").path,
                                                     html, folder.path("render")])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let clueCount = try rows(out.appendingPathComponent("checklists/652325-奇台县/clues.xlsx").path, layer: "核查清单").count
        #expect(Int(rendered.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == 1 + clueCount)
        let pngs = try FileManager.default.contentsOfDirectory(atPath: folder.path("render")).filter { $0.hasSuffix(".png") }
        #expect(pngs.count == 1 + clueCount)
        // The first clue page as raw pixels: the patch is drawn in red in the detail map.
        let ppm = try Command.run("/usr/bin/pdftoppm", ["-r", "40", "-f", "2", "-l", "2", folder.path("render/checklist.pdf"),
                                                        folder.path("page2")])
        #expect(ppm.status == 0)
        let image = try Data(contentsOf: URL(fileURLWithPath: folder.path("page2-2.ppm")))
        #expect(redPixels(inPPM: image) > 300, "the detail map shows the patch")
    }

    /// Counts strongly red pixels of a binary PPM (P6, 8 bits).
    func redPixels(inPPM data: Data) -> Int {
        let bytes = [UInt8](data)
        var fields: [String] = [], cursor = 0
        while fields.count < 4 {
            while bytes[cursor] == 0x20 || bytes[cursor] == 0x0A { cursor += 1 }
            let start = cursor
            while bytes[cursor] != 0x20 && bytes[cursor] != 0x0A { cursor += 1 }
            fields.append(String(decoding: bytes[start..<cursor], as: UTF8.self))
        }
        cursor += 1
        var red = 0
        for pixel in stride(from: cursor, to: bytes.count - 2, by: 3)
        where bytes[pixel] > 180 && bytes[pixel + 1] < 130 && bytes[pixel + 2] < 130 {
            red += 1
        }
        return red
    }

    /// A rerun with fewer counties takes the other counties' bundles away; what the analyst put
    /// there themselves stays.
    @Test func aRerunWithFewerCountiesLeavesNoStaleBundles() throws {
        let folder = TemporaryFolder("redline-stale")
        let out = try demo(folder)
        let checklists = out.appendingPathComponent("checklists").path
        try FileManager.default.createDirectory(atPath: checklists + "/notes", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: checklists + "/notes/clues.xlsx"))
        let countyFields = [FieldDefinition(name: "county_code", kind: .string), FieldDefinition(name: "county_name", kind: .string)]
        try Fixture.write(folder.path("one.gpkg"), layer: "counties", crs: "EPSG:4490", fields: countyFields, features: [
            FixtureFeature([.string("652399"), .string("合并县")], wkb: Fixture.polygon([Fixture.box(86, 43, 93, 48)])),
        ])
        let rerun = try Command.run(Command.redline, ["check", "--quiet", geodata.appendingPathComponent("activities.gpkg").path,
                                                      "--protected", geodata.appendingPathComponent("protected.gpkg").path,
                                                      "--admin", folder.path("one.gpkg"), "--out", out.path,
                                                      "--checklists", checklists])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: checklists).sorted() == ["652399-合并县", "notes"])
        #expect(FileManager.default.fileExists(atPath: checklists + "/notes/clues.xlsx"))
    }

    /// Checklists drawn later say so when the boundaries changed since the check.
    @Test func checklistsSayWhenTheBoundariesChangedSinceTheCheck() throws {
        let folder = TemporaryFolder("redline-changed")
        let protected = folder.path("protected.gpkg")
        try FileManager.default.copyItem(atPath: geodata.appendingPathComponent("protected.gpkg").path, toPath: protected)
        let out = folder.path("out")
        let checked = try Command.run(Command.redline, ["check", "--quiet", geodata.appendingPathComponent("activities.gpkg").path,
                                                        "--protected", protected, "--out", out])
        #expect(checked.status == 0, "\(checked.stderr)")
        let same = try Command.run(Command.redline, ["checklist", out])
        #expect(same.status == 0 && !same.stderr.contains("changed since"), "\(same.stderr)")
        let edited = try Command.run("/usr/bin/ogrinfo", [protected, "-sql", "UPDATE nature_reserve_zones SET name = 'X'"])
        #expect(edited.status == 0, "\(edited.stderr)")
        let later = try Command.run(Command.redline, ["checklist", out])
        #expect(later.status == 0 && later.stderr.contains("protected.gpkg changed since the check read it"), "\(later.stderr)")
    }

    @Test func hostileValuesStayInertInEveryFile() throws {
        let folder = TemporaryFolder("redline-hostile")
        let fields = [FieldDefinition(name: "tbbh", kind: .string), FieldDefinition(name: "类型", kind: .string),
                      FieldDefinition(name: "说明", kind: .string), FieldDefinition(name: "后时相影像", kind: .string)]
        let square = Fixture.polygon([Fixture.box(89.30, 45.30, 89.305, 45.304)])
        let another = Fixture.polygon([Fixture.box(89.31, 45.30, 89.315, 45.304)])
        try Fixture.write(folder.path("hostile.gpkg"), layer: "patches", crs: "EPSG:4490", fields: fields, features: [
            FixtureFeature([.string(#"=HYPERLINK("http://evil.example","x")"#), .string("采矿"),
                            .string("<script>alert(1)</script>"), .string("javascript:alert(1)")], wkb: square),
            FixtureFeature([.string("KL-9001"), .string("采矿"), .string("正常图斑"), .string("images/KL-9001_after.png")],
                           wkb: another),
        ])
        let countyFields = [FieldDefinition(name: "county_code", kind: .string), FieldDefinition(name: "county_name", kind: .string)]
        try Fixture.write(folder.path("counties.gpkg"), layer: "counties", crs: "EPSG:4490", fields: countyFields, features: [
            FixtureFeature([.string("652325"), .string("../../x")], wkb: Fixture.polygon([Fixture.box(88, 44, 91, 47)])),
        ])
        let out = folder.url.appendingPathComponent("out")
        let result = try Command.run(Command.redline, [
            "check", "--quiet", folder.path("hostile.gpkg"), "--protected", geodata.appendingPathComponent("protected.gpkg").path,
            "--admin", folder.path("counties.gpkg"), "--out", out.path, "--checklists", out.appendingPathComponent("checklists").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let bundles = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checklists").path)
        #expect(bundles.count == 1 && !bundles[0].contains("/") && !bundles[0].contains(".."), "\(bundles)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("x")) && !FileManager.default.fileExists(atPath: out.appendingPathComponent("x").path))
        let bundle = out.appendingPathComponent("checklists").appendingPathComponent(bundles[0])

        let html = try String(contentsOf: bundle.appendingPathComponent("checklist.html"), encoding: .utf8)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("src=\"javascript:") && !html.contains("href=\"javascript:"), "shown as text, never as a link")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;http://evil.example&quot;"))
        #expect(html.contains("images/KL-9001_after.png (未找到)"), "an image path that leads nowhere is said so")
        #expect(result.stderr.contains("image_not_found") || result.stderr.contains("images/KL-9001_after.png"), "\(result.stderr)")
        #expect(!html.contains("<img "), "no thumbnail from a hostile or missing value")

        let sheet = try rows(bundle.appendingPathComponent("clues.xlsx").path, layer: "核查清单")
        // A string cell never runs as a formula, so it keeps the value as it is (no apostrophe).
        #expect(sheet.contains { $0.values["图斑编号"] == #"=HYPERLINK("http://evil.example","x")"# })
        let sheetXML = try ZipArchive.text(bundle.appendingPathComponent("clues.xlsx").path, "xl/worksheets/sheet1.xml")
        #expect(!sheetXML.contains("<f>"), "no formula anywhere in the sheet")
        let csv = try rows(out.appendingPathComponent("clues.csv").path)
        let hostileRow = try #require(csv.first { $0.values["说明"] == "<script>alert(1)</script>" },
                                      "CSV keeps text that is no formula as it is")
        #expect(hostileRow.values["activity_id"] == #"'=HYPERLINK("http://evil.example","x")"#)

        let kmz = try rows(bundle.appendingPathComponent("clues.kmz").path)
        let balloons = kmz.compactMap { $0.values["description"] }.filter { $0.contains("HYPERLINK") || $0.contains("script") }
        #expect(!balloons.isEmpty && balloons.allSatisfy { !$0.contains("<script>") })
        #expect(try rows(bundle.appendingPathComponent("route.gpx").path, layer: "waypoints").count == 2)
    }
}
