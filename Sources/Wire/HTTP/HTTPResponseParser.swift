/// Parses a response head (from a backend) at the start of an accumulating
/// buffer. Same contract as `HTTPRequestParser`: call with the whole buffer
/// after each read, drop `consumed` bytes and `reset()` after `.complete`.
///
/// A response to a request whose answer may carry 1xx interim heads simply
/// yields each 1xx head as its own `.complete`.
public struct HTTPResponseParser: Sendable {
    public let maxHeadBytes: Int
    public let maxHeaders: Int
    private var scanner = HTTPHeadScanner(skipsLeadingEmptyLines: false)

    public init(maxHeadBytes: Int = 65536, maxHeaders: Int = 200) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaders = maxHeaders
    }

    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HeadParseResult<HTTPResponseHead> {
        switch scanner.scan(bytes, maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders) {
        case .incomplete:
            return .incomplete
        case .failure(let error):
            return .failure(error)
        case .found(let start, let end, let fieldCount):
            do throws(HTTPParseError) {
                let lineEnd = HTTPHeadScanner.lineEnd(bytes, from: start, headEnd: end)
                let (version, status, reason) = try Self.parseStatusLine(bytes, from: start, to: lineEnd)
                let headers = try HTTPFieldParsing.parseFields(
                    bytes, from: lineEnd + 2, headEnd: end, fieldCount: fieldCount)
                let head = HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
                return .complete(head, consumed: end)
            } catch {
                return .failure(error)
            }
        }
    }

    public mutating func reset() {
        scanner.reset()
    }

    /// `HTTP-version SP 3DIGIT SP [reason-phrase]` (RFC 9112 §4); the SP before an
    /// empty reason may be missing, as some servers omit it.
    private static func parseStatusLine(
        _ bytes: UnsafeRawBufferPointer, from: Int, to: Int
    ) throws(HTTPParseError) -> (HTTPVersion, Int, String) {
        var i = from
        while i < to, bytes[i] != HTTPASCII.sp { i += 1 }
        let version: HTTPVersion
        switch HTTPVersion.parse(bytes, from: from, to: i) {
        case .version(let parsed): version = parsed
        case .unsupported: throw .unsupportedVersion
        case .malformed: throw .malformedStartLine
        }
        // SP then exactly three digits, the first 1–9 (bytes[i] is the SP when i < to).
        guard i + 4 <= to,
              bytes[i + 1] &- 0x31 < 9,
              HTTPASCII.isDigit(bytes[i + 2]),
              HTTPASCII.isDigit(bytes[i + 3])
        else { throw .malformedStartLine }
        let status = Int(bytes[i + 1] &- 0x30) * 100 + Int(bytes[i + 2] &- 0x30) * 10 + Int(bytes[i + 3] &- 0x30)
        i += 4
        if i == to { return (version, status, "") }
        guard bytes[i] == HTTPASCII.sp else { throw .malformedStartLine }
        i += 1
        guard HTTPASCII.isFieldContent(bytes, from: i, to: to) else { throw .malformedStartLine }
        return (version, status, HTTPFieldParsing.string(bytes, from: i, to: to))
    }
}
