import Testing

@testable import Wire

@Suite struct ResponseRelayTests {
    func plan(
        _ fields: [(String, String)], framing: BodyFraming, client: HTTPVersion, keepAlive: Bool = true, status: Int = 200,
        reason: String = "OK", backend: HTTPVersion = .http11
    ) -> ResponseRelay.Plan {
        let response = HTTPResponseHead(version: backend, status: status, reason: reason, headers: HTTPHeaders(fields))
        let result = ResponseRelay.plan(for: response, framing: framing, clientVersion: client, clientKeepAlive: keepAlive)
        // What the shard sends is written in place; it must be exactly the head the tests look at.
        var written: [UInt8] = []
        result.appendHead(to: &written)
        var expected: [UInt8] = []
        HTTPWriter.appendResponseHead(result.head, to: &expected)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        return result
    }

    @Test func keepsStatusReasonAndAnswersInHTTP11() {
        let result = plan([("Content-Length", "0")], framing: .none, client: .http10, status: 418, reason: "I'm a teapot", backend: .http10)
        #expect(result.head.version == .http11)
        #expect(result.head.status == 418)
        #expect(result.head.reason == "I'm a teapot")
    }

    // MARK: HTTP/1.1 clients

    @Test func http11ContentLengthPassesThroughUnchanged() {
        let result = plan([("Content-Type", "text/plain"), ("Content-Length", "5")], framing: .contentLength(5), client: .http11)
        #expect(lines(result.head.headers) == ["Content-Type: text/plain", "Content-Length: 5"])
        #expect(!result.chunked && !result.untilClose && !result.close)
    }

    @Test func http11ChunkedStaysChunked() {
        let result = plan([("Transfer-Encoding", "chunked"), ("X-A", "1")], framing: .chunked, client: .http11)
        #expect(lines(result.head.headers) == ["X-A: 1", "Transfer-Encoding: chunked"])
        #expect(result.chunked && !result.untilClose && !result.close)
    }

    @Test func http11UntilCloseIsReframedAsChunksAndTheConnectionStays() {
        let result = plan([("Content-Type", "text/plain"), ("Connection", "close")], framing: .untilClose, client: .http11)
        #expect(lines(result.head.headers) == ["Content-Type: text/plain", "Transfer-Encoding: chunked"])
        #expect(result.chunked && !result.untilClose && !result.close)
    }

    @Test func http11NoBody() {
        let result = plan([("ETag", "\"x\"")], framing: .none, client: .http11, status: 304, reason: "Not Modified")
        #expect(lines(result.head.headers) == ["ETag: \"x\""])
        #expect(!result.chunked && !result.untilClose && !result.close)
    }

    @Test(arguments: [BodyFraming.contentLength(3), .chunked, .untilClose, .none])
    func http11ClientThatCloses(framing: BodyFraming) {
        let result = plan([("Content-Length", "3")], framing: framing, client: .http11, keepAlive: false)
        #expect(result.close)
        #expect(result.head.headers.values("Connection") == ["close"])
        #expect(result.chunked == (framing == .chunked || framing == .untilClose))
        #expect(!result.untilClose)
    }

    // MARK: HTTP/1.0 clients

    @Test func http10KeepAliveWithLengthSaysKeepAlive() {
        let result = plan([("Content-Length", "3")], framing: .contentLength(3), client: .http10, keepAlive: true)
        #expect(lines(result.head.headers) == ["Content-Length: 3", "Connection: keep-alive"])
        #expect(!result.chunked && !result.untilClose && !result.close)
    }

    @Test func http10NoBodyKeepAlive() {
        let result = plan([], framing: .none, client: .http10, keepAlive: true, status: 204, reason: "No Content")
        #expect(lines(result.head.headers) == ["Connection: keep-alive"])
        #expect(!result.close)
    }

    @Test(arguments: [BodyFraming.chunked, .untilClose])
    func http10CannotTakeChunksSoTheBodyEndsAtClose(framing: BodyFraming) {
        let result = plan([("Transfer-Encoding", "chunked"), ("Content-Length", "9"), ("X-A", "1")], framing: framing, client: .http10, keepAlive: true)
        #expect(lines(result.head.headers) == ["X-A: 1", "Connection: close"])
        #expect(!result.chunked && result.untilClose && result.close)
    }

    @Test(arguments: [BodyFraming.contentLength(3), .none])
    func http10ClientThatClosesWithADelimitedBody(framing: BodyFraming) {
        let result = plan([("Content-Length", "3")], framing: framing, client: .http10, keepAlive: false)
        #expect(result.head.headers.values("Connection") == ["close"])
        #expect(result.close && !result.chunked && !result.untilClose)
    }

    // MARK: backend fields

    @Test func backendHopByHopAndConnectionListedFieldsAreDropped() {
        let result = plan(
            [
                ("Connection", "keep-alive, X-Backend-Hop"), ("Keep-Alive", "timeout=5"), ("X-Backend-Hop", "1"), ("Upgrade", "h2"),
                ("Proxy-Authenticate", "Basic"), ("Trailer", "X-T"), ("Set-Cookie", "a=1"), ("Content-Length", "2"),
            ],
            framing: .contentLength(2), client: .http11)
        #expect(lines(result.head.headers) == ["Set-Cookie: a=1", "Content-Length: 2"])
    }

    @Test func backendContentLengthIsDroppedWhenReframing() {
        let result = plan([("content-length", "10"), ("Content-Length", "10")], framing: .chunked, client: .http11)
        #expect(!result.head.headers.contains("Content-Length"))
    }
}
