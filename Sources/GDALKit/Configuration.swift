internal import CGDAL

/// GDAL configuration options set for this thread only, for the duration of `body`.
public enum GDALConfiguration {
    public static func with<T>(_ options: [(String, String)], _ body: () throws -> T) rethrows -> T {
        let previous = options.map { key, _ in CPLGetThreadLocalConfigOption(key, nil).map { String(cString: $0) } }
        for (key, value) in options { CPLSetThreadLocalConfigOption(key, value) }
        defer { for ((key, _), old) in zip(options, previous) { CPLSetThreadLocalConfigOption(key, old) } }
        return try body()
    }
}
