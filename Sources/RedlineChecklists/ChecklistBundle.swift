/// RedlineChecklists owns what a county field team takes into the field: per county, a
/// spreadsheet (XLSX), a KMZ for phones, a GPX for GPS units and printable A4 sheets with SVG maps,
/// all in one visiting order. The spreadsheet comes from libxlsxwriter (XLSXKit), the KMZ and GPX
/// from GDAL's drivers, the HTML from us.
/// Everything from the data is escaped or neutralised (RedlineOutputs' SafeText) before it
/// reaches a file or a path.
import Foundation
import GDALKit
import GEOSKit
import RedlineCore
import RedlineOutputs

/// Options of a checklist run.
public struct ChecklistOptions: Sendable {
    public var language: ChecklistLanguage
    /// Where every county's round trip starts, instead of its seat.
    public var start: (lon: Double, lat: Double)?
    /// How much a team covers in a day; nil for one round trip.
    public var days: DayBudget?
    /// Folders holding the images patches name (beside the activity files' own folders).
    public var imageRoots: [String]

    public init(language: ChecklistLanguage = .zh, start: (lon: Double, lat: Double)? = nil, days: DayBudget? = nil,
                imageRoots: [String] = []) {
        self.language = language
        self.start = start
        self.days = days
        self.imageRoots = imageRoots
    }
}

/// What was written for one county.
public struct CountyBundle: Sendable {
    public let folder: String
    public let code: String
    public let name: String
    public let clues: Int
    /// All the days' trips together.
    public let roundTripMetres: Double
    public let days: Int
    /// What the bundle could not do as asked: clues beyond a day's budget, images not found.
    public let warnings: [RunWarning]
}

/// One county's clues in visiting order, with what the files need to know about them.
struct CountyStops {
    let code: String
    let name: String
    let folder: String
    let start: (lon: Double, lat: Double)
    let startIsSeat: Bool
    /// The clues in visiting order.
    let clues: [ClueRow]
    let route: VisitingOrder
    /// The order cut into days (one day without a budget).
    let plan: DayPlan
    /// The county's outline (WKB in the frame), when the county layer has it.
    let outline: [UInt8]?
}

/// Writes a bundle per county from a check's results: `<code>-<name>/` holding clues.xlsx,
/// clues.kmz, route.gpx and checklist.html, all staged and moved into place together.
public final class ChecklistWriter {
    public static let fileNames = ["clues.xlsx", "clues.kmz", "route.gpx", "checklist.html"]

    let results: CheckResults
    let index: ProtectedIndex
    let admin: AdminIndex?
    let options: ChecklistOptions
    let labels: Labels
    let geos = GEOSContext()
    /// `visitPoints` by clue ID, worked out once.
    var pointCache: [String: [GroundPoint]] = [:]
    lazy var imageFinder = ImageFinder(roots: options.imageRoots, activitySources: results.record.activitySources)

    public init(results: CheckResults, index: ProtectedIndex, admin: AdminIndex?, options: ChecklistOptions) {
        self.results = results
        self.index = index
        self.admin = admin
        self.options = options
        labels = Labels(language: options.language)
    }

    public func write(into destination: URL) throws -> [CountyBundle] {
        let staged = try stage(into: destination)
        try staged.commit()
        return staged.bundles
    }

