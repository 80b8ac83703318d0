import Testing
@testable import Wire

@Suite("WebSocket handshake")
struct WebSocketHandshakeTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    private func request(
        method: String = "GET", version: HTTPVersion = .http11, _ fields: [(String, String)]? = nil
    ) -> HTTPRequestHead {
        let headers = fields ?? [
            ("Host", "server.example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", Self.key), ("Origin", "http://example.com"),
            ("Sec-WebSocket-Protocol", "chat, superchat"), ("Sec-WebSocket-Version", "13"),
        ]
        return HTTPRequestHead(method: method, target: "/chat", version: version, headers: HTTPHeaders(headers))
    }

    private func replacing(_ name: String, with value: String?) -> HTTPRequestHead {
        var head = request()
        head.headers.remove(name)
        if let value { head.headers.add(name, value) }
        return head
    }

    /// RFC 6455 §1.3's worked example (and the response in §1.2). Python's
    /// hashlib and base64 give the same values.
    @Test func rfcAcceptValue() {
        #expect(WebSocketHandshake.acceptValue(forKey: Self.key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(WebSocketHandshake.acceptValue(forKey: "x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=")
    }

    @Test func rfcRequestIsValid() {
        #expect(WebSocketHandshake.validate(request()) == .success(Self.key))
    }

    @Test func tokensAreCaseInsensitiveAndListed() {
        var head = replacing("Upgrade", with: "WebSocket")
        head.headers.replaceOrAdd("Connection", "keep-alive, UPGRADE")
        #expect(WebSocketHandshake.validate(head) == .success(Self.key))
        var split = request()
        split.headers.replaceOrAdd("Connection", "keep-alive")
        split.headers.add("Connection", "upgrade")
        #expect(WebSocketHandshake.validate(split) == .success(Self.key))
        #expect(WebSocketHandshake.validate(replacing("Sec-WebSocket-Key", with: "  \(Self.key) ")) == .success(Self.key))
    }

    @Test func notGetIsRefused() {
        #expect(status(of: request(method: "POST")) == 400)
    }

    @Test func http10IsRefused() {
        #expect(status(of: request(version: .http10)) == 400)
    }

    @Test func upgradeAndConnectionAreRequired() {
        #expect(status(of: replacing("Upgrade", with: nil)) == 400)
        #expect(status(of: replacing("Upgrade", with: "h2c")) == 400)
        #expect(status(of: replacing("Connection", with: nil)) == 400)
        #expect(status(of: replacing("Connection", with: "keep-alive")) == 400)
    }

    /// A wrong or missing version gets 426 with the version we speak, so the client can retry.
    @Test(arguments: [Optional("8"), "12", "14", "13, 8", "", nil])
    func unsupportedVersion(version: String?) {
        guard case .failure(let error) = WebSocketHandshake.validate(replacing("Sec-WebSocket-Version", with: version)) else {
            Issue.record("accepted version \(version ?? "nil")")
            return
        }
        #expect(error.status == 426)
        #expect(error.headers["Sec-WebSocket-Version"] == "13")
        #expect(error.reason.contains("13"))
    }

    @Test(arguments: [
        Optional<String>.none, "", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25j", "dGhlIHNhbXBsZSBub25jZSE=",
        "dGhlIHNhbXBsZSBub25jZQ=!", "not base64 at all!!!!!!!", "AAAAAAAAAAAAAAAAAAAAAA=",
    ])
    func badKeys(key: String?) {
        #expect(status(of: replacing("Sec-WebSocket-Key", with: key)) == 400, "\(key ?? "nil")")
    }

    @Test func twoKeysAreRefused() {
        var head = request()
        head.headers.add("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==")
        #expect(status(of: head) == 400)
    }

    @Test func switchingProtocolsHead() {
        let bytes = WebSocketHandshake.switchingProtocols(
            accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", extraHeaders: ["Sec-WebSocket-Protocol": "chat"])
        let expected = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        // It parses back as a 101 with no body.
        var parser = HTTPResponseParser(maxHeadBytes: 1024, maxHeaders: 16)
        guard case .complete(let head, let used) = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("101 head did not parse")
            return
        }
        #expect(used == bytes.count && head.status == 101)
        #expect(WebSocketHandshake.switchingProtocols(accept: "x", extraHeaders: HTTPHeaders()).count < bytes.count)
    }

    private func status(of head: HTTPRequestHead) -> Int? {
        switch WebSocketHandshake.validate(head) {
        case .success: return nil
        case .failure(let error):
            #expect(!error.reason.isEmpty)
            return error.status
        }
    }
}
