import Foundation
import Testing

/// WebSocket-over-HTTP: pushpind turns a client's WebSocket into POSTs of
/// `application/websocket-events` to the backend — events in order, the protocol headers,
/// GRIP control messages, the close handshake and DISCONNECT.
extension EndToEnd {
    @Suite struct WebSocketOverHTTPTests {
        /// Test (1): a real client library through an over_http backend that echoes with GRIP.
        @Test func pythonClientEchoesThroughAnOverHTTPBackend() throws {
            guard PythonProcess.hasModule("websocket") else {
                throw HarnessError.setup("the Python module websocket (websocket-client) is missing; scripts/setup.sh installs it")
            }
            try withOverHTTPBackend { backend, pushpind in
                let script = try PythonProcess(script: PythonWebSocketScripts.echoClient, arguments: ["ws://127.0.0.1:\(pushpind.clientPort)/chat"])
                guard script.waitForExit(timeout: .seconds(30)) == .exited(0) else {
                    Issue.record("websocket-client script failed:\n\(script.output)")
                    return
                }
                let line = script.output.split(separator: "\n").last.map(String.init) ?? ""
                let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "output: \(script.output)")
                #expect(result["status"] as? Int == 101)
                #expect(result["text"] as? String == "hello from python")
                #expect(result["binary"] as? Bool == true)
                #expect(result["big"] as? Bool == true)
                #expect((result["pong"] as? [Any]).map { "\($0)" } == "\([10, "are you there"] as [Any])")
                #expect(result["client_close"] as? Int == 1000)
                #expect((result["backend_close"] as? [Any]).map { "\($0)" } == "\([8, 4000, "backend closes"] as [Any])")
                #expect(result["eof_after_close"] as? Bool == true, "\(result["eof_after_close"] ?? "none")")

                let ids = Set(backend.requests.map(\.connectionID))
                #expect(ids.count == 2, "Connection-Ids: \(ids)")
                #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { "0123456789abcdef".utf8.contains($0) } }, "Connection-Ids: \(ids)")
                let first = try #require(backend.requests.first)
                let firstEvents = backend.events(of: first.connectionID)
                let expected: [WOHEvent] = [
                    .open, .text("hello from python"), .binary(Array(0...255)), .text(String(repeating: "é", count: 50000)),
                    .close(code: 1000, reason: Array("client done".utf8)),
                ]
                #expect(firstEvents == expected, "events: \(firstEvents)")
            }
        }

        /// Every event request carries the WOH headers; Set-Meta-* comes back as Meta-*;
        /// client-sent Meta-* never reaches the backend.
        @Test func eventRequestsCarryTheProtocolHeaders() throws {
            let handler = WOHBehaviour.echo(openHeaders: [("Set-Meta-User", "alice"), ("Sec-WebSocket-Protocol", "chat")])
            try withOverHTTPBackend(handler) { backend, pushpind in
                let client = try WebSocketClient.connect(
                    port: pushpind.clientPort, "/room?x=1",
                    headers: [("Sec-WebSocket-Protocol", "chat"), ("Meta-User", "mallory"), ("X-Custom", "kept")])
                #expect(client.handshake.header("Sec-WebSocket-Protocol") == "chat")
                #expect(client.handshake.header("Set-Meta-User") == nil)
                #expect(client.handshake.header("Content-Type") == nil)
                for index in 0..<3 {
                    try client.sendText("m\(index)")
                    #expect(try client.readMessage() == .text("m\(index)"))
                }
                let requests = try #require(backend.waitFor { $0.count >= 4 })
                let open = requests[0]
                #expect(open.body == Array("OPEN\r\n".utf8))
                #expect(open.head.startLine.0 == "POST")
                #expect(open.target == "/room?x=1")
                for request in requests {
                    let head = request.head
                    #expect(head.value("Content-Type") == "application/websocket-events")
                    #expect(head.value("Accept") == "application/websocket-events")
                    #expect(head.tokens("Sec-WebSocket-Extensions") == ["grip"])
                    #expect(head.value("Grip-Sig")?.split(separator: ".").count == 3, "Grip-Sig: \(head.value("Grip-Sig") ?? "none")")
                    #expect(request.connectionID.count >= 16 && request.connectionID == open.connectionID)
                    #expect(head.value("X-Custom") == "kept")
                    #expect(head.value("Sec-WebSocket-Key") == nil && head.value("Upgrade") == nil)
                    #expect(head.value("Content-Length") == String(request.body.count))
                }
                #expect(open.head.values("Meta-User") == [], "client-sent Meta-User reached the backend")
                for request in requests.dropFirst() {
                    #expect(request.head.values("Meta-User") == ["alice"], "request \(request.events ?? [])")
                }
                #expect(backend.events(of: open.connectionID) == [.open, .text("m0"), .text("m1"), .text("m2")])
            }
        }

