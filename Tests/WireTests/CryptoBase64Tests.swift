import Testing
import Wire

@Suite("Base64")
struct CryptoBase64Tests {
    /// RFC 4648 §10.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        let bytes = Array(plain.utf8)
        #expect(Base64.encode(bytes) == encoded)
        #expect(Base64.decode(encoded) == bytes)
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base64.decode(unpadded) == bytes)
        #expect(Base64.encodeURL(bytes) == unpadded)
        #expect(Base64.decodeURL(unpadded) == bytes)
        #expect(Base64.decodeURL(encoded) == bytes)
    }

    @Test func alphabetsDiffer() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.encodeURL(bytes) == "-_-_")
        #expect(Base64.decode("+/+/") == bytes)
        #expect(Base64.decodeURL("-_-_") == bytes)
        #expect(Base64.decode("-_-_") == nil)
        #expect(Base64.decodeURL("+/+/") == nil)
    }

    @Test func allByteValuesRoundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        for length in [0, 1, 2, 3, 4, 5, 127, 256] {
            let slice = Array(bytes.prefix(length))
            #expect(Base64.decode(Base64.encode(slice)) == slice)
            #expect(Base64.decodeURL(Base64.encodeURL(slice)) == slice)
        }
    }

    @Test(arguments: [
        "Z",  // one symbol cannot hold a byte
        "Zm9vY",  // 4n+1 symbols
        "Zm9v=",  // padding after a complete quantum
        "Zg=",  // padding that does not complete the quantum
        "Zg===",
        "Zm8==",
        "=",
        "====",
        "Zg==Zg==",  // padding in the middle
        "Zm 9v",  // whitespace
        "Zm9v\n",
        "Zm9*",
        "Zh==",  // non-zero unused bits (canonical is Zg==)
        "Zm9=",  // non-zero unused bits (canonical is Zm8=)
        "Zm9vé",
    ])
    func rejects(text: String) {
        #expect(Base64.decode(text) == nil)
        #expect(Base64.decodeURL(text) == nil)
    }

    /// Config keys (`base64:` in pushpin.conf) may be written in either alphabet;
    /// `decode(text) ?? decodeURL(text)` accepts both, as `ConfigBase64` did.
    @Test(arguments: [
        ("aGVsbG8=", Array("hello".utf8)), ("aGVsbG8", Array("hello".utf8)), ("aGk=", Array("hi".utf8)),
        ("", []), ("-_8=", [0xfb, 0xff]), ("+/8=", [0xfb, 0xff]),
    ] as [(String, [UInt8])])
    func eitherAlphabet(text: String, bytes: [UInt8]) {
        #expect((Base64.decode(text) ?? Base64.decodeURL(text)) == bytes)
    }

    @Test(arguments: ["a", "aGVsbG8=x", "aGk===", "a b=", "aGk*", "aG=k", "+_8="])
    func eitherAlphabetRejects(text: String) {
        #expect((Base64.decode(text) ?? Base64.decodeURL(text)) == nil)
    }

    /// `*-bin` fields: the one spelling `encode` gives, nothing else.
    @Test func canonicalAcceptsWhatEncodeWrites() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decodeCanonical(Base64.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: [
        "aGk",  // unpadded
        "aGVsbG8",
        "Zg",
        "Zh==",  // non-zero unused bits
        "!!!",
        "a!G=k",  // Pushpin skips what is outside the alphabet; pushpind rejects it
        "aGVs\nbG8=",
        "=a=G=k=",
        "abc",
        "YWJj!!",
        "-_8=",  // base64url alphabet
        "aGk= ",
    ])
    func canonicalRejects(text: String) {
        #expect(Base64.decodeCanonical(text) == nil)
    }
}
