import Testing

/// WebSocket clients on pushpind's own routes: the test handler's `/ws` (echo, channels,
/// `ws-message` publishes) and passthrough to a real WebSocket server (Python `websockets`).
extension EndToEnd {
    @Suite struct WebSocketTests {
        // MARK: - Test handler

        @Test func testHandlerEchoesAndDeliversPublishes() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws?channel=alpha&channel=beta")
                try client.sendText("hello")
                #expect(try client.readMessage() == .text("hello"))
                try client.sendBinary([0, 1, 255])
                #expect(try client.readMessage() == .binary([0, 1, 255]))
                try client.send(.client(WebSocketFrame.Opcode.ping, Array("p".utf8)))
                #expect(try client.readMessage() == .pong(Array("p".utf8)))

                try pushpind.waitForSubscriptions(atLeast: 2)
                try pushpind.publishWebSocket(channel: "alpha", content: "hi")
                #expect(try client.readMessage() == .text("hi"))
                try pushpind.publishWebSocket(channel: "beta", contentBinary: [0, 1, 2])
                #expect(try client.readMessage() == .binary([0, 1, 2]))
                try pushpind.publishWebSocket(channel: "alpha", close: (4001, "bye"))
                #expect(try client.readMessage() == .close(code: 4001, reason: Array("bye".utf8)))
                try client.sendClose(code: 4001)
                #expect(client.peerState(within: .seconds(3)).isGone)
            }
        }

        @Test func testHandlerAnswersOtherPathsWith404() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                guard case .refused(let response) = try WebSocketClient.open(port: pushpind.clientPort, "/nope") else {
                    Issue.record("upgrade of /nope was accepted")
                    return
                }
                #expect(response.status == 404)
            }
        }

        /// RFC 6455 §4.4: a version other than 13 gets 426 naming the version spoken.
        @Test func unsupportedVersionGets426With13() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                for version in ["8", "14"] {
                    let client = try RawHTTPClient(port: pushpind.clientPort)
                    defer { client.close() }
                    let response = try client.get("/ws", headers: [
                        ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", WebSocketClient.randomKey()),
                        ("Sec-WebSocket-Version", version),
                    ])
                    #expect(response.status == 426, "version \(version)")
                    #expect(response.header("Sec-WebSocket-Version") == "13", "version \(version): \(response.head.headers)")
                }
            }
        }

        // MARK: - Passthrough

        /// Test (3): a WebSocket backend (Python `websockets`) behind a plain route: frames
        /// relayed both ways, and the close handshake started by either side.
        @Test func passthroughEchoesAndClosesBothWays() throws {
            try withPythonEchoServer { port in
                try withPushpind(.proxying(toPort: port)) { pushpind in
                    let client = try WebSocketClient.connect(port: pushpind.clientPort, "/echo")
                    try client.sendText("through the tunnel")
                    #expect(try client.readMessage() == .text("through the tunnel"))
                    try client.sendBinary(Array(0...255))
                    #expect(try client.readMessage() == .binary(Array(0...255)))
                    try client.send(.client(WebSocketFrame.Opcode.ping, Array("ping payload".utf8)))
                    #expect(try client.readMessage() == .pong(Array("ping payload".utf8)))
                    try client.sendClose(code: 4321, reason: "client done")
                    #expect(try client.readMessage() == .close(code: 4321, reason: Array("client done".utf8)))
                    #expect(client.peerState(within: .seconds(3)).isGone)

                    let second = try WebSocketClient.connect(port: pushpind.clientPort, "/echo")
                    try second.sendText("close 4002 server done")
                    #expect(try second.readMessage() == .close(code: 4002, reason: Array("server done".utf8)))
                    try second.sendClose(code: 4002)
                    #expect(second.peerState(within: .seconds(3)).isGone)
                    client.close()  // else pushpind lingers, waiting for our EOF
                    second.close()
                    try pushpind.expectMetrics { $0.expectTotal("pushpind_connections_open", equals: 0) }
                }
            }
        }
    }
}
