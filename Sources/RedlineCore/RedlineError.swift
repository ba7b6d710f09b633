/// Everything that stops a check, each with a one-line message that names the input and says
/// what to do about it.
public enum RedlineError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(source: String, reason: String)
    case noSuchLayer(source: String, layer: String, available: [String])
    case noLayers(source: String)
    case missingCRS(layer: String)
    case badCRS(layer: String, reason: String)
    case noSuchField(layer: String, option: String, field: String, available: [String])
    case axesSwapped(layer: String)
    case notDegrees(layer: String, feature: String, x: Double, y: Double)
    case invalidGeometry(layer: String, feature: String, reason: String)
    case readFailed(layer: String, reason: String)
    case noProtectedAreas(sources: [String])
    case geometryFailure(layer: String, feature: String, reason: String)
    case outputFailed(path: String, reason: String)
    case badOption(String)
    case badRules(file: String, line: Int, message: String, more: Int)
    case unreadableFile(path: String, reason: String)
    case registryUnavailable(location: String, reason: String)
    case badDate(layer: String, feature: String, field: String, value: String)
    case badValidity(layer: String, feature: String, from: String, to: String)
    case implausibleDate(layer: String, feature: String, field: String, value: String, plausible: ClosedRange<CalendarDay>)
    case mixedAxisOrder(layer: String, swapped: Int, total: Int, examples: [String])
    case farFromProtection(layer: String, share: Double, cause: String, canContinue: Bool)
    case missingSidecar(file: String, missing: [String])
    case undecodableText(layer: String, declared: String, suggestion: String?)
    case stoppedByWarnings(count: Int, first: String)
    /// A browser could not print a page to PDF (nothing was replaced).
    case printFailed(path: String, browser: String, reason: String)
    /// The check's outputs were committed, then its checklists failed.
    indirect case checklistsFailed(out: String, checklists: String, cause: RedlineError)

    /// A coordinate to show: whole units, or as it is when no integer holds it (1e300).
    static func rough(_ value: Double) -> String {
        value.isFinite && abs(value) < 1e15 ? String(Int(value.rounded())) : "\(value)"
    }

    public var description: String {
        switch self {
        case let .cannotOpen(source, reason):
            return "cannot open \(source): \(reason) — check the path, or for PostGIS the PG: connection string"
        case let .noSuchLayer(source, layer, available):
            return "\(source) has no layer “\(layer)”; its layers are: \(available.joined(separator: ", "))"
        case let .noLayers(source):
            return "\(source) holds no vector layers — pass a file or database with polygon features"
        case let .missingCRS(layer):
            return "\(layer) declares no coordinate reference system — pass --assume-crs (e.g. --assume-crs EPSG:4490)"
        case let .badCRS(layer, reason):
            return "\(layer): cannot use its coordinate reference system (\(reason)) — pass --assume-crs with an EPSG code"
        case let .noSuchField(layer, option, field, available):
            return "\(layer) has no field “\(field)” (asked for by \(option)); its fields are: \(available.joined(separator: ", "))"
        case let .axesSwapped(layer):
            return "\(layer) misses every protected area, but would land on them with x and y exchanged — its coordinates look written as lat,lon; fix the file's axis order (or its CRS) and run again"
        case let .notDegrees(layer, feature, x, y):
            return "\(layer) feature \(feature): coordinates like \(Self.rough(x)), \(Self.rough(y)) are no longitude and latitude although the "
                + "layer's CRS is geographic — they look projected or mistyped; fix the feature, or the layer's CRS (its .prj) "
                + "if the whole layer is projected"
        case let .invalidGeometry(layer, feature, reason):
            return "\(layer) feature \(feature) has an invalid geometry (\(reason)) — repair it, or pass --invalid repair or --invalid skip"
        case let .readFailed(layer, reason):
            return "reading \(layer) failed: \(reason) — the file looks damaged or incomplete; copy it again from its source"
        case let .noProtectedAreas(sources):
            return "no protected polygons found in \(sources.joined(separator: ", ")) — check --protected"
        case let .geometryFailure(layer, feature, reason):
            return "\(layer) feature \(feature): geometry operation failed (\(reason)) — repair the geometry and run again"
        case let .outputFailed(path, reason):
            return "cannot write \(path): \(reason) — check the --out folder is writable and has space; nothing was replaced"
        case let .badOption(message):
            return message
        case let .badRules(file, line, message, more):
            let rest = more > 0 ? " (and \(more) more problem\(more == 1 ? "" : "s"); `redline rules check \(file)` lists them all)" : ""
            return "\(file):\(line): \(message)\(rest) — fix the rules file; nothing was checked"
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason)"
        case let .registryUnavailable(location, reason):
            return "cannot open the registry \(location): \(reason) — check the path is writable, or that the PG: server runs and the connection string is right"
        case let .badDate(layer, feature, field, value):
            return "\(layer) feature \(feature): “\(value)” in field \(field) is not a date — write dates as YYYY-MM-DD (or name another field)"
        case let .badValidity(layer, feature, from, to):
            return "\(layer) feature \(feature) is valid from \(from) to \(to), which ends before it starts — fix its dates"
        case let .implausibleDate(layer, feature, field, value, plausible):
            return "\(layer) feature \(feature): detection date “\(value)” in field \(field) is outside \(plausible.lowerBound)…"
                + "\(plausible.upperBound), the days satellite change detection can be from — fix the date (or name another field with --detected)"
        case let .mixedAxisOrder(layer, swapped, total, examples):
            return "\(layer): \(swapped) of \(total) features look written as lat,lon (x and y exchanged), the others as lon,lat — "
                + "e.g. \(examples.joined(separator: ", ")); fix those features' coordinates and run again"
        case let .farFromProtection(layer, share, cause, canContinue):
            let percent = Int((share * 100).rounded())
            return "\(layer): \(percent)% of the patches lie outside the extent of the protected layers, where none can "
                + "become a clue — \(cause)"
                + (canContinue ? "; if they really are elsewhere, pass --allow-far" : "")
        case let .missingSidecar(file, missing):
            return "\(file) is an incomplete shapefile: \(missing.joined(separator: ", ")) "
                + "\(missing.count == 1 ? "is" : "are") missing — copy all of its files (.shp, .shx, .dbf, .prj, .cpg) together"
        case let .undecodableText(layer, declared, suggestion):
            return "\(layer): its text is not valid \(declared) although its .cpg says so — "
                + (suggestion.map { "it reads as \($0) (GBK): pass --encoding \($0), or fix the .cpg" }
                   ?? "pass --encoding with the encoding it was written in, or fix the .cpg")
        case let .printFailed(path, browser, reason):
            return "cannot print \(path) with \(browser): \(reason) — nothing was replaced; --no-pdf writes the rest"
        case let .checklistsFailed(out, checklists, cause):
            return "the check's outputs in \(out) were written, but not its checklists: \(cause) — \(checklists) still holds "
                + "the earlier checklists; once fixed, run `redline checklist \(out) --out \(checklists)`"
        case let .stoppedByWarnings(count, first):
            return "stopped by \(count) warning\(count == 1 ? "" : "s") under --strict (the first: \(first)) — nothing was written"
        }
    }
}
