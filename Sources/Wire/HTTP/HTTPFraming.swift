/// Header rules shared by request and response heads: persistence and
/// the Transfer-Encoding / Content-Length framing fields (RFC 9112 §6, §9.3).
enum HTTPFraming {
    /// RFC 9112 §9.3: close wins; 1.1 persists by default; 1.0 only on request.
    static func keepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        switch version {
        case .http11: return true
        case .http10: return headers.containsToken("keep-alive", in: "Connection")
        }
    }

    /// Whether the Transfer-Encoding fields list `chunked` once, as the last coding.
    /// Codings before it (e.g. gzip) stay part of the body the decoder emits.
    static func isChunkedLast(_ headers: HTTPHeaders) -> Bool {
        var codings: [Substring] = []
        for value in headers.values("Transfer-Encoding") {
            codings.append(contentsOf: HTTPASCII.listElements(value))
        }
        guard let last = codings.last, HTTPASCII.equalsIgnoringCase(String(last), "chunked") else {
            return false
        }
        return !codings.dropLast().contains { HTTPASCII.equalsIgnoringCase(String($0), "chunked") }
    }

    /// The Content-Length, nil when absent. Every value (repeated fields and
    /// comma lists alike) must be plain digits and all must agree (RFC 9110 §8.6).
    /// Runs for every head: walks the values in place, with no arrays for the fields or elements.
    static func contentLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int? {
        var result: Int?
        var next = headers.firstIndex(of: "Content-Length")
        while let index = next {
            let value = headers.value(at: index)
            var rest = value.utf8[...]
            while true {
                let end = rest.firstIndex(of: HTTPASCII.comma) ?? rest.endIndex
                let length = try parseLength(HTTPASCII.trimOWS(rest[..<end]))
                if let previous = result, previous != length { throw .invalidContentLength }
                result = length
                if end == rest.endIndex { break }
                rest = rest[rest.index(after: end)...]
            }
            next = headers.firstIndex(of: "Content-Length", from: index + 1)
        }
        return result
    }

    /// Lengths above 2^62 are refused rather than risk overflow in callers' arithmetic.
    private static let maxLength = 1 << 62

    private static func parseLength(_ digits: Substring.UTF8View) throws(HTTPParseError) -> Int {
        guard !digits.isEmpty else { throw .invalidContentLength }
        var value = 0
        for byte in digits {
            guard HTTPASCII.isDigit(byte) else { throw .invalidContentLength }
            let digit = Int(byte &- 0x30)
            guard value <= (maxLength - digit) / 10 else { throw .invalidContentLength }
            value = value * 10 + digit
        }
        return value
    }
}
