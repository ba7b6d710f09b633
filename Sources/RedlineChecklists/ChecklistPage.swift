import Foundation
import GEOSKit
import RedlineCore
import RedlineOutputs

/// checklist.html: an index page in visiting order, then one A4 page per clue with a detail map
/// and a locator map (SVG), the clue's facts, image thumbnails and boxes to fill in by hand.
/// Every value from the data goes through `SafeText.html`.
struct ChecklistPage {
    let writer: ChecklistWriter
    let county: CountyStops
    /// Each clue's images, in visiting order.
    let images: [ClueImages]

    /// Longest value shown on a page, in characters; what is cut says so.
    static let longestValue = 200
    /// Thumbnails and part positions a clue page has room for; the rest are named, not drawn.
    static let thumbnailsShown = 3, partsShown = 6

    private var labels: Labels { writer.labels }
    private func h(_ text: String) -> String { SafeText.html(text) }
    private func km(_ metres: Double) -> String { String(format: "%.1f", metres / 1000) }

    func html() throws -> String {
        let title = "\(county.code) \(county.name) \(labels(.checklistTitle))"
        var out = """
        <!DOCTYPE html>
        <html lang="\(labels.language == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src * data:; style-src 'unsafe-inline'">
        <title>\(h(title))</title>
        <style>
        @page { size: A4; margin: 10mm; }
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; font-size: 9pt; margin: 0; color: #111; }
        .page { break-after: page; page-break-after: always; }
        .page:last-child { break-after: auto; page-break-after: auto; }
        /* A clue is one A4 page whatever it carries: the facts give way (images shrink, long text
           is cut), the field record keeps its place at the foot. */
        .page.clue { height: 275mm; display: flex; flex-direction: column; overflow: hidden; }
        .page.clue .facts { flex: 1 1 auto; min-height: 0; overflow: hidden; display: flex; flex-direction: column; }
        .page.clue .facts > table { flex: none; } .page.clue .facts > table.attributes { flex: 0 1 auto; min-height: 0; overflow: hidden; }
        .page.clue .field { flex: none; }
        .page.clue .facts th { width: 36mm; }
        td.id { white-space: nowrap; }
        h1 { font-size: 14pt; margin: 0 0 4px; } h2 { font-size: 10pt; margin: 6px 0 3px; }
        table { border-collapse: collapse; width: 100%; } tr { break-inside: avoid; }
        th, td { border: 1px solid #888; padding: 2px 4px; text-align: left; vertical-align: top; }
        th { background: #eee; font-weight: normal; white-space: nowrap; }
        .maps { display: flex; gap: 6px; align-items: flex-start; } .maps figure { margin: 0; }
        .maps figcaption { font-size: 8pt; color: #444; }
        svg.map { display: block; }
        .detail svg { width: 118mm; } .locator svg { width: 68mm; }
        .high { color: #b2182b; font-weight: bold; } .medium { color: #b35a00; } .low { color: #555; }
        .thumbs { flex: 0 1 34mm; min-height: 12mm; display: flex; gap: 4px; margin-top: 4px; overflow: hidden; }
        .thumbs figure { margin: 0; height: 100%; min-width: 0; display: flex; flex-direction: column; }
        .thumbs figcaption { flex: none; font-size: 7pt; color: #444; }
        .thumbs img { flex: 1 1 0; min-height: 0; width: auto; max-width: 60mm; object-fit: contain; object-position: left; }
        .record td { height: 7mm; } .record th { width: 30mm; }
        .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; vertical-align: middle;
                       box-sizing: border-box; border: 1.5px solid; }
        .note { color: #555; font-size: 8pt; }
        </style></head><body>

        """
        out += try locatorBase() + (try indexPage(title: title))
        for (position, clue) in county.clues.enumerated() { out += try cluePage(clue, position: position) }
        out += "</body></html>\n"
        return out
    }

