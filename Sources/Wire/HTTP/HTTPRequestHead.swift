/// A parsed request line plus header fields. Values are kept as received so
/// the proxy can forward them; the accessors interpret them.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request-target as received: origin-form "/a?b=1", absolute-form
    /// "http://h/p", authority-form "h:443" or asterisk-form "*".
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The target without query (or fragment). For absolute-form the path part
    /// of the URI, "/" when it has none; other forms are returned unchanged.
    public var path: String {
        let bytes = target.utf8
        var pathStart = bytes.startIndex
        if bytes.first != UInt8(ascii: "/") {
            guard let authority = Self.absoluteFormAuthority(target) else { return target }
            pathStart = authority.upperBound
        }
        let rest = bytes[pathStart...]
        let pathEnd = rest.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        if pathStart == pathEnd { return "/" }
        return String(Substring(bytes[pathStart..<pathEnd]))
    }

    /// The host the request is for, without port and lower-cased: the authority
    /// of an absolute-form target (which wins, RFC 9112 §3.2.2), else the Host
    /// field. IPv6 literals keep their brackets. Nil when absent or empty.
    public var host: String? {
        if let authority = Self.absoluteFormAuthority(target) {
            return Self.hostName(fromAuthority: target[authority])
        }
        guard let field = headers["Host"] else { return nil }
        return Self.hostName(fromAuthority: Substring(field))
    }

    public var keepAlive: Bool {
        HTTPFraming.keepAlive(version: version, headers: headers)
    }

    /// The client waits for "100 Continue" before sending the body.
    public var expectsContinue: Bool {
        headers.containsToken("100-continue", in: "Expect")
    }

    /// A WebSocket opening handshake (RFC 6455 §4.1).
    public var isWebSocketUpgrade: Bool {
        method == "GET"
            && headers.containsToken("websocket", in: "Upgrade")
            && headers.containsToken("upgrade", in: "Connection")
    }

    /// How the request body is delimited. Requests never read until close, and
    /// ambiguous framing is an error rather than a guess (request smuggling):
    /// Transfer-Encoding together with Content-Length, or in an HTTP/1.0 request,
    /// is `.conflictingFraming`; a Transfer-Encoding not ending in chunked is
    /// `.unsupportedTransferEncoding`.
    public func bodyFraming() throws(HTTPParseError) -> BodyFraming {
        if headers.contains("Transfer-Encoding") {
            if headers.contains("Content-Length") || version == .http10 { throw .conflictingFraming }
            guard HTTPFraming.isChunkedLast(headers) else { throw .unsupportedTransferEncoding }
            return .chunked
        }
        guard let length = try HTTPFraming.contentLength(headers), length > 0 else { return .none }
        return .contentLength(length)
    }

    /// Range of the authority in an absolute-form target ("scheme://authority/..."),
    /// nil for every other form.
    static func absoluteFormAuthority(_ target: String) -> Range<String.Index>? {
        let bytes = target.utf8
        var i = bytes.startIndex
        guard let first = bytes.first, HTTPASCII.lower(first) &- 0x61 < 26 else { return nil }
        while i < bytes.endIndex, isSchemeByte(bytes[i]) { bytes.formIndex(after: &i) }
        guard bytes[i...].starts(with: "://".utf8) else { return nil }
        let authorityStart = bytes.index(i, offsetBy: 3)
        let authorityEnd = bytes[authorityStart...].firstIndex {
            $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
        } ?? bytes.endIndex
        return authorityStart..<authorityEnd
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        HTTPASCII.lower(byte) &- 0x61 < 26 || HTTPASCII.isDigit(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// "user@Host:port" → "host"; "[::1]:80" → "[::1]".
    private static func hostName(fromAuthority authority: Substring) -> String? {
        var bytes = authority.utf8[...]
        if let at = bytes.lastIndex(of: UInt8(ascii: "@")) {
            bytes = bytes[bytes.index(after: at)...]
        }
        bytes = HTTPASCII.trimOWS(bytes)
        let end: Substring.UTF8View.Index
        if bytes.first == UInt8(ascii: "[") {
            if let close = bytes.firstIndex(of: UInt8(ascii: "]")) {
                end = bytes.index(after: close)
            } else {
                end = bytes.endIndex
            }
        } else {
            end = bytes.firstIndex(of: HTTPASCII.colon) ?? bytes.endIndex
        }
        let name = bytes[..<end]
        return name.isEmpty ? nil : Substring(name).lowercased()
    }
}
