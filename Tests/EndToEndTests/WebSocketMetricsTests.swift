import Testing

/// The `pushpind_websocket_*` families of `/metrics` follow WebSocket traffic: open
/// connections, handshakes, messages each way, protocol errors, close codes, and the
/// event requests of WebSocket-over-HTTP.
extension EndToEnd {
    @Suite struct WebSocketMetricsTests {
        static let families = [
            ("pushpind_websocket_connections_open", "gauge"),
            ("pushpind_websocket_connections_opened_total", "counter"),
            ("pushpind_websocket_handshakes_rejected_total", "counter"),
            ("pushpind_websocket_messages_received_total", "counter"),
            ("pushpind_websocket_messages_sent_total", "counter"),
            ("pushpind_websocket_protocol_errors_total", "counter"),
            ("pushpind_websocket_event_requests_total", "counter"),
            ("pushpind_websocket_event_failures_total", "counter"),
        ]

        @Test func everyFamilyIsExposedPerShardAndInTotal() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                let metrics = try pushpind.metrics()
                for (name, type) in Self.families {
                    #expect(metrics.types[name] == type, "# TYPE of \(name): \(metrics.types[name] ?? "none")")
                    for shard in ["0", "1", "total"] {
                        #expect(metrics.value(name, ["shard": shard]) != nil, "\(name){shard=\"\(shard)\"} missing")
                    }
                }
                #expect(metrics.types["pushpind_websocket_close_codes_total"] == "counter")
            }
        }

        /// The test handler: echoes and a publish count as messages, a reserved opcode as a
        /// protocol error (close 1002), a bad upgrade as a rejected handshake.
        @Test func testHandlerTrafficIsCounted() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws?channel=metrics")
                for index in 0..<3 {
                    try client.sendText("m\(index)")
                    #expect(try client.readMessage() == .text("m\(index)"))
                }
                try client.send(.client(WebSocketFrame.Opcode.ping))
                #expect(try client.readMessage() == .pong([]))
                try pushpind.waitForSubscriptions(atLeast: 1)
                try pushpind.publishWebSocket(channel: "metrics", content: "published")
                #expect(try client.readMessage() == .text("published"))

                let broken = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                try broken.send(.client(3, Array("reserved".utf8)))
                let verdict = try broken.readUntilClose()
                #expect(ConformanceRunner.code(of: verdict.close) == 1002)
                broken.close()  // else pushpind lingers (and counts it open) until it sees our EOF

                let bad = try RawHTTPClient(port: pushpind.clientPort)
                let refused = try bad.get("/ws", headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13")])
                #expect(refused.status == 400)

                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_websocket_connections_open", equals: 1)
                    checks.expectTotal("pushpind_websocket_connections_opened_total", equals: 2)
                    checks.expectTotal("pushpind_websocket_messages_received_total", equals: 3)
                    checks.expectTotal("pushpind_websocket_messages_sent_total", equals: 4)
                    checks.expectTotal("pushpind_websocket_protocol_errors_total", equals: 1)
                    checks.expectTotal("pushpind_websocket_handshakes_rejected_total", equals: 1)
                    checks.expectTotal("pushpind_websocket_close_codes_total", ["code": "1002"], equals: 1)
                }
                try client.sendClose(code: 4321)
                #expect(ConformanceRunner.code(of: try client.readUntilClose().close) == 4321)
                client.close()
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_websocket_connections_open", equals: 0)
                    checks.expectTotal("pushpind_websocket_close_codes_total", ["code": "4321"], atLeast: 1)
                }
            }
        }

        /// WebSocket-over-HTTP: one event request per exchange (the OPEN included), and a
        /// failed OPEN counts as a failure.
        @Test func eventRequestsAndFailuresAreCounted() throws {
            let backend = try WOHBackend(handler: WOHBehaviour.echo())
            defer { backend.stop() }
            try withPushpind(.overHTTP(toPort: backend.port)) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                for index in 0..<2 {
                    try client.sendText("m\(index)")
                    #expect(try client.readMessage() == .text("m\(index)"))
                }
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_websocket_event_requests_total", equals: Double(backend.requests.count))
                    checks.expectTotal("pushpind_websocket_event_requests_total", equals: 3)
                    checks.expectTotal("pushpind_websocket_event_failures_total", equals: 0)
                    checks.expectTotal("pushpind_websocket_messages_received_total", equals: 2)
                    checks.expectTotal("pushpind_websocket_messages_sent_total", equals: 2)
                    checks.expectTotal("pushpind_websocket_connections_open", equals: 1)
                }
                client.close()
                backend.stop()
                guard case .refused(let response) = try WebSocketClient.open(port: pushpind.clientPort, "/ws") else {
                    Issue.record("handshake accepted with the backend down")
                    return
                }
                #expect(response.status == 502)
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_websocket_event_failures_total", atLeast: 1)
                    checks.expectTotal("pushpind_websocket_connections_open", equals: 0)
                }
            }
        }

        /// Passthrough tunnels count as open WebSocket connections ("sessions and tunnels").
        @Test func tunnelsAreCountedAsOpenConnections() throws {
            try withPythonEchoServer { port in
                try withPushpind(.proxying(toPort: port)) { pushpind in
                    let client = try WebSocketClient.connect(port: pushpind.clientPort, "/echo")
                    try client.sendText("hello")
                    #expect(try client.readMessage() == .text("hello"))
                    try pushpind.expectMetrics { checks in
                        checks.expectTotal("pushpind_websocket_connections_opened_total", equals: 1)
                        checks.expectTotal("pushpind_websocket_connections_open", equals: 1)
                    }
                    try client.sendClose(code: 1000)
                    #expect(ConformanceRunner.code(of: try client.readUntilClose().close) == 1000)
                    #expect(client.peerState(within: .seconds(3)).isGone)
                    client.close()
                    try pushpind.expectMetrics { $0.expectTotal("pushpind_websocket_connections_open", equals: 0) }
                }
            }
        }
    }
}
