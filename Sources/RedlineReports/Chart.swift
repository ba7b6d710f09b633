import Foundation
import RedlineChecklists
import RedlineOutputs

/// A small SVG chart of counts over categories (the report's months): grouped bars or lines,
/// with a y axis of whole-number ticks, and its legend in HTML. Drawn by hand, so the page needs nothing
/// from the network.
struct Chart {
    enum Kind { case bars, lines }

    struct Series {
        let name: String
        let colour: String
        let values: [Int]
    }

    let title: String
    let categories: [String]
    let series: [Series]
    let kind: Kind

    static let width = 720.0, height = 240.0
    static let left = 40.0, right = 12.0, top = 12.0, bottom = 34.0

    /// The top of the y axis and the step between its ticks: whole numbers, five steps or fewer.
    static func axis(maximum: Int) -> (top: Int, step: Int) {
        let target = max(maximum, 1)
        for step in [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000] where target <= step * 5 {
            return (Int((Double(target) / Double(step)).rounded(.up)) * step, step)
        }
        let step = Int(pow(10, (log10(Double(target) / 5)).rounded(.up)))
        return (Int((Double(target) / Double(step)).rounded(.up)) * step, step)
    }

    func svg() -> String {
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let (axisTop, step) = Self.axis(maximum: series.flatMap(\.values).max() ?? 0)
        func y(_ value: Int) -> Double { Self.top + plotHeight * (1 - Double(value) / Double(axisTop)) }
        let slot = plotWidth / Double(max(categories.count, 1))
        func n(_ value: Double) -> String { SVGMap.number(value) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(Self.width)) \(n(Self.height))\" "
            + "role=\"img\" aria-label=\"\(SafeText.html(title))\">\n"
        for tick in stride(from: 0, through: axisTop, by: step) {
            out += "<line x1=\"\(n(Self.left))\" x2=\"\(n(Self.width - Self.right))\" y1=\"\(n(y(tick)))\" y2=\"\(n(y(tick)))\" "
                + "stroke=\"\(tick == 0 ? "#333333" : "#dddddd")\"/>"
                + "<text x=\"\(n(Self.left - 4))\" y=\"\(n(y(tick) + 3))\" font-size=\"9\" text-anchor=\"end\">\(tick)</text>\n"
        }
        for (index, category) in categories.enumerated() {
            out += "<text x=\"\(n(Self.left + slot * (Double(index) + 0.5)))\" y=\"\(n(Self.height - Self.bottom + 13))\" "
                + "font-size=\"9\" text-anchor=\"middle\">\(SafeText.html(category))</text>\n"
        }
        switch kind {
        case .bars:
            let barWidth = slot * 0.8 / Double(max(series.count, 1))
            for (number, line) in series.enumerated() {
                for (index, value) in line.values.enumerated() where value > 0 {
                    let x = Self.left + slot * (Double(index) + 0.1) + barWidth * Double(number)
                    out += "<rect class=\"bar\" x=\"\(n(x))\" y=\"\(n(y(value)))\" width=\"\(n(barWidth))\" "
                        + "height=\"\(n(y(0) - y(value)))\" fill=\"\(line.colour)\"><title>\(SafeText.html(line.name)) "
                        + "\(SafeText.html(categories[index])): \(value)</title></rect>\n"
                }
            }
        case .lines:
            for line in series {
                let points = line.values.enumerated().map { "\(n(Self.left + slot * (Double($0.offset) + 0.5))),\(n(y($0.element)))" }
                out += "<polyline class=\"line\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(line.colour)\" "
                    + "stroke-width=\"2\"/>\n"
                for (index, value) in line.values.enumerated() {
                    out += "<circle cx=\"\(n(Self.left + slot * (Double(index) + 0.5)))\" cy=\"\(n(y(value)))\" r=\"2.5\" "
                        + "fill=\"\(line.colour)\"><title>\(SafeText.html(line.name)) \(SafeText.html(categories[index])): "
                        + "\(value)</title></circle>\n"
                }
            }
        }
        return out + "</svg>\n"
    }

    /// The series' swatches and names, as HTML under the chart: it wraps however many there are.
    func legend() -> String {
        series.map { "<span class=\"key\"><i style=\"background:\($0.colour)\"></i>\(SafeText.html($0.name))</span>" }.joined()
    }

    /// Distinct colours for up to eight series, then again.
    static let palette = ["#d7191c", "#f28e2b", "#2b83ba", "#1a9641", "#756bb1", "#8c510a", "#e7298a", "#666666"]
}
