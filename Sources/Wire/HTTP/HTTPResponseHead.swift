/// A parsed status line plus header fields, as received from a backend.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: Int
    /// May be empty ("HTTP/1.1 200\r\n").
    public var reason: String
    public var headers: HTTPHeaders

    public init(version: HTTPVersion, status: Int, reason: String, headers: HTTPHeaders) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Whether the server lets the connection persist after this response.
    /// A `.untilClose` body ends the connection regardless.
    public var keepAlive: Bool {
        HTTPFraming.keepAlive(version: version, headers: headers)
    }

    /// How the body after this head is delimited (RFC 9112 §6.3), given the
    /// method of the request it answers.
    ///
    /// No body for HEAD, 1xx, 204, 304 and a 2xx to CONNECT. Transfer-Encoding
    /// ending in chunked is `.chunked`; any other Transfer-Encoding reads until
    /// close. Transfer-Encoding with Content-Length, or in an HTTP/1.0 response,
    /// throws `.conflictingFraming` (response splitting guard) instead of picking one.
    public func bodyFraming(requestMethod: String) throws(HTTPParseError) -> BodyFraming {
        if requestMethod == "HEAD" || (100...199).contains(status) || status == 204 || status == 304 {
            return .none
        }
        if requestMethod == "CONNECT" && (200...299).contains(status) { return .none }
        if headers.contains("Transfer-Encoding") {
            if headers.contains("Content-Length") || version == .http10 { throw .conflictingFraming }
            return HTTPFraming.isChunkedLast(headers) ? .chunked : .untilClose
        }
        guard let length = try HTTPFraming.contentLength(headers) else { return .untilClose }
        return length > 0 ? .contentLength(length) : .none
    }
}
