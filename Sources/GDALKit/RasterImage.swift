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

    /// Reads an image any GDAL raster driver opens (PNG, JPEG, TIFF, …), scaled down with
    /// averaging so its longer side is at most `maxSide` pixels (never up). Grey images become
    /// RGB; an image without alpha is opaque.
    public static func read(_ path: String, maxSide: Int) throws -> RasterImage {
        GDAL.register()
        CPLErrorReset()
        guard let dataset = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GDALError.last("cannot open the image \(path)")
        }
        defer { GDALClose(dataset) }
        let sourceWidth = Int(GDALGetRasterXSize(dataset)), sourceHeight = Int(GDALGetRasterYSize(dataset))
        let bands = Int(GDALGetRasterCount(dataset))
        guard sourceWidth > 0, sourceHeight > 0, bands > 0 else {
            throw GDALError(operation: "cannot read the image \(path)", message: "it holds no pixels")
        }
        let scale = min(1, Double(max(1, maxSide)) / Double(max(sourceWidth, sourceHeight)))
        let width = max(1, Int((Double(sourceWidth) * scale).rounded())), height = max(1, Int((Double(sourceHeight) * scale).rounded()))
        // Bands 1-3 as RGB (a grey image repeats band 1), band 4 as alpha when there is one.
        let colour: [Int32] = bands >= 3 ? [1, 2, 3] : [1, 1, 1]
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        var extra = GDALRasterIOExtraArg()
        extra.nVersion = 1
        extra.eResampleAlg = GRIORA_Average
        for (offset, band) in (colour + (bands >= 4 ? [4] : [])).enumerated() {
            CPLErrorReset()
            let result = pixels.withUnsafeMutableBytes { buffer -> CPLErr in
                guard let handle = GDALGetRasterBand(dataset, band) else { return CE_Failure }
                return GDALRasterIOEx(handle, GF_Read, 0, 0, Int32(sourceWidth), Int32(sourceHeight), buffer.baseAddress! + offset,
                                      Int32(width), Int32(height), GDT_Byte, 4, 4 * Int64(width), &extra)
            }
            guard result == CE_None else { throw GDALError.last("cannot read the pixels of \(path)") }
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
