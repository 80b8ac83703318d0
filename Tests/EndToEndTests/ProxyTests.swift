import Testing

/// Requests through pushpind to a backend stub and back: what is forwarded, what is
/// stripped, how bodies are framed on each side, and bodies far larger than any buffer.
extension EndToEnd {
    @Suite struct ProxyTests {
        @Test func getIsProxiedToTheBackend() throws {
            try withProxiedBackend { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.get("/bytes?n=5000")
                #expect(response.status == 200)
                #expect(response.header("X-Stub-Name") == "backend")
                #expect(response.framing == .contentLength(5000))
                #expect(response.body == BodyPattern.bytes(count: 5000))
                let seen = backend.requests.map { "\($0.method) \($0.target)" }
                #expect(seen == ["GET /bytes?n=5000"])
            }
        }

        @Test func methodTargetAndHeadersAreForwarded() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let headers = [
                    ("Host", "e2e.example"), ("X-Custom-One", "alpha"), ("X-Repeated", "one"),
                    ("X-Repeated", "two"), ("User-Agent", "pushpind-e2e/1"),
                ]
                let response = try client.request(HTTPRequest("DELETE", "/echo?a=1&b=two%20words", headers: headers))
                #expect(response.status == 200)
                let echo = try EchoReport(response)
                #expect(echo.method == "DELETE")
                #expect(echo.target == "/echo?a=1&b=two%20words")
                #expect(echo.values("Host") == ["e2e.example"])
                #expect(echo.values("X-Custom-One") == ["alpha"])
                #expect(echo.elements("X-Repeated") == ["one", "two"])
                #expect(echo.values("User-Agent") == ["pushpind-e2e/1"])
                #expect(echo.bodyLength == 0)
            }
        }

        @Test func hopByHopRequestHeadersAreStripped() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let headers = [
                    ("Connection", "keep-alive, X-Listed"), ("X-Listed", "named by Connection"),
                    ("Keep-Alive", "timeout=5"), ("TE", "trailers"),
                    ("Upgrade", "example/1"), ("Proxy-Authorization", "Basic dXNlcjpwYXNz"),
                    ("Proxy-Connection", "keep-alive"), ("X-Kept", "yes"),
                ]
                let echo = try EchoReport(client.get("/echo", headers: headers))
                #expect(echo.values("X-Kept") == ["yes"])
                // X-Listed: a header named in Connection is hop-by-hop too (RFC 9110 §7.6.1).
                for name in ["Keep-Alive", "TE", "Upgrade", "Proxy-Authorization", "Proxy-Connection", "Transfer-Encoding", "X-Listed"] {
                    #expect(!echo.has(name), "\(name) reached the backend: \(echo.values(name))")
                }
                // pushpind may speak for itself on its backend connection, but only that.
                let connection = echo.elements("Connection").map { $0.lowercased() }
                #expect(connection.allSatisfy { $0 == "keep-alive" || $0 == "close" }, "Connection: \(connection)")
            }
        }

        @Test func statusReasonAndEndToEndResponseHeadersAreRelayed() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                for code in [201, 404, 500] {
                    let response = try client.get("/status?code=\(code)")
                    #expect(response.status == code)
                    #expect(response.reason == "Stub Reason")
                    #expect(response.header("X-Stub-Header") == "kept")
                    #expect(response.header("Keep-Alive") == nil, "hop-by-hop Keep-Alive relayed")
                    #expect(response.header("Proxy-Stub") == nil, "hop-by-hop Proxy-* relayed")
                    #expect(response.header("X-Stub-Private") == nil, "header named in Connection relayed")
                    #expect(response.bodyText == "status \(code)\n")
                }
            }
        }

        @Test func xForwardedForAppendsThePeerAddress() throws {
            try withProxiedBackend({ $0.proxy = [("x_forwarded_for", "append")] }) { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let fresh = try EchoReport(client.get("/echo"))
                #expect(fresh.elements("X-Forwarded-For") == ["127.0.0.1"])
                let chained = try EchoReport(client.get("/echo", headers: [("X-Forwarded-For", "203.0.113.7")]))
                #expect(chained.elements("X-Forwarded-For") == ["203.0.113.7", "127.0.0.1"])
            }
        }

        @Test func keepAliveServesFiftyRequestsOnOneConnection() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                for index in 0..<50 {
                    switch index % 3 {
                    case 0:
                        let response = try client.get("/bytes?n=\(index * 97)")
                        #expect(response.body == BodyPattern.bytes(count: index * 97), "request \(index)")
                    case 1:
                        let response = try client.get("/chunked?n=\(index * 131)")
                        #expect(response.body == BodyPattern.bytes(count: index * 131), "request \(index)")
                    default:
                        let echo = try EchoReport(client.get("/echo?i=\(index)"))
                        #expect(echo.target == "/echo?i=\(index)")
                    }
                }
                #expect(client.peerState(within: .milliseconds(100)) == .open)
            }
        }

        /// One shard reuses its idle backend connection for each next request; with
        /// `backend_pool_max=0` it keeps none, so every request connects afresh.
        @Test(arguments: [(nil, 1), ("0", 5)] as [(String?, Int)])
        func backendConnectionsArePooledUpToTheCap(poolMax: String?, connections: Int) throws {
            try withProxiedBackend({
                $0.shards = 1
                if let poolMax { $0.proxy = [("backend_pool_max", poolMax)] }
            }) { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                for index in 0..<5 {
                    let response = try client.get("/bytes?n=\(index + 1)")
                    #expect(response.body == BodyPattern.bytes(count: index + 1), "request \(index)")
                }
                #expect(backend.connectionsAccepted == connections)
            }
        }

        /// Ten requests in one send; a slow first one checks that answers keep request order.
        @Test func pipelinedRequestsAreAnsweredInOrder() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let targets = ["/slow?ms=200&n=1"] + (1..<10).map { "/bytes?n=\(100 + $0)" }
                try client.send(targets.flatMap { HTTPRequest.get($0).bytes })
                let expected = [1] + (1..<10).map { 100 + $0 }
                for (index, size) in expected.enumerated() {
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.body == BodyPattern.bytes(count: size), "response \(index) has \(response.body.count) bytes")
                }
            }
        }

        @Test func http10ClientsGetBodiesTheyCanRead() throws {
            try withProxiedBackend { _, pushpind in
                let plain = try RawHTTPClient(port: pushpind.clientPort)
                let response = try plain.request(HTTPRequest("GET", "/bytes?n=1000", version: "HTTP/1.0"))
                #expect(response.status == 200)
                #expect(response.body == BodyPattern.bytes(count: 1000))
                #expect(plain.peerState(within: .seconds(2)).isGone, "HTTP/1.0 without keep-alive must be closed")

                let chunked = try RawHTTPClient(port: pushpind.clientPort)
                let dechunked = try chunked.request(HTTPRequest("GET", "/chunked?n=5000", version: "HTTP/1.0"))
                #expect(dechunked.framing != .chunked, "chunked sent to an HTTP/1.0 client")
                #expect(dechunked.body == BodyPattern.bytes(count: 5000))

                let closing = try RawHTTPClient(port: pushpind.clientPort)
                let delimited = try closing.request(HTTPRequest("GET", "/close-delimited?n=5000", version: "HTTP/1.0"))
                #expect(delimited.framing == .untilClose)
                #expect(delimited.body == BodyPattern.bytes(count: 5000))
            }
        }

        @Test func postWithContentLengthBody() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let body = BodyPattern.bytes(count: 100_000)
                let echo = try EchoReport(client.request(HTTPRequest("POST", "/echo", body: body)))
                #expect(echo.method == "POST")
                #expect(echo.bodyLength == 100_000)
                #expect(echo.bodyChecksum == StreamChecksum.of(body).hex)
            }
        }

        @Test func postWithChunkedBody() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let body = BodyPattern.bytes(count: 70_000)
                let request = HTTPRequest(
                    "POST", "/echo", headers: [("Transfer-Encoding", "chunked")],
                    body: ChunkedEncoding.encode(body, chunkSizes: [1, 4096, 65_536]))
                let echo = try EchoReport(client.request(request))
                #expect(echo.bodyLength == 70_000)
                #expect(echo.bodyChecksum == StreamChecksum.of(body).hex)
                // The client's framing is hop-by-hop: whatever pushpind sends must be one framing.
                #expect(!(echo.has("Content-Length") && echo.has("Transfer-Encoding")))
            }
        }

        @Test func expectContinueIsAnsweredByTheProxy() throws {
            try withProxiedBackend { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let body = BodyPattern.bytes(count: 20_000)
                try client.send(HTTPRequest("POST", "/upload", headers: [("Expect", "100-continue"), ("Content-Length", "20000")]))
                let interim = try client.readResponse(timeout: .seconds(5))
                #expect(interim.status == 100, "expected 100 Continue before the body, got \(interim.status)")
                try client.send(body)
                let final = try client.readResponse()
                #expect(final.status == 200)
                #expect(final.bodyText == "length 20000\nchecksum \(StreamChecksum.of(body).hex)\n")
                let upload = try #require(backend.requests.last)
                #expect(!upload.head.contains("Expect"), "Expect reached the backend")
            }
        }

        @Test func chunkedResponsesStayChunkedForHTTP11() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.get("/chunked?n=300000")
                #expect(response.framing == .chunked)
                #expect(response.body == BodyPattern.bytes(count: 300_000))
                #expect(try client.get("/bytes?n=10").status == 200, "connection unusable after a chunked response")
            }
        }

        /// A close-delimited backend answer becomes chunked, so the client connection survives.
        @Test func closeDelimitedResponsesArriveChunkedToHTTP11() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.get("/close-delimited?n=300000")
                #expect(response.framing == .chunked)
                #expect(response.body == BodyPattern.bytes(count: 300_000))
                #expect(try client.get("/bytes?n=10").status == 200, "connection unusable after a close-delimited response")
            }
        }

        @Test(arguments: [false, true])
        func uploadFiftyMegabytes(chunked: Bool) throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let size = 50 << 20
                let (sent, elapsed) = try measure {
                    try client.sendPatternRequest("/upload", length: size, chunked: chunked, timeout: .seconds(60))
                }
                let response = try client.readResponse(timeout: .seconds(30))
                #expect(response.status == 200)
                #expect(response.bodyText == "length \(size)\nchecksum \(sent.hex)\n")
                print("e2e: 50 MB upload (chunked: \(chunked)) sent in \(elapsed)")
            }
        }

        @Test func downloadFiftyMegabytes() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let size = 50 << 20
                try client.send(HTTPRequest.get("/download?n=\(size)"))
                let (response, elapsed) = try measure { try client.readStreamedResponse(timeout: .seconds(60)) }
                #expect(response.status == 200)
                #expect(response.framing == .contentLength(size))
                #expect(response.body.byteCount == size)
                #expect(response.body.firstPatternMismatch == nil)
                #expect(response.body.checksum.value == BodyPattern.checksum(count: size))
                print("e2e: 50 MB download took \(elapsed)")
            }
        }
    }
}
