internal import CGDAL

/// Text recoding through GDAL's CPLRecode (iconv underneath).
public enum TextEncoding {
    /// `bytes` read as text in `encoding` ("CP936", "GB18030"…), as UTF-8; nil when they are not
    /// valid text in it.
    public static func utf8(from bytes: [UInt8], encoding: String) -> String? {
        guard !bytes.contains(0) else { return nil }
        let source = bytes.map { CChar(bitPattern: $0) } + [0]
        // Bytes iconv cannot convert make CPLRecode warn; it still returns a string (which we check).
        CPLPushErrorHandler(CPLQuietErrorHandler)
        defer { CPLPopErrorHandler() }
        CPLErrorReset()
        let recoded = CPLRecode(source, encoding, CPL_ENC_UTF8)
        defer { VSIFree(recoded) }
        let hadError = CPLGetLastErrorType() != CE_None
        CPLErrorReset()
        return hadError ? nil : String(cString: recoded)
    }
}
