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
                #expect(client.peerState(within: .seconds(2)).isGone, "still open after 431")
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