    private func indexPage(title: String) throws -> String {
        let start = String(format: "%.5f, %.5f", county.start.lon, county.start.lat)
        var out = "<section class=\"page index\">\n<h1>\(h(title))</h1>\n"
            + "<p>\(h(labels(.start))): \(h(county.startIsSeat ? labels(.seat) : "")) \(start) · "
            + "\(h(labels(.total))): \(km(county.plan.total)) · \(county.clues.count) \(labels.language == .zh ? "条线索" : "clues")"
            + (county.plan.days.count > 1 ? " · \(county.plan.days.count) \(labels.language == .zh ? "天" : "days")" : "") + "</p>\n"
            + "<table><tr><th>\(h(labels(.order)))</th><th>\(h(labels(.clueID)))</th><th>\(h(labels(.patchID)))</th>"
            + "<th>\(h(labels(.activityType)))</th><th>\(h(labels(.protectedArea)))</th><th>\(h(labels(.zone)))</th>"
            + "<th>\(h(labels(.verdict)))</th><th>\(h(labels(.severity)))</th><th>\(h(labels(.legKm)))</th>"
            + "<th>\(h(labels(.lon))) / \(h(labels(.lat)))</th></tr>\n"
        let split = county.plan.days.count > 1
        for (position, clue) in county.clues.enumerated() {
            if split, let index = county.plan.days.firstIndex(where: { $0.stops.lowerBound == position }) {
                let day = county.plan.days[index]
                out += "<tr class=\"day\"><th colspan=\"10\">\(h(labels.dayName(index))) · \(day.stops.count) "
                    + "\(labels.language == .zh ? "条线索" : "clues") · \(km(day.metres)) km</th></tr>\n"
            }
            let place = try writer.point(clue)
            out += "<tr><td>\(position + 1)</td><td class=\"id\"><a href=\"#clue-\(position + 1)\">\(h(clue.clueID))</a></td>"
                + "<td>\(h(cut(clue[.activityID])))</td><td>\(h(cut(writer.activityLabel(clue))))</td>"
                + "<td>\(h(cut(clue[.protectedNames])))</td><td>\(h(writer.zoneLabel(clue)))</td>"
                + "<td>\(h(writer.verdictLabel(clue)))</td><td class=\"\(h(clue[.severity]))\">\(h(writer.severityLabel(clue)))</td>"
                + "<td>\(km(county.plan.legs[position]))</td>"
                + "<td>\(String(format: "%.5f, %.5f", place.lon, place.lat))</td></tr>\n"
        }
        let back = split ? (labels.language == .zh ? "每天从出发点出发并返回。" : "Each day starts and ends at the start.")
            : "\(labels.language == .zh ? "返回出发点" : "Back to the start"): \(km(county.route.returnLeg)) km"
        out += "</table>\n<p class=\"note\">\(h(labels(.routeNote))) \(h(back))</p>\n</section>\n"
        return out
    }

