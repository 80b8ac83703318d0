import Testing

@testable import Wire

@Suite struct RequestForwardingTests {
    func forward(
        _ fields: [(String, String)], target: String = "/path?q=1", method: String = "GET", framing: BodyFraming = .none,
        xff: [XForwardedForRule] = [], proto: ForwardedProtocolMode = .none, peer: String = "192.0.2.7", tls: Bool = false,
        signature: String? = nil, grip: Bool? = nil, version: HTTPVersion = .http11
    ) -> HTTPRequestHead {
        let request = HTTPRequestHead(method: method, target: target, version: version, headers: HTTPHeaders(fields))
        let forwarding = RequestForwarding(xForwardedFor: xff, setXForwardedProtocol: proto)
        return forwarding.head(
            for: request, framing: framing, peerHost: peer, isTLS: tls, backendHost: "backend.internal",
            grip: grip ?? (signature != nil), gripSignature: signature)
    }

    @Test func keepsMethodTargetAndOrdinaryFieldsAndSpeaksHTTP11() {
        let out = forward([("Host", "Example.com:8080"), ("Accept", "text/html"), ("Cookie", "a=1")], method: "PATCH", version: .http10)
        #expect(out.method == "PATCH")
        #expect(out.target == "/path?q=1")
        #expect(out.version == .http11)
        #expect(lines(out.headers) == ["Host: Example.com:8080", "Accept: text/html", "Cookie: a=1"])
    }

    @Test func stripsHopByHopConnectionListedAndProxyFields() {
        let out = forward([
            ("Host", "h"), ("Connection", "keep-alive, X-Hop"), ("Keep-Alive", "300"), ("X-Hop", "1"), ("TE", "trailers"),
            ("Upgrade", "h2c"), ("Trailer", "X"), ("Proxy-Authorization", "Basic Zm9v"), ("Proxy-Connection", "close"), ("X-End", "2"),
        ])
        #expect(lines(out.headers) == ["Host: h", "X-End: 2"])
    }

    @Test func removesExpectAndAcceptEncoding() {
        let out = forward([("Host", "h"), ("Expect", "100-continue"), ("Accept-Encoding", "gzip, br"), ("accept-encoding", "zstd")])
        #expect(lines(out.headers) == ["Host: h"])
    }

    @Test func contentLengthIsRewrittenFromTheFraming() {
        let out = forward([("Host", "h"), ("Content-Length", "12"), ("content-length", "12")], method: "POST", framing: .contentLength(12))
        #expect(lines(out.headers) == ["Host: h", "Content-Length: 12"])
    }

    /// The body is re-chunked, but the codings the client applied before chunked still
    /// describe the bytes, so the backend is told them.
    @Test func chunkedBodiesKeepTheCodingsListedBeforeChunked() {
        let plain = forward([("Host", "h"), ("Transfer-Encoding", "Chunked")], method: "POST", framing: .chunked)
        #expect(lines(plain.headers) == ["Host: h", "Transfer-Encoding: Chunked"])
        let out = forward([("Host", "h"), ("Transfer-Encoding", "gzip, chunked")], method: "POST", framing: .chunked)
        #expect(lines(out.headers) == ["Host: h", "Transfer-Encoding: gzip, chunked"])
        let split = forward([("Host", "h"), ("Transfer-Encoding", "gzip"), ("transfer-encoding", "chunked")], method: "POST", framing: .chunked)
        #expect(lines(split.headers) == ["Host: h", "Transfer-Encoding: gzip, chunked"])
    }

    @Test(arguments: [BodyFraming.none, .untilClose])
    func noBodyMeansNoFramingFields(framing: BodyFraming) {
        let out = forward([("Host", "h"), ("Content-Length", "0"), ("Transfer-Encoding", "chunked")], framing: framing)
        #expect(lines(out.headers) == ["Host: h"])
    }

    @Test func hostIsAddedFromTheBackendWhenTheClientSentNone() {
        let out = forward([("Accept", "*/*")], version: .http10)
        #expect(lines(out.headers) == ["Accept: */*", "Host: backend.internal"])
    }

    @Test func hostIsTakenFromAnAbsoluteFormTargetWhenTheClientSentNone() {
        let out = forward([], target: "http://Origin.Example/a?b", version: .http10)
        #expect(out.target == "/a?b")
        #expect(out.headers["Host"] == "Origin.Example")  // as sent: host names are case-insensitive
    }

