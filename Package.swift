// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "redline",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "redline", targets: ["redline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // C bindings: a module map and a shim header each, found with pkg-config.
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CXLSX", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),

        // One Swift module per binding; none depends on another.
        .target(name: "GEOSKit", dependencies: ["CGEOS"]),
        .target(name: "PROJKit", dependencies: ["CPROJ"]),
        .target(name: "GDALKit", dependencies: ["CGDAL"]),
        .target(name: "DigestKit", dependencies: ["CCrypto"]),
        .target(name: "XLSXKit", dependencies: ["CXLSX"]),

        // The domain: sources, protected areas, the overlap engine, clues.
        // The rules file is YAML: Yams gives every node its line, so errors can name it.
        .target(name: "ThreadKit"),
        .target(name: "RedlineCore", dependencies: ["GEOSKit", "PROJKit", "GDALKit", "DigestKit", "ThreadKit", "Yams"]),
        // The files a check writes.
        .target(name: "RedlineOutputs", dependencies: ["RedlineCore", "GDALKit", "ThreadKit"]),
        // What a county's field team takes out: spreadsheet, KMZ, GPX, printable sheets.
        .target(name: "RedlineChecklists", dependencies: ["RedlineCore", "RedlineOutputs", "GDALKit", "GEOSKit", "PROJKit",
                                                          "XLSXKit"]),
        // The clue registry across nightly runs: GeoPackage or PostGIS, through GDAL.
        .target(name: "RedlineRegistry", dependencies: ["RedlineCore", "RedlineOutputs", "GDALKit", "GEOSKit", "ThreadKit", "DigestKit"]),
        // The monthly report a department hands upward: HTML, PDF (headless Chromium), XLSX.
        .target(name: "RedlineReports", dependencies: ["RedlineCore", "RedlineOutputs", "RedlineRegistry", "RedlineChecklists",
                                                       "GEOSKit", "XLSXKit"]),
        // The thin command line.
        .executableTarget(name: "redline", dependencies: [
            "RedlineCore", "RedlineOutputs", "RedlineChecklists", "RedlineRegistry", "RedlineReports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["GDALKit"], path: "Tests/TestSupport"),
        .testTarget(name: "GEOSKitTests", dependencies: ["GEOSKit", "TestSupport"]),
        .testTarget(name: "PROJKitTests", dependencies: ["PROJKit", "TestSupport"]),
        .testTarget(name: "DigestKitTests", dependencies: ["DigestKit"]),
        .testTarget(name: "XLSXKitTests", dependencies: ["XLSXKit", "GDALKit", "TestSupport"]),
        .testTarget(name: "GDALKitTests", dependencies: ["GDALKit", "GEOSKit", "TestSupport"]),
        .testTarget(name: "RedlineCoreTests", dependencies: ["RedlineCore", "GEOSKit", "PROJKit", "TestSupport"]),
        .testTarget(name: "RedlineOutputsTests", dependencies: ["RedlineOutputs", "RedlineCore", "GDALKit", "TestSupport"]),
        .testTarget(name: "RedlineChecklistsTests", dependencies: ["RedlineChecklists", "RedlineOutputs", "RedlineCore", "PROJKit",
                                                                 "TestSupport"]),
        .testTarget(name: "RedlineRegistryTests", dependencies: ["RedlineRegistry", "RedlineOutputs", "RedlineCore", "GDALKit", "TestSupport"]),
        .testTarget(name: "RedlineCLITests", dependencies: ["RedlineCore", "GEOSKit", "TestSupport"]),
    ]
)
