/// The server side of the opening handshake (RFC 6455 §4.2).
public enum WebSocketHandshake {
    /// Appended to the client's key before hashing (§1.3).
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// The only protocol version there is; advertised when a client asks for another.
    public static let supportedVersion = "13"

    /// Checks a client's upgrade request (§4.2.1) and returns its trimmed
    /// `Sec-WebSocket-Key`. Failures are 400, except an unsupported or missing
    /// version: 426 with `Sec-WebSocket-Version: 13` so the client can retry.
    public static func validate(_ head: HTTPRequestHead) -> Result<String, WebSocketHandshakeError> {
        guard head.method == "GET" else { return .failure(.badRequest("WebSocket upgrade must use GET")) }
        guard head.version == .http11 else { return .failure(.badRequest("WebSocket upgrade requires HTTP/1.1")) }
        guard head.headers.containsToken("websocket", in: "Upgrade") else {
            return .failure(.badRequest("Upgrade header must contain websocket"))
        }
        guard head.headers.containsToken("upgrade", in: "Connection") else {
            return .failure(.badRequest("Connection header must contain upgrade"))
        }
        let versions = head.headers.values("Sec-WebSocket-Version")
        guard versions.count == 1, trimmed(versions[0]) == supportedVersion else {
            return .failure(WebSocketHandshakeError(
                status: 426, reason: "unsupported Sec-WebSocket-Version (supported: 13)",
                headers: ["Sec-WebSocket-Version": supportedVersion]))
        }
        let keys = head.headers.values("Sec-WebSocket-Key")
        guard keys.count == 1 else { return .failure(.badRequest("exactly one Sec-WebSocket-Key required")) }
        let key = trimmed(keys[0])
        guard let nonce = Base64.decode(key), nonce.count == 16, key.utf8.count == 24 else {
            return .failure(.badRequest("Sec-WebSocket-Key must be base64 of 16 bytes"))
        }
        return .success(key)
    }

    /// `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)) (§4.2.2).
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// The complete 101 response head: Upgrade, Connection, Sec-WebSocket-Accept,
    /// then `extraHeaders` (e.g. Sec-WebSocket-Protocol) in their order.
    public static func switchingProtocols(accept: String, extraHeaders: HTTPHeaders = HTTPHeaders()) -> [UInt8] {
        var headers = HTTPHeaders(reservingCapacity: 3 + extraHeaders.count)
        headers.add("Upgrade", "websocket")
        headers.add("Connection", "Upgrade")
        headers.add("Sec-WebSocket-Accept", accept)
        for field in extraHeaders { headers.add(field.name, field.value) }
        var out: [UInt8] = []
        out.reserveCapacity(160)
        HTTPWriter.appendResponseHead(
            HTTPResponseHead(version: .http11, status: 101, reason: "Switching Protocols", headers: headers), to: &out)
        return out
    }

    private static func trimmed(_ value: String) -> String {
        String(Substring(HTTPASCII.trimOWS(value.utf8[...])))
    }
}

/// Why an upgrade request was refused: the response status (400 or 426), a
/// short reason for the body, and headers the response must carry.
public struct WebSocketHandshakeError: Error, Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    public init(status: Int, reason: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    static func badRequest(_ reason: String) -> WebSocketHandshakeError {
        WebSocketHandshakeError(status: 400, reason: reason)
    }
}
