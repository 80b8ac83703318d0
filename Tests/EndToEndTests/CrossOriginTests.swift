import Testing

/// Auto cross-origin (route `aco`, `[proxy] auto_cross_origin`): CORS fields where the
/// backend set none, preflights passed to the backend, JSON-P for proxied responses and
/// GRIP long-polls.
extension EndToEnd {
    @Suite struct CrossOriginTests {
        func withACO<T>(_ condition: String = "*,aco", proxy: [(String, String)] = [], _ body: (BackendStub, PushpindProcess) throws -> T) throws -> T {
            try withBackend { backend in
                var setup = PushpindSetup()
                setup.routes = "\(condition) 127.0.0.1:\(backend.port)\n"
                setup.proxy = proxy
                return try withPushpind(setup) { pushpind in try body(backend, pushpind) }
            }
        }

        @Test func responsesGetCORSFieldsTheBackendDidNotSet() throws {
            try withACO { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.get("/status?code=201", headers: [("Origin", "https://app.example")])
                #expect(response.status == 201)
                #expect(response.header("Access-Control-Allow-Origin") == "https://app.example")
                #expect(response.header("Access-Control-Allow-Methods") == "OPTIONS, HEAD, GET, POST, PUT, DELETE")
                #expect(response.header("Access-Control-Allow-Credentials") == "true")
                #expect(response.header("Access-Control-Max-Age") == "3600")
                #expect(response.header("Access-Control-Expose-Headers")?.contains("X-Stub-Header") == true)
                #expect(response.bodyText == "status 201\n")
            }
        }

        /// `[proxy] auto_cross_origin` does for every route what `aco` does for one; without
        /// either, nothing is added.
        @Test func theGlobalKeyTurnsItOnAndNoRouteHasItByDefault() throws {
            try withACO("*", proxy: [("auto_cross_origin", "true")]) { _, pushpind in
                let response = try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo")
                #expect(response.header("Access-Control-Allow-Origin") == "*")
            }
            try withACO("*") { _, pushpind in
                let response = try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo")
                #expect(response.header("Access-Control-Allow-Origin") == nil)
            }
        }

        @Test func aPreflightGoesToTheBackendAndIsAnsweredWithWhatItAskedFor() throws {
            try withACO { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let response = try client.request(HTTPRequest("OPTIONS", "/echo", headers: [
                    ("Host", "e2e.example"), ("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", "X-A, X-B"),
                ]))
                #expect(response.status == 200)
                #expect(backend.requests.map(\.method) == ["OPTIONS"])
                #expect(response.header("Access-Control-Allow-Methods") == "PUT")
                #expect(response.header("Access-Control-Allow-Headers") == "X-A, X-B")
                #expect(response.header("Access-Control-Allow-Origin") == "https://app.example")
            }
        }

        @Test func jsonpMakesTheRequestFromItsParametersAndWrapsTheAnswer() throws {
            try withACO { _, pushpind in
                let target = "/echo?a=1&callback=got&_method=POST&_headers=%7B%22X-Api%22%3A%22k%22%7D&_body=hello"
                let response = try RawHTTPClient.fetch(port: pushpind.clientPort, target)
                #expect(response.status == 200)
                #expect(response.header("Content-Type") == "application/javascript")
                #expect(response.header("Access-Control-Allow-Origin") == nil)
                let text = response.bodyText
                #expect(text.hasPrefix(#"/**/got({"code": 200, "reason": "OK", "headers": {"#), "\(text.prefix(80))")
                #expect(text.hasSuffix("\"});\n"))
                #expect(text.contains(#"method POST\u000atarget /echo?a=1\u000a"#), "\(text)")
                #expect(text.contains(#"body-length 5\u000a"#))
                #expect(text.contains(#"header X-Api: k\u000a"#))
            }
        }

        @Test func aBadCallbackIsRefusedWithCORSFields() throws {
            try withACO { backend, pushpind in
                let response = try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo?callback=alert(1)")
                #expect(response.status == 400)
                #expect(response.bodyText == "Invalid callback parameter.\n")
                #expect(response.header("Access-Control-Allow-Origin") == "*")
                #expect(backend.requests.isEmpty)
            }
        }

        /// A held long-poll's published response is wrapped (basic mode here), and a plain
        /// long-poll on the same route gets CORS fields on its published response.
        @Test func longPollsGetJSONPAndCORSOnThePublishedResponse() throws {
            try withACO("*,aco,jsonp_mode=basic") { _, pushpind in
                let jsonp = try RawHTTPClient(port: pushpind.clientPort)
                let plain = try RawHTTPClient(port: pushpind.clientPort)
                try jsonp.send(.get("/grip/response?ch=acp&callback=cb"))
                try plain.send(HTTPRequest("GET", "/grip/response?ch=acp", headers: [("Host", "e2e.example"), ("Origin", "https://o.example")]))
                try pushpind.waitForHeld(response: 2)
                try pushpind.publish(PublishJSON.response("acp", code: 201, headers: ["X-Pub": "p"], body: "[1,2]\n"))

                let wrapped = try jsonp.readResponse()
                #expect(wrapped.status == 200)
                #expect(wrapped.header("Content-Type") == "application/javascript")
                #expect(wrapped.header("X-Pub") == "p")
                #expect(wrapped.bodyText == "/**/cb([1,2]);\n")

                let cors = try plain.readResponse()
                #expect(cors.status == 201)
                #expect(cors.bodyText == "[1,2]\n")
                #expect(cors.header("Access-Control-Allow-Origin") == "https://o.example")
                #expect(cors.header("Access-Control-Expose-Headers")?.contains("X-Pub") == true)
            }
        }
    }
}
