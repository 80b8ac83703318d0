import Testing

/// WebSocket-over-HTTP backends that refuse, are down at OPEN, or go away mid-session
/// (retries with backoff, then close 1011).
extension EndToEnd {
    @Suite struct WebSocketOverHTTPFailureTests {
        @Test func backendRefusingTheOpenRefusesTheHandshake() throws {
            let handler: WOHBackend.Handler = { _ in
                WOHReply(status: 403, reason: "Forbidden", headers: [("Content-Type", "text/plain"), ("X-Why", "no-token")], body: Array("go away\n".utf8))
            }
            try withOverHTTPBackend(handler) { _, pushpind in
                guard case .refused(let response) = try WebSocketClient.open(port: pushpind.clientPort, "/ws") else {
                    Issue.record("the handshake succeeded although the backend refused the OPEN")
                    return
                }
                #expect(response.status == 403)
                #expect(response.header("X-Why") == "no-token")
                #expect(response.bodyText == "go away\n")
            }
        }

        /// Test (4a): nothing listens on the backend port at OPEN time → 502.
        @Test func backendDownAtOpenIs502() throws {
            let closed = try TCPSocket.reserve()  // held, so pushpind cannot be given this port
            defer { closed.close() }
            try withPushpind(.overHTTP(toPort: closed.localPort)) { pushpind in
                guard case .refused(let response) = try WebSocketClient.open(port: pushpind.clientPort, "/ws") else {
                    Issue.record("the handshake succeeded with no backend")
                    return
                }
                #expect(response.status == 502)
            }
        }

        /// Test (4b): the backend goes away mid-session and is back before the first retry
        /// (1–2 s): the events the client sent meanwhile reach it once each, in order, and
        /// the answers reach the client. More messages than there are retries are sent
        /// during the outage: client traffic must not use up the backoff schedule.
        @Test func backendBackWithinTheFirstRetryGetsTheEventsInOrder() throws {
            var backend = try WOHBackend(handler: WOHBehaviour.echo())
            defer { backend.stop() }
            let port = backend.port
            try withPushpind(.overHTTP(toPort: port)) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                try client.sendText("before")
                #expect(try client.readMessage() == .text("before"))
                let id = try #require(backend.requests.first).connectionID

                backend.stop()
                let words = ["one", "two", "three", "four", "five", "six", "seven"]
                for word in words {
                    try client.sendText(word)
                    pause(.milliseconds(20))
                }
                pause(.milliseconds(200))
                backend = try WOHBackend(port: port, handler: WOHBehaviour.echo())
                var got: [WebSocketMessage] = []
                while got.count < words.count, let message = try? client.readMessage(timeout: .seconds(5)) {
                    got.append(message)
                    if case .close = message { break }
                }
                #expect(got == words.map { .text($0) }, "the client got \(got)")
                let events = backend.waitForEvents(of: id, count: words.count, timeout: .seconds(1))
                #expect(events == words.map { .text($0) }, "events after the outage: \(events)")
                if got == words.map({ .text($0) }) {
                    try client.sendText("after")
                    #expect(try client.readMessage() == .text("after"))
                }
            }
        }

        /// Test (4b'): the backend never comes back: after 5 retries (1+2+4+8+16 s plus up to
        /// 1 s of jitter each) the client is closed with 1011.
        @Test func backendGoneForGoodClosesWith1011() throws {
            let backend = try WOHBackend(handler: WOHBehaviour.echo())
            defer { backend.stop() }
            try withPushpind(.overHTTP(toPort: backend.port)) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                try client.sendText("ping")
                #expect(try client.readMessage() == .text("ping"))
                backend.stop()
                let (ending, elapsed) = try measure {
                    try client.sendText("lost")
                    return try client.readUntilClose(timeout: .seconds(45))
                }
                #expect(ending.before.isEmpty, "before the close: \(ending.before)")
                guard case .close(let code, _) = ending.close else { return }
                #expect(code == 1011)
                #expect(elapsed >= .seconds(30), "closed after \(elapsed), before 5 retries could have run")
                try? client.sendClose(code: 1011)
                #expect(client.peerState(within: .seconds(3)).isGone)
                client.close()
                try pushpind.expectMetrics { $0.expectTotal("pushpind_connections_open", equals: 0) }
            }
        }
    }
}
