import DigestKit
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesTheStandardsExamples(message: String, digest: String) {
        let hasher = SHA256()
        hasher.update(Array(message.utf8))
        #expect(hasher.hexDigest() == digest)
    }

    @Test func aMillionAsFedInOddChunks() {
        let hasher = SHA256()
        var left = 1_000_000
        while left > 0 {
            let chunk = min(left, 999)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: chunk))
            left -= chunk
        }
        #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // A digest starts the hasher afresh.
        hasher.update(Array("abc".utf8))
        #expect(hasher.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
