import Testing

/// Route options that rewrite a request on its way to the backend (`as_host`, `path_rem`,
/// `replace_beg`, `header=`, the target's `host=`): what the backend receives for plain
/// requests, GRIP requests and both kinds of WebSocket route.
extension EndToEnd {
    @Suite struct RouteRewriteTests {
        func withRoute<T>(_ condition: String, target: String = "", _ body: (BackendStub, PushpindProcess) throws -> T) throws -> T {
            try withBackend { backend in
                var setup = PushpindSetup()
                setup.routes = "\(condition) 127.0.0.1:\(backend.port)\(target)\n"
                return try withPushpind(setup) { pushpind in try body(backend, pushpind) }
            }
        }

        @Test func pathRemStripsThePrefixAndKeepsTheQuery() throws {
            try withRoute("*,path_beg=/api,path_rem=4") { _, pushpind in
                let echo = try EchoReport(RawHTTPClient.fetch(port: pushpind.clientPort, "/api/echo?a=1&b=%2F"))
                #expect(echo.target == "/echo?a=1&b=%2F")
            }
        }

        @Test func replaceBegSwapsTheMatchedPrefix() throws {
            try withRoute("*,path_beg=/v1/ec,replace_beg=/ec") { _, pushpind in
                let echo = try EchoReport(RawHTTPClient.fetch(port: pushpind.clientPort, "/v1/echo?x"))
                #expect(echo.target == "/echo?x")
            }
        }

        @Test func asHostReplacesTheHost() throws {
            try withRoute("*,as_host=api.internal:8081") { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let echo = try EchoReport(client.get("/echo", headers: [("Host", "public.example")]))
                #expect(echo.values("Host") == ["api.internal:8081"])
            }
        }

        @Test func targetHostWinsOverAsHost() throws {
            try withRoute("*,as_host=api.internal", target: ",host=backend.internal") { _, pushpind in
                let echo = try EchoReport(RawHTTPClient.fetch(port: pushpind.clientPort, "/echo"))
                #expect(echo.values("Host") == ["backend.internal"])
            }
        }

        @Test func headerOptionsSetReplaceAndRemoveFields() throws {
            try withRoute(#"*,header=X-Api-Key:secret,header=Cookie:,header="X-Tag: two words""#) { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let echo = try EchoReport(client.get("/echo", headers: [("X-Api-Key", "forged"), ("Cookie", "a=1"), ("X-Kept", "1")]))
                #expect(echo.values("X-Api-Key") == ["secret"])
                #expect(echo.values("X-Tag") == ["two words"])
                #expect(!echo.has("Cookie"))
                #expect(echo.values("X-Kept") == ["1"])
            }
        }

        /// A line that would put a framing field in front of the backend is refused with a
        /// reason; the other lines still load.
        @Test func aFramingHeaderOptionIsRefusedAtLoad() throws {
            try withBackend { backend in
                var setup = PushpindSetup()
                setup.routes = "*,path_beg=/echo,path_rem=2,header=Content-Length:0 127.0.0.1:\(backend.port)\n* 127.0.0.1:\(backend.port)\n"
                try withPushpind(setup) { pushpind in
                    let echo = try EchoReport(RawHTTPClient.fetch(port: pushpind.clientPort, "/echo"))
                    #expect(echo.target == "/echo")
                    #expect(echo.values("Content-Length").isEmpty)
                    #expect(pushpind.logTail().contains("header 'Content-Length' frames the request"))
                }
            }
        }

        /// A GRIP request is rewritten like any other, and the hold it starts works.
        @Test func gripRequestsAreRewritten() throws {
            try withRoute("*,path_beg=/g/,replace_beg=/grip/,as_host=grip.internal") { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(HTTPRequest.get("/g/response?ch=rw"))
                try pushpind.waitForHeld(response: 1)
                try pushpind.publish(PublishJSON.response("rw", code: 200, headers: [:], body: "done\n"))
                let response = try client.readResponse(timeout: .seconds(10))
                #expect(response.bodyText == "done\n")
                let seen = try #require(backend.requests.first)
                #expect(seen.target == "/grip/response?ch=rw")
                #expect(seen.head.values("Host") == ["grip.internal"])
            }
        }

        /// A stream's next-link fetch repeats the rewritten request: the route's host and
        /// header options reach the backend again (the link's own path is the backend's, so
        /// it is not rewritten).
        @Test func nextLinkFetchesCarryTheRewrite() throws {
            let configure: (inout PushpindSetup) -> Void = { setup in
                setup.routes = setup.routes?.replacingOccurrences(of: "* ", with: "*,as_host=origin.internal,header=X-Api-Key:secret ")
            }
            try withScriptedOrigin(configure) { origin, backend, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                try pushpind.waitForHeld(stream: 1)
                origin.append("hinted\n")
                try pushpind.publish(["channel": ScriptedOrigin.channel, "formats": ["http-stream": ["action": "hint"]]])
                #expect(try subscriber.read(expecting: "start\nhinted\n") == "start\nhinted\n")
                let next = try #require(backend.requests.first { $0.path == "/next" }, "no next-link fetch reached the backend")
                #expect(next.head.values("Host") == ["origin.internal"])
                #expect(next.head.values("X-Api-Key") == ["secret"])
                let first = try #require(backend.requests.first { $0.path == "/stream" })
                #expect(first.head.values("Host") == ["origin.internal"])
            }
        }

        /// A passthrough WebSocket's upgrade request carries the rewrite.
        @Test func webSocketPassthroughUpgradeIsRewritten() throws {
            try withRoute("*,path_beg=/sock,path_rem=5,header=X-Route:ws,as_host=ws.internal") { backend, pushpind in
                _ = try? WebSocketClient.connect(port: pushpind.clientPort, "/sock/live?x=1", timeout: .seconds(5))
                let seen = eventually(timeout: .seconds(5), interval: .milliseconds(20)) { backend.requests.first }
                let request = try #require(seen, "the upgrade never reached the backend")
                #expect(request.target == "/live?x=1")
                #expect(request.head.values("Host") == ["ws.internal"])
                #expect(request.head.values("X-Route") == ["ws"])
            }
        }

        /// WebSocket-over-HTTP event requests carry the rewrite, every one of them.
        @Test func overHTTPEventRequestsAreRewritten() throws {
            let backend = try WOHBackend(handler: WOHBehaviour.echo())
            defer { backend.stop() }
            var setup = PushpindSetup()
            setup.routes = "*,path_beg=/sock,replace_beg=/events,header=X-Route:woh,as_host=woh.internal 127.0.0.1:\(backend.port),over_http\n"
            try withPushpind(setup) { pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/sock/chat?room=1")
                try client.sendText("hi")
                #expect(try client.readMessage(timeout: .seconds(10)) == .text("hi"))
                let requests = backend.requests
                #expect(requests.count >= 2)
                for request in requests {
                    #expect(request.target == "/events/chat?room=1")
                    #expect(request.head.values("Host") == ["woh.internal"])
                    #expect(request.head.values("X-Route") == ["woh"])
                }
            }
        }
    }
}
