import Testing

/// permessage-deflate (`allow_compression`): a real client (Python `websockets`, which offers
/// the extension by default) sends compressed messages; pushpind inflates them and answers
/// uncompressed, which the extension allows.
extension EndToEnd {
    @Suite struct WebSocketCompressionTests {
        static let client = """
            import asyncio, sys, websockets
            async def main():
                async with websockets.connect(f"ws://127.0.0.1:{sys.argv[1]}/ws?channel=z") as ws:
                    print("extension:", ws.response.headers.get("Sec-WebSocket-Extensions"))
                    for i in range(3):  # the client keeps its compression context across messages
                        text = f"compress me {i} " * 2000
                        await ws.send(text)
                        print("text", await ws.recv() == text)
                    await ws.send(bytes(50000))
                    print("binary", await ws.recv() == bytes(50000))
            asyncio.run(main())
            """

        /// A config file (so `[runner] allow_compression` can be set) routing to the test handler.
        static var testRoute: PushpindSetup {
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            return setup
        }

        @Test func compressedMessagesAreInflatedWhenAllowed() throws {
            var setup = Self.testRoute
            setup.runner = [("allow_compression", "true")]
            try withPushpind(setup) { pushpind in
                let output = try PythonProcess.run(Self.client, arguments: ["\(pushpind.clientPort)"])
                #expect(output.contains("extension: permessage-deflate"), "\(output)")
                #expect(output.components(separatedBy: "text True").count == 4, "\(output)")
                #expect(output.contains("binary True"), "\(output)")
            }
        }

        @Test func noExtensionWithoutAllowCompression() throws {
            try withPushpind(Self.testRoute) { pushpind in
                let output = try PythonProcess.run(Self.client, arguments: ["\(pushpind.clientPort)"])
                #expect(output.contains("extension: None"), "\(output)")
                #expect(output.contains("binary True"), "\(output)")
            }
        }
    }
}

extension EndToEnd {
    /// Idle keep-alive: a client that hears nothing for `websocket_ping_interval` is pinged.
    @Suite struct WebSocketIdlePingTests {
        @Test func idleClientsArePinged() throws {
            var setup = EndToEnd.WebSocketCompressionTests.testRoute
            setup.runner = [("websocket_ping_interval", "1")]
            try withPushpind(setup) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                #expect(try client.readMessage() == .ping([]))  // within the client's read timeout
                try client.send(.client(WebSocketFrame.Opcode.pong, []))
                try client.sendText("still here")
                #expect(try client.readMessage() == .text("still here"))
            }
        }
    }
}
