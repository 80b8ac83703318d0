/// Why bytes could not be read as an HTTP/1.1 message. Each case maps to the
/// status a server answers with before closing the connection.
public enum HTTPParseError: Error, Sendable, Equatable {
    case headTooLarge
    /// The request line alone does not fit the head limit (in practice: the URI).
    case requestLineTooLong
    case tooManyHeaders
    case malformedStartLine
    case malformedHeader
    case unsupportedVersion
    case invalidContentLength
    case conflictingFraming
    case unsupportedTransferEncoding
    case invalidChunk

    /// The response status for a client whose request failed this way.
    public var status: Int {
        switch self {
        case .headTooLarge, .tooManyHeaders: return 431
        case .requestLineTooLong: return 414
        case .unsupportedVersion: return 505
        // RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked has no
        // knowable length; 400 and close, not 501, since the rest cannot be read.
        case .malformedStartLine, .malformedHeader, .invalidContentLength,
             .conflictingFraming, .unsupportedTransferEncoding, .invalidChunk:
            return 400
        }
    }

    /// Short human text, suitable as a plain-text error body.
    public var reason: String {
        switch self {
        case .headTooLarge: return "Request header too large"
        case .requestLineTooLong: return "Request line too long"
        case .tooManyHeaders: return "Too many header fields"
        case .malformedStartLine: return "Malformed start line"
        case .malformedHeader: return "Malformed header field"
        case .unsupportedVersion: return "HTTP version not supported"
        case .invalidContentLength: return "Invalid Content-Length"
        case .conflictingFraming: return "Conflicting message framing"
        case .unsupportedTransferEncoding: return "Transfer-Encoding does not end in chunked"
        case .invalidChunk: return "Invalid chunked body"
        }
    }
}
