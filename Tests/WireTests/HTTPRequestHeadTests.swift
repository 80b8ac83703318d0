import Testing
import Wire

@Suite("HTTP request head accessors")
struct HTTPRequestHeadTests {
    static func head(
        _ method: String = "GET", _ target: String = "/", _ version: HTTPVersion = .http11,
        _ headers: [(String, String)] = []
    ) -> HTTPRequestHead {
        HTTPRequestHead(method: method, target: target, version: version, headers: HTTPHeaders(headers))
    }

    @Test(arguments: [
        ("/", "/"),
        ("/a/b", "/a/b"),
        ("/a/b?c=d&e", "/a/b"),
        ("/a?", "/a"),
        ("/?x", "/"),
        ("/a#frag", "/a"),
        ("http://Example.com/p?q", "/p"),
        ("http://h/p/q/", "/p/q/"),
        ("HTTPS://h:8443/x", "/x"),
        ("http://h", "/"),
        ("http://h?x=1", "/"),
        ("http://user@h:1/z", "/z"),
        ("*", "*"),
        ("example.com:443", "example.com:443"),
    ])
    func pathStripsQueryAndAuthority(_ target: String, _ path: String) {
        #expect(Self.head("GET", target).path == path)
    }

    @Test(arguments: [
        ("Example.COM", "example.com"),
        ("example.com:8080", "example.com"),
        ("  spaced.example  ", "spaced.example"),
        ("[::1]:7999", "[::1]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("127.0.0.1:80", "127.0.0.1"),
        ("", nil),
        (":80", nil),
    ] as [(String, String?)])
    func hostFromHostField(_ field: String, _ host: String?) {
        #expect(Self.head("GET", "/", .http11, [("Host", field)]).host == host)
    }

    @Test func hostFromAbsoluteFormWinsOverHostField() {
        let head = Self.head("GET", "http://User@Origin.Example:81/x", .http11, [("Host", "other")])
        #expect(head.host == "origin.example")
        #expect(Self.head().host == nil)
        #expect(Self.head("GET", "/", .http11, [("host", "A"), ("Host", "B")]).host == "a")
    }

    @Test func expectsContinue() {
        #expect(Self.head("POST", "/", .http11, [("Expect", "100-continue")]).expectsContinue)
        #expect(Self.head("POST", "/", .http11, [("expect", " 100-Continue ")]).expectsContinue)
        #expect(!Self.head("POST", "/", .http11, [("Expect", "200-ok")]).expectsContinue)
        #expect(!Self.head("POST").expectsContinue)
    }

    @Test func webSocketUpgrade() {
        let ws: [(String, String)] = [("Upgrade", "WebSocket"), ("Connection", "keep-alive, Upgrade")]
        #expect(Self.head("GET", "/ws", .http11, ws).isWebSocketUpgrade)
        #expect(!Self.head("POST", "/ws", .http11, ws).isWebSocketUpgrade)
        #expect(!Self.head("GET", "/ws", .http11, [("Upgrade", "websocket")]).isWebSocketUpgrade)
        #expect(!Self.head("GET", "/ws", .http11, [("Connection", "upgrade")]).isWebSocketUpgrade)
        #expect(!Self.head("GET", "/ws", .http11, [("Upgrade", "h2c"), ("Connection", "upgrade")]).isWebSocketUpgrade)
        #expect(Self.head("GET", "/ws", .http11, [("Upgrade", "foo, websocket"), ("Connection", "upgrade")])
            .isWebSocketUpgrade)
    }

    struct FramingCase: Sendable, CustomTestStringConvertible {
        let headers: [(String, String)]
        let version: HTTPVersion
        let expected: Result<BodyFraming, HTTPParseError>
        init(_ headers: [(String, String)], _ expected: Result<BodyFraming, HTTPParseError>, version: HTTPVersion = .http11) {
            self.headers = headers
            self.expected = expected
            self.version = version
        }
        var testDescription: String { "\(version) \(headers) → \(expected)" }
    }

    @Test(arguments: [
        FramingCase([], .success(.none)),
        FramingCase([("Content-Length", "10")], .success(.contentLength(10))),
        FramingCase([("Content-Length", "0")], .success(.none)),
        FramingCase([("Content-Length", "007")], .success(.contentLength(7))),
        FramingCase([("Content-Length", "5"), ("content-length", "5")], .success(.contentLength(5))),
        FramingCase([("Content-Length", "5, 5")], .success(.contentLength(5))),
        FramingCase([("Content-Length", "4611686018427387904")], .success(.contentLength(1 << 62))),
        FramingCase([("Content-Length", "5"), ("Content-Length", "6")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "5, 6")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "5,")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "+5")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "-1")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "5a")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "0x10")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "1 0")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "4611686018427387905")], .failure(.invalidContentLength)),
        FramingCase([("Content-Length", "99999999999999999999999")], .failure(.invalidContentLength)),
        FramingCase([("Transfer-Encoding", "chunked")], .success(.chunked)),
        FramingCase([("Transfer-Encoding", "Chunked")], .success(.chunked)),
        FramingCase([("Transfer-Encoding", "gzip, chunked")], .success(.chunked)),
        FramingCase([("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")], .success(.chunked)),
        FramingCase([("Transfer-Encoding", "gzip")], .failure(.unsupportedTransferEncoding)),
        FramingCase([("Transfer-Encoding", "chunked, gzip")], .failure(.unsupportedTransferEncoding)),
        FramingCase([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "gzip")], .failure(.unsupportedTransferEncoding)),
        FramingCase([("Transfer-Encoding", "chunked, chunked")], .failure(.unsupportedTransferEncoding)),
        FramingCase([("Transfer-Encoding", "")], .failure(.unsupportedTransferEncoding)),
        FramingCase([("Transfer-Encoding", "chunkedx")], .failure(.unsupportedTransferEncoding)),
        FramingCase([("Transfer-Encoding", "chunked"), ("Content-Length", "5")], .failure(.conflictingFraming)),
        FramingCase([("Content-Length", "5"), ("Transfer-Encoding", "chunked")], .failure(.conflictingFraming)),
        FramingCase([("Transfer-Encoding", "chunked")], .failure(.conflictingFraming), version: .http10),
        FramingCase([("Content-Length", "3")], .success(.contentLength(3)), version: .http10),
    ])
    func requestBodyFraming(_ c: FramingCase) {
        let head = Self.head("POST", "/", c.version, c.headers)
        #expect(Result { () throws(HTTPParseError) in try head.bodyFraming() } == c.expected)
    }
}
