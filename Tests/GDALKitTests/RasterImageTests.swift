import Foundation
import GDALKit
import Testing
import TestSupport

/// Images through GDAL's raster drivers: what is written reads back, and scaling averages.
@Suite struct RasterImageTests {
    /// Left half red, right half blue, top row semi-transparent.
    static func halves(width: Int, height: Int) -> RasterImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { pixels += x < width / 2 ? [255, 0, 0, y == 0 ? 128 : 255] : [0, 0, 255, y == 0 ? 128 : 255] }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    @Test func aPNGReadsBackPixelForPixel() throws {
        let folder = TemporaryFolder("raster")
        let image = Self.halves(width: 6, height: 4)
        try image.write(folder.path("a.png"), driver: "PNG")
        #expect(try RasterImage.read(folder.path("a.png"), maxSide: 100) == image, "never scaled up, alpha kept")
    }

    @Test func scalingDownAveragesAndKeepsTheAspect() throws {
        let folder = TemporaryFolder("raster")
        try Self.halves(width: 64, height: 32).write(folder.path("big.png"), driver: "PNG")
        let small = try RasterImage.read(folder.path("big.png"), maxSide: 16)
        #expect(small.width == 16 && small.height == 8)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(small.pixels[(y * 16 + x) * 4..<(y * 16 + x) * 4 + 4]) }
        #expect(pixel(0, 3) == [255, 0, 0, 255] && pixel(15, 3) == [0, 0, 255, 255], "each half keeps its colour")
        // A scaled pixel averages a 4×4 block: the top one has one row of alpha 128 and three of
        // 255, (128 + 3 × 255) / 4 = 223.25.
        #expect((222...224).contains(pixel(0, 0)[3]), "\(pixel(0, 0))")
    }

    @Test func aJPEGInsideAZipIsWrittenAndOpaque() throws {
        let folder = TemporaryFolder("raster")
        try Self.halves(width: 40, height: 20).write("/vsizip/\(folder.path("a.zip"))/images/a.jpg", driver: "JPEG",
                                                     options: ["QUALITY=90"])
        #expect(try ZipArchive.names(folder.path("a.zip")) == ["images/a.jpg"])
        let read = try RasterImage.read("/vsizip/\(folder.path("a.zip"))/images/a.jpg", maxSide: 40)
        #expect(read.width == 40 && stride(from: 3, to: read.pixels.count, by: 4).allSatisfy { read.pixels[$0] == 255 })
        #expect(read.pixels[0] > 200 && read.pixels[2] < 60, "still red at the left")
    }

    @Test func whatIsNoImageIsRefusedByName() throws {
        let folder = TemporaryFolder("raster")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.path("x.png")))
        #expect { try RasterImage.read(folder.path("x.png"), maxSide: 10) } throws: { "\($0)".contains(folder.path("x.png")) }
        #expect { try RasterImage.read(folder.path("missing.jpg"), maxSide: 10) } throws: { "\($0)".contains("missing.jpg") }
    }
}
