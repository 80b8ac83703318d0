/// Parses a request head from the start of a connection's accumulating read
/// buffer (sans-IO: bytes in, a head or an error out).
///
/// Call `parse` after every read with the whole buffer (which must start at the
/// head); it only scans bytes it has not seen. After `.complete`, drop
/// `consumed` bytes and call `reset()` before parsing the next pipelined head.
public struct HTTPRequestParser: Sendable {
    /// A head that has not ended within this many bytes fails with `.headTooLarge`, or
    /// `.requestLineTooLong` when not even the request line ended.
    public let maxHeadBytes: Int
    /// More field lines than this fail with `.tooManyHeaders`.
    public let maxHeaders: Int
    private var scanner = HTTPHeadScanner(skipsLeadingEmptyLines: true)

    public init(maxHeadBytes: Int = 8192, maxHeaders: Int = 100) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaders = maxHeaders
    }

    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HeadParseResult<HTTPRequestHead> {
        switch scanner.scan(bytes, maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders) {
        case .incomplete:
            return .incomplete
        case .failure(.headTooLarge) where scanner.inStartLine:
            return .failure(.requestLineTooLong)  // the URI alone is over the limit: 414
        case .failure(let error):
            return .failure(error)
        case .found(let start, let end, let fieldCount):
            do throws(HTTPParseError) {
                let lineEnd = HTTPHeadScanner.lineEnd(bytes, from: start, headEnd: end)
                let (method, target, version) = try Self.parseRequestLine(bytes, from: start, to: lineEnd)
                let headers = try HTTPFieldParsing.parseFields(
                    bytes, from: lineEnd + 2, headEnd: end, fieldCount: fieldCount)
                let head = HTTPRequestHead(method: method, target: target, version: version, headers: headers)
                return .complete(head, consumed: end)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Forget the scan position; required before parsing the next head.
    public mutating func reset() {
        scanner.reset()
    }

    /// `method SP request-target SP HTTP-version`, single spaces only (RFC 9112 §3).
    private static func parseRequestLine(
        _ bytes: UnsafeRawBufferPointer, from: Int, to: Int
    ) throws(HTTPParseError) -> (String, String, HTTPVersion) {
        var i = from
        while i < to, HTTPASCII.isToken(bytes[i]) { i += 1 }
        guard i > from, i < to, bytes[i] == HTTPASCII.sp else { throw .malformedStartLine }
        let methodEnd = i
        i += 1
        let targetStart = i
        // Visible ASCII or UTF-8 bytes; no SP, controls or DEL.
        var ored: UInt8 = 0
        while i < to, bytes[i] > HTTPASCII.sp, bytes[i] != 0x7F {
            ored |= bytes[i]
            i += 1
        }
        guard i > targetStart, i < to, bytes[i] == HTTPASCII.sp else { throw .malformedStartLine }
        let targetEnd = i
        let version: HTTPVersion
        switch HTTPVersion.parse(bytes, from: i + 1, to: to) {
        case .version(let parsed): version = parsed
        case .unsupported: throw .unsupportedVersion
        case .malformed: throw .malformedStartLine
        }
        // Pure ASCII (the usual case) cannot be invalid UTF-8: skip the validating decode.
        let checked = ored < 0x80
            ? HTTPFieldParsing.string(bytes, from: targetStart, to: targetEnd)
            : HTTPFieldParsing.validatedString(bytes, from: targetStart, to: targetEnd)
        guard let target = checked else { throw .malformedStartLine }
        return (HTTPFieldParsing.string(bytes, from: from, to: methodEnd), target, version)
    }
}