    private func cluePage(_ clue: ClueRow, position: Int) throws -> String {
        let number = position + 1
        let parts = try writer.visitPoints(clue), place = parts[0]
        var out = "<section class=\"page clue\" id=\"clue-\(number)\">\n"
            + "<h1>\(number). \(h(clue.clueID)) <span class=\"\(h(clue[.severity]))\">\(h(writer.verdictLabel(clue))) · "
            + "\(h(writer.severityLabel(clue)))</span>"
            + (county.plan.days.count > 1 ? " <span class=\"day\">\(h(labels.dayName(county.plan.day(of: position))))</span>" : "")
            + "</h1>\n"
            + "<div class=\"maps\"><figure class=\"detail\">\(try detailMap(clue, id: "d\(number)"))"
            + "<figcaption>\(h(labels(.detailMap)))\(legend())</figcaption></figure>"
            + "<figure class=\"locator\">\(try locatorMap(current: position, id: "l\(number)"))"
            + "<figcaption>\(h(labels(.locatorMap))) · \(h(county.code)) \(h(county.name))</figcaption></figure></div>\n"
        let pictures = images[position]
        let missing = pictures.missing.map { "\($0.name): \($0.reference) (\(labels.language == .zh ? "未找到" : "not found"))" }
        // What the team needs on the ground first (where to go, what is missing), so a crowded
        // page gives way at its end: the patch's other attributes go last.
        let shownParts = parts.prefix(Self.partsShown).enumerated().map { index, part in
            String(format: "%d: %.6f, %.6f", index + 1, part.lon, part.lat)
        }.joined(separator: "; ") + (parts.count > Self.partsShown
            ? (labels.language == .zh ? "；…共 \(parts.count) 块" : "; … \(parts.count) parts in all") : "")
        let facts: [(Labels.Key, String)] = [
            (.patchID, clue[.activityID]), (.activityType, writer.activityLabel(clue)),
            (.lon, String(format: "%.6f  %@", place.lon, ChecklistWriter.dms(place.lon, positive: "E", negative: "W"))),
            (.lat, String(format: "%.6f  %@", place.lat, ChecklistWriter.dms(place.lat, positive: "N", negative: "S"))),
            (.parts, parts.count > 1 ? shownParts : ""),
            (.imageMissing, missing.joined(separator: "; ")),
            (.protectedArea, clue[.protectedNames]), (.zone, writer.zoneLabel(clue)), (.rule, clue[.ruleID]),
            (.reason, writer.reason(clue)), (.patchM2, clue[.patchM2]),
            (.overlapM2, clue.isNear ? "" : "\(clue[.overlapM2]) (\(clue[.overlapHa]) ha, \(clue[.overlapMu]) \(labels.language == .zh ? "亩" : "mu"))"),
            (.distanceM, clue[.distanceM]), (.detected, clue[.detectedOn]),
            (.imagery, writer.imagery(clue).filter { ImageReference($0.value) == nil }.map { "\($0.name): \($0.value)" }
                .joined(separator: "; ")),
        ]
        out += "<div class=\"facts\"><h2>\(h(labels(.facts)))</h2><table>"
        for (key, value) in facts where !value.isEmpty && value != "0.00" {
            out += "<tr><th>\(h(labels(key)))</th><td>\(h(cut(value)))</td></tr>"
        }
        for link in pictures.links {
            out += "<tr><th>\(h(link.name))</th><td><a href=\"\(h(link.url))\">\(h(cut(link.url)))</a></td></tr>"
        }
        out += "</table>\n"
        if pictures.copied.count > Self.thumbnailsShown {
            let more = pictures.copied.count - Self.thumbnailsShown
            out += "<p class=\"note\">\(labels.language == .zh ? "另有 \(more) 张影像见 images/ 文件夹" : "\(more) more images in the images/ folder")</p>"
        }
        if !pictures.copied.isEmpty {
            out += "<div class=\"thumbs\">" + pictures.copied.prefix(Self.thumbnailsShown).map {
                "<figure><img src=\"\(h($0.path))\" width=\"\($0.width)\" height=\"\($0.height)\" alt=\"\(h($0.name))\">"
                    + "<figcaption>\(h($0.name))</figcaption></figure>"
            }.joined() + "</div>\n"
        }
        // The patch's own attributes come last: on a crowded page they are what gives way.
        let attributes = writer.otherAttributes(clue).map { "\($0.name): \(cut($0.value))" }.joined(separator: "; ")
        if !attributes.isEmpty {
            out += "<table class=\"attributes\"><tr><th>\(h(labels(.attributes)))</th><td>\(h(cut(attributes)))</td></tr></table>\n"
        }
        out += "</div>\n<div class=\"field\"><h2>\(h(labels(.fieldRecord))) · \(h(clue.clueID))</h2><table class=\"record\">"
            + "<tr><th>\(h(labels(.result)))</th><td>\(h(labels(.resultChoices)))</td></tr>"
        for key in Labels.fieldColumns.dropFirst() { out += "<tr><th>\(h(labels(key)))</th><td></td></tr>" }
        out += "<tr><th>\(h(labels(.signature)))</th><td></td></tr></table></div>\n</section>\n"
        return out
    }

    /// A value short enough for its page, cut with a marker that says where the rest is.
    private func cut(_ value: String) -> String {
        guard value.count > Self.longestValue else { return value }
        return String(value.prefix(Self.longestValue)) + (labels.language == .zh ? "…（已截断）" : "… (cut)")
    }

    /// The swatches are drawn as the map draws its areas: the same fill, opacity and outline.
    private func legend() -> String {
        let entries: [(ZoneStyle, String)] = [Zone.core, .buffer, .experimental, .redLine].map { (ZoneStyle.of($0), $0.label) }
            + [(ZoneStyle.patch, labels(.patch))]
        return "<span class=\"legend\">" + entries.map { style, label in
            "<span style=\"background:\(style.fill)\(style.opacityHex);border-color:\(style.stroke);"
                + "border-style:\(style.dashed ? "dashed" : "solid")\"></span>\(h(label))"
        }.joined() + "</span>"
    }

