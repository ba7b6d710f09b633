internal import CCrypto

/// The Swift face of OpenSSL's message digests: what redline fingerprints its inputs with.
/// OpenSSL is already loaded by GDAL, and uses the CPU's SHA extensions (1 GB/s and more here).

/// SHA-256 over streamed bytes. Owns one OpenSSL digest context: use it from one thread.
public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        // Allocation fails only when memory is exhausted, and so does everything else then.
        context = EVP_MD_CTX_new()!
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The digest as 64 lowercase hex digits; the hasher starts afresh afterwards.
    public func hexDigest() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        return hexString(digest.prefix(Int(length)))
    }
}

/// Bytes as lowercase hex digits, two a byte.
public func hexString(_ bytes: some Collection<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
}