    /// A port in an absolute-form target is part of the Host the backend must see
    /// (RFC 9112 §3.2.2: Host gets the target's authority); `request.host` drops it.
    @Test func hostFromAnAbsoluteFormTargetKeepsItsPort() {
        let out = forward([], target: "http://origin.example:8080/a", version: .http10)
        #expect(out.headers["Host"] == "origin.example:8080")
    }

    @Test func anExistingHostIsNotDuplicated() {
        let out = forward([("host", "a.example")])
        #expect(out.headers.values("Host") == ["a.example"])
    }

    // MARK: X-Forwarded-For

    @Test func withoutRulesTheClientsForwardedForPassesUntouched() {
        let out = forward([("Host", "h"), ("X-Forwarded-For", " 10.0.0.1 ,10.0.0.2")])
        #expect(out.headers.values("X-Forwarded-For") == [" 10.0.0.1 ,10.0.0.2"])
    }

    @Test(arguments: [
        // (rules, existing fields, expected single value or nil)
        ([XForwardedForRule.append], [String](), "192.0.2.7"),
        ([.append], ["10.0.0.1"], "10.0.0.1, 192.0.2.7"),
        ([.append], ["10.0.0.1, 10.0.0.2", "10.0.0.3"], "10.0.0.1, 10.0.0.2, 10.0.0.3, 192.0.2.7"),
        ([.append], [" 10.0.0.1 ,, ,10.0.0.2 "], "10.0.0.1, 10.0.0.2, 192.0.2.7"),
        ([.truncate(0)], ["10.0.0.1, 10.0.0.2"], nil),
        ([.truncate(0)], [], nil),
        ([.truncate(1)], ["10.0.0.1, 10.0.0.2", "10.0.0.3"], "10.0.0.3"),
        ([.truncate(2)], ["10.0.0.1, 10.0.0.2", "10.0.0.3"], "10.0.0.2, 10.0.0.3"),
        ([.truncate(5)], ["10.0.0.1,10.0.0.2"], "10.0.0.1, 10.0.0.2"),
        ([.truncate(-3)], ["10.0.0.1"], nil),
        ([.truncate(0), .append], ["10.0.0.1, 10.0.0.2"], "192.0.2.7"),
        ([.truncate(1), .append], ["10.0.0.1, 10.0.0.2"], "10.0.0.2, 192.0.2.7"),
        ([.append, .truncate(1)], ["10.0.0.1, 10.0.0.2"], "192.0.2.7"),
        ([.append, .truncate(2)], ["10.0.0.1, 10.0.0.2"], "10.0.0.2, 192.0.2.7"),
        ([.append, .append], [], "192.0.2.7, 192.0.2.7"),
    ] as [([XForwardedForRule], [String], String?)])
    func forwardedForRules(rules: [XForwardedForRule], existing: [String], expected: String?) {
        let fields = [("Host", "h")] + existing.map { ("X-Forwarded-For", $0) } + [("X-After", "1")]
        let out = forward(fields, xff: rules)
        #expect(out.headers.values("X-Forwarded-For") == (expected.map { [$0] } ?? []))
        #expect(out.headers["X-After"] == "1")
    }

    @Test func forwardedForNamesAreMatchedIgnoringCase() {
        let out = forward([("x-forwarded-for", "10.0.0.1")], xff: [.append])
        #expect(out.headers.values("X-Forwarded-For") == ["10.0.0.1, 192.0.2.7"])
        #expect(out.headers.count == 2, "Host and one X-Forwarded-For")
    }

    // MARK: X-Forwarded-Proto