    /// The patch and the boundaries around it (those in force on its date), at least 600 m across.
    private func detailMap(_ clue: ClueRow, id: String) throws -> String {
        let patch = try writer.geos.geometry(wkb: clue.polygon)
        let box = try patch.envelope()
        // Room around the patch: its own size, and at least ~800 m, so a nearby boundary shows.
        let padLon = max((box.maxX - box.minX) * 0.6, 0.01), padLat = max((box.maxY - box.minY) * 0.6, 0.007)
        var map = SVGMap(box: (box.minX - padLon, box.minY - padLat, box.maxX + padLon, box.maxY + padLat),
                         width: 440, height: 330)
        let view = Envelope(minX: map.west, minY: map.south, maxX: map.east, maxY: map.north)
        // Half a pixel is as fine as the map can show: boundaries digitised finer are thinned.
        for shape in try writer.shapes(in: view, on: writer.day(of: clue), tolerance: (map.east - map.west) / map.width / 2) {
            let style = ZoneStyle.of(shape.zone)
            map.polygon(shape.rings, fill: style.fill, opacity: style.opacity, stroke: style.stroke, strokeWidth: 1.5,
                        dashed: style.dashed, cssClass: "zone")
        }
        let patchStyle = ZoneStyle.patch
        map.polygon(try patch.polygonRings(), fill: patchStyle.fill, opacity: patchStyle.opacity, stroke: patchStyle.stroke,
                    strokeWidth: 2, cssClass: "patch")
        return map.svg(title: clue.clueID, id: id)
    }

    /// The frame of the county's locator maps: the county (or the clues' extent) and the start.
    private func locatorFrame() throws -> (map: SVGMap, outline: Geometry?) {
        var box = try county.clues.reduce(Envelope(minX: county.start.lon, minY: county.start.lat,
                                               maxX: county.start.lon, maxY: county.start.lat)) {
            let place = try writer.point($1)
            return $0.union(Envelope(minX: place.lon, minY: place.lat, maxX: place.lon, maxY: place.lat))
        }
        let outline = try county.outline.map { try writer.geos.geometry(wkb: $0) }
        if let outline { box = box.union(try outline.envelope()) }
        let pad = max(box.maxX - box.minX, box.maxY - box.minY) * 0.05 + 0.01
        return (SVGMap(box: (box.minX - pad, box.minY - pad, box.maxX + pad, box.maxY + pad), width: 250, height: 250), outline)
    }

    /// What every locator map shows — the county, every clue as a dot, the start — drawn once in a
    /// hidden SVG and `use`d by each page, so a county with thousands of clues does not repeat
    /// thousands of dots on every page.
    private func locatorBase() throws -> String {
        var (map, outline) = try locatorFrame()
        if let outline {
            map.polygon(try outline.simplified(tolerance: (map.east - map.west) / map.width / 2).polygonRings(),
                        fill: "#ffffff", opacity: 1, stroke: "#333333", strokeWidth: 1, cssClass: "county")
        }
        for clue in county.clues {
            let place = try writer.point(clue)
            map.dot(lon: place.lon, lat: place.lat, radius: 3, fill: "#777777", cssClass: "other-clue")
        }
        map.square(lon: county.start.lon, lat: county.start.lat, size: 6, label: labels(.start))
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\">"
            + "<defs>\(map.group(id: "locator-base"))</defs></svg>\n"
    }

    /// The shared locator base, and this clue in red with its number.
    private func locatorMap(current: Int, id: String) throws -> String {
        var (map, _) = try locatorFrame()
        map.use("locator-base")
        let clue = county.clues[current]
        let place = try writer.point(clue)
        map.dot(lon: place.lon, lat: place.lat, radius: 5, fill: "#e00000", cssClass: "this-clue")
        map.label(lon: place.lon, lat: place.lat, text: String(current + 1))
        return map.svg(title: "\(county.code) \(county.name)", id: id, ticks: false)
    }
}
