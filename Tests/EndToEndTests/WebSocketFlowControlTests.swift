import Testing

/// Flow control and message size on WebSocket routes: a client that sends faster than its
/// over_http backend answers is slowed down, not closed; large fragmented messages pass
/// in every mode up to `[runner] websocket_message_max`, and a larger one gets 1009.
extension EndToEnd {
    @Suite struct WebSocketFlowControlTests {
        /// Messages sent in frames of this size.
        static let fragmentBytes = 64 * 1024

        /// 100 messages of 64 KiB in one write to an over_http backend that takes 20 ms per
        /// request: pushpind stops reading the client while its events wait, and every
        /// message reaches the backend once, in order; the client is not closed.
        @Test func fastClientIsPausedNotClosed() throws {
            let handler: WOHBackend.Handler = { request in
                guard let events = request.events else { return .status(400, "Bad Request", body: request.parseError ?? "") }
                if events.first == .open { return .events([.open]) }
                pause(.milliseconds(20))  // slower than the client
                return .events(events.contains(.text("done")) ? [.text("done")] : [])
            }
            try withOverHTTPBackend(handler) { backend, pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                let messages = (0..<100).map { index in
                    (0..<Self.fragmentBytes).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index &* 13) }
                }
                let frames = messages.map { WebSocketFrame.client(WebSocketFrame.Opcode.binary, $0) }
                let (reply, elapsed) = try measure {
                    try client.send(frames, timeout: .seconds(60))
                    try client.sendText("done")
                    return try client.readMessage(timeout: .seconds(60))
                }
                print("WebSocket-over-HTTP flow control: 100 × 64 KiB to a backend taking 20 ms per request in \(elapsed)")
                #expect(reply == .text("done"))

                let id = try #require(backend.requests.first).connectionID
                let events = backend.events(of: id)
                let expected: [WOHEvent] = [.open] + messages.map { .binary($0) } + [.text("done")]
                #expect(events.count == expected.count, "events: \(events.count), requests: \(backend.requests.count)")
                let firstDifference = zip(events, expected).enumerated().first { $0.element.0 != $0.element.1 }
                #expect(firstDifference == nil, "event \(firstDifference?.offset ?? 0): \(firstDifference.map { "\($0.element.0)" } ?? "")")
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_websocket_backpressure_pauses_total", atLeast: 1)
                    checks.expectTotal("pushpind_websocket_event_failures_total", equals: 0)
                }
                try client.sendText("still open")  // the session goes on after the burst
                try client.sendText("done")
                #expect(try client.readMessage(timeout: .seconds(10)) == .text("done"))
            }
        }

        /// A 1 MiB text and a 4 MiB binary message in 64 KiB fragments, echoed whole.
        static let largeMessages: [WebSocketMessage] = [
            .text(ConformancePayload.text(1 << 20)), .binary(ConformancePayload.binary(4 << 20)),
        ]

        @Test func largeFragmentedMessagesThroughTheTestHandler() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                for message in Self.largeMessages {
                    #expect(try Self.echo(message, on: client) == message)
                }
            }
        }

        /// The event POST carries the whole message, and the backend's echo of the same size
        /// is taken as the answer.
        @Test func largeFragmentedMessagesOverHTTP() throws {
            try withOverHTTPBackend(WOHBehaviour.echo(grip: false)) { backend, pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                for message in Self.largeMessages {
                    #expect(try Self.echo(message, on: client) == message)
                }
                let id = try #require(backend.requests.first).connectionID
                let events = backend.events(of: id)
                #expect(events == [.open] + Self.largeMessages.map(Self.event), "events: \(events)")
            }
        }

        /// Passthrough relays the frames as they are: no limit of pushpind's own.
        @Test func largeFragmentedMessagesThroughPassthrough() throws {
            try withPythonEchoServer(messageMaxBytes: 8 << 20) { port in
                try withPushpind(.proxying(toPort: port)) { pushpind in
                    let client = try WebSocketClient.connect(port: pushpind.clientPort, "/echo")
                    for message in Self.largeMessages {
                        #expect(try Self.echo(message, on: client) == message)
                    }
                }
            }
        }

        /// With `websocket_message_max=524288` (between the limits pushpind had before
        /// the key existed): 512 KiB is echoed, 512 KiB + 1 gets 1009, in both modes.
        @Test(arguments: ["test", "over_http"])
        func messageOverTheConfiguredMaxGets1009(mode: String) throws {
            let limit = 512 * 1024
            let backend = try WOHBackend(handler: WOHBehaviour.echo(grip: false))
            defer { backend.stop() }
            var setup = mode == "test" ? PushpindSetup() : .overHTTP(toPort: backend.port)
            if mode == "test" { setup.routes = "* test\n" }
            setup.runner = [("websocket_message_max", String(limit))]
            try withPushpind(setup) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                let fits = WebSocketMessage.binary(ConformancePayload.binary(limit))
                #expect(try Self.echo(fits, on: client) == fits)
                try Self.send(.binary(ConformancePayload.binary(limit + 1)), on: client)
                let ending = try client.readUntilClose(timeout: .seconds(10))
                #expect(ConformanceRunner.code(of: ending.close) == 1009, "got \(ending.close)")
                #expect(ending.before.isEmpty, "before the close: \(ending.before)")
                let largest = backend.requests.flatMap { $0.events ?? [] }.map(Self.size).max() ?? 0
                #expect(largest <= limit, "a message of \(largest) B reached the backend")
            }
        }

        // MARK: - Helpers

        /// Sends `message` as fragments of 64 KiB, all in one write.
        static func send(_ message: WebSocketMessage, on client: WebSocketClient) throws {
            let (opcode, payload): (UInt8, [UInt8]) =
                switch message {
                case .text(let bytes): (WebSocketFrame.Opcode.text, bytes)
                case .binary(let bytes): (WebSocketFrame.Opcode.binary, bytes)
                default: preconditionFailure("only data messages are sent here")
                }
            try client.send(ConformancePayload.fragments(opcode, payload, size: fragmentBytes), timeout: .seconds(30))
        }

        /// Sends `message` and reads the echo.
        static func echo(_ message: WebSocketMessage, on client: WebSocketClient) throws -> WebSocketMessage {
            try send(message, on: client)
            return try client.readMessage(timeout: .seconds(30))
        }

        static func event(_ message: WebSocketMessage) -> WOHEvent {
            switch message {
            case .text(let bytes): .text(bytes)
            case .binary(let bytes): .binary(bytes)
            default: preconditionFailure("only data messages are sent here")
            }
        }

        static func size(_ event: WOHEvent) -> Int {
            switch event {
            case .text(let bytes), .binary(let bytes): bytes.count
            default: 0
            }
        }
    }
}