        /// GRIP: unprefixed backend messages are dropped, `m:` is stripped, `c:` is not shown.
        @Test func gripMessagePrefixAndControlMessages() throws {
            let handler: WOHBackend.Handler = { request in
                guard let events = request.events else { return .status(400, "Bad", body: "") }
                if events.first == .open {
                    return .events([.open, .text("no prefix: dropped"), .control(#"{"type":"subscribe","channel":"news"}"#), .text("m:welcome")],
                                   headers: [("Sec-WebSocket-Extensions", "grip")])
                }
                let replies: [WOHEvent] = events.compactMap { event in
                    guard let text = event.textValue else { return nil }
                    if text == "leave" { return .control(#"{"type":"unsubscribe","channel":"news"}"#) }
                    return .text("m:" + text)
                }
                return .events(replies)
            }
            try withOverHTTPBackend(handler) { _, pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/")
                #expect(try client.readMessage() == .text("welcome"))
                try pushpind.waitForSubscriptions(atLeast: 1)
                try pushpind.publishWebSocket(channel: "news", content: "extra")
                #expect(try client.readMessage() == .text("extra"))
                try client.sendText("leave")
                try #require(eventually { (try? pushpind.metrics().total("pushpind_subscriptions")) == 0 ? true : nil } != nil)
                try pushpind.publishWebSocket(channel: "news", content: "not delivered")
                try client.sendText("after")
                #expect(try client.readMessage() == .text("after"))
            }
        }

        /// GRIP control messages: `set-meta` comes back as a Meta-* request header,
        /// `keep-alive` sends its message to an idle client, `detach` ends the backend side
        /// (a CLOSE event) while the client stays connected and still gets publishes.
        @Test func gripSetMetaKeepAliveAndDetach() throws {
            let handler: WOHBackend.Handler = { request in
                guard let events = request.events else { return .status(400, "Bad", body: "") }
                var out: [WOHEvent] = []
                for event in events {
                    switch event {
                    case .open:
                        out += [
                            .open, .subscribe("news"), .control(#"{"type":"set-meta","name":"user","value":"bob"}"#),
                            .control(#"{"type":"keep-alive","content":"ka","timeout":1}"#),
                        ]
                    case .text(let bytes) where bytes == Array("detach".utf8):
                        out.append(.control(#"{"type":"detach"}"#))
                    case .text(let bytes):
                        out.append(.text(Array("m:".utf8) + bytes))
                    default:
                        break
                    }
                }
                return .events(out, headers: events.first == .open ? [("Sec-WebSocket-Extensions", "grip")] : [])
            }
            try withOverHTTPBackend(handler) { backend, pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/")
                let (keepAlive, idle) = try measure { try client.readMessage(timeout: .seconds(4)) }
                #expect(keepAlive == .text("ka"))
                #expect(idle >= .milliseconds(500), "keep-alive after \(idle) (timeout 1 s)")
                try client.sendText("hello")
                #expect(try client.readMessage() == .text("hello"))
                let hello = try #require(backend.requests.last)
                #expect(hello.head.values("Meta-User") == ["bob"])

                try client.sendText("detach")
                let id = hello.connectionID
                let afterDetach = backend.waitForEvents(of: id, count: 4, timeout: .seconds(1))
                #expect(afterDetach.dropFirst(3).first.map { if case .close = $0 { true } else { false } } == true,
                        "after detach the backend should get CLOSE: \(afterDetach)")
                let requestsBefore = backend.requests.count
                try client.sendText("discarded")
                pause(.milliseconds(300))
                #expect(backend.requests.count == requestsBefore, "a detached client's message reached the backend")
                try pushpind.publishWebSocket(channel: "news", content: "still delivered")
                var got = try client.readMessage()
                for _ in 0..<5 where got == .text("ka") { got = try client.readMessage() }  // keep-alives may come first
                #expect(got == .text("still delivered"))
            }
        }

        /// Test (5): the client's TCP connection drops without a close frame: the backend
        /// gets DISCONNECT for that connection.
        @Test func clientLossSendsDisconnect() throws {
            try withOverHTTPBackend { backend, pushpind in
                for reset in [false, true] {
                    let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                    try client.sendText("hi")
                    #expect(try client.readMessage() == .text("hi"))
                    let id = try #require(backend.requests.last).connectionID
                    if reset { client.socket.setResetOnClose() }
                    client.close()
                    let events = backend.waitForEvents(of: id, count: 3)
                    #expect(events == [.open, .text("hi"), .disconnect], "reset=\(reset): \(events)")
                }
                try pushpind.expectMetrics { $0.expectTotal("pushpind_connections_open", equals: 0) }
            }
        }

        /// The close handshake goes through the backend both ways.
        @Test func closeHandshakeGoesThroughTheBackend() throws {
            try withOverHTTPBackend { backend, pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                try client.sendClose(code: 4100, reason: "client leaves")
                #expect(try client.readMessage() == .close(code: 4100, reason: Array("client leaves".utf8)))
                #expect(client.peerState(within: .seconds(3)).isGone)
                let id = try #require(backend.requests.first).connectionID
                #expect(backend.events(of: id) == [.open, .close(code: 4100, reason: Array("client leaves".utf8))])

                let second = try WebSocketClient.connect(port: pushpind.clientPort, "/ws")
                try second.sendText("close 4200")
                #expect(try second.readMessage() == .close(code: 4200, reason: Array("backend closes".utf8)))
                try second.sendClose(code: 4200)
                #expect(second.peerState(within: .seconds(3)).isGone)
            }
        }
    }
}
