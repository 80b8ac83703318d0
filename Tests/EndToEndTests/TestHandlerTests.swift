import Testing

/// pushpind with no config and no routes: everything goes to the built-in test handler.
/// `--port` and `--control-port` keep it off the default ports 7999 and 5561.
extension EndToEnd {
    @Suite struct TestHandlerTests {
        @Test func rootServesTheTestPage() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                let response = try RawHTTPClient.fetch(port: pushpind.clientPort, "/")
                #expect(response.status == 200)
                #expect(response.header("Content-Type")?.lowercased().hasPrefix("text/plain") == true,
                        "Content-Type: \(response.header("Content-Type") ?? "none")")
                #expect(response.bodyText.lowercased().contains("pushpind"), "page: \(response.bodyText.prefix(200))")
            }
        }

        @Test func otherPathsAre404() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                for path in ["/no-such-page", "/favicon.ico"] {
                    let response = try RawHTTPClient.fetch(port: pushpind.clientPort, path)
                    #expect(response.status == 404, "\(path)")
                }
            }
        }

        /// A client that sends its request and at once shuts its write side still gets the
        /// answer: the response, queued to go at the end of the shard's turn, is sent before
        /// the connection closes, even when the EOF is read in the same turn as the request.
        @Test func requestFollowedByEOFGetsItsResponse() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                for attempt in 0..<30 {
                    let client = try RawHTTPClient(port: pushpind.clientPort)
                    try client.send("GET /no-such-page HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                    client.socket.shutdownWrite()
                    let response = try client.readResponse()
                    #expect(response.status == 404, "attempt \(attempt)")
                    #expect(client.peerState(within: .seconds(2)).isGone, "still open after EOF, attempt \(attempt)")
                }
            }
        }

        /// The overridden control port serves the control API, and `--shards` is honoured.
        @Test func controlPortFlagMovesTheControlAPI() throws {
            var setup = PushpindSetup.testHandlerOnly
            setup.shards = 3
            try withPushpind(setup) { pushpind in
                let metrics = try RawHTTPClient.fetch(port: pushpind.controlPort, "/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.bodyText.contains("pushpind_connections_accepted_total"))
                #expect(jsonNumber(try pushpind.status()["shards"]) == 3)
            }
        }
    }
}
