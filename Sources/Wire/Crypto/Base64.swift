/// Base64 (RFC 4648 §4) and base64url (§5).
///
/// Decoding is strict so one value has one spelling (a JWT segment cannot be
/// re-spelled): only the alphabet's 64 characters, no whitespace, padding
/// optional but correct when present, and unused trailing bits must be zero.
public enum Base64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Standard alphabet, with `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        encode(bytes, alphabet: standardAlphabet, padded: true)
    }

    /// Standard alphabet (`+`, `/`), padding optional; nil on any other input.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(text, char62: UInt8(ascii: "+"), char63: UInt8(ascii: "/"))
    }

    /// Standard alphabet with the padding RFC 4648 §4 requires (length a multiple of 4), so
    /// every byte string has exactly one accepted spelling; nil on any other input. For
    /// the `*-bin` fields publishers and backends send.
    public static func decodeCanonical(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0 else { return nil }
        return decode(text)
    }

    /// base64url alphabet, without padding (as JWT uses it).
    public static func encodeURL(_ bytes: [UInt8]) -> String {
        encode(bytes, alphabet: urlAlphabet, padded: false)
    }

    /// base64url alphabet (`-`, `_`), padding optional; nil on any other input.
    public static func decodeURL(_ text: String) -> [UInt8]? {
        decode(text, char62: UInt8(ascii: "-"), char63: UInt8(ascii: "_"))
    }

    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], padded: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] as [UInt32] { out.append(alphabet[Int((group >> shift) & 0x3F)]) }
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            var group = UInt32(bytes[index]) << 16
            if remaining == 2 { group |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int((group >> 18) & 0x3F)])
            out.append(alphabet[Int((group >> 12) & 0x3F)])
            if remaining == 2 { out.append(alphabet[Int((group >> 6) & 0x3F)]) }
            if padded { out.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - remaining)) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ text: String, char62: UInt8, char63: UInt8) -> [UInt8]? {
        var symbols = Array(text.utf8)
        var paddingCount = 0
        while symbols.last == UInt8(ascii: "=") {
            symbols.removeLast()
            paddingCount += 1
        }
        // Padding, when present, must complete the last quantum exactly.
        guard paddingCount == 0 || (paddingCount <= 2 && (symbols.count + paddingCount) % 4 == 0) else { return nil }
        let tailCount = symbols.count % 4
        guard tailCount != 1 else { return nil }
        guard paddingCount == 0 || tailCount == 4 - paddingCount else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for symbol in symbols {
            guard let sextet = value(of: symbol, char62: char62, char63: char63) else { return nil }
            accumulator = (accumulator << 6 | UInt32(sextet)) & 0xFFFFFF
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
            }
        }
        // Leftover bits (2 or 4) are padding of the encoder and must be zero.
        guard accumulator & ((1 << UInt32(bitCount)) - 1) == 0 else { return nil }
        return out
    }

    private static func value(of symbol: UInt8, char62: UInt8, char63: UInt8) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return symbol - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return symbol - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return symbol - UInt8(ascii: "0") + 52
        case char62: return 62
        case char63: return 63
        default: return nil
        }
    }
}