    @Test func protocolModeNonePassesTheClientsClaim() {
        let out = forward([("Host", "h"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Protocol", "https")], proto: .none, tls: true)
        #expect(out.headers["X-Forwarded-Proto"] == "https")
        #expect(out.headers["X-Forwarded-Protocol"] == "https")
    }

    @Test func protocolOnlyOverTLSSetsProto() {
        let out = forward([("Host", "h"), ("x-forwarded-proto", "http"), ("X-Forwarded-Protocol", "http")], proto: .protoOnly, tls: true)
        #expect(out.headers.values("X-Forwarded-Proto") == ["https"])
        #expect(!out.headers.contains("X-Forwarded-Protocol"))
    }

    @Test(arguments: [ForwardedProtocolMode.protoOnly, .both])
    func plainConnectionsNeverClaimHTTPSAndTheClientsClaimIsDropped(mode: ForwardedProtocolMode) {
        let out = forward([("Host", "h"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Protocol", "https")], proto: mode, tls: false)
        #expect(!out.headers.contains("X-Forwarded-Proto"))
        #expect(!out.headers.contains("X-Forwarded-Protocol"))
    }

    @Test func bothOverTLSSetsBothHeaders() {
        let out = forward([("Host", "h")], proto: .both, tls: true)
        #expect(lines(out.headers) == ["Host: h", "X-Forwarded-Proto: https", "X-Forwarded-Protocol: https"])
    }

    // MARK: GRIP

    @Test func withASignatureClientGripFieldsAreReplacedByGripSig() {
        let out = forward(
            [("Host", "h"), ("Grip-Sig", "forged"), ("grip-last", "ch; last-id=1"), ("GRIP-X", "1"), ("Gripper", "kept"), ("X-Grip", "kept")],
            signature: "token.value.sig")
        #expect(lines(out.headers) == ["Host: h", "Gripper: kept", "X-Grip: kept", "Grip-Sig: token.value.sig", "Grip-Feature: " + RequestForwarding.gripFeatures])
    }

    @Test func withoutGripClientGripFieldsPass() {
        let out = forward([("Host", "h"), ("Grip-Last", "ch; last-id=1")])
        #expect(lines(out.headers) == ["Host: h", "Grip-Last: ch; last-id=1"])
    }

    @Test func aGripRouteWithoutAKeyStillDropsClientGripFieldsAndSaysItsFeatures() {
        let out = forward([("Host", "h"), ("Grip-Sig", "forged"), ("Grip-Feature", "forged, link:next")], grip: true)
        #expect(lines(out.headers) == ["Host: h", "Grip-Feature: " + RequestForwarding.gripFeatures])
    }

    /// GRIP libraries read Grip-Feature to decide what to ask for: it lists what pushpind does.
    @Test func gripFeatureListsTheLinksAndTheFilters() {
        #expect(RequestForwarding.gripFeatures.split(separator: ",").map { $0.drop { $0 == " " } } == [
            "status", "link:next", "link:gone", "filter:skip-self", "filter:skip-users", "filter:require-sub", "filter:build-id", "filter:var-subst",
        ])
    }

    @Test func removingGripFieldsMatchesThePrefixIgnoringCase() {
        let headers = HTTPHeaders([("Grip-", "x"), ("gRiP-Hold", "stream"), ("Grip", "kept"), ("Grap-X", "kept")])
        #expect(lines(headers.removingGripFields()) == ["Grip: kept", "Grap-X: kept"])
    }

    @Test func everythingTogetherInOrder() {
        let out = forward(
            [
                ("Host", "h"), ("Content-Length", "3"), ("Connection", "X-A"), ("X-A", "1"), ("X-Forwarded-For", "10.1.1.1"),
                ("Grip-Sig", "x"), ("User-Agent", "t"),
            ],
            method: "POST", framing: .contentLength(3), xff: [.truncate(1), .append], proto: .protoOnly, tls: true, signature: "s")
        #expect(lines(out.headers) == [
            "Host: h", "User-Agent: t", "Grip-Sig: s", "Grip-Feature: " + RequestForwarding.gripFeatures, "Content-Length: 3", "X-Forwarded-For: 10.1.1.1, 192.0.2.7",
            "X-Forwarded-Proto: https",
        ])
    }

    // MARK: request-target

    @Test(arguments: [
        ("/a/b?c=d", "/a/b?c=d"),
        ("/", "/"),
        ("http://example.com/a/b?c=d", "/a/b?c=d"),
        ("HTTPS://Example.com:8443/x", "/x"),
        ("http://example.com", "/"),
        ("http://example.com?q=1", "/?q=1"),
        ("http://user@example.com/p", "/p"),
        ("https://example.com/", "/"),
        ("*", "*"),
        ("example.com:443", "example.com:443"),
        ("ftp://example.com/file", "ftp://example.com/file"),
    ])
    func originForm(target: String, expected: String) {
        #expect(RequestForwarding.originForm(target) == expected)
    }
}
