import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// Drawing style of a protected polygon by its zone.
public struct ZoneStyle: Sendable {
    public let fill: String
    public let stroke: String
    public let dashed: Bool
    /// How opaque the fill is on the maps (and on the legend's swatches, which must match).
    public var opacity = 0.35

    public static func of(_ zone: Zone) -> ZoneStyle {
        switch zone {
        case .core, .coreProtection: return ZoneStyle(fill: "#b2182b", stroke: "#7f0f1e", dashed: false)
        case .buffer, .generalControl: return ZoneStyle(fill: "#ef8a62", stroke: "#b35a36", dashed: false)
        case .experimental: return ZoneStyle(fill: "#fddbc7", stroke: "#c7886a", dashed: false)
        case .redLine: return ZoneStyle(fill: "#1a9850", stroke: "#0f5f31", dashed: true)
        case .unzoned: return ZoneStyle(fill: "#999999", stroke: "#555555", dashed: false)
        }
    }

    /// The patch on the detail map.
    static let patch = ZoneStyle(fill: "#e00000", stroke: "#a00000", dashed: false, opacity: 0.6)

    /// The opacity as the two hex digits CSS appends to #RRGGBB.
    var opacityHex: String {
        let digits = String(Int((opacity * 255).rounded()), radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}

/// How a clue of each severity is drawn in the KMZ (and its icon): red, orange, yellow — the
/// usual order of urgency, and each visible on satellite imagery.
struct SeverityStyle {
    /// 0xRRGGBB.
    let colour: UInt32

    static func of(_ severity: Severity) -> SeverityStyle {
        switch severity {
        case .high: return SeverityStyle(colour: 0xD7191C)
        case .medium: return SeverityStyle(colour: 0xF28E2B)
        case .low: return SeverityStyle(colour: 0xF6D743)
        }
    }

    /// #RRGGBB, as OGR style strings and SVG write colours.
    var hex: String {
        let digits = String(colour, radix: 16, uppercase: true)
        return "#" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// Where the icon lies inside the KMZ.
    static func iconPath(_ severity: Severity) -> String { "files/clue-\(severity.rawValue).png" }

    /// A 32-pixel round marker in the colour with a white rim, its edge smoothed.
    var icon: RasterImage {
        let size = 32, centre = 15.5, outer = 14.5, rim = 2.5
        var pixels = [UInt8](repeating: 0, count: size * size * 4)
        let red = UInt8(colour >> 16 & 0xFF), green = UInt8(colour >> 8 & 0xFF), blue = UInt8(colour & 0xFF)
        for y in 0..<size {
            for x in 0..<size {
                let distance = ((Double(x) - centre) * (Double(x) - centre) + (Double(y) - centre) * (Double(y) - centre)).squareRoot()
                let coverage = min(1, max(0, outer + 0.5 - distance))
                guard coverage > 0 else { continue }
                let inner = min(1, max(0, outer - rim + 0.5 - distance))
                let index = (y * size + x) * 4
                // White rim blending into the colour inside.
                pixels[index] = UInt8((255 * (1 - inner) + Double(red) * inner).rounded())
                pixels[index + 1] = UInt8((255 * (1 - inner) + Double(green) * inner).rounded())
                pixels[index + 2] = UInt8((255 * (1 - inner) + Double(blue) * inner).rounded())
                pixels[index + 3] = UInt8((255 * coverage).rounded())
            }
        }
        return RasterImage(width: size, height: size, pixels: pixels)
    }
}

/// A map in a local frame: lon/lat to metres around a centre (an equirectangular frame scaled for
/// its latitude, true to a small fraction of a percent over a county), metres to SVG pixels.
public struct SVGMap {
    public let west: Double, south: Double, east: Double, north: Double
    public let width: Double, height: Double
    private let metresPerDegreeLon: Double, metresPerDegreeLat: Double
    private let pixelsPerMetre: Double
    private var body = ""

    /// A map `width` pixels wide showing at least the box given (degrees), widened to the map's
    /// aspect ratio `width`:`height`.
    public init(box: (west: Double, south: Double, east: Double, north: Double), width: Double, height: Double) {
        let phi = (box.south + box.north) / 2 * .pi / 180
        // Lengths of a degree on the GRS80/WGS84 ellipsoid at this latitude (series to a metre).
        metresPerDegreeLat = 111_132.954 - 559.822 * cos(2 * phi) + 1.175 * cos(4 * phi)
        metresPerDegreeLon = 111_412.84 * cos(phi) - 93.5 * cos(3 * phi)
        var spanX = max((box.east - box.west) * metresPerDegreeLon, 1)
        var spanY = max((box.north - box.south) * metresPerDegreeLat, 1)
        if spanX / spanY < width / height { spanX = spanY * width / height } else { spanY = spanX * height / width }
        let centreLon = (box.west + box.east) / 2, centreLat = (box.south + box.north) / 2
        west = centreLon - spanX / 2 / metresPerDegreeLon
        east = centreLon + spanX / 2 / metresPerDegreeLon
        south = centreLat - spanY / 2 / metresPerDegreeLat
        north = centreLat + spanY / 2 / metresPerDegreeLat
        self.width = width
        self.height = height
        pixelsPerMetre = width / spanX
    }

    func x(_ lon: Double) -> Double { (lon - west) * metresPerDegreeLon * pixelsPerMetre }
    func y(_ lat: Double) -> Double { (north - lat) * metresPerDegreeLat * pixelsPerMetre }

    /// Polygons given as rings of interleaved lon,lat (holes drawn as holes).
    public mutating func polygon(_ rings: [[Double]], fill: String, opacity: Double, stroke: String, strokeWidth: Double,
                          dashed: Bool = false, cssClass: String) {
        var path = ""
        for ring in rings where ring.count >= 6 {
            for index in stride(from: 0, to: ring.count, by: 2) {
                path += (index == 0 ? "M" : "L") + Self.number(x(ring[index])) + " " + Self.number(y(ring[index + 1]))
            }
            path += "Z"
        }
        guard !path.isEmpty else { return }
        body += "<path class=\"\(cssClass)\" d=\"\(path)\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\" fill-rule=\"evenodd\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(strokeWidth)\"\(dashed ? " stroke-dasharray=\"6 3\"" : "")/>\n"
    }

    public mutating func dot(lon: Double, lat: Double, radius: Double, fill: String, cssClass: String) {
        body += "<circle class=\"\(cssClass)\" cx=\"\(Self.number(x(lon)))\" cy=\"\(Self.number(y(lat)))\" r=\"\(radius)\" "
            + "fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n"
    }

    mutating func square(lon: Double, lat: Double, size: Double, label: String) {
        body += "<rect x=\"\(Self.number(x(lon) - size / 2))\" y=\"\(Self.number(y(lat) - size / 2))\" width=\"\(size)\" "
            + "height=\"\(size)\" fill=\"#000000\"/>"
            + "<text x=\"\(Self.number(x(lon) + size))\" y=\"\(Self.number(y(lat) - size))\" font-size=\"10\">"
            + "\(SafeText.html(label))</text>\n"
    }

    public mutating func label(lon: Double, lat: Double, text: String) {
        body += "<text x=\"\(Self.number(x(lon) + 6))\" y=\"\(Self.number(y(lat) - 4))\" font-size=\"9\" fill=\"#333333\">"
            + "\(SafeText.html(text))</text>\n"
    }

    /// What has been drawn so far, as a group that other maps of the same frame can `use`.
    func group(id: String) -> String { "<g id=\"\(id)\">\n\(body)</g>\n" }

    /// Draws a group defined elsewhere in the page (drawn in a map of the same frame).
    mutating func use(_ id: String) { body += "<use href=\"#\(id)\"/>\n" }

    /// The finished SVG: the drawing clipped to the frame, coordinate ticks, a scale bar and a north arrow.
    /// `id` names the clip path, unique in the page.
    public func svg(title: String, id: String, ticks: Bool = true) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"-58 -4 \(Self.number(width + 66)) "
            + "\(Self.number(height + 26))\" role=\"img\" aria-label=\"\(SafeText.html(title))\">\n"
            + "<defs><clipPath id=\"clip-\(id)\"><rect width=\"\(Self.number(width))\" "
            + "height=\"\(Self.number(height))\"/></clipPath></defs>\n"
            + "<rect width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#f7f7f2\"/>\n"
            + "<g clip-path=\"url(#clip-\(id))\">\n\(body)</g>\n"
            + "<rect width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"none\" stroke=\"#333333\"/>\n"
        if ticks { out += tickMarks() }
        out += scaleBar() + northArrow() + "</svg>\n"
        return out
    }

    private func tickMarks() -> String {
        let lonStep = Self.niceDegrees((east - west) / 4), latStep = Self.niceDegrees((north - south) / 4)
        let lonTicks = Self.multiples(of: lonStep, from: west, to: east).map { lon in
            let px = Self.number(x(lon)), label = Self.degrees(lon, step: lonStep, positive: "E", negative: "W")
            return "<line class=\"tick\" x1=\"\(px)\" y1=\"\(Self.number(height))\" x2=\"\(px)\" y2=\"\(Self.number(height + 5))\" "
                + "stroke=\"#333333\"/><text x=\"\(px)\" y=\"\(Self.number(height + 15))\" font-size=\"9\" "
                + "text-anchor=\"middle\">\(label)</text>\n"
        }
        let latTicks = Self.multiples(of: latStep, from: south, to: north).map { lat in
            let py = Self.number(y(lat)), label = Self.degrees(lat, step: latStep, positive: "N", negative: "S")
            return "<line class=\"tick\" x1=\"-5\" y1=\"\(py)\" x2=\"0\" y2=\"\(py)\" stroke=\"#333333\"/><text x=\"-7\" "
                + "y=\"\(py)\" font-size=\"9\" text-anchor=\"end\" dominant-baseline=\"middle\">\(label)</text>\n"
        }
        return (lonTicks + latTicks).joined()
    }

    static func multiples(of step: Double, from low: Double, to high: Double) -> [Double] {
        var values: [Double] = []
        var value = (low / step).rounded(.up) * step
        while value < high {
            values.append(value)
            value += step
        }
        return values
    }

    /// "89.305°E": as many decimals as the step needs.
    static func degrees(_ value: Double, step: Double, positive: String, negative: String) -> String {
        let decimals = max(0, Int(ceil(-log10(step) - 1e-9)))
        return String(format: "%.\(decimals)f°%@", abs(value), value < 0 ? negative : positive)
    }

    private func scaleBar() -> String {
        let metres = Self.niceLength(width / pixelsPerMetre / 4)
        let length = metres * pixelsPerMetre
        let label = metres >= 1000 ? "\(Self.number(metres / 1000)) km" : "\(Int(metres)) m"
        let left = 10.0, base = height - 12
        let labelWidth = Double(label.count) * 5.5 + 6
        return "<g class=\"scale-bar\"><rect x=\"\(left - 4)\" y=\"\(Self.number(base - 14))\" width=\"\(Self.number(length + 8 + labelWidth))\" "
            + "height=\"22\" fill=\"#ffffff\" fill-opacity=\"0.8\"/>"
            + "<rect x=\"\(left)\" y=\"\(Self.number(base))\" width=\"\(Self.number(length / 2))\" height=\"4\" fill=\"#000000\"/>"
            + "<rect x=\"\(Self.number(left + length / 2))\" y=\"\(Self.number(base))\" width=\"\(Self.number(length / 2))\" "
            + "height=\"4\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"0.5\"/>"
            + "<text x=\"\(left)\" y=\"\(Self.number(base - 3))\" font-size=\"9\">0</text>"
            // The length right of the bar, never over the 0 however short the bar is.
            + "<text x=\"\(Self.number(left + length + 4))\" y=\"\(Self.number(base + 5))\" font-size=\"9\">\(label)</text></g>\n"
    }

    private func northArrow() -> String {
        let cx = width - 18
        return "<g class=\"north-arrow\"><path d=\"M\(Self.number(cx)) 8 L\(Self.number(cx + 7)) 30 L\(Self.number(cx)) 25 "
            + "L\(Self.number(cx - 7)) 30 Z\" fill=\"#000000\"/><text x=\"\(Self.number(cx))\" y=\"42\" font-size=\"11\" "
            + "text-anchor=\"middle\" font-weight=\"bold\">N</text></g>\n"
    }

    /// 1, 2 or 5 times a power of ten, at most `limit` metres.
    static func niceLength(_ limit: Double) -> Double {
        let power = pow(10, floor(log10(max(limit, 1))))
        return [5.0, 2, 1].map { $0 * power }.first { $0 <= limit } ?? power
    }

    static func niceDegrees(_ limit: Double) -> Double {
        let power = pow(10, floor(log10(max(limit, 1e-6))))
        return [5.0, 2, 1].map { $0 * power }.first { $0 <= limit } ?? power
    }

    public static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
