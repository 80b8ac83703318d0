import Testing

/// What pushpind answers when the client, the backend or the connection count is wrong:
/// 400, 431, 502, 504, 503, and that each is counted in /metrics.
extension EndToEnd {
    @Suite struct ErrorTests {
        static let malformedRequests = [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: e2e.test\r\nNo colon in this line\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: abc\r\n\r\n",
            "GET /\u{1}bad HTTP/1.1 extra\r\nHost: e2e.test\r\n\r\n",
        ]

        @Test func malformedRequestsGet400AndAreClosed() throws {
            try withProxiedBackend { backend, pushpind in
                for raw in Self.malformedRequests {
                    let client = try RawHTTPClient(port: pushpind.clientPort)
                    try client.send(raw)
                    let response = try client.readResponse()
                    #expect(response.status == 400, "for \(raw.debugDescription)")
                    #expect(response.announcesClose, "400 without Connection: close for \(raw.debugDescription)")
                    #expect(client.peerState(within: .seconds(2)).isGone, "still open after 400 for \(raw.debugDescription)")
                }
                #expect(backend.requests.isEmpty, "a malformed request reached the backend")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_parse_errors_total", atLeast: Double(Self.malformedRequests.count))
                }
            }
        }

        @Test func headLargerThanClientBufferGets431() throws {
            try withProxiedBackend({ $0.runner = [("client_buffer_size", "1024")] }) { _, pushpind in
                let fits = try RawHTTPClient(port: pushpind.clientPort)
                let small = try fits.get("/bytes?n=10", headers: [("X-Filler", String(repeating: "a", count: 500))])
                #expect(small.status == 200, "a 600-byte head must fit a 1024-byte buffer")

                let client = try RawHTTPClient(port: pushpind.clientPort)
                let big = HTTPRequest.get("/bytes?n=10", headers: [("X-Filler", String(repeating: "b", count: 2000))])
                try client.send(big)
                let response = try client.readResponse()
                #expect(response.status == 431)
                #expect(response.announcesClose, "431 without Connection: close")
                #expect(response.header("Content-Length") == String(response.body.count))
                #expect(client.peerState(within: .seconds(2)).isGone, "still open after 431")
            }
        }

