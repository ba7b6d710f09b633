import Foundation
import PROJKit
@testable import RedlineChecklists
import RedlineCore
import RedlineOutputs
import Testing
import TestSupport

@Suite struct SafeTextTests {
    @Test func htmlEscapesEveryMarkupCharacter() {
        #expect(SafeText.html(#"<script>alert("x")</script> & 'y'"#)
                == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(SafeText.html("卡拉麦里") == "卡拉麦里")
    }

    @Test func cellsThatWouldStartAFormulaGetAnApostrophe() {
        for hostile in ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            #expect(SafeText.cell(hostile) == "'" + hostile)
        }
        for plain in ["KL-0001", "采矿", "", "a=b"] { #expect(SafeText.cell(plain) == plain) }
    }

    @Test func fileNamesCannotLeaveTheirFolderOrBreakAFileSystem() {
        for (input, expected) in [("652325-奇台县", "652325-奇台县"), ("../../x", "____x"), ("/etc/passwd", "_etc_passwd"),
                                  ("a\\b:c*d?e\"f<g>h|i", "a_b_c_d_e_f_g_h_i"), ("..", "fallback"), ("", "fallback"),
                                  ("CON", "fallback"), (" .hidden. ", "hidden"), ("line\nbreak", "line_break")] {
            #expect(SafeText.fileName(input, fallback: "fallback") == expected, "\(input)")
        }
        let long = String(repeating: "县", count: 60)
        #expect(SafeText.fileName(long, fallback: "f").utf8.count <= 80)
    }

    @Test func onlyWebAddressesAndImageFilePathsAreImages() {
        #expect(ImageReference("https://example.org/a.jpg") == .web("https://example.org/a.jpg"))
        #expect(ImageReference("images/KL-0001_after.png") == .file("images/KL-0001_after.png"))
        #expect(ImageReference(#"D:\影像\2026\a.TIF"#) == .file(#"D:\影像\2026\a.TIF"#))
        #expect(ImageReference("/data/影像/a.jpg") == .file("/data/影像/a.jpg"))
        for hostile in ["javascript:alert(1)", "data:image/png;base64,xx", "http://x/a b.png", "file://server/x.jpg", "notes.txt",
                        "https://x/\"onerror=\"a.png", "vbscript:x.png"] {
            #expect(ImageReference(hostile) == nil, "\(hostile)")
        }
    }

