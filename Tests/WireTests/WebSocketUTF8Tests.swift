import SeededRandom
import Testing
@testable import Wire

/// The incremental UTF-8 validator against the standard library's decoder.
@Suite("WebSocket UTF-8 validation")
struct WebSocketUTF8Tests {
    private func stdlibAccepts(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    private func streamAccepts(_ pieces: [[UInt8]]) -> Bool {
        var validator = UTF8StreamValidator()
        for piece in pieces {
            guard piece.withUnsafeBytes({ validator.validate($0) }) else { return false }
        }
        return validator.isComplete
    }

    @Test func boundaryCodePoints() {
        let valid: [[UInt8]] = [
            [], [0x00], [0x7F], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
            [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
            Array("κόσμε Hello-µ@ßöäüàá-UTF-8!!".utf8),
        ]
        for bytes in valid {
            #expect(UTF8StreamValidator.isValid(bytes), "\(bytes)")
        }
        let invalid: [[UInt8]] = [
            [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
            [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xC2], [0xE0, 0xA0],
            [0xF0, 0x90, 0x80],
        ]
        for bytes in invalid {
            #expect(!UTF8StreamValidator.isValid(bytes), "\(bytes)")
        }
    }

    /// The ASCII word-at-a-time path, with a non-ASCII byte at every offset.
    @Test func asciiFastPathSeesEveryPosition() {
        for length in 1...40 {
            for position in 0..<length {
                var bytes = [UInt8](repeating: 0x61, count: length)
                bytes[position] = 0xFF
                #expect(!UTF8StreamValidator.isValid(bytes), "length \(length) position \(position)")
                bytes[position] = 0x7F
                #expect(UTF8StreamValidator.isValid(bytes))
            }
        }
    }

    /// Random short byte strings from a UTF-8-heavy alphabet: the validator, fed
    /// whole or in two pieces, agrees with `String(validating:as:)`.
    @Test func agreesWithStandardLibrary() {
        let alphabet: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
            0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF,
        ]
        var random = SeededRandom(seed: 0x07F8_0000_2024)
        var validCount = 0
        for _ in 0..<4000 {
            let bytes = (0..<(1 + random.below(6))).map { _ in alphabet[random.below(alphabet.count)] }
            let expected = stdlibAccepts(bytes)
            if expected { validCount += 1 }
            #expect(UTF8StreamValidator.isValid(bytes) == expected, "\(bytes)")
            let cut = random.below(bytes.count + 1)
            #expect(streamAccepts([Array(bytes[..<cut]), Array(bytes[cut...])]) == expected, "\(bytes) cut \(cut)")
        }
        #expect(validCount > 50)  // the valid side is exercised too
    }

    /// Every code point, encoded by the standard library, validates fed byte by byte.
    @Test func allScalarsByteByByte() {
        var bytes: [UInt8] = []
        var scalar: UInt32 = 0
        while scalar <= 0x10FFFF {
            if let value = Unicode.Scalar(scalar) { bytes += Array(String(Character(value)).utf8) }
            scalar += scalar < 0x800 ? 1 : 97  // sparse above U+0800 to stay fast in debug
        }
        bytes += Array("\u{FFFF}\u{10000}\u{10FFFF}".utf8)
        #expect(UTF8StreamValidator.isValid(bytes))
        #expect(streamAccepts(bytes.map { [$0] }))
    }
}
