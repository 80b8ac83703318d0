import Testing
@testable import Wire

@Suite("HMAC-SHA256")
struct CryptoHMACTests {
    /// RFC 4231 §4.2–4.8, test cases 1–7 (case 5 is compared truncated to 128 bits, as the RFC gives it).
    static let rfc4231: [(key: [UInt8], message: [UInt8], expected: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
         "a3b6167473100ee06e0c796c2955552b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array(("This is a test using a larger than block-size key and a larger than block-size data. "
             + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: 0..<7)
    func rfc4231TestCase(index: Int) {
        let vector = Self.rfc4231[index]
        let mac = HMACSHA256.authenticate(vector.message, key: vector.key)
        #expect(mac.count == 32)
        #expect(CryptoTestHex.string(mac).hasPrefix(vector.expected), "test case \(index + 1)")
        if index != 4 { #expect(CryptoTestHex.string(mac) == vector.expected) }
    }

    @Test func keyOfExactlyOneBlockIsNotHashed() {
        // A 64-byte key is used as is; hashing it would give a different MAC.
        let key = [UInt8](repeating: 0x42, count: 64)
        let message = Array("m".utf8)
        #expect(HMACSHA256.authenticate(message, key: key) != HMACSHA256.authenticate(message, key: SHA256.hash(key)))
    }

    @Test func constantTimeEquals() {
        #expect(HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(HMACSHA256.constantTimeEquals([], []))
    }
}
