import Testing

/// What a publisher or a backend's JSON puts in front of a client or a backend is checked
/// first: nothing may add fields, end a head early, frame a body, or make a client read part
/// of one response as the next.
extension EndToEnd {
    @Suite struct InjectionTests {
        static func item(_ response: [String: Any]) -> [String: Any] {
            ["channel": "inj", "formats": ["http-response": response]]
        }

        @Test func publishesThatWouldSplitALongPollAreRejectedWhole() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(.get("/grip/response?ch=inj"))
                try pushpind.waitForHeld(response: 1)

                let rejected: [([String: Any], String)] = [
                    (["headers": ["X-A": "1\r\nSet-Cookie: evil=1"], "body": "x"], "'http-response' contains 'headers' with invalid value"),
                    (["headers": [["X-A\nX-B", "1"]], "body": "x"], "'http-response' contains 'headers' with invalid value"),
                    (["headers": ["X-A": "a\u{0}b"], "body": "x"], "'http-response' contains 'headers' with invalid value"),
                    (["reason": "OK\r\n\r\nHTTP/1.1 200 OK", "body": "x"], "'http-response' contains 'reason' with invalid value"),
                    (["code": 100, "body": "HTTP/1.1 200 OK\r\n\r\n"], "'http-response' contains 'code' with invalid value"),
                    (["code": 204, "body": "HTTP/1.1 200 OK\r\n\r\n"], "'http-response' contains 'body' with invalid value"),
                    (["body-bin": "aGk"], "'http-response' contains 'body-bin' with invalid value: not canonical base64"),
                ]
                for (response, message) in rejected {
                    // A good item first: an invalid one anywhere rejects the whole publish.
                    let answer = try pushpind.publishRaw(String(decoding: try PublishJSON.envelope([
                        PublishJSON.stream("other", "x"), Self.item(response),
                    ]), as: UTF8.self))
                    #expect(answer.status == 400, "\(response) → \(answer.status) \(answer.bodyText)")
                    #expect(answer.bodyText.hasPrefix("Invalid format: item 1: " + message), "\(answer.bodyText)")
                }
                #expect(client.peerState(within: .milliseconds(200)) == .open, "a rejected publish reached the long-poll")
                try pushpind.waitForHeld(response: 1)

                // Framing a publisher supplies is dropped: pushpind frames the body itself.
                try pushpind.publish(Self.item([
                    "headers": [
                        ["Content-Length", "999"], ["Transfer-Encoding", "chunked"], ["Connection", "close"],
                        ["Keep-Alive", "timeout=1"], ["Upgrade", "h2c"], ["TE", "trailers"], ["Trailer", "X-T"],
                        ["Proxy-Connection", "close"], ["X-Published", "yes"],
                    ],
                    "body": "ok\n",
                ]))
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.framing == .contentLength(3))
                #expect(response.bodyText == "ok\n")
                #expect(response.header("X-Published") == "yes")
                for name in ["Transfer-Encoding", "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Connection"] {
                    #expect(response.header(name) == nil, "\(name) reached the client")
                }
                #expect(response.header("Connection") == nil)

                // The connection is in step: the next answer is the next request's.
                let next = try client.get("/echo")
                #expect(next.status == 200)
                #expect(try EchoReport(next).target == "/echo")
            }
        }

        @Test func backendInstructsThatWouldInjectFieldsAre502AndCounted() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                for inject in ["reason", "header"] {
                    let response = try client.get("/grip/instruct?mode=response&ch=i&inject=\(inject)")
                    #expect(response.status == 502, "inject=\(inject)")
                    #expect(response.header("X-Injected") == nil)
                }
                #expect(try client.get("/echo").status == 200)
                let metrics = try pushpind.metrics()
                #expect(metrics.value("pushpind_backend_errors_total", ["shard": "total", "kind": "invalid"]) == 2)
            }
        }

        /// A HEAD request's response has no body, so it cannot be held: its answer is the head
        /// alone, and the connection stays usable.
        @Test func headRequestsAreNotHeld() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                for path in ["/grip/response?ch=h", "/grip/stream?ch=h"] {
                    let response = try client.request(HTTPRequest("HEAD", path))
                    #expect(response.status == 200, "HEAD \(path)")
                    #expect(response.body.isEmpty)
                    let next = try client.get("/echo")
                    #expect(next.status == 200, "after HEAD \(path)")
                    #expect(try EchoReport(next).target == "/echo")
                }
                try pushpind.waitForHeld(stream: 0, response: 0)
                // An error answer to a HEAD has no body either (here: a JSON instruct cannot
                // come back in a HEAD response, which has no body).
                let failed = try client.request(HTTPRequest("HEAD", "/grip/instruct?mode=response&ch=h"))
                #expect(failed.status == 502)
                #expect(failed.body.isEmpty)
                #expect(try client.get("/echo").status == 200)
            }
        }

        /// A WebSocket-over-HTTP backend's `set-meta` comes back as a `Meta-*` request field:
        /// one with CR or LF in its name or value is ignored and counted, the others apply.
        @Test func setMetaThatWouldInjectFieldsIsIgnored() throws {
            let handler: WOHBackend.Handler = { request in
                guard let events = request.events else { return .status(400, "Bad", body: "") }
                var out: [WOHEvent] = []
                for event in events {
                    switch event {
                    case .open:
                        out += [
                            .open,
                            .control(#"{"type":"set-meta","name":"user","value":"bob\r\nX-Injected: 1"}"#),
                            .control(#"{"type":"set-meta","name":"a\nX-Injected","value":"1"}"#),
                            .control(#"{"type":"set-meta","name":"role","value":"admin"}"#),
                        ]
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
                try client.sendText("hello")
                #expect(try client.readMessage() == .text("hello"))
                let hello = try #require(backend.requests.last)
                #expect(hello.head.values("Meta-Role") == ["admin"])
                #expect(hello.head.values("Meta-User").isEmpty)
                #expect(hello.head.values("X-Injected").isEmpty)
                let metrics = try pushpind.metrics()
                #expect(metrics.value("pushpind_backend_errors_total", ["shard": "total", "kind": "invalid"]) == 2)
            }
        }
    }
}
