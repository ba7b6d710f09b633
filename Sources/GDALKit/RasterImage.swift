internal import CGDAL
import Foundation

/// A small picture in memory, 8-bit RGBA pixels row by row: what the checklists draw (map icons)
/// or read from the imagery a patch names (thumbnails). GDAL's raster drivers read and write it.
public struct RasterImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// width × height × 4 bytes: red, green, blue, alpha.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 4, "pixels must be width × height × 4")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The drivers `read` opens: picture formats only. A VRT (or any format that names other
    /// files or URLs) could make a harmless-looking .jpg read a file elsewhere or the network.
    public static let pictureDrivers = ["PNG", "JPEG", "GTiff", "GIF", "WEBP", "BMP"]

    /// Images larger than this many pixels are refused: a thumbnail of a whole scene is not what
    /// a field sheet needs, and reading one takes seconds and gigabytes.
    public static let largestPixels = 200_000_000

    /// Reads a picture (PNG, JPEG, TIFF, GIF, WebP, BMP), scaled down with averaging so its longer
    /// side is at most `maxSide` pixels (never up). Grey images become RGB, palette images their
    /// colours, 16-bit and floating-point images are stretched from their minimum to their
    /// maximum; an image without alpha is opaque.
    public static func read(_ path: String, maxSide: Int) throws -> RasterImage {
        GDAL.register()
        CPLErrorReset()
        let dataset = withStringList(pictureDrivers) { GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), $0?.constList, nil, nil) }
        guard let dataset else { throw GDALError.last("cannot open the image \(path) (PNG, JPEG, TIFF, GIF, WebP or BMP)") }
        defer { GDALClose(dataset) }
        let sourceWidth = Int(GDALGetRasterXSize(dataset)), sourceHeight = Int(GDALGetRasterYSize(dataset))
        let bands = Int(GDALGetRasterCount(dataset))
        guard sourceWidth > 0, sourceHeight > 0, bands > 0 else {
            throw GDALError(operation: "cannot read the image \(path)", message: "it holds no pixels")
        }
        guard sourceWidth * sourceHeight <= largestPixels else {
            throw GDALError(operation: "cannot read the image \(path)",
                            message: "\(sourceWidth) × \(sourceHeight) pixels is too large for a thumbnail — give a smaller copy")
        }
        let scale = min(1, Double(max(1, maxSide)) / Double(max(sourceWidth, sourceHeight)))
        let width = max(1, Int((Double(sourceWidth) * scale).rounded())), height = max(1, Int((Double(sourceHeight) * scale).rounded()))
        // Bands 1-3 as RGB (a grey image repeats band 1), band 4 as alpha when there is one.
        let colour: [Int32] = bands >= 3 ? [1, 2, 3] : [1, 1, 1]
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        var extra = GDALRasterIOExtraArg()
        extra.nVersion = 1
        guard let first = GDALGetRasterBand(dataset, 1) else { throw GDALError.last("cannot read the pixels of \(path)") }
        if bands == 1, GDALGetRasterColorInterpretation(first) == GCI_PaletteIndex, let table = GDALGetRasterColorTable(first) {
            // Palette indices cannot be averaged: read them as they are, then look up their colours.
            var indices = [UInt8](repeating: 0, count: width * height)
            let result = indices.withUnsafeMutableBytes { buffer in
                GDALRasterIOEx(first, GF_Read, 0, 0, Int32(sourceWidth), Int32(sourceHeight), buffer.baseAddress, Int32(width),
                               Int32(height), GDT_Byte, 1, Int64(width), &extra)
            }
            guard result == CE_None else { throw GDALError.last("cannot read the pixels of \(path)") }
            for (position, index) in indices.enumerated() {
                guard let entry = GDALGetColorEntry(table, Int32(index))?.pointee else { continue }
                pixels[position * 4] = UInt8(clamping: entry.c1)
                pixels[position * 4 + 1] = UInt8(clamping: entry.c2)
                pixels[position * 4 + 2] = UInt8(clamping: entry.c3)
                pixels[position * 4 + 3] = UInt8(clamping: entry.c4)
            }
            return RasterImage(width: width, height: height, pixels: pixels)
        }
        extra.eResampleAlg = GRIORA_Average
        var values = [Float](repeating: 0, count: width * height)
        for (offset, band) in (colour + (bands >= 4 ? [4] : [])).enumerated() {
            guard let handle = GDALGetRasterBand(dataset, band) else { throw GDALError.last("cannot read the pixels of \(path)") }
            CPLErrorReset()
            let result = values.withUnsafeMutableBytes { buffer in
                GDALRasterIOEx(handle, GF_Read, 0, 0, Int32(sourceWidth), Int32(sourceHeight), buffer.baseAddress, Int32(width),
                               Int32(height), GDT_Float32, 4, 4 * Int64(width), &extra)
            }
            guard result == CE_None else { throw GDALError.last("cannot read the pixels of \(path)") }
            // 8-bit bands are shown as they are; wider ones stretched over their own range.
            var low = 0.0, high = 255.0
            if GDALGetRasterDataType(handle) != GDT_Byte {
                var range = [0.0, 0.0]
                GDALComputeRasterMinMax(handle, 1, &range)
                (low, high) = (range[0], range[1] > range[0] ? range[1] : range[0] + 1)
            }
            for position in 0..<(width * height) {
                let scaled = (Double(values[position]) - low) / (high - low) * 255
                pixels[position * 4 + offset] = UInt8(scaled.isFinite ? min(255, max(0, scaled.rounded())) : 0)
            }
        }
        return RasterImage(width: width, height: height, pixels: pixels)
    }

    /// Writes the image through a GDAL raster driver (PNG keeps the alpha; JPEG drops it) at
    /// `path`, which may be inside an archive being written (/vsizip/…).
    public func write(_ path: String, driver: String, options: [String] = []) throws {
        GDAL.register()
        CPLErrorReset()
        guard let memory = GDALGetDriverByName("MEM"), let target = GDALGetDriverByName(driver) else {
            throw GDALError(operation: "cannot write \(path)", message: "GDAL has no \(driver) raster driver here")
        }
        let bands = driver == "JPEG" ? 3 : 4
        guard let staging = GDALCreate(memory, "", Int32(width), Int32(height), Int32(bands), GDT_Byte, nil) else {
            throw GDALError.last("cannot make the image for \(path)")
        }
        defer { GDALClose(staging) }
        var copy = pixels
        let written = copy.withUnsafeMutableBytes { buffer in
            GDALDatasetRasterIO(staging, GF_Write, 0, 0, Int32(width), Int32(height), buffer.baseAddress, Int32(width), Int32(height),
                                GDT_Byte, Int32(bands), nil, 4, Int32(4 * width), 1)
        }
        guard written == CE_None else { throw GDALError.last("cannot fill the image for \(path)") }
        CPLErrorReset()
        let created = withStringList(options) { GDALCreateCopy(target, path, staging, 0, $0, nil, nil) }
        guard let created else { throw GDALError.last("cannot write \(path)") }
        CPLErrorReset()
        // Closing flushes the file; a failure there is a failed write.
        GDALClose(created)
        if CPLGetLastErrorType() == CE_Failure { throw GDALError.last("cannot write \(path)") }
    }
}