        /// A request line that alone outgrows `client_buffer_size` is a URI too long.
        @Test func requestLineLargerThanClientBufferGets414() throws {
            try withProxiedBackend({ $0.runner = [("client_buffer_size", "1024")] }) { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(HTTPRequest.get("/bytes?pad=" + String(repeating: "u", count: 2000)))
                let response = try client.readResponse()
                #expect(response.status == 414)
                #expect(response.announcesClose, "414 without Connection: close")
                #expect(client.peerState(within: .seconds(2)).isGone, "still open after 414")
                #expect(backend.requests.isEmpty)
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_parse_errors_total", atLeast: 1)
                }
            }
        }

        /// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked has no
        /// knowable length, so 400 and close (not 501). With chunked last, the codings before
        /// it reach the backend along with the body.
        @Test func transferEncodingMustEndInChunked() throws {
            let chunkedBody = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
            try withProxiedBackend { backend, pushpind in
                for coding in ["gzip", "chunked, gzip"] {
                    let client = try RawHTTPClient(port: pushpind.clientPort)
                    try client.send(HTTPRequest("POST", "/upload", headers: [("Transfer-Encoding", coding)]).headBytes + chunkedBody)
                    let response = try client.readResponse()
                    #expect(response.status == 400, "for Transfer-Encoding: \(coding)")
                    #expect(response.announcesClose, "400 without Connection: close for \(coding)")
                    #expect(client.peerState(within: .seconds(2)).isGone, "still open after 400 for \(coding)")
                }
                #expect(backend.requests.isEmpty, "a request of unknown length reached the backend")

                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.request(HTTPRequest("POST", "/upload", headers: [("Transfer-Encoding", "gzip, chunked")], body: chunkedBody))
                #expect(response.status == 200)
                let request = try #require(backend.requests.last)
                #expect(request.bodyLength == 5)
                #expect(request.head.tokens("Transfer-Encoding") == ["gzip", "chunked"])
            }
        }

        /// A chunked body that turns malformed after the request went to the backend: the
        /// client gets 400, and the backend connection carrying the half request is closed.
        @Test func malformedChunkMidBodyGets400AndReleasesTheBackend() throws {
            try withProxiedBackend { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(HTTPRequest("POST", "/upload", headers: [("Transfer-Encoding", "chunked")]).headBytes + Array("5\r\nhello\r\n".utf8))
                let connected = eventually(timeout: .seconds(3)) { backend.openConnectionCount == 1 ? true : nil }
                #expect(connected == true, "the request never reached the backend")
                try client.send("zz\r\n")
                let response = try client.readResponse()
                #expect(response.status == 400)
                #expect(response.announcesClose)
                #expect(client.peerState(within: .seconds(2)).isGone, "still open after 400")
                let released = eventually(timeout: .seconds(3)) { backend.openConnectionCount == 0 ? true : nil }
                #expect(released == true, "the backend connection of the failed request stayed open")
            }
        }

        @Test func refusedBackendGives502() throws {
            let closed = try TCPSocket.reserve()  // nothing listens here, and nobody else gets the port
            defer { closed.close() }
            try withPushpind(.proxying(toPort: closed.localPort)) { pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.get("/anything")
                #expect(response.status == 502)
                #expect(!response.body.isEmpty, "502 should say what went wrong")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_backend_errors_total", ["kind": "connect"], atLeast: 1)
                    $0.expectTotal("pushpind_requests_total", ["class": "5xx"], atLeast: 1)
                }
            }
        }

        @Test func backendResetGives502() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.get("/reset")
                #expect(response.status == 502)
                #expect(!response.body.isEmpty)
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_backend_errors_total", ["kind": "reset"], atLeast: 1)
                }
            }
        }

        @Test func silentBackendGives504AfterTheBackendTimeout() throws {
            try withProxiedBackend({ $0.proxy = [("backend_timeout", "1")] }) { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let (response, elapsed) = try measure { try client.get("/slow?ms=3000") }
                #expect(response.status == 504)
                #expect(elapsed >= .milliseconds(900), "504 before the 1 s backend timeout: \(elapsed)")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_backend_errors_total", ["kind": "timeout"], atLeast: 1)
                }
            }
        }

        /// client_maxconn=4 over 2 shards allows 2 per shard: of 12 connections, 2 to 4 are
        /// served (how the kernel spreads them over the shards decides) and every other one
        /// is answered 503 or closed, never left hanging.
        @Test func connectionsOverClientMaxconnAreRefused() throws {
            try withProxiedBackend({ $0.runner = [("client_maxconn", "4")] }) { _, pushpind in
                // Let the readiness probes' connections close first (not asserted here).
                _ = eventually(timeout: .seconds(2)) { try? pushpind.metrics().total("pushpind_connections_open") == 0 ? true : nil }
                let clients = try (0..<12).map { _ in try RawHTTPClient(port: pushpind.clientPort) }
                pause(.milliseconds(300))
                var outcomes: [ConnectionOutcome] = []
                for client in clients {
                    client.setTimeout(.seconds(2))
                    do {
                        try client.send(HTTPRequest.get("/bytes?n=10"))
                    } catch {
                        outcomes.append(.refused("send failed: \(error)"))
                        continue
                    }
                    outcomes.append(ConnectionOutcome(client))
                }
                let served = outcomes.filter { $0 == .served }.count
                let refused = Double(outcomes.filter { if case .refused = $0 { true } else { false } }.count)
                #expect((2...4).contains(served), "served \(served) of 12 with client_maxconn=4: \(outcomes)")
                #expect(served + Int(refused) == 12, "every connection over the limit must get 503 or be closed: \(outcomes)")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_connections_refused_total", atLeast: max(1, refused))
                }

                // Closing the served connections frees their slots.
                clients.forEach { $0.close() }
                let again = eventually(timeout: .seconds(3)) { () -> Int? in
                    guard let client = try? RawHTTPClient(port: pushpind.clientPort),
                          let response = try? client.get("/bytes?n=10", timeout: .seconds(1)),
                          response.status == 200 else { return nil }
                    return response.status
                }
                #expect(again == 200, "no connection served after the limit freed up")
            }
        }
    }
}

/// How one connection fared in the connection-limit test.
enum ConnectionOutcome: Equatable, CustomStringConvertible {
    case served
    /// 503, or closed/reset by pushpind.
    case refused(String)
    /// Neither served nor refused: some other status.
    case unexpected(Int)
    /// No answer within the timeout.
    case silent

    /// Reads the response to the request just sent on `client`.
    init(_ client: RawHTTPClient) {
        do {
            let response = try client.readResponse(timeout: .seconds(3))
            switch response.status {
            case 200: self = .served
            case 503: self = .refused("503")
            default: self = .unexpected(response.status)
            }
        } catch let error as HarnessError where error.isPeerGone {
            self = .refused("closed")
        } catch {
            self = .silent
        }
    }

    var description: String {
        switch self {
        case .served: return "served"
        case .refused(let how): return "refused(\(how))"
        case .unexpected(let status): return "unexpected(\(status))"
        case .silent: return "silent"
        }
    }
}
