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

    /// What imagery folders hold besides 8-bit RGB: palette PNGs, 16-bit and floating-point TIFFs
    /// (written here with GDAL's Python bindings).
    @Test func paletteAndWideImagesKeepTheirPicture() throws {
        let folder = TemporaryFolder("raster")
        let script = """
        import sys
        from osgeo import gdal
        folder = sys.argv[1]
        mem = gdal.GetDriverByName('MEM').Create('', 4, 2, 1, gdal.GDT_Byte)
        mem.GetRasterBand(1).WriteRaster(0, 0, 4, 2, bytes([1] * 8))
        table = gdal.ColorTable()
        table.SetColorEntry(0, (0, 0, 0, 255)); table.SetColorEntry(1, (0, 255, 0, 255))
        mem.GetRasterBand(1).SetRasterColorTable(table)
        mem.GetRasterBand(1).SetRasterColorInterpretation(gdal.GCI_PaletteIndex)
        gdal.GetDriverByName('PNG').CreateCopy(folder + '/palette.png', mem)
        for name, kind, values in [('wide.tif', gdal.GDT_UInt16, [0, 4000]), ('float.tif', gdal.GDT_Float32, [-1.5, 0.25])]:
            tif = gdal.GetDriverByName('GTiff').Create(folder + '/' + name, 2, 1, 1, kind)
            import struct
            tif.GetRasterBand(1).WriteRaster(0, 0, 2, 1, struct.pack('<2' + ('H' if kind == gdal.GDT_UInt16 else 'f'), *values))
            tif = None
        """
        let made = try Command.run("/usr/bin/python3", ["-c", script, folder.url.path])
        #expect(made.status == 0, "\(made.stderr)")
        let palette = try RasterImage.read(folder.path("palette.png"), maxSide: 10)
        #expect(Array(palette.pixels[0..<4]) == [0, 255, 0, 255], "the palette's colour, not the index")
        for name in ["wide.tif", "float.tif"] {
            let image = try RasterImage.read(folder.path(name), maxSide: 10)
            #expect(image.pixels[0] == 0 && image.pixels[4] == 255, "\(name): stretched from its minimum to its maximum")
        }
    }

    /// Only picture formats open: a VRT named .jpg that reads another file is refused, and so is
    /// an image too large for a thumbnail.
    @Test func onlyPicturesOfAReasonableSizeAreRead() throws {
        let folder = TemporaryFolder("raster")
        try Self.halves(width: 4, height: 2).write(folder.path("secret.png"), driver: "PNG")
        try Data("""
        <VRTDataset rasterXSize="4" rasterYSize="2"><VRTRasterBand dataType="Byte" band="1"><SimpleSource>
        <SourceFilename relativeToVRT="0">\(folder.path("secret.png"))</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
        </VRTRasterBand></VRTDataset>
        """.utf8).write(to: URL(fileURLWithPath: folder.path("disguised.jpg")))
        #expect { try RasterImage.read(folder.path("disguised.jpg"), maxSide: 10) } throws: { "\($0)".contains("disguised.jpg") }
        let huge = try Command.run("/usr/bin/gdal_create", ["-of", "GTiff", "-outsize", "20000", "20000", "-bands", "1", "-co", "SPARSE_OK=YES",
                                                            folder.path("huge.tif")])
        #expect(huge.status == 0, "\(huge.stderr)")
        #expect { try RasterImage.read(folder.path("huge.tif"), maxSide: 10) } throws: { "\($0)".contains("too large for a thumbnail") }
    }

    @Test func whatIsNoImageIsRefusedByName() throws {
        let folder = TemporaryFolder("raster")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder.path("x.png")))
        #expect { try RasterImage.read(folder.path("x.png"), maxSide: 10) } throws: { "\($0)".contains(folder.path("x.png")) }
        #expect { try RasterImage.read(folder.path("missing.jpg"), maxSide: 10) } throws: { "\($0)".contains("missing.jpg") }
    }
}