    /// Images are read only under the roots, whatever the path in the data says.
    @Test func imagesAreFoundUnderTheRootsOnly() throws {
        let folder = TemporaryFolder("redline-images")
        let root = folder.path("root"), outside = folder.path("outside")
        try FileManager.default.createDirectory(atPath: root + "/2026", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        for file in [root + "/2026/a.tif", root + "/b.png", outside + "/secret.png"] {
            FileManager.default.createFile(atPath: file, contents: Data([1]))
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/link.png", withDestinationPath: outside + "/secret.png")
        let finder = ImageFinder(roots: [root], activitySources: [])
        #expect(finder.find(#"D:\影像\2026\a.tif"#)?.path.hasSuffix("/root/2026/a.tif") == true, "a Windows path by its tail")
        #expect(finder.find("/data/photos/b.png")?.path.hasSuffix("/root/b.png") == true)
        #expect(finder.find("2026/a.tif") != nil && finder.find(root + "/b.png") != nil)
        #expect(finder.find(outside + "/secret.png") == nil, "an absolute path outside the roots")
        #expect(finder.find("../outside/secret.png") == nil && finder.find("link.png") == nil, "no way out, not even by a link")
        #expect(finder.find("missing.png") == nil && finder.find("2026") == nil)
        #expect(finder.find("B.PNG")?.lastPathComponent == "b.png", "names made on Windows match without regard to case")
        #expect(mkfifo(root + "/pipe.png", 0o644) == 0)
        #expect(finder.find("pipe.png") == nil, "a pipe is no image: reading it would hang")

        // A folder source is a root itself, never the folder above it.
        let fromFolder = ImageFinder(roots: [], activitySources: [SourceSpec(path: root)])
        #expect(fromFolder.roots.map(\.lastPathComponent) == ["root"])
        #expect(fromFolder.find(outside + "/secret.png") == nil && fromFolder.find("b.png") != nil)
        #expect(ImageReference("file:///data/%E5%BD%B1%E5%83%8F/a.jpg") == .file("/data/影像/a.jpg"))
    }
}

/// The printed maps' furniture, read back from the SVG they write.
@Suite struct MapDrawingTests {
    /// The scale bar's length label sits right of the bar, so however short the bar is it never
    /// covers the 0 (a locator map's "0/0 km").
    @Test(arguments: [(250.0, 2.0), (440.0, 0.02), (250.0, 0.001)])
    func theScaleLabelNeverCoversTheZero(width: Double, span: Double) throws {
        let map = SVGMap(box: (west: 89, south: 45, east: 89 + span, north: 45 + span), width: width, height: width)
        let svg = map.svg(title: "t", id: "m")
        let bar = try #require(svg.firstMatch(of: #/<g class="scale-bar">(.*?)</g>/#)).output.1
        let rects = bar.matches(of: #/<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"/#).map { (Double($0.output.1)!, Double($0.output.2)!) }
        let texts = bar.matches(of: #/<text x="([0-9.]+)"[^>]*>([^<]*)</text>/#).map { (Double($0.output.1)!, String($0.output.2)) }
        #expect(texts.count == 2 && texts[0].1 == "0")
        let barEnd = rects[2].0 + rects[2].1
        #expect(texts[1].0 >= barEnd, "label at \(texts[1].0), bar ends at \(barEnd)")
        #expect(rects[0].0 + rects[0].1 >= texts[1].0 + Double(texts[1].1.count) * 5, "the white backing covers the label")
    }

    /// The legend's swatches are the map's own fills, at the map's opacity.
    @Test func legendSwatchesMatchTheMap() {
        #expect(ZoneStyle.of(.core).opacityHex == "59", "0.35 × 255 = 89 = 0x59")
        #expect(ZoneStyle.patch.opacityHex == "99", "0.6 × 255 = 153 = 0x99")
    }
}

@Suite struct VisitingOrderTests {
    let geodesic = Geodesic(Ellipsoid(name: "GRS80", semiMajorAxis: 6_378_137, flattening: 1 / 298.257222101))

    /// On the equator a degree of longitude is a/180·π: 111 319.4908 m on GRS80.
    @Test func stopsAlongTheEquatorAreVisitedInLineAndBack() {
        let route = VisitingOrder(start: (0, 0), stops: [(3, 0), (1, 0), (2, 0)], geodesic: geodesic)
        #expect(route.order == [1, 2, 0])
        for leg in route.legs { #expect(abs(leg - 111_319.4908) < 0.001) }
        #expect(abs(route.returnLeg - 3 * 111_319.4908) < 0.003)
        #expect(abs(route.total - 6 * 111_319.4908) < 0.006)
    }

    @Test func twoOptComesCloseToTheBestRoundTrip() {
        var generator = SplitMix(seed: 7)
        for _ in 0..<10 {
            let stops = (0..<7).map { _ in (lon: 89 + generator.next(), lat: 44 + generator.next()) }
            let route = VisitingOrder(start: (89.5, 44.5), stops: stops, geodesic: geodesic)
            #expect(route.order.sorted() == Array(0..<7))
            let best = bruteForceBest(start: (89.5, 44.5), stops: stops)
            #expect(route.total <= best * 1.05, "2-opt \(route.total) m, best \(best) m")
            #expect(route.total >= best - 1e-6)
        }
    }

    /// A county with thousands of clues takes the fast path and still visits every stop once.
    @Test func thousandsOfStopsAreOrderedQuicklyAndCompletely() {
        var generator = SplitMix(seed: 11)
        let stops = (0..<3000).map { _ in (lon: 88 + 2 * generator.next(), lat: 44 + 2 * generator.next()) }
        let route = VisitingOrder(start: (89, 45), stops: stops, geodesic: geodesic)
        #expect(route.order.sorted() == Array(0..<3000))
        #expect(route.legs.count == 3000)
        // Far shorter than visiting them in the order given (which crosses the square ~1500 times).
        var given = 0.0
        var previous = (lon: 89.0, lat: 45.0)
        for stop in stops {
            given += geodesic.distance(lon1: previous.lon, lat1: previous.lat, lon2: stop.lon, lat2: stop.lat)
            previous = stop
        }
        #expect(route.total < given / 10)
    }

    /// Five stops 0.1° apart on the equator, a tenth of a degree being a/1800·π = 11 131.949 m:
    /// each day's trip is out to its farthest stop and back.
    func line() -> (route: VisitingOrder, stops: [(lon: Double, lat: Double)]) {
        let stops = (1...5).map { (lon: Double($0) / 10, lat: 0.0) }
        let route = VisitingOrder(start: (0, 0), stops: stops, geodesic: geodesic)
        return (route, route.order.map { stops[$0] })
    }

    @Test func daysAreTheFewestWithinTheStopsThenTheShortest() {
        let tenth = 11_131.949_079
        let (route, stops) = line()
        let plan = DayPlan(route: route, start: (0, 0), stops: stops, geodesic: geodesic, budget: DayBudget(stops: 2))
        // Three days are needed; of the three-day splits, 1 | 2 3 | 4 5 is the shortest
        // (2·1 + 2·3 + 2·5 tenths, against 2·2 + 2·4 + 2·5 for 1 2 | 3 4 | 5).
        #expect(plan.days.map(\.stops) == [0..<1, 1..<3, 3..<5])
        #expect(abs(plan.total - 18 * tenth) < 0.01)
        #expect(abs(plan.days[1].metres - 6 * tenth) < 0.01)
        #expect(plan.legs.enumerated().allSatisfy { position, leg in
            abs(leg - ([0, 1, 3].contains(position) ? Double(position + 1) * tenth : tenth)) < 0.01
        }, "a day's first leg is from the start: \(plan.legs)")
        #expect(plan.overBudget.isEmpty && plan.day(of: 2) == 1 && plan.day(of: 4) == 2)
    }

    /// Clues beyond the budget cannot be reached within it: their day takes the unavoidable
    /// round trip plus up to a budget of visits, and they are named.
    @Test func cluesBeyondTheBudgetShareOneLongDayAndAreNamed() {
        let tenth = 11_131.949_079
        let (route, stops) = line()
        let plan = DayPlan(route: route, start: (0, 0), stops: stops, geodesic: geodesic, budget: DayBudget(metres: 50_000))
        // 0.5° is 111 km there and back, over 50 km; every other stop is on the way: one day.
        #expect(plan.days.map(\.stops) == [0..<5] && plan.overBudget == [0, 1, 2, 3, 4])
        #expect(abs(plan.total - 10 * tenth) < 0.01)
        // Far clues on both sides: a long day each way, not one for all (222 km is more than the
        // 111 km round trip plus 50 km).
        let sides = [(lon: 0.4, lat: 0.0), (lon: 0.5, lat: 0.0), (lon: -0.4, lat: 0.0), (lon: -0.5, lat: 0.0)]
        let both = VisitingOrder(start: (0, 0), stops: sides, geodesic: geodesic)
        let split = DayPlan(route: both, start: (0, 0), stops: both.order.map { sides[$0] }, geodesic: geodesic,
                            budget: DayBudget(metres: 50_000))
        #expect(split.days.map(\.stops.count) == [2, 2] && abs(split.total - 20 * tenth) < 0.01)
    }

    @Test func withoutABudgetTheRoundTripIsOneDay() {
        let (route, stops) = line()
        let plan = DayPlan(route: route, start: (0, 0), stops: stops, geodesic: geodesic, budget: nil)
        #expect(plan.days.map(\.stops) == [0..<5] && plan.legs == route.legs && abs(plan.total - route.total) < 1e-6)
        // Two clues on one far pit share their long day, and a clue a day's budget off the way
        // is visited on it too; at most 3 a day, the near one gets its own (within budget).
        let pit = [(lon: 0.5, lat: 0.0), (lon: 0.5002, lat: 0.01), (lon: -0.1, lat: 0.0)]
        let pitRoute = VisitingOrder(start: (0, 0), stops: pit, geodesic: geodesic)
        let shared = DayPlan(route: pitRoute, start: (0, 0), stops: pitRoute.order.map { pit[$0] }, geodesic: geodesic,
                             budget: DayBudget(metres: 30_000))
        #expect(shared.days.count == 1 && shared.overBudget.count == 3, "\(shared.days)")
        let capped = DayPlan(route: pitRoute, start: (0, 0), stops: pitRoute.order.map { pit[$0] }, geodesic: geodesic,
                             budget: DayBudget(metres: 30_000, stops: 2))
        #expect(capped.days.map(\.stops.count).sorted() == [1, 2] && capped.overBudget.count == 2, "\(capped.days)")
    }

    private func bruteForceBest(start: (lon: Double, lat: Double), stops: [(lon: Double, lat: Double)]) -> Double {
        func d(_ a: (lon: Double, lat: Double), _ b: (lon: Double, lat: Double)) -> Double {
            geodesic.distance(lon1: a.lon, lat1: a.lat, lon2: b.lon, lat2: b.lat)
        }
        var best = Double.infinity
        func permute(_ done: [Int], _ left: Set<Int>, _ length: Double) {
            guard length < best else { return }
            guard !left.isEmpty else {
                best = min(best, length + d(stops[done.last!], start))
                return
            }
            for next in left.sorted() {
                let from = done.last.map { stops[$0] } ?? start
                permute(done + [next], left.subtracting([next]), length + d(from, stops[next]))
            }
        }
        permute([], Set(stops.indices), 0)
        return best
    }
}

@Suite struct CoordinateTextTests {
    @Test func degreesMinutesSeconds() {
        #expect(ChecklistWriter.dms(89.4, positive: "E", negative: "W") == #"89°24'00.00"E"#)
        #expect(ChecklistWriter.dms(-0.5, positive: "E", negative: "W") == #"0°30'00.00"W"#)
        #expect(ChecklistWriter.dms(44.999999999, positive: "N", negative: "S") == #"45°00'00.00"N"#)
        #expect(ChecklistWriter.dms(45.3012345, positive: "N", negative: "S") == #"45°18'04.44"N"#)
    }
}