    /// Writes every bundle into a staging folder of `destination`, moved into place by `commit`:
    /// so that `check --checklists` can commit its outputs and its checklists together.
    public func stage(into destination: URL) throws -> StagedBundles {
        let folder = try StagedFolder(destination: destination)
        var written: [CountyBundle] = []
        var names: [String] = []
        for county in try counties() {
            let path = folder.path(county.folder)
            // Errors name the file where it will be, not in the staging folder.
            let target = { (name: String) in destination.appendingPathComponent(county.folder).appendingPathComponent(name).path }
            try guarded(target("")) { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) }
            let file = { (name: String) in (path as NSString).appendingPathComponent(name) }
            try guarded(target("clues.xlsx")) { try ChecklistSpreadsheet(writer: self, county: county).write(to: file("clues.xlsx")) }
            try guarded(target("clues.kmz")) { try writeKMZ(county, to: file("clues.kmz")) }
            try guarded(target("route.gpx")) { try writeGPX(county, to: file("route.gpx")) }
            var warnings = overBudgetWarnings(county)
            let pictures = county.clues.map { images(of: $0, into: path, warnings: &warnings) }
            try guarded(target("checklist.html")) {
                try Data(ChecklistPage(writer: self, county: county, images: pictures).html().utf8)
                    .write(to: URL(fileURLWithPath: file("checklist.html")))
            }
            names.append(county.folder)
            written.append(CountyBundle(folder: county.folder, code: county.code, name: county.name,
                                        clues: county.clues.count, roundTripMetres: county.plan.total, days: county.plan.days.count,
                                        warnings: warnings))
        }
        return StagedBundles(folder: folder, names: names,
                             retiring: Self.earlierBundles(in: destination).filter { !names.contains($0) }, bundles: written)
    }

    private func overBudgetWarnings(_ county: CountyStops) -> [RunWarning] {
        let far = county.plan.overBudget.map { county.clues[$0].clueID }
        guard !far.isEmpty else { return [] }
        let named = far.prefix(3).joined(separator: ", ")
        return [RunWarning(code: "clue_beyond_day_budget", message: "\(county.folder): \(far.count) clue(s) are farther than one "
                           + "day's --day-km there and back (\(named)) — their long days go over the budget; plan an overnight stay or "
                           + "raise --day-km", feature: far.prefix(3).joined(separator: ","))]
    }

    /// The county folders an earlier run wrote here (they hold its four files): a rerun with
    /// fewer counties must not leave last period's checklists looking current.
    static func earlierBundles(in destination: URL) -> [String] {
        let manager = FileManager.default
        return ((try? manager.contentsOfDirectory(atPath: destination.path)) ?? []).filter { name in
            let folder = destination.appendingPathComponent(name)
            return !name.hasPrefix(".") && ["clues.xlsx", "clues.kmz", "route.gpx", "checklist.html"].allSatisfy {
                manager.fileExists(atPath: folder.appendingPathComponent($0).path)
            }
        }.sorted()
    }

    /// The clues grouped by county, each group in visiting order, with safe, distinct folder names.
    func counties() throws -> [CountyStops] {
        let groups = Dictionary(grouping: results.clues, by: \.countyCode)
        var used = Set<String>()
        return try groups.keys.sorted().map { code in
            let clues = groups[code]!.sorted { $0.clueID < $1.clueID }
            let county = admin?.counties.first { $0.code == code }
            let name = county?.name ?? clues.first { !$0[.countyName].isEmpty }?[.countyName] ?? ""
            var folder = SafeText.fileName(name.isEmpty ? code : "\(code)-\(name)", fallback: "county")
            while used.contains(folder.lowercased()) { folder += "_" }
            used.insert(folder.lowercased())
            let points = try clues.map(point)
            let start = options.start ?? county?.seat ?? points[0]
            let route = VisitingOrder(start: start, stops: points, geodesic: index.frame.geodesic)
            let ordered = route.order.map { clues[$0] }
            let plan = DayPlan(route: route, start: start, stops: route.order.map { points[$0] }, geodesic: index.frame.geodesic,
                               budget: options.days)
            return CountyStops(code: code, name: name, folder: folder, start: start,
                               startIsSeat: options.start == nil && county?.seat != nil,
                               clues: ordered, route: route, plan: plan,
                               outline: county.flatMap { admin?.outline(of: $0) })
        }
    }

    // MARK: Protected areas near the clues

    /// Each protected area's bounding box, from its pieces.
    private lazy var areaBoxes: [Envelope?] = {
        var boxes = [Envelope?](repeating: nil, count: index.areas.count)
        for piece in index.pieces { boxes[piece.owner] = boxes[piece.owner].map { $0.union(piece.envelope) } ?? piece.envelope }
        return boxes
    }()

    /// Protected areas (indices) in force on `day` whose box meets `box` (degrees).
    func areas(near box: Envelope, on day: CalendarDay) -> [Int] {
        index.areas.indices.filter { area in
            index.areas[area].isInForce(on: day, among: index.areas) && (areaBoxes[area]?.intersects(box) ?? false)
        }
    }

    /// The parts of the protected areas in force on `day` inside `view`, as rings to draw, thinned
    /// to `tolerance`. Built from the index's small pieces (clipped, then merged per area, so the
    /// cuts between pieces do not show): clipping whole boundaries of millions of vertices for
    /// every page was most of the time on big layers.
    func shapes(in view: Envelope, on day: CalendarDay, tolerance: Double) throws -> [(zone: Zone, rings: [[Double]])] {
        var parts: [Int: [Geometry]] = [:]
        for piece in index.pieces where piece.envelope.intersects(view) {
            guard index.areas[piece.owner].isInForce(on: day, among: index.areas) else { continue }
            let clipped = try geos.geometry(wkb: piece.wkb).clip(to: view).polygonalPart()
            if !clipped.isEmpty { parts[piece.owner, default: []].append(clipped) }
        }
        return try parts.keys.sorted().map { area in
            let pieces = parts[area]!
            let merged = pieces.count == 1 ? pieces[0] : try geos.multiPolygon(pieces).unaryUnion()
            return (index.areas[area].zone, try merged.simplified(tolerance: tolerance).polygonRings())
        }
    }

    /// An area's whole boundary for the KMZ, thinned to about a metre (1e-5°).
    func outline(_ area: Int) throws -> [UInt8]? {
        guard index.outlines.indices.contains(area) else { return nil }
        return try geos.geometry(wkb: index.outlines[area]).simplified(tolerance: 1e-5).wkb()
    }

    /// The day a clue was judged on: its detection date, else the check's as-of day.
    func day(of clue: ClueRow) -> CalendarDay {
        clue.detected ?? results.record.asOf ?? .today()
    }

    func activityLabel(_ clue: ClueRow) -> String {
        let inData = clue[.activityTypeInData]
        let label = labels.language == .zh ? clue[.activityTypeLabel] : clue[.activityType]
        return inData.isEmpty || inData == label ? label : "\(label)（\(inData)）"
    }

    func zoneLabel(_ clue: ClueRow) -> String {
        labels.language == .zh ? clue[.strictestZoneLabel] : clue[.strictestZone]
    }

    func verdictLabel(_ clue: ClueRow) -> String { labels.language == .zh ? clue[.verdictLabel] : clue[.verdict] }
    func severityLabel(_ clue: ClueRow) -> String { labels.language == .zh ? clue[.severityLabel] : clue[.severity] }
    func reason(_ clue: ClueRow) -> String { labels.language == .zh ? clue[.reasonZh] : clue[.reasonEn] }

    /// Attributes that name imagery: before/after image dates, names, paths or addresses.
    func imagery(_ clue: ClueRow) -> [(name: String, value: String)] {
        let hints = ["时相", "影像", "image", "imagery", "photo", "before", "after", "img", "scene"]
        return results.attributeNames.compactMap { name in
            let value = clue[other: name]
            let lower = name.lowercased()
            guard !value.isEmpty, hints.contains(where: { lower.contains($0) }) || ImageReference(value) != nil
            else { return nil }
            return (name, value)
        }
    }

    /// The patch's other attributes (not imagery, not its id or type): notes for the team.
    func otherAttributes(_ clue: ClueRow) -> [(name: String, value: String)] {
        let shown = Set(imagery(clue).map(\.name))
        return results.attributeNames.compactMap { name in
            let value = clue[other: name]
            guard !value.isEmpty, !shown.contains(name), value != clue[.activityID],
                  value != clue[.activityTypeInData] else { return nil }
            return (name, value)
        }
    }

    /// 89°18'03.25"E
    static func dms(_ value: Double, positive: String, negative: String) -> String {
        let hundredths = Int((abs(value) * 360_000).rounded())
        let degrees = hundredths / 360_000, minutes = hundredths / 6000 % 60, seconds = Double(hundredths % 6000) / 100
        return String(format: "%d°%02d'%05.2f\"%@", degrees, minutes, seconds, value < 0 ? negative : positive)
    }

    // MARK: KMZ

    private func writeKMZ(_ county: CountyStops, to path: String) throws {
        let converter = try WGS84Converter(frame: index.frame)
        // One doc.kml written straight into the zip: phone apps that ignore the NetworkLinks of
        // GDAL's multi-file KMZ still see every folder.
        let dataset = try VectorDataset.create("/vsizip/\(path)/doc.kml", driver: "LIBKML")
        var folders: [String: VectorLayer] = [:]
        func folder(_ name: String) throws -> VectorLayer {
            if let open = folders[name] { return open }
            // ASCII layer names make distinct KML ids; the folder shows NAME.
            let layer = try dataset.createLayer("folder_\(folders.count + 1)", crs: "EPSG:4326", geometry: .unknown,
                                                options: ["NAME=\(name)"])
            try layer.createField("name", kind: .string)
            try layer.createField("description", kind: .string)
            folders[name] = layer
            return layer
        }
        // Boundaries first, so the patches draw above them.
        var drawn = Set<Int>()
        for clue in county.clues {
            for area in areas(near: Self.box(around: try point(clue), margin: 0.05), on: day(of: clue)) where drawn.insert(area).inserted {
                guard let boundary = try outline(area) else { continue }
                let protected = index.areas[area]
                let style = ZoneStyle.of(protected.zone)
                let validity = [protected.validity.from.map { "\($0)" }, protected.validity.to.map { "\($0)" }]
                let period = protected.validity == .always ? "" : " (\(validity[0] ?? "…") – \(validity[1] ?? "…"))"
                try folder(folderName(of: protected)).write(
                    [.string("\(protected.name) \(protected.zone.label)\(period)"),
                     .string(SafeText.html("\(protected.protectedID) · \(protected.zoneText)"))],
                    wkb: try converter.convert(wkb: boundary),
                    style: "PEN(c:\(style.stroke)FF,w:2px);BRUSH(fc:\(style.fill)55)")
            }
        }
        for (position, clue) in county.clues.enumerated() {
            let layer = try folder(clueFolder(clue))
            let balloon = try balloonHTML(clue, position: position + 1, in: county)
            let colour = SeverityStyle.of(clue.record.severity).hex
            try layer.write([.string(clue.clueID), .string(balloon)], wkb: try converter.convert(wkb: clue.polygon),
                            style: "PEN(c:\(colour)FF,w:3px);BRUSH(fc:\(colour)66)")
            let place = try point(clue)
            var point = [place.lon, place.lat]
            try converter.convert(&point)
            // The icon is inside the archive: web icons are blank offline and in mainland China.
            try layer.write([.string(clue.clueID), .string(balloon)], wkb: WKB.point(point[0], point[1]),
                            style: "SYMBOL(id:\"\(SeverityStyle.iconPath(clue.record.severity))\",c:#FFFFFFFF)")
        }
        let route = try folder(labels(.route))
        for (name, line) in try dayTrips(county, converter: converter) {
            try route.write([.string(name), .null], wkb: WKB.lineString(line), style: "PEN(c:#1F4E9EFF,w:3px)")
        }
        try dataset.close()
        for severity in Set(county.clues.map(\.record.severity)).sorted() {
            try SeverityStyle.of(severity).icon.write("/vsizip/\(path)/\(SeverityStyle.iconPath(severity))", driver: "PNG")
        }
    }

    private func folderName(of area: ProtectedArea) -> String {
        area.kind == .redLine ? area.kind.label : area.name
    }

    /// The folder (reserve) a clue goes in: its first protected area's.
    private func clueFolder(_ clue: ClueRow) -> String {
        let first = clue.record.protectedNames.first ?? ""
        let area = index.areas.first { $0.name == first }
        return area.map(folderName) ?? (first.isEmpty ? "clues" : first)
    }

    /// The balloon of a placemark: the clue's facts as an HTML table, every value escaped.
    private func balloonHTML(_ clue: ClueRow, position: Int, in county: CountyStops) throws -> String {
        let place = try point(clue)
        let rows: [(Labels.Key, String)] = [
            (.order, String(position)), (.clueID, clue.clueID), (.patchID, clue[.activityID]),
            (.activityType, activityLabel(clue)), (.protectedArea, clue[.protectedNames]), (.zone, zoneLabel(clue)),
            (.verdict, verdictLabel(clue)), (.severity, severityLabel(clue)), (.overlapM2, clue.isNear ? "" : clue[.overlapM2]),
            (.distanceM, clue[.distanceM]), (.detected, clue[.detectedOn]),
            (.lonDMS, Self.dms(place.lon, positive: "E", negative: "W")), (.latDMS, Self.dms(place.lat, positive: "N", negative: "S")),
            (.reason, reason(clue)),
            (.day, county.plan.days.count > 1 ? labels.dayName(county.plan.day(of: position - 1)) : ""),
        ]
        return "<table>" + rows.filter { !$0.1.isEmpty }.map {
            "<tr><th>\(SafeText.html(labels($0.0)))</th><td>\(SafeText.html($0.1))</td></tr>"
        }.joined() + "</table>"
    }

    static func box(around point: GroundPoint, margin: Double) -> Envelope {
        Envelope(minX: point.lon - margin, minY: point.lat - margin, maxX: point.lon + margin, maxY: point.lat + margin)
    }

    // MARK: GPX

    private func writeGPX(_ county: CountyStops, to path: String) throws {
        let converter = try WGS84Converter(frame: index.frame)
        let dataset = try VectorDataset.create(path, driver: "GPX")
        let waypoints = try dataset.createLayer("waypoints", crs: "EPSG:4326", geometry: .point)
        for (position, clue) in county.clues.enumerated() {
            let place = try point(clue)
            var point = [place.lon, place.lat]
            try converter.convert(&point)
            let area = clue.isNear ? "\(clue[.distanceM]) m" : "\(clue[.overlapM2]) m²"
            let day = county.plan.days.count > 1 ? labels.dayName(county.plan.day(of: position)) : ""
            let description = [activityLabel(clue), area, clue[.protectedNames], verdictLabel(clue), day]
                .filter { !$0.isEmpty }.joined(separator: ", ")
            try waypoints.write(named: [("name", .string(clue.clueID)), ("desc", .string(description))],
                                wkb: WKB.point(point[0], point[1]))
        }
        // One route (for navigating) and one track (for units that only draw tracks) per day,
        // each from the start and back.
        let trips = try dayTrips(county, converter: converter)
        let routes = try dataset.createLayer("routes", crs: "EPSG:4326", geometry: .lineString)
        for (name, line) in trips { try routes.write(named: [("name", .string(name))], wkb: WKB.lineString(line)) }
        let tracks = try dataset.createLayer("tracks", crs: "EPSG:4326", geometry: .multiLineString)
        for (name, line) in trips { try tracks.write(named: [("name", .string(name))], wkb: WKB.multiLineString([line])) }
        try dataset.close()
    }

    /// Each day's trip as a name and interleaved WGS 84 lon,lat: the start, the day's clues, the start.
    func dayTrips(_ county: CountyStops, converter: WGS84Converter) throws -> [(name: String, line: [Double])] {
        try county.plan.days.enumerated().map { index, day in
            var line = [county.start.lon, county.start.lat]
            for clue in county.clues[day.stops] {
                let place = try point(clue)
                line += [place.lon, place.lat]
            }
            line += [county.start.lon, county.start.lat]
            try converter.convert(&line)
            let name = county.plan.days.count > 1 ? "\(county.code) \(labels.dayName(index))" : "\(county.code) \(labels(.index))"
            return (name, line)
        }
    }
}

/// County bundles written but not yet in place; dropped unless committed.
public struct StagedBundles {
    let folder: StagedFolder
    let names: [String]
    let retiring: [String]
    public let bundles: [CountyBundle]

    public func commit() throws { try folder.commit(names, retiring: retiring) }
}
