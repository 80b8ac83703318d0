/// The two HTTP/1 versions pushpind speaks; anything else is refused with 505
/// before a head value is ever built.
public enum HTTPVersion: Sendable, Equatable {
    case http10
    case http11

    /// The version as written on the wire, e.g. "HTTP/1.1".
    public var text: String {
        switch self {
        case .http10: return "HTTP/1.0"
        case .http11: return "HTTP/1.1"
        }
    }

    /// Result of reading an `HTTP-version` token; `unsupported` is a well-formed
    /// "HTTP/<digits>[.<digits>]" that is not 1.0 or 1.1, which maps to 505.
    enum ParseOutcome {
        case version(HTTPVersion)
        case unsupported
        case malformed
    }

    /// Reads `bytes[from..<to]` as an HTTP-version token (case-sensitive, RFC 9112 §2.3).
    static func parse(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> ParseOutcome {
        let length = to - from
        guard length >= 6,
              bytes[from] == 0x48, bytes[from + 1] == 0x54, bytes[from + 2] == 0x54,
              bytes[from + 3] == 0x50, bytes[from + 4] == 0x2F   // "HTTP/"
        else { return .malformed }
        if length == 8, bytes[from + 5] == 0x31, bytes[from + 6] == 0x2E {
            if bytes[from + 7] == 0x31 { return .version(.http11) }
            if bytes[from + 7] == 0x30 { return .version(.http10) }
        }
        // Well-formed but other: DIGIT+ [ "." DIGIT+ ]
        var i = from + 5
        var sawDigit = false
        while i < to, HTTPASCII.isDigit(bytes[i]) { i += 1; sawDigit = true }
        guard sawDigit else { return .malformed }
        if i == to { return .unsupported }
        guard bytes[i] == 0x2E else { return .malformed }
        i += 1
        var sawMinor = false
        while i < to, HTTPASCII.isDigit(bytes[i]) { i += 1; sawMinor = true }
        return sawMinor && i == to ? .unsupported : .malformed
    }
}
