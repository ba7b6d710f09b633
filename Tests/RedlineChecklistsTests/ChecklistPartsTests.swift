import PROJKit
@testable import RedlineChecklists
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

    @Test func onlyWebAddressesAndRelativeImagePathsMayBeImages() {
        #expect(SafeText.imageSource("https://example.org/a.jpg") == "https://example.org/a.jpg")
        #expect(SafeText.imageSource("images/KL-0001_after.png") == "images/KL-0001_after.png")
        for hostile in ["javascript:alert(1)", "data:image/png;base64,xx", "../../etc/x.png", "/etc/x.png",
                        "http://x/a b.png", "file:///etc/x.jpg", "notes.txt"] {
            #expect(SafeText.imageSource(hostile) == nil, "\(hostile)")
        }
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
